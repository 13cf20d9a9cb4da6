//! Places inside a spec file's text: where a string value's content starts, where a JSON path
//! or a word is inside an example. Diagnostics point there.

use crate::diagnostics::SourceFile;
use std::ops::Range;

/// Byte offset where a string value's content starts in the file (after `'''`, `"""`, `'`, `"`
/// and the newline TOML trims after a multi-line opener).
pub(crate) fn content_start(file: &SourceFile, span: &Range<usize>) -> usize {
    let raw = file.text.get(span.clone()).unwrap_or("");
    let opener = if raw.starts_with("'''") || raw.starts_with("\"\"\"") { 3 } else { 1 };
    let after = span.start + opener.min(raw.len());
    if opener == 3 && file.text[after..].starts_with('\n') {
        after + 1
    } else if opener == 3 && file.text[after..].starts_with("\r\n") {
        after + 2
    } else {
        after
    }
}

/// Where a JSON path (`display_info.combo_package_list[0].name`) is in an example's text: each
/// key is searched after the previous one, and a key that is not there (a missing field) leaves
/// the place at its parent.
pub(crate) fn locate_json_path(file: &SourceFile, span: &Range<usize>, path: &str) -> Range<usize> {
    let hay = file.text.get(span.clone()).unwrap_or("");
    let mut at = content_start(file, span).saturating_sub(span.start);
    let mut found = at..at;
    for key in path.split('.').map(|k| k.split('[').next().unwrap_or(k)).filter(|k| !k.is_empty()) {
        let needle = format!("\"{key}\"");
        match hay.get(at..).and_then(|rest| rest.find(&needle)) {
            Some(i) => {
                found = at + i..at + i + needle.len();
                at = found.end;
            }
            None => break,
        }
    }
    span.start + found.start..span.start + found.end
}

/// The span of the first `needle` inside `span`, or the span's start.
pub(crate) fn locate(file: &SourceFile, span: &Range<usize>, needle: &str) -> Range<usize> {
    let hay = file.text.get(span.clone()).unwrap_or("");
    match hay.find(needle) {
        Some(i) => span.start + i..span.start + i + needle.len(),
        None => span.clone(),
    }
}
