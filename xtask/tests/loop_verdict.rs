//! The verdict of `cargo xtask update PAGE.txt` on real pages, through the code path the command
//! runs ([`xtask::update::page_impact`]): an unchanged page is no change at all, a 品牌直连 copy
//! of a page updates its family's entry only, and an edit gives exactly its own entries.
//!
//! The pages api-spec was transcribed from are read from `../shared/docs` relative to the
//! workspace root (they are not part of the repository); where that directory does not exist
//! these tests print a loud SKIP and pass, except on a CI run (`CI=true`), where they fail
//! (`.ci/require.rs`). The brand copy and the edits are made here, from
//! those pages, by the transformations the tests spell out.

#[path = "../../.ci/require.rs"]
mod require;

use codegen::diff::{ChangeKind, Impact, SpecDiff};
use codegen::import::{ImportOptions, NoteKind};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn docs() -> Option<PathBuf> {
    require::shared_docs(&root(), "the round-trip verdicts on real pages")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-verdict-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn report(diff: &SpecDiff) -> String {
    diff.report("api-spec", "0.1.0")
}

/// Imports `text` as a page named `name` and returns what adopting it would change.
fn impact_of(name: &str, text: &str) -> xtask::update::PageImpact {
    let dir = scratch(name);
    let page = dir.join(format!("{name}.txt"));
    std::fs::write(&page, text).unwrap();
    let impact = xtask::update::page_impact(&root(), &page, &ImportOptions::default(), &dir.join("drafts"));
    let impact = impact.unwrap_or_else(|e| panic!("{name}: {e}"));
    std::fs::remove_dir_all(&dir).unwrap();
    impact
}

#[test]
fn every_page_the_spec_was_transcribed_from_is_no_change() {
    let Some(dir) = docs() else { return };
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    pages.sort();
    assert!(pages.len() >= 2, "expected the seed pages in {}", dir.display());
    for page in &pages {
        let drafts = scratch("round-trip");
        let impact = xtask::update::page_impact(&root(), page, &ImportOptions::default(), &drafts)
            .unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        // The verdict, not only the import: no API change and no documentation noise.
        assert_eq!(impact.diff.verdict(), None, "{}:\n{}", page.display(), report(&impact.diff));
        assert!(impact.diff.changes.is_empty(), "{}:\n{}", page.display(), report(&impact.diff));
        // The draft keeps the other family's entry of the operation.
        assert!(impact.imported.toml.contains("family = \"brand\""), "{}", impact.imported.toml);
        std::fs::remove_dir_all(&drafts).unwrap();
    }
}

// -- the 品牌直连 copy of a page ------------------------------------------------------------------

/// The site's numbered example lines: a block starts at `1`, each line after it has the next
/// number.
fn gutter_blocks(lines: &[String]) -> Vec<(usize, usize)> {
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('1') && !lines[i].starts_with("1.") {
            let mut j = i;
            while j < lines.len() && lines[j].starts_with(&(j - i + 1).to_string()) {
                j += 1;
            }
            blocks.push((i, j));
            i = j;
        } else {
            i += 1;
        }
    }
    blocks
}

/// The 品牌直连 page of a 服务商 page, as the brand family's pages differ from the partner ones
/// (reference brand-direct.md): the path under `/brand/marketing/product-coupon/`, a required
/// `Wechatpay-Serial` header row, no `brand_id` in the body table or the examples, a curl example
/// signed `WECHATPAY-BRAND-SHA256-RSA2048 brand_id=...`, and 频率限制 per brand.
fn brand_copy(partner: &str, updated: &str, rate: &str) -> String {
    let mut lines: Vec<String> = partner.lines().map(str::to_owned).collect();
    // The body table's brand_id row and its 【label】 line.
    if let Some(at) = lines.iter().position(|l| is_row(l, "brand_id")) {
        let label = (at + 1..lines.len()).find(|&i| !lines[i].trim().is_empty()).unwrap();
        assert!(lines[label].contains("【品牌ID】"), "{}", lines[label]);
        lines.drain(at..=label);
    }
    // Examples: the brand_id lines go (with the comma before them when they were last), and
    // the gutter is renumbered.
    for (start, end) in gutter_blocks(&lines).into_iter().rev() {
        let mut body: Vec<String> =
            lines[start..end].iter().enumerate().map(|(n, l)| l[(n + 1).to_string().len()..].to_owned()).collect();
        let mut k = 0;
        while k < body.len() {
            if body[k].trim_start().starts_with("\"brand_id\"") {
                let had_comma = body[k].trim_end().ends_with(',');
                body.remove(k);
                if !had_comma && k > 0 {
                    let prev = body[k - 1].trim_end().trim_end_matches(',').to_owned();
                    body[k - 1] = prev;
                }
            } else {
                k += 1;
            }
        }
        let numbered: Vec<String> = body.iter().enumerate().map(|(n, l)| format!("{}{l}", n + 1)).collect();
        lines.splice(start..end, numbered);
    }
    let mut text = lines.join("\n");
    text = text.replace("/v3/marketing/partner/product-coupon/", "/brand/marketing/product-coupon/");
    text = text.replace("WECHATPAY2-SHA256-RSA2048 mchid=", "WECHATPAY-BRAND-SHA256-RSA2048 brand_id=");
    let rate_line = text.lines().find(|l| l.starts_with("频率限制")).unwrap().to_owned();
    text = text.replacen(&rate_line, &format!("频率限制:{rate}"), 1);
    let updated_line = text.lines().find(|l| l.starts_with("更新时间")).unwrap().to_owned();
    text = text.replacen(&updated_line, &format!("更新时间:{updated}"), 1);
    insert_before(&text, "Accept", " Wechatpay-Serial  必填 string\n\n微信支付公钥ID或平台证书序列号\n\n")
}

/// Whether a table row starts with `name` (copied pages pad cells with no-break spaces).
fn is_row(line: &str, name: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    words.first() == Some(&name) && words.iter().any(|w| w.starts_with("必填") || w.starts_with("选填"))
}

/// `text` with `rows` inserted before the table row of `name`.
fn insert_before(text: &str, name: &str, rows: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| is_row(l, name)).unwrap_or_else(|| panic!("no row {name}"));
    let rows: Vec<&str> = rows.lines().collect();
    lines.splice(at..at, rows);
    lines.join("\n")
}

fn partner_page() -> Option<String> {
    Some(std::fs::read_to_string(docs()?.join("add-stock-bundle.txt")).unwrap())
}

fn spec_ir() -> codegen::ir::Ir {
    codegen::load_ir(&root().join("api-spec")).unwrap()
}

#[test]
fn a_brand_copy_of_a_page_updates_the_brand_entry_only() {
    let Some(partner) = partner_page() else { return };
    // As the brand page is today (the spec's brand entry: 2025.11.27, 20/s).
    let page = brand_copy(&partner, "2025.11.27", "20/s(品牌ID维度)");
    assert!(!page.contains("brand_id\" :") && page.contains("/brand/marketing/product-coupon/product-coupons/"));
    let impact = impact_of("brand-copy", &page);
    assert_eq!(impact.imported.op_id, "create_stock_bundle");
    assert!(impact.diff.changes.is_empty(), "{}", report(&impact.diff));
    // The partner operation is untouched: the draft is api-spec's operation, its models are
    // api-spec's (none in the draft), and only the brand entry took the page's facts.
    let (before, after) = (spec_ir(), &impact.imported.ir);
    let op = |ir: &codegen::ir::Ir| ir.operations.iter().find(|o| o.id == "create_stock_bundle").cloned().unwrap();
    let (a, b) = (op(&before), op(after));
    assert_eq!((&a.path, &a.request_body, &a.title), (&b.path, &b.request_body, &b.title));
    assert!(!impact.imported.toml.contains("[[models]]"), "{}", impact.imported.toml);
    assert!(
        impact.imported.toml.contains(
            "family = \"brand\"\ndoc_id = \"4016279732\"\nupdated = \"2025.11.27\"\nrate_limit = { per_second = 20, text = \"20/s(品牌ID维度)\" }"
        ),
        "{}",
        impact.imported.toml
    );
    assert!(impact.imported.toml.contains("[[operations.families]]\nfamily = \"partner\""));
    // Nothing differs beyond the brand_id the family drops.
    let differs: Vec<_> = impact.imported.notes.iter().filter(|n| n.kind == NoteKind::Conflict).collect();
    assert!(differs.is_empty(), "{differs:?}");
}

#[test]
fn a_new_brand_page_gives_the_brand_entry_its_date_and_limit_and_nothing_else() {
    let Some(partner) = partner_page() else { return };
    let impact = impact_of("brand-new", &brand_copy(&partner, "2026.01.05", "10/秒(品牌ID维度)"));
    let entries: Vec<String> =
        impact.diff.changes.iter().map(|c| format!("{:?} {}: {}", c.impact, c.subject, c.detail)).collect();
    assert_eq!(
        entries,
        [
            "Behaviour family brand, operation create_stock_bundle: rate limit 20/s -> 10/秒(品牌ID维度)",
            "Compatible family brand, operation create_stock_bundle: 更新时间 changed",
        ],
        "{}",
        report(&impact.diff)
    );
}

#[test]
fn a_brand_page_whose_fields_differ_shows_the_difference_for_review() {
    let Some(partner) = partner_page() else { return };
    let page = brand_copy(&partner, "2025.11.27", "20/s(品牌ID维度)");
    let page = insert_before(&page, "out_request_no", " brand_note  选填   string(32)\n\n【品牌备注】 品牌侧备注\n\n");
    let impact = impact_of("brand-differs", &page);
    assert!(impact.diff.changes.is_empty(), "{}", report(&impact.diff));
    let differs: Vec<&str> =
        impact.imported.notes.iter().filter(|n| n.kind == NoteKind::Conflict).map(|n| n.message.as_str()).collect();
    assert_eq!(differs.len(), 1, "{differs:?}");
    assert!(differs[0].contains("`CreateStockBundleRequest.brand_note` is on the `brand` page only"), "{differs:?}");
}

// -- edits of a page: exactly their own entries ----------------------------------------------

fn with_new_field(partner: &str, presence: &str) -> String {
    insert_before(
        partner,
        "stock_bundle",
        &format!(" memo  {presence}   string(64)\n\n【备注】 批次组的备注,仅品牌可见\n\n"),
    )
}

fn only_entry(diff: &SpecDiff) -> (Impact, ChangeKind, String, String) {
    assert_eq!(diff.changes.len(), 1, "{}", report(diff));
    let c = &diff.changes[0];
    (c.impact, c.kind, c.subject.clone(), c.detail.clone())
}

#[test]
fn a_new_optional_field_is_one_compatible_entry_and_nothing_about_other_families() {
    let Some(partner) = partner_page() else { return };
    let impact = impact_of("optional", &with_new_field(&partner, "选填"));
    let (impact_, kind, subject, detail) = only_entry(&impact.diff);
    assert_eq!((impact_, kind), (Impact::Compatible, ChangeKind::Added));
    assert_eq!(subject, "model CreateStockBundleRequest, field memo");
    assert!(detail.starts_with("new optional field"), "{detail}");
    // Written in the spec's convention.
    assert!(impact.imported.toml.contains("description = \"批次组的备注，仅品牌可见。\""), "{}", impact.imported.toml);
}

#[test]
fn a_new_required_field_is_one_breaking_entry_and_nothing_about_other_families() {
    let Some(partner) = partner_page() else { return };
    let impact = impact_of("required", &with_new_field(&partner, "必填"));
    let (impact_, kind, subject, detail) = only_entry(&impact.diff);
    assert_eq!((impact_, kind), (Impact::Breaking, ChangeKind::Added));
    assert_eq!(subject, "model CreateStockBundleRequest, field memo");
    assert!(detail.starts_with("new required field"), "{detail}");
}
