//! Small in-memory specs shared by the integration tests.
//!
//! Every test spec is the minimal valid [`SERVICE`] file plus the files under test, so a test
//! shows only what it is about.
#![allow(dead_code)] // each test crate uses a different part of this module

use codegen::{Diagnostic, Diagnostics, GeneratedFile, SourceFile};

/// Name of the service file every test spec gets.
pub const SERVICE_FILE: &str = "service.toml";

/// The smallest valid `[service]` section.
pub const SERVICE: &str = r#"[service]
title = "测试服务"
primary_base_url = "https://api.example.com"
backup_base_url = "https://api2.example.com"
"#;

/// The service file followed by `files` (name, text), in that order.
pub fn sources(files: &[(&str, &str)]) -> Vec<SourceFile> {
    std::iter::once((SERVICE_FILE, SERVICE)).chain(files.iter().copied()).map(|(n, t)| SourceFile::new(n, t)).collect()
}

/// Runs the generator on the service file plus `files`; panics with the problems if it fails.
pub fn generate(files: &[(&str, &str)]) -> Vec<GeneratedFile> {
    match codegen::generate_from_sources(sources(files)) {
        Ok(out) => out,
        Err(diags) => panic!("the test spec should be valid, but:\n{diags}"),
    }
}

/// The one generated file at `path`.
pub fn file<'a>(out: &'a [GeneratedFile], path: &str) -> &'a str {
    match out.iter().find(|f| f.path == path) {
        Some(f) => &f.contents,
        None => panic!("no generated file {path}; got {:?}", out.iter().map(|f| &f.path).collect::<Vec<_>>()),
    }
}

/// Validates the service file plus `files`, which must fail; returns every problem.
pub fn problems(files: &[(&str, &str)]) -> Diagnostics {
    problems_in(sources(files))
}

/// Validates exactly `files` (no service file added), which must fail.
pub fn problems_in(files: Vec<SourceFile>) -> Diagnostics {
    match codegen::ir_from_sources(files) {
        Ok(_) => panic!("the spec should have been rejected"),
        Err(diags) => {
            assert!(!diags.0.is_empty(), "an Err must carry at least one problem");
            diags
        }
    }
}

/// Validates the service file plus `files`, which must fail with exactly one problem.
pub fn the_problem(files: &[(&str, &str)]) -> Diagnostic {
    let diags = problems(files);
    assert_eq!(diags.0.len(), 1, "expected exactly one problem, got:\n{diags}");
    diags.0.into_iter().next().expect("one")
}

/// `file:line:column` of a problem, as its Display starts.
pub fn place(d: &Diagnostic) -> String {
    format!("{}:{}:{}", d.file, d.line, d.column)
}

/// A spec whose names collide with Rust: fields `type`, `ref`, `self`, `fn`, `match`; models
/// named `Option`, `Result` and `String`; an enum with the values `UNKNOWN`, `SELF` and `NONE`;
/// an operation whose id, path parameters and query parameters are keywords.
pub const KEYWORDS: &str = r#"[[models]]
name = "Option"
label = "选项"
description = "A model named like the prelude's Option."

[[models.fields]]
name = "type"
type = "enum"
ref = "Kind"
presence = "required"
label = "类型"

[[models.fields]]
name = "ref"
type = "string"
presence = "conditional"
condition = "当type=\"UNKNOWN\"时必填"
label = "引用"
max_length = 8

[[models.fields]]
name = "self"
type = "object"
ref = "Result"
presence = "optional"
label = "自身"

[[models.fields]]
name = "fn"
type = "array"
items = "object"
ref = "String"
presence = "optional"
label = "函数"
max_items = 3

[[models.fields]]
name = "match"
type = "boolean"
presence = "optional"
label = "匹配"

[[models.rules]]
description = "type 为 UNKNOWN 时必须填写 ref"
when = { field = "type", equals = "UNKNOWN" }
require = ["ref"]

[[models.rules]]
description = "self 的 type 只能是 SELF 或 UNKNOWN"
assert = { field = "self.type", in = ["SELF", "UNKNOWN"] }

[[models]]
name = "Result"
label = "结果"

[[models.fields]]
name = "type"
type = "enum"
ref = "Kind"
presence = "required"
label = "类型"

[[models.fields]]
name = "String"
type = "string"
presence = "optional"
label = "字符串"

[[models]]
name = "String"
label = "字符串"

[[models.fields]]
name = "Option"
type = "object"
ref = "Result"
presence = "optional"
label = "选项"

[[models.fields]]
name = "kinds"
type = "array"
items = "enum"
ref = "Kind"
presence = "required"
label = "类型列表"

[[enums]]
name = "Kind"
label = "类型"

[[enums.values]]
value = "UNKNOWN"
meaning = "未知：the wire value UNKNOWN, not the catch-all variant"

[[enums.values]]
value = "SELF"
meaning = "自身"

[[enums.values]]
value = "NONE"
meaning = "无"

[[operations]]
id = "match"
title = "匹配"
doc_id = "1"
updated = "2025.01.01"
method = "POST"
path = "/v3/options/{type}/items/{self}"
request_body = "Option"

[[operations.path_params]]
name = "type"
type = "string"
presence = "required"
label = "类型"
max_length = 16

[[operations.path_params]]
name = "self"
type = "enum"
ref = "Kind"
presence = "required"
label = "自身"

[[operations.query_params]]
name = "fn"
type = "integer"
presence = "optional"
label = "函数"
min = 1

[[operations.query_params]]
name = "ref"
type = "boolean"
presence = "required"
label = "引用"

[[operations.responses]]
status = 200
body = "String"

[[operations.errors]]
status = 400
code = "PARAM_ERROR"
description = "参数错误"
solution = "修正参数"
"#;

/// Two API families: the partner family (requests carry `brand_id`) and the brand family (the
/// brand signs; no `brand_id`), under short test prefixes.
pub const FAMILIES: &str = r#"[[families]]
id = "partner"
title = "服务商"
path_prefix = "/v3/partner/demo"
auth_scheme = "WECHATPAY2-SHA256-RSA2048"
brand_identity = "request_field"
brand_field = "brand_id"
rate_limit_dimension = "merchant"
wechatpay_serial_required = false
doc_base_url = "https://pay.weixin.qq.com/doc/v3/partner/"
client = "Client"
source = "test"

[[families]]
id = "brand"
title = "品牌直连"
path_prefix = "/brand/demo"
auth_scheme = "WECHATPAY-BRAND-SHA256-RSA2048"
brand_identity = "authorization"
rate_limit_dimension = "brand"
wechatpay_serial_required = true
doc_base_url = "https://pay.weixin.qq.com/doc/brand/"
module = "brand"
client = "BrandClient"
source = "test"
"#;
