//! Notify URL, event notifications (delivered to a loopback server, verified and decrypted with
//! `Client::parse_notification`), image upload (multipart) and image generation tasks, and the
//! state file with the whole family's state. Operations covered: set / get notify config,
//! upload image, create / get image generation task (plus send and confirm, as a callback
//! handler calls them).
//!
//! Nothing here measures time: asynchronous deliveries are awaited by polling with a generous
//! timeout.

mod common;

use std::time::Duration;

use common::*;
use wechatpay_product_coupon::ApiErrorExt as _;
use wechatpay_product_coupon::generated::notifications::NotificationEvent;
use wechatpay_product_coupon::ids::{CouponCode, ProductCouponId, StockId};
use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::{CallOptions, ErrorCode};
use wechatpay_sandbox::{DeliveryStatus, Sandbox, demo};

async fn single_coupon(client: &wechatpay_product_coupon::Client, number: &str) -> (ProductCouponId, StockId) {
    let created = client.create_product_coupon(&demo::single_product_coupon_request(number)).await.unwrap();
    (created.product_coupon_id, created.stock.unwrap().stock_id)
}

fn send(coupon: &(ProductCouponId, StockId), number: &str) -> SendCouponRequest {
    SendCouponRequest::builder()
        .product_coupon_id(&coupon.0)
        .stock_id(&coupon.1)
        .appid(APPID)
        .send_request_no(number)
        .attach("attached")
        .brand_id(BRAND)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_notify_url_is_checked_and_read_back() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    // Before it is set (前置条件).
    let e = api_error(client.get_notify_config().await);
    assert_eq!((e.status, &e.error_code()), (400, &ErrorCode::InvalidRequest));

    let set = |url: &str| SetNotifyConfigRequest::builder().notify_url(url).build().unwrap();
    let config = client.set_notify_config(&set("https://merchant.example.com/wechatpay/notify")).await.unwrap();
    assert_eq!(config.notify_url, "https://merchant.example.com/wechatpay/notify");
    assert!(config.update_time.as_str().starts_with("2025-08-04T10:"), "business clock: {}", config.update_time);
    assert_eq!(client.get_notify_config().await.unwrap(), config);

    for (url, why) in [
        ("http://merchant.example.com/notify", "HTTPS"),
        ("https://merchant.example.com/notify?from=wechatpay", "查询参数"),
        ("merchant.example.com/notify", "URL"),
    ] {
        let e = api_error(client.set_notify_config(&set(url)).await);
        assert_eq!(e.error_code(), ErrorCode::InvalidRequest, "{url}");
        assert!(e.message.starts_with("notify_url:") && e.message.contains(why), "{url}: {}", e.message);
    }
    // Plain http for loopback, so a local app can take callbacks without TLS.
    client.set_notify_config(&set("http://127.0.0.1:9/notify")).await.unwrap();
    assert_eq!(client.get_notify_config().await.unwrap().notify_url, "http://127.0.0.1:9/notify");
}

#[tokio::test]
async fn a_sent_coupon_is_notified_signed_and_encrypted_and_then_confirmed() {
    let sandbox = family_sandbox().await;
    let client = notify_client(&sandbox);
    let callback = Callback::start(0).await;
    set_notify_url(&client, &callback.url).await;
    let coupon = single_coupon(&client, "PC_0001").await;
    let sent = client.send_coupon(OPENID, &send(&coupon, "SEND_0001")).await.unwrap();

    let received = callback.wait_for(1).await.remove(0);
    // The envelope, as WeChat Pay sends it.
    let envelope: serde_json::Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(envelope["event_type"], "PRODUCT_COUPON_SP.SEND");
    assert_eq!(envelope["resource_type"], "encrypt-resource");
    assert_eq!(envelope["summary"], "商品券领券通知");
    assert_eq!(envelope["resource"]["original_type"], "product_coupon");
    assert_eq!(envelope["resource"]["algorithm"], "AEAD_AES_256_GCM");
    assert_eq!(envelope["resource"]["nonce"].as_str().unwrap().len(), 12);
    assert_eq!(envelope["id"].as_str().unwrap().len(), 36);
    assert_eq!(received.headers["wechatpay-serial"], sandbox.keys().public_key_id.as_str());
    assert_eq!(received.headers["wechatpay-signature-type"], "WECHATPAY2-SHA256-RSA2048");

    // Verified and decrypted by the client, as a callback handler would.
    let notification = client.parse_notification(&received.headers, &received.body).await.unwrap();
    assert_eq!(notification.event_type, "PRODUCT_COUPON_SP.SEND");
    assert_eq!(notification.original_type.as_deref(), Some("product_coupon"));
    let NotificationEvent::ProductCouponSend(event) = &notification.event else { panic!("{:?}", notification.event) };
    assert_eq!(
        (event.coupon_code.as_str(), event.openid.as_str(), event.appid.as_str()),
        (sent.coupon_code.as_str(), OPENID, APPID)
    );
    assert_eq!((event.product_coupon_id.as_str(), event.stock_id.as_str()), (coupon.0.as_str(), coupon.1.as_str()));
    assert_eq!((event.brand_id.as_str(), event.send_request_no.as_str()), (BRAND, "SEND_0001"));
    assert_eq!((event.send_channel.clone(), event.attach.as_deref()), (SendChannel::Api, Some("attached")));
    assert_eq!(event.valid_end_time, sent.valid_end_time);
    assert!(event.stock_bundle_id.is_none() && event.user_coupon_bundle_id.is_none());
    // A body changed on the way is refused.
    let mut tampered = received.body.clone();
    let at = tampered.len() - 3;
    tampered[at] ^= 1;
    assert!(client.parse_notification(&received.headers, &tampered).await.is_err());

    // Then the handler confirms the coupon (确认发放): only then can it be used.
    let confirm = ConfirmUserCouponRequest::builder()
        .product_coupon_id(&event.product_coupon_id)
        .stock_id(&event.stock_id)
        .appid(&event.appid)
        .out_request_no(format!("CONFIRM_{}", event.coupon_code))
        .brand_id(&event.brand_id)
        .build()
        .unwrap();
    let confirmed = client.confirm_user_coupon(&event.openid, &event.coupon_code, &confirm).await.unwrap();
    assert_eq!(confirmed.coupon_state, UserCouponState::Effective);

    // The log: delivered at the first attempt; a replayed send notifies nothing new.
    let records = eventually("the delivery to be recorded", || {
        let r = sandbox.notifications();
        (r.len() == 1 && r[0].status != DeliveryStatus::Pending).then_some(r)
    })
    .await;
    assert_eq!(records[0].status, DeliveryStatus::Delivered { http_status: 204 });
    assert_eq!((records[0].attempts, records[0].id.as_str()), (1, envelope["id"].as_str().unwrap()));
    assert_eq!(records[0].resource["coupon_code"], sent.coupon_code.as_str());
    client.send_coupon(OPENID, &send(&coupon, "SEND_0001")).await.unwrap();
    assert_eq!(sandbox.notifications().len(), 1, "a replay sends no notification");

    // A bundle: one notification per step, each naming the bundles.
    let bundled = client.create_product_coupon(&demo::product_coupon_request("PC_0002")).await.unwrap();
    let stock_bundle_id = bundled.stock_bundle.as_ref().unwrap().stock_bundle_id.clone();
    let request = SendCouponBundleRequest::builder()
        .product_coupon_id(&bundled.product_coupon_id)
        .stock_bundle_id(&stock_bundle_id)
        .appid(APPID)
        .send_request_no("SEND_BUNDLE_1")
        .brand_id(BRAND)
        .build()
        .unwrap();
    let bundle = client.send_coupon_bundle(OPENID, &request).await.unwrap();
    let all = callback.wait_for(4).await;
    let mut codes = Vec::new();
    for r in &all[1..] {
        let n = client.parse_notification(&r.headers, &r.body).await.unwrap();
        let NotificationEvent::ProductCouponSend(e) = n.event else { panic!() };
        assert_eq!(e.stock_bundle_id.as_deref(), Some(stock_bundle_id.as_str()));
        assert_eq!(e.user_coupon_bundle_id.as_deref(), Some(bundle.user_coupon_bundle_id.as_str()));
        codes.push(e.coupon_code);
    }
    codes.sort();
    let mut expected: Vec<CouponCode> = bundle.user_product_coupon_list.iter().map(|c| c.coupon_code.clone()).collect();
    expected.sort();
    assert_eq!(codes, expected);
}

#[tokio::test]
async fn failed_deliveries_are_retried_then_given_up() {
    let sandbox = Sandbox::builder()
        .start_time(demo::DEMO_TIME)
        .rate_limit(false)
        .notify_retry_delays([Duration::from_millis(10), Duration::from_millis(10)])
        .start()
        .await
        .unwrap();
    let client = notify_client(&sandbox);
    let coupon = single_coupon(&client, "PC_0001").await;

    // No notify URL: nothing is sent, and the log says so.
    client.send_coupon("oUserA", &send(&coupon, "SEND_A")).await.unwrap();
    assert_eq!(sandbox.notifications()[0].status, DeliveryStatus::NoNotifyUrl);

    // The first answer is a 500: the same notification comes again.
    let flaky = Callback::start(1).await;
    set_notify_url(&client, &flaky.url).await;
    client.send_coupon("oUserB", &send(&coupon, "SEND_B")).await.unwrap();
    let both = flaky.wait_for(2).await;
    assert_eq!(both[0].body, both[1].body, "the same body (and id) again");
    client.parse_notification(&both[1].headers, &both[1].body).await.unwrap();
    let record = eventually("the retry to be recorded", || {
        sandbox.notifications().into_iter().nth(1).filter(|r| r.status != DeliveryStatus::Pending)
    })
    .await;
    assert_eq!((record.attempts, record.status), (2, DeliveryStatus::Delivered { http_status: 204 }));
    assert!(record.last_error.unwrap().starts_with("HTTP 500"));

    // Never answered with a 2xx: given up after every attempt (1 + 2 retries here).
    let broken = Callback::start(usize::MAX).await;
    set_notify_url(&client, &broken.url).await;
    client.send_coupon("oUserC", &send(&coupon, "SEND_C")).await.unwrap();
    let record = eventually("the delivery to be given up", || {
        sandbox.notifications().into_iter().nth(2).filter(|r| r.status != DeliveryStatus::Pending)
    })
    .await;
    assert_eq!(record.attempts, 3);
    assert!(matches!(&record.status, DeliveryStatus::Failed { error } if error.starts_with("HTTP 500")), "{record:?}");
    assert_eq!(broken.received().len(), 3);

    // The admin endpoint shows the same log.
    let log = get_json(&format!("{}/sandbox/notifications", sandbox.base_url())).await;
    let statuses: Vec<&str> =
        log["notifications"].as_array().unwrap().iter().map(|n| n["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["no_notify_url", "delivered", "failed"]);
}

#[tokio::test]
async fn images_are_uploaded_as_multipart_forms() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let file = png(b"sandbox image");
    let meta = ImageUploadMeta::builder().filename("logo.png").sha256(file.sha256_hex()).build().unwrap();
    let uploaded = client.upload_image(&meta, &file).await.unwrap();
    let url = uploaded.url().unwrap_or_default();
    assert!(url.starts_with("https://"), "{url}");
    assert!(url.contains(&file.sha256_hex()));
    assert_eq!(client.upload_image(&meta, &file).await.unwrap(), uploaded, "the same image, the same URL");
    let other = png(b"another image");
    let other_meta = ImageUploadMeta::builder().filename("b.png").sha256(other.sha256_hex()).build().unwrap();
    assert_ne!(client.upload_image(&other_meta, &other).await.unwrap(), uploaded);

    // The meta must describe the file.
    let wrong_digest = ImageUploadMeta::builder().filename("logo.png").sha256(other.sha256_hex()).build().unwrap();
    let e = api_error(client.upload_image(&wrong_digest, &file).await);
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.starts_with("sha256:"), "{}", e.message);
    let wrong_name = ImageUploadMeta::builder().filename("logo.gif").sha256(file.sha256_hex()).build().unwrap();
    assert!(api_error(client.upload_image(&wrong_name, &file).await).message.starts_with("filename:"));

    // Files the client would refuse are refused by the sandbox too: too large (图片超过指定大小)...
    let unchecked = client.with_options(CallOptions::new().skip_validation(true));
    let big = png(&vec![0u8; 2 * 1024 * 1024]);
    let big_meta = ImageUploadMeta::builder().filename("big.png").sha256(big.sha256_hex()).build().unwrap();
    let e = api_error(unchecked.upload_image(&big_meta, &big).await);
    assert_eq!((e.status, &e.error_code(), e.business_code()), (400, &ErrorCode::InvalidRequest, Some(270087680)));
    // ... or not an image of the type named.
    let text = wechatpay_product_coupon::runtime::upload::UploadFile::new("a.png", "image/png", b"hello".to_vec());
    let text_meta = ImageUploadMeta::builder().filename("a.png").sha256(text.sha256_hex()).build().unwrap();
    let e = api_error(unchecked.upload_image(&text_meta, &text).await);
    assert_eq!((e.error_code(), e.business_code()), (ErrorCode::InvalidRequest, Some(268578101)));

    // The signature covers the meta JSON: a form whose meta was changed after signing is refused.
    let form = wechatpay_product_coupon::runtime::upload::multipart_form(
        &wechatpay_product_coupon::runtime::upload::MultipartLayout { meta_field: "meta", file_field: "file" },
        &serde_json::to_vec(&meta).unwrap(),
        &file,
    );
    let path = "/v3/marketing/partner/product-coupon/media/upload-image";
    let signed_meta = serde_json::to_vec(&other_meta).unwrap();
    let (status, _, json) =
        send_raw(as_form(raw(&sandbox, "POST", path, &signed_meta, None), &form.content_type, form.body)).await;
    assert_eq!((status, json["code"].as_str()), (401, Some("SIGN_ERROR")));
    assert!(json["message"].as_str().unwrap().contains("does not verify"), "{json}");
}

/// Forms the multipart reader refuses are a signed 400 `PARAM_ERROR` naming the problem, and the
/// sandbox serves the next upload as usual.
#[tokio::test]
async fn broken_upload_forms_are_param_errors() {
    let sandbox = family_sandbox().await;
    let path = "/v3/marketing/partner/product-coupon/media/upload-image";
    let content_type = "multipart/form-data; boundary=abc";
    let forms: [(&[u8], &str); 4] = [
        (b"no boundary here", "no boundary"),
        (b"--abc\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{\"filename\":\"a.png\"", "not closed"),
        (b"--abc\r\nContent-Type: text/plain\r\n\r\nx\r\n--abc--\r\n", "no name"),
        (
            b"--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nPNG\r\n--abc--\r\n",
            "no `meta` part",
        ),
    ];
    for (form, what) in forms {
        let request = as_form(raw(&sandbox, "POST", path, b"{}", None), content_type, form.to_vec());
        let (status, headers, json) = send_raw(request).await;
        assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")), "{what}: {json}");
        assert!(json["message"].as_str().unwrap().starts_with("multipart/form-data: "), "{what}: {json}");
        assert!(headers.contains_key("wechatpay-signature"), "{what}: signed");
    }
    let client = client(&sandbox);
    let file = png(b"after the broken forms");
    let meta = ImageUploadMeta::builder().filename("a.png").sha256(file.sha256_hex()).build().unwrap();
    assert!(client.upload_image(&meta, &file).await.is_ok());
}

async fn send_raw(req: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    common::send(req).await
}

#[tokio::test]
async fn image_generation_tasks_finish_and_notify() {
    let sandbox = family_sandbox().await;
    let client = notify_client(&sandbox);
    let callback = Callback::start(0).await;
    set_notify_url(&client, &callback.url).await;

    let combine = CreateImageGenerationTaskRequest::builder()
        .brand_id(BRAND)
        .task_id("TASK_0001")
        .image_generation_type(ImageGenerationType::CombineImage)
        .combine_image(
            CombineImage::builder()
                .scope(ProductCouponScope::Single)
                .type_(ProductCouponType::Normal)
                .usage_mode(UsageMode::Single)
                .normal_coupon(NormalCouponUsageRule::builder().threshold(10000).discount_amount(1500))
                .background_color("#ff5733"),
        )
        .build()
        .unwrap();
    let submitted = client.create_image_generation_task(&combine).await.unwrap();
    assert_eq!((submitted.task_id.as_str(), submitted.brand_id.as_str()), ("TASK_0001", BRAND));
    assert_eq!(client.create_image_generation_task(&combine).await.unwrap(), submitted, "a retry");
    let mut changed = combine.clone();
    changed.combine_image.as_mut().unwrap().background_color = Some("#000000".into());
    assert_eq!(api_error(client.create_image_generation_task(&changed).await).business_code(), Some(268578927));

    // Queried: finished.
    let task = client.get_image_generation_task("TASK_0001", BRAND, &ImageGenerationType::CombineImage).await.unwrap();
    assert_eq!(task.task_state, ImageGenerationTaskState::Success);
    let url = task.combine_image_result.as_ref().unwrap().image_url.clone();
    assert!(url.starts_with("https://"), "{url}");
    let e = api_error(client.get_image_generation_task("TASK_0001", BRAND, &ImageGenerationType::CutOut).await);
    assert_eq!((e.status, &e.error_code()), (404, &ErrorCode::NotFound));
    // And notified, with the task as the resource.
    let received = callback.wait_for(1).await.remove(0);
    let n = client.parse_notification(&received.headers, &received.body).await.unwrap();
    let NotificationEvent::ImageGeneration(notified) = n.event else { panic!("{:?}", n.event) };
    assert_eq!(*notified, task);

    // Not queried: it finishes by itself, and the notification tells. A 抠图 of something
    // that is not an image URL fails.
    let cut_out = CreateImageGenerationTaskRequest::builder()
        .brand_id(BRAND)
        .task_id("TASK_0002")
        .image_generation_type(ImageGenerationType::CutOut)
        .cut_out(CutOut::builder().image_url("not-an-image-url"))
        .build()
        .unwrap();
    client.create_image_generation_task(&cut_out).await.unwrap();
    // Found by its task id, not by arrival order: deliveries run concurrently.
    let mut notified = Vec::new();
    for received in callback.wait_for(2).await {
        let n = client.parse_notification(&received.headers, &received.body).await.unwrap();
        let NotificationEvent::ImageGeneration(task) = n.event else { panic!("{:?}", n.event) };
        notified.push(task);
    }
    let mut second: Vec<_> = notified.into_iter().filter(|t| t.task_id == "TASK_0002").collect();
    assert_eq!(second.len(), 1, "one notification for TASK_0002: {second:?}");
    let failed = second.remove(0);
    assert_eq!((failed.task_id.as_str(), failed.task_state.clone()), ("TASK_0002", ImageGenerationTaskState::Fail));
    assert!(failed.cut_out_result.is_none());
    let again = client.get_image_generation_task("TASK_0002", BRAND, &ImageGenerationType::CutOut).await.unwrap();
    assert_eq!(again, *failed);

    // A 拼图 needs the rule of its type.
    let mut no_rule = combine.clone();
    no_rule.task_id = "TASK_0003".into();
    no_rule.combine_image.as_mut().unwrap().normal_coupon = None;
    let e = api_error(client.create_image_generation_task(&no_rule).await);
    assert!(e.message.starts_with("combine_image.normal_coupon:"), "{}", e.message);
}

#[tokio::test]
async fn the_family_state_survives_a_restart() {
    let dir = temp_dir("family-state");
    let file = dir.join("state.json");
    let (sent, coupon) = {
        let sandbox = Sandbox::builder().start_time(demo::DEMO_TIME).state_file(&file).start().await.unwrap();
        let client = client(&sandbox);
        set_notify_url(&client, "https://merchant.example.com/notify").await;
        let coupon = single_coupon(&client, "PC_0001").await;
        let sent = client.send_coupon(OPENID, &send(&coupon, "SEND_0001")).await.unwrap();
        let confirm = ConfirmUserCouponRequest::builder()
            .product_coupon_id(&coupon.0)
            .stock_id(&coupon.1)
            .appid(APPID)
            .out_request_no("CONFIRM_0001")
            .brand_id(BRAND)
            .build()
            .unwrap();
        client.confirm_user_coupon(OPENID, &sent.coupon_code, &confirm).await.unwrap();
        sandbox.shutdown().await;
        (sent, coupon)
    };

    let sandbox = Sandbox::builder().start_time(demo::DEMO_TIME).state_file(&file).start().await.unwrap();
    let client = client(&sandbox);
    let got = client.get_user_coupon(OPENID, &sent.coupon_code, BRAND, &coupon.0, &coupon.1, APPID).await.unwrap();
    assert_eq!(got.coupon_state, UserCouponState::Effective);
    assert_eq!(client.get_notify_config().await.unwrap().notify_url, "https://merchant.example.com/notify");
    assert_eq!(client.get_stock(&coupon.0, &coupon.1, BRAND).await.unwrap().sent_count_info.total_count, 1);
    // Limits and idempotency records are remembered too.
    assert_eq!(client.send_coupon(OPENID, &send(&coupon, "SEND_0001")).await.unwrap().coupon_code, sent.coupon_code);
    let e = api_error(client.send_coupon(OPENID, &send(&coupon, "SEND_0002")).await);
    assert_eq!(e.business_code(), Some(272756740), "max_count_per_user = 1");
    // Codes continue.
    let next = client.send_coupon("oUserB", &send(&coupon, "SEND_0003")).await.unwrap();
    assert_eq!(next.coupon_code, "800000000002");
    sandbox.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn admin_endpoints_show_the_state_and_move_the_clock() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let coupon = single_coupon(&client, "PC_0001").await;
    let sent = client.send_coupon(OPENID, &send(&coupon, "SEND_0001")).await.unwrap();

    let clock = get_json(&format!("{}/sandbox/clock", sandbox.base_url())).await;
    assert!(clock["now"].as_str().unwrap().starts_with("2025-08-04T10:"), "{clock}");
    let url = format!("{}/sandbox/clock", sandbox.base_url());
    let post = || admin(reqwest::Method::POST, &url);
    let resp = post().body(r#"{"advance_seconds": 2592000}"#).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(sandbox.now().starts_with("2025-09-03T10:"), "{}", sandbox.now());
    let resp = post().body(r#"{"now": "2025-08-05T08:00:00+08:00"}"#).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(sandbox.now().starts_with("2025-08-05T08:00:"), "{}", sandbox.now());
    assert_eq!(post().body(r#"{"now": "tomorrow"}"#).send().await.unwrap().status(), 400);

    let state = get_json(&format!("{}/sandbox/state", sandbox.base_url())).await;
    assert_eq!(state["product_coupons"].as_array().unwrap().len(), 1);
    let users = state["user_coupons"].as_array().unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["openid"], OPENID);
    assert_eq!(users[0]["coupon"]["coupon_code"], sent.coupon_code.as_str());
    assert_eq!(users[0]["coupon"]["coupon_state"], "CONFIRMING");
}

#[tokio::test]
async fn a_lost_send_response_retried_sends_one_coupon_and_one_notification() {
    let sandbox = family_sandbox().await;
    let setup = client(&sandbox);
    let coupon = single_coupon(&setup, "PC_0001").await;
    // The send is handled, then the connection drops before the answer: the client retries
    // with the same send_request_no and gets the coupon sent the first time.
    sandbox.faults().inject_for("send_coupon", wechatpay_sandbox::FaultAction::DropAfter, 1);
    let retrying = retrying_client(&sandbox, 3);
    let sent = retrying.send_coupon(OPENID, &send(&coupon, "SEND_0001")).await.unwrap();
    assert_eq!(sent.coupon_code, "800000000001");
    assert_eq!(setup.get_stock(&coupon.0, &coupon.1, BRAND).await.unwrap().sent_count_info.total_count, 1);
    let notified: Vec<_> =
        sandbox.notifications().into_iter().filter(|n| n.event_type == "PRODUCT_COUPON_SP.SEND").collect();
    assert_eq!(notified.len(), 1);
    assert_eq!(notified[0].resource["coupon_code"], "800000000001");
}

#[tokio::test]
async fn deliveries_never_follow_redirects() {
    // One attempt per notification: the redirect is the whole story.
    let sandbox = Sandbox::builder()
        .start_time(demo::DEMO_TIME)
        .rate_limit(false)
        .notify_retry_delays([Duration::from_millis(10)])
        .start()
        .await
        .unwrap();
    let client = notify_client(&sandbox);
    let coupon = single_coupon(&client, "PC_0001").await;
    let elsewhere = Callback::start(0).await;
    let redirector = Callback::redirecting_to(&elsewhere.url).await;
    set_notify_url(&client, &redirector.url).await;
    client.send_coupon("oUserA", &send(&coupon, "SEND_A")).await.unwrap();

    let record = eventually("the delivery to be given up", || {
        sandbox.notifications().into_iter().next().filter(|r| r.status != DeliveryStatus::Pending)
    })
    .await;
    // A 3xx is a failed attempt, retried on the schedule like a 500, then given up.
    assert_eq!(record.attempts, 2, "{record:?}");
    assert!(matches!(&record.status, DeliveryStatus::Failed { error } if error.starts_with("HTTP 302")), "{record:?}");
    assert_eq!(redirector.received().len(), 2);
    // Every attempt is over, so nothing can still be on its way to the redirect target.
    assert_eq!(elsewhere.received().len(), 0, "the redirect target received nothing");
}
