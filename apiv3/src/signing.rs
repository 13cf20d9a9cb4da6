//! `WECHATPAY2-SHA256-RSA2048` signing: the request `Authorization` header a merchant sends, and
//! (with the non-default `server` feature) the `Wechatpay-*` response signature a server, or a
//! sandbox standing in for WeChat Pay, sends.
//!
//! ```text
//! request message:  METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n
//! response message: TIMESTAMP\nNONCE\nBODY\n
//! ```
//!
//! `CANONICAL_URL` is the path plus `?query` exactly as sent (no scheme or host); `BODY` is the
//! exact bytes sent (empty for a GET). Signatures are RSASSA-PKCS1-v1_5 / SHA-256 in standard
//! Base64.

use std::fmt;

use crate::keys::PrivateKey;
// The message formats live in the protocol layer; re-exported here, where users look for them.
pub use crate::protocol::{SCHEME, new_nonce, request_message, response_message, unix_timestamp};
#[cfg(feature = "server")]
use crate::verify::ResponseSignature;

/// Signs requests as one merchant: its `mchid`, the serial number of its API certificate and
/// the certificate's private key.
#[derive(Clone)]
pub struct MerchantSigner {
    mchid: String,
    serial_no: String,
    key: PrivateKey,
}

impl MerchantSigner {
    /// A signer for `mchid` whose API certificate has serial `serial_no`.
    pub fn new(mchid: impl Into<String>, serial_no: impl Into<String>, key: PrivateKey) -> Self {
        MerchantSigner { mchid: mchid.into(), serial_no: serial_no.into(), key }
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.mchid
    }

    /// The merchant API certificate serial number.
    pub fn serial_no(&self) -> &str {
        &self.serial_no
    }

    /// The `Authorization` header value for a request, with the current time and a fresh nonce.
    pub fn authorization(&self, method: &str, canonical_url: &str, body: &[u8]) -> String {
        self.authorization_at(method, canonical_url, body, unix_timestamp(), &new_nonce())
    }

    /// The `Authorization` header value for a request with a given timestamp and nonce (for
    /// tests and reproducible examples; real requests use [`MerchantSigner::authorization`]).
    pub fn authorization_at(
        &self,
        method: &str,
        canonical_url: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> String {
        let signature = self.key.sign_base64(&request_message(method, canonical_url, timestamp, nonce, body));
        format!(
            "{SCHEME} mchid=\"{}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{}\",signature=\"{signature}\"",
            self.mchid, self.serial_no
        )
    }
}

impl fmt::Debug for MerchantSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantSigner")
            .field("mchid", &self.mchid)
            .field("serial_no", &self.serial_no)
            .field("key", &self.key)
            .finish()
    }
}

/// Signs responses (or callbacks) the way WeChat Pay does; for a sandbox or a test server that
/// stands in for WeChat Pay. `serial` is what goes into `Wechatpay-Serial`: a `PUB_KEY_ID_...`
/// public-key id or a platform certificate serial. Server side: only with the `server` feature.
#[cfg(feature = "server")]
#[derive(Clone)]
pub struct ResponseSigner {
    serial: String,
    key: PrivateKey,
}

#[cfg(feature = "server")]
impl ResponseSigner {
    /// A signer announcing itself as `serial`.
    pub fn new(serial: impl Into<String>, key: PrivateKey) -> Self {
        ResponseSigner { serial: serial.into(), key }
    }

    /// The serial (key id) this signer announces.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Signs `body` with the current time and a fresh nonce.
    pub fn sign(&self, body: &[u8]) -> ResponseSignature {
        self.sign_at(body, unix_timestamp(), &new_nonce())
    }

    /// Signs `body` with a given timestamp and nonce.
    pub fn sign_at(&self, body: &[u8], timestamp: i64, nonce: &str) -> ResponseSignature {
        let timestamp = timestamp.to_string();
        let signature = self.key.sign_base64(&response_message(&timestamp, nonce, body));
        ResponseSignature {
            timestamp,
            nonce: nonce.to_owned(),
            signature,
            serial: self.serial.clone(),
            signature_type: Some(SCHEME.to_owned()),
        }
    }
}

#[cfg(feature = "server")]
impl fmt::Debug for ResponseSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseSigner").field("serial", &self.serial).field("key", &self.key).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_one_newline_per_line_including_the_last() {
        let m = request_message("GET", "/v3/x?a=1", 1700000000, "N", b"");
        assert_eq!(m, b"GET\n/v3/x?a=1\n1700000000\nN\n\n");
        assert_eq!(response_message("1", "n", b"{}"), b"1\nn\n{}\n");
    }

    #[test]
    fn nonces_are_32_alphanumerics_and_differ() {
        let a = new_nonce();
        let b = new_nonce();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
