//! The limiter interface ([`Limiter`], what it is asked and what it grants) and the in-process
//! [`LocalLimiter`]: below the shared limiter, which implements the same interface, and the
//! client's settings, which choose one.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::error::Error;
use crate::ratelimit::RateLimiter;

/// What a quota is counted per: the merchant the call is signed for and the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LimitKey<'a> {
    /// The merchant id (`mchid`) the call is signed for.
    pub mchid: &'a str,
    /// The operation id from the spec, e.g. `create_product_coupon`.
    pub operation: &'static str,
}

/// Which limiter granted a slot (a metrics label, see [`crate::metrics`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimiterSource {
    /// The in-process limiter, by configuration.
    Local,
    /// The shared limiter (Redis).
    Shared,
    /// The in-process limiter standing in for an unreachable shared one.
    Fallback,
}

impl LimiterSource {
    /// The label value: `local`, `shared` or `fallback`.
    pub fn as_str(self) -> &'static str {
        match self {
            LimiterSource::Local => "local",
            LimiterSource::Shared => "shared",
            LimiterSource::Fallback => "fallback",
        }
    }
}

/// A slot granted by a [`Limiter`]: send after `wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    /// How long to wait before sending (zero: now).
    pub wait: Duration,
    /// Which limiter granted it.
    pub source: LimiterSource,
}

/// The future a [`Limiter`] returns: `Ok(Some(_))` a reserved slot, `Ok(None)` no slot within
/// `max_wait` (nothing reserved), `Err(_)` the limiter cannot answer and the call must fail.
pub type ReserveFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<Reservation>, Error>> + Send + 'a>>;

/// Decides when a call may be sent. Implementations reserve the slot they return, so
/// concurrent callers queue up instead of all waking at once.
pub trait Limiter: Send + Sync + 'static {
    /// Reserves one request for `key` at `rate` requests per second, if its slot is at most
    /// `max_wait` away.
    fn reserve<'a>(&'a self, key: LimitKey<'a>, rate: u32, max_wait: Duration) -> ReserveFuture<'a>;
}

/// The in-process limiter: one token bucket per (merchant, operation) holding one second's
/// worth of calls ([`RateLimiter`]). The default.
#[derive(Debug, Default)]
pub struct LocalLimiter {
    buckets: RateLimiter<(String, &'static str)>,
}

impl LocalLimiter {
    /// A limiter with empty (full) buckets.
    pub fn new() -> Self {
        Self::default()
    }

    /// The synchronous reservation the trait method wraps.
    pub fn reserve_now(&self, key: LimitKey<'_>, rate: u32, max_wait: Duration) -> Option<Duration> {
        self.buckets.reserve_within((key.mchid.to_owned(), key.operation), rate, max_wait)
    }
}

impl Limiter for LocalLimiter {
    fn reserve<'a>(&'a self, key: LimitKey<'a>, rate: u32, max_wait: Duration) -> ReserveFuture<'a> {
        let granted = self.reserve_now(key, rate, max_wait);
        Box::pin(async move { Ok(granted.map(|wait| Reservation { wait, source: LimiterSource::Local })) })
    }
}
