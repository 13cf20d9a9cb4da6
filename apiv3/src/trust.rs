//! Which keys verify WeChat Pay's signatures: the [`VerificationMode`] and the client's store of
//! the WeChat Pay public key and platform certificates.
//!
//! Certificate rules (certificate and `both` modes):
//! * a download **replaces** the downloaded set; the previous set still verifies for an overlap
//!   window (responses already in flight, callbacks signed just before a rotation), then not;
//! * a certificate past its expiry never verifies. Its expiry is the earlier of the listing's
//!   `expire_time` and the certificate's own notAfter (whichever of the two can be read);
//! * certificates configured by hand ([`ClientBuilder::platform_certificate_pem`]) are kept
//!   across downloads, and expire the same way.
//!
//! [`ClientBuilder::platform_certificate_pem`]: crate::client::ClientBuilder::platform_certificate_pem

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::aead::ApiV3Key;
use crate::certificates::PlatformCertificate;
#[cfg(test)]
use crate::certificates::same_serial;
use crate::clock::{Clock, parse_rfc3339};
use crate::keys::PublicKey;
use crate::verify::VerifyError;

/// Least time between two certificate downloads triggered by failures or unknown serials.
const MIN_CERTIFICATE_RETRY: Duration = Duration::from_secs(60);

/// How the client verifies WeChat Pay's signatures.
///
/// | mode | verifies with | downloads `/v3/certificates` |
/// | --- | --- | --- |
/// | [`PublicKey`](Self::PublicKey) | the WeChat Pay public key (`PUB_KEY_ID_...`) | never |
/// | [`PlatformCertificate`](Self::PlatformCertificate) | platform certificates | yes, with the APIv3 key |
/// | [`Both`](Self::Both) | either (the migration setup) | yes, with the APIv3 key |
///
/// When not chosen explicitly it is inferred: a configured public key means `PublicKey` (the
/// APIv3 key then only decrypts notifications), or `Both` when platform certificates were also
/// added by hand; without a public key it is `PlatformCertificate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationMode {
    /// Only the WeChat Pay public key; no certificate is ever downloaded.
    PublicKey,
    /// Only platform certificates, downloaded with the APIv3 key and/or configured by hand.
    PlatformCertificate,
    /// Both: a response signed by the public key or by a platform certificate is accepted,
    /// as during WeChat Pay's switch from certificates to the public key.
    Both,
}

impl VerificationMode {
    /// The name used by `WECHATPAY_VERIFY_MODE`: `public_key`, `platform_certificate`, `both`.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationMode::PublicKey => "public_key",
            VerificationMode::PlatformCertificate => "platform_certificate",
            VerificationMode::Both => "both",
        }
    }

    /// Whether the WeChat Pay public key verifies in this mode.
    pub fn uses_public_key(self) -> bool {
        matches!(self, VerificationMode::PublicKey | VerificationMode::Both)
    }

    /// Whether platform certificates verify (and are downloaded) in this mode.
    pub fn uses_certificates(self) -> bool {
        matches!(self, VerificationMode::PlatformCertificate | VerificationMode::Both)
    }
}

impl fmt::Display for VerificationMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VerificationMode {
    type Err = String;

    /// Accepts the [`as_str`](Self::as_str) names, case-insensitively, with `-` for `_`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "public_key" => Ok(VerificationMode::PublicKey),
            "platform_certificate" => Ok(VerificationMode::PlatformCertificate),
            "both" => Ok(VerificationMode::Both),
            _ => Err(format!("unknown verification mode {s:?} (expected public_key, platform_certificate or both)")),
        }
    }
}

/// One usable platform certificate key.
#[derive(Clone)]
struct CertKey {
    key: PublicKey,
    /// Unix seconds from which it no longer verifies.
    expires_at: Option<i64>,
}

/// A set of certificates by serial, plus the one to announce in `Wechatpay-Serial`.
#[derive(Default)]
struct CertSet {
    keys: HashMap<String, CertKey>,
    /// (effective_time, serial) of the newest certificate.
    newest: Option<(String, String)>,
}

#[derive(Default)]
struct CertState {
    /// Configured by hand; never replaced.
    pinned: CertSet,
    /// The last download.
    current: CertSet,
    /// The download before it, and when it was replaced (Unix seconds).
    previous: Option<(CertSet, i64)>,
    /// Last successful download.
    fetched: Option<Instant>,
    /// Last failed download (throttles further tries).
    last_failure: Option<Instant>,
    /// Last download triggered by an unknown serial (throttles such downloads).
    last_miss: Option<Instant>,
}

fn recent(t: Option<Instant>) -> bool {
    t.is_some_and(|t| t.elapsed() < MIN_CERTIFICATE_RETRY)
}

/// The client's verification keys.
pub(crate) struct TrustStore {
    pub(crate) mode: VerificationMode,
    pub(crate) public_key: Option<(String, PublicKey)>,
    pub(crate) apiv3_key: Option<ApiV3Key>,
    refresh_interval: Duration,
    overlap: Duration,
    clock: Clock,
    certs: RwLock<CertState>,
    /// Serializes downloads.
    pub(crate) refresh_lock: tokio::sync::Mutex<()>,
}

/// A certificate configured by hand: serial, key, expiry (Unix seconds) when known.
pub(crate) type PinnedCertificate = (String, PublicKey, Option<i64>);

/// Everything [`TrustStore::new`] takes.
pub(crate) struct TrustConfig {
    pub mode: VerificationMode,
    pub public_key: Option<(String, PublicKey)>,
    pub apiv3_key: Option<ApiV3Key>,
    pub pinned: Vec<PinnedCertificate>,
    pub refresh_interval: Duration,
    pub overlap: Duration,
    pub clock: Clock,
}

impl TrustStore {
    pub(crate) fn new(config: TrustConfig) -> Self {
        let mut pinned = CertSet::default();
        for (serial, key, expires_at) in config.pinned {
            pinned.keys.insert(serial, CertKey { key, expires_at });
        }
        TrustStore {
            mode: config.mode,
            public_key: config.public_key,
            apiv3_key: config.apiv3_key,
            refresh_interval: config.refresh_interval,
            overlap: config.overlap,
            clock: config.clock,
            certs: RwLock::new(CertState { pinned, ..CertState::default() }),
            refresh_lock: tokio::sync::Mutex::new(()),
        }
    }

    fn state(&self) -> std::sync::RwLockReadGuard<'_, CertState> {
        self.certs.read().unwrap_or_else(|p| p.into_inner())
    }

    fn state_mut(&self) -> std::sync::RwLockWriteGuard<'_, CertState> {
        self.certs.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Now, by the injectable clock.
    pub(crate) fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Whether this store downloads certificates at all.
    pub(crate) fn downloads(&self) -> bool {
        self.mode.uses_certificates() && self.apiv3_key.is_some()
    }

    /// The key for `serial`, or why there is none usable.
    pub(crate) fn lookup(&self, serial: &str) -> Result<PublicKey, VerifyError> {
        if self.mode.uses_public_key()
            && let Some((id, key)) = &self.public_key
            && id == serial
        {
            return Ok(key.clone());
        }
        if !self.mode.uses_certificates() {
            return Err(VerifyError::UnknownSerial(serial.to_owned()));
        }
        let now = self.now();
        let state = self.state();
        let overlap_secs = i64::try_from(self.overlap.as_secs()).unwrap_or(i64::MAX);
        let previous = state
            .previous
            .as_ref()
            .filter(|(_, replaced_at)| now < replaced_at.saturating_add(overlap_secs))
            .map(|(set, _)| set);
        let found = [Some(&state.current), Some(&state.pinned), previous]
            .into_iter()
            .flatten()
            .find_map(|set| set.keys.get(serial));
        match found {
            Some(CertKey { expires_at: Some(t), .. }) if now >= *t => {
                Err(VerifyError::ExpiredCertificate { serial: serial.to_owned(), expired_at: *t })
            }
            Some(c) => Ok(c.key.clone()),
            None => Err(VerifyError::UnknownSerial(serial.to_owned())),
        }
    }

    /// What to send in `Wechatpay-Serial`: the public key id, else the newest certificate.
    pub(crate) fn request_serial(&self) -> Option<String> {
        if self.mode.uses_public_key()
            && let Some((id, _)) = &self.public_key
        {
            return Some(id.clone());
        }
        let state = self.state();
        [&state.current, &state.pinned].into_iter().find_map(|set| {
            set.newest.as_ref().map(|(_, serial)| serial.clone()).or_else(|| set.keys.keys().next().cloned())
        })
    }

    /// Whether any key can verify at all.
    pub(crate) fn has_any(&self) -> bool {
        self.has_any_locked(&self.state())
    }

    /// Whether a download is due before the next call.
    pub(crate) fn needs_refresh(&self) -> bool {
        if !self.downloads() {
            return false;
        }
        let state = self.state();
        let failed_recently = recent(state.last_failure);
        match state.fetched {
            // With no key at all nothing can be verified: always try.
            None => !failed_recently || !self.has_any_locked(&state),
            Some(t) => t.elapsed() >= self.refresh_interval && !failed_recently,
        }
    }

    fn has_any_locked(&self, state: &CertState) -> bool {
        (self.mode.uses_public_key() && self.public_key.is_some())
            || (self.mode.uses_certificates() && !(state.current.keys.is_empty() && state.pinned.keys.is_empty()))
    }

    /// Whether an unknown serial may trigger a download now.
    pub(crate) fn may_refresh_on_miss(&self) -> bool {
        let state = self.state();
        self.downloads() && !recent(state.last_miss) && !recent(state.last_failure)
    }

    pub(crate) fn record_miss(&self) {
        self.state_mut().last_miss = Some(Instant::now());
    }

    pub(crate) fn record_failure(&self) {
        self.state_mut().last_failure = Some(Instant::now());
    }

    /// The key of a just-downloaded certificate, unless expired (used to check the signature
    /// of the download itself before installing it).
    pub(crate) fn usable_downloaded(&self, cert: &PlatformCertificate) -> Result<PublicKey, VerifyError> {
        match expiry(cert) {
            Some(t) if self.now() >= t => {
                Err(VerifyError::ExpiredCertificate { serial: cert.serial_no.clone(), expired_at: t })
            }
            _ => Ok(cert.public_key.clone()),
        }
    }

    /// Replaces the downloaded set; the old one stays usable for the overlap window.
    pub(crate) fn install(&self, certs: Vec<PlatformCertificate>) {
        let mut set = CertSet::default();
        for c in certs {
            let effective = c.effective_time.clone().unwrap_or_default();
            if set.newest.as_ref().is_none_or(|(t, _)| effective >= *t) {
                set.newest = Some((effective, c.serial_no.clone()));
            }
            let expires_at = expiry(&c);
            set.keys.insert(c.serial_no, CertKey { key: c.public_key, expires_at });
        }
        let now = self.now();
        let mut state = self.state_mut();
        let old = std::mem::replace(&mut state.current, set);
        if !old.keys.is_empty() {
            state.previous = Some((old, now));
        }
        state.fetched = Some(Instant::now());
    }
}

/// When a downloaded certificate stops verifying: the earlier of the listing's `expire_time`
/// and the certificate's notAfter.
fn expiry(cert: &PlatformCertificate) -> Option<i64> {
    let listed = cert.expire_time.as_deref().and_then(|t| {
        let parsed = parse_rfc3339(t);
        if parsed.is_none() {
            tracing::warn!(serial = %cert.serial_no, expire_time = t, "unreadable expire_time; using the certificate's notAfter");
        }
        parsed
    });
    match (listed, cert.not_after) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_from_their_names() {
        for m in [VerificationMode::PublicKey, VerificationMode::PlatformCertificate, VerificationMode::Both] {
            assert_eq!(m.as_str().parse::<VerificationMode>(), Ok(m));
        }
        assert_eq!(" Public-Key ".parse::<VerificationMode>(), Ok(VerificationMode::PublicKey));
        assert!("certificates".parse::<VerificationMode>().is_err());
    }

    #[test]
    fn serials_compare_without_case_or_leading_zeros() {
        assert!(same_serial("0a1b", "A1B"));
        assert!(same_serial("00", "0"));
        assert!(!same_serial("A1B", "A1C"));
    }
}
