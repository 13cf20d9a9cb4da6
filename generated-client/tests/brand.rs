//! The brand-direct family (品牌直连) against a real HTTP server on 127.0.0.1: every call goes to
//! `/brand/marketing/product-coupon/...`, is signed `WECHATPAY-BRAND-SHA256-RSA2048` with the
//! 品牌API证书 (the server checks the signature with the certificate's public key, written
//! independently of the crate), carries `Wechatpay-Serial`, and sends no `brand_id` in its query
//! or body; responses are verified in public-key mode and decode into the brand models. One
//! test per operation group, then the brand notification.
#![cfg(feature = "brand")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use support::*;
use wechatpay_product_coupon::brand::models::*;
use wechatpay_product_coupon::brand::notifications::NotificationEvent;
use wechatpay_product_coupon::brand::{BrandClient, operations as brand_ops};
use wechatpay_product_coupon::runtime::client::RetryPolicy;
use wechatpay_product_coupon::runtime::upload::UploadFile;
use wechatpay_product_coupon::{Error, generated::operations as partner_ops};

const BRAND_ID: &str = "100XX";
const BRAND_SERIAL: &str = "3493DE0D9BB4EB98A8C65EAA7E8EE887EC24B71A";
const BRAND_PUB_KEY_ID: &str = "PUB_KEY_ID_0000000000000024101100397200000042";
const BRAND_KEY_PEM: &str = include_str!("data/test_brand_key.pem");
const BRAND_PUB_PEM: &str = include_str!("data/test_brand_pub.pem");
const BRAND_API_KEY: &str = "BrandApiKeyForTests0123456789abc";
const PREFIX: &str = "/brand/marketing/product-coupon/";
const BUNDLE_REQUEST: &str = include_str!("fixtures/create_stock_bundle.request.1.json");
const BUNDLE_RESPONSE: &str = include_str!("fixtures/create_stock_bundle.response.2.json");

fn brand_client(base_url: &str) -> BrandClient {
    BrandClient::builder()
        .brand_id(BRAND_ID)
        .brand_serial_no(BRAND_SERIAL)
        .brand_private_key_pem(BRAND_KEY_PEM)
        .wechatpay_public_key_pem(BRAND_PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .brand_api_key(BRAND_API_KEY)
        .base_url(base_url)
        .retry_policy(RetryPolicy::none())
        .attempt_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Everything a brand request must be, checked as WeChat Pay would, independently of the crate.
fn check_brand_request(req: &Request) -> Result<(), String> {
    if !req.target.starts_with(PREFIX) {
        return Err(format!("not a brand path: {}", req.target));
    }
    if req.header("Wechatpay-Serial") != Some(BRAND_PUB_KEY_ID) {
        return Err(format!("Wechatpay-Serial is {:?}", req.header("Wechatpay-Serial")));
    }
    if let Some((_, query)) = req.target.split_once('?')
        && query.split('&').any(|kv| kv.split('=').next() == Some("brand_id"))
    {
        return Err(format!("brand_id in the query: {}", req.target));
    }
    // Every JSON body (an upload's meta part included) must be free of brand_id.
    if String::from_utf8_lossy(&req.body).contains("\"brand_id\"") {
        return Err("brand_id in the body".into());
    }
    let auth = req.header("Authorization").ok_or("no Authorization header")?;
    let params = auth.strip_prefix("WECHATPAY-BRAND-SHA256-RSA2048 ").ok_or(format!("wrong scheme: {auth}"))?;
    let names: Vec<&str> = params.split(',').filter_map(|kv| kv.split_once('=')).map(|(k, _)| k.trim()).collect();
    if names != ["brand_id", "nonce_str", "timestamp", "serial_no", "signature"] {
        return Err(format!("parameters {names:?}"));
    }
    let get = |name: &str| -> String {
        params
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| k.trim() == name)
            .map(|(_, v)| v.trim_matches('"').to_owned())
            .unwrap_or_default()
    };
    if get("brand_id") != BRAND_ID || get("serial_no") != BRAND_SERIAL {
        return Err(format!("wrong brand_id/serial_no {}/{}", get("brand_id"), get("serial_no")));
    }
    let nonce = get("nonce_str");
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!("bad nonce {nonce}"));
    }
    // An upload signs its meta JSON, not the multipart body.
    let signed: Vec<u8> = if req.header("Content-Type").is_some_and(|c| c.starts_with("multipart/form-data")) {
        let text = String::from_utf8_lossy(&req.body);
        let start = text.find("{\"").ok_or("no meta JSON")?;
        let end = text[start..].find("}\r\n").ok_or("meta JSON not closed")? + start + 1;
        text[start..end].as_bytes().to_vec()
    } else {
        req.body.clone()
    };
    let mut message = format!("{}\n{}\n{}\n{}\n", req.method, req.target, get("timestamp"), nonce).into_bytes();
    message.extend_from_slice(&signed);
    message.push(b'\n');
    let sig = STANDARD.decode(get("signature")).map_err(|_| "signature not base64")?;
    let der: String = BRAND_PUB_PEM.lines().filter(|l| !l.starts_with("-----")).collect();
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, STANDARD.decode(der).unwrap())
        .verify(&message, &sig)
        .map_err(|_| "the brand signature does not verify with the 品牌API证书's public key".to_owned())
}

/// A server that checks every request as a brand request and answers with `reply(target)`
/// (signed with the brand's WeChat Pay public key) or, when a check fails, 401 SIGN_ERROR.
async fn brand_server(reply: impl Fn(&str) -> (u16, String) + Send + Sync + 'static) -> TestServer {
    let keys = WechatKeys::load();
    TestServer::start(move |req, _| match check_brand_request(req) {
        Ok(()) => {
            let (status, body) = reply(&req.target);
            Reply::signed(status, &body, &keys.public_key_mode, BRAND_PUB_KEY_ID)
        }
        Err(e) => Reply::plain(401, &serde_json::json!({"code": "SIGN_ERROR", "message": e}).to_string()),
    })
    .await
}

/// A reply that says "the request was checked and is a correct brand request", for operations
/// whose response models need more than the test cares to build: the call ends in this API error.
fn checked() -> (u16, String) {
    (400, r#"{"code":"CHECKED","message":"a correct brand request"}"#.to_owned())
}

fn assert_checked<T: std::fmt::Debug>(result: Result<T, Error>) {
    match result {
        Err(Error::Api(e)) if e.code == "CHECKED" => assert!(e.signature_verified),
        other => panic!("expected the server's CHECKED answer, got {other:?}"),
    }
}

fn json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

#[test]
fn every_operation_exists_in_both_families_under_its_prefix() {
    let brand: Vec<_> = brand_ops::OPERATIONS.iter().map(|m| (m.id, m.method)).collect();
    let partner: Vec<_> = partner_ops::OPERATIONS.iter().map(|m| (m.id, m.method)).collect();
    assert_eq!(brand, partner);
    assert_eq!(brand.len(), 35);
    for (b, p) in brand_ops::OPERATIONS.iter().zip(partner_ops::OPERATIONS) {
        let sub = p.path_template.strip_prefix(partner_ops::PATH_PREFIX).unwrap();
        assert_eq!(b.path_template, format!("{}{sub}", brand_ops::PATH_PREFIX), "{}", b.id);
    }
    assert_eq!(brand_ops::AUTHORIZATION_SCHEME, "WECHATPAY-BRAND-SHA256-RSA2048");
    assert_eq!(brand_ops::RATE_LIMIT_DIMENSION, "品牌ID维度");
    const { assert!(brand_ops::WECHATPAY_SERIAL_REQUIRED) };
    assert_eq!(brand_ops::BRAND_FIELD, None);
    assert_eq!(partner_ops::BRAND_FIELD, Some("brand_id"));
    // The brand pages' own facts: 10/s for image tasks where the partner spec has 500/s.
    assert_eq!(brand_ops::CREATE_IMAGE_GENERATION_TASK.rate_limit_per_second, Some(10));
}

#[tokio::test]
async fn product_coupons_group() {
    let srv = brand_server(|_| checked()).await;
    let client = brand_client(&srv.url());
    // Same code as a partner minus brand_id: no argument for it, no field to fill.
    assert_checked(client.get_product_coupon("1000000013").await);
    let request: DeactivateProductCouponRequest =
        json(serde_json::json!({"out_request_no": "deact-1", "deactivate_reason": "活动结束"}));
    assert_checked(client.deactivate_product_coupon("1000000013", &request).await);
    let sent = srv.requests();
    assert_eq!(sent[0].method, "GET");
    assert_eq!(sent[0].target, "/brand/marketing/product-coupon/product-coupons/1000000013");
    assert_eq!(sent[1].target, "/brand/marketing/product-coupon/product-coupons/1000000013/deactivate");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&sent[1].body).unwrap(),
        serde_json::json!({"out_request_no": "deact-1", "deactivate_reason": "活动结束"})
    );
}

#[tokio::test]
async fn stocks_group() {
    let srv = brand_server(|_| checked()).await;
    let client = brand_client(&srv.url());
    assert_checked(client.list_stocks("1000000013").state(&StockState::Sending).page_size(20).await);
    assert_checked(client.get_stock("1000000013", "9000001").await);
    let budget: UpdateBudgetRequest = json(serde_json::json!({
        "out_request_no": "budget-1", "update_mode": "MAX_COUNT", "current_max_count": 100, "target_max_count": 200
    }));
    assert_checked(client.update_stock_budget("1000000013", "9000001", &budget).await);
    let codes: UploadCouponCodesRequest =
        json(serde_json::json!({"out_request_no": "codes-1", "code_list": ["A0001", "A0002"]}));
    assert_checked(client.upload_coupon_codes("1000000013", "9000001", &codes).await);
    let targets: Vec<String> = srv.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/brand/marketing/product-coupon/product-coupons/1000000013/stocks?state=SENDING&page_size=20",
            "/brand/marketing/product-coupon/product-coupons/1000000013/stocks/9000001",
            "/brand/marketing/product-coupon/product-coupons/1000000013/stocks/9000001/update-budget",
            "/brand/marketing/product-coupon/product-coupons/1000000013/stocks/9000001/upload-coupon-codes",
        ]
    );
}

#[tokio::test]
async fn stock_bundles_group_decodes_the_doc_response_into_the_brand_model() {
    // The partner doc's response carries brand_id; the brand model sends no such field, and keeps
    // the one received (nothing the server sends is lost).
    let srv = brand_server(|_| (200, BUNDLE_RESPONSE.to_owned())).await;
    let client = brand_client(&srv.url());
    // The partner doc's request without its brand_id (which a brand request would otherwise
    // send as given, as a field the brand model does not know, with a warning).
    let mut request: serde_json::Value = serde_json::from_str(BUNDLE_REQUEST).unwrap();
    request.as_object_mut().unwrap().remove("brand_id");
    let rule = &mut request["stock_bundle"]["progressive_bundle_usage_rule"];
    rule.as_object_mut().unwrap().retain(|k, _| k != "discount_coupon_list" && k != "exchange_coupon_list");
    rule["coupon_available_period"].as_object_mut().unwrap().remove("irregular_available_period_list");
    let request: CreateStockBundleRequest = json(request);
    let bundle = client.create_stock_bundle("200000001", &request).await.unwrap();
    assert_eq!(bundle.stock_bundle_id, "123456789");
    assert_eq!(bundle.stock_list[0].state, StockState::Sending);
    use wechatpay_product_coupon::runtime::family::BrandField as _;
    let brand_id = bundle.stock_list[0].brand_id.as_str();
    assert!(brand_id.is_some_and(|b| !b.is_empty()), "kept, not dropped");
    let again = serde_json::to_value(&bundle.stock_list[0]).unwrap();
    assert_eq!(again["brand_id"].as_str(), brand_id, "and sent back as received");
    let sent = srv.requests();
    assert_eq!(sent[0].target, "/brand/marketing/product-coupon/product-coupons/200000001/stock-bundles");
}

#[tokio::test]
async fn stores_group() {
    let srv = brand_server(|target| {
        if target.contains("associated-stores") {
            (200, r#"{"total_count":0,"data":[]}"#.to_owned())
        } else {
            checked()
        }
    })
    .await;
    let client = brand_client(&srv.url());
    let stores: StoreListRequest = json(serde_json::json!({"store_list": [{"store_id": "store-1"}]}));
    assert_checked(client.associate_stock_stores("1000000013", "9000001", &stores).await);
    assert_checked(client.disassociate_stock_bundle_stores("1000000013", "8000001", &stores).await);
    let all = client.list_stock_stores("1000000013", "9000001").page_size(10).stream().collect_all().await;
    assert!(all.is_ok() || matches!(all, Err(Error::Decode(_))), "{all:?}");
    let targets: Vec<String> = srv.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets[0],
        "/brand/marketing/product-coupon/product-coupons/1000000013/stocks/9000001/associate-stores"
    );
    assert_eq!(
        targets[1],
        "/brand/marketing/product-coupon/product-coupons/1000000013/stock-bundles/8000001/disassociate-stores"
    );
    assert_eq!(
        targets[2],
        "/brand/marketing/product-coupon/product-coupons/1000000013/stocks/9000001/associated-stores?page_size=10"
    );
}

#[tokio::test]
async fn user_coupons_group() {
    let srv = brand_server(|_| checked()).await;
    let client = brand_client(&srv.url());
    let send: SendCouponRequest = json(serde_json::json!({
        "product_coupon_id": "1000000013", "stock_id": "9000001", "appid": "wx1234567890abcdef", "send_request_no": "send-1"
    }));
    assert_checked(client.send_coupon("oUser", &send).await);
    let confirm: ConfirmUserCouponRequest = json(serde_json::json!({
        "product_coupon_id": "1000000013", "stock_id": "9000001", "appid": "wx1234567890abcdef", "out_request_no": "confirm-1"
    }));
    assert_checked(client.confirm_user_coupon("oUser", "CODE1", &confirm).await);
    assert_checked(client.list_user_coupons("oUser", "wx1234567890abcdef").product_coupon_id("1000000013").await);
    assert_checked(client.get_user_coupon("oUser", "CODE1", "1000000013", "9000001", "wx1234567890abcdef").await);
    let targets: Vec<String> = srv.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/brand/marketing/product-coupon/users/oUser/coupons",
            "/brand/marketing/product-coupon/users/oUser/coupons/CODE1/confirm",
            "/brand/marketing/product-coupon/users/oUser/coupons?appid=wx1234567890abcdef&product_coupon_id=1000000013",
            "/brand/marketing/product-coupon/users/oUser/coupons/CODE1?product_coupon_id=1000000013&stock_id=9000001&appid=wx1234567890abcdef",
        ]
    );
}

#[tokio::test]
async fn notify_config_group_decodes_the_shared_model() {
    let body = r#"{"notify_url":"https://example.com/notify","update_time":"2025-08-28T10:00:00+08:00"}"#;
    let srv = brand_server(move |_| (200, body.to_owned())).await;
    let client = brand_client(&srv.url());
    let set: SetNotifyConfigRequest = json(serde_json::json!({"notify_url": "https://example.com/notify"}));
    let config = client.set_notify_config(&set).await.unwrap();
    assert_eq!(config.notify_url, "https://example.com/notify");
    client.get_notify_config().await.unwrap();
    let sent = srv.requests();
    assert_eq!(
        (sent[0].method.as_str(), sent[0].target.as_str()),
        ("POST", "/brand/marketing/product-coupon/notify-configs")
    );
    assert_eq!(
        (sent[1].method.as_str(), sent[1].target.as_str()),
        ("GET", "/brand/marketing/product-coupon/notify-configs")
    );
}

#[tokio::test]
async fn images_group_signs_the_upload_meta_with_the_brand_key() {
    let srv = brand_server(|_| checked()).await;
    let client = brand_client(&srv.url());
    let png = [&b"\x89PNG\r\n\x1a\n"[..], &[0u8; 64][..]].concat();
    let file = UploadFile::new("logo.png", "image/png", png);
    let meta = ImageUploadMeta::builder().filename("logo.png").sha256(file.sha256_hex()).build().unwrap();
    assert_checked(client.upload_image(&meta, &file).await);
    assert_checked(client.get_image_generation_task("task-0001", &ImageGenerationType::CombineImage).await);
    let targets: Vec<String> = srv.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets[0], "/brand/marketing/product-coupon/media/upload-image");
    assert_eq!(
        targets[1],
        "/brand/marketing/product-coupon/image-generation-tasks/task-0001?image_generation_type=COMBINE_IMAGE"
    );
}

#[tokio::test]
async fn a_dry_run_shows_the_brand_header_and_wechatpay_serial() {
    let client = brand_client("http://127.0.0.1:9");
    let prepared = client.get_stock("1000000013", "9000001").prepare().unwrap();
    let header = |name: &str| prepared.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    assert!(
        header("Authorization").unwrap().starts_with("WECHATPAY-BRAND-SHA256-RSA2048 brand_id=\"100XX\",nonce_str=\"")
    );
    assert_eq!(header("Wechatpay-Serial").as_deref(), Some(BRAND_PUB_KEY_ID));
    assert_eq!(
        prepared.url,
        "http://127.0.0.1:9/brand/marketing/product-coupon/product-coupons/1000000013/stocks/9000001"
    );
}

#[test]
fn a_brand_client_verifies_with_the_public_key_only_and_is_not_a_merchant() {
    let base =
        || BrandClient::builder().brand_id(BRAND_ID).brand_serial_no(BRAND_SERIAL).brand_private_key_pem(BRAND_KEY_PEM);
    let Err(Error::Config(m)) = base().brand_api_key(BRAND_API_KEY).build() else { panic!("no public key") };
    assert!(m.contains("public key"), "{m}");
    let Err(Error::Config(m)) =
        base().mchid(MCHID).wechatpay_public_key_pem(BRAND_PUB_KEY_ID, WECHATPAY_PUB_PEM).build()
    else {
        panic!("both identities")
    };
    assert!(m.contains("not both"), "{m}");
    let merchant = BrandClient::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM);
    let Err(Error::Config(m)) = merchant.build() else { panic!("a brand client with a merchant's identity") };
    assert!(m.contains("needs brand_id"), "{m}");
    let client = base().wechatpay_public_key_pem(BRAND_PUB_KEY_ID, WECHATPAY_PUB_PEM).build().unwrap();
    assert_eq!(client.brand_id(), Some(BRAND_ID));
    assert_eq!(client.authorization_scheme(), "WECHATPAY-BRAND-SHA256-RSA2048");
    assert!(!format!("{client:?}").contains("PRIVATE KEY"));
}

fn brand_envelope(event_type: &str, resource: &serde_json::Value) -> Vec<u8> {
    let ciphertext = aead_encrypt(BRAND_API_KEY, "RyEAOXA83YES", "product_coupon", resource.to_string().as_bytes());
    serde_json::to_vec(&serde_json::json!({
        "id": "EV-brand-1",
        "create_time": "2026-05-19T20:39:37+08:00",
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": "商品券领券通知",
        "resource": {
            "original_type": "product_coupon", "algorithm": "AEAD_AES_256_GCM", "ciphertext": ciphertext,
            "associated_data": "product_coupon", "nonce": "RyEAOXA83YES"
        }
    }))
    .unwrap()
}

#[tokio::test]
async fn a_brand_notification_is_verified_decrypted_with_the_brand_api_key_and_typed() {
    let resource = serde_json::json!({
        "coupon_code": "CODE1", "product_coupon_id": "1000000013", "stock_id": "9000001", "openid": "oUser",
        "appid": "wx1234567890abcdef", "send_request_no": "send-1", "send_channel": "API",
        "receive_time": "2026-05-19T20:39:37+08:00", "valid_begin_time": "2026-05-19T20:39:37+08:00",
        "valid_end_time": "2026-06-19T20:39:37+08:00"
    });
    let body = brand_envelope("PRODUCT_COUPON.SEND", &resource);
    let mut headers = HeaderMap::new();
    for (name, value) in signature_headers(&key_pair(WECHATPAY_KEY_PEM), BRAND_PUB_KEY_ID, &body, now()) {
        // The only source of a brand callback's headers names the brand scheme here.
        let value =
            if name == "Wechatpay-Signature-Type" { "WECHATPAY-BRAND-SHA256-RSA2048".to_owned() } else { value };
        headers.insert(HeaderName::try_from(name).unwrap(), HeaderValue::try_from(value).unwrap());
    }
    let client = Arc::new(brand_client("http://127.0.0.1:9"));
    let n = client.parse_notification(&headers, &body).await.unwrap();
    assert_eq!(n.event_type, "PRODUCT_COUPON.SEND");
    let NotificationEvent::ProductCouponSend(send) = &n.event else { panic!("{:?}", n.event) };
    assert_eq!(send.coupon_code, "CODE1");
    assert_eq!(n.event.event_type(), "PRODUCT_COUPON.SEND");
    // A tampered body is refused before decryption.
    let mut tampered = body.clone();
    tampered[12] ^= 1;
    assert!(client.parse_notification(&headers, &tampered).await.is_err());
}

/// The README's brand example, compiled (never run: it reads the environment).
#[allow(dead_code)]
async fn readme_example() -> Result<(), Error> {
    let client = BrandClient::from_env()?;
    let stock = client.get_stock("1000000013", "9000001").await?; // no brand_id argument, none sent
    let request = DeactivateStockRequest::builder().out_request_no("d-1").deactivate_reason("活动结束").build()?;
    client.deactivate_stock("1000000013", "9000001", &request).await?;
    let _ = stock;
    Ok(())
}

/// A limiter that grants every slot at once and records whose quota it was asked about.
#[derive(Default)]
struct RecordingLimiter(std::sync::Mutex<Vec<(String, &'static str)>>);

impl wechatpay_product_coupon::runtime::limiter::Limiter for RecordingLimiter {
    fn reserve<'a>(
        &'a self,
        key: wechatpay_product_coupon::runtime::limiter::LimitKey<'a>,
        _rate: u32,
        _max_wait: Duration,
    ) -> wechatpay_product_coupon::runtime::limiter::ReserveFuture<'a> {
        self.0.lock().unwrap().push((key.mchid.to_owned(), key.operation));
        Box::pin(async {
            Ok(Some(wechatpay_product_coupon::runtime::limiter::Reservation {
                wait: Duration::ZERO,
                source: wechatpay_product_coupon::runtime::limiter::LimiterSource::Local,
            }))
        })
    }
}

#[tokio::test]
async fn a_brand_calls_count_against_the_brand_quota() {
    let srv = brand_server(|_| checked()).await;
    let limiter = Arc::new(RecordingLimiter::default());
    let client = BrandClient::builder()
        .brand_id(BRAND_ID)
        .brand_serial_no(BRAND_SERIAL)
        .brand_private_key_pem(BRAND_KEY_PEM)
        .wechatpay_public_key_pem(BRAND_PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .base_url(srv.url())
        .retry_policy(RetryPolicy::none())
        .rate_limiter(limiter.clone())
        .build()
        .unwrap();
    assert_checked(client.get_stock("1000000013", "9000001").await);
    // 品牌ID维度: the brand's own quota, never a merchant's (nor an empty id shared by all brands).
    assert_eq!(*limiter.0.lock().unwrap(), [("brand:100XX".to_owned(), "get_stock")]);
}

/// A brand_id in the brand family, which sends none: decoded from JSON whatever its type and kept
/// (nothing the server sends is lost), and, in a request, a warning sent as given, never a refusal.
#[test]
fn a_brand_id_the_brand_family_does_not_send_is_kept_and_only_warned_about() {
    use wechatpay_product_coupon::runtime::family::BrandField as _;
    use wechatpay_product_coupon::runtime::validate::{Validate, ViolationKind, Violations};
    let violations = |value: &dyn Validate| {
        let mut out = Violations::default();
        value.validate_at("", &mut out);
        out
    };
    // A response with a brand_id of an unexpected type still decodes and keeps it.
    let request: DeactivateStockRequest =
        json(serde_json::json!({ "out_request_no": "d-000001", "deactivate_reason": "r", "brand_id": 120344 }));
    assert_eq!(serde_json::to_value(&request).unwrap()["brand_id"], 120344, "kept as it came");
    assert!(request.brand_id.as_str().is_none());
    let v = violations(&request);
    assert_eq!(
        v.iter().map(|v| (v.path.as_str(), v.kind)).collect::<Vec<_>>(),
        [("brand_id", ViolationKind::UnknownField)]
    );
    // Given as an unknown field: a warning too (there is no setter to point to).
    let request = DeactivateStockRequest::builder()
        .out_request_no("d-000001")
        .deactivate_reason("r")
        .unknown_field("brand_id", serde_json::json!("120344"))
        .build()
        .unwrap();
    let v = violations(&request);
    assert_eq!(
        v.iter().map(|v| (v.path.as_str(), v.kind)).collect::<Vec<_>>(),
        [("brand_id", ViolationKind::UnknownField)]
    );
    assert!(
        DeactivateStockRequest::builder()
            .out_request_no("d-000001")
            .deactivate_reason("r")
            .build()
            .is_ok_and(|r| { serde_json::to_value(&r).unwrap().get("brand_id").is_none() })
    );
}
