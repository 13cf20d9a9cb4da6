//! Wording: the diff sets aside what copying from the doc site does to text (full-width and
//! half-width punctuation, spaces, a trailing `。`) and still reports a real change of wording,
//! as documentation only; the importer writes prose in the spec's own convention, so adopting
//! a draft does not churn the spec. The real page comes from `../shared/docs` (see
//! `.ci/require.rs`: missing, it is a SKIP here and a failure on CI).

#[path = "../../.ci/require.rs"]
mod require;

use codegen::SourceFile;
use codegen::diff::{ChangeKind, Impact};
use codegen::import::{ImportOptions, import};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn spec() -> Vec<SourceFile> {
    codegen::load::read_dir(&root().join("api-spec"), "api-spec").expect("api-spec loads")
}

/// api-spec with `from` replaced by `to` in the file `name` (exactly once).
fn edited(name: &str, from: &str, to: &str) -> Vec<SourceFile> {
    spec()
        .into_iter()
        .map(|f| {
            if f.name == name {
                assert_eq!(f.text.matches(from).count(), 1, "{from} in {name}");
                SourceFile::new(f.name.clone(), f.text.replacen(from, to, 1))
            } else {
                f
            }
        })
        .collect()
}

fn diff_with(name: &str, from: &str, to: &str) -> codegen::diff::SpecDiff {
    let before = codegen::ir_from_sources(spec()).unwrap();
    let after = codegen::ir_from_sources(edited(name, from, to)).unwrap();
    codegen::diff::diff(&before, &after)
}

const FILE: &str = "api-spec/endpoints/create_stock_bundle.toml";
const TEXT: &str = "\"商品券的唯一标识，创建商品券时由微信支付生成。\"";

#[test]
fn copy_artefacts_are_no_change() {
    for copied in [
        "\"商品券的唯一标识,创建商品券时由微信支付生成\"",
        "\"商品券的唯一标识, 创建商品券时由微信支付生成。\"",
        "\"商品券的唯一标识，创建商品券时由微信支付生成 \"",
    ] {
        let d = diff_with(FILE, TEXT, copied);
        assert!(d.changes.is_empty(), "{copied}: {}", d.report("a", "0.1.0"));
    }
    // Operation prose too: its description, and the punctuation of a title.
    let d = diff_with(FILE, "添加更多批次组，每个批次组创建时", "添加更多批次组,每个批次组创建时");
    assert!(d.changes.is_empty(), "{}", d.report("a", "0.1.0"));
}

#[test]
fn a_real_change_of_wording_is_reported_as_documentation() {
    let d = diff_with(FILE, TEXT, "\"商品券的唯一标识，由品牌方在创建时指定。\"");
    assert_eq!(d.changes.len(), 1, "{}", d.report("a", "0.1.0"));
    let c = &d.changes[0];
    assert_eq!((c.impact, c.kind), (Impact::Compatible, ChangeKind::Changed));
    assert_eq!(c.detail, "description changed");
    assert!(c.subject.contains("path parameter `product_coupon_id`"), "{}", c.subject);
}

fn page(name: &str) -> Option<Vec<u8>> {
    let test = "the importer's wording on a real page";
    let dir = require::shared_docs(&root(), test)?;
    let path = require::require_fixture(&dir.join(name), test, "copy the page into shared/docs next to the workspace")?;
    Some(std::fs::read(path).expect("the page is readable"))
}

#[test]
fn the_importer_writes_the_spec_text_where_the_page_says_the_same() {
    let Some(bytes) = page("add-stock-bundle.txt") else { return };
    let imported = import("add-stock-bundle.txt", &bytes, &ImportOptions::default(), &spec()).unwrap();
    // The page has `唯一标识,创建...生成` (copied), the spec `唯一标识，创建...生成。`.
    assert!(imported.toml.contains(&format!("description = {TEXT}")), "{}", imported.toml);
    assert!(!imported.toml.contains("唯一标识,创建"), "{}", imported.toml);
}

#[test]
fn the_importer_writes_new_prose_in_the_spec_convention() {
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import/reference-item.txt"))
        .expect("fixture");
    let opts = ImportOptions { doc_id: None, id: Some("get_demo_item".to_owned()) };
    let imported = import("reference-item.txt", &bytes, &opts, &spec()).unwrap();
    // The page: `【价格】 商品价格,单位为分`.
    assert!(imported.toml.contains("description = \"商品价格，单位为分。\""), "{}", imported.toml);
    // The operation's description already ends in `。` on the page and gets no second one.
    assert!(imported.toml.contains("查询演示商品的详情。"), "{}", imported.toml);
    assert!(!imported.toml.contains("。。"), "{}", imported.toml);
}
