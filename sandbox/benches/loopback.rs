//! Client plus sandbox over loopback (`cargo bench -p wechatpay-sandbox --bench loopback`), for
//! issue 4's target: the per-request cost at most 1.5x the four RSA-2048 operations a request
//! cannot avoid (client sign, sandbox verify, sandbox sign, client verify).
//!
//! Criterion part:
//! - `rsa/client_sign`: the request `Authorization` (`RequestSigner::authorization`).
//! - `rsa/sandbox_verify`: `verify::verify_request` on it, as the sandbox does.
//! - `rsa/sandbox_sign`: the response signature (`ResponseSigner::sign`) over a real response.
//! - `rsa/client_verify`: `ResponseSignature::verify` on it, as the client does.
//! - `rsa/all_four`: the four in a row: the baseline.
//! - `call/create_stock_bundle`: one 添加商品券批次组 call with the generated client against the
//!   sandbox (a fresh `out_request_no` each time, so every call creates a 3-stock bundle).
//!
//! Then (only under `cargo bench`) a load run at concurrency 1 and 32: requests per second, p50
//! and p99 latency, and the per-request cost as a ratio to the four RSA operations measured in
//! the same run: CPU time of the whole process (client and sandbox) per request, and at
//! concurrency 1 also wall time per request. `BENCH_LOAD_ONLY=1` skips criterion;
//! `BENCH_REQUESTS=N` sets the requests per level (default 3000), `BENCH_LEVELS=1,8,32` the
//! concurrency levels (default 1,32), `BENCH_SANDBOX_THREADS=N` the sandbox's worker threads
//! (default 2).

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::Criterion;
use wechatpay_apiv3::signing::{RequestSigner, ResponseSigner, unix_timestamp};
use wechatpay_apiv3::verify::{AuthScheme, verify_request};
use wechatpay_product_coupon::{Client, PrivateKey, PublicKey, RetryPolicy};
use wechatpay_sandbox::{RunningSandbox, Sandbox, demo};

const TARGET: &str = "/v3/marketing/partner/product-coupon/product-coupons/1000000001/stock-bundles";

/// The four RSA operations of one request, on real request and response bodies.
struct Rsa {
    signer: RequestSigner,
    merchant_pub: PublicKey,
    wechat: ResponseSigner,
    wechat_pub: PublicKey,
    request: Vec<u8>,
    response: Vec<u8>,
}

impl Rsa {
    fn new(sandbox: &RunningSandbox, response: Vec<u8>) -> Self {
        let k = sandbox.keys();
        let merchant = PrivateKey::from_pem(&k.merchant_key_pem).unwrap();
        Rsa {
            signer: RequestSigner::merchant(&k.mchid, &k.merchant_serial_no, merchant.clone()),
            merchant_pub: merchant.public_key(),
            wechat: ResponseSigner::new(&k.public_key_id, PrivateKey::from_pem(&k.wechatpay_key_pem).unwrap()),
            wechat_pub: PublicKey::from_pem(&k.wechatpay_pub_pem).unwrap(),
            request: serde_json::to_vec(&demo::stock_bundle_request("BENCH_RSA_000001", 3)).unwrap(),
            response,
        }
    }

    fn client_sign(&self) -> String {
        self.signer.authorization("POST", TARGET, &self.request)
    }

    fn sandbox_verify(&self, auth: &str) {
        verify_request(&[AuthScheme::PARTNER], auth, "POST", TARGET, &self.request, unix_timestamp(), |_| {
            Some(self.merchant_pub.clone())
        })
        .unwrap();
    }

    fn sandbox_sign(&self) -> wechatpay_product_coupon::runtime::verify::ResponseSignature {
        self.wechat.sign(&self.response)
    }

    fn client_verify(&self, sig: &wechatpay_product_coupon::runtime::verify::ResponseSignature) {
        sig.verify(&self.response, &self.wechat_pub, unix_timestamp()).unwrap();
    }

    fn all_four(&self) {
        let auth = self.client_sign();
        self.sandbox_verify(&auth);
        let sig = self.sandbox_sign();
        self.client_verify(&sig);
        black_box(sig);
    }

    /// Median time of the four operations over `rounds` rounds of `n`.
    fn baseline(&self, rounds: usize, n: usize) -> Duration {
        let mut times: Vec<Duration> = (0..rounds)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..n {
                    self.all_four();
                }
                t.elapsed() / n as u32
            })
            .collect();
        times.sort();
        times[times.len() / 2]
    }
}

struct Fixture {
    sandbox_rt: tokio::runtime::Runtime,
    sandbox: Option<RunningSandbox>,
    client: Client,
    coupon_id: String,
    rsa: Rsa,
    next: AtomicUsize,
}

impl Fixture {
    fn new() -> Self {
        // The sandbox gets a runtime and threads of its own, as a separate server would.
        let sandbox_rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(std::env::var("BENCH_SANDBOX_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(2))
            .thread_name("sandbox-rt")
            .enable_all()
            .build()
            .unwrap();
        let sandbox = sandbox_rt.block_on(Sandbox::builder().rate_limit(false).start()).unwrap();
        let client =
            sandbox.client_builder().retry_policy(RetryPolicy::none()).client_rate_limit(false).build().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (coupon_id, response) = rt.block_on(async {
            let coupon =
                client.create_product_coupon(&demo::product_coupon_request("BENCH_COUPON_0001")).await.unwrap();
            let bundle = client
                .create_stock_bundle(&coupon.product_coupon_id, &demo::stock_bundle_request("BENCH_BUNDLE_0000000", 3))
                .await
                .unwrap();
            (coupon.product_coupon_id.into_string(), serde_json::to_vec(&bundle).unwrap())
        });
        assert_eq!(coupon_id, "1000000001", "TARGET names this coupon");
        let rsa = Rsa::new(&sandbox, response);
        Fixture { sandbox_rt, sandbox: Some(sandbox), client, coupon_id, rsa, next: AtomicUsize::new(1) }
    }

    fn next_request(&self) -> wechatpay_product_coupon::models::CreateStockBundleRequest {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        demo::stock_bundle_request(&format!("BENCH_BUNDLE_{n:07}"), 3)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            self.sandbox_rt.block_on(s.shutdown());
        }
    }
}

fn criterion_benches(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group("rsa");
    let auth = f.rsa.client_sign();
    let sig = f.rsa.sandbox_sign();
    g.bench_function("client_sign", |b| b.iter(|| black_box(f.rsa.client_sign())));
    g.bench_function("sandbox_verify", |b| b.iter(|| f.rsa.sandbox_verify(black_box(&auth))));
    g.bench_function("sandbox_sign", |b| b.iter(|| black_box(f.rsa.sandbox_sign())));
    g.bench_function("client_verify", |b| b.iter(|| f.rsa.client_verify(black_box(&sig))));
    g.bench_function("all_four", |b| b.iter(|| f.rsa.all_four()));
    g.finish();

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut g = c.benchmark_group("call");
    g.bench_function("create_stock_bundle", |b| {
        b.iter(|| {
            let request = f.next_request();
            rt.block_on(async { f.client.create_stock_bundle(&f.coupon_id, &request).await }).unwrap()
        })
    });
    g.finish();
}

/// User plus system CPU time from a `/proc/.../stat` line, with the thread or process name.
fn stat_cpu(stat: &str) -> Option<(String, Duration)> {
    let name = stat[stat.find('(')? + 1..stat.rfind(')')?].to_owned();
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let (utime, stime): (u64, u64) = (fields.get(11)?.parse().ok()?, fields.get(12)?.parse().ok()?);
    // USER_HZ is 100 on every Linux configuration in practice.
    Some((name, Duration::from_millis((utime + stime) * 10)))
}

/// CPU time of the whole process and of the sandbox's runtime threads (Linux; `None`
/// elsewhere).
fn cpu_time() -> Option<(Duration, Duration)> {
    let (_, total) = stat_cpu(&std::fs::read_to_string("/proc/self/stat").ok()?)?;
    let mut sandbox = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("stat");
        if let Some((name, cpu)) = std::fs::read_to_string(path).ok().as_deref().and_then(stat_cpu)
            && name.starts_with("sandbox-rt")
        {
            sandbox += cpu;
        }
    }
    Some((total, sandbox))
}

struct LoadResult {
    concurrency: usize,
    requests: usize,
    wall: Duration,
    cpu: Option<Duration>,
    sandbox_cpu: Option<Duration>,
    p50: Duration,
    p99: Duration,
}

fn load(f: &Fixture, concurrency: usize, requests: usize) -> LoadResult {
    // The client gets its own runtime: one thread for one caller, two for many.
    let rt = if concurrency == 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
    };
    let per_task = requests / concurrency;
    let prepared: Vec<Vec<_>> = (0..concurrency).map(|_| (0..per_task).map(|_| f.next_request()).collect()).collect();
    let client = f.client.clone();
    let coupon = Arc::new(f.coupon_id.clone());
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    let mut latencies: Vec<Duration> = rt.block_on(async {
        let tasks: Vec<_> = prepared
            .into_iter()
            .map(|batch| {
                let client = client.clone();
                let coupon = Arc::clone(&coupon);
                tokio::spawn(async move {
                    let mut out = Vec::with_capacity(batch.len());
                    for request in batch {
                        let t = Instant::now();
                        client.create_stock_bundle(coupon.as_str(), &request).await.unwrap();
                        out.push(t.elapsed());
                    }
                    out
                })
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    let wall = t0.elapsed();
    let cpu1 = cpu_time();
    let cpu = cpu0.zip(cpu1).map(|(a, b)| b.0.saturating_sub(a.0));
    let sandbox_cpu = cpu0.zip(cpu1).map(|(a, b)| b.1.saturating_sub(a.1));
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    LoadResult { concurrency, requests: latencies.len(), wall, cpu, sandbox_cpu, p50: pct(0.50), p99: pct(0.99) }
}

fn load_run(f: &Fixture) {
    let requests: usize = std::env::var("BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    println!(
        "\nload run: 添加商品券批次组 (3-stock bundle, ~2 KB request, ~5 KB response), {requests} requests per level"
    );
    // Warm up connections and caches.
    let _ = load(f, 32, 320);
    let levels: Vec<usize> = std::env::var("BENCH_LEVELS")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 32]);
    for concurrency in levels {
        let before = f.rsa.baseline(5, 100);
        let r = load(f, concurrency, requests);
        let after = f.rsa.baseline(5, 100);
        let rsa4 = (before + after) / 2;
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        let per_request_cpu = r.cpu.map(|c| c / r.requests as u32);
        let rps = r.requests as f64 / r.wall.as_secs_f64();
        let sandbox_cpu = r.sandbox_cpu.map(|c| c / r.requests as u32);
        println!(
            "concurrency {:>2}: {:>7.0} req/s  p50 {:>7.0} µs  p99 {:>7.0} µs  | four RSA ops {:>5.0} µs  | CPU/request {} (sandbox {})  ratio {}{}",
            r.concurrency,
            rps,
            us(r.p50),
            us(r.p99),
            us(rsa4),
            per_request_cpu.map(|c| format!("{:.0} µs", us(c))).unwrap_or_else(|| "n/a".into()),
            sandbox_cpu.map(|c| format!("{:.0} µs", us(c))).unwrap_or_else(|| "n/a".into()),
            per_request_cpu
                .map(|c| format!("{:.2}x", c.as_secs_f64() / rsa4.as_secs_f64()))
                .unwrap_or_else(|| "n/a".into()),
            if concurrency == 1 {
                let wall = r.wall / r.requests as u32;
                format!("  | wall/request {:.0} µs  ratio {:.2}x", us(wall), wall.as_secs_f64() / rsa4.as_secs_f64())
            } else {
                String::new()
            },
        );
    }
}

fn main() {
    let fixture = Fixture::new();
    if std::env::var_os("BENCH_LOAD_ONLY").is_none() {
        let mut c = Criterion::default().configure_from_args();
        criterion_benches(&mut c, &fixture);
        c.final_summary();
    }
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: no load run there.
    if std::env::args().any(|a| a == "--bench") {
        load_run(&fixture);
    }
}
