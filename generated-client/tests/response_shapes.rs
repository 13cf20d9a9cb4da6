//! Issue #8: never fail on what the server returns. Where sources disagree on a response's
//! shape, every documented shape decodes through the generated call function, end to end
//! against a loopback server that signs its answers, and one accessor reads either shape.
//! Also the facts newer than the spec: the `user_coupon_bundle_id` filter of the user-coupon
//! list and the image-generation rate limits.

mod support;

use std::time::Duration;

use support::*;
use wechatpay_product_coupon::generated::operations;
use wechatpay_product_coupon::runtime::client::RetryPolicy;
use wechatpay_product_coupon::runtime::upload::UploadFile;
use wechatpay_product_coupon::{Client, models::*};

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

/// A loopback server answering every request with `body`, signed, once the request's own
/// signature checks out.
async fn server_answering(body: &'static str) -> TestServer {
    let keys = WechatKeys::load();
    TestServer::start(move |req, _| {
        let content_type = req.header("Content-Type").unwrap_or_default().to_owned();
        let mut signed = req.clone();
        if content_type.starts_with("multipart/form-data") {
            // An upload is signed over its meta part.
            signed.body = meta_part(&req.body, &content_type);
        }
        match signed.check_merchant_signature() {
            Ok(()) => Reply::signed(200, body, &keys.public_key_mode, PUB_KEY_ID),
            Err(e) => Reply::plain(401, &format!(r#"{{"code":"SIGN_ERROR","message":"{e}"}}"#)),
        }
    })
    .await
}

/// The `meta` part of a multipart body.
fn meta_part(body: &[u8], content_type: &str) -> Vec<u8> {
    let boundary = content_type.split("boundary=").nth(1).unwrap_or_default();
    let text = String::from_utf8_lossy(body);
    let part = text.split(&format!("--{boundary}")).find(|p| p.contains("name=\"meta\"")).unwrap_or_default();
    let content = part.split_once("\r\n\r\n").map_or("", |(_, c)| c);
    content.strip_suffix("\r\n").unwrap_or(content).as_bytes().to_vec()
}

async fn upload_codes(srv: &TestServer) -> UploadCouponCodesResponse {
    let request = UploadCouponCodesRequest::builder()
        .out_request_no("upload_20250101_001")
        .code_list(["CODE_OK", "CODE_BAD"])
        .brand_id("120344")
        .build()
        .unwrap();
    client(&srv.url()).upload_coupon_codes("200000001", "123456789", &request).await.unwrap()
}

#[tokio::test]
async fn failed_codes_as_objects_decode_as_the_official_sdk_models_give_them() {
    let srv = server_answering(
        r#"{"total_count":2,"success_code_list":["CODE_OK"],
            "failed_code_list":[{"coupon_code":"CODE_BAD","code":"INVALID_CODE","message":"券Code格式错误"}]}"#,
    )
    .await;
    let r = upload_codes(&srv).await;
    let failed = r.failed_code_list.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].coupon_code(), Some("CODE_BAD"));
    let detail = failed[0].as_failed_coupon_code().expect("the object shape");
    assert_eq!(detail.code.as_deref(), Some("INVALID_CODE"));
    assert_eq!(detail.message.as_deref(), Some("券Code格式错误"));
    assert_eq!(srv.requests().len(), 1);
}

#[tokio::test]
async fn failed_codes_as_strings_decode_as_the_third_party_yaml_gives_them() {
    let srv =
        server_answering(r#"{"total_count":2,"success_code_list":["CODE_OK"],"failed_code_list":["CODE_BAD"]}"#).await;
    let r = upload_codes(&srv).await;
    let failed = r.failed_code_list.unwrap();
    assert_eq!(failed, [FailedCode::from("CODE_BAD")]);
    assert_eq!(failed[0].coupon_code(), Some("CODE_BAD"));
    assert!(failed[0].as_failed_coupon_code().is_none());
}

#[tokio::test]
async fn a_failed_code_list_mixing_both_shapes_decodes_item_by_item() {
    let srv = server_answering(r#"{"total_count":2,"failed_code_list":["CODE_A",{"coupon_code":"CODE_B"}]}"#).await;
    let r = upload_codes(&srv).await;
    let codes: Vec<Option<&str>> = r.failed_code_list.iter().flatten().map(FailedCode::coupon_code).collect();
    assert_eq!(codes, [Some("CODE_A"), Some("CODE_B")]);
}

async fn upload_image(srv: &TestServer) -> ImageUploadResponse {
    let file = UploadFile::new("logo.png", "image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec());
    let meta = ImageUploadMeta::builder().filename("logo.png").sha256(file.sha256_hex()).build().unwrap();
    client(&srv.url()).upload_image(&meta, &file).await.unwrap()
}

#[tokio::test]
async fn an_image_upload_answered_with_image_url_decodes_as_the_official_page_gives_it() {
    let srv = server_answering(r#"{"image_url":"https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/official"}"#).await;
    let uploaded = upload_image(&srv).await;
    assert_eq!(uploaded.url(), Some("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/official"));
    assert_eq!(uploaded.media_url, None);
}

#[tokio::test]
async fn an_image_upload_answered_with_media_url_decodes_as_the_third_party_yaml_gives_it() {
    let srv = server_answering(r#"{"media_url":"https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/yaml"}"#).await;
    let uploaded = upload_image(&srv).await;
    assert_eq!(uploaded.url(), Some("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/yaml"));
    assert_eq!(uploaded.image_url, None);
}

#[tokio::test]
async fn the_user_coupon_list_sends_the_bundle_filter_as_the_official_code_does() {
    let srv = server_answering(r#"{"total_count":0}"#).await;
    let client = client(&srv.url());
    client.list_user_coupons("oUser", "120344", "wx1234567890").user_coupon_bundle_id("bundle 1").await.unwrap();
    client.list_user_coupons("oUser", "120344", "wx1234567890").await.unwrap();
    let sent = srv.requests();
    assert!(sent[0].target.contains("user_coupon_bundle_id=bundle%201"), "{}", sent[0].target);
    assert!(!sent[1].target.contains("user_coupon_bundle_id"), "{}", sent[1].target);
}

#[test]
fn image_generation_tasks_are_limited_as_the_newest_partner_pages_say() {
    assert_eq!(operations::CREATE_IMAGE_GENERATION_TASK.rate_limit_per_second, Some(10));
    assert_eq!(operations::GET_IMAGE_GENERATION_TASK.rate_limit_per_second, Some(20));
}
