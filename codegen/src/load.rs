//! Reading spec files: TOML syntax and the format's shape (unknown keys, wrong types).

use crate::diagnostics::{Diagnostics, SourceFile};
use crate::spec::SpecFile;
use std::path::Path;

/// All spec files, parsed, in a stable order (sorted by name).
#[derive(Debug)]
pub struct Loaded {
    pub files: Vec<(SourceFile, SpecFile)>,
}

/// Reads every `*.toml` file below `dir`. Names in messages are `display_prefix/relative/path`.
pub fn read_dir(dir: &Path, display_prefix: &str) -> Result<Vec<SourceFile>, Diagnostics> {
    let mut paths = Vec::new();
    let mut diags = Diagnostics::default();
    collect(dir, &mut paths).map_err(|e| io_diag(dir, e))?;
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let name = if display_prefix.is_empty() { rel } else { format!("{display_prefix}/{rel}") };
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push(SourceFile::new(name, text)),
            Err(e) => diags.0.push(io_diag(&path, e).0.remove(0)),
        }
    }
    if files.is_empty() && diags.is_empty() {
        let file = SourceFile::new(dir.display().to_string(), "");
        diags.error(&file, 0..0, "no spec files (*.toml) found").hint("point the generator at the api-spec/ directory");
    }
    diags.into_result().map(|()| files)
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

fn io_diag(path: &Path, e: std::io::Error) -> Diagnostics {
    let mut d = Diagnostics::default();
    let file = SourceFile::new(path.display().to_string(), "");
    d.error(&file, 0..0, format!("cannot read: {e}"));
    d
}

/// Parses every file; a file with a syntax or shape error is reported and skipped, so one
/// run reports the first error of each broken file.
pub fn parse(mut files: Vec<SourceFile>) -> Result<Loaded, Diagnostics> {
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut diags = Diagnostics::default();
    let mut parsed = Vec::new();
    for file in files {
        match toml::from_str::<SpecFile>(&file.text) {
            Ok(spec) => parsed.push((file, spec)),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = e.message().trim().to_owned();
                let hint = if let Some(near) = closest_listed(&message) {
                    if message.starts_with("unknown field") {
                        format!("did you mean `{near}`? The allowed keys are listed in api-spec/spec.schema.json")
                    } else {
                        format!("did you mean `{near}`?")
                    }
                } else if message.contains("unknown field") {
                    "the allowed keys are listed in api-spec/spec.schema.json (`cargo xtask schema` writes it)"
                        .to_owned()
                } else if message.contains("missing field") {
                    "add the key; api-spec/spec.schema.json lists what each table needs".to_owned()
                } else if message.contains("unknown variant") {
                    "use one of the listed values".to_owned()
                } else {
                    "the file must be valid TOML in the spec format (see api-spec/spec.schema.json)".to_owned()
                };
                diags.error(&file, span, message).hint(hint);
            }
        }
    }
    diags.into_result().map(|()| Loaded { files: parsed })
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (or "unknown variant"), the listed
/// name closest to `x`.
fn closest_listed(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))?;
    let (given, listed) = rest.split_once('`')?;
    let candidates: Vec<String> = listed.split('`').skip(1).step_by(2).map(str::to_owned).collect();
    crate::suggest::closest(given, candidates.iter()).cloned()
}
