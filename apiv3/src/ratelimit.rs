//! The token-bucket rate limiter: each key's bucket holds at most one second's worth of
//! requests and refills continuously at its rate. A client *waits* for a token
//! ([`RateLimiter::reserve`]); a server *refuses* when none is left
//! ([`RateLimiter::try_acquire`], as a sandbox answering 429 does). The client's own
//! in-process limiter, [`LocalLimiter`](crate::limiter::LocalLimiter), keeps the same
//! one-second allowance on a schedule of its own, which adds a horizon and gives cancelled
//! calls' slots back (see [`limiter`](crate::limiter)).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Token buckets by key (an operation id; for a server, merchant and operation).
#[derive(Debug)]
pub struct RateLimiter<K = &'static str> {
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K> Default for RateLimiter<K> {
    fn default() -> Self {
        RateLimiter { buckets: Mutex::new(HashMap::new()) }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl<K: Hash + Eq> RateLimiter<K> {
    /// Takes a token for `key` at `rate` per second, returning how long to wait first (zero
    /// when one is available). A returned wait reserves the token, so concurrent callers queue
    /// fairly.
    pub fn reserve(&self, key: K, rate: u32) -> Duration {
        self.reserve_at(key, rate, Instant::now())
    }

    /// [`reserve`](Self::reserve) at a given instant (tests pass their own).
    pub fn reserve_at(&self, key: K, rate: u32, now: Instant) -> Duration {
        let rate = f64::from(rate.max(1));
        self.with_bucket(key, rate, now, |tokens| {
            *tokens -= 1.0;
            if *tokens >= 0.0 { Duration::ZERO } else { Duration::from_secs_f64(-*tokens / rate) }
        })
    }

    /// Like [`reserve`](Self::reserve), but only when the wait is at most `max_wait`; `None`
    /// (taking nothing) otherwise, so a call that cannot wait that long leaves the token to
    /// the others.
    pub fn reserve_within(&self, key: K, rate: u32, max_wait: Duration) -> Option<Duration> {
        self.reserve_within_at(key, rate, max_wait, Instant::now())
    }

    /// [`reserve_within`](Self::reserve_within) at a given instant (tests pass their own).
    pub fn reserve_within_at(&self, key: K, rate: u32, max_wait: Duration, now: Instant) -> Option<Duration> {
        let rate = f64::from(rate.max(1));
        self.with_bucket(key, rate, now, |tokens| {
            let wait = if *tokens >= 1.0 { Duration::ZERO } else { Duration::from_secs_f64((1.0 - *tokens) / rate) };
            if wait > max_wait {
                return None;
            }
            *tokens -= 1.0;
            Some(wait)
        })
    }

    /// Takes a token for `key` at `rate` per second if one is left; false (taking nothing)
    /// when the bucket is empty.
    pub fn try_acquire(&self, key: K, rate: u32) -> bool {
        self.try_acquire_at(key, rate, Instant::now())
    }

    /// [`try_acquire`](Self::try_acquire) at a given instant (tests pass their own).
    pub fn try_acquire_at(&self, key: K, rate: u32, now: Instant) -> bool {
        self.with_bucket(key, f64::from(rate.max(1)), now, |tokens| {
            if *tokens >= 1.0 {
                *tokens -= 1.0;
                true
            } else {
                false
            }
        })
    }

    /// Refills `key`'s bucket up to `now` and lets `take` spend from it.
    fn with_bucket<R>(&self, key: K, rate: f64, now: Instant, take: impl FnOnce(&mut f64) -> R) -> R {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: rate, last: now });
        // `saturating_duration_since`: an instant older than the bucket's refills nothing.
        bucket.tokens = (bucket.tokens + now.saturating_duration_since(bucket.last).as_secs_f64() * rate).min(rate);
        bucket.last = bucket.last.max(now);
        take(&mut bucket.tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_waits_for_its_token() {
        let rl = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(rl.reserve_at("op", 5, t0), Duration::ZERO);
        }
        assert_eq!(rl.reserve_at("op", 5, t0), Duration::from_millis(200));
        assert_eq!(rl.reserve_at("op", 5, t0), Duration::from_millis(400), "waits queue up");
        assert_eq!(rl.reserve_at("other", 5, t0), Duration::ZERO);
    }

    #[test]
    fn a_client_that_cannot_wait_long_enough_takes_nothing() {
        let rl = RateLimiter::default();
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        for _ in 0..5 {
            assert_eq!(rl.reserve_within_at("op", 5, Duration::ZERO, t0), Some(Duration::ZERO));
        }
        assert_eq!(rl.reserve_within_at("op", 5, ms(199), t0), None, "the next token is 200 ms away");
        assert_eq!(rl.reserve_within_at("op", 5, ms(200), t0), Some(ms(200)), "nothing was taken by the refusal");
        assert_eq!(rl.reserve_within_at("op", 5, ms(400), t0), Some(ms(400)));
    }

    #[test]
    fn a_server_allows_one_second_of_burst_then_refuses() {
        let rl = RateLimiter::default();
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let key = |m: &str, op: &'static str| (m.to_owned(), op);
        let granted = (0..50).filter(|_| rl.try_acquire_at(key("1900000001", "op"), 20, t0)).count();
        assert_eq!(granted, 20, "a full bucket holds one second's worth");
        assert!(!rl.try_acquire_at(key("1900000001", "op"), 20, at(49)), "a token takes 50 ms to refill");
        assert!(rl.try_acquire_at(key("1900000001", "op"), 20, at(50)));
        assert!(!rl.try_acquire_at(key("1900000001", "op"), 20, at(50)));
        assert!(!rl.try_acquire_at(key("1900000001", "op"), 20, t0), "an earlier instant refills nothing");
        let after_a_pause = (0..50).filter(|_| rl.try_acquire_at(key("1900000001", "op"), 20, at(60_000))).count();
        assert_eq!(after_a_pause, 20, "the bucket never holds more than one second's worth");
        assert!(rl.try_acquire_at(key("1900000002", "op"), 20, t0), "another merchant has its own bucket");
        assert!(rl.try_acquire_at(key("1900000001", "other"), 20, t0), "another operation has its own bucket");
    }
}
