//! The validated intermediate representation: names resolved, references checked, Rust
//! identifiers chosen. Emitters read only this, never the raw spec.

use crate::spec::{BrandIdentity, ExampleKind, Method, Presence, RateLimitDimension};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A Rust identifier chosen for a spec name. Never a keyword and never raw: a wire name that is
/// a Rust keyword gets a trailing underscore (`type` -> `type_`), so every setter and field of
/// the public API can be written as it reads (`.type_(..)`, not `.r#type(..)`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RustIdent {
    pub name: String,
    /// The name is a keyword with its underscore (`type_`); names derived from it use the
    /// keyword itself (`validate_match`, not `validate_match_`).
    pub escaped: bool,
}

impl RustIdent {
    /// A name that is not a keyword.
    pub fn plain(name: impl Into<String>) -> Self {
        RustIdent { name: name.into(), escaped: false }
    }

    /// A keyword `keyword` as a name: `type` -> `type_`.
    pub fn escaped(keyword: &str) -> Self {
        RustIdent { name: format!("{keyword}_"), escaped: true }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// A name derived from this one (`validate_{}`), from the keyword itself when this one is
    /// an escaped keyword.
    pub fn derived(&self, make: impl FnOnce(&str) -> String) -> RustIdent {
        let base = if self.escaped { self.name.strip_suffix('_').unwrap_or(&self.name) } else { &self.name };
        RustIdent::plain(make(base))
    }
}

/// As written in Rust source, for messages.
impl fmt::Display for RustIdent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[derive(Debug, Clone)]
pub struct Ir {
    pub service: ServiceIr,
    /// Models by name; a sorted map, so emission order never depends on file or map order.
    pub models: BTreeMap<String, ModelIr>,
    pub enums: BTreeMap<String, EnumIr>,
    /// Operations sorted by id.
    pub operations: Vec<OperationIr>,
    /// Every documented error code, with the rows that document it.
    pub error_codes: BTreeMap<String, Vec<ErrorIr>>,
    /// Notification event types, sorted by event type.
    pub notifications: Vec<NotificationIr>,
    /// Enums of fields documented in several shapes, by name.
    pub alternatives: BTreeMap<String, AlternativesIr>,
    /// Models whose validation can find something (constraints, rules, enums, date-times, or
    /// a nested model in this set); the others get an empty `Validate` and are not descended into.
    /// Keys of family variants (`brand::X`) included.
    pub validated_models: BTreeSet<String>,
    /// The API families, the primary one (whose operations, models and notifications are the
    /// fields above) first. One implicit family when the spec declares none.
    pub families: Vec<FamilyIr>,
    /// Models emitted elsewhere that this IR's items may still name: in a family's view (see
    /// [`Ir::family_view`]) the shared models; otherwise every family's variants.
    pub other_models: BTreeMap<String, ModelIr>,
    /// Requests of WeChat Pay's example code, checked against the spec.
    pub official_examples: Vec<crate::official::OfficialExampleIr>,
    /// The typed ids, sorted by name.
    pub ids: Vec<IdIr>,
}

/// A kind of id with a Rust type of its own (see `spec::IdType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdIr {
    pub name: String,
    pub label: String,
    pub description: Option<String>,
    /// The wire names whose values are this id, sorted.
    pub fields: Vec<String>,
}

impl Ir {
    /// Whether validating a value of model `name` can find anything.
    pub fn needs_validation(&self, name: &str) -> bool {
        self.validated_models.contains(name)
    }

    /// A model by key (`X`, or a family variant `brand::X`), wherever it is emitted.
    pub fn model(&self, key: &str) -> Option<&ModelIr> {
        self.models.get(key).or_else(|| self.other_models.get(key))
    }

    /// The primary family.
    pub fn primary_family(&self) -> Option<&FamilyIr> {
        self.families.first()
    }

    /// The typed id whose `fields` list `wire`.
    pub fn id_for_wire(&self, wire: &str) -> Option<&IdIr> {
        self.ids.iter().find(|id| id.fields.iter().any(|f| f == wire))
    }

    /// The families with a module of their own (all but the primary).
    pub fn secondary_families(&self) -> impl Iterator<Item = &FamilyIr> {
        self.families.iter().skip(1)
    }

    /// The IR as a secondary family's module sees it: its operations, its model variants (to
    /// emit) and its notifications; enums and alternatives stay with the shared models, which
    /// are reachable through [`Ir::model`].
    pub fn family_view(&self, family: &FamilyIr) -> Ir {
        let mut other_models = self.models.clone();
        other_models.extend(self.other_models.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ir {
            service: self.service.clone(),
            models: family.variants.clone(),
            enums: BTreeMap::new(),
            operations: family.operations.clone(),
            error_codes: self.error_codes.clone(),
            notifications: family.notifications.clone(),
            alternatives: BTreeMap::new(),
            validated_models: self.validated_models.clone(),
            families: vec![family.clone()],
            other_models,
            official_examples: self.official_examples.iter().filter(|e| e.family == family.id).cloned().collect(),
            // The id types are the crate's, emitted once with the primary family's items; the
            // view keeps them for naming the brand field's type.
            ids: self.ids.clone(),
        }
    }
}

/// One API family (see `spec::Family`).
#[derive(Debug, Clone)]
pub struct FamilyIr {
    pub id: String,
    pub title: String,
    pub path_prefix: String,
    pub auth_scheme: String,
    pub brand_identity: BrandIdentity,
    /// The field / parameter naming the brand, for `RequestField` families.
    pub brand_field: Option<String>,
    pub rate_limit_dimension: RateLimitDimension,
    pub wechatpay_serial_required: bool,
    pub doc_base_url: String,
    /// The generated module; `None` for the primary family.
    pub module: Option<String>,
    /// The client type the family's call functions are methods of.
    pub client: String,
    /// Wire names dropped from this family's models and parameters: the brand fields of the
    /// families that send one, when this family names the brand in the Authorization header.
    pub dropped_fields: BTreeSet<String>,
    /// Models that (transitively) contain a dropped field, without it: keyed `module::Name`.
    /// Every other model is shared. Empty for the primary family.
    pub variants: BTreeMap<String, ModelIr>,
    /// The family's operations (for the primary family, [`Ir::operations`] instead).
    pub operations: Vec<OperationIr>,
    /// The family's notification events (for the primary family, [`Ir::notifications`]).
    pub notifications: Vec<NotificationIr>,
}

impl FamilyIr {
    /// The 频率限制 dimension as the pages word it.
    pub fn dimension_words(&self) -> &'static str {
        match self.rate_limit_dimension {
            RateLimitDimension::Merchant => "商户号维度",
            RateLimitDimension::Brand => "品牌ID维度",
        }
    }
}

/// An operation's family, as its emitted items need it.
#[derive(Debug, Clone)]
pub struct OperationFamilyIr {
    pub id: String,
    pub title: String,
    pub path_prefix: String,
    pub auth_scheme: String,
    pub rate_limit_dimension: RateLimitDimension,
    /// `商户号维度` / `品牌ID维度`.
    pub dimension_words: String,
    /// The client type (`Client`, `BrandClient`).
    pub client: String,
    /// The family's doc page of the operation, when known.
    pub doc_url: Option<String>,
    /// The rate limit is the primary family's (no page of this family gives one).
    pub rate_limit_inherited: bool,
    /// Whether the family has a module of its own.
    pub secondary: bool,
    /// That module (`brand`).
    pub module: Option<String>,
}

/// Models whose validation can find something: every model, since any may hold fields the spec
/// does not know (reported as warnings), besides constraints, rules, enums and date-times.
pub fn validated_models(models: &BTreeMap<String, ModelIr>) -> BTreeSet<String> {
    models.values().map(|m| m.name.clone()).collect()
}

/// Whether checking a value of type `ty` with constraints `c` can find anything, given the
/// models known to need validation.
pub fn type_needs(ty: &TypeIr, c: &Constraints, needs: &BTreeSet<String>) -> bool {
    !c.is_empty()
        || match ty {
            TypeIr::DateTime | TypeIr::Enum(_) => true,
            TypeIr::Model(name) => needs.contains(name),
            TypeIr::Alternatives(alt) => needs.contains(&alt.model),
            TypeIr::Array(inner) => type_needs(inner, &Constraints::default(), needs),
            TypeIr::String | TypeIr::Integer | TypeIr::Amount | TypeIr::Boolean => false,
        }
}

#[derive(Debug, Clone)]
pub struct NotificationIr {
    pub event_type: String,
    pub name: String,
    pub title: String,
    pub doc_id: String,
    pub summary: Option<String>,
    pub original_type: Option<String>,
    pub resource: String,
    pub description: Option<String>,
    pub examples: Vec<ExampleIr>,
    /// The doc page; `None` when the family's page was not found.
    pub doc_url: Option<String>,
}

/// A response field used by pagination.
#[derive(Debug, Clone)]
pub struct ResponseField {
    pub rust: RustIdent,
    pub optional: bool,
}

#[derive(Debug, Clone)]
pub struct PaginationIr {
    /// Wire name of the page-token query parameter.
    pub page_token: String,
    /// Wire name of the page-size query parameter.
    pub page_size: String,
    pub next_page_token: ResponseField,
    pub items: ResponseField,
    /// The element type of the items array.
    pub item: TypeIr,
}

#[derive(Debug, Clone)]
pub struct UploadIr {
    pub file_field: String,
    pub meta_field: String,
    pub meta: String,
    pub max_bytes: u64,
    pub media_types: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ServiceIr {
    pub title: String,
    pub primary_base_url: String,
    pub backup_base_url: String,
}

#[derive(Debug, Clone)]
pub struct ModelIr {
    pub name: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub fields: Vec<FieldIr>,
    pub rules: Vec<RuleIr>,
    /// Maintainers' notes on the transcription; never in the generated docs.
    pub decisions: Vec<String>,
    pub accessors: Vec<AccessorIr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeIr {
    String,
    Integer,
    Boolean,
    DateTime,
    Amount,
    Model(String),
    Enum(String),
    Array(Box<TypeIr>),
    /// A value documented in several shapes: a model or one of some scalars.
    Alternatives(Box<AlternativesIr>),
}

/// The shapes of a field documented differently by different sources (see `spec::Alternatives`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlternativesIr {
    /// The generated enum.
    pub name: String,
    /// The object shape's model.
    pub model: String,
    /// The scalar shapes (`String`, `Integer`, `Boolean`), in spec order.
    pub others: Vec<TypeIr>,
    /// The model's string field a bare string stands for.
    pub key: Option<AlternativesKey>,
    /// The field's label, for the enum's docs.
    pub label: String,
    /// Why the field has several shapes: a maintainer's note, kept out of the generated docs.
    pub decision: Option<String>,
    /// The enum's accessor for the object shape (`as_stock_bundle`).
    pub as_model: RustIdent,
}

/// The string field of an alternatives' model that a bare string stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlternativesKey {
    pub rust: RustIdent,
    pub optional: bool,
}

/// A model method returning the first present of several optional string fields.
#[derive(Debug, Clone)]
pub struct AccessorIr {
    pub name: RustIdent,
    pub description: Option<String>,
    /// The fields, in order of preference.
    pub fields: Vec<AccessorField>,
}

#[derive(Debug, Clone)]
pub struct AccessorField {
    pub rust: RustIdent,
    pub wire: String,
}

/// A `charset` constraint: inclusive character ranges, and the spec's text for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charset {
    pub ranges: Vec<(char, char)>,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Constraints {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub charset: Option<Charset>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// Constraints that official material contradicts, by constraint name (`max_length`, ...):
    /// their violations are warnings, not refusals.
    pub disputed: BTreeMap<String, DisputeIr>,
}

/// A disputed constraint or rule (see `spec::Disputed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeIr {
    /// The stable id users name in a `Screening`.
    pub id: String,
    /// The official examples that break it.
    pub by: Vec<String>,
    /// Why it is disputed.
    pub reason: String,
}

impl DisputeIr {
    /// What generated code and messages say disputes it.
    pub fn text(&self) -> String {
        format!("{} (WeChat Pay's example code sends such requests: {})", self.reason, self.by.join(", "))
    }
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        self.min_length.is_none()
            && self.max_length.is_none()
            && self.charset.is_none()
            && self.min.is_none()
            && self.max.is_none()
            && self.min_items.is_none()
            && self.max_items.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct FieldIr {
    pub wire: String,
    pub rust: RustIdent,
    pub ty: TypeIr,
    pub presence: Presence,
    pub condition: Option<String>,
    pub label: String,
    pub description: Option<String>,
    pub example: Option<serde_json::Value>,
    pub constraints: Constraints,
    /// A maintainer's note on how the field was transcribed; never in the generated docs.
    pub decision: Option<String>,
    /// The families whose models have the field; `None` for every family.
    pub families: Option<BTreeSet<String>>,
    /// The field leads back to its own model through objects only (`A.child: A`, or
    /// `A.b: B` with `B.a: A`): it is stored in a `Box`, or the struct would have no size.
    pub boxed: bool,
    /// The typed id (`OpenId`) a string field (or each string of a list) holds; validation,
    /// the wire and every other tool still see a string.
    pub id: Option<String>,
}

impl FieldIr {
    /// Whether the Rust field is an `Option`.
    pub fn is_option(&self) -> bool {
        self.presence != Presence::Required
    }
}

/// One step of a dotted rule path.
#[derive(Debug, Clone)]
pub struct PathStep {
    pub wire: String,
    pub rust: RustIdent,
    pub optional: bool,
}

#[derive(Debug, Clone)]
pub struct FieldPath {
    pub steps: Vec<PathStep>,
    /// The type at the end of the path.
    pub leaf: TypeIr,
}

impl FieldPath {
    pub fn dotted(&self) -> String {
        self.steps.iter().map(|s| s.wire.as_str()).collect::<Vec<_>>().join(".")
    }
}

#[derive(Debug, Clone)]
pub enum Test {
    Equals(String),
    In(Vec<String>),
    Contains(String),
    Present(bool),
}

#[derive(Debug, Clone)]
pub struct ConditionIr {
    pub path: FieldPath,
    pub test: Test,
}

impl ConditionIr {
    /// The condition in words, for messages: `usage_mode = "PROGRESSIVE_BUNDLE"`.
    pub fn describe(&self) -> String {
        let p = self.path.dotted();
        match &self.test {
            Test::Equals(v) => format!("{p} = {v:?}"),
            Test::In(vs) => format!("{p} in {vs:?}"),
            Test::Contains(v) => format!("{p} contains {v:?}"),
            Test::Present(true) => format!("{p} is present"),
            Test::Present(false) => format!("{p} is absent"),
        }
    }
}

/// A rule's condition: one test on a field, or a combination of conditions.
///
/// Conditions have three values, like the generated code: a test on a field whose parent object
/// is absent is unknown (`None`), `all`/`any`/`not` combine them as Kleene logic does, and a
/// rule applies only where its `when` is known to hold.
#[derive(Debug, Clone)]
pub enum WhenIr {
    Test(ConditionIr),
    All(Vec<WhenIr>),
    Any(Vec<WhenIr>),
    Not(Box<WhenIr>),
}

impl WhenIr {
    /// The condition in words, for messages: `scope = "ALL" and usage_mode = "SINGLE"`.
    pub fn describe(&self) -> String {
        let inner = |w: &WhenIr| match w {
            WhenIr::All(v) | WhenIr::Any(v) if v.len() > 1 => format!("({})", w.describe()),
            _ => w.describe(),
        };
        match self {
            WhenIr::Test(c) => c.describe(),
            WhenIr::All(v) => v.iter().map(inner).collect::<Vec<_>>().join(" and "),
            WhenIr::Any(v) => v.iter().map(inner).collect::<Vec<_>>().join(" or "),
            WhenIr::Not(w) => format!("not {}", inner(w)),
        }
    }

    /// The first field the condition tests: where a broken `assert` is reported.
    /// (Lowering rejects empty `all`/`any`, so it is `None` only for IR built by hand.)
    pub fn first_path(&self) -> Option<&FieldPath> {
        match self {
            WhenIr::Test(c) => Some(&c.path),
            WhenIr::All(v) | WhenIr::Any(v) => v.first().and_then(WhenIr::first_path),
            WhenIr::Not(w) => w.first_path(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum AssertionIr {
    Require(Vec<FieldPath>),
    Forbid(Vec<FieldPath>),
    ExactlyOneOf(Vec<FieldPath>),
    AtLeastOneOf(Vec<FieldPath>),
    AtMostOneOf(Vec<FieldPath>),
    Holds(WhenIr),
}

#[derive(Debug, Clone)]
pub struct RuleIr {
    pub description: String,
    pub when: Option<WhenIr>,
    pub assertion: AssertionIr,
    /// Set when official material contradicts the rule.
    pub disputed: Option<DisputeIr>,
}

#[derive(Debug, Clone)]
pub struct EnumIr {
    pub name: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub values: Vec<EnumValueIr>,
}

#[derive(Debug, Clone)]
pub struct EnumValueIr {
    pub wire: String,
    pub variant: RustIdent,
    pub meaning: String,
}

#[derive(Debug, Clone)]
pub enum PathSegment {
    Literal(String),
    Param(String),
}

#[derive(Debug, Clone)]
pub struct ErrorIr {
    pub status: u16,
    pub code: String,
    pub description: String,
    pub solution: String,
}

#[derive(Debug, Clone)]
pub struct ExampleIr {
    pub kind: ExampleKind,
    pub title: String,
    pub source: String,
    pub status: Option<u16>,
    /// The JSON document inside the example (comments removed for curl examples).
    pub json: String,
    /// The model it is an instance of.
    pub model: Option<String>,
    /// For request examples that break validation on purpose: why.
    pub expect_invalid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OperationIr {
    pub id: String,
    pub title: String,
    pub doc_id: String,
    pub updated: String,
    pub description: Option<String>,
    pub method: Method,
    pub path: String,
    pub segments: Vec<PathSegment>,
    pub merchants: Vec<String>,
    pub preconditions: Vec<String>,
    pub rate_limit: Option<RateLimitIr>,
    pub path_params: Vec<FieldIr>,
    pub query_params: Vec<FieldIr>,
    pub request_body: Option<String>,
    pub response: Option<ResponseIr>,
    pub errors: Vec<ErrorIr>,
    pub examples: Vec<ExampleIr>,
    pub pagination: Option<PaginationIr>,
    pub upload: Option<UploadIr>,
    /// Every Rust name generated for the operation, chosen once.
    pub names: OperationNames,
    /// The request body field that makes a retry safe (`out_request_no`, `send_request_no`,
    /// `task_id`), when the body has it as a required field.
    pub idempotency_key: Option<String>,
    /// Where the request names the brand it acts for (`brand_id`), if it does.
    pub brand_param: Option<BrandParam>,
    /// The family this operation item belongs to.
    pub family: OperationFamilyIr,
    /// The path without the family's prefix, shared by every family.
    pub sub_path: String,
}

impl OperationIr {
    /// The body model of the successful response, if it has one.
    pub fn response_model(&self) -> Option<&str> {
        self.response.as_ref().and_then(|r| r.body.as_deref())
    }

    /// The documented success status (200 when the spec gives no response).
    pub fn success_status(&self) -> u16 {
        self.response.as_ref().map_or(200, |r| r.status)
    }
}

/// The successful response of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseIr {
    pub status: u16,
    /// The body's model; `None` for an empty body (204).
    pub body: Option<String>,
}

/// 频率限制: the number the runtime and sandbox use, and the page's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitIr {
    pub per_second: u32,
    pub text: String,
}

/// Where an operation's brand parameter is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrandParam {
    /// A top-level field of the JSON body.
    Body(String),
    /// A query parameter.
    Query(String),
    /// A path parameter.
    Path(String),
}

/// The Rust names of one operation, derived from its id and parameters in one place.
#[derive(Debug, Clone)]
pub struct OperationNames {
    /// The call function on `Client` (`create_stock_bundle`).
    pub call: RustIdent,
    /// The free function checking the arguments (`validate_create_stock_bundle`).
    pub validator: RustIdent,
    /// The `OperationMeta` static (`CREATE_STOCK_BUNDLE`).
    pub meta: RustIdent,
    /// The paging stream method (`list_x_stream`), for paginated operations.
    pub stream: Option<RustIdent>,
    /// The variant of `OperationRequest` / `OperationResponse` (`CreateStockBundle`).
    pub variant: RustIdent,
    /// The CLI subcommand (`create-stock-bundle`).
    pub command: String,
    /// The call function's argument names.
    pub args: ArgNames,
    /// CLI flags of the path then query parameters.
    pub flags: Vec<String>,
}

/// Argument names of a call function: parameters keep their names, and a later one that would
/// clash (a query parameter named like a path parameter, anything named `body`) gets a suffix.
#[derive(Debug, Clone)]
pub struct ArgNames {
    /// One per path parameter, in order.
    pub path: Vec<RustIdent>,
    /// One per query parameter, in order.
    pub query: Vec<RustIdent>,
    pub body: RustIdent,
    /// For uploads: the meta JSON and the file.
    pub meta: RustIdent,
    pub file: RustIdent,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::PATCH => "PATCH",
            Method::DELETE => "DELETE",
        }
    }
}
