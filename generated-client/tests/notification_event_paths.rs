//! Issue 21, point 5: one name per thing. The obvious import,
//! `wechatpay_product_coupon::notify::NotificationEvent`, is the family's event enum (it used to
//! be the core's trait, and matching on it gave E0782); the crate root has the same enum, and the
//! core's trait is `notify::DecodeEvent`. This file compiling is most of the test.

use wechatpay_product_coupon::notify::NotificationEvent;

fn describe(event: &NotificationEvent) -> String {
    match event {
        NotificationEvent::ProductCouponSend(sent) => format!("sent {}", sent.coupon_code),
        NotificationEvent::ImageGeneration(_) => "image".to_owned(),
        NotificationEvent::Other { event_type, .. } => format!("other {event_type}"),
        _ => "a variant added later".to_owned(),
    }
}

/// Compiles only when `E` is what a notification decodes into.
fn decodes<E: wechatpay_product_coupon::notify::DecodeEvent>() {}

#[test]
fn the_obvious_import_is_the_event_enum_and_matches() {
    let resource = serde_json::json!({
        "brand_id": "120344",
        "coupon_code": "123446565767",
        "product_coupon_id": "200000001",
        "stock_id": "100232301",
        "appid": "wx233544546545989",
        "openid": "oh-394z-6CGkNoJrsDLTTUKiAnp4",
        "valid_begin_time": "2025-01-01T00:00:00+08:00",
        "valid_end_time": "2025-01-31T23:59:59+08:00",
        "receive_time": "2025-01-01T10:00:00+08:00",
        "send_request_no": "SEND_20250101_0001",
        "send_channel": "API"
    });
    let sent = NotificationEvent::decode("PRODUCT_COUPON_SP.SEND", resource).unwrap();
    assert_eq!(describe(&sent), "sent 123446565767");
    let other = NotificationEvent::decode("SOMETHING.NEW", serde_json::json!({})).unwrap();
    assert_eq!(describe(&other), "other SOMETHING.NEW");

    // The same type at every path it is offered at.
    let at_root: wechatpay_product_coupon::NotificationEvent = sent;
    let _generated: wechatpay_product_coupon::generated::notifications::NotificationEvent = at_root;
    let _typed: Option<wechatpay_product_coupon::notify::Notification> =
        None::<wechatpay_product_coupon::runtime::notify::Notification<NotificationEvent>>;
    decodes::<NotificationEvent>();
    decodes::<serde_json::Value>();
}

#[cfg(feature = "brand")]
#[test]
fn the_brand_familys_enum_is_under_its_module() {
    use wechatpay_product_coupon::brand::notify::NotificationEvent as BrandEvent;
    let event = BrandEvent::decode("SOMETHING.NEW", serde_json::json!({"a": 1})).unwrap();
    let BrandEvent::Other { event_type, .. } = &event else { panic!("{event:?}") };
    assert_eq!(event_type, "SOMETHING.NEW");
    let at_module: wechatpay_product_coupon::brand::NotificationEvent = event;
    let _generated: wechatpay_product_coupon::brand::notifications::NotificationEvent = at_module;
    decodes::<BrandEvent>();
}
