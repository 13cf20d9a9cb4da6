//! Doc examples as tests of the spec: each request example passes the validation the
//! generated client runs, and no example has a key the spec does not know.

use super::context::Cx;
use crate::diagnostics::SourceFile;
use crate::ir::*;
use crate::spans::{content_start, locate_json_path};
use crate::spec::{self, ExampleKind};
use std::collections::{BTreeMap, HashMap};

/// Walks an example value against a type and collects keys that are not fields.
/// The fields of each model by wire name, built when a model is first looked at: an example
/// with thousands of items would otherwise scan a model's fields once per key (quadratic).
pub(super) type FieldIndex<'m> = HashMap<&'m str, HashMap<&'m str, &'m FieldIr>>;

pub(super) fn unknown_keys<'m>(
    value: &serde_json::Value,
    ty: &TypeIr,
    models: &'m BTreeMap<String, ModelIr>,
    index: &mut FieldIndex<'m>,
    path: &str,
    out: &mut Vec<(String, String)>,
) {
    match (value, ty) {
        (serde_json::Value::Object(map), TypeIr::Model(name)) => {
            let Some(model) = models.get(name) else { return };
            for (key, v) in map {
                let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                let fields = index
                    .entry(model.name.as_str())
                    .or_insert_with(|| model.fields.iter().map(|f| (f.wire.as_str(), f)).collect());
                match fields.get(key.as_str()).copied() {
                    Some(f) => unknown_keys(v, &f.ty, models, index, &here, out),
                    None => out.push((here, key.clone())),
                }
            }
        }
        (serde_json::Value::Array(items), TypeIr::Array(inner)) => {
            for (i, v) in items.iter().enumerate() {
                unknown_keys(v, inner, models, index, &format!("{path}[{i}]"), out);
            }
        }
        (serde_json::Value::Object(_), TypeIr::Alternatives(alt)) => {
            unknown_keys(value, &TypeIr::Model(alt.model.clone()), models, index, path, out)
        }
        _ => {}
    }
}

/// How many unknown keys of one example are reported one by one.
pub(super) const MAX_UNKNOWN_KEYS: usize = 20;

impl Cx {
    /// Doc examples are tests of the spec: a request example must pass the validation the
    /// spec generates, unless it says why not (`expect_invalid`), and then it must fail it.
    pub(super) fn check_example(
        &mut self,
        file: &SourceFile,
        ex: &spec::Example,
        json: &str,
        model: &str,
        models: &BTreeMap<String, ModelIr>,
    ) {
        let start = content_start(file, &ex.text.span);
        if ex.kind != ExampleKind::Request {
            if ex.expect_invalid.is_some() {
                self.diags
                    .error(file, start..start, format!("response example {:?} has `expect_invalid`", ex.title))
                    .hint("only request examples are validated; remove the marker");
            }
            return;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else { return };
        let schema = crate::validate_json::Schema { models, enum_values: &self.enum_values };
        // A key the spec does not know is sent as given, not refused: not a verdict on the spec.
        let violations: Vec<_> = schema.check(&value, model).into_iter().filter(|v| !v.unknown_field).collect();
        match (&ex.expect_invalid, violations.is_empty()) {
            (None, _) => {
                for v in violations {
                    let at = locate_json_path(file, &ex.text.span, &v.path);
                    let shown = if v.path.is_empty() { "$".to_owned() } else { format!("$.{}", v.path) };
                    let message = match &v.rule {
                        Some(rule) => {
                            format!("request example {:?} breaks rule {rule:?} at {shown}: {}", ex.title, v.message)
                        }
                        None => format!("request example {:?} breaks a constraint at {shown}: {}", ex.title, v.message),
                    };
                    self.diags.error(file, at, message).hint(
                        "fix the spec if the example shows what WeChat Pay accepts; if the example is wrong on purpose, \
                         say why with expect_invalid = \"...\"",
                    );
                }
            }
            (Some(_), true) => {
                self.diags
                    .error(
                        file,
                        start..start,
                        format!("request example {:?} is marked expect_invalid but passes validation", ex.title),
                    )
                    .hint("the marker is stale: remove expect_invalid");
            }
            (Some(_), false) => {}
        }
    }
}
