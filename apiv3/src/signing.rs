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
/// The brand-direct (品牌直连) scheme token, for [`BrandSigner`].
pub use crate::protocol::BRAND_SCHEME;
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

/// Signs requests as one brand calling its own APIs (品牌直连): its `brand_id`, the serial of
/// its 品牌API证书 and the certificate's private key. The brand is named in the `Authorization`
/// header only; requests carry no `brand_id` anywhere else.
#[derive(Clone)]
pub struct BrandSigner {
    brand_id: String,
    serial_no: String,
    key: PrivateKey,
}

impl BrandSigner {
    /// A signer for `brand_id` whose 品牌API证书 has serial `serial_no`.
    pub fn new(brand_id: impl Into<String>, serial_no: impl Into<String>, key: PrivateKey) -> Self {
        BrandSigner { brand_id: brand_id.into(), serial_no: serial_no.into(), key }
    }

    /// The brand id.
    pub fn brand_id(&self) -> &str {
        &self.brand_id
    }

    /// The 品牌API证书 serial number.
    pub fn serial_no(&self) -> &str {
        &self.serial_no
    }

    /// The `Authorization` header value for a request, with the current time and a fresh nonce.
    pub fn authorization(&self, method: &str, canonical_url: &str, body: &[u8]) -> String {
        self.authorization_at(method, canonical_url, body, unix_timestamp(), &new_nonce())
    }

    /// The `Authorization` header value with a given timestamp and nonce:
    /// `WECHATPAY-BRAND-SHA256-RSA2048 brand_id="...",nonce_str="...",timestamp="...",serial_no="...",signature="..."`.
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
            "{BRAND_SCHEME} brand_id=\"{}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{}\",signature=\"{signature}\"",
            self.brand_id, self.serial_no
        )
    }
}

impl fmt::Debug for BrandSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrandSigner")
            .field("brand_id", &self.brand_id)
            .field("serial_no", &self.serial_no)
            .field("key", &self.key)
            .finish()
    }
}

/// Who a client signs its requests as: a merchant (`WECHATPAY2-SHA256-RSA2048`, e.g. a 服务商)
/// or a brand (`WECHATPAY-BRAND-SHA256-RSA2048`, 品牌直连).
#[derive(Debug, Clone)]
pub enum RequestSigner {
    /// A merchant's `mchid`, API certificate serial and key.
    Merchant(MerchantSigner),
    /// A brand's `brand_id`, 品牌API证书 serial and key.
    Brand(BrandSigner),
}

impl RequestSigner {
    /// The `Authorization` header value for a request, with the current time and a fresh nonce.
    pub fn authorization(&self, method: &str, canonical_url: &str, body: &[u8]) -> String {
        match self {
            RequestSigner::Merchant(s) => s.authorization(method, canonical_url, body),
            RequestSigner::Brand(s) => s.authorization(method, canonical_url, body),
        }
    }

    /// The scheme token of the header this signer writes.
    pub fn scheme(&self) -> &'static str {
        match self {
            RequestSigner::Merchant(_) => SCHEME,
            RequestSigner::Brand(_) => BRAND_SCHEME,
        }
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
        let brand = BrandSigner::new("100XX", "3493DE0D9BB4EB98A8C65EAA7E8EE887EC24B71A", key.clone());
        let merchant = MerchantSigner::new("1900000109", "3493DE0D9BB4EB98A8C65EAA7E8EE887EC24B71A", key);
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
        assert_eq!(params[4], partner.rsplit(',').next().unwrap());
        assert!(!format!("{brand:?}").contains("PRIVATE"));
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
