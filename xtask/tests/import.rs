//! `cargo xtask import`: the draft is written whole, after the page was read and the draft
//! validated, or not at all; the default place is outside `api-spec/`, so the spec loader does
//! not pick a draft up before review.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn page(name: &str) -> String {
    root().join("codegen/tests/data/import").join(name).display().to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn writes_a_draft_that_loads_with_the_spec() {
    let dir = scratch("ok");
    let out = dir.join("demo.toml");
    let page = page("example-bundle.txt");
    let a = args(&[&page, "--out", out.to_str().unwrap(), "--doc-id", "9990000002", "--id", "create_demo_bundle"]);
    xtask::import::run(&root(), &a).unwrap();
    assert_eq!(entries(&dir), ["demo.toml"], "no temporary file is left behind");
    let text = std::fs::read_to_string(&out).unwrap();
    let mut sources = codegen::load::read_dir(&root().join("api-spec"), "api-spec").unwrap();
    sources.push(codegen::SourceFile::new("demo.toml", text));
    let ir = codegen::ir_from_sources(sources).unwrap_or_else(|d| panic!("{d}"));
    assert!(ir.operations.iter().any(|o| o.id == "create_demo_bundle"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_page_leaves_the_previous_draft_alone() {
    let dir = scratch("bad");
    let out = dir.join("demo.toml");
    std::fs::write(&out, "# the previous draft\n").unwrap();
    let page = page("not-an-api-page.txt");
    let e = xtask::import::run(&root(), &args(&[&page, "--out", out.to_str().unwrap()])).unwrap_err();
    assert!(e.contains("not-an-api-page.txt:1: not a WeChat Pay API page"), "{e}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "# the previous draft\n");
    assert_eq!(entries(&dir), ["demo.toml"]);
    // So does a page cut short in the middle of its example.
    let text = std::fs::read_to_string(root().join("codegen/tests/data/import/example-bundle.txt")).unwrap();
    let cut = dir.join("cut.txt");
    std::fs::write(&cut, text.lines().take(25).collect::<Vec<_>>().join("\n")).unwrap();
    let e = xtask::import::run(&root(), &args(&[cut.to_str().unwrap(), "--out", out.to_str().unwrap()])).unwrap_err();
    assert!(e.contains("cut.txt:25:"), "{e}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "# the previous draft\n");
    assert_eq!(entries(&dir), ["cut.txt", "demo.toml"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_default_draft_is_not_loaded_by_the_spec_loader() {
    // A scratch workspace: a copy of api-spec/, the draft written to its default place.
    let dir = scratch("default");
    std::fs::create_dir_all(dir.join("api-spec")).unwrap();
    for file in codegen::load::read_dir(&root().join("api-spec"), "").unwrap() {
        let path = dir.join("api-spec").join(&file.name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, file.text).unwrap();
    }
    let page = page("reference-item.txt");
    xtask::import::run(&dir, &args(&[&page, "--id", "get_demo_item"])).unwrap();
    assert!(dir.join("drafts/get_demo_item.toml").is_file());
    let ir = codegen::load_ir(&dir.join("api-spec")).unwrap();
    assert!(ir.operations.iter().all(|o| o.id != "get_demo_item"), "the draft must not be loaded before review");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn usage_errors() {
    assert!(xtask::import::run(&root(), &[]).unwrap_err().contains("which page?"));
    let e = xtask::import::run(&root(), &args(&["p.txt", "--bogus"])).unwrap_err();
    assert!(e.contains("unknown option --bogus"), "{e}");
    let e = xtask::import::run(&root(), &args(&["p.txt", "--out"])).unwrap_err();
    assert!(e.contains("--out needs a value"), "{e}");
    let e = xtask::import::run(&root(), &args(&["/nonexistent/page.txt"])).unwrap_err();
    assert!(e.contains("/nonexistent/page.txt"), "{e}");
}
