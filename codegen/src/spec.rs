//! The spec format: what a maintainer writes in `api-spec/*.toml`.
//!
//! These types are the single definition of the format. `cargo xtask schema` derives
//! `api-spec/spec.schema.json` from them, and the loader deserializes every spec file into
//! [`SpecFile`] with unknown keys rejected. Values whose position matters for error messages
//! are wrapped in [`Sp`], which remembers the byte range they came from.
//!
//! Everything is an ordered list (`[[models]]`, `[[models.fields]]`, ...) rather than a map, so
//! the order in which the docs list fields is the order of the generated struct, and duplicate
//! names are reported by the validator with both locations.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::ops::Range;

/// A value together with the byte range of the spec file it was read from.
#[derive(Debug, Clone)]
pub struct Sp<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Sp { value, span }
    }
}

impl<T> std::ops::Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The toml deserializer recognises `Spanned` and fills in the byte range.
        let spanned = toml::Spanned::<T>::deserialize(deserializer)?;
        let span = spanned.span();
        Ok(Sp::new(spanned.into_inner(), span))
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// One file of the spec. A file may hold the service section, operations, models and enums in
/// any combination; the loader merges all files of `api-spec/`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// Facts about the whole API family. Exactly one file of the spec carries it.
    pub service: Option<Service>,
    /// Endpoints documented in this file (usually one per doc page).
    #[serde(default)]
    pub operations: Vec<Operation>,
    /// Object types: request bodies, responses and the shared models they reference.
    #[serde(default)]
    pub models: Vec<Model>,
    /// Enumerations, each value with its documented meaning.
    #[serde(default)]
    pub enums: Vec<EnumDef>,
    /// Event notifications (回调通知) WeChat Pay sends to the partner's notify URL.
    #[serde(default)]
    pub notifications: Vec<Notification>,
    /// API families: the same operations served under another path prefix with another
    /// authentication (服务商 vs 品牌直连). Without any, the spec is one family whose paths are
    /// the operations' own.
    #[serde(default)]
    pub families: Vec<Family>,
    /// Requests WeChat Pay's own example code sends, transcribed: tests of the spec that every
    /// constraint and rule must pass unless it is marked `disputed` by the example.
    #[serde(default)]
    pub official_examples: Vec<OfficialExample>,
    /// Typed ids: each names a type and the wire names whose string values are ids of that
    /// kind, so that an app cannot pass a brand id where an AppID is expected.
    #[serde(default)]
    pub ids: Vec<IdType>,
}

/// One kind of id (`OpenId`): a string the generated code gives a type of its own, wherever a
/// field or parameter of one of `fields` appears (models, requests, responses, parameters).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdType {
    /// PascalCase type name, e.g. `OpenId`.
    pub name: Sp<String>,
    /// The Chinese label the pages give it, e.g. `用户OpenID`.
    pub label: String,
    /// What the id identifies, for the type's docs.
    pub description: Option<String>,
    /// The wire names whose values are this id (`openid`; `appid`, `mini_program_appid`).
    pub fields: Vec<Sp<String>>,
}

/// A request WeChat Pay's official example code sends (the body, path and query values of one
/// example program), with its source file. `cargo xtask check` validates it against the spec
/// as its family's request: whatever it breaks must be marked `disputed` citing its `id`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficialExample {
    /// Unique kebab-case id, e.g. `brand-java-create-stock-bundle`; `disputed` marks cite it.
    pub id: Sp<String>,
    /// The operation it calls.
    pub operation: Sp<String>,
    /// The family it calls it in.
    pub family: Sp<String>,
    /// The example's language, e.g. `java`, `go`.
    pub language: String,
    /// Repository, path and line of the example program.
    pub source: String,
    /// Path parameters, by name.
    #[serde(default)]
    pub path_params: BTreeMap<String, String>,
    /// Query parameters, by name, as sent.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// The JSON body as the code serializes it (for an upload, the `meta` JSON).
    pub body: Option<Sp<String>>,
    /// For an upload: the file the code sends.
    pub upload_file: Option<String>,
    /// Why the program cannot run as written (it does not compile, so it sends nothing): its
    /// violations are shown by tests but need no `disputed` mark, and it is not sent in tests.
    pub not_runnable: Option<String>,
}

/// A constraint or rule that official material contradicts: clients warn and send instead of
/// refusing, and the sandbox enforces it while saying it is disputed. `by` names the official
/// examples that break it (`cargo xtask check` verifies that each does, so a mark cannot go
/// stale unnoticed).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disputed {
    /// Stable kebab-case id users name to silence the warning or refuse instead.
    pub id: Sp<String>,
    /// Ids of the official examples (`[[official_examples]]`) that break it.
    pub by: Sp<Vec<Sp<String>>>,
    /// Why the fact is disputed rather than simply wrong, in a sentence.
    pub reason: String,
}

/// A field constraint that official material contradicts (see [`Disputed`]).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputedConstraint {
    /// Which constraint of the field: `min_length`, `max_length`, `charset`, `min`, `max`,
    /// `min_items` or `max_items`.
    pub constraint: Sp<String>,
    /// Stable kebab-case id users name to silence the warning or refuse instead.
    pub id: Sp<String>,
    /// Ids of the official examples that break it.
    pub by: Sp<Vec<Sp<String>>>,
    /// Why the fact is disputed.
    pub reason: String,
}

/// One API family: who calls the operations, under which path prefix, signed how. Every
/// operation and model is described once; a family is its prefix, authentication and brand
/// identity plus the differences each operation records in `[[operations.families]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Family {
    /// snake_case id, e.g. `partner`, `brand`; operations name it in `[[operations.families]]`.
    pub id: Sp<String>,
    /// Who calls, e.g. `服务商`, `品牌直连`.
    pub title: String,
    /// The path every operation of the family starts with, e.g. `/brand/marketing/product-coupon`.
    /// An operation's `path` is written as the primary family's full path (as its page prints
    /// it); the part after the primary prefix is the sub-path every family shares.
    pub path_prefix: Sp<String>,
    /// The `Authorization` scheme token, e.g. `WECHATPAY-BRAND-SHA256-RSA2048`.
    pub auth_scheme: Sp<String>,
    /// How a request names the brand it acts for.
    pub brand_identity: Sp<BrandIdentity>,
    /// For `brand_identity = "request_field"`: the body field and query parameter naming the
    /// brand (`brand_id`). Families identified by the signer drop it from every request and
    /// response model and parameter list.
    pub brand_field: Option<Sp<String>>,
    /// What a 频率限制 counts: calls per merchant (`merchant`) or per brand (`brand`).
    pub rate_limit_dimension: RateLimitDimension,
    /// Whether every request must carry `Wechatpay-Serial` (the WeChat Pay public key id).
    pub wechatpay_serial_required: bool,
    /// The doc pages' base URL; an operation's `doc_id` is appended.
    pub doc_base_url: Sp<String>,
    /// The generated module of the family's client, operations and model variants, e.g.
    /// `brand`. Absent for the primary family, whose items are the crate's own (exactly one
    /// family has no module).
    pub module: Option<Sp<String>>,
    /// PascalCase name of the family's client type, e.g. `Client`, `BrandClient`.
    pub client: Sp<String>,
    /// Where these facts come from.
    pub source: String,
    /// Decisions taken where sources disagree about this family.
    #[serde(default)]
    pub decisions: Vec<String>,
}

/// How a family's requests name the brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BrandIdentity {
    /// In a body field / query parameter (`brand_field`), e.g. a 服务商 acting for a brand.
    RequestField,
    /// In the `Authorization` header only (the brand signs its own requests); sent nowhere else.
    Authorization,
}

/// What a family's 频率限制 counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitDimension {
    /// 商户号维度: calls of one merchant.
    Merchant,
    /// 品牌ID维度: calls of one brand.
    Brand,
}

/// An operation's membership of a family, with what differs there from the operation as
/// described (which is its primary family's page).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationFamily {
    /// The family's id.
    pub family: Sp<String>,
    /// The family's doc page id, when it differs from the operation's (or the page was found).
    pub doc_id: Option<String>,
    /// That page's 更新时间.
    pub updated: Option<String>,
    /// The sub-path in this family, when it differs from the primary family's.
    pub path: Option<Sp<String>>,
    /// The family's 频率限制, when its page gives one; otherwise the operation's applies.
    pub rate_limit: Option<RateLimit>,
    /// Where the membership and these facts come from.
    pub source: String,
    /// Decisions taken for this family (an inferred path, a missing page).
    #[serde(default)]
    pub decisions: Vec<String>,
}

/// A notification's event type in another family.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationFamily {
    /// The family's id.
    pub family: Sp<String>,
    /// The family's `event_type`, e.g. `PRODUCT_COUPON.SEND`.
    pub event_type: Sp<String>,
    /// Where it comes from.
    pub source: String,
    #[serde(default)]
    pub decisions: Vec<String>,
}

/// One notification event type: the envelope is the same for all, the decrypted `resource` is
/// the event's model.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// `event_type`, e.g. `PRODUCT_COUPON_SP.SEND`.
    pub event_type: Sp<String>,
    /// PascalCase name of the typed event, e.g. `ProductCouponSend`.
    pub name: Sp<String>,
    /// The doc page's title.
    pub title: String,
    /// The doc page id.
    pub doc_id: String,
    /// The envelope's `summary`, e.g. `商品券领券通知`.
    pub summary: Option<String>,
    /// `resource.original_type`, e.g. `product_coupon`.
    pub original_type: Option<String>,
    /// The model of the decrypted resource.
    pub resource: Sp<String>,
    pub description: Option<String>,
    /// Examples of the decrypted resource, verbatim.
    #[serde(default)]
    pub examples: Vec<Example>,
    /// Decisions taken where sources disagree.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// The event in families other than the primary one (absent: primary family only).
    #[serde(default)]
    pub families: Vec<NotificationFamily>,
}

/// How a list operation pages: the query parameters it takes and where the next page's
/// token and the items are in the response.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// Query parameter holding the page size (`page_size`).
    pub page_size: Sp<String>,
    /// Query parameter holding the page token (`page_token`).
    pub page_token: Sp<String>,
    /// Response field with the next page's token, absent on the last page (`next_page_token`).
    pub next_page_token: Sp<String>,
    /// Response field holding the page's items (an array).
    pub items: Sp<String>,
}

/// A multipart file upload (图片上传): the signature covers the `meta` JSON only.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// Name of the multipart part holding the file (`file`).
    pub file_field: String,
    /// Name of the multipart part holding the JSON meta (`meta`).
    pub meta_field: String,
    /// The model of the meta JSON (e.g. `{filename, sha256}`).
    pub meta: Sp<String>,
    /// Largest file accepted, in bytes.
    pub max_bytes: Sp<u64>,
    /// Accepted media types, e.g. `image/jpeg`, `image/png`.
    pub media_types: Vec<String>,
}

/// Service-wide facts.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Human title of the API family, e.g. `微信支付 商品券 (服务商)`.
    pub title: String,
    /// 主域名: `https://api.mch.weixin.qq.com`.
    pub primary_base_url: Sp<String>,
    /// 备域名: reached when the primary cannot be.
    pub backup_base_url: Sp<String>,
    /// Where these facts come from.
    pub source: Option<String>,
    /// Error codes shared by every endpoint (the general APIv3 error rules).
    #[serde(default)]
    pub errors: Vec<ErrorEntry>,
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Method {
    GET,
    POST,
    PUT,
    PATCH,
    DELETE,
}

/// One endpoint, transcribed from its doc page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// snake_case operation id; becomes the Rust function name and (kebab-cased) the CLI command.
    pub id: Sp<String>,
    /// The doc page's Chinese title, e.g. `添加商品券批次组`.
    pub title: String,
    /// The doc page id on pay.weixin.qq.com (`doc/v3/partner/<id>`).
    pub doc_id: String,
    /// The doc page's 更新时间, as printed (`2025.11.20`).
    pub updated: String,
    /// The page's introduction.
    pub description: Option<String>,
    pub method: Method,
    /// Path template; `{name}` placeholders must match `path_params`.
    pub path: Sp<String>,
    /// 支持商户, e.g. `普通服务商`.
    #[serde(default)]
    pub merchants: Vec<String>,
    /// 前置条件.
    #[serde(default)]
    pub preconditions: Vec<String>,
    /// 频率限制.
    pub rate_limit: Option<RateLimit>,
    /// HTTP request headers the page lists.
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub path_params: Vec<Field>,
    #[serde(default)]
    pub query_params: Vec<Field>,
    /// Name of the model sent as the JSON body.
    pub request_body: Option<Sp<String>>,
    /// For list operations: how pages are requested and found.
    pub pagination: Option<Pagination>,
    /// For file uploads: the multipart layout (instead of `request_body`).
    pub upload: Option<Upload>,
    /// Successful responses.
    #[serde(default)]
    pub responses: Vec<Response>,
    /// The page's 错误码 table, in page order.
    #[serde(default)]
    pub errors: Vec<ErrorEntry>,
    /// The page's request and response examples, verbatim.
    #[serde(default)]
    pub examples: Vec<Example>,
    /// Decisions taken where sources disagree about this operation.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// The families the operation exists in, each with its source and differences. Without
    /// entries, the operation is the primary family's only.
    #[serde(default)]
    pub families: Vec<OperationFamily>,
}

/// 频率限制 of one endpoint.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests per second allowed.
    pub per_second: Sp<u32>,
    /// The limit as the page words it (`20/s`).
    pub text: String,
}

/// A request header.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    pub required: bool,
    pub description: String,
}

/// A successful response.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// HTTP status, e.g. 200 or 204.
    pub status: Sp<u16>,
    /// The model of the JSON body; absent for responses without a body.
    pub body: Option<Sp<String>>,
    pub description: Option<String>,
}

/// One row of an error table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorEntry {
    /// 状态码.
    pub status: Sp<u16>,
    /// 错误码, e.g. `PARAM_ERROR`.
    pub code: Sp<String>,
    /// 描述.
    pub description: String,
    /// 解决方案.
    pub solution: String,
}

/// Whether an example is a request or a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExampleKind {
    Request,
    Response,
}

/// How the example text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExampleFormat {
    /// A curl command whose `-d '...'` argument is the JSON body; `#` starts a comment that
    /// runs to the end of the line (the doc annotates fields that way).
    Curl,
    /// A plain JSON document.
    Json,
}

/// A doc example, verbatim (without the page's line-number gutter).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub kind: ExampleKind,
    pub format: ExampleFormat,
    /// The example's heading on the page.
    pub title: String,
    /// Where it was copied from (doc id or file).
    pub source: String,
    /// For responses: the HTTP status it shows.
    pub status: Option<u16>,
    /// The text, exactly as the doc shows it.
    pub text: Sp<String>,
    /// For request examples that break the spec's validation on purpose: why. Without it, a
    /// request example must pass the generated validation (`cargo xtask check` says where it
    /// does not); with it, it must fail (a marker on an example that passes is stale).
    pub expect_invalid: Option<String>,
}

/// An object type.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// PascalCase name; becomes the Rust type name.
    pub name: Sp<String>,
    /// The Chinese 【label】 of the object, when the doc gives one.
    pub label: Option<String>,
    pub description: Option<String>,
    pub fields: Vec<Field>,
    /// Cross-field rules, checked by the generated validation.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Decisions taken where sources disagree about this model.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// Accessors reading one value from fields that sources name differently.
    #[serde(default)]
    pub accessors: Vec<Accessor>,
}

/// The type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    String,
    Integer,
    Boolean,
    /// An RFC 3339 date-time string, e.g. `2025-01-01T00:00:00+08:00`.
    Datetime,
    /// An amount of money in 分 (fen, 1/100 yuan), an integer.
    Amount,
    /// A nested object; `ref` names its model.
    Object,
    /// An enumeration; `ref` names it.
    Enum,
    /// A list; `items` gives the element type.
    Array,
}

/// Whether a field must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// 必填.
    Required,
    /// 选填.
    Optional,
    /// 条件必填: required under a condition, given in prose by `condition` and enforced by a rule.
    Conditional,
}

/// A field of a model, or a path or query parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Wire name, exactly as in the JSON.
    pub name: Sp<String>,
    #[serde(rename = "type")]
    pub ty: Sp<FieldType>,
    /// For `array`: the element type (`object` and `enum` elements name their type in `ref`).
    pub items: Option<Sp<FieldType>>,
    /// For `object`, `enum`, and arrays of them: the model or enum name.
    #[serde(rename = "ref")]
    pub reference: Option<Sp<String>>,
    pub presence: Sp<Presence>,
    /// For conditional fields: the doc's condition, e.g. `当usage_mode="PROGRESSIVE_BUNDLE"时必填`.
    pub condition: Option<String>,
    /// The Chinese 【label】.
    pub label: String,
    pub description: Option<String>,
    /// An example value.
    pub example: Option<serde_json::Value>,
    /// Minimum length in characters (strings).
    pub min_length: Option<Sp<u64>>,
    /// Maximum length in characters (strings); the doc's `string(40)`.
    pub max_length: Option<Sp<u64>>,
    /// Allowed characters as a bracket-less character class, e.g. `0-9A-Za-z_-`.
    pub charset: Option<Sp<String>>,
    /// Smallest allowed value (integers and amounts).
    pub min: Option<Sp<i64>>,
    /// Largest allowed value (integers and amounts).
    pub max: Option<Sp<i64>>,
    /// Fewest items (arrays).
    pub min_items: Option<Sp<u64>>,
    /// Most items (arrays).
    pub max_items: Option<Sp<u64>>,
    /// Decision taken where sources disagree about this field, and why.
    pub decision: Option<String>,
    /// Other documented shapes of the value (of each item, for arrays), when sources disagree:
    /// the field decodes whichever shape the server sends.
    pub alternatives: Option<Sp<Alternatives>>,
    /// Constraints of this field that official material contradicts: warned about, not refused.
    #[serde(default)]
    pub disputed: Vec<DisputedConstraint>,
    /// The families whose models have this field (default: every family). A field one family's
    /// official material sends and the other's does not; say where from in `decision`. The
    /// generator derives each family's model with exactly its fields.
    #[serde(default)]
    pub families: Vec<Sp<String>>,
}

/// Other documented shapes of an `object` field (or of an array's `object` items). The field
/// becomes an enum `name` with one variant per shape (the model first), decoded by trying each
/// in turn, so a response in any documented shape decodes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alternatives {
    /// PascalCase name of the generated enum, e.g. `FailedCode`.
    pub name: Sp<String>,
    /// The other shapes, as scalar types (`string`, `integer`, `boolean`).
    pub types: Sp<Vec<Sp<FieldType>>>,
    /// A string field of the model that a bare `string` shape stands for (e.g. `coupon_code`):
    /// the enum gets an accessor of that name returning it from either shape.
    pub key: Option<Sp<String>>,
}

/// A method on a model returning the first present of several fields that sources name
/// differently (`image_url` in one, `media_url` in another): users read one accessor whatever
/// the server sends.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Accessor {
    /// snake_case method name, e.g. `url`.
    pub name: Sp<String>,
    /// Optional string fields of the model, in order of preference.
    pub fields: Sp<Vec<Sp<String>>>,
    /// What the accessor returns.
    pub description: Option<String>,
}

/// A condition on the model the rule belongs to: either one test on a field (`field` with
/// exactly one of `equals`, `in`, `contains`, `present`), or a combination of conditions
/// (exactly one of `all`, `any`, `not`), nestable:
/// `when = { all = [{ field = "scope", equals = "ALL" }, { field = "usage_mode", equals = "SINGLE" }] }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Dotted path relative to the model, through objects only (`display_info.original_price`).
    pub field: Option<Sp<String>>,
    /// The field (an enum or string) has this value. An absent field has no value, so a
    /// condition with `equals`, `in` or `contains` on an absent field does not hold.
    pub equals: Option<Sp<String>>,
    /// The field has one of these values.
    #[serde(rename = "in")]
    pub one_of: Option<Sp<Vec<Sp<String>>>>,
    /// The field (an array) contains this value.
    pub contains: Option<Sp<String>>,
    /// The field is present (`true`) or absent (`false`).
    pub present: Option<Sp<bool>>,
    /// Every one of these conditions holds.
    pub all: Option<Sp<Vec<Sp<Condition>>>>,
    /// At least one of these conditions holds.
    pub any: Option<Sp<Vec<Sp<Condition>>>>,
    /// This condition does not hold.
    pub not: Option<Sp<Box<Sp<Condition>>>>,
}

/// A cross-field rule. `when` (optional) selects the requests it applies to; exactly one of the
/// assertions (`require`, `forbid`, `exactly_one_of`, `at_least_one_of`, `at_most_one_of`,
/// `assert`) says what must hold. Paths are relative to the model; a rule on a nested path is
/// checked only where the objects leading to it are present.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// What the rule says, in the doc's words.
    pub description: Sp<String>,
    pub when: Option<Sp<Condition>>,
    /// These fields must be present.
    pub require: Option<Sp<Vec<Sp<String>>>>,
    /// These fields must be absent.
    pub forbid: Option<Sp<Vec<Sp<String>>>>,
    /// Exactly one of these fields must be present.
    pub exactly_one_of: Option<Sp<Vec<Sp<String>>>>,
    /// At least one of these fields must be present.
    pub at_least_one_of: Option<Sp<Vec<Sp<String>>>>,
    /// At most one of these fields may be present.
    pub at_most_one_of: Option<Sp<Vec<Sp<String>>>>,
    /// This condition must hold.
    pub assert: Option<Sp<Condition>>,
    /// Where the rule comes from.
    pub source: Option<String>,
    /// Set when official material contradicts the rule: clients warn and send instead of
    /// refusing (see [`Disputed`]).
    pub disputed: Option<Disputed>,
}

/// An enumeration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumDef {
    /// PascalCase name; becomes the Rust type name.
    pub name: Sp<String>,
    /// The Chinese label of the enumeration.
    pub label: Option<String>,
    pub description: Option<String>,
    pub values: Vec<EnumValue>,
    /// Decisions taken where sources disagree about this enum.
    #[serde(default)]
    pub decisions: Vec<String>,
}

/// One value of an enumeration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The wire value, e.g. `PROGRESSIVE_BUNDLE`.
    pub value: Sp<String>,
    /// What it means, e.g. `多次优惠模式(阶梯模式)`.
    pub meaning: String,
    /// Where the value comes from, when not from the seed documents.
    pub source: Option<String>,
}
