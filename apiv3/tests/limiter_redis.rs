//! Issue 19: the shared limiter stays honest under a lying Redis, against a real `redis-server`
//! (each test starts its own: `generated-client/tests/support/redis_server.rs`). Without
//! `redis-server` on PATH the tests skip loudly, and fail on a CI run (`CI=true`,
//! `.ci/require.rs`), saying how to install it.
//!
//! * a stored schedule time that cannot be right (not a number, far in the future, long past)
//!   is repaired and the call goes on, where it used to fail every call as a total timeout;
//!   a key of another type is a Redis failure, and the failure policy applies;
//! * no slot is reserved further ahead than the horizon, so a burst of long-deadline calls
//!   does not starve a short-deadline one;
//! * a call cancelled while waiting for its slot gives it back;
//! * falling back with more instances than the quota has calls a second, each instance takes
//!   its fraction (one call every so many seconds), so together they stay within the quota.
//!
//! What is asserted is the limiter's decisions and what Redis holds, never how long anything
//! took: where a wait is checked it is the wait the limiter computed, bounded by what the
//! test's own clock allows.
#![cfg(feature = "redis")]

#[path = "../../generated-client/tests/support/redis_server.rs"]
mod redis_server;
#[path = "../../.ci/require.rs"]
mod require;

use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::AsyncCommands as _;
use wechatpay_apiv3::Error;
use wechatpay_apiv3::limiter::{
    LimitKey, Limiter, LimiterSource, RedisFailurePolicy, RedisLimiter, RedisLimiterConfig,
};

const KEY: LimitKey<'static> = LimitKey { mchid: "1900000001", operation: "create_product_coupon" };

/// This test's own `redis-server` and the reads the tests make of it.
struct RedisServer(redis_server::RedisServer);

impl RedisServer {
    /// Starts one, or `None` after a loud SKIP (a failure on CI) when it is not installed.
    fn start(test: &str) -> Option<RedisServer> {
        if !require::require_tool("redis-server", test, require::REDIS_HINT) {
            return None;
        }
        Some(RedisServer(redis_server::RedisServer::start()))
    }

    fn url(&self) -> String {
        self.0.url()
    }

    async fn connection(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        redis::Client::open(self.url())?.get_multiplexed_async_connection().await
    }

    /// The Redis server's clock, in microseconds (the schedule's clock).
    async fn now_us(&self) -> i64 {
        let (s, us): (i64, i64) = redis::cmd("TIME").query_async(&mut self.connection().await.unwrap()).await.unwrap();
        s * 1_000_000 + us
    }

    async fn get(&self, key: &str) -> Option<String> {
        self.connection().await.unwrap().get(key).await.unwrap()
    }

    /// Polls until `key` holds `want` (the limiter writes some values in the background).
    async fn wait_for(&self, key: &str, want: Option<&str>) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.get(key).await.as_deref() != want {
            assert!(Instant::now() < deadline, "{key} never became {want:?}: {:?}", self.get(key).await);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Polls until `key` holds something else than `from`.
    async fn wait_for_change(&self, key: &str, from: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.get(key).await.as_deref() == Some(from) {
            assert!(Instant::now() < deadline, "{key} stayed {from:?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

fn config(redis: &RedisServer, prefix: &str) -> RedisLimiterConfig {
    RedisLimiterConfig::new(redis.url()).prefix(prefix).acquire_timeout(Duration::from_secs(5))
}

fn bucket(prefix: &str) -> String {
    format!("{prefix}:{}:{}", KEY.mchid, KEY.operation)
}

#[tokio::test]
async fn a_stored_time_that_cannot_be_right_is_repaired_and_the_call_goes_on() {
    let Some(redis) =
        RedisServer::start("limiter_redis: a_stored_time_that_cannot_be_right_is_repaired_and_the_call_goes_on")
    else {
        return;
    };
    let limiter = RedisLimiter::new(config(&redis, "poison")).unwrap();
    let key = bucket("poison");
    let mut c = redis.connection().await.unwrap();
    let far_future = (redis.now_us().await + 3_600_000_000).to_string(); // an hour ahead
    let long_past = "1".to_owned(); // 1970, and no expiry
    // Not a number, or further back than a key lives: reset to now, the call goes at once.
    let reset = ["garbage", "nan", "-inf", long_past.as_str()];
    // Further ahead than any reservation reaches: clamped to the furthest one can (horizon 1 s
    // + one interval at 1/s), never reset to now, so instances that disagree on the horizon or
    // the quota cannot let more through than it; the call goes within that.
    let clamped = ["inf", "1e400", far_future.as_str()];
    let mut repaired = 0;
    for value in reset.into_iter().chain(clamped) {
        let () = c.set(&key, value).await.unwrap();
        let is_reset = reset.contains(&value);
        // Before, a far-future time made every call a total timeout.
        // A clamped schedule frees within horizon + interval (2 s); 30 s is a hang guard only.
        let deadline = if is_reset { Duration::from_millis(200) } else { Duration::from_secs(30) };
        let granted = limiter.acquire(KEY, 1, deadline).await.unwrap();
        let granted = granted.unwrap_or_else(|| panic!("{value:?}: refused as if the schedule were full"));
        assert_eq!(granted.source, LimiterSource::Shared, "{value:?}");
        if is_reset {
            assert_eq!(granted.wait, Duration::ZERO, "{value:?}: the schedule was reset to now");
        }
        repaired += 1;
        assert_eq!(limiter.stats().repaired, repaired, "{value:?} counted as repaired");
        let stored: i64 = redis.get(&key).await.unwrap().parse().expect("a number again");
        let ahead = stored - redis.now_us().await;
        assert!(ahead <= 3_000_000, "{value:?}: the repaired schedule is within the horizon ({ahead} µs)");
        // Start the next value from a free schedule.
        let () = c.del(&key).await.unwrap();
    }
    let () = c.set(&key, "garbage").await.unwrap();
    limiter.acquire(KEY, 1, Duration::from_millis(200)).await.unwrap().expect("reset once more");
    repaired += 1;
    assert_eq!(limiter.stats().repaired, repaired);
    // A value this schedule wrote is kept: the next slot is a second after the last.
    assert!(limiter.acquire(KEY, 1, Duration::from_millis(200)).await.unwrap().is_none(), "a full schedule refuses");
    assert_eq!(limiter.stats().repaired, repaired, "nothing repaired");
    assert_eq!(limiter.stats().unavailable, 0);
}

#[tokio::test]
async fn a_key_of_another_type_is_a_redis_failure_under_the_policy() {
    let Some(redis) = RedisServer::start("limiter_redis: a_key_of_another_type_is_a_redis_failure_under_the_policy")
    else {
        return;
    };
    let mut c = redis.connection().await.unwrap();
    let () = c.hset(bucket("wrongtype"), "field", "value").await.unwrap();

    let fallback = RedisLimiter::new(config(&redis, "wrongtype")).unwrap();
    let granted = fallback.acquire(KEY, 20, Duration::from_millis(200)).await.unwrap().expect("a slot");
    assert_eq!(granted.source, LimiterSource::Fallback, "the fallback policy applies, no timeout");
    assert_eq!(fallback.stats().unavailable, 1);

    let fail = RedisLimiter::new(config(&redis, "wrongtype").policy(RedisFailurePolicy::Fail)).unwrap();
    let err = fail.acquire(KEY, 20, Duration::from_millis(200)).await.unwrap_err();
    assert!(matches!(&err, Error::RateLimiter(m) if m.contains("WRONGTYPE")), "{err:?}");
    // Not overwritten: the key may be another program's.
    let kind: String = redis::cmd("TYPE").arg(bucket("wrongtype")).query_async(&mut c).await.unwrap();
    assert_eq!(kind, "hash");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_deadline_burst_does_not_starve_a_short_deadline_call() {
    let Some(redis) = RedisServer::start("limiter_redis: a_long_deadline_burst_does_not_starve_a_short_deadline_call")
    else {
        return;
    };
    let horizon = Duration::from_millis(200);
    let limiter = Arc::new(RedisLimiter::new(config(&redis, "burst").horizon(horizon)).unwrap());
    // 10 calls a second: 100 long-deadline calls are ten seconds of schedule. Booked up to
    // each one's deadline, they would leave the short call below a slot ten seconds away:
    // refused at once.
    let burst: Vec<_> = (0..100)
        .map(|_| {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move { limiter.acquire(KEY, 10, Duration::from_secs(600)).await })
        })
        .collect();
    // Every call of the burst has asked once.
    let deadline = Instant::now() + Duration::from_secs(30);
    while limiter.stats().shared < 100 {
        assert!(Instant::now() < deadline, "the burst did not ask Redis: {:?}", limiter.stats());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Nothing in Redis reaches beyond the horizon (plus the one interval a slot takes).
    let stored: i64 = redis.get(&bucket("burst")).await.unwrap().parse().unwrap();
    let ahead = Duration::from_micros(u64::try_from(stored - redis.now_us().await).unwrap_or(0));
    assert!(ahead <= horizon + Duration::from_millis(100), "the schedule is {ahead:?} ahead");

    let short = limiter.acquire(KEY, 10, Duration::from_secs(3)).await.unwrap();
    let short = short.expect("the short-deadline call got a slot, ahead of the long-deadline burst");
    assert_eq!(short.source, LimiterSource::Shared);
    for task in &burst {
        task.abort();
    }
    for task in burst {
        let _ = task.await;
    }
}

#[tokio::test]
async fn a_call_cancelled_while_waiting_gives_its_slot_back() {
    let Some(redis) = RedisServer::start("limiter_redis: a_call_cancelled_while_waiting_gives_its_slot_back") else {
        return;
    };
    // One call a second, reservable up to ten seconds ahead.
    let limiter = Arc::new(RedisLimiter::new(config(&redis, "cancel").horizon(Duration::from_secs(10))).unwrap());
    let key = bucket("cancel");
    // Five slots booked (and used) first, so the calls below wait seconds for theirs.
    for _ in 0..5 {
        limiter.reserve(KEY, 1, Duration::from_secs(60)).await.unwrap().expect("a slot");
    }
    let booked = redis.get(&key).await.expect("the slots are booked");

    let spawn_waiting = || {
        let limiter = Arc::clone(&limiter);
        tokio::spawn(async move { limiter.acquire(KEY, 1, Duration::from_secs(60)).await })
    };
    let second = spawn_waiting();
    redis.wait_for_change(&key, &booked).await;
    let after_second = redis.get(&key).await.unwrap();
    let third = spawn_waiting();
    redis.wait_for_change(&key, &after_second).await;

    // Cancelled in reverse order, each is the last reservation when it goes: both come back.
    third.abort();
    assert!(third.await.unwrap_err().is_cancelled(), "cancelled while waiting");
    redis.wait_for(&key, Some(&after_second)).await;
    second.abort();
    assert!(second.await.unwrap_err().is_cancelled(), "cancelled while waiting");
    redis.wait_for(&key, Some(&booked)).await;

    // The next caller gets the first slot given back: within five seconds, not seven.
    let next = limiter.reserve(KEY, 1, Duration::from_secs(60)).await.unwrap().expect("a slot");
    assert!(next.wait <= Duration::from_secs(5), "{next:?}");
}

#[tokio::test]
async fn more_instances_than_the_quota_allows_each_take_a_fraction_while_falling_back() {
    // A port bound but never listening (held for the whole test, so no other test's server can
    // take it): connections are refused and every instance falls back at once.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = format!("redis://{}/", socket.local_addr().unwrap());
    let instances: Vec<RedisLimiter> = (0..5)
        .map(|_| {
            let config = RedisLimiterConfig::new(&url).instances(5).horizon(Duration::from_secs(10));
            RedisLimiter::new(config).unwrap()
        })
        .collect();
    // A quota of 2 a second over 5 instances: each one call every 2.5 s (was one a second each,
    // 5 a second together).
    let started = Instant::now();
    for limiter in &instances {
        let first = limiter.reserve(KEY, 2, Duration::from_secs(10)).await.unwrap().expect("a slot");
        assert_eq!((first.source, first.wait), (LimiterSource::Fallback, Duration::ZERO));
    }
    for limiter in &instances {
        let second = limiter.reserve(KEY, 2, Duration::from_secs(10)).await.unwrap().expect("a slot");
        assert_eq!(second.source, LimiterSource::Fallback);
        let interval = Duration::from_millis(2500);
        // The wait the limiter computed: the interval less what time has passed since.
        assert!(second.wait <= interval && second.wait + started.elapsed() >= interval, "{second:?}");
    }
    // Shares are exact, not rounded down to whole calls: 20/s over 3 is one call every 150 ms.
    let limiter = RedisLimiter::new(RedisLimiterConfig::new(&url).instances(3)).unwrap();
    let started = Instant::now();
    let other = LimitKey { mchid: "1900000002", operation: KEY.operation };
    assert!(limiter.reserve(other, 20, Duration::from_secs(1)).await.unwrap().is_some());
    let second = limiter.reserve(other, 20, Duration::from_secs(1)).await.unwrap().expect("a slot");
    let interval = Duration::from_millis(150);
    assert!(second.wait <= interval && second.wait + started.elapsed() >= interval, "{second:?}");
}
