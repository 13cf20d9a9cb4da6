//! Replay protection: a signed request's `nonce_str` is good for one request.
//!
//! A request whose signature verifies is accepted only if its `nonce_str` was not used before
//! within the timestamp window: the same signed bytes sent again (by anyone who saw them) are
//! refused, while a client's retry, signed afresh with a new nonce, is not. The nonce alone is
//! the key, not the signer's identity or scheme: the signature does not cover those header
//! parameters, so a captured request re-labelled with another `mchid` whose key is the same
//! would otherwise count as new. Genuine nonces are random (32 characters), so keying on the
//! nonce alone refuses nothing a client would send.
//!
//! What WeChat Pay answers for a replayed nonce is not documented in what the project has:
//! `shared/reference/product-coupon-api.md` (§7 authentication protocol, §6 errors) and
//! `shared/reference/brand-direct.md` (authentication, errors) were searched for nonce reuse,
//! 重放 and 随机串 and say nothing about it. So the sandbox answers it like every other
//! signature failure: 401 `SIGN_ERROR` (签名验证不通过), the message saying why.
//!
//! Memory is bounded: an entry is kept only while a request with its timestamp would still pass
//! the timestamp check (`timestamp + MAX_CLOCK_SKEW_SECS`), and at most [`MAX_ENTRIES`] are
//! kept; beyond that the entry that would expire first is forgotten early. Only requests whose
//! signature verified are recorded, so filling the cache takes a signing key, and whoever has
//! one can sign new requests anyway.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use wechatpay_apiv3::verify::MAX_CLOCK_SKEW_SECS;

/// Nonces remembered at most (each a 32-byte digest kept twice: under 10 MB at worst).
pub(crate) const MAX_ENTRIES: usize = 100_000;

/// The longest `nonce_str` accepted: WeChat Pay's clients send 32 characters; a longer one is
/// refused before it is remembered, so the memory per entry stays fixed.
pub(crate) const MAX_NONCE_LEN: usize = 64;

/// The SHA-256 of a `nonce_str`: a fixed-size key whatever the nonce.
type Key = [u8; 32];

fn key_of(nonce: &str) -> Key {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, nonce.as_bytes());
    let mut key = [0u8; 32];
    key.copy_from_slice(digest.as_ref());
    key
}

/// The nonces seen within the timestamp window.
#[derive(Debug)]
pub(crate) struct NonceCache {
    inner: Mutex<Inner>,
    cap: usize,
}

#[derive(Debug, Default)]
struct Inner {
    /// Each nonce and when it may be forgotten (Unix seconds).
    expires: HashMap<Key, i64>,
    /// The same, in expiry order.
    by_expiry: BTreeSet<(i64, Key)>,
}

impl Default for NonceCache {
    fn default() -> Self {
        NonceCache::with_capacity(MAX_ENTRIES)
    }
}

impl NonceCache {
    pub(crate) fn with_capacity(cap: usize) -> Self {
        NonceCache { inner: Mutex::new(Inner::default()), cap: cap.max(1) }
    }

    /// Records the nonce of a verified request signed at `timestamp`; `false` if it was seen
    /// before within the window (a replay). `now` is the real time, Unix seconds.
    pub(crate) fn first_use(&self, nonce: &str, timestamp: i64, now: i64) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        // Forget what no request can replay any more: its timestamp is out of the window.
        while let Some(first) = inner.by_expiry.first().copied() {
            if first.0 > now {
                break;
            }
            inner.by_expiry.remove(&first);
            inner.expires.remove(&first.1);
        }
        let key = key_of(nonce);
        if inner.expires.contains_key(&key) {
            return false;
        }
        while inner.expires.len() >= self.cap {
            let Some(first) = inner.by_expiry.pop_first() else { break };
            inner.expires.remove(&first.1);
        }
        let expires = timestamp.saturating_add(MAX_CLOCK_SKEW_SECS);
        inner.expires.insert(key, expires);
        inner.by_expiry.insert((expires, key));
        true
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().unwrap().expires.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn a_nonce_is_good_once_within_the_window() {
        let cache = NonceCache::default();
        assert!(cache.first_use("n1", NOW, NOW));
        assert!(!cache.first_use("n1", NOW, NOW), "replayed");
        assert!(!cache.first_use("n1", NOW - 10, NOW + 100), "another timestamp, same nonce");
        assert!(cache.first_use("n2", NOW, NOW));
    }

    #[test]
    fn entries_expire_with_the_window() {
        let cache = NonceCache::default();
        assert!(cache.first_use("n", NOW, NOW));
        assert!(!cache.first_use("n", NOW, NOW + MAX_CLOCK_SKEW_SECS - 1));
        // Past the window the timestamp check refuses the request before it gets here; the
        // entry is gone.
        assert!(cache.first_use("other", NOW + MAX_CLOCK_SKEW_SECS, NOW + MAX_CLOCK_SKEW_SECS));
        assert_eq!(cache.len(), 1, "the expired entry was forgotten");
    }

    #[test]
    fn memory_is_capped() {
        let cache = NonceCache::with_capacity(3);
        for (i, ts) in [NOW + 30, NOW + 10, NOW + 20, NOW + 40].into_iter().enumerate() {
            assert!(cache.first_use(&format!("n{i}"), ts, NOW));
        }
        assert_eq!(cache.len(), 3);
        // The one that would have expired first (n1, NOW + 10) was forgotten.
        assert!(cache.first_use("n1", NOW + 10, NOW));
        assert!(!cache.first_use("n3", NOW + 40, NOW));
    }
}
