//! Spec -> IR. Every check of the spec's meaning lives here, and every problem is recorded
//! with its location; lowering carries on after a problem so one run reports them all.

use crate::diagnostics::{Diagnostics, SourceFile};
use crate::examples::extract_json;
use crate::ir::*;
use crate::load::Loaded;
use crate::names;
use crate::spans::{content_start, locate, locate_json_path};
use crate::spec::{self, ExampleKind, FieldType, Presence, Sp};
use crate::suggest::closest;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

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
    })
}

/// A cycle of models the generator cannot turn into Rust.
#[derive(Clone, Copy)]
enum Unbuildable {
    /// Every field on the cycle is required: no value of these models is finite.
    AllRequired,
    /// Every field on the cycle has several shapes: their enums would hold each other unboxed.
    AllShapes,
}

/// How a field holds another model by value (not through a list, which has its own heap).
#[derive(Clone, Copy, PartialEq, Eq)]
enum ByValue {
    /// A model field: boxed when it leads back to its own model.
    Model,
    /// A field of several shapes whose object shape is the model.
    Alternatives,
}

fn by_value(ty: &TypeIr) -> Option<(&str, ByValue)> {
    match ty {
        TypeIr::Model(name) => Some((name, ByValue::Model)),
        TypeIr::Alternatives(alt) => Some((&alt.model, ByValue::Alternatives)),
        _ => None,
    }
}

/// Strongly connected components of a graph of model names: models in one component reach
/// each other. Tarjan's algorithm, iterative so a long chain of models cannot overflow the stack.
fn components<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> HashMap<&'a str, usize> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut low: HashMap<&str, usize> = HashMap::new();
    let mut on_stack: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut component: HashMap<&str, usize> = HashMap::new();
    let mut next = 0usize;
    let none: Vec<&str> = Vec::new();
    for &root in graph.keys() {
        if index.contains_key(root) {
            continue;
        }
        // (node, position of the next edge to follow)
        let mut work: Vec<(&str, usize)> = vec![(root, 0)];
        while let Some(&mut (node, ref mut edge)) = work.last_mut() {
            if *edge == 0 && !index.contains_key(node) {
                index.insert(node, next);
                low.insert(node, next);
                next += 1;
                stack.push(node);
                on_stack.insert(node);
            }
            let edges = graph.get(node).unwrap_or(&none);
            if let Some(&to) = edges.get(*edge) {
                *edge += 1;
                if !index.contains_key(to) {
                    work.push((to, 0));
                } else if on_stack.contains(to) {
                    let l = low[node].min(index[to]);
                    low.insert(node, l);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                let l = low[parent].min(low[node]);
                low.insert(parent, l);
            }
            if low[node] == index[node] {
                let id = component.len();
                while let Some(member) = stack.pop() {
                    on_stack.remove(member);
                    component.insert(member, id);
                    if member == node {
                        break;
                    }
                }
            }
        }
    }
    component
}

/// Whether `from -> to` closes a cycle of `graph` (a self-reference, or both in one component).
fn in_cycle(components: &HashMap<&str, usize>, from: &str, to: &str) -> bool {
    from == to || matches!((components.get(from), components.get(to)), (Some(a), Some(b)) if a == b)
}

/// The body field whose repetition the server treats as a retry of the same request, when the
/// body requires it: WeChat Pay's request numbers, `out_request_no` for most writes,
/// `send_request_no` for sending coupons, and the caller-chosen `task_id` of a task (each
/// documented as "重试时使用同一单号/任务 ID 与相同的请求数据").
fn idempotency_key(body: &[FieldIr]) -> Option<String> {
    const KEYS: [&str; 3] = ["out_request_no", "send_request_no", "task_id"];
    KEYS.iter()
        .find_map(|key| body.iter().find(|f| f.wire == *key && f.presence == Presence::Required))
        .map(|f| f.wire.clone())
}

/// Where a request names the brand it acts for: a `brand_id` body field, else a query or
/// path parameter of that name.
fn brand_param(body: &[FieldIr], query: &[FieldIr], path: &[FieldIr]) -> Option<BrandParam> {
    const BRAND: &str = "brand_id";
    let named = |fields: &[FieldIr]| fields.iter().any(|f| f.wire == BRAND);
    if named(body) {
        Some(BrandParam::Body(BRAND.to_owned()))
    } else if named(query) {
        Some(BrandParam::Query(BRAND.to_owned()))
    } else if named(path) {
        Some(BrandParam::Path(BRAND.to_owned()))
    } else {
        None
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Model,
    Enum,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldsOf {
    Model,
    PathParams,
    QueryParams,
}

struct Cx {
    diags: Diagnostics,
    /// Declared type names: kind and where they were first declared.
    model_index: HashMap<String, String>,
    enum_index: HashMap<String, String>,
    /// Wire values of each enum, for checking rule conditions.
    enum_values: HashMap<String, Vec<String>>,
}

/// Names generated next to a model that a second type must not take.
const BUILDER_SUFFIX: &str = "Builder";

impl Cx {
    /// A model that contains itself by value, directly or through other models, would be a
    /// struct of infinite size. Each field on such a cycle that holds a model is boxed. Two
    /// cycles cannot be generated and are reported at the field: one made only of required
    /// fields (no finite value exists), and one made only of fields of several shapes (their
    /// enum holds the model by value and the generator does not box it).
    fn recursion(&mut self, files: &[(SourceFile, spec::SpecFile)], models: &mut BTreeMap<String, ModelIr>) {
        let graph_of = |keep: &dyn Fn(&FieldIr, ByValue) -> bool| {
            let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for m in models.values() {
                let edges = m
                    .fields
                    .iter()
                    .filter_map(|f| by_value(&f.ty).filter(|(_, kind)| keep(f, *kind)).map(|(to, _)| to));
                graph.entry(m.name.as_str()).or_default().extend(edges);
            }
            components(&graph)
        };
        let all = graph_of(&|_, _| true);
        let required = graph_of(&|f, kind| kind == ByValue::Model && !f.is_option());
        let shapes = graph_of(&|_, kind| kind == ByValue::Alternatives);
        let mut boxed: Vec<(String, String)> = Vec::new();
        let mut problems: Vec<(String, String, Unbuildable)> = Vec::new();
        for m in models.values() {
            for f in &m.fields {
                let Some((to, kind)) = by_value(&f.ty) else { continue };
                if !in_cycle(&all, &m.name, to) {
                    continue;
                }
                if kind == ByValue::Model {
                    boxed.push((m.name.clone(), f.wire.clone()));
                }
                if kind == ByValue::Model && !f.is_option() && in_cycle(&required, &m.name, to) {
                    problems.push((m.name.clone(), f.wire.clone(), Unbuildable::AllRequired));
                } else if kind == ByValue::Alternatives && in_cycle(&shapes, &m.name, to) {
                    problems.push((m.name.clone(), f.wire.clone(), Unbuildable::AllShapes));
                }
            }
        }
        for (model, wire) in boxed {
            if let Some(f) = models.get_mut(&model).and_then(|m| m.fields.iter_mut().find(|f| f.wire == wire)) {
                f.boxed = true;
            }
        }
        for (model, wire, why) in problems {
            let place = files.iter().find_map(|(file, spec)| {
                let m = spec.models.iter().find(|m| m.name.value == model)?;
                let f = m.fields.iter().find(|f| f.name.value == wire)?;
                Some((file, f.name.span.clone()))
            });
            let Some((file, span)) = place else { continue };
            let target = models
                .get(&model)
                .and_then(|m| m.fields.iter().find(|f| f.wire == wire))
                .and_then(|f| by_value(&f.ty))
                .map_or("", |(to, _)| to);
            match why {
                Unbuildable::AllRequired => {
                    self.diags
                        .error(
                            file,
                            span,
                            format!(
                                "model `{model}`: required field `{wire}` holds `{target}`, which leads back to `{model}` through required fields only, so no finite value exists"
                            ),
                        )
                        .hint("make a field on the cycle optional, or a list");
                }
                Unbuildable::AllShapes => {
                    self.diags
                        .error(
                            file,
                            span,
                            format!(
                                "model `{model}`: field `{wire}` of several shapes holds `{target}`, which leads back to `{model}` through such fields only"
                            ),
                        )
                        .hint("the generator boxes model fields on a cycle, not fields of several shapes: put a plain model field or a list on the cycle");
                }
            }
        }
    }

    fn declare(
        &mut self,
        file: &SourceFile,
        _fi: usize,
        name: &Sp<String>,
        kind: Kind,
        _files: &[(SourceFile, spec::SpecFile)],
    ) {
        let what = if kind == Kind::Model { "model" } else { "enum" };
        if !names::is_pascal(&name.value) {
            self.diags
                .error(file, name.span.clone(), format!("{what} name `{}` is not PascalCase", name.value))
                .hint(format!("use a name like `{}`", names::pascal(&name.value)));
        }
        let here = Diagnostics::place(file, &name.span);
        let previous = self.model_index.get(&name.value).or_else(|| self.enum_index.get(&name.value)).cloned();
        if let Some(first) = previous {
            self.diags
                .error(file, name.span.clone(), format!("duplicate type name `{}`", name.value))
                .hint(format!("models and enums share one namespace; `{}` is first defined at {first}", name.value));
            return;
        }
        if kind == Kind::Model
            && let Some(base) = name.value.strip_suffix(BUILDER_SUFFIX)
            && self.model_index.contains_key(base)
        {
            self.diags
                .error(
                    file,
                    name.span.clone(),
                    format!("model name `{}` collides with the builder of `{base}`", name.value),
                )
                .hint("rename the model");
        }
        match kind {
            Kind::Model => self.model_index.insert(name.value.clone(), here),
            Kind::Enum => self.enum_index.insert(name.value.clone(), here),
        };
    }

    fn fields(&mut self, file: &SourceFile, fields: &[spec::Field], owner: &str, of: FieldsOf) -> Vec<FieldIr> {
        let mut out: Vec<FieldIr> = Vec::new();
        let mut seen_wire: HashMap<&str, &Range<usize>> = HashMap::new();
        let mut seen_rust: HashMap<RustIdent, &str> = HashMap::new();
        for f in fields {
            if let Some(first) = seen_wire.get(f.name.value.as_str()) {
                self.diags
                    .error(file, f.name.span.clone(), format!("duplicate field `{}` in {owner}", f.name.value))
                    .hint(format!("the first is at {}", Diagnostics::place(file, first)));
                continue;
            }
            seen_wire.insert(&f.name.value, &f.name.span);
            let rust = names::field_ident(&f.name.value);
            if let Some(other) = seen_rust.get(&rust) {
                self.diags
                    .error(
                        file,
                        f.name.span.clone(),
                        format!("field `{}` and `{other}` both become `{rust}` in Rust", f.name.value),
                    )
                    .hint(
                        "the generator cannot tell these wire names apart in Rust; this spec needs a generator change",
                    );
                continue;
            }
            seen_rust.insert(rust.clone(), &f.name.value);
            // Every model has `unknown_fields` and its builder `unknown_field`.
            if of == FieldsOf::Model && matches!(rust.as_str(), "unknown_fields" | "unknown_field") {
                self.diags
                    .error(file, f.name.span.clone(), format!("field `{}` in {owner} clashes with the generated `{rust}`", f.name.value))
                    .hint("every model keeps fields the spec does not know under that name; this spec needs a generator change");
                continue;
            }
            if f.name.value.is_empty() {
                self.diags.error(file, f.name.span.clone(), format!("empty field name in {owner}"));
                continue;
            }
            if let Some(ty) = self.field_type(file, f) {
                if of != FieldsOf::Model {
                    let scalar = matches!(
                        ty,
                        TypeIr::String | TypeIr::Integer | TypeIr::Boolean | TypeIr::Enum(_) | TypeIr::Amount
                    );
                    if !scalar {
                        self.diags.error(
                            file,
                            f.ty.span.clone(),
                            format!(
                                "parameter `{}` must be a scalar (string, integer, boolean, amount or enum)",
                                f.name.value
                            ),
                        );
                        continue;
                    }
                    if of == FieldsOf::PathParams && *f.presence != Presence::Required {
                        self.diags
                            .error(
                                file,
                                f.presence.span.clone(),
                                format!("path parameter `{}` must be required", f.name.value),
                            )
                            .hint("a path cannot be built without it");
                    }
                }
                if *f.presence == Presence::Conditional && f.condition.is_none() {
                    self.diags
                        .error(
                            file,
                            f.presence.span.clone(),
                            format!("conditional field `{}` has no `condition`", f.name.value),
                        )
                        .hint("quote the doc's 条件必填 text in `condition` and enforce it with a rule");
                }
                let constraints = self.constraints(file, f, &ty);
                out.push(FieldIr {
                    wire: f.name.value.clone(),
                    rust,
                    ty,
                    presence: *f.presence,
                    condition: f.condition.clone(),
                    label: f.label.clone(),
                    description: f.description.clone(),
                    example: f.example.clone(),
                    constraints,
                    decision: f.decision.clone(),
                    families: (!f.families.is_empty()).then(|| f.families.iter().map(|s| s.value.clone()).collect()),
                    boxed: false,
                });
            }
        }
        out
    }

    fn resolve_ref(&mut self, file: &SourceFile, f: &spec::Field, want: Kind) -> Option<String> {
        let what = if want == Kind::Model { "model" } else { "enum" };
        let Some(r) = &f.reference else {
            self.diags.error(
                file,
                f.ty.span.clone(),
                format!("field `{}` needs `ref` naming its {what}", f.name.value),
            );
            return None;
        };
        let (index, other) = match want {
            Kind::Model => (&self.model_index, &self.enum_index),
            Kind::Enum => (&self.enum_index, &self.model_index),
        };
        if index.contains_key(&r.value) {
            return Some(r.value.clone());
        }
        let hint = if other.contains_key(&r.value) {
            format!("`{}` is {}; check `type`", r.value, if want == Kind::Model { "an enum" } else { "a model" })
        } else {
            match closest(&r.value, index.keys()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!(
                    "define it with [[{}s]] name = \"{}\"",
                    if want == Kind::Model { "model" } else { "enum" },
                    r.value
                ),
            }
        };
        self.diags.error(file, r.span.clone(), format!("unknown {what} `{}`", r.value)).hint(hint);
        None
    }

    fn field_type(&mut self, file: &SourceFile, f: &spec::Field) -> Option<TypeIr> {
        let base = |cx: &mut Cx, t: FieldType, span: &Range<usize>| -> Option<TypeIr> {
            Some(match t {
                FieldType::String => TypeIr::String,
                FieldType::Integer => TypeIr::Integer,
                FieldType::Boolean => TypeIr::Boolean,
                FieldType::Datetime => TypeIr::DateTime,
                FieldType::Amount => TypeIr::Amount,
                FieldType::Object => TypeIr::Model(cx.resolve_ref(file, f, Kind::Model)?),
                FieldType::Enum => TypeIr::Enum(cx.resolve_ref(file, f, Kind::Enum)?),
                FieldType::Array => {
                    cx.diags.error(
                        file,
                        span.clone(),
                        format!("field `{}`: arrays of arrays are not supported", f.name.value),
                    );
                    return None;
                }
            })
        };
        let takes_ref = |t: FieldType| matches!(t, FieldType::Object | FieldType::Enum);
        match *f.ty {
            FieldType::Array => {
                let Some(items) = &f.items else {
                    self.diags
                        .error(file, f.ty.span.clone(), format!("array field `{}` needs `items`", f.name.value))
                        .hint("e.g. items = \"string\", or items = \"object\" with ref = \"Model\"");
                    return None;
                };
                if !takes_ref(**items)
                    && let Some(r) = &f.reference
                {
                    self.diags.error(
                        file,
                        r.span.clone(),
                        format!("field `{}`: `ref` is only for object or enum items", f.name.value),
                    );
                }
                Some(TypeIr::Array(Box::new(base(self, **items, &items.span)?)))
            }
            t => {
                if let Some(items) = &f.items {
                    self.diags.error(
                        file,
                        items.span.clone(),
                        format!("field `{}`: `items` is only for arrays", f.name.value),
                    );
                }
                if !takes_ref(t)
                    && let Some(r) = &f.reference
                {
                    self.diags.error(
                        file,
                        r.span.clone(),
                        format!("field `{}`: `ref` is only for object, enum or array fields", f.name.value),
                    );
                }
                base(self, t, &f.ty.span)
            }
        }
    }

    fn constraints(&mut self, file: &SourceFile, f: &spec::Field, ty: &TypeIr) -> Constraints {
        let name = &f.name.value;
        let is_string = matches!(ty, TypeIr::String);
        let is_number = matches!(ty, TypeIr::Integer | TypeIr::Amount);
        let is_array = matches!(ty, TypeIr::Array(_));
        let mut misplaced = |span: &Range<usize>, key: &str, fits: &str| {
            self.diags
                .error(file, span.clone(), format!("field `{name}`: `{key}` does not apply to its type"))
                .hint(format!("`{key}` is for {fits} fields"));
        };
        for (v, key) in [(&f.min_length, "min_length"), (&f.max_length, "max_length")] {
            if let Some(v) = v
                && !is_string
            {
                misplaced(&v.span, key, "string");
            }
        }
        if let Some(c) = &f.charset
            && !is_string
        {
            misplaced(&c.span, "charset", "string");
        }
        for (v, key) in [(&f.min, "min"), (&f.max, "max")] {
            if let Some(v) = v
                && !is_number
            {
                misplaced(&v.span, key, "integer or amount");
            }
        }
        for (v, key) in [(&f.min_items, "min_items"), (&f.max_items, "max_items")] {
            if let Some(v) = v
                && !is_array
            {
                misplaced(&v.span, key, "array");
            }
        }
        let mut contradiction = |lo: Option<&Sp<u64>>, hi: Option<&Sp<u64>>, what: &str| {
            if let (Some(lo), Some(hi)) = (lo, hi)
                && lo.value > hi.value
            {
                self.diags
                    .error(
                        file,
                        hi.span.clone(),
                        format!("field `{name}`: max {what} {} is below min {what} {}", hi.value, lo.value),
                    )
                    .hint("no value could satisfy both; fix one bound");
            }
        };
        contradiction(f.min_length.as_ref(), f.max_length.as_ref(), "length");
        contradiction(f.min_items.as_ref(), f.max_items.as_ref(), "items");
        if let (Some(lo), Some(hi)) = (&f.min, &f.max)
            && lo.value > hi.value
        {
            self.diags
                .error(file, hi.span.clone(), format!("field `{name}`: max {} is below min {}", hi.value, lo.value))
                .hint("no value could satisfy both; fix one bound");
        }
        if let Some(hi) = &f.max_length
            && hi.value == 0
        {
            self.diags.error(
                file,
                hi.span.clone(),
                format!("field `{name}`: max_length 0 allows only the empty string"),
            );
        }
        let charset = f.charset.as_ref().and_then(|c| match parse_charset(&c.value) {
            Ok(ranges) => Some(Charset { ranges, text: c.value.clone() }),
            Err(msg) => {
                self.diags.error(file, c.span.clone(), format!("field `{name}`: charset {:?}: {msg}", c.value)).hint(
                    "write characters and ranges without brackets, e.g. `0-9A-Za-z_-` (a `-` is literal at the end)",
                );
                None
            }
        });
        Constraints {
            min_length: f.min_length.as_ref().map(|v| v.value),
            max_length: f.max_length.as_ref().map(|v| v.value),
            charset,
            min: f.min.as_ref().map(|v| v.value),
            max: f.max.as_ref().map(|v| v.value),
            min_items: f.min_items.as_ref().map(|v| v.value),
            max_items: f.max_items.as_ref().map(|v| v.value),
            disputed: self.disputed_constraints(file, f),
        }
    }

    /// A field's `disputed` marks: each names a constraint the field has, with a valid id.
    fn disputed_constraints(&mut self, file: &SourceFile, f: &spec::Field) -> BTreeMap<String, DisputeIr> {
        let mut out = BTreeMap::new();
        for d in &f.disputed {
            let present = match d.constraint.value.as_str() {
                "min_length" => f.min_length.is_some(),
                "max_length" => f.max_length.is_some(),
                "charset" => f.charset.is_some(),
                "min" => f.min.is_some(),
                "max" => f.max.is_some(),
                "min_items" => f.min_items.is_some(),
                "max_items" => f.max_items.is_some(),
                other => {
                    self.diags
                        .error(file, d.constraint.span.clone(), format!("`{other}` is not a constraint"))
                        .hint("one of min_length, max_length, charset, min, max, min_items, max_items");
                    continue;
                }
            };
            if !present {
                self.diags.error(
                    file,
                    d.constraint.span.clone(),
                    format!("field `{}` has no `{}` to dispute", f.name.value, d.constraint.value),
                );
                continue;
            }
            if let Some(dispute) = self.dispute(file, &d.id, &d.by, &d.reason) {
                if out.insert(d.constraint.value.clone(), dispute).is_some() {
                    self.diags.error(
                        file,
                        d.constraint.span.clone(),
                        format!("`{}` of field `{}` is disputed twice", d.constraint.value, f.name.value),
                    );
                }
            }
        }
        out
    }

    /// A dispute's id must be kebab-case and its `by` list non-empty; that each example exists
    /// and breaks the fact is checked with the official examples (`official.rs`).
    fn dispute(
        &mut self,
        file: &SourceFile,
        id: &Sp<String>,
        by: &Sp<Vec<Sp<String>>>,
        reason: &str,
    ) -> Option<DisputeIr> {
        let kebab = !id.value.is_empty()
            && id.value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !id.value.starts_with('-')
            && !id.value.ends_with('-');
        if !kebab {
            self.diags
                .error(file, id.span.clone(), format!("dispute id {:?} is not kebab-case", id.value))
                .hint("users name it in code: lower-case letters, digits and `-`, e.g. `weekly-and-irregular-periods`");
            return None;
        }
        if by.value.is_empty() {
            self.diags
                .error(file, by.span.clone(), format!("dispute `{}` cites no official example", id.value))
                .hint("a fact is disputed by an official example that breaks it: name it in `by`");
            return None;
        }
        Some(DisputeIr {
            id: id.value.clone(),
            by: by.value.iter().map(|b| b.value.clone()).collect(),
            reason: reason.to_owned(),
        })
    }

    /// Resolves a dotted path relative to `model`, through object fields only.
    fn path(
        &mut self,
        file: &SourceFile,
        model: &str,
        path: &Sp<String>,
        models: &BTreeMap<String, ModelIr>,
    ) -> Option<FieldPath> {
        let mut current = models.get(model)?;
        let mut steps = Vec::new();
        let parts: Vec<&str> = path.value.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let Some(field) = current.fields.iter().find(|f| f.wire == *part) else {
                let near = closest(part, current.fields.iter().map(|f| &f.wire));
                let d = self.diags.error(
                    file,
                    path.span.clone(),
                    format!("rule names `{}`, but model `{}` has no field `{part}`", path.value, current.name),
                );
                if let Some(near) = near {
                    d.hint(format!("did you mean `{near}`?"));
                } else {
                    d.hint("rule paths are dotted wire names relative to the model the rule is on");
                }
                return None;
            };
            steps.push(PathStep { wire: field.wire.clone(), rust: field.rust.clone(), optional: field.is_option() });
            if i + 1 == parts.len() {
                return Some(FieldPath { steps, leaf: field.ty.clone() });
            }
            match &field.ty {
                TypeIr::Model(next) => current = models.get(next)?,
                TypeIr::Array(_) => {
                    self.diags
                        .error(
                            file,
                            path.span.clone(),
                            format!("rule path `{}` goes through the array `{part}`", path.value),
                        )
                        .hint("put the rule on the array's item model instead");
                    return None;
                }
                _ => {
                    self.diags.error(
                        file,
                        path.span.clone(),
                        format!("rule path `{}`: `{part}` is not an object", path.value),
                    );
                    return None;
                }
            }
        }
        None
    }

    /// A condition: one test on a field, or `all` / `any` / `not` of conditions. Every
    /// malformed part is reported, not only the first.
    fn when(
        &mut self,
        file: &SourceFile,
        model: &str,
        c: &Sp<spec::Condition>,
        models: &BTreeMap<String, ModelIr>,
        enums_ok: &dyn Fn(&str) -> Option<Vec<String>>,
    ) -> Option<WhenIr> {
        let combinators: Vec<&str> = [(c.all.is_some(), "all"), (c.any.is_some(), "any"), (c.not.is_some(), "not")]
            .iter()
            .filter(|(given, _)| *given)
            .map(|(_, key)| *key)
            .collect();
        let tests: Vec<&str> = [
            (c.field.is_some(), "field"),
            (c.equals.is_some(), "equals"),
            (c.one_of.is_some(), "in"),
            (c.contains.is_some(), "contains"),
            (c.present.is_some(), "present"),
        ]
        .iter()
        .filter(|(given, _)| *given)
        .map(|(_, key)| *key)
        .collect();
        if combinators.is_empty() {
            return match &c.field {
                Some(field) => self.condition(file, model, field, c, models, enums_ok).map(WhenIr::Test),
                None => {
                    self.diags
                        .error(file, c.span.clone(), "condition tests nothing")
                        .hint("give `field` with one of equals, in, contains, present; or one of all, any, not");
                    None
                }
            };
        }
        if combinators.len() > 1 || !tests.is_empty() {
            let keys: Vec<String> = combinators.iter().chain(&tests).map(|k| format!("`{k}`")).collect();
            self.diags.error(file, c.span.clone(), format!("condition mixes {}", keys.join(", "))).hint(
                "a condition is either a test on one field or exactly one of all, any, not; nest the others inside it",
            );
            return None;
        }
        if let Some(inner) = &c.not {
            return self.when(file, model, &inner.value, models, enums_ok).map(|w| WhenIr::Not(Box::new(w)));
        }
        let (list, key) = match (&c.all, &c.any) {
            (Some(list), _) => (list, "all"),
            (None, Some(list)) => (list, "any"),
            (None, None) => return None,
        };
        if list.value.is_empty() {
            self.diags
                .error(file, list.span.clone(), format!("`{key}` with no conditions"))
                .hint(format!("list at least one condition in `{key}`, or remove it"));
            return None;
        }
        let lowered: Vec<Option<WhenIr>> =
            list.value.iter().map(|inner| self.when(file, model, inner, models, enums_ok)).collect();
        let lowered: Vec<WhenIr> = lowered.into_iter().collect::<Option<_>>()?;
        Some(if key == "all" { WhenIr::All(lowered) } else { WhenIr::Any(lowered) })
    }

    fn condition(
        &mut self,
        file: &SourceFile,
        model: &str,
        field: &Sp<String>,
        c: &spec::Condition,
        models: &BTreeMap<String, ModelIr>,
        enums_ok: &dyn Fn(&str) -> Option<Vec<String>>,
    ) -> Option<ConditionIr> {
        let path = self.path(file, model, field, models)?;
        let given = [c.equals.is_some(), c.one_of.is_some(), c.contains.is_some(), c.present.is_some()];
        if given.iter().filter(|g| **g).count() != 1 {
            self.diags
                .error(file, field.span.clone(), format!("condition on `{}` needs exactly one test", field.value))
                .hint("use one of equals, in, contains, present");
            return None;
        }
        let element = match &path.leaf {
            TypeIr::Array(inner) => Some(inner.as_ref().clone()),
            _ => None,
        };
        let allowed_values = |ty: &TypeIr| match ty {
            TypeIr::Enum(e) => enums_ok(e),
            _ => None,
        };
        let check_value = |cx: &mut Cx, ty: &TypeIr, v: &str, span: &Range<usize>| {
            if !matches!(ty, TypeIr::Enum(_) | TypeIr::String) {
                cx.diags.error(
                    file,
                    span.clone(),
                    format!("`{}` is not a string or enum; it cannot be compared with {v:?}", field.value),
                );
            } else if let Some(values) = allowed_values(ty)
                && !values.iter().any(|x| x == v)
            {
                cx.diags
                    .error(file, span.clone(), format!("{v:?} is not a value of `{}`", field.value))
                    .hint(format!("values: {}", values.join(", ")));
            }
        };
        let test = if let Some(v) = &c.equals {
            check_value(self, &path.leaf, &v.value, &v.span);
            Test::Equals(v.value.clone())
        } else if let Some(vs) = &c.one_of {
            if vs.value.is_empty() {
                self.diags.error(file, vs.span.clone(), "`in` with no values can never hold");
            }
            for v in &vs.value {
                check_value(self, &path.leaf, &v.value, &v.span);
            }
            Test::In(vs.value.iter().map(|v| v.value.clone()).collect())
        } else if let Some(v) = &c.contains {
            match &element {
                Some(el) => check_value(self, el, &v.value, &v.span),
                None => {
                    self.diags.error(
                        file,
                        v.span.clone(),
                        format!("`contains` needs an array, and `{}` is not one", field.value),
                    );
                }
            }
            Test::Contains(v.value.clone())
        } else if let Some(p) = &c.present {
            Test::Present(p.value)
        } else {
            return None;
        };
        Some(ConditionIr { path, test })
    }

    fn rule(
        &mut self,
        file: &SourceFile,
        model_name: &Sp<String>,
        r: &spec::Rule,
        models: &BTreeMap<String, ModelIr>,
    ) -> Option<RuleIr> {
        let model = model_name.value.as_str();
        // Enum values are checked against the raw enum declarations, known by name.
        let enum_values = self.enum_values.clone();
        let lookup = move |name: &str| enum_values.get(name).cloned();
        let when = match &r.when {
            Some(c) => Some(self.when(file, model, c, models, &lookup)?),
            None => None,
        };
        let lists = [
            (&r.require, "require"),
            (&r.forbid, "forbid"),
            (&r.exactly_one_of, "exactly_one_of"),
            (&r.at_least_one_of, "at_least_one_of"),
            (&r.at_most_one_of, "at_most_one_of"),
        ];
        let given: Vec<&str> = lists
            .iter()
            .filter(|(l, _)| l.is_some())
            .map(|(_, n)| *n)
            .chain(r.assert.as_ref().map(|_| "assert"))
            .collect();
        // A condition is located at its field, or at the whole condition when it combines others.
        let condition_at = |c: &Sp<spec::Condition>| c.field.as_ref().map_or(c.span.clone(), |f| f.span.clone());
        let anchor = r.when.as_ref().map(condition_at).or_else(|| {
            lists.iter().find_map(|(l, _)| l.as_ref().map(|l| l.span.clone())).or(r.assert.as_ref().map(condition_at))
        });
        if given.len() != 1 {
            // A rule with nothing located in it is reported at its description.
            let span = anchor.unwrap_or_else(|| r.description.span.clone());
            let what = if given.is_empty() {
                "has no assertion".to_owned()
            } else {
                format!("has {} assertions ({})", given.len(), given.join(", "))
            };
            self.diags
                .error(file, span, format!("rule {:?} on `{model}` {what}", r.description.value))
                .hint("give exactly one of require, forbid, exactly_one_of, at_least_one_of, at_most_one_of, assert");
            return None;
        }
        if let Some(a) = &r.assert {
            let cond = self.when(file, model, a, models, &lookup)?;
            let disputed = r.disputed.as_ref().and_then(|d| self.dispute(file, &d.id, &d.by, &d.reason));
            return Some(RuleIr {
                description: r.description.value.clone(),
                when,
                assertion: AssertionIr::Holds(cond),
                disputed,
            });
        }
        let (list, kind) = lists.iter().find(|(l, _)| l.is_some()).map(|(l, k)| (l.as_ref().expect("some"), *k))?;
        let min = if matches!(kind, "require" | "forbid") { 1 } else { 2 };
        if list.value.len() < min {
            self.diags.error(
                file,
                list.span.clone(),
                format!("`{kind}` needs at least {min} field(s), got {}", list.value.len()),
            );
            return None;
        }
        let mut paths = Vec::new();
        for p in &list.value {
            paths.push(self.path(file, model, p, models));
        }
        let paths: Vec<FieldPath> = paths.into_iter().collect::<Option<_>>()?;
        if let Some(WhenIr::Test(w)) = &when
            && kind == "forbid"
            && let Test::Present(true) = w.test
            && paths.iter().any(|p| p.dotted() == w.path.dotted())
        {
            self.diags
                .error(file, list.span.clone(), format!("rule forbids `{}` whenever it is present", w.path.dotted()))
                .hint("the rule contradicts itself");
        }
        let assertion = match kind {
            "require" => AssertionIr::Require(paths),
            "forbid" => AssertionIr::Forbid(paths),
            "exactly_one_of" => AssertionIr::ExactlyOneOf(paths),
            "at_least_one_of" => AssertionIr::AtLeastOneOf(paths),
            _ => AssertionIr::AtMostOneOf(paths),
        };
        let disputed = r.disputed.as_ref().and_then(|d| self.dispute(file, &d.id, &d.by, &d.reason));
        Some(RuleIr { description: r.description.value.clone(), when, assertion, disputed })
    }

    /// The shapes of a field that sources document differently (see `spec::Alternatives`).
    fn alternatives(
        &mut self,
        file: &SourceFile,
        f: &spec::Field,
        alt: &Sp<spec::Alternatives>,
        models: &BTreeMap<String, ModelIr>,
        seen: &BTreeMap<String, AlternativesIr>,
    ) -> Option<AlternativesIr> {
        let field = &f.name.value;
        let name = &alt.name;
        let object_shape =
            matches!((*f.ty, f.items.as_deref()), (FieldType::Object, _) | (FieldType::Array, Some(FieldType::Object)));
        if !object_shape {
            self.diags
                .error(
                    file,
                    alt.span.clone(),
                    format!("field `{field}`: `alternatives` needs an object field or an array of objects"),
                )
                .hint("the documented object shape is the field's `ref`; list the other shapes in `types`");
            return None;
        }
        let model = f.reference.as_ref().map(|r| r.value.clone()).filter(|r| models.contains_key(r))?;
        let mut ok = true;
        if !names::is_pascal(&name.value) {
            self.diags
                .error(file, name.span.clone(), format!("alternatives name `{}` is not PascalCase", name.value))
                .hint(format!("use a name like `{}`", names::pascal(&name.value)));
            ok = false;
        } else if self.model_index.contains_key(&name.value)
            || self.enum_index.contains_key(&name.value)
            || seen.contains_key(&name.value)
        {
            self.diags
                .error(file, name.span.clone(), format!("duplicate type name `{}`", name.value))
                .hint("the enum of alternatives shares one namespace with models and enums; pick another name");
            ok = false;
        }
        if alt.types.value.is_empty() {
            self.diags
                .error(file, alt.types.span.clone(), "`types` lists no other shape")
                .hint("list the other documented shapes, e.g. types = [\"string\"], or remove `alternatives`");
            ok = false;
        }
        let mut others: Vec<TypeIr> = Vec::new();
        for t in &alt.types.value {
            let ty = match **t {
                FieldType::String => TypeIr::String,
                FieldType::Integer => TypeIr::Integer,
                FieldType::Boolean => TypeIr::Boolean,
                _ => {
                    self.diags
                        .error(
                            file,
                            t.span.clone(),
                            format!("field `{field}`: an alternative shape must be string, integer or boolean"),
                        )
                        .hint("the object shape is the field's `ref`; other objects are not supported");
                    ok = false;
                    continue;
                }
            };
            if others.contains(&ty) {
                self.diags.error(file, t.span.clone(), format!("field `{field}`: alternative shape listed twice"));
                ok = false;
                continue;
            }
            others.push(ty);
        }
        let mut key = None;
        if let Some(k) = &alt.key {
            let target = models.get(&model).and_then(|m| m.fields.iter().find(|x| x.wire == k.value));
            match target {
                None => {
                    self.diags
                        .error(file, k.span.clone(), format!("key `{}` is not a field of model `{model}`", k.value))
                        .hint("`key` names the model's string field that a bare string shape stands for");
                    ok = false;
                }
                Some(t) if t.ty != TypeIr::String || others != [TypeIr::String] => {
                    self.diags
                        .error(
                            file,
                            k.span.clone(),
                            format!("key `{}` needs a string field and `types = [\"string\"]`", k.value),
                        )
                        .hint("the accessor returns the key's text from either shape");
                    ok = false;
                }
                Some(t) => key = Some(AlternativesKey { rust: t.rust.clone(), optional: t.is_option() }),
            }
        }
        ok.then(|| AlternativesIr {
            name: name.value.clone(),
            as_model: names::field_ident(&model).derived(|m| format!("as_{m}")),
            model,
            others,
            key,
            label: f.label.clone(),
            decision: f.decision.clone(),
        })
    }

    /// A model accessor returning the first present of several optional string fields.
    fn accessor(
        &mut self,
        file: &SourceFile,
        model: &ModelIr,
        m: &spec::Model,
        a: &spec::Accessor,
    ) -> Option<AccessorIr> {
        let mut ok = true;
        if !names::is_snake(&a.name.value) {
            self.diags.error(file, a.name.span.clone(), format!("accessor name `{}` is not snake_case", a.name.value));
            ok = false;
        }
        if m.accessors.iter().take_while(|x| !std::ptr::eq(*x, a)).any(|x| x.name.value == a.name.value) {
            self.diags.error(
                file,
                a.name.span.clone(),
                format!("duplicate accessor `{}` on `{}`", a.name.value, model.name),
            );
            ok = false;
        }
        if a.fields.value.len() < 2 {
            self.diags
                .error(file, a.fields.span.clone(), format!("accessor `{}` needs at least 2 fields", a.name.value))
                .hint("an accessor reads one value from fields that sources name differently");
            ok = false;
        }
        let mut fields = Vec::new();
        for name in &a.fields.value {
            match model.fields.iter().find(|f| f.wire == name.value) {
                Some(f) if f.ty == TypeIr::String && f.is_option() => {
                    fields.push(AccessorField { rust: f.rust.clone(), wire: f.wire.clone() })
                }
                Some(_) => {
                    self.diags
                        .error(file, name.span.clone(), format!("accessor `{}`: `{}` must be an optional string field", a.name.value, name.value))
                        .hint("when sources name a field differently, neither name is sure to be sent: make both optional");
                    ok = false;
                }
                None => {
                    let near = closest(&name.value, model.fields.iter().map(|f| &f.wire));
                    let d = self.diags.error(
                        file,
                        name.span.clone(),
                        format!(
                            "accessor `{}` names `{}`, but model `{}` has no such field",
                            a.name.value, name.value, model.name
                        ),
                    );
                    if let Some(near) = near {
                        d.hint(format!("did you mean `{near}`?"));
                    }
                    ok = false;
                }
            }
        }
        ok.then(|| AccessorIr { name: names::field_ident(&a.name.value), description: a.description.clone(), fields })
    }

    fn enumeration(&mut self, file: &SourceFile, e: &spec::EnumDef) -> EnumIr {
        let mut values: Vec<EnumValueIr> = Vec::new();
        if e.values.is_empty() {
            self.diags.error(file, e.name.span.clone(), format!("enum `{}` has no values", e.name.value));
        }
        for v in &e.values {
            if let Some(first) = values.iter().find(|x| x.wire == v.value.value) {
                self.diags.error(
                    file,
                    v.value.span.clone(),
                    format!("enum `{}` lists {:?} twice", e.name.value, first.wire),
                );
                continue;
            }
            let variant = names::variant(&v.value.value);
            if let Some(clash) = values.iter().find(|x| x.variant.name == variant) {
                self.diags
                    .error(
                        file,
                        v.value.span.clone(),
                        format!(
                            "enum `{}`: {:?} and {:?} both become the variant `{variant}`",
                            e.name.value, clash.wire, v.value.value
                        ),
                    )
                    .hint("the generator cannot tell them apart in Rust");
                continue;
            }
            values.push(EnumValueIr {
                wire: v.value.value.clone(),
                variant: RustIdent::plain(variant),
                meaning: v.meaning.clone(),
            });
        }
        EnumIr { name: e.name.value.clone(), label: e.label.clone(), description: e.description.clone(), values }
    }

    fn error_entry(&mut self, file: &SourceFile, e: &spec::ErrorEntry) -> ErrorIr {
        if !(400..=599).contains(&e.status.value) {
            self.diags.error(
                file,
                e.status.span.clone(),
                format!("error status {} is not a 4xx or 5xx", e.status.value),
            );
        }
        if !e.code.value.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            || e.code.value.is_empty()
        {
            self.diags.error(
                file,
                e.code.span.clone(),
                format!("error code {:?} is not SCREAMING_SNAKE_CASE", e.code.value),
            );
        }
        ErrorIr {
            status: e.status.value,
            code: e.code.value.clone(),
            description: e.description.clone(),
            solution: e.solution.clone(),
        }
    }

    fn operation(
        &mut self,
        file: &SourceFile,
        op: &spec::Operation,
        models: &BTreeMap<String, ModelIr>,
    ) -> Option<OperationIr> {
        let id = &op.id.value;
        if !names::is_snake(id) {
            self.diags
                .error(file, op.id.span.clone(), format!("operation id `{id}` is not snake_case"))
                .hint("it becomes a Rust function name, e.g. `create_stock_bundle`");
        }
        let path_params =
            self.fields(file, &op.path_params, &format!("path parameters of `{id}`"), FieldsOf::PathParams);
        let query_params =
            self.fields(file, &op.query_params, &format!("query parameters of `{id}`"), FieldsOf::QueryParams);
        let segments = self.path_template(file, &op.path, &path_params, &op.path_params);
        let body_ref = |cx: &mut Cx, r: &Option<Sp<String>>| -> Option<Option<String>> {
            match r {
                None => Some(None),
                Some(name) if models.contains_key(&name.value) => Some(Some(name.value.clone())),
                Some(name) => {
                    let near = closest(&name.value, models.keys());
                    let d = cx.diags.error(file, name.span.clone(), format!("unknown model `{}`", name.value));
                    if let Some(near) = near {
                        d.hint(format!("did you mean `{near}`?"));
                    }
                    None
                }
            }
        };
        let request_body = body_ref(self, &op.request_body);
        if op.method == spec::Method::GET
            && let Some(b) = &op.request_body
        {
            self.diags.error(file, b.span.clone(), format!("GET operation `{id}` cannot have a request body"));
        }
        let mut response = None;
        for r in &op.responses {
            if !(200..=299).contains(&r.status.value) {
                self.diags
                    .error(file, r.status.span.clone(), format!("response status {} is not a success", r.status.value))
                    .hint("error responses belong in [[operations.errors]]");
            }
            let body = body_ref(self, &r.body);
            if response.is_some() {
                self.diags
                    .error(file, r.status.span.clone(), format!("operation `{id}` has more than one success response"))
                    .hint("the generator supports one success response per operation");
            } else if let Some(body) = body {
                response = Some(ResponseIr { status: r.status.value, body });
            }
        }
        if op.responses.is_empty() {
            self.diags
                .error(file, op.id.span.clone(), format!("operation `{id}` has no [[operations.responses]]"))
                .hint("give the success status and its body model");
        }
        if let Some(rl) = &op.rate_limit
            && rl.per_second.value == 0
        {
            self.diags.error(file, rl.per_second.span.clone(), "a rate limit of 0/s would forbid every call");
        }
        let errors: Vec<ErrorIr> = op.errors.iter().map(|e| self.error_entry(file, e)).collect();
        let response_body = response.as_ref().and_then(|r: &ResponseIr| r.body.clone());
        let pagination = op
            .pagination
            .as_ref()
            .and_then(|p| self.pagination(file, id, p, &query_params, response_body.as_deref(), models));
        let upload = op.upload.as_ref().and_then(|u| self.upload(file, op, u, models));
        let request_model = request_body.clone().flatten();
        let response_model = response.as_ref().and_then(|r| r.body.clone());
        let mut examples = Vec::new();
        for ex in &op.examples {
            let model = match ex.kind {
                ExampleKind::Request => request_model.clone(),
                ExampleKind::Response => response_model.clone(),
            };
            match extract_json(ex.format, &ex.text.value) {
                Ok(json) => {
                    if let Some(m) = &model {
                        let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
                        let mut unknown = Vec::new();
                        let mut index = FieldIndex::default();
                        unknown_keys(&value, &TypeIr::Model(m.clone()), models, &mut index, "", &mut unknown);
                        // The first few are located (each search scans the example's text);
                        // thousands of them, from a pasted example with thousands of items,
                        // would make the report quadratic and no more useful.
                        let more = unknown.len().saturating_sub(MAX_UNKNOWN_KEYS);
                        for (path, key) in unknown.into_iter().take(MAX_UNKNOWN_KEYS) {
                            let at = locate(file, &ex.text.span, &format!("\"{key}\""));
                            self.diags
                                .error(
                                    file,
                                    at,
                                    format!("example {:?}: `{path}` is not a field of the model", ex.title),
                                )
                                .hint("every key of a doc example must be transcribed as a field");
                        }
                        if more > 0 {
                            let at = content_start(file, &ex.text.span);
                            self.diags.error(
                                file,
                                at..at,
                                format!("example {:?}: {more} more key(s) are not fields of the model", ex.title),
                            );
                        }
                    }
                    match &model {
                        Some(m) => self.check_example(file, ex, &json, m, models),
                        None if ex.expect_invalid.is_some() => {
                            let at = content_start(file, &ex.text.span);
                            self.diags
                                .error(file, at..at, format!("example {:?} has `expect_invalid` but no model to validate", ex.title))
                                .hint("only request examples of an operation with a request_body are validated; remove the marker");
                        }
                        None => {}
                    }
                    examples.push(ExampleIr {
                        kind: ex.kind,
                        title: ex.title.clone(),
                        source: ex.source.clone(),
                        status: ex.status,
                        json,
                        model,
                        expect_invalid: ex.expect_invalid.clone(),
                    });
                }
                Err((offset, msg)) => {
                    let at = content_start(file, &ex.text.span) + offset;
                    self.diags.error(file, at..at, format!("example {:?}: {msg}", ex.title));
                }
            }
        }
        let request_body = request_body?;
        let body_fields = request_body.as_ref().and_then(|m| models.get(m)).map_or(&[][..], |m| &m.fields[..]);
        Some(OperationIr {
            family: crate::families::placeholder(&op.doc_id),
            sub_path: op.path.value.clone(),
            names: names::operation(id, &path_params, &query_params, pagination.is_some()),
            idempotency_key: idempotency_key(body_fields),
            brand_param: brand_param(body_fields, &query_params, &path_params),
            id: id.clone(),
            title: op.title.clone(),
            doc_id: op.doc_id.clone(),
            updated: op.updated.clone(),
            description: op.description.clone(),
            method: op.method,
            path: op.path.value.clone(),
            segments: segments?,
            merchants: op.merchants.clone(),
            preconditions: op.preconditions.clone(),
            rate_limit: op
                .rate_limit
                .as_ref()
                .map(|r| RateLimitIr { per_second: r.per_second.value, text: r.text.clone() }),
            path_params,
            query_params,
            request_body,
            response,
            errors,
            examples,
            pagination,
            upload,
        })
    }

    /// Doc examples are tests of the spec: a request example must pass the validation the
    /// spec generates, unless it says why not (`expect_invalid`), and then it must fail it.
    fn check_example(
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

    fn path_template(
        &mut self,
        file: &SourceFile,
        path: &Sp<String>,
        params: &[FieldIr],
        raw_params: &[spec::Field],
    ) -> Option<Vec<PathSegment>> {
        let text = &path.value;
        if !text.starts_with('/') {
            self.diags.error(file, path.span.clone(), format!("path {text:?} must start with `/`"));
            return None;
        }
        if text.contains('?') {
            self.diags
                .error(file, path.span.clone(), format!("path {text:?} contains a query string"))
                .hint("declare query parameters in [[operations.query_params]]");
            return None;
        }
        let mut segments = Vec::new();
        let mut used = Vec::new();
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                self.diags.error(file, path.span.clone(), format!("path {text:?} has an unclosed `{{`"));
                return None;
            };
            if open > 0 {
                segments.push(PathSegment::Literal(rest[..open].to_owned()));
            }
            let name = &rest[open + 1..close];
            match params.iter().find(|p| p.wire == name) {
                Some(p) => {
                    segments.push(PathSegment::Param(p.wire.clone()));
                    used.push(p.wire.clone());
                }
                None => {
                    self.diags
                        .error(
                            file,
                            path.span.clone(),
                            format!("path placeholder `{{{name}}}` has no matching path parameter"),
                        )
                        .hint(format!("add [[operations.path_params]] name = \"{name}\""));
                    return None;
                }
            }
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            segments.push(PathSegment::Literal(rest.to_owned()));
        }
        for p in params {
            if !used.contains(&p.wire) {
                let span = raw_params
                    .iter()
                    .find(|r| r.name.value == p.wire)
                    .map_or(path.span.clone(), |r| r.name.span.clone());
                self.diags
                    .error(file, span, format!("path parameter `{}` does not appear in the path {text:?}", p.wire))
                    .hint(format!("add `{{{}}}` to the path, or remove the parameter", p.wire));
            }
        }
        Some(segments)
    }
}

impl Cx {
    fn pagination(
        &mut self,
        file: &SourceFile,
        id: &str,
        p: &spec::Pagination,
        query: &[FieldIr],
        response: Option<&str>,
        models: &BTreeMap<String, ModelIr>,
    ) -> Option<PaginationIr> {
        let mut ok = true;
        for (param, what) in [(&p.page_size, "page_size"), (&p.page_token, "page_token")] {
            match query.iter().find(|q| q.wire == param.value) {
                Some(q) if q.is_option() => {}
                Some(_) => {
                    self.diags
                        .error(
                            file,
                            param.span.clone(),
                            format!("pagination {what} `{}` must be an optional query parameter", param.value),
                        )
                        .hint("the first page is requested without it");
                    ok = false;
                }
                None => {
                    self.diags
                        .error(
                            file,
                            param.span.clone(),
                            format!("pagination {what} `{}` is not a query parameter of `{id}`", param.value),
                        )
                        .hint(format!("declare it in [[operations.query_params]] with name = \"{}\"", param.value));
                    ok = false;
                }
            }
        }
        let Some(model) = response.and_then(|r| models.get(r)) else {
            self.diags.error(file, p.items.span.clone(), format!("paginated operation `{id}` has no response model"));
            return None;
        };
        let field = |cx: &mut Cx, name: &Sp<String>, want_array: bool| -> Option<(ResponseField, TypeIr)> {
            let Some(f) = model.fields.iter().find(|f| f.wire == name.value) else {
                cx.diags.error(
                    file,
                    name.span.clone(),
                    format!("response model `{}` has no field `{}`", model.name, name.value),
                );
                return None;
            };
            let ty = match (&f.ty, want_array) {
                (TypeIr::Array(inner), true) => inner.as_ref().clone(),
                (TypeIr::String, false) => TypeIr::String,
                (_, true) => {
                    cx.diags.error(
                        file,
                        name.span.clone(),
                        format!("pagination items `{}` must be an array", name.value),
                    );
                    return None;
                }
                (_, false) => {
                    cx.diags.error(
                        file,
                        name.span.clone(),
                        format!("next page token `{}` must be a string", name.value),
                    );
                    return None;
                }
            };
            Some((ResponseField { rust: f.rust.clone(), optional: f.is_option() }, ty))
        };
        let next = field(self, &p.next_page_token, false);
        let items = field(self, &p.items, true);
        let ((next_page_token, _), (items, item)) = (next?, items?);
        ok.then(|| PaginationIr {
            page_token: p.page_token.value.clone(),
            page_size: p.page_size.value.clone(),
            next_page_token,
            items,
            item,
        })
    }

    fn upload(
        &mut self,
        file: &SourceFile,
        op: &spec::Operation,
        u: &spec::Upload,
        models: &BTreeMap<String, ModelIr>,
    ) -> Option<UploadIr> {
        let mut ok = true;
        if let Some(body) = &op.request_body {
            self.diags
                .error(
                    file,
                    body.span.clone(),
                    format!("operation `{}` has both a request_body and an upload", op.id.value),
                )
                .hint("an upload's JSON goes in its `meta` model");
            ok = false;
        }
        if op.method != spec::Method::POST {
            self.diags.error(file, op.id.span.clone(), format!("upload operation `{}` must be a POST", op.id.value));
            ok = false;
        }
        if !models.contains_key(&u.meta.value) {
            self.diags.error(file, u.meta.span.clone(), format!("unknown model `{}`", u.meta.value));
            ok = false;
        }
        if u.max_bytes.value == 0 {
            self.diags.error(file, u.max_bytes.span.clone(), "max_bytes 0 accepts no file");
            ok = false;
        }
        if u.media_types.is_empty() {
            self.diags.error(
                file,
                op.id.span.clone(),
                format!("upload operation `{}` lists no media_types", op.id.value),
            );
            ok = false;
        }
        ok.then(|| UploadIr {
            file_field: u.file_field.clone(),
            meta_field: u.meta_field.clone(),
            meta: u.meta.value.clone(),
            max_bytes: u.max_bytes.value,
            media_types: u.media_types.clone(),
        })
    }

    fn notifications(
        &mut self,
        files: &[(SourceFile, spec::SpecFile)],
        models: &BTreeMap<String, ModelIr>,
    ) -> Vec<NotificationIr> {
        let mut out: Vec<NotificationIr> = Vec::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        for (file, spec) in files {
            for n in &spec.notifications {
                let mut ok = true;
                for (key, what) in [(&n.event_type, "event type"), (&n.name, "notification name")] {
                    let id = format!("{what}:{}", key.value);
                    if let Some(first) = seen.get(&id) {
                        self.diags
                            .error(file, key.span.clone(), format!("duplicate {what} `{}`", key.value))
                            .hint(format!("the first is at {first}"));
                        ok = false;
                    } else {
                        seen.insert(id, Diagnostics::place(file, &key.span));
                    }
                }
                if !names::is_pascal(&n.name.value) || n.name.value == "Other" {
                    self.diags
                        .error(
                            file,
                            n.name.span.clone(),
                            format!("notification name `{}` must be PascalCase and not `Other`", n.name.value),
                        )
                        .hint("`Other` holds the event types the spec does not know");
                    ok = false;
                }
                if !models.contains_key(&n.resource.value) {
                    let near = closest(&n.resource.value, models.keys());
                    let d = self.diags.error(
                        file,
                        n.resource.span.clone(),
                        format!("unknown model `{}`", n.resource.value),
                    );
                    if let Some(near) = near {
                        d.hint(format!("did you mean `{near}`?"));
                    }
                    ok = false;
                }
                let mut examples = Vec::new();
                for ex in &n.examples {
                    match extract_json(ex.format, &ex.text.value) {
                        Ok(json) => examples.push(ExampleIr {
                            kind: ex.kind,
                            title: ex.title.clone(),
                            source: ex.source.clone(),
                            status: ex.status,
                            json,
                            model: Some(n.resource.value.clone()),
                            expect_invalid: None,
                        }),
                        Err((offset, msg)) => {
                            let at = content_start(file, &ex.text.span) + offset;
                            self.diags.error(file, at..at, format!("example {:?}: {msg}", ex.title));
                        }
                    }
                }
                if ok {
                    out.push(NotificationIr {
                        event_type: n.event_type.value.clone(),
                        name: n.name.value.clone(),
                        title: n.title.clone(),
                        doc_id: n.doc_id.clone(),
                        summary: n.summary.clone(),
                        original_type: n.original_type.clone(),
                        resource: n.resource.value.clone(),
                        description: n.description.clone(),
                        examples,
                        doc_url: Some(format!("https://pay.weixin.qq.com/doc/v3/partner/{}", n.doc_id)),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.event_type.cmp(&b.event_type));
        out
    }
}

/// Walks an example value against a type and collects keys that are not fields.
/// The fields of each model by wire name, built when a model is first looked at: an example
/// with thousands of items would otherwise scan a model's fields once per key (quadratic).
type FieldIndex<'m> = HashMap<&'m str, HashMap<&'m str, &'m FieldIr>>;

fn unknown_keys<'m>(
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
const MAX_UNKNOWN_KEYS: usize = 20;

/// Parses a bracket-less character class (`0-9A-Za-z_-`) into inclusive ranges.
pub fn parse_charset(text: &str) -> Result<Vec<(char, char)>, String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Err("empty character class".to_owned());
    }
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let lo = chars[i];
        if i + 2 < chars.len() && chars[i + 1] == '-' {
            let hi = chars[i + 2];
            if lo > hi {
                return Err(format!("range {lo}-{hi} is reversed"));
            }
            ranges.push((lo, hi));
            i += 3;
        } else {
            ranges.push((lo, lo));
            i += 1;
        }
    }
    Ok(ranges)
}
