//! The generated builders and validation, used the way an app would use them.

use wechatpay_product_coupon::builders::*;
use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::{BuildError, Validate};

/// The request of the doc page 【多次优惠-单品-满减券】API请求示例 (场景4), built with the builders.
fn doc_example_request() -> CreateProductCouponRequestBuilder {
    CreateProductCouponRequest::builder()
        .out_request_no("MANY_SINGLE_NORMAL_20250101_004")
        .brand_id("120344")
        .out_product_no("Product_1234567890")
        .scope(ProductCouponScope::Single)
        .type_(ProductCouponType::Normal)
        .usage_mode(UsageMode::ProgressiveBundle)
        .progressive_bundle_usage_info(ProgressiveBundleUsageInfo::builder().count(3).interval_days(2))
        .display_info(
            DisplayInfo::builder()
                .name("指定商品立减15(可用3次)")
                .image_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx")
                .background_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx")
                .detail_image_url_list(["https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx"])
                .original_price(9900)
                .combo_package_list([ComboPackage::builder().name("套餐A").pick_count(2).choice_list([
                    ComboPackageChoice::builder()
                        .name("鸡腿饭")
                        .price(2000)
                        .count(1)
                        .image_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/chicken"),
                    ComboPackageChoice::builder()
                        .name("牛肉饭")
                        .price(2500)
                        .count(1)
                        .image_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/beef"),
                ])]),
        )
        .stock_bundle(
            StockBundle::builder()
                .remark("指定商品立减15批次")
                .coupon_code_mode(CouponCodeMode::Wechatpay)
                .stock_send_rule(StockSendRule::builder().max_count(10_000_000).max_count_per_user(1))
                .progressive_bundle_usage_rule(
                    ProgressiveBundleUsageRule::builder()
                        .coupon_available_period(
                            CouponAvailablePeriod::builder()
                                .available_begin_time("2025-08-01T00:00:00+08:00")
                                .available_end_time("2025-08-31T23:59:59+08:00")
                                .available_days(30)
                                .weekly_available_period(WeeklyAvailablePeriod::builder().day_list([
                                    WeekDay::Monday,
                                    WeekDay::Tuesday,
                                    WeekDay::Wednesday,
                                    WeekDay::Thursday,
                                    WeekDay::Friday,
                                ])),
                        )
                        .normal_coupon(NormalCouponUsageRule::builder().threshold(0).discount_amount(1500)),
                )
                .usage_rule_display_info(
                    UsageRuleDisplayInfo::builder()
                        .coupon_usage_method_list([
                            CouponUsageMethod::Offline,
                            CouponUsageMethod::MiniProgram,
                            CouponUsageMethod::PaymentCode,
                        ])
                        .mini_program_appid("wx1234567890")
                        .mini_program_path("/pages/index/product")
                        .usage_description("指定商品可用,立减15元")
                        .coupon_available_store_info(
                            CouponAvailableStoreInfo::builder()
                                .description("所有门店可用,可使用小程序查看门店列表")
                                .mini_program_appid("wx1234567890")
                                .mini_program_path("/pages/index/store-list"),
                        ),
                )
                .coupon_display_info(
                    CouponDisplayInfo::builder()
                        .code_display_mode(CodeDisplayMode::Qrcode)
                        .background_color(BackgroundColor::Color010)
                        .entrance_mini_program(
                            EntranceMiniProgram::builder()
                                .appid("wx1234567890")
                                .path("/pages/index/product")
                                .entrance_wording("欢迎选购")
                                .guidance_wording("获取更多优惠"),
                        )
                        .entrance_official_account(EntranceOfficialAccount::builder().appid("wx1234567890"))
                        .entrance_finder(
                            EntranceFinder::builder()
                                .finder_id("gh_12345678")
                                .finder_video_id("UDFsdf24df34dD456Hdf34")
                                .finder_video_cover_image_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx"),
                        ),
                )
                .store_scope(StoreScope::None)
                .notify_config(NotifyConfig::builder().notify_appid("wx4fd12345678")),
        )
}

fn doc_json() -> serde_json::Value {
    serde_json::from_str(include_str!("fixtures/create_product_coupon.request.1.json")).unwrap()
}

fn paths(v: &wechatpay_product_coupon::Violations) -> Vec<&str> {
    v.iter().map(|v| v.path.as_str()).collect()
}

#[test]
fn builders_reproduce_the_doc_example_request_exactly() {
    let request = doc_example_request().build().expect("every required field is set");
    assert_eq!(serde_json::to_value(&request).unwrap(), doc_json());
}

#[test]
fn the_doc_example_with_both_price_forms_is_valid() {
    // The example page sends original_price and combo_package_list together, as every official
    // SDK example of a SINGLE-scope coupon does; the rule is "at least one of" (issue #8).
    let request = doc_example_request().build().unwrap();
    request.validate().unwrap();
}

#[test]
fn a_request_with_one_price_form_is_valid() {
    let mut request = doc_example_request().build().unwrap();
    request.display_info.combo_package_list = None;
    request.validate().unwrap();
}

#[test]
fn missing_required_fields_are_all_named_by_json_path() {
    let err: BuildError = CreateProductCouponRequest::builder()
        .out_request_no("MANY_SINGLE_NORMAL_20250101_004")
        .scope(ProductCouponScope::Single)
        .type_(ProductCouponType::Normal)
        .usage_mode(UsageMode::ProgressiveBundle)
        .display_info(DisplayInfo::builder().name("指定商品立减15"))
        .stock_bundle(
            StockBundle::builder()
                .coupon_code_mode(CouponCodeMode::Wechatpay)
                .stock_send_rule(StockSendRule::builder().max_count(10)),
        )
        .build()
        .unwrap_err();
    assert_eq!(
        err.missing,
        [
            "brand_id",
            "display_info.image_url",
            "display_info.background_url",
            "stock_bundle.stock_send_rule.max_count_per_user",
            "stock_bundle.usage_rule_display_info",
            "stock_bundle.coupon_display_info",
            "stock_bundle.store_scope",
            "stock_bundle.notify_config",
        ]
    );
}

#[test]
fn missing_fields_inside_list_items_carry_their_index() {
    let err = DisplayInfo::builder()
        .name("套餐券")
        .image_url("https://wxpaylogo.qpic.cn/a")
        .background_url("https://wxpaylogo.qpic.cn/b")
        .combo_package_list([ComboPackage::builder().name("套餐A").pick_count(1).choice_list([
            ComboPackageChoice::builder().name("鸡腿饭").price(2000).count(1),
            ComboPackageChoice::builder().name("牛肉饭").count(1),
        ])])
        .build()
        .unwrap_err();
    assert_eq!(err.missing, ["combo_package_list[0].choice_list[1].price"]);
}

#[test]
fn constraints_and_rules_report_every_violation_with_its_path() {
    let mut request = doc_example_request().build().unwrap();
    request.out_request_no = "abc".into(); // shorter than 6
    request.display_info.combo_package_list = None;
    request.progressive_bundle_usage_info.as_mut().unwrap().count = 2; // below 3
    let bundle = request.stock_bundle.as_mut().unwrap();
    bundle.usage_rule_display_info.mini_program_path = None; // MINI_PROGRAM needs it
    bundle.coupon_display_info.entrance_mini_program.as_mut().unwrap().entrance_wording = "欢迎选购更多商品".into();
    request.type_ = ProductCouponType::Exchange; // stays SINGLE scope: allowed, but needs an exchange rule
    let violations = request.validate().unwrap_err();
    let mut got = paths(&violations);
    got.sort_unstable();
    assert_eq!(
        got,
        [
            "out_request_no",
            "progressive_bundle_usage_info.count",
            "stock_bundle.coupon_display_info.entrance_mini_program.entrance_wording",
            "stock_bundle.progressive_bundle_usage_rule.exchange_coupon",
            "stock_bundle.usage_rule_display_info.mini_program_path",
        ],
        "{violations}"
    );
    use wechatpay_product_coupon::ViolationKind::{Constraint, Rule};
    let kind_of = |path: &str| violations.iter().find(|v| v.path == path).map(|v| v.kind);
    assert_eq!(kind_of("out_request_no"), Some(Constraint), "a field's own length");
    assert_eq!(kind_of("stock_bundle.usage_rule_display_info.mini_program_path"), Some(Rule), "MINI_PROGRAM needs it");
}

#[test]
fn exchange_coupons_are_single_scope_only() {
    let mut request = doc_example_request().build().unwrap();
    request.display_info.combo_package_list = None;
    request.scope = ProductCouponScope::All;
    request.type_ = ProductCouponType::Exchange;
    let violations = request.validate().unwrap_err();
    assert!(violations.iter().any(|v| v.path == "scope" && v.message.contains("SINGLE")), "{violations}");
}

#[test]
fn progressive_bundle_mode_requires_its_bundle_and_forbids_single_mode_fields() {
    let mut request = doc_example_request().build().unwrap();
    request.display_info.combo_package_list = None;
    request.stock_bundle = None;
    request.progressive_bundle_usage_info = None;
    let violations = request.validate().unwrap_err();
    let got = paths(&violations);
    assert!(got.contains(&"stock_bundle") && got.contains(&"progressive_bundle_usage_info"), "{violations}");
}

#[test]
fn unknown_enum_values_survive_a_response_but_fail_request_validation() {
    let mut request = doc_example_request().build().unwrap();
    request.display_info.combo_package_list = None;
    request.scope = ProductCouponScope::from("CATEGORY");
    assert_eq!(serde_json::to_value(&request.scope).unwrap(), "CATEGORY");
    let violations = request.validate().unwrap_err();
    assert!(violations.iter().any(|v| v.path == "scope" && v.message.contains("not a documented value")));
}

#[test]
fn a_built_value_can_be_edited_through_its_builder() {
    let request = doc_example_request().build().unwrap();
    let again = CreateProductCouponRequestBuilder::from(request.clone()).out_request_no("OTHER_NO_1").build().unwrap();
    assert_eq!(again.out_request_no, "OTHER_NO_1");
    assert_eq!(again.display_info, request.display_info);
}
