//! WeChat Pay's own example code as tests of the spec: an official example that breaks an
//! unmarked constraint or rule fails the check at its line; a `disputed` mark must cite the
//! examples that break it, and a mark no cited example breaks is stale.

mod support;

use codegen::ir::Ir;
use support::{place, problems, sources};

/// A coupon model whose name is at most 5 characters, with a rule: `a` and `b` never together.
/// `name_dispute` and `rule_dispute` are extra lines for the field and the rule.
fn model(name_dispute: &str, rule_dispute: &str) -> String {
    format!(
        r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "name"
type = "string"
presence = "required"
label = "名称"
max_length = 5
{name_dispute}

[[models.fields]]
name = "a"
type = "string"
presence = "optional"
label = "甲"

[[models.fields]]
name = "b"
type = "string"
presence = "optional"
label = "乙"

[[models.rules]]
description = "甲乙不能同时配置"
at_most_one_of = ["a", "b"]
{rule_dispute}
"#
    )
}

const OPERATION: &str = r#"[[operations]]
id = "create_coupon"
title = "创建券"
doc_id = "1"
updated = "2025.01.01"
method = "POST"
path = "/v3/coupons"
request_body = "Coupon"

[[operations.responses]]
status = 200
"#;

/// One official example of `create_coupon` with `body`.
fn official(id: &str, body: &str) -> String {
    format!(
        r#"[[official_examples]]
id = "{id}"
operation = "create_coupon"
family = "default"
language = "java"
source = "example/CreateCoupon.java:10"
body = '''
{body}
'''
"#
    )
}

fn valid(files: &[(&str, &str)]) -> Ir {
    match codegen::ir_from_sources(sources(files)) {
        Ok(ir) => ir,
        Err(d) => panic!("the spec should be valid:\n{d}"),
    }
}

#[test]
fn an_official_example_breaking_an_unmarked_rule_fails_at_its_line() {
    let ex = official("java-create", "{\n  \"name\": \"ok\",\n  \"a\": \"1\",\n  \"b\": \"2\"\n}");
    let m = model("", "");
    let diags =
        problems(&[("models/coupon.toml", &m), ("endpoints/coupon.toml", OPERATION), ("official/java.toml", &ex)]);
    assert_eq!(diags.0.len(), 1, "{diags}");
    let d = &diags.0[0];
    // Line 10 of the official file: the body's `"a"` key, where the rule's first field is.
    assert_eq!(place(d), "official/java.toml:10:3", "{d}");
    assert!(d.message.contains("official example `java-create` breaks rule \"甲乙不能同时配置\" at $.a"), "{d}");
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("disputed")), "{d}");
}

#[test]
fn an_official_example_breaking_an_unmarked_constraint_fails_too() {
    let ex = official("java-create", "{\n  \"name\": \"far too long\"\n}");
    let m = model("", "");
    let diags =
        problems(&[("models/coupon.toml", &m), ("endpoints/coupon.toml", OPERATION), ("official/java.toml", &ex)]);
    assert_eq!(diags.0.len(), 1, "{diags}");
    assert_eq!(place(&diags.0[0]), "official/java.toml:9:3", "{}", diags.0[0]);
    assert!(diags.0[0].message.contains("must be at most 5 characters, got 12"), "{}", diags.0[0]);
}

#[test]
fn a_disputed_mark_citing_the_example_lets_it_pass_and_records_its_warnings() {
    let ex = official(
        "java-create",
        "{\n  \"name\": \"far too long\",\n  \"a\": \"1\",\n  \"b\": \"2\",\n  \"extra\": true\n}",
    );
    let m = model(
        r#"disputed = [{ constraint = "max_length", id = "name-length", by = ["java-create"], reason = "the code sends longer names" }]"#,
        r#"disputed = { id = "a-and-b", by = ["java-create"], reason = "the code sets both" }"#,
    );
    let ir = valid(&[("models/coupon.toml", &m), ("endpoints/coupon.toml", OPERATION), ("official/java.toml", &ex)]);
    let ex = &ir.official_examples[0];
    let warnings: Vec<(&str, &str)> = ex.warnings.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(warnings, [("a-and-b", "a"), ("name-length", "name"), ("unknown-field", "extra")]);
}

#[test]
fn a_mark_whose_example_does_not_break_it_is_stale() {
    let ex = official("java-create", "{\n  \"name\": \"ok\"\n}");
    let m = model("", r#"disputed = { id = "a-and-b", by = ["java-create"], reason = "the code sets both" }"#);
    let diags =
        problems(&[("models/coupon.toml", &m), ("endpoints/coupon.toml", OPERATION), ("official/java.toml", &ex)]);
    assert_eq!(diags.0.len(), 1, "{diags}");
    let d = &diags.0[0];
    assert!(d.message.contains("dispute `a-and-b` is stale: official example `java-create` does not break it"), "{d}");
    assert!(place(d).starts_with("models/coupon.toml:27:"), "located at the citation: {d}");
}

#[test]
fn a_mark_must_cite_every_example_that_breaks_it_and_only_known_ones() {
    let ex = format!(
        "{}\n{}",
        official("java-create", "{\n  \"name\": \"ok\",\n  \"a\": \"1\",\n  \"b\": \"2\"\n}"),
        official("go-create", "{\n  \"name\": \"ok\",\n  \"a\": \"1\",\n  \"b\": \"2\"\n}")
    );
    let m =
        model("", r#"disputed = { id = "a-and-b", by = ["java-create", "nobody"], reason = "the code sets both" }"#);
    let diags =
        problems(&[("models/coupon.toml", &m), ("endpoints/coupon.toml", OPERATION), ("official/code.toml", &ex)]);
    let text = diags.to_string();
    assert!(
        text.contains(
            "official example `go-create` breaks the disputed `a-and-b` at $.a but the mark does not cite it"
        ),
        "{text}"
    );
    assert!(text.contains("dispute `a-and-b` cites unknown official example `nobody`"), "{text}");
    assert_eq!(diags.0.len(), 2, "{text}");
}

#[test]
fn marks_and_examples_are_checked_for_shape() {
    let ex = format!(
        "{}\n{}",
        official("java-create", "{\n  \"name\": \"ok\"\n}"),
        official("java-create", "{\n  \"name\": \"ok\"\n}").replace("create_coupon", "delete_coupon")
    );
    let m = model(
        r#"disputed = [{ constraint = "min_length", id = "Name Length", by = ["java-create"], reason = "x" }]"#,
        "",
    );
    let diags =
        problems(&[("models/coupon.toml", &m), ("endpoints/coupon.toml", OPERATION), ("official/code.toml", &ex)]);
    let text = diags.to_string();
    assert!(text.contains("field `name` has no `min_length` to dispute"), "{text}");
    assert!(text.contains("duplicate official example id `java-create`"), "{text}");
}

#[test]
fn a_not_runnable_example_needs_no_marks_and_is_not_sent_by_tests() {
    let ex = official("go-create", "{\n  \"name\": \"far too long\"\n}")
        .replace("family = \"default\"", "family = \"default\"\nnot_runnable = \"does not compile\"");
    let m = model("", "");
    let ir = valid(&[("models/coupon.toml", &m), ("endpoints/coupon.toml", OPERATION), ("official/go.toml", &ex)]);
    assert_eq!(ir.official_examples[0].not_runnable.as_deref(), Some("does not compile"));
    let out = codegen::emit::emit(&ir);
    let tests = out.iter().find(|f| f.path == "tests/official_examples.rs");
    assert!(tests.is_none(), "no test sends a program that cannot run");
    assert!(out.iter().any(|f| f.path == "tests/fixtures/official/go-create.json"), "its fixture is still written");
}

#[test]
fn the_diff_says_a_disputed_rule_now_warns_and_sends() {
    let ex = official("java-create", "{\n  \"name\": \"ok\",\n  \"a\": \"1\",\n  \"b\": \"2\"\n}");
    let before_model = model("", "");
    let after_model =
        model("", r#"disputed = { id = "a-and-b", by = ["java-create"], reason = "the code sets both" }"#);
    let before = valid(&[("models/coupon.toml", &before_model), ("endpoints/coupon.toml", OPERATION)]);
    let after = valid(&[
        ("models/coupon.toml", &after_model),
        ("endpoints/coupon.toml", OPERATION),
        ("official/java.toml", &ex),
    ]);
    let d = codegen::diff::diff(&before, &after);
    assert_eq!(d.changes.len(), 1, "{}", d.report("before", "0.1.0"));
    let c = &d.changes[0];
    assert_eq!(c.impact, codegen::diff::Impact::Behaviour);
    assert!(c.detail.contains("disputed (`a-and-b`)"), "{c:?}");
    assert!(c.consequence.contains("now sent, with a warning"), "{c:?}");
    // And back: undisputed again refuses again.
    let back = codegen::diff::diff(&after, &before);
    assert!(back.changes.iter().any(|c| c.detail.contains("no longer disputed") && c.consequence.contains("refused")));
}

#[test]
fn the_diff_says_when_a_dispute_id_users_name_changes() {
    let ex = official("java-create", "{\n  \"name\": \"ok\",\n  \"a\": \"1\",\n  \"b\": \"2\"\n}");
    let mark = |id: &str| {
        model("", &format!(r#"disputed = {{ id = "{id}", by = ["java-create"], reason = "the code sets both" }}"#))
    };
    let spec = |m: &str| {
        valid(&[("models/coupon.toml", m), ("endpoints/coupon.toml", OPERATION), ("official/java.toml", &ex)])
    };
    let d = codegen::diff::diff(&spec(&mark("a-and-b")), &spec(&mark("both-a-and-b")));
    assert_eq!(d.changes.len(), 1, "{}", d.report("before", "0.1.0"));
    assert_eq!(d.changes[0].impact, codegen::diff::Impact::Behaviour);
    assert!(d.changes[0].detail.contains("dispute id `a-and-b` -> `both-a-and-b`"), "{:?}", d.changes[0]);
}
