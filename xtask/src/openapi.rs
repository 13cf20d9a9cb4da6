//! `cargo xtask openapi [--check]`: writes `api-spec/openapi.json` (see `codegen::openapi`).

use crate::files::{Mode, ensure_file_contents, report};
use std::path::Path;

/// Where the document goes, relative to the workspace root.
pub const PATH: &str = "api-spec/openapi.json";

/// Writes (or checks) the document; `cargo xtask codegen` does the same along with the client.
pub fn openapi(root: &Path, mode: Mode) -> Result<(), String> {
    let ir = codegen::load_ir(&root.join("api-spec")).map_err(|d| d.to_string())?;
    let stale = ensure_openapi(root, &ir, mode)?;
    report(stale.into_iter().collect(), "run `cargo xtask openapi` and commit the result")
}

/// `Some(message)` when the committed document is stale (check mode).
pub fn ensure_openapi(root: &Path, ir: &codegen::ir::Ir, mode: Mode) -> Result<Option<String>, String> {
    let stale = ensure_file_contents(&root.join(PATH), &codegen::openapi::openapi_json(ir), mode)?;
    Ok(stale.map(|diff| format!("{PATH} is stale:\n{diff}")))
}
