//! Doc-example fixtures (`tests/fixtures/*.json`) and the test that round-trips each of them
//! through the generated models (`tests/doc_examples.rs`).

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
            let doc = format!("{} — {} ({})", op.title, ex.title, ex.source);
            tests.push(quote! {
                #[doc = #doc]
                #[test]
                fn #test() {
                    assert_round_trip::<models::#ty>(include_str!(#fixture));
                }
            });
        }
    }
    let file = quote! {
        //! Every doc example of the spec round-trips losslessly through the generated models:
        //! deserialize, serialize, and compare the JSON values.

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

        #(#tests)*
    };
    files.push(("tests/doc_examples.rs".to_owned(), Contents::Rust(file)));
    files
}
