//! Metrics for operators, through the [`metrics`](https://docs.rs/metrics) facade (cargo
//! feature `metrics`; without it every function here is a no-op). Install any recorder (a
//! Prometheus exporter, say: see the `prometheus` example of the sandbox crate) and the client
//! reports:
//!
//! | name | kind | labels | what |
//! | --- | --- | --- | --- |
//! | `wechatpay_calls_total` | counter | `operation`, `outcome` | finished calls (retries included in one call) |
//! | `wechatpay_call_duration_seconds` | histogram | `operation`, `outcome` | a call's whole time: rate-limit wait, attempts, backoff |
//! | `wechatpay_retries_total` | counter | `operation`, `reason` | attempts repeated (`reason`: `status_429`, `status_5xx`, `status_202`, `timeout`, `transport`) |
//! | `wechatpay_failovers_total` | counter | `to` | attempts sent to the other domain because the first could not be connected to (`to`: `backup`, `primary`) |
//! | `wechatpay_rate_limit_waits_total` | counter | `operation`, `limiter` | calls that waited for their rate-limit slot (`limiter`: `local`, `shared`, `fallback`) |
//! | `wechatpay_rate_limit_wait_seconds` | histogram | `operation`, `limiter` | how long they waited |
//! | `wechatpay_rate_limiter_fallbacks_total` | counter | `operation` | acquires the in-process limiter answered because Redis was unavailable |
//! | `wechatpay_verification_failures_total` | counter | `source` | responses whose WeChat Pay signature was rejected (`source`: `response`, `certificates`) |
//! | `wechatpay_certificate_refreshes_total` | counter | `outcome`, `trigger` | platform certificate downloads (`outcome`: `success`, `failure`; `trigger`: `unknown_serial` for a response signed by an unknown certificate, `scheduled` otherwise) |
//!
//! `outcome` of a call is one of `success`, `api_error`, `verification_failed`,
//! `decode_error`, `transport_error`, `timeout`, `rate_limiter_unavailable`,
//! `invalid_request`, `config_error`, `certificate_error`, `other`. Dry runs are not counted.
//!
//! Labels hold only operation ids from the spec and the fixed values above: never a merchant
//! id, an openid, a key, a request body or a URL.

use std::time::Duration;

use crate::error::{Error, TimeoutKind};

/// Finished calls, by `operation` and `outcome`.
pub const CALLS_TOTAL: &str = "wechatpay_calls_total";
/// Call latency in seconds, by `operation` and `outcome`.
pub const CALL_DURATION_SECONDS: &str = "wechatpay_call_duration_seconds";
/// Repeated attempts, by `operation` and `reason`.
pub const RETRIES_TOTAL: &str = "wechatpay_retries_total";
/// Attempts sent to the other domain, by `to`.
pub const FAILOVERS_TOTAL: &str = "wechatpay_failovers_total";
/// Calls that waited for a rate-limit slot, by `operation` and `limiter`.
pub const RATE_LIMIT_WAITS_TOTAL: &str = "wechatpay_rate_limit_waits_total";
/// Rate-limit waits in seconds, by `operation` and `limiter`.
pub const RATE_LIMIT_WAIT_SECONDS: &str = "wechatpay_rate_limit_wait_seconds";
/// Acquires the in-process limiter answered for an unavailable Redis, by `operation`.
pub const RATE_LIMITER_FALLBACKS_TOTAL: &str = "wechatpay_rate_limiter_fallbacks_total";
/// Rejected WeChat Pay signatures, by `source`.
pub const VERIFICATION_FAILURES_TOTAL: &str = "wechatpay_verification_failures_total";
/// Platform certificate downloads, by `outcome` and `trigger`.
pub const CERTIFICATE_REFRESHES_TOTAL: &str = "wechatpay_certificate_refreshes_total";

/// The `outcome` label of a finished call.
pub fn outcome<T>(result: &Result<T, Error>) -> &'static str {
    match result {
        Ok(_) => "success",
        Err(Error::Api(_)) => "api_error",
        Err(Error::Verification(_)) => "verification_failed",
        Err(Error::Decode(_)) => "decode_error",
        Err(Error::Transport(_)) | Err(Error::Timeout(TimeoutKind::Connect)) => "transport_error",
        Err(Error::Timeout(_)) => "timeout",
        Err(Error::RateLimiter(_)) => "rate_limiter_unavailable",
        Err(Error::Validation(_)) | Err(Error::Build(_)) | Err(Error::Encode(_)) => "invalid_request",
        Err(Error::Config(_)) => "config_error",
        Err(Error::Certificate(_)) => "certificate_error",
        #[allow(unreachable_patterns)]
        Err(_) => "other",
    }
}

/// The `reason` label of a retry.
fn retry_reason(error: &Error) -> &'static str {
    match error {
        Error::Api(e) if e.status == 429 => "status_429",
        Error::Api(e) if e.status == 202 => "status_202",
        Error::Api(_) => "status_5xx",
        Error::Timeout(_) => "timeout",
        _ => "transport",
    }
}

/// A finished call.
pub(crate) fn call<T>(operation: &'static str, result: &Result<T, Error>, elapsed: Duration) {
    let outcome = outcome(result);
    #[cfg(feature = "metrics")]
    {
        ::metrics::counter!(CALLS_TOTAL, "operation" => operation, "outcome" => outcome).increment(1);
        ::metrics::histogram!(CALL_DURATION_SECONDS, "operation" => operation, "outcome" => outcome)
            .record(elapsed.as_secs_f64());
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (operation, outcome, elapsed);
}

/// An attempt that failed with `error` and is repeated.
pub(crate) fn retry(operation: &'static str, error: &Error) {
    let reason = retry_reason(error);
    #[cfg(feature = "metrics")]
    ::metrics::counter!(RETRIES_TOTAL, "operation" => operation, "reason" => reason).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = (operation, reason);
}

/// An attempt sent to the other domain; `to_backup` tells which.
pub(crate) fn failover(to_backup: bool) {
    let to = if to_backup { "backup" } else { "primary" };
    #[cfg(feature = "metrics")]
    ::metrics::counter!(FAILOVERS_TOTAL, "to" => to).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = to;
}

/// A granted rate-limit slot (only waits are counted).
/// `limiter` is the granting limiter's label (`LimiterSource::as_str`).
pub(crate) fn rate_limit_wait(operation: &'static str, limiter: &'static str, wait: Duration) {
    if wait.is_zero() {
        return;
    }
    #[cfg(feature = "metrics")]
    {
        ::metrics::counter!(RATE_LIMIT_WAITS_TOTAL, "operation" => operation, "limiter" => limiter).increment(1);
        ::metrics::histogram!(RATE_LIMIT_WAIT_SECONDS, "operation" => operation, "limiter" => limiter)
            .record(wait.as_secs_f64());
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (operation, limiter);
}

/// An acquire the in-process limiter answered because Redis was unavailable.
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub(crate) fn rate_limiter_fallback(operation: &'static str) {
    #[cfg(feature = "metrics")]
    ::metrics::counter!(RATE_LIMITER_FALLBACKS_TOTAL, "operation" => operation).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = operation;
}

/// A rejected signature: on a call's response, or on the certificate download.
pub(crate) fn verification_failure(certificates: bool) {
    let source = if certificates { "certificates" } else { "response" };
    #[cfg(feature = "metrics")]
    ::metrics::counter!(VERIFICATION_FAILURES_TOTAL, "source" => source).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = source;
}

/// A platform certificate download; `trigger` is `scheduled` or `unknown_serial`.
pub(crate) fn certificate_refresh(success: bool, trigger: &'static str) {
    let outcome = if success { "success" } else { "failure" };
    #[cfg(feature = "metrics")]
    ::metrics::counter!(CERTIFICATE_REFRESHES_TOTAL, "outcome" => outcome, "trigger" => trigger).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = (outcome, trigger);
}
