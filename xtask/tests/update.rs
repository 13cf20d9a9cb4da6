//! `cargo xtask update`: a changed page in, its draft beside the spec and what adopting it
//! would mean for users out. (The regeneration and the verdict against `HEAD` are
//! `cargo xtask codegen` and `cargo xtask diff`, tested on their own.)

use codegen::diff::{ChangeKind, Impact};
use codegen::import::ImportOptions;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-update-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_page_of_a_new_operation_is_a_compatible_addition_with_its_draft_beside_the_spec() {
    let drafts = scratch("new");
    let page = root().join("codegen/tests/data/import/reference-item.txt");
    let opts = ImportOptions { doc_id: None, id: Some("get_demo_item".to_owned()) };
    let impact = xtask::update::page_impact(&root(), &page, &opts, &drafts).unwrap();

    assert_eq!(impact.draft, drafts.join("get_demo_item.toml"));
    assert_eq!(std::fs::read_to_string(&impact.draft).unwrap(), impact.imported.toml);
    let added: Vec<_> = impact
        .diff
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Added && c.subject.contains("get_demo_item"))
        .collect();
    assert_eq!(added.len(), 1, "{}", impact.diff.report("api-spec", "0.1.0"));
    assert_eq!(added[0].impact, Impact::Compatible);
    assert!(
        impact.diff.changes.iter().all(|c| c.impact != Impact::Breaking),
        "{}",
        impact.diff.report("api-spec", "0.1.0")
    );
    // Nothing was written into the spec itself.
    assert!(!root().join("api-spec/get_demo_item.toml").exists());
    std::fs::remove_dir_all(&drafts).unwrap();
}

#[test]
fn a_page_that_cannot_be_read_writes_no_draft() {
    let drafts = scratch("bad");
    let page = root().join("codegen/tests/data/import/not-an-api-page.txt");
    let e = xtask::update::page_impact(&root(), &page, &ImportOptions::default(), &drafts).err().unwrap();
    assert!(e.contains("not-an-api-page.txt:1:"), "{e}");
    assert_eq!(std::fs::read_dir(&drafts).unwrap().count(), 0);
    std::fs::remove_dir_all(&drafts).unwrap();
}

#[test]
fn usage_errors_are_reported() {
    let e = xtask::update::run(&root(), &["--bogus".to_owned()]).unwrap_err();
    assert!(e.contains("unknown option --bogus"), "{e}");
    let e = xtask::update::run(&root(), &["--doc-id".to_owned(), "1".to_owned()]).unwrap_err();
    assert!(e.contains("exactly one page"), "{e}");
}
