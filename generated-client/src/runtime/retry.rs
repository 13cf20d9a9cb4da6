//! Retry policy (exponential backoff with jitter and a cap) and the client-side token-bucket
//! rate limiter.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// When and how often a failed attempt is repeated.
///
/// Retried: connection failures, per-attempt timeouts, HTTP 429, 5xx and 202 ("请使用原参数重复
/// 请求"). Every retry re-signs (new timestamp and nonce) and re-sends the byte-identical body,
/// so an idempotency key such as `out_request_no` stays the same. Other 4xx are never retried.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Total attempts, the first included (1 = no retry).
    pub max_attempts: u32,
    /// Delay before the first retry.
    pub initial_backoff: Duration,
    /// Upper bound for any single delay (also bounds a server's `Retry-After`).
    pub max_backoff: Duration,
    /// Growth factor per retry.
    pub multiplier: f64,
    /// Randomize each delay within `[d/2, d]` so many clients do not retry in lock step.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    /// 4 attempts, 500 ms doubling, capped at 8 s, with jitter.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            multiplier: 2.0,
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// A single attempt, never retried.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..Self::default() }
    }

    /// `max_attempts` attempts with the default backoff.
    pub fn attempts(max_attempts: u32) -> Self {
        RetryPolicy { max_attempts: max_attempts.max(1), ..Self::default() }
    }

    /// The same policy with another initial backoff and cap.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// The delay before retry number `retry` (1 for the first retry). `retry_after` is a
    /// server-requested minimum (`Retry-After`), honoured up to `max_backoff`.
    pub fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self.multiplier.max(1.0).powi(retry.saturating_sub(1).min(64) as i32);
        let base = self.initial_backoff.as_secs_f64() * exp;
        let cap = self.max_backoff.as_secs_f64();
        let mut d = base.min(cap);
        if self.jitter {
            d = d / 2.0 + d / 2.0 * random_unit();
        }
        if let Some(ra) = retry_after {
            d = d.max(ra.as_secs_f64().min(cap));
        }
        Duration::from_secs_f64(d.max(0.0))
    }
}

/// A uniform random number in `[0, 1)`.
fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    if aws_lc_rs::rand::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// Token buckets per operation: `rate` requests per second with a burst of `rate`.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    buckets: Mutex<HashMap<&'static str, Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// Takes a token for `key`, returning how long to wait first (zero when one is available).
    /// A returned wait reserves the token, so concurrent callers queue fairly.
    pub(crate) fn reserve(&self, key: &'static str, rate: u32) -> Duration {
        let rate = f64::from(rate.max(1));
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let b = buckets.entry(key).or_insert(Bucket { tokens: rate, last: now });
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * rate).min(rate);
        b.last = now;
        b.tokens -= 1.0;
        if b.tokens >= 0.0 { Duration::ZERO } else { Duration::from_secs_f64(-b.tokens / rate) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy { jitter: false, ..RetryPolicy::default() };
        assert_eq!(p.backoff(1, None), Duration::from_millis(500));
        assert_eq!(p.backoff(2, None), Duration::from_secs(1));
        assert_eq!(p.backoff(3, None), Duration::from_secs(2));
        assert_eq!(p.backoff(30, None), Duration::from_secs(8));
        assert_eq!(p.backoff(1, Some(Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(p.backoff(1, Some(Duration::from_secs(60))), Duration::from_secs(8));
    }

    #[test]
    fn jitter_stays_within_half_to_full() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d = p.backoff(2, None);
            assert!(d >= Duration::from_millis(500) && d <= Duration::from_secs(1), "{d:?}");
        }
    }

    #[test]
    fn bucket_allows_a_burst_then_spaces_requests() {
        let rl = RateLimiter::default();
        for _ in 0..5 {
            assert_eq!(rl.reserve("op", 5), Duration::ZERO);
        }
        let wait = rl.reserve("op", 5);
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(200), "{wait:?}");
        assert_eq!(rl.reserve("other", 5), Duration::ZERO);
    }
}
