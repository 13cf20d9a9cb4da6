//! The user-coupon lifecycle end to end: send / send bundle -> CONFIRMING -> confirm ->
//! EFFECTIVE (or PENDING) -> use -> USED -> return; deactivate; expiry by the available period;
//! budgets and per-user limits; codes by mode; stores; pre-send tokens. Operations covered:
//! send coupon, send coupon bundle, pre-send coupon, pre-send coupon bundle, list / get user
//! coupons, confirm, use, return, deactivate user coupon, deactivate user coupon bundle.
//!
//! The sandbox's business clock starts at Monday 2025-08-04 10:00 +08:00 (inside the demo
//! stocks' periods) and is moved with `advance_time` / `set_time`: nothing here waits.

mod common;

use std::time::Duration;

use common::*;
use wechatpay_product_coupon::ApiErrorExt as _;
use wechatpay_product_coupon::ids::{ProductCouponId, StockId};
use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::{ApiError, Client, ErrorCode};
use wechatpay_sandbox::{Claimed, RunningSandbox, demo};

const DAY: Duration = Duration::from_secs(86_400);

/// (status, code, business code) of a refusal.
fn refusal(e: &ApiError) -> (u16, &str, Option<u64>) {
    (e.status, e.code.as_str(), e.business_code())
}

/// A SINGLE coupon whose stock is the demo stock with `edit` applied; returns (coupon id, stock id).
async fn single_coupon(client: &Client, number: &str, edit: impl FnOnce(&mut Stock)) -> (ProductCouponId, StockId) {
    let mut request = demo::single_product_coupon_request(number);
    edit(request.stock.as_mut().unwrap());
    let created = client.create_product_coupon(&request).await.unwrap();
    (created.product_coupon_id, created.stock.unwrap().stock_id)
}

fn send(coupon: &(ProductCouponId, StockId), number: &str) -> SendCouponRequest {
    SendCouponRequest::builder()
        .product_coupon_id(&coupon.0)
        .stock_id(&coupon.1)
        .appid(APPID)
        .send_request_no(number)
        .brand_id(BRAND)
        .build()
        .unwrap()
}

fn confirm(c: &UserProductCoupon, number: &str) -> ConfirmUserCouponRequest {
    ConfirmUserCouponRequest::builder()
        .product_coupon_id(&c.product_coupon.product_coupon_id)
        .stock_id(&c.stock.stock_id)
        .appid(APPID)
        .out_request_no(number)
        .brand_id(BRAND)
        .build()
        .unwrap()
}

fn use_at(c: &UserProductCoupon, number: &str, time: &str) -> UseUserCouponRequest {
    UseUserCouponRequest::builder()
        .product_coupon_id(&c.product_coupon.product_coupon_id)
        .stock_id(&c.stock.stock_id)
        .appid(APPID)
        .use_time(time)
        .out_request_no(number)
        .brand_id(BRAND)
        .build()
        .unwrap()
}

fn return_request(c: &UserProductCoupon, number: &str) -> ReturnUserCouponRequest {
    ReturnUserCouponRequest::builder()
        .product_coupon_id(&c.product_coupon.product_coupon_id)
        .stock_id(&c.stock.stock_id)
        .appid(APPID)
        .out_request_no(number)
        .brand_id(BRAND)
        .build()
        .unwrap()
}

fn deactivate(c: &UserProductCoupon, number: &str) -> DeactivateUserCouponRequest {
    DeactivateUserCouponRequest::builder()
        .product_coupon_id(&c.product_coupon.product_coupon_id)
        .stock_id(&c.stock.stock_id)
        .appid(APPID)
        .out_request_no(number)
        .deactivate_reason("用户退出活动")
        .brand_id(BRAND)
        .build()
        .unwrap()
}

async fn get(client: &Client, openid: &str, c: &UserProductCoupon) -> UserProductCoupon {
    client
        .get_user_coupon(openid, &c.coupon_code, BRAND, &c.product_coupon.product_coupon_id, &c.stock.stock_id, APPID)
        .await
        .unwrap()
}

async fn sent_count(client: &Client, coupon: &(ProductCouponId, StockId)) -> (i64, i64) {
    let s = client.get_stock(&coupon.0, &coupon.1, BRAND).await.unwrap().sent_count_info;
    (s.total_count, s.today_count)
}

#[tokio::test]
async fn a_single_coupon_goes_through_its_lifecycle() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let coupon = single_coupon(&client, "PC_0001", |_| {}).await;

    // 向用户发放商品券: CONFIRMING until confirmed.
    let mut request = send(&coupon, "SEND_0001");
    request.attach = Some("order=42".into());
    let sent = client.send_coupon(OPENID, &request).await.unwrap();
    assert_eq!(sent.coupon_state, UserCouponState::Confirming);
    assert_eq!(sent.coupon_code, "800000000001");
    assert_eq!((sent.send_channel.clone(), sent.send_request_no.as_str()), (SendChannel::Api, "SEND_0001"));
    assert_eq!(sent.valid_begin_time.as_str(), "2025-08-01T00:00:00+08:00");
    assert_eq!(sent.valid_end_time.as_str(), "2025-08-31T23:59:59+08:00");
    assert!(sent.receive_time.as_str().starts_with("2025-08-04T10:"), "{}", sent.receive_time);
    assert_eq!((sent.stock.stock_id.as_str(), sent.attach.as_deref()), (coupon.1.as_str(), Some("order=42")));
    assert!(sent.confirm_time.is_none() && sent.single_usage_detail.is_none());
    assert_eq!(sent_count(&client, &coupon).await, (1, 1));
    // The same send_request_no and data: the same coupon, nothing sent twice.
    assert_eq!(client.send_coupon(OPENID, &request).await.unwrap(), sent);
    assert_eq!(sent_count(&client, &coupon).await, (1, 1));
    let mut changed = request.clone();
    changed.attach = Some("order=43".into());
    let e = api_error(client.send_coupon(OPENID, &changed).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268578927)));

    // Not usable before it is confirmed; nothing to return yet.
    let e =
        api_error(client.use_user_coupon(OPENID, &sent.coupon_code, &use_at(&sent, "USE_0001", &sandbox.now())).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268578367)));
    assert!(e.message.contains("确认发放"), "{}", e.message);
    let e =
        api_error(client.return_user_coupon(OPENID, &sent.coupon_code, &return_request(&sent, "RETURN_0001")).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268578367)));

    // 确认发放用户商品券: EFFECTIVE; confirming again is refused, a retry is not.
    let confirmed =
        client.confirm_user_coupon(OPENID, &sent.coupon_code, &confirm(&sent, "CONFIRM_0001")).await.unwrap();
    assert_eq!(confirmed.coupon_state, UserCouponState::Effective);
    assert_eq!(confirmed.confirm_request_no.as_deref(), Some("CONFIRM_0001"));
    assert!(confirmed.confirm_time.is_some());
    assert_eq!(
        client.confirm_user_coupon(OPENID, &sent.coupon_code, &confirm(&sent, "CONFIRM_0001")).await.unwrap(),
        confirmed
    );
    let e = api_error(client.confirm_user_coupon(OPENID, &sent.coupon_code, &confirm(&sent, "CONFIRM_0002")).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268578367)));
    assert_eq!(get(&client, OPENID, &sent).await, confirmed);

    // 核销: use_time within the validity.
    let e = api_error(
        client
            .use_user_coupon(OPENID, &sent.coupon_code, &use_at(&sent, "USE_0001", "2025-09-02T10:00:00+08:00"))
            .await,
    );
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(272755715)));
    let mut usage = use_at(&sent, "USE_0002", &sandbox.now());
    usage.associated_order_info =
        Some(AssociatedOrderInfo::builder().transaction_id("4200000000000000000000000001").build().unwrap());
    usage.saved_amount = Some(1500);
    let used = client.use_user_coupon(OPENID, &sent.coupon_code, &usage).await.unwrap();
    assert_eq!(used.coupon_state, UserCouponState::Used);
    let detail = used.single_usage_detail.as_ref().unwrap();
    assert_eq!((detail.use_request_no.as_deref(), detail.saved_amount), (Some("USE_0002"), Some(1500)));
    assert_eq!(detail.associated_order_info, usage.associated_order_info);
    let e =
        api_error(client.use_user_coupon(OPENID, &sent.coupon_code, &use_at(&sent, "USE_0003", &sandbox.now())).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268578367)));

    // 退券: usable again.
    let returned =
        client.return_user_coupon(OPENID, &sent.coupon_code, &return_request(&sent, "RETURN_0002")).await.unwrap();
    assert_eq!(returned.coupon_state, UserCouponState::Effective);
    assert_eq!(returned.single_usage_detail.unwrap().return_request_no.as_deref(), Some("RETURN_0002"));

    // 指定券状态查询用户商品券列表.
    let effective =
        client.list_user_coupons(OPENID, BRAND, APPID).coupon_state(&UserCouponState::Effective).await.unwrap();
    assert_eq!(effective.total_count, 1);
    let used_list = client.list_user_coupons(OPENID, BRAND, APPID).coupon_state(&UserCouponState::Used).await.unwrap();
    assert_eq!(used_list.total_count, 0);
    assert_eq!(client.list_user_coupons("oSomeoneElse", BRAND, APPID).await.unwrap().total_count, 0);

    // 失效用户商品券.
    let gone =
        client.deactivate_user_coupon(OPENID, &sent.coupon_code, &deactivate(&sent, "DEACTIVATE_0001")).await.unwrap();
    assert_eq!(gone.coupon_state, UserCouponState::Deactivated);
    assert_eq!(gone.deactivate_reason.as_deref(), Some("用户退出活动"));
    let e =
        api_error(client.use_user_coupon(OPENID, &sent.coupon_code, &use_at(&sent, "USE_0004", &sandbox.now())).await);
    assert_eq!(refusal(&e).2, Some(268578367));
    let e = api_error(
        client.deactivate_user_coupon(OPENID, &sent.coupon_code, &deactivate(&sent, "DEACTIVATE_0002")).await,
    );
    assert_eq!(refusal(&e).2, Some(268578367));

    // Every part of the address counts.
    let e =
        api_error(client.get_user_coupon(OPENID, &sent.coupon_code, BRAND, &coupon.0, &coupon.1, "wx_other_app").await);
    assert_eq!(refusal(&e), (404, "NOT_FOUND", Some(268578608)));
    assert_eq!(
        api_error(client.get_user_coupon("oOther", &sent.coupon_code, BRAND, &coupon.0, &coupon.1, APPID).await).status,
        404
    );
}

#[tokio::test]
async fn budgets_and_per_user_limits_refuse_sends() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let coupon = single_coupon(&client, "PC_0001", |s| {
        s.stock_send_rule =
            StockSendRule::builder().max_count(3).max_count_per_day(2).max_count_per_user(2).build().unwrap();
    })
    .await;

    client.send_coupon("oUserA", &send(&coupon, "SEND_A1")).await.unwrap();
    client.send_coupon("oUserA", &send(&coupon, "SEND_A2")).await.unwrap();
    // A third coupon for the same user: per-user limit (用户领取张数已达上限).
    let e = api_error(client.send_coupon("oUserA", &send(&coupon, "SEND_A3")).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(272756740)));
    // Another user, the same day: the daily budget is used up.
    let e = api_error(client.send_coupon("oUserB", &send(&coupon, "SEND_B1")).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268578101)));
    assert!(e.message.contains("max_count_per_day"), "{}", e.message);
    assert_eq!(sent_count(&client, &coupon).await, (2, 2), "refusals count nothing");

    // The next day: today's count starts again.
    sandbox.advance_time(DAY).unwrap();
    assert_eq!(sent_count(&client, &coupon).await, (2, 0));
    client.send_coupon("oUserB", &send(&coupon, "SEND_B2")).await.unwrap();
    assert_eq!(sent_count(&client, &coupon).await, (3, 1));
    // The total budget is used up...
    let e = api_error(client.send_coupon("oUserC", &send(&coupon, "SEND_C1")).await);
    assert_eq!(refusal(&e).2, Some(268578101));
    assert!(e.message.contains("max_count"), "{}", e.message);
    // ... pre-sending checks the same limits ...
    let pre = PreSendCouponRequest::builder()
        .product_coupon_id(&coupon.0)
        .stock_id(&coupon.1)
        .appid(APPID)
        .send_request_no("PRE_C1")
        .brand_id(BRAND)
        .build()
        .unwrap();
    assert_eq!(api_error(client.pre_send_coupon("oUserC", &pre).await).business_code(), Some(268578101));
    // ... until the budget is raised.
    let raise = UpdateBudgetRequest::builder()
        .out_request_no("BUDGET_01")
        .update_mode(UpdateMode::MaxCount)
        .current_max_count(3)
        .target_max_count(4)
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.update_stock_budget(&coupon.0, &coupon.1, &raise).await.unwrap();
    client.send_coupon("oUserC", &send(&coupon, "SEND_C2")).await.unwrap();
    let lower = UpdateBudgetRequest::builder()
        .out_request_no("BUDGET_02")
        .update_mode(UpdateMode::MaxCount)
        .current_max_count(4)
        .target_max_count(1)
        .brand_id(BRAND)
        .build()
        .unwrap();
    let e = api_error(client.update_stock_budget(&coupon.0, &coupon.1, &lower).await);
    assert!(e.message.contains("已发放"), "below what was sent: {}", e.message);

    // A deactivated stock, and a deactivated product coupon, send nothing.
    let stop = DeactivateStockRequest::builder()
        .out_request_no("STOP_01")
        .deactivate_reason("停")
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.deactivate_stock(&coupon.0, &coupon.1, &stop).await.unwrap();
    let e = api_error(client.send_coupon("oUserD", &send(&coupon, "SEND_D1")).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268577984)));
    // Unknown coupons and stocks: these operations have no 404 (the path addresses a user).
    let e = api_error(client.send_coupon("oUserD", &send(&("1999999999".into(), coupon.1.clone()), "SEND_D2")).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268578608)));
}

#[tokio::test]
async fn coupons_expire_with_their_validity() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    // Valid for 3 days from receipt.
    let coupon = single_coupon(&client, "PC_0001", |s| {
        s.single_usage_rule.coupon_available_period.available_days = Some(3);
    })
    .await;
    let confirmed = client.send_coupon(OPENID, &send(&coupon, "SEND_0001")).await.unwrap();
    assert_eq!(confirmed.valid_end_time.as_str(), "2025-08-06T23:59:59+08:00");
    client.confirm_user_coupon(OPENID, &confirmed.coupon_code, &confirm(&confirmed, "CONFIRM_0001")).await.unwrap();
    let unconfirmed = client.send_coupon("oUserB", &send(&coupon, "SEND_0002")).await.unwrap();

    sandbox.advance_time(3 * DAY).unwrap(); // Thursday 2025-08-07 10:00
    assert_eq!(get(&client, OPENID, &confirmed).await.coupon_state, UserCouponState::Expired);
    assert_eq!(get(&client, "oUserB", &unconfirmed).await.coupon_state, UserCouponState::Expired);
    let expired = client
        .list_user_coupons(OPENID, BRAND, APPID)
        .product_coupon_id(&coupon.0)
        .stock_id(&coupon.1)
        .coupon_state(&UserCouponState::Expired)
        .await
        .unwrap();
    assert_eq!(expired.total_count, 1);
    let e = api_error(
        client.use_user_coupon(OPENID, &confirmed.coupon_code, &use_at(&confirmed, "USE_0001", &sandbox.now())).await,
    );
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268578776)));
    let e = api_error(
        client.confirm_user_coupon("oUserB", &unconfirmed.coupon_code, &confirm(&unconfirmed, "CONFIRM_0002")).await,
    );
    assert_eq!(refusal(&e).2, Some(268578776));
    let e = api_error(
        client.deactivate_user_coupon(OPENID, &confirmed.coupon_code, &deactivate(&confirmed, "DEACTIVATE_01")).await,
    );
    assert_eq!(refusal(&e).2, Some(268578776));

    // After the stock's available period, nothing is sent from it.
    sandbox.set_time("2025-09-01T10:00:00+08:00").unwrap();
    let e = api_error(client.send_coupon("oUserC", &send(&coupon, "SEND_0003")).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268577984)));
    assert!(e.message.contains("2025-08-31T23:59:59+08:00"), "{}", e.message);
}

#[tokio::test]
async fn coupons_received_early_are_pending_until_their_period() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let coupon = single_coupon(&client, "PC_0001", |s| {
        s.single_usage_rule.coupon_available_period.available_begin_time = "2025-08-10T00:00:00+08:00".into();
    })
    .await;
    let sent = client.send_coupon(OPENID, &send(&coupon, "SEND_0001")).await.unwrap();
    let confirmed =
        client.confirm_user_coupon(OPENID, &sent.coupon_code, &confirm(&sent, "CONFIRM_0001")).await.unwrap();
    assert_eq!(confirmed.coupon_state, UserCouponState::Pending);
    let e =
        api_error(client.use_user_coupon(OPENID, &sent.coupon_code, &use_at(&sent, "USE_0001", &sandbox.now())).await);
    assert_eq!(refusal(&e).2, Some(272755715));
    sandbox.advance_time(6 * DAY).unwrap(); // 2025-08-10 10:00
    assert_eq!(get(&client, OPENID, &sent).await.coupon_state, UserCouponState::Effective);
    client.use_user_coupon(OPENID, &sent.coupon_code, &use_at(&sent, "USE_0002", &sandbox.now())).await.unwrap();
}

#[tokio::test]
async fn specific_stores_limit_where_coupons_are_used() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let coupon = single_coupon(&client, "PC_0001", |s| s.store_scope = StoreScope::Specific).await;
    let stores = StoreListRequest::builder()
        .store_list([StoreRef::builder().store_id("STORE_1").build().unwrap()])
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.associate_stock_stores(&coupon.0, &coupon.1, &stores).await.unwrap();
    let sent = client.send_coupon(OPENID, &send(&coupon, "SEND_0001")).await.unwrap();
    client.confirm_user_coupon(OPENID, &sent.coupon_code, &confirm(&sent, "CONFIRM_0001")).await.unwrap();

    let e =
        api_error(client.use_user_coupon(OPENID, &sent.coupon_code, &use_at(&sent, "USE_0001", &sandbox.now())).await);
    assert_eq!(refusal(&e), (400, "INVALID_REQUEST", Some(268584404)));
    let mut elsewhere = use_at(&sent, "USE_0002", &sandbox.now());
    elsewhere.store_id = Some("STORE_2".into());
    assert_eq!(
        api_error(client.use_user_coupon(OPENID, &sent.coupon_code, &elsewhere).await).business_code(),
        Some(268584404)
    );
    let mut here = use_at(&sent, "USE_0003", &sandbox.now());
    here.store_id = Some("STORE_1".into());
    assert_eq!(
        client.use_user_coupon(OPENID, &sent.coupon_code, &here).await.unwrap().coupon_state,
        UserCouponState::Used
    );
}

#[tokio::test]
async fn codes_come_from_the_stocks_code_mode() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    // API_ASSIGN: the request names the code, once per stock.
    let assigned = single_coupon(&client, "PC_0001", |s| s.coupon_code_mode = CouponCodeMode::ApiAssign).await;
    let e = api_error(client.send_coupon(OPENID, &send(&assigned, "SEND_0001")).await);
    assert!(e.message.starts_with("coupon_code:"), "{}", e.message);
    let mut with_code = send(&assigned, "SEND_0002");
    with_code.coupon_code = Some("MY-CODE-0001".into());
    assert_eq!(client.send_coupon(OPENID, &with_code).await.unwrap().coupon_code, "MY-CODE-0001");
    with_code.send_request_no = "SEND_0003".into();
    let e = api_error(client.send_coupon("oUserB", &with_code).await);
    assert!(e.message.contains("已经发放过"), "{}", e.message);

    // UPLOAD: the oldest uploaded code; none left, no coupon.
    let uploaded = single_coupon(&client, "PC_0002", |s| s.coupon_code_mode = CouponCodeMode::Upload).await;
    let e = api_error(client.send_coupon(OPENID, &send(&uploaded, "SEND_0004")).await);
    assert!(e.message.contains("预上传"), "{}", e.message);
    let codes = UploadCouponCodesRequest::builder()
        .out_request_no("CODES_01")
        .code_list(vec!["UP-1".to_owned(), "UP-2".to_owned()])
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.upload_coupon_codes(&uploaded.0, &uploaded.1, &codes).await.unwrap();
    assert_eq!(client.send_coupon(OPENID, &send(&uploaded, "SEND_0005")).await.unwrap().coupon_code, "UP-1");
    assert_eq!(client.send_coupon("oUserB", &send(&uploaded, "SEND_0006")).await.unwrap().coupon_code, "UP-2");
    let left = client.get_stock(&uploaded.0, &uploaded.1, BRAND).await.unwrap().coupon_code_count_info.unwrap();
    assert_eq!((left.total_count, left.available_count), (2, 0));
    // Other modes take no code from the request.
    let wechatpay = single_coupon(&client, "PC_0003", |_| {}).await;
    let mut code = send(&wechatpay, "SEND_0007");
    code.coupon_code = Some("NOT-MINE".into());
    assert!(api_error(client.send_coupon(OPENID, &code).await).message.starts_with("coupon_code:"));
}

/// Sends the demo bundle (3 steps, 2 days apart, Monday to Friday) to `openid`, confirms every
/// step, and returns the bundle.
async fn confirmed_bundle(client: &Client, coupon: &CreateProductCouponResponse, openid: &str) -> UserCouponBundle {
    let bundle_id = coupon.stock_bundle.as_ref().unwrap().stock_bundle_id.clone();
    let request = SendCouponBundleRequest::builder()
        .product_coupon_id(&coupon.product_coupon_id)
        .stock_bundle_id(&bundle_id)
        .appid(APPID)
        .send_request_no(format!("SEND_BUNDLE_{openid}"))
        .brand_id(BRAND)
        .build()
        .unwrap();
    let sent = client.send_coupon_bundle(openid, &request).await.unwrap();
    for (i, c) in sent.user_product_coupon_list.iter().enumerate() {
        assert_eq!(c.coupon_state, UserCouponState::Confirming);
        client
            .confirm_user_coupon(openid, &c.coupon_code, &confirm(c, &format!("CONFIRM_{openid}_{i}")))
            .await
            .unwrap();
    }
    sent
}

async fn states(client: &Client, openid: &str, bundle: &UserCouponBundle) -> Vec<UserCouponState> {
    let mut out = Vec::new();
    for c in &bundle.user_product_coupon_list {
        out.push(get(client, openid, c).await.coupon_state);
    }
    out
}

#[tokio::test]
async fn bundle_coupons_are_used_in_order_and_apart() {
    let sandbox: RunningSandbox = family_sandbox().await;
    let client = client(&sandbox);
    let coupon = client.create_product_coupon(&demo::product_coupon_request("PC_0001")).await.unwrap();
    let stocks = &coupon.stock_bundle.as_ref().unwrap().stock_list;

    // A bundle's stock is not sent on its own.
    let e = api_error(
        client
            .send_coupon(OPENID, &send(&(coupon.product_coupon_id.clone(), stocks[0].stock_id.clone()), "SEND_01"))
            .await,
    );
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.contains("向用户发放商品券批次组"), "{}", e.message);

    let bundle = confirmed_bundle(&client, &coupon, OPENID).await;
    assert_eq!(bundle.user_product_coupon_list.len(), 3);
    for (i, c) in bundle.user_product_coupon_list.iter().enumerate() {
        let info = c.user_product_coupon_bundle_info.as_ref().unwrap();
        assert_eq!(
            (info.user_coupon_bundle_id.as_str(), info.user_coupon_bundle_index),
            (bundle.user_coupon_bundle_id.as_str(), i as i64)
        );
        assert_eq!((info.total_count, info.used_count), (3, 0));
        assert_eq!(c.stock.stock_id, stocks[i].stock_id);
    }
    use UserCouponState::*;
    assert_eq!(states(&client, OPENID, &bundle).await, [Effective, Pending, Pending]);
    let [first, second, third] = &bundle.user_product_coupon_list[..] else { panic!() };

    // In order: the second step waits for the first.
    let e =
        api_error(client.use_user_coupon(OPENID, &second.coupon_code, &use_at(second, "USE_1", &sandbox.now())).await);
    assert_eq!(refusal(&e).2, Some(268578367));
    let used =
        client.use_user_coupon(OPENID, &first.coupon_code, &use_at(first, "USE_0", &sandbox.now())).await.unwrap();
    assert!(used.progressive_bundle_usage_detail.is_some() && used.single_usage_detail.is_none());
    assert_eq!(used.user_product_coupon_bundle_info.unwrap().used_count, 1);
    // interval_days = 2: usable from 00:00 two days after.
    assert_eq!(states(&client, OPENID, &bundle).await, [Used, Pending, Pending]);
    let e =
        api_error(client.use_user_coupon(OPENID, &second.coupon_code, &use_at(second, "USE_2", &sandbox.now())).await);
    assert_eq!(refusal(&e).2, Some(272755715));
    assert!(e.message.contains("2025-08-06T00:00:00+08:00"), "{}", e.message);
    sandbox.advance_time(2 * DAY).unwrap(); // Wednesday
    assert_eq!(states(&client, OPENID, &bundle).await, [Used, Effective, Pending]);
    client.use_user_coupon(OPENID, &second.coupon_code, &use_at(second, "USE_3", &sandbox.now())).await.unwrap();

    // Returns go backwards.
    let e = api_error(client.return_user_coupon(OPENID, &first.coupon_code, &return_request(first, "RET_0")).await);
    assert_eq!(refusal(&e).2, Some(268578367));
    client.return_user_coupon(OPENID, &second.coupon_code, &return_request(second, "RET_1")).await.unwrap();
    client.return_user_coupon(OPENID, &first.coupon_code, &return_request(first, "RET_2")).await.unwrap();
    assert_eq!(states(&client, OPENID, &bundle).await, [Effective, Pending, Pending]);

    // Monday to Friday only.
    sandbox.set_time("2025-08-09T10:00:00+08:00").unwrap(); // Saturday
    let e =
        api_error(client.use_user_coupon(OPENID, &first.coupon_code, &use_at(first, "USE_4", &sandbox.now())).await);
    assert_eq!(refusal(&e).2, Some(272755715));
    assert!(e.message.contains("SATURDAY"), "{}", e.message);

    // 失效用户商品券组: every step that can be; then nothing is left to deactivate.
    let request = DeactivateUserCouponBundleRequest::builder()
        .product_coupon_id(&coupon.product_coupon_id)
        .stock_bundle_id(&coupon.stock_bundle.as_ref().unwrap().stock_bundle_id)
        .appid(APPID)
        .out_request_no("DEACT_BUNDLE_1")
        .deactivate_reason("活动取消")
        .brand_id(BRAND)
        .build()
        .unwrap();
    let gone = client.deactivate_user_coupon_bundle(OPENID, &bundle.user_coupon_bundle_id, &request).await.unwrap();
    assert!(gone.user_product_coupon_list.iter().all(|c| c.coupon_state == Deactivated));
    let mut again = request.clone();
    again.out_request_no = "DEACT_BUNDLE_2".into();
    let e = api_error(client.deactivate_user_coupon_bundle(OPENID, &bundle.user_coupon_bundle_id, &again).await);
    assert_eq!(refusal(&e).2, Some(268578367));
    let mut foreign = request.clone();
    foreign.out_request_no = "DEACT_BUNDLE_3".into();
    let e = api_error(client.deactivate_user_coupon_bundle("oOther", &bundle.user_coupon_bundle_id, &foreign).await);
    assert_eq!(e.status, 404, "another user's bundle");
    let _ = third;

    // max_count_per_user = 1 for the demo bundle: one bundle per user; every step counted.
    let e = api_error(
        client
            .send_coupon_bundle(
                OPENID,
                &SendCouponBundleRequest::builder()
                    .product_coupon_id(&coupon.product_coupon_id)
                    .stock_bundle_id(&coupon.stock_bundle.as_ref().unwrap().stock_bundle_id)
                    .appid(APPID)
                    .send_request_no("SEND_BUNDLE_AGAIN")
                    .brand_id(BRAND)
                    .build()
                    .unwrap(),
            )
            .await,
    );
    assert_eq!(refusal(&e).2, Some(272756740));
    for s in stocks {
        assert_eq!(
            client.get_stock(&coupon.product_coupon_id, &s.stock_id, BRAND).await.unwrap().sent_count_info.total_count,
            1
        );
    }
}

#[tokio::test]
async fn bundle_steps_wait_for_wait_days_and_weekdays() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let coupon = client.create_product_coupon(&demo::product_coupon_request("PC_0001")).await.unwrap();
    // The add-bundle example: 10 days from the day after receipt, Mondays only; UPLOAD codes.
    let bundle = client
        .create_stock_bundle(&coupon.product_coupon_id, &demo::stock_bundle_request("BUNDLE_01", 3))
        .await
        .unwrap();
    for (i, s) in bundle.stock_list.iter().enumerate() {
        let codes = UploadCouponCodesRequest::builder()
            .out_request_no(format!("CODES_{i}"))
            .code_list(vec![format!("STEP{i}-A")])
            .brand_id(BRAND)
            .build()
            .unwrap();
        client.upload_coupon_codes(&coupon.product_coupon_id, &s.stock_id, &codes).await.unwrap();
    }
    let request = SendCouponBundleRequest::builder()
        .product_coupon_id(&coupon.product_coupon_id)
        .stock_bundle_id(&bundle.stock_bundle_id)
        .appid(APPID)
        .send_request_no("SEND_BUNDLE_1")
        .brand_id(BRAND)
        .build()
        .unwrap();
    let sent = client.send_coupon_bundle(OPENID, &request).await.unwrap();
    let codes: Vec<&str> = sent.user_product_coupon_list.iter().map(|c| c.coupon_code.as_str()).collect();
    assert_eq!(codes, ["STEP0-A", "STEP1-A", "STEP2-A"]);
    let first = &sent.user_product_coupon_list[0];
    assert_eq!(first.valid_begin_time.as_str(), "2025-08-05T00:00:00+08:00", "wait_days_after_receive = 1");
    assert_eq!(first.valid_end_time.as_str(), "2025-08-14T23:59:59+08:00", "available_days = 10");
    client.confirm_user_coupon(OPENID, &first.coupon_code, &confirm(first, "CONFIRM_0")).await.unwrap();
    assert_eq!(get(&client, OPENID, first).await.coupon_state, UserCouponState::Pending);
    sandbox.set_time("2025-08-11T10:00:00+08:00").unwrap(); // the next Monday
    assert_eq!(get(&client, OPENID, first).await.coupon_state, UserCouponState::Effective);
    // Mondays, 00:01:00 to 23:59:59.
    let e = api_error(
        client.use_user_coupon(OPENID, &first.coupon_code, &use_at(first, "USE_0", "2025-08-11T00:00:30+08:00")).await,
    );
    assert_eq!(refusal(&e).2, Some(272755715));
    // store_scope SPECIFIC: at one of the bundle's stores.
    let stores = StoreListRequest::builder()
        .store_list([StoreRef::builder().store_id("STORE_1").build().unwrap()])
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.associate_stock_bundle_stores(&coupon.product_coupon_id, &bundle.stock_bundle_id, &stores).await.unwrap();
    let mut at_store = use_at(first, "USE_1", &sandbox.now());
    assert_eq!(
        api_error(client.use_user_coupon(OPENID, &first.coupon_code, &at_store).await).business_code(),
        Some(268584404)
    );
    at_store.out_request_no = "USE_2".into();
    at_store.store_id = Some("STORE_1".into());
    client.use_user_coupon(OPENID, &first.coupon_code, &at_store).await.unwrap();
}

#[tokio::test]
async fn pre_send_tokens_are_claimed_in_the_component() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let coupon = single_coupon(&client, "PC_0001", |_| {}).await;
    let pre = PreSendCouponRequest::builder()
        .product_coupon_id(&coupon.0)
        .stock_id(&coupon.1)
        .appid(APPID)
        .send_request_no("PRE_0001")
        .attach("from the mini program")
        .brand_id(BRAND)
        .build()
        .unwrap();
    let token = client.pre_send_coupon(OPENID, &pre).await.unwrap().token;
    assert_eq!(token.len(), 32);
    assert_eq!(client.pre_send_coupon(OPENID, &pre).await.unwrap().token, token, "a retry");
    assert_eq!(sent_count(&client, &coupon).await, (0, 0), "nothing sent yet");

    // The user takes it in the 小程序发券组件 (simulated); taking it again shows the same coupon.
    let Claimed::Coupon(claimed) = sandbox.claim_pre_send_token(&token).await.unwrap() else { panic!("a coupon") };
    assert_eq!(
        (claimed.send_channel.clone(), claimed.coupon_state.clone()),
        (SendChannel::ReceiveComponent, UserCouponState::Confirming)
    );
    assert_eq!(
        (claimed.send_request_no.as_str(), claimed.attach.as_deref()),
        ("PRE_0001", Some("from the mini program"))
    );
    let Claimed::Coupon(again) = sandbox.claim_pre_send_token(&token).await.unwrap() else { panic!() };
    assert_eq!(again, claimed);
    assert_eq!(sent_count(&client, &coupon).await, (1, 1));
    assert_eq!(get(&client, OPENID, &claimed).await.coupon_code, claimed.coupon_code);

    // A token is good for 5 minutes.
    let mut later = pre.clone();
    later.send_request_no = "PRE_0002".into();
    let token = client.pre_send_coupon("oUserB", &later).await.unwrap().token;
    sandbox.advance_time(Duration::from_secs(301)).unwrap();
    let e = sandbox.claim_pre_send_token(&token).await.unwrap_err();
    assert!(e.message.contains("过期"), "{e}");
    assert_eq!(sandbox.claim_pre_send_token("unknown").await.unwrap_err().status, 404);

    // 向用户预发放商品券批次组.
    let bundled = client.create_product_coupon(&demo::product_coupon_request("PC_0002")).await.unwrap();
    let pre_bundle = PreSendCouponBundleRequest::builder()
        .product_coupon_id(&bundled.product_coupon_id)
        .stock_bundle_id(&bundled.stock_bundle.as_ref().unwrap().stock_bundle_id)
        .appid(APPID)
        .send_request_no("PRE_BUNDLE_1")
        .brand_id(BRAND)
        .build()
        .unwrap();
    let token = client.pre_send_coupon_bundle(OPENID, &pre_bundle).await.unwrap().token;
    let Claimed::Bundle(bundle) = sandbox.claim_pre_send_token(&token).await.unwrap() else { panic!("a bundle") };
    assert_eq!(bundle.user_product_coupon_list.len(), 3);
    assert!(bundle.user_product_coupon_list.iter().all(|c| c.send_channel == SendChannel::ReceiveComponent));
    // The pre-send of a SINGLE stock's product coupon as a bundle is refused.
    let mut wrong = pre_bundle.clone();
    wrong.product_coupon_id = coupon.0.clone();
    wrong.send_request_no = "PRE_BUNDLE_2".into();
    assert_eq!(api_error(client.pre_send_coupon_bundle(OPENID, &wrong).await).error_code(), ErrorCode::InvalidRequest);

    // The admin endpoint does the same.
    let mut third = pre.clone();
    third.send_request_no = "PRE_0003".into();
    let token = client.pre_send_coupon("oUserC", &third).await.unwrap().token;
    let resp = admin(reqwest::Method::POST, &format!("{}/sandbox/pre-send-tokens/{token}/claim", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let json: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(json["send_channel"], "RECEIVE_COMPONENT");
}

#[tokio::test]
async fn a_users_coupons_are_listed_page_by_page_and_filtered() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let a = single_coupon(&client, "PC_0001", |s| s.stock_send_rule.max_count_per_user = 10).await;
    let b = single_coupon(&client, "PC_0002", |s| s.stock_send_rule.max_count_per_user = 10).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        let coupon = if i % 2 == 0 { &a } else { &b };
        sent.push(client.send_coupon(OPENID, &send(coupon, &format!("SEND_{i}"))).await.unwrap());
    }
    client.send_coupon("oSomeoneElse", &send(&a, "SEND_OTHER")).await.unwrap();
    client.confirm_user_coupon(OPENID, &sent[0].coupon_code, &confirm(&sent[0], "CONFIRM_0")).await.unwrap();

    let first = client.list_user_coupons(OPENID, BRAND, APPID).page_size(2).await.unwrap();
    assert_eq!((first.total_count, first.user_coupon_list.as_ref().unwrap().len()), (5, 2));
    let all = client.list_user_coupons(OPENID, BRAND, APPID).page_size(2).stream().collect_all().await.unwrap();
    let codes: Vec<&str> = all.iter().map(|c| c.coupon_code.as_str()).collect();
    let expected: Vec<&str> = sent.iter().map(|c| c.coupon_code.as_str()).collect();
    assert_eq!(codes, expected, "in the order sent");
    let of_b =
        client.list_user_coupons(OPENID, BRAND, APPID).product_coupon_id(&b.0).stream().collect_all().await.unwrap();
    assert_eq!(of_b.len(), 2);
    let of_a_stock = client
        .list_user_coupons(OPENID, BRAND, APPID)
        .stock_id(&a.1)
        .coupon_state(&UserCouponState::Confirming)
        .page_size(1)
        .stream()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(of_a_stock.len(), 2, "three from stock a, one of them confirmed");
    // Another AppID or brand sees none of them.
    assert_eq!(client.list_user_coupons(OPENID, BRAND, "wx_other").await.unwrap().total_count, 0);
    assert_eq!(client.list_user_coupons(OPENID, "999999", APPID).await.unwrap().total_count, 0);
}
