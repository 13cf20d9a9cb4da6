//! Typed ids: plain strings on the wire, a type each in Rust, text accepted wherever an id is.

use wechatpay_product_coupon::ids::{AppId, BrandId, OpenId, ProductCouponId, StockId};
use wechatpay_product_coupon::models::SendCouponRequest;
use wechatpay_product_coupon::runtime::ids::IdArg;

#[test]
fn an_id_is_its_string_in_json_both_ways() {
    let id = ProductCouponId::from("1000000013");
    assert_eq!(serde_json::to_string(&id).unwrap(), r#""1000000013""#);
    let back: ProductCouponId = serde_json::from_str(r#""1000000013""#).unwrap();
    assert_eq!(back, id);
    // Compared with text in either order, shown as the text.
    assert_eq!(back, "1000000013");
    assert_eq!("1000000013", back);
    assert_eq!(back.to_string(), "1000000013");
    assert_eq!(format!("{back:?}"), r#""1000000013""#);
    assert_eq!(back.len(), 10, "reads as a &str");
    assert_eq!(String::from(back), "1000000013");
}

#[test]
fn setters_take_text_or_the_id_and_models_hold_the_id() {
    let stock = StockId::from("1000000013001");
    let request = SendCouponRequest::builder()
        .product_coupon_id("1000000013")
        .stock_id(&stock)
        .appid(AppId::new("wx233544546545989"))
        .send_request_no(String::from("SEND_0001"))
        .brand_id("120344")
        .build()
        .unwrap();
    let same: &StockId = &request.stock_id;
    assert_eq!(same, &stock);
    assert_eq!(request.brand_id, BrandId::from("120344"));
    let json = serde_json::to_value(&request).unwrap();
    assert_eq!(json["stock_id"], "1000000013001");
    assert_eq!(json["appid"], "wx233544546545989");
}

#[test]
fn a_response_decodes_its_ids_and_keeps_their_text() {
    let text = r#"{"product_coupon_id":"1000000013","brand_id":"120344","state":"EFFECTIVE"}"#;
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    // Decoding only the id fields (the rest of the model is not the point here).
    let id: ProductCouponId = serde_json::from_value(value["product_coupon_id"].clone()).unwrap();
    assert_eq!(id.as_str(), "1000000013");
}

#[test]
fn an_argument_is_the_id_itself_or_text() {
    fn text<'a>(id: impl IdArg<'a, OpenId>) -> &'a str {
        id.id_str()
    }
    let openid = OpenId::from("o-user");
    let owned = String::from("o-other");
    assert_eq!(text(&openid), "o-user");
    assert_eq!(text("o-text"), "o-text");
    assert_eq!(text(&owned), "o-other");
}
