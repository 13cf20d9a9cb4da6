//! WeChat Pay notifications in an axum handler (feature `axum`): an extractor that verifies,
//! decrypts and decodes the callback ([`Notified`]), and the answer WeChat Pay expects
//! ([`NotifyAck`]).
//!
//! ```ignore
//! async fn on_notify(Notified(n): Notified<Client>) -> NotifyAck {
//!     match n.event { /* act on it */ _ => NotifyAck::Ok }
//! }
//! let app = Router::new().route("/wechatpay/notify", post(on_notify)).with_state(client);
//! ```
//!
//! The keys come from the app's state through [`FromRef`]: a client (its WeChat Pay public key or
//! platform certificates verify the signature, its APIv3 key decrypts the resource) or a
//! [`NotificationParser`] built without one. A notification that fails is answered with a
//! status WeChat Pay retries on and a `{"code":"FAIL","message":...}` body, and the reason is
//! logged (`tracing`, target `wechatpay_apiv3::axum`); the handler never runs.
//!
//! Replays: the signature check refuses a timestamp outside [`MAX_CLOCK_SKEW_SECS`]; within that
//! window, a delivery whose `Wechatpay-Nonce`, `Wechatpay-Timestamp` and `Wechatpay-Signature`
//! were all seen before in this process is refused too (401). WeChat Pay signs every delivery,
//! retries included, with a fresh nonce (the protocol's `Wechatpay-Nonce` is per message; no
//! source shows a retry reusing one), so only a copy of a delivery is refused.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{LazyLock, Mutex};

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::client::Client;
use crate::notify::{DecodeEvent, Notification, NotificationParser, NotifyError, failure_body};
use crate::verify::{HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, MAX_CLOCK_SKEW_SECS};

/// What opens a notification for an app: verifies its signature, decrypts and decodes it into
/// the family's event type [`OpenNotification::Event`]. Implemented by the core [`Client`]
/// (plain JSON events), by [`NotificationParser`] and by each API family's client (its typed
/// event enum).
pub trait OpenNotification: Send + Sync {
    /// The decoded event type.
    type Event: Send;

    /// Verifies and opens one notification.
    fn open_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> impl Future<Output = Result<Notification<Self::Event>, NotifyError>> + Send;
}

impl OpenNotification for Client {
    type Event = serde_json::Value;

    fn open_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> impl Future<Output = Result<Notification<serde_json::Value>, NotifyError>> + Send {
        self.parse_notification(headers, body)
    }
}

impl<E: DecodeEvent + Send + Sync> OpenNotification for NotificationParser<E> {
    type Event = E;

    fn open_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> impl Future<Output = Result<Notification<E>, NotifyError>> + Send {
        std::future::ready(self.parse(headers, body))
    }
}

/// A verified, decrypted and decoded notification, opened by `K` taken from the app's state.
/// Extracting it reads the whole body (at most 1 MiB: notifications are a few KiB).
#[derive(Debug)]
pub struct Notified<K: OpenNotification>(pub Notification<K::Event>);

/// Largest notification body read.
const MAX_BODY: usize = 1024 * 1024;

impl<S, K> FromRequest<S> for Notified<K>
where
    S: Send + Sync,
    K: OpenNotification + FromRef<S>,
{
    type Rejection = NotifyRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|e| NotifyRejection::reject(StatusCode::BAD_REQUEST, format!("unreadable body: {e}")))?;
        let opener = K::from_ref(state);
        let notification = opener
            .open_notification(&parts.headers, &body)
            .await
            .map_err(|e| NotifyRejection::reject(status_of(&e), e.to_string()))?;
        // Only a notification whose signature verified is remembered: a forgery cannot fill the
        // memory or block a genuine delivery.
        if !REPLAYS.first_time(&parts.headers) {
            return Err(NotifyRejection::reject(
                StatusCode::UNAUTHORIZED,
                "replayed: this signed notification (same nonce, timestamp and signature) was already received".into(),
            ));
        }
        Ok(Notified(notification))
    }
}

/// 401 for a signature that does not verify, 500 for what this app cannot open (no or a wrong
/// APIv3 key, a body it cannot decode): either way WeChat Pay delivers the notification again.
fn status_of(e: &NotifyError) -> StatusCode {
    match e {
        NotifyError::Verification(_) => StatusCode::UNAUTHORIZED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A notification that was not accepted: answered with a status WeChat Pay retries on and a
/// failure body; the reason is logged as a warning.
#[derive(Debug)]
pub struct NotifyRejection {
    /// The HTTP status answered.
    pub status: StatusCode,
    /// Why, as logged and answered.
    pub reason: String,
}

impl NotifyRejection {
    fn reject(status: StatusCode, reason: String) -> Self {
        tracing::warn!(target: "wechatpay_apiv3::axum", %status, reason = %reason, "notification refused");
        NotifyRejection { status, reason }
    }
}

impl IntoResponse for NotifyRejection {
    fn into_response(self) -> Response {
        failure(self.status, &self.reason)
    }
}

/// The answer to a notification: [`NotifyAck::Ok`] is 204 (accepted; WeChat Pay stops
/// delivering it), [`NotifyAck::Fail`] a 500 with `{"code":"FAIL","message":...}` (WeChat Pay
/// delivers it again later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyAck {
    /// Handled.
    Ok,
    /// Not handled; the message says why (it is sent to WeChat Pay and logged).
    Fail(String),
}

impl<T, E: std::fmt::Display> From<Result<T, E>> for NotifyAck {
    fn from(result: Result<T, E>) -> Self {
        match result {
            Ok(_) => NotifyAck::Ok,
            Err(e) => NotifyAck::Fail(e.to_string()),
        }
    }
}

impl IntoResponse for NotifyAck {
    fn into_response(self) -> Response {
        match self {
            NotifyAck::Ok => StatusCode::NO_CONTENT.into_response(),
            NotifyAck::Fail(message) => {
                tracing::warn!(target: "wechatpay_apiv3::axum", reason = %message, "notification not handled");
                failure(StatusCode::INTERNAL_SERVER_ERROR, &message)
            }
        }
    }
}

fn failure(status: StatusCode, message: &str) -> Response {
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], Bytes::from(failure_body(message)))
        .into_response()
}

/// Signed notifications seen within the clock-skew window, oldest first; a bounded memory.
struct Replays(Mutex<ReplayMemory>);

#[derive(Default)]
struct ReplayMemory {
    seen: HashMap<String, i64>,
    order: VecDeque<(i64, String)>,
}

/// At most this many deliveries are remembered; past it the oldest are forgotten first.
const MAX_REMEMBERED: usize = 100_000;

static REPLAYS: LazyLock<Replays> = LazyLock::new(|| Replays(Mutex::new(ReplayMemory::default())));

impl Replays {
    /// Records a verified notification's signature headers; `false` if they were seen before.
    fn first_time(&self, headers: &HeaderMap) -> bool {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
        let timestamp: i64 = get(HEADER_TIMESTAMP).parse().unwrap_or(0);
        let key = format!("{timestamp}\n{}\n{}", get(HEADER_NONCE), get(HEADER_SIGNATURE));
        let now = crate::signing::unix_timestamp();
        let mut memory = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Forget what the clock-skew window refuses anyway, and the oldest past the cap.
        while let Some((at, _)) = memory.order.front() {
            if *at >= now - MAX_CLOCK_SKEW_SECS && memory.order.len() < MAX_REMEMBERED {
                break;
            }
            if let Some((_, old)) = memory.order.pop_front() {
                memory.seen.remove(&old);
            }
        }
        if memory.seen.contains_key(&key) {
            return false;
        }
        memory.seen.insert(key.clone(), timestamp);
        memory.order.push_back((timestamp, key));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(nonce: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let now = crate::signing::unix_timestamp().to_string();
        h.insert(HEADER_TIMESTAMP, now.parse().unwrap());
        h.insert(HEADER_NONCE, nonce.parse().unwrap());
        h.insert(HEADER_SIGNATURE, "c2ln".parse().unwrap());
        h
    }

    #[test]
    fn a_delivery_is_accepted_once_and_its_copy_refused() {
        let replays = Replays(Mutex::new(ReplayMemory::default()));
        assert!(replays.first_time(&headers("nonce-a")));
        assert!(!replays.first_time(&headers("nonce-a")), "the same signed delivery again");
        assert!(replays.first_time(&headers("nonce-b")), "another delivery (a retry is signed anew)");
    }

    #[test]
    fn answers_are_what_wechat_pay_expects() {
        assert_eq!(NotifyAck::Ok.into_response().status(), StatusCode::NO_CONTENT);
        let fail = NotifyAck::from(Err::<(), _>("confirm failed")).into_response();
        assert_eq!(fail.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(fail.headers()[axum::http::header::CONTENT_TYPE], "application/json");
    }
}
