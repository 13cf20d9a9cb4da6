//! API families (`[[families]]`): the same operations served to different callers under another
//! path prefix, with another authentication. Lowering checks the families and each operation's
//! membership, then derives every secondary family's operations, model variants and
//! notifications from the primary family's, so nothing is described twice.
//!
//! What a family changes:
//! - paths: its prefix plus the operation's sub-path (the primary path without the primary
//!   prefix), or the sub-path its `[[operations.families]]` entry gives;
//! - the brand identity: a family that names the brand in the Authorization header drops the
//!   other families' brand field (`brand_id`) from every parameter list and model; a model that
//!   contains it, directly or through other models, gets a variant without it (`brand::X`),
//!   and every other model is shared;
//! - per-operation facts its pages give: doc page, 更新时间, 频率限制.
//!
//! An operation without `[[operations.families]]` entries is the primary family's only.

use crate::diagnostics::{Diagnostics, SourceFile};
use crate::ir::*;
use crate::names;
use crate::spec::{self, BrandIdentity, Sp};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The primary family when the spec declares none: the operations' paths as written.
fn implicit() -> FamilyIr {
    FamilyIr {
        id: "default".to_owned(),
        title: String::new(),
        path_prefix: String::new(),
        auth_scheme: "WECHATPAY2-SHA256-RSA2048".to_owned(),
        brand_identity: BrandIdentity::RequestField,
        brand_field: None,
        rate_limit_dimension: spec::RateLimitDimension::Merchant,
        wechatpay_serial_required: false,
        doc_base_url: "https://pay.weixin.qq.com/doc/v3/partner/".to_owned(),
        module: None,
        client: "Client".to_owned(),
        dropped_fields: BTreeSet::new(),
        variants: BTreeMap::new(),
        operations: Vec::new(),
        notifications: Vec::new(),
    }
}

/// An operation's family facts for `family`, with the doc page `doc_id` (if known).
fn op_family(
    family: &FamilyIr,
    doc_id: Option<&str>,
    rate_limit_inherited: bool,
    secondary: bool,
) -> OperationFamilyIr {
    OperationFamilyIr {
        id: family.id.clone(),
        title: family.title.clone(),
        path_prefix: family.path_prefix.clone(),
        auth_scheme: family.auth_scheme.clone(),
        rate_limit_dimension: family.rate_limit_dimension,
        dimension_words: family.dimension_words().to_owned(),
        client: family.client.clone(),
        doc_url: doc_id.filter(|d| !d.is_empty()).map(|d| format!("{}{d}", family.doc_base_url)),
        rate_limit_inherited,
        secondary,
        module: family.module.clone(),
    }
}

/// The facts of an operation as lowering first builds it, before families are known.
pub(crate) fn placeholder(doc_id: &str) -> OperationFamilyIr {
    op_family(&implicit(), Some(doc_id), false, false)
}

/// Checks `[[families]]` and every `[[operations.families]]` / `[[notifications.families]]`,
/// fills in the primary family's facts of `operations`, and derives the secondary families.
pub(crate) fn lower(
    diags: &mut Diagnostics,
    files: &[(SourceFile, spec::SpecFile)],
    models: &BTreeMap<String, ModelIr>,
    operations: &mut [OperationIr],
    notifications: &[NotificationIr],
) -> Vec<FamilyIr> {
    let declared = declared(diags, files);
    let Some(primary) = declared.first().map(|(f, _)| f.clone()) else {
        // No families: one implicit family, and no operation may name one.
        for (file, spec) in files {
            for op in &spec.operations {
                if let Some(entry) = op.families.first() {
                    diags
                        .error(
                            file,
                            entry.family.span.clone(),
                            format!("family `{}` is not declared", entry.family.value),
                        )
                        .hint("declare it with [[families]] (id, path_prefix, auth_scheme, ...) or remove the entry");
                }
            }
            for n in &spec.notifications {
                if let Some(entry) = n.families.first() {
                    diags
                        .error(
                            file,
                            entry.family.span.clone(),
                            format!("family `{}` is not declared", entry.family.value),
                        )
                        .hint("declare it with [[families]] or remove the entry");
                }
            }
        }
        let mut family = implicit();
        for op in operations.iter_mut() {
            op.family = op_family(&family, Some(&op.doc_id), false, false);
            op.sub_path = op.path.clone();
        }
        family.operations.clear();
        return vec![family];
    };
    let by_id: HashMap<&str, usize> = declared.iter().enumerate().map(|(i, (f, _))| (f.id.as_str(), i)).collect();
    let mut secondaries: Vec<FamilyIr> = declared.iter().skip(1).map(|(f, _)| f.clone()).collect();
    for fam in &mut secondaries {
        if fam.brand_identity == BrandIdentity::Authorization {
            fam.dropped_fields = declared
                .iter()
                .filter(|(g, _)| g.brand_identity == BrandIdentity::RequestField)
                .filter_map(|(g, _)| g.brand_field.clone())
                .collect();
        }
        fam.variants = variants(fam, &primary.id, models);
    }
    // A field's `families` name declared families.
    for (file, spec) in files {
        for m in &spec.models {
            for f in &m.fields {
                for fam in &f.families {
                    if !by_id.contains_key(fam.value.as_str()) {
                        unknown_family(diags, file, fam, &declared);
                    }
                }
            }
        }
    }

    let index: HashMap<String, usize> = operations.iter().enumerate().map(|(i, op)| (op.id.clone(), i)).collect();
    for (file, spec) in files {
        for op in &spec.operations {
            let Some(&at) = index.get(op.id.value.as_str()) else { continue };
            // Without entries an operation is the primary family's only (a page just imported,
            // say); another family needs the sub-path, so the primary prefix.
            let in_other = op.families.iter().any(|e| e.family.value != primary.id);
            let Some(sub_path) = op.path.value.strip_prefix(&primary.path_prefix) else {
                if in_other {
                    diags
                        .error(
                            file,
                            op.path.span.clone(),
                            format!(
                                "path {:?} does not start with the primary family's prefix {:?}",
                                op.path.value, primary.path_prefix
                            ),
                        )
                        .hint(format!(
                            "write the path as family `{}` prints it; other families' paths are derived from it",
                            primary.id
                        ));
                }
                let base = &mut operations[at];
                base.sub_path = op.path.value.clone();
                base.family = op_family(&primary, Some(&base.doc_id), false, false);
                continue;
            };
            let base = &mut operations[at];
            base.sub_path = sub_path.to_owned();
            base.family = op_family(&primary, Some(&base.doc_id), false, false);
            let base = base.clone();
            let mut seen: HashMap<&str, String> = HashMap::new();
            for entry in &op.families {
                let name = entry.family.value.as_str();
                if let Some(first) = seen.get(name) {
                    diags
                        .error(
                            file,
                            entry.family.span.clone(),
                            format!("operation `{}` lists family `{name}` twice", op.id.value),
                        )
                        .hint(format!("the first is at {first}"));
                    continue;
                }
                seen.insert(name, Diagnostics::place(file, &entry.family.span));
                let Some(&fi) = by_id.get(name) else {
                    unknown_family(diags, file, &entry.family, &declared);
                    continue;
                };
                if let Some(rl) = &entry.rate_limit
                    && rl.per_second.value == 0
                {
                    diags.error(file, rl.per_second.span.clone(), "a rate limit of 0/s would forbid every call");
                }
                if fi == 0 {
                    // The operation as described is the primary family's: nothing may differ.
                    for (given, key) in [
                        (entry.doc_id.is_some(), "doc_id"),
                        (entry.updated.is_some(), "updated"),
                        (entry.path.is_some(), "path"),
                        (entry.rate_limit.is_some(), "rate_limit"),
                    ] {
                        if given {
                            diags
                                .error(
                                    file,
                                    entry.family.span.clone(),
                                    format!("`{key}` of the primary family `{name}` belongs on the operation itself"),
                                )
                                .hint("the operation's own facts are its primary family's; entries of other families give what differs");
                        }
                    }
                    continue;
                }
                let fam = &secondaries[fi - 1];
                if let Some(lowered) = derive_operation(diags, file, &base, entry, fam) {
                    secondaries[fi - 1].operations.push(lowered);
                }
            }
        }
        for n in &spec.notifications {
            for entry in &n.families {
                let Some(&fi) = by_id.get(entry.family.value.as_str()) else {
                    unknown_family(diags, file, &entry.family, &declared);
                    continue;
                };
                if fi == 0 {
                    diags
                        .error(
                            file,
                            entry.family.span.clone(),
                            "the notification as described is already the primary family's",
                        )
                        .hint("list only the other families' event types");
                    continue;
                }
                let Some(base) = notifications.iter().find(|x| x.name == n.name.value) else { continue };
                let fam = &secondaries[fi - 1];
                if let Some(dup) = fam.notifications.iter().find(|x| x.event_type == entry.event_type.value) {
                    diags.error(
                        file,
                        entry.event_type.span.clone(),
                        format!("family `{}` already has event type `{}` ({})", fam.id, dup.event_type, dup.name),
                    );
                    continue;
                }
                let mut lowered = base.clone();
                lowered.event_type = entry.event_type.value.clone();
                lowered.resource = remap_key(&base.resource, fam);
                lowered.doc_url = None;
                // The examples are the primary family's payloads.
                lowered.examples.clear();
                secondaries[fi - 1].notifications.push(lowered);
            }
        }
    }
    for fam in &mut secondaries {
        fam.operations.sort_by(|a, b| a.id.cmp(&b.id));
        fam.notifications.sort_by(|a, b| a.event_type.cmp(&b.event_type));
    }
    let mut out = vec![primary];
    out.extend(secondaries);
    out
}

fn unknown_family(diags: &mut Diagnostics, file: &SourceFile, name: &Sp<String>, declared: &[(FamilyIr, String)]) {
    let ids: Vec<String> = declared.iter().map(|(f, _)| f.id.clone()).collect();
    let d = diags.error(file, name.span.clone(), format!("unknown family `{}`", name.value));
    match crate::suggest::closest(&name.value, ids.iter()) {
        Some(near) => d.hint(format!("did you mean `{near}`?")),
        None => d.hint(format!("declared families: {}", ids.join(", "))),
    };
}

/// The `[[families]]` of every file, checked; each with the place it was declared. The
/// primary family (no `module`) comes first.
fn declared(diags: &mut Diagnostics, files: &[(SourceFile, spec::SpecFile)]) -> Vec<(FamilyIr, String)> {
    let mut out: Vec<(FamilyIr, String)> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut primary_at: Option<String> = None;
    for (file, spec) in files {
        for f in &spec.families {
            let here = Diagnostics::place(file, &f.id.span);
            let mut ok = true;
            for (what, value) in [("family id", Some(&f.id)), ("module", f.module.as_ref())] {
                let Some(value) = value else { continue };
                if !names::is_snake(&value.value) {
                    diags
                        .error(file, value.span.clone(), format!("{what} `{}` is not snake_case", value.value))
                        .hint("e.g. `brand`");
                    ok = false;
                }
            }
            for (what, value) in [("family id", &f.id), ("client", &f.client)] {
                let key = format!("{what}:{}", value.value);
                if let Some(first) = seen.get(&key) {
                    diags
                        .error(file, value.span.clone(), format!("duplicate {what} `{}`", value.value))
                        .hint(format!("the first is at {first}"));
                    ok = false;
                } else {
                    seen.insert(key, Diagnostics::place(file, &value.span));
                }
            }
            if let Some(m) = &f.module {
                let key = format!("module:{}", m.value);
                if let Some(first) = seen.get(&key) {
                    diags
                        .error(file, m.span.clone(), format!("duplicate module `{}`", m.value))
                        .hint(format!("the first is at {first}"));
                    ok = false;
                } else if ["models", "builders", "validation", "operations", "requests", "notifications", "errors"]
                    .contains(&m.value.as_str())
                {
                    diags
                        .error(file, m.span.clone(), format!("module `{}` is taken by the generated crate", m.value))
                        .hint("name the module after the family, e.g. `brand`");
                    ok = false;
                } else {
                    seen.insert(key, Diagnostics::place(file, &m.span));
                }
            }
            if !names::is_pascal(&f.client.value) {
                diags
                    .error(file, f.client.span.clone(), format!("client `{}` is not PascalCase", f.client.value))
                    .hint("e.g. `BrandClient`");
                ok = false;
            }
            let prefix = &f.path_prefix.value;
            if !prefix.starts_with('/') || prefix.ends_with('/') || prefix.contains(['{', '}', '?']) {
                diags
                    .error(file, f.path_prefix.span.clone(), format!("path prefix {prefix:?} must start with `/`, not end with one, and hold no placeholder or query"))
                    .hint("e.g. \"/brand/marketing/product-coupon\"");
                ok = false;
            }
            if !f.doc_base_url.value.starts_with("https://") || !f.doc_base_url.value.ends_with('/') {
                diags
                    .error(
                        file,
                        f.doc_base_url.span.clone(),
                        format!("doc_base_url {:?} must be https and end with `/`", f.doc_base_url.value),
                    )
                    .hint("the doc id is appended to it");
                ok = false;
            }
            if f.auth_scheme.value.is_empty()
                || !f.auth_scheme.value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
            {
                diags
                    .error(
                        file,
                        f.auth_scheme.span.clone(),
                        format!("auth scheme {:?} is not an Authorization scheme token", f.auth_scheme.value),
                    )
                    .hint("e.g. WECHATPAY2-SHA256-RSA2048");
                ok = false;
            }
            match (*f.brand_identity, &f.brand_field) {
                (BrandIdentity::RequestField, None) => {
                    diags
                        .error(
                            file,
                            f.brand_identity.span.clone(),
                            "a family identifying the brand by a request field needs `brand_field`",
                        )
                        .hint("e.g. brand_field = \"brand_id\"");
                    ok = false;
                }
                (BrandIdentity::Authorization, Some(field)) => {
                    diags
                        .error(
                            file,
                            field.span.clone(),
                            "a family identifying the brand by the Authorization header sends no brand field",
                        )
                        .hint("remove `brand_field`, or set brand_identity = \"request_field\"");
                    ok = false;
                }
                _ => {}
            }
            if f.module.is_none() {
                if let Some(first) = &primary_at {
                    diags
                        .error(
                            file,
                            f.id.span.clone(),
                            format!("family `{}` has no module, and neither has the family at {first}", f.id.value),
                        )
                        .hint("exactly one family (the primary, whose paths the operations give) has no `module`");
                    ok = false;
                } else {
                    primary_at = Some(here.clone());
                }
            }
            // A family with a problem is still declared (its problems are reported), so the
            // operations naming it do not report it as unknown too; a duplicate id is not.
            if !ok && seen.get(&format!("family id:{}", f.id.value)) != Some(&here) {
                continue;
            }
            let lowered = FamilyIr {
                id: f.id.value.clone(),
                title: f.title.clone(),
                path_prefix: prefix.clone(),
                auth_scheme: f.auth_scheme.value.clone(),
                brand_identity: *f.brand_identity,
                brand_field: f.brand_field.as_ref().map(|b| b.value.clone()),
                rate_limit_dimension: f.rate_limit_dimension,
                wechatpay_serial_required: f.wechatpay_serial_required,
                doc_base_url: f.doc_base_url.value.clone(),
                module: f.module.as_ref().map(|m| m.value.clone()),
                client: f.client.value.clone(),
                dropped_fields: BTreeSet::new(),
                variants: BTreeMap::new(),
                operations: Vec::new(),
                notifications: Vec::new(),
            };
            if lowered.module.is_none() && primary_at.as_deref() == Some(here.as_str()) {
                out.insert(0, (lowered, here));
            } else {
                out.push((lowered, here));
            }
        }
    }
    if !out.is_empty()
        && primary_at.is_none()
        && let Some((file, spec)) = files.iter().find(|(_, s)| !s.families.is_empty())
        && let Some(f) = spec.families.first()
    {
        diags
            .error(file, f.id.span.clone(), "every family has a module; the primary family has none")
            .hint("remove `module` from the family whose paths the operations give");
    }
    out
}

/// The key of `model` in `family`: its variant's when it has one.
fn remap_key(model: &str, family: &FamilyIr) -> String {
    match &family.module {
        Some(module) if family.variants.contains_key(&format!("{module}::{model}")) => format!("{module}::{model}"),
        _ => model.to_owned(),
    }
}

fn remap_type(ty: &TypeIr, family: &FamilyIr, variant: &BTreeSet<String>) -> TypeIr {
    match ty {
        TypeIr::Model(name) if variant.contains(name) => {
            TypeIr::Model(format!("{}::{name}", family.module.as_deref().unwrap_or_default()))
        }
        TypeIr::Array(inner) => TypeIr::Array(Box::new(remap_type(inner, family, variant))),
        other => other.clone(),
    }
}

/// Whether `family` has the field: not dropped by it, and among the field's families if it
/// names any.
fn has_field(f: &crate::ir::FieldIr, family: &FamilyIr) -> bool {
    !family.dropped_fields.contains(&f.wire) && f.families.as_ref().is_none_or(|s| s.contains(&family.id))
}

/// The models whose fields differ in `family` from the primary family's (a dropped field, a
/// field only one of them has), directly or through model fields and lists (a fixed point),
/// each with the family's fields and naming the other variants.
fn variants(family: &FamilyIr, primary: &str, models: &BTreeMap<String, ModelIr>) -> BTreeMap<String, ModelIr> {
    let Some(module) = &family.module else { return BTreeMap::new() };
    let differs_here = |f: &crate::ir::FieldIr| {
        family.dropped_fields.contains(&f.wire)
            || f.families.as_ref().is_some_and(|s| s.contains(&family.id) != s.contains(primary))
    };
    fn refers(ty: &TypeIr, set: &BTreeSet<String>) -> bool {
        match ty {
            TypeIr::Model(name) => set.contains(name),
            TypeIr::Array(inner) => refers(inner, set),
            _ => false,
        }
    }
    let mut differ: BTreeSet<String> = BTreeSet::new();
    loop {
        let before = differ.len();
        for m in models.values() {
            if m.fields.iter().any(|f| differs_here(f) || refers(&f.ty, &differ)) {
                differ.insert(m.name.clone());
            }
        }
        if differ.len() == before {
            break;
        }
    }
    let mentions_dropped = |path: &FieldPath| path.steps.iter().any(|s| family.dropped_fields.contains(&s.wire));
    let family_only = |m: &ModelIr| -> BTreeSet<String> {
        m.fields.iter().filter(|f| !has_field(f, family)).map(|f| f.wire.clone()).collect()
    };
    differ
        .iter()
        .filter_map(|name| models.get(name))
        .map(|m| {
            let mut v = m.clone();
            v.name = format!("{module}::{}", m.name);
            let absent = family_only(m);
            v.fields.retain(|f| has_field(f, family));
            for f in &mut v.fields {
                f.ty = remap_type(&f.ty, family, &differ);
            }
            v.rules.retain(|r| {
                !rule_paths(r)
                    .into_iter()
                    .any(|p| mentions_dropped(p) || p.steps.first().is_some_and(|s| absent.contains(&s.wire)))
            });
            for r in &mut v.rules {
                remap_rule(r, family, &differ);
            }
            v.accessors.retain(|a| a.fields.iter().all(|f| !absent.contains(&f.wire)));
            (v.name.clone(), v)
        })
        .collect()
}

fn when_paths<'a>(w: &'a WhenIr, out: &mut Vec<&'a FieldPath>) {
    match w {
        WhenIr::Test(c) => out.push(&c.path),
        WhenIr::All(v) | WhenIr::Any(v) => v.iter().for_each(|w| when_paths(w, out)),
        WhenIr::Not(w) => when_paths(w, out),
    }
}

/// Whether a rule's condition or assertion starts at one of `fields` of its model.
pub(crate) fn rule_mentions(r: &RuleIr, fields: &BTreeSet<String>) -> bool {
    rule_paths(r).into_iter().any(|p| p.steps.first().is_some_and(|s| fields.contains(&s.wire)))
}

/// The fields of its model a rule's condition or assertion starts at, by wire name.
pub(crate) fn rule_fields(r: &RuleIr) -> BTreeSet<String> {
    rule_paths(r).into_iter().filter_map(|p| p.steps.first().map(|s| s.wire.clone())).collect()
}

fn rule_paths(r: &RuleIr) -> Vec<&FieldPath> {
    let mut out = Vec::new();
    if let Some(w) = &r.when {
        when_paths(w, &mut out);
    }
    match &r.assertion {
        AssertionIr::Require(p)
        | AssertionIr::Forbid(p)
        | AssertionIr::ExactlyOneOf(p)
        | AssertionIr::AtLeastOneOf(p)
        | AssertionIr::AtMostOneOf(p) => out.extend(p.iter()),
        AssertionIr::Holds(w) => when_paths(w, &mut out),
    }
    out
}

fn remap_when(w: &mut WhenIr, family: &FamilyIr, variant: &BTreeSet<String>) {
    match w {
        WhenIr::Test(c) => c.path.leaf = remap_type(&c.path.leaf, family, variant),
        WhenIr::All(v) | WhenIr::Any(v) => v.iter_mut().for_each(|w| remap_when(w, family, variant)),
        WhenIr::Not(w) => remap_when(w, family, variant),
    }
}

fn remap_rule(r: &mut RuleIr, family: &FamilyIr, variant: &BTreeSet<String>) {
    if let Some(w) = &mut r.when {
        remap_when(w, family, variant);
    }
    match &mut r.assertion {
        AssertionIr::Require(p)
        | AssertionIr::Forbid(p)
        | AssertionIr::ExactlyOneOf(p)
        | AssertionIr::AtLeastOneOf(p)
        | AssertionIr::AtMostOneOf(p) => {
            for path in p {
                path.leaf = remap_type(&path.leaf, family, variant);
            }
        }
        AssertionIr::Holds(w) => remap_when(w, family, variant),
    }
}

/// The operation in a secondary family: its prefix and sub-path, the parameters and models
/// without the dropped fields, the family's page facts, names computed again for the new
/// parameter lists.
fn derive_operation(
    diags: &mut Diagnostics,
    file: &SourceFile,
    base: &OperationIr,
    entry: &spec::OperationFamily,
    family: &FamilyIr,
) -> Option<OperationIr> {
    let mut op = base.clone();
    let keep = |p: &FieldIr| !family.dropped_fields.contains(&p.wire);
    if base.path_params.iter().any(|p| !keep(p)) {
        diags
            .error(
                file,
                entry.family.span.clone(),
                format!("family `{}` drops `brand_id`-style path parameters of `{}`", family.id, base.id),
            )
            .hint("a path without its parameter addresses another resource; give the family's sub-path with `path`");
        return None;
    }
    op.query_params.retain(keep);
    let sub_path = match &entry.path {
        None => base.sub_path.clone(),
        Some(p) => {
            let placeholders = |s: &str| -> BTreeSet<String> {
                s.split('{').skip(1).filter_map(|x| x.split_once('}').map(|(n, _)| n.to_owned())).collect()
            };
            if !p.value.starts_with('/') || placeholders(&p.value) != placeholders(&base.sub_path) {
                diags
                    .error(
                        file,
                        p.span.clone(),
                        format!(
                            "sub-path {:?} must start with `/` and have the placeholders of {:?}",
                            p.value, base.sub_path
                        ),
                    )
                    .hint("the path parameters are the operation's, in every family");
                return None;
            }
            p.value.clone()
        }
    };
    op.sub_path = sub_path.clone();
    op.path = format!("{}{sub_path}", family.path_prefix);
    op.segments = segments(&op.path, &op.path_params)?;
    op.request_body = op.request_body.as_deref().map(|m| remap_key(m, family));
    if let Some(r) = &mut op.response {
        r.body = r.body.as_deref().map(|m| remap_key(m, family));
    }
    let variant: BTreeSet<String> =
        family.variants.keys().filter_map(|k| k.split_once("::").map(|(_, n)| n.to_owned())).collect();
    if let Some(p) = &mut op.pagination {
        p.item = remap_type(&p.item, family, &variant);
    }
    if let Some(u) = &mut op.upload {
        u.meta = remap_key(&u.meta, family);
    }
    op.doc_id = entry.doc_id.clone().unwrap_or_default();
    op.updated = entry.updated.clone().unwrap_or_default();
    let inherited = entry.rate_limit.is_none();
    if let Some(rl) = &entry.rate_limit {
        op.rate_limit = Some(RateLimitIr { per_second: rl.per_second.value, text: rl.text.clone() });
    }
    // The examples are the primary family's pages' (with its brand field).
    op.examples.clear();
    op.brand_param = None;
    op.names = names::operation(&op.id, &op.path_params, &op.query_params, op.pagination.is_some());
    op.family = op_family(family, entry.doc_id.as_deref(), inherited, true);
    Some(op)
}

/// Splits a path into literals and placeholders (the placeholders are known to be parameters).
fn segments(path: &str, params: &[FieldIr]) -> Option<Vec<PathSegment>> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        if open > 0 {
            out.push(PathSegment::Literal(rest[..open].to_owned()));
        }
        let name = &rest[open + 1..close];
        params.iter().find(|p| p.wire == name)?;
        out.push(PathSegment::Param(name.to_owned()));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(PathSegment::Literal(rest.to_owned()));
    }
    Some(out)
}
