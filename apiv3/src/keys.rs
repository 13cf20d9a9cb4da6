//! Key material: PEM decoding, RSA private keys (PKCS#8 and PKCS#1), RSA public keys (SPKI,
//! PKCS#1, or taken from an X.509 certificate).
//!
//! Keys are parsed once into aws-lc-rs objects and shared behind an [`Arc`], so cloning a key is
//! cheap and signing or verifying never re-parses it. Private keys never show in `Debug` output.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{self, ParsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

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

/// Decodes every PEM block in `text` (RFC 7468, lax: any surrounding text, CRLF line ends and
/// whitespace are accepted). Encrypted blocks (`Proc-Type` headers) are refused.
pub fn decode_pem(text: &str) -> Result<Vec<PemBlock>, KeyError> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let label_end = after.find("-----").ok_or_else(|| KeyError::new("PEM: unterminated BEGIN line"))?;
        let label = after[..label_end].trim().to_owned();
        let body_and_more = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let end =
            body_and_more.find(&end_marker).ok_or_else(|| KeyError::new(format!("PEM: no END line for {label}")))?;
        let body = &body_and_more[..end];
        if body.contains(':') {
            return Err(KeyError::new(format!("PEM: {label} has headers (encrypted PEM is not supported)")));
        }
        let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der =
            STANDARD.decode(b64.as_bytes()).map_err(|e| KeyError::new(format!("PEM: bad base64 in {label}: {e}")))?;
        blocks.push(PemBlock { label, der });
        rest = &body_and_more[end + end_marker.len()..];
    }
    if blocks.is_empty() {
        return Err(KeyError::new("PEM: no -----BEGIN ...----- block found"));
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
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(KeyError::new("encrypted private keys are not supported; decrypt it first"));
                }
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
    /// Parses a PEM public key: `PUBLIC KEY` (SPKI, what `pub_key.pem` holds), `RSA PUBLIC KEY`
    /// (PKCS#1) or `CERTIFICATE` (the key is taken from the X.509 certificate; the certificate's
    /// validity and chain are not checked).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let blocks = decode_pem(pem)?;
        for block in &blocks {
            match block.label.as_str() {
                "PUBLIC KEY" | "RSA PUBLIC KEY" => return Self::from_der(&block.der),
                "CERTIFICATE" => return Self::from_der(certificate_spki(&block.der)?),
                _ => {}
            }
        }
        Err(KeyError::new("no PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE block in the PEM"))
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

/// Reads the serial number and public key of a DER X.509 certificate.
pub fn parse_certificate_der(der: &[u8]) -> Result<CertificateInfo, KeyError> {
    let fields = certificate_fields(der)?;
    let mut serial = fields.serial;
    while let [0, rest @ ..] = serial
        && !rest.is_empty()
    {
        serial = rest;
    }
    let serial_no = serial.iter().map(|b| format!("{b:02X}")).collect();
    let not_after = not_after(fields.validity);
    Ok(CertificateInfo { serial_no, public_key: PublicKey::from_der(fields.spki)?, not_after })
}

fn certificate_spki(der: &[u8]) -> Result<&[u8], KeyError> {
    certificate_fields(der).map(|f| f.spki)
}

/// The parts of a certificate's TBSCertificate this crate uses.
struct CertificateFields<'a> {
    /// serialNumber contents.
    serial: &'a [u8],
    /// Validity contents (notBefore, notAfter).
    validity: &'a [u8],
    /// The full SubjectPublicKeyInfo TLV.
    spki: &'a [u8],
}

/// notAfter of a Validity (its second time), Unix seconds.
fn not_after(validity: &[u8]) -> Option<i64> {
    let mut times = Der::new(validity);
    times.next()?; // notBefore
    let t = times.next()?;
    crate::clock::parse_x509_time(t.tag, t.content)
}

/// Walks a certificate's outer structure to its serial, validity and public key.
fn certificate_fields(der: &[u8]) -> Result<CertificateFields<'_>, KeyError> {
    let bad = || KeyError::new("malformed X.509 certificate");
    let (cert, _) = Der::new(der).read(0x30).ok_or_else(bad)?;
    let (tbs, _) = Der::new(cert.content).read(0x30).ok_or_else(bad)?;
    let mut fields = Der::new(tbs.content);
    if fields.peek_tag() == Some(0xA0) {
        fields.next().ok_or_else(bad)?; // [0] EXPLICIT version
    }
    let serial = fields.expect(0x02).ok_or_else(bad)?; // serialNumber
    fields.expect(0x30).ok_or_else(bad)?; // signature
    fields.expect(0x30).ok_or_else(bad)?; // issuer
    let validity = fields.expect(0x30).ok_or_else(bad)?;
    fields.expect(0x30).ok_or_else(bad)?; // subject
    let spki = fields.expect(0x30).ok_or_else(bad)?;
    Ok(CertificateFields { serial: serial.content, validity: validity.content, spki: spki.whole })
}

/// A minimal DER reader: just enough to walk a certificate's outer structure.
struct Der<'a> {
    input: &'a [u8],
}

struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    whole: &'a [u8],
}

impl<'a> Der<'a> {
    fn new(input: &'a [u8]) -> Self {
        Der { input }
    }

    fn peek_tag(&self) -> Option<u8> {
        self.input.first().copied()
    }

    fn next(&mut self) -> Option<Tlv<'a>> {
        let input = self.input;
        let tag = *input.first()?;
        if tag & 0x1F == 0x1F {
            return None; // multi-byte tags do not occur in the fields we walk
        }
        let first = *input.get(1)? as usize;
        let (len, header) = if first < 0x80 {
            (first, 2)
        } else {
            let n = first & 0x7F;
            if n == 0 || n > 4 {
                return None;
            }
            let mut len = 0usize;
            for i in 0..n {
                len = (len << 8) | *input.get(2 + i)? as usize;
            }
            (len, 2 + n)
        };
        let end = header.checked_add(len)?;
        if end > input.len() {
            return None;
        }
        self.input = &input[end..];
        Some(Tlv { tag, content: &input[header..end], whole: &input[..end] })
    }

    fn expect(&mut self, tag: u8) -> Option<Tlv<'a>> {
        let tlv = self.next()?;
        (tlv.tag == tag).then_some(tlv)
    }

    fn read(mut self, tag: u8) -> Option<(Tlv<'a>, &'a [u8])> {
        let tlv = self.expect(tag)?;
        Some((tlv, self.input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_decoder_handles_crlf_and_surrounding_text() {
        let text = "junk\r\n-----BEGIN TEST-----\r\nAAEC\r\nAw==\r\n-----END TEST-----\r\ntrailer";
        let blocks = decode_pem(text).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "TEST");
        assert_eq!(blocks[0].der, vec![0, 1, 2, 3]);
    }

    #[test]
    fn pem_decoder_rejects_garbage() {
        assert!(decode_pem("no pem here").is_err());
        assert!(decode_pem("-----BEGIN X-----\n!!!\n-----END X-----").is_err());
        assert!(decode_pem("-----BEGIN X-----\nAAAA\n").is_err());
        let encrypted =
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----";
        assert!(decode_pem(encrypted).is_err());
    }

    #[test]
    fn der_reader_refuses_truncated_input() {
        assert!(certificate_fields(&[0x30, 0x82, 0x01]).is_err());
        assert!(certificate_fields(&[0x30, 0x05, 0x30, 0x03, 0x02]).is_err());
        assert!(certificate_fields(&[]).is_err());
    }
}
