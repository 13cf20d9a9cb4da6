//! Lossless round trips through the sandbox's own paths: every documented example of the spec
//! (the generated client's fixtures) through the parsing the sandbox does on a request
//! (`OperationRequest::parse`) and the serialization it does on a response
//! (`OperationResponse::to_json`); and the sandbox's richest answers (every optional part
//! filled: deactivation, usage and return details, bundle info, store lists, task results)
//! through the client's models, byte for byte as JSON values.

mod common;

use common::*;
use serde_json::Value;
use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::requests::{OperationRequest, OperationResponse};
use wechatpay_sandbox::demo;

fn fixtures() -> Vec<(String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated-client/tests/fixtures");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_documented_example_round_trips_through_the_sandbox_paths() {
    let all = fixtures();
    assert!(all.len() >= 3, "the spec's examples: {all:?}");
    for (name, json) in all {
        let (operation, kind) = {
            let mut parts = name.split('.');
            (parts.next().unwrap().to_owned(), parts.next().unwrap().to_owned())
        };
        let bytes = serde_json::to_vec(&json).unwrap();
        let again = match kind.as_str() {
            "request" => {
                let path = [("product_coupon_id", "1000000001")];
                let parsed = OperationRequest::parse(&operation, &path, &[], Some(&bytes))
                    .unwrap_or_else(|e| panic!("{name}: the sandbox cannot parse the documented example: {e}"));
                match parsed {
                    OperationRequest::CreateProductCoupon { body } => serde_json::to_value(&body).unwrap(),
                    OperationRequest::CreateStockBundle { body, .. } => serde_json::to_value(&body).unwrap(),
                    other => panic!("{name}: add a case for {:?}", other.meta().id),
                }
            }
            "response" => {
                let response = match operation.as_str() {
                    "create_stock_bundle" => {
                        OperationResponse::CreateStockBundle(Box::new(serde_json::from_value(json.clone()).unwrap()))
                    }
                    other => panic!("{name}: add a case for {other}"),
                };
                response.to_json().unwrap()
            }
            other => panic!("{name}: unknown fixture kind {other}"),
        };
        assert_eq!(again, json, "{name} changed in the round trip");
    }
}

/// GETs `target` signed, and checks the JSON answered decodes into `T` and encodes back to the
/// same value.
async fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
    sandbox: &wechatpay_sandbox::RunningSandbox,
    target: &str,
) -> T {
    let (status, _, json) = send(raw(sandbox, "GET", target, b"", None)).await;
    assert_eq!(status, 200, "{target}: {json}");
    let typed: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{target}: {e}: {json}"));
    assert_eq!(serde_json::to_value(&typed).unwrap(), json, "{target}");
    typed
}

#[tokio::test]
async fn the_sandboxs_answers_round_trip_through_the_models() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    // A product coupon with every part: a bundle coupon, deactivated at the end; a SPECIFIC
    // stock with stores; a coupon used with an order, returned; an image task.
    let single = client.create_product_coupon(&demo::single_product_coupon_request("PC_0001")).await.unwrap();
    let (pc, stock) = (single.product_coupon_id.clone(), single.stock.unwrap().stock_id);
    let update = UpdateStockInfoRequest::builder()
        .out_request_no("INFO_01")
        .store_scope(StoreScope::Specific)
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.update_stock(&pc, &stock, &update).await.unwrap();
    let stores = StoreListRequest::builder()
        .store_list([StoreRef::builder().store_id("STORE_1").build().unwrap()])
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.associate_stock_stores(&pc, &stock, &stores).await.unwrap();
    let send = SendCouponRequest::builder()
        .product_coupon_id(&pc)
        .stock_id(&stock)
        .appid(APPID)
        .send_request_no("SEND_01")
        .attach("attached")
        .coupon_tag_info(
            CouponTagInfo::builder()
                .coupon_tag_list([CouponTag::Member])
                .member_tag_info(MemberTagInfo::builder().member_card_id("pY7gN0Rz1KgB")),
        )
        .brand_id(BRAND)
        .build()
        .unwrap();
    let sent = client.send_coupon(OPENID, &send).await.unwrap();
    let confirm = ConfirmUserCouponRequest::builder()
        .product_coupon_id(&pc)
        .stock_id(&stock)
        .appid(APPID)
        .out_request_no("CONFIRM_01")
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.confirm_user_coupon(OPENID, &sent.coupon_code, &confirm).await.unwrap();
    let usage = UseUserCouponRequest::builder()
        .product_coupon_id(&pc)
        .stock_id(&stock)
        .appid(APPID)
        .use_time(sandbox.now())
        .out_request_no("USE_01")
        .store_id("STORE_1")
        .saved_amount(1500)
        .associated_order_info(
            AssociatedOrderInfo::builder()
                .transaction_id("4200000000000000000000000001")
                .out_trade_no("ORDER_01")
                .mchid("1900000001")
                .sub_mchid("1900000002"),
        )
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.use_user_coupon(OPENID, &sent.coupon_code, &usage).await.unwrap();
    let back = ReturnUserCouponRequest::builder()
        .product_coupon_id(&pc)
        .stock_id(&stock)
        .appid(APPID)
        .out_request_no("RETURN_01")
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.return_user_coupon(OPENID, &sent.coupon_code, &back).await.unwrap();
    let bundled = client.create_product_coupon(&demo::product_coupon_request("PC_0002")).await.unwrap();
    let bundle_id = bundled.stock_bundle.as_ref().unwrap().stock_bundle_id.clone();
    let send_bundle = SendCouponBundleRequest::builder()
        .product_coupon_id(&bundled.product_coupon_id)
        .stock_bundle_id(&bundle_id)
        .appid(APPID)
        .send_request_no("SEND_BUNDLE_01")
        .brand_id(BRAND)
        .build()
        .unwrap();
    let user_bundle = client.send_coupon_bundle(OPENID, &send_bundle).await.unwrap();
    let deactivate = DeactivateProductCouponRequest::builder()
        .out_request_no("DEACT_01")
        .deactivate_reason("活动结束")
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.deactivate_product_coupon(&bundled.product_coupon_id, &deactivate).await.unwrap();
    set_notify_url(&client, "https://merchant.example.com/notify").await;
    let task = CreateImageGenerationTaskRequest::builder()
        .brand_id(BRAND)
        .task_id("TASK_01")
        .image_generation_type(ImageGenerationType::CutOut)
        .cut_out(CutOut::builder().image_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx"))
        .build()
        .unwrap();
    client.create_image_generation_task(&task).await.unwrap();

    let base = "/v3/marketing/partner/product-coupon";
    let bpc = &bundled.product_coupon_id;
    let coupon: ProductCouponEntity =
        round_trip(&sandbox, &format!("{base}/product-coupons/{bpc}?brand_id={BRAND}")).await;
    assert!(coupon.deactivate_time.is_some());
    let stocks: ListStocksResponse =
        round_trip(&sandbox, &format!("{base}/product-coupons/{bpc}/stocks?brand_id={BRAND}&page_size=2")).await;
    assert!(stocks.next_page_token.is_some() && stocks.stock_list.unwrap()[0].deactivate_reason.is_some());
    let _: StockEntity =
        round_trip(&sandbox, &format!("{base}/product-coupons/{pc}/stocks/{stock}?brand_id={BRAND}")).await;
    let _: ListStockStoresResponse =
        round_trip(&sandbox, &format!("{base}/product-coupons/{pc}/stocks/{stock}/associated-stores?brand_id={BRAND}"))
            .await;
    let code = &sent.coupon_code;
    let used: UserProductCoupon = round_trip(
        &sandbox,
        &format!(
            "{base}/users/{OPENID}/coupons/{code}?brand_id={BRAND}&product_coupon_id={pc}&stock_id={stock}&appid={APPID}"
        ),
    )
    .await;
    let detail = used.single_usage_detail.unwrap();
    assert!(detail.return_time.is_some() && detail.associated_order_info.is_some());
    assert!(used.coupon_tag_info.is_some() && used.confirm_time.is_some());
    let step = &user_bundle.user_product_coupon_list[1];
    let stepped: UserProductCoupon = round_trip(
        &sandbox,
        &format!(
            "{base}/users/{OPENID}/coupons/{}?brand_id={BRAND}&product_coupon_id={bpc}&stock_id={}&appid={APPID}",
            step.coupon_code, step.stock.stock_id
        ),
    )
    .await;
    assert!(stepped.user_product_coupon_bundle_info.is_some());
    let _: ListUserCouponsResponse =
        round_trip(&sandbox, &format!("{base}/users/{OPENID}/coupons?brand_id={BRAND}&appid={APPID}&page_size=2"))
            .await;
    let _: NotifyUrlConfig = round_trip(&sandbox, &format!("{base}/notify-configs")).await;
    let done: ImageGenerationTask = round_trip(
        &sandbox,
        &format!("{base}/image-generation-tasks/TASK_01?brand_id={BRAND}&image_generation_type=CUT_OUT"),
    )
    .await;
    assert!(done.cut_out_result.is_some());
}
