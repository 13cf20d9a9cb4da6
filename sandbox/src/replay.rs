//! Replay protection: a signed request's `nonce_str` is good for one request.
//!
//! A request whose signature verifies is accepted only if its signer has not used its
//! `nonce_str` before within the timestamp window: the same signed bytes sent again (by anyone
//! who saw them) are refused, while a client's retry, signed afresh with a new nonce, is not.
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

/// Nonces remembered at most (about 20 MB at worst).
pub(crate) const MAX_ENTRIES: usize = 100_000;

/// Who signed and the nonce: the scheme's token, the signer's identity (`mchid` or
/// `brand_id`), `nonce_str`.
type Key = (&'static str, String, String);

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
    pub(crate) fn first_use(
        &self,
        scheme: &'static str,
        identity: &str,
        nonce: &str,
        timestamp: i64,
        now: i64,
    ) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        // Forget what no request can replay any more: its timestamp is out of the window.
        while let Some(first) = inner.by_expiry.first().cloned() {
            if first.0 > now {
                break;
            }
            inner.by_expiry.remove(&first);
            inner.expires.remove(&first.1);
        }
        let key: Key = (scheme, identity.to_owned(), nonce.to_owned());
        if inner.expires.contains_key(&key) {
            return false;
        }
        while inner.expires.len() >= self.cap {
            let Some(first) = inner.by_expiry.pop_first() else { break };
            inner.expires.remove(&first.1);
        }
        let expires = timestamp.saturating_add(MAX_CLOCK_SKEW_SECS);
        inner.expires.insert(key.clone(), expires);
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
    fn a_nonce_is_good_once_per_signer_within_the_window() {
        let cache = NonceCache::default();
        assert!(cache.first_use("A", "1900000001", "n1", NOW, NOW));
        assert!(!cache.first_use("A", "1900000001", "n1", NOW, NOW), "replayed");
        assert!(!cache.first_use("A", "1900000001", "n1", NOW - 10, NOW + 100), "another timestamp, same nonce");
        assert!(cache.first_use("A", "1900000002", "n1", NOW, NOW), "another signer");
        assert!(cache.first_use("B", "1900000001", "n1", NOW, NOW), "another scheme");
        assert!(cache.first_use("A", "1900000001", "n2", NOW, NOW));
    }

    #[test]
    fn entries_expire_with_the_window() {
        let cache = NonceCache::default();
        assert!(cache.first_use("A", "m", "n", NOW, NOW));
        assert!(!cache.first_use("A", "m", "n", NOW, NOW + MAX_CLOCK_SKEW_SECS - 1));
        // Past the window the timestamp check refuses the request before it gets here; the
        // entry is gone.
        assert!(cache.first_use("A", "m", "other", NOW + MAX_CLOCK_SKEW_SECS, NOW + MAX_CLOCK_SKEW_SECS));
        assert_eq!(cache.len(), 1, "the expired entry was forgotten");
    }

    #[test]
    fn memory_is_capped() {
        let cache = NonceCache::with_capacity(3);
        for (i, ts) in [NOW + 30, NOW + 10, NOW + 20, NOW + 40].into_iter().enumerate() {
            assert!(cache.first_use("A", "m", &format!("n{i}"), ts, NOW));
        }
        assert_eq!(cache.len(), 3);
        // The one that would have expired first (n1, NOW + 10) was forgotten.
        assert!(cache.first_use("A", "m", "n1", NOW + 10, NOW));
        assert!(!cache.first_use("A", "m", "n3", NOW + 40, NOW));
    }
}
