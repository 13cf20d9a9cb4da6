//! Follow-up requests from what the app holds: a builder's `ids_from` takes the ids of a send
//! event or a user coupon, so nothing is copied by hand.

use wechatpay_product_coupon::models::{
    ConfirmUserCouponRequest, ProductCouponSendResource, ReturnUserCouponRequest, UseUserCouponRequest,
};
use wechatpay_product_coupon::runtime::ids::{HoldsIds, IdSet};

fn sent() -> ProductCouponSendResource {
    serde_json::from_value(serde_json::json!({
        "brand_id": "120344",
        "coupon_code": "Code_123456",
        "product_coupon_id": "1000000013",
        "stock_id": "1000000013001",
        "appid": "wx233544546545989",
        "openid": "oAbc_user",
        "valid_begin_time": "2025-01-01T00:00:00+08:00",
        "valid_end_time": "2025-12-31T23:59:59+08:00",
        "receive_time": "2025-01-02T10:00:00+08:00",
        "send_request_no": "SEND_0001",
        "send_channel": "BY_API"
    }))
    .expect("a send event's resource")
}

#[test]
fn a_confirm_request_takes_every_id_of_the_send_event() {
    let event = sent();
    let confirm = ConfirmUserCouponRequest::builder().ids_from(&event).out_request_no("CONFIRM_0001").build().unwrap();
    assert_eq!(confirm.product_coupon_id, event.product_coupon_id);
    assert_eq!(confirm.stock_id, event.stock_id);
    assert_eq!(confirm.appid, event.appid);
    assert_eq!(confirm.brand_id, event.brand_id);
    let json = serde_json::to_value(&confirm).unwrap();
    assert_eq!(json["product_coupon_id"], "1000000013");
    assert_eq!(json["brand_id"], "120344");
}

#[test]
fn ids_set_before_are_kept_and_missing_ones_stay_missing() {
    let event = sent();
    let confirm = ConfirmUserCouponRequest::builder()
        .appid("wxOTHER")
        .ids_from(&event)
        .out_request_no("CONFIRM_0001")
        .build()
        .unwrap();
    assert_eq!(confirm.appid, "wxOTHER", "an id set before ids_from is kept");
    // A source without the ids leaves the request incomplete, and build() says which.
    struct NoIds;
    impl HoldsIds for NoIds {
        fn collect_ids(&self, _ids: &mut IdSet) {}
    }
    let err = ReturnUserCouponRequest::builder().ids_from(&NoIds).out_request_no("R_0001").build().unwrap_err();
    assert!(err.to_string().contains("product_coupon_id"), "{err}");
}

#[test]
fn a_use_request_takes_the_ids_of_the_event_too() {
    let event = sent();
    let ids = event.ids();
    assert_eq!(ids.get("openid"), Some("oAbc_user"));
    assert_eq!(ids.get("coupon_code"), Some("Code_123456"));
    let request = UseUserCouponRequest::builder()
        .ids_from(&event)
        .use_time("2025-01-03T12:00:00+08:00")
        .out_request_no("USE_0001")
        .build()
        .unwrap();
    assert_eq!(request.stock_id, "1000000013001");
}

#[cfg(feature = "brand")]
#[test]
fn a_brand_request_takes_the_ids_but_sends_no_brand_id() {
    use wechatpay_product_coupon::brand::models::ConfirmUserCouponRequest as BrandConfirm;
    let event = sent();
    let confirm = BrandConfirm::builder().ids_from(&event).out_request_no("CONFIRM_0001").build().unwrap();
    let json = serde_json::to_value(&confirm).unwrap();
    assert_eq!(json["product_coupon_id"], "1000000013");
    assert!(json.get("brand_id").is_none(), "{json}");
}
