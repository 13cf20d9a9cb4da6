//! The protocol layer: the `WECHATPAY2-SHA256-RSA2048` message formats, independent of any key.
//!
//! ```text
//! request message:  METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n
//! response message: TIMESTAMP\nNONCE\nBODY\n
//! ```
//!
//! Header names and the response signature's parsing and check are in
//! [`verify`](crate::verify); producing signatures is [`signing`](crate::signing).

use std::time::{SystemTime, UNIX_EPOCH};

/// The authorization scheme (and `Wechatpay-Signature-Type` value).
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// The brand-direct (品牌直连) authorization scheme: the same messages, the brand's key.
pub const BRAND_SCHEME: &str = "WECHATPAY-BRAND-SHA256-RSA2048";

/// An `Authorization` scheme: its token and the name of the parameter that says who signs.
/// Every scheme signs the same request message and carries the same other four parameters
/// (`nonce_str`, `timestamp`, `serial_no`, `signature`):
///
/// ```text
/// TOKEN IDENTITY="..",nonce_str="..",timestamp="..",serial_no="..",signature=".."
/// ```
///
/// Signing ([`RequestSigner`](crate::signing::RequestSigner)) and parsing
/// (`verify::AuthorizationParams`, `server` feature) work from this data alone, so a scheme is
/// one more constant, not one more signer and parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuthScheme {
    token: &'static str,
    identity_param: &'static str,
}

impl AuthScheme {
    /// A merchant (e.g. a 服务商) signing with its API certificate:
    /// `WECHATPAY2-SHA256-RSA2048 mchid="..",...`.
    pub const PARTNER: AuthScheme = AuthScheme::new(SCHEME, "mchid");

    /// A brand calling its own APIs (品牌直连) with its 品牌API证书:
    /// `WECHATPAY-BRAND-SHA256-RSA2048 brand_id="..",...`.
    pub const BRAND: AuthScheme = AuthScheme::new(BRAND_SCHEME, "brand_id");

    /// Every scheme this crate knows.
    pub const ALL: [AuthScheme; 2] = [AuthScheme::PARTNER, AuthScheme::BRAND];

    /// A scheme of token `token` whose signer is named by the parameter `identity_param`.
    pub const fn new(token: &'static str, identity_param: &'static str) -> Self {
        AuthScheme { token, identity_param }
    }

    /// The token that starts the header value, e.g. `WECHATPAY2-SHA256-RSA2048`.
    pub const fn token(&self) -> &'static str {
        self.token
    }

    /// The name of the parameter naming the signer, e.g. `mchid` or `brand_id`.
    pub const fn identity_param(&self) -> &'static str {
        self.identity_param
    }

    /// The known scheme whose token is `token` (exact match).
    pub fn from_token(token: &str) -> Option<AuthScheme> {
        AuthScheme::ALL.into_iter().find(|s| s.token == token)
    }

    /// The `Authorization` header value: the token, then the five parameters in the documented
    /// order.
    pub fn header(&self, identity: &str, nonce: &str, timestamp: i64, serial_no: &str, signature: &str) -> String {
        format!(
            "{} {}=\"{identity}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{serial_no}\",signature=\"{signature}\"",
            self.token, self.identity_param
        )
    }
}

impl std::fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.token)
    }
}

/// The message a request signature covers: `METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n`.
pub fn request_message(method: &str, canonical_url: &str, timestamp: i64, nonce: &str, body: &[u8]) -> Vec<u8> {
    let ts = timestamp.to_string();
    let mut m = Vec::with_capacity(method.len() + canonical_url.len() + ts.len() + nonce.len() + body.len() + 5);
    for part in [method.as_bytes(), canonical_url.as_bytes(), ts.as_bytes(), nonce.as_bytes(), body] {
        m.extend_from_slice(part);
        m.push(b'\n');
    }
    m
}

/// The message a response (or callback) signature covers: `TIMESTAMP\nNONCE\nBODY\n`, with the
/// timestamp and nonce exactly as they appear in the headers.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for part in [timestamp.as_bytes(), nonce.as_bytes(), body] {
        m.extend_from_slice(part);
        m.push(b'\n');
    }
    m
}

/// A fresh 32-character nonce of `[0-9A-Za-z]` from the operating system's CSPRNG.
pub fn new_nonce() -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(32);
    let mut buf = [0u8; 48];
    while out.len() < 32 {
        aws_lc_rs::rand::fill(&mut buf).expect("system random number generator");
        // Rejection sampling keeps the distribution uniform: 248 = 4 * 62.
        for &b in buf.iter().filter(|&&b| b < 248) {
            if out.len() == 32 {
                break;
            }
            out.push(ALPHABET[(b % 62) as usize] as char);
        }
    }
    out
}

/// The current Unix time in seconds.
pub fn unix_timestamp() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
