//! The sandbox plays the documented server against WeChat Pay's own example code: every request
//! the official Go and Java examples of both families send (the spec's `[[official_examples]]`,
//! as the generated fixtures hold them) is sent by the client; the sandbox refuses one at
//! validation only for a rule the spec marks disputed, and then says so; never for a field the
//! spec does not know, and never for its signature.

use std::path::Path;

use serde_json::Value;
use wechatpay_product_coupon::runtime::upload::UploadFile;
use wechatpay_product_coupon::{Error, RetryPolicy, brand, requests};
use wechatpay_sandbox::Sandbox;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../generated-client/tests/fixtures/official");

/// A one-pixel PNG for the upload examples (their programs send a placeholder file).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8,
    6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1,
    0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn examples() -> Vec<Value> {
    let mut paths: Vec<_> = std::fs::read_dir(Path::new(FIXTURES))
        .expect("the generated official fixtures")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect()
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn official_examples_are_refused_only_for_disputed_rules_and_never_for_unknown_fields_or_signatures() {
    let sandbox = Sandbox::builder().rate_limit(false).start().await.unwrap();
    let partner = sandbox.client_builder().retry_policy(RetryPolicy::none()).client_rate_limit(false).build().unwrap();
    let brand_client =
        sandbox.brand_client_builder().retry_policy(RetryPolicy::none()).client_rate_limit(false).build().unwrap();
    let (mut sent, mut refused_as_disputed) = (0, 0);
    for ex in examples() {
        if !ex["not_runnable"].is_null() {
            continue;
        }
        let id = ex["id"].as_str().unwrap();
        let operation = ex["operation"].as_str().unwrap();
        let (path, query) = (pairs(&ex["path_params"]), pairs(&ex["query"]));
        let path: Vec<(&str, &str)> = path.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let body = (!ex["body"].is_null()).then(|| serde_json::to_vec(&ex["body"]).unwrap());
        let file = UploadFile::new("example.png", "image/png", PNG);
        let result = if ex["family"] == "brand" {
            let mut r = brand::requests::OperationRequest::parse(operation, &path, &query, body.as_deref()).unwrap();
            r.set_file(file);
            r.send(&brand_client).await.map(drop)
        } else {
            let mut r = requests::OperationRequest::parse(operation, &path, &query, body.as_deref()).unwrap();
            r.set_file(file);
            r.send(&partner).await.map(drop)
        };
        sent += 1;
        let disputed: Vec<&str> = ex["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w[0].as_str())
            .filter(|w| *w != "unknown-field")
            .collect();
        let api = match &result {
            Ok(()) => {
                assert!(disputed.is_empty(), "{id}: the sandbox accepted a request breaking disputed {disputed:?}");
                continue;
            }
            Err(Error::Api(api)) => api,
            Err(other) => panic!("{id}: not an API answer: {other}"),
        };
        assert_ne!(api.status, 401, "{id}: refused for its signature: {}", api.message);
        let violations = api.detail.as_ref().and_then(|d| d.get("violations")).and_then(Value::as_array);
        match violations {
            // Refused at validation: only for disputed rules, each saying so.
            Some(violations) => {
                assert!(!disputed.is_empty(), "{id}: refused at validation without a disputed fact: {}", api.message);
                for v in violations {
                    let rule = v["disputed"]["rule"].as_str();
                    assert!(rule.is_some_and(|r| disputed.contains(&r)), "{id}: refused for an undisputed rule: {v}");
                    assert!(v["disputed"]["by"].as_str().is_some_and(|by| by.contains("WeChat Pay")), "{id}: {v}");
                }
                assert!(api.message.contains("disputed rule"), "{id}: the message says it: {}", api.message);
                refused_as_disputed += 1;
            }
            // Past validation: a business answer (an unknown coupon, say), never about unknown fields.
            None => {
                assert!(disputed.is_empty(), "{id}: a disputed fact passed validation: {}", api.message);
                assert!(!api.message.contains("not a field of the spec"), "{id}: {}", api.message);
            }
        }
    }
    assert!(sent >= 150, "every runnable official example was sent ({sent})");
    assert!(refused_as_disputed >= 20, "the disputed ones were refused, saying so ({refused_as_disputed})");
    sandbox.shutdown().await;
}
