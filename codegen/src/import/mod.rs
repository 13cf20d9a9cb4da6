//! `cargo xtask import PAGE.txt`: a WeChat Pay doc page, as text copied from the site, to the
//! spec TOML of its operation.
//!
//! ```text
//! bytes --text--> lines --page--> Page (facts + page lines) --draft--> Draft (+ notes) --write--> TOML
//!                                                     api-spec/ ---^          validated with api-spec/ --^
//! ```
//! Nothing is written unless the whole page was read and the draft loads and validates together
//! with `api-spec/` (the draft replaces the operation, models and enums of the same names).
//! Every fact that is not the page's own (inferred from an example, reused from api-spec) is
//! marked in the TOML and listed in the report with its page line, as is every line the
//! importer could not place and every disagreement with api-spec.

pub mod draft;
pub mod family;
pub mod json;
pub mod page;
pub mod shared;
pub mod text;
pub mod write;

use crate::diagnostics::{Diagnostics, SourceFile};
use crate::spec::ExampleKind;
// Defined in shared.rs, which every step of the import uses; named here too.
pub use shared::{ImportError, ImportOptions, Note, NoteKind};
use std::path::Path;

/// A page imported: the spec TOML and the report.
#[derive(Debug, Clone)]
pub struct Imported {
    pub page: String,
    pub op_id: String,
    pub toml: String,
    pub notes: Vec<Note>,
    /// The draft loaded and validated together with api-spec (for checks and tests).
    pub ir: crate::ir::Ir,
}

impl Imported {
    /// The report, one `page:line: kind: message` per note.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for n in &self.notes {
            out.push_str(&format!("{}:{}: {}: {}\n", self.page, n.line, n.kind.word(), n.message));
        }
        out
    }
}

/// Imports one page. `spec` is the current api-spec (see [`crate::load::read_dir`]), used to
/// fill gaps, to reference models instead of duplicating them, and to validate the draft.
pub fn import(page: &str, bytes: &[u8], opts: &ImportOptions, spec: &[SourceFile]) -> Result<Imported, ImportError> {
    let text = text::decode(page, bytes)?;
    let parsed = page::parse(page, &text)?;
    let mut loaded = crate::load::parse(spec.to_vec())
        .map_err(|d| ImportError::new(page, 0, format!("api-spec does not load, fix it first:\n{d}")))?;
    if let Some(id) = opts.id.as_deref().filter(|id| !valid_op_id(id)) {
        return Err(ImportError::new(page, 0, format!("--id {id:?} is not a snake_case operation id (a-z, 0-9, _)")));
    }
    let (mut draft, mut notes) = {
        let existing = draft::Existing { files: loaded.files.iter().map(|(_, s)| s).collect() };
        draft::build(page, &parsed, opts, &existing)?
    };
    if !valid_op_id(&draft.op.id) {
        let line = parsed.method.as_ref().map_or(0, |m| m.line);
        return Err(ImportError::new(
            page,
            line,
            format!("operation id {:?} is not snake_case (a-z, 0-9, _): give --id", draft.op.id),
        ));
    }
    let header = format!(
        "Imported by `cargo xtask import` from {page} ({}).\nReview every `inferred`, `reused` and `differs` comment, then move this file under api-spec/.",
        parsed.title.value
    );

    // Validate: the draft with api-spec, whose same-named definitions it replaces.
    let models: Vec<String> = draft.models.iter().map(|m| m.name.clone()).collect();
    let enums: Vec<String> = draft.enums.iter().map(|e| e.name.clone()).collect();
    for (_, spec) in &mut loaded.files {
        spec.operations.retain(|o| o.id.value != draft.op.id);
        spec.models.retain(|m| !models.contains(&m.name.value));
        spec.enums.retain(|e| !enums.contains(&e.name.value));
    }
    let draft_name = format!("{}.toml (draft)", draft.op.id);
    let files_before = loaded.files.len();
    let mut validate = |toml: &str| -> Result<Result<crate::ir::Ir, Diagnostics>, ImportError> {
        let ours = crate::load::parse(vec![SourceFile::new(draft_name.clone(), toml.to_owned())]).map_err(|d| {
            ImportError::new(page, 0, format!("the draft is not valid spec TOML (an importer bug):\n{d}"))
        })?;
        loaded.files.truncate(files_before);
        loaded.files.extend(ours.files);
        Ok(crate::lower::lower(&loaded))
    };
    let mut toml = write::toml(&draft, &header);
    let mut lowered = validate(&toml)?;
    // A page whose own request example breaks the page's rules (a catalogue showing every
    // alternative at once, say) still imports: the example is marked for the reviewer, who
    // decides whether the example or the rule is wrong.
    if let Err(d) = &lowered
        && let Some(broken) = broken_examples(d)
    {
        for e in draft.op.examples.iter_mut().filter(|e| e.kind == ExampleKind::Request && broken.contains(&e.title)) {
            let why = format!(
                "the page's own example breaks the spec's validation (review: a catalogue of alternatives, or a rule stricter than the server?): {}",
                broken_message(d, &e.title)
            );
            let line = parsed.examples.iter().find(|p| p.title == e.title).map_or(0, |p| p.line);
            notes.push(Note {
                line,
                kind: NoteKind::Inferred,
                message: format!("expect_invalid on example {:?}: {why}", e.title),
            });
            e.marks.push(format!("inferred: {why}"));
            e.expect_invalid = Some(why);
        }
        toml = write::toml(&draft, &header);
        lowered = validate(&toml)?;
    }
    // What WeChat Pay's own code says against the draft (an official example not sending a new
    // required field, a dispute gone stale) is reported for review; it does not stop the draft.
    if let Err(d) = &lowered
        && let Ok(ir) = crate::lower::lower_checked(&loaded, false)
    {
        for problem in &d.0 {
            notes.push(Note {
                line: 0,
                kind: NoteKind::Conflict,
                message: format!("WeChat Pay's example code against the draft (cargo xtask check will fail until resolved): {problem}"),
            });
        }
        lowered = Ok(ir);
    }
    let ir = lowered.map_err(|d| {
        // The page's disagreements with api-spec usually explain why.
        let differs: String = notes
            .iter()
            .filter(|n| n.kind == NoteKind::Conflict)
            .map(|n| format!("\n{page}:{}: differs: {}", n.line, n.message))
            .collect();
        ImportError::new(page, 0, format!("the draft does not validate together with api-spec:\n{d}{differs}"))
    })?;
    Ok(Imported { page: page.to_owned(), op_id: draft.op.id, toml, notes, ir })
}

/// The titles of the request examples the diagnostics say break validation, when that is all
/// they say (any other problem is the draft's, and is reported as is).
fn broken_examples(d: &Diagnostics) -> Option<Vec<String>> {
    let titles: Option<Vec<String>> = d.0.iter().map(|diag| example_title(&diag.message)).collect();
    titles.filter(|t| !t.is_empty())
}

/// `request example "TITLE" breaks ...` -> `TITLE`.
fn example_title(message: &str) -> Option<String> {
    let rest = message.strip_prefix("request example ")?;
    let (quoted, tail) = rest.split_once(" breaks ")?;
    let _ = tail;
    serde_json::from_str::<String>(quoted).ok()
}

fn broken_message(d: &Diagnostics, title: &str) -> String {
    d.0.iter()
        .find(|diag| example_title(&diag.message).as_deref() == Some(title))
        .map(|diag| diag.message.clone())
        .unwrap_or_default()
}

/// Whether `id` is an operation id the spec accepts and a safe file name: snake_case ASCII.
pub fn valid_op_id(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The draft file of operation `id` in `dir`: `dir/<id>.toml`, refused for an id that is not
/// snake_case, so nothing a page contains can make the importer write outside `dir`.
pub fn draft_path(dir: &Path, id: &str) -> Result<std::path::PathBuf, String> {
    if !valid_op_id(id) {
        return Err(format!("operation id {id:?} is not snake_case (a-z, 0-9, _): no draft is written for it"));
    }
    Ok(dir.join(format!("{id}.toml")))
}

/// Writes `contents` to `path` atomically: a temporary file in the same directory, renamed
/// over the target, so a reader sees the old file or the whole new one, never a part.
pub fn write_atomically(path: &Path, contents: &str) -> Result<(), String> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "draft".to_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, contents).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("{}: {e}", path.display()));
    }
    Ok(())
}
