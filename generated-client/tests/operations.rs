//! The generated call functions against a real HTTP server on 127.0.0.1: the right method and
//! percent-encoded path, a body the server can verify the signature of, the doc's response
//! decoded into the typed model, and validation before any I/O.

mod support;

use std::time::Duration;

use support::*;
use wechatpay_product_coupon::ApiErrorExt as _;
use wechatpay_product_coupon::runtime::client::RetryPolicy;
use wechatpay_product_coupon::{Client, Error, models::*};

const BUNDLE_REQUEST: &str = include_str!("fixtures/create_stock_bundle.request.1.json");
const BUNDLE_RESPONSE: &str = include_str!("fixtures/create_stock_bundle.response.2.json");

fn client(base_url: &str) -> Client {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .base_url(base_url)
        .retry_policy(RetryPolicy::none())
        .attempt_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// The doc's add-bundle request with only one 满减 rule list and one period option, so it
/// passes the API's rules (the doc example shows every alternative at once).
fn valid_bundle_request() -> CreateStockBundleRequest {
    let mut json: serde_json::Value = serde_json::from_str(BUNDLE_REQUEST).unwrap();
    let rule = &mut json["stock_bundle"]["progressive_bundle_usage_rule"];
    rule.as_object_mut().unwrap().retain(|k, _| k != "discount_coupon_list" && k != "exchange_coupon_list");
    rule["coupon_available_period"].as_object_mut().unwrap().remove("irregular_available_period_list");
    serde_json::from_value(json).unwrap()
}

async fn signed_server(status: u16, body: &'static str) -> TestServer {
    let keys = WechatKeys::load();
    TestServer::start(move |req, _| match req.check_merchant_signature() {
        Ok(()) => Reply::signed(status, body, &keys.public_key_mode, PUB_KEY_ID),
        Err(e) => Reply::plain(401, &format!(r#"{{"code":"SIGN_ERROR","message":"{e}"}}"#)),
    })
    .await
}

#[tokio::test]
async fn create_stock_bundle_sends_a_signed_request_and_decodes_the_doc_response() {
    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    let request = valid_bundle_request();

    let bundle = client(&srv.url()).create_stock_bundle("200000001", &request).await.unwrap();

    assert_eq!(bundle.stock_bundle_id, "123456789");
    let stock = &bundle.stock_list[0];
    assert_eq!(stock.state, StockState::Sending);
    assert_eq!(stock.stock_bundle_info.stock_bundle_index, 0);
    // The doc's own response writes this time without seconds; it is kept as sent.
    assert_eq!(stock.deactivate_time.as_ref().unwrap().as_str(), "2025-01-01T00:00+08:00");

    let sent = srv.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].target, "/v3/marketing/partner/product-coupon/product-coupons/200000001/stock-bundles");
    let body: serde_json::Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(body, serde_json::to_value(&request).unwrap(), "the body is the serialized request");
}

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    client(&srv.url()).create_stock_bundle("2000/01 x?#%", &valid_bundle_request()).await.unwrap();
    let target = &srv.requests()[0].target;
    assert_eq!(target, "/v3/marketing/partner/product-coupon/product-coupons/2000%2F01%20x%3F%23%25/stock-bundles");
}

#[tokio::test]
async fn invalid_requests_fail_before_any_io_with_every_json_path() {
    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    let mut request = valid_bundle_request();
    request.out_request_no = "短".into();
    request.stock_bundle.stock_send_rule.max_count_per_user = 0;

    let err = client(&srv.url()).create_stock_bundle("", &request).await.unwrap_err();

    let Error::Validation(violations) = err else { panic!("expected a validation error, got {err:?}") };
    let mut paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        ["out_request_no", "out_request_no", "product_coupon_id", "stock_bundle.stock_send_rule.max_count_per_user"],
        "{violations}"
    );
    assert!(srv.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn switching_validation_off_lets_the_server_decide() {
    let srv = signed_server(400, r#"{"code":"PARAM_ERROR","message":"out_request_no 长度不合法"}"#).await;
    let mut request = valid_bundle_request();
    request.out_request_no = "短".into();
    let client = client(&srv.url()).with_options(wechatpay_product_coupon::CallOptions::new().skip_validation(true));

    let err = client.create_stock_bundle("200000001", &request).await.unwrap_err();

    let api = err.as_api().expect("an API error");
    assert_eq!((api.status, api.code.as_str()), (400, "PARAM_ERROR"));
    assert_eq!(api.error_code(), wechatpay_product_coupon::ErrorCode::ParamError);
    assert_eq!(srv.requests().len(), 1);
}

#[tokio::test]
async fn documented_error_codes_come_back_typed_with_the_request_id() {
    let srv = signed_server(404, r#"{"code":"NOT_FOUND","message":"未找到 product_coupon_id 对应的商品券"}"#).await;
    let err = client(&srv.url()).create_stock_bundle("404404", &valid_bundle_request()).await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.error_code(), wechatpay_product_coupon::ErrorCode::NotFound);
    assert!(api.request_id.as_deref().is_some_and(|id| !id.is_empty()));
    let shown = err.to_string();
    assert!(shown.contains("404") && shown.contains("NOT_FOUND"), "{shown}");
}

#[tokio::test]
async fn a_success_without_a_body_is_verified_and_returns_unit() {
    // What a generated call function of a body-less operation (`status = 204`) does.
    let keys = WechatKeys::load();
    let srv = TestServer::start(move |_, _| Reply::signed(204, "", &keys.public_key_mode, PUB_KEY_ID)).await;
    let () = client(&srv.url()).execute::<()>(create_parts("{}")).await.unwrap();

    // The empty body is still covered by the signature: a tampered one is refused.
    let keys = WechatKeys::load();
    let srv = TestServer::start(move |_, _| {
        Reply::signed(204, "", &keys.public_key_mode, PUB_KEY_ID).replace_header("Wechatpay-Nonce", "other")
    })
    .await;
    let err = client(&srv.url()).execute::<()>(create_parts("{}")).await.unwrap_err();
    assert!(matches!(err, Error::Verification(_)), "{err:?}");
}
