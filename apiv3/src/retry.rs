//! Retry policy (exponential backoff with jitter and a cap) and the client-side token-bucket
//! rate limiter.

use std::time::{Duration, SystemTime};

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
    ///
    /// Total for any input: huge retry counts, multipliers, caps (`Duration::MAX`) or
    /// `Retry-After` values saturate instead of overflowing.
    pub fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let cap = self.max_backoff;
        // `f64::max` ignores NaN, so a NaN multiplier counts as 1.
        let exp = self.multiplier.max(1.0).powi(retry.saturating_sub(1).min(64) as i32);
        let mut d = saturating_secs(self.initial_backoff.as_secs_f64() * exp).min(cap);
        if self.jitter {
            let secs = d.as_secs_f64();
            d = saturating_secs(secs / 2.0 + secs / 2.0 * random_unit()).min(d);
        }
        match retry_after {
            Some(ra) => d.max(ra.min(cap)),
            None => d,
        }
    }
}

/// Seconds as a `Duration`: NaN and negatives are zero, anything too large is `Duration::MAX`
/// (`Duration::from_secs_f64` would panic on both).
fn saturating_secs(secs: f64) -> Duration {
    if secs.is_nan() || secs <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

/// Reads a `Retry-After` value: delay-seconds (a number too large for `u64` saturates) or an
/// HTTP date (RFC 9110; a date in the past means no wait). Anything else is ignored.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v.parse::<u64>().map(Duration::from_secs).unwrap_or(Duration::MAX));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A uniform random number in `[0, 1)`.
fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    if aws_lc_rs::rand::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
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
    fn absurd_values_saturate_instead_of_panicking() {
        let huge = RetryPolicy {
            max_attempts: u32::MAX,
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
            multiplier: f64::MAX,
            jitter: true,
        };
        for retry in [0, 1, 2, 64, 65, u32::MAX] {
            assert!(huge.backoff(retry, None) <= Duration::MAX);
            assert_eq!(huge.backoff(retry, Some(Duration::MAX)), Duration::MAX);
            let plain = RetryPolicy { jitter: false, ..huge };
            assert_eq!(plain.backoff(retry, None), Duration::MAX);
        }
        for multiplier in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 0.0] {
            let p = RetryPolicy { multiplier, max_backoff: Duration::MAX, jitter: false, ..RetryPolicy::default() };
            let d = p.backoff(u32::MAX, None);
            assert!(d >= Duration::from_millis(500), "{multiplier}: {d:?}");
        }
        let zero =
            RetryPolicy { initial_backoff: Duration::ZERO, max_backoff: Duration::ZERO, ..RetryPolicy::default() };
        assert_eq!(zero.backoff(u32::MAX, Some(Duration::MAX)), Duration::ZERO);
        // The default cap still bounds an absurd server request.
        assert_eq!(RetryPolicy::default().backoff(1, Some(Duration::MAX)), Duration::from_secs(8));
    }

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("99999999999999999999", now), Some(Duration::MAX));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        for ignored in ["", "-1", "1.5", "soon", "Wed, 99 Oct 2015 07:28:30 GMT"] {
            assert_eq!(parse_retry_after(ignored, now), None, "{ignored:?}");
        }
    }

    #[test]
    fn jitter_stays_within_half_to_full() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d = p.backoff(2, None);
            assert!(d >= Duration::from_millis(500) && d <= Duration::from_secs(1), "{d:?}");
        }
    }
}
