//! Snapshots of the generator's output: one small spec per feature (the real spec's output is
//! the committed generated code, checked fresh by `cargo xtask codegen --check`).
//!
//! A change to the generator (or to the real spec) that changes the output fails these tests
//! until the new output is reviewed and accepted:
//!
//! ```text
//! INSTA_UPDATE=always cargo test -p wechatpay-codegen --test snapshots   # or: cargo insta review
//! git diff codegen/tests/snapshots/
//! ```
//!
//! Each feature test snapshots only the files that feature shows up in, so a snapshot stays
//! short enough to read.

mod support;

use support::{file, generate};

/// Snapshots `paths` of the output of the service file plus `files`, as `<name>__<file stem>`.
fn snapshot_files(name: &str, files: &[(&str, &str)], paths: &[&str]) {
    let out = generate(files);
    for path in paths {
        let stem = path.rsplit('/').next().expect("a path").trim_end_matches(".rs");
        insta::assert_snapshot!(format!("{name}__{stem}"), file(&out, path));
    }
}

const MODELS: &str = "src/generated/models.rs";
const BUILDERS: &str = "src/generated/builders.rs";
const VALIDATION: &str = "src/generated/validation.rs";
const OPERATIONS: &str = "src/generated/operations.rs";
const ERRORS: &str = "src/generated/errors.rs";
/// The CLI's command table (in `cli/`).
const CLI_TABLE: &str = "src/generated.rs";

#[test]
fn open_enum_with_unknown() {
    let spec = r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "state"
type = "enum"
ref = "CouponState"
presence = "required"
label = "券状态"

[[enums]]
name = "CouponState"
label = "券状态"
description = "券在其生命周期中的状态。"

[[enums.values]]
value = "SENDABLE"
meaning = "可发放"

[[enums.values]]
value = "PAUSED_SENDING"
meaning = "暂停发放：可恢复"

[[enums.values]]
value = "UNKNOWN"
meaning = "a documented value spelled like the catch-all"

[[enums.values]]
value = "404"
meaning = "starts with a digit"
"#;
    snapshot_files("open_enum", &[("models/coupon.toml", spec)], &[MODELS, VALIDATION]);
}

#[test]
fn nested_object() {
    let spec = r#"[[models]]
name = "Coupon"
label = "券"

[[models.fields]]
name = "display_info"
type = "object"
ref = "DisplayInfo"
presence = "required"
label = "展示信息"

[[models.fields]]
name = "extra_info"
type = "object"
ref = "DisplayInfo"
presence = "optional"
label = "额外信息"

[[models.fields]]
name = "entries"
type = "array"
items = "object"
ref = "Entry"
presence = "required"
label = "入口列表"
min_items = 1

[[models]]
name = "DisplayInfo"
label = "展示信息"

[[models.fields]]
name = "title"
type = "string"
presence = "required"
label = "标题"
max_length = 12

[[models]]
name = "Entry"
label = "入口"

[[models.fields]]
name = "path"
type = "string"
presence = "optional"
label = "路径"
"#;
    snapshot_files("nested_object", &[("models/coupon.toml", spec)], &[MODELS, BUILDERS, VALIDATION]);
}

#[test]
fn optional_and_required_fields() {
    let spec = r#"[[models]]
name = "Stock"
label = "批次"

[[models.fields]]
name = "stock_name"
type = "string"
presence = "required"
label = "批次名称"
min_length = 1
max_length = 20
charset = "0-9A-Za-z_-"

[[models.fields]]
name = "remark"
type = "string"
presence = "optional"
label = "备注"

[[models.fields]]
name = "max_count"
type = "integer"
presence = "required"
label = "发放总上限"
min = 1
max = 1000000000

[[models.fields]]
name = "discount_amount"
type = "amount"
presence = "optional"
label = "优惠金额"
min = 1

[[models.fields]]
name = "begin_time"
type = "datetime"
presence = "required"
label = "开始时间"
example = "2025-01-01T00:00:00+08:00"

[[models.fields]]
name = "enabled"
type = "boolean"
presence = "optional"
label = "是否启用"

[[models.fields]]
name = "tags"
type = "array"
items = "string"
presence = "optional"
label = "标签"
max_items = 5

[[models.fields]]
name = "periods"
type = "array"
items = "datetime"
presence = "required"
label = "时间点"
"#;
    snapshot_files("optional_and_required", &[("models/stock.toml", spec)], &[MODELS, BUILDERS, VALIDATION]);
}

#[test]
fn conditional_field_with_rules() {
    let spec = r#"[[models]]
name = "CreateCouponRequest"
label = "创建券"

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
name = "stock"
type = "object"
ref = "Bundle"
presence = "conditional"
condition = "当usage_mode=\"SINGLE\"时必填"
label = "批次"

[[models.fields]]
name = "methods"
type = "array"
items = "enum"
ref = "UsageMethod"
presence = "optional"
label = "使用方式"

[[models.fields]]
name = "mini_program_path"
type = "string"
presence = "conditional"
condition = "当methods包含\"MINI_PROGRAM\"时必填"
label = "小程序路径"

[[models.rules]]
description = "多次优惠时必填批次组"
when = { field = "usage_mode", equals = "PROGRESSIVE_BUNDLE" }
require = ["stock_bundle"]

[[models.rules]]
description = "单次优惠时不能填写批次组"
when = { field = "usage_mode", equals = "SINGLE" }
forbid = ["stock_bundle"]

[[models.rules]]
description = "批次与批次组必须且只能填写一个"
exactly_one_of = ["stock", "stock_bundle"]

[[models.rules]]
description = "批次组的备注只能是甲或乙"
assert = { field = "stock_bundle.remark", in = ["甲", "乙"] }

[[models.rules]]
description = "使用方式包含小程序时必填小程序路径"
when = { field = "methods", contains = "MINI_PROGRAM" }
require = ["mini_program_path"]

[[models.rules]]
description = "填写批次组时必须填写其备注"
when = { field = "stock_bundle", present = true }
require = ["stock_bundle.remark"]

[[models]]
name = "Bundle"
label = "批次组"

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

[[enums]]
name = "UsageMethod"

[[enums.values]]
value = "MINI_PROGRAM"
meaning = "小程序"

[[enums.values]]
value = "APP"
meaning = "App"
"#;
    snapshot_files("conditional_rules", &[("models/create_coupon.toml", spec)], &[MODELS, VALIDATION]);
}

#[test]
fn path_and_query_parameters() {
    let models = r#"[[models]]
name = "Coupon"

[[models.fields]]
name = "coupon_id"
type = "string"
presence = "required"
label = "券ID"

[[enums]]
name = "CouponState"

[[enums.values]]
value = "SENDABLE"
meaning = "可发放"
"#;
    let endpoint = r#"[[operations]]
id = "get_coupon"
title = "查询券"
doc_id = "4012345678"
updated = "2025.11.20"
description = "查询一张券。"
method = "GET"
path = "/v3/brands/{brand_id}/coupons/{coupon_id}"
merchants = ["普通服务商"]
rate_limit = { per_second = 100, text = "100/s" }

[[operations.path_params]]
name = "brand_id"
type = "string"
presence = "required"
label = "品牌ID"
max_length = 32

[[operations.path_params]]
name = "coupon_id"
type = "integer"
presence = "required"
label = "券ID"
min = 1

[[operations.query_params]]
name = "state"
type = "enum"
ref = "CouponState"
presence = "optional"
label = "券状态"

[[operations.query_params]]
name = "limit"
type = "integer"
presence = "required"
label = "分页大小"
min = 1
max = 50

[[operations.query_params]]
name = "cursor"
type = "string"
presence = "optional"
label = "游标"
max_length = 64

[[operations.responses]]
status = 200
body = "Coupon"

[[operations.errors]]
status = 404
code = "NOT_FOUND"
description = "券不存在"
solution = "确认券ID"
"#;
    snapshot_files(
        "path_and_query",
        &[("models/coupon.toml", models), ("endpoints/get_coupon.toml", endpoint)],
        &[OPERATIONS, ERRORS, CLI_TABLE],
    );
}

/// A response documented in two shapes by different sources: a list whose items are objects
/// or bare strings (an enum with a key accessor), and a value under two names (an accessor).
const SHAPES: &str = r#"[[models]]
name = "UploadResult"
accessors = [{ name = "url", fields = ["image_url", "media_url"], description = "The image URL, whichever name the server used." }]

[[models.fields]]
name = "failed_code_list"
type = "array"
items = "object"
ref = "FailedCouponCode"
presence = "optional"
label = "失败的券Code"
decision = "objects in the official models, strings in the third-party YAML"
alternatives = { name = "FailedCode", types = ["string"], key = "coupon_code" }

[[models.fields]]
name = "image_url"
type = "string"
presence = "optional"
label = "图片URL"

[[models.fields]]
name = "media_url"
type = "string"
presence = "optional"
label = "媒体文件URL"

[[models]]
name = "FailedCouponCode"

[[models.fields]]
name = "coupon_code"
type = "string"
presence = "required"
label = "券Code"
max_length = 32

[[models.fields]]
name = "message"
type = "string"
presence = "optional"
label = "失败原因"
"#;

#[test]
fn alternatives_and_accessors() {
    snapshot_files("alternatives_and_accessors", &[("models/shapes.toml", SHAPES)], &[MODELS, VALIDATION]);
}

#[test]
fn keyword_names() {
    snapshot_files(
        "keyword_names",
        &[("keywords.toml", support::KEYWORDS)],
        &[MODELS, BUILDERS, VALIDATION, OPERATIONS],
    );
}

/// Two families (a partner family sending `brand_id`, a brand family naming the brand in the
/// Authorization header, a field only the brand's pages list): the generic model and its
/// family aliases, the family markers, each family's operations, request enum and notifications,
/// the CLI's command table and the sandbox's handler and family answers.
///
/// The real spec's output is not snapshotted: it is committed (`generated-client/src/generated/`
/// and the other generated files), `cargo xtask codegen --check` keeps it fresh, and a spec change
/// shows up there once; these small specs guard each emitter.
#[test]
fn two_families() {
    let files = [("families.toml", support::FAMILIES), ("items.toml", FAMILY_ITEMS)];
    let out = generate(&files);
    for path in [
        "src/generated/validation.rs",
        "src/generated/clients.rs",
        "src/generated/public.rs",
        "src/generated/families.rs",
        "src/generated/models.rs",
        "src/generated/builders.rs",
        "src/generated/requests.rs",
        "src/generated/notifications.rs",
        "src/generated/brand/models.rs",
        "src/generated/brand/builders.rs",
        "src/generated/brand/operations.rs",
        "src/generated/brand/requests.rs",
        "src/generated/brand/notifications.rs",
    ] {
        let stem = path.trim_start_matches("src/generated/").trim_end_matches(".rs").replace('/', "_");
        insta::assert_snapshot!(format!("two_families__{stem}"), file(&out, path));
    }
    for (krate, path, stem) in [
        ("cli", "src/generated.rs", "cli"),
        ("sandbox", "src/generated/handler.rs", "sandbox_handler"),
        ("sandbox", "src/generated/families.rs", "sandbox_families"),
    ] {
        let f = out
            .iter()
            .find(|f| f.crate_dir == krate && f.path == path)
            .unwrap_or_else(|| panic!("no {krate}/{path} generated"));
        insta::assert_snapshot!(format!("two_families__{stem}"), &f.contents);
    }
}

const FAMILY_ITEMS: &str = r#"[[models]]
name = "Item"

[[models.fields]]
name = "out_request_no"
type = "string"
presence = "required"
label = "请求单号"
min_length = 6
max_length = 40

[[models.fields]]
name = "brand_id"
type = "string"
presence = "required"
label = "品牌ID"
min_length = 1
max_length = 32

[[models.fields]]
name = "size"
type = "object"
ref = "Size"
presence = "optional"
label = "尺寸"

[[models]]
name = "Size"

[[models.fields]]
name = "width"
type = "integer"
presence = "required"
label = "宽"

[[models.fields]]
name = "special_first"
type = "boolean"
presence = "optional"
label = "首次特殊"
families = ["brand"]

[[models]]
name = "Label"

[[models.fields]]
name = "text"
type = "string"
presence = "required"
label = "文字"

[[operations]]
id = "create_item"
title = "创建"
doc_id = "1"
updated = "2025.01.01"
method = "POST"
path = "/v3/partner/demo/items"
request_body = "Item"

[[operations.responses]]
status = 200
body = "Item"

[[operations.families]]
family = "partner"
source = "test"

[[operations.families]]
family = "brand"
doc_id = "2"
updated = "2025.02.02"
source = "test"

[[operations]]
id = "get_item"
title = "查询"
doc_id = "3"
updated = "2025.01.01"
method = "GET"
path = "/v3/partner/demo/items/{item_id}"

[[operations.path_params]]
name = "item_id"
type = "string"
presence = "required"
label = "ID"

[[operations.query_params]]
name = "brand_id"
type = "string"
presence = "required"
label = "品牌ID"

[[operations.responses]]
status = 200
body = "Label"

[[operations.families]]
family = "partner"
source = "test"

[[operations.families]]
family = "brand"
doc_id = "4"
updated = "2025.02.02"
source = "test"
"#;
