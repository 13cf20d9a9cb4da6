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
        let rate = f64::from(rate.max(1));
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry((mchid.to_owned(), operation)).or_insert(Bucket { tokens: rate, last: now });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.last).as_secs_f64() * rate).min(rate);
        bucket.last = now;
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
        let granted = (0..50).filter(|_| rl.try_acquire("1900000001", "op", 20)).count();
        // 20 from the full bucket, plus whatever refilled while the loop ran (20 per second:
        // nothing, or next to nothing, on any machine).
        assert!((20..50).contains(&granted), "{granted}");
        assert!(rl.try_acquire("1900000002", "op", 20), "another merchant has its own bucket");
        assert!(rl.try_acquire("1900000001", "other", 20), "another operation has its own bucket");
    }
}
