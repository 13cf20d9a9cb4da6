//! Ready-made requests from the seed documents, for demos and downstream tests.
//!
//! * [`product_coupon_request`]: the 【多次优惠-单品-满减券】API请求示例 (场景4) product coupon, as
//!   printed: both `original_price` and `combo_package_list`, which the page's prose calls 二选一
//!   for a 单品券 but which its own example and every official SDK example send together (the
//!   spec requires at least one of them).
//! * [`stock_bundle_request`]: the 添加商品券批次组 example, adapted to a 满减 coupon of `steps`
//!   steps: one `normal_coupon_list` entry per step (the page shows one entry of each rule type)
//!   and the weekly period only (the page shows `weekly_available_period` and
//!   `irregular_available_period_list` together, which are exclusive).

use wechatpay_product_coupon::models::*;

/// The seed document's brand.
pub const BRAND_ID: &str = "120344";

/// A time inside the available periods of the demo stocks (the seed documents' August 2025, a
/// Monday morning), for [`SandboxBuilder::start_time`](crate::SandboxBuilder::start_time): with
/// the business clock there, coupons sent from these stocks can be confirmed and used. With
/// the real clock their periods are over, and sending is refused.
pub const DEMO_TIME: &str = "2025-08-04T10:00:00+08:00";

/// The 场景4 product coupon (多次优惠, 单品, 满减券, 3 steps, 2 days apart), with `out_request_no`.
pub fn product_coupon_request(out_request_no: &str) -> CreateProductCouponRequest {
    CreateProductCouponRequest::builder()
        .out_request_no(out_request_no)
        .brand_id(BRAND_ID)
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
        .build()
        .expect("every required field is set")
}

/// A 单券 (`usage_mode = SINGLE`) 满减 product coupon with its one stock: 满 100 减 15 元.
pub fn single_product_coupon_request(out_request_no: &str) -> CreateProductCouponRequest {
    let period = CouponAvailablePeriod::builder()
        .available_begin_time("2025-08-01T00:00:00+08:00")
        .available_end_time("2025-08-31T23:59:59+08:00");
    CreateProductCouponRequest::builder()
        .out_request_no(out_request_no)
        .brand_id(BRAND_ID)
        .scope(ProductCouponScope::Single)
        .type_(ProductCouponType::Normal)
        .usage_mode(UsageMode::Single)
        .display_info(
            DisplayInfo::builder()
                .name("指定商品满100减15")
                .image_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx")
                .background_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx")
                .original_price(9900),
        )
        .stock(
            Stock::builder()
                .remark("满100减15")
                .coupon_code_mode(CouponCodeMode::Wechatpay)
                .stock_send_rule(StockSendRule::builder().max_count(1000).max_count_per_user(1))
                .single_usage_rule(
                    SingleUsageRule::builder()
                        .coupon_available_period(period)
                        .normal_coupon(NormalCouponUsageRule::builder().threshold(10000).discount_amount(1500)),
                )
                .usage_rule_display_info(
                    UsageRuleDisplayInfo::builder()
                        .coupon_usage_method_list([CouponUsageMethod::Offline])
                        .usage_description("指定商品可用"),
                )
                .coupon_display_info(CouponDisplayInfo::builder().code_display_mode(CodeDisplayMode::Barcode))
                .notify_config(NotifyConfig::builder().notify_appid("wx4fd12345678"))
                .store_scope(StoreScope::All),
        )
        .build()
        .expect("every required field is set")
}

/// The 添加商品券批次组 example for a 满减 coupon of `steps` steps: step *i* takes 100 × (i + 1)
/// 分 off orders of 100 元.
pub fn stock_bundle_request(out_request_no: &str, steps: usize) -> CreateStockBundleRequest {
    let rules: Vec<_> = (0..steps)
        .map(|i| NormalCouponUsageRule::builder().threshold(10000).discount_amount(100 * (i as i64 + 1)))
        .collect();
    CreateStockBundleRequest::builder()
        .out_request_no(out_request_no)
        .brand_id(BRAND_ID)
        .stock_bundle(
            StockBundle::builder()
                .remark("满减券")
                .coupon_code_mode(CouponCodeMode::Upload)
                .stock_send_rule(
                    StockSendRule::builder().max_count(10_000_000).max_count_per_day(10000).max_count_per_user(1),
                )
                .progressive_bundle_usage_rule(
                    ProgressiveBundleUsageRule::builder()
                        .coupon_available_period(
                            CouponAvailablePeriod::builder()
                                .available_begin_time("2025-01-01T00:00:00+08:00")
                                .available_end_time("2025-10-01T00:00:00+08:00")
                                .available_days(10)
                                .wait_days_after_receive(1)
                                .weekly_available_period(
                                    WeeklyAvailablePeriod::builder()
                                        .day_list([WeekDay::Monday])
                                        .day_period_list([DayPeriod::builder().begin_time(60).end_time(86399)]),
                                ),
                        )
                        .normal_coupon_list(rules),
                )
                .usage_rule_display_info(
                    UsageRuleDisplayInfo::builder()
                        .coupon_usage_method_list([CouponUsageMethod::MiniProgram])
                        .mini_program_appid("wx1234567890")
                        .mini_program_path("/pages/index/product")
                        .app_path("https://www.example.com/jump-to-app")
                        .usage_description("全场可用")
                        .coupon_available_store_info(
                            CouponAvailableStoreInfo::builder()
                                .description("可在上海市区的所有门店使用,详细列表参考小程序内信息为准")
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
                .notify_config(NotifyConfig::builder().notify_appid("wx4fd12345678"))
                .store_scope(StoreScope::Specific),
        )
        .build()
        .expect("every required field is set")
}

/// A partner request as the brand family's (品牌直连) request: the same JSON without
/// `brand_id`, which a brand's Authorization header carries instead. For the demo requests
/// above: `demo::for_brand::<brand::models::CreateProductCouponRequest>(&demo::product_coupon_request(".."))?`.
pub fn for_brand<B: serde::de::DeserializeOwned>(partner: &impl serde::Serialize) -> Result<B, serde_json::Error> {
    let mut value = serde_json::to_value(partner)?;
    if let Some(object) = value.as_object_mut() {
        object.remove("brand_id");
    }
    serde_json::from_value(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wechatpay_product_coupon::Validate as _;

    #[test]
    fn demo_requests_pass_the_clients_validation() {
        product_coupon_request("DEMO_0001").validate().unwrap();
        stock_bundle_request("DEMO_0002", 3).validate().unwrap();
        single_product_coupon_request("DEMO_0003").validate().unwrap();
    }
}
