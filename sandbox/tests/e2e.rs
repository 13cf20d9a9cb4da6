//! The generated client against the sandbox over loopback: every operation, business rules,
//! server-side validation, signatures, idempotency, rate limits, certificates, failover and the
//! state file.

mod common;

use common::*;
use wechatpay_product_coupon::ApiErrorExt as _;
use wechatpay_product_coupon::generated::operations::OPERATIONS;
use wechatpay_product_coupon::ids::ProductCouponId;
use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::{CallOptions, Client, Error, ErrorCode, PrivateKey};
use wechatpay_sandbox::{Sandbox, demo};

#[tokio::test]
async fn create_product_coupon_makes_one_stock_per_step() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let created = client.create_product_coupon(&demo::product_coupon_request("SEED_0001")).await.unwrap();
    assert_eq!(created.product_coupon_id, "1000000001");
    assert_eq!(created.state, ProductCouponState::Effective);
    assert_eq!(created.brand_id, demo::BRAND_ID);
    assert_eq!(created.usage_mode, UsageMode::ProgressiveBundle);
    assert_eq!(created.display_info.name, "指定商品立减15(可用3次)");
    assert!(created.stock.is_none());
    let bundle = created.stock_bundle.expect("PROGRESSIVE_BUNDLE returns the bundle");
    assert_eq!(bundle.stock_list.len(), 3);
    for (i, stock) in bundle.stock_list.iter().enumerate() {
        assert_eq!(stock.stock_bundle_info.stock_bundle_index, i as i64);
        assert_eq!(stock.stock_bundle_info.stock_bundle_id, bundle.stock_bundle_id);
        assert_eq!(stock.product_coupon_id, created.product_coupon_id);
        assert_eq!(stock.state, StockState::Sending);
        assert_eq!(stock.sent_count_info.total_count, 0);
        assert_eq!(stock.brand_id, demo::BRAND_ID);
        let rule = stock.progressive_bundle_usage_rule.as_ref().unwrap();
        assert_eq!(rule.normal_coupon.as_ref().unwrap().discount_amount, 1500, "the single rule applies to every step");
    }
    let ids: std::collections::BTreeSet<_> = bundle.stock_list.iter().map(|s| s.stock_id.clone()).collect();
    assert_eq!(ids.len(), 3, "distinct stock ids");
    let held = sandbox.product_coupon(&created.product_coupon_id).unwrap();
    assert_eq!(held.stock_bundles.len(), 1);
    assert_eq!(held.coupon.state, ProductCouponState::Effective);
}

#[tokio::test]
async fn single_mode_coupon_gets_one_stock() {
    let sandbox = sandbox().await;
    let created =
        client(&sandbox).create_product_coupon(&demo::single_product_coupon_request("SINGLE_0001")).await.unwrap();
    let stock = created.stock.expect("SINGLE returns its stock");
    assert!(created.stock_bundle.is_none());
    assert_eq!(stock.product_coupon_id, created.product_coupon_id);
    assert_eq!(stock.state, StockState::Sending);
    assert_eq!(stock.single_usage_rule.unwrap().normal_coupon.unwrap().discount_amount, 1500);
    assert_eq!(sandbox.product_coupon(&created.product_coupon_id).unwrap().stocks.len(), 1);
}

#[tokio::test]
async fn add_stock_bundle_takes_one_list_entry_per_step() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let coupon = client.create_product_coupon(&demo::product_coupon_request("SEED_0001")).await.unwrap();
    let bundle = client
        .create_stock_bundle(&coupon.product_coupon_id, &demo::stock_bundle_request("BUNDLE_0001", 3))
        .await
        .unwrap();
    assert_eq!(bundle.stock_list.len(), 3);
    let amounts: Vec<i64> = bundle
        .stock_list
        .iter()
        .map(|s| s.progressive_bundle_usage_rule.as_ref().unwrap().normal_coupon.as_ref().unwrap().discount_amount)
        .collect();
    assert_eq!(amounts, [100, 200, 300]);
    let indices: Vec<i64> = bundle.stock_list.iter().map(|s| s.stock_bundle_info.stock_bundle_index).collect();
    assert_eq!(indices, [0, 1, 2]);
    assert!(bundle.stock_list.iter().all(|s| s.coupon_code_mode == CouponCodeMode::Upload));
    assert!(bundle.stock_list.iter().all(|s| s.coupon_code_count_info.is_some()), "UPLOAD stocks count codes");
    let held = sandbox.product_coupon(&coupon.product_coupon_id).unwrap();
    assert_eq!(held.stock_bundles.len(), 2);
    assert_eq!(held.stock_bundles[1], bundle);
}

#[tokio::test]
async fn unknown_or_foreign_product_coupon_is_not_found() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let e = api_error(client.create_stock_bundle("1999999999", &demo::stock_bundle_request("BUNDLE_0001", 3)).await);
    assert_eq!((e.status, &e.error_code()), (404, &ErrorCode::NotFound));
    assert!(e.message.contains("1999999999"), "{}", e.message);
    assert_eq!(e.business_code(), Some(268578608));
    assert!(e.signature_verified, "error responses are signed too");

    let coupon = client.create_product_coupon(&demo::product_coupon_request("SEED_0001")).await.unwrap();
    let mut other_brand = demo::stock_bundle_request("BUNDLE_0002", 3);
    other_brand.brand_id = "999999".into();
    let e = api_error(client.create_stock_bundle(&coupon.product_coupon_id, &other_brand).await);
    assert_eq!(e.error_code(), ErrorCode::NotFound, "a coupon of another brand is not found");
}

#[tokio::test]
async fn single_coupon_refuses_a_stock_bundle() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let single = client.create_product_coupon(&demo::single_product_coupon_request("SINGLE_0001")).await.unwrap();
    let e = api_error(
        client.create_stock_bundle(&single.product_coupon_id, &demo::stock_bundle_request("BUNDLE_0001", 3)).await,
    );
    assert_eq!((e.status, &e.error_code()), (400, &ErrorCode::InvalidRequest));
    assert!(e.message.contains("PROGRESSIVE_BUNDLE") && e.message.contains("SINGLE"), "{}", e.message);
    assert!(sandbox.product_coupon(&single.product_coupon_id).unwrap().stock_bundles.is_empty());
}

#[tokio::test]
async fn business_rules_name_the_field() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let coupon = client.create_product_coupon(&demo::product_coupon_request("SEED_0001")).await.unwrap();
    let id = &coupon.product_coupon_id;

    // A rule list must have one entry per step (the coupon has 3).
    let e = api_error(client.create_stock_bundle(id, &demo::stock_bundle_request("BUNDLE_0001", 2)).await);
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.starts_with("stock_bundle.progressive_bundle_usage_rule.normal_coupon_list:"), "{}", e.message);

    // The bundle must carry a rule of the coupon's type.
    let mut wrong_type = demo::stock_bundle_request("BUNDLE_0002", 3);
    let rule = wrong_type.stock_bundle.progressive_bundle_usage_rule.as_mut().unwrap();
    rule.normal_coupon_list = None;
    rule.discount_coupon = Some(DiscountCouponUsageRule::builder().threshold(0).percent_off(10).build().unwrap());
    let e = api_error(client.create_stock_bundle(id, &wrong_type).await);
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.contains("normal_coupon"), "{}", e.message);

    // Bundles only take WECHATPAY or UPLOAD codes (a spec rule: the client checks it too).
    let mut api_assign = demo::stock_bundle_request("BUNDLE_0003", 3);
    api_assign.stock_bundle.coupon_code_mode = CouponCodeMode::ApiAssign;
    assert!(matches!(client.create_stock_bundle(id, &api_assign).await, Err(Error::Validation(_))));
    let unchecked = client.with_options(CallOptions::new().skip_validation(true));
    let e = api_error(unchecked.create_stock_bundle(id, &api_assign).await);
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.starts_with("stock_bundle.coupon_code_mode:"), "{}", e.message);

    assert_eq!(sandbox.product_coupon(id).unwrap().stock_bundles.len(), 1, "nothing was added");
}

#[tokio::test]
async fn validation_is_enforced_even_when_the_client_skips_it() {
    let sandbox = sandbox().await;
    let unchecked = client(&sandbox).with_options(CallOptions::new().skip_validation(true));

    let mut bad = demo::product_coupon_request("x!");
    bad.progressive_bundle_usage_info.as_mut().unwrap().count = 99;
    let e = api_error(unchecked.create_product_coupon(&bad).await);
    assert_eq!((e.status, &e.error_code()), (400, &ErrorCode::ParamError));
    for field in ["out_request_no", "progressive_bundle_usage_info.count"] {
        assert!(e.message.contains(&format!("{field}: ")), "{field} in {}", e.message);
    }
    let detail = e.detail.as_ref().unwrap();
    assert_eq!(detail["field"], "out_request_no");
    assert_eq!(detail["violations"].as_array().unwrap().len(), 3, "{detail}");

    // Only a cross-field rule broken: INVALID_REQUEST (a 单品券 with neither price form).
    let mut no_price = demo::product_coupon_request("SEED_0002");
    no_price.display_info.original_price = None;
    no_price.display_info.combo_package_list = None;
    let e = api_error(unchecked.create_product_coupon(&no_price).await);
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.starts_with("display_info.original_price: at least one of"), "{}", e.message);

    // The same request with validation on never leaves the client.
    let checked = client(&sandbox);
    assert!(matches!(checked.create_product_coupon(&no_price).await, Err(Error::Validation(_))));
    assert!(sandbox.product_coupons().is_empty());
}

#[tokio::test]
async fn malformed_bodies_are_param_errors_naming_the_json_path() {
    let sandbox = sandbox().await;
    let mut body = serde_json::to_value(demo::product_coupon_request("SEED_0001")).unwrap();
    body["progressive_bundle_usage_info"]["count"] = "3".into();
    let bytes = serde_json::to_vec(&body).unwrap();
    let (status, headers, json) = send(raw(&sandbox, "POST", CREATE_PATH, &bytes, None)).await;
    assert_eq!(status, 400);
    assert_eq!(json["code"], "PARAM_ERROR");
    assert!(json["message"].as_str().unwrap().contains("progressive_bundle_usage_info.count"), "{json}");
    assert!(headers.contains_key("wechatpay-signature") && headers.contains_key("request-id"));

    let (status, _, json) = send(raw(&sandbox, "POST", CREATE_PATH, b"", None)).await;
    assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")));
    let (status, _, json) = send(raw(&sandbox, "POST", CREATE_PATH, b"{not json", None)).await;
    assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")));
}

#[tokio::test]
async fn wrong_keys_and_stale_timestamps_are_sign_errors() {
    let sandbox = sandbox().await;
    let k = sandbox.keys().clone();
    // Signed with a key the sandbox does not know for this merchant.
    let impostor = sandbox.client_builder().private_key_pem(&k.wechatpay_key_pem).build().unwrap();
    let e = api_error(impostor.create_product_coupon(&demo::product_coupon_request("SEED_0001")).await);
    assert_eq!((e.status, &e.error_code()), (401, &ErrorCode::SignError));
    assert!(e.signature_verified);
    // An unknown certificate serial.
    let unknown = sandbox.client_builder().merchant_serial_no("00FF").build().unwrap();
    assert_eq!(api_error(unknown.create_product_coupon(&demo::product_coupon_request("SEED_0001")).await).status, 401);
    // Another merchant id.
    let other = sandbox.client_builder().mchid("1900000002").build().unwrap();
    assert_eq!(api_error(other.create_product_coupon(&demo::product_coupon_request("SEED_0001")).await).status, 401);

    // A timestamp 6 minutes old, and one 6 minutes ahead.
    let body = serde_json::to_vec(&demo::product_coupon_request("SEED_0001")).unwrap();
    let now = wechatpay_product_coupon::runtime::signing::unix_timestamp();
    for ts in [now - 360, now + 360] {
        let (status, _, json) = send(raw(&sandbox, "POST", CREATE_PATH, &body, Some(ts))).await;
        assert_eq!((status, json["code"].as_str()), (401, Some("SIGN_ERROR")), "{json}");
        assert!(json["message"].as_str().unwrap().contains("away from local time"), "{json}");
    }
    // A body changed after signing.
    let signed = raw(&sandbox, "POST", CREATE_PATH, &body, None);
    let tampered = signed.body(serde_json::to_vec(&demo::product_coupon_request("SEED_0002")).unwrap());
    assert_eq!(send(tampered).await.0, 401);
    // No Authorization at all.
    let plain = reqwest::Client::new().post(format!("{}{CREATE_PATH}", sandbox.base_url())).body(body.clone());
    let (status, _, json) = send(plain).await;
    assert_eq!((status, json["code"].as_str()), (401, Some("SIGN_ERROR")));
    assert!(sandbox.product_coupons().is_empty());

    // A sandbox told about a second merchant accepts it.
    let second = PrivateKey::from_pem(&k.platform_key_pem).unwrap();
    let sandbox2 = Sandbox::builder().merchant("1900000002", "ABCDEF", second.public_key()).start().await.unwrap();
    let client2 =
        sandbox2.client_builder().mchid("1900000002").merchant_serial_no("ABCDEF").private_key(second).build().unwrap();
    client2.create_product_coupon(&demo::product_coupon_request("SEED_0001")).await.unwrap();
}

#[tokio::test]
async fn brands_that_did_not_authorize_the_merchant_get_no_auth() {
    let sandbox = Sandbox::builder().brands([demo::BRAND_ID]).start().await.unwrap();
    let client = client(&sandbox);
    let coupon = client.create_product_coupon(&demo::product_coupon_request("AUTH_0001")).await.unwrap();
    let mut other = demo::product_coupon_request("AUTH_0002");
    other.brand_id = "999999".into();
    let e = api_error(client.create_product_coupon(&other).await);
    assert_eq!((e.status, &e.error_code()), (403, &ErrorCode::NoAuth));
    assert!(e.message.contains("999999"), "{}", e.message);
    let mut bundle = demo::stock_bundle_request("AUTH_0003", 3);
    bundle.brand_id = "999999".into();
    assert_eq!(
        api_error(client.create_stock_bundle(&coupon.product_coupon_id, &bundle).await).error_code(),
        ErrorCode::NoAuth
    );
    assert_eq!(sandbox.product_coupons().len(), 1);
}

#[tokio::test]
async fn same_out_request_no_and_body_returns_the_same_result() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let request = demo::product_coupon_request("SEED_0001");
    let first = client.create_product_coupon(&request).await.unwrap();
    let second = client.create_product_coupon(&request).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(sandbox.product_coupons().len(), 1);

    // The same request with its JSON laid out differently is the same request.
    let mut value = serde_json::to_value(&request).unwrap();
    let map = value.as_object_mut().unwrap();
    let reordered: serde_json::Map<_, _> = map.iter().rev().map(|(k, v)| (k.clone(), v.clone())).collect();
    let bytes = serde_json::to_vec(&reordered).unwrap();
    let (status, _, json) = send(raw(&sandbox, "POST", CREATE_PATH, &bytes, None)).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["product_coupon_id"], first.product_coupon_id.as_str());

    let bundle_request = demo::stock_bundle_request("BUNDLE_0001", 3);
    let b1 = client.create_stock_bundle(&first.product_coupon_id, &bundle_request).await.unwrap();
    let b2 = client.create_stock_bundle(&first.product_coupon_id, &bundle_request).await.unwrap();
    assert_eq!(b1, b2);
    assert_eq!(sandbox.product_coupon(&first.product_coupon_id).unwrap().stock_bundles.len(), 2);
}

#[tokio::test]
async fn same_out_request_no_with_another_body_is_refused() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let first = client.create_product_coupon(&demo::product_coupon_request("SEED_0001")).await.unwrap();
    let mut changed = demo::product_coupon_request("SEED_0001");
    changed.display_info.name = "另一个名字".into();
    let e = api_error(client.create_product_coupon(&changed).await);
    assert_eq!((e.status, &e.error_code()), (400, &ErrorCode::AlreadyExists));
    assert_eq!(e.business_code(), Some(268578927));
    assert!(e.message.contains("SEED_0001"), "{}", e.message);
    assert_eq!(sandbox.product_coupons().len(), 1);

    // For bundles the path is part of the request: the same number on another coupon differs.
    let other = client.create_product_coupon(&demo::product_coupon_request("SEED_0002")).await.unwrap();
    let bundle = demo::stock_bundle_request("BUNDLE_0001", 3);
    client.create_stock_bundle(&first.product_coupon_id, &bundle).await.unwrap();
    let e = api_error(client.create_stock_bundle(&other.product_coupon_id, &bundle).await);
    assert_eq!(e.error_code(), ErrorCode::AlreadyExists);

    // A refused request leaves its number free.
    let refused = client.create_stock_bundle("1999999999", &demo::stock_bundle_request("BUNDLE_0002", 3)).await;
    assert_eq!(api_error(refused).error_code(), ErrorCode::NotFound);
    client.create_stock_bundle(&other.product_coupon_id, &demo::stock_bundle_request("BUNDLE_0002", 3)).await.unwrap();
}

#[tokio::test]
async fn bursts_over_the_rate_limit_get_429() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut seen_429 = false;
    let mut created = 0;
    // 20/s with a one-second bucket. Nothing here depends on the machine's speed: whatever a
    // round takes, a token bucket never lets more than 20 + 20/s x (the round's duration) through,
    // and a round of 50 that takes under 1.45 s must see a 429. Rounds repeat (at most 10)
    // only when a very slow machine let the bucket refill enough to pass them all.
    for round in 0..10 {
        let calls = (0..50).map(|i| {
            let client = client.clone();
            async move {
                client.create_product_coupon(&demo::product_coupon_request(&format!("BURST_{round}_{i:03}"))).await
            }
        });
        let started = std::time::Instant::now();
        let results = futures_join_all(calls).await;
        let bound = 20.0 + 20.0 * started.elapsed().as_secs_f64() + 1.0;
        let mut passed = 0;
        for result in results {
            match result {
                Ok(_) => passed += 1,
                Err(e) => {
                    let e = e.as_api().expect("an API error");
                    assert_eq!((e.status, &e.error_code()), (429, &ErrorCode::RatelimitExceeded));
                    seen_429 = true;
                }
            }
        }
        assert!(f64::from(passed) <= bound, "{passed} requests passed a bucket that allowed at most {bound:.1}");
        created += passed as usize;
        if seen_429 {
            break;
        }
    }
    assert!(seen_429, "ten rounds of 50 requests, and none was refused");
    assert_eq!(sandbox.product_coupons().len(), created, "refused requests create nothing");

    // Off switch, for load tests: 40 concurrent creates all pass, and make 40 distinct coupons,
    // every one of them held by the sandbox (none lost, none merged).
    let unlimited = Sandbox::builder().rate_limit(false).start().await.unwrap();
    let client = common::client(&unlimited);
    let calls = (0..40).map(|i| {
        let client = client.clone();
        async move { client.create_product_coupon(&demo::product_coupon_request(&format!("FREE_{i:03}"))).await }
    });
    let ids: Vec<ProductCouponId> = futures_join_all(calls)
        .await
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("create FREE_{i:03}: {e}")).product_coupon_id)
        .collect();
    let distinct: std::collections::BTreeSet<&ProductCouponId> = ids.iter().collect();
    assert_eq!(distinct.len(), 40, "40 creates, 40 distinct coupons: {ids:?}");
    let held: std::collections::BTreeSet<ProductCouponId> =
        unlimited.product_coupons().into_iter().map(|c| c.coupon.product_coupon_id).collect();
    assert_eq!(held, ids.iter().cloned().collect(), "the sandbox holds exactly the 40 answered");
}

/// `join_all` without the futures crate: spawn each on the runtime and await them in order.
async fn futures_join_all<F, T>(futures: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn certificate_mode_client_downloads_and_verifies() {
    let sandbox = sandbox().await;
    let client = sandbox
        .certificate_client_builder()
        .retry_policy(wechatpay_product_coupon::RetryPolicy::none())
        .build()
        .unwrap();
    let created = client.create_product_coupon(&demo::product_coupon_request("CERT_0001")).await.unwrap();
    assert_eq!(created.product_coupon_id, "1000000001");
    assert_eq!(client.refresh_certificates().await.unwrap(), 1);

    // The raw download: AEAD-encrypted with the APIv3 key, signed by the certificate's key.
    let (status, headers, json) = send(raw(&sandbox, "GET", "/v3/certificates", b"", None)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["wechatpay-serial"], sandbox.keys().platform_serial_no.as_str());
    assert_eq!(json["data"][0]["serial_no"], sandbox.keys().platform_serial_no.as_str());
    assert_eq!(json["data"][0]["encrypt_certificate"]["algorithm"], "AEAD_AES_256_GCM");

    // Public-key mode responses name the public key id.
    let (_, headers, _) = send(raw(&sandbox, "POST", CREATE_PATH, b"{}", None)).await;
    assert_eq!(headers["wechatpay-serial"], sandbox.keys().public_key_id.as_str());
}

#[tokio::test]
async fn fails_over_to_the_backup_when_the_primary_refuses_connections() {
    let sandbox = sandbox().await;
    // A socket bound but never listening: the port stays ours for the whole test (no other
    // process can take it), and connections to it are refused.
    let reserved = tokio::net::TcpSocket::new_v4().unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let refused = reserved.local_addr().unwrap();
    let client: Client = sandbox
        .client_builder()
        .base_url(format!("http://{refused}"))
        .backup_base_url(sandbox.base_url())
        .retry_policy(wechatpay_product_coupon::RetryPolicy::none())
        .build()
        .unwrap();
    let created = client.create_product_coupon(&demo::product_coupon_request("FAILOVER_0001")).await.unwrap();
    let bundle = client
        .create_stock_bundle(&created.product_coupon_id, &demo::stock_bundle_request("FAILOVER_0002", 3))
        .await
        .unwrap();
    assert_eq!(bundle.stock_list.len(), 3);
    assert_eq!(sandbox.product_coupons().len(), 1);
}

#[tokio::test]
async fn every_operation_of_the_spec_is_routed_and_unknown_paths_are_404() {
    let sandbox = sandbox().await;
    for op in OPERATIONS {
        // Every path parameter gets a sample value; whatever the operation makes of the request
        // (here: an empty body), it is routed and authenticated, not "no operation".
        let path: String = op
            .path_template
            .split('/')
            .map(|seg| if seg.starts_with('{') { "1000000001" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let (status, headers, json) = send(raw(&sandbox, op.method, &path, b"", None)).await;
        let message = json["message"].as_str().unwrap_or_default();
        assert!(status != 405 && !message.starts_with("no operation"), "{}: {status} {json}", op.id);
        assert_ne!(status, 401, "{}: {json}", op.id);
        assert!(headers.contains_key("wechatpay-signature"), "{}", op.id);
        if op.method != "GET" {
            assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")), "{}: {json}", op.id);
        }
    }
    let (status, headers, json) = send(raw(&sandbox, "GET", "/v3/marketing/nothing-here", b"", None)).await;
    assert_eq!((status, json["code"].as_str()), (404, Some("NOT_FOUND")));
    assert!(headers.contains_key("wechatpay-signature"), "404s are signed");
    let (status, _, _) = send(raw(&sandbox, "GET", CREATE_PATH, b"", None)).await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = temp_dir("state");
    let file = dir.join("sandbox-state.json");
    let first_request = demo::product_coupon_request("SEED_0001");
    let (coupon_id, bundle) = {
        let sandbox = Sandbox::builder().state_file(&file).start().await.unwrap();
        let client = client(&sandbox);
        let coupon = client.create_product_coupon(&first_request).await.unwrap();
        let bundle = client
            .create_stock_bundle(&coupon.product_coupon_id, &demo::stock_bundle_request("BUNDLE_0001", 3))
            .await
            .unwrap();
        sandbox.shutdown().await;
        (coupon.product_coupon_id, bundle)
    };
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["sandbox-state.json"], "written atomically, no temp files left");

    let sandbox = Sandbox::builder().state_file(&file).start().await.unwrap();
    let held = sandbox.product_coupon(&coupon_id).expect("loaded from the state file");
    assert_eq!(held.stock_bundles.len(), 2);
    assert_eq!(held.stock_bundles[1], bundle);
    let client = client(&sandbox);
    // Idempotency records survive too, and ids continue.
    assert_eq!(client.create_product_coupon(&first_request).await.unwrap().product_coupon_id, coupon_id);
    let next = client.create_product_coupon(&demo::product_coupon_request("SEED_0002")).await.unwrap();
    assert_eq!(next.product_coupon_id, "1000000002");
    sandbox.shutdown().await;

    std::fs::write(&file, b"{ not json").unwrap();
    let err = Sandbox::builder().state_file(&file).start().await.unwrap_err();
    assert!(err.to_string().contains("sandbox-state.json"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn env_file_configures_a_client() {
    let sandbox = sandbox().await;
    let dir = temp_dir("env");
    let env_file = dir.join("sandbox.env");
    let keys_dir = sandbox.write_env_file(&env_file).unwrap();
    let text = std::fs::read_to_string(&env_file).unwrap();
    let vars: std::collections::HashMap<String, String> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
        .collect();
    assert_eq!(vars["WECHATPAY_BASE_URL"], sandbox.base_url());
    assert_eq!(vars["WECHATPAY_MCHID"], sandbox.keys().mchid);
    assert!(vars["WECHATPAY_PRIVATE_KEY_PATH"].starts_with(&keys_dir.display().to_string()));
    // Everything from_env reads, given by hand (the process environment is shared by tests).
    let client = Client::builder()
        .mchid(&vars["WECHATPAY_MCHID"])
        .merchant_serial_no(&vars["WECHATPAY_MERCHANT_SERIAL_NO"])
        .private_key_pem(std::fs::read_to_string(&vars["WECHATPAY_PRIVATE_KEY_PATH"]).unwrap())
        .wechatpay_public_key_pem(
            &vars["WECHATPAY_PUBLIC_KEY_ID"],
            std::fs::read_to_string(&vars["WECHATPAY_PUBLIC_KEY_PATH"]).unwrap(),
        )
        .base_url(&vars["WECHATPAY_BASE_URL"])
        .build()
        .unwrap();
    client.create_product_coupon(&demo::product_coupon_request("ENV_0001")).await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
