//! The output depends only on what the spec says, never on how it is laid out: the same spec
//! files in another order, the same declarations in another order or spread over other files,
//! and a second run all give byte-identical output.

mod support;

use codegen::{GeneratedFile, SourceFile};
use std::path::Path;

/// The real spec's files, as `cargo xtask codegen` reads them (sorted by path).
fn real_spec() -> Vec<SourceFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec");
    match codegen::load::read_dir(&dir, "api-spec") {
        Ok(files) => files,
        Err(diags) => panic!("cannot read the real spec:\n{diags}"),
    }
}

fn generate(files: Vec<SourceFile>) -> Vec<GeneratedFile> {
    match codegen::generate_from_sources(files) {
        Ok(out) => out,
        Err(diags) => panic!("the spec should be valid, but:\n{diags}"),
    }
}

/// Asserts two outputs are byte-identical, naming the first file that differs.
fn assert_same_output(expected: &[GeneratedFile], actual: &[GeneratedFile], what: &str) {
    let paths = |out: &[GeneratedFile]| out.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(expected), paths(actual), "{what}: different files");
    for (e, a) in expected.iter().zip(actual) {
        if e.contents != a.contents {
            let line = e.contents.lines().zip(a.contents.lines()).position(|(x, y)| x != y);
            let (line, before, after) = match line {
                Some(i) => (i + 1, e.contents.lines().nth(i), a.contents.lines().nth(i)),
                None => (e.contents.lines().count().min(a.contents.lines().count()) + 1, None, None),
            };
            panic!(
                "{what}: {} differs, first at line {line}:\n  expected: {}\n  actual:   {}",
                e.path,
                before.unwrap_or("<end of file>"),
                after.unwrap_or("<end of file>")
            );
        }
    }
}

fn rotated<T: Clone>(items: &[T], by: usize) -> Vec<T> {
    let mut v = items.to_vec();
    v.rotate_left(by % items.len().max(1));
    v
}

/// Splits a spec file into its preamble and its top-level `[[models]]`, `[[enums]]` and
/// `[[operations]]` blocks (each with the sub-tables that follow it).
fn blocks(text: &str) -> (String, Vec<String>) {
    let mut preamble = String::new();
    let mut blocks: Vec<String> = Vec::new();
    for line in text.split_inclusive('\n') {
        let header = matches!(line.trim_end(), "[[models]]" | "[[enums]]" | "[[operations]]");
        if header {
            blocks.push(String::new());
        }
        match blocks.last_mut() {
            Some(b) => b.push_str(line),
            None => preamble.push_str(line),
        }
    }
    for b in &mut blocks {
        if !b.ends_with('\n') {
            b.push('\n');
        }
    }
    (preamble, blocks)
}

/// The same file with its top-level declarations in reverse order.
fn declarations_reversed(file: &SourceFile) -> SourceFile {
    let (preamble, mut blocks) = blocks(&file.text);
    blocks.reverse();
    SourceFile::new(file.name.clone(), preamble + &blocks.concat())
}

#[test]
fn the_real_spec_has_several_files_and_declarations_to_shuffle() {
    let files = real_spec();
    assert!(files.len() >= 3, "{} files", files.len());
    let reorderable = files.iter().filter(|f| blocks(&f.text).1.len() >= 2).count();
    assert!(reorderable >= 2, "only {reorderable} files declare two or more things");
}

#[test]
fn generating_twice_gives_identical_output() {
    let first = generate(real_spec());
    let second = generate(real_spec());
    assert_same_output(&first, &second, "second run");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec");
    let from_dir = codegen::generate(&dir).expect("the real spec is valid");
    assert_same_output(&first, &from_dir, "codegen::generate(dir)");
}

#[test]
fn file_order_does_not_matter() {
    let files = real_spec();
    let expected = generate(files.clone());
    let mut reversed = files.clone();
    reversed.reverse();
    assert_same_output(&expected, &generate(reversed), "files reversed");
    for by in 1..files.len() {
        assert_same_output(&expected, &generate(rotated(&files, by)), &format!("files rotated by {by}"));
    }
    assert_same_output(&expected, &generate(spread(&files)), "one declaration per file");
}

/// The output without `errors.rs`, whose documentation currently depends on the file order
/// (see `file_order_does_not_matter`).
fn without_errors_rs(out: Vec<GeneratedFile>) -> Vec<GeneratedFile> {
    out.into_iter().filter(|f| f.path != "src/generated/errors.rs").collect()
}

#[test]
fn file_order_does_not_matter_for_models_builders_validation_and_operations() {
    let files = real_spec();
    let expected = generate(files.clone());
    let mut orders = vec![("reversed".to_owned(), files.iter().rev().cloned().collect::<Vec<_>>())];
    for by in 1..files.len() {
        orders.push((format!("rotated by {by}"), rotated(&files, by)));
    }
    let expected = without_errors_rs(expected);
    for (what, files) in orders {
        assert_same_output(&expected, &without_errors_rs(generate(files)), &format!("files {what}"));
    }
}

#[test]
fn declaration_order_within_files_does_not_matter() {
    let files = real_spec();
    let expected = generate(files.clone());
    let reordered: Vec<SourceFile> = files.iter().map(declarations_reversed).collect();
    assert_ne!(
        files.iter().map(|f| &f.text).collect::<Vec<_>>(),
        reordered.iter().map(|f| &f.text).collect::<Vec<_>>(),
        "the reordering should change something"
    );
    assert_same_output(&expected, &generate(reordered), "declarations reversed in every file");
}

/// Every declaration of `files` in a file of its own, named so that the sorted order is
/// reversed.
fn spread(files: &[SourceFile]) -> Vec<SourceFile> {
    let mut spread = Vec::new();
    let mut n = 10_000;
    for f in files {
        let (preamble, blocks) = blocks(&f.text);
        spread.push(SourceFile::new(format!("{n}-preamble.toml"), preamble));
        n -= 1;
        for b in blocks {
            spread.push(SourceFile::new(format!("{n}.toml"), b));
            n -= 1;
        }
    }
    spread.sort_by(|a, b| a.name.cmp(&b.name));
    spread
}

#[test]
fn spreading_declarations_over_other_files_does_not_matter_for_models_builders_validation_and_operations() {
    let files = real_spec();
    let expected = without_errors_rs(generate(files.clone()));
    assert_same_output(&expected, &without_errors_rs(generate(spread(&files))), "one declaration per file");
}

/// A small spec whose models, enums and operations are declared in `order`.
fn small_spec(order: &[usize]) -> Vec<SourceFile> {
    let decls = [
        r#"[[models]]
name = "Zeta"

[[models.fields]]
name = "alpha"
type = "object"
ref = "Alpha"
presence = "optional"
label = "甲"
"#,
        r#"[[models]]
name = "Alpha"

[[models.fields]]
name = "mode"
type = "enum"
ref = "Mode"
presence = "required"
label = "模式"
"#,
        r#"[[enums]]
name = "Mode"

[[enums.values]]
value = "B"
meaning = "乙"

[[enums.values]]
value = "A"
meaning = "甲"
"#,
        r#"[[enums]]
name = "Color"

[[enums.values]]
value = "RED"
meaning = "红"
"#,
        r#"[[operations]]
id = "put_zeta"
title = "Z"
doc_id = "2"
updated = "2025.01.01"
method = "PUT"
path = "/z"
request_body = "Zeta"

[[operations.responses]]
status = 204
"#,
        r#"[[operations]]
id = "get_alpha"
title = "A"
doc_id = "1"
updated = "2025.01.01"
method = "GET"
path = "/a"

[[operations.responses]]
status = 200
body = "Alpha"
"#,
    ];
    let text: String = order.iter().map(|&i| format!("{}\n", decls[i])).collect();
    support::sources(&[("spec.toml", &text)])
}

#[test]
fn declaration_order_does_not_matter_in_a_small_spec() {
    let expected = generate(small_spec(&[0, 1, 2, 3, 4, 5]));
    for order in [[5, 4, 3, 2, 1, 0], [2, 0, 4, 1, 5, 3], [3, 5, 1, 4, 0, 2]] {
        assert_same_output(&expected, &generate(small_spec(&order)), &format!("declarations in order {order:?}"));
    }
    // The spec's order of enum values is kept (it is the documented order), not sorted.
    let models = &expected.iter().find(|f| f.path == "src/generated/models.rs").expect("models.rs").contents;
    assert!(models.find("Self::B =>").expect("B") < models.find("Self::A =>").expect("A"));
}
