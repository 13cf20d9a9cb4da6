//! Product coupons, SINGLE stocks and stock bundles end to end: the generated client against
//! the sandbox over loopback. Operations covered here: create / get / update / deactivate
//! product coupon; create / list (paged stream and filters) / get / update / update budget /
//! deactivate stock; associate / disassociate / list stores; upload coupon codes; create /
//! update / update budget / associate / disassociate stores of stock bundles.

mod common;

use common::*;
use wechatpay_product_coupon::ApiErrorExt as _;
use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::{CallOptions, ErrorCode};
use wechatpay_sandbox::demo;

fn stores(ids: &[&str]) -> StoreListRequest {
    let list: Vec<StoreRef> = ids.iter().map(|id| StoreRef::builder().store_id(*id).build().unwrap()).collect();
    StoreListRequest::builder().store_list(list).brand_id(BRAND).build().unwrap()
}

fn ids(list: &Option<Vec<StoreRef>>) -> Vec<String> {
    list.iter().flatten().map(|s| s.store_id.clone()).collect()
}

fn failed(list: &Option<Vec<FailedStore>>) -> Vec<(String, String)> {
    list.iter().flatten().map(|s| (s.store_id.clone(), s.code.clone())).collect()
}

/// The demo SINGLE coupon's stock, with `edit` applied.
fn stock(edit: impl FnOnce(&mut Stock)) -> Stock {
    let mut s = demo::single_product_coupon_request("TEMPLATE").stock.unwrap();
    edit(&mut s);
    s
}

fn create_stock_request(number: &str, stock: Stock) -> CreateStockRequest {
    CreateStockRequest::builder().out_request_no(number).stock(stock).brand_id(BRAND).build().unwrap()
}

fn budget(number: &str, mode: UpdateMode, current: i64, target: i64) -> UpdateBudgetRequest {
    let b = UpdateBudgetRequest::builder().out_request_no(number).update_mode(mode.clone()).brand_id(BRAND);
    match mode {
        UpdateMode::MaxCount => b.current_max_count(current).target_max_count(target),
        _ => b.current_max_count_per_day(current).target_max_count_per_day(target),
    }
    .build()
    .unwrap()
}

fn info_update(number: &str) -> UpdateStockInfoRequest {
    UpdateStockInfoRequest::builder().out_request_no(number).brand_id(BRAND).build().unwrap()
}

#[tokio::test]
async fn product_coupons_are_read_updated_and_deactivated_with_their_stocks() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let created = client.create_product_coupon(&demo::single_product_coupon_request("PC_0001")).await.unwrap();
    let id = created.product_coupon_id.as_str();
    client.create_stock(id, &create_stock_request("STOCK_0002", stock(|_| {}))).await.unwrap();

    // 查询商品券: the coupon without its stocks.
    let got = client.get_product_coupon(id, BRAND).await.unwrap();
    assert_eq!((got.state.clone(), got.usage_mode.clone()), (ProductCouponState::Effective, UsageMode::Single));
    assert_eq!(got.display_info, created.display_info);
    assert!(got.deactivate_time.is_none());
    let e = api_error(client.get_product_coupon(id, "999999").await);
    assert_eq!((e.status, &e.error_code(), e.business_code()), (404, &ErrorCode::NotFound, Some(268578608)));
    assert_eq!(api_error(client.get_product_coupon("1999999999", BRAND).await).error_code(), ErrorCode::NotFound);

    // 修改商品券: the display info is replaced; a retry returns the same coupon.
    let mut display = got.display_info.clone();
    display.name = "满100减15元".into();
    let update = UpdateProductCouponRequest::builder()
        .out_request_no("UPDATE_0001")
        .display_info(display.clone())
        .brand_id(BRAND)
        .build()
        .unwrap();
    let updated = client.update_product_coupon(id, &update).await.unwrap();
    assert_eq!(updated.display_info.name, "满100减15元");
    assert_eq!(client.update_product_coupon(id, &update).await.unwrap(), updated);
    assert_eq!(client.get_product_coupon(id, BRAND).await.unwrap().display_info.name, "满100减15元");
    // A 单品券 needs original_price or combo_package_list: the request cannot tell (it has no
    // scope), the sandbox can.
    let mut no_price = display.clone();
    no_price.original_price = None;
    let e = api_error(
        client
            .update_product_coupon(
                id,
                &UpdateProductCouponRequest::builder()
                    .out_request_no("UPDATE_0002")
                    .display_info(no_price)
                    .brand_id(BRAND)
                    .build()
                    .unwrap(),
            )
            .await,
    );
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.starts_with("display_info.original_price:"), "{}", e.message);
    // The same number with other data.
    let mut other = update.clone();
    other.display_info.name = "另一个名字".into();
    let e = api_error(client.update_product_coupon(id, &other).await);
    assert_eq!((e.error_code(), e.business_code()), (ErrorCode::InvalidRequest, Some(268578927)));

    // 失效商品券: the coupon and every stock of it.
    let deactivate = DeactivateProductCouponRequest::builder()
        .out_request_no("DEACTIVATE_0001")
        .deactivate_reason("活动结束")
        .brand_id(BRAND)
        .build()
        .unwrap();
    let gone = client.deactivate_product_coupon(id, &deactivate).await.unwrap();
    assert_eq!(gone.state, ProductCouponState::Deactivated);
    assert_eq!(gone.deactivate_request_no.as_deref(), Some("DEACTIVATE_0001"));
    assert_eq!(gone.deactivate_reason.as_deref(), Some("活动结束"));
    assert!(gone.deactivate_time.as_ref().unwrap().as_str().starts_with("2025-08-04T"), "business clock");
    assert_eq!(client.deactivate_product_coupon(id, &deactivate).await.unwrap(), gone, "a retry");
    let stocks = client.list_stocks(id, BRAND).stream().collect_all().await.unwrap();
    assert_eq!(stocks.len(), 2);
    for s in &stocks {
        assert_eq!(s.state, StockState::Deactivated);
        assert_eq!(s.deactivate_reason.as_deref(), Some("活动结束"));
    }
    // Only an EFFECTIVE coupon can be deactivated; a deactivated one takes no changes.
    let mut again = deactivate.clone();
    again.out_request_no = "DEACTIVATE_0002".into();
    let e = api_error(client.deactivate_product_coupon(id, &again).await);
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.contains("DEACTIVATED"), "{}", e.message);
    let mut late = update.clone();
    late.out_request_no = "UPDATE_0003".into();
    assert_eq!(api_error(client.update_product_coupon(id, &late).await).error_code(), ErrorCode::InvalidRequest);
    let e = api_error(client.create_stock(id, &create_stock_request("STOCK_0003", stock(|_| {}))).await);
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
}

#[tokio::test]
async fn single_stocks_are_listed_page_by_page_and_filtered() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let created = client.create_product_coupon(&demo::single_product_coupon_request("PC_0001")).await.unwrap();
    let id = created.product_coupon_id.as_str();
    let mut expected = vec![created.stock.clone().unwrap()];
    for i in 2..=5 {
        let s = stock(|s| s.remark = Some(format!("批次 {i}")));
        let added = client.create_stock(id, &create_stock_request(&format!("STOCK_000{i}"), s)).await.unwrap();
        assert_eq!(added.remark.as_deref(), Some(format!("批次 {i}").as_str()));
        assert_eq!((added.state.clone(), added.sent_count_info.total_count), (StockState::Sending, 0));
        expected.push(added);
    }

    // Two per page: three pages, in creation order, followed by the stream.
    let first = client.list_stocks(id, BRAND).page_size(2).await.unwrap();
    assert_eq!((first.total_count, first.stock_list.as_ref().unwrap().len()), (5, 2));
    assert!(first.next_page_token.is_some());
    let all = client.list_stocks(id, BRAND).page_size(2).stream().collect_all().await.unwrap();
    assert_eq!(all, expected);
    let e = api_error(client.list_stocks(id, BRAND).page_size(2).page_token("not-a-token").await);
    assert_eq!((e.status, &e.error_code()), (400, &ErrorCode::ParamError));
    // page_size is at most 50 (the client checks it, and so does the sandbox).
    let unchecked = client.with_options(CallOptions::new().skip_validation(true));
    assert_eq!(api_error(unchecked.list_stocks(id, BRAND).page_size(51).await).error_code(), ErrorCode::ParamError);

    // 查询商品券指定批次.
    let third = &expected[2];
    assert_eq!(&client.get_stock(id, &third.stock_id, BRAND).await.unwrap(), third);
    let e = api_error(client.get_stock(id, "3999999999", BRAND).await);
    assert_eq!((e.status, e.business_code()), (404, Some(268578608)));

    // 失效商品券批次, then the state filter.
    let deactivate = DeactivateStockRequest::builder()
        .out_request_no("DEACT_STOCK_1")
        .deactivate_reason("不再发放")
        .brand_id(BRAND)
        .build()
        .unwrap();
    let gone = client.deactivate_stock(id, &third.stock_id, &deactivate).await.unwrap();
    assert_eq!(gone.state, StockState::Deactivated);
    assert_eq!(gone.deactivate_request_no.as_deref(), Some("DEACT_STOCK_1"));
    let mut again = deactivate.clone();
    again.out_request_no = "DEACT_STOCK_2".into();
    assert_eq!(
        api_error(client.deactivate_stock(id, &third.stock_id, &again).await).error_code(),
        ErrorCode::InvalidRequest
    );
    let deactivated =
        client.list_stocks(id, BRAND).state(&StockState::Deactivated).stream().collect_all().await.unwrap();
    assert_eq!(deactivated.iter().map(|s| s.stock_id.as_str()).collect::<Vec<_>>(), [third.stock_id.as_str()]);
    let sending = client.list_stocks(id, BRAND).state(&StockState::Sending).await.unwrap();
    assert_eq!(sending.total_count, 4);
    // The bundle filter matches no stock of a SINGLE coupon.
    assert_eq!(client.list_stocks(id, BRAND).stock_bundle_id("2000000001").await.unwrap().total_count, 0);

    // 添加商品券批次 is for SINGLE coupons only.
    let bundled = client.create_product_coupon(&demo::product_coupon_request("PC_0002")).await.unwrap();
    let e = api_error(
        client.create_stock(&bundled.product_coupon_id, &create_stock_request("STOCK_0009", stock(|_| {}))).await,
    );
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.contains("添加商品券批次组"), "{}", e.message);
}

#[tokio::test]
async fn stock_display_and_budget_updates_check_current_values() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let created = client.create_product_coupon(&demo::single_product_coupon_request("PC_0001")).await.unwrap();
    let id = created.product_coupon_id.as_str();
    let stock_id = created.stock.as_ref().unwrap().stock_id.clone();

    // 修改商品券批次: only what is given changes.
    let mut update = info_update("INFO_0001");
    update.remark = Some("新的备注".into());
    update.coupon_display_info = Some(
        CouponDisplayInfo::builder()
            .code_display_mode(CodeDisplayMode::Qrcode)
            .background_color(BackgroundColor::Color050)
            .build()
            .unwrap(),
    );
    update.notify_config = Some(NotifyConfig::builder().notify_appid("wx0000000000000002").build().unwrap());
    let updated = client.update_stock(id, &stock_id, &update).await.unwrap();
    assert_eq!(updated.remark.as_deref(), Some("新的备注"));
    assert_eq!(updated.coupon_display_info.background_color, Some(BackgroundColor::Color050));
    assert_eq!(updated.notify_config.notify_appid.as_deref(), Some("wx0000000000000002"));
    assert_eq!(updated.usage_rule_display_info, created.stock.as_ref().unwrap().usage_rule_display_info, "kept");
    assert_eq!(client.get_stock(id, &stock_id, BRAND).await.unwrap(), updated);

    // 修改商品券批次发放预算: current values must match.
    let e = api_error(
        client.update_stock_budget(id, &stock_id, &budget("BUDGET_01", UpdateMode::MaxCount, 999, 2000)).await,
    );
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.starts_with("current_max_count:") && e.message.contains("1000"), "{}", e.message);
    let raised = client
        .update_stock_budget(id, &stock_id, &budget("BUDGET_02", UpdateMode::MaxCount, 1000, 2000))
        .await
        .unwrap();
    assert_eq!(raised.stock_send_rule.max_count, 2000);
    // No daily limit was set: any current value mismatches.
    let e = api_error(
        client.update_stock_budget(id, &stock_id, &budget("BUDGET_03", UpdateMode::MaxCountPerDay, 10, 20)).await,
    );
    assert!(e.message.contains("未设置"), "{}", e.message);
    // A stock with a daily limit.
    let daily = stock(|s| s.stock_send_rule.max_count_per_day = Some(100));
    let daily = client.create_stock(id, &create_stock_request("STOCK_0002", daily)).await.unwrap();
    let changed = client
        .update_stock_budget(id, &daily.stock_id, &budget("BUDGET_04", UpdateMode::MaxCountPerDay, 100, 200))
        .await
        .unwrap();
    assert_eq!(changed.stock_send_rule.max_count_per_day, Some(200));
    assert_eq!(changed.stock_send_rule.max_count, 1000, "one dimension per call");
    // One dimension per call: the client refuses both at once, and so does the sandbox.
    let mut both = budget("BUDGET_05", UpdateMode::MaxCount, 1000, 3000);
    both.current_max_count_per_day = Some(200);
    both.target_max_count_per_day = Some(300);
    let unchecked = client.with_options(CallOptions::new().skip_validation(true));
    assert_eq!(
        api_error(unchecked.update_stock_budget(id, &daily.stock_id, &both).await).error_code(),
        ErrorCode::InvalidRequest
    );
    // A deactivated stock takes no changes.
    let deactivate = DeactivateStockRequest::builder()
        .out_request_no("DEACT_01")
        .deactivate_reason("停")
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.deactivate_stock(id, &daily.stock_id, &deactivate).await.unwrap();
    let e = api_error(client.update_stock(id, &daily.stock_id, &info_update("INFO_0002")).await);
    assert_eq!((e.error_code(), e.business_code()), (ErrorCode::InvalidRequest, Some(268577984)));
}

#[tokio::test]
async fn stores_are_associated_listed_and_disassociated() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let created = client.create_product_coupon(&demo::single_product_coupon_request("PC_0001")).await.unwrap();
    let id = created.product_coupon_id.as_str();
    let all_stores = created.stock.as_ref().unwrap().stock_id.clone(); // store_scope ALL

    // store_scope ALL: every store already, nothing to associate (268578813).
    let e = api_error(client.associate_stock_stores(id, &all_stores, &stores(&["S1"])).await);
    assert_eq!((e.error_code(), e.business_code()), (ErrorCode::InvalidRequest, Some(268578813)));
    assert_eq!(api_error(client.list_stock_stores(id, &all_stores, BRAND).await).business_code(), Some(268578813));

    let specific = stock(|s| s.store_scope = StoreScope::Specific);
    let stock_id = client.create_stock(id, &create_stock_request("STOCK_0002", specific)).await.unwrap().stock_id;
    // Duplicates in a request count once.
    let r = client.associate_stock_stores(id, &stock_id, &stores(&["S1", "S2", "S3", "S2", "S4", "S5"])).await.unwrap();
    assert_eq!(r.total_count, 5);
    assert_eq!(ids(&r.success_store_list), ["S1", "S2", "S3", "S4", "S5"]);
    assert!(r.failed_store_list.is_none());
    // A store already associated fails on its own; the others succeed.
    let r = client.associate_stock_stores(id, &stock_id, &stores(&["S5", "S6"])).await.unwrap();
    assert_eq!(ids(&r.success_store_list), ["S6"]);
    assert_eq!(failed(&r.failed_store_list), [("S5".to_owned(), "ALREADY_EXISTS".to_owned())]);

    let page = client.list_stock_stores(id, &stock_id, BRAND).page_size(4).await.unwrap();
    assert_eq!((page.total_count, page.store_list.as_ref().unwrap().len()), (6, 4));
    let listed: Vec<String> = client
        .list_stock_stores(id, &stock_id, BRAND)
        .page_size(4)
        .stream()
        .collect_all()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.store_id)
        .collect();
    assert_eq!(listed, ["S1", "S2", "S3", "S4", "S5", "S6"]);

    let r = client.disassociate_stock_stores(id, &stock_id, &stores(&["S2", "S9"])).await.unwrap();
    assert_eq!(ids(&r.success_store_list), ["S2"]);
    assert_eq!(failed(&r.failed_store_list), [("S9".to_owned(), "NOT_FOUND".to_owned())]);
    let listed = client.list_stock_stores(id, &stock_id, BRAND).stream().collect_all().await.unwrap();
    assert_eq!(listed.len(), 5);
    let e = api_error(client.associate_stock_stores(id, "3999999999", &stores(&["S1"])).await);
    assert_eq!(e.status, 404);
}

#[tokio::test]
async fn coupon_codes_are_uploaded_to_upload_mode_stocks() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let created = client.create_product_coupon(&demo::single_product_coupon_request("PC_0001")).await.unwrap();
    let id = created.product_coupon_id.as_str();
    let upload_stock = stock(|s| s.coupon_code_mode = CouponCodeMode::Upload);
    let added = client.create_stock(id, &create_stock_request("STOCK_0002", upload_stock)).await.unwrap();
    let counts = added.coupon_code_count_info.as_ref().unwrap();
    assert_eq!((counts.total_count, counts.available_count), (0, 0));

    let too_long = "X".repeat(41);
    let upload = |number: &str, codes: &[&str]| {
        UploadCouponCodesRequest::builder()
            .out_request_no(number)
            .code_list(codes.iter().map(|c| c.to_string()).collect::<Vec<_>>())
            .brand_id(BRAND)
            .build()
            .unwrap()
    };
    let r = client
        .upload_coupon_codes(id, &added.stock_id, &upload("CODES_01", &["A1", "A2", "A2", "A3", &too_long]))
        .await
        .unwrap();
    assert_eq!(r.total_count, 4);
    assert_eq!(r.success_code_list.as_deref(), Some(&["A1".to_owned(), "A3".to_owned()][..]));
    assert_eq!(r.duplicate_code_list.as_deref(), Some(&["A2".to_owned()][..]));
    let failed: Vec<Option<&str>> = r.failed_code_list.iter().flatten().map(|c| c.coupon_code()).collect();
    assert_eq!(failed, [Some(too_long.as_str())]);
    assert!(r.already_exist_code_list.is_none());
    let r = client.upload_coupon_codes(id, &added.stock_id, &upload("CODES_02", &["A1", "B1"])).await.unwrap();
    assert_eq!(r.already_exist_code_list.as_deref(), Some(&["A1".to_owned()][..]));
    assert_eq!(r.success_code_list.as_deref(), Some(&["B1".to_owned()][..]));
    let counts = client.get_stock(id, &added.stock_id, BRAND).await.unwrap().coupon_code_count_info.unwrap();
    assert_eq!((counts.total_count, counts.available_count), (3, 3));
    // A retry is answered from the record.
    assert_eq!(client.upload_coupon_codes(id, &added.stock_id, &upload("CODES_02", &["A1", "B1"])).await.unwrap(), r);

    let wechatpay_stock = created.stock.as_ref().unwrap().stock_id.as_str();
    let e = api_error(client.upload_coupon_codes(id, wechatpay_stock, &upload("CODES_03", &["C1"])).await);
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    assert!(e.message.contains("UPLOAD"), "{}", e.message);
}

#[tokio::test]
async fn stock_bundles_change_on_every_stock() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let coupon = client.create_product_coupon(&demo::product_coupon_request("PC_0001")).await.unwrap();
    let id = coupon.product_coupon_id.as_str();
    let first = coupon.stock_bundle.as_ref().unwrap().stock_bundle_id.clone(); // store_scope NONE
    let bundle = client.create_stock_bundle(id, &demo::stock_bundle_request("BUNDLE_01", 3)).await.unwrap();
    let b = bundle.stock_bundle_id.as_str(); // store_scope SPECIFIC, UPLOAD, 10000 a day

    // The list has both bundles' stocks; the filter picks one bundle's.
    assert_eq!(client.list_stocks(id, BRAND).await.unwrap().total_count, 6);
    let listed = client.list_stocks(id, BRAND).stock_bundle_id(b).page_size(2).stream().collect_all().await.unwrap();
    assert_eq!(listed.len(), 3);
    for (i, s) in listed.iter().enumerate() {
        let info = s.stock_bundle_info.as_ref().unwrap();
        assert_eq!((info.stock_bundle_id.as_str(), info.stock_bundle_index), (b, i as i64));
        assert!(s.single_usage_rule.is_none() && s.progressive_bundle_usage_rule.is_some());
    }
    let one = client.get_stock(id, &listed[1].stock_id, BRAND).await.unwrap();
    assert_eq!(one, listed[1]);

    // 修改商品券批次组.
    let mut update = info_update("BUNDLE_INFO_01");
    update.remark = Some("批次组新备注".into());
    let updated = client.update_stock_bundle(id, b, &update).await.unwrap();
    assert_eq!(updated.stock_list.len(), 3);
    assert!(updated.stock_list.iter().all(|s| s.remark.as_deref() == Some("批次组新备注")));
    assert_eq!(client.update_stock_bundle(id, b, &update).await.unwrap(), updated, "a retry");

    // 修改商品券批次组发放预算: every stock, both dimensions (one per call).
    let e = api_error(client.update_stock_bundle_budget(id, b, &budget("BB_01", UpdateMode::MaxCount, 1, 2)).await);
    assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
    let raised = client
        .update_stock_bundle_budget(id, b, &budget("BB_02", UpdateMode::MaxCount, 10_000_000, 20_000_000))
        .await
        .unwrap();
    assert!(raised.stock_list.iter().all(|s| s.stock_send_rule.max_count == 20_000_000));
    let daily = client
        .update_stock_bundle_budget(id, b, &budget("BB_03", UpdateMode::MaxCountPerDay, 10_000, 5_000))
        .await
        .unwrap();
    assert!(daily.stock_list.iter().all(|s| s.stock_send_rule.max_count_per_day == Some(5_000)));

    // 批次组批量关联 / 取消关联门店: on every stock of the bundle.
    let r = client.associate_stock_bundle_stores(id, b, &stores(&["S1", "S2"])).await.unwrap();
    assert_eq!(ids(&r.success_store_list), ["S1", "S2"]);
    for s in &listed {
        let on_stock = client.list_stock_stores(id, &s.stock_id, BRAND).stream().collect_all().await.unwrap();
        assert_eq!(on_stock.into_iter().map(|s| s.store_id).collect::<Vec<_>>(), ["S1", "S2"]);
    }
    let r = client.associate_stock_bundle_stores(id, b, &stores(&["S2", "S3"])).await.unwrap();
    assert_eq!(ids(&r.success_store_list), ["S3"]);
    assert_eq!(failed(&r.failed_store_list), [("S2".to_owned(), "ALREADY_EXISTS".to_owned())]);
    let r = client.disassociate_stock_bundle_stores(id, b, &stores(&["S1", "S9"])).await.unwrap();
    assert_eq!(ids(&r.success_store_list), ["S1"]);
    assert_eq!(failed(&r.failed_store_list), [("S9".to_owned(), "NOT_FOUND".to_owned())]);
    let left = client.list_stock_stores(id, &listed[2].stock_id, BRAND).stream().collect_all().await.unwrap();
    assert_eq!(left.into_iter().map(|s| s.store_id).collect::<Vec<_>>(), ["S2", "S3"]);
    // store_scope NONE: no stores to associate.
    assert_eq!(
        api_error(client.associate_stock_bundle_stores(id, &first, &stores(&["S1"])).await).error_code(),
        ErrorCode::InvalidRequest
    );
    assert_eq!(api_error(client.update_stock_bundle(id, "2999999999", &info_update("X_01")).await).status, 404);

    // A bundle's stock is changed through its bundle.
    let step = listed[0].stock_id.as_str();
    for e in [
        api_error(client.update_stock(id, step, &info_update("SINGLE_01")).await),
        api_error(client.associate_stock_stores(id, step, &stores(&["S7"])).await),
        api_error(
            client.update_stock_budget(id, step, &budget("SINGLE_02", UpdateMode::MaxCount, 20_000_000, 1)).await,
        ),
    ] {
        assert_eq!(e.error_code(), ErrorCode::InvalidRequest);
        assert!(e.message.contains(b), "{}", e.message);
    }
    // Codes are uploaded per stock, bundle stocks included.
    let upload = UploadCouponCodesRequest::builder()
        .out_request_no("CODES_01")
        .code_list(vec!["Z1".to_owned()])
        .brand_id(BRAND)
        .build()
        .unwrap();
    assert_eq!(client.upload_coupon_codes(id, step, &upload).await.unwrap().success_code_list.unwrap(), ["Z1"]);
}
