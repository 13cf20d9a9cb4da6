//! Runtime cost (`cargo bench -p wechatpay-product-coupon --bench runtime`), for issue 9's
//! target: a full call at most 1.15x one RSA-2048 sign plus one verify (issue 3's was 1.3x).
//!
//! - `crypto/sign`: one request `Authorization` (message, RSA-2048 PKCS#1 v1.5 SHA-256 sign,
//!   Base64, header text).
//! - `crypto/verify`: one response verification (headers parsed, timestamp window, RSA verify).
//! - `crypto/sign+verify`: both, the baseline of the ratio.
//! - `call/execute`: `Client::execute` against a loopback HTTP/1.1 server (keep-alive) that
//!   answers with a pre-signed response: signing, sending, reading, verifying and decoding.
//! - `call/no_io`: the same call through a transport that answers at once with the same signed
//!   response: everything the client does (validation aside) without any I/O.
//! - `roundtrip/reqwest`: the same POST to the same server with a plain `reqwest::Client` on the
//!   same runtime: no signing, no verification, the body read as bytes.
//! - `roundtrip/tcp`: the same request written to the same server on a blocking `std` socket
//!   and its response read back: the floor of a loopback round trip to this server.
//!
//! After criterion's runs, the bench measures the baseline, the call and the three parts of the
//! decomposition again, interleaved in rounds, and prints the ratio of medians (the figure
//! recorded in BENCHMARKS.md) and where the call's time goes.

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use support::*;
use wechatpay_product_coupon::runtime::signing::{RequestSigner, ResponseSigner, unix_timestamp};
use wechatpay_product_coupon::runtime::transport::{HttpResponse, Transport, TransportFuture};
use wechatpay_product_coupon::runtime::verify::{KeySet, ResponseSignature};
use wechatpay_product_coupon::{Client, PreparedRequest, PrivateKey, PublicKey, RetryPolicy};

const BODY: &str = r#"{"out_request_no":"34657_20250101_123456","brand_id":"120344","scope":"SINGLE","type":"NORMAL","usage_mode":"SINGLE","product_coupon":{"display_info":{"title":"全场满100立打8折","description":"满100元可用"}}}"#;
const RESPONSE: &str = r#"{"product_coupon_id":"1000000013","brand_id":"120344","scope":"SINGLE","type":"NORMAL","usage_mode":"SINGLE","state":"AUDITING","out_request_no":"34657_20250101_123456"}"#;

struct Fixture {
    signer: RequestSigner,
    keys: KeySet,
    headers: HeaderMap,
    rt: tokio::runtime::Runtime,
    client: Client,
    /// The same client configuration over [`Canned`]: no I/O.
    no_io: Client,
    /// A plain HTTP client for the bare round trip.
    http: reqwest::Client,
    /// A blocking keep-alive connection to the server, and the request bytes it sends.
    tcp: Mutex<(TcpStream, Vec<u8>)>,
    url: String,
    _server: TestServer,
    _server_rt: tokio::runtime::Runtime,
}

/// A transport that answers every request at once with the same signed response (re-signed
/// once a minute, like the server's): the client's own work, with no I/O.
struct Canned {
    signer: ResponseSigner,
    cached: Mutex<(Instant, HttpResponse)>,
}

impl Canned {
    fn new(signer: ResponseSigner) -> Self {
        let response = canned_response(&signer);
        Canned { signer, cached: Mutex::new((Instant::now(), response)) }
    }
}

fn canned_response(signer: &ResponseSigner) -> HttpResponse {
    let mut response = HttpResponse::new(200, RESPONSE.as_bytes().to_vec());
    for (name, value) in signature_headers_for(signer) {
        response
            .headers
            .insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(&value).unwrap());
    }
    response
}

impl Transport for Canned {
    fn send<'a>(&'a self, request: &'a PreparedRequest) -> TransportFuture<'a> {
        black_box(request);
        let mut cached = self.cached.lock().unwrap();
        if cached.0.elapsed() > Duration::from_secs(60) {
            *cached = (Instant::now(), canned_response(&self.signer));
        }
        let response = cached.1.clone();
        Box::pin(async move { Ok(response) })
    }
}

fn fixture() -> Fixture {
    let signer = RequestSigner::merchant(MCHID, MERCHANT_SERIAL, PrivateKey::from_pem(MERCHANT_KEY_PEM).unwrap());
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
    let builder = || {
        Client::builder()
            .mchid(MCHID)
            .merchant_serial_no(MERCHANT_SERIAL)
            .private_key_pem(MERCHANT_KEY_PEM)
            .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
            .base_url(server.url())
            .retry_policy(RetryPolicy::none())
    };
    let client = builder().build().unwrap();
    let canned = Canned::new(ResponseSigner::new(PUB_KEY_ID, PrivateKey::from_pem(WECHATPAY_KEY_PEM).unwrap()));
    let no_io = builder().transport(canned).build().unwrap();
    let http = reqwest::Client::builder().tcp_nodelay(true).tls_certs_only(std::iter::empty()).build().unwrap();
    let stream = TcpStream::connect(server.addr).unwrap();
    stream.set_nodelay(true).unwrap();
    let raw_request = format!(
        "POST {} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}",
        CREATE.path_template,
        server.addr,
        BODY.len()
    );
    let url = format!("{}{}", server.url(), CREATE.path_template);
    let fx = Fixture {
        signer,
        keys,
        headers,
        rt,
        client,
        no_io,
        http,
        tcp: Mutex::new((stream, raw_request.into_bytes())),
        url,
        _server: server,
        _server_rt: server_rt,
    };
    // Fail loudly rather than time an error path.
    assert_eq!(fx.call()["state"], "AUDITING");
    assert_eq!(fx.call_no_io()["state"], "AUDITING");
    assert_eq!(fx.roundtrip_reqwest(), RESPONSE.len());
    assert_eq!(fx.roundtrip_tcp(), RESPONSE.len());
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

    fn call_no_io(&self) -> Value {
        self.rt.block_on(self.no_io.execute::<Value>(create_parts(BODY))).unwrap()
    }

    /// A plain POST of the same body to the same server; returns the response body's length.
    fn roundtrip_reqwest(&self) -> usize {
        self.rt.block_on(async {
            let response = self
                .http
                .post(&self.url)
                .header("content-type", "application/json")
                .body(BODY.as_bytes())
                .send()
                .await
                .unwrap();
            response.bytes().await.unwrap().len()
        })
    }

    /// The same request on a blocking socket; returns the response body's length.
    fn roundtrip_tcp(&self) -> usize {
        let mut guard = self.tcp.lock().unwrap();
        let (stream, request) = &mut *guard;
        stream.write_all(request).unwrap();
        let mut buf = Vec::with_capacity(2048);
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0, "the server closed the connection");
            buf.extend_from_slice(&chunk[..n]);
            let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap();
            if buf.len() >= end + 4 + len {
                return len;
            }
        }
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
    call.bench_function("no_io", |b| b.iter(|| fx.call_no_io()));
    call.finish();
    let mut roundtrip = c.benchmark_group("roundtrip");
    roundtrip.bench_function("reqwest", |b| b.iter(|| fx.roundtrip_reqwest()));
    roundtrip.bench_function("tcp", |b| b.iter(|| fx.roundtrip_tcp()));
    roundtrip.finish();
}

/// Median time per operation over `rounds` rounds of `per_round` operations.
fn median_per_op(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Times `per_round` runs of `f`, per run.
fn per_op(per_round: u32, mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..per_round {
        f();
    }
    t.elapsed() / per_round
}

fn ratio() {
    let fx = fixture();
    let (rounds, per_round) = (30, 100);
    let sign_verify = || {
        fx.verify();
        black_box(fx.sign());
    };
    let mut samples: [Vec<Duration>; 7] = Default::default();
    for _ in 0..rounds {
        samples[0].push(per_op(per_round, sign_verify));
        samples[1].push(per_op(per_round, || {
            black_box(fx.call());
        }));
        samples[2].push(per_op(per_round, || {
            black_box(fx.call_no_io());
        }));
        samples[3].push(per_op(per_round, || {
            black_box(fx.roundtrip_reqwest());
        }));
        samples[4].push(per_op(per_round, || {
            black_box(fx.roundtrip_tcp());
        }));
        // The bare round trips again, each after a sign and a verify as in a call: the server's
        // and the client's threads have been idle for as long as a signature takes.
        samples[5].push(per_op(per_round, || {
            sign_verify();
            black_box(fx.roundtrip_reqwest());
        }));
        samples[6].push(per_op(per_round, || {
            sign_verify();
            black_box(fx.roundtrip_tcp());
        }));
    }
    let [base, call, no_io, reqwest_rt, tcp_rt, crypto_reqwest, crypto_tcp] =
        samples.map(|mut s| median_per_op(&mut s).as_secs_f64() * 1e6);
    println!(
        "\nruntime ratio: full call {call:.1} µs / (sign + verify) {base:.1} µs = {:.2}x (target <= 1.15x)",
        call / base
    );
    println!("  where the time goes (medians of the same interleaved rounds):");
    println!(
        "  call without I/O (canned signed response)        {no_io:7.1} µs = sign + verify {:+.1} µs",
        no_io - base
    );
    println!("  bare round trip, plain reqwest, back to back     {reqwest_rt:7.1} µs");
    println!("  bare round trip, blocking std socket, b2b        {tcp_rt:7.1} µs");
    println!(
        "  sign + verify, then the bare reqwest round trip  {crypto_reqwest:7.1} µs: the round trip {:.1} µs",
        crypto_reqwest - base
    );
    println!(
        "  sign + verify, then the std socket round trip    {crypto_tcp:7.1} µs: the round trip {:.1} µs",
        crypto_tcp - base
    );
    println!(
        "  full call - call without I/O                     {:7.1} µs (the call's network part); full call - (sign + verify + reqwest round trip) {:+.1} µs",
        call - no_io,
        call - crypto_reqwest
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
