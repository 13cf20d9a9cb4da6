//! Signature verification, both directions:
//!
//! * responses and callbacks signed by WeChat Pay ([`ResponseSignature`], [`KeySet`]): the
//!   `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature` and `Wechatpay-Serial`
//!   headers over `TIMESTAMP\nNONCE\nBODY\n` (raw body bytes). The same check serves
//!   notifications: pass the callback's headers and raw body.
//! * requests signed by a merchant (`verify_request`, with the non-default `server` feature),
//!   for a sandbox that stands in for WeChat Pay and must check the client's `Authorization`
//!   header.
//!
//! Signatures starting `WECHATPAY/SIGNTEST/` (WeChat Pay's deliberate probe signatures) get no
//! special treatment: they simply do not verify.

use std::collections::HashMap;
use std::fmt;

use reqwest::header::HeaderMap;

use crate::keys::PublicKey;
#[cfg(feature = "server")]
use crate::protocol::request_message;
use crate::protocol::{SCHEME, response_message, unix_timestamp};

/// Largest accepted difference between a signature's timestamp and the local clock, in seconds;
/// a difference of this much or more is rejected.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// `Wechatpay-Timestamp` header name.
pub const HEADER_TIMESTAMP: &str = "Wechatpay-Timestamp";
/// `Wechatpay-Nonce` header name.
pub const HEADER_NONCE: &str = "Wechatpay-Nonce";
/// `Wechatpay-Signature` header name.
pub const HEADER_SIGNATURE: &str = "Wechatpay-Signature";
/// `Wechatpay-Serial` header name (on responses: the key that signed; on requests: the key the
/// client can verify with).
pub const HEADER_SERIAL: &str = "Wechatpay-Serial";
/// `Wechatpay-Signature-Type` header name.
pub const HEADER_SIGNATURE_TYPE: &str = "Wechatpay-Signature-Type";
/// `Request-ID` header name.
pub const HEADER_REQUEST_ID: &str = "Request-ID";

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// A signature header is absent.
    MissingHeader(&'static str),
    /// A header is present but unusable (not text, not a number, wrong signature type).
    InvalidHeader {
        /// Header name.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// `|now - timestamp| >= 5 minutes`.
    StaleTimestamp {
        /// The signed timestamp.
        timestamp: i64,
        /// The local clock.
        now: i64,
    },
    /// The serial names no key this side holds.
    UnknownSerial(String),
    /// The serial names a platform certificate that has expired (its listed `expire_time` or
    /// its own notAfter has passed); it never verifies again.
    ExpiredCertificate {
        /// The certificate's serial.
        serial: String,
        /// When it expired (Unix seconds).
        expired_at: i64,
    },
    /// The signature does not match (includes `WECHATPAY/SIGNTEST/` probes and bad Base64).
    BadSignature {
        /// The serial of the key that was tried.
        serial: String,
    },
    /// An `Authorization` header that is not a well-formed `WECHATPAY2-SHA256-RSA2048` value.
    MalformedAuthorization(String),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingHeader(name) => write!(f, "missing header {name}"),
            VerifyError::InvalidHeader { name, reason } => write!(f, "invalid header {name}: {reason}"),
            VerifyError::StaleTimestamp { timestamp, now } => {
                write!(
                    f,
                    "signature timestamp {timestamp} is {}s away from local time {now} (limit {MAX_CLOCK_SKEW_SECS}s)",
                    (now - timestamp).abs()
                )
            }
            VerifyError::UnknownSerial(serial) => write!(f, "no verification key for serial {serial:?}"),
            VerifyError::ExpiredCertificate { serial, expired_at } => {
                write!(f, "platform certificate {serial:?} expired at Unix time {expired_at}")
            }
            VerifyError::BadSignature { serial } => write!(f, "signature does not verify with key {serial:?}"),
            VerifyError::MalformedAuthorization(why) => write!(f, "malformed Authorization header: {why}"),
        }
    }
}

impl std::error::Error for VerifyError {}

fn check_timestamp(timestamp: &str, name: &'static str, now: i64) -> Result<i64, VerifyError> {
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::InvalidHeader { name, reason: format!("not a Unix timestamp: {timestamp:?}") })?;
    if now.saturating_sub(ts).saturating_abs() >= MAX_CLOCK_SKEW_SECS {
        return Err(VerifyError::StaleTimestamp { timestamp: ts, now });
    }
    Ok(ts)
}

/// The `Wechatpay-*` signature headers of a response or callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseSignature {
    /// `Wechatpay-Timestamp`, verbatim.
    pub timestamp: String,
    /// `Wechatpay-Nonce`, verbatim.
    pub nonce: String,
    /// `Wechatpay-Signature` (standard Base64).
    pub signature: String,
    /// `Wechatpay-Serial`: `PUB_KEY_ID_...` or a platform certificate serial.
    pub serial: String,
    /// `Wechatpay-Signature-Type`, when sent.
    pub signature_type: Option<String>,
}

impl ResponseSignature {
    /// Reads the signature headers from an HTTP header map (names are case-insensitive).
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, VerifyError> {
        let mut invalid = None;
        let sig = Self::from_lookup(|name| match headers.get(name).map(|v| v.to_str()) {
            Some(Ok(v)) => Some(v),
            Some(Err(_)) => {
                invalid.get_or_insert(name.to_owned());
                None
            }
            None => None,
        });
        match (sig, invalid) {
            (Ok(sig), _) => Ok(sig),
            (Err(VerifyError::MissingHeader(name)), Some(bad)) if bad == name => {
                Err(VerifyError::InvalidHeader { name, reason: "not visible ASCII".into() })
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Reads the signature headers through a lookup function, for frameworks with their own
    /// header types. `get` receives the canonical header name and should match it
    /// case-insensitively.
    pub fn from_lookup<'a>(mut get: impl FnMut(&str) -> Option<&'a str>) -> Result<Self, VerifyError> {
        let mut need = |name: &'static str| get(name).map(str::to_owned).ok_or(VerifyError::MissingHeader(name));
        let timestamp = need(HEADER_TIMESTAMP)?;
        let nonce = need(HEADER_NONCE)?;
        let signature = need(HEADER_SIGNATURE)?;
        let serial = need(HEADER_SERIAL)?;
        let signature_type = get(HEADER_SIGNATURE_TYPE).map(str::to_owned);
        Ok(ResponseSignature { timestamp, nonce, signature, serial, signature_type })
    }

    /// The header name/value pairs to send (for a server signing its responses).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            (HEADER_TIMESTAMP, self.timestamp.clone()),
            (HEADER_NONCE, self.nonce.clone()),
            (HEADER_SIGNATURE, self.signature.clone()),
            (HEADER_SERIAL, self.serial.clone()),
        ];
        if let Some(t) = &self.signature_type {
            v.push((HEADER_SIGNATURE_TYPE, t.clone()));
        }
        v
    }

    /// The signed message for `body`.
    pub fn message(&self, body: &[u8]) -> Vec<u8> {
        response_message(&self.timestamp, &self.nonce, body)
    }

    /// Checks the signature type, the timestamp window (against `now`, Unix seconds) and the
    /// signature over `body` with `key` (the caller has picked `key` by [`Self::serial`]).
    pub fn verify(&self, body: &[u8], key: &PublicKey, now: i64) -> Result<(), VerifyError> {
        // Brand-direct callbacks may name the brand scheme; the signature is the same.
        if let Some(t) = &self.signature_type
            && t.trim() != SCHEME
            && t.trim() != crate::protocol::BRAND_SCHEME
        {
            return Err(VerifyError::InvalidHeader {
                name: HEADER_SIGNATURE_TYPE,
                reason: format!("unsupported signature type {t:?}"),
            });
        }
        check_timestamp(&self.timestamp, HEADER_TIMESTAMP, now)?;
        if key.verify_base64(&self.message(body), &self.signature) {
            Ok(())
        } else {
            Err(VerifyError::BadSignature { serial: self.serial.clone() })
        }
    }

    /// Picks the key with `lookup(serial)` and verifies; an unknown serial is an error.
    pub fn verify_with(
        &self,
        body: &[u8],
        now: i64,
        lookup: impl FnOnce(&str) -> Option<PublicKey>,
    ) -> Result<(), VerifyError> {
        let key = lookup(&self.serial).ok_or_else(|| VerifyError::UnknownSerial(self.serial.clone()))?;
        self.verify(body, &key, now)
    }
}

/// Verification keys by serial: `PUB_KEY_ID_...` ids and/or platform certificate serials.
///
/// ```no_run
/// # use wechatpay_apiv3::{keys::PublicKey, verify::KeySet};
/// # fn f(pem: &str, headers: &reqwest::header::HeaderMap, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// let mut keys = KeySet::new();
/// keys.insert("PUB_KEY_ID_0000000000000024101100397200000006", PublicKey::from_pem(pem)?);
/// keys.verify_response(headers, body)?; // a response or a callback
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, PublicKey>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the key for `serial`.
    pub fn insert(&mut self, serial: impl Into<String>, key: PublicKey) {
        self.keys.insert(serial.into(), key);
    }

    /// The key for `serial`.
    pub fn get(&self, serial: &str) -> Option<&PublicKey> {
        self.keys.get(serial)
    }

    /// The serials held.
    pub fn serials(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Verifies a response or callback: headers plus the raw body, against the local clock.
    pub fn verify_response(&self, headers: &HeaderMap, body: &[u8]) -> Result<ResponseSignature, VerifyError> {
        let sig = ResponseSignature::from_headers(headers)?;
        self.verify_signature(&sig, body, unix_timestamp())?;
        Ok(sig)
    }

    /// Verifies already-extracted signature headers against `now` (Unix seconds).
    pub fn verify_signature(&self, sig: &ResponseSignature, body: &[u8], now: i64) -> Result<(), VerifyError> {
        sig.verify_with(body, now, |serial| self.get(serial).cloned())
    }
}

/// The parameters of a `WECHATPAY2-SHA256-RSA2048` `Authorization` header. Server side: only
/// with the `server` feature.
#[cfg(feature = "server")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationParams {
    /// `mchid`.
    pub mchid: String,
    /// `nonce_str`.
    pub nonce_str: String,
    /// `timestamp`, verbatim.
    pub timestamp: String,
    /// `serial_no`: the merchant API certificate serial.
    pub serial_no: String,
    /// `signature` (standard Base64).
    pub signature: String,
}

#[cfg(feature = "server")]
impl AuthorizationParams {
    /// Parses an `Authorization` header value. Parameter order does not matter; each of the
    /// five parameters must appear exactly once; unknown parameters are refused.
    pub fn parse(header: &str) -> Result<Self, VerifyError> {
        let bad = |why: &str| VerifyError::MalformedAuthorization(why.to_owned());
        let rest = header.trim().strip_prefix(SCHEME).ok_or_else(|| bad("scheme is not WECHATPAY2-SHA256-RSA2048"))?;
        if !rest.starts_with([' ', '\t']) {
            return Err(bad("no space after the scheme"));
        }
        let mut fields: [Option<String>; 5] = Default::default();
        for item in rest.split(',') {
            let (name, value) = item.trim().split_once('=').ok_or_else(|| bad("parameter without '='"))?;
            let value = value
                .trim()
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or_else(|| bad("parameter value is not quoted"))?;
            let slot = match name.trim() {
                "mchid" => 0,
                "nonce_str" => 1,
                "timestamp" => 2,
                "serial_no" => 3,
                "signature" => 4,
                other => return Err(bad(&format!("unknown parameter {other:?}"))),
            };
            if fields[slot].replace(value.to_owned()).is_some() {
                return Err(bad(&format!("parameter {:?} repeated", name.trim())));
            }
        }
        let [mchid, nonce_str, timestamp, serial_no, signature] = fields;
        let need = |v: Option<String>, name: &str| v.ok_or_else(|| bad(&format!("parameter {name:?} missing")));
        Ok(AuthorizationParams {
            mchid: need(mchid, "mchid")?,
            nonce_str: need(nonce_str, "nonce_str")?,
            timestamp: need(timestamp, "timestamp")?,
            serial_no: need(serial_no, "serial_no")?,
            signature: need(signature, "signature")?,
        })
    }
}

/// Verifies a merchant's signed request, as WeChat Pay does (for a sandbox server). Only with the
/// `server` feature.
///
/// `canonical_url` is the request target as received (path plus `?query`, no host); `body` the
/// raw body bytes. `lookup` picks the merchant's public key from the parsed parameters (by
/// `mchid` and `serial_no`); `None` gives [`VerifyError::UnknownSerial`]. The timestamp must be
/// within [`MAX_CLOCK_SKEW_SECS`] of `now`. Returns the parsed parameters on success.
#[cfg(feature = "server")]
pub fn verify_request(
    authorization: &str,
    method: &str,
    canonical_url: &str,
    body: &[u8],
    now: i64,
    lookup: impl FnOnce(&AuthorizationParams) -> Option<PublicKey>,
) -> Result<AuthorizationParams, VerifyError> {
    let params = AuthorizationParams::parse(authorization)?;
    let key = lookup(&params).ok_or_else(|| VerifyError::UnknownSerial(params.serial_no.clone()))?;
    let ts = check_timestamp(&params.timestamp, "Authorization", now)?;
    if params.timestamp != ts.to_string() {
        return Err(VerifyError::MalformedAuthorization("timestamp is not a plain decimal number".into()));
    }
    let message = request_message(method, canonical_url, ts, &params.nonce_str, body);
    if key.verify_base64(&message, &params.signature) {
        Ok(params)
    } else {
        Err(VerifyError::BadSignature { serial: params.serial_no.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "server")]
    #[test]
    fn parses_authorization_in_any_order() {
        let h = r#"WECHATPAY2-SHA256-RSA2048 signature="c2ln",mchid="1900000001", timestamp="1700000000",serial_no="ABC",nonce_str="n""#;
        let p = AuthorizationParams::parse(h).unwrap();
        assert_eq!(p.mchid, "1900000001");
        assert_eq!(p.signature, "c2ln");
        assert_eq!(p.timestamp, "1700000000");
        assert!(AuthorizationParams::parse("Bearer x").is_err());
        assert!(AuthorizationParams::parse(r#"WECHATPAY2-SHA256-RSA2048 mchid="1""#).is_err());
        assert!(AuthorizationParams::parse(&h.replace("mchid", "nonce_str")).is_err());
    }

    #[test]
    fn missing_headers_are_named() {
        let headers = HeaderMap::new();
        assert_eq!(ResponseSignature::from_headers(&headers), Err(VerifyError::MissingHeader(HEADER_TIMESTAMP)));
    }

    #[test]
    fn timestamp_window_is_exclusive_at_five_minutes() {
        assert!(check_timestamp("1000", HEADER_TIMESTAMP, 1299).is_ok());
        assert!(check_timestamp("1000", HEADER_TIMESTAMP, 1300).is_err());
        assert!(check_timestamp("1300", HEADER_TIMESTAMP, 1000).is_err());
        assert!(check_timestamp("1299", HEADER_TIMESTAMP, 1000).is_ok());
        assert!(check_timestamp("x", HEADER_TIMESTAMP, 1000).is_err());
    }
}
