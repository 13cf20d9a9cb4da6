//! Hostile input never takes the sandbox down: numbers that overflow, that are out of range or
//! are no numbers at all get a 400 naming the problem, a request that panics while holding the
//! state (a bug, injected with the `panic` fault) gets a 500, and after each of them the
//! sandbox still serves API and admin requests.
//!
//! Then the attacks of issue 19, each replayed against a real sandbox on loopback and refused,
//! the sandbox serving a signed call afterwards: notify URLs aimed at the sandbox itself, its
//! admin endpoints or (from a sandbox on the network) this machine; admin requests a web page
//! could send (a text/plain POST, an `Origin`, a foreign `Host`); connections that send their
//! headers slowly or nothing at all; multipart forms of many parts or too large, refused
//! before the signature is checked; bodies to unknown paths, answered without being read; a
//! signed request sent twice, in both schemes; the committed dev keys on a network address.
//!
//! Everything here is a loopback request and its answer: nothing measures time. Where the
//! sandbox must close a connection, the test reads until it does, a generous timeout guarding
//! only against a hang; asynchronous deliveries are awaited by polling their status.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use wechatpay_product_coupon::ApiErrorExt as _;
use wechatpay_product_coupon::ErrorCode;
use wechatpay_product_coupon::ids::{ProductCouponId, StockId};
use wechatpay_product_coupon::models::{SendCouponRequest, SetNotifyConfigRequest};
use wechatpay_sandbox::{DeliveryStatus, RunningSandbox, Sandbox, SandboxKeys, demo};

/// POSTs `body` to `/sandbox/clock`: (status, JSON answer).
async fn post_clock(sandbox: &RunningSandbox, body: &str) -> (u16, Value) {
    let url = format!("{}/sandbox/clock", sandbox.base_url());
    let resp = admin(reqwest::Method::POST, &url).body(body.to_owned()).send().await.expect("an answer");
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

// ---- issue 19: the attacks of the review ----

/// Generous: only a guard against a hang, never a measure.
const HANG_GUARD: Duration = Duration::from_secs(30);

/// Reads from `stream` until the peer closes the connection (EOF or a reset): what was read.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(HANG_GUARD, async {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the sandbox did not close the connection: {}", String::from_utf8_lossy(&answer));
    answer
}

/// Sends `head` (and `body`) as raw HTTP/1.1 on a new connection, then reads the answer until
/// the sandbox closes the connection: (status, the answer's JSON body).
async fn raw_http(addr: SocketAddr, head: &str, body: &[u8]) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    // The sandbox may answer and close before taking all of it: that is the point of some tests.
    let _ = stream.write_all(body).await;
    let answer = read_until_closed(&mut stream).await;
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status: {text}"));
    let json = text.split_once("\r\n\r\n").and_then(|(_, b)| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
    (status, json)
}

/// A request head with `Connection: close`; `host` as given, then `headers`.
fn head(method: &str, target: &str, host: &str, headers: &[(&str, &str)]) -> String {
    let mut text = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text
}

fn host(sandbox: &RunningSandbox) -> String {
    sandbox.addr().to_string()
}

async fn single_coupon(client: &wechatpay_product_coupon::Client, number: &str) -> (ProductCouponId, StockId) {
    let created = client.create_product_coupon(&demo::single_product_coupon_request(number)).await.unwrap();
    (created.product_coupon_id, created.stock.unwrap().stock_id)
}

fn send_request(coupon: &(ProductCouponId, StockId), number: &str) -> SendCouponRequest {
    SendCouponRequest::builder()
        .product_coupon_id(&coupon.0)
        .stock_id(&coupon.1)
        .appid(APPID)
        .send_request_no(number)
        .brand_id(BRAND)
        .build()
        .unwrap()
}

fn notify_config(url: &str) -> SetNotifyConfigRequest {
    SetNotifyConfigRequest::builder().notify_url(url).build().unwrap()
}

#[tokio::test]
async fn notify_urls_never_reach_the_sandbox_itself_or_admin_endpoints() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    let port = sandbox.addr().port();
    let callback = Callback::start(0).await;
    let callback_port = callback.url.split(':').nth(2).unwrap().split('/').next().unwrap().to_owned();
    let refused = [
        (format!("http://127.0.0.1:{port}/wechatpay/notify"), "own listener"),
        (format!("http://localhost:{port}/wechatpay/notify"), "own listener"),
        (format!("http://[::1]:{port}/wechatpay/notify"), "own listener"),
        (format!("https://0.0.0.0:{port}/wechatpay/notify"), "own listener"),
        (format!("https://[::ffff:127.0.0.1]:{port}/wechatpay/notify"), "own listener"),
        (format!("http://127.0.0.1:{port}/sandbox/pre-send-tokens/TOKEN/claim"), "/sandbox/"),
        (format!("http://127.0.0.1:{callback_port}/sandbox/clock"), "/sandbox/"),
        (format!("http://127.0.0.1:{callback_port}/%73andbox/faults"), "/sandbox/"),
        ("https://merchant.example.com/sandbox/faults".to_owned(), "/sandbox/"),
    ];
    for (url, why) in &refused {
        let e = api_error(client.set_notify_config(&notify_config(url)).await);
        assert_eq!((e.status, &e.error_code()), (400, &ErrorCode::InvalidRequest), "{url}: {e:?}");
        assert!(e.message.contains(why), "{url}: {}", e.message);
    }
    let e = api_error(client.get_notify_config().await);
    assert_eq!(e.status, 400, "nothing was set");

    // A loopback callback on another port is what tests and examples use: it still works.
    set_notify_url(&client, &callback.url).await;
    let coupon = single_coupon(&client, "NOTIFY_0001").await;
    client.send_coupon(OPENID, &send_request(&coupon, "NOTIFY_SEND_0001")).await.unwrap();
    assert_eq!(callback.wait_for(1).await.len(), 1);
    still_serving(&sandbox, "NOTIFY_0002").await;
}

/// A notify URL that got into the state some other way (a state file written by another run)
/// is checked again at delivery: the sandbox does not POST to a `/sandbox/...` path.
#[tokio::test]
async fn a_planted_admin_notify_url_is_refused_at_delivery() {
    let dir = temp_dir("planted-notify");
    let state_file = dir.join("state.json");
    // Stands in for another sandbox's admin endpoint: it records whatever reaches it.
    let admin_endpoint = Callback::start(0).await;
    let planted = admin_endpoint.url.replace("/wechatpay/notify", "/sandbox/pre-send-tokens/TOKEN/claim");
    let legit = "https://merchant.example.com/wechatpay/notify";
    {
        let first = Sandbox::builder()
            .start_time(demo::DEMO_TIME)
            .rate_limit(false)
            .state_file(&state_file)
            .start()
            .await
            .unwrap();
        set_notify_url(&client(&first), legit).await;
        first.shutdown().await;
    }
    let text = std::fs::read_to_string(&state_file).unwrap();
    assert!(text.contains(legit), "the state file holds the notify URL");
    std::fs::write(&state_file, text.replace(legit, &planted)).unwrap();

    let sandbox = Sandbox::builder()
        .start_time(demo::DEMO_TIME)
        .rate_limit(false)
        .state_file(&state_file)
        .notify_retry_delays([])
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    assert_eq!(client.get_notify_config().await.unwrap().notify_url, planted.as_str());
    let coupon = single_coupon(&client, "PLANTED_0001").await;
    client.send_coupon(OPENID, &send_request(&coupon, "PLANTED_SEND_0001")).await.unwrap();
    let error = eventually("the delivery to give up", || match &sandbox.notifications().first()?.status {
        DeliveryStatus::Failed { error } => Some(error.clone()),
        _ => None,
    })
    .await;
    assert!(error.contains("refused") && error.contains("/sandbox/"), "{error}");
    assert!(admin_endpoint.received().is_empty(), "nothing was POSTed to the admin path");
    still_serving(&sandbox, "PLANTED_0002").await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_sandbox_on_the_network_refuses_the_dev_keys_and_private_notify_targets_unless_told() {
    let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
    let e = Sandbox::builder().listen(any).start().await.unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
    let message = e.to_string();
    for says in ["dev keys", "--generate-keys", "--allow-dev-keys-on-network", "0.0.0.0:0"] {
        assert!(message.contains(says), "{says}: {message}");
    }

    // Fresh keys are fine on a network; private notify targets are not, without the flag.
    let network = Sandbox::builder()
        .listen(any)
        .keys(SandboxKeys::generate().unwrap())
        .start_time(demo::DEMO_TIME)
        .rate_limit(false)
        .start()
        .await
        .unwrap();
    let local_url = format!("http://127.0.0.1:{}", network.addr().port());
    let client = network
        .client_builder()
        .base_url(&local_url)
        .retry_policy(wechatpay_product_coupon::RetryPolicy::none())
        .client_rate_limit(false)
        .build()
        .unwrap();
    let callback = Callback::start(0).await;
    let by_name = callback.url.replace("127.0.0.1", "localhost");
    for url in [
        callback.url.as_str(),
        by_name.as_str(),
        "https://10.0.0.1/notify",
        "https://192.168.1.1/notify",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/notify",
    ] {
        let e = api_error(client.set_notify_config(&notify_config(url)).await);
        assert_eq!(e.status, 400, "{url}");
        assert!(e.message.contains("--allow-private-notify"), "{url}: {}", e.message);
    }
    client.set_notify_config(&notify_config("https://merchant.example.com/wechatpay/notify")).await.unwrap();
    network.shutdown().await;

    // The dev keys, and loopback callbacks, when asked for: delivered through the resolver.
    let trusted = Sandbox::builder()
        .listen(any)
        .allow_dev_keys_on_network(true)
        .allow_private_notify(true)
        .start_time(demo::DEMO_TIME)
        .rate_limit(false)
        .start()
        .await
        .unwrap();
    let client = trusted
        .client_builder()
        .base_url(format!("http://127.0.0.1:{}", trusted.addr().port()))
        .retry_policy(wechatpay_product_coupon::RetryPolicy::none())
        .client_rate_limit(false)
        .build()
        .unwrap();
    set_notify_url(&client, &by_name).await;
    let coupon = single_coupon(&client, "NETWORK_0001").await;
    client.send_coupon(OPENID, &send_request(&coupon, "NETWORK_SEND_0001")).await.unwrap();
    assert_eq!(callback.wait_for(1).await.len(), 1);
    // Never the sandbox itself, flag or not.
    let own = format!("http://localhost:{}/wechatpay/notify", trusted.addr().port());
    assert!(api_error(client.set_notify_config(&notify_config(&own)).await).message.contains("own listener"));
    let created = client.create_product_coupon(&demo::product_coupon_request("NETWORK_0002")).await;
    assert!(created.is_ok(), "{created:?}");
}

#[tokio::test]
async fn admin_requests_a_web_page_could_send_are_refused() {
    let sandbox = family_sandbox().await;
    let addr = sandbox.addr();
    let host = host(&sandbox);
    let clock_before = sandbox.now();
    let fault = br#"{"fault":"500","count":5}"#;
    let length = fault.len().to_string();
    let cases: Vec<(String, u16, &str)> = vec![
        // A form or fetch without preflight: text/plain, form encoding, no type at all.
        (
            head("POST", "/sandbox/faults", &host, &[("Content-Type", "text/plain"), ("Content-Length", &length)]),
            415,
            "Content-Type",
        ),
        (
            head(
                "POST",
                "/sandbox/faults",
                &host,
                &[("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", &length)],
            ),
            415,
            "Content-Type",
        ),
        (head("POST", "/sandbox/faults", &host, &[("Content-Length", &length)]), 415, "Content-Type"),
        (
            head(
                "POST",
                "/sandbox/pre-send-tokens/TOKEN/claim",
                &host,
                &[("Content-Type", "text/plain"), ("Content-Length", &length)],
            ),
            415,
            "Content-Type",
        ),
        (head("DELETE", "/sandbox/notifications", &host, &[]), 415, "Content-Type"),
        // JSON from a page: it carries an Origin.
        (
            head(
                "POST",
                "/sandbox/faults",
                &host,
                &[
                    ("Content-Type", "application/json"),
                    ("Origin", "https://evil.example"),
                    ("Content-Length", &length),
                ],
            ),
            403,
            "Origin",
        ),
        (
            head(
                "POST",
                "/sandbox/clock",
                &host,
                &[("Content-Type", "application/json"), ("Origin", "null"), ("Content-Length", &length)],
            ),
            403,
            "Origin",
        ),
        // DNS rebinding: the page's own name, pointed at 127.0.0.1.
        (head("GET", "/sandbox/state", &format!("rebind.evil.example:{}", addr.port()), &[]), 403, "DNS rebinding"),
        (head("GET", "/sandbox", "evil.example", &[]), 403, "DNS rebinding"),
        (
            head(
                "POST",
                "/sandbox/faults",
                &format!("evil.example:{}", addr.port()),
                &[("Content-Type", "application/json"), ("Content-Length", &length)],
            ),
            403,
            "DNS rebinding",
        ),
        // An <img> or <script> load from another site.
        (head("GET", "/sandbox/state", &host, &[("Sec-Fetch-Site", "cross-site")]), 403, "Sec-Fetch-Site"),
    ];
    for (request, status, says) in &cases {
        let (got, json) = raw_http(addr, request, fault).await;
        assert_eq!(got, *status, "{request}: {json}");
        assert!(json["message"].as_str().unwrap_or("").contains(says), "{request}: {json}");
    }
    assert!(sandbox.faults().pending().is_empty(), "no fault was queued");
    assert_eq!(sandbox.now().get(..16), clock_before.get(..16), "the clock was not moved");

    // From curl or a test: the same write with its JSON content type goes through.
    let (status, json) = raw_http(
        addr,
        &head(
            "POST",
            "/sandbox/faults",
            "localhost",
            &[("Content-Type", "application/json"), ("Content-Length", &length)],
        ),
        fault,
    )
    .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(sandbox.faults().pending().len(), 1);
    let (status, _) =
        raw_http(addr, &head("DELETE", "/sandbox/faults", &host, &[("Content-Type", "application/json")]), b"").await;
    assert_eq!(status, 200);
    assert!(sandbox.faults().pending().is_empty());
    still_serving(&sandbox, "ADMIN_0001").await;
}

#[tokio::test]
async fn connections_that_send_headers_slowly_or_nothing_are_closed() {
    let sandbox = Sandbox::builder()
        .start_time(demo::DEMO_TIME)
        .rate_limit(false)
        .header_read_timeout(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    // Twenty connections that start a request and never finish its headers.
    let mut slow = Vec::new();
    for i in 0..20 {
        let mut stream = TcpStream::connect(sandbox.addr()).await.unwrap();
        stream.write_all(format!("GET /sandbox HTTP/1.1\r\nHost: localhost\r\nX-Slow-{i}: ").as_bytes()).await.unwrap();
        slow.push(stream);
    }
    // One that sends nothing at all.
    slow.push(TcpStream::connect(sandbox.addr()).await.unwrap());
    for mut stream in slow {
        let answer = read_until_closed(&mut stream).await;
        assert!(!String::from_utf8_lossy(&answer).contains("200 OK"), "no answer to half a request");
    }
    still_serving(&sandbox, "SLOW_0001").await;

    // With a long header timeout, the idle timeout closes a connection that does nothing ...
    let idle = Sandbox::builder()
        .start_time(demo::DEMO_TIME)
        .rate_limit(false)
        .header_read_timeout(Duration::from_secs(3600))
        .idle_timeout(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let mut silent = TcpStream::connect(idle.addr()).await.unwrap();
    read_until_closed(&mut silent).await;
    // ... and one that was answered and then kept open.
    let mut kept = TcpStream::connect(idle.addr()).await.unwrap();
    kept.write_all(b"GET /sandbox/clock HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let answer = read_until_closed(&mut kept).await;
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"), "answered first");
    still_serving(&idle, "IDLE_0001").await;
}

#[tokio::test]
async fn a_body_that_never_arrives_is_408() {
    let sandbox = Sandbox::builder()
        .start_time(demo::DEMO_TIME)
        .rate_limit(false)
        .body_read_timeout(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let body = serde_json::to_vec(&demo::product_coupon_request("BODY_0001")).unwrap();
    let auth = merchant_signer(&sandbox).authorization("POST", CREATE_PATH, &body);
    let length = body.len().to_string();
    let request = head(
        "POST",
        CREATE_PATH,
        &host(&sandbox),
        &[("Authorization", &auth), ("Content-Type", "application/json"), ("Content-Length", &length)],
    );
    let (status, json) = raw_http(sandbox.addr(), &request, &body[..body.len() / 2]).await;
    assert_eq!(status, 408, "{json}");
    assert!(sandbox.product_coupons().is_empty());
    still_serving(&sandbox, "BODY_0002").await;
}

const UPLOAD_PATH: &str = "/v3/marketing/partner/product-coupon/media/upload-image";

#[tokio::test]
async fn multipart_forms_are_bounded_before_the_signature_is_checked() {
    let sandbox = family_sandbox().await;
    let content_type = "multipart/form-data; boundary=abc";
    let part = |name: &str| format!("--abc\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\nx\r\n");
    let form = |parts: Vec<String>| {
        let mut body = parts.concat();
        body.push_str("--abc--\r\n");
        body.into_bytes()
    };
    // The review's form: 164k parts in 8 MiB (here, under the 8 MiB limit). Signed over
    // something else, so a form that got as far as the signature would be a 401.
    let many_files = form((0..100_000).map(|_| part("file")).collect());
    let many_names = form((0..100_000).map(|i| part(&format!("p{i}"))).collect());
    let big_meta = form(vec![format!(
        "--abc\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{}\r\n",
        "a".repeat(65 * 1024)
    )]);
    for (body, says) in [(many_files, "more than once"), (many_names, "unexpected part"), (big_meta, "meta")] {
        let request = as_form(raw(&sandbox, "POST", UPLOAD_PATH, b"{}", None), content_type, body);
        let (status, _, json) = send(request).await;
        assert_eq!((status, json["code"].as_str()), (400, Some("PARAM_ERROR")), "{says}: {json}");
        assert!(json["message"].as_str().unwrap().contains(says), "{says}: {json}");
    }
    // Over 8 MiB: refused from its Content-Length, nothing read.
    let auth = merchant_signer(&sandbox).authorization("POST", UPLOAD_PATH, b"{}");
    let length = (9 * 1024 * 1024).to_string();
    let request = head(
        "POST",
        UPLOAD_PATH,
        &host(&sandbox),
        &[("Authorization", &auth), ("Content-Type", content_type), ("Content-Length", &length)],
    );
    let (status, json) = raw_http(sandbox.addr(), &request, b"--abc\r\n").await;
    assert_eq!(status, 413, "{json}");
    still_serving(&sandbox, "FORM_0001").await;
}

#[tokio::test]
async fn bodies_to_unknown_paths_are_not_read() {
    let sandbox = family_sandbox().await;
    let host = host(&sandbox);
    let eight_mib = (8 * 1024 * 1024).to_string();
    let big = [("Content-Type", "application/json"), ("Content-Length", eight_mib.as_str())];
    // Each announces 8 MiB and sends three bytes: the answer comes without the rest.
    for (method, target, status) in [
        ("POST", "/v3/no/such/operation", 404),
        ("POST", "/brand/marketing/product-coupon/no/such/operation", 404),
        ("PUT", CREATE_PATH, 405),
        ("POST", CREATE_PATH, 401),
        ("POST", "/sandbox/no-such-endpoint", 404),
        ("PUT", "/sandbox/clock", 405),
        ("POST", "/sandbox/clock", 413),
    ] {
        let (got, json) = raw_http(sandbox.addr(), &head(method, target, &host, &big), b"abc").await;
        assert_eq!(got, status, "{method} {target}: {json}");
    }
    still_serving(&sandbox, "UNREAD_0001").await;
}

#[tokio::test]
async fn a_signed_request_sent_twice_is_refused_the_second_time() {
    let sandbox = family_sandbox().await;
    // The partner scheme.
    let body = serde_json::to_vec(&demo::product_coupon_request("REPLAY_0001")).unwrap();
    let first = raw(&sandbox, "POST", CREATE_PATH, &body, None);
    let replay = first.try_clone().unwrap();
    let (status, _, json) = send(first).await;
    assert_eq!(status, 200, "{json}");
    let (status, headers, json) = send(replay).await;
    assert_eq!((status, json["code"].as_str()), (401, Some("SIGN_ERROR")), "{json}");
    assert!(json["message"].as_str().unwrap().contains("already used"), "{json}");
    assert!(headers.contains_key("wechatpay-signature"), "signed like every /v3 answer");
    // A nonce used once, then on another request, properly signed: refused the second time.
    let signer = merchant_signer(&sandbox);
    let (nonce, timestamp) = (wechatpay_product_coupon::runtime::signing::new_nonce(), unix_timestamp_now());
    let get = |target: &str| {
        reqwest::Client::new()
            .get(format!("{}{target}", sandbox.base_url()))
            .header("Authorization", signer.authorization_at("GET", target, b"", timestamp, &nonce))
            .header("Accept", "application/json")
    };
    let (status, _, json) = send(get("/v3/marketing/partner/product-coupon/notify-configs")).await;
    assert_eq!((status, json["code"].as_str()), (400, Some("INVALID_REQUEST")), "the first use is served: {json}");
    let (status, _, json) = send(get("/v3/certificates")).await;
    assert_eq!((status, json["code"].as_str()), (401, Some("SIGN_ERROR")), "{json}");
    assert!(json["message"].as_str().unwrap().contains("already used"), "{json}");

    // The brand scheme.
    let brand_body =
        serde_json::to_vec(&demo::for_brand::<Value>(&demo::product_coupon_request("REPLAY_0002")).unwrap()).unwrap();
    let serial = sandbox.keys().brand_public_key_id.clone();
    let path = "/brand/marketing/product-coupon/product-coupons";
    let first = brand_raw(&sandbox, "POST", path, &brand_body, Some(&serial));
    let replay = first.try_clone().unwrap();
    let (status, _, json) = send(first).await;
    assert_eq!(status, 200, "{json}");
    let (status, _, json) = send(replay).await;
    assert_eq!((status, json["code"].as_str()), (401, Some("SIGN_ERROR")), "{json}");
    assert!(json["message"].as_str().unwrap().contains("already used"), "{json}");

    assert_eq!(sandbox.product_coupons().len(), 2, "one coupon each, none from the replays");
    // The client signs every attempt afresh: its calls, retries included, go through.
    let retrying = retrying_client(&sandbox, 3);
    sandbox.faults().inject(wechatpay_sandbox::FaultAction::SystemError, 1);
    retrying.create_product_coupon(&demo::product_coupon_request("REPLAY_0003")).await.unwrap();
    still_serving(&sandbox, "REPLAY_0004").await;
}

fn unix_timestamp_now() -> i64 {
    wechatpay_product_coupon::runtime::signing::unix_timestamp()
}
