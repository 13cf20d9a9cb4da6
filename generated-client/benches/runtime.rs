//! Runtime cost (`cargo bench -p wechatpay-product-coupon --bench runtime`), for issue 3's
//! target: a full call at most 1.3x one RSA-2048 sign plus one verify.
//!
//! - `crypto/sign`: one request `Authorization` (message, RSA-2048 PKCS#1 v1.5 SHA-256 sign,
//!   Base64, header text).
//! - `crypto/verify`: one response verification (headers parsed, timestamp window, RSA verify).
//! - `crypto/sign+verify`: both, the baseline of the ratio.
//! - `call/execute`: `Client::execute` against a loopback HTTP/1.1 server (keep-alive) that
//!   answers with a pre-signed response: signing, sending, reading, verifying and decoding.
//!
//! After criterion's runs, the bench measures the baseline and the call again, interleaved in
//! rounds, and prints the ratio of medians (the figure recorded in BENCHMARKS.md).

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use support::*;
use wechatpay_product_coupon::runtime::signing::{MerchantSigner, ResponseSigner, unix_timestamp};
use wechatpay_product_coupon::runtime::verify::{KeySet, ResponseSignature};
use wechatpay_product_coupon::{Client, PrivateKey, PublicKey, RetryPolicy};

const BODY: &str = r#"{"out_request_no":"34657_20250101_123456","brand_id":"120344","scope":"SINGLE","type":"NORMAL","usage_mode":"SINGLE","product_coupon":{"display_info":{"title":"全场满100立打8折","description":"满100元可用"}}}"#;
const RESPONSE: &str = r#"{"product_coupon_id":"1000000013","brand_id":"120344","scope":"SINGLE","type":"NORMAL","usage_mode":"SINGLE","state":"AUDITING","out_request_no":"34657_20250101_123456"}"#;

struct Fixture {
    signer: MerchantSigner,
    keys: KeySet,
    headers: HeaderMap,
    rt: tokio::runtime::Runtime,
    client: Client,
    _server: TestServer,
    _server_rt: tokio::runtime::Runtime,
}

fn fixture() -> Fixture {
    let signer = MerchantSigner::new(MCHID, MERCHANT_SERIAL, PrivateKey::from_pem(MERCHANT_KEY_PEM).unwrap());
    let mut keys = KeySet::new();
    keys.insert(PUB_KEY_ID, PublicKey::from_pem(WECHATPAY_PUB_PEM).unwrap());
    let wechat = ResponseSigner::new(PUB_KEY_ID, PrivateKey::from_pem(WECHATPAY_KEY_PEM).unwrap());
    let mut headers = HeaderMap::new();
    for (name, value) in wechat.sign(RESPONSE.as_bytes()).header_pairs() {
        headers.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(&value).unwrap());
    }

    // The server gets a runtime (and thread) of its own, as a remote server would; the client
    // runs on a current-thread runtime driven by the bench thread.
    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let rt = match std::env::var("BENCH_CLIENT_RT").as_deref() {
        Ok("multi") => tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap(),
        _ => tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(),
    };
    // The server answers every request with the same signed response, re-signed once a
    // minute so it stays inside the 5-minute window however long the bench runs.
    let signed = Arc::new(Mutex::new((Instant::now(), signature_headers_for(&wechat))));
    let server = server_rt.block_on(TestServer::start(move |_, _| {
        let mut cached = signed.lock().unwrap();
        if cached.0.elapsed() > Duration::from_secs(60) {
            *cached = (Instant::now(), signature_headers_for(&wechat));
        }
        Reply::Respond { status: 200, headers: cached.1.clone(), body: RESPONSE.as_bytes().to_vec() }
    }));
    let client = Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .base_url(server.url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let fx = Fixture { signer, keys, headers, rt, client, _server: server, _server_rt: server_rt };
    // Fail loudly rather than time an error path.
    let v = fx.call();
    assert_eq!(v["state"], "AUDITING");
    fx
}

fn signature_headers_for(signer: &ResponseSigner) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> =
        signer.sign(RESPONSE.as_bytes()).header_pairs().into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
    h.push(("Request-ID".into(), "08F1A2B3C4D5-0".into()));
    h.push(("Content-Type".into(), "application/json".into()));
    h
}

impl Fixture {
    fn sign(&self) -> String {
        self.signer.authorization("POST", black_box(CREATE.path_template), black_box(BODY.as_bytes()))
    }

    fn verify(&self) {
        let sig = ResponseSignature::from_headers(black_box(&self.headers)).unwrap();
        self.keys.verify_signature(&sig, black_box(RESPONSE.as_bytes()), unix_timestamp()).unwrap();
    }

    fn call(&self) -> Value {
        self.rt.block_on(self.client.execute::<Value>(create_parts(BODY))).unwrap()
    }
}

fn benches(c: &mut Criterion) {
    let fx = fixture();
    let mut crypto = c.benchmark_group("crypto");
    crypto.bench_function("sign", |b| b.iter(|| fx.sign()));
    crypto.bench_function("verify", |b| b.iter(|| fx.verify()));
    crypto.bench_function("sign+verify", |b| {
        b.iter(|| {
            fx.verify();
            fx.sign()
        })
    });
    crypto.finish();
    let mut call = c.benchmark_group("call");
    call.measurement_time(Duration::from_secs(8));
    call.bench_function("execute", |b| b.iter(|| fx.call()));
    call.finish();
}

/// Median time per operation over `rounds` rounds of `per_round` operations.
fn median_per_op(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ratio() {
    let fx = fixture();
    let (rounds, per_round) = (30, 100);
    let (mut base, mut call) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..per_round {
            fx.verify();
            black_box(fx.sign());
        }
        base.push(t.elapsed() / per_round);
        let t = Instant::now();
        for _ in 0..per_round {
            black_box(fx.call());
        }
        call.push(t.elapsed() / per_round);
    }
    let (base, call) = (median_per_op(&mut base), median_per_op(&mut call));
    println!(
        "\nruntime ratio: full call {:.1} µs / (sign + verify) {:.1} µs = {:.2}x (target <= 1.3x)",
        call.as_secs_f64() * 1e6,
        base.as_secs_f64() * 1e6,
        call.as_secs_f64() / base.as_secs_f64()
    );
}

criterion_group!(runtime, benches);

fn main() {
    // `BENCH_RATIO_ONLY=1` skips criterion and prints only the ratio.
    if std::env::var_os("BENCH_RATIO_ONLY").is_none() {
        runtime();
    }
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: skip the ratio there.
    if std::env::args().any(|a| a == "--bench") {
        ratio();
    }
}
