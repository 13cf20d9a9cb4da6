//! Generated docs are for users: labels, meanings, constraints, examples, errors, rate limits.
//! How a fact was transcribed (a field's or model's `decision`, an example's `source`, "reference
//! §" citations) is for maintainers and stays in the spec.

mod support;

use codegen::GeneratedFile;
use codegen::ir::{Ir, TypeIr};
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen/ is in the workspace").to_path_buf()
}

/// Every maintainer's note of the spec: model and field decisions, the decisions of fields of
/// several shapes, and example sources.
fn notes(ir: &Ir) -> Vec<String> {
    let mut notes = Vec::new();
    for m in ir.models.values() {
        notes.extend(m.decisions.iter().cloned());
        for f in &m.fields {
            notes.extend(f.decision.iter().cloned());
            if let TypeIr::Alternatives(alt) = &f.ty {
                notes.extend(alt.decision.iter().cloned());
            }
        }
    }
    for op in &ir.operations {
        for p in op.path_params.iter().chain(&op.query_params) {
            notes.extend(p.decision.iter().cloned());
        }
        notes.extend(op.examples.iter().map(|e| e.source.clone()));
    }
    notes.extend(ir.notifications.iter().flat_map(|n| n.examples.iter().map(|e| e.source.clone())));
    notes.retain(|n| !n.trim().is_empty());
    notes
}

/// The first note found in a file, with the file's path.
fn provenance_in(files: &[(String, String)], notes: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files {
        for marker in ["reference §", "Source note", "source note"] {
            if text.contains(marker) {
                found.push(format!("{path}: {marker:?}"));
            }
        }
        for note in notes {
            if text.contains(note.as_str()) {
                found.push(format!("{path}: the note {note:?}"));
            }
        }
    }
    found
}

fn rust_files(out: &[GeneratedFile]) -> Vec<(String, String)> {
    out.iter()
        .filter(|f| f.path.ends_with(".rs"))
        .map(|f| (format!("{}/{}", f.crate_dir, f.path), f.contents.clone()))
        .collect()
}

#[test]
fn generated_sources_of_the_real_spec_carry_no_transcription_notes() {
    let dir = workspace_root().join("api-spec");
    let ir = codegen::load_ir(&dir).unwrap_or_else(|d| panic!("the real spec is valid:\n{d}"));
    let notes = notes(&ir);
    assert!(notes.len() > 20, "the real spec has many notes; found {}", notes.len());
    let out = codegen::generate(&dir).unwrap_or_else(|d| panic!("the real spec generates:\n{d}"));
    let found = provenance_in(&rust_files(&out), &notes);
    assert!(found.is_empty(), "provenance in generated code:\n{}", found.join("\n"));

    // And in the committed files `cargo doc` reads (`cargo xtask codegen --check` keeps them
    // equal to the generator's output; this also holds while they are stale).
    let mut committed = Vec::new();
    // The family modules (`brand/`) are directories of their own.
    let mut dirs = vec![workspace_root().join("generated-client/src/generated")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("generated dir") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                committed.push((path.display().to_string(), std::fs::read_to_string(&path).expect("a text file")));
            }
        }
    }
    let cli = workspace_root().join("cli/src/generated.rs");
    committed.push((cli.display().to_string(), std::fs::read_to_string(&cli).expect("the CLI table")));
    let found = provenance_in(&committed, &notes);
    assert!(found.is_empty(), "provenance in committed generated code:\n{}", found.join("\n"));
}

const NOTED: &str = r#"[[models]]
name = "Coupon"
label = "商品券"
description = "A coupon as the user sees it."
decisions = ["MODEL-NOTE: fields merged from reference §3 and the third-party tree."]

[[models.fields]]
name = "coupon_id"
type = "string"
presence = "required"
label = "券ID"
description = "The coupon's id."
max_length = 32
example = "1000001"
decision = "FIELD-NOTE: length from reference §4."

[[operations]]
id = "create_coupon"
title = "创建券"
doc_id = "1"
updated = "2025.01.01"
method = "POST"
path = "/v3/coupons"
request_body = "Coupon"
rate_limit = { per_second = 20, text = "20次/秒" }

[[operations.examples]]
kind = "request"
format = "json"
title = "请求示例"
source = "EXAMPLE-SOURCE: page 1, copied 2025.01.01"
text = '''
{"coupon_id": "1000001"}
'''

[[operations.responses]]
status = 204

[[operations.errors]]
status = 400
code = "PARAM_ERROR"
description = "参数错误"
solution = "检查参数"
"#;

#[test]
fn notes_stay_out_and_user_facts_stay_in() {
    let out = support::generate(&[("coupon.toml", NOTED)]);
    let files = rust_files(&out);
    let all: String = files.iter().map(|(_, text)| text.as_str()).collect();
    for note in ["MODEL-NOTE", "FIELD-NOTE", "EXAMPLE-SOURCE", "reference §"] {
        assert!(!all.contains(note), "{note} is in the generated code");
    }
    for fact in [
        "【商品券】",
        "A coupon as the user sees it.",
        "【券ID】",
        "The coupon's id.",
        "at most 32 characters",
        "`\"1000001\"`",
        "20次/秒",
        "PARAM_ERROR",
        "参数错误",
        "请求示例",
    ] {
        assert!(all.contains(fact), "{fact} is missing from the generated code");
    }
}

#[test]
fn request_facts_come_from_the_spec() {
    let ir = codegen::load_ir(&workspace_root().join("api-spec")).unwrap_or_else(|d| panic!("valid:\n{d}"));
    let op = |id: &str| ir.operations.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("no {id}"));
    use codegen::ir::BrandParam;
    assert_eq!(op("create_product_coupon").idempotency_key.as_deref(), Some("out_request_no"));
    assert_eq!(op("create_product_coupon").brand_param, Some(BrandParam::Body("brand_id".to_owned())));
    assert_eq!(op("get_stock").idempotency_key, None);
    assert_eq!(op("send_coupon").idempotency_key.as_deref(), Some("send_request_no"));
    assert_eq!(op("create_image_generation_task").idempotency_key.as_deref(), Some("task_id"));
    assert_eq!(op("get_stock").brand_param, Some(BrandParam::Query("brand_id".to_owned())));
    let out = codegen::generate(&workspace_root().join("api-spec")).unwrap_or_else(|d| panic!("generates:\n{d}"));
    let requests: String = support::file(&out, "src/generated/requests.rs").split_whitespace().collect();
    assert!(
        requests.contains(
            "operation_id:\"create_product_coupon\",idempotency_key:::core::option::Option::Some(\"out_request_no\"),\
             brand_param:::core::option::Option::Some(BrandParam::Body(\"brand_id\"))"
        ),
        "REQUEST_FACTS of create_product_coupon"
    );
}

/// The published client carries only what a client uses: the handler trait and the dispatch of
/// a request to it are generated into the sandbox, naming the client's types by crate name.
#[test]
fn server_side_is_generated_into_the_sandbox_not_the_client() {
    let out = codegen::generate(&workspace_root().join("api-spec")).unwrap_or_else(|d| panic!("generates:\n{d}"));
    for f in out.iter().filter(|f| f.crate_dir == codegen::emit::CLIENT) {
        assert!(!f.contents.contains("OperationHandler"), "{} has server-side code", f.path);
    }
    let handler = out
        .iter()
        .find(|f| f.crate_dir == codegen::emit::SANDBOX && f.path == "src/generated/handler.rs")
        .expect("the sandbox's handler file is generated");
    assert!(handler.contents.contains("pub trait OperationHandler"));
    assert!(handler.contents.contains("fn create_product_coupon("), "handler methods are named like operations");
    assert!(handler.contents.contains("wechatpay_product_coupon::generated::requests"));
    // `$crate::` is the sandbox's own path inside the generated `forward_operations!` macro.
    let client_paths = handler.contents.replace("$crate::", "");
    assert!(!client_paths.contains("crate::"), "client paths are named through the client crate");
    for piece in
        ["pub fn request_key(", "pub fn canonical_request(", "pub fn replay(", "macro_rules! forward_operations"]
    {
        assert!(handler.contents.contains(piece), "the handler file has {piece}");
    }
}
