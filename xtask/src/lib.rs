//! The maintainer tasks behind `cargo xtask`, as a library so tests can run them.

use std::path::Path;

use files::report;
pub use files::{Mode, ensure_file_contents};

pub mod files;
pub mod import;
pub mod modgraph;
pub mod openapi;
pub mod page;
pub mod spec_diff;
pub mod update;

const REGENERATE: &str = "run `cargo xtask codegen` and commit the result";

/// Generates the client crate's files (and `api-spec/openapi.json`) from `api-spec/`, then
/// prints the spec's changes against `HEAD` in one line.
pub fn codegen(root: &Path, mode: Mode) -> Result<(), String> {
    let ir = codegen::load_ir(&root.join("api-spec")).map_err(|d| d.to_string())?;
    let files = codegen::emit::emit(&ir);
    let mut stale = Vec::new();
    for file in &files {
        let rel = format!("{}/{}", file.crate_dir, file.path);
        if let Some(diff) = ensure_file_contents(&root.join(&rel), &file.contents, mode)? {
            stale.push(format!("{rel} is stale:\n{diff}"));
        }
    }
    // Files the generator no longer writes must go too, or they would linger unnoticed.
    for orphan in orphans(root, &files)? {
        match mode {
            Mode::Write => std::fs::remove_file(root.join(&orphan)).map_err(|e| format!("{orphan}: {e}"))?,
            Mode::Check => stale.push(format!("{orphan} is no longer generated")),
        }
    }
    stale.extend(openapi::ensure_openapi(root, &ir, mode)?);
    if mode == Mode::Write {
        println!("{}", spec_diff::summary_line(root, &ir));
    }
    report(stale, REGENERATE)
}

/// Writes `api-spec/spec.schema.json`.
pub fn schema(root: &Path, mode: Mode) -> Result<(), String> {
    let path = root.join("api-spec/spec.schema.json");
    let stale = ensure_file_contents(&path, &codegen::schema_json(), mode)?
        .map(|diff| format!("api-spec/spec.schema.json is stale:\n{diff}"));
    report(stale.into_iter().collect(), "run `cargo xtask schema` and commit the result")
}

/// Validates `api-spec/` and prints a summary.
pub fn validate(root: &Path) -> Result<(), String> {
    let ir = codegen::check(&root.join("api-spec")).map_err(|d| d.to_string())?;
    println!(
        "api-spec/ is valid: {} operation(s), {} model(s), {} enum(s), {} error code(s)",
        ir.operations.len(),
        ir.models.len(),
        ir.enums.len(),
        ir.error_codes.len()
    );
    Ok(())
}

/// Files in the directories the generator owns that it did not produce this time.
fn orphans(root: &Path, files: &[codegen::GeneratedFile]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (krate, dir) in codegen::emit::OWNED_DIRS {
        let full = root.join(krate).join(dir);
        let Ok(entries) = std::fs::read_dir(&full) else { continue };
        for entry in entries {
            let entry = entry.map_err(|e| e.to_string())?;
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if entry.path().is_file() && !files.iter().any(|f| f.crate_dir == *krate && f.path == rel) {
                out.push(format!("{krate}/{rel}"));
            }
        }
    }
    out.sort();
    Ok(out)
}
