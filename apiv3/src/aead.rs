//! `AEAD_AES_256_GCM` as WeChat Pay uses it for platform-certificate downloads and callback
//! resources: key = the 32-byte APIv3 key, nonce = the `nonce` string's bytes (12), associated
//! data = the `associated_data` string, ciphertext = Base64 of ciphertext ‖ 16-byte tag.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The merchant's APIv3 key (32 ASCII characters set in 商户平台). `Debug` never shows it.
#[derive(Clone)]
pub struct ApiV3Key([u8; 32]);

impl ApiV3Key {
    /// Wraps the key; it must be exactly 32 bytes.
    pub fn new(key: impl AsRef<[u8]>) -> Result<Self, AeadError> {
        let bytes: [u8; 32] =
            key.as_ref().try_into().map_err(|_| AeadError::other("the APIv3 key must be exactly 32 bytes"))?;
        Ok(ApiV3Key(bytes))
    }

    fn cipher(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0).expect("a 32-byte AES-256 key"))
    }

    /// Decrypts one `AEAD_AES_256_GCM` resource: `ciphertext_b64` is Base64 of ciphertext ‖ tag.
    pub fn decrypt(&self, nonce: &str, associated_data: &str, ciphertext_b64: &str) -> Result<Vec<u8>, AeadError> {
        let nonce = Nonce::try_assume_unique_for_key(nonce.as_bytes())
            .map_err(|_| AeadError::other("nonce must be 12 bytes"))?;
        let mut data = STANDARD
            .decode(ciphertext_b64.trim().as_bytes())
            .map_err(|e| AeadError::other(format!("ciphertext is not Base64: {e}")))?;
        let plain =
            self.cipher().open_in_place(nonce, Aad::from(associated_data.as_bytes()), &mut data).map_err(|_| {
                AeadError {
                    message: "the AEAD tag did not verify: the data was encrypted with another key (a different \
                          APIv3 key), or altered"
                        .into(),
                    tag_mismatch: true,
                }
            })?;
        Ok(plain.to_vec())
    }

    /// Encrypts `plaintext`, returning Base64 of ciphertext ‖ tag (for a sandbox serving
    /// `/v3/certificates` or sending callbacks). `nonce` must be 12 bytes and never reused.
    pub fn encrypt(&self, nonce: &str, associated_data: &str, plaintext: &[u8]) -> Result<String, AeadError> {
        let nonce = Nonce::try_assume_unique_for_key(nonce.as_bytes())
            .map_err(|_| AeadError::other("nonce must be 12 bytes"))?;
        let mut data = plaintext.to_vec();
        self.cipher()
            .seal_in_place_append_tag(nonce, Aad::from(associated_data.as_bytes()), &mut data)
            .map_err(|_| AeadError::other("encryption failed"))?;
        Ok(STANDARD.encode(data))
    }
}

impl fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV3Key(<redacted>)")
    }
}

/// An `AEAD_AES_256_GCM` operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AeadError {
    message: String,
    tag_mismatch: bool,
}

impl AeadError {
    fn other(message: impl Into<String>) -> Self {
        AeadError { message: message.into(), tag_mismatch: false }
    }

    /// Whether the input was well formed but its authentication tag did not verify: the data
    /// was encrypted with another key, or altered. Once a signature over the data has verified,
    /// only the key can be wrong.
    pub fn is_tag_mismatch(&self) -> bool {
        self.tag_mismatch
    }
}

impl fmt::Display for AeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AeadError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_detects_tampering() {
        let key = ApiV3Key::new("0123456789abcdef0123456789abcdef").unwrap();
        let ct = key.encrypt("RyEAOXA83YES", "certificate", b"hello").unwrap();
        assert_eq!(key.decrypt("RyEAOXA83YES", "certificate", &ct).unwrap(), b"hello");
        assert!(key.decrypt("RyEAOXA83YES", "other", &ct).is_err());
        let other = ApiV3Key::new("0123456789abcdef0123456789abcdeX").unwrap();
        let wrong_key = other.decrypt("RyEAOXA83YES", "certificate", &ct).unwrap_err();
        assert!(wrong_key.is_tag_mismatch() && wrong_key.to_string().contains("tag did not verify"), "{wrong_key}");
        let malformed = key.decrypt("short", "certificate", &ct).unwrap_err();
        assert!(!malformed.is_tag_mismatch(), "{malformed}");
        assert!(ApiV3Key::new("short").is_err());
        assert_eq!(format!("{key:?}"), "ApiV3Key(<redacted>)");
    }
}
