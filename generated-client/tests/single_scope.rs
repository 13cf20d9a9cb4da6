//! Issue #8: never refuse what WeChat Pay accepts. Every documented shape of a SINGLE-scope
//! (单品券) create request passes validation: 满减, 折扣 and 兑换, in single and 多次优惠 mode, with
//! both price forms (as the doc page and the official SDK examples send them) and with each one
//! alone. And the compound rule (scope = ALL and usage_mode = SINGLE needs single_usage_info)
//! refuses a create request with no discount rule at all, naming its JSON path.

use serde_json::{Value, json};
use wechatpay_product_coupon::models::CreateProductCouponRequest;
use wechatpay_product_coupon::{Validate, ViolationKind, Violations};

const TYPES: [&str; 3] = ["NORMAL", "DISCOUNT", "EXCHANGE"];
const MODES: [&str; 2] = ["SINGLE", "PROGRESSIVE_BUNDLE"];

/// Which price forms `display_info` carries.
#[derive(Debug, Clone, Copy)]
enum Prices {
    Both,
    OriginalPriceOnly,
    ComboPackagesOnly,
    Neither,
}

const ACCEPTED_PRICES: [Prices; 3] = [Prices::Both, Prices::OriginalPriceOnly, Prices::ComboPackagesOnly];

/// The coupon rule of a type: its field name and a value.
fn coupon_rule(ty: &str) -> (&'static str, Value) {
    match ty {
        "NORMAL" => ("normal_coupon", json!({"threshold": 0, "discount_amount": 1500})),
        "DISCOUNT" => ("discount_coupon", json!({"threshold": 10000, "percent_off": 20})),
        _ => ("exchange_coupon", json!({"threshold": 0, "exchange_price": 100})),
    }
}

fn display_info(prices: Prices) -> Value {
    let mut d = json!({
        "name": "指定商品立减15",
        "image_url": "https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx",
        "background_url": "https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx",
    });
    if matches!(prices, Prices::Both | Prices::OriginalPriceOnly) {
        d["original_price"] = json!(9900);
    }
    if matches!(prices, Prices::Both | Prices::ComboPackagesOnly) {
        d["combo_package_list"] = json!([{
            "name": "套餐A",
            "pick_count": 1,
            "choice_list": [{"name": "鸡腿饭", "price": 2000, "count": 1}],
        }]);
    }
    d
}

/// What a stock and a stock bundle share.
fn batch_common() -> Value {
    json!({
        "coupon_code_mode": "WECHATPAY",
        "stock_send_rule": {"max_count": 10000, "max_count_per_user": 1},
        "usage_rule_display_info": {"coupon_usage_method_list": ["OFFLINE"], "usage_description": "指定商品可用"},
        "coupon_display_info": {"code_display_mode": "QRCODE"},
        "notify_config": {"notify_appid": "wx4fd12345678"},
        "store_scope": "NONE",
    })
}

fn period() -> Value {
    json!({"available_begin_time": "2025-08-01T00:00:00+08:00", "available_end_time": "2025-08-31T23:59:59+08:00"})
}

/// A create request of `scope`, `ty` and `mode`, with its coupon rule where the official SDK
/// examples put it: a single-mode stock's single_usage_rule, or the bundle's usage rule.
fn request(scope: &str, ty: &str, mode: &str, prices: Prices) -> Value {
    let (rule_field, rule) = coupon_rule(ty);
    let mut r = json!({
        "out_request_no": "SINGLE_SCOPE_20250101_001",
        "brand_id": "120344",
        "scope": scope,
        "type": ty,
        "usage_mode": mode,
        "display_info": display_info(prices),
    });
    let mut batch = batch_common();
    if mode == "SINGLE" {
        batch["single_usage_rule"] = json!({"coupon_available_period": period(), rule_field: rule});
        r["stock"] = batch;
    } else {
        r["progressive_bundle_usage_info"] = json!({"count": 3});
        batch["progressive_bundle_usage_rule"] = json!({"coupon_available_period": period(), rule_field: rule});
        r["stock_bundle"] = batch;
    }
    r
}

fn validate(request: &Value) -> Result<(), Violations> {
    let typed: CreateProductCouponRequest =
        serde_json::from_value(request.clone()).unwrap_or_else(|e| panic!("the test request decodes: {e}"));
    typed.validate()
}

#[test]
fn every_documented_single_scope_shape_is_accepted() {
    for ty in TYPES {
        for mode in MODES {
            for prices in ACCEPTED_PRICES {
                let r = request("SINGLE", ty, mode, prices);
                if let Err(v) = validate(&r) {
                    panic!("单品券 type={ty} usage_mode={mode} prices={prices:?} was refused: {v}");
                }
            }
        }
    }
}

#[test]
fn a_single_scope_coupon_without_any_price_is_refused_at_original_price() {
    for ty in TYPES {
        for mode in MODES {
            let violations = validate(&request("SINGLE", ty, mode, Prices::Neither)).unwrap_err();
            let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
            assert_eq!(paths, ["display_info.original_price"], "type={ty} mode={mode}: {violations}");
            assert!(violations.0[0].message.starts_with("at least one of"), "{violations}");
            assert_eq!(violations.0[0].kind, ViolationKind::Rule);
        }
    }
}

#[test]
fn an_all_scope_single_mode_request_with_no_discount_rule_is_refused_at_single_usage_info() {
    // A 全场单券 whose only coupon rule would be single_usage_info, left out: no rule at all.
    let mut r = request("ALL", "NORMAL", "SINGLE", Prices::OriginalPriceOnly);
    r["stock"]["single_usage_rule"] = json!({"coupon_available_period": period()});
    let violations = validate(&r).unwrap_err();
    let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["single_usage_info"], "{violations}");
    let message = &violations.0[0].message;
    assert!(message.contains("when scope = \"ALL\" and usage_mode = \"SINGLE\""), "{message}");
    assert_eq!(violations.0[0].kind, ViolationKind::Rule);
}

#[test]
fn an_all_scope_single_mode_request_needs_the_rule_of_its_type_in_single_usage_info() {
    for (ty, field, rule) in [
        ("NORMAL", "normal_coupon", json!({"threshold": 0, "discount_amount": 500})),
        ("DISCOUNT", "discount_coupon", json!({"threshold": 0, "percent_off": 10})),
    ] {
        let mut r = request("ALL", ty, "SINGLE", Prices::Neither);
        r["single_usage_info"] = json!({});
        let violations = validate(&r).unwrap_err();
        let paths: Vec<String> = violations.iter().map(|v| v.path.clone()).collect();
        assert_eq!(paths, [format!("single_usage_info.{field}")], "{violations}");

        r["single_usage_info"] = json!({ field: rule });
        validate(&r).unwrap_or_else(|v| panic!("全场单券 type={ty} with its rule was refused: {v}"));
    }
}

#[test]
fn the_compound_rule_leaves_other_scopes_and_modes_alone() {
    // scope = SINGLE, or usage_mode = PROGRESSIVE_BUNDLE: the all-of condition does not hold.
    validate(&request("SINGLE", "NORMAL", "SINGLE", Prices::Both)).unwrap();
    validate(&request("ALL", "NORMAL", "PROGRESSIVE_BUNDLE", Prices::Neither)).unwrap();
}

#[test]
fn a_bundle_whose_rule_does_not_match_its_type_is_refused_at_the_missing_rule() {
    // usage_mode = PROGRESSIVE_BUNDLE and type = NORMAL (a compound condition): the bundle needs
    // the 满减 rule; a 折扣 rule alone does not do.
    let mut r = request("SINGLE", "NORMAL", "PROGRESSIVE_BUNDLE", Prices::Both);
    let (field, rule) = coupon_rule("DISCOUNT");
    r["stock_bundle"]["progressive_bundle_usage_rule"] = json!({"coupon_available_period": period(), field: rule});
    let violations = validate(&r).unwrap_err();
    let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["stock_bundle.progressive_bundle_usage_rule.normal_coupon"], "{violations}");
}
