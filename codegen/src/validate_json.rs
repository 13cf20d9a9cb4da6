//! The generated validation's semantics, run on a JSON value instead of a typed model.
//!
//! `cargo xtask check` uses it to hold every request example of the spec to the spec's own
//! constraints and rules without compiling the generated crate. The generated doc-example
//! tests run the same examples through the generated `Validate` impls, so the two
//! implementations check each other.
//!
//! Semantics, as in `emit/validation.rs`: a constraint applies to a present value; a rule
//! applies where its `when` is known to hold; a test on a field whose parent object is absent
//! is unknown, and `all` / `any` / `not` combine unknowns as three-valued logic does.
//! Beyond the generated validation it reports what would fail deserialization instead (a
//! missing required field, a value of the wrong JSON type), so a broken example cannot pass.

use crate::ir::{AssertionIr, ConditionIr, Constraints, DisputeIr, FieldPath, ModelIr, RuleIr, Test, TypeIr, WhenIr};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One broken constraint or rule, located by JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonViolation {
    /// Dotted JSON path (`display_info.name`, `list[0].id`); empty for the root.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The description of the broken rule, for rule violations.
    pub rule: Option<String>,
    /// Set when the broken constraint or rule is disputed.
    pub disputed: Option<DisputeIr>,
    /// A key the model does not know (`path` is the key's path): not a violation of the spec,
    /// but sent as given with a warning by the generated client.
    pub unknown_field: bool,
}

impl JsonViolation {
    fn new(path: &str, message: String) -> Self {
        JsonViolation { path: path.to_owned(), message, rule: None, disputed: None, unknown_field: false }
    }

    /// What a user is warned about or refused for, as the generated client reports it: the
    /// dispute id, or `unknown-field`, or `None` for an undisputed violation.
    pub fn warning_id(&self) -> Option<&str> {
        if self.unknown_field { Some("unknown-field") } else { self.disputed.as_ref().map(|d| d.id.as_str()) }
    }
}

/// What the checker needs to know: models and the wire values of each enum.
pub struct Schema<'a> {
    pub models: &'a BTreeMap<String, ModelIr>,
    pub enum_values: &'a HashMap<String, Vec<String>>,
}

impl Schema<'_> {
    /// Every violation of `value` read as an instance of `model`.
    pub fn check(&self, value: &Value, model: &str) -> Vec<JsonViolation> {
        let mut out = Vec::new();
        self.value(value, &TypeIr::Model(model.to_owned()), &Constraints::default(), "", &mut out);
        out
    }

    fn value(&self, v: &Value, ty: &TypeIr, c: &Constraints, path: &str, out: &mut Vec<JsonViolation>) {
        let plain = |message: String| JsonViolation::new(path, message);
        // A constraint's violation, marked when the constraint is disputed.
        let constraint = |name: &str, message: String| JsonViolation {
            disputed: c.disputed.get(name).cloned(),
            ..JsonViolation::new(path, message)
        };
        match (ty, v) {
            (TypeIr::String, Value::String(s)) => {
                let len = s.chars().count() as u64;
                if let Some(min) = c.min_length
                    && len < min
                {
                    out.push(constraint("min_length", format!("must be at least {min} characters, got {len}")));
                }
                if let Some(max) = c.max_length
                    && len > max
                {
                    out.push(constraint("max_length", format!("must be at most {max} characters, got {len}")));
                }
                if let Some(crate::ir::Charset { ranges, text }) = &c.charset
                    && let Some(bad) = s.chars().find(|ch| !ranges.iter().any(|(lo, hi)| lo <= ch && ch <= hi))
                {
                    out.push(constraint("charset", format!("character {bad:?} is not allowed (allowed: {text})")));
                }
            }
            (TypeIr::Integer | TypeIr::Amount, Value::Number(n)) => match n.as_i64() {
                Some(n) => {
                    // Worded as the generated validation words it (`Violations::check_range`).
                    let bounds = match (c.min, c.max) {
                        (Some(lo), Some(hi)) => format!("{lo}..={hi}"),
                        (Some(lo), None) => format!(">= {lo}"),
                        (None, Some(hi)) => format!("<= {hi}"),
                        (None, None) => String::new(),
                    };
                    if c.min.is_some_and(|m| n < m) {
                        out.push(constraint("min", format!("must be {bounds}, got {n}")));
                    } else if c.max.is_some_and(|m| n > m) {
                        out.push(constraint("max", format!("must be {bounds}, got {n}")));
                    }
                }
                None => out.push(plain(format!("{n} is not an integer"))),
            },
            (TypeIr::Boolean, Value::Bool(_)) => {}
            (TypeIr::DateTime, Value::String(s)) => {
                if !is_rfc3339(s) {
                    out.push(plain("must be an RFC 3339 date-time such as 2025-08-01T00:00:00+08:00".to_owned()));
                }
            }
            (TypeIr::Enum(name), Value::String(s)) => {
                if self.enum_values.get(name).is_some_and(|values| !values.contains(s)) {
                    out.push(plain(format!("{s:?} is not a documented value")));
                }
            }
            (TypeIr::Array(inner), Value::Array(items)) => {
                let n = items.len() as u64;
                let message = format!("must have {:?}..={:?} items, got {n}", c.min_items, c.max_items);
                if c.min_items.is_some_and(|m| n < m) {
                    out.push(constraint("min_items", message));
                } else if c.max_items.is_some_and(|m| n > m) {
                    out.push(constraint("max_items", message));
                }
                for (i, item) in items.iter().enumerate() {
                    self.value(item, inner, &Constraints::default(), &format!("{path}[{i}]"), out);
                }
            }
            (TypeIr::Model(name), Value::Object(map)) => {
                let Some(model) = self.models.get(name) else { return };
                for f in &model.fields {
                    let here = join(path, &f.wire);
                    match map.get(&f.wire) {
                        Some(Value::Null) | None if f.is_option() => {}
                        Some(Value::Null) | None => out.push(JsonViolation::new(
                            &here,
                            "is required (the model cannot be built without it)".to_owned(),
                        )),
                        Some(v) => self.value(v, &f.ty, &f.constraints, &here, out),
                    }
                }
                for key in map.keys().filter(|k| !model.fields.iter().any(|f| &f.wire == *k)) {
                    out.push(JsonViolation {
                        unknown_field: true,
                        ..JsonViolation::new(&join(path, key), "is not a field of the spec; sent as given".to_owned())
                    });
                }
                for rule in &model.rules {
                    check_rule(rule, v, path, out);
                }
            }
            (TypeIr::Alternatives(alt), Value::Object(_)) => {
                self.value(v, &TypeIr::Model(alt.model.clone()), &Constraints::default(), path, out)
            }
            (TypeIr::Alternatives(alt), v) if alt.others.iter().any(|t| scalar_matches(t, v)) => {}
            (ty, v) => out.push(plain(format!("expected {}, found {}", type_name(ty), json_kind(v)))),
        }
    }
}

fn check_rule(r: &RuleIr, model: &Value, path: &str, out: &mut Vec<JsonViolation>) {
    if let Some(w) = &r.when
        && when(w, model) != Some(true)
    {
        return;
    }
    let context = match &r.when {
        Some(w) => format!("when {}: {}", w.describe(), r.description),
        None => r.description.clone(),
    };
    let mut push = |at: &FieldPath, message: String| {
        out.push(JsonViolation {
            rule: Some(r.description.clone()),
            disputed: r.disputed.clone(),
            ..JsonViolation::new(&join(path, &at.dotted()), message)
        })
    };
    match &r.assertion {
        AssertionIr::Require(paths) => {
            for p in paths.iter().filter(|p| presence(p, model) == Some(false)) {
                push(p, format!("is required {context}"));
            }
        }
        AssertionIr::Forbid(paths) => {
            for p in paths.iter().filter(|p| presence(p, model) == Some(true)) {
                push(p, format!("must be absent {context}"));
            }
        }
        AssertionIr::ExactlyOneOf(paths) | AssertionIr::AtLeastOneOf(paths) | AssertionIr::AtMostOneOf(paths) => {
            let present: Vec<Option<bool>> = paths.iter().map(|p| presence(p, model)).collect();
            if present.iter().any(Option::is_none) {
                return;
            }
            let n = present.iter().filter(|p| **p == Some(true)).count();
            let (broken, what) = match r.assertion {
                AssertionIr::ExactlyOneOf(_) => (n != 1, "exactly one of"),
                AssertionIr::AtLeastOneOf(_) => (n == 0, "at least one of"),
                _ => (n > 1, "at most one of"),
            };
            if broken && let Some(first) = paths.first() {
                let names: Vec<String> = paths.iter().map(FieldPath::dotted).collect();
                push(first, format!("{what} {} must be present, found {n} ({context})", names.join(", ")));
            }
        }
        AssertionIr::Holds(c) => {
            if when(c, model) == Some(false)
                && let Some(first) = c.first_path()
            {
                push(first, format!("must satisfy {} ({context})", c.describe()));
            }
        }
    }
}

/// The object holding the path's last field: `None` when an object on the way is absent.
fn parent<'v>(path: &FieldPath, model: &'v Value) -> Option<&'v Value> {
    let mut current = model;
    let (_, leading) = path.steps.split_last()?;
    for step in leading {
        current = current.get(&step.wire).filter(|v| !v.is_null())?;
    }
    Some(current)
}

fn leaf<'v>(path: &FieldPath, model: &'v Value) -> Option<Option<&'v Value>> {
    let last = path.steps.last()?;
    parent(path, model).map(|p| p.get(&last.wire).filter(|v| !v.is_null()))
}

fn presence(path: &FieldPath, model: &Value) -> Option<bool> {
    leaf(path, model).map(|v| v.is_some())
}

fn condition(c: &ConditionIr, model: &Value) -> Option<bool> {
    let v = leaf(&c.path, model)?;
    let text = v.and_then(Value::as_str);
    Some(match &c.test {
        Test::Equals(want) => text == Some(want.as_str()),
        Test::In(wants) => text.is_some_and(|t| wants.iter().any(|w| w == t)),
        Test::Contains(want) => {
            v.and_then(Value::as_array).is_some_and(|items| items.iter().any(|i| i.as_str() == Some(want.as_str())))
        }
        Test::Present(want) => v.is_some() == *want,
    })
}

fn when(w: &WhenIr, model: &Value) -> Option<bool> {
    match w {
        WhenIr::Test(c) => condition(c, model),
        WhenIr::All(parts) => {
            let values: Vec<Option<bool>> = parts.iter().map(|p| when(p, model)).collect();
            if values.contains(&Some(false)) {
                Some(false)
            } else if values.contains(&None) {
                None
            } else {
                Some(true)
            }
        }
        WhenIr::Any(parts) => {
            let values: Vec<Option<bool>> = parts.iter().map(|p| when(p, model)).collect();
            if values.contains(&Some(true)) {
                Some(true)
            } else if values.contains(&None) {
                None
            } else {
                Some(false)
            }
        }
        WhenIr::Not(inner) => when(inner, model).map(|b| !b),
    }
}

fn join(parent: &str, field: &str) -> String {
    if parent.is_empty() { field.to_owned() } else { format!("{parent}.{field}") }
}

fn type_name(ty: &TypeIr) -> &'static str {
    match ty {
        TypeIr::String | TypeIr::DateTime | TypeIr::Enum(_) => "a string",
        TypeIr::Integer | TypeIr::Amount => "an integer",
        TypeIr::Boolean => "a boolean",
        TypeIr::Model(_) => "an object",
        TypeIr::Array(_) => "an array",
        TypeIr::Alternatives(_) => "one of the documented shapes",
    }
}

/// Whether a JSON scalar has the shape of a scalar type.
fn scalar_matches(ty: &TypeIr, v: &Value) -> bool {
    match (ty, v) {
        (TypeIr::String, Value::String(_)) | (TypeIr::Boolean, Value::Bool(_)) => true,
        (TypeIr::Integer, Value::Number(n)) => n.is_i64(),
        _ => false,
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, the check the runtime's `DateTime::is_rfc3339` makes.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(range)?;
        if part.bytes().all(|d| d.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    let sep = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    let (Some(_), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
        (num(0..4), num(5..7), num(8..10), num(11..13), num(14..16), num(17..19))
    else {
        return false;
    };
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
        return false;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = s.get(19..).unwrap_or("");
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = frac.get(n..).unwrap_or("");
    }
    if rest == "Z" || rest == "z" {
        return true;
    }
    let r = rest.as_bytes();
    r.len() == 6
        && matches!(r.first(), Some(b'+' | b'-'))
        && r.get(3) == Some(&b':')
        && rest.get(1..3).and_then(|h| h.parse::<u32>().ok()).is_some_and(|h| h <= 23)
        && rest.get(4..6).and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| m <= 59)
        && rest.get(1..3).is_some_and(|h| h.bytes().all(|d| d.is_ascii_digit()))
        && rest.get(4..6).is_some_and(|m| m.bytes().all(|d| d.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::is_rfc3339;

    #[test]
    fn date_times_are_checked_like_the_runtime_does() {
        assert!(is_rfc3339("2025-08-01T00:00:00+08:00"));
        assert!(is_rfc3339("2025-08-31T23:59:59.123Z"));
        assert!(!is_rfc3339("2025-01-01T00:00+08:00"));
        assert!(!is_rfc3339("2025-13-01T00:00:00+08:00"));
        assert!(!is_rfc3339("2025-01-01 00:00:00+08:00"));
        assert!(!is_rfc3339("2025-01-01T00:00:00+8:000"));
        assert!(!is_rfc3339(""));
    }
}
