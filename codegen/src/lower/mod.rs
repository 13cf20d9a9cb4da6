//! Spec -> IR. Every check of the spec's meaning lives here, and every problem is recorded
//! with its location; lowering carries on after a problem so one run reports them all.

mod constraints;
mod context;
mod examples;
mod ids;
mod notifications;
mod operations;
mod recursion;
mod references;
mod rules;
mod types;

pub use constraints::parse_charset;

use crate::diagnostics::{Diagnostics, SourceFile};
use crate::ir::*;
use crate::load::Loaded;
use context::{Cx, FieldsOf, Kind};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Validates the loaded spec and lowers it to the IR.
pub fn lower(loaded: &Loaded) -> Result<Ir, Diagnostics> {
    lower_checked(loaded, true)
}

/// [`lower`], with WeChat Pay's example code (`[[official_examples]]`) and the `disputed` marks
/// citing it checked or not. The importer lowers a draft without them once the full check
/// failed, so that what official code says against a page is a finding of the report, not a
/// refusal to write the draft; `cargo xtask check` always checks them.
pub fn lower_checked(loaded: &Loaded, official: bool) -> Result<Ir, Diagnostics> {
    let mut cx = Cx {
        diags: Diagnostics::default(),
        model_index: HashMap::new(),
        enum_index: HashMap::new(),
        enum_values: HashMap::new(),
        id_by_wire: HashMap::new(),
        id_spans: HashMap::new(),
    };
    let files = &loaded.files;
    if files.is_empty() {
        let nothing = SourceFile::new("api-spec", "");
        cx.diags.error(&nothing, 0..0, "the spec has no files").hint("point the generator at the api-spec/ directory");
        return Err(cx.diags);
    }

    // 1. Names of models and enums, so fields can be resolved whatever the file order.
    for (fi, (file, spec)) in files.iter().enumerate() {
        for m in &spec.models {
            cx.declare(file, fi, &m.name, Kind::Model, files);
        }
        for e in &spec.enums {
            cx.declare(file, fi, &e.name, Kind::Enum, files);
            cx.enum_values
                .entry(e.name.value.clone())
                .or_insert_with(|| e.values.iter().map(|v| v.value.value.clone()).collect());
        }
    }

    // Typed ids, before any field is lowered: a field of a listed wire name gets its id.
    let ids = cx.ids(files);

    // 2. Models and their fields.
    let mut models = BTreeMap::new();
    for (file, spec) in files {
        for m in &spec.models {
            let fields = cx.fields(file, &m.fields, &format!("model `{}`", m.name.value), FieldsOf::Model);
            models.entry(m.name.value.clone()).or_insert(ModelIr {
                name: m.name.value.clone(),
                label: m.label.clone(),
                description: m.description.clone(),
                fields,
                rules: Vec::new(),
                decisions: m.decisions.clone(),
                accessors: Vec::new(),
            });
        }
    }

    // 2b. Fields documented in several shapes, and accessors over differently named fields:
    // both look into other models' fields, so they come after all models are lowered.
    let mut alternatives: BTreeMap<String, AlternativesIr> = BTreeMap::new();
    for (file, spec) in files {
        for m in &spec.models {
            for f in &m.fields {
                let Some(alt) = &f.alternatives else { continue };
                let Some(lowered) = cx.alternatives(file, f, alt, &models, &alternatives) else { continue };
                alternatives.insert(lowered.name.clone(), lowered.clone());
                if let Some(model) = models.get_mut(&m.name.value)
                    && let Some(field) = model.fields.iter_mut().find(|x| x.wire == f.name.value)
                {
                    let wrapped = TypeIr::Alternatives(Box::new(lowered));
                    field.ty = match &field.ty {
                        TypeIr::Array(_) => TypeIr::Array(Box::new(wrapped)),
                        _ => wrapped,
                    };
                }
            }
            let accessors: Vec<AccessorIr> = match models.get(&m.name.value) {
                Some(model) => m.accessors.iter().filter_map(|a| cx.accessor(file, model, m, a)).collect(),
                None => Vec::new(),
            };
            if let Some(model) = models.get_mut(&m.name.value)
                && model.accessors.is_empty()
            {
                model.accessors = accessors;
            }
        }
    }

    // 2c. Models that contain themselves: box the way back, or report what cannot be built.
    cx.recursion(files, &mut models);

    // 3. Rules, which need every model's fields.
    for (file, spec) in files {
        for m in &spec.models {
            let rules: Vec<RuleIr> = m.rules.iter().filter_map(|r| cx.rule(file, &m.name, r, &models)).collect();
            if let Some(model) = models.get_mut(&m.name.value)
                && model.rules.is_empty()
            {
                model.rules = rules;
            }
        }
    }

    // 4. Enums.
    let mut enums = BTreeMap::new();
    for (file, spec) in files {
        for e in &spec.enums {
            let lowered = cx.enumeration(file, e);
            enums.entry(e.name.value.clone()).or_insert(lowered);
        }
    }

    // 5. Service and operations.
    let mut service = None;
    let mut service_at: Option<String> = None;
    let mut error_codes: BTreeMap<String, Vec<ErrorIr>> = BTreeMap::new();
    let mut operations: Vec<OperationIr> = Vec::new();
    let mut op_seen: HashMap<String, String> = HashMap::new();
    for (file, spec) in files {
        if let Some(s) = &spec.service {
            if let Some(first) = &service_at {
                cx.diags
                    .error(file, s.primary_base_url.span.clone(), "a second [service] section")
                    .hint(format!("the service is described once; the first is at {first}"));
            } else {
                service_at = Some(Diagnostics::place(file, &s.primary_base_url.span));
                for url in [&s.primary_base_url, &s.backup_base_url] {
                    if !url.value.starts_with("https://") {
                        cx.diags.error(file, url.span.clone(), format!("base URL {:?} is not https", url.value));
                    }
                }
                for e in &s.errors {
                    error_codes.entry(e.code.value.clone()).or_default().push(cx.error_entry(file, e));
                }
                service = Some(ServiceIr {
                    title: s.title.clone(),
                    primary_base_url: s.primary_base_url.value.trim_end_matches('/').to_owned(),
                    backup_base_url: s.backup_base_url.value.trim_end_matches('/').to_owned(),
                });
            }
        }
        for op in &spec.operations {
            if let Some(first) = op_seen.get(&op.id.value) {
                cx.diags
                    .error(file, op.id.span.clone(), format!("duplicate operation id `{}`", op.id.value))
                    .hint(format!("operation ids are unique; the first is at {first}"));
                continue;
            }
            op_seen.insert(op.id.value.clone(), Diagnostics::place(file, &op.id.span));
            if let Some(lowered) = cx.operation(file, op, &models) {
                for e in &lowered.errors {
                    error_codes.entry(e.code.clone()).or_default().push(e.clone());
                }
                operations.push(lowered);
            }
        }
    }
    if service.is_none()
        && let Some((file, _)) = files.first()
    {
        cx.diags
            .error(file, 0..0, "no [service] section in any spec file")
            .hint("add [service] with title, primary_base_url and backup_base_url (api-spec/service.toml)");
    }
    operations.sort_by(|a, b| a.id.cmp(&b.id));
    let mut notifications = cx.notifications(files, &models);
    let families = crate::families::lower(&mut cx.diags, files, &models, &mut operations, &notifications);
    if let Some(primary) = families.first() {
        for n in &mut notifications {
            n.doc_url = Some(format!("{}{}", primary.doc_base_url, n.doc_id));
        }
    }
    let other_models: BTreeMap<String, ModelIr> =
        families.iter().flat_map(|f| f.variants.iter().map(|(k, v)| (k.clone(), v.clone()))).collect();
    // The primary family's models have only its fields (a field of other families only is in
    // their variants, derived above from the whole model).
    if let Some(primary) = families.first() {
        for m in models.values_mut() {
            let absent: BTreeSet<String> = m
                .fields
                .iter()
                .filter(|f| f.families.as_ref().is_some_and(|s| !s.contains(&primary.id)))
                .map(|f| f.wire.clone())
                .collect();
            if absent.is_empty() {
                continue;
            }
            m.fields.retain(|f| !absent.contains(&f.wire));
            m.rules.retain(|r| !crate::families::rule_mentions(r, &absent));
            m.accessors.retain(|a| a.fields.iter().all(|f| !absent.contains(&f.wire)));
        }
    }
    // Rows documenting a code come from several files; order them by content, not file order.
    for rows in error_codes.values_mut() {
        rows.sort_by(|a, b| (a.status, &a.description, &a.solution).cmp(&(b.status, &b.description, &b.solution)));
        rows.dedup_by(|a, b| (a.status, &a.description, &a.solution) == (b.status, &b.description, &b.solution));
    }
    let mut every_model = models.clone();
    every_model.extend(other_models.iter().map(|(k, v)| (k.clone(), v.clone())));
    let official_examples = if official {
        crate::official::check(&mut cx.diags, files, &operations, &families, &every_model, &cx.enum_values)
    } else {
        Vec::new()
    };
    cx.unused_ids();
    cx.diags.into_result()?;
    let validated_models = crate::ir::validated_models(&every_model);
    Ok(Ir {
        service: service.expect("checked above"),
        models,
        enums,
        operations,
        error_codes,
        notifications,
        alternatives,
        validated_models,
        families,
        other_models,
        official_examples,
        ids,
    })
}
