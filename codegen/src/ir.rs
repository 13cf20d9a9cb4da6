//! The validated intermediate representation: names resolved, references checked, Rust
//! identifiers chosen. Emitters read only this, never the raw spec.

use crate::spec::{ExampleKind, Method, Presence};
use std::collections::BTreeMap;

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
}

/// A response field used by pagination.
#[derive(Debug, Clone)]
pub struct ResponseField {
    pub rust: String,
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
    /// The model's string field a bare string stands for: its Rust name and whether it is optional.
    pub key: Option<(String, bool)>,
    /// The field's label and decision, for the enum's docs.
    pub label: String,
    pub decision: Option<String>,
}

/// A model method returning the first present of several optional string fields.
#[derive(Debug, Clone)]
pub struct AccessorIr {
    pub name: String,
    pub description: Option<String>,
    /// Rust names of the fields, in order of preference, and their wire names.
    pub fields: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Constraints {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// Inclusive character ranges and the spec's text for messages.
    pub charset: Option<(Vec<(char, char)>, String)>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
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
    pub rust: String,
    pub ty: TypeIr,
    pub presence: Presence,
    pub condition: Option<String>,
    pub label: String,
    pub description: Option<String>,
    pub example: Option<serde_json::Value>,
    pub constraints: Constraints,
    pub decision: Option<String>,
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
    pub rust: String,
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
    pub variant: String,
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
    pub rate_limit: Option<(u32, String)>,
    pub path_params: Vec<FieldIr>,
    pub query_params: Vec<FieldIr>,
    pub request_body: Option<String>,
    /// Status and body model of the successful response.
    pub response: Option<(u16, Option<String>)>,
    pub errors: Vec<ErrorIr>,
    pub examples: Vec<ExampleIr>,
    pub pagination: Option<PaginationIr>,
    pub upload: Option<UploadIr>,
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
