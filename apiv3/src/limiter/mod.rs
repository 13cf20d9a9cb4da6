//! Client-side rate limiting: the [`Limiter`] interface the client asks before each call, the
//! in-process [`LocalLimiter`] (the default), and, with the `redis` feature, the
//! `RedisLimiter` (feature `redis`) that every instance of a service shares.
//!
//! WeChat Pay's 频率限制 (20/s for coupon and stock management, 500/s for user-coupon
//! operations) holds per merchant across all of the merchant's servers. The in-process limiter
//! spaces the calls of one process; N processes each sending the full quota overshoot it N
//! times and collect `429 RATELIMIT_EXCEEDED`. The shared limiter keeps one schedule per
//! (merchant, operation) in Redis, so all instances together stay within the quota.
//!
//! A call's quota is the operation's documented 频率限制
//! ([`OperationMeta::rate_limit_per_second`]) unless overridden with
//! [`ClientBuilder::rate_limit_override`](crate::ClientBuilder::rate_limit_override) /
//! [`ClientBuilder::no_rate_limit`](crate::ClientBuilder::no_rate_limit). Every attempt
//! takes a slot (WeChat Pay counts retries too). The client *waits* for its slot, never longer
//! than what is left of the call's total timeout: a slot further away than that is not taken
//! and the call fails with [`Error::Timeout`]`(`[`TimeoutKind::Total`]`)` at once. The wait
//! happens after the limiter answered; no lock or connection is held while sleeping.
//!
//! ```no_run
//! # #[cfg(feature = "redis")]
//! # fn demo() -> Result<(), wechatpay_apiv3::Error> {
//! use wechatpay_apiv3::Client;
//! use wechatpay_apiv3::limiter::{RedisFailurePolicy, RedisLimiterConfig};
//!
//! let client = Client::builder()
//!     // mchid, keys, ...
//!     .redis_rate_limit(
//!         RedisLimiterConfig::new("redis://10.0.0.5:6379/0")
//!             .prefix("shop-a:wechatpay")
//!             .policy(RedisFailurePolicy::Fallback)
//!             .instances(3),
//!     )
//!     .rate_limit_override("create_product_coupon", 15)
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! # The horizon
//!
//! A limiter *reserves* slots: a caller told to wait 300 ms owns the slot 300 ms from now, so
//! concurrent callers queue up instead of all waking at once. Reserving without bound lets a
//! burst of long-deadline calls (a batch with a minute's timeout) book the schedule a minute
//! ahead, and every short-deadline call behind it fails at once. So no slot is ever reserved
//! further ahead than the *horizon* ([`DEFAULT_HORIZON`], one second, unless configured:
//! [`LocalLimiter::horizon`], `RedisLimiterConfig::horizon`):
//! a caller whose slot lies beyond it reserves nothing, waits (in this process, holding
//! nothing) until that slot comes within the horizon, and asks again. Callers waiting so form
//! a queue per bucket, earliest deadline first, and only the first of them asks the limiter
//! again: a short-deadline call in this process goes ahead of the long-deadline ones waiting,
//! so it never finds the schedule booked more than the horizon (plus the burst tolerance and
//! one interval) ahead, and a busy process sends one request per freed slot to a shared
//! limiter, not one per waiting caller. Across processes, each freed slot goes to whichever
//! asks first.
//!
//! # Cancelled calls
//!
//! A call dropped while waiting for its reserved slot (its future cancelled, its task
//! aborted) gives the slot back when nothing was reserved after it; otherwise the slot
//! stays unused, and since it was at most the horizon ahead, what is lost is bounded by the
//! horizon.
//!
//! # A value that cannot be right
//!
//! The shared limiter's script (`gcra.lua`) trusts nothing it reads. A stored time that is not a number, lies further ahead
//! than any reservation reaches (horizon + burst tolerance + one interval), or further back
//! than a live key can be (its expiry slack) was not written by this schedule: a poisoned key,
//! another program's, or a Redis whose clock jumped. One that is not a number or too far back
//! is replaced by "free now"; one too far ahead is clamped to the furthest a reservation
//! reaches (never reset, so instances that disagree cannot exceed the quota). The call goes on; each such repair is counted (`RedisLimiterStats::repaired`) and logged (a
//! warning at most once a minute). A key of another type (a hash, a list) is not overwritten
//! (it may be another program's): the script fails, and the `RedisFailurePolicy` applies as
//! for an unreachable Redis. Instances sharing a prefix must agree on quotas, burst and horizon,
//! or one's reservations look impossible to another.
//!
//! # Falling back
//!
//! While Redis is unavailable under the default policy (`RedisFailurePolicy::Fallback`), each
//! instance spaces its calls at exactly quota / `RedisLimiterConfig::instances` a second, with
//! the configured burst: together the instances never exceed the quota over time. A share
//! below one call a second is one call every so many seconds (a quota of 2/s over 5
//! instances: one call every 2.5 s per instance), never rounded up to one a second. The
//! instances do not coordinate meanwhile, so calls of different instances can fall in the
//! same instant.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use crate::error::{Error, TimeoutKind};
use crate::request::OperationMeta;

mod local;
#[cfg(feature = "redis")]
mod shared;
pub use self::local::{DEFAULT_HORIZON, LimitKey, Limiter, LimiterSource, LocalLimiter, Reservation, ReserveFuture};
#[cfg(feature = "redis")]
pub use self::shared::{DEFAULT_PREFIX, RedisFailurePolicy, RedisLimiter, RedisLimiterConfig, RedisLimiterStats};

/// The builder's rate-limit settings beyond the on/off switch.
#[derive(Default)]
pub(crate) struct RateLimitSettings {
    /// Per-operation quotas replacing the spec's (`None`: no limit).
    overrides: HashMap<String, Option<u32>>,
    /// The limiter, when not the in-process default (an error is reported by `build`).
    limiter: Option<Result<Arc<dyn Limiter>, String>>,
}

impl RateLimitSettings {
    /// The limiter a client built with these settings uses.
    pub(crate) fn build(self) -> Result<CallLimiter, Error> {
        let limiter = match self.limiter {
            Some(limiter) => limiter.map_err(Error::Config)?,
            None => Arc::new(LocalLimiter::new()),
        };
        Ok(CallLimiter { limiter, overrides: self.overrides })
    }
}

/// A client's limiter and its quotas.
pub(crate) struct CallLimiter {
    limiter: Arc<dyn Limiter>,
    overrides: HashMap<String, Option<u32>>,
}

impl CallLimiter {
    /// Waits for the call's slot, if its operation has a quota; never past `deadline`.
    pub(crate) async fn acquire(
        &self,
        mchid: &str,
        meta: &'static OperationMeta,
        deadline: Instant,
    ) -> Result<(), Error> {
        let rate = match self.overrides.get(meta.id) {
            Some(rate) => *rate,
            None => meta.rate_limit_per_second,
        };
        let Some(rate) = rate else { return Ok(()) };
        let max_wait = deadline.saturating_duration_since(Instant::now());
        let key = LimitKey { mchid, operation: meta.id };
        // Reserves and waits for the slot (giving it back if this call is dropped first).
        let Some(reservation) = self.limiter.acquire(key, rate, max_wait).await? else {
            tracing::debug!(rate, "the rate-limit slot is beyond the call's total timeout");
            return Err(Error::Timeout(TimeoutKind::Total));
        };
        crate::metrics::rate_limit_wait(meta.id, reservation.source.as_str(), reservation.wait);
        if !reservation.wait.is_zero() {
            tracing::debug!(
                wait_ms = reservation.wait.as_millis() as u64,
                limiter = reservation.source.as_str(),
                "client-side rate limit"
            );
        }
        Ok(())
    }
}

/// The builder's rate-limit settings, as the [`ClientBuilder`](crate::ClientBuilder)'s methods
/// change them (`rate_limit_override`, `no_rate_limit`, `rate_limiter`, `redis_rate_limit`,
/// `rate_limits_from_env`).
impl RateLimitSettings {
    /// One operation's quota (`None`: no limit).
    pub(crate) fn set_override(&mut self, operation: String, per_second: Option<u32>) {
        self.overrides.insert(operation, per_second);
    }

    /// The limiter to use instead of the in-process one.
    pub(crate) fn set_limiter(&mut self, limiter: Arc<dyn Limiter>) {
        self.limiter = Some(Ok(limiter));
    }

    /// The limiter shared through Redis.
    #[cfg(feature = "redis")]
    pub(crate) fn set_redis(&mut self, config: RedisLimiterConfig) {
        self.limiter =
            Some(RedisLimiter::new(config).map(|l| Arc::new(l) as Arc<dyn Limiter>).map_err(|e| e.to_string()));
    }

    /// Applies the rate-limit environment variables (the table at
    /// [`ClientBuilder::rate_limits_from_env`](crate::ClientBuilder::rate_limits_from_env)).
    pub(crate) fn apply_env(&mut self) -> Result<(), Error> {
        let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let Some(url) = var("WECHATPAY_RATE_LIMIT_REDIS_URL") else {
            for name in [
                "WECHATPAY_RATE_LIMIT_REDIS_PREFIX",
                "WECHATPAY_RATE_LIMIT_REDIS_POLICY",
                "WECHATPAY_RATE_LIMIT_REDIS_TIMEOUT_MS",
                "WECHATPAY_RATE_LIMIT_INSTANCES",
            ] {
                if var(name).is_some() {
                    return Err(Error::Config(format!("{name} is set but WECHATPAY_RATE_LIMIT_REDIS_URL is not")));
                }
            }
            return Ok(());
        };
        #[cfg(feature = "redis")]
        {
            let mut config = RedisLimiterConfig::new(url);
            if let Some(prefix) = var("WECHATPAY_RATE_LIMIT_REDIS_PREFIX") {
                config = config.prefix(prefix);
            }
            if let Some(policy) = var("WECHATPAY_RATE_LIMIT_REDIS_POLICY") {
                config = config.policy(
                    policy.parse().map_err(|e| Error::Config(format!("WECHATPAY_RATE_LIMIT_REDIS_POLICY: {e}")))?,
                );
            }
            let positive = |name: &str, v: String| {
                v.parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| Error::Config(format!("{name}: {v:?} is not a positive whole number")))
            };
            if let Some(ms) = var("WECHATPAY_RATE_LIMIT_REDIS_TIMEOUT_MS") {
                let ms = positive("WECHATPAY_RATE_LIMIT_REDIS_TIMEOUT_MS", ms)?;
                config = config.acquire_timeout(std::time::Duration::from_millis(u64::from(ms)));
            }
            if let Some(n) = var("WECHATPAY_RATE_LIMIT_INSTANCES") {
                config = config.instances(positive("WECHATPAY_RATE_LIMIT_INSTANCES", n)?);
            }
            self.set_redis(config);
            Ok(())
        }
        #[cfg(not(feature = "redis"))]
        {
            let _ = url;
            // Silently limiting per process would overshoot the quota N times over.
            Err(Error::Config(
                "WECHATPAY_RATE_LIMIT_REDIS_URL is set but this build has no `redis` feature (wechatpay-apiv3/redis)"
                    .into(),
            ))
        }
    }
}

impl fmt::Debug for CallLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallLimiter").field("overrides", &self.overrides).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    static META: OperationMeta = OperationMeta {
        id: "op",
        title: "t",
        method: "POST",
        path_template: "/v3/x",
        rate_limit_per_second: Some(1),
        success_status: 200,
    };

    #[tokio::test]
    async fn a_slot_beyond_the_deadline_is_a_total_timeout_and_takes_nothing() {
        let limiter = RateLimitSettings::default().build().unwrap();
        let deadline = Instant::now() + Duration::from_millis(100);
        limiter.acquire("1900000001", &META, deadline).await.unwrap();
        let err = limiter.acquire("1900000001", &META, deadline).await.unwrap_err();
        assert!(matches!(err, Error::Timeout(TimeoutKind::Total)), "{err:?}");
        assert!(limiter.acquire("1900000002", &META, deadline).await.is_ok(), "another merchant has its own quota");
    }

    #[tokio::test]
    async fn overrides_replace_the_documented_quota() {
        let mut settings = RateLimitSettings::default();
        settings.overrides.insert("op".into(), None);
        let limiter = settings.build().unwrap();
        let deadline = Instant::now();
        for _ in 0..10 {
            limiter.acquire("1900000001", &META, deadline).await.unwrap();
        }
        let mut settings = RateLimitSettings::default();
        settings.overrides.insert("op".into(), Some(3));
        let limiter = settings.build().unwrap();
        for _ in 0..3 {
            limiter.acquire("1900000001", &META, deadline).await.unwrap();
        }
        assert!(limiter.acquire("1900000001", &META, deadline).await.is_err(), "the fourth is over 3/s");
    }
}
