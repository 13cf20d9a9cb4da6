//! The state of one lowering: diagnostics, and the declared type names every step resolves
//! references against.

use crate::diagnostics::Diagnostics;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Model,
    Enum,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldsOf {
    Model,
    PathParams,
    QueryParams,
}

pub(super) struct Cx {
    pub(super) diags: Diagnostics,
    /// Declared type names: kind and where they were first declared.
    pub(super) model_index: HashMap<String, String>,
    pub(super) enum_index: HashMap<String, String>,
    /// Wire values of each enum, for checking rule conditions.
    pub(super) enum_values: HashMap<String, Vec<String>>,
    /// The typed id of each wire name listed in `[[ids]]`, and whether a field used it.
    pub(super) id_by_wire: HashMap<String, (String, bool)>,
    /// Where each wire name of `id_by_wire` is listed.
    pub(super) id_spans: HashMap<String, (crate::diagnostics::SourceFile, std::ops::Range<usize>)>,
}
