//! The spec diff, one test per kind of change: a pair of small specs each, the base
//! (`data/diff/base.toml`) and a copy with one edit, and the verdict a user of the generated
//! crate needs to hear.

use codegen::diff::{Bump, Change, ChangeKind, Impact, SpecDiff, next_version};
use codegen::ir::Ir;

const BASE: &str = include_str!("data/diff/base.toml");

fn ir(text: &str) -> Ir {
    match codegen::ir_from_sources(vec![codegen::SourceFile::new("spec.toml", text)]) {
        Ok(ir) => ir,
        Err(d) => panic!("the test spec should be valid:\n{d}\n{text}"),
    }
}

/// `text` with `from` replaced by `to`; `from` must occur exactly once.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} should occur once in the spec");
    text.replacen(from, to, 1)
}

fn diff(old: &str, new: &str) -> SpecDiff {
    codegen::diff::diff(&ir(old), &ir(new))
}

/// The diff of the base against the base with one edit.
fn diff_edit(from: &str, to: &str) -> SpecDiff {
    diff(BASE, &edit(BASE, from, to))
}

/// Like [`diff_edit`], on the base without its request example: for edits that make the
/// example invalid (request examples must pass the spec's validation), which is not what
/// those tests are about.
fn diff_edit_without_example(from: &str, to: &str) -> SpecDiff {
    let start = BASE.find("[[operations.examples]]").expect("the base has an example");
    let end = start + BASE[start..].find("\n\n").expect("a blank line after it");
    let base = format!("{}{}", &BASE[..start], &BASE[end..]);
    diff(&base, &edit(&base, from, to))
}

fn the_change(d: &SpecDiff) -> &Change {
    assert_eq!(d.changes.len(), 1, "expected one change, got:\n{}", d.report("base", "0.1.0"));
    &d.changes[0]
}

fn assert_change(d: &SpecDiff, impact: Impact, kind: ChangeKind, subject: &str, detail: &str) -> Change {
    let c = the_change(d).clone();
    assert_eq!((c.impact, c.kind), (impact, kind), "{c:?}");
    assert_eq!(c.subject, subject, "{c:?}");
    assert!(c.detail.contains(detail), "the detail should say {detail:?}: {c:?}");
    assert!(!c.consequence.is_empty());
    c
}

/// A field block for `[[models.fields]]`, inserted before the field named `before`.
fn add_field_before(before: &str, block: &str) -> SpecDiff {
    let anchor = format!("[[models.fields]]\nname = \"{before}\"");
    // A new required field would make the request example invalid.
    diff_edit_without_example(&anchor, &format!("{block}\n\n{anchor}"))
}

// -- nothing, and the version arithmetic ------------------------------------------------------

#[test]
fn identical_specs_have_no_changes_and_need_no_bump() {
    let d = diff(BASE, BASE);
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert_eq!(d.verdict(), None);
    assert_eq!(d.bump(), Bump::None);
    assert!(d.version_line("0.1.0").contains("no bump"));
}

#[test]
fn versions_bump_the_cargo_way_for_0x_and_by_semver_from_1_0() {
    assert_eq!(next_version("0.1.0", Bump::Major).as_deref(), Some("0.2.0"));
    assert_eq!(next_version("0.1.3", Bump::Minor).as_deref(), Some("0.1.4"));
    assert_eq!(next_version("0.1.3", Bump::Patch).as_deref(), Some("0.1.4"));
    assert_eq!(next_version("0.0.3", Bump::Major).as_deref(), Some("0.0.4"));
    assert_eq!(next_version("1.2.3", Bump::Major).as_deref(), Some("2.0.0"));
    assert_eq!(next_version("1.2.3", Bump::Minor).as_deref(), Some("1.3.0"));
    assert_eq!(next_version("1.2.3", Bump::Patch).as_deref(), Some("1.2.4"));
    assert_eq!(next_version("1.2.3", Bump::None).as_deref(), Some("1.2.3"));
    assert_eq!(next_version("1.2", Bump::Patch), None);
    assert_eq!(next_version("x.y.z", Bump::Patch), None);
}

// -- fields -----------------------------------------------------------------------------------

#[test]
fn a_new_required_request_field_is_breaking_and_needs_a_major_bump() {
    let d = add_field_before(
        "coupon_type",
        "[[models.fields]]\nname = \"brand_id\"\ntype = \"string\"\npresence = \"required\"\nlabel = \"品牌\"",
    );
    let c = assert_change(
        &d,
        Impact::Breaking,
        ChangeKind::Added,
        "model CreateCouponRequest, field brand_id",
        "new required field",
    );
    assert!(c.consequence.contains("refused"), "{c:?}");
    assert_eq!(d.bump(), Bump::Major);
    assert!(d.version_line("0.1.0").contains("0.1.0 -> 0.2.0"), "{}", d.version_line("0.1.0"));
}

#[test]
fn a_new_optional_request_field_is_compatible() {
    let d = add_field_before(
        "coupon_type",
        "[[models.fields]]\nname = \"tag\"\ntype = \"string\"\npresence = \"optional\"\nlabel = \"标签\"",
    );
    assert_change(
        &d,
        Impact::Compatible,
        ChangeKind::Added,
        "model CreateCouponRequest, field tag",
        "new optional field",
    );
    assert_eq!(d.bump(), Bump::Minor);
    assert!(d.version_line("0.1.0").contains("0.1.0 -> 0.1.1"), "{}", d.version_line("0.1.0"));
}

#[test]
fn a_new_required_response_field_is_compatible() {
    let d = add_field_before(
        "coupon_id",
        "[[models.fields]]\nname = \"state\"\ntype = \"string\"\npresence = \"required\"\nlabel = \"状态\"",
    );
    let c = assert_change(&d, Impact::Compatible, ChangeKind::Added, "model Coupon, field state", "new required field");
    assert!(c.consequence.contains("response field"), "{c:?}");
}

#[test]
fn optional_to_required_in_a_request_is_breaking() {
    let from =
        "presence = \"optional\"\nlabel = \"备注\"\nmax_length = 20\n\n[[models.fields]]\nname = \"percent_off\"";
    let d = diff_edit_without_example(from, &from.replacen("optional", "required", 1));
    assert_change(
        &d,
        Impact::Breaking,
        ChangeKind::Changed,
        "model CreateCouponRequest, field remark",
        "optional -> required",
    );
}

#[test]
fn conditional_to_optional_in_a_request_is_a_loosening() {
    let d = diff_edit(
        "presence = \"conditional\"\ncondition = \"coupon_type 为 DISCOUNT 时必填\"",
        "presence = \"optional\"",
    );
    let c = assert_change(
        &d,
        Impact::Behaviour,
        ChangeKind::Changed,
        "model CreateCouponRequest, field percent_off",
        "conditional -> optional",
    );
    assert!(c.consequence.contains("loosened"), "{c:?}");
}

#[test]
fn a_removed_field_is_breaking() {
    let d = diff_edit(
        "[[models.fields]]\nname = \"remark\"\ntype = \"string\"\npresence = \"optional\"\nlabel = \"备注\"\nmax_length = 20\n\n[[models.fields]]\nname = \"percent_off\"",
        "[[models.fields]]\nname = \"percent_off\"",
    );
    assert_change(&d, Impact::Breaking, ChangeKind::Removed, "model CreateCouponRequest, field remark", "removed");
}

#[test]
fn a_renamed_field_is_one_breaking_change() {
    let d = diff_edit("name = \"coupon_id\"", "name = \"id\"");
    let c = assert_change(&d, Impact::Breaking, ChangeKind::Changed, "model Coupon, field coupon_id", "renamed to id");
    assert!(c.consequence.contains("no longer compiles"), "{c:?}");
}

#[test]
fn a_changed_type_is_breaking() {
    let d = diff_edit("name = \"coupon_id\"\ntype = \"string\"", "name = \"coupon_id\"\ntype = \"integer\"");
    assert_change(&d, Impact::Breaking, ChangeKind::Changed, "model Coupon, field coupon_id", "type string -> integer");
}

// -- constraints ------------------------------------------------------------------------------

#[test]
fn a_tightened_request_constraint_is_a_behaviour_change() {
    let d = diff_edit("max_length = 40", "max_length = 32");
    let c = assert_change(
        &d,
        Impact::Behaviour,
        ChangeKind::Changed,
        "model CreateCouponRequest, field out_request_no",
        "max_length 40 -> 32",
    );
    assert!(c.consequence.contains("tightened"), "{c:?}");
    assert_eq!(d.bump(), Bump::Minor);
}

#[test]
fn a_loosened_request_constraint_is_a_behaviour_change() {
    let d = diff_edit("min_length = 6", "min_length = 1");
    let c = assert_change(
        &d,
        Impact::Behaviour,
        ChangeKind::Changed,
        "model CreateCouponRequest, field out_request_no",
        "min_length 6 -> 1",
    );
    assert!(c.consequence.contains("loosened"), "{c:?}");
}

#[test]
fn a_narrower_charset_is_a_tightening() {
    let d = diff_edit_without_example("charset = \"0-9A-Za-z_-\"", "charset = \"0-9A-Z\"");
    let c = assert_change(
        &d,
        Impact::Behaviour,
        ChangeKind::Changed,
        "model CreateCouponRequest, field out_request_no",
        "charset",
    );
    assert!(c.consequence.contains("tightened"), "{c:?}");
}

#[test]
fn a_constraint_of_a_response_only_field_is_documentation() {
    let d = diff_edit(
        "label = \"备注\"\nmax_length = 20\n\n[[models.fields]]\nname = \"amount\"",
        "label = \"备注\"\nmax_length = 10\n\n[[models.fields]]\nname = \"amount\"",
    );
    let c =
        assert_change(&d, Impact::Compatible, ChangeKind::Changed, "model Coupon, field remark", "max_length 20 -> 10");
    assert!(c.consequence.contains("not validated"), "{c:?}");
}

#[test]
fn a_model_used_by_requests_and_responses_gets_the_stricter_verdict() {
    let d = diff_edit("label = \"金额\"\nmin = 1\n", "label = \"金额\"\nmin = 10\n");
    let c = assert_change(&d, Impact::Behaviour, ChangeKind::Changed, "model Amount, field value", "min 1 -> 10");
    assert!(c.consequence.contains("requests and responses"), "{c:?}");
}

// -- enums ------------------------------------------------------------------------------------

#[test]
fn a_new_enum_value_is_compatible_thanks_to_unknown() {
    let d = diff(BASE, &format!("{BASE}\n[[enums.values]]\nvalue = \"EXCHANGE\"\nmeaning = \"换购券\"\n"));
    let c = assert_change(&d, Impact::Compatible, ChangeKind::Added, "enum CouponType", "new value EXCHANGE");
    assert!(c.consequence.contains("Unknown"), "{c:?}");
}

#[test]
fn a_removed_enum_value_a_user_may_send_is_breaking() {
    let d = diff(&format!("{BASE}\n[[enums.values]]\nvalue = \"EXCHANGE\"\nmeaning = \"换购券\"\n"), BASE);
    let c = assert_change(&d, Impact::Breaking, ChangeKind::Removed, "enum CouponType", "value EXCHANGE removed");
    assert!(c.consequence.contains("may send"), "{c:?}");
}

#[test]
fn a_changed_enum_meaning_is_documentation() {
    let d = diff_edit("meaning = \"满减券\"", "meaning = \"满减优惠券\"");
    assert_change(&d, Impact::Compatible, ChangeKind::Changed, "enum CouponType", "meaning of NORMAL changed");
}

// -- rules ------------------------------------------------------------------------------------

const RULE: &str = "[[models.rules]]\ndescription = \"折扣券必须填写折扣\"\nwhen = { field = \"coupon_type\", equals = \"DISCOUNT\" }\nrequire = [\"percent_off\"]\n";

#[test]
fn a_new_rule_is_a_tightening() {
    let extra = "[[models.rules]]\ndescription = \"满减券不填折扣\"\nwhen = { field = \"coupon_type\", equals = \"NORMAL\" }\nforbid = [\"percent_off\"]\n";
    let d = diff_edit(RULE, &format!("{RULE}\n{extra}"));
    let c = assert_change(
        &d,
        Impact::Behaviour,
        ChangeKind::Added,
        "model CreateCouponRequest",
        "new rule: when coupon_type = \"NORMAL\": forbid percent_off",
    );
    assert!(c.consequence.contains("tightened"), "{c:?}");
}

#[test]
fn a_removed_rule_is_a_loosening() {
    let d = diff_edit(RULE, "");
    let c = assert_change(&d, Impact::Behaviour, ChangeKind::Removed, "model CreateCouponRequest", "rule removed");
    assert!(c.consequence.contains("loosened"), "{c:?}");
}

#[test]
fn a_changed_rule_condition_is_a_removal_and_an_addition() {
    let d = diff_edit_without_example("equals = \"DISCOUNT\" }", "in = [\"DISCOUNT\", \"NORMAL\"] }");
    assert_eq!(d.changes.len(), 2, "{:?}", d.changes);
    assert!(d.changes.iter().all(|c| c.impact == Impact::Behaviour));
}

#[test]
fn a_reworded_rule_is_documentation() {
    let d = diff_edit("description = \"折扣券必须填写折扣\"", "description = \"折扣券须填写折扣比例\"");
    assert_change(&d, Impact::Compatible, ChangeKind::Changed, "model CreateCouponRequest", "description changed");
}

// -- operations, parameters, rate limits, errors, examples ------------------------------------

const SECOND_OPERATION: &str = "
[[operations]]
id = \"get_coupon\"
title = \"查询券\"
doc_id = \"1001\"
updated = \"2025.01.01\"
method = \"GET\"
path = \"/v3/coupons/{brand_id}/{coupon_id}\"

[[operations.path_params]]
name = \"brand_id\"
type = \"string\"
presence = \"required\"
label = \"品牌ID\"

[[operations.path_params]]
name = \"coupon_id\"
type = \"string\"
presence = \"required\"
label = \"券ID\"

[[operations.responses]]
status = 200
body = \"Coupon\"
";

#[test]
fn a_new_operation_is_compatible_and_a_removed_one_breaking() {
    let with = format!("{BASE}{SECOND_OPERATION}");
    let added = diff(BASE, &with);
    assert_change(
        &added,
        Impact::Compatible,
        ChangeKind::Added,
        "operation get_coupon",
        "added (GET /v3/coupons/{brand_id}/{coupon_id}",
    );
    let removed = diff(&with, BASE);
    let c = assert_change(&removed, Impact::Breaking, ChangeKind::Removed, "operation get_coupon", "removed");
    assert!(c.consequence.contains("Client::get_coupon"), "{c:?}");
}

#[test]
fn a_renamed_operation_is_one_breaking_change() {
    let d = diff_edit("id = \"create_coupon\"", "id = \"add_coupon\"");
    assert_change(&d, Impact::Breaking, ChangeKind::Changed, "operation create_coupon", "renamed to add_coupon");
}

#[test]
fn a_new_query_parameter_changes_the_call_signature() {
    let param = "[[operations.query_params]]\nname = \"channel\"";
    let d = diff_edit(
        param,
        &format!(
            "[[operations.query_params]]\nname = \"page\"\ntype = \"integer\"\npresence = \"optional\"\nlabel = \"页码\"\n\n{param}"
        ),
    );
    let c = assert_change(
        &d,
        Impact::Breaking,
        ChangeKind::Added,
        "operation create_coupon",
        "new optional query parameter `page`",
    );
    assert!(c.consequence.contains("argument"), "{c:?}");
}

#[test]
fn a_new_rate_limit_is_a_behaviour_change() {
    let d = diff(&edit(BASE, "rate_limit = { per_second = 20, text = \"20/s\" }\n", ""), BASE);
    assert_change(&d, Impact::Behaviour, ChangeKind::Added, "operation create_coupon", "new rate limit 20/s");
    let tighter = diff_edit("per_second = 20, text = \"20/s\"", "per_second = 10, text = \"10/s\"");
    let c = assert_change(
        &tighter,
        Impact::Behaviour,
        ChangeKind::Changed,
        "operation create_coupon",
        "rate limit 20/s -> 10/s",
    );
    assert!(c.consequence.contains("tightened"), "{c:?}");
}

#[test]
fn a_newly_documented_error_is_compatible() {
    let row = "[[operations.errors]]\nstatus = 404\ncode = \"NOT_FOUND\"\ndescription = \"不存在\"\nsolution = \"检查品牌\"\n\n";
    let d = diff_edit("[[operations.examples]]", &format!("{row}[[operations.examples]]"));
    let mut changes = d.changes.clone();
    changes.sort_by(|a, b| a.subject.cmp(&b.subject));
    assert_eq!(changes.len(), 2, "the operation's table and the new ErrorCode variant: {changes:?}");
    assert_eq!((changes[0].subject.as_str(), changes[0].impact), ("error code NOT_FOUND", Impact::Compatible));
    assert_eq!((changes[1].subject.as_str(), changes[1].impact), ("operation create_coupon", Impact::Compatible));
    assert!(changes[1].detail.contains("documents error 404 NOT_FOUND"), "{changes:?}");
}

#[test]
fn an_error_code_documented_nowhere_any_more_is_breaking() {
    let row = "[[service.errors]]\nstatus = 500\ncode = \"SYSTEM_ERROR\"\ndescription = \"系统异常\"\nsolution = \"请稍后重试\"\n";
    let d = diff_edit(row, "");
    let c = assert_change(&d, Impact::Breaking, ChangeKind::Removed, "error code SYSTEM_ERROR", "no longer documented");
    assert!(c.consequence.contains("ErrorCode"), "{c:?}");
}

#[test]
fn a_changed_example_is_compatible() {
    let d = diff_edit("\"value\": 100", "\"value\": 200");
    assert_change(
        &d,
        Impact::Compatible,
        ChangeKind::Changed,
        "operation create_coupon",
        "request example \"请求示例\" changed",
    );
    assert_eq!(d.bump(), Bump::Patch);
}

// -- the outputs ------------------------------------------------------------------------------

#[test]
fn the_report_the_changelog_and_the_json_agree() {
    let new = edit(&edit(BASE, "max_length = 40", "max_length = 32"), "name = \"coupon_id\"", "name = \"id\"");
    let d = diff(BASE, &new);
    let report = d.report("HEAD", "0.3.1");
    assert!(
        report
            .starts_with("Spec changes, HEAD -> working tree: 2 changes: 1 breaking, 1 behaviour change, 0 compatible"),
        "{report}"
    );
    let breaking = report.find("Breaking (1)").expect("a breaking group");
    let behaviour = report.find("Behaviour changes (1)").expect("a behaviour group");
    assert!(breaking < behaviour, "the most severe group first:\n{report}");
    assert!(report.contains("Version: 0.3.1 -> 0.4.0"), "{report}");

    let changelog = d.changelog("0.3.1");
    assert!(changelog.starts_with("## 0.4.0\n"), "{changelog}");
    assert!(changelog.contains("### Breaking\n\n- model Coupon, field coupon_id: renamed to id."), "{changelog}");

    let json: serde_json::Value = serde_json::from_str(&d.to_json("HEAD", "0.3.1")).expect("valid JSON");
    assert_eq!(json["verdict"], "breaking");
    assert_eq!(json["bump"], "major");
    assert_eq!(json["next_version"], "0.4.0");
    assert_eq!(json["changes"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["changes"][1]["impact"], "behaviour");
    assert_eq!(json["changes"][1]["kind"], "changed");
}

// -- categories the coverage table (codegen/DIFF.md) names --------------------------------------

#[test]
fn a_moved_endpoint_is_a_behaviour_change() {
    let d = diff_edit("path = \"/v3/coupons/{brand_id}\"", "path = \"/v3/vouchers/{brand_id}\"");
    let c = assert_change(
        &d,
        Impact::Behaviour,
        ChangeKind::Changed,
        "operation create_coupon",
        "POST /v3/coupons/{brand_id} -> POST /v3/vouchers/{brand_id}",
    );
    assert!(c.consequence.contains("new endpoint"), "{c:?}");
}

#[test]
fn a_removed_query_parameter_is_breaking() {
    let d = diff_edit(
        "[[operations.query_params]]\nname = \"channel\"\ntype = \"string\"\npresence = \"optional\"\nlabel = \"渠道\"\n",
        "",
    );
    assert_change(
        &d,
        Impact::Breaking,
        ChangeKind::Removed,
        "operation create_coupon",
        "query parameter `channel` removed",
    );
}

#[test]
fn a_parameter_moved_from_query_to_body_is_a_removal_and_an_addition_both_breaking() {
    // The query loses it (breaking: the call's signature) and the body gains it (optional: compatible).
    let before = BASE.to_owned();
    let after = edit(
        &edit(
            BASE,
            "[[operations.query_params]]\nname = \"channel\"\ntype = \"string\"\npresence = \"optional\"\nlabel = \"渠道\"\n",
            "",
        ),
        "[[models.fields]]\nname = \"remark\"\ntype = \"string\"\npresence = \"optional\"\nlabel = \"备注\"\nmax_length = 20\n\n[[models.fields]]\nname = \"percent_off\"",
        "[[models.fields]]\nname = \"remark\"\ntype = \"string\"\npresence = \"optional\"\nlabel = \"备注\"\nmax_length = 20\n\n[[models.fields]]\nname = \"channel\"\ntype = \"string\"\npresence = \"optional\"\nlabel = \"渠道\"\n\n[[models.fields]]\nname = \"percent_off\"",
    );
    let moved = diff(&before, &after);
    assert_eq!(moved.changes.len(), 2, "{}", moved.report("base", "0.1.0"));
    assert_eq!(moved.verdict(), Some(Impact::Breaking));
    assert!(moved.changes.iter().any(|c| c.detail.contains("query parameter `channel` removed")));
    assert!(moved.changes.iter().any(|c| c.subject == "model CreateCouponRequest, field channel"));
}

#[test]
fn a_response_field_becoming_optional_is_breaking() {
    let d = diff_edit(
        "name = \"coupon_id\"\ntype = \"string\"\npresence = \"required\"",
        "name = \"coupon_id\"\ntype = \"string\"\npresence = \"optional\"",
    );
    let c = assert_change(
        &d,
        Impact::Breaking,
        ChangeKind::Changed,
        "model Coupon, field coupon_id",
        "required -> optional",
    );
    assert!(c.consequence.contains("becomes an `Option`"), "{c:?}");
}

#[test]
fn a_response_field_becoming_required_is_breaking() {
    let from = "presence = \"optional\"\nlabel = \"备注\"\nmax_length = 20\n\n[[models.fields]]\nname = \"amount\"";
    let d = diff_edit(from, &from.replacen("optional", "required", 1));
    assert_change(&d, Impact::Breaking, ChangeKind::Changed, "model Coupon, field remark", "optional -> required");
}

#[test]
fn an_idempotency_key_that_changes_is_a_behaviour_change() {
    let d = diff_edit_without_example(
        "name = \"out_request_no\"\ntype = \"string\"\npresence = \"required\"",
        "name = \"out_request_no\"\ntype = \"string\"\npresence = \"optional\"",
    );
    let c = d.changes.iter().find(|c| c.detail.contains("idempotency key")).expect("the idempotency key change");
    assert_eq!((c.impact, c.detail.as_str()), (Impact::Behaviour, "idempotency key out_request_no -> none"));
}

#[test]
fn the_verdict_levels_order_for_fail_on() {
    let breaking = diff_edit("name = \"coupon_id\"", "name = \"id\"");
    assert!(breaking.reaches(Impact::Breaking) && breaking.reaches(Impact::Behaviour));
    assert_eq!(breaking.verdict_word(), "breaking");
    let behaviour = diff_edit("max_length = 40", "max_length = 32");
    assert!(!behaviour.reaches(Impact::Breaking) && behaviour.reaches(Impact::Behaviour));
    assert_eq!(behaviour.verdict_word(), "behaviour change");
    let none = diff(BASE, BASE);
    assert!(!none.reaches(Impact::Behaviour));
    assert_eq!(none.verdict_word(), "no API change");
    assert!(none.report("HEAD", "0.1.0").contains("\nVerdict: no API change\n"));
    assert!(none.changelog("0.1.0").contains("\nVerdict: no API change.\n"));
}
