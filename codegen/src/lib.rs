//! The generator: spec files -> validated IR -> Rust tokens -> formatted files.
//!
//! ```text
//! api-spec/*.toml --load--> SpecFile --lower--> Ir --emit--> TokenStream --format--> files
//! ```
//! [`generate`] runs the whole pipeline; [`check`] stops after validation.

pub mod diagnostics;
pub mod diff;
pub mod emit;
pub mod examples;
pub mod families;
pub mod generated_file;
pub mod import;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
pub mod official;
pub mod official_ir;
pub mod openapi;
pub mod page;
pub mod spans;
pub mod spec;
pub mod suggest;
pub mod validate_json;
pub mod wording;

pub use diagnostics::{Diagnostic, Diagnostics, SourceFile};
pub use generated_file::GeneratedFile;

use std::path::Path;

/// Loads and validates the spec in `dir`; messages name files as `api-spec/...`.
pub fn load_ir(dir: &Path) -> Result<ir::Ir, Diagnostics> {
    let sources = load::read_dir(dir, "api-spec")?;
    ir_from_sources(sources)
}

/// Loads and validates in-memory spec files (tests, benchmarks).
pub fn ir_from_sources(sources: Vec<SourceFile>) -> Result<ir::Ir, Diagnostics> {
    let loaded = load::parse(sources)?;
    lower::lower(&loaded)
}

/// Validates the spec in `dir` without generating anything.
pub fn check(dir: &Path) -> Result<ir::Ir, Diagnostics> {
    load_ir(dir)
}

/// Runs the whole pipeline on the spec in `dir`.
pub fn generate(dir: &Path) -> Result<Vec<GeneratedFile>, Diagnostics> {
    Ok(emit::emit(&load_ir(dir)?))
}

/// Runs the whole pipeline on in-memory spec files.
pub fn generate_from_sources(sources: Vec<SourceFile>) -> Result<Vec<GeneratedFile>, Diagnostics> {
    Ok(emit::emit(&ir_from_sources(sources)?))
}

/// The JSON Schema of the spec format, pretty-printed with a trailing newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(spec::SpecFile);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}
