//! Event notifications (回调通知), independent of any web framework: hand over the callback's
//! headers and raw body, get back a verified, decrypted, typed event.
//!
//! The order matters and is fixed here: the signature and timestamp are verified over the raw
//! body first, then the envelope is parsed, then the `AEAD_AES_256_GCM` resource is decrypted
//! with the APIv3 key, then the plaintext is decoded into the event type `E` (any
//! [`DecodeEvent`]: an API family's generated `NotificationEvent` enum, or plain
//! [`serde_json::Value`]). An API family's enum keeps event types it does not know as JSON,
//! never an error.
//!
//! A notification that cannot be opened says why in its [`NotifyError`]: no APIv3 key
//! configured ([`NotifyError::NoApiV3Key`]), a key that differs from the one the notification
//! was encrypted with ([`NotifyError::Decrypt`], its text saying so: [`WRONG_APIV3_KEY`]), a
//! signature that does not verify, and so on. Answer with that text ([`failure_body`]) and it reaches WeChat Pay's (or the
//! sandbox's) delivery log too; the key itself is never part of it.
//!
//! Answering the callback: reply `204 No Content` (or `200`) within 5 seconds once the event
//! is safely recorded; on failure reply with a 4xx/5xx status and [`failure_body`], and WeChat
//! Pay sends it again. Notifications can arrive more than once: make handling idempotent.
//!
//! ```no_run
//! # use wechatpay_apiv3::client::Client;
//! # async fn on_callback(client: &Client, headers: &reqwest::header::HeaderMap, body: &[u8]) -> u16 {
//! match client.parse_notification::<serde_json::Value>(headers, body).await {
//!     Ok(n) => {
//!         // Record `n.event` (here the decrypted JSON), keyed by `n.id`.
//!         let _ = (&n.event_type, &n.event);
//!         204
//!     }
//!     Err(_) => 400, // with wechatpay_apiv3::notify::failure_body(..)
//! }
//! # }
//! ```

use crate::aead::ApiV3Key;
use crate::client::Client;
use crate::types::DateTime;
use crate::verify::{KeySet, ResponseSignature, VerifyError};
use reqwest::header::HeaderMap;
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// The only resource encryption WeChat Pay uses for notifications.
pub const ALGORITHM: &str = "AEAD_AES_256_GCM";

/// The JSON WeChat Pay POSTs to the notify URL, before decryption.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Envelope {
    /// Notification id (string(36)); the same event notified twice keeps its id.
    pub id: String,
    /// When the notification was created.
    pub create_time: DateTime,
    /// Event type, e.g. `TRANSACTION.SUCCESS`.
    pub event_type: String,
    /// `encrypt-resource`.
    pub resource_type: String,
    /// Human summary, as WeChat Pay wrote it.
    #[serde(default)]
    pub summary: Option<String>,
    /// The encrypted event data.
    pub resource: EncryptedResource,
}

/// The encrypted `resource` of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct EncryptedResource {
    /// `AEAD_AES_256_GCM`.
    pub algorithm: String,
    /// Base64 of ciphertext followed by the 16-byte tag.
    pub ciphertext: String,
    /// Additional authenticated data.
    #[serde(default)]
    pub associated_data: Option<String>,
    /// The resource's type before encryption, as WeChat Pay names it.
    #[serde(default)]
    pub original_type: Option<String>,
    /// The 12-character nonce.
    pub nonce: String,
}

/// How the decrypted resource of a notification becomes a typed event: implemented by an API
/// family's generated event enum (a family crate's `NotificationEvent`) and by
/// [`serde_json::Value`], which keeps the JSON as is.
///
/// It is named for what it does, decoding an event, so that it never shares a name with a
/// family's `NotificationEvent` enum: applications import and match on the enum, and need this
/// trait only as the bound of [`Client::parse_notification`], [`NotificationParser`] and
/// [`open`]. (It was called `NotificationEvent` too, and importing it in place of the enum
/// gave error E0782.)
pub trait DecodeEvent: Sized {
    /// Decodes the decrypted resource of an `event_type` notification.
    fn decode_event(event_type: &str, resource: serde_json::Value) -> Result<Self, serde_json::Error>;
}

impl DecodeEvent for serde_json::Value {
    fn decode_event(_event_type: &str, resource: serde_json::Value) -> Result<Self, serde_json::Error> {
        Ok(resource)
    }
}

/// A verified and decrypted notification, its resource decoded as `E`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notification<E = serde_json::Value> {
    /// Notification id; use it (or the event's own keys) to drop duplicates.
    pub id: String,
    /// When the notification was created.
    pub create_time: DateTime,
    /// Event type as sent.
    pub event_type: String,
    /// Human summary.
    pub summary: Option<String>,
    /// `resource.original_type`.
    pub original_type: Option<String>,
    /// The decoded event.
    pub event: E,
}

/// Why a callback was not accepted. Its `Debug` output leaves the decrypted resource out (its
/// length only): errors get logged, and a resource holds users' openids and coupon codes.
#[non_exhaustive]
pub enum NotifyError {
    /// The signature headers are missing, stale, from an unknown key, or wrong.
    Verification(VerifyError),
    /// The body is not a notification envelope.
    Envelope(String),
    /// The resource is encrypted with something other than `AEAD_AES_256_GCM`.
    UnsupportedAlgorithm(String),
    /// No APIv3 key is configured, so the resource cannot be decrypted (set it with
    /// `ClientBuilder::apiv3_key` or `WECHATPAY_APIV3_KEY`; a brand's 品牌API密钥 with
    /// `brand_api_key` or `WECHATPAY_BRAND_API_KEY`).
    NoApiV3Key,
    /// The resource could not be decrypted; the text says why. An AEAD tag that does not
    /// verify with the configured APIv3 key (a brand's 品牌API密钥) is [`WRONG_APIV3_KEY`]:
    /// the body's signature verified first, so the body is as it was sent and the key differs
    /// from the one the notification was encrypted with. Otherwise a malformed nonce or
    /// ciphertext, or a plaintext that is not UTF-8.
    Decrypt(String),
    /// The decrypted resource of a known event type does not match its model; the decrypted
    /// text is kept so nothing is lost.
    Resource {
        /// The event type.
        event_type: String,
        /// What serde reported.
        message: String,
        /// The decrypted resource.
        plaintext: String,
    },
}

impl fmt::Debug for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotifyError::Verification(e) => f.debug_tuple("Verification").field(e).finish(),
            NotifyError::Envelope(e) => f.debug_tuple("Envelope").field(e).finish(),
            NotifyError::UnsupportedAlgorithm(a) => f.debug_tuple("UnsupportedAlgorithm").field(a).finish(),
            NotifyError::NoApiV3Key => f.write_str("NoApiV3Key"),
            NotifyError::Decrypt(e) => f.debug_tuple("Decrypt").field(e).finish(),
            NotifyError::Resource { event_type, message, plaintext } => f
                .debug_struct("Resource")
                .field("event_type", event_type)
                .field("message", message)
                .field("plaintext", &format_args!("<{} bytes, not shown>", plaintext.len()))
                .finish(),
        }
    }
}

impl fmt::Display for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotifyError::Verification(e) => write!(f, "notification signature not accepted: {e}"),
            NotifyError::Envelope(e) => write!(f, "not a notification envelope: {e}"),
            NotifyError::UnsupportedAlgorithm(a) => write!(f, "unsupported resource algorithm {a:?}"),
            NotifyError::NoApiV3Key => f.write_str(
                "cannot decrypt the notification: no APIv3 key configured: set it with ClientBuilder::apiv3_key / \
                 WECHATPAY_APIV3_KEY (a brand client: its 品牌API密钥, ClientBuilder::brand_api_key / \
                 WECHATPAY_BRAND_API_KEY)",
            ),
            NotifyError::Decrypt(e) => write!(f, "cannot decrypt the notification: {e}"),
            NotifyError::Resource { event_type, message, .. } => {
                write!(f, "the {event_type} resource does not match its model: {message}")
            }
        }
    }
}

impl std::error::Error for NotifyError {}

/// What [`NotifyError::Decrypt`] holds when the resource's AEAD tag does not verify with the
/// configured key: after the signature verified, only the key can be wrong.
pub const WRONG_APIV3_KEY: &str = "the AEAD tag did not verify: the APIv3 key differs from the one the notification \
                                   was encrypted with (its signature verified, so the body is as sent); check \
                                   ClientBuilder::apiv3_key / WECHATPAY_APIV3_KEY (a brand client: its 品牌API密钥, \
                                   WECHATPAY_BRAND_API_KEY)";

/// The JSON body to send with a failure status, so WeChat Pay retries the notification.
pub fn failure_body(message: &str) -> String {
    serde_json::json!({ "code": "FAIL", "message": message }).to_string()
}

/// Parses the envelope of an already verified body, decrypts its resource and decodes it.
///
/// The body must have been verified: a resource whose AEAD tag does not verify is then
/// reported as a wrong key ([`WRONG_APIV3_KEY`]).
pub fn open<E: DecodeEvent>(body: &[u8], key: &ApiV3Key) -> Result<Notification<E>, NotifyError> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| NotifyError::Envelope(e.to_string()))?;
    let r = &envelope.resource;
    if r.algorithm != ALGORITHM {
        return Err(NotifyError::UnsupportedAlgorithm(r.algorithm.clone()));
    }
    let aad = r.associated_data.as_deref().unwrap_or("");
    let plaintext = key.decrypt(&r.nonce, aad, &r.ciphertext).map_err(|e| {
        NotifyError::Decrypt(if e.is_tag_mismatch() { WRONG_APIV3_KEY.to_owned() } else { e.to_string() })
    })?;
    let plaintext = String::from_utf8(plaintext).map_err(|_| NotifyError::Decrypt("plaintext is not UTF-8".into()))?;
    let resource_error = |message: String| NotifyError::Resource {
        event_type: envelope.event_type.clone(),
        message,
        plaintext: plaintext.clone(),
    };
    let json: serde_json::Value = serde_json::from_str(&plaintext).map_err(|e| resource_error(e.to_string()))?;
    let event = E::decode_event(&envelope.event_type, json).map_err(|e| resource_error(e.to_string()))?;
    Ok(Notification {
        id: envelope.id,
        create_time: envelope.create_time,
        event_type: envelope.event_type,
        summary: envelope.summary,
        original_type: envelope.resource.original_type,
        event,
    })
}

/// Verifies and opens notifications with keys of its own, for a callback server that has no
/// [`Client`] (with a client, use [`Client::parse_notification`]).
///
/// `E` is the event type notifications decode into (JSON by default; an API family's crate
/// names its own event enum).
pub struct NotificationParser<E = serde_json::Value> {
    keys: KeySet,
    apiv3_key: ApiV3Key,
    event: PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for NotificationParser<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotificationParser").field("keys", &self.keys).field("apiv3_key", &self.apiv3_key).finish()
    }
}

impl<E> Clone for NotificationParser<E> {
    fn clone(&self) -> Self {
        NotificationParser { keys: self.keys.clone(), apiv3_key: self.apiv3_key.clone(), event: PhantomData }
    }
}

impl<E: DecodeEvent> NotificationParser<E> {
    /// A parser verifying with `keys` (the WeChat Pay public key and/or platform
    /// certificates, by serial) and decrypting with `apiv3_key`.
    pub fn new(keys: KeySet, apiv3_key: ApiV3Key) -> Self {
        NotificationParser { keys, apiv3_key, event: PhantomData }
    }

    /// Verifies the `Wechatpay-*` headers over the raw body, then opens it.
    pub fn parse(&self, headers: &HeaderMap, body: &[u8]) -> Result<Notification<E>, NotifyError> {
        self.keys.verify_response(headers, body).map_err(NotifyError::Verification)?;
        open(body, &self.apiv3_key)
    }

    /// The same, for frameworks with their own header types: `header(name)` returns a
    /// header's value (names are asked for in their canonical spelling, e.g.
    /// `Wechatpay-Signature`; match them case-insensitively).
    pub fn parse_with<'a>(
        &self,
        header: impl FnMut(&str) -> Option<&'a str>,
        body: &[u8],
    ) -> Result<Notification<E>, NotifyError> {
        let sig = ResponseSignature::from_lookup(header).map_err(NotifyError::Verification)?;
        self.keys.verify_signature(&sig, body, crate::signing::unix_timestamp()).map_err(NotifyError::Verification)?;
        open(body, &self.apiv3_key)
    }
}

impl Client {
    /// Verifies a notification with this client's keys (downloading platform certificates for
    /// an unknown serial in certificate mode), then decrypts it with the client's APIv3 key.
    pub async fn parse_notification<E: DecodeEvent>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Notification<E>, NotifyError> {
        self.verify_signature(headers, body).await.map_err(NotifyError::Verification)?;
        let key = self.apiv3_key().ok_or(NotifyError::NoApiV3Key)?;
        open(body, key)
    }
}

#[cfg(test)]
mod debug_tests {
    use super::NotifyError;

    #[test]
    fn debug_output_leaves_the_decrypted_resource_out() {
        let e = NotifyError::Resource {
            event_type: "PRODUCT_COUPON_SP.SEND".into(),
            message: "missing field `coupon_code`".into(),
            plaintext: r#"{"openid":"oSecretUser"}"#.into(),
        };
        let shown = format!("{e:?}");
        assert!(!shown.contains("oSecretUser"), "{shown}");
        assert!(shown.contains("PRODUCT_COUPON_SP.SEND") && shown.contains("24 bytes"), "{shown}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    fn envelope(key: &str) -> Vec<u8> {
        let ciphertext = ApiV3Key::new(key).unwrap().encrypt("RyEAOXA83YES", "product_coupon", b"{\"a\":1}").unwrap();
        serde_json::json!({
            "id": "EV-2018022511223320873",
            "create_time": "2025-01-01T00:00:00+08:00",
            "event_type": "SOMETHING.HAPPENED",
            "resource_type": "encrypt-resource",
            "resource": {
                "algorithm": ALGORITHM,
                "ciphertext": ciphertext,
                "associated_data": "product_coupon",
                "nonce": "RyEAOXA83YES",
            },
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn opens_with_the_key_it_was_encrypted_with() {
        let n: Notification = open(&envelope(KEY), &ApiV3Key::new(KEY).unwrap()).unwrap();
        assert_eq!((n.event_type.as_str(), n.event), ("SOMETHING.HAPPENED", serde_json::json!({"a": 1})));
    }

    #[test]
    fn another_key_is_named_as_the_reason() {
        let other = "fedcba9876543210fedcba9876543210";
        let e = open::<serde_json::Value>(&envelope(KEY), &ApiV3Key::new(other).unwrap()).unwrap_err();
        assert!(matches!(&e, NotifyError::Decrypt(m) if m == WRONG_APIV3_KEY), "{e:?}");
        let text = e.to_string();
        assert!(text.contains("the AEAD tag did not verify: the APIv3 key differs"), "{text}");
        assert!(text.contains("WECHATPAY_APIV3_KEY"), "{text}");
        assert!(!text.contains(KEY) && !text.contains(other) && !format!("{e:?}").contains(other), "{text}");
    }

    #[test]
    fn no_key_is_named_as_the_reason() {
        let text = NotifyError::NoApiV3Key.to_string();
        assert!(text.contains("no APIv3 key configured: set it with ClientBuilder::apiv3_key / WECHATPAY_APIV3_KEY"));
        assert!(text.contains("WECHATPAY_BRAND_API_KEY"), "{text}");
    }

    #[test]
    fn a_malformed_resource_is_not_blamed_on_the_key() {
        let body = String::from_utf8(envelope(KEY)).unwrap().replace("RyEAOXA83YES", "short");
        let e = open::<serde_json::Value>(body.as_bytes(), &ApiV3Key::new(KEY).unwrap()).unwrap_err();
        assert!(matches!(&e, NotifyError::Decrypt(m) if m.contains("nonce")), "{e:?}");
    }
}
