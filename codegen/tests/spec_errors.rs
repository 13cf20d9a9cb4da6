//! Broken specs: every kind of mistake a maintainer can make is reported at its exact
//! `file:line:column`, with a message that names the problem and a hint that helps fix it.
//!
//! Each test builds a tiny spec in memory: the minimal valid `[service]` file (see
//! `support::SERVICE`) plus the file under test. Line and column numbers refer to the text of
//! that file as written in the test, where the first line is the one right after `r#"`.

mod support;

use codegen::{Diagnostic, SourceFile};
use support::{place, problems, problems_in, the_problem};

/// Asserts the rendered form of a problem, which is what a maintainer sees.
fn assert_renders(d: &Diagnostic, expected: &str) {
    assert_eq!(d.to_string(), expected, "\nthe problem renders as:\n{d}");
}

// ---------------------------------------------------------------------------------------------
// The file's syntax and shape (the loader)
// ---------------------------------------------------------------------------------------------

#[test]
fn toml_syntax_error_names_the_place() {
    let d = the_problem(&[(
        "models/coupon.toml",
        r#"[[models]]
name = "Coupon"
label = "券
"#,
    )]);
    assert_eq!(place(&d), "models/coupon.toml:3:11", "{d}");
    assert!(d.message.contains("string"), "the message should say what is wrong with the string: {d}");
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("valid TOML")), "{d}");
}

#[test]
fn unknown_key_in_a_field_names_the_key_and_lists_the_allowed_ones() {
    let d = the_problem(&[(
        "models/coupon.toml",
        r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "coupon_id"
type = "string"
presence = "required"
lable = "券ID"
"#,
    )]);
    assert_eq!(place(&d), "models/coupon.toml:8:1", "{d}");
    assert!(d.message.contains("unknown field `lable`"), "{d}");
    assert!(d.message.contains("`label`"), "the allowed keys should be listed: {d}");
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("spec.schema.json")), "{d}");
}

#[test]
fn unknown_key_hint_suggests_the_closest_allowed_key() {
    let d = the_problem(&[(
        "models/coupon.toml",
        r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "coupon_id"
type = "string"
presence = "required"
lable = "券ID"
"#,
    )]);
    assert!(d.to_string().contains("did you mean `label`?"), "{d}");
}

#[test]
fn unknown_type_names_the_place_and_lists_the_types() {
    let d = the_problem(&[(
        "models/coupon.toml",
        r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "coupon_id"
type = "strng"
presence = "required"
label = "券ID"
"#,
    )]);
    assert_eq!(place(&d), "models/coupon.toml:6:8", "{d}");
    assert!(d.message.contains("unknown variant `strng`"), "{d}");
    assert!(d.message.contains("`string`"), "the allowed types should be listed: {d}");
    assert_eq!(d.hint.as_deref(), Some("did you mean `string`?"), "{d}");
}

#[test]
fn missing_required_key_names_the_table() {
    let d = the_problem(&[(
        "models/coupon.toml",
        r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "coupon_id"
type = "string"
presence = "required"
"#,
    )]);
    assert_eq!(place(&d), "models/coupon.toml:4:1", "{d}");
    assert!(d.message.contains("missing field `label`"), "{d}");
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("add the key")), "{d}");
}

// ---------------------------------------------------------------------------------------------
// References and names
// ---------------------------------------------------------------------------------------------

const COUPON_WITH_STOCK_REF: &str = r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "stock"
type = "object"
ref = "Stok"
presence = "required"
label = "批次"

[[models]]
name = "Stock"

[[models.fields]]
name = "stock_id"
type = "string"
presence = "required"
label = "批次ID"
"#;

#[test]
fn dangling_model_reference_names_the_place_and_suggests_a_fix() {
    let d = the_problem(&[("models/coupon.toml", COUPON_WITH_STOCK_REF)]);
    assert_renders(&d, "models/coupon.toml:7:7: unknown model `Stok`\n  hint: did you mean `Stock`?");
}

#[test]
fn dangling_model_reference_with_nothing_close_says_how_to_define_it() {
    let spec = COUPON_WITH_STOCK_REF.replace("\"Stok\"", "\"NoSuchModel\"");
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(
        &d,
        "models/coupon.toml:7:7: unknown model `NoSuchModel`\n  hint: define it with [[models]] name = \"NoSuchModel\"",
    );
}

#[test]
fn reference_to_an_enum_from_an_object_field_says_to_check_the_type() {
    let d = the_problem(&[(
        "models/coupon.toml",
        r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "mode"
type = "object"
ref = "Mode"
presence = "required"
label = "模式"

[[enums]]
name = "Mode"

[[enums.values]]
value = "SINGLE"
meaning = "单次"
"#,
    )]);
    assert_renders(&d, "models/coupon.toml:7:7: unknown model `Mode`\n  hint: `Mode` is an enum; check `type`");
}

#[test]
fn request_body_naming_no_model_suggests_the_closest() {
    let d = the_problem(&[
        ("models/coupon.toml", &COUPON_WITH_STOCK_REF.replace("Stok", "Stock")),
        (
            "endpoints/create_coupon.toml",
            r#"[[operations]]
id = "create_coupon"
title = "创建券"
doc_id = "1"
updated = "2025.01.01"
method = "POST"
path = "/v3/coupons"
request_body = "Copon"

[[operations.responses]]
status = 200
"#,
        ),
    ]);
    assert_renders(&d, "endpoints/create_coupon.toml:8:16: unknown model `Copon`\n  hint: did you mean `Coupon`?");
}

const CREATE_COUPON: &str = r#"[[operations]]
id = "create_coupon"
title = "创建券"
doc_id = "1"
updated = "2025.01.01"
method = "POST"
path = "/v3/coupons"

[[operations.responses]]
status = 200
"#;

#[test]
fn duplicate_operation_id_across_files_names_the_first() {
    let d = the_problem(&[("endpoints/a.toml", CREATE_COUPON), ("endpoints/b.toml", CREATE_COUPON)]);
    assert_renders(
        &d,
        "endpoints/b.toml:2:6: duplicate operation id `create_coupon`\n  \
         hint: operation ids are unique; the first is at endpoints/a.toml:2:6",
    );
}

const STOCK: &str = r#"[[models]]
name = "Stock"

[[models.fields]]
name = "stock_id"
type = "string"
presence = "required"
label = "批次ID"
"#;

#[test]
fn duplicate_model_across_files_names_the_first() {
    let d = the_problem(&[("models/a.toml", STOCK), ("models/b.toml", STOCK)]);
    assert_renders(
        &d,
        "models/b.toml:2:8: duplicate type name `Stock`\n  \
         hint: models and enums share one namespace; `Stock` is first defined at models/a.toml:2:8",
    );
}

#[test]
fn enum_named_like_a_model_is_a_duplicate_type_name() {
    let d = the_problem(&[
        ("models/a.toml", STOCK),
        (
            "models/enums.toml",
            r#"[[enums]]
name = "Stock"

[[enums.values]]
value = "A"
meaning = "甲"
"#,
        ),
    ]);
    assert_eq!(place(&d), "models/enums.toml:2:8", "{d}");
    assert_eq!(d.message, "duplicate type name `Stock`");
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("models/a.toml:2:8")), "{d}");
}

#[test]
fn duplicate_field_names_the_first() {
    let d = the_problem(&[(
        "models/stock.toml",
        r#"[[models]]
name = "Stock"

[[models.fields]]
name = "stock_id"
type = "string"
presence = "required"
label = "批次ID"

[[models.fields]]
name = "stock_id"
type = "integer"
presence = "optional"
label = "批次ID"
"#,
    )]);
    assert_renders(
        &d,
        "models/stock.toml:11:8: duplicate field `stock_id` in model `Stock`\n  \
         hint: the first is at models/stock.toml:5:8",
    );
}

#[test]
fn model_name_that_is_not_pascal_case_suggests_one() {
    let d = the_problem(&[("models/stock.toml", &STOCK.replace("\"Stock\"", "\"stock_info\""))]);
    assert_renders(
        &d,
        "models/stock.toml:2:8: model name `stock_info` is not PascalCase\n  hint: use a name like `StockInfo`",
    );
}

// ---------------------------------------------------------------------------------------------
// Constraints
// ---------------------------------------------------------------------------------------------

/// A model `Limits` with one field whose extra keys are `constraint_lines`.
fn limits(ty: &str, constraint_lines: &str) -> String {
    format!(
        r#"[[models]]
name = "Limits"

[[models.fields]]
name = "value"
type = "{ty}"
presence = "required"
label = "值"
{constraint_lines}
"#
    )
}

#[test]
fn min_above_max_is_a_contradiction() {
    let d = the_problem(&[("models/limits.toml", &limits("integer", "min = 10\nmax = 5"))]);
    assert_renders(
        &d,
        "models/limits.toml:10:7: field `value`: max 5 is below min 10\n  \
         hint: no value could satisfy both; fix one bound",
    );
}

#[test]
fn min_length_above_max_length_is_a_contradiction() {
    let d = the_problem(&[("models/limits.toml", &limits("string", "min_length = 8\nmax_length = 4"))]);
    assert_renders(
        &d,
        "models/limits.toml:10:14: field `value`: max length 4 is below min length 8\n  \
         hint: no value could satisfy both; fix one bound",
    );
}

#[test]
fn min_items_above_max_items_is_a_contradiction() {
    let d = the_problem(&[(
        "models/limits.toml",
        r#"[[models]]
name = "Limits"

[[models.fields]]
name = "value"
type = "array"
items = "string"
presence = "required"
label = "值"
min_items = 3
max_items = 2
"#,
    )]);
    assert_renders(
        &d,
        "models/limits.toml:11:13: field `value`: max items 2 is below min items 3\n  \
         hint: no value could satisfy both; fix one bound",
    );
}

#[test]
fn max_length_on_an_integer_does_not_apply() {
    let d = the_problem(&[("models/limits.toml", &limits("integer", "max_length = 4"))]);
    assert_renders(
        &d,
        "models/limits.toml:9:14: field `value`: `max_length` does not apply to its type\n  \
         hint: `max_length` is for string fields",
    );
}

#[test]
fn min_items_on_a_string_does_not_apply() {
    let d = the_problem(&[("models/limits.toml", &limits("string", "min_items = 1"))]);
    assert_renders(
        &d,
        "models/limits.toml:9:13: field `value`: `min_items` does not apply to its type\n  \
         hint: `min_items` is for array fields",
    );
}

#[test]
fn reversed_charset_range_is_reported_with_the_syntax() {
    let d = the_problem(&[("models/limits.toml", &limits("string", "charset = \"z-a\""))]);
    assert_eq!(place(&d), "models/limits.toml:9:11", "{d}");
    assert_eq!(d.message, "field `value`: charset \"z-a\": range z-a is reversed");
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("0-9A-Za-z_-")), "{d}");
}

#[test]
fn conditional_field_without_condition_says_what_to_write() {
    let d = the_problem(&[(
        "models/stock.toml",
        r#"[[models]]
name = "Stock"

[[models.fields]]
name = "stock_id"
type = "string"
presence = "conditional"
label = "批次ID"
"#,
    )]);
    assert_renders(
        &d,
        "models/stock.toml:7:12: conditional field `stock_id` has no `condition`\n  \
         hint: quote the doc's 条件必填 text in `condition` and enforce it with a rule",
    );
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

/// A model `Coupon` (`usage_mode` enum, optional `stock_bundle` object, `tags` string list)
/// followed by `rule_lines`.
fn coupon_with_rule(rule_lines: &str) -> String {
    format!(
        r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "usage_mode"
type = "enum"
ref = "UsageMode"
presence = "required"
label = "使用模式"

[[models.fields]]
name = "stock_bundle"
type = "object"
ref = "Bundle"
presence = "conditional"
condition = "当usage_mode=\"PROGRESSIVE_BUNDLE\"时必填"
label = "批次组"

[[models.fields]]
name = "tags"
type = "array"
items = "string"
presence = "optional"
label = "标签"

[[models.rules]]
description = "多次优惠时必填批次组"
{rule_lines}

[[models]]
name = "Bundle"

[[models.fields]]
name = "remark"
type = "string"
presence = "optional"
label = "备注"

[[enums]]
name = "UsageMode"

[[enums.values]]
value = "SINGLE"
meaning = "单次优惠"

[[enums.values]]
value = "PROGRESSIVE_BUNDLE"
meaning = "多次优惠"
"#
    )
}

#[test]
fn the_rule_helper_spec_is_valid() {
    let spec = coupon_with_rule(
        "when = { field = \"usage_mode\", equals = \"PROGRESSIVE_BUNDLE\" }\nrequire = [\"stock_bundle\"]",
    );
    support::generate(&[("models/coupon.toml", &spec)]);
}

#[test]
fn rule_naming_a_missing_field_suggests_the_closest() {
    let spec = coupon_with_rule(
        "when = { field = \"usage_mode\", equals = \"PROGRESSIVE_BUNDLE\" }\nrequire = [\"stock_bundel\"]",
    );
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(
        &d,
        "models/coupon.toml:29:12: rule names `stock_bundel`, but model `Coupon` has no field `stock_bundel`\n  \
         hint: did you mean `stock_bundle`?",
    );
}

#[test]
fn rule_path_into_a_nested_model_names_the_model_that_lacks_the_field() {
    let spec = coupon_with_rule("require = [\"stock_bundle.remrk\"]");
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(
        &d,
        "models/coupon.toml:28:12: rule names `stock_bundle.remrk`, but model `Bundle` has no field `remrk`\n  \
         hint: did you mean `remark`?",
    );
}

#[test]
fn rule_comparing_with_a_value_the_enum_lacks_lists_the_values() {
    let spec = coupon_with_rule(
        "when = { field = \"usage_mode\", equals = \"PROGRESIVE_BUNDLE\" }\nrequire = [\"stock_bundle\"]",
    );
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(
        &d,
        "models/coupon.toml:28:41: \"PROGRESIVE_BUNDLE\" is not a value of `usage_mode`\n  \
         hint: values: SINGLE, PROGRESSIVE_BUNDLE",
    );
}

#[test]
fn rule_testing_an_in_list_with_a_value_the_enum_lacks_lists_the_values() {
    let spec = coupon_with_rule("assert = { field = \"usage_mode\", in = [\"SINGLE\", \"MULTI\"] }");
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_eq!(d.message, "\"MULTI\" is not a value of `usage_mode`", "{d}");
    assert_eq!(d.hint.as_deref(), Some("values: SINGLE, PROGRESSIVE_BUNDLE"), "{d}");
    assert_eq!(d.line, 28, "{d}");
}

#[test]
fn contains_on_a_field_that_is_not_an_array_is_rejected() {
    let spec =
        coupon_with_rule("when = { field = \"usage_mode\", contains = \"SINGLE\" }\nrequire = [\"stock_bundle\"]");
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(&d, "models/coupon.toml:28:43: `contains` needs an array, and `usage_mode` is not one");
}

#[test]
fn rule_with_two_assertions_lists_them() {
    let spec = coupon_with_rule("require = [\"stock_bundle\"]\nforbid = [\"tags\"]");
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(
        &d,
        "models/coupon.toml:28:11: rule \"多次优惠时必填批次组\" on `Coupon` has 2 assertions (require, forbid)\n  \
         hint: give exactly one of require, forbid, exactly_one_of, at_least_one_of, at_most_one_of, assert",
    );
}

#[test]
fn rule_with_two_tests_in_one_condition_is_rejected() {
    let spec = coupon_with_rule(
        "when = { field = \"usage_mode\", equals = \"SINGLE\", present = true }\nforbid = [\"stock_bundle\"]",
    );
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(
        &d,
        "models/coupon.toml:28:18: condition on `usage_mode` needs exactly one test\n  \
         hint: use one of equals, in, contains, present",
    );
}

#[test]
fn rule_that_forbids_its_own_trigger_contradicts_itself() {
    let spec = coupon_with_rule("when = { field = \"tags\", present = true }\nforbid = [\"tags\"]");
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(
        &d,
        "models/coupon.toml:29:10: rule forbids `tags` whenever it is present\n  hint: the rule contradicts itself",
    );
}

#[test]
fn exactly_one_of_a_single_field_is_rejected() {
    let spec = coupon_with_rule("exactly_one_of = [\"tags\"]");
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(&d, "models/coupon.toml:28:18: `exactly_one_of` needs at least 2 field(s), got 1");
}

#[test]
fn rule_without_any_assertion_is_located_at_the_rule() {
    let d = the_problem(&[("models/coupon.toml", &coupon_with_rule(""))]);
    assert!(d.message.contains("on `Coupon`"), "{d}");
    // The rule starts on line 26 (`[[models.rules]]`); its description is on line 27.
    assert_eq!(d.file, "models/coupon.toml", "{d}");
    assert!((26..=27).contains(&d.line), "{d}");
}

// ---------------------------------------------------------------------------------------------
// Operations: paths and parameters
// ---------------------------------------------------------------------------------------------

#[test]
fn path_placeholder_without_a_path_param_says_what_to_add() {
    let spec = CREATE_COUPON.replace("\"/v3/coupons\"", "\"/v3/coupons/{coupon_id}\"");
    let d = the_problem(&[("endpoints/create_coupon.toml", &spec)]);
    assert_renders(
        &d,
        "endpoints/create_coupon.toml:7:8: path placeholder `{coupon_id}` has no matching path parameter\n  \
         hint: add [[operations.path_params]] name = \"coupon_id\"",
    );
}

#[test]
fn path_param_missing_from_the_path_is_reported() {
    let spec = format!(
        r#"{CREATE_COUPON}
[[operations.path_params]]
name = "coupon_id"
type = "string"
presence = "required"
label = "券ID"
"#
    );
    let d = the_problem(&[("endpoints/create_coupon.toml", &spec)]);
    assert_eq!(d.message, "path parameter `coupon_id` does not appear in the path \"/v3/coupons\"", "{d}");
    assert_eq!(d.hint.as_deref(), Some("add `{coupon_id}` to the path, or remove the parameter"), "{d}");
    // Located at the parameter, not the path.
    assert_eq!(place(&d), "endpoints/create_coupon.toml:13:8", "{d}");
}

#[test]
fn optional_path_param_must_be_required() {
    let spec = format!(
        r#"{}
[[operations.path_params]]
name = "coupon_id"
type = "string"
presence = "optional"
label = "券ID"
"#,
        CREATE_COUPON.replace("\"/v3/coupons\"", "\"/v3/coupons/{coupon_id}\"")
    );
    let d = the_problem(&[("endpoints/create_coupon.toml", &spec)]);
    assert_renders(
        &d,
        "endpoints/create_coupon.toml:15:12: path parameter `coupon_id` must be required\n  \
         hint: a path cannot be built without it",
    );
}

#[test]
fn path_with_a_query_string_points_to_query_params() {
    let spec = CREATE_COUPON.replace("\"/v3/coupons\"", "\"/v3/coupons?limit=10\"");
    let d = the_problem(&[("endpoints/create_coupon.toml", &spec)]);
    assert_renders(
        &d,
        "endpoints/create_coupon.toml:7:8: path \"/v3/coupons?limit=10\" contains a query string\n  \
         hint: declare query parameters in [[operations.query_params]]",
    );
}

// ---------------------------------------------------------------------------------------------
// Doc examples
// ---------------------------------------------------------------------------------------------

/// `create_coupon` taking a `Stock` body, with one request example whose text is `example`.
fn create_coupon_with_example(example: &str) -> String {
    format!(
        r#"[[operations]]
id = "create_coupon"
title = "创建券"
doc_id = "1"
updated = "2025.01.01"
method = "POST"
path = "/v3/coupons"
request_body = "Stock"

[[operations.responses]]
status = 200

[[operations.examples]]
kind = "request"
format = "json"
title = "请求示例"
source = "test"
text = '''
{example}
'''
"#
    )
}

#[test]
fn doc_example_with_broken_json_points_into_the_example() {
    let spec = create_coupon_with_example("{\n  \"stock_id\" : \"1\",\n  \"remark\" : \n}");
    let d = the_problem(&[("models/stock.toml", STOCK), ("endpoints/create_coupon.toml", &spec)]);
    // The JSON starts on line 19; the parser gives up on its line 4 (`}`), file line 22.
    assert_eq!(place(&d), "endpoints/create_coupon.toml:22:1", "{d}");
    assert!(d.message.starts_with("example \"请求示例\": example JSON does not parse:"), "{d}");
    assert!(d.message.contains("expected value"), "{d}");
}

#[test]
fn doc_example_with_broken_json_points_at_the_offending_column() {
    let spec = create_coupon_with_example("{\n  \"stock_id\" : \"1\",\n  \"remark\" : ,\n}");
    let d = the_problem(&[("models/stock.toml", STOCK), ("endpoints/create_coupon.toml", &spec)]);
    // `,` where a value should be: file line 21, column 14.
    assert_eq!(place(&d), "endpoints/create_coupon.toml:21:14", "{d}");
}

#[test]
fn doc_example_with_a_key_that_is_not_a_field_names_the_key() {
    let spec = create_coupon_with_example("{\n  \"stock_id\" : \"1\",\n  \"stock_name\" : \"满减券\"\n}");
    let d = the_problem(&[("models/stock.toml", STOCK), ("endpoints/create_coupon.toml", &spec)]);
    assert_renders(
        &d,
        "endpoints/create_coupon.toml:21:3: example \"请求示例\": `stock_name` is not a field of the model\n  \
         hint: every key of a doc example must be transcribed as a field",
    );
}

#[test]
fn curl_example_without_a_body_says_so() {
    let spec = create_coupon_with_example("curl -X POST https://api.example.com/v3/coupons");
    let spec = spec.replace("format = \"json\"", "format = \"curl\"");
    let d = the_problem(&[("models/stock.toml", STOCK), ("endpoints/create_coupon.toml", &spec)]);
    assert_renders(&d, "endpoints/create_coupon.toml:19:1: example \"请求示例\": curl example has no `-d '...'` body");
}

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_service_section_is_reported_on_the_first_file() {
    let diags = problems_in(vec![SourceFile::new("models/stock.toml", STOCK)]);
    assert_eq!(diags.0.len(), 1, "{diags}");
    assert_renders(
        &diags.0[0],
        "models/stock.toml:1:1: no [service] section in any spec file\n  \
         hint: add [service] with title, primary_base_url and backup_base_url (api-spec/service.toml)",
    );
}

#[test]
fn second_service_section_names_the_first() {
    let d = the_problem(&[("other_service.toml", support::SERVICE)]);
    assert_renders(
        &d,
        "service.toml:3:20: a second [service] section\n  \
         hint: the service is described once; the first is at other_service.toml:3:20",
    );
}

#[test]
fn plain_http_base_url_is_rejected() {
    let service = support::SERVICE.replace("https://api2", "http://api2");
    let diags = problems_in(vec![SourceFile::new("service.toml", service)]);
    assert_eq!(
        diags.to_string(),
        "service.toml:4:19: base URL \"http://api2.example.com\" is not https\n1 problem(s) in the spec"
    );
}

// ---------------------------------------------------------------------------------------------
// Many problems at once, and garbage
// ---------------------------------------------------------------------------------------------

#[test]
fn problems_in_several_files_are_all_reported_in_one_run_sorted_by_place() {
    let diags = problems(&[
        ("models/coupon.toml", COUPON_WITH_STOCK_REF),
        ("models/limits.toml", &limits("integer", "max_length = 4\nmin = 10\nmax = 5")),
        ("endpoints/a.toml", CREATE_COUPON),
        ("endpoints/b.toml", CREATE_COUPON),
    ]);
    let places: Vec<String> = diags.0.iter().map(place).collect();
    assert_eq!(
        places,
        [
            "endpoints/b.toml:2:6",    // duplicate operation id
            "models/coupon.toml:7:7",  // unknown model `Stok`
            "models/limits.toml:9:14", // max_length on an integer
            "models/limits.toml:11:7", // max below min
        ],
        "\n{diags}"
    );
    assert!(diags.to_string().ends_with("\n4 problem(s) in the spec"), "{diags}");
}

#[test]
fn syntax_errors_in_several_files_are_all_reported_in_one_run() {
    let diags = problems(&[
        ("models/a.toml", "[[models]]\nname = \"A\"\nlabel = \"unterminated\n"),
        ("models/b.toml", STOCK),
        ("models/c.toml", "[[models]\n"),
        ("models/d.toml", "[[enums]]\nname = \"D\"\nvalues = 3\n"),
    ]);
    let files: Vec<&str> = diags.0.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files, ["models/a.toml", "models/c.toml", "models/d.toml"], "\n{diags}");
}

#[test]
fn garbage_is_reported_not_panicked_on() {
    let cases: &[(&str, &str)] = &[
        ("binary-ish text", "\u{0}\u{1}\u{2}PK\u{3}\u{4}\u{fffd}\u{fffd}ELF\n\u{7f}\u{0}[[["),
        ("just [[models]]", "[[models]]"),
        ("a field table with nothing in it", "[[models]]\n[[models.fields]]\n"),
        ("just [[operations]]", "[[operations]]\n"),
        ("an enum without values", "[[enums]]\nname = \"E\"\nvalues = []\n"),
        ("a top-level key of the wrong type", "models = 3"),
        ("an empty [service]", "[service]\n"),
        ("an unterminated multi-line string", "'''\n"),
        ("a byte-order mark before [[models]]", "\u{feff}[[models]]\n"),
        (
            "empty names",
            r#"[[models]]
name = ""
fields = [{ name = "", type = "string", presence = "required", label = "" }]
"#,
        ),
        (
            "an array of arrays",
            r#"[[models]]
name = "M"
fields = [{ name = "a", type = "array", items = "array", presence = "required", label = "" }]
"#,
        ),
        (
            "empty and odd rule paths",
            r#"[[models]]
name = "M"
fields = [{ name = "a", type = "string", presence = "optional", label = "" }]
rules = [
    { description = "", require = [""] },
    { description = "", require = ["a..b"] },
    { description = "", require = ["a.b"] },
    { description = "", at_most_one_of = [] },
    { description = "", assert = { field = "a", in = [] } },
]
"#,
        ),
        (
            "a path made of braces",
            r#"[[operations]]
id = "x"
title = ""
doc_id = ""
updated = ""
method = "GET"
path = "/{}{"

[[operations.responses]]
status = 200
"#,
        ),
    ];
    for (what, text) in cases {
        let result = std::panic::catch_unwind(|| problems(&[("garbage.toml", text)]));
        let Ok(diags) = result else { panic!("the generator panicked on {what}") };
        let lines = text.lines().count().max(1);
        for d in &diags.0 {
            assert!(d.line >= 1 && d.column >= 1, "{what}: {d} has no place");
            if d.file == "garbage.toml" {
                assert!(d.line <= lines + 1, "{what}: {d} is outside the file");
            }
        }
    }
}

#[test]
fn places_in_files_with_windows_line_endings_are_the_same() {
    let d = the_problem(&[("models/coupon.toml", &COUPON_WITH_STOCK_REF.replace('\n', "\r\n"))]);
    assert_eq!(place(&d), "models/coupon.toml:7:7", "{d}");
}

#[test]
fn an_empty_file_next_to_a_valid_spec_is_fine() {
    support::generate(&[("empty.toml", "")]);
}

#[test]
fn an_empty_file_alone_reports_the_missing_service() {
    let diags = problems_in(vec![SourceFile::new("empty.toml", "")]);
    assert_eq!(diags.0.len(), 1, "{diags}");
    assert_eq!(place(&diags.0[0]), "empty.toml:1:1");
    assert_eq!(diags.0[0].message, "no [service] section in any spec file");
}

#[test]
fn no_files_at_all_is_reported_not_panicked_on() {
    let result = std::panic::catch_unwind(|| codegen::ir_from_sources(Vec::new()).map(|_| ()));
    let result = result.expect("ir_from_sources must not panic on an empty list");
    assert!(result.is_err(), "an empty spec must be rejected");
}

// ---------------------------------------------------------------------------------------------
// Compound conditions (`all`, `any`, `not`)
// ---------------------------------------------------------------------------------------------

#[test]
fn compound_conditions_nest_and_generate() {
    let spec = coupon_with_rule(
        "when = { all = [{ field = \"usage_mode\", equals = \"PROGRESSIVE_BUNDLE\" }, \
         { not = { any = [{ field = \"tags\", contains = \"legacy\" }, { field = \"stock_bundle.remark\", present = true }] } }] }\n\
         require = [\"stock_bundle\"]",
    );
    let out = support::generate(&[("models/coupon.toml", &spec)]);
    let validation = support::file(&out, "src/generated/validation.rs");
    assert!(validation.contains("all_hold"), "{validation}");
    assert!(validation.contains("any_holds"), "{validation}");
    assert!(
        validation.contains(
            r#"when usage_mode = \"PROGRESSIVE_BUNDLE\" and not (tags contains \"legacy\" or stock_bundle.remark is present)"#
        ),
        "the message describes the whole condition:\n{validation}"
    );
}

#[test]
fn condition_mixing_a_field_test_and_a_combination_is_located_at_the_condition() {
    let spec = coupon_with_rule(
        "when = { field = \"usage_mode\", equals = \"SINGLE\", all = [{ field = \"tags\", present = true }] }\n\
         require = [\"stock_bundle\"]",
    );
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(
        &d,
        "models/coupon.toml:28:8: condition mixes `all`, `field`, `equals`\n  \
         hint: a condition is either a test on one field or exactly one of all, any, not; nest the others inside it",
    );
}

#[test]
fn condition_with_two_combinations_is_rejected() {
    let spec = coupon_with_rule(
        "when = { all = [{ field = \"tags\", present = true }], any = [{ field = \"tags\", present = true }] }\n\
         require = [\"stock_bundle\"]",
    );
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_eq!(place(&d), "models/coupon.toml:28:8", "{d}");
    assert!(d.message.starts_with("condition mixes `all`, `any`"), "{d}");
}

#[test]
fn empty_all_is_located_at_the_list() {
    let spec = coupon_with_rule("when = { all = [] }\nrequire = [\"stock_bundle\"]");
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(
        &d,
        "models/coupon.toml:28:16: `all` with no conditions\n  hint: list at least one condition in `all`, or remove it",
    );
}

#[test]
fn empty_condition_says_what_to_write() {
    let spec = coupon_with_rule("when = { }\nrequire = [\"stock_bundle\"]");
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_renders(
        &d,
        "models/coupon.toml:28:8: condition tests nothing\n  \
         hint: give `field` with one of equals, in, contains, present; or one of all, any, not",
    );
}

#[test]
fn unknown_key_in_a_condition_names_the_key() {
    let spec =
        coupon_with_rule("when = { alll = [{ field = \"tags\", present = true }] }\nrequire = [\"stock_bundle\"]");
    let d = the_problem(&[("models/coupon.toml", &spec)]);
    assert_eq!(place(&d), "models/coupon.toml:28:10", "{d}");
    assert!(d.message.contains("unknown field `alll`"), "{d}");
    assert!(d.to_string().contains("did you mean `all`?"), "{d}");
}

#[test]
fn problems_inside_nested_conditions_are_all_located() {
    let spec = coupon_with_rule(
        "when = { any = [{ field = \"usage_mod\", equals = \"SINGLE\" }, { not = { field = \"usage_mode\", equals = \"MULTI\" } }] }\n\
         require = [\"stock_bundle\"]",
    );
    let diags = support::problems(&[("models/coupon.toml", &spec)]);
    let rendered: Vec<String> = diags.0.iter().map(|d| format!("{}: {}", place(d), d.message)).collect();
    assert_eq!(
        rendered,
        [
            "models/coupon.toml:28:27: rule names `usage_mod`, but model `Coupon` has no field `usage_mod`",
            "models/coupon.toml:28:102: \"MULTI\" is not a value of `usage_mode`",
        ],
        "{diags}"
    );
}

#[test]
fn compound_assert_is_reported_at_its_first_field() {
    let spec = coupon_with_rule(
        "assert = { any = [{ field = \"usage_mode\", equals = \"SINGLE\" }, { field = \"stock_bundle\", present = true }] }",
    );
    let out = support::generate(&[("models/coupon.toml", &spec)]);
    let validation = support::file(&out, "src/generated/validation.rs");
    assert!(validation.contains("join(path, \"usage_mode\")"), "{validation}");
    assert!(validation.contains("any_holds"), "{validation}");
}

// ---------------------------------------------------------------------------------------------
// Doc examples are tests of the spec
// ---------------------------------------------------------------------------------------------

/// `create_coupon` (body: the `Coupon` of [`coupon_with_rule`]) with one request example.
fn coupon_operation_with_example(example_lines: &str, json: &str) -> String {
    format!(
        r#"[[operations]]
id = "create_coupon"
title = "创建券"
doc_id = "1"
updated = "2025.01.01"
method = "POST"
path = "/v3/coupons"
request_body = "Coupon"

[[operations.responses]]
status = 200

[[operations.examples]]
kind = "request"
format = "json"
title = "请求示例"
source = "test"
{example_lines}
text = '''
{json}
'''
"#
    )
}

const PROGRESSIVE_RULE: &str =
    "when = { field = \"usage_mode\", equals = \"PROGRESSIVE_BUNDLE\" }\nrequire = [\"stock_bundle\"]";

#[test]
fn request_example_breaking_a_rule_names_the_example_the_rule_and_the_json_path() {
    let model = coupon_with_rule(PROGRESSIVE_RULE);
    let op = coupon_operation_with_example("", "{\n  \"usage_mode\" : \"PROGRESSIVE_BUNDLE\"\n}");
    let d = the_problem(&[("models/coupon.toml", &model), ("endpoints/create_coupon.toml", &op)]);
    // Located at the example's first line (line 20): the missing field has no key of its own.
    assert_renders(
        &d,
        "endpoints/create_coupon.toml:20:1: request example \"请求示例\" breaks rule \"多次优惠时必填批次组\" at \
         $.stock_bundle: is required when usage_mode = \"PROGRESSIVE_BUNDLE\": 多次优惠时必填批次组\n  \
         hint: fix the spec if the example shows what WeChat Pay accepts; if the example is wrong on purpose, \
         say why with expect_invalid = \"...\"",
    );
}

#[test]
fn request_example_breaking_a_constraint_is_located_at_its_key() {
    let model = coupon_with_rule(PROGRESSIVE_RULE);
    let op = coupon_operation_with_example("", "{\n  \"usage_mode\" : \"SINGLE\",\n  \"tags\" : \"a\"\n}");
    let d = the_problem(&[("models/coupon.toml", &model), ("endpoints/create_coupon.toml", &op)]);
    assert_eq!(place(&d), "endpoints/create_coupon.toml:22:3", "{d}");
    assert!(d.message.ends_with("breaks a constraint at $.tags: expected an array, found a string"), "{d}");
}

#[test]
fn request_example_marked_expect_invalid_may_break_the_rules() {
    let model = coupon_with_rule(PROGRESSIVE_RULE);
    let op = coupon_operation_with_example(
        "expect_invalid = \"shows the mode without its bundle\"",
        "{\n  \"usage_mode\" : \"PROGRESSIVE_BUNDLE\"\n}",
    );
    let out = support::generate(&[("models/coupon.toml", &model), ("endpoints/create_coupon.toml", &op)]);
    let tests = support::file(&out, "tests/doc_examples.rs");
    assert!(tests.contains("fn create_coupon_request_example_1_is_invalid_as_marked()"), "{tests}");
    assert!(!tests.contains("fn assert_valid"), "no unused helper: {tests}");
}

#[test]
fn request_example_that_passes_gets_a_generated_validation_test() {
    let model = coupon_with_rule(PROGRESSIVE_RULE);
    let op = coupon_operation_with_example("", "{\n  \"usage_mode\" : \"SINGLE\"\n}");
    let out = support::generate(&[("models/coupon.toml", &model), ("endpoints/create_coupon.toml", &op)]);
    let tests = support::file(&out, "tests/doc_examples.rs");
    assert!(tests.contains("fn create_coupon_request_example_1_passes_validation()"), "{tests}");
    assert!(!tests.contains("fn assert_invalid"), "no unused helper: {tests}");
}

#[test]
fn stale_expect_invalid_marker_is_reported() {
    let model = coupon_with_rule(PROGRESSIVE_RULE);
    let op =
        coupon_operation_with_example("expect_invalid = \"was wrong once\"", "{\n  \"usage_mode\" : \"SINGLE\"\n}");
    let d = the_problem(&[("models/coupon.toml", &model), ("endpoints/create_coupon.toml", &op)]);
    assert_renders(
        &d,
        "endpoints/create_coupon.toml:20:1: request example \"请求示例\" is marked expect_invalid but passes validation\n  \
         hint: the marker is stale: remove expect_invalid",
    );
}

#[test]
fn compound_rule_is_enforced_on_request_examples() {
    let model = coupon_with_rule(
        "when = { all = [{ field = \"usage_mode\", equals = \"SINGLE\" }, { field = \"tags\", contains = \"bundle\" }] }\n\
         require = [\"stock_bundle\"]",
    );
    let passes = coupon_operation_with_example("", "{\n  \"usage_mode\" : \"SINGLE\",\n  \"tags\" : [\"other\"]\n}");
    support::generate(&[("models/coupon.toml", &model), ("endpoints/create_coupon.toml", &passes)]);
    let breaks = coupon_operation_with_example("", "{\n  \"usage_mode\" : \"SINGLE\",\n  \"tags\" : [\"bundle\"]\n}");
    let d = the_problem(&[("models/coupon.toml", &model), ("endpoints/create_coupon.toml", &breaks)]);
    assert!(
        d.message.contains("at $.stock_bundle: is required when usage_mode = \"SINGLE\" and tags contains \"bundle\""),
        "{d}"
    );
}

// ---------------------------------------------------------------------------------------------
// Response shapes that sources document differently (`alternatives`, `accessors`)
// ---------------------------------------------------------------------------------------------

/// A model `Result` with a `failed` list of `Failed` objects carrying `alternatives_line`, and
/// two optional URL fields, followed by `model_lines` (e.g. accessors).
fn result_with(alternatives_line: &str, accessors_line: &str) -> String {
    format!(
        r#"[[models]]
name = "Result"
{accessors_line}

[[models.fields]]
name = "failed"
type = "array"
items = "object"
ref = "Failed"
presence = "optional"
label = "失败列表"
{alternatives_line}

[[models.fields]]
name = "image_url"
type = "string"
presence = "optional"
label = "图片URL"

[[models.fields]]
name = "media_url"
type = "string"
presence = "required"
label = "媒体URL"

[[models]]
name = "Failed"

[[models.fields]]
name = "code"
type = "string"
presence = "optional"
label = "券Code"

[[models.fields]]
name = "count"
type = "integer"
presence = "optional"
label = "次数"
"#
    )
}

#[test]
fn the_alternatives_helper_spec_is_valid() {
    let spec = result_with("alternatives = { name = \"FailedItem\", types = [\"string\"], key = \"code\" }", "");
    support::generate(&[("models/result.toml", &spec)]);
}

#[test]
fn alternatives_on_a_scalar_field_are_rejected() {
    let spec = result_with("", "").replace(
        "presence = \"optional\"\nlabel = \"图片URL\"",
        "presence = \"optional\"\nlabel = \"图片URL\"\nalternatives = { name = \"Url\", types = [\"integer\"] }",
    );
    let d = the_problem(&[("models/result.toml", &spec)]);
    assert_renders(
        &d,
        "models/result.toml:19:16: field `image_url`: `alternatives` needs an object field or an array of objects\n  \
         hint: the documented object shape is the field's `ref`; list the other shapes in `types`",
    );
}

#[test]
fn alternative_shape_that_is_an_object_is_rejected() {
    let spec = result_with("alternatives = { name = \"FailedItem\", types = [\"string\", \"object\"] }", "");
    let d = the_problem(&[("models/result.toml", &spec)]);
    assert_eq!(place(&d), "models/result.toml:12:58", "{d}");
    assert!(d.message.contains("an alternative shape must be string, integer or boolean"), "{d}");
}

#[test]
fn alternatives_named_like_a_model_are_a_duplicate_type_name() {
    let spec = result_with("alternatives = { name = \"Failed\", types = [\"string\"] }", "");
    let d = the_problem(&[("models/result.toml", &spec)]);
    assert_eq!(place(&d), "models/result.toml:12:25", "{d}");
    assert!(d.message.contains("duplicate type name `Failed`"), "{d}");
}

#[test]
fn alternatives_with_no_other_shape_are_rejected() {
    let spec = result_with("alternatives = { name = \"FailedItem\", types = [] }", "");
    let d = the_problem(&[("models/result.toml", &spec)]);
    assert_eq!(place(&d), "models/result.toml:12:47", "{d}");
    assert!(d.message.contains("`types` lists no other shape"), "{d}");
}

#[test]
fn alternatives_key_must_be_a_string_field_of_the_model() {
    let missing = result_with("alternatives = { name = \"FailedItem\", types = [\"string\"], key = \"coupon\" }", "");
    let d = the_problem(&[("models/result.toml", &missing)]);
    assert_renders(
        &d,
        "models/result.toml:12:65: key `coupon` is not a field of model `Failed`\n  \
         hint: `key` names the model's string field that a bare string shape stands for",
    );
    let integer = result_with("alternatives = { name = \"FailedItem\", types = [\"string\"], key = \"count\" }", "");
    let d = the_problem(&[("models/result.toml", &integer)]);
    assert!(d.message.contains("key `count` needs a string field"), "{d}");
}

#[test]
fn accessor_naming_a_missing_field_suggests_the_closest() {
    let spec = result_with("", "accessors = [{ name = \"url\", fields = [\"image_url\", \"media_ur\"] }]");
    let diags = support::problems(&[("models/result.toml", &spec)]);
    let rendered: Vec<String> = diags.0.iter().map(ToString::to_string).collect();
    assert!(
        rendered.contains(
            &"models/result.toml:3:53: accessor `url` names `media_ur`, but model `Result` has no such field\n  \
              hint: did you mean `media_url`?"
                .to_owned()
        ),
        "{diags}"
    );
}

#[test]
fn accessor_over_a_required_field_is_rejected() {
    let spec = result_with("", "accessors = [{ name = \"url\", fields = [\"image_url\", \"media_url\"] }]");
    let d = the_problem(&[("models/result.toml", &spec)]);
    assert_renders(
        &d,
        "models/result.toml:3:53: accessor `url`: `media_url` must be an optional string field\n  \
         hint: when sources name a field differently, neither name is sure to be sent: make both optional",
    );
}

#[test]
fn accessor_over_one_field_and_with_a_bad_name_is_rejected() {
    let spec = result_with("", "accessors = [{ name = \"Url\", fields = [\"image_url\"] }]");
    let diags = support::problems(&[("models/result.toml", &spec)]);
    let rendered: Vec<String> = diags.0.iter().map(|d| format!("{}: {}", place(d), d.message)).collect();
    assert_eq!(
        rendered,
        [
            "models/result.toml:3:23: accessor name `Url` is not snake_case",
            "models/result.toml:3:39: accessor `Url` needs at least 2 fields",
        ],
        "{diags}"
    );
}

#[test]
fn expect_invalid_on_a_response_example_is_rejected() {
    let model = coupon_with_rule(PROGRESSIVE_RULE);
    let op = coupon_operation_with_example("expect_invalid = \"no\"", "{\n  \"usage_mode\" : \"SINGLE\"\n}")
        .replace("kind = \"request\"", "kind = \"response\"")
        .replace("status = 200\n", "status = 200\nbody = \"Coupon\"\n");
    let d = the_problem(&[("models/coupon.toml", &model), ("endpoints/create_coupon.toml", &op)]);
    assert!(d.message.contains("response example \"请求示例\" has `expect_invalid`"), "{d}");
}

// ---------------------------------------------------------------------------------------------
// Models that contain themselves
// ---------------------------------------------------------------------------------------------

#[test]
fn a_model_requiring_itself_is_rejected_at_the_field() {
    let d = the_problem(&[(
        "models/tree.toml",
        r#"[[models]]
name = "Node"

[[models.fields]]
name = "child"
type = "object"
ref = "Node"
presence = "required"
label = "子节点"
"#,
    )]);
    assert_eq!(place(&d), "models/tree.toml:5:8", "{d}");
    assert!(d.message.contains("model `Node`: required field `child` holds `Node`"), "{d}");
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("optional")), "{d}");
}

#[test]
fn models_requiring_each_other_are_rejected_at_each_field() {
    let diags = problems(&[(
        "models/pair.toml",
        r#"[[models]]
name = "Left"

[[models.fields]]
name = "right"
type = "object"
ref = "Right"
presence = "required"
label = "右"

[[models]]
name = "Right"

[[models.fields]]
name = "left"
type = "object"
ref = "Left"
presence = "required"
label = "左"
"#,
    )]);
    let places: Vec<String> = diags.0.iter().map(place).collect();
    assert_eq!(places, ["models/pair.toml:5:8", "models/pair.toml:15:8"], "{diags}");
    assert!(diags.0.iter().all(|d| d.message.contains("leads back")), "{diags}");
}

#[test]
fn a_cycle_with_an_optional_field_is_accepted() {
    // `Right.left` is optional, so `Left { right: Right { left: None } }` is a finite value.
    let ir = codegen::ir_from_sources(support::sources(&[(
        "models/pair.toml",
        r#"[[models]]
name = "Left"

[[models.fields]]
name = "right"
type = "object"
ref = "Right"
presence = "required"
label = "右"

[[models]]
name = "Right"

[[models.fields]]
name = "left"
type = "object"
ref = "Left"
presence = "optional"
label = "左"
"#,
    )]))
    .unwrap_or_else(|d| panic!("the spec is valid:\n{d}"));
    assert!(ir.models["Left"].fields[0].boxed && ir.models["Right"].fields[0].boxed);
}

#[test]
fn a_cycle_through_fields_of_several_shapes_only_is_rejected() {
    let d = the_problem(&[(
        "models/code.toml",
        r#"[[models]]
name = "Code"

[[models.fields]]
name = "code"
type = "string"
presence = "required"
label = "券码"

[[models.fields]]
name = "next"
type = "object"
ref = "Code"
presence = "optional"
label = "下一个"
alternatives = { name = "NextCode", types = ["string"], key = "code" }
"#,
    )]);
    assert_eq!(place(&d), "models/code.toml:11:8", "{d}");
    assert!(d.message.contains("field `next` of several shapes holds `Code`"), "{d}");
}

// ---------------------------------------------------------------------------------------------
// Typed ids (`[[ids]]`)
// ---------------------------------------------------------------------------------------------

const COUPON_WITH_IDS: &str = r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "coupon_id"
type = "string"
presence = "required"
label = "券ID"

[[models.fields]]
name = "count"
type = "integer"
presence = "required"
label = "数量"
"#;

#[test]
fn an_id_listing_a_wire_name_no_field_has_is_an_error_where_it_is_listed() {
    let d = the_problem(&[
        ("models/coupon.toml", COUPON_WITH_IDS),
        (
            "ids.toml",
            r#"[[ids]]
name = "CouponId"
label = "券ID"
fields = ["coupon_id", "copon_id"]
"#,
        ),
    ]);
    assert_eq!(place(&d), "ids.toml:4:24", "{d}");
    assert!(d.message.contains("`copon_id`") && d.message.contains("CouponId"), "{d}");
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("spelling")), "{d}");
}

#[test]
fn an_id_on_a_field_that_is_not_a_string_is_an_error_at_the_field_type() {
    let d = the_problem(&[
        ("models/coupon.toml", COUPON_WITH_IDS),
        (
            "ids.toml",
            r#"[[ids]]
name = "CountId"
label = "数量"
fields = ["count"]
"#,
        ),
    ]);
    assert_eq!(place(&d), "models/coupon.toml:12:8", "{d}");
    assert!(d.message.contains("not a string"), "{d}");
}

#[test]
fn a_wire_name_in_two_ids_and_a_clash_with_a_model_are_errors() {
    let all = problems(&[
        ("models/coupon.toml", COUPON_WITH_IDS),
        (
            "ids.toml",
            r#"[[ids]]
name = "CouponId"
label = "券ID"
fields = ["coupon_id"]

[[ids]]
name = "Coupon"
label = "券"
fields = ["coupon_id"]

[[ids]]
name = "OtherId"
label = "券"
fields = ["coupon_id"]
"#,
        ),
    ]);
    let shown: Vec<String> = all.0.iter().map(|d| format!("{} {}", place(d), d.message)).collect();
    assert!(shown.iter().any(|s| s.starts_with("ids.toml:7:8 ") && s.contains("named like a model")), "{shown:#?}");
    assert!(shown.iter().any(|s| s.starts_with("ids.toml:14:11 ") && s.contains("already an id")), "{shown:#?}");
}
