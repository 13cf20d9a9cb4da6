//! Helpers shared by the sandbox's end-to-end tests.
#![allow(dead_code)]

use std::time::Duration;

use wechatpay_product_coupon::runtime::signing::{MerchantSigner, unix_timestamp};
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

pub fn merchant_signer(sandbox: &RunningSandbox) -> MerchantSigner {
    let k = sandbox.keys();
    MerchantSigner::new(&k.mchid, &k.merchant_serial_no, PrivateKey::from_pem(&k.merchant_key_pem).unwrap())
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

/// GET `url` (an admin endpoint) as JSON.
pub async fn get_json(url: &str) -> serde_json::Value {
    let bytes = reqwest::get(url).await.expect("response").bytes().await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
