//! WeChat Pay's own example code as tests of the spec (`[[official_examples]]`).
//!
//! Each official example is a request WeChat Pay's example programs send. It is validated as
//! its family's request, exactly as the generated client validates: a constraint or rule it
//! breaks must carry a `disputed` mark citing it (then clients warn and send), or lowering
//! fails at the example's line. A mark whose cited example does not break it is stale and
//! fails too, so the marks stay the set of facts official material really contradicts.
//!
//! This differs from a doc example's `expect_invalid`: that marks a page's example that is not
//! one request (a catalogue of alternatives) and must fail; an official example is always a
//! request and the spec must let the client send it.

use crate::diagnostics::{Diagnostics, SourceFile};
use crate::ir::{FamilyIr, ModelIr, OperationIr};
use crate::spans::{content_start, locate_json_path};
use crate::spec::{self, Sp};
use crate::validate_json::Schema;
// Defined apart so that the IR does not depend on the checks; named here too.
pub use crate::official_ir::OfficialExampleIr;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where a dispute mark is written, for stale-mark errors.
struct Mark<'a> {
    file: &'a SourceFile,
    id: &'a Sp<String>,
    by: &'a Sp<Vec<Sp<String>>>,
}

/// Every dispute mark of the spec (field constraints and rules), in file order.
fn marks(files: &[(SourceFile, spec::SpecFile)]) -> Vec<Mark<'_>> {
    let mut out = Vec::new();
    for (file, spec) in files {
        for m in &spec.models {
            for f in &m.fields {
                out.extend(f.disputed.iter().map(|d| Mark { file, id: &d.id, by: &d.by }));
            }
            for r in &m.rules {
                out.extend(r.disputed.iter().map(|d| Mark { file, id: &d.id, by: &d.by }));
            }
        }
    }
    out
}

/// Checks every official example and every dispute mark; returns the examples for emission.
pub(crate) fn check(
    diags: &mut Diagnostics,
    files: &[(SourceFile, spec::SpecFile)],
    operations: &[OperationIr],
    families: &[FamilyIr],
    models: &BTreeMap<String, ModelIr>,
    enum_values: &HashMap<String, Vec<String>>,
) -> Vec<OfficialExampleIr> {
    let schema = Schema { models, enum_values };
    let mut seen: HashMap<&str, String> = HashMap::new();
    let mut out = Vec::new();
    // Dispute ids each example breaks (ids of runnable and not runnable examples alike).
    let mut broken: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (file, spec) in files {
        for ex in &spec.official_examples {
            let id = &ex.id.value;
            if let Some(first) = seen.get(id.as_str()) {
                diags
                    .error(file, ex.id.span.clone(), format!("duplicate official example id `{id}`"))
                    .hint(format!("ids are unique; the first is at {first}"));
                continue;
            }
            seen.insert(id, Diagnostics::place(file, &ex.id.span));
            let Some(family) = families.iter().find(|f| f.id == ex.family.value) else {
                diags.error(file, ex.family.span.clone(), format!("unknown family `{}`", ex.family.value));
                continue;
            };
            let family_ops = if family.module.is_none() { operations } else { &family.operations[..] };
            let Some(op) = family_ops.iter().find(|o| o.id == ex.operation.value) else {
                let known = operations.iter().any(|o| o.id == ex.operation.value);
                let message = if known {
                    format!("operation `{}` is not served to family `{}`", ex.operation.value, family.id)
                } else {
                    format!("unknown operation `{}`", ex.operation.value)
                };
                diags.error(file, ex.operation.span.clone(), message);
                continue;
            };
            let expected: BTreeSet<&str> = op.path_params.iter().map(|p| p.wire.as_str()).collect();
            let given: BTreeSet<&str> = ex.path_params.keys().map(String::as_str).collect();
            if expected != given {
                diags.error(
                    file,
                    ex.operation.span.clone(),
                    format!("official example `{id}` gives path parameters {given:?}; `{}` has {expected:?}", op.id),
                );
            }
            for name in ex.query.keys() {
                if !op.query_params.iter().any(|q| &q.wire == name) {
                    diags
                        .error(
                            file,
                            ex.operation.span.clone(),
                            format!("official example `{id}` sends query parameter `{name}`, which `{}` does not have in family `{}`", op.id, family.id),
                        )
                        .hint("WeChat Pay's code sends it: add it to the operation (or fix the transcription)");
                }
            }
            let model = op.request_body.clone().or_else(|| op.upload.as_ref().map(|u| u.meta.clone()));
            let mut warnings = BTreeSet::new();
            match (&ex.body, &model) {
                (Some(body), Some(model)) => {
                    let value: serde_json::Value = match serde_json::from_str(&body.value) {
                        Ok(v) => v,
                        Err(e) => {
                            let at = content_start(file, &body.span);
                            diags.error(file, at..at, format!("official example `{id}`: the body is not JSON: {e}"));
                            continue;
                        }
                    };
                    for v in schema.check(&value, model) {
                        let shown = if v.path.is_empty() { "$".to_owned() } else { format!("$.{}", v.path) };
                        if let Some(warning) = v.warning_id() {
                            warnings.insert((warning.to_owned(), v.path.clone()));
                        }
                        if let Some(d) = &v.disputed {
                            broken.entry(id.clone()).or_default().insert(d.id.clone());
                            if !d.by.contains(id) && ex.not_runnable.is_none() {
                                diags
                                    .error(
                                        file,
                                        locate_json_path(file, &body.span, &v.path),
                                        format!(
                                            "official example `{id}` breaks the disputed `{}` at {shown} but the mark does not cite it",
                                            d.id
                                        ),
                                    )
                                    .hint(format!("add \"{id}\" to the `by` list of dispute `{}`", d.id));
                            }
                            continue;
                        }
                        if v.unknown_field || ex.not_runnable.is_some() {
                            continue;
                        }
                        let what = match &v.rule {
                            Some(rule) => format!("rule {rule:?}"),
                            None => "a constraint".to_owned(),
                        };
                        diags
                            .error(
                                file,
                                locate_json_path(file, &body.span, &v.path),
                                format!("official example `{id}` breaks {what} at {shown}: {}", v.message),
                            )
                            .hint(
                                "WeChat Pay's own code sends this request: fix the spec, or mark the fact \
                                 `disputed = { id = \"...\", by = [...], reason = \"...\" }` citing this example",
                            );
                    }
                }
                (Some(body), None) => {
                    let at = content_start(file, &body.span);
                    diags.error(file, at..at, format!("official example `{id}` has a body; `{}` takes none", op.id));
                }
                (None, Some(_)) if op.upload.is_none() => {
                    diags.error(
                        file,
                        ex.id.span.clone(),
                        format!("official example `{id}` has no body; `{}` takes one", op.id),
                    );
                }
                _ => {}
            }
            out.push(OfficialExampleIr {
                id: id.clone(),
                operation: op.id.clone(),
                family: family.id.clone(),
                language: ex.language.clone(),
                source: ex.source.clone(),
                path_params: ex.path_params.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                query: ex.query.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                body: ex.body.as_ref().map(|b| b.value.clone()),
                upload_file: ex.upload_file.clone(),
                warnings: warnings.into_iter().collect(),
                not_runnable: ex.not_runnable.clone(),
            });
        }
    }
    // Emitted in id order, whatever the order of files.
    out.sort_by(|a, b| a.id.cmp(&b.id));
    // Every mark: a unique id, each cited example known and breaking it.
    let mut ids: HashMap<&str, String> = HashMap::new();
    for mark in marks(files) {
        if let Some(first) = ids.get(mark.id.value.as_str()) {
            diags
                .error(mark.file, mark.id.span.clone(), format!("duplicate dispute id `{}`", mark.id.value))
                .hint(format!("users name disputes by id; the first is at {first}"));
        }
        ids.insert(&mark.id.value, Diagnostics::place(mark.file, &mark.id.span));
        for by in &mark.by.value {
            if !seen.contains_key(by.value.as_str()) {
                diags
                    .error(
                        mark.file,
                        by.span.clone(),
                        format!("dispute `{}` cites unknown official example `{}`", mark.id.value, by.value),
                    )
                    .hint("cite the id of an [[official_examples]] entry");
            } else if !broken.get(&by.value).is_some_and(|b| b.contains(&mark.id.value)) {
                diags
                    .error(
                        mark.file,
                        by.span.clone(),
                        format!(
                            "dispute `{}` is stale: official example `{}` does not break it",
                            mark.id.value, by.value
                        ),
                    )
                    .hint("remove the citation (and the mark, if no example breaks the fact any more)");
            }
        }
    }
    out
}
