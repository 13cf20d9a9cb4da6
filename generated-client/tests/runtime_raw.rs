//! `Client::send_raw`, the untyped escape hatch, against a real HTTP server on 127.0.0.1: the
//! body goes out unvalidated and byte-for-byte, path parameters are percent-encoded, the
//! request is signed and the response verified before it is parsed.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use support::*;
use wechatpay_product_coupon::generated::operations::{CREATE_PRODUCT_COUPON, GET_PRODUCT_COUPON};
use wechatpay_product_coupon::runtime::client::OperationMeta;
use wechatpay_product_coupon::runtime::verify::VerifyError;
use wechatpay_product_coupon::{Client, Error, RetryPolicy};

const OK_BODY: &str =
    r#"{"product_coupon_id":"1000000013","state":"AUDITING","brand_id":"120344","unknown_new_field":[1,2]}"#;

/// A body-less operation (204 No Content), described by hand.
static ASSOCIATE: OperationMeta = OperationMeta {
    id: "test_associate",
    title: "测试关联",
    method: "POST",
    path_template: "/v3/marketing/partner/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/associate-stores",
    rate_limit_per_second: None,
    success_status: 204,
};

async fn server(reply: impl Fn(&WechatKeys, &Request) -> Reply + Send + Sync + 'static) -> TestServer {
    let keys = Arc::new(WechatKeys::load());
    TestServer::start(move |req, _| match req.check_merchant_signature() {
        Ok(()) => reply(&keys, req),
        Err(e) => Reply::plain(401, &format!(r#"{{"code":"SIGN_ERROR","message":"{e}"}}"#)),
    })
    .await
}

fn client(url: &str) -> Client {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .base_url(url)
        .retry_policy(RetryPolicy::attempts(3).with_backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_body_missing_a_required_field_is_sent_as_given_and_the_verified_json_returned() {
    let srv = server(|keys, _| Reply::signed(200, OK_BODY, &keys.public_key_mode, PUB_KEY_ID)).await;
    let client = client(&srv.url());
    // `out_request_no` is required by the spec; the typed API would refuse this body.
    let body = json!({ "brand_id": "120344", "field_from_the_future": { "x": "券" } });
    let v = client.send_raw(&CREATE_PRODUCT_COUPON, &[], &[], Some(&body)).await.unwrap();
    assert_eq!(v, serde_json::from_str::<Value>(OK_BODY).unwrap());
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].target, "/v3/marketing/partner/product-coupon/product-coupons");
    assert_eq!(reqs[0].body, serde_json::to_vec(&body).unwrap());
    assert_eq!(reqs[0].header("Wechatpay-Serial"), Some(PUB_KEY_ID));
}

#[tokio::test]
async fn path_parameters_are_percent_encoded_and_queries_kept_in_order() {
    let srv = server(|keys, _| Reply::signed(200, OK_BODY, &keys.public_key_mode, PUB_KEY_ID)).await;
    let client = client(&srv.url());
    let v = client
        .send_raw(
            &GET_PRODUCT_COUPON,
            &[("product_coupon_id", "10/../券 1")],
            &[("z", "1 2"), ("brand_id", "a&b")],
            None,
        )
        .await
        .unwrap();
    assert_eq!(v["state"], "AUDITING");
    let req = &srv.requests()[0];
    assert_eq!(
        req.target,
        "/v3/marketing/partner/product-coupon/product-coupons/10%2F..%2F%E5%88%B8%201?z=1%202&brand_id=a%26b"
    );
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn a_body_less_success_returns_null_after_verification() {
    let srv = server(|keys, _| Reply::signed(204, "", &keys.public_key_mode, PUB_KEY_ID)).await;
    let client = client(&srv.url());
    let v = client
        .send_raw(&ASSOCIATE, &[("product_coupon_id", "1"), ("stock_id", "2")], &[], Some(&json!({"stores": []})))
        .await
        .unwrap();
    assert_eq!(v, Value::Null);
    assert_eq!(
        srv.requests()[0].target,
        "/v3/marketing/partner/product-coupon/product-coupons/1/stocks/2/associate-stores"
    );
}

#[tokio::test]
async fn responses_are_still_verified_before_parsing() {
    let srv = server(|keys, _| {
        Reply::signed(200, OK_BODY, &keys.public_key_mode, PUB_KEY_ID).replace_header("Wechatpay-Signature", "AAAA")
    })
    .await;
    let err = client(&srv.url()).send_raw(&CREATE_PRODUCT_COUPON, &[], &[], Some(&json!({}))).await.unwrap_err();
    match err {
        Error::Verification(v) => assert_eq!(v.reason, VerifyError::BadSignature { serial: PUB_KEY_ID.into() }),
        other => panic!("expected a verification error, got {other:?}"),
    }
    // An error status is an API error, as for typed calls.
    let srv = server(|keys, _| {
        Reply::signed(
            400,
            r#"{"code":"PARAM_ERROR","message":"缺少参数 out_request_no"}"#,
            &keys.public_key_mode,
            PUB_KEY_ID,
        )
    })
    .await;
    let err = client(&srv.url()).send_raw(&CREATE_PRODUCT_COUPON, &[], &[], Some(&json!({}))).await.unwrap_err();
    match err {
        Error::Api(e) => assert_eq!((e.status, e.code.as_str(), e.signature_verified), (400, "PARAM_ERROR", true)),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_or_unknown_path_parameter_sends_nothing() {
    let srv = server(|keys, _| Reply::signed(200, OK_BODY, &keys.public_key_mode, PUB_KEY_ID)).await;
    let client = client(&srv.url());
    let err = client.send_raw(&GET_PRODUCT_COUPON, &[], &[], None).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(v) if v.to_string().contains("path.product_coupon_id")), "{err:?}");
    let err = client
        .send_raw(&GET_PRODUCT_COUPON, &[("product_coupon_id", "1"), ("stock_id", "2")], &[], None)
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Validation(v) if v.to_string().contains("path.stock_id")), "{err:?}");
    let err = client.send_raw(&GET_PRODUCT_COUPON, &[("product_coupon_id", "..")], &[], None).await.unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(srv.requests().is_empty());
}

#[tokio::test]
async fn a_raw_dry_run_is_the_request_send_raw_sends() {
    let srv = server(|keys, _| Reply::signed(200, OK_BODY, &keys.public_key_mode, PUB_KEY_ID)).await;
    let client = client(&srv.url());
    let body = json!({ "brand_id": "1" });
    let req =
        client.prepare_raw(&GET_PRODUCT_COUPON, &[("product_coupon_id", "a/b")], &[("brand_id", "1")], None).unwrap();
    assert_eq!(req.canonical_url, "/v3/marketing/partner/product-coupon/product-coupons/a%2Fb?brand_id=1");
    let req = client.prepare_raw(&CREATE_PRODUCT_COUPON, &[], &[], Some(&body)).unwrap();
    assert_eq!(req.body, serde_json::to_vec(&body).unwrap());
    assert!(req.header("Authorization").unwrap().starts_with("WECHATPAY2-SHA256-RSA2048 "));
    assert!(srv.requests().is_empty(), "a dry run sends nothing");
    // The same arguments sent: the server gets the dry run's bytes, signed alike.
    client.send_raw(&CREATE_PRODUCT_COUPON, &[], &[], Some(&body)).await.unwrap();
    let sent = srv.requests();
    assert_eq!(
        (sent[0].method.as_str(), sent[0].target.as_str(), &sent[0].body),
        (req.method.as_str(), req.canonical_url.as_str(), &req.body)
    );
    // A bad path parameter fails the dry run as it fails the call.
    let err = client.prepare_raw(&GET_PRODUCT_COUPON, &[("product_coupon_id", "..")], &[], None).unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
}
