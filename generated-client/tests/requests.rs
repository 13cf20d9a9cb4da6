//! The generated `requests` module: operation id + raw parameters + JSON body -> typed request.

use wechatpay_product_coupon::requests::OperationRequest;
use wechatpay_product_coupon::runtime::dispatch::ParseError;

const BUNDLE_REQUEST: &str = include_str!("fixtures/create_stock_bundle.request.1.json");

#[test]
fn parses_path_parameters_and_the_body_into_the_typed_request() {
    let path = [("product_coupon_id", "200000001")];
    let request = OperationRequest::parse("create_stock_bundle", &path, &[], Some(BUNDLE_REQUEST.as_bytes())).unwrap();
    assert_eq!(request.meta().id, "create_stock_bundle");
    let OperationRequest::CreateStockBundle { product_coupon_id, body } = &request else { panic!("{request:?}") };
    assert_eq!(product_coupon_id, "200000001");
    assert_eq!(body.out_request_no, "34657_20250101_123456");
    // The doc example shows alternatives together; the rules say so with paths. The one it
    // breaks is disputed (WeChat Pay's own code does the same), so it is a warning, not a refusal.
    let found = request.violations();
    assert!(!found.is_empty() && found.iter().all(|v| v.path.starts_with("stock_bundle.")), "{found}");
    let warnings = request.validate().expect("only disputed facts are broken");
    assert!(warnings.iter().all(|w| w.disputed.is_some_and(|d| d.id == "weekly-and-irregular-periods-together")));
}

#[test]
fn reports_what_is_missing_or_wrong() {
    let body = Some(BUNDLE_REQUEST.as_bytes());
    let err = OperationRequest::parse("create_stock_bundle", &[], &[], body).unwrap_err();
    assert!(matches!(err, ParseError::MissingParameter { name: "product_coupon_id" }), "{err}");

    let err = OperationRequest::parse("create_stock_bundle", &[("product_coupon_id", "1")], &[], None).unwrap_err();
    assert!(matches!(err, ParseError::MissingBody), "{err}");

    let bad = br#"{"out_request_no":"x","brand_id":"1","stock_bundle":{"stock_send_rule":{"max_count":"many"}}}"#;
    let err =
        OperationRequest::parse("create_stock_bundle", &[("product_coupon_id", "1")], &[], Some(bad)).unwrap_err();
    assert!(err.to_string().starts_with("body: stock_bundle."), "{err}");

    let err = OperationRequest::parse("delete_everything", &[], &[], None).unwrap_err();
    assert_eq!(err.to_string(), "no operation `delete_everything`");
}
