//! Verification modes against real HTTP servers on 127.0.0.1: public-key mode never downloads,
//! certificate mode downloads and verifies, `both` accepts either; certificates expire, a
//! listing must carry the certificate's own serial, and a refresh keeps the previous set only
//! for the overlap window (an injected clock moves time, nothing sleeps). Also absurd
//! `Retry-After` values, which must neither panic nor stall a call.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use support::*;
use wechatpay_product_coupon::runtime::client::VerificationMode;
use wechatpay_product_coupon::runtime::verify::VerifyError;
use wechatpay_product_coupon::{Client, ClientBuilder, Error, RetryPolicy};

const OK_BODY: &str = r#"{"product_coupon_id":"1000000013","state":"AUDITING","brand_id":"120344"}"#;
const CREATE_BODY: &str = r#"{"out_request_no":"34657_20250101_123456","brand_id":"120344","usage_mode":"SINGLE"}"#;
const CERTS: &str = "/v3/certificates";
/// 2027-01-15, before every listed expiry below unless a test moves it.
const T0: i64 = 1_800_000_000;

fn base(url: &str) -> ClientBuilder {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .base_url(url)
        .retry_policy(RetryPolicy::none())
}

fn with_public_key(b: ClientBuilder) -> ClientBuilder {
    b.wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
}

/// A listing entry: (listed serial, PEM, expire_time).
type Entry<'a> = (&'a str, &'a str, &'a str);

/// A `/v3/certificates` body with chosen serials and expiry times.
fn listing(entries: &[Entry<'_>]) -> String {
    let data: Vec<_> = entries
        .iter()
        .enumerate()
        .map(|(i, (serial, pem, expire))| {
            let nonce = format!("0123456789a{i}");
            serde_json::json!({
                "serial_no": serial,
                "effective_time": format!("2025-0{}-01T00:00:00+08:00", i + 1),
                "expire_time": expire,
                "encrypt_certificate": {
                    "algorithm": "AEAD_AES_256_GCM",
                    "nonce": nonce,
                    "associated_data": "certificate",
                    "ciphertext": aead_encrypt(APIV3_KEY, &nonce, "certificate", pem.as_bytes())
                }
            })
        })
        .collect();
    serde_json::json!({ "data": data }).to_string()
}

/// Which key signs a reply.
#[derive(Clone, Copy)]
enum Signer {
    PublicKey,
    Platform,
    Platform2,
}

fn signed(keys: &WechatKeys, signer: Signer, body: &str) -> Reply {
    match signer {
        Signer::PublicKey => Reply::signed(200, body, &keys.public_key_mode, PUB_KEY_ID),
        Signer::Platform => Reply::signed(200, body, &keys.platform, PLATFORM_SERIAL),
        Signer::Platform2 => Reply::signed(200, body, &keys.platform2, PLATFORM2_SERIAL),
    }
}

/// A server answering `/v3/certificates` with `downloads(n)` (the n-th download: listing and
/// signer) and every other request with `calls(n)` (the n-th call's signer); the merchant
/// signature of every request is checked.
async fn server(
    downloads: impl Fn(usize) -> (String, Signer) + Send + Sync + 'static,
    calls: impl Fn(usize) -> Signer + Send + Sync + 'static,
) -> TestServer {
    let keys = WechatKeys::load();
    let (d, c) = (AtomicUsize::new(0), AtomicUsize::new(0));
    TestServer::start(move |req, _| {
        if let Err(e) = req.check_merchant_signature() {
            return Reply::plain(401, &format!(r#"{{"code":"SIGN_ERROR","message":"{e}"}}"#));
        }
        if req.target == CERTS {
            let (body, signer) = downloads(d.fetch_add(1, Ordering::SeqCst));
            signed(&keys, signer, &body)
        } else {
            signed(&keys, calls(c.fetch_add(1, Ordering::SeqCst)), OK_BODY)
        }
    })
    .await
}

fn valid_listing() -> (String, Signer) {
    (listing(&[(PLATFORM_SERIAL, PLATFORM_CERT_PEM, "2030-01-01T00:00:00+08:00")]), Signer::Platform)
}

fn downloads(srv: &TestServer) -> usize {
    srv.requests().iter().filter(|r| r.target == CERTS).count()
}

fn verification_reason(e: &Error) -> &VerifyError {
    match e {
        Error::Verification(v) => &v.reason,
        other => panic!("expected a verification error, got {other:?}"),
    }
}

async fn call(client: &Client) -> Result<Value, Error> {
    client.execute(create_parts(CREATE_BODY)).await
}

#[tokio::test]
async fn public_key_mode_with_the_apiv3_key_makes_exactly_one_request_per_call() {
    let srv = server(|_| valid_listing(), |_| Signer::PublicKey).await;
    let client = with_public_key(base(&srv.url())).apiv3_key(APIV3_KEY).build().unwrap();
    assert_eq!(client.verification_mode(), VerificationMode::PublicKey);
    for _ in 0..3 {
        call(&client).await.unwrap();
    }
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 3, "{:?}", reqs.iter().map(|r| &r.target).collect::<Vec<_>>());
    assert!(reqs.iter().all(|r| r.target != CERTS && r.header("Wechatpay-Serial") == Some(PUB_KEY_ID)));
    // Asking for a download is a configuration error, not a request.
    assert!(matches!(client.refresh_certificates().await, Err(Error::Config(m)) if m.contains("public_key")));
    assert_eq!(srv.requests().len(), 3);
}

#[tokio::test]
async fn public_key_mode_refuses_certificate_signatures_without_downloading() {
    let srv = server(|_| valid_listing(), |_| Signer::Platform).await;
    let client = with_public_key(base(&srv.url())).apiv3_key(APIV3_KEY).build().unwrap();
    let err = call(&client).await.unwrap_err();
    assert_eq!(verification_reason(&err), &VerifyError::UnknownSerial(PLATFORM_SERIAL.into()));
    assert_eq!(downloads(&srv), 0);
}

#[tokio::test]
async fn explicit_certificate_mode_downloads_verifies_and_ignores_the_public_key() {
    let srv = server(|_| valid_listing(), |i| if i == 0 { Signer::Platform } else { Signer::PublicKey }).await;
    let client = with_public_key(base(&srv.url()))
        .apiv3_key(APIV3_KEY)
        .verification_mode(VerificationMode::PlatformCertificate)
        .build()
        .unwrap();
    assert_eq!(call(&client).await.unwrap()["state"], "AUDITING");
    let reqs = srv.requests();
    assert_eq!(reqs[0].target, CERTS);
    assert_eq!(reqs[1].header("Wechatpay-Serial"), Some(PLATFORM_SERIAL));
    // A public-key signature is not accepted in certificate mode, and no certificate download
    // could change that.
    let err = call(&client).await.unwrap_err();
    assert_eq!(verification_reason(&err), &VerifyError::UnknownSerial(PUB_KEY_ID.into()));
    assert_eq!(downloads(&srv), 1);
}

#[tokio::test]
async fn both_mode_accepts_either_signature() {
    let srv = server(|_| valid_listing(), |i| if i % 2 == 0 { Signer::PublicKey } else { Signer::Platform }).await;
    let client = with_public_key(base(&srv.url()))
        .apiv3_key(APIV3_KEY)
        .verification_mode(VerificationMode::Both)
        .build()
        .unwrap();
    for _ in 0..4 {
        call(&client).await.unwrap();
    }
    assert_eq!(downloads(&srv), 1);
    assert_eq!(srv.requests().len(), 5);
}

#[tokio::test]
async fn an_expired_certificate_never_verifies() {
    // The listing holds a valid certificate and one whose expire_time has passed; responses
    // signed with the expired one are refused, without another download.
    let srv = server(
        |_| {
            let body = listing(&[
                (PLATFORM_SERIAL, PLATFORM_CERT_PEM, "2030-01-01T00:00:00+08:00"),
                (PLATFORM2_SERIAL, PLATFORM2_CERT_PEM, "2026-01-01T00:00:00+08:00"),
            ]);
            (body, Signer::Platform)
        },
        |i| if i == 0 { Signer::Platform } else { Signer::Platform2 },
    )
    .await;
    let client = base(&srv.url()).apiv3_key(APIV3_KEY).certificate_clock(|| T0).build().unwrap();
    call(&client).await.unwrap();
    let err = call(&client).await.unwrap_err();
    assert_eq!(
        verification_reason(&err),
        &VerifyError::ExpiredCertificate { serial: PLATFORM2_SERIAL.into(), expired_at: 1_767_196_800 }
    );
    assert_eq!(downloads(&srv), 1);
}

#[tokio::test]
async fn a_download_signed_by_an_expired_certificate_is_refused() {
    // The clock is past every listed expire_time (2030-01-01T00:00:00+08:00).
    let srv = server(|_| valid_listing(), |_| Signer::Platform).await;
    let client = base(&srv.url()).apiv3_key(APIV3_KEY).certificate_clock(|| 1_893_456_000).build().unwrap();
    let err = call(&client).await.unwrap_err();
    assert!(matches!(verification_reason(&err), VerifyError::ExpiredCertificate { .. }), "{err:?}");
    assert_eq!(srv.requests().len(), 1, "nothing is called without a usable key");
}

#[tokio::test]
async fn the_certificates_own_not_after_bounds_a_later_listed_expiry() {
    // The test certificates' notAfter is 2126-10-30; the listing claims 2199.
    let srv = server(
        |_| (listing(&[(PLATFORM_SERIAL, PLATFORM_CERT_PEM, "2199-01-01T00:00:00Z")]), Signer::Platform),
        |_| Signer::Platform,
    )
    .await;
    let now = Arc::new(AtomicI64::new(T0));
    let clock = Arc::clone(&now);
    let client =
        base(&srv.url()).apiv3_key(APIV3_KEY).certificate_clock(move || clock.load(Ordering::SeqCst)).build().unwrap();
    call(&client).await.unwrap();
    now.store(5_000_000_000, Ordering::SeqCst); // 2128
    let err = call(&client).await.unwrap_err();
    assert!(matches!(verification_reason(&err), VerifyError::ExpiredCertificate { .. }), "{err:?}");
}

#[tokio::test]
async fn a_listing_whose_serial_is_not_the_certificates_own_is_refused() {
    // Entry 2 lists the second certificate under a made-up serial; a response signed with that
    // certificate and naming that serial must not verify.
    const FAKE_SERIAL: &str = "ABCDEF0123456789";
    let srv = server(
        |_| {
            let body = listing(&[
                (PLATFORM_SERIAL, PLATFORM_CERT_PEM, "2030-01-01T00:00:00+08:00"),
                (FAKE_SERIAL, PLATFORM2_CERT_PEM, "2030-01-01T00:00:00+08:00"),
            ]);
            (body, Signer::Platform)
        },
        |_| Signer::Platform,
    )
    .await;
    let keys = WechatKeys::load();
    let client = base(&srv.url()).apiv3_key(APIV3_KEY).build().unwrap();
    call(&client).await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    for (n, v) in signature_headers(&keys.platform2, FAKE_SERIAL, OK_BODY.as_bytes(), now()) {
        headers.insert(reqwest::header::HeaderName::from_bytes(n.as_bytes()).unwrap(), v.parse().unwrap());
    }
    let err = client.verify_signature(&headers, OK_BODY.as_bytes()).await.unwrap_err();
    assert_eq!(err, VerifyError::UnknownSerial(FAKE_SERIAL.into()));

    // A listing with no matching entry at all is unusable.
    let srv = server(
        |_| (listing(&[(PLATFORM2_SERIAL, PLATFORM_CERT_PEM, "2030-01-01T00:00:00+08:00")]), Signer::Platform),
        |_| Signer::Platform,
    )
    .await;
    let client = base(&srv.url()).apiv3_key(APIV3_KEY).build().unwrap();
    let err = call(&client).await.unwrap_err();
    assert!(matches!(&err, Error::Certificate(m) if m.contains("serial")), "{err:?}");
}

#[tokio::test]
async fn after_a_refresh_the_old_set_verifies_within_the_overlap_window_only() {
    // Download 0 lists the old certificate, later downloads only the new one. Calls are signed
    // with the old certificate except call 2, signed with the new one.
    let srv = server(
        |n| {
            if n == 0 {
                valid_listing()
            } else {
                (listing(&[(PLATFORM2_SERIAL, PLATFORM2_CERT_PEM, "2030-01-01T00:00:00+08:00")]), Signer::Platform2)
            }
        },
        |i| if i == 2 { Signer::Platform2 } else { Signer::Platform },
    )
    .await;
    let now = Arc::new(AtomicI64::new(T0));
    let clock = Arc::clone(&now);
    let client = base(&srv.url())
        .apiv3_key(APIV3_KEY)
        .certificate_overlap(Duration::from_secs(600))
        .certificate_clock(move || clock.load(Ordering::SeqCst))
        .build()
        .unwrap();
    call(&client).await.unwrap(); // download 0, call 0
    assert_eq!(client.refresh_certificates().await.unwrap(), 1); // download 1 replaces the set at T0
    now.store(T0 + 599, Ordering::SeqCst);
    call(&client).await.unwrap(); // call 1: old certificate, inside the window
    call(&client).await.unwrap(); // call 2: new certificate
    assert_eq!(srv.requests().last().unwrap().header("Wechatpay-Serial"), Some(PLATFORM2_SERIAL));
    now.store(T0 + 600, Ordering::SeqCst);
    let err = call(&client).await.unwrap_err(); // call 3: old certificate, window over
    assert_eq!(verification_reason(&err), &VerifyError::UnknownSerial(PLATFORM_SERIAL.into()));
    // The unknown serial triggered one more download, which did not bring it back.
    assert_eq!(downloads(&srv), 3);
}

#[tokio::test]
async fn absurd_retry_after_values_neither_panic_nor_stall() {
    let keys = Arc::new(WechatKeys::load());
    let k = Arc::clone(&keys);
    let srv = TestServer::start(move |_, i| match i {
        0 => Reply::plain(429, r#"{"code":"RATELIMIT_EXCEEDED","message":"slow down"}"#)
            .with_header("Retry-After", "99999999999999999999"),
        1 => Reply::plain(503, "busy").with_header("Retry-After", "Thu, 01 Jan 1970 00:00:00 GMT"),
        2 => Reply::plain(503, "busy").with_header("Retry-After", "-5"),
        _ => Reply::signed(200, OK_BODY, &k.public_key_mode, PUB_KEY_ID),
    })
    .await;
    let policy = RetryPolicy::attempts(u32::MAX).with_backoff(Duration::from_millis(1), Duration::from_millis(20));
    let client = with_public_key(base(&srv.url())).retry_policy(policy).build().unwrap();
    assert_eq!(call(&client).await.unwrap()["state"], "AUDITING");
    assert_eq!(srv.requests().len(), 4);
}

#[tokio::test]
async fn an_unbounded_cap_and_retry_after_end_in_the_total_timeout() {
    // `Duration::MAX` everywhere: the wait is effectively forever, so the call's total timeout,
    // not a panic or an overflow, ends it.
    let srv = TestServer::start(|_, _| {
        Reply::plain(429, r#"{"code":"RATELIMIT_EXCEEDED","message":"slow down"}"#)
            .with_header("Retry-After", "99999999999999999999")
    })
    .await;
    let policy = RetryPolicy {
        max_attempts: u32::MAX,
        initial_backoff: Duration::MAX,
        max_backoff: Duration::MAX,
        multiplier: f64::MAX,
        jitter: true,
    };
    let client =
        with_public_key(base(&srv.url())).retry_policy(policy).total_timeout(Duration::from_secs(1)).build().unwrap();
    let err = call(&client).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(wechatpay_product_coupon::runtime::error::TimeoutKind::Total)), "{err:?}");
    // One attempt, then the endless wait (none at all if a loaded machine was slower than 1 s).
    assert!(srv.requests().len() <= 1);
}

#[test]
fn builder_inference_without_the_environment() {
    let b = || {
        Client::builder()
            .mchid(MCHID)
            .merchant_serial_no(MERCHANT_SERIAL)
            .private_key_pem(MERCHANT_KEY_PEM)
            .base_url("http://127.0.0.1:9")
    };
    let pk = || b().wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM);
    assert_eq!(pk().build().unwrap().verification_mode(), VerificationMode::PublicKey);
    assert_eq!(pk().apiv3_key(APIV3_KEY).build().unwrap().verification_mode(), VerificationMode::PublicKey);
    assert_eq!(
        pk().platform_certificate_pem(PLATFORM_CERT_PEM).build().unwrap().verification_mode(),
        VerificationMode::Both
    );
    assert_eq!(b().apiv3_key(APIV3_KEY).build().unwrap().verification_mode(), VerificationMode::PlatformCertificate);
    assert_eq!(
        b().platform_certificate_pem(PLATFORM_CERT_PEM).build().unwrap().verification_mode(),
        VerificationMode::PlatformCertificate
    );
    assert!(matches!(b().build(), Err(Error::Config(m)) if m.contains("cannot be verified")));
    assert!(matches!(
        pk().verification_mode(VerificationMode::PlatformCertificate).build(),
        Err(Error::Config(m)) if m.contains("APIv3 key")
    ));
    let text = format!("{:?}", pk().apiv3_key(APIV3_KEY).build().unwrap());
    assert!(text.contains("verification_mode: PublicKey") && !text.contains(APIV3_KEY), "{text}");
}
