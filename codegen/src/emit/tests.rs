//! Doc-example fixtures (`tests/fixtures/*.json`) and the tests that round-trip each of them
//! through the generated models and hold each request example to the generated validation
//! (`tests/doc_examples.rs`).

use super::types;
use crate::ir::Ir;
use crate::spec::ExampleKind;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub enum Contents {
    Rust(TokenStream),
    Text(String),
}

pub fn emit(ir: &Ir) -> Vec<(String, Contents)> {
    let mut files = Vec::new();
    let mut tests = Vec::new();
    let (mut any_valid, mut any_invalid) = (false, false);
    for op in &ir.operations {
        for (n, ex) in op.examples.iter().enumerate() {
            let kind = match ex.kind {
                ExampleKind::Request => "request",
                ExampleKind::Response => "response",
            };
            let stem = format!("{}.{kind}.{}", op.id, n + 1);
            let mut json = ex.json.trim().to_owned();
            json.push('\n');
            files.push((format!("tests/fixtures/{stem}.json"), Contents::Text(json)));
            let Some(model) = &ex.model else { continue };
            let test = format_ident!("{}_{kind}_example_{}_round_trips", op.id, n + 1);
            let ty = types::ident(model);
            let fixture = format!("fixtures/{stem}.json");
            // The example's source (page and date) is a maintainer's note: it stays in the spec.
            let doc = format!("{} — {}", op.title, ex.title);
            tests.push(quote! {
                #[doc = #doc]
                #[test]
                fn #test() {
                    assert_round_trip::<models::#ty>(include_str!(#fixture));
                }
            });
            if ex.kind == ExampleKind::Request {
                // The same verdict `cargo xtask check` reached with its JSON interpreter, now from
                // the generated `Validate`: the two implementations check each other.
                let check = match &ex.expect_invalid {
                    None => {
                        any_valid = true;
                        let test = format_ident!("{}_request_example_{}_passes_validation", op.id, n + 1);
                        quote! {
                            #[doc = #doc]
                            #[test]
                            fn #test() {
                                assert_valid::<models::#ty>(include_str!(#fixture));
                            }
                        }
                    }
                    Some(why) => {
                        any_invalid = true;
                        let test = format_ident!("{}_request_example_{}_is_invalid_as_marked", op.id, n + 1);
                        let doc = format!("{doc}\n\nMarked `expect_invalid`: {why}");
                        quote! {
                            #[doc = #doc]
                            #[test]
                            fn #test() {
                                assert_invalid::<models::#ty>(include_str!(#fixture));
                            }
                        }
                    }
                };
                tests.push(check);
            }
        }
    }
    // Helpers only where a test uses them, so the generated file has no dead code.
    let valid_helper = any_valid.then(|| {
        quote! {
            fn assert_valid<T: ::serde::de::DeserializeOwned + wechatpay_product_coupon::Validate>(json: &str) {
                let typed: T = ::serde_json::from_str(json).expect("the round-trip test covers decoding");
                let broken = spec_violations(&typed);
                assert!(broken.is_empty(), "the doc example breaks the spec's validation: {broken:?}");
            }
        }
    });
    let invalid_helper = any_invalid.then(|| {
        quote! {
            fn assert_invalid<T: ::serde::de::DeserializeOwned + wechatpay_product_coupon::Validate>(json: &str) {
                let typed: T = ::serde_json::from_str(json).expect("the round-trip test covers decoding");
                assert!(!spec_violations(&typed).is_empty(), "the example is marked expect_invalid but passes validation");
            }
        }
    });
    let file = quote! {
        //! Every doc example of the spec round-trips losslessly through the generated models:
        //! deserialize, serialize, and compare the JSON values. Every request example passes the
        //! generated validation, or fails it where the spec marks it `expect_invalid`.

        use wechatpay_product_coupon::models;

        fn assert_round_trip<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(json: &str) {
            let expected: ::serde_json::Value = ::serde_json::from_str(json).expect("fixture is JSON");
            let typed: T = match ::serde_json::from_str(json) {
                ::core::result::Result::Ok(v) => v,
                ::core::result::Result::Err(e) => panic!("example does not deserialize: {e}"),
            };
            let actual = ::serde_json::to_value(&typed).expect("models serialize");
            assert_eq!(actual, expected, "the example changed in the round trip");
        }

        /// What the spec's validation finds, without fields the spec does not know (those are
        /// sent as given, not a verdict on the example).
        #[allow(dead_code)]
        fn spec_violations<T: wechatpay_product_coupon::Validate>(typed: &T) -> ::std::vec::Vec<wechatpay_product_coupon::Violation> {
            let mut out = wechatpay_product_coupon::runtime::validate::Violations::default();
            typed.validate_at("", &mut out);
            out.0.into_iter().filter(|v| v.kind != wechatpay_product_coupon::ViolationKind::UnknownField).collect()
        }

        #valid_helper
        #invalid_helper

        #(#tests)*
    };
    files.push(("tests/doc_examples.rs".to_owned(), Contents::Rust(file)));
    files.extend(official(ir));
    files
}

/// `tests/official_examples.rs` and its fixtures: each runnable official example, parsed as its
/// family's request and prepared by the generated client as a dry run, is sent (not refused),
/// its body is the example's JSON as parsed, and its warnings are exactly the disputed facts and
/// unknown fields `cargo xtask check` found.
fn official(ir: &Ir) -> Vec<(String, Contents)> {
    let mut files = Vec::new();
    let mut tests = Vec::new();
    for ex in &ir.official_examples {
        let fixture = serde_json::json!({
            "id": ex.id,
            "operation": ex.operation,
            "family": ex.family,
            "source": ex.source,
            "path_params": ex.path_params.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
            "query": ex.query.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
            "body": ex.body.as_deref().map(|b| serde_json::from_str::<serde_json::Value>(b).unwrap_or(serde_json::Value::Null)),
            "upload_file": ex.upload_file,
            "warnings": ex.warnings,
            "not_runnable": ex.not_runnable,
        });
        let mut text = serde_json::to_string_pretty(&fixture).unwrap_or_default();
        text.push('\n');
        let path = format!("tests/fixtures/official/{}.json", ex.id);
        files.push((path, Contents::Text(text)));
        if ex.not_runnable.is_some() {
            continue;
        }
        let name = format_ident!("official_{}_is_sent_losslessly_with_its_warnings", ex.id.replace('-', "_"));
        let fixture = format!("fixtures/official/{}.json", ex.id);
        let doc = format!(" {} ({}): {}", ex.id, ex.operation, ex.source);
        let call = if ex.family == "partner" || ir.families.first().is_some_and(|f| f.id == ex.family) {
            quote! { check_partner(include_str!(#fixture)); }
        } else {
            quote! { check_brand(include_str!(#fixture)); }
        };
        let gate = (ex.family != "partner").then(|| quote! { #[cfg(feature = "brand")] });
        tests.push(quote! {
            #[doc = #doc]
            #gate
            #[test]
            fn #name() {
                #call
            }
        });
    }
    if tests.is_empty() {
        return files;
    }
    let file = quote! {
        //! WeChat Pay's own example code as tests (`[[official_examples]]` of the spec): each
        //! request it sends is sent by the generated client as a dry run, losslessly, with
        //! warnings exactly for the disputed facts it breaks and the fields the spec does not know.

        use wechatpay_product_coupon::runtime::upload::UploadFile;
        use wechatpay_product_coupon::{PreparedRequest, Violation, ViolationKind};

        const KEY: &str = include_str!("data/test_merchant_key.pem");
        const PUB: &str = include_str!("data/test_wechatpay_pub.pem");
        const PUB_ID: &str = "PUB_KEY_ID_0000000000000024101100397200000006";
        /// A one-pixel PNG: the example programs send a placeholder file, and the upload's own
        /// checks (type, size) are not what these tests are about.
        const PNG: &[u8] = &[
            0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1,
            8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0,
            5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
        ];

        /// An official example's fixture.
        struct Example {
            operation: ::std::string::String,
            path: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
            query: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
            body: ::core::option::Option<::std::vec::Vec<u8>>,
            expected_body: ::serde_json::Value,
            upload: bool,
            warnings: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
        }

        fn example(fixture: &str) -> Example {
            let v: ::serde_json::Value = ::serde_json::from_str(fixture).expect("fixture is JSON");
            let pairs = |key: &str| -> ::std::vec::Vec<(::std::string::String, ::std::string::String)> {
                v[key].as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect()).unwrap_or_default()
            };
            let warnings = v["warnings"].as_array().map(|w| w.iter().map(|p| (p[0].as_str().unwrap_or_default().to_owned(), p[1].as_str().unwrap_or_default().to_owned())).collect()).unwrap_or_default();
            Example {
                operation: v["operation"].as_str().unwrap_or_default().to_owned(),
                path: pairs("path_params"),
                query: pairs("query"),
                body: (!v["body"].is_null()).then(|| ::serde_json::to_vec(&v["body"]).expect("JSON")),
                expected_body: v["body"].clone(),
                upload: !v["upload_file"].is_null(),
                warnings,
            }
        }

        /// What the client reports: the dispute id, or `unknown-field`, with the JSON path.
        fn reported(warnings: &[Violation]) -> ::std::vec::Vec<(::std::string::String, ::std::string::String)> {
            let mut out: ::std::vec::Vec<_> = warnings.iter().map(|w| {
                let id = match (&w.disputed, w.kind) {
                    (_, ViolationKind::UnknownField) => "unknown-field".to_owned(),
                    (Some(d), _) => d.id.to_owned(),
                    (None, _) => ::std::format!("undisputed: {}", w.message),
                };
                (id, w.path.clone())
            }).collect();
            out.sort();
            out.dedup();
            out
        }

        fn assert_sent(ex: &Example, prepared: &PreparedRequest) {
            let sent: ::serde_json::Value = if prepared.signed_body.is_empty() {
                ::serde_json::Value::Null
            } else {
                ::serde_json::from_slice(&prepared.signed_body).expect("the body is JSON")
            };
            assert_eq!(sent, ex.expected_body, "the body sent is not the example's JSON");
            assert_eq!(reported(&prepared.warnings), ex.warnings, "the warnings are not the example's disputed facts");
        }

        fn check_partner(fixture: &str) {
            let ex = example(fixture);
            let client = wechatpay_product_coupon::Client::builder()
                .mchid("1900000109")
                .merchant_serial_no("3775B6A45ACD588826D15E583A95F5DD12345678")
                .private_key_pem(KEY)
                .wechatpay_public_key_pem(PUB_ID, PUB)
                .build()
                .expect("a client");
            let path: ::std::vec::Vec<(&str, &str)> = ex.path.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let query: ::std::vec::Vec<(&str, &str)> = ex.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let mut request = wechatpay_product_coupon::requests::OperationRequest::parse(&ex.operation, &path, &query, ex.body.as_deref())
                .unwrap_or_else(|e| panic!("the example does not parse as its request: {e}"));
            if ex.upload {
                request.set_file(UploadFile::new("example.png", "image/png", PNG));
            }
            let prepared = request.prepare(&client).unwrap_or_else(|e| panic!("the client refuses the example: {e}"));
            assert_sent(&ex, &prepared);
        }

        #[cfg(feature = "brand")]
        fn check_brand(fixture: &str) {
            let ex = example(fixture);
            let client = wechatpay_product_coupon::brand::BrandClient::builder()
                .brand_id("120344")
                .brand_serial_no("3775B6A45ACD588826D15E583A95F5DD12345678")
                .brand_private_key_pem(KEY)
                .wechatpay_public_key_pem(PUB_ID, PUB)
                .build()
                .expect("a brand client");
            let path: ::std::vec::Vec<(&str, &str)> = ex.path.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let query: ::std::vec::Vec<(&str, &str)> = ex.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let mut request = wechatpay_product_coupon::brand::requests::OperationRequest::parse(&ex.operation, &path, &query, ex.body.as_deref())
                .unwrap_or_else(|e| panic!("the example does not parse as its request: {e}"));
            if ex.upload {
                request.set_file(UploadFile::new("example.png", "image/png", PNG));
            }
            let prepared = request.prepare(&client).unwrap_or_else(|e| panic!("the client refuses the example: {e}"));
            assert_sent(&ex, &prepared);
        }

        #(#tests)*
    };
    files.push(("tests/official_examples.rs".to_owned(), Contents::Rust(file)));
    files
}
