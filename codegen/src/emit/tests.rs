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
                if let ::core::result::Result::Err(violations) = typed.validate() {
                    panic!("the doc example breaks the spec's validation: {violations}");
                }
            }
        }
    });
    let invalid_helper = any_invalid.then(|| {
        quote! {
            fn assert_invalid<T: ::serde::de::DeserializeOwned + wechatpay_product_coupon::Validate>(json: &str) {
                let typed: T = ::serde_json::from_str(json).expect("the round-trip test covers decoding");
                assert!(typed.validate().is_err(), "the example is marked expect_invalid but passes validation");
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

        #valid_helper
        #invalid_helper

        #(#tests)*
    };
    files.push(("tests/doc_examples.rs".to_owned(), Contents::Rust(file)));
    files
}
