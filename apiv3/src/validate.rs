//! Request validation support used by the generated `Validate` impls and builders.
//!
//! Generated code walks a request, pushing a [`Violation`] with the JSON path of every field
//! that breaks a constraint or a cross-field rule; nothing stops at the first problem, so a
//! user sees every mistake in one go.
//!
//! Not every violation refuses the request. A constraint or rule that WeChat Pay's own
//! material contradicts (a page's prose against WeChat Pay's example code, say) is *disputed*:
//! its violations carry a [`Dispute`] naming the rule and the source that disputes it, and by
//! default they are warnings: the request is sent and the warning reported (on the
//! [`PreparedRequest`](crate::PreparedRequest), through `tracing`, and to the client's
//! warning callback). A field the spec does not know is a warning too ([`ViolationKind::UnknownField`]),
//! sent as given. [`Screening`] says what happens to each: warn, ignore or refuse. Every other
//! violation refuses the request before any I/O.

use std::collections::BTreeMap;
use std::fmt;

/// One broken constraint or rule, located by its JSON path (`stock_bundle.stock_send_rule.max_count`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON path of the offending field, relative to the request body (path parameters are
    /// named by their own name).
    pub path: String,
    /// What is wrong, e.g. `must be 3..=15, got 2`.
    pub message: String,
    /// Which kind of check failed.
    pub kind: ViolationKind,
    /// Set when the broken constraint or rule is disputed by official material: then the
    /// violation is a warning unless the [`Screening`] says to refuse it.
    pub disputed: Option<Dispute>,
}

/// Why a constraint or rule is disputed: its id (for [`Screening::disputed_rule`]) and the
/// official source that contradicts it, both from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dispute {
    /// The rule's stable id in the spec, e.g. `weekly-and-irregular-periods-together`.
    pub id: &'static str,
    /// What disputes it, e.g. the WeChat Pay example code that sends such a request.
    pub by: &'static str,
}

/// Which kind of check a violation comes from. The API answers them differently: a field's
/// own constraint is a `PARAM_ERROR`, a broken combination of fields an `INVALID_REQUEST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ViolationKind {
    /// A field's own constraint: length, characters, range, item count, enum value, format.
    Constraint,
    /// A cross-field rule of the spec (`require`, `forbid`, `exactly_one_of`, ...).
    Rule,
    /// An upload's file is larger than the operation accepts.
    FileTooLarge,
    /// An upload's file is empty, of a type the operation does not accept, or not what its
    /// media type says.
    FileRejected,
    /// A field the spec does not know. The value is sent as given (the server may know it);
    /// by default a warning, never a refusal unless the [`Screening`] says so.
    UnknownField,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)?;
        if let Some(d) = &self.disputed {
            write!(f, " [disputed rule `{}`: {}]", d.id, d.by)?;
        }
        Ok(())
    }
}

/// Every violation found in one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    /// Records a broken constraint at `path`.
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.push_kind(ViolationKind::Constraint, path, message);
    }

    /// Records a broken cross-field rule at `path`.
    pub fn push_rule(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.push_kind(ViolationKind::Rule, path, message);
    }

    /// Records a violation of the given kind at `path`.
    pub fn push_kind(&mut self, kind: ViolationKind, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Violation { path: path.into(), message: message.into(), kind, disputed: None });
    }

    /// How many violations are recorded: a mark for [`dispute_since`](Self::dispute_since).
    pub fn mark(&self) -> usize {
        self.0.len()
    }

    /// Marks every violation recorded since `mark` as breaking the disputed rule `id`.
    pub fn dispute_since(&mut self, mark: usize, id: &'static str, by: &'static str) {
        for v in self.0.iter_mut().skip(mark) {
            v.disputed = Some(Dispute { id, by });
        }
    }

    /// Records every key of `unknown` (fields the spec does not know, kept by the model) as an
    /// [`ViolationKind::UnknownField`] under `path`.
    /// A key named like one of the model's own fields (`known`, wire names) is refused as a
    /// constraint violation: it would be sent twice, or bypass the field's own checks.
    pub fn check_unknown(&mut self, path: &str, unknown: &serde_json::Map<String, serde_json::Value>, known: &[&str]) {
        for key in unknown.keys() {
            if known.contains(&key.as_str()) {
                self.push(
                    join(path, key),
                    "is a field of the spec: set it with its own setter, not as an unknown field",
                );
            } else {
                self.push_kind(
                    ViolationKind::UnknownField,
                    join(path, key),
                    "is not a field of the spec; sent as given",
                );
            }
        }
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), Violations> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The recorded violations.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.0.iter()
    }

    /// Checks a string's length in characters against optional bounds.
    pub fn check_length(&mut self, path: &str, value: &str, min: Option<usize>, max: Option<usize>) {
        let len = value.chars().count();
        if let Some(min) = min
            && len < min
        {
            self.push(path, format!("must be at least {min} characters, got {len}"));
        }
        if let Some(max) = max
            && len > max
        {
            self.push(path, format!("must be at most {max} characters, got {len}"));
        }
    }

    /// Checks that every character of `value` lies in one of the inclusive `ranges`.
    pub fn check_charset(&mut self, path: &str, value: &str, ranges: &[(char, char)], described: &str) {
        if let Some(bad) = value.chars().find(|c| !ranges.iter().any(|(lo, hi)| lo <= c && c <= hi)) {
            self.push(path, format!("character {bad:?} is not allowed (allowed: {described})"));
        }
    }

    /// Checks an integer against optional inclusive bounds.
    pub fn check_range(&mut self, path: &str, value: i64, min: Option<i64>, max: Option<i64>) {
        let below = min.is_some_and(|m| value < m);
        let above = max.is_some_and(|m| value > m);
        if below || above {
            let bounds = match (min, max) {
                (Some(lo), Some(hi)) => format!("{lo}..={hi}"),
                (Some(lo), None) => format!(">= {lo}"),
                (None, Some(hi)) => format!("<= {hi}"),
                (None, None) => unreachable!("a bound was broken"),
            };
            self.push(path, format!("must be {bounds}, got {value}"));
        }
    }

    /// Checks a list's length against optional bounds.
    pub fn check_items(&mut self, path: &str, len: usize, min: Option<usize>, max: Option<usize>) {
        if let Some(min) = min
            && len < min
        {
            self.push(path, format!("must have at least {min} items, got {len}"));
        }
        if let Some(max) = max
            && len > max
        {
            self.push(path, format!("must have at most {max} items, got {len}"));
        }
    }

    /// Records a value the client does not know (an `Unknown` enum variant) as a violation:
    /// the server would refuse it.
    pub fn check_known(&mut self, path: &str, known: bool, value: &str) {
        if !known {
            self.push(path, format!("{value:?} is not a documented value"));
        }
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} invalid field(s)", self.0.len())?;
        for v in &self.0 {
            write!(f, "; {v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

/// What a client does with a violation that need not refuse the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum WarningPolicy {
    /// Send the request and report the violation as a warning (the default).
    #[default]
    Warn,
    /// Send the request and say nothing.
    Ignore,
    /// Refuse the request before any I/O, like an undisputed violation.
    Refuse,
}

/// Which violations refuse a request and which are warnings. Undisputed violations always
/// refuse; disputed ones and unknown fields follow the policies here (all `Warn` by default).
///
/// ```
/// use wechatpay_apiv3::validate::{Screening, WarningPolicy};
/// // Silence one disputed rule, refuse every other disputed one, keep unknown fields as warnings.
/// let screening = Screening::default()
///     .disputed_rules(WarningPolicy::Refuse)
///     .disputed_rule("weekly-and-irregular-periods-together", WarningPolicy::Ignore);
/// # let _ = screening;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Screening {
    disputed_default: WarningPolicy,
    disputed: BTreeMap<String, WarningPolicy>,
    unknown_fields: WarningPolicy,
}

impl Screening {
    /// The policy for every disputed rule without a policy of its own.
    pub fn disputed_rules(mut self, policy: WarningPolicy) -> Self {
        self.disputed_default = policy;
        self
    }

    /// The policy for one disputed rule, by its id ([`Dispute::id`], listed in the generated
    /// docs of the model that has the rule).
    pub fn disputed_rule(mut self, id: impl Into<String>, policy: WarningPolicy) -> Self {
        self.disputed.insert(id.into(), policy);
        self
    }

    /// The policy for fields the spec does not know.
    pub fn unknown_fields(mut self, policy: WarningPolicy) -> Self {
        self.unknown_fields = policy;
        self
    }

    /// What happens to `v`.
    pub fn policy(&self, v: &Violation) -> WarningPolicy {
        match (&v.disputed, v.kind) {
            (_, ViolationKind::UnknownField) => self.unknown_fields,
            (Some(d), _) => self.disputed.get(d.id).copied().unwrap_or(self.disputed_default),
            (None, _) => WarningPolicy::Refuse,
        }
    }

    /// Splits a request's violations: `Err` with the refusing ones if there are any, else the
    /// warnings (ignored ones dropped).
    pub fn screen(&self, violations: Violations) -> Result<Vec<Violation>, Violations> {
        let mut refuse = Violations::default();
        let mut warnings = Vec::new();
        for v in violations.0 {
            match self.policy(&v) {
                WarningPolicy::Refuse => refuse.0.push(v),
                WarningPolicy::Warn => warnings.push(v),
                WarningPolicy::Ignore => {}
            }
        }
        if refuse.is_empty() { Ok(warnings) } else { Err(refuse) }
    }
}

/// `model` as JSON without the fields the spec does not know, at any depth: what a model read
/// from another model's JSON (another family's view, say) holds of its own.
pub fn known_fields_only<T: Validate + serde::Serialize>(model: &T) -> Result<serde_json::Value, serde_json::Error> {
    let mut value = serde_json::to_value(model)?;
    let mut found = Violations::default();
    model.validate_at("", &mut found);
    for v in found.0.iter().filter(|v| v.kind == ViolationKind::UnknownField) {
        remove_path(&mut value, &v.path);
    }
    Ok(value)
}

/// Removes the value at a validation path (`a.b[0].c`, as [`join`] and [`index`] write them)
/// from `value`, if it is there. Each step is matched against the keys present, so a last key
/// containing `.` or `[` is still found.
pub fn remove_path(value: &mut serde_json::Value, path: &str) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if map.remove(path).is_some() {
                return;
            }
            let keys: Vec<String> = map.keys().filter(|k| path.starts_with(k.as_str())).cloned().collect();
            for key in keys {
                let rest = &path[key.len()..];
                let inner = map.get_mut(&key);
                match (inner, rest.strip_prefix('.')) {
                    (Some(inner), Some(rest)) => remove_path(inner, rest),
                    (Some(inner), None) if rest.starts_with('[') => remove_path(inner, rest),
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            let Some((i, rest)) = path.strip_prefix('[').and_then(|p| p.split_once(']')) else { return };
            let Some(item) = i.parse::<usize>().ok().and_then(|i| items.get_mut(i)) else { return };
            match rest.strip_prefix('.') {
                Some(rest) => remove_path(item, rest),
                None if rest.starts_with('[') => remove_path(item, rest),
                None => {}
            }
        }
        _ => {}
    }
}

/// Joins a parent JSON path and a field name.
pub fn join(parent: &str, field: &str) -> String {
    if parent.is_empty() { field.to_owned() } else { format!("{parent}.{field}") }
}

/// Joins a parent JSON path and a list index.
pub fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// Whether every condition holds, in three values: a condition on a field whose parent object is
/// absent is unknown (`None`). One that does not hold decides (`Some(false)`); otherwise any
/// unknown one leaves the whole unknown. Generated rules apply only where `Some(true)`.
pub fn all_hold<const N: usize>(conditions: [Option<bool>; N]) -> Option<bool> {
    if conditions.contains(&Some(false)) {
        Some(false)
    } else if conditions.contains(&None) {
        None
    } else {
        Some(true)
    }
}

/// Whether at least one condition holds, in three values (see [`all_hold`]).
pub fn any_holds<const N: usize>(conditions: [Option<bool>; N]) -> Option<bool> {
    if conditions.contains(&Some(true)) {
        Some(true)
    } else if conditions.contains(&None) {
        None
    } else {
        Some(false)
    }
}

/// Client-side validation of a request model, generated from the spec's constraints and
/// cross-field rules.
pub trait Validate {
    /// Pushes every violation found in `self`, located under `path` ("" for the body root).
    fn validate_at(&self, path: &str, out: &mut Violations);

    /// Validates the whole value.
    fn validate(&self) -> Result<(), Violations> {
        let mut out = Violations::default();
        self.validate_at("", &mut out);
        out.into_result()
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_at(&self, path: &str, out: &mut Violations) {
        for (i, item) in self.iter().enumerate() {
            item.validate_at(&index(path, i), out);
        }
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_at(&self, path: &str, out: &mut Violations) {
        if let Some(v) = self {
            v.validate_at(path, out);
        }
    }
}

/// A builder was asked to build while required fields were missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    /// JSON paths of every missing required field.
    pub missing: Vec<String>,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "missing required field(s): {}", self.missing.join(", "))
    }
}

impl std::error::Error for BuildError {}

/// A generated builder that can build itself as part of a larger tree, recording the JSON
/// paths of missing fields instead of stopping at the first.
pub trait BuildAt: Sized {
    /// The model it builds.
    type Output;

    /// Builds the model located at `path`; `None` if anything in it was missing.
    fn build_at(self, path: &str, missing: &mut Missing) -> Option<Self::Output>;

    /// Builds a top-level value: `Err` lists every missing field by JSON path.
    fn build_root(self) -> Result<Self::Output, BuildError> {
        let mut missing = Missing::default();
        match self.build_at("", &mut missing) {
            Some(v) if missing.0.is_empty() => Ok(v),
            _ => Err(BuildError { missing: missing.0 }),
        }
    }
}

/// Collects the missing fields while a builder tree builds.
#[derive(Debug, Default)]
pub struct Missing(pub Vec<String>);

impl Missing {
    /// A required scalar: the value, or its path recorded as missing.
    pub fn required<T>(&mut self, value: Option<T>, parent: &str, field: &str) -> Option<T> {
        if value.is_none() {
            self.0.push(join(parent, field));
        }
        value
    }

    /// A required nested object.
    pub fn required_model<B: BuildAt>(&mut self, value: Option<B>, parent: &str, field: &str) -> Option<B::Output> {
        let path = join(parent, field);
        match value {
            Some(b) => b.build_at(&path, self),
            None => {
                self.0.push(path);
                None
            }
        }
    }

    /// An optional nested object: `Some(None)` when absent, `None` when it failed to build.
    pub fn optional_model<B: BuildAt>(
        &mut self,
        value: Option<B>,
        parent: &str,
        field: &str,
    ) -> Option<Option<B::Output>> {
        match value {
            Some(b) => b.build_at(&join(parent, field), self).map(Some),
            None => Some(None),
        }
    }

    /// A required list of objects; every item is built so all missing paths are recorded.
    pub fn required_list<B: BuildAt>(
        &mut self,
        value: Option<Vec<B>>,
        parent: &str,
        field: &str,
    ) -> Option<Vec<B::Output>> {
        let path = join(parent, field);
        match value {
            Some(items) => self.list(items, &path),
            None => {
                self.0.push(path);
                None
            }
        }
    }

    /// An optional list of objects.
    pub fn optional_list<B: BuildAt>(
        &mut self,
        value: Option<Vec<B>>,
        parent: &str,
        field: &str,
    ) -> Option<Option<Vec<B::Output>>> {
        match value {
            Some(items) => self.list(items, &join(parent, field)).map(Some),
            None => Some(None),
        }
    }

    fn list<B: BuildAt>(&mut self, items: Vec<B>, path: &str) -> Option<Vec<B::Output>> {
        let built: Vec<Option<B::Output>> =
            items.into_iter().enumerate().map(|(i, b)| b.build_at(&index(path, i), self)).collect();
        built.into_iter().collect()
    }
}
