//! `api-spec/openapi.json` is a valid OpenAPI 3.0.3 document (parsed with the `openapiv3`
//! crate, as other tools would) holding every operation, model and enum of the spec, with the
//! details other generators need.

use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};
use std::path::Path;

fn spec_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec")
}

fn parsed(text: &str) -> OpenAPI {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not an OpenAPI 3.0 document: {e}"))
}

#[test]
fn the_committed_document_parses_and_holds_every_operation_model_and_enum() {
    let ir = codegen::load_ir(&spec_dir()).expect("the real spec is valid");
    let text = std::fs::read_to_string(spec_dir().join("openapi.json")).expect("api-spec/openapi.json exists");
    assert_eq!(text, codegen::openapi::openapi_json(&ir), "api-spec/openapi.json is stale: run `cargo xtask openapi`");
    let doc = parsed(&text);
    assert_eq!(doc.openapi, "3.0.3");

    for op in &ir.operations {
        let item = match doc.paths.paths.get(&op.path) {
            Some(ReferenceOr::Item(item)) => item,
            _ => panic!("no path {} for {}", op.path, op.id),
        };
        let operation = match op.method.as_str() {
            "GET" => item.get.as_ref(),
            "POST" => item.post.as_ref(),
            "PUT" => item.put.as_ref(),
            "PATCH" => item.patch.as_ref(),
            "DELETE" => item.delete.as_ref(),
            other => panic!("method {other}"),
        };
        let operation = operation.unwrap_or_else(|| panic!("no {} {} for {}", op.method.as_str(), op.path, op.id));
        assert_eq!(operation.operation_id.as_deref(), Some(op.id.as_str()));
        assert_eq!(operation.summary.as_deref(), Some(op.title.as_str()));
        assert_eq!(operation.parameters.len(), op.path_params.len() + op.query_params.len(), "{}", op.id);
        assert_eq!(operation.request_body.is_some(), op.request_body.is_some() || op.upload.is_some(), "{}", op.id);
        for e in &op.errors {
            let status = openapiv3::StatusCode::Code(e.status);
            let Some(ReferenceOr::Item(response)) = operation.responses.responses.get(&status) else {
                panic!("{}: no {} response", op.id, e.status)
            };
            assert!(response.description.contains(&e.code), "{}: {} lists {}", op.id, e.status, e.code);
        }
    }
    let count: usize = doc.paths.paths.values().filter_map(|p| p.as_item()).map(|p| p.iter().count()).sum();
    let family_ops: usize = ir.secondary_families().map(|f| f.operations.len()).sum();
    assert_eq!(count, ir.operations.len() + family_ops, "no extra operations");
    // The brand family's operations: their own paths, ids, scheme, and schemas without brand_id.
    for family in ir.secondary_families() {
        let module = family.module.as_deref().expect("a secondary family has a module");
        for op in &family.operations {
            let Some(ReferenceOr::Item(item)) = doc.paths.paths.get(&op.path) else { panic!("no path {}", op.path) };
            let found = item.iter().find(|(m, _)| m.eq_ignore_ascii_case(op.method.as_str())).map(|(_, o)| o);
            let operation = found.unwrap_or_else(|| panic!("no {} {}", op.method.as_str(), op.path));
            assert_eq!(operation.operation_id, Some(format!("{module}_{}", op.id)));
            assert_eq!(
                operation.security.as_ref().map(|s| s[0].keys().cloned().collect::<Vec<_>>()),
                Some(vec![format!("WechatPaySignature_{module}")])
            );
            assert!(
                operation
                    .parameters
                    .iter()
                    .all(|p| p.as_item().is_none_or(|p| p.parameter_data_ref().name != "brand_id")),
                "{}",
                op.id
            );
        }
    }

    let components = doc.components.as_ref().expect("components");
    for name in ir.models.keys().chain(ir.enums.keys()) {
        assert!(components.schemas.contains_key(name), "schema {name} is missing");
    }
    assert!(components.security_schemes.contains_key("WechatPaySignature"));
    for key in ir.families.iter().flat_map(|f| f.variants.keys()) {
        let name = key.replace("::", ".");
        let Some(ReferenceOr::Item(schema)) = components.schemas.get(&name) else { panic!("schema {name} is missing") };
        let SchemaKind::Type(Type::Object(o)) = &schema.schema_kind else { panic!("{name} is an object") };
        assert!(!o.properties.contains_key("brand_id"), "{name}");
    }
}

#[test]
fn schemas_carry_required_lists_constraints_enum_meanings_and_labels() {
    let ir = codegen::load_ir(&spec_dir()).expect("the real spec is valid");
    let doc = parsed(&codegen::openapi::openapi_json(&ir));
    let schemas = &doc.components.as_ref().expect("components").schemas;
    let object = |name: &str| match schemas.get(name) {
        Some(ReferenceOr::Item(s)) => match &s.schema_kind {
            SchemaKind::Type(Type::Object(o)) => (s.schema_data.clone(), o.clone()),
            other => panic!("{name} is not an object: {other:?}"),
        },
        _ => panic!("no schema {name}"),
    };

    let (_, request) = object("CreateStockBundleRequest");
    assert_eq!(request.required, vec!["out_request_no", "stock_bundle", "brand_id"]);
    let Some(ReferenceOr::Item(out_request_no)) = request.properties.get("out_request_no") else { panic!() };
    assert!(out_request_no.schema_data.description.as_deref().is_some_and(|d| d.starts_with("【创建请求单号】")));
    let SchemaKind::Type(Type::String(s)) = &out_request_no.schema_kind else { panic!("a string") };
    assert_eq!((s.min_length, s.max_length), (Some(6), Some(40)));
    assert_eq!(s.pattern.as_deref(), Some("^[0-9A-Za-z_\\-]*$"));

    let Some(ReferenceOr::Item(mode)) = schemas.get("UsageMode") else { panic!("no UsageMode") };
    let SchemaKind::Type(Type::String(values)) = &mode.schema_kind else { panic!("a string enum") };
    let usage_mode = &ir.enums["UsageMode"];
    assert_eq!(values.enumeration.len(), usage_mode.values.len());
    let description = mode.schema_data.description.as_deref().unwrap_or_default();
    for v in &usage_mode.values {
        assert!(description.contains(&format!("`{}`: {}", v.wire, v.meaning)), "{description}");
    }
}

#[test]
fn operations_carry_examples_errors_and_the_rate_limit() {
    let ir = codegen::load_ir(&spec_dir()).expect("the real spec is valid");
    let doc = parsed(&codegen::openapi::openapi_json(&ir));
    let op = ir.operations.iter().find(|o| o.id == "create_stock_bundle").expect("create_stock_bundle");
    let Some(ReferenceOr::Item(item)) = doc.paths.paths.get(&op.path) else { panic!() };
    let post = item.post.as_ref().expect("POST");
    let Some(ReferenceOr::Item(body)) = &post.request_body else { panic!("a request body") };
    let media = &body.content["application/json"];
    assert!(!media.examples.is_empty(), "the doc's request example is there");
    assert_eq!(post.extensions["x-wechatpay-rate-limit"]["per_second"], 20);
    assert!(post.external_docs.as_ref().is_some_and(|d| d.url.ends_with("/4016280622")));
    assert!(post.responses.responses.contains_key(&openapiv3::StatusCode::Code(429)));
}

#[test]
fn the_document_is_deterministic() {
    let ir = codegen::load_ir(&spec_dir()).expect("the real spec is valid");
    assert_eq!(codegen::openapi::openapi_json(&ir), codegen::openapi::openapi_json(&ir));
}
