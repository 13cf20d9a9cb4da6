//! Rustdoc text from the spec: labels, descriptions, constraints, enum meanings. The docs are
//! for users of the crate; maintainers' notes (`decision`, `decisions`, example `source`) stay
//! in the spec and are never emitted.

use crate::ir::{Constraints, FieldIr, TypeIr};
use crate::spec::Presence;
use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes, one per line.
pub fn attrs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
    quote! { #( #[doc = #lines] )* }
}

/// Escapes prose so rustdoc does not read it as links or HTML.
pub fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Prose on one line (for list items).
pub fn one_line(text: &str) -> String {
    prose(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Pushes a paragraph of prose, keeping the spec's line breaks as separate paragraphs.
pub fn paragraph(out: &mut Vec<String>, text: &str) {
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.push(prose(line));
    }
}

/// The doc lines of a field: 【label】 description, then presence, constraints, example.
pub fn field(f: &FieldIr) -> Vec<String> {
    let mut out = vec![format!(
        "【{}】{}",
        prose(&f.label),
        f.description.as_deref().map(one_line).map(|d| format!(" {d}")).unwrap_or_default()
    )];
    out.push(String::new());
    out.push(if f.rust.escaped {
        format!("- Wire name: `{}` (a Rust keyword, so the field and its setter are `{}`)", f.wire, f.rust)
    } else {
        format!("- Wire name: `{}`", f.wire)
    });
    out.push(match f.presence {
        Presence::Required => "- Required (必填)".to_owned(),
        Presence::Optional => "- Optional (选填)".to_owned(),
        Presence::Conditional => {
            format!("- Conditionally required (条件必填): {}", f.condition.as_deref().map(one_line).unwrap_or_default())
        }
    });
    out.extend(constraints(&f.constraints, &f.ty).into_iter().map(|c| format!("- {c}")));
    for (name, d) in &f.constraints.disputed {
        out.push(format!(
            "- Disputed `{name}` (rule id `{}`): breaking it warns and sends instead of refusing; {}",
            d.id,
            one_line(&d.reason)
        ));
    }
    if let Some(example) = &f.example {
        out.push(format!("- Example: `{}`", example.to_string().replace('`', "'")));
    }
    // `f.decision` is a note for maintainers: it stays in the spec.
    out
}

/// Constraints in words.
pub fn constraints(c: &Constraints, ty: &TypeIr) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(text) = bounds(c.min_length, c.max_length, "characters") {
        out.push(format!("Length: {text}"));
    }
    if let Some(charset) = &c.charset {
        out.push(format!("Characters: `{}`", charset.text.replace('`', "'")));
    }
    let unit = if matches!(ty, TypeIr::Amount) { "分" } else { "" };
    match (c.min, c.max) {
        (Some(lo), Some(hi)) => out.push(format!("Range: {lo}..={hi}{}", suffix(unit))),
        (Some(lo), None) => out.push(format!("Minimum: {lo}{}", suffix(unit))),
        (None, Some(hi)) => out.push(format!("Maximum: {hi}{}", suffix(unit))),
        (None, None) => {}
    }
    if matches!(ty, TypeIr::Amount) {
        out.push("Amount in 分 (fen, 1/100 yuan)".to_owned());
    }
    if matches!(ty, TypeIr::DateTime) {
        out.push("RFC 3339 date-time, e.g. `2025-08-01T00:00:00+08:00`".to_owned());
    }
    if let Some(text) = bounds(c.min_items, c.max_items, "items") {
        out.push(format!("Items: {text}"));
    }
    out
}

fn suffix(unit: &str) -> String {
    if unit.is_empty() { String::new() } else { format!(" {unit}") }
}

fn bounds(lo: Option<u64>, hi: Option<u64>, what: &str) -> Option<String> {
    match (lo, hi) {
        (Some(lo), Some(hi)) => Some(format!("{lo}..={hi} {what}")),
        (Some(lo), None) => Some(format!("at least {lo} {what}")),
        (None, Some(hi)) => Some(format!("at most {hi} {what}")),
        (None, None) => None,
    }
}
