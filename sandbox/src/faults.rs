//! Fault injection: make the sandbox misbehave on purpose, for one request (the
//! `X-Sandbox-Fault` header) or for the next N requests (the admin endpoint
//! `POST /sandbox/faults` or [`Faults::inject`]).
//!
//! A fault is written as text, the same everywhere (header, admin endpoint, CLI docs):
//!
//! | text | what the sandbox does |
//! | --- | --- |
//! | `delay=200ms` (also `1.5s`, `2s`, `300` = ms) | waits, then serves the request normally |
//! | `500` or `system_error` | answers 500 `SYSTEM_ERROR` without handling the request |
//! | `429` or `ratelimit` | answers 429 `RATELIMIT_EXCEEDED` without handling the request |
//! | `202` or `accepted` | answers 202 with an empty (signed) body without handling the request ("请使用原参数重复请求一遍") |
//! | `drop` | closes the connection without answering; the request is **not** handled |
//! | `drop_after` | handles the request (state changes are kept), then closes the connection without answering: a lost response |
//! | `bad_signature` | handles the request, answers with a `Wechatpay-Signature` that does not verify |
//! | `stale_timestamp` | handles the request, answers signed with a `Wechatpay-Timestamp` 10 minutes old |
//! | `panic` | panics while holding the state, before handling the request, as a bug in a handler would: 500 `SYSTEM_ERROR`, request not handled, and every later request is served (one request's failure never affects another) |
//!
//! A delay combines with one other fault: `delay=300ms,500`. Faults apply after the request's
//! signature has been verified (a badly signed request is refused with 401 and consumes no
//! queued fault) and before the rate limit.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The operation id the fault queue and logs use for `GET /v3/certificates`.
pub const CERTIFICATES_OPERATION: &str = "download_certificates";
/// The per-request fault header.
pub const FAULT_HEADER: &str = "X-Sandbox-Fault";

/// What a fault does besides an optional delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultAction {
    /// 500 `SYSTEM_ERROR`, request not handled.
    SystemError,
    /// 429 `RATELIMIT_EXCEEDED`, request not handled.
    RateLimited,
    /// 202 with an empty signed body, request not handled.
    Accepted,
    /// Connection closed without a response, request not handled.
    Drop,
    /// Request handled, then the connection closed without a response (a lost response).
    DropAfter,
    /// Request handled; the response signature does not verify.
    BadSignature,
    /// Request handled; the response is signed with a timestamp 10 minutes old.
    StaleTimestamp,
    /// A panic while the state is held, before the request is handled (a stand-in for a bug):
    /// 500 `SYSTEM_ERROR`, request not handled, later requests served as usual.
    Panic,
}

impl FaultAction {
    /// The canonical text of the action.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultAction::SystemError => "500",
            FaultAction::RateLimited => "429",
            FaultAction::Accepted => "202",
            FaultAction::Drop => "drop",
            FaultAction::DropAfter => "drop_after",
            FaultAction::BadSignature => "bad_signature",
            FaultAction::StaleTimestamp => "stale_timestamp",
            FaultAction::Panic => "panic",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_lowercase().replace('-', "_").as_str() {
            "500" | "system_error" => FaultAction::SystemError,
            "429" | "ratelimit" | "rate_limit" | "ratelimit_exceeded" => FaultAction::RateLimited,
            "202" | "accepted" => FaultAction::Accepted,
            "drop" => FaultAction::Drop,
            "drop_after" => FaultAction::DropAfter,
            "bad_signature" => FaultAction::BadSignature,
            "stale_timestamp" => FaultAction::StaleTimestamp,
            "panic" => FaultAction::Panic,
            _ => return None,
        })
    }

    /// Whether the request is handled (state changes kept) before the fault shows.
    pub fn handles_request(self) -> bool {
        matches!(self, FaultAction::DropAfter | FaultAction::BadSignature | FaultAction::StaleTimestamp)
    }
}

/// A fault: an optional delay and an optional action. Parse one with [`Fault::parse`] (or
/// `str::parse`); build one with [`Fault::delay`] or `FaultAction::X.into()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fault {
    /// Wait this long before serving the request.
    pub delay: Option<Duration>,
    /// Then do this instead of (or after) serving it normally.
    pub action: Option<FaultAction>,
}

impl Fault {
    /// Just a delay.
    pub fn delay(delay: Duration) -> Self {
        Fault { delay: Some(delay), action: None }
    }

    /// This fault with a delay first.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Parses the text form, e.g. `500`, `drop_after`, `delay=200ms`, `delay=1s,429`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut fault = Fault::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if let Some(value) = part.strip_prefix("delay=").or_else(|| part.strip_prefix("delay:")) {
                if fault.delay.replace(parse_duration(value)?).is_some() {
                    return Err(format!("fault {text:?}: more than one delay"));
                }
            } else {
                let action = FaultAction::parse(part).ok_or_else(|| {
                    format!(
                        "unknown fault {part:?}; expected delay=<duration>, 500, 429, 202, drop, drop_after, bad_signature, stale_timestamp or panic"
                    )
                })?;
                if fault.action.replace(action).is_some() {
                    return Err(format!("fault {text:?}: more than one action (only a delay combines)"));
                }
            }
        }
        if fault == Fault::default() {
            return Err("empty fault".into());
        }
        Ok(fault)
    }
}

impl From<FaultAction> for Fault {
    fn from(action: FaultAction) -> Self {
        Fault { delay: None, action: Some(action) }
    }
}

impl std::str::FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Fault::parse(s)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(d) = self.delay {
            parts.push(format!("delay={}ms", d.as_millis()));
        }
        if let Some(a) = self.action {
            parts.push(a.as_str().to_owned());
        }
        f.write_str(&parts.join(","))
    }
}

impl serde::Serialize for Fault {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Fault {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Fault::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `200ms`, `1.5s`, `2s`, `1m`, or a bare number of milliseconds; at most 10 minutes.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("bad delay {text:?}; write e.g. 200ms or 1.5s");
    let (number, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "ms"),
    };
    let n: f64 = number.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" | "min" => n * 60.0,
        _ => return Err(bad()),
    };
    if !secs.is_finite() || !(0.0..=600.0).contains(&secs) {
        return Err(format!("delay {text:?} must be between 0 and 10 minutes"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// One queued fault.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QueuedFault {
    /// The fault.
    pub fault: Fault,
    /// How many more requests it applies to.
    pub count: u32,
    /// Only requests of this operation id (e.g. `create_stock_bundle`; `download_certificates`
    /// for `/v3/certificates`). Without it, the fault applies to any operation of the spec but
    /// not to certificate downloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

/// The running sandbox's fault queue. Cheap to clone; clones share the queue.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    queue: Arc<Mutex<VecDeque<QueuedFault>>>,
}

impl Faults {
    /// The next `count` requests (of any operation of the spec) get `fault`.
    pub fn inject(&self, fault: impl Into<Fault>, count: u32) {
        self.push(QueuedFault { fault: fault.into(), count, operation: None });
    }

    /// The next `count` requests of operation `operation` get `fault`.
    pub fn inject_for(&self, operation: &str, fault: impl Into<Fault>, count: u32) {
        self.push(QueuedFault { fault: fault.into(), count, operation: Some(operation.to_owned()) });
    }

    /// Queues a fault (entries are used in order; an entry with count 0 is ignored).
    pub fn push(&self, queued: QueuedFault) {
        if queued.count > 0 {
            self.lock().push_back(queued);
        }
    }

    /// Removes every queued fault.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The queued faults, in order.
    pub fn pending(&self) -> Vec<QueuedFault> {
        self.lock().iter().cloned().collect()
    }

    /// Takes one use of the first queued fault that applies to `operation`.
    pub(crate) fn take(&self, operation: &str) -> Option<Fault> {
        let mut q = self.lock();
        if q.is_empty() {
            return None;
        }
        let is_spec_op = operation != CERTIFICATES_OPERATION;
        let i = q.iter().position(|f| match &f.operation {
            Some(op) => op == operation,
            None => is_spec_op,
        })?;
        let entry = &mut q[i];
        let fault = entry.fault;
        entry.count -= 1;
        if entry.count == 0 {
            q.remove(i);
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<QueuedFault>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_form() {
        assert_eq!(Fault::parse("500").unwrap(), FaultAction::SystemError.into());
        assert_eq!(Fault::parse("system_error").unwrap(), FaultAction::SystemError.into());
        assert_eq!(Fault::parse("429").unwrap(), FaultAction::RateLimited.into());
        assert_eq!(Fault::parse("202").unwrap(), FaultAction::Accepted.into());
        assert_eq!(Fault::parse("drop").unwrap(), FaultAction::Drop.into());
        assert_eq!(Fault::parse("drop-after").unwrap(), FaultAction::DropAfter.into());
        assert_eq!(Fault::parse("bad_signature").unwrap(), FaultAction::BadSignature.into());
        assert_eq!(Fault::parse("stale_timestamp").unwrap(), FaultAction::StaleTimestamp.into());
        assert_eq!(Fault::parse("panic").unwrap(), FaultAction::Panic.into());
        assert_eq!(Fault::parse("delay=200ms").unwrap(), Fault::delay(Duration::from_millis(200)));
        assert_eq!(Fault::parse("delay=1.5s").unwrap(), Fault::delay(Duration::from_millis(1500)));
        assert_eq!(Fault::parse("delay=300").unwrap(), Fault::delay(Duration::from_millis(300)));
        let combined = Fault::parse("delay=1s, 500").unwrap();
        assert_eq!(combined, Fault::from(FaultAction::SystemError).with_delay(Duration::from_secs(1)));
        assert_eq!(combined.to_string(), "delay=1000ms,500");
        assert_eq!(Fault::parse(&combined.to_string()).unwrap(), combined);
    }

    #[test]
    fn refuses_nonsense() {
        for bad in ["", "boom", "500,429", "delay=fast", "delay=1h", "delay=1s,delay=2s", "delay=-1s"] {
            assert!(Fault::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn queue_counts_down_and_filters_by_operation() {
        let faults = Faults::default();
        faults.inject_for("create_stock_bundle", FaultAction::DropAfter, 1);
        faults.inject(FaultAction::SystemError, 2);
        assert_eq!(faults.take("create_product_coupon"), Some(FaultAction::SystemError.into()));
        assert_eq!(faults.take("create_stock_bundle"), Some(FaultAction::DropAfter.into()));
        assert_eq!(faults.take(CERTIFICATES_OPERATION), None);
        assert_eq!(faults.take("create_stock_bundle"), Some(FaultAction::SystemError.into()));
        assert_eq!(faults.take("create_stock_bundle"), None);
        assert!(faults.pending().is_empty());
    }
}
