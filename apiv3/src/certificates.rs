//! Platform certificates (平台证书): the `GET /v3/certificates` response and its
//! `AEAD_AES_256_GCM`-encrypted certificates.
//!
//! The client downloads and refreshes them itself in certificate mode (see
//! [`ClientBuilder::apiv3_key`](crate::client::ClientBuilder::apiv3_key)); the functions
//! here are public so a sandbox can serve the endpoint and tools can inspect a response.

use serde::{Deserialize, Serialize};

use crate::aead::{AeadError, ApiV3Key};
use crate::keys::{PublicKey, parse_certificate_pem};
use crate::signing::new_nonce;

/// Path of the certificate download endpoint.
pub const CERTIFICATES_PATH: &str = "/v3/certificates";

/// One decrypted platform certificate.
#[derive(Debug, Clone)]
pub struct PlatformCertificate {
    /// `serial_no` as listed; `Wechatpay-Serial` names it.
    pub serial_no: String,
    /// `effective_time`, verbatim.
    pub effective_time: Option<String>,
    /// `expire_time`, verbatim.
    pub expire_time: Option<String>,
    /// The certificate's own notAfter (Unix seconds), when readable.
    pub not_after: Option<i64>,
    /// The certificate's public key.
    pub public_key: PublicKey,
    /// The decrypted PEM certificate.
    pub pem: String,
}

/// What a sandbox needs to list one certificate in a `/v3/certificates` response.
#[derive(Debug, Clone)]
pub struct CertificateListing {
    /// Certificate serial number (upper-case hex).
    pub serial_no: String,
    /// `effective_time` (RFC 3339).
    pub effective_time: String,
    /// `expire_time` (RFC 3339).
    pub expire_time: String,
    /// The PEM certificate to encrypt.
    pub pem: String,
}

#[derive(Serialize, Deserialize)]
struct Body {
    data: Vec<Item>,
}

#[derive(Serialize, Deserialize)]
struct Item {
    serial_no: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    effective_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expire_time: Option<String>,
    encrypt_certificate: Encrypted,
}

#[derive(Serialize, Deserialize)]
struct Encrypted {
    algorithm: String,
    nonce: String,
    #[serde(default)]
    associated_data: String,
    ciphertext: String,
}

/// A `/v3/certificates` response could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateError(pub(crate) String);

impl std::fmt::Display for CertificateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CertificateError {}

impl From<AeadError> for CertificateError {
    fn from(e: AeadError) -> Self {
        CertificateError(e.to_string())
    }
}

/// Decrypts the certificates of a `/v3/certificates` response body with the APIv3 key.
///
/// Successful AEAD decryption authenticates each certificate (only WeChat Pay and the merchant
/// know the APIv3 key); the response signature should still be checked with one of them.
///
/// A listing whose `serial_no` is not the certificate's own serial (compared without case or
/// leading zeros) is refused: that entry is dropped with a warning, since verifying under a
/// serial the certificate does not carry would trust a label rather than the certificate. An
/// error is returned only when no usable certificate remains.
pub fn decrypt_certificates(body: &[u8], key: &ApiV3Key) -> Result<Vec<PlatformCertificate>, CertificateError> {
    let parsed: Body =
        serde_json::from_slice(body).map_err(|e| CertificateError(format!("unexpected /v3/certificates body: {e}")))?;
    let mut out = Vec::with_capacity(parsed.data.len());
    let mut refused = Vec::new();
    for item in parsed.data {
        let enc = &item.encrypt_certificate;
        if enc.algorithm != "AEAD_AES_256_GCM" {
            return Err(CertificateError(format!(
                "certificate {}: unsupported algorithm {:?}",
                item.serial_no, enc.algorithm
            )));
        }
        let plain = key
            .decrypt(&enc.nonce, &enc.associated_data, &enc.ciphertext)
            .map_err(|e| CertificateError(format!("certificate {}: {e}", item.serial_no)))?;
        let pem = String::from_utf8(plain)
            .map_err(|_| CertificateError(format!("certificate {}: not UTF-8 PEM", item.serial_no)))?;
        let info = parse_certificate_pem(&pem)
            .map_err(|e| CertificateError(format!("certificate {}: {e}", item.serial_no)))?;
        if !same_serial(&item.serial_no, &info.serial_no) {
            tracing::warn!(listed = %item.serial_no, in_certificate = %info.serial_no, "platform certificate serial differs from its listing; refused");
            refused.push(format!("listed {} but the certificate's serial is {}", item.serial_no, info.serial_no));
            continue;
        }
        out.push(PlatformCertificate {
            serial_no: item.serial_no,
            effective_time: item.effective_time,
            expire_time: item.expire_time,
            not_after: info.not_after,
            public_key: info.public_key,
            pem,
        });
    }
    if out.is_empty() {
        if refused.is_empty() {
            return Err(CertificateError("/v3/certificates listed no certificate".into()));
        }
        return Err(CertificateError(format!("/v3/certificates listed no usable certificate: {}", refused.join("; "))));
    }
    Ok(out)
}

/// Builds a `/v3/certificates` response body, each certificate encrypted with the APIv3 key
/// under a fresh random nonce and associated data `certificate` (for a sandbox or test server).
pub fn encrypt_certificates(listings: &[CertificateListing], key: &ApiV3Key) -> Result<Vec<u8>, CertificateError> {
    let mut data = Vec::with_capacity(listings.len());
    for l in listings {
        let nonce: String = new_nonce().chars().take(12).collect();
        let ciphertext = key.encrypt(&nonce, "certificate", l.pem.as_bytes())?;
        data.push(Item {
            serial_no: l.serial_no.clone(),
            effective_time: Some(l.effective_time.clone()),
            expire_time: Some(l.expire_time.clone()),
            encrypt_certificate: Encrypted {
                algorithm: "AEAD_AES_256_GCM".into(),
                nonce,
                associated_data: "certificate".into(),
                ciphertext,
            },
        });
    }
    serde_json::to_vec(&Body { data }).map_err(|e| CertificateError(format!("serializing the listing: {e}")))
}
/// Upper-case hex without leading zeros: listings and certificates may differ in both.
fn normalize_serial(serial: &str) -> String {
    let s = serial.trim().trim_start_matches('0').to_ascii_uppercase();
    if s.is_empty() { "0".into() } else { s }
}

/// Whether a listed serial names the certificate's own serial.
pub(crate) fn same_serial(listed: &str, own: &str) -> bool {
    normalize_serial(listed) == normalize_serial(own)
}
