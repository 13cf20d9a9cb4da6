//! Key material: PEM decoding (`rustls-pki-types`), RSA private keys (PKCS#8 and PKCS#1), RSA
//! public keys (SPKI, or taken from an X.509 certificate read with `x509-cert`).
//!
//! Keys are parsed once into aws-lc-rs objects and shared behind an [`Arc`], so cloning a key is
//! cheap and signing or verifying never re-parses it. Private keys never show in `Debug` output.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{self, ParsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rustls_pki_types::pem::{PemObject, SectionKind};
use x509_cert::Certificate;
use x509_cert::der::{Decode as _, Encode as _};

/// A key, certificate or PEM document could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub(crate) String);

impl KeyError {
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        KeyError(msg.into())
    }

    /// What is wrong, in words (never contains key material).
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// One decoded PEM block: its label (`PRIVATE KEY`, `CERTIFICATE`, ...) and DER bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The text between `-----BEGIN ` and `-----`.
    pub label: String,
    /// The decoded contents.
    pub der: Vec<u8>,
}

impl fmt::Debug for PemBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The DER of a private key is the secret itself: print only its size.
        f.debug_struct("PemBlock").field("label", &self.label).field("der_len", &self.der.len()).finish()
    }
}

/// Decodes every PEM block in `text` that holds a key or certificate (RFC 7468, through
/// `rustls-pki-types`: any surrounding text and CRLF line ends are accepted; blocks of other
/// kinds are skipped). Encrypted keys are refused with a clear message.
pub fn decode_pem(text: &str) -> Result<Vec<PemBlock>, KeyError> {
    // Labels the PEM reader does not know (and so would skip silently) but a user may hand us.
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(KeyError::new("encrypted private keys are not supported; decrypt it first"));
    }
    let mut blocks = Vec::new();
    for item in <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(text.as_bytes()) {
        let (kind, der) = item.map_err(|e| KeyError::new(format!("PEM: {e}")))?;
        let label = match kind {
            SectionKind::Certificate => "CERTIFICATE",
            SectionKind::PublicKey => "PUBLIC KEY",
            SectionKind::RsaPrivateKey => "RSA PRIVATE KEY",
            SectionKind::PrivateKey => "PRIVATE KEY",
            SectionKind::EcPrivateKey => "EC PRIVATE KEY",
            _ => continue,
        };
        blocks.push(PemBlock { label: label.to_owned(), der });
    }
    if blocks.is_empty() {
        return Err(KeyError::new("PEM: no -----BEGIN ...----- block with a key or certificate found"));
    }
    Ok(blocks)
}

/// An RSA private key (the merchant's API certificate key, `apiclient_key.pem`), parsed once.
///
/// `Debug` prints `PrivateKey(<redacted>)`; there is no way to get the key bytes back out.
#[derive(Clone)]
pub struct PrivateKey {
    pair: Arc<KeyPair>,
}

impl PrivateKey {
    /// Parses a PEM private key: PKCS#8 (`-----BEGIN PRIVATE KEY-----`, what WeChat Pay's tool
    /// writes) or PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`). Encrypted keys are refused.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let blocks = decode_pem(pem)?;
        for block in &blocks {
            match block.label.as_str() {
                "PRIVATE KEY" => return Self::from_pkcs8_der(&block.der),
                "RSA PRIVATE KEY" => return Self::from_pkcs1_der(&block.der),
                _ => {}
            }
        }
        Err(KeyError::new("no PRIVATE KEY or RSA PRIVATE KEY block in the PEM"))
    }

    /// Parses a DER PKCS#8 `PrivateKeyInfo` holding an RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let pair =
            KeyPair::from_pkcs8(der).map_err(|e| KeyError::new(format!("private key rejected (PKCS#8): {e}")))?;
        Self::checked(pair)
    }

    /// Parses a DER PKCS#1 `RSAPrivateKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let pair = KeyPair::from_der(der).map_err(|e| KeyError::new(format!("private key rejected (PKCS#1): {e}")))?;
        Self::checked(pair)
    }

    fn checked(pair: KeyPair) -> Result<Self, KeyError> {
        if pair.public_modulus_len() < 256 {
            return Err(KeyError::new("RSA private key is shorter than 2048 bits"));
        }
        Ok(PrivateKey { pair: Arc::new(pair) })
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 / SHA-256 and returns the raw signature.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        // Signing with a validated key into a buffer of the modulus length cannot fail.
        self.pair
            .sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
            .expect("RSA signing with a validated key");
        sig
    }

    /// Signs `message` and returns the signature in standard Base64, as the protocol sends it.
    pub fn sign_base64(&self, message: &[u8]) -> String {
        STANDARD.encode(self.sign(message))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        use aws_lc_rs::signature::KeyPair as _;
        let der = self.pair.public_key().as_ref().to_vec();
        PublicKey::from_der(&der).expect("public half of a validated key")
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

/// An RSA public key used to verify signatures (a WeChat Pay public key, a platform
/// certificate's key, or, in a sandbox, a merchant's key), parsed once.
#[derive(Clone)]
pub struct PublicKey {
    key: Arc<ParsedPublicKey>,
}

impl PublicKey {
    /// Parses a PEM public key: `PUBLIC KEY` (SPKI, what `pub_key.pem` holds) or `CERTIFICATE` (the key is taken from the X.509 certificate; the certificate's
    /// validity and chain are not checked).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let blocks = decode_pem(pem)?;
        for block in &blocks {
            match block.label.as_str() {
                "PUBLIC KEY" => return Self::from_der(&block.der),
                "CERTIFICATE" => {
                    let cert = Certificate::from_der(&block.der)
                        .map_err(|e| KeyError::new(format!("malformed X.509 certificate: {e}")))?;
                    return Self::from_der(&certificate_spki(&cert)?);
                }
                _ => {}
            }
        }
        Err(KeyError::new("no PUBLIC KEY or CERTIFICATE block in the PEM"))
    }

    /// Parses a DER SPKI (`SubjectPublicKeyInfo`) or PKCS#1 `RSAPublicKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der)
            .map_err(|e| KeyError::new(format!("public key rejected: {e}")))?;
        Ok(PublicKey { key: Arc::new(key) })
    }

    /// Checks an RSASSA-PKCS1-v1_5 / SHA-256 signature (raw bytes) over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(message, signature).is_ok()
    }

    /// Checks a standard-Base64 signature over `message`; bad Base64 is a failed check.
    pub fn verify_base64(&self, message: &[u8], signature_b64: &str) -> bool {
        match STANDARD.decode(signature_b64.trim().as_bytes()) {
            Ok(sig) => self.verify(message, &sig),
            Err(_) => false,
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PublicKey(RSA)")
    }
}

/// Facts read from an X.509 certificate.
#[derive(Debug, Clone)]
pub struct CertificateInfo {
    /// The serial number in upper-case hex without leading zero bytes, as WeChat Pay writes it.
    pub serial_no: String,
    /// The certificate's public key.
    pub public_key: PublicKey,
    /// The end of its validity period (notAfter), Unix seconds; `None` when the time is not in
    /// a form this reader knows.
    pub not_after: Option<i64>,
}

/// Reads the serial number and public key of a PEM X.509 certificate.
pub fn parse_certificate_pem(pem: &str) -> Result<CertificateInfo, KeyError> {
    let blocks = decode_pem(pem)?;
    let block = blocks
        .iter()
        .find(|b| b.label == "CERTIFICATE")
        .ok_or_else(|| KeyError::new("no CERTIFICATE block in the PEM"))?;
    parse_certificate_der(&block.der)
}

/// Reads the serial number, public key and notAfter of a DER X.509 certificate (parsed with
/// `x509-cert`; the chain and signature are not checked here).
pub fn parse_certificate_der(der: &[u8]) -> Result<CertificateInfo, KeyError> {
    let cert = Certificate::from_der(der).map_err(|e| KeyError::new(format!("malformed X.509 certificate: {e}")))?;
    let tbs = cert.tbs_certificate();
    let mut serial = tbs.serial_number().as_bytes();
    while let [0, rest @ ..] = serial
        && !rest.is_empty()
    {
        serial = rest;
    }
    let serial_no = serial.iter().map(|b| format!("{b:02X}")).collect();
    let not_after = i64::try_from(tbs.validity().not_after.to_unix_duration().as_secs()).ok();
    Ok(CertificateInfo { serial_no, public_key: PublicKey::from_der(&certificate_spki(&cert)?)?, not_after })
}

/// The certificate's SubjectPublicKeyInfo, re-encoded as DER.
fn certificate_spki(cert: &Certificate) -> Result<Vec<u8>, KeyError> {
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| KeyError::new(format!("X.509 public key: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_decoder_handles_crlf_and_surrounding_text() {
        let text = "junk\r\n-----BEGIN PUBLIC KEY-----\r\nAAEC\r\nAw==\r\n-----END PUBLIC KEY-----\r\ntrailer";
        let blocks = decode_pem(text).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "PUBLIC KEY");
        assert_eq!(blocks[0].der, vec![0, 1, 2, 3]);
    }

    #[test]
    fn pem_decoder_rejects_garbage() {
        assert!(decode_pem("no pem here").is_err());
        assert!(decode_pem("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----").is_err());
        assert!(decode_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n").is_err());
        assert!(decode_pem("-----BEGIN X-----\nAAAA\n-----END X-----").is_err(), "no key or certificate");
        let encrypted =
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----";
        assert!(decode_pem(encrypted).unwrap_err().to_string().contains("encrypted"));
        let pkcs8_encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----";
        assert!(decode_pem(pkcs8_encrypted).unwrap_err().to_string().contains("encrypted"));
    }

    #[test]
    fn malformed_certificates_are_refused() {
        assert!(parse_certificate_der(&[0x30, 0x82, 0x01]).is_err());
        assert!(parse_certificate_der(&[0x30, 0x05, 0x30, 0x03, 0x02]).is_err());
        assert!(parse_certificate_der(&[]).is_err());
    }
}
