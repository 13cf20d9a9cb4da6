//! `cargo xtask update [PAGE.txt ...]`: the maintainer's whole loop in one command.
//!
//! 1. Each changed doc page given is imported into a draft beside the spec (`drafts/<id>.toml`,
//!    as `cargo xtask import` writes it), and what adopting it would change for users is shown:
//!    the page's draft against api-spec as it is, with verdicts and a changelog section.
//! 2. The client, CLI table and OpenAPI document are regenerated from api-spec
//!    (`cargo xtask codegen`).
//! 3. The spec of the working tree is compared with `HEAD` (`cargo xtask diff`): the grouped
//!    report, the changelog section and the version bump a release needs.
//!
//! A draft is never moved into api-spec by the command: a reviewer reads its `inferred`,
//! `reused` and `differs` marks first, moves it (or edits the spec by hand), and runs the
//! command again without pages to regenerate and get the verdict.

use crate::{Mode, spec_diff};
use codegen::diff::SpecDiff;
use codegen::import::{ImportOptions, Imported, import, write_atomically};
use std::path::{Path, PathBuf};

pub const USAGE: &str = "update [PAGE.txt ...] [--doc-id ID]";

/// One page's draft and what adopting it would change.
pub struct PageImpact {
    pub imported: Imported,
    pub draft: PathBuf,
    pub diff: SpecDiff,
}

/// Imports `page` into a draft under `drafts_dir` and diffs api-spec with the draft in place
/// against api-spec as it is.
pub fn page_impact(root: &Path, page: &Path, opts: &ImportOptions, drafts_dir: &Path) -> Result<PageImpact, String> {
    let bytes = std::fs::read(page).map_err(|e| format!("{}: {e}", page.display()))?;
    let spec = codegen::load::read_dir(&root.join("api-spec"), "api-spec").map_err(|d| d.to_string())?;
    let current = codegen::ir_from_sources(spec.clone()).map_err(|d| format!("api-spec does not load:\n{d}"))?;
    let imported = import(&page.display().to_string(), &bytes, opts, &spec).map_err(|e| e.to_string())?;
    let draft = codegen::import::draft_path(drafts_dir, &imported.op_id)?;
    write_atomically(&draft, &imported.toml)?;
    // `imported.ir` is api-spec with the draft replacing its operation and same-named models.
    let diff = codegen::diff::diff(&current, &imported.ir);
    Ok(PageImpact { imported, draft, diff })
}

/// Runs the loop; prints as it goes.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut pages = Vec::new();
    let mut opts = ImportOptions::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--doc-id" => opts.doc_id = Some(it.next().cloned().ok_or("--doc-id needs a value")?),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}\nusage: cargo xtask {USAGE}")),
            page => pages.push(PathBuf::from(page)),
        }
    }
    if opts.doc_id.is_some() && pages.len() != 1 {
        return Err("--doc-id names the doc page of exactly one page".to_owned());
    }
    let version = spec_diff::client_version(root)?;
    for page in &pages {
        let impact = page_impact(root, page, &opts, &root.join("drafts"))?;
        println!("== {} -> {}\n", page.display(), impact.draft.display());
        print!("{}", impact.imported.report());
        println!("\nAdopting this draft would change, against api-spec as it is:\n");
        print!("{}", impact.diff.report("api-spec", &version));
        println!();
    }
    if !pages.is_empty() {
        println!("Review the drafts, move what holds into api-spec/, then run `cargo xtask update` again.\n");
    }
    println!("== regenerating from api-spec/");
    crate::codegen(root, Mode::Write)?;
    println!("\n== the spec against HEAD\n");
    spec_diff::diff(root, "HEAD", spec_diff::Format::Text)?;
    Ok(())
}
