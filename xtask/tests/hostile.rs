//! Nothing a page contains makes `cargo xtask update` (or `import`) write outside `drafts/`:
//! the draft's file is named by its operation id, which is snake_case or refused.

use codegen::import::ImportOptions;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

fn fixture() -> String {
    std::fs::read_to_string(root().join("codegen/tests/data/import/reference-item.txt")).unwrap()
}

#[test]
fn a_path_and_title_full_of_dot_dots_and_slashes_write_inside_drafts_only() {
    let dir = scratch("dots");
    let page = fixture().replacen("查询演示商品", "../../../../evil/查询演示商品/..", 1).replace(
        "/v3/marketing/partner/demo/items/",
        "/v3/marketing/partner/demo/../../../../../tmp/evil/..%2F..%2Fitems/",
    );
    let page_path = dir.join("page.txt");
    std::fs::write(&page_path, page).unwrap();
    let drafts = dir.join("drafts");
    let impact = xtask::update::page_impact(&root(), &page_path, &ImportOptions::default(), &drafts).unwrap();
    assert_eq!(impact.draft.parent(), Some(drafts.as_path()));
    let name = impact.draft.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'), "{name}");
    let written = files(&dir);
    assert_eq!(written, [format!("drafts/{name}"), "page.txt".to_owned()]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_operation_id_that_is_not_snake_case_is_refused_before_anything_is_written() {
    let dir = scratch("id");
    let page_path = dir.join("page.txt");
    std::fs::write(&page_path, fixture()).unwrap();
    let drafts = dir.join("drafts");
    for id in ["../evil", "a/b", "..", "Evil", ""] {
        let opts = ImportOptions { doc_id: None, id: Some(id.to_owned()) };
        let e = xtask::update::page_impact(&root(), &page_path, &opts, &drafts).err().unwrap();
        assert!(e.contains("not a snake_case operation id"), "{id}: {e}");
    }
    assert_eq!(files(&dir), ["page.txt".to_owned()]);
    assert!(codegen::import::draft_path(&drafts, "../x").is_err());
    assert_eq!(codegen::import::draft_path(&drafts, "get_x").unwrap(), drafts.join("get_x.toml"));
    std::fs::remove_dir_all(&dir).unwrap();
}
