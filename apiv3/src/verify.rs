//! Signature verification, both directions:
//!
//! * responses and callbacks signed by WeChat Pay ([`ResponseSignature`], [`KeySet`]): the
//!   `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature` and `Wechatpay-Serial`
//!   headers over `TIMESTAMP\nNONCE\nBODY\n` (raw body bytes). The same check serves
//!   notifications: pass the callback's headers and raw body.
//! * requests signed by a merchant or a brand (`verify_request`, with the non-default `server`
//!   feature), for a sandbox that stands in for WeChat Pay and must check the client's
//!   `Authorization` header: one parser for every [`AuthScheme`], given the schemes a path
//!   accepts.
//!
//! Signatures starting `WECHATPAY/SIGNTEST/` (WeChat Pay's deliberate probe signatures) get no
//! special treatment: they simply do not verify.

use std::collections::HashMap;
use std::fmt;

use reqwest::header::HeaderMap;

use crate::keys::PublicKey;
pub use crate::protocol::AuthScheme;
#[cfg(feature = "server")]
use crate::protocol::request_message;
use crate::protocol::{response_message, unix_timestamp};

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
    /// An `Authorization` header that is not a well-formed value of its scheme.
    MalformedAuthorization(String),
    /// An `Authorization` header of a scheme not accepted here (e.g. a merchant's signature on
    /// a brand's path), or of no known scheme.
    UnexpectedScheme {
        /// The header's scheme, when it is a known one.
        found: Option<AuthScheme>,
        /// The schemes accepted here.
        expected: Vec<AuthScheme>,
    },
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
            VerifyError::UnexpectedScheme { found, expected } => {
                match found {
                    Some(found) => write!(f, "Authorization scheme {found} is not accepted here; expected ")?,
                    None => write!(f, "Authorization header of no known scheme; expected ")?,
                }
                for (i, scheme) in expected.iter().enumerate() {
                    write!(f, "{}{scheme}", if i == 0 { "" } else { " or " })?;
                }
                Ok(())
            }
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
            && AuthScheme::from_token(t.trim()).is_none()
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

/// The parameters of an `Authorization` header, in any [`AuthScheme`]. Server side: only with
/// the `server` feature.
#[cfg(feature = "server")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationParams {
    /// The header's scheme.
    pub scheme: AuthScheme,
    /// Who signed: the value of the scheme's identity parameter (`mchid` or `brand_id`).
    pub identity: String,
    /// `nonce_str`.
    pub nonce_str: String,
    /// `timestamp`, verbatim.
    pub timestamp: String,
    /// `serial_no`: the serial of the signer's certificate.
    pub serial_no: String,
    /// `signature` (standard Base64).
    pub signature: String,
}

#[cfg(feature = "server")]
impl AuthorizationParams {
    /// Parses an `Authorization` header value of any known scheme ([`AuthScheme::ALL`]).
    pub fn parse(header: &str) -> Result<Self, VerifyError> {
        Self::parse_for(header, &AuthScheme::ALL)
    }

    /// Parses an `Authorization` header value of one of `schemes`: the scheme's token, white
    /// space, then `name="value"` parameters separated by commas. Parameter order does not
    /// matter; each of the five parameters (the scheme's identity, `nonce_str`, `timestamp`,
    /// `serial_no`, `signature`) must appear exactly once; unknown parameters (including another
    /// scheme's identity) are refused. A scheme not in `schemes` is
    /// [`VerifyError::UnexpectedScheme`].
    pub fn parse_for(header: &str, schemes: &[AuthScheme]) -> Result<Self, VerifyError> {
        let bad = |why: String| VerifyError::MalformedAuthorization(why);
        let header = header.trim();
        let token = header.split([' ', '\t']).next().unwrap_or_default();
        let Some(scheme) = schemes.iter().copied().find(|s| s.token() == token) else {
            // A known scheme with its parameters glued on is still named, to say what is wrong.
            let found = AuthScheme::from_token(token)
                .or_else(|| AuthScheme::ALL.into_iter().find(|s| header.starts_with(s.token())));
            return match found {
                Some(s) if schemes.contains(&s) => Err(bad(format!("no space after the scheme {s}"))),
                found => Err(VerifyError::UnexpectedScheme { found, expected: schemes.to_vec() }),
            };
        };
        let rest = &header[token.len()..];
        let names = [scheme.identity_param(), "nonce_str", "timestamp", "serial_no", "signature"];
        let mut fields: [Option<&str>; 5] = [None; 5];
        for item in rest.split(',') {
            let (name, value) = item.trim().split_once('=').ok_or_else(|| bad("parameter without '='".to_owned()))?;
            let name = name.trim();
            let value = value
                .trim()
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or_else(|| bad(format!("parameter {name:?} is not quoted")))?;
            let slot = names
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| bad(format!("unknown parameter {name:?} in the {scheme} scheme")))?;
            if fields[slot].replace(value).is_some() {
                return Err(bad(format!("parameter {name:?} repeated")));
            }
        }
        let mut values = [""; 5];
        for (i, (field, name)) in fields.into_iter().zip(names).enumerate() {
            values[i] = field.ok_or_else(|| bad(format!("parameter {name:?} missing")))?;
        }
        let [identity, nonce_str, timestamp, serial_no, signature] = values.map(str::to_owned);
        Ok(AuthorizationParams { scheme, identity, nonce_str, timestamp, serial_no, signature })
    }

    /// The merchant id, for a [`AuthScheme::PARTNER`] header.
    pub fn mchid(&self) -> Option<&str> {
        (self.scheme == AuthScheme::PARTNER).then_some(self.identity.as_str())
    }

    /// The brand id, for a [`AuthScheme::BRAND`] header.
    pub fn brand_id(&self) -> Option<&str> {
        (self.scheme == AuthScheme::BRAND).then_some(self.identity.as_str())
    }
}

/// Verifies a signed request as WeChat Pay does (for a sandbox server), in whichever of
/// `schemes` the request's path accepts. Only with the `server` feature.
///
/// `canonical_url` is the request target as received (path plus `?query`, no host); `body` the
/// raw body bytes. `lookup` picks the signer's public key from the parsed parameters (by
/// [`scheme`](AuthorizationParams::scheme), [`identity`](AuthorizationParams::identity) and
/// `serial_no`); `None` gives [`VerifyError::UnknownSerial`]. The timestamp must be within
/// [`MAX_CLOCK_SKEW_SECS`] of `now`. Returns the parsed parameters on success; their `scheme`
/// says which scheme the request was signed in.
#[cfg(feature = "server")]
pub fn verify_request(
    schemes: &[AuthScheme],
    authorization: &str,
    method: &str,
    canonical_url: &str,
    body: &[u8],
    now: i64,
    lookup: impl FnOnce(&AuthorizationParams) -> Option<PublicKey>,
) -> Result<AuthorizationParams, VerifyError> {
    let params = AuthorizationParams::parse_for(authorization, schemes)?;
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
        assert_eq!((p.scheme, p.mchid(), p.brand_id()), (AuthScheme::PARTNER, Some("1900000001"), None));
        assert_eq!(p.signature, "c2ln");
        assert_eq!(p.timestamp, "1700000000");
        assert!(AuthorizationParams::parse("Bearer x").is_err());
        assert!(AuthorizationParams::parse(r#"WECHATPAY2-SHA256-RSA2048 mchid="1""#).is_err());
        assert!(AuthorizationParams::parse(&h.replace("mchid", "nonce_str")).is_err());
    }

    #[cfg(feature = "server")]
    mod schemes {
        use super::*;
        use crate::keys::PrivateKey;
        use crate::signing::RequestSigner;

        const KEY: &str = include_str!("../../sandbox/keys/merchant_key.pem");
        const PUB: &str = include_str!("../../sandbox/keys/merchant_pub.pem");
        const NOW: i64 = 1_700_000_000;

        fn signer(scheme: AuthScheme) -> RequestSigner {
            RequestSigner::new(scheme, "120344", "SERIAL", PrivateKey::from_pem(KEY).unwrap())
        }

        fn header(scheme: AuthScheme) -> String {
            signer(scheme).authorization_at("POST", "/x?a=1", b"{}", NOW, "n0nce")
        }

        fn verify(
            schemes: &[AuthScheme],
            header: &str,
            body: &[u8],
            now: i64,
        ) -> Result<AuthorizationParams, VerifyError> {
            verify_request(schemes, header, "POST", "/x?a=1", body, now, |p| {
                (p.identity == "120344" && p.serial_no == "SERIAL").then(|| PublicKey::from_pem(PUB).unwrap())
            })
        }

        fn malformed(result: Result<AuthorizationParams, VerifyError>) -> String {
            match result {
                Err(VerifyError::MalformedAuthorization(why)) => why,
                other => panic!("expected a malformed header, got {other:?}"),
            }
        }

        #[test]
        fn both_schemes_round_trip_sign_parse_verify() {
            for scheme in AuthScheme::ALL {
                let header = header(scheme);
                let expected_start = format!("{} {}=\"120344\",", scheme.token(), scheme.identity_param());
                assert!(header.starts_with(&expected_start), "{header}");
                let p = AuthorizationParams::parse_for(&header, &[scheme]).unwrap();
                assert_eq!((p.scheme, p.identity.as_str(), p.serial_no.as_str()), (scheme, "120344", "SERIAL"));
                assert_eq!(p.nonce_str, "n0nce");
                assert_eq!(AuthorizationParams::parse(&header).unwrap(), p, "every known scheme parses");
                let verified = verify(&[scheme], &header, b"{}", NOW + 299).unwrap();
                assert_eq!(verified.scheme, scheme);
                // Accepting both, the result says which was used.
                assert_eq!(verify(&AuthScheme::ALL, &header, b"{}", NOW).unwrap().scheme, scheme);
                assert!(matches!(verify(&[scheme], &header, b"{ }", NOW), Err(VerifyError::BadSignature { .. })));
                assert!(matches!(
                    verify(&[scheme], &header, b"{}", NOW + 300),
                    Err(VerifyError::StaleTimestamp { .. })
                ));
                let other = header.replacen("\"120344\"", "\"999\"", 1);
                assert_eq!(verify(&[scheme], &other, b"{}", NOW), Err(VerifyError::UnknownSerial("SERIAL".into())));
            }
            assert_eq!(AuthorizationParams::parse(&header(AuthScheme::BRAND)).unwrap().brand_id(), Some("120344"));
        }

        #[test]
        fn a_scheme_not_accepted_is_refused_and_named() {
            let cases = [(AuthScheme::PARTNER, AuthScheme::BRAND), (AuthScheme::BRAND, AuthScheme::PARTNER)];
            for (signed, accepted) in cases {
                let err = verify(&[accepted], &header(signed), b"{}", NOW).unwrap_err();
                assert_eq!(err, VerifyError::UnexpectedScheme { found: Some(signed), expected: vec![accepted] });
                let text = err.to_string();
                assert!(text.contains(signed.token()) && text.contains(accepted.token()), "{text}");
            }
            let err = verify(&AuthScheme::ALL, "Bearer abc", b"{}", NOW).unwrap_err();
            assert_eq!(err, VerifyError::UnexpectedScheme { found: None, expected: AuthScheme::ALL.to_vec() });
            // The scheme's token must be followed by white space.
            let glued = header(AuthScheme::BRAND).replacen(' ', "", 1);
            assert!(malformed(verify(&[AuthScheme::BRAND], &glued, b"{}", NOW)).contains("no space"));
        }

        #[test]
        fn repeated_missing_and_unknown_parameters_are_refused() {
            for scheme in AuthScheme::ALL {
                let h = header(scheme);
                let id = scheme.identity_param();
                let cases = [
                    (format!("{h},nonce_str=\"x\""), "parameter \"nonce_str\" repeated".to_owned()),
                    (format!("{h},{id}=\"120344\""), format!("parameter \"{id}\" repeated")),
                    (h.replacen(",serial_no=\"SERIAL\"", "", 1), "parameter \"serial_no\" missing".to_owned()),
                    (h.replacen(&format!("{id}=\"120344\","), "", 1), format!("parameter \"{id}\" missing")),
                    (format!("{h},extra=\"1\""), "unknown parameter \"extra\"".to_owned()),
                    (h.replacen("nonce_str=\"n0nce\"", "nonce_str=n0nce", 1), "not quoted".to_owned()),
                    (format!("{h},"), "without '='".to_owned()),
                    (
                        h.replacen("timestamp=\"1700000000\"", "timestamp=\"+1700000000\"", 1),
                        "plain decimal".to_owned(),
                    ),
                ];
                for (header, why) in cases {
                    let text = malformed(verify(&[scheme], &header, b"{}", NOW));
                    assert!(text.contains(&why), "{header}: {text}");
                }
                // The other scheme's identity parameter is unknown in this one.
                let other = AuthScheme::ALL.into_iter().find(|s| *s != scheme).unwrap();
                let swapped = h.replacen(&format!("{id}="), &format!("{}=", other.identity_param()), 1);
                let text = malformed(verify(&[scheme], &swapped, b"{}", NOW));
                assert!(text.contains(&format!("unknown parameter \"{}\"", other.identity_param())), "{text}");
            }
        }
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
