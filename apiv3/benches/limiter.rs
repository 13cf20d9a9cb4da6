//! Rate-limit acquire overhead (issue 12): the in-process limiter and the shared limiter on a
//! loopback `redis-server`, per call, as a ratio to one RSA-2048 sign measured in the same run
//! (target: the shared limiter adds at most 0.5x of a sign).
//!
//! ```sh
//! cargo bench -p wechatpay-apiv3 --features redis --bench limiter
//! ```
//!
//! - `acquire/local`: [`LocalLimiter`] reserving a slot (a mutex, a map lookup, a bucket refill).
//! - `acquire/redis`: [`RedisLimiter`] reserving a slot: one `EVALSHA` of the GCRA script on a
//!   multiplexed loopback connection, awaited on a current-thread runtime.
//! - `rsa/sign`: one RSA-2048 PKCS#1 v1.5 SHA-256 signature of an `Authorization` message.
//!
//! The quota is high enough that no acquire ever waits: what is measured is the cost of asking.
//! The bench starts its own `redis-server` (on PATH) on a free port (made its own as
//! `generated-client/tests/support/redis_server.rs` explains) and stops it afterwards. After
//! criterion's runs it measures the three again, interleaved in rounds, and prints the ratios of
//! medians (the figures recorded in BENCHMARKS.md).

#[path = "../../generated-client/tests/support/redis_server.rs"]
mod redis_server;
#[path = "../../.ci/require.rs"]
mod require;

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::encoding::AsDer;
use criterion::{Criterion, criterion_group};
use redis_server::RedisServer;
use wechatpay_apiv3::PrivateKey;
use wechatpay_apiv3::limiter::{LimitKey, Limiter, LocalLimiter, RedisLimiter, RedisLimiterConfig};

const MESSAGE: &[u8] = b"POST\n/v3/marketing/partner/product-coupon/product-coupons\n1735689600\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"out_request_no\":\"34657_20250101_123456\",\"brand_id\":\"120344\",\"scope\":\"SINGLE\"}\n";
const KEY: LimitKey<'static> = LimitKey { mchid: "1900000001", operation: "create_product_coupon" };
/// No acquire waits at this rate: the bench measures asking, not waiting.
const RATE: u32 = 1_000_000_000;

struct Fixture {
    rt: tokio::runtime::Runtime,
    local: LocalLimiter,
    redis: RedisLimiter,
    key: PrivateKey,
    _server: RedisServer,
}

impl Fixture {
    fn new() -> Fixture {
        let server = RedisServer::start();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let config = RedisLimiterConfig::new(server.url()).burst(1000);
        let redis = RedisLimiter::new(config).unwrap();
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).unwrap();
        let key = PrivateKey::from_pkcs8_der(der.as_ref()).unwrap();
        let fixture = Fixture { rt, local: LocalLimiter::new(), redis, key, _server: server };
        fixture.acquire_redis(); // connects and loads the script
        assert_eq!(fixture.redis.stats().unavailable, 0, "Redis answered");
        fixture
    }

    fn acquire_local(&self) -> Duration {
        self.local.reserve_now(KEY, RATE, Duration::ZERO).expect("a slot")
    }

    fn acquire_redis(&self) -> Duration {
        let reservation = self.rt.block_on(self.redis.reserve(KEY, RATE, Duration::ZERO)).unwrap().expect("a slot");
        reservation.wait
    }

    fn sign(&self) -> Vec<u8> {
        self.key.sign(MESSAGE)
    }
}

fn benches(c: &mut Criterion) {
    let f = Fixture::new();
    let mut group = c.benchmark_group("acquire");
    group.bench_function("local", |b| b.iter(|| black_box(f.acquire_local())));
    group.bench_function("redis", |b| b.iter(|| black_box(f.acquire_redis())));
    group.finish();
    c.bench_function("rsa/sign", |b| b.iter(|| black_box(f.sign())));
    assert_eq!(f.redis.stats().unavailable, 0, "every acquire went to Redis");
}

/// The median of per-operation times.
fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn ratios() {
    let f = Fixture::new();
    let (rounds, per_round) = (30u32, 200u32);
    let (mut local, mut redis, mut sign) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..per_round {
            black_box(f.sign());
        }
        sign.push(t.elapsed() / per_round);
        let t = Instant::now();
        for _ in 0..per_round {
            black_box(f.acquire_redis());
        }
        redis.push(t.elapsed() / per_round);
        let t = Instant::now();
        for _ in 0..per_round {
            black_box(f.acquire_local());
        }
        local.push(t.elapsed() / per_round);
    }
    let (local, redis, sign) = (median(&mut local), median(&mut redis), median(&mut sign));
    let ratio = |d: Duration| d.as_secs_f64() / sign.as_secs_f64();
    println!(
        "medians of {rounds} interleaved rounds of {per_round}: RSA-2048 sign {sign:.1?}, local acquire {local:.2?} ({:.4}x a sign), Redis acquire {redis:.1?} ({:.3}x a sign)",
        ratio(local),
        ratio(redis)
    );
}

criterion_group!(group, benches);

fn main() {
    if !require::require_tool("redis-server", "the limiter bench", require::REDIS_HINT) {
        return;
    }
    // `BENCH_RATIO_ONLY=1` skips criterion and prints only the ratios.
    if std::env::var_os("BENCH_RATIO_ONLY").is_none() {
        group();
    }
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: skip the ratios there.
    if std::env::args().any(|a| a == "--bench") {
        ratios();
    }
}
