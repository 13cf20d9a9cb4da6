//! Existing spec values written back as TOML text (strings, lists, conditions, rules, marks).

use crate::spec::{self, FieldType};

/// A TOML basic string.
pub fn q(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

pub(crate) fn q_list(items: &[spec::Sp<String>]) -> String {
    let items: Vec<String> = items.iter().map(|s| q(&s.value)).collect();
    format!("[{}]", items.join(", "))
}

pub(crate) fn render_condition(c: &spec::Condition) -> String {
    let list =
        |cs: &[spec::Sp<spec::Condition>]| cs.iter().map(|c| render_condition(&c.value)).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    if let Some(f) = &c.field {
        parts.push(format!("field = {}", q(&f.value)));
    }
    if let Some(v) = &c.all {
        parts.push(format!("all = [{}]", list(&v.value)));
    }
    if let Some(v) = &c.any {
        parts.push(format!("any = [{}]", list(&v.value)));
    }
    if let Some(v) = &c.not {
        parts.push(format!("not = {}", render_condition(&v.value.value)));
    }
    if let Some(v) = &c.equals {
        parts.push(format!("equals = {}", q(&v.value)));
    }
    if let Some(v) = &c.one_of {
        parts.push(format!("in = {}", q_list(&v.value)));
    }
    if let Some(v) = &c.contains {
        parts.push(format!("contains = {}", q(&v.value)));
    }
    if let Some(v) = &c.present {
        parts.push(format!("present = {}", v.value));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// An existing rule, written back as it reads.
pub(crate) fn render_rule(r: &spec::Rule) -> String {
    let mut out = format!("description = {}\n", q(&r.description.value));
    if let Some(w) = &r.when {
        out.push_str(&format!("when = {}\n", render_condition(w)));
    }
    for (key, list) in [
        ("require", &r.require),
        ("forbid", &r.forbid),
        ("exactly_one_of", &r.exactly_one_of),
        ("at_least_one_of", &r.at_least_one_of),
        ("at_most_one_of", &r.at_most_one_of),
    ] {
        if let Some(l) = list {
            out.push_str(&format!("{key} = {}\n", q_list(&l.value)));
        }
    }
    if let Some(a) = &r.assert {
        out.push_str(&format!("assert = {}\n", render_condition(a)));
    }
    if let Some(s) = &r.source {
        out.push_str(&format!("source = {}\n", q(s)));
    }
    if let Some(d) = &r.disputed {
        out.push_str(&format!(
            "disputed = {{ id = {}, reason = {}, by = {} }}\n",
            q(&d.id.value),
            q(&d.reason),
            q_list(&d.by.value)
        ));
    }
    out
}

/// A field's `disputed` entry as a TOML inline table.
pub(crate) fn render_disputed_constraint(d: &spec::DisputedConstraint) -> String {
    format!(
        "{{ constraint = {}, id = {}, reason = {}, by = {} }}",
        q(&d.constraint.value),
        q(&d.id.value),
        q(&d.reason),
        q_list(&d.by.value)
    )
}

/// `{ name = "FailedCode", types = ["string"], key = "coupon_code" }`.
pub(crate) fn render_alternatives(a: &spec::Alternatives) -> String {
    let types: Vec<String> = a.types.value.iter().map(|t| q(type_name(t.value))).collect();
    let key = a.key.as_ref().map(|k| format!(", key = {}", q(&k.value))).unwrap_or_default();
    format!("{{ name = {}, types = [{}]{key} }}", q(&a.name.value), types.join(", "))
}

/// The spec's name of a field type.
pub(crate) fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::String => "string",
        FieldType::Integer => "integer",
        FieldType::Boolean => "boolean",
        FieldType::Datetime => "datetime",
        FieldType::Amount => "amount",
        FieldType::Object => "object",
        FieldType::Enum => "enum",
        FieldType::Array => "array",
    }
}
