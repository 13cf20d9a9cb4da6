//! The brand family (品牌直连) end to end: the generated `BrandClient` against the sandbox over
//! loopback, one test per operation group as for the partner family (coupons, stocks, stores
//! and codes, bundles; user coupons; notify config and the brand notification; images), then
//! what the two families share and what separates them: one state (a brand's coupon is the
//! authorized 服务商's to manage, and the reverse), each family's Authorization scheme on its
//! own paths only, `Wechatpay-Serial` required on brand calls, per-brand rate limits, the env
//! file's brand variables, and the brand quickstart example run as a test.
//!
//! The requests are the partner tests' requests without `brand_id` ([`demo::for_brand`]).

mod common;

#[allow(dead_code)] // its `main`: the example is run here through `run`
#[path = "../examples/brand_quickstart.rs"]
mod brand_quickstart;

use common::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wechatpay_product_coupon::brand::BrandClient;
use wechatpay_product_coupon::brand::models::*;
use wechatpay_product_coupon::brand::notifications::NotificationEvent;
use wechatpay_product_coupon::models as p;
use wechatpay_product_coupon::{ApiErrorExt as _, ErrorCode, RetryPolicy};
use wechatpay_sandbox::{RunningSandbox, Sandbox, demo};

const BRAND_BASE: &str = "/brand/marketing/product-coupon";

/// A partner request as the brand's (the same JSON without `brand_id`).
fn b<T: DeserializeOwned>(partner: &impl Serialize) -> T {
    demo::for_brand(partner).expect("the partner request without brand_id")
}

fn brand_client(sandbox: &RunningSandbox) -> BrandClient {
    sandbox.brand_client_builder().retry_policy(RetryPolicy::none()).client_rate_limit(false).build().unwrap()
}

fn stores(ids: &[&str]) -> StoreListRequest {
    let list: Vec<p::StoreRef> = ids.iter().map(|id| p::StoreRef::builder().store_id(*id).build().unwrap()).collect();
    b(&p::StoreListRequest::builder().store_list(list).brand_id(BRAND).build().unwrap())
}

fn info_update(number: &str, scope: Option<p::StoreScope>) -> UpdateStockInfoRequest {
    let mut request = p::UpdateStockInfoRequest::builder().out_request_no(number).brand_id(BRAND).build().unwrap();
    request.store_scope = scope;
    b(&request)
}

fn max_count_budget(number: &str, current: i64, target: i64) -> UpdateBudgetRequest {
    b(&p::UpdateBudgetRequest::builder()
        .out_request_no(number)
        .update_mode(p::UpdateMode::MaxCount)
        .current_max_count(current)
        .target_max_count(target)
        .brand_id(BRAND)
        .build()
        .unwrap())
}

#[tokio::test]
async fn a_brand_manages_its_coupons_stocks_stores_codes_and_bundles() {
    let sandbox = family_sandbox().await;
    let client = brand_client(&sandbox);

    // 创建 / 查询 / 修改商品券.
    let created = client.create_product_coupon(&b(&demo::single_product_coupon_request("B_PC_0001"))).await.unwrap();
    let id = created.product_coupon_id.as_str();
    let got = client.get_product_coupon(id).await.unwrap();
    assert_eq!((got.state.clone(), got.display_info.clone()), (p::ProductCouponState::Effective, created.display_info));
    let mut display = got.display_info.clone();
    display.name = "品牌直连 满100减15元".into();
    let update: UpdateProductCouponRequest = b(&p::UpdateProductCouponRequest::builder()
        .out_request_no("B_UPDATE_0001")
        .display_info(display)
        .brand_id(BRAND)
        .build()
        .unwrap());
    let updated = client.update_product_coupon(id, &update).await.unwrap();
    assert_eq!(updated.display_info.name, "品牌直连 满100减15元");
    assert_eq!(client.update_product_coupon(id, &update).await.unwrap(), updated, "a retry: the stored answer");
    let e = client.get_product_coupon("1999999999").await.unwrap_err();
    assert_eq!(e.as_api().unwrap().error_code(), ErrorCode::NotFound);

    // 添加 / 查询(列表) / 修改 / 修改预算 / 失效商品券批次.
    let template = demo::single_product_coupon_request("TEMPLATE").stock.unwrap();
    let add = |number: &str, edit: &dyn Fn(&mut p::Stock)| {
        let mut stock = template.clone();
        edit(&mut stock);
        b::<CreateStockRequest>(
            &p::CreateStockRequest::builder().out_request_no(number).stock(stock).brand_id(BRAND).build().unwrap(),
        )
    };
    let second = client.create_stock(id, &add("B_STOCK_0002", &|_| {})).await.unwrap();
    let listed = client.list_stocks(id).page_size(1).stream().collect_all().await.unwrap();
    assert_eq!(listed.len(), 2, "both stocks, one page at a time");
    let stock = client.get_stock(id, &second.stock_id).await.unwrap();
    assert_eq!(stock.stock_id, second.stock_id);
    let specific = client
        .update_stock(id, &second.stock_id, &info_update("B_INFO_0001", Some(p::StoreScope::Specific)))
        .await
        .unwrap();
    assert_eq!(specific.store_scope, p::StoreScope::Specific);
    let max = stock.stock_send_rule.max_count;
    let budget =
        client.update_stock_budget(id, &second.stock_id, &max_count_budget("B_BUDGET_01", max, max + 10)).await;
    assert_eq!(budget.unwrap().stock_send_rule.max_count, max + 10);

    // 批次关联门店 / 查询 / 取消关联.
    let r = client.associate_stock_stores(id, &second.stock_id, &stores(&["S1", "S2", "S3"])).await.unwrap();
    assert_eq!(r.success_store_list.iter().flatten().count(), 3);
    let associated = client.list_stock_stores(id, &second.stock_id).stream().collect_all().await.unwrap();
    assert_eq!(associated.len(), 3);
    client.disassociate_stock_stores(id, &second.stock_id, &stores(&["S2"])).await.unwrap();
    assert_eq!(client.list_stock_stores(id, &second.stock_id).stream().collect_all().await.unwrap().len(), 2);

    // 预上传券Code on an UPLOAD stock.
    let upload_stock =
        client.create_stock(id, &add("B_STOCK_0003", &|s| s.coupon_code_mode = p::CouponCodeMode::Upload)).await;
    let upload_stock = upload_stock.unwrap();
    let codes: UploadCouponCodesRequest = b(&p::UploadCouponCodesRequest::builder()
        .out_request_no("B_CODES_01")
        .code_list(vec!["A1".to_owned(), "A2".to_owned()])
        .brand_id(BRAND)
        .build()
        .unwrap());
    let uploaded = client.upload_coupon_codes(id, &upload_stock.stock_id, &codes).await.unwrap();
    assert_eq!(uploaded.success_code_list.as_deref(), Some(&["A1".to_owned(), "A2".to_owned()][..]));

    let deactivate: DeactivateStockRequest = b(&p::DeactivateStockRequest::builder()
        .out_request_no("B_DEACT_STOCK_1")
        .deactivate_reason("不再发放")
        .brand_id(BRAND)
        .build()
        .unwrap());
    let gone = client.deactivate_stock(id, &upload_stock.stock_id, &deactivate).await.unwrap();
    assert_eq!(gone.state, p::StockState::Deactivated);

    // 批次组: add, update (to SPECIFIC stores), budget, associate / disassociate stores.
    let bundled = client.create_product_coupon(&b(&demo::product_coupon_request("B_PC_0002"))).await.unwrap();
    let bid = bundled.product_coupon_id.as_str();
    let bundle = client.create_stock_bundle(bid, &b(&demo::stock_bundle_request("B_BUNDLE_0001", 3))).await.unwrap();
    assert_eq!(bundle.stock_list.len(), 3);
    let sb = bundle.stock_bundle_id.as_str();
    let scoped = client.update_stock_bundle(bid, sb, &info_update("B_INFO_0002", Some(p::StoreScope::Specific))).await;
    assert!(scoped.unwrap().stock_list.iter().all(|s| s.store_scope == p::StoreScope::Specific));
    let max = bundle.stock_list[0].stock_send_rule.max_count;
    let budgeted = client.update_stock_bundle_budget(bid, sb, &max_count_budget("B_BUDGET_02", max, max + 1)).await;
    assert!(budgeted.unwrap().stock_list.iter().all(|s| s.stock_send_rule.max_count == max + 1));
    let r = client.associate_stock_bundle_stores(bid, sb, &stores(&["S7", "S8"])).await.unwrap();
    assert_eq!(r.success_store_list.iter().flatten().count(), 2);
    let r = client.disassociate_stock_bundle_stores(bid, sb, &stores(&["S7"])).await.unwrap();
    assert_eq!(r.success_store_list.iter().flatten().count(), 1);

    // 失效商品券.
    let deactivate: DeactivateProductCouponRequest = b(&p::DeactivateProductCouponRequest::builder()
        .out_request_no("B_DEACT_0001")
        .deactivate_reason("活动结束")
        .brand_id(BRAND)
        .build()
        .unwrap());
    let gone = client.deactivate_product_coupon(bid, &deactivate).await.unwrap();
    assert_eq!(gone.state, p::ProductCouponState::Deactivated);

    // The answers carry no brand_id (the brand family's models have none).
    let target = format!("{BRAND_BASE}/product-coupons/{id}");
    let (status, headers, json) =
        send(brand_raw(&sandbox, "GET", &target, b"", Some(&sandbox.keys().brand_public_key_id))).await;
    assert_eq!(status, 200, "{json}");
    assert!(json.get("brand_id").is_none() && json["product_coupon_id"] == id, "{json}");
    assert_eq!(
        headers["wechatpay-serial"],
        sandbox.keys().brand_public_key_id.as_str(),
        "signed under the brand's key id"
    );
}

#[tokio::test]
async fn a_brand_sends_confirms_uses_returns_and_deactivates_user_coupons() {
    let sandbox = family_sandbox().await;
    let client = brand_client(&sandbox);
    let created = client.create_product_coupon(&b(&demo::single_product_coupon_request("B_PC_0001"))).await.unwrap();
    let (pc, stock) = (created.product_coupon_id.clone(), created.stock.unwrap().stock_id);
    let send_request = |number: &str| -> SendCouponRequest {
        b(&p::SendCouponRequest::builder()
            .product_coupon_id(&pc)
            .stock_id(&stock)
            .appid(APPID)
            .send_request_no(number)
            .brand_id(BRAND)
            .build()
            .unwrap())
    };
    let numbered = |number: &str| serde_json::json!({ "product_coupon_id": pc, "stock_id": stock, "appid": APPID, "out_request_no": number });

    // 发放 -> 确认 -> 核销 -> 退券; 查询 and 列表.
    let sent = client.send_coupon(OPENID, &send_request("B_SEND_0001")).await.unwrap();
    assert_eq!(sent.coupon_state, p::UserCouponState::Confirming);
    let code = sent.coupon_code.as_str();
    let confirm: ConfirmUserCouponRequest = serde_json::from_value(numbered("B_CONFIRM_1")).unwrap();
    assert_eq!(
        client.confirm_user_coupon(OPENID, code, &confirm).await.unwrap().coupon_state,
        p::UserCouponState::Effective
    );
    let mut usage = numbered("B_USE_1");
    usage["use_time"] = sandbox.now().into();
    let usage: UseUserCouponRequest = serde_json::from_value(usage).unwrap();
    assert_eq!(client.use_user_coupon(OPENID, code, &usage).await.unwrap().coupon_state, p::UserCouponState::Used);
    let back: ReturnUserCouponRequest = serde_json::from_value(numbered("B_RETURN_1")).unwrap();
    assert_eq!(
        client.return_user_coupon(OPENID, code, &back).await.unwrap().coupon_state,
        p::UserCouponState::Effective
    );
    let got = client.get_user_coupon(OPENID, code, &pc, &stock, APPID).await.unwrap();
    assert_eq!(got.coupon_code, code);
    let listed = client.list_user_coupons(OPENID, APPID).stream().collect_all().await.unwrap();
    assert_eq!(listed.len(), 1);

    // 失效用户商品券.
    let mut gone = numbered("B_DEACT_1");
    gone["deactivate_reason"] = "用户退出活动".into();
    let gone: DeactivateUserCouponRequest = serde_json::from_value(gone).unwrap();
    assert_eq!(
        client.deactivate_user_coupon(OPENID, code, &gone).await.unwrap().coupon_state,
        p::UserCouponState::Deactivated
    );

    // 预发放: a token the 小程序发券组件 redeems (simulated by the sandbox).
    let pre: PreSendCouponRequest = b(&p::PreSendCouponRequest::builder()
        .product_coupon_id(&pc)
        .stock_id(&stock)
        .appid(APPID)
        .send_request_no("B_PRE_0001")
        .brand_id(BRAND)
        .build()
        .unwrap());
    let token = client.pre_send_coupon("oPreSendUser", &pre).await.unwrap().token;
    sandbox.claim_pre_send_token(&token).await.unwrap();
    let claimed = client.list_user_coupons("oPreSendUser", APPID).stream().collect_all().await.unwrap();
    assert_eq!(claimed.len(), 1);

    // 批次组: send to a user, pre-send, deactivate the user's bundle.
    let bundled = client.create_product_coupon(&b(&demo::product_coupon_request("B_PC_0002"))).await.unwrap();
    let sb = bundled.stock_bundle.as_ref().unwrap().stock_bundle_id.clone();
    let bundle_json = |number: &str| serde_json::json!({ "product_coupon_id": bundled.product_coupon_id, "stock_bundle_id": sb, "appid": APPID, "send_request_no": number });
    let send_bundle: SendCouponBundleRequest = serde_json::from_value(bundle_json("B_SEND_BUNDLE_1")).unwrap();
    let user_bundle = client.send_coupon_bundle(OPENID, &send_bundle).await.unwrap();
    assert_eq!(user_bundle.user_product_coupon_list.len(), 3);
    let pre_bundle: PreSendCouponBundleRequest = serde_json::from_value(bundle_json("B_PRE_BUNDLE_1")).unwrap();
    assert_eq!(client.pre_send_coupon_bundle("oAnotherUser", &pre_bundle).await.unwrap().token.len(), 32);
    let deactivate_bundle: DeactivateUserCouponBundleRequest = serde_json::from_value(serde_json::json!({
        "product_coupon_id": bundled.product_coupon_id, "stock_bundle_id": sb, "appid": APPID,
        "out_request_no": "B_DEACT_BUNDLE_1", "deactivate_reason": "活动取消",
    }))
    .unwrap();
    let gone =
        client.deactivate_user_coupon_bundle(OPENID, &user_bundle.user_coupon_bundle_id, &deactivate_bundle).await;
    assert!(gone.unwrap().user_product_coupon_list.iter().all(|c| c.coupon_state == p::UserCouponState::Deactivated));
}

#[tokio::test]
async fn a_brand_sets_its_notify_url_and_receives_product_coupon_send_opened_with_its_api_key() {
    let sandbox = family_sandbox().await;
    let client = brand_client(&sandbox);
    let partner = notify_client(&sandbox);
    let brand_callback = Callback::start(0).await;
    let partner_callback = Callback::start(0).await;

    // 设置 / 获取商品券事件通知地址: per brand, apart from the 服务商's.
    let request = p::SetNotifyConfigRequest::builder().notify_url(&brand_callback.url).build().unwrap();
    client.set_notify_config(&request).await.unwrap();
    assert_eq!(client.get_notify_config().await.unwrap().notify_url, brand_callback.url);
    set_notify_url(&partner, &partner_callback.url).await;
    assert_eq!(client.get_notify_config().await.unwrap().notify_url, brand_callback.url);

    let created = client.create_product_coupon(&b(&demo::single_product_coupon_request("B_PC_0001"))).await.unwrap();
    let send: SendCouponRequest = b(&p::SendCouponRequest::builder()
        .product_coupon_id(&created.product_coupon_id)
        .stock_id(&created.stock.unwrap().stock_id)
        .appid(APPID)
        .send_request_no("B_SEND_0001")
        .brand_id(BRAND)
        .build()
        .unwrap());
    let sent = client.send_coupon(OPENID, &send).await.unwrap();

    let received = brand_callback.wait_for(1).await.remove(0);
    let envelope: serde_json::Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(envelope["event_type"], "PRODUCT_COUPON.SEND");
    assert_eq!(received.headers["wechatpay-serial"], sandbox.keys().brand_public_key_id.as_str());
    // The brand's client verifies it with the public key bound to the brand and opens it with
    // the 品牌API密钥.
    let notification = client.parse_notification(&received.headers, &received.body).await.unwrap();
    assert_eq!(notification.event_type, "PRODUCT_COUPON.SEND");
    let NotificationEvent::ProductCouponSend(event) = &notification.event else { panic!("{:?}", notification.event) };
    assert_eq!((event.coupon_code.as_str(), event.openid.as_str()), (sent.coupon_code.as_str(), OPENID));
    assert_eq!(event.send_request_no, "B_SEND_0001");
    // The partner's key opens nothing of it, and the 服务商's notify URL got nothing.
    assert!(partner.parse_notification(&received.headers, &received.body).await.is_err());
    assert!(partner_callback.received().is_empty());
    let record = &sandbox.notifications()[0];
    assert!(record.resource.get("brand_id").is_none(), "the brand's resource has no brand_id: {}", record.resource);
}

#[tokio::test]
async fn a_brand_uploads_images_and_runs_image_generation_tasks() {
    let sandbox = family_sandbox().await;
    let client = brand_client(&sandbox);
    let file = png(b"brand image");
    let meta = p::ImageUploadMeta::builder().filename("logo.png").sha256(file.sha256_hex()).build().unwrap();
    let uploaded = client.upload_image(&meta, &file).await.unwrap();
    assert!(uploaded.url().unwrap_or_default().starts_with("https://"), "{uploaded:?}");

    let task: CreateImageGenerationTaskRequest = b(&p::CreateImageGenerationTaskRequest::builder()
        .brand_id(BRAND)
        .task_id("B_TASK_0001")
        .image_generation_type(p::ImageGenerationType::CutOut)
        .cut_out(p::CutOut::builder().image_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx"))
        .build()
        .unwrap());
    let submitted = client.create_image_generation_task(&task).await.unwrap();
    assert_eq!(submitted.task_id, "B_TASK_0001");
    let done = client.get_image_generation_task("B_TASK_0001", &p::ImageGenerationType::CutOut).await.unwrap();
    assert_eq!(done.task_state, p::ImageGenerationTaskState::Success);
}

#[tokio::test]
async fn one_state_a_brands_coupon_is_its_authorized_partners_and_the_reverse() {
    let sandbox = family_sandbox().await;
    let brand = brand_client(&sandbox);
    let partner = client(&sandbox);

    // Created by the brand, managed by the 服务商 with the brand's brand_id.
    let by_brand = brand.create_product_coupon(&b(&demo::product_coupon_request("B_PC_0001"))).await.unwrap();
    let seen = partner.get_product_coupon(&by_brand.product_coupon_id, BRAND).await.unwrap();
    assert_eq!((seen.brand_id.as_str(), seen.display_info.clone()), (BRAND, by_brand.display_info.clone()));
    partner
        .create_stock_bundle(&by_brand.product_coupon_id, &demo::stock_bundle_request("P_BUNDLE_0001", 3))
        .await
        .unwrap();
    let stocks = brand.list_stocks(&by_brand.product_coupon_id).stream().collect_all().await.unwrap();
    assert_eq!(stocks.len(), 6, "the brand sees the bundle its 服务商 added");

    // Created by the 服务商, seen by the brand.
    let by_partner = partner.create_product_coupon(&demo::single_product_coupon_request("P_PC_0001")).await.unwrap();
    assert_eq!(
        brand.get_product_coupon(&by_partner.product_coupon_id).await.unwrap().product_coupon_id,
        by_partner.product_coupon_id
    );
    // Another brand's 服务商 call sees neither.
    let e = partner.get_product_coupon(&by_brand.product_coupon_id, "999999").await.unwrap_err();
    assert_eq!(e.as_api().unwrap().error_code(), ErrorCode::NotFound);

    // A 服务商 the brand has not authorized is refused; the brand itself is not.
    let restricted = Sandbox::builder().brands(["888888"]).start_time(demo::DEMO_TIME).start().await.unwrap();
    let brand = brand_client(&restricted);
    let mine = brand.create_product_coupon(&b(&demo::product_coupon_request("B_PC_0002"))).await.unwrap();
    let e = client(&restricted).get_product_coupon(&mine.product_coupon_id, BRAND).await.unwrap_err();
    assert_eq!((e.as_api().unwrap().status, e.as_api().unwrap().error_code()), (403, ErrorCode::NoAuth));
}

#[tokio::test]
async fn each_family_takes_its_own_scheme_and_brand_calls_need_their_wechatpay_serial() {
    let sandbox = sandbox().await;
    let k = sandbox.keys().clone();
    let brand_target = format!("{BRAND_BASE}/product-coupons/1000000001");
    let partner_target = format!("{CREATE_PATH}/1000000001?brand_id={BRAND}");

    // A merchant signature on a brand path, a brand signature on a partner path: 401 SIGN_ERROR.
    let (status, _, json) =
        send(raw(&sandbox, "GET", &brand_target, b"", None).header("Wechatpay-Serial", &k.brand_public_key_id)).await;
    assert_eq!((status, json["code"].as_str()), (401, Some("SIGN_ERROR")), "{json}");
    assert!(json["message"].as_str().unwrap().contains("WECHATPAY-BRAND-SHA256-RSA2048"), "{json}");
    let (status, _, json) = send(brand_raw(&sandbox, "GET", &partner_target, b"", Some(&k.brand_public_key_id))).await;
    assert_eq!((status, json["code"].as_str()), (401, Some("SIGN_ERROR")), "{json}");

    // Wechatpay-Serial: missing, or not the public key id bound to the brand.
    for serial in [None, Some(k.public_key_id.as_str()), Some("")] {
        let (status, _, json) = send(brand_raw(&sandbox, "GET", &brand_target, b"", serial)).await;
        assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")), "{serial:?}: {json}");
        assert_eq!(json["detail"]["field"], "Wechatpay-Serial", "{json}");
    }
    let (status, _, json) = send(brand_raw(&sandbox, "GET", &brand_target, b"", Some(&k.brand_public_key_id))).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "signed right, the coupon is unknown: {json}"
    );

    // The BrandClient does it right: brand path, brand scheme, Wechatpay-Serial.
    let client = brand_client(&sandbox);
    client.create_product_coupon(&b(&demo::product_coupon_request("B_PC_0001"))).await.unwrap();
}

#[tokio::test]
async fn brand_calls_are_rate_limited_per_brand() {
    let sandbox = sandbox().await;
    let brand = brand_client(&sandbox);
    let partner = client(&sandbox);
    let id =
        brand.create_product_coupon(&b(&demo::product_coupon_request("B_PC_0001"))).await.unwrap().product_coupon_id;
    // 查询商品券: 20/s per brand (品牌ID维度) in a one-second bucket. Rounds of 50 concurrent calls
    // until one is refused (a token bucket never lets 50 through in well under 1.5 s).
    let mut refused = false;
    for _ in 0..10 {
        let calls: Vec<_> = (0..50)
            .map(|_| {
                let (brand, id) = (brand.clone(), id.clone());
                tokio::spawn(async move { brand.get_product_coupon(&id).await })
            })
            .collect();
        for call in calls {
            if let Err(e) = call.await.unwrap() {
                let e = e.as_api().expect("an API error");
                assert_eq!((e.status, e.error_code()), (429, ErrorCode::RatelimitExceeded));
                refused = true;
            }
        }
        if refused {
            break;
        }
    }
    assert!(refused, "ten rounds of 50 brand calls, and none was refused");
    // The 服务商's bucket for the same operation is its own, still full.
    partner.get_product_coupon(&id, BRAND).await.unwrap();
}

#[tokio::test]
async fn the_env_file_configures_the_brand_client_too() {
    let sandbox = family_sandbox().await;
    let dir = temp_dir("brand-env");
    let env_file = dir.join("sandbox.env");
    sandbox.write_env_file(&env_file).unwrap();
    let text = std::fs::read_to_string(&env_file).unwrap();
    let var = |name: &str| -> String {
        let line =
            text.lines().find(|l| l.starts_with(&format!("{name}="))).unwrap_or_else(|| panic!("{name}: {text}"));
        line.split_once('=').unwrap().1.trim_matches('\'').to_owned()
    };
    let k = sandbox.keys();
    assert_eq!(
        (var("WECHATPAY_BRAND_ID"), var("WECHATPAY_BRAND_SERIAL_NO")),
        (k.brand_id.clone(), k.brand_serial_no.clone())
    );
    assert_eq!(
        (var("WECHATPAY_BRAND_PUBLIC_KEY_ID"), var("WECHATPAY_BRAND_API_KEY")),
        (k.brand_public_key_id.clone(), k.brand_api_key.clone())
    );
    // What BrandClient::from_env builds from them (without touching this process's environment).
    let client = BrandClient::builder()
        .brand_id(var("WECHATPAY_BRAND_ID"))
        .brand_serial_no(var("WECHATPAY_BRAND_SERIAL_NO"))
        .brand_private_key_pem(std::fs::read_to_string(var("WECHATPAY_BRAND_PRIVATE_KEY_PATH")).unwrap())
        .wechatpay_public_key_pem(
            var("WECHATPAY_BRAND_PUBLIC_KEY_ID"),
            std::fs::read_to_string(var("WECHATPAY_BRAND_PUBLIC_KEY_PATH")).unwrap(),
        )
        .brand_api_key(var("WECHATPAY_BRAND_API_KEY"))
        .base_url(var("WECHATPAY_BASE_URL"))
        .no_backup_base_url()
        .build()
        .unwrap();
    client.create_product_coupon(&b(&demo::product_coupon_request("B_ENV_0001"))).await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_brand_quickstart_runs() {
    let sandbox = family_sandbox().await;
    let printed = brand_quickstart::run(&sandbox).await.unwrap();
    for step in [
        "1. 创建商品券",
        "2. 添加商品券批次组",
        "3. 向用户发放商品券批次组",
        "4. 确认发放用户商品券",
        "5. 核销用户商品券",
    ] {
        assert!(printed.contains(step), "{step}: {printed}");
    }
    assert!(printed.contains("(USED)"), "{printed}");
    // What the brand did is in the one state, under its brand_id.
    let coupons = sandbox.product_coupons();
    assert_eq!(coupons.len(), 1);
    assert_eq!(coupons[0].coupon.brand_id, BRAND);
}

#[tokio::test]
async fn faults_reach_brand_calls_and_a_panic_is_a_500_the_brand_client_verifies() {
    let sandbox = sandbox().await;
    let client = brand_client(&sandbox);
    sandbox.faults().inject(wechatpay_sandbox::FaultAction::Panic, 1);
    let e = client.create_product_coupon(&b(&demo::product_coupon_request("B_PC_0001"))).await.unwrap_err();
    let e = e.as_api().expect("a verified API error, signed under the brand's public key id");
    assert_eq!((e.status, e.error_code()), (500, ErrorCode::SystemError));
    // The same number goes through afterwards.
    client.create_product_coupon(&b(&demo::product_coupon_request("B_PC_0001"))).await.unwrap();
}

#[tokio::test]
async fn every_brand_operation_of_the_catalogue_is_routed_and_signed_for_the_brand() {
    use wechatpay_product_coupon::brand::operations::OPERATIONS;
    let sandbox = sandbox().await;
    let serial = sandbox.keys().brand_public_key_id.clone();
    assert_eq!(OPERATIONS.len(), 35, "the brand catalogue's 35 operations");
    for op in OPERATIONS {
        assert!(op.path_template.starts_with(BRAND_BASE), "{}", op.path_template);
        let path: String = op
            .path_template
            .split('/')
            .map(|seg| if seg.starts_with('{') { "1000000001" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let (status, headers, json) = send(brand_raw(&sandbox, op.method, &path, b"", Some(&serial))).await;
        let message = json["message"].as_str().unwrap_or_default();
        assert!(status != 405 && status != 401 && !message.starts_with("no operation"), "{}: {status} {json}", op.id);
        assert_eq!(headers["wechatpay-serial"], serial.as_str(), "{}", op.id);
        if op.method != "GET" {
            assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")), "{}: {json}", op.id);
        }
    }
    let (status, _, json) =
        send(brand_raw(&sandbox, "GET", &format!("{BRAND_BASE}/nothing-here"), b"", Some(&serial))).await;
    assert_eq!((status, json["code"].as_str()), (404, Some("NOT_FOUND")));
}

#[tokio::test]
async fn a_brands_coupons_survive_a_restart_with_the_state_file() {
    let dir = temp_dir("brand-state");
    let state_file = dir.join("state.json");
    let first = Sandbox::builder().state_file(&state_file).start().await.unwrap();
    let client = brand_client(&first);
    let created = client.create_product_coupon(&b(&demo::product_coupon_request("B_PC_0001"))).await.unwrap();
    first.shutdown().await;

    let again = Sandbox::builder().state_file(&state_file).start().await.unwrap();
    let client = brand_client(&again);
    assert_eq!(
        client.get_product_coupon(&created.product_coupon_id).await.unwrap().product_coupon_id,
        created.product_coupon_id
    );
    // The brand's request number is remembered: the same request is the same coupon.
    let replay = client.create_product_coupon(&b(&demo::product_coupon_request("B_PC_0001"))).await.unwrap();
    assert_eq!(replay, created);
    again.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
