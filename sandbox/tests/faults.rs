//! Every fault kind, asked for per request (header), for the next N requests (admin endpoint
//! and Rust API), and what the generated client makes of it.

mod common;

use std::time::Duration;

use common::*;
use wechatpay_product_coupon::ApiErrorExt as _;
use wechatpay_product_coupon::runtime::verify::VerifyError;
use wechatpay_product_coupon::{Error, ErrorCode};
use wechatpay_sandbox::{Fault, FaultAction, demo};

#[tokio::test]
async fn system_error_and_429_are_answered_without_handling() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.faults().inject(FaultAction::SystemError, 1);
    sandbox.faults().inject(FaultAction::RateLimited, 1);
    let e = api_error(client.create_product_coupon(&demo::product_coupon_request("F_0001")).await);
    assert_eq!((e.status, &e.error_code()), (500, &ErrorCode::SystemError));
    assert!(e.signature_verified);
    let e = api_error(client.create_product_coupon(&demo::product_coupon_request("F_0001")).await);
    assert_eq!((e.status, &e.error_code()), (429, &ErrorCode::RatelimitExceeded));
    assert!(sandbox.product_coupons().is_empty(), "nothing was handled");
    assert!(sandbox.faults().pending().is_empty());
    client.create_product_coupon(&demo::product_coupon_request("F_0001")).await.unwrap();
}

#[tokio::test]
async fn retries_with_the_same_out_request_no_get_through_500_429_and_202() {
    let sandbox = sandbox().await;
    let client = retrying_client(&sandbox, 4);
    sandbox.faults().inject(FaultAction::SystemError, 1);
    sandbox.faults().inject(FaultAction::RateLimited, 1);
    sandbox.faults().inject(FaultAction::Accepted, 1);
    let created = client.create_product_coupon(&demo::product_coupon_request("F_0001")).await.unwrap();
    assert_eq!(sandbox.product_coupons().len(), 1);
    assert_eq!(created.product_coupon_id, "1000000001");
}

#[tokio::test]
async fn accepted_202_is_an_empty_signed_answer() {
    let sandbox = sandbox().await;
    sandbox.faults().inject(FaultAction::Accepted, 1);
    let e = api_error(client(&sandbox).create_product_coupon(&demo::product_coupon_request("F_0001")).await);
    assert_eq!(e.status, 202);
    assert!(e.signature_verified && e.is_retryable());
    assert!(sandbox.product_coupons().is_empty());
}

#[tokio::test]
async fn drop_closes_the_connection_before_handling() {
    let sandbox = sandbox().await;
    sandbox.faults().inject(FaultAction::Drop, 1);
    let result = client(&sandbox).create_product_coupon(&demo::product_coupon_request("F_0001")).await;
    assert!(matches!(result, Err(Error::Transport(ref t)) if !t.connect), "{result:?}");
    assert!(sandbox.product_coupons().is_empty());
}

#[tokio::test]
async fn a_lost_response_retried_with_the_same_out_request_no_creates_nothing_twice() {
    let sandbox = sandbox().await;
    let client = retrying_client(&sandbox, 3);
    let coupon = client.create_product_coupon(&demo::product_coupon_request("F_0001")).await.unwrap();

    // The first attempt is handled but its response is lost; the client's retry re-sends the
    // byte-identical body and gets the stored result.
    sandbox.faults().inject_for("create_stock_bundle", FaultAction::DropAfter, 1);
    let bundle =
        client.create_stock_bundle(&coupon.product_coupon_id, &demo::stock_bundle_request("F_0002", 3)).await.unwrap();
    let held = sandbox.product_coupon(&coupon.product_coupon_id).unwrap();
    assert_eq!(held.stock_bundles.len(), 2, "one from the create, one added: not two");
    assert_eq!(held.stock_bundles[1], bundle);

    // Without retries the caller sees the network error, and its own retry is just as safe.
    sandbox.faults().inject(FaultAction::DropAfter, 1);
    let once = common::client(&sandbox);
    let request = demo::product_coupon_request("F_0003");
    assert!(matches!(once.create_product_coupon(&request).await, Err(Error::Transport(_))));
    assert_eq!(sandbox.product_coupons().len(), 2, "handled although the response was lost");
    let again = once.create_product_coupon(&request).await.unwrap();
    assert_eq!(again.product_coupon_id, "1000000002");
    assert_eq!(sandbox.product_coupons().len(), 2);
}

#[tokio::test]
async fn bad_signatures_and_stale_timestamps_are_rejected_by_the_client() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.faults().inject(FaultAction::BadSignature, 1);
    match client.create_product_coupon(&demo::product_coupon_request("F_0001")).await {
        Err(Error::Verification(v)) => {
            assert_eq!(v.status, 200);
            assert!(matches!(v.reason, VerifyError::BadSignature { .. }), "{:?}", v.reason);
        }
        other => panic!("expected a verification error, got {other:?}"),
    }
    sandbox.faults().inject(FaultAction::StaleTimestamp, 1);
    match client.create_product_coupon(&demo::product_coupon_request("F_0002")).await {
        Err(Error::Verification(v)) => {
            assert!(matches!(v.reason, VerifyError::StaleTimestamp { .. }), "{:?}", v.reason)
        }
        other => panic!("expected a verification error, got {other:?}"),
    }
    // Both requests were handled: the faults hit the responses.
    assert_eq!(sandbox.product_coupons().len(), 2);
}

#[tokio::test]
async fn delays_hold_the_response() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    // A short delay, then the request is served as usual.
    sandbox.faults().inject(Fault::delay(Duration::from_millis(20)), 1);
    client.create_product_coupon(&demo::product_coupon_request("F_0001")).await.unwrap();
    assert_eq!(sandbox.product_coupons().len(), 1);

    // While a delay holds a request, it has not been handled. No clock is read: the request
    // is seen to have taken the fault (the queue is empty), and the longest delay there is
    // (10 minutes) keeps it held for the rest of the test.
    sandbox.faults().inject(Fault::delay(Duration::from_secs(600)), 1);
    let held = tokio::spawn({
        let client = client.clone();
        async move { client.create_product_coupon(&demo::product_coupon_request("F_0002")).await }
    });
    eventually("the held request to take the fault", || sandbox.faults().pending().is_empty().then_some(())).await;
    assert!(!held.is_finished(), "still held");
    assert_eq!(sandbox.product_coupons().len(), 1, "not handled while held");
    held.abort();

    // A delay longer than the client's attempt timeout is a timeout.
    sandbox.faults().inject(Fault::delay(Duration::from_secs(600)), 1);
    let impatient = sandbox
        .client_builder()
        .retry_policy(wechatpay_product_coupon::RetryPolicy::none())
        .attempt_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let result = impatient.create_product_coupon(&demo::product_coupon_request("F_0003")).await;
    assert!(matches!(result, Err(Error::Timeout(_))), "{result:?}");
}

#[tokio::test]
async fn the_header_injects_a_fault_into_one_request() {
    let sandbox = sandbox().await;
    let body = serde_json::to_vec(&demo::product_coupon_request("F_0001")).unwrap();
    let (status, headers, json) =
        send(raw(&sandbox, "POST", CREATE_PATH, &body, None).header("X-Sandbox-Fault", "500")).await;
    assert_eq!((status, json["code"].as_str()), (500, Some("SYSTEM_ERROR")));
    assert!(headers.contains_key("wechatpay-signature"));
    let (status, _, json) =
        send(raw(&sandbox, "POST", CREATE_PATH, &body, None).header("X-Sandbox-Fault", "delay=20ms")).await;
    assert_eq!(status, 200, "{json}");
    let dropped = raw(&sandbox, "POST", CREATE_PATH, &body, None).header("X-Sandbox-Fault", "drop").send().await;
    assert!(dropped.is_err());
    let (status, _, json) =
        send(raw(&sandbox, "POST", CREATE_PATH, &body, None).header("X-Sandbox-Fault", "explode")).await;
    assert_eq!((status, json["code"].as_str()), (400, Some("INVALID_REQUEST")));
    assert!(json["message"].as_str().unwrap().contains("X-Sandbox-Fault"), "{json}");
    assert_eq!(sandbox.product_coupons().len(), 1);
}

#[tokio::test]
async fn the_admin_endpoint_queues_faults_for_the_next_requests() {
    let sandbox = sandbox().await;
    let faults_url = format!("{}/sandbox/faults", sandbox.base_url());
    let post = || admin(reqwest::Method::POST, &faults_url);
    let resp = post().body(r#"{"fault":"429","count":2,"operation":"create_product_coupon"}"#).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let listed = get_json(&faults_url).await;
    assert_eq!(listed["pending"][0]["fault"], "429");
    assert_eq!(listed["pending"][0]["count"], 2);

    let client = client(&sandbox);
    // A badly signed request is refused before faults apply and consumes none.
    let impostor = sandbox.client_builder().private_key_pem(&sandbox.keys().wechatpay_key_pem).build().unwrap();
    assert_eq!(api_error(impostor.create_product_coupon(&demo::product_coupon_request("F_0000")).await).status, 401);
    for _ in 0..2 {
        let e = api_error(client.create_product_coupon(&demo::product_coupon_request("F_0001")).await);
        assert_eq!(e.status, 429);
    }
    client.create_product_coupon(&demo::product_coupon_request("F_0001")).await.unwrap();

    post().body(r#"{"fault":"delay=10ms,500"}"#).send().await.unwrap();
    assert_eq!(sandbox.faults().pending().len(), 1);
    let cleared = admin(reqwest::Method::DELETE, &faults_url).send().await.unwrap();
    assert_eq!(cleared.status(), 200);
    assert!(sandbox.faults().pending().is_empty());

    for bad in [r#"{"fault":"explode"}"#, r#"{"fault":"500","operation":"no_such_op"}"#, "nonsense"] {
        let resp = post().body(bad).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
    }
    let info = get_json(&format!("{}/sandbox", sandbox.base_url())).await;
    assert_eq!(info["mchid"], sandbox.keys().mchid.as_str());
    let state = get_json(&format!("{}/sandbox/state", sandbox.base_url())).await;
    assert_eq!(state["product_coupons"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn certificate_downloads_only_get_faults_aimed_at_them() {
    let sandbox = sandbox().await;
    sandbox.faults().inject(FaultAction::SystemError, 1);
    sandbox.faults().inject_for(wechatpay_sandbox::CERTIFICATES_OPERATION, FaultAction::StaleTimestamp, 1);
    let client = sandbox
        .certificate_client_builder()
        .retry_policy(wechatpay_product_coupon::RetryPolicy::none())
        .build()
        .unwrap();
    // The first download's response is stale: the client cannot use it.
    let result = client.create_product_coupon(&demo::product_coupon_request("F_0001")).await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(sandbox.faults().pending().len(), 1, "the 500 is still queued for an API call");
}
