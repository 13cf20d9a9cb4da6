//! Hostile pages: whatever a page contains, the importer answers with a draft or a located error,
//! in time linear in the page, without overflowing its stack.

use codegen::SourceFile;
use codegen::import::page::MAX_NESTING;
use codegen::import::{ImportOptions, import};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn spec() -> Vec<SourceFile> {
    codegen::load::read_dir(&root().join("api-spec"), "api-spec").expect("api-spec loads")
}

fn fixture() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import/reference-item.txt"))
        .expect("fixture")
}

fn opts() -> ImportOptions {
    ImportOptions { doc_id: None, id: Some("get_demo_item".to_owned()) }
}

/// The fixture with `levels` nested object fields, each opening a 属性 block, inside
/// `stock_info`'s block.
fn nested_page(levels: usize) -> (String, usize) {
    let page = fixture();
    let anchor = "【库存信息】 商品的库存\n\n属性\n";
    assert!(page.contains(anchor));
    let mut extra = String::new();
    for k in 0..levels {
        extra.push_str(&format!("\n level_{k}  选填   object\n\n【层{k}】 嵌套\n\n属性\n"));
    }
    let at = page.find(anchor).unwrap() + anchor.len();
    let line_of_anchor_end = page[..at].lines().count();
    (format!("{}{extra}{}", &page[..at], &page[at..]), line_of_anchor_end)
}

#[test]
fn a_thousand_nested_attribute_blocks_are_a_located_error() {
    let (page, anchor_line) = nested_page(1000);
    let e = import("nested.txt", page.as_bytes(), &opts(), &spec()).unwrap_err();
    assert!(e.message.contains(&format!("nested more than {MAX_NESTING} levels")), "{e}");
    // The 属性 line that goes one level too deep: each level adds six lines; stock_info's own
    // block is the first level.
    assert_eq!(e.line, anchor_line + 6 * MAX_NESTING, "{e}");
}

#[test]
fn nesting_up_to_the_limit_still_imports() {
    // Runs on the test harness's thread, whose stack is smaller than a main thread's.
    let (page, _) = nested_page(MAX_NESTING - 2);
    import("nested.txt", page.as_bytes(), &opts(), &spec()).unwrap();
}

#[test]
fn a_deeply_nested_example_is_a_located_error() {
    let page = fixture();
    let open = "8  \"stock_info\" : {";
    assert!(page.contains(open));
    // 100 objects inside stock_info (serde_json itself accepts up to 128), on one line.
    let deep = format!("8  \"stock_info\" : {}{{", "{\"x\" : ".repeat(100));
    let page = page.replacen(open, &deep, 1).replacen("11  },", &format!("11  {}}},", "}".repeat(100)), 1);
    let e = import("deep.txt", page.as_bytes(), &opts(), &spec()).unwrap_err();
    assert!(e.message.contains("nests values more than"), "{e}");
    let line = page.lines().position(|l| l.starts_with("8  \"stock_info\"")).unwrap() + 1;
    assert_eq!(e.line, line, "{e}");
}

/// The fixture's response example with a `history_list` of `n` items; `distinct` gives each
/// item a key of its own (each becomes a field of the list's inferred model).
fn many_items(n: usize, distinct: bool) -> String {
    let page = fixture();
    let start = page.find("1{\n2  \"item_id\"").unwrap();
    let end = page[start..].find("\n14\n").unwrap() + start + 4;
    let mut body = vec![
        "{".to_owned(),
        "  \"item_id\" : \"ITEM_001\",".to_owned(),
        "  \"state\" : \"ON_SALE\",".to_owned(),
        "  \"price\" : 9900,".to_owned(),
        "  \"history_list\" : [".to_owned(),
    ];
    for i in 0..n {
        let comma = if i + 1 < n { "," } else { "" };
        if distinct {
            body.push(format!("    {{ \"k{i}\" : {i} }}{comma}"));
        } else {
            body.push(format!("    {{ \"seq\" : {i}, \"note\" : \"x\" }}{comma}"));
        }
    }
    body.extend(["  ],".to_owned(), "  \"create_time\" : \"2025-01-01T00:00:00+08:00\"".to_owned(), "}".to_owned()]);
    let block: String = body.iter().enumerate().map(|(i, l)| format!("{}{l}\n", i + 1)).collect();
    format!("{}{block}{}", &page[..start], &page[end..])
}

/// An example of 16,000 items imports in time linear in the page. No timing is asserted for
/// speed (the machine may be loaded); the bound is a guard two orders of magnitude above the
/// linear cost of a debug build (about 1.5 s here for the distinct keys, 0.2 s for the same
/// keys) and far below what the quadratic steps took (14 s and more, growing 4x per doubling).
#[test]
fn an_example_of_sixteen_thousand_items_imports_in_linear_time() {
    for distinct in [false, true] {
        let page = many_items(16_000, distinct);
        let started = std::time::Instant::now();
        let imported = import("many.txt", page.as_bytes(), &opts(), &spec()).unwrap();
        let took = started.elapsed();
        assert!(imported.toml.contains("history_list"));
        assert!(took.as_secs() < 120, "16,000 items (distinct keys: {distinct}) took {took:?}");
    }
}

#[test]
fn an_example_of_many_unknown_keys_reports_a_few_and_counts_the_rest() {
    // Each located report searches the example's text; thousands of them made the report
    // quadratic. The first 20 are located, the rest counted.
    let keys: String = (0..50).map(|i| format!("  \"zz{i}\" : 1,\n")).collect();
    let files: Vec<SourceFile> = spec()
        .into_iter()
        .map(|f| {
            if f.name.ends_with("create_stock_bundle.toml") {
                let anchor = "{\n  \"stock_bundle_id\" : \"123456789\",\n";
                assert_eq!(f.text.matches(anchor).count(), 1);
                SourceFile::new(f.name.clone(), f.text.replacen(anchor, &format!("{anchor}{keys}"), 1))
            } else {
                f
            }
        })
        .collect();
    let d = codegen::ir_from_sources(files).unwrap_err();
    let located = d.0.iter().filter(|x| x.message.contains("is not a field of the model")).count();
    let counted: Vec<_> = d.0.iter().filter(|x| x.message.contains("30 more key(s)")).collect();
    assert_eq!((located, counted.len()), (20, 1), "{d}");
}
