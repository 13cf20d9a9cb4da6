//! The spec as an OpenAPI 3.0.3 document (`api-spec/openapi.json`), for other languages'
//! generators and API tools: paths, parameters, request and response schemas (required lists,
//! lengths, ranges, patterns, enums with their meanings, the Chinese labels), the error
//! responses, the doc examples, and the request signature as a security scheme.
//!
//! What OpenAPI has no word for travels in `x-wechatpay-*` extensions: cross-field rules, rate
//! limits, pagination, notifications. Keys come out sorted (serde_json's map), so the document
//! is deterministic.

use crate::ir::{ExampleIr, FieldIr, Ir, ModelIr, OperationIr, TypeIr};
use crate::spec::{ExampleKind, Presence};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Name of the schema of WeChat Pay's error body (`code`, `message`, `detail`).
const ERROR_SCHEMA: &str = "WechatPayError";
/// Name of the security scheme.
const SECURITY: &str = "WechatPaySignature";

/// The document, pretty-printed with a trailing newline.
pub fn openapi_json(ir: &Ir) -> String {
    let mut text = serde_json::to_string_pretty(&document(ir)).unwrap_or_default();
    text.push('\n');
    text
}

/// The document as JSON.
pub fn document(ir: &Ir) -> Value {
    // Every error answer has the same body; its schema gets a name no spec type has.
    let mut error_name = ERROR_SCHEMA.to_owned();
    while ir.models.contains_key(&error_name) || ir.enums.contains_key(&error_name) {
        error_name.push('_');
    }
    let mut paths = Map::new();
    for op in &ir.operations {
        let methods = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
        methods[op.method.as_str().to_lowercase()] = operation(op, &error_name);
    }
    // Secondary families: their own paths, operation ids prefixed with the family's module,
    // their security scheme, and their model variants as `module.Name` schemas.
    let mut family_schemes = Map::new();
    for family in ir.secondary_families() {
        let Some(module) = family.module.as_deref() else { continue };
        let scheme = format!("{SECURITY}_{module}");
        family_schemes.insert(scheme.clone(), family_security_scheme(family));
        for op in &family.operations {
            let methods = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
            let mut v = operation(op, &error_name);
            v["operationId"] = json!(format!("{module}_{}", op.id));
            v["tags"] = json!([family.title]);
            v["security"] = json!([{ scheme.clone(): [] }]);
            methods[op.method.as_str().to_lowercase()] = v;
        }
    }
    let mut schemas = Map::new();
    for m in ir.models.values().chain(ir.families.iter().flat_map(|f| f.variants.values())) {
        schemas.insert(schema_name(&m.name), model(m));
    }
    for e in ir.enums.values() {
        let meanings: Vec<String> = e.values.iter().map(|v| format!("- `{}`: {}", v.wire, v.meaning)).collect();
        let head = labelled(e.label.as_deref(), e.description.as_deref());
        let description = join_paragraphs(&[head, meanings.join("\n")]);
        schemas.insert(
            e.name.clone(),
            json!({
                "type": "string",
                "description": description,
                "enum": e.values.iter().map(|v| v.wire.as_str()).collect::<Vec<_>>(),
                "x-enum-varnames": e.values.iter().map(|v| v.variant.as_str()).collect::<Vec<_>>(),
                "x-enum-descriptions": e.values.iter().map(|v| v.meaning.as_str()).collect::<Vec<_>>(),
            }),
        );
    }
    schemas.insert(
        error_name.clone(),
        json!({
            "type": "object",
            "description": "WeChat Pay's error body for every non-2xx answer.",
            "required": ["code", "message"],
            "properties": {
                "code": { "type": "string", "description": "错误码, e.g. `PARAM_ERROR`." },
                "message": { "type": "string", "description": "错误描述." },
                "detail": { "type": "object", "description": "Details, e.g. the field at fault." }
            }
        }),
    );

    let family_notifications = ir.secondary_families().flat_map(|f| f.notifications.iter().map(move |n| (Some(f), n)));
    let notifications: Map<String, Value> = ir
        .notifications
        .iter()
        .map(|n| (None, n))
        .chain(family_notifications)
        .map(|(family, n)| {
            let mut v = json!({
                "name": n.name,
                "title": n.title,
                "resource": { "$ref": schema_ref(&n.resource) },
            });
            if let Some(url) = &n.doc_url {
                v["externalDocs"] = json!({ "url": url });
            }
            if let Some(f) = family {
                v["family"] = json!(f.title);
            }
            if let Some(summary) = &n.summary {
                v["summary"] = json!(summary);
            }
            if let Some(t) = &n.original_type {
                v["original_type"] = json!(t);
            }
            if let Some(d) = &n.description {
                v["description"] = json!(d);
            }
            (n.event_type.clone(), v)
        })
        .collect();

    let version = ir.operations.iter().map(|o| o.updated.as_str()).max().unwrap_or("0");
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": ir.service.title,
            "version": version,
            "description": "Generated by `cargo xtask openapi` from the machine-readable spec (`api-spec/*.toml`) \
                transcribed from the WeChat Pay APIv3 documentation; do not edit. `info.version` is the newest \
                更新时间 of the documented pages. Cross-field rules, 频率限制, pagination and event notifications \
                are in `x-wechatpay-*` extensions.",
        },
        "servers": [
            { "url": ir.service.primary_base_url, "description": "主域名" },
            { "url": ir.service.backup_base_url, "description": "备域名: used when the primary cannot be reached" },
        ],
        "security": [ { SECURITY: [] } ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": security_schemes(family_schemes),
        },
        "x-wechatpay-notifications": notifications,
    })
}

/// A schema's name: a model's, or for a family's variant `brand::X` the `brand.X` OpenAPI allows.
fn schema_name(key: &str) -> String {
    key.replace("::", ".")
}

fn schema_ref(name: &str) -> String {
    format!("#/components/schemas/{}", schema_name(name))
}

fn security_schemes(families: Map<String, Value>) -> Value {
    let mut all = Map::new();
    all.insert(SECURITY.to_owned(), security_scheme());
    all.extend(families);
    Value::Object(all)
}

/// A secondary family's request signature.
fn family_security_scheme(family: &crate::ir::FamilyIr) -> Value {
    let serial = if family.wechatpay_serial_required {
        " `Wechatpay-Serial` (the WeChat Pay public key id) is required."
    } else {
        ""
    };
    json!({
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": format!(
            "{} request signature ({}): the same signed message as `{SECURITY}`, sent as `Authorization: {} ...`.{serial} \
             Responses are verified with the WeChat Pay public key.",
            family.auth_scheme, family.title, family.auth_scheme
        ),
    })
}

/// The request signature, described as an API-key header (OpenAPI 3.0 has no scheme for
/// request signing; the description says how to compute it).
fn security_scheme() -> Value {
    json!({
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "WECHATPAY2-SHA256-RSA2048 request signature. Sign the message \
            `METHOD\\nCANONICAL_URL\\nTIMESTAMP\\nNONCE\\nBODY\\n` (CANONICAL_URL: path and `?query` exactly as sent; \
            BODY: the exact bytes sent, empty for a GET; for a file upload, the JSON `meta` part) with the merchant's \
            API private key, RSASSA-PKCS1-v1_5 with SHA-256, Base64. Send \
            `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"...\",nonce_str=\"...\",signature=\"...\",timestamp=\"...\",serial_no=\"...\"` \
            (serial_no: the merchant API certificate's serial number) and `Wechatpay-Serial` naming the WeChat Pay \
            public key or platform certificate. Responses and notifications are signed the same way over \
            `TIMESTAMP\\nNONCE\\nBODY\\n` in the `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature` and \
            `Wechatpay-Serial` headers; verify them with the WeChat Pay public key before parsing the body.",
    })
}

fn operation(op: &OperationIr, error_schema: &str) -> Value {
    let mut description = vec![op.description.clone().unwrap_or_default()];
    if let Some(limit) = &op.rate_limit {
        description.push(format!("频率限制: {}", limit.text));
    }
    if !op.merchants.is_empty() {
        description.push(format!("支持商户: {}", op.merchants.join(", ")));
    }
    if !op.preconditions.is_empty() {
        description.push(format!("前置条件: {}", op.preconditions.join("; ")));
    }
    if !op.updated.is_empty() {
        description.push(format!("更新时间 {}", op.updated));
    }
    if op.family.secondary {
        description.push(format!("{} (signed {})", op.family.title, op.family.auth_scheme));
    }
    let mut v = json!({
        "operationId": op.id,
        "summary": op.title,
        "description": join_paragraphs(&description),
        "responses": responses(op, error_schema),
    });
    let params: Vec<Value> = op
        .path_params
        .iter()
        .map(|p| parameter(p, "path"))
        .chain(op.query_params.iter().map(|p| parameter(p, "query")))
        .collect();
    if let Some(url) = &op.family.doc_url {
        v["externalDocs"] = json!({ "url": url });
    }
    if !params.is_empty() {
        v["parameters"] = Value::Array(params);
    }
    if let Some(body) = &op.request_body {
        let mut media = json!({ "schema": { "$ref": schema_ref(body) } });
        add_examples(&mut media, &op.examples, ExampleKind::Request, None);
        v["requestBody"] = json!({ "required": true, "content": { "application/json": media } });
    } else if let Some(upload) = &op.upload {
        let mut properties = Map::new();
        properties.insert(
            upload.file_field.clone(),
            json!({
                "type": "string",
                "format": "binary",
                "description": format!("at most {} bytes; {}", upload.max_bytes, upload.media_types.join(", ")),
            }),
        );
        properties.insert(upload.meta_field.clone(), json!({ "$ref": schema_ref(&upload.meta) }));
        v["requestBody"] = json!({
            "required": true,
            "content": { "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [upload.file_field, upload.meta_field],
                    "properties": properties,
                },
                "encoding": { upload.meta_field.clone(): { "contentType": "application/json" } },
            } },
        });
        v["x-wechatpay-upload"] = json!({
            "max_bytes": upload.max_bytes,
            "media_types": upload.media_types,
            "signed_part": upload.meta_field,
        });
    }
    if let Some(limit) = &op.rate_limit {
        v["x-wechatpay-rate-limit"] = json!({ "per_second": limit.per_second, "text": limit.text });
    }
    if let Some(p) = &op.pagination {
        v["x-wechatpay-pagination"] = json!({
            "page_size": p.page_size,
            "page_token": p.page_token,
            "next_page_token": p.next_page_token.rust.to_string(),
            "items": p.items.rust.to_string(),
        });
    }
    v
}

fn responses(op: &OperationIr, error_schema: &str) -> Value {
    let mut out = Map::new();
    // The one place that reads the success response's shape.
    if let Some(response) = &op.response {
        let status = &response.status;
        let mut r = json!({ "description": "成功" });
        if let Some(model) = &response.body {
            let mut media = json!({ "schema": { "$ref": schema_ref(model) } });
            add_examples(&mut media, &op.examples, ExampleKind::Response, Some(*status));
            r["content"] = json!({ "application/json": media });
        }
        out.insert(status.to_string(), r);
    }
    let mut by_status: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    for e in &op.errors {
        by_status.entry(e.status).or_default().push(format!("- `{}`: {} ({})", e.code, e.description, e.solution));
    }
    for (status, rows) in by_status {
        out.insert(
            status.to_string(),
            json!({
                "description": rows.join("\n"),
                "content": { "application/json": { "schema": { "$ref": schema_ref(error_schema) } } },
            }),
        );
    }
    Value::Object(out)
}

/// The doc examples of one kind as `examples` of a media type, keyed by their title.
fn add_examples(media: &mut Value, examples: &[ExampleIr], kind: ExampleKind, status: Option<u16>) {
    let mut out = Map::new();
    for e in
        examples.iter().filter(|e| e.kind == kind && (status.is_none() || e.status.is_none() || e.status == status))
    {
        let Ok(value) = serde_json::from_str::<Value>(&e.json) else { continue };
        let mut key = e.title.clone();
        while out.contains_key(&key) {
            key.push('_');
        }
        out.insert(key, json!({ "summary": e.title, "description": format!("Source: {}", e.source), "value": value }));
    }
    if !out.is_empty() {
        media["examples"] = Value::Object(out);
    }
}

fn parameter(p: &FieldIr, location: &str) -> Value {
    let mut schema = field_schema(p);
    let description = schema.as_object_mut().and_then(|s| s.remove("description"));
    let mut v = json!({
        "name": p.wire,
        "in": location,
        // Path parameters are always required in OpenAPI.
        "required": location == "path" || p.presence == Presence::Required,
        "schema": schema,
    });
    if let Some(d) = description {
        v["description"] = d;
    }
    if let Some(example) = &p.example {
        v["example"] = example.clone();
    }
    v
}

fn model(m: &ModelIr) -> Value {
    let mut properties = Map::new();
    for f in &m.fields {
        let mut schema = field_schema(f);
        if let Some(example) = &f.example {
            schema["example"] = example.clone();
        }
        properties.insert(f.wire.clone(), schema);
    }
    let required: Vec<&str> =
        m.fields.iter().filter(|f| f.presence == Presence::Required).map(|f| f.wire.as_str()).collect();
    let mut paragraphs = vec![labelled(m.label.as_deref(), m.description.as_deref())];
    if !m.rules.is_empty() {
        let rules: Vec<String> = m.rules.iter().map(|r| format!("- {}", r.description)).collect();
        paragraphs.push(format!("Rules:\n{}", rules.join("\n")));
    }
    let mut v = json!({ "type": "object", "properties": properties });
    let description = join_paragraphs(&paragraphs);
    if !description.is_empty() {
        v["description"] = json!(description);
    }
    if !required.is_empty() {
        v["required"] = json!(required);
    }
    if !m.rules.is_empty() {
        let rules: Vec<Value> = m
            .rules
            .iter()
            .map(|r| json!({ "description": r.description, "rule": crate::diff::rule_text(r) }))
            .collect();
        v["x-wechatpay-rules"] = Value::Array(rules);
    }
    v
}

/// A field's schema: type, constraints and description (`【label】description`).
fn field_schema(f: &FieldIr) -> Value {
    let mut v = type_schema(&f.ty);
    let c = &f.constraints;
    let target = match &mut v {
        // Array constraints on the array, the others on its items.
        Value::Object(o) if o.get("type") == Some(&json!("array")) => {
            if let Some(n) = c.min_items {
                o.insert("minItems".into(), json!(n));
            }
            if let Some(n) = c.max_items {
                o.insert("maxItems".into(), json!(n));
            }
            o.get_mut("items")
        }
        other => Some(other),
    };
    if let Some(Value::Object(t)) = target {
        if !t.contains_key("$ref") {
            if let Some(n) = c.min_length {
                t.insert("minLength".into(), json!(n));
            }
            if let Some(n) = c.max_length {
                t.insert("maxLength".into(), json!(n));
            }
            if let Some(charset) = &c.charset {
                t.insert("pattern".into(), json!(pattern(&charset.ranges)));
            }
            if let Some(n) = c.min {
                t.insert("minimum".into(), json!(n));
            }
            if let Some(n) = c.max {
                t.insert("maximum".into(), json!(n));
            }
        }
    }
    let mut paragraphs = vec![labelled(Some(&f.label), f.description.as_deref())];
    if f.ty == TypeIr::Amount {
        paragraphs.push("金额，单位为分 (an amount in fen, 1/100 yuan).".to_owned());
    }
    if f.presence == Presence::Conditional {
        paragraphs.push(format!("条件必填: {}", f.condition.as_deref().unwrap_or("see the model's rules")));
    }
    let description = join_paragraphs(&paragraphs);
    // In 3.0 siblings of `$ref` are ignored, so a described reference is wrapped in `allOf`.
    if let Some(r) = v.get("$ref").cloned() {
        return json!({ "allOf": [ { "$ref": r } ], "description": description });
    }
    v["description"] = json!(description);
    v
}

fn type_schema(ty: &TypeIr) -> Value {
    match ty {
        TypeIr::String => json!({ "type": "string" }),
        TypeIr::Integer | TypeIr::Amount => json!({ "type": "integer", "format": "int64" }),
        TypeIr::Boolean => json!({ "type": "boolean" }),
        TypeIr::DateTime => json!({ "type": "string", "format": "date-time" }),
        TypeIr::Model(name) | TypeIr::Enum(name) => json!({ "$ref": schema_ref(name) }),
        TypeIr::Array(inner) => json!({ "type": "array", "items": type_schema(inner) }),
        // Sources disagree on the shape; every documented one is accepted.
        TypeIr::Alternatives(alt) => {
            let shapes: Vec<Value> = std::iter::once(json!({ "$ref": schema_ref(&alt.model) }))
                .chain(alt.others.iter().map(type_schema))
                .collect();
            json!({ "oneOf": shapes })
        }
    }
}

/// `^[...]*$` for the spec's character ranges, each character escaped where a regex class needs it.
fn pattern(ranges: &[(char, char)]) -> String {
    let escape = |c: char| match c {
        '\\' | ']' | '[' | '^' | '-' => format!("\\{c}"),
        c if c.is_ascii_graphic() || c == ' ' => c.to_string(),
        c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
        c => c.to_string(),
    };
    let class: String = ranges
        .iter()
        .map(|(lo, hi)| if lo == hi { escape(*lo) } else { format!("{}-{}", escape(*lo), escape(*hi)) })
        .collect();
    format!("^[{class}]*$")
}

fn labelled(label: Option<&str>, description: Option<&str>) -> String {
    match (label, description) {
        (Some(l), Some(d)) => format!("【{l}】{d}"),
        (Some(l), None) => format!("【{l}】"),
        (None, Some(d)) => d.to_owned(),
        (None, None) => String::new(),
    }
}

fn join_paragraphs(parts: &[String]) -> String {
    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n")
}
