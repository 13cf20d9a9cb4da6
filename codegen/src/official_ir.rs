//! What an official example (`[[official_examples]]`) becomes in the IR, once `official.rs`
//! checked it: a leaf module, so that the IR does not depend on the checks.

/// An official example, checked, with what the generated client must make of it.
#[derive(Debug, Clone)]
pub struct OfficialExampleIr {
    pub id: String,
    pub operation: String,
    pub family: String,
    pub language: String,
    pub source: String,
    pub path_params: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    /// The JSON body (an upload's meta), as transcribed.
    pub body: Option<String>,
    pub upload_file: Option<String>,
    /// The warnings the generated client reports for it: `(dispute id or "unknown-field", JSON path)`,
    /// sorted.
    pub warnings: Vec<(String, String)>,
    /// Why the program cannot run as written (it does not compile); then nothing is required of
    /// its violations and tests do not send it.
    pub not_runnable: Option<String>,
}
