//! Notifications: the callback's headers and raw body in, a verified, decrypted, typed event
//! out — and a clear error for every way a callback can be wrong.

mod support;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use support::*;
use wechatpay_product_coupon::Client;
use wechatpay_product_coupon::generated::notifications::NotificationEvent;
use wechatpay_product_coupon::notify::{NotificationParser, NotifyError, failure_body};
use wechatpay_product_coupon::runtime::aead::ApiV3Key;
use wechatpay_product_coupon::runtime::keys::PublicKey;
use wechatpay_product_coupon::runtime::verify::KeySet;

/// A callback body as WeChat Pay sends it: the resource encrypted with the APIv3 key.
fn envelope(event_type: &str, resource: &serde_json::Value, algorithm: &str) -> Vec<u8> {
    let ciphertext = aead_encrypt(APIV3_KEY, "RyEAOXA83YES", "product_coupon", resource.to_string().as_bytes());
    serde_json::to_vec(&serde_json::json!({
        "id": "EV-2018022511223320873",
        "create_time": "2026-05-19T20:39:37+08:00",
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": "商品券领券通知",
        "resource": {
            "original_type": "product_coupon",
            "algorithm": algorithm,
            "ciphertext": ciphertext,
            "associated_data": "product_coupon",
            "nonce": "RyEAOXA83YES"
        }
    }))
    .unwrap()
}

fn headers_for(body: &[u8], timestamp: i64) -> HeaderMap {
    let key = key_pair(WECHATPAY_KEY_PEM);
    let mut headers = HeaderMap::new();
    for (name, value) in signature_headers(&key, PUB_KEY_ID, body, timestamp) {
        headers.insert(HeaderName::try_from(name).unwrap(), HeaderValue::try_from(value).unwrap());
    }
    headers
}

fn parser() -> NotificationParser {
    let mut keys = KeySet::new();
    keys.insert(PUB_KEY_ID, PublicKey::from_pem(WECHATPAY_PUB_PEM).unwrap());
    NotificationParser::new(keys, ApiV3Key::new(APIV3_KEY).unwrap())
}

fn resource() -> serde_json::Value {
    serde_json::json!({"brand_id": "120344", "coupon_code": "123446565767", "openid": "oFrom_user"})
}

#[test]
fn an_event_type_the_spec_does_not_know_is_kept_with_its_json() {
    let body = envelope("PRODUCT_COUPON_SP.SOMETHING_NEW", &resource(), "AEAD_AES_256_GCM");
    let n = parser().parse(&headers_for(&body, now()), &body).unwrap();
    assert_eq!(n.id, "EV-2018022511223320873");
    assert_eq!(n.event_type, "PRODUCT_COUPON_SP.SOMETHING_NEW");
    assert_eq!(n.original_type.as_deref(), Some("product_coupon"));
    let NotificationEvent::Other { event_type, resource: json } = &n.event else { panic!("{:?}", n.event) };
    assert_eq!(event_type, "PRODUCT_COUPON_SP.SOMETHING_NEW");
    assert_eq!(json, &resource());
}

#[test]
fn a_tampered_body_or_a_probe_signature_is_refused_before_decryption() {
    let body = envelope("PRODUCT_COUPON_SP.SEND", &resource(), "AEAD_AES_256_GCM");
    let headers = headers_for(&body, now());
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert!(matches!(parser().parse(&headers, &tampered), Err(NotifyError::Verification(_))));

    let mut probe = headers.clone();
    probe.insert("Wechatpay-Signature", HeaderValue::from_static("WECHATPAY/SIGNTEST/abc"));
    assert!(matches!(parser().parse(&probe, &body), Err(NotifyError::Verification(_))));

    let mut unsigned = headers.clone();
    unsigned.remove("Wechatpay-Signature");
    assert!(matches!(parser().parse(&unsigned, &body), Err(NotifyError::Verification(_))));
}

#[test]
fn a_stale_timestamp_is_refused() {
    let body = envelope("PRODUCT_COUPON_SP.SEND", &resource(), "AEAD_AES_256_GCM");
    let err = parser().parse(&headers_for(&body, now() - 301), &body).unwrap_err();
    assert!(matches!(err, NotifyError::Verification(_)), "{err}");
}

#[test]
fn a_wrong_apiv3_key_or_algorithm_is_a_clear_error() {
    let body = envelope("PRODUCT_COUPON_SP.SEND", &resource(), "AEAD_AES_256_GCM");
    let mut keys = KeySet::new();
    keys.insert(PUB_KEY_ID, PublicKey::from_pem(WECHATPAY_PUB_PEM).unwrap());
    let wrong = NotificationParser::new(keys, ApiV3Key::new("0123456789abcdef0123456789abcdef").unwrap());
    assert!(matches!(wrong.parse(&headers_for(&body, now()), &body), Err(NotifyError::Decrypt(_))));

    let body = envelope("PRODUCT_COUPON_SP.SEND", &resource(), "AES_128_CBC");
    let err = parser().parse(&headers_for(&body, now()), &body).unwrap_err();
    assert!(matches!(&err, NotifyError::UnsupportedAlgorithm(a) if a == "AES_128_CBC"), "{err}");
}

#[test]
fn frameworks_with_their_own_header_types_pass_a_lookup() {
    let body = envelope("PRODUCT_COUPON_SP.X", &resource(), "AEAD_AES_256_GCM");
    let headers = headers_for(&body, now());
    let lookup = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let n = parser().parse_with(lookup, &body).unwrap();
    assert_eq!(n.event.event_type(), "PRODUCT_COUPON_SP.X");
}

#[tokio::test]
async fn the_client_verifies_with_its_keys_and_decrypts_with_its_apiv3_key() {
    let body = envelope("PRODUCT_COUPON_SP.X", &resource(), "AEAD_AES_256_GCM");
    let client = Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .apiv3_key(APIV3_KEY)
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let n = client.parse_notification(&headers_for(&body, now()), &body).await.unwrap();
    assert_eq!(n.event.to_json().unwrap(), resource());

    let no_key = Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let err = no_key.parse_notification(&headers_for(&body, now()), &body).await.unwrap_err();
    assert!(matches!(err, NotifyError::NoApiV3Key), "{err}");
}

#[test]
fn the_failure_answer_is_json_with_a_code_and_message() {
    let v: serde_json::Value = serde_json::from_str(&failure_body("数据库不可用")).unwrap();
    assert_eq!(v, serde_json::json!({"code": "FAIL", "message": "数据库不可用"}));
}
