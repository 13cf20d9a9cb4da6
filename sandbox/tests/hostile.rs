//! Hostile input never takes the sandbox down: numbers that overflow, that are out of range or
//! are no numbers at all get a 400 naming the problem, a request that panics while holding the
//! state (a bug, injected with the `panic` fault) gets a 500, and after each of them the
//! sandbox still serves API and admin requests.
//!
//! Everything here is a loopback request and its answer: nothing waits or measures time.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use wechatpay_product_coupon::ApiErrorExt as _;
use wechatpay_product_coupon::ErrorCode;
use wechatpay_sandbox::{RunningSandbox, demo};

/// POSTs `body` to `/sandbox/clock`: (status, JSON answer).
async fn post_clock(sandbox: &RunningSandbox, body: &str) -> (u16, Value) {
    let url = format!("{}/sandbox/clock", sandbox.base_url());
    let resp = reqwest::Client::new().post(url).body(body.to_owned()).send().await.expect("an answer");
    let status = resp.status().as_u16();
    let json = serde_json::from_slice(&resp.bytes().await.unwrap()).expect("a JSON answer");
    (status, json)
}

/// The sandbox still answers an API request (a signed create, verified by the client) and an
/// admin request.
async fn still_serving(sandbox: &RunningSandbox, number: &str) {
    let created = client(sandbox).create_product_coupon(&demo::product_coupon_request(number)).await;
    assert!(created.is_ok(), "the API still serves: {created:?}");
    let state = get_json(&format!("{}/sandbox/state", sandbox.base_url())).await;
    assert!(state["product_coupons"].as_array().is_some_and(|c| !c.is_empty()), "{state}");
}

#[tokio::test]
async fn clock_overflow_is_400_and_the_sandbox_keeps_serving() {
    let sandbox = family_sandbox().await;
    let before = get_json(&format!("{}/sandbox/clock", sandbox.base_url())).await["offset_seconds"].clone();
    let bad = [
        (r#"{"advance_seconds": 9223372036854775807}"#, "advance_seconds"),
        (r#"{"advance_seconds": -9223372036854775808}"#, "advance_seconds"),
        (r#"{"advance_seconds": 9223372036854775808}"#, "advance_seconds"),
        (r#"{"advance_seconds": 1e30}"#, "advance_seconds"),
        (r#"{"advance_seconds": "86400"}"#, "advance_seconds"),
        (r#"{"advance_seconds": null}"#, "exactly one"),
        (r#"{"advance_seconds": 1, "now": "2025-08-05T10:00:00+08:00"}"#, "exactly one"),
        (r#"{"now": "9999-12-31T23:59:59-23:59"}"#, "now"),
        (r#"{"now": "0000-01-01T00:00:00+08:00"}"#, "now"),
        (r#"{"now": "2025-08-04T10:00:00+99:99"}"#, "now"),
        (r#"{"now": 1754272800}"#, "now"),
        (r#"{"jump": 1}"#, "advance_seconds"),
        ("not json", "advance_seconds"),
    ];
    for (body, named) in bad {
        let (status, json) = post_clock(&sandbox, body).await;
        assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")), "{body}: {json}");
        assert!(json["message"].as_str().unwrap().contains(named), "{body}: {json}");
        let clock = get_json(&format!("{}/sandbox/clock", sandbox.base_url())).await;
        assert_eq!(clock["offset_seconds"], before, "{body} left the clock as it was");
        // Twice in a row, as the report had it: the first overflow used to break every later
        // request.
        assert_eq!(post_clock(&sandbox, body).await.0, 400, "{body}");
        still_serving(&sandbox, &format!("CLOCK_{:04}", body.len())).await;
    }

    // The edge of the range is reachable, and the sandbox works there; one step past is not.
    let (status, json) = post_clock(&sandbox, r#"{"now": "9999-12-31T23:00:00+08:00"}"#).await;
    assert_eq!(status, 200, "{json}");
    assert!(json["now"].as_str().unwrap().starts_with("9999-12-31T23:"), "{json}");
    still_serving(&sandbox, "CLOCK_EDGE").await;
    let (status, json) = post_clock(&sandbox, r#"{"advance_seconds": 7200}"#).await;
    assert_eq!(status, 400, "{json}");
    assert!(json["message"].as_str().unwrap().contains("9999-12-31T23:59:59+08:00"), "{json}");
    let (status, json) = post_clock(&sandbox, r#"{"advance_seconds": -86400}"#).await;
    assert_eq!(status, 200, "{json}");
    assert!(json["now"].as_str().unwrap().starts_with("9999-12-30T23:"), "{json}");

    // The Rust API refuses the same way.
    assert!(sandbox.advance_time(Duration::MAX).is_err());
    assert!(sandbox.advance_time(Duration::from_secs(u64::MAX / 2)).is_err());
    assert!(sandbox.set_time("0000-01-01T00:00:00Z").is_err());
    assert!(sandbox.now().starts_with("9999-12-30T23:"), "{}", sandbox.now());
    sandbox.set_time(demo::DEMO_TIME).unwrap();
    still_serving(&sandbox, "CLOCK_BACK").await;
}

/// Sets every field called `name`, however deep, to `value`.
fn set_all(json: &mut Value, name: &str, value: &Value) {
    match json {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == name {
                    *v = value.clone();
                } else {
                    set_all(v, name, value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| set_all(v, name, value)),
        _ => {}
    }
}

const HUGE: [&str; 4] = ["9223372036854775807", "9223372036854775808", "-9223372036854775808", "-1"];

#[tokio::test]
async fn hostile_numbers_on_the_api_are_400_and_the_sandbox_keeps_serving() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let created = client.create_product_coupon(&demo::single_product_coupon_request("HOSTILE_0001")).await.unwrap();
    let (coupon_id, stock_id) = (created.product_coupon_id.clone(), created.stock.unwrap().stock_id);

    // Budgets and limits far out of range, in a create and in a budget update.
    let template = serde_json::to_value(demo::single_product_coupon_request("HOSTILE_0002")).unwrap();
    for field in ["max_count", "max_count_per_user"] {
        assert!(template.to_string().contains(&format!("\"{field}\"")), "the template has {field}");
        for number in HUGE {
            let mut body = template.clone();
            set_all(&mut body, field, &serde_json::from_str(number).unwrap());
            let bytes = serde_json::to_vec(&body).unwrap();
            let (status, _, json) = send(raw(&sandbox, "POST", CREATE_PATH, &bytes, None)).await;
            assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")), "{field} = {number}: {json}");
            assert!(json["message"].as_str().unwrap().contains(field), "{field} = {number}: {json}");
        }
    }
    let budget_path = format!("{CREATE_PATH}/{coupon_id}/stocks/{stock_id}/update-budget");
    for (mode, number) in HUGE.iter().flat_map(|n| [("max_count", n), ("max_count_per_day", n)]) {
        let body = format!(
            r#"{{"out_request_no":"BUDGET_{}","update_mode":"{}","current_{mode}":1000,"target_{mode}":{number},"brand_id":"{BRAND}"}}"#,
            number.len(),
            mode.to_ascii_uppercase()
        );
        let (status, _, json) = send(raw(&sandbox, "POST", &budget_path, body.as_bytes(), None)).await;
        assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")), "target_{mode} = {number}: {json}");
        assert!(json["message"].as_str().unwrap().contains(&format!("target_{mode}")), "{json}");
    }

    // Page sizes and tokens: out of the documented range, not numbers, not a token handed out.
    let list = |query: &str| format!("{CREATE_PATH}/{coupon_id}/stocks?brand_id={BRAND}&{query}");
    let token = |text: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    };
    let mut queries: Vec<String> = HUGE.iter().map(|n| format!("page_size={n}")).collect();
    queries.extend(["page_size=0", "page_size=51", "page_size=1e3", "page_size=ten", "page_size="].map(String::from));
    queries.extend(
        ["!!!", "%00%FF", &token("offset:-1"), &token("offset:99999999999999999999999"), &token("limit:1")]
            .map(|t| format!("page_token={t}")),
    );
    for query in &queries {
        let (status, _, json) = send(raw(&sandbox, "GET", &list(query), b"", None)).await;
        assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")), "{query}: {json}");
        assert!(json["message"].as_str().unwrap().contains("page_"), "{query}: {json}");
    }
    // A well-formed token far past the end is an empty last page, not an out-of-range slice.
    let (status, _, json) = send(raw(
        &sandbox,
        "GET",
        &list(&format!("page_token={}", token(&format!("offset:{}", usize::MAX)))),
        b"",
        None,
    ))
    .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["stock_list"].as_array().map(Vec::len), Some(0), "{json}");
    // No maximum is documented for the user-coupon list: the largest page size is served.
    let users = format!("/v3/marketing/partner/product-coupon/users/{OPENID}/coupons?brand_id={BRAND}&appid={APPID}");
    let (status, _, json) = send(raw(&sandbox, "GET", &format!("{users}&page_size={}", i64::MAX), b"", None)).await;
    assert_eq!(status, 200, "{json}");

    still_serving(&sandbox, "HOSTILE_0003").await;
    let listed = client.list_stocks(&coupon_id, BRAND).page_size(50).await;
    assert!(listed.is_ok(), "{listed:?}");
}

#[tokio::test]
async fn a_request_that_panics_is_a_500_and_the_sandbox_goes_on() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let body = serde_json::to_vec(&demo::product_coupon_request("PANIC_0001")).unwrap();
    let (status, headers, json) =
        send(raw(&sandbox, "POST", CREATE_PATH, &body, None).header("X-Sandbox-Fault", "panic")).await;
    assert_eq!((status, json["code"].as_str()), (500, Some("SYSTEM_ERROR")), "{json}");
    assert!(headers.contains_key("wechatpay-signature"), "signed like every /v3 answer");
    assert!(sandbox.product_coupons().is_empty(), "not handled");

    // Through the client: a verified SYSTEM_ERROR, and the connection and server go on.
    sandbox.faults().inject(wechatpay_sandbox::FaultAction::Panic, 1);
    let e = api_error(client.create_product_coupon(&demo::product_coupon_request("PANIC_0001")).await);
    assert_eq!((e.status, &e.error_code()), (500, &ErrorCode::SystemError));
    assert!(sandbox.product_coupons().is_empty());

    // The state lock the panic poisoned still serves, and the number is free.
    let created = client.create_product_coupon(&demo::product_coupon_request("PANIC_0001")).await.unwrap();
    assert_eq!(sandbox.product_coupons().len(), 1);
    assert_eq!(sandbox.product_coupon(&created.product_coupon_id).map(|c| c.stocks.len()), Some(0));
    still_serving(&sandbox, "PANIC_0002").await;
}
