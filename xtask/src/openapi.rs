//! `cargo xtask openapi [--check]`: writes `api-spec/openapi.json` (see `codegen::openapi`).

use crate::{Mode, ensure_file_contents, report};
use std::path::Path;

pub fn openapi(root: &Path, mode: Mode) -> Result<(), String> {
    let ir = codegen::load_ir(&root.join("api-spec")).map_err(|d| d.to_string())?;
    let path = root.join("api-spec/openapi.json");
    let stale = ensure_file_contents(&path, &codegen::openapi::openapi_json(&ir), mode)?
        .map(|diff| format!("api-spec/openapi.json is stale:\n{diff}"));
    report(stale.into_iter().collect(), "run `cargo xtask openapi` and commit the result")
}
