//! Signing: the request `Authorization` header a merchant or a brand sends (one
//! [`RequestSigner`] for every [`AuthScheme`]), and (with the non-default `server` feature)
//! the `Wechatpay-*` response signature a server, or a sandbox standing in for WeChat Pay,
//! sends.
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
pub use crate::protocol::{AuthScheme, BRAND_SCHEME};
pub use crate::protocol::{SCHEME, new_nonce, request_message, response_message, unix_timestamp};
#[cfg(feature = "server")]
use crate::verify::ResponseSignature;

/// Signs requests in one [`AuthScheme`]: as a merchant ([`AuthScheme::PARTNER`]: its `mchid`,
/// the serial of its API certificate and the certificate's key) or as a brand calling its own
/// APIs ([`AuthScheme::BRAND`], 品牌直连: its `brand_id`, the serial of its 品牌API证书 and
/// that key). Every scheme signs the same message; only the header's token and the name of the
/// identity parameter differ. A brand calling its own APIs is named in the `Authorization` header.
#[derive(Clone)]
pub struct RequestSigner {
    scheme: AuthScheme,
    identity: String,
    serial_no: String,
    key: PrivateKey,
}

impl RequestSigner {
    /// A signer in `scheme` for `identity` (the value of the scheme's identity parameter) whose
    /// certificate has serial `serial_no`.
    pub fn new(scheme: AuthScheme, identity: impl Into<String>, serial_no: impl Into<String>, key: PrivateKey) -> Self {
        RequestSigner { scheme, identity: identity.into(), serial_no: serial_no.into(), key }
    }

    /// A merchant's signer ([`AuthScheme::PARTNER`]): `mchid` and its API certificate serial.
    pub fn merchant(mchid: impl Into<String>, serial_no: impl Into<String>, key: PrivateKey) -> Self {
        Self::new(AuthScheme::PARTNER, mchid, serial_no, key)
    }

    /// A brand's signer ([`AuthScheme::BRAND`]): `brand_id` and its 品牌API证书 serial.
    pub fn brand(brand_id: impl Into<String>, serial_no: impl Into<String>, key: PrivateKey) -> Self {
        Self::new(AuthScheme::BRAND, brand_id, serial_no, key)
    }

    /// The scheme of the header this signer writes.
    pub fn scheme(&self) -> AuthScheme {
        self.scheme
    }

    /// Who signs: the value of the scheme's identity parameter (`mchid` or `brand_id`).
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The merchant id, for a [`AuthScheme::PARTNER`] signer.
    pub fn mchid(&self) -> Option<&str> {
        (self.scheme == AuthScheme::PARTNER).then_some(self.identity.as_str())
    }

    /// The brand id, for a [`AuthScheme::BRAND`] signer.
    pub fn brand_id(&self) -> Option<&str> {
        (self.scheme == AuthScheme::BRAND).then_some(self.identity.as_str())
    }

    /// The serial number of the signing certificate.
    pub fn serial_no(&self) -> &str {
        &self.serial_no
    }

    /// The `Authorization` header value for a request, with the current time and a fresh nonce.
    pub fn authorization(&self, method: &str, canonical_url: &str, body: &[u8]) -> String {
        self.authorization_at(method, canonical_url, body, unix_timestamp(), &new_nonce())
    }

    /// The `Authorization` header value for a request with a given timestamp and nonce (for
    /// tests and reproducible examples; real requests use [`RequestSigner::authorization`]):
    /// `TOKEN IDENTITY="...",nonce_str="...",timestamp="...",serial_no="...",signature="..."`.
    pub fn authorization_at(
        &self,
        method: &str,
        canonical_url: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> String {
        let signature = self.key.sign_base64(&request_message(method, canonical_url, timestamp, nonce, body));
        self.scheme.header(&self.identity, nonce, timestamp, &self.serial_no, &signature)
    }
}

impl fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSigner")
            .field("scheme", &self.scheme.token())
            .field(self.scheme.identity_param(), &self.identity)
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
    fn the_brand_header_names_the_brand_and_signs_the_same_message() {
        let key = PrivateKey::from_pem(include_str!("../../sandbox/keys/merchant_key.pem")).unwrap();
        let brand = RequestSigner::brand("100XX", "3493DE0D9BB4EB98A8C65EAA7E8EE887EC24B71A", key.clone());
        let merchant = RequestSigner::merchant("1900000109", "3493DE0D9BB4EB98A8C65EAA7E8EE887EC24B71A", key);
        assert_eq!((brand.brand_id(), brand.mchid()), (Some("100XX"), None));
        assert_eq!((merchant.mchid(), merchant.brand_id()), (Some("1900000109"), None));
        let header =
            brand.authorization_at("GET", "/brand/marketing/product-coupon/notify-configs", b"", 1700000000, "N1");
        let rest = header.strip_prefix("WECHATPAY-BRAND-SHA256-RSA2048 ").unwrap();
        let params: Vec<&str> = rest.split(',').collect();
        assert_eq!(
            params[..4],
            [
                "brand_id=\"100XX\"",
                "nonce_str=\"N1\"",
                "timestamp=\"1700000000\"",
                "serial_no=\"3493DE0D9BB4EB98A8C65EAA7E8EE887EC24B71A\"",
            ]
        );
        // Same message and key: the same signature as the merchant scheme's.
        let partner =
            merchant.authorization_at("GET", "/brand/marketing/product-coupon/notify-configs", b"", 1700000000, "N1");
        assert!(partner.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",nonce_str=\"N1\","), "{partner}");
        assert_eq!(params[4], partner.rsplit(',').next().unwrap());
        for debug in [format!("{brand:?}"), format!("{merchant:?}")] {
            assert!(!debug.contains("PRIVATE"), "{debug}");
        }
        assert!(format!("{brand:?}").contains("brand_id: \"100XX\""));
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
