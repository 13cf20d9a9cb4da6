//! The draft's data, what `write.rs` renders, and the spec it is built against ([`Existing`]),
//! with existing entries carried over as they are.

use super::render::{render_alternatives, render_disputed_constraint};
use crate::spec::{self, ExampleFormat, ExampleKind, FieldType, Method, Presence, SpecFile};

/// The draft spec of one operation, ready to be written as TOML.
#[derive(Debug, Clone)]
pub struct Draft {
    pub op: DOp,
    pub models: Vec<DModel>,
    pub enums: Vec<DEnum>,
}

/// A comment written above a key, so a reviewer sees where a fact came from.
pub type Marks = Vec<String>;

#[derive(Debug, Clone)]
pub struct DOp {
    pub id: String,
    pub title: String,
    pub doc_id: String,
    pub updated: String,
    pub description: Option<String>,
    pub method: Method,
    pub path: String,
    pub merchants: Vec<String>,
    pub preconditions: Vec<String>,
    pub rate_limit: Option<(u32, String)>,
    pub headers: Vec<(String, bool, String)>,
    pub path_params: Vec<DField>,
    pub query_params: Vec<DField>,
    pub request_body: Option<String>,
    /// `[operations.pagination]`: page_size, page_token, next_page_token, items.
    pub pagination: Option<[String; 4]>,
    pub upload: Option<DUpload>,
    pub responses: Vec<(u16, Option<String>, Option<String>)>,
    pub errors: Vec<(u16, String, String, String)>,
    pub examples: Vec<DExample>,
    pub decisions: Vec<String>,
    /// `[[operations.families]]`: every family's entry, as api-spec has it unless the page is
    /// that family's.
    pub families: Vec<DFamily>,
    /// Marks by key (`title`, `errors`, ...).
    pub marks: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone)]
pub struct DUpload {
    pub file_field: String,
    pub meta_field: String,
    pub meta: String,
    pub max_bytes: u64,
    pub media_types: Vec<String>,
}

/// One `[[operations.families]]` entry.
#[derive(Debug, Clone)]
pub struct DFamily {
    pub family: String,
    pub doc_id: Option<String>,
    pub updated: Option<String>,
    pub path: Option<String>,
    pub rate_limit: Option<(u32, String)>,
    pub source: String,
    pub decisions: Vec<String>,
    pub marks: Marks,
}

/// An existing family entry, as is.
pub fn carry_family(e: &spec::OperationFamily) -> DFamily {
    DFamily {
        family: e.family.value.clone(),
        doc_id: e.doc_id.clone(),
        updated: e.updated.clone(),
        path: e.path.as_ref().map(|p| p.value.clone()),
        rate_limit: e.rate_limit.as_ref().map(|r| (r.per_second.value, r.text.clone())),
        source: e.source.clone(),
        decisions: e.decisions.clone(),
        marks: Vec::new(),
    }
}

#[derive(Debug, Clone)]
pub struct DExample {
    pub kind: ExampleKind,
    pub format: ExampleFormat,
    pub title: String,
    pub source: String,
    pub status: Option<u16>,
    pub text: String,
    /// Why the example is known not to pass the spec's validation (carried over from api-spec).
    pub expect_invalid: Option<String>,
    pub marks: Marks,
}

#[derive(Debug, Clone, Default)]
pub struct DField {
    pub name: String,
    pub ty: Option<FieldType>,
    pub items: Option<FieldType>,
    pub reference: Option<String>,
    pub presence: Option<Presence>,
    pub condition: Option<String>,
    pub label: String,
    pub description: Option<String>,
    pub example: Option<serde_json::Value>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub charset: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub decision: Option<String>,
    /// api-spec's `disputed` marks of the field, rendered as TOML inline tables: facts no page
    /// states (official code disputes them), so a draft keeps them.
    pub disputed: Vec<String>,
    /// api-spec's `families` of the field (a field of some families only), kept likewise.
    pub families: Vec<String>,
    /// The existing field's `alternatives` inline table (a page shows one shape only).
    pub alternatives: Option<String>,
    pub marks: Marks,
}

#[derive(Debug, Clone)]
pub struct DModel {
    pub name: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub fields: Vec<DField>,
    /// Rules as TOML tables (`[[models.rules]]` bodies), already rendered.
    pub rules: Vec<String>,
    pub decisions: Vec<String>,
    pub marks: Marks,
}

#[derive(Debug, Clone)]
pub struct DEnum {
    pub name: String,
    pub label: Option<String>,
    pub values: Vec<(String, String)>,
    pub marks: Marks,
}

/// The spec as it is today, to fill gaps from and to reference.
pub struct Existing<'a> {
    pub files: Vec<&'a SpecFile>,
}

impl<'a> Existing<'a> {
    pub(crate) fn models(&self) -> impl Iterator<Item = &'a spec::Model> {
        self.files.iter().copied().flat_map(|f| f.models.iter())
    }
    pub(crate) fn enums(&self) -> impl Iterator<Item = &'a spec::EnumDef> {
        self.files.iter().copied().flat_map(|f| f.enums.iter())
    }
    pub(crate) fn model(&self, name: &str) -> Option<&'a spec::Model> {
        self.models().find(|m| m.name.value == name)
    }
    pub(crate) fn enumeration(&self, name: &str) -> Option<&'a spec::EnumDef> {
        self.enums().find(|e| e.name.value == name)
    }
    pub(crate) fn type_exists(&self, name: &str) -> bool {
        self.model(name).is_some() || self.enumeration(name).is_some()
    }
    pub(crate) fn operations(&self) -> impl Iterator<Item = &'a spec::Operation> {
        self.files.iter().copied().flat_map(|f| f.operations.iter())
    }
    /// The declared families, the primary one first.
    pub(crate) fn families(&self) -> Vec<&'a spec::Family> {
        self.files.iter().copied().flat_map(|f| f.families.iter()).collect()
    }
}

/// Whether a concrete or template path matches an operation's template.
pub(crate) fn path_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')))
}

/// An existing field, as is.
pub(crate) fn carry(f: &spec::Field) -> DField {
    DField {
        name: f.name.value.clone(),
        ty: Some(f.ty.value),
        items: f.items.as_ref().map(|i| i.value),
        reference: f.reference.as_ref().map(|r| r.value.clone()),
        presence: Some(f.presence.value),
        condition: f.condition.clone(),
        label: f.label.clone(),
        description: f.description.clone(),
        example: f.example.clone(),
        min_length: f.min_length.as_ref().map(|v| v.value),
        max_length: f.max_length.as_ref().map(|v| v.value),
        charset: f.charset.as_ref().map(|v| v.value.clone()),
        min: f.min.as_ref().map(|v| v.value),
        max: f.max.as_ref().map(|v| v.value),
        min_items: f.min_items.as_ref().map(|v| v.value),
        max_items: f.max_items.as_ref().map(|v| v.value),
        decision: f.decision.clone(),
        disputed: f.disputed.iter().map(render_disputed_constraint).collect(),
        families: f.families.iter().map(|s| s.value.clone()).collect(),
        alternatives: f.alternatives.as_ref().map(|a| render_alternatives(&a.value)),
        marks: Vec::new(),
    }
}
