//! The shapes the whole family adds, end to end against a loopback server: GET with query
//! parameters, paginated lists as a stream, the multipart image upload, typed notifications.

mod support;

use std::time::Duration;

use futures_core::Stream;
use support::*;
use wechatpay_product_coupon::generated::notifications::NotificationEvent;
use wechatpay_product_coupon::runtime::client::RetryPolicy;
use wechatpay_product_coupon::runtime::upload::UploadFile;
use wechatpay_product_coupon::{Client, Error, models::*};

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

/// A stock as the docs show one (the first stock of the add-bundle response), with `id`.
fn stock_json(id: &str) -> serde_json::Value {
    let bundle: serde_json::Value = serde_json::from_str(BUNDLE_RESPONSE).unwrap();
    let mut stock = bundle["stock_list"][0].clone();
    stock["stock_id"] = id.into();
    stock
}

fn query_of(target: &str) -> Vec<(String, String)> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_owned(), percent_encoding::percent_decode_str(v).decode_utf8().unwrap().into_owned())
        })
        .collect()
}

async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| std::pin::Pin::new(&mut *stream).poll_next(cx)).await
}

#[tokio::test]
async fn a_paginated_list_is_a_stream_that_fetches_pages_on_demand() {
    let keys = WechatKeys::load();
    let srv = TestServer::start(move |req, _| {
        if let Err(e) = req.check_merchant_signature() {
            return Reply::plain(401, &format!(r#"{{"code":"SIGN_ERROR","message":"{e}"}}"#));
        }
        let query = query_of(&req.target);
        let token = query.iter().find(|(k, _)| k == "page_token").map(|(_, v)| v.as_str());
        let body = match token {
            None => serde_json::json!({"total_count": 3, "stock_list": [stock_json("1"), stock_json("2")], "next_page_token": "第2页 &"}),
            Some("第2页 &") => serde_json::json!({"total_count": 3, "stock_list": [stock_json("3")]}),
            Some(other) => panic!("unexpected token {other}"),
        };
        Reply::signed(200, &body.to_string(), &keys.public_key_mode, PUB_KEY_ID)
    })
    .await;
    let client = client(&srv.url());

    let mut stream = client.list_stocks("200000001", "120344").state(&StockState::Sending).page_size(2).stream();
    assert!(srv.requests().is_empty(), "nothing is requested before the stream is polled");
    let first = next(&mut stream).await.unwrap().unwrap();
    assert_eq!(first.stock_id, "1");
    assert_eq!(srv.requests().len(), 1, "one page so far");
    let mut ids = vec![first.stock_id];
    while let Some(stock) = next(&mut stream).await {
        ids.push(stock.unwrap().stock_id);
    }
    assert_eq!(ids, ["1", "2", "3"]);

    let sent = srv.requests();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|r| r.method == "GET" && r.body.is_empty()));
    assert!(sent[0].target.starts_with("/v3/marketing/partner/product-coupon/product-coupons/200000001/stocks?"));
    let q0 = query_of(&sent[0].target);
    assert!(q0.contains(&("brand_id".into(), "120344".into())));
    assert!(q0.contains(&("state".into(), "SENDING".into())));
    assert!(q0.contains(&("page_size".into(), "2".into())));
    assert!(!q0.iter().any(|(k, _)| k == "page_token"));
    assert!(query_of(&sent[1].target).contains(&("page_token".into(), "第2页 &".into())));
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_its_error() {
    let keys = WechatKeys::load();
    let srv = TestServer::start(move |_, i| match i {
        0 => Reply::signed(
            200,
            &serde_json::json!({"total_count": 2, "stock_list": [stock_json("1")], "next_page_token": "t"}).to_string(),
            &keys.public_key_mode,
            PUB_KEY_ID,
        ),
        _ => Reply::signed(404, r#"{"code":"NOT_FOUND","message":"gone"}"#, &keys.public_key_mode, PUB_KEY_ID),
    })
    .await;
    let all = client(&srv.url()).list_stocks("200000001", "120344").stream().collect_all().await;
    let err = all.unwrap_err();
    assert_eq!(err.as_api().map(|e| e.status), Some(404));
}

#[tokio::test]
async fn query_parameters_are_validated_before_any_io() {
    let srv = TestServer::start(|_, _| Reply::plain(500, "{}")).await;
    let err = client(&srv.url()).list_stocks("200000001", "120344").page_size(51).await.unwrap_err();
    let Error::Validation(v) = err else { panic!("{err:?}") };
    assert_eq!(v.iter().map(|v| v.path.as_str()).collect::<Vec<_>>(), ["page_size"], "{v}");
    assert!(srv.requests().is_empty());
}

/// The `meta` part of a multipart body.
fn meta_part(body: &[u8], content_type: &str) -> Vec<u8> {
    let boundary = content_type.split("boundary=").nth(1).unwrap();
    let text = String::from_utf8_lossy(body);
    let part = text.split(&format!("--{boundary}")).find(|p| p.contains("name=\"meta\"")).unwrap();
    let content = part.split_once("\r\n\r\n").unwrap().1;
    content.strip_suffix("\r\n").unwrap().as_bytes().to_vec()
}

#[tokio::test]
async fn the_image_upload_is_multipart_and_signed_over_its_meta_json() {
    let keys = WechatKeys::load();
    let srv = TestServer::start(move |req, _| {
        let content_type = req.header("Content-Type").unwrap_or_default().to_owned();
        let mut signed_part = req.clone();
        signed_part.body = meta_part(&req.body, &content_type);
        match signed_part.check_merchant_signature() {
            Ok(()) => Reply::signed(
                200,
                r#"{"media_url":"https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/logo"}"#,
                &keys.public_key_mode,
                PUB_KEY_ID,
            ),
            Err(e) => Reply::plain(401, &format!(r#"{{"code":"SIGN_ERROR","message":"{e}"}}"#)),
        }
    })
    .await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let file = UploadFile::new("logo.png", "image/png", png.clone());
    let meta = ImageUploadMeta::builder().filename("logo.png").sha256(file.sha256_hex()).build().unwrap();

    let uploaded = client(&srv.url()).upload_image(&meta, &file).await.unwrap();

    assert_eq!(uploaded.url(), Some("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/logo"));
    let req = &srv.requests()[0];
    assert_eq!(req.target, "/v3/marketing/partner/product-coupon/media/upload-image");
    let content_type = req.header("Content-Type").unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    let meta_json: serde_json::Value = serde_json::from_slice(&meta_part(&req.body, content_type)).unwrap();
    assert_eq!(meta_json, serde_json::to_value(&meta).unwrap());
    assert!(req.body.windows(png.len()).any(|w| w == png), "the file is in the form");
}

#[tokio::test]
async fn files_that_are_too_big_or_not_images_are_refused_before_sending() {
    let srv = TestServer::start(|_, _| Reply::plain(500, "{}")).await;
    let big =
        UploadFile::new("big.png", "image/png", [&b"\x89PNG\r\n\x1a\n"[..], &vec![0u8; 2 * 1024 * 1024]].concat());
    let meta = ImageUploadMeta::builder().filename("big.png").sha256(big.sha256_hex()).build().unwrap();
    let err = client(&srv.url()).upload_image(&meta, &big).await.unwrap_err();
    assert!(err.to_string().contains("at most 2097152"), "{err}");

    let gif = UploadFile::new("a.gif", "image/gif", b"GIF89a....".to_vec());
    let meta = ImageUploadMeta::builder().filename("a.gif").sha256(gif.sha256_hex()).build().unwrap();
    let err = client(&srv.url()).upload_image(&meta, &gif).await.unwrap_err();
    assert!(err.to_string().contains("not accepted"), "{err}");
    assert!(srv.requests().is_empty());
}

#[test]
fn a_send_notification_decodes_into_its_typed_event() {
    let resource = serde_json::json!({
        "brand_id": "120344",
        "coupon_code": "123446565767",
        "product_coupon_id": "200000001",
        "stock_id": "100232301",
        "appid": "wx233544546545989",
        "openid": "oh-394z-6CGkNoJrsDLTTUKiAnp4",
        "valid_begin_time": "2025-01-01T00:00:00+08:00",
        "valid_end_time": "2025-01-31T23:59:59+08:00",
        "receive_time": "2025-01-01T10:00:00+08:00",
        "send_request_no": "SEND_20250101_0001",
        "send_channel": "API",
        "a_field_added_later": true
    });
    let event = NotificationEvent::decode("PRODUCT_COUPON_SP.SEND", resource).unwrap();
    let NotificationEvent::ProductCouponSend(sent) = &event else { panic!("{event:?}") };
    assert_eq!(sent.coupon_code, "123446565767");
    assert_eq!(sent.send_channel, SendChannel::Api);
    assert_eq!(event.event_type(), "PRODUCT_COUPON_SP.SEND");
    assert!(NotificationEvent::KNOWN_EVENT_TYPES.contains(&"PRODUCT_COUPON_SP.IMAGE_GENERATION"));
}
