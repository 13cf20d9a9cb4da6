//! The runtime against real HTTP servers on 127.0.0.1: signatures checked in both directions,
//! retries, verification failures, timeouts, failover, certificate mode.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use support::*;
use wechatpay_product_coupon::ApiErrorExt as _;
use wechatpay_product_coupon::runtime::client::VerificationMode;
use wechatpay_product_coupon::runtime::error::TimeoutKind;
use wechatpay_product_coupon::runtime::verify::VerifyError;
use wechatpay_product_coupon::{CallOptions, Client, ClientBuilder, Error, ErrorCode, RetryPolicy};

const OK_BODY: &str = r#"{"product_coupon_id":"1000000013","state":"AUDITING","brand_id":"120344"}"#;
const CREATE_BODY: &str = r#"{"out_request_no":"34657_20250101_123456","brand_id":"120344","usage_mode":"SINGLE"}"#;

fn fast_retries() -> RetryPolicy {
    RetryPolicy::attempts(4).with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .base_url(base_url)
        .retry_policy(fast_retries())
        .attempt_timeout(Duration::from_secs(10))
        .total_timeout(Duration::from_secs(30))
}

/// A server whose `index`-th reply comes from `replies(index, keys)`; every request's merchant
/// signature is checked (a bad one gets a 401).
async fn server(replies: impl Fn(usize, &WechatKeys, &Request) -> Reply + Send + Sync + 'static) -> TestServer {
    let keys = Arc::new(WechatKeys::load());
    TestServer::start(move |req, i| match req.check_merchant_signature() {
        Ok(()) => replies(i, &keys, req),
        Err(e) => Reply::plain(401, &format!(r#"{{"code":"SIGN_ERROR","message":"{e}"}}"#)),
    })
    .await
}

fn ok(keys: &WechatKeys) -> Reply {
    Reply::signed(200, OK_BODY, &keys.public_key_mode, PUB_KEY_ID)
}

fn assert_all_signed(server: &TestServer) {
    for r in server.requests() {
        r.check_merchant_signature().unwrap();
    }
}

fn verification_reason(e: &Error) -> &VerifyError {
    match e {
        Error::Verification(v) => &v.reason,
        other => panic!("expected a verification error, got {other:?}"),
    }
}

#[tokio::test]
async fn post_and_get_are_signed_sent_verified_and_decoded() {
    let srv = server(|_, keys, _| ok(keys)).await;
    let client = builder(&srv.url()).build().unwrap();

    let v: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    assert_eq!(v["product_coupon_id"], "1000000013");
    let v: Value = client.execute(query_parts("1000000013/券 x", "120 344")).await.unwrap();
    assert_eq!(v["state"], "AUDITING");

    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].target, "/v3/marketing/partner/product-coupon/product-coupons");
    assert_eq!(reqs[0].body, CREATE_BODY.as_bytes());
    assert_eq!(reqs[0].header("Content-Type"), Some("application/json"));
    assert_eq!(reqs[0].header("Accept"), Some("application/json"));
    assert_eq!(reqs[0].header("Wechatpay-Serial"), Some(PUB_KEY_ID));
    assert!(reqs[0].header("User-Agent").unwrap().starts_with("wechatpay-apiv3/"));
    assert_eq!(reqs[1].method, "GET");
    assert_eq!(
        reqs[1].target,
        "/v3/marketing/partner/product-coupon/product-coupons/1000000013%2F%E5%88%B8%20x?brand_id=120%20344"
    );
    assert!(reqs[1].body.is_empty());
    assert_all_signed(&srv);
}

#[tokio::test]
async fn pkcs1_private_keys_sign_the_same_way() {
    let srv = server(|_, keys, _| ok(keys)).await;
    let client = builder(&srv.url()).private_key_pem(MERCHANT_KEY_PKCS1_PEM).build().unwrap();
    let _: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    assert_all_signed(&srv);
}

#[tokio::test]
async fn server_errors_are_retried_with_the_identical_body_and_fresh_signatures() {
    let srv = server(|i, keys, _| match i {
        0 => Reply::signed(500, r#"{"code":"SYSTEM_ERROR","message":"系统错误"}"#, &keys.public_key_mode, PUB_KEY_ID),
        1 => Reply::plain(503, "<html>service unavailable</html>"),
        _ => ok(keys),
    })
    .await;
    let client = builder(&srv.url()).build().unwrap();
    let v: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    assert_eq!(v["state"], "AUDITING");
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 3);
    assert!(reqs.iter().all(|r| r.body == CREATE_BODY.as_bytes()));
    let auths: Vec<_> = reqs.iter().map(|r| r.header("Authorization").unwrap().to_owned()).collect();
    assert_ne!(auths[0], auths[1]);
    assert_ne!(auths[1], auths[2]);
    assert_all_signed(&srv);
}

#[tokio::test]
async fn rate_limited_and_accepted_responses_are_retried() {
    let srv = server(|i, keys, _| match i {
        0 => Reply::signed(
            429,
            r#"{"code":"RATELIMIT_EXCEEDED","message":"频率过高"}"#,
            &keys.public_key_mode,
            PUB_KEY_ID,
        )
        .with_header("Retry-After", "0"),
        1 => Reply::signed(202, "", &keys.public_key_mode, PUB_KEY_ID),
        _ => ok(keys),
    })
    .await;
    let client = builder(&srv.url()).build().unwrap();
    let _: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    assert_eq!(srv.requests().len(), 3);
}

#[tokio::test]
async fn dropped_connections_are_retried() {
    let srv = server(|i, keys, _| if i < 2 { Reply::Drop } else { ok(keys) }).await;
    let client = builder(&srv.url()).build().unwrap();
    let _: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    assert_eq!(srv.requests().len(), 3);
    assert!(srv.requests().iter().all(|r| r.body == CREATE_BODY.as_bytes()));
}

#[tokio::test]
async fn exhausted_retries_return_the_last_error() {
    let srv = server(|_, keys, _| {
        Reply::signed(500, r#"{"code":"SYSTEM_ERROR","message":"系统错误"}"#, &keys.public_key_mode, PUB_KEY_ID)
    })
    .await;
    let client = builder(&srv.url()).build().unwrap();
    let err = client.execute::<Value>(create_parts(CREATE_BODY)).await.unwrap_err();
    assert_eq!(srv.requests().len(), 4);
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status, 500);
    assert_eq!(api.code.as_str(), "SYSTEM_ERROR");
    assert!(api.signature_verified);
    assert!(err.is_retryable());
}

#[tokio::test]
async fn client_errors_are_not_retried_and_carry_code_message_detail_and_request_id() {
    let srv = server(|_, keys, _| {
        Reply::signed(
            400,
            r#"{"code":"PARAM_ERROR","message":"brand_id 不合法","detail":{"field":"brand_id","location":"body"}}"#,
            &keys.public_key_mode,
            PUB_KEY_ID,
        )
    })
    .await;
    let client = builder(&srv.url()).build().unwrap();
    let err = client.execute::<Value>(create_parts(CREATE_BODY)).await.unwrap_err();
    assert_eq!(srv.requests().len(), 1);
    assert!(!err.is_retryable());
    let api = err.as_api().unwrap();
    assert_eq!(api.status, 400);
    assert_eq!(api.error_code(), ErrorCode::from("PARAM_ERROR"));
    assert!(api.error_code().is_documented());
    assert_eq!(api.message, "brand_id 不合法");
    assert_eq!(api.detail.as_ref().unwrap()["field"], "brand_id");
    assert_eq!(api.request_id.as_deref(), Some("08F1A2B3C4D5-400000"));
    assert_eq!(api.business_code(), Some(400000));
    assert!(api.signature_verified);
    let text = err.to_string();
    assert!(
        text.contains("400") && text.contains("PARAM_ERROR") && text.contains("Request-ID: 08F1A2B3C4D5-400000"),
        "{text}"
    );
}

#[tokio::test]
async fn unsigned_error_responses_are_reported_unverified_and_unknown_codes_kept() {
    let srv = server(|_, _, _| Reply::plain(403, r#"{"code":"BRAND_NOT_AUTHORIZED_YET","message":"no"}"#)).await;
    let client = builder(&srv.url()).build().unwrap();
    let err = client.execute::<Value>(create_parts(CREATE_BODY)).await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.error_code(), ErrorCode::Unknown("BRAND_NOT_AUTHORIZED_YET".into()));
    assert!(!api.error_code().is_documented());
    assert!(!api.signature_verified);
    assert_eq!(api.request_id.as_deref(), Some("UNSIGNED-REQ-1"));
    assert_eq!(srv.requests().len(), 1);
}

#[tokio::test]
async fn signed_error_responses_that_do_not_verify_are_refused() {
    let srv = server(|_, keys, _| {
        Reply::signed(400, r#"{"code":"PARAM_ERROR","message":"m"}"#, &keys.public_key_mode, PUB_KEY_ID)
            .replace_header("Wechatpay-Signature", "WECHATPAY/SIGNTEST/AAAA")
    })
    .await;
    let client = builder(&srv.url()).build().unwrap();
    let err = client.execute::<Value>(create_parts(CREATE_BODY)).await.unwrap_err();
    assert!(matches!(verification_reason(&err), VerifyError::BadSignature { .. }));
    assert_eq!(err.status(), Some(400));
}

async fn rejected(reply: impl Fn(&WechatKeys) -> Reply + Send + Sync + 'static) -> (Error, usize) {
    let srv = server(move |_, keys, _| reply(keys)).await;
    let client = builder(&srv.url()).build().unwrap();
    let err = client.execute::<Value>(create_parts(CREATE_BODY)).await.unwrap_err();
    (err, srv.requests().len())
}

#[tokio::test]
async fn missing_signature_headers_are_rejected() {
    for name in ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"] {
        let (err, sent) = rejected(move |keys| ok(keys).without_header(name)).await;
        assert_eq!(verification_reason(&err), &VerifyError::MissingHeader(name), "{name}");
        assert_eq!(sent, 1, "verification failures are not retried");
        assert_eq!(err.request_id(), Some("08F1A2B3C4D5-200000"));
    }
    let (err, _) = rejected(|_| Reply::plain(200, OK_BODY)).await;
    assert!(matches!(verification_reason(&err), VerifyError::MissingHeader(_)));
}

#[tokio::test]
async fn bad_signatures_are_rejected() {
    // Signed by the wrong key.
    let (err, _) = rejected(|keys| Reply::signed(200, OK_BODY, &keys.platform, PUB_KEY_ID)).await;
    assert!(matches!(verification_reason(&err), VerifyError::BadSignature { .. }));
    // Body changed after signing.
    let (err, _) = rejected(|keys| match Reply::signed(200, OK_BODY, &keys.public_key_mode, PUB_KEY_ID) {
        Reply::Respond { status, headers, .. } => {
            Reply::Respond { status, headers, body: OK_BODY.replace("AUDITING", "EFFECTIVE").into_bytes() }
        }
        other => other,
    })
    .await;
    assert!(matches!(verification_reason(&err), VerifyError::BadSignature { .. }));
    // WeChat Pay's probe signature simply fails.
    let (err, _) = rejected(|keys| {
        ok(keys).replace_header("Wechatpay-Signature", "WECHATPAY/SIGNTEST/5HvSSYRTdVyP3iX1cJ5C0rNtiI7DQ1Jr+yGJZFA==")
    })
    .await;
    assert!(matches!(verification_reason(&err), VerifyError::BadSignature { .. }));
    // Not Base64 at all.
    let (err, _) = rejected(|keys| ok(keys).replace_header("Wechatpay-Signature", "%%%")).await;
    assert!(matches!(verification_reason(&err), VerifyError::BadSignature { .. }));
}

#[tokio::test]
async fn unknown_serials_are_rejected() {
    let (err, _) = rejected(|keys| {
        Reply::signed(200, OK_BODY, &keys.public_key_mode, "PUB_KEY_ID_0000000000000000000000000000000001")
    })
    .await;
    assert_eq!(
        verification_reason(&err),
        &VerifyError::UnknownSerial("PUB_KEY_ID_0000000000000000000000000000000001".into())
    );
}

#[tokio::test]
async fn stale_and_future_timestamps_are_rejected() {
    for skew in [-301, 400] {
        let (err, _) =
            rejected(move |keys| Reply::signed_at(200, OK_BODY, &keys.public_key_mode, PUB_KEY_ID, now() + skew)).await;
        assert!(matches!(verification_reason(&err), VerifyError::StaleTimestamp { .. }), "{skew}: {err}");
    }
    let (err, _) = rejected(|keys| ok(keys).replace_header("Wechatpay-Timestamp", "yesterday")).await;
    assert!(matches!(verification_reason(&err), VerifyError::InvalidHeader { .. }));
}

#[tokio::test]
async fn garbage_bodies_are_decode_errors_that_keep_the_raw_body() {
    let srv = server(|_, keys, _| Reply::signed(200, "{not json", &keys.public_key_mode, PUB_KEY_ID)).await;
    let client = builder(&srv.url()).build().unwrap();
    let err = client.execute::<Value>(create_parts(CREATE_BODY)).await.unwrap_err();
    match &err {
        Error::Decode(d) => {
            assert_eq!(d.body, b"{not json");
            assert_eq!(d.status, 200);
            assert_eq!(d.request_id.as_deref(), Some("08F1A2B3C4D5-200000"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(!err.is_retryable());
    assert_eq!(srv.requests().len(), 1);
}

#[tokio::test]
async fn extra_headers_and_empty_bodies_do_not_fail_a_success() {
    let srv = server(|i, keys, _| match i {
        0 => ok(keys).with_header("X-Something-New", "1").with_header("Set-Cookie", "a=b"),
        _ => Reply::signed(204, "", &keys.public_key_mode, PUB_KEY_ID),
    })
    .await;
    let client = builder(&srv.url()).build().unwrap();
    let _: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    let v: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    assert_eq!(v, Value::Null);
    let (): () = client.execute(create_parts(CREATE_BODY)).await.unwrap();
}

#[tokio::test]
async fn attempt_and_total_timeouts_are_distinct_errors() {
    let srv = server(|_, keys, _| Reply::Delay(Duration::from_secs(30), Box::new(ok(keys)))).await;
    let client = builder(&srv.url()).build().unwrap();
    let one_shot = CallOptions::new().attempt_timeout(Duration::from_millis(100)).retry(RetryPolicy::none());
    let err = client.with_options(one_shot).execute::<Value>(create_parts(CREATE_BODY)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(TimeoutKind::Attempt)), "{err:?}");
    assert!(err.is_retryable());

    let retried = CallOptions::new()
        .attempt_timeout(Duration::from_millis(100))
        .retry(RetryPolicy::attempts(1000).with_backoff(Duration::from_millis(1), Duration::from_millis(1)))
        // The total limit is far above one attempt's, so even a starved machine retries at
        // least once before it (the count below is not a timing assertion).
        .timeout(Duration::from_secs(3));
    let err = client.with_options(retried).execute::<Value>(create_parts(CREATE_BODY)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(TimeoutKind::Total)), "{err:?}");
    assert!(!err.is_retryable());
    assert!(srv.requests().len() >= 2, "the attempt timeout was retried before the total limit");
}

#[tokio::test]
async fn unreachable_primary_fails_over_to_the_backup() {
    let srv = server(|_, keys, _| ok(keys)).await;
    let primary = RefusedAddr::bind();
    let client = builder(primary.url()).backup_base_url(srv.url()).retry_policy(RetryPolicy::none()).build().unwrap();
    let v: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    assert_eq!(v["state"], "AUDITING");
    let v: Value = client.execute(query_parts("1", "2")).await.unwrap();
    assert_eq!(v["state"], "AUDITING");
    assert_eq!(srv.requests().len(), 2);
    assert_all_signed(&srv);
}

#[tokio::test]
async fn connection_refused_without_a_backup_is_a_retryable_transport_error() {
    let primary = RefusedAddr::bind();
    let client = builder(primary.url()).retry_policy(RetryPolicy::none()).build().unwrap();
    let err = client.execute::<Value>(create_parts(CREATE_BODY)).await.unwrap_err();
    match &err {
        Error::Transport(t) => assert!(t.connect),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(err.is_retryable());
}

fn certificate_server_reply(i: usize, keys: &WechatKeys, req: &Request, public_key_too: bool) -> Reply {
    if req.target == "/v3/certificates" {
        let body = String::from_utf8(certificates_body()).unwrap();
        return Reply::signed(200, &body, &keys.platform, PLATFORM_SERIAL);
    }
    if public_key_too && i % 2 == 0 {
        Reply::signed(200, OK_BODY, &keys.public_key_mode, PUB_KEY_ID)
    } else {
        Reply::signed(200, OK_BODY, &keys.platform, PLATFORM_SERIAL)
    }
}

#[tokio::test]
async fn certificate_mode_downloads_decrypts_and_verifies_end_to_end() {
    let srv = server(|i, keys, req| certificate_server_reply(i, keys, req, false)).await;
    let client = Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .apiv3_key(APIV3_KEY)
        .base_url(srv.url())
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let v: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    assert_eq!(v["state"], "AUDITING");
    let _: Value = client.execute(query_parts("1", "2")).await.unwrap();
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 3, "one certificate download, then the two calls");
    assert_eq!((reqs[0].method.as_str(), reqs[0].target.as_str()), ("GET", "/v3/certificates"));
    assert!(reqs[0].body.is_empty());
    assert_eq!(reqs[1].header("Wechatpay-Serial"), Some(PLATFORM_SERIAL));
    assert_all_signed(&srv);
    assert_eq!(client.refresh_certificates().await.unwrap(), 1);
}

#[tokio::test]
async fn certificate_mode_rejects_a_wrong_apiv3_key() {
    let srv = server(|i, keys, req| certificate_server_reply(i, keys, req, false)).await;
    let client = Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .apiv3_key("WrongApiV3Key0123456789abcdefghi")
        .base_url(srv.url())
        .build()
        .unwrap();
    let err = client.execute::<Value>(create_parts(CREATE_BODY)).await.unwrap_err();
    assert!(matches!(err, Error::Certificate(_)), "{err:?}");
}

#[tokio::test]
async fn during_a_switch_both_public_key_and_certificate_signatures_verify() {
    let srv = server(|i, keys, req| certificate_server_reply(i, keys, req, true)).await;
    let client = builder(&srv.url()).apiv3_key(APIV3_KEY).verification_mode(VerificationMode::Both).build().unwrap();
    for _ in 0..4 {
        let _: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    }
    let reqs = srv.requests();
    assert_eq!(reqs[0].target, "/v3/certificates");
    assert_eq!(reqs.len(), 5);
    assert!(reqs[1..].iter().all(|r| r.header("Wechatpay-Serial") == Some(PUB_KEY_ID)));
}

#[tokio::test]
async fn a_rotated_certificate_is_fetched_when_its_serial_first_appears() {
    // The first download lists only the old certificate; responses are then signed with a new
    // one, whose unknown serial makes the client download the list again (now with both).
    let downloads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = Arc::clone(&downloads);
    let srv = server(move |_, keys, req| {
        if req.target == "/v3/certificates" {
            let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let body = if n == 0 {
                certificates_body_with(&[(PLATFORM_SERIAL, PLATFORM_CERT_PEM)])
            } else {
                certificates_body_with(&[(PLATFORM_SERIAL, PLATFORM_CERT_PEM), (PLATFORM2_SERIAL, PLATFORM2_CERT_PEM)])
            };
            return Reply::signed(200, std::str::from_utf8(&body).unwrap(), &keys.platform, PLATFORM_SERIAL);
        }
        Reply::signed(200, OK_BODY, &keys.platform2, PLATFORM2_SERIAL)
    })
    .await;
    let client = Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .apiv3_key(APIV3_KEY)
        .base_url(srv.url())
        .build()
        .unwrap();
    let _: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    let _: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
    let targets: Vec<_> = srv.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(targets.iter().filter(|t| *t == "/v3/certificates").count(), 2, "{targets:?}");
    assert_eq!(targets.len(), 4);
    // The newest certificate is announced from then on.
    assert_eq!(srv.requests()[3].header("Wechatpay-Serial"), Some(PLATFORM2_SERIAL));
}

#[tokio::test]
async fn an_unknown_serial_is_rejected_when_no_download_can_help() {
    // Public-key mode only: nothing to download, the serial is simply unknown.
    let (err, sent) = rejected(|keys| Reply::signed(200, OK_BODY, &keys.platform, PLATFORM_SERIAL)).await;
    assert_eq!(verification_reason(&err), &VerifyError::UnknownSerial(PLATFORM_SERIAL.into()));
    assert_eq!(sent, 1);
}

#[tokio::test]
async fn dry_run_returns_the_signed_request_and_sends_nothing() {
    let srv = server(|_, keys, _| ok(keys)).await;
    let client = builder(&srv.url()).build().unwrap();
    let prepared = client.prepare(&query_parts("42", "7")).unwrap();
    assert_eq!(srv.requests().len(), 0);
    assert_eq!(prepared.method, "GET");
    assert_eq!(
        prepared.url,
        format!("{}/v3/marketing/partner/product-coupon/product-coupons/42?brand_id=7", srv.url())
    );
    assert_eq!(prepared.canonical_url, "/v3/marketing/partner/product-coupon/product-coupons/42?brand_id=7");
    let as_received = Request {
        method: prepared.method.clone(),
        target: prepared.canonical_url.clone(),
        headers: prepared.headers.clone(),
        body: prepared.body.clone(),
    };
    as_received.check_merchant_signature().unwrap();
    assert_eq!(prepared.header("wechatpay-serial"), Some(PUB_KEY_ID));
}

#[tokio::test]
async fn per_call_options_do_not_leak_into_the_shared_client() {
    let srv = server(|i, keys, _| if i == 0 { Reply::plain(500, "") } else { ok(keys) }).await;
    let client = builder(&srv.url()).build().unwrap();
    let no_retry = client.with_options(CallOptions::new().retry(RetryPolicy::none()).skip_validation(true));
    assert!(!no_retry.validation_enabled());
    assert!(client.validation_enabled());
    assert!(no_retry.execute::<Value>(create_parts(CREATE_BODY)).await.is_err());
    let _: Value = client.execute(create_parts(CREATE_BODY)).await.unwrap();
}

#[tokio::test]
async fn clients_are_shared_across_tasks() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
    let srv = server(|_, keys, _| ok(keys)).await;
    let client = builder(&srv.url()).build().unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.execute::<Value>(create_parts(CREATE_BODY)).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(srv.requests().len(), 8);
}
