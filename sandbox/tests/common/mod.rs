//! Helpers shared by the sandbox's end-to-end tests.
#![allow(dead_code)]

use std::time::Duration;

use wechatpay_product_coupon::runtime::signing::{RequestSigner, unix_timestamp};
use wechatpay_product_coupon::{ApiError, Client, Error, PrivateKey, RetryPolicy};
use wechatpay_sandbox::{RunningSandbox, Sandbox};

pub const CREATE_PATH: &str = "/v3/marketing/partner/product-coupon/product-coupons";

pub fn bundle_path(product_coupon_id: &str) -> String {
    format!("{CREATE_PATH}/{product_coupon_id}/stock-bundles")
}

pub async fn sandbox() -> RunningSandbox {
    Sandbox::builder().start().await.expect("sandbox starts")
}

/// A client for the sandbox that neither retries nor spaces its own calls.
pub fn client(sandbox: &RunningSandbox) -> Client {
    sandbox.client_builder().retry_policy(RetryPolicy::none()).client_rate_limit(false).build().unwrap()
}

/// A client that retries quickly (up to `attempts` attempts, 10-50 ms apart).
pub fn retrying_client(sandbox: &RunningSandbox, attempts: u32) -> Client {
    let policy = RetryPolicy::attempts(attempts).with_backoff(Duration::from_millis(10), Duration::from_millis(50));
    sandbox.client_builder().retry_policy(policy).client_rate_limit(false).build().unwrap()
}

pub fn api_error<T: std::fmt::Debug>(result: Result<T, Error>) -> Box<ApiError> {
    match result {
        Err(Error::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

pub fn merchant_signer(sandbox: &RunningSandbox) -> RequestSigner {
    let k = sandbox.keys();
    RequestSigner::merchant(&k.mchid, &k.merchant_serial_no, PrivateKey::from_pem(&k.merchant_key_pem).unwrap())
}

/// A raw request signed like the client signs, with `timestamp` (default: now).
pub fn raw(
    sandbox: &RunningSandbox,
    method: &str,
    target: &str,
    body: &[u8],
    timestamp: Option<i64>,
) -> reqwest::RequestBuilder {
    let signer = merchant_signer(sandbox);
    let ts = timestamp.unwrap_or_else(unix_timestamp);
    let auth =
        signer.authorization_at(method, target, body, ts, &wechatpay_product_coupon::runtime::signing::new_nonce());
    let http = reqwest::Client::new();
    let url = format!("{}{target}", sandbox.base_url());
    let mut req = http
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
        .header("Authorization", auth)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json");
    if !body.is_empty() {
        req = req.body(body.to_vec());
    }
    req
}

/// A raw request signed with the brand's scheme, carrying `serial` as `Wechatpay-Serial`.
pub fn brand_raw(
    sandbox: &RunningSandbox,
    method: &str,
    target: &str,
    body: &[u8],
    serial: Option<&str>,
) -> reqwest::RequestBuilder {
    let k = sandbox.keys();
    let signer = RequestSigner::brand(&k.brand_id, &k.brand_serial_no, PrivateKey::from_pem(&k.brand_key_pem).unwrap());
    let auth = signer.authorization_at(
        method,
        target,
        body,
        unix_timestamp(),
        &wechatpay_product_coupon::runtime::signing::new_nonce(),
    );
    let mut req = reqwest::Client::new()
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{}{target}", sandbox.base_url()))
        .header("Authorization", auth)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json");
    if let Some(serial) = serial {
        req = req.header("Wechatpay-Serial", serial);
    }
    if !body.is_empty() {
        req = req.body(body.to_vec());
    }
    req
}

/// `req` with a multipart body: its `Content-Type` replaced (not added next to the JSON one).
pub fn as_form(req: reqwest::RequestBuilder, content_type: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
    let (client, request) = req.body(body).build_split();
    let mut request = request.expect("a valid request");
    request.headers_mut().insert("Content-Type", content_type.parse().expect("a header value"));
    reqwest::RequestBuilder::from_parts(client, request)
}

/// Sends a raw request and returns (status, headers, JSON body or Null).
pub async fn send(req: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let resp = req.send().await.expect("response");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap();
    let json = if bytes.is_empty() { serde_json::Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
    (status, headers, json)
}

/// A fresh, empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "wechatpay-sandbox-test-{name}-{}-{}",
        std::process::id(),
        &wechatpay_product_coupon::runtime::signing::new_nonce()[..8]
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An admin write (`POST` or `DELETE` to `/sandbox/...`): it needs `Content-Type:
/// application/json`, which no web page can send cross-site.
pub fn admin(method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new().request(method, url).header("Content-Type", "application/json")
}

/// GET `url` (an admin endpoint) as JSON.
pub async fn get_json(url: &str) -> serde_json::Value {
    let bytes = reqwest::get(url).await.expect("response").bytes().await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

// ---- the whole family: users, business clock, callbacks ----

/// The user the family tests send coupons to, and their AppID.
pub const OPENID: &str = "oSandboxUser_0001";
pub const APPID: &str = "wx4fd12345678";
pub const BRAND: &str = wechatpay_sandbox::demo::BRAND_ID;

/// A sandbox whose business clock starts inside the demo stocks' available periods (Monday
/// 2025-08-04 10:00 +08:00), without the 频率限制 (the tests make many calls in a burst).
pub async fn family_sandbox() -> RunningSandbox {
    Sandbox::builder()
        .start_time(wechatpay_sandbox::demo::DEMO_TIME)
        .rate_limit(false)
        .start()
        .await
        .expect("sandbox starts")
}

/// A client that can also verify and decrypt notifications (it has the APIv3 key).
pub fn notify_client(sandbox: &RunningSandbox) -> Client {
    sandbox
        .client_builder()
        .apiv3_key(&sandbox.keys().apiv3_key)
        .retry_policy(RetryPolicy::none())
        .client_rate_limit(false)
        .build()
        .unwrap()
}

/// Polls `check` every 20 ms until it returns `Some`, for at most 20 s (generous: nothing here
/// measures time, it only waits for asynchronous deliveries).
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One request a [`Callback`] received.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

/// A loopback HTTP server standing in for a merchant's notify URL: it records every request
/// and answers 500 to the first `fail_first` of them, 204 afterwards.
pub struct Callback {
    pub url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Callback {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Callback {
    pub async fn start(fail_first: usize) -> Callback {
        Callback::answering(move |n| if n <= fail_first { (500, None) } else { (204, None) }).await
    }

    /// A notify URL that answers every request with `302 Found` to `location` (and records it).
    pub async fn redirecting_to(location: &str) -> Callback {
        let location = location.to_owned();
        Callback::answering(move |_| (302, Some(location.clone()))).await
    }

    /// Answers the `n`-th request (from 1) with the status and `Location` that `answer` gives.
    async fn answering(answer: impl Fn(usize) -> (u16, Option<String>) + Send + Sync + 'static) -> Callback {
        use http_body_util::BodyExt as _;
        let answer = std::sync::Arc::new(answer);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = received.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let log = log.clone();
                let answer = answer.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let log = log.clone();
                        let answer = answer.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body.collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
                            let n = {
                                let mut log = log.lock().unwrap();
                                log.push(Received { headers: parts.headers, body });
                                log.len()
                            };
                            let (status, location) = answer(n);
                            let text = if status >= 500 { "{\"code\":\"FAIL\"}" } else { "" };
                            let mut response = hyper::Response::builder().status(status);
                            if let Some(location) = location {
                                response = response.header("Location", location);
                            }
                            let response =
                                response.body(http_body_util::Full::new(hyper::body::Bytes::from(text))).unwrap();
                            Ok::<_, std::convert::Infallible>(response)
                        }
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                });
            }
        });
        Callback { url: format!("http://{addr}/wechatpay/notify"), received, task }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests have arrived and returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        eventually(&format!("{n} callback(s)"), || {
            let all = self.received();
            (all.len() >= n).then_some(all)
        })
        .await
    }
}

/// Points the sandbox merchant's notify URL at `url`.
pub async fn set_notify_url(client: &Client, url: &str) {
    use wechatpay_product_coupon::models::SetNotifyConfigRequest;
    client.set_notify_config(&SetNotifyConfigRequest::builder().notify_url(url).build().unwrap()).await.unwrap();
}

/// The smallest thing the sandbox takes as a PNG: the signature and a little more.
pub fn png(extra: &[u8]) -> wechatpay_product_coupon::runtime::upload::UploadFile {
    let mut content = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    content.extend_from_slice(extra);
    wechatpay_product_coupon::runtime::upload::UploadFile::new("logo.png", "image/png", content)
}
