//! The draft as spec TOML: the format's keys only, in the order the hand-written files use,
//! with `# inferred: ...` / `# reused: ...` comments above the facts that are not the page's own.

use super::draft::{DExample, DFamily, DField, DModel, Draft, q};
use crate::spec::{ExampleFormat, ExampleKind, FieldType, Presence};
use std::fmt::Write;

fn ty(t: FieldType) -> &'static str {
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

fn presence(p: Presence) -> &'static str {
    match p {
        Presence::Required => "required",
        Presence::Optional => "optional",
        Presence::Conditional => "conditional",
    }
}

fn marks(out: &mut String, marks: &[String]) {
    for m in marks {
        for line in m.lines() {
            let _ = writeln!(out, "# {line}");
        }
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "[]".to_owned();
    }
    let items: Vec<String> = items.iter().map(|s| format!("    {},\n", q(s))).collect();
    format!("[\n{}]", items.concat())
}

/// A multi-line literal string for verbatim text, when the text allows it.
fn verbatim(text: &str) -> String {
    if !text.contains("'''") && !text.ends_with("'''") && !text.contains('\r') {
        format!("'''\n{text}'''")
    } else {
        q(text)
    }
}

fn field(out: &mut String, table: &str, f: &DField) {
    let _ = writeln!(out);
    marks(out, &f.marks);
    let _ = writeln!(out, "[[{table}]]");
    let _ = writeln!(out, "name = {}", q(&f.name));
    if let Some(t) = f.ty {
        let _ = writeln!(out, "type = \"{}\"", ty(t));
    }
    if let Some(i) = f.items {
        let _ = writeln!(out, "items = \"{}\"", ty(i));
    }
    if let Some(r) = &f.reference {
        let _ = writeln!(out, "ref = {}", q(r));
    }
    if let Some(p) = f.presence {
        let _ = writeln!(out, "presence = \"{}\"", presence(p));
    }
    if let Some(c) = &f.condition {
        let _ = writeln!(out, "condition = {}", q(c));
    }
    let _ = writeln!(out, "label = {}", q(&f.label));
    if let Some(d) = &f.description {
        let _ = writeln!(out, "description = {}", q(d));
    }
    if let Some(e) = &f.example {
        let value = match e {
            serde_json::Value::String(s) => Some(q(s)),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        if let Some(v) = value {
            let _ = writeln!(out, "example = {v}");
        }
    }
    for (key, v) in [
        ("min_length", f.min_length),
        ("max_length", f.max_length),
        ("min_items", f.min_items),
        ("max_items", f.max_items),
    ] {
        if let Some(v) = v {
            let _ = writeln!(out, "{key} = {v}");
        }
    }
    if let Some(c) = &f.charset {
        let _ = writeln!(out, "charset = {}", q(c));
    }
    for (key, v) in [("min", f.min), ("max", f.max)] {
        if let Some(v) = v {
            let _ = writeln!(out, "{key} = {v}");
        }
    }
    if !f.families.is_empty() {
        let _ = writeln!(out, "families = {}", list(&f.families));
    }
    if !f.disputed.is_empty() {
        let _ = writeln!(out, "disputed = [{}]", f.disputed.join(", "));
    }
    if let Some(d) = &f.decision {
        let _ = writeln!(out, "decision = {}", q(d));
    }
    if let Some(a) = &f.alternatives {
        let _ = writeln!(out, "alternatives = {a}");
    }
}

fn example(out: &mut String, e: &DExample) {
    let _ = writeln!(out);
    marks(out, &e.marks);
    let _ = writeln!(out, "[[operations.examples]]");
    let kind = if e.kind == ExampleKind::Request { "request" } else { "response" };
    let format = if e.format == ExampleFormat::Curl { "curl" } else { "json" };
    let _ =
        writeln!(out, "kind = \"{kind}\"\nformat = \"{format}\"\ntitle = {}\nsource = {}", q(&e.title), q(&e.source));
    if let Some(s) = e.status {
        let _ = writeln!(out, "status = {s}");
    }
    if let Some(why) = &e.expect_invalid {
        let _ = writeln!(out, "expect_invalid = {}", q(why));
    }
    let _ = writeln!(out, "text = {}", verbatim(&e.text));
}

fn family(out: &mut String, f: &DFamily) {
    let _ = writeln!(out);
    marks(out, &f.marks);
    let _ = writeln!(out, "[[operations.families]]\nfamily = {}", q(&f.family));
    for (key, v) in [("doc_id", &f.doc_id), ("updated", &f.updated), ("path", &f.path)] {
        if let Some(v) = v {
            let _ = writeln!(out, "{key} = {}", q(v));
        }
    }
    if let Some((n, text)) = &f.rate_limit {
        let _ = writeln!(out, "rate_limit = {{ per_second = {n}, text = {} }}", q(text));
    }
    let _ = writeln!(out, "source = {}", q(&f.source));
    if !f.decisions.is_empty() {
        let _ = writeln!(out, "decisions = {}", list(&f.decisions));
    }
}

fn model(out: &mut String, m: &DModel) {
    let _ = writeln!(out);
    marks(out, &m.marks);
    let _ = writeln!(out, "[[models]]\nname = {}", q(&m.name));
    if let Some(l) = &m.label {
        let _ = writeln!(out, "label = {}", q(l));
    }
    if let Some(d) = &m.description {
        let _ = writeln!(out, "description = {}", q(d));
    }
    if !m.decisions.is_empty() {
        let _ = writeln!(out, "decisions = {}", list(&m.decisions));
    }
    for f in &m.fields {
        field(out, "models.fields", f);
    }
    for r in &m.rules {
        let _ = write!(out, "\n[[models.rules]]\n{r}");
    }
}

/// Writes the draft. `header` is a comment for the top of the file (where it came from).
pub fn toml(draft: &Draft, header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    let op = &draft.op;
    let mark = |out: &mut String, key: &str| {
        for (k, m) in &op.marks {
            if *k == key {
                let _ = writeln!(out, "# {m}");
            }
        }
    };
    let _ = writeln!(out, "\n[[operations]]");
    mark(&mut out, "id");
    let _ = writeln!(out, "id = {}", q(&op.id));
    mark(&mut out, "title");
    let _ = writeln!(out, "title = {}", q(&op.title));
    mark(&mut out, "doc_id");
    let _ = writeln!(out, "doc_id = {}", q(&op.doc_id));
    mark(&mut out, "updated");
    let _ = writeln!(out, "updated = {}", q(&op.updated));
    mark(&mut out, "description");
    if let Some(d) = &op.description {
        let _ = writeln!(out, "description = {}", q(d));
    }
    let _ = writeln!(out, "method = \"{:?}\"", op.method);
    mark(&mut out, "path");
    let _ = writeln!(out, "path = {}", q(&op.path));
    mark(&mut out, "merchants");
    let _ = writeln!(out, "merchants = {}", list(&op.merchants));
    mark(&mut out, "preconditions");
    let _ = writeln!(out, "preconditions = {}", list(&op.preconditions));
    mark(&mut out, "rate_limit");
    if let Some((n, text)) = &op.rate_limit {
        let _ = writeln!(out, "rate_limit = {{ per_second = {n}, text = {} }}", q(text));
    }
    mark(&mut out, "request_body");
    if let Some(b) = &op.request_body {
        let _ = writeln!(out, "request_body = {}", q(b));
    }
    mark(&mut out, "decisions");
    if !op.decisions.is_empty() {
        let _ = writeln!(out, "decisions = {}", list(&op.decisions));
    }
    mark(&mut out, "headers");
    for (name, required, description) in &op.headers {
        let _ = writeln!(
            out,
            "\n[[operations.headers]]\nname = {}\nrequired = {required}\ndescription = {}",
            q(name),
            q(description)
        );
    }
    for f in &op.path_params {
        field(&mut out, "operations.path_params", f);
    }
    for f in &op.query_params {
        field(&mut out, "operations.query_params", f);
    }
    if let Some([page_size, page_token, next_page_token, items]) = &op.pagination {
        let _ = writeln!(out);
        mark(&mut out, "pagination");
        let _ = writeln!(
            out,
            "[operations.pagination]\npage_size = {}\npage_token = {}\nnext_page_token = {}\nitems = {}",
            q(page_size),
            q(page_token),
            q(next_page_token),
            q(items)
        );
    }
    if let Some(u) = &op.upload {
        let _ = writeln!(out);
        mark(&mut out, "upload");
        let types: Vec<String> = u.media_types.iter().map(|t| q(t)).collect();
        let _ = writeln!(
            out,
            "[operations.upload]\nfile_field = {}\nmeta_field = {}\nmeta = {}\nmax_bytes = {}\nmedia_types = [{}]",
            q(&u.file_field),
            q(&u.meta_field),
            q(&u.meta),
            u.max_bytes,
            types.join(", ")
        );
    }
    mark(&mut out, "responses");
    for (status, body, description) in &op.responses {
        let _ = writeln!(out, "\n[[operations.responses]]\nstatus = {status}");
        if let Some(b) = body {
            let _ = writeln!(out, "body = {}", q(b));
        }
        if let Some(d) = description {
            let _ = writeln!(out, "description = {}", q(d));
        }
    }
    mark(&mut out, "errors");
    for (status, code, description, solution) in &op.errors {
        let _ = writeln!(
            out,
            "\n[[operations.errors]]\nstatus = {status}\ncode = {}\ndescription = {}\nsolution = {}",
            q(code),
            q(description),
            q(solution)
        );
    }
    for e in &op.examples {
        example(&mut out, e);
    }
    if !op.families.is_empty() {
        let _ = writeln!(out);
        mark(&mut out, "families");
    }
    for f in &op.families {
        family(&mut out, f);
    }
    for m in &draft.models {
        model(&mut out, m);
    }
    for e in &draft.enums {
        let _ = writeln!(out);
        marks(&mut out, &e.marks);
        let _ = writeln!(out, "[[enums]]\nname = {}", q(&e.name));
        if let Some(l) = &e.label {
            let _ = writeln!(out, "label = {}", q(l));
        }
        for (v, m) in &e.values {
            let _ = writeln!(out, "\n[[enums.values]]\nvalue = {}\nmeaning = {}", q(v), q(m));
        }
    }
    out
}
