//! The rate limit every instance shares through Redis.
//!
//! # Algorithm: GCRA, one key per bucket
//!
//! Each (merchant, operation) has one key, `{prefix}:{mchid}:{operation}`, holding the time the
//! schedule is next free (the GCRA "theoretical arrival time"). One Lua script per acquire
//! (`gcra.lua`) reads it, computes the wait and pushes it on by one interval, atomically: Redis
//! runs a script alone, so two instances can never both take the same slot. Why GCRA rather
//! than a sliding window:
//!
//! * one small key per bucket and O(1) work per call, where a sliding-window log keeps one
//!   entry per request in the window (500 per second for user-coupon operations);
//! * it *reserves*: the script returns how long to wait, and the caller sleeps without
//!   holding anything and without polling Redis again; a window counter can only say "full,
//!   try later", which turns waiting into repeated round trips and unfair races;
//! * time is the Redis server's (`TIME`), so instances with skewed clocks still agree.
//!
//! The default burst is 1: calls are spaced evenly at the quota, so the server's own allowance
//! (a second's worth of calls) is left to absorb network jitter, and instances whose requests
//! take different paths never arrive bunched up above the quota.
//!
//! No slot is reserved further ahead than the horizon ([`RedisLimiterConfig::horizon`], see
//! the [limiter module docs](crate::limiter#the-horizon)); a call whose slot lies beyond it
//! waits in its own process and asks Redis again, one caller per bucket and process at a time.
//! A call cancelled while waiting for its slot gives it back (a second script, `release.lua`)
//! when no slot was reserved after it. What the script does with a stored value that cannot
//! be right, and the fallback's exact rate: the [limiter module docs](crate::limiter).
//!
//! # When Redis is unreachable or slow
//!
//! Every acquire has a short time limit ([`RedisLimiterConfig::acquire_timeout`]). When Redis
//! fails, the [`RedisFailurePolicy`] applies, and Redis is tried again after
//! [`RedisLimiterConfig::retry_interval`] (calls in between do not wait for it); the first
//! acquire that gets an answer switches back to the shared limiter by itself.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, Client as RedisClient, Script};

use super::local::{Attempt, GiveBack, Pace, WaitingRoom, acquire_in_turn};
use super::{DEFAULT_HORIZON, LimitKey, Limiter, LimiterSource, LocalLimiter, Reservation, ReserveFuture};
use crate::error::Error;

/// The default key prefix: keys are `wechatpay:ratelimit:{mchid}:{operation}`.
pub const DEFAULT_PREFIX: &str = "wechatpay:ratelimit";

/// How often at most the "Redis unavailable, falling back" warning is logged.
const WARNING_INTERVAL: Duration = Duration::from_secs(60);

/// What a call does when Redis cannot be reached or does not answer in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RedisFailurePolicy {
    /// Go on with the in-process limiter (at 1/[`instances`](RedisLimiterConfig::instances)
    /// of each quota, fractions of one call a second included), logging a warning at most once
    /// a minute. The default: an outage of the limiter's store does not stop payments.
    #[default]
    Fallback,
    /// Fail the call with [`Error::RateLimiter`] without sending it.
    Fail,
}

impl FromStr for RedisFailurePolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fallback" => Ok(RedisFailurePolicy::Fallback),
            "fail" => Ok(RedisFailurePolicy::Fail),
            other => Err(format!("{other:?} is neither `fallback` nor `fail`")),
        }
    }
}

/// Settings of the shared limiter; every instance sharing a quota must use the same Redis
/// (database) and prefix.
#[derive(Clone)]
pub struct RedisLimiterConfig {
    url: String,
    prefix: String,
    policy: RedisFailurePolicy,
    acquire_timeout: Duration,
    retry_interval: Duration,
    burst: u32,
    instances: u32,
    horizon: Duration,
}

impl RedisLimiterConfig {
    /// Redis at `url` (`redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS is not
    /// compiled in), with the defaults: prefix [`DEFAULT_PREFIX`], policy
    /// [`Fallback`](RedisFailurePolicy::Fallback), 500 ms per acquire, Redis retried every
    /// second after a failure, burst 1, one instance, horizon [`DEFAULT_HORIZON`] (one second).
    pub fn new(url: impl Into<String>) -> Self {
        RedisLimiterConfig {
            url: url.into(),
            prefix: DEFAULT_PREFIX.to_owned(),
            policy: RedisFailurePolicy::Fallback,
            acquire_timeout: Duration::from_millis(500),
            retry_interval: Duration::from_secs(1),
            burst: 1,
            instances: 1,
            horizon: DEFAULT_HORIZON,
        }
    }

    /// The key prefix (one per group of instances sharing quotas).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// What happens when Redis is unreachable or slow.
    pub fn policy(mut self, policy: RedisFailurePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The time limit for one acquire (connecting included) before the policy applies
    /// (default 500 ms). Generous on purpose: after a failure Redis is skipped for the
    /// [`retry_interval`](Self::retry_interval), so only the calls in flight at that moment pay
    /// it, while too short a limit sends a busy process (hundreds of calls at once) to the
    /// fallback needlessly.
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// How long after a failure Redis is tried again; calls in between go straight to the
    /// policy.
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval;
        self
    }

    /// How many calls may go at once after a pause (default 1: evenly spaced).
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// How many instances share the quotas: while falling back, each instance's in-process
    /// limiter takes 1/`instances` of each quota (a fraction of a call a second when there are
    /// more instances than the quota allows calls a second), so together they still stay
    /// within it.
    pub fn instances(mut self, instances: u32) -> Self {
        self.instances = instances.max(1);
        self
    }

    /// How far ahead a slot may be reserved (default [`DEFAULT_HORIZON`], one second; see the
    /// [limiter module docs](crate::limiter#the-horizon)). A call whose slot lies further ahead
    /// waits in its process and asks again; a short-deadline call is never behind more than
    /// about this much of the schedule. Every instance sharing a prefix must use the same
    /// horizon: a schedule set further ahead than an instance's horizon allows looks
    /// impossible to it, and it repairs it.
    pub fn horizon(mut self, horizon: Duration) -> Self {
        self.horizon = horizon;
        self
    }

    /// The Redis key of a bucket.
    fn key(&self, key: LimitKey<'_>) -> String {
        format!("{}:{}:{}", self.prefix, key.mchid, key.operation)
    }
}

impl fmt::Debug for RedisLimiterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiterConfig")
            .field("url", &redacted_url(&self.url))
            .field("prefix", &self.prefix)
            .field("policy", &self.policy)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("retry_interval", &self.retry_interval)
            .field("burst", &self.burst)
            .field("instances", &self.instances)
            .field("horizon", &self.horizon)
            .finish()
    }
}

/// The URL without its password (for Debug output and logs).
fn redacted_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("REDACTED"));
            }
            parsed.to_string()
        }
        Err(_) => "<unparsable>".to_owned(),
    }
}

/// How many reservation attempts each limiter answered (for tests and dashboards). A call
/// whose slot lies beyond the horizon attempts more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RedisLimiterStats {
    /// Attempts answered by Redis.
    pub shared: u64,
    /// Attempts that found Redis unavailable (answered by the fallback, or failed under
    /// [`RedisFailurePolicy::Fail`]).
    pub unavailable: u64,
    /// Stored schedule times that could not be right and were repaired (see the
    /// [limiter module docs](crate::limiter#a-value-that-cannot-be-right)).
    pub repaired: u64,
}

/// The shared limiter (see the [limiter module docs](crate::limiter)). Cheap to share behind an `Arc`; one
/// multiplexed connection serves every concurrent acquire.
pub struct RedisLimiter {
    config: RedisLimiterConfig,
    client: RedisClient,
    script: Script,
    /// Gives back a cancelled call's slot (shared with the give-back closures).
    release: Arc<Script>,
    /// The connection, made on first use and dropped after a failure. The lock is held only
    /// to take a clone (or to connect), never during a script call or a wait.
    connection: tokio::sync::Mutex<Option<MultiplexedConnection>>,
    fallback: LocalLimiter,
    /// Callers whose slot lies beyond the horizon (Redis's or the fallback's).
    room: WaitingRoom,
    health: Mutex<Health>,
    shared: AtomicU64,
    unavailable: AtomicU64,
    repaired: AtomicU64,
}

#[derive(Debug, Default)]
struct Health {
    /// While set and in the future, Redis is not tried.
    retry_at: Option<Instant>,
    /// Whether the last try failed (to log the recovery once).
    down: bool,
    last_warning: Option<Instant>,
    last_repair_warning: Option<Instant>,
}

impl fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiter").field("config", &self.config).field("stats", &self.stats()).finish()
    }
}

impl RedisLimiter {
    /// Checks the URL; connects on the first acquire, not here.
    pub fn new(config: RedisLimiterConfig) -> Result<Self, Error> {
        let client = RedisClient::open(config.url.as_str())
            .map_err(|e| Error::Config(format!("Redis URL {}: {e}", redacted_url(&config.url))))?;
        Ok(RedisLimiter {
            client,
            script: Script::new(include_str!("gcra.lua")),
            release: Arc::new(Script::new(include_str!("release.lua"))),
            connection: tokio::sync::Mutex::new(None),
            fallback: LocalLimiter::new().horizon(config.horizon),
            room: WaitingRoom::default(),
            health: Mutex::new(Health::default()),
            shared: AtomicU64::new(0),
            unavailable: AtomicU64::new(0),
            repaired: AtomicU64::new(0),
            config,
        })
    }

    /// The settings.
    pub fn config(&self) -> &RedisLimiterConfig {
        &self.config
    }

    /// How many attempts Redis answered, how many found it unavailable, how many values were
    /// repaired.
    pub fn stats(&self) -> RedisLimiterStats {
        RedisLimiterStats {
            shared: self.shared.load(Ordering::Relaxed),
            unavailable: self.unavailable.load(Ordering::Relaxed),
            repaired: self.repaired.load(Ordering::Relaxed),
        }
    }

    /// One attempt: Redis when it is not known to be down, else (or when it fails) the policy.
    async fn attempt(&self, key: LimitKey<'_>, rate: u32, max_wait: Duration) -> Result<Attempt<'_>, Error> {
        let due = self.health.lock().unwrap_or_else(|p| p.into_inner()).retry_at.is_none_or(|at| Instant::now() >= at);
        if !due {
            return self.unavailable(key, rate, max_wait, None);
        }
        let reason = match tokio::time::timeout(self.config.acquire_timeout, self.attempt_shared(key, rate, max_wait))
            .await
        {
            Ok(Ok((attempt, repaired))) => {
                self.shared.fetch_add(1, Ordering::Relaxed);
                let now = Instant::now();
                let mut health = self.health.lock().unwrap_or_else(|p| p.into_inner());
                if health.down {
                    tracing::info!("shared rate limiter (Redis) reachable again; using it");
                }
                health.down = false;
                health.retry_at = None;
                if repaired {
                    self.repaired.fetch_add(1, Ordering::Relaxed);
                    if health.last_repair_warning.is_none_or(|at| now.saturating_duration_since(at) >= WARNING_INTERVAL)
                    {
                        health.last_repair_warning = Some(now);
                        tracing::warn!(
                            operation = key.operation,
                            "shared rate limiter (Redis): a stored schedule time could not be right (not a number, \
                                 beyond the horizon or long past) and was reset (logged at most once a minute)"
                        );
                    }
                }
                drop(health);
                return Ok(attempt);
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer within {} ms", self.config.acquire_timeout.as_millis()),
        };
        // A broken connection is not reused: the next try connects afresh.
        *self.connection.lock().await = None;
        {
            let mut health = self.health.lock().unwrap_or_else(|p| p.into_inner());
            health.down = true;
            health.retry_at = Instant::now().checked_add(self.config.retry_interval);
        }
        self.unavailable(key, rate, max_wait, Some(reason))
    }

    /// One script call on a clone of the shared connection: the attempt, and whether the
    /// stored value was repaired.
    async fn attempt_shared(
        &self,
        key: LimitKey<'_>,
        rate: u32,
        max_wait: Duration,
    ) -> Result<(Attempt<'static>, bool), ::redis::RedisError> {
        let mut connection = {
            let mut slot = self.connection.lock().await;
            match slot.as_ref() {
                Some(connection) => connection.clone(),
                None => {
                    let config = AsyncConnectionConfig::new()
                        .set_connection_timeout(Some(self.config.acquire_timeout))
                        .set_response_timeout(Some(self.config.acquire_timeout));
                    let connection = self.client.get_multiplexed_async_connection_with_config(&config).await?;
                    *slot = Some(connection.clone());
                    connection
                }
            }
        };
        let rate = u64::from(rate.max(1));
        let interval_us = 1_000_000u64.div_ceil(rate);
        let tolerance_us = interval_us.saturating_mul(u64::from(self.config.burst.saturating_sub(1)));
        let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX).min(i64::MAX as u64);
        let (max_wait_us, horizon_us) = (micros(max_wait), micros(self.config.horizon));
        let bucket = self.config.key(key);
        let (status, wait_us, tat, repaired): (i64, i64, i64, i64) = self
            .script
            .key(&bucket)
            .arg(interval_us)
            .arg(tolerance_us)
            .arg(max_wait_us)
            .arg(horizon_us)
            .invoke_async(&mut connection)
            .await?;
        let wait = Duration::from_micros(u64::try_from(wait_us).unwrap_or(0));
        let attempt = match status {
            1 => {
                let release = Arc::clone(&self.release);
                let timeout = self.config.acquire_timeout;
                let give_back: GiveBack<'static> =
                    Box::new(move || give_back(connection, release, bucket, tat, interval_us, timeout));
                Attempt::Reserved { wait, source: LimiterSource::Shared, give_back: Some(give_back) }
            }
            2 => Attempt::Later(wait.saturating_sub(self.config.horizon)),
            _ => Attempt::Refused,
        };
        Ok((attempt, repaired == 1))
    }

    /// Redis is unavailable (`reason`, or `None` while waiting to retry): the policy applies.
    fn unavailable(
        &self,
        key: LimitKey<'_>,
        rate: u32,
        max_wait: Duration,
        reason: Option<String>,
    ) -> Result<Attempt<'_>, Error> {
        self.unavailable.fetch_add(1, Ordering::Relaxed);
        let reason = reason.unwrap_or_else(|| "it failed moments ago; retrying shortly".to_owned());
        match self.config.policy {
            RedisFailurePolicy::Fail => {
                Err(Error::RateLimiter(format!("the shared rate limiter (Redis) is unavailable: {reason}")))
            }
            RedisFailurePolicy::Fallback => {
                crate::metrics::rate_limiter_fallback(key.operation);
                let now = Instant::now();
                let mut health = self.health.lock().unwrap_or_else(|p| p.into_inner());
                if health.last_warning.is_none_or(|at| now.saturating_duration_since(at) >= WARNING_INTERVAL) {
                    health.last_warning = Some(now);
                    tracing::warn!(
                        reason = %reason,
                        instances = self.config.instances,
                        "shared rate limiter (Redis) unavailable; using the in-process limiter at 1/instances of each quota (logged at most once a minute)"
                    );
                }
                drop(health);
                Ok(self.fallback_attempt(key, rate, max_wait))
            }
        }
    }

    /// The in-process stand-in: this instance's share of the quota, `rate / instances` calls a
    /// second exactly (below one a second when instances outnumber the quota), and its share of
    /// the burst (`burst / instances`, at least 1), so the instances together never start with
    /// more than the configured burst allows.
    fn fallback_attempt(&self, key: LimitKey<'_>, rate: u32, max_wait: Duration) -> Attempt<'_> {
        let instances = f64::from(self.config.instances.max(1));
        let share = f64::from(rate.max(1)) / instances;
        let burst = (f64::from(self.config.burst.max(1)) / instances).floor().max(1.0);
        let pace = Pace::new(share, burst);
        self.fallback.attempt(key, pace, max_wait, LimiterSource::Fallback)
    }
}

/// Gives a cancelled call's slot back (`release.lua`), in the background: it runs from a
/// destructor, which cannot wait. Without a Tokio runtime the slot stays unused (bounded by
/// the horizon).
fn give_back(
    mut connection: MultiplexedConnection,
    release: Arc<Script>,
    bucket: String,
    tat: i64,
    interval_us: u64,
    timeout: Duration,
) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    runtime.spawn(async move {
        let mut invocation = release.key(bucket);
        let call = invocation.arg(tat).arg(interval_us).invoke_async::<i64>(&mut connection);
        match tokio::time::timeout(timeout, call).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::debug!(error = %e, "could not give a cancelled call's rate-limit slot back"),
            Err(_) => tracing::debug!("could not give a cancelled call's rate-limit slot back in time"),
        }
    });
}

impl Limiter for RedisLimiter {
    fn reserve<'a>(&'a self, key: LimitKey<'a>, rate: u32, max_wait: Duration) -> ReserveFuture<'a> {
        Box::pin(async move {
            Ok(match self.attempt(key, rate, max_wait).await? {
                Attempt::Reserved { wait, source, .. } => Some(Reservation { wait, source }),
                Attempt::Later(_) | Attempt::Refused => None,
            })
        })
    }

    fn acquire<'a>(&'a self, key: LimitKey<'a>, rate: u32, max_wait: Duration) -> ReserveFuture<'a> {
        Box::pin(acquire_in_turn(&self.room, key, max_wait, move |max_wait| self.attempt(key, rate, max_wait)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_passwords_never_shown() {
        let config = RedisLimiterConfig::new("redis://:s3cret@127.0.0.1:6379/0");
        let limiter = RedisLimiter::new(config).unwrap();
        let shown = format!("{limiter:?}");
        assert!(!shown.contains("s3cret") && shown.contains("REDACTED"), "{shown}");
        assert!(matches!(RedisLimiter::new(RedisLimiterConfig::new("not a url")), Err(Error::Config(_))));
        assert_eq!("FAIL".parse(), Ok(RedisFailurePolicy::Fail));
        assert!("sometimes".parse::<RedisFailurePolicy>().is_err());
    }

    #[test]
    fn keys_are_prefix_merchant_operation() {
        let config = RedisLimiterConfig::new("redis://127.0.0.1/").prefix("shop-a");
        assert_eq!(config.key(LimitKey { mchid: "1900000001", operation: "create" }), "shop-a:1900000001:create");
    }
}
