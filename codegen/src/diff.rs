//! A semantic diff of two versions of the spec, read through their validated IR: what changed
//! (operations, parameters, fields, presence, types, constraints, enums, rules, errors, rate
//! limits, examples) and what each change means for a user of the generated crate.
//!
//! Every change gets one of three impacts:
//! - **breaking**: code that compiled or requests that were accepted may no longer (a new
//!   required request field, optional -> required, a removed or renamed field or operation, a
//!   changed type, a removed enum value);
//! - **behaviour change**: the same code compiles but behaves differently (a tightened or
//!   loosened constraint or rule, a new rate limit, a moved endpoint);
//! - **compatible**: nothing a user wrote changes meaning (a new optional field, a new
//!   response field, a new enum value thanks to `Unknown`, documentation).
//!
//! Whether a model is part of requests or responses decides most verdicts: a model reachable
//! from an operation's request body, upload meta or parameters is a request model, one
//! reachable from a response or a notification a response model; a model used by both gets
//! the stricter verdict.
//!
//! Prose (titles, labels, descriptions, meanings, error texts) is compared through
//! [`crate::wording::key`]: what copying from the doc site changes (full-width punctuation,
//! spaces, a trailing `。`) is no change, and a real change of wording is documentation only.
//!
//! Rules are compared by their description in words ([`WhenIr::describe`] and
//! [`assertion_text`]), so a new kind of condition or assertion only needs its words there.

use crate::ir::{
    AssertionIr, EnumIr, ErrorIr, ExampleIr, FamilyIr, FieldIr, FieldPath, Ir, ModelIr, NotificationIr, OperationIr,
    RuleIr, TypeIr, WhenIr,
};
use crate::spec::Presence;
use crate::wording::{same, same_list, same_opt};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// What a change means for a user of the generated crate; ordered from mild to severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    Compatible,
    Behaviour,
    Breaking,
}

impl Impact {
    pub fn heading(self) -> &'static str {
        match self {
            Impact::Breaking => "Breaking",
            Impact::Behaviour => "Behaviour changes",
            Impact::Compatible => "Compatible",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One change of the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub impact: Impact,
    pub kind: ChangeKind,
    /// What changed: `operation create_stock_bundle`, `model Stock, field remark`, `enum StockState`.
    pub subject: String,
    /// The change itself: `max_length 30 -> 20`.
    pub detail: String,
    /// What it means for a user of the generated crate.
    pub consequence: String,
}

/// The version bump a set of changes needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

/// Every change between two versions of the spec, in report order (most severe first, then in
/// the order of the spec: service, operations, models, enums, error codes, notifications).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SpecDiff {
    pub changes: Vec<Change>,
}

impl SpecDiff {
    /// The most severe impact, or `None` when nothing changed.
    pub fn verdict(&self) -> Option<Impact> {
        self.changes.iter().map(|c| c.impact).max()
    }

    pub fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }

    /// The bump in semver terms: breaking -> major; a behaviour change or an addition to the
    /// API -> minor; anything else (documentation, examples) -> patch.
    pub fn bump(&self) -> Bump {
        self.changes
            .iter()
            .map(|c| match (c.impact, c.kind) {
                (Impact::Breaking, _) => Bump::Major,
                (Impact::Behaviour, _) | (Impact::Compatible, ChangeKind::Added) => Bump::Minor,
                (Impact::Compatible, _) => Bump::Patch,
            })
            .max()
            .unwrap_or(Bump::None)
    }

    /// The verdict in words, the same in every output: `breaking`, `behaviour change`,
    /// `compatible`, or `no API change` (the JSON's `verdict` field says it as `null`).
    pub fn verdict_word(&self) -> &'static str {
        match self.verdict() {
            None => "no API change",
            Some(Impact::Breaking) => "breaking",
            Some(Impact::Behaviour) => "behaviour change",
            Some(Impact::Compatible) => "compatible",
        }
    }

    /// Whether the diff reaches `level` (for `cargo xtask diff --fail-on`).
    pub fn reaches(&self, level: Impact) -> bool {
        self.verdict().is_some_and(|v| v >= level)
    }

    /// `3 changes: 1 breaking, 1 behaviour change, 1 compatible`.
    pub fn tally(&self) -> String {
        if self.changes.is_empty() {
            return "no changes".to_owned();
        }
        format!(
            "{} change{}: {} breaking, {} behaviour change{}, {} compatible",
            self.changes.len(),
            plural(self.changes.len()),
            self.count(Impact::Breaking),
            self.count(Impact::Behaviour),
            plural(self.count(Impact::Behaviour)),
            self.count(Impact::Compatible),
        )
    }

    /// The report a reviewer reads: changes grouped by impact, each with its consequence, then
    /// the version bump.
    pub fn report(&self, base: &str, current_version: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Spec changes, {base} -> working tree: {}", self.tally());
        let _ = writeln!(out, "Verdict: {}", self.verdict_word());
        for impact in [Impact::Breaking, Impact::Behaviour, Impact::Compatible] {
            let group: Vec<&Change> = self.changes.iter().filter(|c| c.impact == impact).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{} ({})", impact.heading(), group.len());
            for c in group {
                let _ = writeln!(out, "  {}: {}", c.subject, c.detail);
                let _ = writeln!(out, "      {}", c.consequence);
            }
        }
        let _ = writeln!(out, "\n{}", self.version_line(current_version));
        out
    }

    /// `Version: 0.1.0 -> 0.2.0 (major: breaking changes; in 0.x the minor number is the major)`.
    pub fn version_line(&self, current_version: &str) -> String {
        let bump = self.bump();
        let why = match bump {
            Bump::None => return format!("Version: {current_version} (no bump needed)"),
            Bump::Major => "major: breaking changes",
            Bump::Minor => "minor: behaviour changes or additions",
            Bump::Patch => "patch: documentation and examples only",
        };
        let next = next_version(current_version, bump).unwrap_or_else(|| "?".to_owned());
        let zero = if current_version.starts_with("0.") {
            "; in 0.x the minor number is the major and the patch number the minor"
        } else {
            ""
        };
        format!("Version: {current_version} -> {next} ({why}{zero})")
    }

    /// A changelog section ready to paste: `## <next version>` and one list per impact.
    pub fn changelog(&self, current_version: &str) -> String {
        let next = next_version(current_version, self.bump()).unwrap_or_else(|| current_version.to_owned());
        let mut out = format!("## {next}\n\nVerdict: {}.\n", self.verdict_word());
        if self.changes.is_empty() {
            out.push_str("\nNo changes to the API spec.\n");
        }
        for impact in [Impact::Breaking, Impact::Behaviour, Impact::Compatible] {
            let group: Vec<&Change> = self.changes.iter().filter(|c| c.impact == impact).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n### {}\n", impact.heading());
            for c in group {
                let _ = writeln!(out, "- {}: {}. {}.", c.subject, c.detail, capitalised(&c.consequence));
            }
        }
        out
    }

    /// The whole diff for tools: changes, counts, verdict and version.
    pub fn to_json(&self, base: &str, current_version: &str) -> String {
        #[derive(Serialize)]
        struct Report<'a> {
            base: &'a str,
            verdict: Option<Impact>,
            bump: Bump,
            current_version: &'a str,
            next_version: Option<String>,
            breaking: usize,
            behaviour: usize,
            compatible: usize,
            changes: &'a [Change],
        }
        let report = Report {
            base,
            verdict: self.verdict(),
            bump: self.bump(),
            current_version,
            next_version: next_version(current_version, self.bump()),
            breaking: self.count(Impact::Breaking),
            behaviour: self.count(Impact::Behaviour),
            compatible: self.count(Impact::Compatible),
            changes: &self.changes,
        };
        let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The version after `bump`. Cargo's semver for 0.x: `0.x.y` -> `0.(x+1).0` for a breaking
/// change, `0.x.(y+1)` for anything else (0.x has no separate minor). `None` for a version
/// that is not `MAJOR.MINOR.PATCH`.
pub fn next_version(current: &str, bump: Bump) -> Option<String> {
    let core = current.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let (major, minor, patch) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() {
        return None;
    }
    let (major, minor, patch) = match (bump, major, minor) {
        (Bump::None, ..) => (major, minor, patch),
        // 0.0.z: every release is breaking to Cargo.
        (_, 0, 0) => (0, 0, patch.checked_add(1)?),
        (Bump::Major, 0, _) => (0, minor.checked_add(1)?, 0),
        (_, 0, _) => (0, minor, patch.checked_add(1)?),
        (Bump::Major, ..) => (major.checked_add(1)?, 0, 0),
        (Bump::Minor, ..) => (major, minor.checked_add(1)?, 0),
        (Bump::Patch, ..) => (major, minor, patch.checked_add(1)?),
    };
    Some(format!("{major}.{minor}.{patch}"))
}

/// Compares two versions of the spec.
pub fn diff(old: &Ir, new: &Ir) -> SpecDiff {
    let mut d = Differ { old_usage: usages(old), new_usage: usages(new), changes: Vec::new() };
    d.service(old, new);
    d.operations(&old.operations, &new.operations);
    d.models(&old.models, &new.models);
    d.enums(&old.enums, &new.enums);
    d.error_codes(&old.error_codes, &new.error_codes);
    d.notifications(&old.notifications, &new.notifications);
    d.families(old, new);
    // A stable sort keeps the spec order inside each impact.
    d.changes.sort_by_key(|c| std::cmp::Reverse(c.impact));
    SpecDiff { changes: d.changes }
}

// ---------------------------------------------------------------------------------------------
// Where a model or enum is used
// ---------------------------------------------------------------------------------------------

/// Whether a model or enum is part of requests, responses, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub request: bool,
    pub response: bool,
}

impl Usage {
    fn or(self, other: Usage) -> Usage {
        Usage { request: self.request || other.request, response: self.response || other.response }
    }
}

/// The models of an operation's successful responses. The one place that reads the response
/// shape, so a change of that shape in the IR is adapted here only.
pub fn response_models(op: &OperationIr) -> Vec<&str> {
    op.response_model().into_iter().collect()
}

/// The usage of every model and enum reachable from an operation or notification.
pub fn usages(ir: &Ir) -> BTreeMap<String, Usage> {
    let mut out: BTreeMap<String, Usage> = BTreeMap::new();
    let request = Usage { request: true, response: false };
    let response = Usage { request: false, response: true };
    for op in &ir.operations {
        for p in op.path_params.iter().chain(&op.query_params) {
            mark_type(ir, &p.ty, request, &mut out);
        }
        for name in op.request_body.iter().chain(op.upload.as_ref().map(|u| &u.meta)) {
            mark(ir, name, request, &mut out);
        }
        for name in response_models(op) {
            mark(ir, name, response, &mut out);
        }
    }
    for n in &ir.notifications {
        mark(ir, &n.resource, response, &mut out);
    }
    out
}

fn mark(ir: &Ir, name: &str, usage: Usage, out: &mut BTreeMap<String, Usage>) {
    let entry = out.entry(name.to_owned()).or_default();
    let merged = entry.or(usage);
    if merged == *entry && (entry.request || entry.response) {
        return; // already visited with this usage: stops on recursive models
    }
    *entry = merged;
    if let Some(model) = ir.models.get(name) {
        for f in &model.fields {
            mark_type(ir, &f.ty, usage, out);
        }
    }
}

fn mark_type(ir: &Ir, ty: &TypeIr, usage: Usage, out: &mut BTreeMap<String, Usage>) {
    match ty {
        TypeIr::Model(name) | TypeIr::Enum(name) => mark(ir, name, usage, out),
        TypeIr::Array(inner) => mark_type(ir, inner, usage, out),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The comparison
// ---------------------------------------------------------------------------------------------

struct Differ {
    old_usage: BTreeMap<String, Usage>,
    new_usage: BTreeMap<String, Usage>,
    changes: Vec<Change>,
}

/// A verdict for each side a model can be on; the side(s) it is used on pick the verdict.
struct Sides<'a> {
    request: (Impact, &'a str),
    response: (Impact, &'a str),
}

const DOCS: &str = "documentation only";

impl Differ {
    fn push(&mut self, impact: Impact, kind: ChangeKind, subject: &str, detail: String, consequence: &str) {
        self.changes.push(Change {
            impact,
            kind,
            subject: subject.to_owned(),
            detail,
            consequence: consequence.to_owned(),
        });
    }

    /// Pushes the verdict of the side the model is used on; the stricter one when both. A
    /// model used by neither is a public type only, judged like a response model.
    fn push_sided(&mut self, usage: Usage, kind: ChangeKind, subject: &str, detail: String, sides: Sides) {
        let pick = match (usage.request, usage.response) {
            (true, true) if sides.request.0 >= sides.response.0 => sides.request,
            (true, true) => sides.response,
            (true, false) => sides.request,
            _ => sides.response,
        };
        let consequence = if usage.request && usage.response && sides.request.0 != sides.response.0 {
            format!("{} (used in requests and responses)", pick.1)
        } else {
            pick.1.to_owned()
        };
        self.push(pick.0, kind, subject, detail, &consequence);
    }

    fn usage_of(&self, name: &str) -> Usage {
        let old = self.old_usage.get(name).copied().unwrap_or_default();
        let new = self.new_usage.get(name).copied().unwrap_or_default();
        old.or(new)
    }

    fn service(&mut self, old: &Ir, new: &Ir) {
        let (o, n) = (&old.service, &new.service);
        for (what, a, b) in [
            ("primary base URL", &o.primary_base_url, &n.primary_base_url),
            ("backup base URL", &o.backup_base_url, &n.backup_base_url),
        ] {
            if a != b {
                let c = "the client sends requests to the new address";
                self.push(Impact::Behaviour, ChangeKind::Changed, "service", format!("{what} {a} -> {b}"), c);
            }
        }
        if !same(&o.title, &n.title) {
            self.push(Impact::Compatible, ChangeKind::Changed, "service", "title changed".to_owned(), DOCS);
        }
    }

    // -- operations ----------------------------------------------------------------------------

    fn operations(&mut self, old: &[OperationIr], new: &[OperationIr]) {
        let old_by: BTreeMap<&str, &OperationIr> = old.iter().map(|o| (o.id.as_str(), o)).collect();
        let new_by: BTreeMap<&str, &OperationIr> = new.iter().map(|o| (o.id.as_str(), o)).collect();
        let mut renamed_to: BTreeMap<&str, &str> = BTreeMap::new();
        for o in old.iter().filter(|o| !new_by.contains_key(o.id.as_str())) {
            // The same endpoint under a new id is a rename, not a removal and an addition.
            if let Some(n) =
                new.iter().find(|n| !old_by.contains_key(n.id.as_str()) && n.method == o.method && n.path == o.path)
            {
                renamed_to.insert(&o.id, &n.id);
            }
        }
        for o in old {
            let subject = format!("operation {}", o.id);
            if let Some(n) = new_by.get(o.id.as_str()) {
                self.operation(&subject, o, n);
            } else if let Some(to) = renamed_to.get(o.id.as_str()) {
                let c = format!("`Client::{}` is now `Client::{to}`; calls to the old name no longer compile", o.id);
                self.push(Impact::Breaking, ChangeKind::Changed, &subject, format!("renamed to {to}"), &c);
                if let Some(n) = new_by.get(to) {
                    self.operation(&format!("operation {to}"), o, n);
                }
            } else {
                let c = format!("`Client::{}` and its CLI command are gone; calls to it no longer compile", o.id);
                let detail = format!("removed ({} {})", o.method.as_str(), o.path);
                self.push(Impact::Breaking, ChangeKind::Removed, &subject, detail, &c);
            }
        }
        for n in new {
            if !old_by.contains_key(n.id.as_str()) && !renamed_to.values().any(|to| *to == n.id) {
                let c = format!("new `Client::{}` and CLI command", n.id);
                let detail = format!("added ({} {}, {})", n.method.as_str(), n.path, n.title);
                self.push(Impact::Compatible, ChangeKind::Added, &format!("operation {}", n.id), detail, &c);
            }
        }
    }

    fn operation(&mut self, subject: &str, o: &OperationIr, n: &OperationIr) {
        if o.method != n.method || o.path != n.path {
            let detail = format!("{} {} -> {} {}", o.method.as_str(), o.path, n.method.as_str(), n.path);
            let c = "the same call now goes to the new endpoint";
            self.push(Impact::Behaviour, ChangeKind::Changed, subject, detail, c);
        }
        self.params(subject, "path parameter", &o.path_params, &n.path_params);
        self.params(subject, "query parameter", &o.query_params, &n.query_params);
        if o.request_body != n.request_body {
            let detail = format!("request body {} -> {}", opt(&o.request_body), opt(&n.request_body));
            let c = "the call takes a different body type; existing calls no longer compile";
            self.push(Impact::Breaking, ChangeKind::Changed, subject, detail, c);
        }
        let (ro, rn) = (response_models(o), response_models(n));
        if ro != rn {
            let detail = format!("response body {} -> {}", list_or_none(&ro), list_or_none(&rn));
            let c = "the call returns a different type; code using the result no longer compiles";
            self.push(Impact::Breaking, ChangeKind::Changed, subject, detail, c);
        }
        let status = |op: &OperationIr| op.response.as_ref().map(|r| r.status);
        if status(o) != status(n) {
            let detail = format!("success status {} -> {}", opt_num(status(o)), opt_num(status(n)));
            let c = "a response with the old status is no longer treated as success";
            self.push(Impact::Behaviour, ChangeKind::Changed, subject, detail, c);
        }
        let limit = |op: &OperationIr| op.rate_limit.as_ref().map(|r| (r.per_second, r.text.clone()));
        self.rate_limit(subject, limit(o).as_ref(), limit(n).as_ref());
        self.pagination(subject, o, n);
        self.upload(subject, o, n);
        if o.idempotency_key != n.idempotency_key {
            let detail = format!("idempotency key {} -> {}", opt(&o.idempotency_key), opt(&n.idempotency_key));
            let c = "retries of the call are made safe by a different field (or no longer / now automatic)";
            self.push(Impact::Behaviour, ChangeKind::Changed, subject, detail, c);
        }
        self.errors(subject, &o.errors, &n.errors);
        self.examples(subject, &o.examples, &n.examples);
        let mut docs = Vec::new();
        for (what, changed) in [
            ("title", !same(&o.title, &n.title)),
            ("description", !same_opt(o.description.as_deref(), n.description.as_deref())),
            ("doc page", o.doc_id != n.doc_id),
            ("更新时间", o.updated != n.updated),
            ("支持商户", !same_list(&o.merchants, &n.merchants)),
            ("前置条件", !same_list(&o.preconditions, &n.preconditions)),
        ] {
            if changed {
                docs.push(what);
            }
        }
        if !docs.is_empty() {
            let detail = format!("{} changed", docs.join(", "));
            self.push(Impact::Compatible, ChangeKind::Changed, subject, detail, DOCS);
        }
    }

    // -- families ------------------------------------------------------------------------------

    /// The secondary families (the primary one's operations are the spec's own, compared
    /// above): a family added or removed, its prefix, scheme and identity, and its operations,
    /// compared like the primary family's under the family's client. Its model variants are
    /// derived from the shared models, whose changes are reported once, above.
    fn families(&mut self, old: &Ir, new: &Ir) {
        let old_by: BTreeMap<&str, &FamilyIr> = old.secondary_families().map(|f| (f.id.as_str(), f)).collect();
        let new_by: BTreeMap<&str, &FamilyIr> = new.secondary_families().map(|f| (f.id.as_str(), f)).collect();
        for (id, o) in &old_by {
            if !new_by.contains_key(id) {
                let c = format!("`{}` and its module are gone; code using them no longer compiles", o.client);
                let detail = format!("removed ({}, {} operations)", o.path_prefix, o.operations.len());
                self.push(Impact::Breaking, ChangeKind::Removed, &format!("family {id}"), detail, &c);
            }
        }
        for (id, n) in &new_by {
            let subject = format!("family {id}");
            let Some(o) = old_by.get(id) else {
                let c = format!("new `{}` with a method per operation, and its CLI group", n.client);
                let detail =
                    format!("added ({}, {} operations, signed {})", n.path_prefix, n.operations.len(), n.auth_scheme);
                self.push(Impact::Compatible, ChangeKind::Added, &subject, detail, &c);
                continue;
            };
            for (what, a, b) in [
                ("path prefix", o.path_prefix.clone(), n.path_prefix.clone()),
                ("authorization scheme", o.auth_scheme.clone(), n.auth_scheme.clone()),
                ("rate-limit dimension", o.dimension_words().to_owned(), n.dimension_words().to_owned()),
                (
                    "Wechatpay-Serial required",
                    o.wechatpay_serial_required.to_string(),
                    n.wechatpay_serial_required.to_string(),
                ),
            ] {
                if a != b {
                    let c = "the family's calls are sent or limited differently";
                    self.push(Impact::Behaviour, ChangeKind::Changed, &subject, format!("{what} {a} -> {b}"), c);
                }
            }
            if o.dropped_fields != n.dropped_fields || o.client != n.client {
                let detail = format!(
                    "client {} -> {}, fields never sent {:?} -> {:?}",
                    o.client, n.client, o.dropped_fields, n.dropped_fields
                );
                let c = "the family's types change; existing code may no longer compile";
                self.push(Impact::Breaking, ChangeKind::Changed, &subject, detail, c);
            }
            let from = self.changes.len();
            self.operations(&o.operations, &n.operations);
            self.variants(n.module.as_deref().unwrap_or_default(), o, n, old, new);
            // A change the family only inherits (a parameter's text, say) is the primary
            // operation's, reported once above; what the family's own entry or derivation
            // changes (its path, doc page, 更新时间, rate limit) is reported here.
            let (primary, family) = self.changes.split_at(from);
            // A variant's change is an echo when the shared model changed the same way.
            let module_prefix = format!("{}::", n.module.as_deref().unwrap_or_default());
            let echoes: Vec<bool> = family
                .iter()
                .map(|c| {
                    let subject = c.subject.replace(&module_prefix, "");
                    primary
                        .iter()
                        .any(|p| (p.impact, p.kind, &p.subject, &p.detail) == (c.impact, c.kind, &subject, &c.detail))
                })
                .collect();
            let mut i = 0;
            self.changes.retain(|_| {
                let keep = i < from || !echoes[i - from];
                i += 1;
                keep
            });
            for change in &mut self.changes[from..] {
                change.subject = format!("{subject}, {}", change.subject);
                change.consequence = change.consequence.replace("`Client::", &format!("`{}::", n.client));
            }
        }
    }

    /// A family's own model variants: compared like models (so a field only that family has is
    /// judged), and a model that becomes (or stops being) the family's own type.
    fn variants(&mut self, module: &str, o: &FamilyIr, n: &FamilyIr, old: &Ir, new: &Ir) {
        let local = |key: &str| key.strip_prefix(&format!("{module}::")).unwrap_or(key).to_owned();
        for (key, nv) in &n.variants {
            let subject = format!("model {key}");
            match o.variants.get(key) {
                Some(ov) => self.model(&subject, ov, nv, self.usage_of(&local(key))),
                None => {
                    // A model new to the spec is reported once, as the shared model's addition.
                    let Some(before) = old.models.get(&local(key)) else { continue };
                    let c = format!(
                        "`{module}::models::{0}` was the shared `models::{0}` and is now the family's own type (its fields differ); code passing one where the other is expected no longer compiles",
                        local(key)
                    );
                    self.push(
                        Impact::Breaking,
                        ChangeKind::Added,
                        &subject,
                        "now the family's own type".to_owned(),
                        &c,
                    );
                    // The fields only this family has, against the shared model it was.
                    for f in nv.fields.iter().filter(|f| !before.fields.iter().any(|g| g.wire == f.wire)) {
                        let detail =
                            format!("new {} field ({}), this family only", presence_word(f.presence), type_text(&f.ty));
                        let c = "the family's requests can set it and its responses carry it";
                        self.push(
                            Impact::Compatible,
                            ChangeKind::Added,
                            &format!("{subject}, field {}", f.wire),
                            detail,
                            c,
                        );
                    }
                }
            }
        }
        // A variant gone while its model stays is the shared type again; a model gone is
        // reported once, as the shared model's removal.
        for key in o.variants.keys().filter(|k| !n.variants.contains_key(*k) && new.models.contains_key(&local(k))) {
            let c = format!(
                "`{module}::models::{0}` is now the shared `models::{0}` again; code naming fields only the family had no longer compiles",
                local(key)
            );
            self.push(
                Impact::Breaking,
                ChangeKind::Removed,
                &format!("model {key}"),
                "now the shared type".to_owned(),
                &c,
            );
        }
    }

    fn rate_limit(&mut self, subject: &str, o: Option<&(u32, String)>, n: Option<&(u32, String)>) {
        let (detail, c) = match (o, n) {
            (None, Some((_, t))) => (format!("new rate limit {t}"), "calls beyond it get RATELIMIT_EXCEEDED (429)"),
            (Some((_, t)), None) => (format!("rate limit {t} removed"), "the documented limit no longer applies"),
            (Some((a, ta)), Some((b, tb))) if a != b => {
                let c = if b < a { "tightened: fewer calls per second are allowed" } else { "loosened" };
                (format!("rate limit {ta} -> {tb}"), c)
            }
            _ => return,
        };
        let kind = if o.is_none() { ChangeKind::Added } else { ChangeKind::Changed };
        self.push(Impact::Behaviour, kind, subject, detail, c);
    }

    fn pagination(&mut self, subject: &str, o: &OperationIr, n: &OperationIr) {
        let stream = format!("`Client::{}_stream`", n.id);
        match (&o.pagination, &n.pagination) {
            (None, Some(_)) => {
                let c = format!("new {stream} pages through the results");
                self.push(Impact::Compatible, ChangeKind::Added, subject, "now paginated".to_owned(), &c);
            }
            (Some(_), None) => {
                let c = format!("{stream} is gone; calls to it no longer compile");
                self.push(Impact::Breaking, ChangeKind::Removed, subject, "no longer paginated".to_owned(), &c);
            }
            (Some(a), Some(b))
                if (&a.page_size, &a.page_token, &a.next_page_token.rust, &a.items.rust)
                    != (&b.page_size, &b.page_token, &b.next_page_token.rust, &b.items.rust) =>
            {
                let c = format!("{stream} pages with other parameters or fields");
                self.push(Impact::Behaviour, ChangeKind::Changed, subject, "pagination changed".to_owned(), &c);
            }
            _ => {}
        }
    }

    fn upload(&mut self, subject: &str, o: &OperationIr, n: &OperationIr) {
        let (Some(a), Some(b)) = (&o.upload, &n.upload) else {
            if o.upload.is_some() != n.upload.is_some() {
                let c = "the call takes different arguments; existing calls no longer compile";
                let detail = if n.upload.is_some() { "now a file upload" } else { "no longer a file upload" };
                self.push(Impact::Breaking, ChangeKind::Changed, subject, detail.to_owned(), c);
            }
            return;
        };
        if a.max_bytes != b.max_bytes {
            let c = if b.max_bytes < a.max_bytes {
                "tightened: larger files are refused before sending"
            } else {
                "loosened: larger files are sent"
            };
            let detail = format!("upload max_bytes {} -> {}", a.max_bytes, b.max_bytes);
            self.push(Impact::Behaviour, ChangeKind::Changed, subject, detail, c);
        }
        if a.media_types != b.media_types {
            let detail = format!("upload media types {:?} -> {:?}", a.media_types, b.media_types);
            let c = "files of other types are accepted or refused before sending";
            self.push(Impact::Behaviour, ChangeKind::Changed, subject, detail, c);
        }
        if a.meta != b.meta {
            let detail = format!("upload meta {} -> {}", a.meta, b.meta);
            let c = "the call takes a different meta type; existing calls no longer compile";
            self.push(Impact::Breaking, ChangeKind::Changed, subject, detail, c);
        }
        if (&a.file_field, &a.meta_field) != (&b.file_field, &b.meta_field) {
            let c = "the multipart parts are named differently on the wire";
            self.push(Impact::Behaviour, ChangeKind::Changed, subject, "upload part names changed".to_owned(), c);
        }
    }

    fn errors(&mut self, subject: &str, o: &[ErrorIr], n: &[ErrorIr]) {
        let key = |e: &ErrorIr| (e.status, e.code.clone());
        let rows = |list: &[ErrorIr]| {
            let mut m: BTreeMap<(u16, String), Vec<(String, String)>> = BTreeMap::new();
            for e in list {
                m.entry(key(e)).or_default().push((e.description.clone(), e.solution.clone()));
            }
            m
        };
        let (a, b) = (rows(o), rows(n));
        for ((status, code), text) in &b {
            match a.get(&(*status, code.clone())) {
                None => {
                    let detail = format!("documents error {status} {code}");
                    let c = "documentation: errors are returned as `Error::Api` whatever their code";
                    self.push(Impact::Compatible, ChangeKind::Added, subject, detail, c);
                }
                Some(old)
                    if old.len() != text.len()
                        || old.iter().zip(text).any(|(a, b)| !same(&a.0, &b.0) || !same(&a.1, &b.1)) =>
                {
                    let detail = format!("error {status} {code}: description changed");
                    self.push(Impact::Compatible, ChangeKind::Changed, subject, detail, DOCS);
                }
                Some(_) => {}
            }
        }
        for (status, code) in a.keys().filter(|k| !b.contains_key(*k)) {
            let detail = format!("no longer documents error {status} {code}");
            self.push(Impact::Compatible, ChangeKind::Removed, subject, detail, DOCS);
        }
    }

    fn examples(&mut self, subject: &str, o: &[ExampleIr], n: &[ExampleIr]) {
        let key = |e: &ExampleIr| format!("{} example {:?}", kind_word(e), e.title);
        let a: BTreeMap<String, &ExampleIr> = o.iter().map(|e| (key(e), e)).collect();
        let b: BTreeMap<String, &ExampleIr> = n.iter().map(|e| (key(e), e)).collect();
        let c = "documentation and the generated doc-example tests";
        for (k, e) in &b {
            match a.get(k) {
                None => self.push(Impact::Compatible, ChangeKind::Added, subject, format!("{k} added"), c),
                Some(old) if (&old.json, old.status, &old.model) != (&e.json, e.status, &e.model) => {
                    self.push(Impact::Compatible, ChangeKind::Changed, subject, format!("{k} changed"), c)
                }
                Some(_) => {}
            }
        }
        for k in a.keys().filter(|k| !b.contains_key(*k)) {
            self.push(Impact::Compatible, ChangeKind::Removed, subject, format!("{k} removed"), c);
        }
    }

    /// Path and query parameters are arguments of the generated call: adding or removing one
    /// changes its signature, whatever its presence.
    fn params(&mut self, subject: &str, what: &str, o: &[FieldIr], n: &[FieldIr]) {
        let usage = Usage { request: true, response: false };
        for f in n.iter().filter(|f| !o.iter().any(|g| g.wire == f.wire)) {
            let c = if f.is_option() {
                "the call takes one more (optional) argument; existing calls no longer compile"
            } else {
                "a new required argument; existing calls no longer compile"
            };
            let detail = format!("new {} {what} `{}`", presence_word(f.presence), f.wire);
            self.push(Impact::Breaking, ChangeKind::Added, subject, detail, c);
        }
        for f in o.iter().filter(|f| !n.iter().any(|g| g.wire == f.wire)) {
            let c = "the call takes one argument fewer; existing calls no longer compile";
            self.push(Impact::Breaking, ChangeKind::Removed, subject, format!("{what} `{}` removed", f.wire), c);
        }
        for f in o {
            if let Some(g) = n.iter().find(|g| g.wire == f.wire) {
                let subject = format!("{subject}, {what} `{}`", f.wire);
                if f.id != g.id {
                    // An id argument takes the typed id or text, so calls with text still compile.
                    let named = |id: &Option<String>| id.clone().unwrap_or_else(|| "plain string".to_owned());
                    let detail = format!("typed id {} -> {}", named(&f.id), named(&g.id));
                    let c = "the argument takes the typed id or text (`&str`), so existing calls compile";
                    self.push(Impact::Compatible, ChangeKind::Changed, &subject, detail, c);
                }
                let same_id = FieldIr { id: f.id.clone(), ..g.clone() };
                self.field(&subject, f, &same_id, usage);
            }
        }
    }

    // -- models --------------------------------------------------------------------------------

    fn models(&mut self, old: &BTreeMap<String, ModelIr>, new: &BTreeMap<String, ModelIr>) {
        for (name, o) in old {
            let subject = format!("model {name}");
            match new.get(name) {
                Some(n) => self.model(&subject, o, n, self.usage_of(name)),
                None => {
                    let c = format!("the type `{name}` is gone; code naming it no longer compiles");
                    self.push(Impact::Breaking, ChangeKind::Removed, &subject, "removed".to_owned(), &c);
                }
            }
        }
        for (name, n) in new.iter().filter(|(name, _)| !old.contains_key(*name)) {
            let detail = format!("added ({} field{})", n.fields.len(), plural(n.fields.len()));
            let c = format!("new type `{name}`");
            self.push(Impact::Compatible, ChangeKind::Added, &format!("model {name}"), detail, &c);
        }
    }

    fn model(&mut self, subject: &str, o: &ModelIr, n: &ModelIr, usage: Usage) {
        let renames = renames(&o.fields, &n.fields);
        for f in &n.fields {
            if o.fields.iter().any(|g| g.wire == f.wire) || renames.iter().any(|(_, to)| *to == f.wire) {
                continue;
            }
            let field = format!("{subject}, field {}", f.wire);
            let detail = format!("new {} field ({})", presence_word(f.presence), type_text(&f.ty));
            let request = if f.presence == Presence::Required {
                (
                    Impact::Breaking,
                    "a new required request field: requests without it are refused and `build()` names it as missing",
                )
            } else {
                (Impact::Compatible, "a new optional field; existing code is unaffected")
            };
            let response = (
                Impact::Compatible,
                "a new response field; structs are `#[non_exhaustive]`, so existing code is unaffected",
            );
            self.push_sided(usage, ChangeKind::Added, &field, detail, Sides { request, response });
        }
        for f in &o.fields {
            let field = format!("{subject}, field {}", f.wire);
            if let Some(to) = renames.iter().find(|(from, _)| *from == f.wire).map(|(_, to)| *to) {
                let c = format!("the Rust field `{}` is gone; code naming it no longer compiles", f.rust);
                self.push(Impact::Breaking, ChangeKind::Changed, &field, format!("renamed to {to}"), &c);
                if let Some(g) = n.fields.iter().find(|g| g.wire == to) {
                    self.field(&format!("{subject}, field {to}"), f, g, usage);
                }
                continue;
            }
            match n.fields.iter().find(|g| g.wire == f.wire) {
                Some(g) => self.field(&field, f, g, usage),
                None => {
                    let c = format!("the Rust field `{}` is gone; code naming it no longer compiles", f.rust);
                    self.push(Impact::Breaking, ChangeKind::Removed, &field, "removed".to_owned(), &c);
                }
            }
        }
        self.rules(subject, &o.rules, &n.rules, usage);
        let mut docs = Vec::new();
        for (what, changed) in [
            ("label", !same_opt(o.label.as_deref(), n.label.as_deref())),
            ("description", !same_opt(o.description.as_deref(), n.description.as_deref())),
            ("source notes", o.decisions != n.decisions),
        ] {
            if changed {
                docs.push(what);
            }
        }
        if !docs.is_empty() {
            let detail = format!("{} changed", docs.join(", "));
            self.push(Impact::Compatible, ChangeKind::Changed, subject, detail, DOCS);
        }
    }

    fn field(&mut self, subject: &str, o: &FieldIr, n: &FieldIr, usage: Usage) {
        if o.ty != n.ty {
            let detail = format!("type {} -> {}", type_text(&o.ty), type_text(&n.ty));
            if matches!((&o.ty, &n.ty), (TypeIr::Integer, TypeIr::Amount) | (TypeIr::Amount, TypeIr::Integer)) {
                self.push(
                    Impact::Compatible,
                    ChangeKind::Changed,
                    subject,
                    detail,
                    "both are `i64`; documentation only",
                );
            } else {
                let c = "the Rust type of the field changes; code using it no longer compiles";
                self.push(Impact::Breaking, ChangeKind::Changed, subject, detail, c);
            }
        }
        if o.id != n.id {
            let named = |id: &Option<String>| id.clone().unwrap_or_else(|| "plain string".to_owned());
            let detail = format!("typed id {} -> {}", named(&o.id), named(&n.id));
            let c = "the Rust type of the field changes (a typed id is not a `String`); code storing it as a \
                     `String` or passing another kind of id no longer compiles";
            self.push(Impact::Breaking, ChangeKind::Changed, subject, detail, c);
        }
        self.presence(subject, o, n, usage);
        self.constraints(subject, o, n, usage);
        let mut docs = Vec::new();
        for (what, changed) in [
            ("label", !same(&o.label, &n.label)),
            ("description", !same_opt(o.description.as_deref(), n.description.as_deref())),
            ("example", o.example != n.example),
            ("source note", o.decision != n.decision),
            ("condition text", !same_opt(o.condition.as_deref(), n.condition.as_deref()) && o.presence == n.presence),
        ] {
            if changed {
                docs.push(what);
            }
        }
        if !docs.is_empty() {
            let detail = format!("{} changed", docs.join(", "));
            self.push(Impact::Compatible, ChangeKind::Changed, subject, detail, DOCS);
        }
    }

    fn presence(&mut self, subject: &str, o: &FieldIr, n: &FieldIr, usage: Usage) {
        use Presence::*;
        let detail = format!("{} -> {}", presence_word(o.presence), presence_word(n.presence));
        let sides = match (o.presence, n.presence) {
            (a, b) if a == b => return,
            (Optional | Conditional, Required) => Sides {
                request: (
                    Impact::Breaking,
                    "requests without it are now refused and `build()` names it as missing; the Rust field is no longer an `Option`",
                ),
                response: (
                    Impact::Breaking,
                    "the Rust field is no longer an `Option`; code reading it no longer compiles",
                ),
            },
            (Required, _) => Sides {
                request: (
                    Impact::Breaking,
                    "the Rust field becomes an `Option`; code setting it directly no longer compiles",
                ),
                response: (Impact::Breaking, "the Rust field becomes an `Option`; code reading it must handle `None`"),
            },
            (Optional, _) => Sides {
                request: (Impact::Behaviour, "tightened: now required under a condition, enforced by a rule"),
                response: (Impact::Compatible, DOCS),
            },
            (Conditional, _) => Sides {
                request: (Impact::Behaviour, "loosened: no longer required under a condition"),
                response: (Impact::Compatible, DOCS),
            },
        };
        self.push_sided(usage, ChangeKind::Changed, subject, detail, sides);
    }

    fn constraints(&mut self, subject: &str, o: &FieldIr, n: &FieldIr, usage: Usage) {
        let (a, b) = (&o.constraints, &n.constraints);
        // (name, old, new, whether a larger value is stricter)
        let numeric: [(&str, Option<i128>, Option<i128>, bool); 6] = [
            ("min_length", a.min_length.map(i128::from), b.min_length.map(i128::from), true),
            ("max_length", a.max_length.map(i128::from), b.max_length.map(i128::from), false),
            ("min", a.min.map(i128::from), b.min.map(i128::from), true),
            ("max", a.max.map(i128::from), b.max.map(i128::from), false),
            ("min_items", a.min_items.map(i128::from), b.min_items.map(i128::from), true),
            ("max_items", a.max_items.map(i128::from), b.max_items.map(i128::from), false),
        ];
        for (name, before, after, larger_is_stricter) in numeric {
            if before == after {
                continue;
            }
            let tightened = match (before, after) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(x), Some(y)) => (y > x) == larger_is_stricter,
                (None, None) => continue,
            };
            let detail = format!("{name} {} -> {}", opt_num(before), opt_num(after));
            self.constraint(subject, detail, tightened, before.is_none(), usage);
        }
        let charset = |c: &crate::ir::Constraints| c.charset.as_ref().map(|cs| cs.text.clone());
        let (before, after) = (charset(a), charset(b));
        if before != after {
            let tightened = match (&a.charset, &b.charset) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                // Stricter unless every old range is still allowed.
                (Some(old), Some(new)) => {
                    let (old, new) = (&old.ranges, &new.ranges);
                    !old.iter().all(|(lo, hi)| new.iter().any(|(nlo, nhi)| nlo <= lo && hi <= nhi))
                }
                (None, None) => false,
            };
            let detail = format!("charset {} -> {}", opt(&before), opt(&after));
            self.constraint(subject, detail, tightened, before.is_none(), usage);
        }
        let names: std::collections::BTreeSet<&String> = a.disputed.keys().chain(b.disputed.keys()).collect();
        for name in names {
            self.dispute(subject, &format!("`{name}`"), a.disputed.get(name), b.disputed.get(name), usage);
        }
    }

    /// A constraint or rule becoming disputed (its violations warn and send), or undisputed
    /// again (they refuse), or its id changing (the id applications name in a `Screening`).
    fn dispute(
        &mut self,
        subject: &str,
        what: &str,
        o: Option<&crate::ir::DisputeIr>,
        n: Option<&crate::ir::DisputeIr>,
        usage: Usage,
    ) {
        let response = (Impact::Compatible, "documentation: responses are not validated");
        let (detail, request) = match (o, n) {
            (None, Some(d)) => (
                format!("{what} disputed (`{}`)", d.id),
                (Impact::Behaviour, "loosened: requests breaking it are now sent, with a warning"),
            ),
            (Some(d), None) => (
                format!("{what} no longer disputed (was `{}`)", d.id),
                (Impact::Behaviour, "tightened: requests breaking it are refused before sending again"),
            ),
            (Some(a), Some(b)) if a.id != b.id => (
                format!("{what} dispute id `{}` -> `{}`", a.id, b.id),
                (Impact::Behaviour, "a `Screening` naming the old id no longer applies to it"),
            ),
            (Some(a), Some(b)) if a != b => {
                let detail = format!("{what} dispute `{}`: sources changed", b.id);
                self.push(Impact::Compatible, ChangeKind::Changed, subject, detail, DOCS);
                return;
            }
            _ => return,
        };
        let kind = if o.is_none() { ChangeKind::Added } else { ChangeKind::Changed };
        self.push_sided(usage, kind, subject, detail, Sides { request, response });
    }

    fn constraint(&mut self, subject: &str, detail: String, tightened: bool, added: bool, usage: Usage) {
        let request = if tightened {
            (Impact::Behaviour, "tightened: requests that passed before may now be refused before sending")
        } else {
            (Impact::Behaviour, "loosened: requests refused before are now sent")
        };
        let response = (Impact::Compatible, "documentation: responses are not validated");
        let kind = if added { ChangeKind::Added } else { ChangeKind::Changed };
        self.push_sided(usage, kind, subject, detail, Sides { request, response });
    }

    fn rules(&mut self, subject: &str, o: &[RuleIr], n: &[RuleIr], usage: Usage) {
        let a: Vec<(String, &RuleIr)> = o.iter().map(|r| (rule_text(r), r)).collect();
        let b: Vec<(String, &RuleIr)> = n.iter().map(|r| (rule_text(r), r)).collect();
        let response = (Impact::Compatible, "documentation: responses are not validated");
        for (text, r) in &b {
            match a.iter().find(|(t, _)| t == text) {
                None => {
                    let detail = format!("new rule: {text} ({})", r.description);
                    let request = (Impact::Behaviour, "tightened: requests breaking it are refused before sending");
                    self.push_sided(usage, ChangeKind::Added, subject, detail, Sides { request, response });
                }
                Some((_, old)) => {
                    if !same(&old.description, &r.description) {
                        let detail = format!("rule {text}: description changed");
                        self.push(Impact::Compatible, ChangeKind::Changed, subject, detail, DOCS);
                    }
                    self.dispute(subject, &format!("rule {text}"), old.disputed.as_ref(), r.disputed.as_ref(), usage);
                }
            }
        }
        for (text, r) in a.iter().filter(|(t, _)| !b.iter().any(|(u, _)| u == t)) {
            let detail = format!("rule removed: {text} ({})", r.description);
            let request = (Impact::Behaviour, "loosened: requests it refused are now sent");
            self.push_sided(usage, ChangeKind::Removed, subject, detail, Sides { request, response });
        }
    }

    // -- enums, error codes, notifications -----------------------------------------------------

    fn enums(&mut self, old: &BTreeMap<String, EnumIr>, new: &BTreeMap<String, EnumIr>) {
        for (name, o) in old {
            let subject = format!("enum {name}");
            let Some(n) = new.get(name) else {
                let c = format!("the type `{name}` is gone; code naming it no longer compiles");
                self.push(Impact::Breaking, ChangeKind::Removed, &subject, "removed".to_owned(), &c);
                continue;
            };
            let usage = self.usage_of(name);
            for v in n.values.iter().filter(|v| !o.values.iter().any(|w| w.wire == v.wire)) {
                let detail = format!("new value {} ({})", v.wire, v.meaning);
                let c = format!(
                    "new variant `{name}::{}`; the enum is open (`Unknown`), so the value never failed a call",
                    v.variant
                );
                self.push(Impact::Compatible, ChangeKind::Added, &subject, detail, &c);
            }
            for v in o.values.iter().filter(|v| !n.values.iter().any(|w| w.wire == v.wire)) {
                let detail = format!("value {} removed", v.wire);
                let request = (
                    Impact::Breaking,
                    "a value a user may send is gone: the variant no longer exists, code naming it no longer compiles",
                );
                let response = (
                    Impact::Breaking,
                    "the variant is gone (code naming it no longer compiles); the value now decodes as `Unknown`",
                );
                self.push_sided(usage, ChangeKind::Removed, &subject, detail, Sides { request, response });
            }
            for v in &o.values {
                if let Some(w) = n.values.iter().find(|w| w.wire == v.wire && !same(&w.meaning, &v.meaning)) {
                    let detail = format!("meaning of {} changed: {} -> {}", v.wire, v.meaning, w.meaning);
                    self.push(Impact::Compatible, ChangeKind::Changed, &subject, detail, DOCS);
                }
            }
            if !same_opt(o.label.as_deref(), n.label.as_deref())
                || !same_opt(o.description.as_deref(), n.description.as_deref())
            {
                self.push(
                    Impact::Compatible,
                    ChangeKind::Changed,
                    &subject,
                    "label or description changed".to_owned(),
                    DOCS,
                );
            }
        }
        for (name, n) in new.iter().filter(|(name, _)| !old.contains_key(*name)) {
            let detail = format!("added ({} value{})", n.values.len(), plural(n.values.len()));
            self.push(
                Impact::Compatible,
                ChangeKind::Added,
                &format!("enum {name}"),
                detail,
                &format!("new type `{name}`"),
            );
        }
    }

    fn error_codes(&mut self, old: &BTreeMap<String, Vec<ErrorIr>>, new: &BTreeMap<String, Vec<ErrorIr>>) {
        let (a, b): (BTreeSet<&String>, BTreeSet<&String>) = (old.keys().collect(), new.keys().collect());
        for code in b.difference(&a) {
            let c = format!("new variant `ErrorCode` for {code}; before, it was kept as `ErrorCode::Unknown`");
            self.push(Impact::Compatible, ChangeKind::Added, &format!("error code {code}"), "added".to_owned(), &c);
        }
        for code in a.difference(&b) {
            let c = "its `ErrorCode` variant is gone; code naming it no longer compiles (the code now arrives as `Unknown`)";
            self.push(
                Impact::Breaking,
                ChangeKind::Removed,
                &format!("error code {code}"),
                "no longer documented anywhere".to_owned(),
                c,
            );
        }
    }

    fn notifications(&mut self, old: &[NotificationIr], new: &[NotificationIr]) {
        for o in old {
            let subject = format!("notification {}", o.event_type);
            let Some(n) = new.iter().find(|n| n.event_type == o.event_type) else {
                let c = format!("`NotificationEvent::{}` is gone; such events now arrive as `Other`", o.name);
                self.push(Impact::Breaking, ChangeKind::Removed, &subject, "removed".to_owned(), &c);
                continue;
            };
            if (&o.name, &o.resource) != (&n.name, &n.resource) {
                let detail = format!("{}({}) -> {}({})", o.name, o.resource, n.name, n.resource);
                let c = "the typed event changes; code matching on it no longer compiles";
                self.push(Impact::Breaking, ChangeKind::Changed, &subject, detail, c);
            }
            self.examples(&subject, &o.examples, &n.examples);
            if !same(&o.title, &n.title)
                || !same_opt(o.summary.as_deref(), n.summary.as_deref())
                || !same_opt(o.description.as_deref(), n.description.as_deref())
                || (&o.doc_id, &o.original_type) != (&n.doc_id, &n.original_type)
            {
                self.push(Impact::Compatible, ChangeKind::Changed, &subject, "documentation changed".to_owned(), DOCS);
            }
        }
        for n in new.iter().filter(|n| !old.iter().any(|o| o.event_type == n.event_type)) {
            let c = format!("new `NotificationEvent::{}`; before, such events arrived as `Other`", n.name);
            let detail = format!("added ({}, resource {})", n.title, n.resource);
            self.push(Impact::Compatible, ChangeKind::Added, &format!("notification {}", n.event_type), detail, &c);
        }
    }
}

/// Fields removed and added in the same model with the same label and type: renames.
fn renames<'a>(old: &'a [FieldIr], new: &'a [FieldIr]) -> Vec<(&'a str, &'a str)> {
    let removed: Vec<&FieldIr> = old.iter().filter(|f| !new.iter().any(|g| g.wire == f.wire)).collect();
    let added: Vec<&FieldIr> = new.iter().filter(|f| !old.iter().any(|g| g.wire == f.wire)).collect();
    let mut out: Vec<(&str, &str)> = Vec::new();
    for f in removed {
        let twin =
            added.iter().find(|g| g.label == f.label && g.ty == f.ty && !out.iter().any(|(_, to)| *to == g.wire));
        if let Some(g) = twin {
            out.push((&f.wire, &g.wire));
        }
    }
    out
}

/// A rule in words, its identity in the diff: `when usage_mode = "X": require stock_bundle`.
pub fn rule_text(rule: &RuleIr) -> String {
    let assertion = assertion_text(&rule.assertion);
    match &rule.when {
        Some(when) => format!("when {}: {assertion}", condition_text(when)),
        None => assertion,
    }
}

fn condition_text(c: &WhenIr) -> String {
    c.describe()
}

/// An assertion in words.
pub fn assertion_text(a: &AssertionIr) -> String {
    let paths = |ps: &[FieldPath]| ps.iter().map(FieldPath::dotted).collect::<Vec<_>>().join(", ");
    match a {
        AssertionIr::Require(ps) => format!("require {}", paths(ps)),
        AssertionIr::Forbid(ps) => format!("forbid {}", paths(ps)),
        AssertionIr::ExactlyOneOf(ps) => format!("exactly one of {}", paths(ps)),
        AssertionIr::AtLeastOneOf(ps) => format!("at least one of {}", paths(ps)),
        AssertionIr::AtMostOneOf(ps) => format!("at most one of {}", paths(ps)),
        AssertionIr::Holds(c) => format!("assert {}", condition_text(c)),
    }
}

fn type_text(ty: &TypeIr) -> String {
    match ty {
        TypeIr::String => "string".to_owned(),
        TypeIr::Integer => "integer".to_owned(),
        TypeIr::Boolean => "boolean".to_owned(),
        TypeIr::DateTime => "datetime".to_owned(),
        TypeIr::Amount => "amount".to_owned(),
        TypeIr::Model(name) | TypeIr::Enum(name) => name.clone(),
        TypeIr::Array(inner) => format!("array of {}", type_text(inner)),
        TypeIr::Alternatives(alt) => {
            let others: Vec<String> = alt.others.iter().map(type_text).collect();
            format!("{} ({} or {})", alt.name, alt.model, others.join(" or "))
        }
    }
}

fn presence_word(p: Presence) -> &'static str {
    match p {
        Presence::Required => "required",
        Presence::Optional => "optional",
        Presence::Conditional => "conditional",
    }
}

fn kind_word(e: &ExampleIr) -> &'static str {
    match e.kind {
        crate::spec::ExampleKind::Request => "request",
        crate::spec::ExampleKind::Response => "response",
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "none".to_owned())
}

fn opt_num<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "none".to_owned(), |n| n.to_string())
}

fn list_or_none(v: &[&str]) -> String {
    if v.is_empty() { "none".to_owned() } else { v.join(" | ") }
}
