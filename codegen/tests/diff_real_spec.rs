//! The spec diff on the real spec: a copy of `api-spec/` with one new optional response field,
//! one tightened `max_length` and one optional -> required request field gives exactly those
//! three changes, with the right verdicts, and a major bump.

use codegen::SourceFile;
use codegen::diff::{Bump, Impact};
use std::path::Path;

fn real_spec() -> Vec<SourceFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec");
    codegen::load::read_dir(&dir, "api-spec").expect("the real spec reads")
}

/// Replaces `from` (which must occur exactly once) in the file named `file`.
fn edit(files: &mut [SourceFile], file: &str, from: &str, to: &str) {
    let f = files.iter_mut().find(|f| f.name == file).unwrap_or_else(|| panic!("no spec file {file}"));
    assert_eq!(f.text.matches(from).count(), 1, "{from:?} should occur once in {file}");
    *f = SourceFile::new(f.name.clone(), f.text.replacen(from, to, 1));
}

#[test]
fn three_edits_of_the_real_spec_give_exactly_three_changes_and_a_major_bump() {
    let old = codegen::ir_from_sources(real_spec()).expect("the real spec is valid");
    let mut files = real_spec();

    // 1. A new optional field of StockBundleEntity, which only responses carry.
    let entity = files.iter().find(|f| f.name == "api-spec/models/stock_bundle.toml").map(|f| f.text.clone());
    let entity = entity.expect("stock_bundle.toml");
    let at = entity.find("name = \"StockBundleEntity\"").expect("the entity model");
    let first_field = at + entity[at..].find("[[models.fields]]").expect("a field");
    let new_field = "[[models.fields]]\nname = \"bundle_tag\"\ntype = \"string\"\npresence = \"optional\"\nlabel = \"批次组标签\"\n\n";
    let text = format!("{}{new_field}{}", &entity[..first_field], &entity[first_field..]);
    edit(&mut files, "api-spec/models/stock_bundle.toml", &entity, &text);

    // 2. A tightened max_length of a request field: out_request_no of 添加商品券批次组.
    edit(
        &mut files,
        "api-spec/endpoints/create_stock_bundle.toml",
        "example = \"34657_20250101_123456\"\nmin_length = 6\nmax_length = 40",
        "example = \"34657_20250101_123456\"\nmin_length = 6\nmax_length = 32",
    );

    // 3. An optional request field made required: the remark of a stock bundle sent to create one.
    edit(
        &mut files,
        "api-spec/models/stock_bundle.toml",
        "name = \"remark\"\ntype = \"string\"\npresence = \"optional\"\nlabel = \"批次备注\"\ndescription = \"批次组备注",
        "name = \"remark\"\ntype = \"string\"\npresence = \"required\"\nlabel = \"批次备注\"\ndescription = \"批次组备注",
    );

    let new = codegen::ir_from_sources(files).expect("the edited spec is valid");
    let usages = codegen::diff::usages(&new);
    assert!(!usages["StockBundleEntity"].request && usages["StockBundleEntity"].response);
    assert!(usages["StockBundle"].request && !usages["StockBundle"].response);

    let diff = codegen::diff::diff(&old, &new);
    let report = diff.report("HEAD", "0.1.0");
    let summary: Vec<(Impact, &str, &str)> =
        diff.changes.iter().map(|c| (c.impact, c.subject.as_str(), c.detail.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            (Impact::Breaking, "model StockBundle, field remark", "optional -> required"),
            (Impact::Behaviour, "model CreateStockBundleRequest, field out_request_no", "max_length 40 -> 32"),
            (Impact::Compatible, "model StockBundleEntity, field bundle_tag", "new optional field (string)"),
        ],
        "\n{report}"
    );
    assert_eq!(diff.bump(), Bump::Major);
    assert!(report.contains("Version: 0.1.0 -> 0.2.0"), "{report}");
}

#[test]
fn the_real_spec_against_itself_has_no_changes() {
    let ir = codegen::ir_from_sources(real_spec()).expect("the real spec is valid");
    let diff = codegen::diff::diff(&ir, &ir);
    assert!(diff.changes.is_empty(), "{}", diff.report("itself", "0.1.0"));
}
