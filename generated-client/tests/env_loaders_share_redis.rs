//! A brand client built from the environment (`BrandClient::from_env`, the one loader both
//! families use) shares its quota through a real `redis-server` named by
//! `WECHATPAY_RATE_LIMIT_REDIS_URL`: two such clients, each with its own limiter instance, see
//! one schedule. One test in its own binary: it sets process environment variables, which no
//! other test may see change.
//!
//! The test starts its own `redis-server` on a free loopback port (no persistence; see
//! `support/redis_server.rs` for how the port is made its own) and kills it when done. Without
//! `redis-server` on PATH it fails, saying to install it.
//!
//! What is observed is the limiter's decision, not a duration: with a quota of 1 per second and
//! the default burst of 1, the second call's slot is a second after the first's, beyond the
//! second client's total timeout, so the shared limiter refuses it at once
//! (`Timeout(Total)`, nothing sent), where a limiter of its own would have let it through.
#![cfg(all(feature = "brand", feature = "redis"))]

#[path = "support/redis_server.rs"]
mod redis_server;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis_server::RedisServer;
use wechatpay_product_coupon::runtime::error::TimeoutKind;
use wechatpay_product_coupon::runtime::transport::ReplayTransport;
use wechatpay_product_coupon::{BrandClient, BrandClientBuilder, Error, RetryPolicy};

const KEY: &str = include_str!("data/test_merchant_key.pem");
const PUB: &str = include_str!("data/test_wechatpay_pub.pem");
const BRAND_ID: &str = "120344";
/// The operation called, and its quota for this test.
const OPERATION: &str = "get_stock";
/// The second client's total timeout: the longest it may wait for a slot.
const SECOND_CLIENT_TIMEOUT: Duration = Duration::from_millis(200);

/// A brand client from the environment, sending through `transport`, at 1 call per second of
/// [`OPERATION`], never retrying (a retry would take a slot of its own).
fn brand_client(transport: &Arc<ReplayTransport>, total_timeout: Duration) -> BrandClient {
    BrandClientBuilder::from_brand_env()
        .expect("the brand environment is complete")
        .transport(Arc::clone(transport))
        .retry_policy(RetryPolicy::none())
        .rate_limit_override(OPERATION, 1)
        .total_timeout(total_timeout)
        .build()
        .expect("the brand client builds")
}

#[test]
fn brand_clients_from_the_environment_share_one_quota_through_redis() {
    if Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_err() {
        panic!(
            "`redis-server` is not on PATH: this test shares a brand client's rate limit through a real \
             Redis and cannot run without one. Install it (apt-get install -y redis-server; .ci/run does)"
        );
    }
    let redis = RedisServer::start();
    let dir = std::env::temp_dir().join(format!("env-loaders-redis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (key, public) = (dir.join("key.pem"), dir.join("pub.pem"));
    std::fs::write(&key, KEY).unwrap();
    std::fs::write(&public, PUB).unwrap();
    let prefix = format!("env-share-{}", std::process::id());
    let vars = [
        ("WECHATPAY_BRAND_ID", BRAND_ID.to_owned()),
        ("WECHATPAY_BRAND_SERIAL_NO", "3775B6A45ACD588826D15E583A95F5DD12345678".to_owned()),
        ("WECHATPAY_BRAND_PRIVATE_KEY_PATH", key.to_str().unwrap().to_owned()),
        ("WECHATPAY_BRAND_PUBLIC_KEY_ID", "PUB_KEY_ID_0000000000000024101100397200000006".to_owned()),
        ("WECHATPAY_BRAND_PUBLIC_KEY_PATH", public.to_str().unwrap().to_owned()),
        ("WECHATPAY_BASE_URL", "http://127.0.0.1:9".to_owned()),
        ("WECHATPAY_RATE_LIMIT_REDIS_URL", redis.url()),
        ("WECHATPAY_RATE_LIMIT_REDIS_PREFIX", prefix.clone()),
        // An unreachable Redis fails the call instead of falling back to a limiter of its own,
        // which would let the second call through for the wrong reason.
        ("WECHATPAY_RATE_LIMIT_REDIS_POLICY", "fail".to_owned()),
    ];
    // SAFETY: this binary has this one test, and no other thread runs yet (the runtime below is
    // single-threaded and built afterwards).
    unsafe {
        for (name, value) in &vars {
            std::env::set_var(name, value);
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let bucket = format!("{prefix}:brand:{BRAND_ID}:{OPERATION}");

    // Each attempt starts from an empty schedule. An attempt is conclusive when the second call
    // was refused, or when it got through although it came within the same second (a failure).
    // Only a machine so slow that the calls were a second apart leaves it inconclusive; then
    // the attempt is repeated.
    for attempt in 1..=5 {
        assert_eq!(redis.command("FLUSHALL").as_deref(), Some("+OK"));
        let transport = Arc::new(ReplayTransport::new([]));
        let first = brand_client(&transport, Duration::from_secs(60));
        let second = brand_client(&transport, SECOND_CLIENT_TIMEOUT);
        let started = Instant::now();
        let (first_result, second_result) = runtime.block_on(async {
            let first_result = first.get_stock("1000000013", "9000001").await;
            let second_result = second.get_stock("1000000013", "9000001").await;
            (first_result, second_result)
        });
        let elapsed = started.elapsed();

        // The first call got its slot and was sent (the transport has no answer for it).
        assert!(matches!(first_result, Err(Error::Transport(_))), "{first_result:?}");
        let sent = transport.requests();
        let auth = sent.first().and_then(|r| r.header("Authorization")).expect("the first call was sent, signed");
        assert!(auth.starts_with("WECHATPAY-BRAND-SHA256-RSA2048 "), "{auth}");
        // Its slot is in Redis, under the brand's quota (per brand, 品牌ID维度).
        assert_eq!(redis.command(&format!("EXISTS {bucket}")).as_deref(), Some(":1"), "{bucket}");

        match second_result {
            Err(Error::Timeout(TimeoutKind::Total)) => {
                assert_eq!(sent.len(), 1, "the refused call sent nothing");
                std::fs::remove_dir_all(&dir).unwrap();
                return;
            }
            other if elapsed < Duration::from_secs(1) - SECOND_CLIENT_TIMEOUT => panic!(
                "the second brand client's call came {elapsed:?} after the first's, within the same second of a \
                 quota of 1/s shared through Redis, and was not refused: {other:?}"
            ),
            other => eprintln!("attempt {attempt}: the calls were {elapsed:?} apart (inconclusive): {other:?}"),
        }
    }
    panic!("five attempts were each a second or more apart; the machine is too loaded to tell");
}
