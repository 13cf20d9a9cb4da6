//! The generator's output: one file, apart from the pipeline so that the emitters below
//! `lib.rs` name it without depending on the crate root.

/// A file the generator writes: `path` is relative to the directory of the workspace crate
/// `crate_dir` (`generated-client`, or another crate the spec drives).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub crate_dir: &'static str,
    pub path: String,
    pub contents: String,
}
