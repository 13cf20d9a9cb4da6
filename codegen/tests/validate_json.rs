//! The JSON interpreter `cargo xtask check` holds request examples to, run on the real spec:
//! the same verdicts as the generated validation gives in
//! `generated-client/tests/single_scope.rs` (compound rules, the SINGLE-scope price rule).

use codegen::validate_json::{JsonViolation, Schema};
use serde_json::{Value, json};
use std::collections::HashMap;

fn check(request: &Value) -> Vec<JsonViolation> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec");
    let ir = codegen::load_ir(&dir).unwrap_or_else(|d| panic!("the real spec is valid:\n{d}"));
    let enum_values: HashMap<String, Vec<String>> =
        ir.enums.values().map(|e| (e.name.clone(), e.values.iter().map(|v| v.wire.clone()).collect())).collect();
    Schema { models: &ir.models, enum_values: &enum_values }.check(request, "CreateProductCouponRequest")
}

fn single_mode(scope: &str, ty: &str, display: Value) -> Value {
    json!({
        "out_request_no": "SINGLE_SCOPE_20250101_001",
        "brand_id": "120344",
        "scope": scope,
        "type": ty,
        "usage_mode": "SINGLE",
        "display_info": display,
        "stock": {
            "coupon_code_mode": "WECHATPAY",
            "stock_send_rule": {"max_count": 10000, "max_count_per_user": 1},
            "single_usage_rule": {"coupon_available_period": {
                "available_begin_time": "2025-08-01T00:00:00+08:00",
                "available_end_time": "2025-08-31T23:59:59+08:00"}},
            "usage_rule_display_info": {"coupon_usage_method_list": ["OFFLINE"], "usage_description": "可用"},
            "coupon_display_info": {"code_display_mode": "QRCODE"},
            "notify_config": {},
            "store_scope": "NONE",
        },
    })
}

fn display(original_price: bool, combo: bool) -> Value {
    let mut d = json!({"name": "指定商品立减15", "image_url": "https://a/1", "background_url": "https://a/2"});
    if original_price {
        d["original_price"] = json!(9900);
    }
    if combo {
        d["combo_package_list"] =
            json!([{"name": "套餐A", "pick_count": 1, "choice_list": [{"name": "饭", "price": 1, "count": 1}]}]);
    }
    d
}

fn paths(v: &[JsonViolation]) -> Vec<&str> {
    v.iter().map(|v| v.path.as_str()).collect()
}

#[test]
fn single_scope_accepts_both_prices_and_each_alone() {
    for (original_price, combo) in [(true, true), (true, false), (false, true)] {
        let v = check(&single_mode("SINGLE", "EXCHANGE", display(original_price, combo)));
        assert!(v.is_empty(), "prices ({original_price}, {combo}): {v:?}");
    }
    let v = check(&single_mode("SINGLE", "NORMAL", display(false, false)));
    assert_eq!(paths(&v), ["display_info.original_price"], "{v:?}");
    assert!(v[0].message.starts_with("at least one of"), "{v:?}");
}

#[test]
fn the_compound_rule_refuses_an_all_scope_single_request_without_a_rule() {
    let v = check(&single_mode("ALL", "NORMAL", display(false, false)));
    assert_eq!(paths(&v), ["single_usage_info"], "{v:?}");
    assert!(v[0].rule.as_deref().is_some_and(|r| r.contains("single_usage_info 必填")), "{v:?}");

    let mut with_rule = single_mode("ALL", "DISCOUNT", display(false, false));
    with_rule["single_usage_info"] = json!({"normal_coupon": {"threshold": 0, "discount_amount": 1}});
    let v = check(&with_rule);
    assert_eq!(paths(&v), ["single_usage_info.discount_coupon"], "{v:?}");
}

#[test]
fn constraints_and_shapes_are_checked_like_deserialization_and_validation() {
    let mut r = single_mode("SINGLE", "NORMAL", display(true, false));
    r["out_request_no"] = json!("x!");
    r["display_info"]["original_price"] = json!("9900");
    r["usage_mode"] = json!("SOMETIMES");
    let v = check(&r);
    assert_eq!(paths(&v), ["out_request_no", "out_request_no", "usage_mode", "display_info.original_price"], "{v:?}");
}
