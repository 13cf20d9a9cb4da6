//! Generated files written, or only compared with what is committed: the one place every task
//! that produces files goes through.

use std::path::Path;

/// Write files, or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

pub(crate) fn report(stale: Vec<String>, fix: &str) -> Result<(), String> {
    if stale.is_empty() { Ok(()) } else { Err(format!("{}\n{fix}", stale.join("\n"))) }
}

/// The one place generated files are written: line endings normalised, unchanged files left
/// alone (so mtimes do not trigger rebuilds), and in check mode a diff instead of a write.
pub fn ensure_file_contents(path: &Path, contents: &str, mode: Mode) -> Result<Option<String>, String> {
    let contents = contents.replace("\r\n", "\n");
    let current = std::fs::read_to_string(path).ok().map(|s| s.replace("\r\n", "\n"));
    if current.as_deref() == Some(contents.as_str()) {
        return Ok(None);
    }
    match mode {
        Mode::Write => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(path, &contents).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(None)
        }
        Mode::Check => {
            let old = current.unwrap_or_default();
            let diff = similar::TextDiff::from_lines(&old, &contents);
            let text = diff.unified_diff().context_radius(2).header("committed", "generated").to_string();
            Ok(Some(truncate(&text, 200)))
        }
    }
}

fn truncate(text: &str, max_lines: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= max_lines {
        return text.to_owned();
    }
    format!("{}\n... ({} more diff lines)", lines[..max_lines].join("\n"), lines.len() - max_lines)
}
