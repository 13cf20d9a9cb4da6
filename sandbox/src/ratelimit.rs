//! Server-side 频率限制: a token bucket per (merchant, operation) holding at most one second's
//! worth of requests and refilled continuously at the documented rate. A request that finds
//! the bucket empty is refused with 429 `RATELIMIT_EXCEEDED` (it is not queued). The partner's
//! quota is shared by all the brands it serves (reference §7), hence the merchant key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    buckets: Mutex<HashMap<(String, &'static str), Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// Takes a token for `mchid`'s calls of `operation` limited to `rate` per second; false when
    /// none is left.
    pub(crate) fn try_acquire(&self, mchid: &str, operation: &'static str, rate: u32) -> bool {
        self.try_acquire_at(mchid, operation, rate, Instant::now())
    }

    /// [`RateLimiter::try_acquire`] at a given instant (tests pass their own, so that nothing
    /// depends on how fast the machine runs).
    fn try_acquire_at(&self, mchid: &str, operation: &'static str, rate: u32, now: Instant) -> bool {
        let rate = f64::from(rate.max(1));
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry((mchid.to_owned(), operation)).or_insert(Bucket { tokens: rate, last: now });
        // `saturating_duration_since`: an instant older than the bucket's (a caller's clock) refills nothing.
        bucket.tokens = (bucket.tokens + now.saturating_duration_since(bucket.last).as_secs_f64() * rate).min(rate);
        bucket.last = bucket.last.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_one_second_of_burst_then_refuses() {
        let rl = RateLimiter::default();
        let t0 = Instant::now();
        let at = |ms: u64| t0 + std::time::Duration::from_millis(ms);
        let granted = (0..50).filter(|_| rl.try_acquire_at("1900000001", "op", 20, t0)).count();
        assert_eq!(granted, 20, "a full bucket holds one second's worth");
        assert!(!rl.try_acquire_at("1900000001", "op", 20, at(49)), "a token takes 50 ms to refill");
        assert!(rl.try_acquire_at("1900000001", "op", 20, at(50)));
        assert!(!rl.try_acquire_at("1900000001", "op", 20, at(50)));
        assert!(!rl.try_acquire_at("1900000001", "op", 20, t0), "an earlier instant refills nothing");
        let after_a_pause = (0..50).filter(|_| rl.try_acquire_at("1900000001", "op", 20, at(60_000))).count();
        assert_eq!(after_a_pause, 20, "the bucket never holds more than one second's worth");
        assert!(rl.try_acquire_at("1900000002", "op", 20, t0), "another merchant has its own bucket");
        assert!(rl.try_acquire_at("1900000001", "other", 20, t0), "another operation has its own bucket");
    }
}
