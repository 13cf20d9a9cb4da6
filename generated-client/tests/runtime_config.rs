//! Configuration, secrets hygiene (Debug, errors, tracing output) and the public signing and
//! verification pieces a sandbox or CLI uses. Nothing here touches the process environment:
//! `from_env` is tested in `from_env.rs`, a binary of its own (building a client reads the
//! environment, so a test setting variables would race with every other test here).

mod support;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use support::*;
use wechatpay_product_coupon::runtime::aead::ApiV3Key;
use wechatpay_product_coupon::runtime::certificates::{CertificateListing, decrypt_certificates, encrypt_certificates};
use wechatpay_product_coupon::runtime::keys::parse_certificate_pem;
use wechatpay_product_coupon::runtime::signing::{RequestSigner, ResponseSigner, unix_timestamp};
use wechatpay_product_coupon::runtime::verify::{AuthScheme, KeySet, VerifyError, verify_request};
use wechatpay_product_coupon::{CallOptions, Client, ClientBuilder, Error, PrivateKey, PublicKey, RetryPolicy};

fn builder() -> ClientBuilder {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
}

/// Fragments that must never show: key material and the APIv3 key.
fn assert_no_secrets(text: &str) {
    let first: String = MERCHANT_KEY_PEM.lines().nth(1).unwrap().chars().take(24).collect();
    let middle: String = MERCHANT_KEY_PEM.lines().nth(10).unwrap().chars().take(24).collect();
    for secret in [APIV3_KEY, first.as_str(), middle.as_str()] {
        assert!(!text.contains(secret), "secret {secret:?} leaked in: {text}");
    }
}

#[test]
fn debug_output_never_shows_keys() {
    let b = builder().apiv3_key(APIV3_KEY);
    assert_no_secrets(&format!("{b:?}"));
    let client = b.build().unwrap();
    let text = format!("{client:?}");
    assert_no_secrets(&text);
    assert!(text.contains(MCHID) && text.contains("<redacted>"), "{text}");
    let key = PrivateKey::from_pem(MERCHANT_KEY_PEM).unwrap();
    assert_eq!(format!("{key:?}"), "PrivateKey(<redacted>)");
    assert_no_secrets(&format!("{:?}", RequestSigner::merchant(MCHID, MERCHANT_SERIAL, key.clone())));
    assert_no_secrets(&format!("{:?}", ResponseSigner::new(PUB_KEY_ID, key)));
    assert_no_secrets(&format!("{:?}", ApiV3Key::new(APIV3_KEY).unwrap()));
    assert_no_secrets(&format!("{:?}", client.with_options(CallOptions::new().skip_validation(true))));
    let prepared = client.get_product_coupon("1000000013", "120344").prepare().unwrap();
    assert_no_secrets(&format!("{prepared:?}"));
}

#[test]
fn configuration_errors_are_reported_without_key_material() {
    let config_error = |b: ClientBuilder| match b.build() {
        Err(Error::Config(msg)) => {
            assert_no_secrets(&msg);
            msg
        }
        other => panic!("expected a config error, got {other:?}"),
    };
    config_error(Client::builder().merchant_serial_no("S").private_key_pem(MERCHANT_KEY_PEM));
    config_error(builder().mchid("19\"00"));
    config_error(builder().private_key_pem(MERCHANT_KEY_PEM.replace('M', "*")));
    config_error(builder().private_key_pem(MERCHANT_PUB_PEM));
    config_error(builder().wechatpay_public_key_pem(PUB_KEY_ID, "not a pem"));
    config_error(builder().apiv3_key("too short"));
    config_error(builder().base_url("http://api.mch.weixin.qq.com"));
    config_error(builder().base_url("http://127.0.0.1:1").backup_base_url("http://192.168.1.1"));
    config_error(builder().base_url("https://api.mch.weixin.qq.com/v3/"));
    let msg = config_error(
        Client::builder().mchid(MCHID).merchant_serial_no(MERCHANT_SERIAL).private_key_pem(MERCHANT_KEY_PEM),
    );
    assert!(msg.contains("verified"), "{msg}");
    // Loopback over http is fine, and so is certificate-only mode.
    builder().base_url("http://localhost:8080").build().unwrap();
    builder().base_url("http://[::1]:8080").build().unwrap();
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PKCS1_PEM)
        .apiv3_key(APIV3_KEY)
        .build()
        .unwrap();
}

#[test]
fn a_sandbox_can_verify_client_requests_and_sign_its_responses() {
    let client = builder().build().unwrap();
    let prepared = client.prepare(&create_parts(r#"{"a":1}"#)).unwrap();
    let auth = prepared.header("Authorization").unwrap();
    let merchant = PublicKey::from_pem(MERCHANT_PUB_PEM).unwrap();
    let lookup = |p: &wechatpay_product_coupon::runtime::verify::AuthorizationParams| {
        (p.mchid() == Some(MCHID) && p.serial_no == MERCHANT_SERIAL).then(|| merchant.clone())
    };
    let now = unix_timestamp();
    let params =
        verify_request(&[AuthScheme::PARTNER], auth, "POST", &prepared.canonical_url, &prepared.body, now, lookup)
            .unwrap();
    assert_eq!(params.mchid(), Some(MCHID));
    assert!(matches!(
        verify_request(&[AuthScheme::PARTNER], auth, "POST", &prepared.canonical_url, br#"{"a":2}"#, now, lookup),
        Err(VerifyError::BadSignature { .. })
    ));
    assert!(matches!(
        verify_request(&[AuthScheme::PARTNER], auth, "PATCH", &prepared.canonical_url, &prepared.body, now, lookup),
        Err(VerifyError::BadSignature { .. })
    ));
    assert!(matches!(
        verify_request(
            &[AuthScheme::PARTNER],
            auth,
            "POST",
            &prepared.canonical_url,
            &prepared.body,
            now + 300,
            lookup
        ),
        Err(VerifyError::StaleTimestamp { .. })
    ));
    assert!(matches!(
        verify_request(&[AuthScheme::PARTNER], auth, "POST", &prepared.canonical_url, &prepared.body, now, |_| None),
        Err(VerifyError::UnknownSerial(_))
    ));

    // The sandbox signs a response; a KeySet (as a client or a callback handler holds) checks it.
    let signer = ResponseSigner::new(PUB_KEY_ID, PrivateKey::from_pem(WECHATPAY_KEY_PEM).unwrap());
    let body = br#"{"ok":true}"#;
    let mut headers = HeaderMap::new();
    for (name, value) in signer.sign(body).header_pairs() {
        headers.insert(HeaderName::from_static_lower(name), HeaderValue::from_str(&value).unwrap());
    }
    let mut keys = KeySet::new();
    keys.insert(PUB_KEY_ID, PublicKey::from_pem(WECHATPAY_PUB_PEM).unwrap());
    keys.verify_response(&headers, body).unwrap();
    assert!(matches!(keys.verify_response(&headers, b"{}"), Err(VerifyError::BadSignature { .. })));
}

trait FromStaticLower {
    fn from_static_lower(name: &str) -> HeaderName;
}

impl FromStaticLower for HeaderName {
    fn from_static_lower(name: &str) -> HeaderName {
        HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).unwrap()
    }
}

#[test]
fn certificates_round_trip_through_the_public_helpers() {
    let info = parse_certificate_pem(PLATFORM_CERT_PEM).unwrap();
    assert_eq!(info.serial_no, PLATFORM_SERIAL);
    assert_eq!(parse_certificate_pem(PLATFORM2_CERT_PEM).unwrap().serial_no, PLATFORM2_SERIAL);
    let key = ApiV3Key::new(APIV3_KEY).unwrap();
    let body = encrypt_certificates(
        &[CertificateListing {
            serial_no: PLATFORM_SERIAL.into(),
            effective_time: "2025-01-01T00:00:00+08:00".into(),
            expire_time: "2030-01-01T00:00:00+08:00".into(),
            pem: PLATFORM_CERT_PEM.into(),
        }],
        &key,
    )
    .unwrap();
    let certs = decrypt_certificates(&body, &key).unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].pem, PLATFORM_CERT_PEM);
    // The independent encryption in the test support decrypts with the crate too.
    assert_eq!(decrypt_certificates(&certificates_body(), &key).unwrap()[0].serial_no, PLATFORM_SERIAL);
    assert!(decrypt_certificates(&body, &ApiV3Key::new("WrongApiV3Key0123456789abcdefghi").unwrap()).is_err());
    // A certificate PEM also works as a verification key.
    let from_cert = PublicKey::from_pem(PLATFORM_CERT_PEM).unwrap();
    let signer = ResponseSigner::new(PLATFORM_SERIAL, PrivateKey::from_pem(PLATFORM_KEY_PEM).unwrap());
    let sig = signer.sign(b"x");
    sig.verify(b"x", &from_cert, unix_timestamp()).unwrap();
}

#[path = "support/log_capture.rs"]
mod log_capture;
use log_capture::Capture;

#[test]
fn tracing_names_operation_attempt_status_and_request_id_but_no_secrets_or_bodies() {
    let capture = Capture::default();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let secret_body = r#"{"out_request_no":"SECRET-BODY-MARKER","brand_id":"1"}"#;
    tracing::subscriber::with_default(capture.clone(), || {
        rt.block_on(async {
            let keys = Arc::new(WechatKeys::load());
            let srv = TestServer::start(move |req, i| {
                if req.target == "/v3/certificates" {
                    let body = String::from_utf8(certificates_body()).unwrap();
                    return Reply::signed(200, &body, &keys.platform, PLATFORM_SERIAL);
                }
                if i == 1 {
                    return Reply::plain(500, "RESPONSE-BODY-MARKER");
                }
                Reply::signed(200, r#"{"marker":"RESPONSE-BODY-MARKER"}"#, &keys.public_key_mode, PUB_KEY_ID)
            })
            .await;
            // `both`: a certificate download comes first (request 0), so request 1 is the call.
            let client = builder()
                .apiv3_key(APIV3_KEY)
                .verification_mode(wechatpay_product_coupon::runtime::client::VerificationMode::Both)
                .base_url(srv.url())
                .retry_policy(RetryPolicy::attempts(3).with_backoff(Duration::from_millis(1), Duration::from_millis(1)))
                .build()
                .unwrap();
            let _: Value = client.execute(create_parts(secret_body)).await.unwrap();
        })
    });
    let text = capture.0.lock().unwrap().join("\n");
    assert!(text.contains("span wechatpay.call"), "{text}");
    assert!(text.contains("operation=\"test_create\"") || text.contains("operation=test_create"), "{text}");
    assert!(text.contains("span attempt") && text.contains("attempt=2"), "{text}");
    assert!(text.contains("status=500") && text.contains("status=200"), "{text}");
    assert!(text.contains("08F1A2B3C4D5-200000"), "{text}");
    assert_no_secrets(&text);
    assert!(!text.contains("SECRET-BODY-MARKER") && !text.contains("RESPONSE-BODY-MARKER"), "{text}");
    assert!(!text.contains("signature=\""), "{text}");
}

#[tokio::test]
async fn the_client_verifies_callback_style_signatures_with_its_own_keys() {
    let client = builder().build().unwrap();
    let body = br#"{"id":"EV-2018022511223320873","event_type":"PRODUCT_COUPON_SP.SEND"}"#;
    let signer = ResponseSigner::new(PUB_KEY_ID, PrivateKey::from_pem(WECHATPAY_KEY_PEM).unwrap());
    let mut headers = HeaderMap::new();
    for (name, value) in signer.sign(body).header_pairs() {
        headers.insert(HeaderName::from_static_lower(name), HeaderValue::from_str(&value).unwrap());
    }
    client.verify_signature(&headers, body).await.unwrap();
    assert!(matches!(client.verify_signature(&headers, b"{}").await, Err(VerifyError::BadSignature { .. })));
    let other = ResponseSigner::new("PUB_KEY_ID_OTHER", PrivateKey::from_pem(WECHATPAY_KEY_PEM).unwrap());
    let mut headers = HeaderMap::new();
    for (name, value) in other.sign(body).header_pairs() {
        headers.insert(HeaderName::from_static_lower(name), HeaderValue::from_str(&value).unwrap());
    }
    assert!(matches!(client.verify_signature(&headers, body).await, Err(VerifyError::UnknownSerial(_))));
}
