//! Nothing is lost, on the way out or in: a response field the spec does not know (at the top,
//! inside a nested object, inside a list item) is kept in the model's `unknown_fields`, and a
//! request field the spec does not know is sent as given with a warning, through the generated
//! call function against a loopback server that checks the signature and signs its answer.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use support::*;
use wechatpay_product_coupon::runtime::client::RetryPolicy;
use wechatpay_product_coupon::{Client, Error, Screening, ViolationKind, WarningPolicy, builders::*, models::*};

const REQUEST: &str = include_str!("fixtures/create_stock_bundle.request.1.json");
const RESPONSE: &str = include_str!("fixtures/create_stock_bundle.response.2.json");

fn builder(base_url: &str) -> wechatpay_product_coupon::ClientBuilder {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .base_url(base_url)
        .retry_policy(RetryPolicy::none())
        .attempt_timeout(Duration::from_secs(10))
}

/// The documented response with three fields the spec does not know, at three depths.
fn response_with_new_fields() -> String {
    let mut v: Value = serde_json::from_str(RESPONSE).unwrap();
    v["top_level_new"] = json!({"since": "2026"});
    v["stock_list"][0]["item_new"] = json!("in a list item");
    v["stock_list"][0]["stock_send_rule"]["nested_new"] = json!(7);
    v.to_string()
}

/// A loopback server answering `body`, signed, and keeping the request bodies it was sent.
async fn server(body: String) -> (TestServer, Arc<Mutex<Vec<Vec<u8>>>>) {
    let keys = WechatKeys::load();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    let body: &'static str = Box::leak(body.into_boxed_str());
    let srv = TestServer::start(move |req, _| {
        kept.lock().unwrap().push(req.body.clone());
        match req.check_merchant_signature() {
            Ok(()) => Reply::signed(200, body, &keys.public_key_mode, PUB_KEY_ID),
            Err(e) => Reply::plain(401, &format!(r#"{{"code":"SIGN_ERROR","message":"{e}"}}"#)),
        }
    })
    .await;
    (srv, seen)
}

#[tokio::test]
async fn response_fields_the_spec_does_not_know_are_kept_at_every_depth() {
    let (srv, _) = server(response_with_new_fields()).await;
    let request: CreateStockBundleRequest = serde_json::from_str(REQUEST).unwrap();
    let client = builder(&srv.url()).build().unwrap();
    let bundle = client.create_stock_bundle("200000001", &request).await.unwrap();
    assert_eq!(bundle.unknown_fields.get("top_level_new"), Some(&json!({"since": "2026"})));
    let item = &bundle.stock_list[0];
    assert_eq!(item.unknown_fields.get("item_new"), Some(&json!("in a list item")));
    assert_eq!(item.stock_send_rule.unknown_fields.get("nested_new"), Some(&json!(7)));
    // And the model serializes back to everything WeChat Pay sent.
    let expected: Value = serde_json::from_str(&response_with_new_fields()).unwrap();
    assert_eq!(serde_json::to_value(&bundle).unwrap(), expected);
}

#[tokio::test]
async fn request_fields_the_spec_does_not_know_are_sent_as_given_with_a_warning() {
    let (srv, seen) = server(RESPONSE.to_owned()).await;
    let mut value: Value = serde_json::from_str(REQUEST).unwrap();
    // One period kind only, so the one warning is the unknown field's.
    let period =
        value["stock_bundle"]["progressive_bundle_usage_rule"]["coupon_available_period"].as_object_mut().unwrap();
    period.remove("irregular_available_period_list");
    value["stock_bundle"]["new_flag"] = json!(true);
    let from_json: CreateStockBundleRequest = serde_json::from_value(value.clone()).unwrap();
    // The same through the builder: a field set by name.
    let built = CreateStockBundleRequestBuilder::from(from_json.clone())
        .unknown_field("top_new", json!("set by hand"))
        .build()
        .unwrap();
    let warned = Arc::new(Mutex::new(Vec::new()));
    let sink = warned.clone();
    let client = builder(&srv.url())
        .on_warning(move |op, w| sink.lock().unwrap().push(format!("{op} {} {:?}", w.path, w.kind)))
        .build()
        .unwrap();

    let prepared = client.create_stock_bundle("200000001", &from_json).prepare().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&prepared.body).unwrap(), value, "sent exactly as given");
    let paths: Vec<(&str, ViolationKind)> = prepared.warnings.iter().map(|w| (w.path.as_str(), w.kind)).collect();
    assert_eq!(paths, [("stock_bundle.new_flag", ViolationKind::UnknownField)]);
    assert!(warned.lock().unwrap().is_empty(), "a dry run reports through its value, not the callback");

    client.create_stock_bundle("200000001", &built).await.unwrap();
    let sent: Value = serde_json::from_slice(seen.lock().unwrap().last().unwrap()).unwrap();
    assert_eq!(sent["top_new"], json!("set by hand"));
    assert_eq!(sent["stock_bundle"]["new_flag"], json!(true));
    let mut reported = warned.lock().unwrap().clone();
    reported.sort();
    assert_eq!(
        reported,
        [
            "create_stock_bundle stock_bundle.new_flag UnknownField".to_owned(),
            "create_stock_bundle top_new UnknownField".to_owned(),
        ]
    );
}

#[tokio::test]
async fn a_screening_can_refuse_unknown_fields_and_disputed_rules_or_silence_them() {
    let (srv, seen) = server(RESPONSE.to_owned()).await;
    // The official brand/partner examples' case: both period kinds set together (disputed).
    let mut value: Value = serde_json::from_str(REQUEST).unwrap();
    let period = &mut value["stock_bundle"]["progressive_bundle_usage_rule"]["coupon_available_period"];
    assert!(period.get("weekly_available_period").is_some() && period.get("irregular_available_period_list").is_some());
    value["extra"] = json!(1);
    let request: CreateStockBundleRequest = serde_json::from_value(value).unwrap();

    let default = builder(&srv.url()).build().unwrap();
    let prepared = default.create_stock_bundle("200000001", &request).prepare().unwrap();
    let ids: Vec<Option<&str>> = prepared.warnings.iter().map(|w| w.disputed.map(|d| d.id)).collect();
    assert!(ids.contains(&Some("weekly-and-irregular-periods-together")), "{:?}", prepared.warnings);
    assert!(ids.contains(&None), "the unknown field: {:?}", prepared.warnings);

    let strict = builder(&srv.url())
        .screening(Screening::default().disputed_rules(WarningPolicy::Refuse).unknown_fields(WarningPolicy::Refuse))
        .build()
        .unwrap();
    let sent_before = seen.lock().unwrap().len();
    match strict.create_stock_bundle("200000001", &request).await {
        Err(Error::Validation(v)) => {
            assert!(v.iter().any(|x| x.path == "extra" && x.kind == ViolationKind::UnknownField), "{v}");
            assert!(
                v.iter().any(|x| x.disputed.is_some_and(|d| d.id == "weekly-and-irregular-periods-together")),
                "{v}"
            );
        }
        other => panic!("a strict screening refuses: {other:?}"),
    }
    assert_eq!(seen.lock().unwrap().len(), sent_before, "nothing was sent");

    let quiet = builder(&srv.url())
        .screening(
            Screening::default()
                .disputed_rule("weekly-and-irregular-periods-together", WarningPolicy::Ignore)
                .unknown_fields(WarningPolicy::Ignore),
        )
        .build()
        .unwrap();
    let prepared = quiet.create_stock_bundle("200000001", &request).prepare().unwrap();
    assert!(prepared.warnings.is_empty(), "{:?}", prepared.warnings);
    quiet.create_stock_bundle("200000001", &request).await.unwrap();
}

#[tokio::test]
async fn an_unknown_field_named_like_a_known_one_is_refused_and_per_call_options_keep_the_screening() {
    let (srv, seen) = server(RESPONSE.to_owned()).await;
    let mut value: Value = serde_json::from_str(REQUEST).unwrap();
    let period =
        value["stock_bundle"]["progressive_bundle_usage_rule"]["coupon_available_period"].as_object_mut().unwrap();
    period.remove("irregular_available_period_list");
    let request: CreateStockBundleRequest = serde_json::from_value(value).unwrap();
    // The field's own checks cannot be bypassed (nor the key sent twice) through `unknown_field`.
    let sneaky = CreateStockBundleRequestBuilder::from(request.clone())
        .unknown_field("out_request_no", json!("x".repeat(100)))
        .build()
        .unwrap();
    let client = builder(&srv.url()).build().unwrap();
    match client.create_stock_bundle("200000001", &sneaky).prepare() {
        Err(Error::Validation(v)) => {
            assert!(v.iter().any(|x| x.path == "out_request_no" && x.message.contains("is a field of the spec")), "{v}")
        }
        other => panic!("refused: {other:?}"),
    }

    // A client's screening holds for calls with other per-call options.
    let mut extra = request.clone();
    extra.unknown_fields.insert("extra".into(), json!(1));
    let strict =
        builder(&srv.url()).screening(Screening::default().unknown_fields(WarningPolicy::Refuse)).build().unwrap();
    let per_call = strict.with_options(wechatpay_product_coupon::CallOptions::new().timeout(Duration::from_secs(5)));
    assert!(matches!(per_call.create_stock_bundle("200000001", &extra).await, Err(Error::Validation(_))));
    // ...unless the call sets its own.
    let lenient = strict.with_options(wechatpay_product_coupon::CallOptions::new().screening(Screening::default()));
    lenient.create_stock_bundle("200000001", &extra).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1, "only the lenient call was sent");
}
