//! The API client: signs, sends (with retries, timeouts, failover and rate limiting), verifies
//! and decodes every call.
//!
//! Generated call functions build a [`RequestParts`] and hand it to [`Client::execute`]; users
//! build a [`Client`] with [`Client::builder`] or [`Client::from_env`], and adjust single calls
//! with [`Client::with_options`].
//!
//! # Behaviour
//!
//! * **Signing**: every attempt is signed afresh (new timestamp and nonce) over the
//!   byte-identical body, so retries keep the same `out_request_no` and business data.
//! * **Verification** of every 2xx response happens before its body is parsed. Error responses
//!   (non-2xx, and a 202 that stays 202) are verified when they carry a `Wechatpay-Signature`
//!   header; without one they are accepted unverified, as the official SDKs do, and
//!   [`ApiError::signature_verified`](crate::ApiError::signature_verified) says so. An error body
//!   is only ever reported, never trusted to change state, so an unsigned one (a proxy's 502
//!   page, say) is still worth showing; a signed one that fails verification is refused.
//! * **Retries**: network errors, per-attempt timeouts, 429, 5xx and 202, with exponential
//!   backoff, jitter and a cap ([`RetryPolicy`]); `Retry-After` (seconds or an HTTP date) is
//!   honoured up to the cap.
//! * **Keys**: which signatures verify is the [`VerificationMode`]: the WeChat Pay public key
//!   (never downloads anything), platform certificates (downloaded with the APIv3 key, expiring,
//!   replaced on refresh with an overlap window), or both.
//! * **Failover**: when the primary domain cannot be connected to, the same attempt goes to the
//!   backup domain at once, and later calls prefer the backup for a cool-down period.
//! * **Rate limiting**: with [`ClientBuilder::client_rate_limit`] (on by default) each operation
//!   with a documented 频率限制 is spaced by a token bucket in this process, or, with the
//!   `redis` feature and `ClientBuilder::redis_rate_limit`, by a schedule every instance
//!   shares (see [`crate::limiter`]).
//! * **Metrics**: with the `metrics` feature, calls, latency, retries, failovers, rate-limit
//!   waits, verification failures and certificate refreshes (see [`crate::metrics`]).

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use tracing::Instrument as _;

use crate::aead::ApiV3Key;
use crate::certificates::{CERTIFICATES_PATH, decrypt_certificates};
use crate::clock::{Clock, system_clock};
use crate::error::{ApiError, DecodeError, Error, TimeoutKind, VerificationError};
use crate::keys::{PrivateKey, PublicKey, parse_certificate_pem};
use crate::request::Outgoing;
// Re-exported here too: generated code names them as `client::...`.
use crate::limiter::Limiter;
#[cfg(feature = "redis")]
use crate::limiter::RedisLimiterConfig;
use crate::limiter::{CallLimiter, RateLimitSettings};
pub use crate::request::{OperationMeta, PreparedRequest, RequestParts, encode_path_segment, encode_query};
pub use crate::retry::RetryPolicy;
use crate::retry::parse_retry_after;
use crate::signing::{AuthScheme, RequestSigner, unix_timestamp};
use crate::transport::{HttpResponse, ReqwestTransport, Transport};
pub use crate::trust::VerificationMode;
use crate::trust::{PinnedCertificate, TrustConfig, TrustStore};
use crate::upload::{MultipartLayout, UploadFile};
use crate::validate::{Screening, Violation, Violations};
use crate::verify::{HEADER_REQUEST_ID, HEADER_SIGNATURE, ResponseSignature, VerifyError};

/// The primary API domain (访问就近的接入点).
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";
/// The backup API domain (访问异地的接入点), used when the primary cannot be reached.
pub const DEFAULT_BACKUP_BASE_URL: &str = "https://api2.mch.weixin.qq.com";

/// Default time a replaced set of platform certificates still verifies.
const DEFAULT_CERTIFICATE_OVERLAP: Duration = Duration::from_secs(3600);

/// Per-call settings; `None` fields fall back to the client's configuration. Apply them with
/// [`Client::with_options`], which returns a cheap clone of the client.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallOptions {
    /// Skip client-side validation (the server still validates).
    pub skip_validation: bool,
    /// Total time limit for the call, retries and backoff included.
    pub timeout: Option<Duration>,
    /// Time limit for one attempt (sending plus reading the whole response).
    pub attempt_timeout: Option<Duration>,
    /// Retry policy for the call.
    pub retry: Option<RetryPolicy>,
    /// What disputed rules and unknown fields do for the call: warn, be ignored, or refuse
    /// (`None`: the client's [`ClientBuilder::screening`], by default all warn).
    pub screening: Option<Screening>,
}

impl CallOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`CallOptions::skip_validation`].
    pub fn skip_validation(mut self, skip: bool) -> Self {
        self.skip_validation = skip;
        self
    }

    /// Sets [`CallOptions::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets [`CallOptions::attempt_timeout`].
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Sets [`CallOptions::retry`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets [`CallOptions::screening`].
    pub fn screening(mut self, screening: Screening) -> Self {
        self.screening = Some(screening);
        self
    }
}

/// Called with the operation id and each warning of a request about to be sent.
pub type WarningCallback = Arc<dyn Fn(&str, &Violation) + Send + Sync>;

/// A verified (or, for errors, possibly unverified) raw response.
#[derive(Debug)]
pub(crate) struct RawResponse {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    request_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// An API call: verify with the configured keys.
    Call,
    /// The certificate download: the caller verifies with the certificates it decrypts.
    Certificates,
}

/// The WeChat Pay API client. Cheap to clone (one `Arc`); clones share the connection pool,
/// keys, certificate cache and rate limiter.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    options: CallOptions,
}

struct Inner {
    transport: Box<dyn Transport>,
    signer: RequestSigner,
    primary: String,
    backup: Option<String>,
    keys: TrustStore,
    retry: RetryPolicy,
    attempt_timeout: Duration,
    total_timeout: Duration,
    rate_limiter: Option<CallLimiter>,
    /// Whose quota the rate limiter counts: the merchant's id, or `brand:<brand_id>` for a brand
    /// (a brand's 频率限制 are per brand, 品牌ID维度; the prefix keeps them apart from merchants').
    quota_subject: String,
    failover_cooldown: Duration,
    backup_until: Mutex<Option<Instant>>,
    user_agent: String,
    on_warning: Option<WarningCallback>,
    screening: Screening,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = &self.inner.keys;
        f.debug_struct("Client")
            .field("signer", &self.inner.signer)
            .field("base_url", &self.inner.primary)
            .field("backup_base_url", &self.inner.backup)
            .field("public_key_id", &keys.public_key.as_ref().map(|(id, _)| id))
            .field("verification_mode", &keys.mode)
            .field("apiv3_key", &keys.apiv3_key)
            .field("retry", &self.inner.retry)
            .field("attempt_timeout", &self.inner.attempt_timeout)
            .field("total_timeout", &self.inner.total_timeout)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment; see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// A clone of this client whose calls use `options` (cheap: shares everything else).
    pub fn with_options(&self, options: CallOptions) -> Client {
        Client { inner: Arc::clone(&self.inner), options }
    }

    /// The per-call options in effect.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// The merchant id requests are signed for (empty for a brand client: see
    /// [`brand_id`](Self::brand_id)).
    pub fn mchid(&self) -> &str {
        self.inner.signer.mchid().unwrap_or_default()
    }

    /// The brand requests are signed for, for a brand-direct (品牌直连) client.
    pub fn brand_id(&self) -> Option<&str> {
        self.inner.signer.brand_id()
    }

    /// The `Authorization` scheme this client signs with.
    pub fn authorization_scheme(&self) -> &'static str {
        self.inner.signer.scheme().token()
    }

    /// How this client verifies responses (explicit or inferred at build time).
    pub fn verification_mode(&self) -> VerificationMode {
        self.inner.keys.mode
    }

    /// The APIv3 key, when configured (certificate mode, notifications).
    pub(crate) fn apiv3_key(&self) -> Option<&ApiV3Key> {
        self.inner.keys.apiv3_key.as_ref()
    }

    /// CONTRACT: whether generated call functions validate before sending.
    #[doc(hidden)]
    pub fn validation_enabled(&self) -> bool {
        !self.options.skip_validation
    }

    /// CONTRACT: a request's violations under this client's [`Screening`]: `Err` if any refuses
    /// the request, else its warnings, which generated calls carry in [`RequestParts::warnings`].
    #[doc(hidden)]
    pub fn screen(&self, violations: Violations) -> Result<Vec<Violation>, Error> {
        let screening = self.options.screening.as_ref().unwrap_or(&self.inner.screening);
        screening.screen(violations).map_err(Error::Validation)
    }

    /// Reports the warnings of a request about to be sent: to `tracing` and the callback.
    fn report_warnings(&self, meta: &OperationMeta, warnings: &[Violation]) {
        for w in warnings {
            let rule = w.disputed.map(|d| d.id);
            let by = w.disputed.map(|d| d.by);
            // The path may hold a key the caller made up: logged escaped (`?`).
            tracing::warn!(operation = meta.id, field = ?w.path, rule, disputed_by = by, "{}", w.message);
            if let Some(callback) = &self.inner.on_warning {
                callback(meta.id, w);
            }
        }
    }

    /// CONTRACT: signs, sends, verifies and decodes one request. Generated call functions use
    /// it; a CLI can also call it directly with hand-made [`RequestParts`] and
    /// `R = serde_json::Value` for operations the generated code does not cover.
    ///
    /// An empty 2xx body (204 No Content) decodes as JSON `null`, so `()`, `Option<T>` and
    /// `serde_json::Value` all accept it.
    pub async fn execute<R: serde::de::DeserializeOwned>(&self, parts: RequestParts) -> Result<R, Error> {
        let meta = parts.meta;
        self.report_warnings(meta, &parts.warnings);
        decode(meta, self.execute_outgoing(meta, Outgoing::from_parts(parts).map_err(Error::Validation)).await?)
    }

    /// CONTRACT: like [`execute`](Self::execute) for a multipart file upload: `parts.body` is
    /// the `meta` JSON, which is what gets signed; the wire body is the multipart form holding
    /// it and the file, built once so every retry sends the same bytes.
    pub async fn execute_upload<R: serde::de::DeserializeOwned>(
        &self,
        parts: RequestParts,
        layout: &MultipartLayout,
        file: &UploadFile,
    ) -> Result<R, Error> {
        let meta = parts.meta;
        self.report_warnings(meta, &parts.warnings);
        decode(
            meta,
            self.execute_outgoing(meta, Outgoing::upload(parts, layout, file).map_err(Error::Validation)).await?,
        )
    }

    /// Signs, sends and verifies one request (within the call span and total timeout); the
    /// caller decodes the response. Not generic over the response type, so this, the bulk of a
    /// call, is compiled once rather than once per operation.
    pub(crate) async fn execute_outgoing(
        &self,
        meta: &'static OperationMeta,
        outgoing: Result<Outgoing, Error>,
    ) -> Result<RawResponse, Error> {
        // The path as documented (`{openid}`, not the user's), never the query: logs must not
        // carry personal data.
        let span = tracing::info_span!(
            "wechatpay.call",
            operation = meta.id,
            method = meta.method,
            path = meta.path_template,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty
        );
        let call_span = span.clone();
        let started = Instant::now();
        let result = async move {
            let outgoing = outgoing?;
            let target = outgoing.target.clone();
            let total = self.options.timeout.unwrap_or(self.inner.total_timeout);
            // Rate-limit waits count against the call's total time, and never outlast it.
            let deadline = started.checked_add(total).unwrap_or_else(|| started + Duration::from_secs(86_400));
            let send = self.send(&outgoing, Purpose::Call, Some(deadline));
            let resp = match tokio::time::timeout(total, send).await {
                Ok(r) => r,
                Err(_) => Err(Error::Timeout(TimeoutKind::Total)),
            };
            let resp = match resp {
                Ok(r) => r,
                Err(e) => {
                    if let Some(status) = e.status() {
                        call_span.record("status", status);
                    }
                    if let Some(id) = e.request_id() {
                        call_span.record("request_id", id);
                    }
                    tracing::debug!(error = %LogSummary::of(&e, &target, meta), "call failed");
                    return Err(e);
                }
            };
            call_span.record("status", resp.status);
            if let Some(id) = &resp.request_id {
                call_span.record("request_id", id.as_str());
            }
            Ok(resp)
        }
        .instrument(span)
        .await;
        crate::metrics::call(meta.id, &result, started.elapsed());
        result
    }

    /// A dry run: signs `parts` as the next attempt would be signed and returns that request,
    /// sending nothing. It is the value the transport would be given (on the primary domain).
    /// A generated call's `.prepare()` validates the call as sending does, then comes here.
    pub fn prepare(&self, parts: &RequestParts) -> Result<PreparedRequest, Error> {
        Ok(self.prepare_outgoing(&Outgoing::from_parts(parts.clone()).map_err(Error::Validation)?))
    }

    /// A dry run of a multipart upload: the request as [`execute_upload`](Self::execute_upload)
    /// would send it, its body the whole multipart form (the signature covers the meta JSON,
    /// kept in [`PreparedRequest::signed_body`]).
    pub fn prepare_upload(
        &self,
        parts: &RequestParts,
        layout: &MultipartLayout,
        file: &UploadFile,
    ) -> Result<PreparedRequest, Error> {
        Ok(self.prepare_outgoing(&Outgoing::upload(parts.clone(), layout, file).map_err(Error::Validation)?))
    }

    /// Signs one attempt of `outgoing` for the primary domain.
    pub(crate) fn prepare_outgoing(&self, outgoing: &Outgoing) -> PreparedRequest {
        let authorization =
            self.inner.signer.authorization(outgoing.meta.method, &outgoing.target, &outgoing.signed_body);
        outgoing.prepare(&self.inner.primary, authorization, self.inner.keys.request_serial(), &self.inner.user_agent)
    }

    /// Verifies a WeChat Pay signature (the `Wechatpay-*` headers over the raw body) with this
    /// client's keys: the public key and/or platform certificates, downloading certificates for
    /// an unknown serial in certificate mode. Reusable for callbacks (pass the notification's
    /// headers and raw body, before parsing or decrypting it).
    pub async fn verify_signature(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
        self.verify(headers, body).await
    }

    /// Downloads the platform certificates now and returns how many were installed
    /// (certificate and `both` modes, with an APIv3 key). The client also does this by itself:
    /// before the first call, every refresh interval, and when a response names an unknown
    /// serial. The new set replaces the old one, which still verifies for the overlap window
    /// ([`ClientBuilder::certificate_overlap`]).
    pub async fn refresh_certificates(&self) -> Result<usize, Error> {
        let keys = &self.inner.keys;
        if !keys.mode.uses_certificates() {
            return Err(Error::Config(format!(
                "verification mode {} never downloads platform certificates",
                keys.mode
            )));
        }
        if keys.apiv3_key.is_none() {
            return Err(Error::Config("certificate mode needs an APIv3 key (ClientBuilder::apiv3_key)".into()));
        }
        let _guard = self.inner.keys.refresh_lock.lock().await;
        self.download_certificates(false).await
    }

    /// Refreshes the certificates when due; a failure is fatal only when no key is left.
    async fn ensure_certificates(&self) -> Result<(), Error> {
        if !self.inner.keys.needs_refresh() {
            return Ok(());
        }
        let _guard = self.inner.keys.refresh_lock.lock().await;
        if !self.inner.keys.needs_refresh() {
            return Ok(()); // another call refreshed while this one waited
        }
        match self.download_certificates(false).await {
            Ok(_) => Ok(()),
            Err(e) if self.inner.keys.has_any() => {
                tracing::warn!(error = %LogSummary::bare(&e), "platform certificate refresh failed; keeping the keys already held");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// One download, recording when it happened and whether it failed; boxed because it
    /// sends through the same machinery that may call it.
    fn download_certificates(&self, on_miss: bool) -> Pin<Box<dyn Future<Output = Result<usize, Error>> + Send + '_>> {
        Box::pin(async move {
            let keys = &self.inner.keys;
            if on_miss {
                keys.record_miss();
            }
            let result = self.download_certificates_once().await;
            if result.is_err() {
                keys.record_failure();
            }
            crate::metrics::certificate_refresh(result.is_ok(), if on_miss { "unknown_serial" } else { "scheduled" });
            result
        })
    }

    async fn download_certificates_once(&self) -> Result<usize, Error> {
        let keys = &self.inner.keys;
        let Some(apiv3) = keys.apiv3_key.as_ref() else {
            return Err(Error::Config("certificate mode needs an APIv3 key (ClientBuilder::apiv3_key)".into()));
        };
        static META: OperationMeta = OperationMeta {
            id: "download_certificates",
            title: "下载平台证书",
            method: "GET",
            path_template: CERTIFICATES_PATH,
            rate_limit_per_second: None,
            success_status: 200,
        };
        let outgoing = Outgoing {
            meta: &META,
            target: CERTIFICATES_PATH.to_owned(),
            signed_body: Vec::new(),
            form: None,
            warnings: Vec::new(),
        };
        let resp = self.send(&outgoing, Purpose::Certificates, None).await?;
        let certs = decrypt_certificates(&resp.body, apiv3).map_err(|e| Error::Certificate(e.to_string()))?;
        // The AEAD decryption authenticated the certificates; the response must still be
        // signed by one of them (or by the public key during a switch).
        let verified = ResponseSignature::from_headers(&resp.headers).and_then(|sig| {
            let key = match certs.iter().find(|c| c.serial_no == sig.serial) {
                Some(c) => keys.usable_downloaded(c)?,
                None => keys.lookup(&sig.serial)?,
            };
            sig.verify(&resp.body, &key, unix_timestamp())
        });
        if let Err(reason) = verified {
            crate::metrics::verification_failure(true);
            return Err(Error::Verification(Box::new(VerificationError {
                status: resp.status,
                request_id: resp.request_id,
                reason,
            })));
        }
        let count = certs.len();
        keys.install(certs);
        tracing::info!(count, "platform certificates downloaded");
        Ok(count)
    }

    /// Sends with retries; returns the verified response (2xx) or the error. With a `deadline`
    /// (API calls), every attempt first waits for its rate-limit slot: WeChat Pay counts each.
    async fn send(
        &self,
        outgoing: &Outgoing,
        purpose: Purpose,
        deadline: Option<Instant>,
    ) -> Result<RawResponse, Error> {
        let meta = outgoing.meta;
        if purpose == Purpose::Call {
            self.ensure_certificates().await?;
        }
        let policy = self.options.retry.unwrap_or(self.inner.retry);
        let attempt_timeout = self.options.attempt_timeout.unwrap_or(self.inner.attempt_timeout);
        let mut attempt = 1u32;
        loop {
            if let (Some(limiter), Some(deadline)) = (&self.inner.rate_limiter, deadline) {
                limiter.acquire(&self.inner.quota_subject, meta, deadline).await?;
            }
            let span = tracing::debug_span!(
                "attempt",
                attempt,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty
            );
            let (result, retry_after) =
                self.attempt(outgoing, attempt_timeout, purpose, &span).instrument(span.clone()).await;
            match result {
                Ok(resp) => return Ok(resp),
                Err(e) if e.is_retryable() && attempt < policy.max_attempts.max(1) => {
                    let delay = policy.backoff(attempt, retry_after);
                    let error = LogSummary::of(&e, &outgoing.target, meta);
                    tracing::info!(attempt, error = %error, delay_ms = delay.as_millis() as u64, "retrying");
                    crate::metrics::retry(meta.id, &e);
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One attempt: sign (a fresh timestamp and nonce over the same bytes), send (failing over
    /// on connect errors), verify.
    async fn attempt(
        &self,
        outgoing: &Outgoing,
        timeout: Duration,
        purpose: Purpose,
        span: &tracing::Span,
    ) -> (Result<RawResponse, Error>, Option<Duration>) {
        let prepared = self.prepare_outgoing(outgoing);
        let HttpResponse { status, headers, body } =
            match tokio::time::timeout(timeout, self.send_with_failover(&prepared, outgoing.meta)).await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => return (Err(e), None),
                Err(_) => return (Err(Error::Timeout(TimeoutKind::Attempt)), None),
            };
        let request_id = headers.get(HEADER_REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_owned);
        span.record("status", status);
        if let Some(id) = &request_id {
            span.record("request_id", id.as_str());
        }
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
        let resp = RawResponse { status, headers, body, request_id };
        (self.check(resp, purpose).await, retry_after)
    }

    /// Verifies and classifies a response.
    async fn check(&self, resp: RawResponse, purpose: Purpose) -> Result<RawResponse, Error> {
        let success = (200..300).contains(&resp.status) && resp.status != 202;
        let signed = resp.headers.contains_key(HEADER_SIGNATURE);
        let mut verified = false;
        if purpose == Purpose::Call && (success || signed) {
            if let Err(reason) = self.verify(&resp.headers, &resp.body).await {
                tracing::warn!(status = resp.status, reason = %reason, "response signature rejected");
                crate::metrics::verification_failure(false);
                return Err(Error::Verification(Box::new(VerificationError {
                    status: resp.status,
                    request_id: resp.request_id,
                    reason,
                })));
            }
            verified = true;
        }
        if success {
            Ok(resp)
        } else {
            Err(ApiError::from_response(resp.status, &resp.body, resp.request_id, verified).into())
        }
    }

    async fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
        let sig = ResponseSignature::from_headers(headers)?;
        let keys = &self.inner.keys;
        let key = match keys.lookup(&sig.serial) {
            Ok(key) => key,
            // Only an unknown certificate serial can be helped by a download (a rotated
            // certificate); an expired one stays expired, and a public key id is never listed.
            Err(VerifyError::UnknownSerial(_)) if !is_public_key_id(&sig.serial) && keys.may_refresh_on_miss() => {
                let _guard = keys.refresh_lock.lock().await;
                if keys.lookup(&sig.serial).is_err()
                    && keys.may_refresh_on_miss()
                    && let Err(e) = self.download_certificates(true).await
                {
                    tracing::warn!(error = %LogSummary::bare(&e), "platform certificate download for an unknown serial failed");
                }
                keys.lookup(&sig.serial)?
            }
            Err(e) => return Err(e),
        };
        sig.verify(body, &key, unix_timestamp())
    }

    /// Sends one prepared attempt to the primary domain, or, when it cannot be connected to,
    /// the same request (the signature does not cover the host) to the backup domain.
    async fn send_with_failover(
        &self,
        prepared: &PreparedRequest,
        meta: &'static OperationMeta,
    ) -> Result<HttpResponse, Error> {
        let inner = &self.inner;
        let Some(backup) = inner.backup.as_deref() else {
            return inner.transport.send(prepared).await;
        };
        let prefer_backup =
            inner.backup_until.lock().unwrap_or_else(|p| p.into_inner()).is_some_and(|until| Instant::now() < until);
        let (first, second) =
            if prefer_backup { (backup, inner.primary.as_str()) } else { (inner.primary.as_str(), backup) };
        let first_request = if prefer_backup { prepared.at_base(first) } else { prepared.clone() };
        match inner.transport.send(&first_request).await {
            Ok(resp) => Ok(resp),
            Err(e) if e.is_connect_failure() => {
                let error = LogSummary::of(&e, &prepared.canonical_url, meta);
                tracing::warn!(from = %Origin(first), to = %Origin(second), error = %error, "cannot connect; failing over");
                crate::metrics::failover(!prefer_backup);
                let result = inner.transport.send(&prepared.at_base(second)).await;
                let mut until = inner.backup_until.lock().unwrap_or_else(|p| p.into_inner());
                if result.is_ok() {
                    *until = if prefer_backup { None } else { Instant::now().checked_add(inner.failover_cooldown) };
                }
                drop(until);
                result
            }
            Err(e) => Err(e),
        }
    }
}

/// Whether a serial is a WeChat Pay public key id (`PUB_KEY_ID_...`) rather than a certificate
/// serial (hex).
fn is_public_key_id(serial: &str) -> bool {
    serial.starts_with("PUB_KEY_ID_")
}

/// An error as logged: API errors by status, code and Request-ID only, so no response text
/// (which may echo request data) reaches the logs; other errors with the request's path and
/// query (which hold openids, coupon codes and the like) replaced by the documented path
/// template, whatever transport wrote them into its message.
struct LogSummary<'a> {
    error: &'a Error,
    /// The request target (path plus `?query`) as sent, and its operation's path template.
    request: Option<(&'a str, &'static str)>,
}

impl<'a> LogSummary<'a> {
    /// An error of a request to `target` (path plus `?query`) of the operation `meta`.
    fn of(error: &'a Error, target: &'a str, meta: &'static OperationMeta) -> Self {
        LogSummary { error, request: Some((target, meta.path_template)) }
    }

    /// An error of a request whose path and query hold nothing personal (the certificates).
    fn bare(error: &'a Error) -> Self {
        LogSummary { error, request: None }
    }
}

impl fmt::Display for LogSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.error {
            Error::Api(e) => {
                write!(f, "HTTP {}", e.status)?;
                if !e.code.is_empty() {
                    write!(f, " {}", e.code)?;
                }
                write!(f, " (Request-ID: {})", e.request_id.as_deref().unwrap_or("none"))
            }
            other => {
                let text = other.to_string();
                match self.request {
                    Some((target, template)) => f.write_str(&redact_target(&text, target, template)),
                    None => f.write_str(&text),
                }
            }
        }
    }
}

/// `text` with the request target (`path?query`), its path and its query, wherever they
/// appear, replaced by the path template (no query).
fn redact_target(text: &str, target: &str, template: &str) -> String {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut text = text.replace(target, template);
    // A path the template has no placeholder in holds nothing to hide (and `/` alone is
    // everywhere).
    if path != template && path.len() > 1 {
        text = text.replace(path, template);
    }
    if !query.is_empty() {
        text = text.replace(query, "<query>");
    }
    text
}

/// A base URL as logged: scheme, host and port only.
struct Origin<'a>(&'a str);

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match reqwest::Url::parse(self.0) {
            Ok(url) => f.write_str(&url.origin().ascii_serialization()),
            Err(_) => f.write_str("<unparsable base URL>"),
        }
    }
}

pub(crate) fn decode<R: serde::de::DeserializeOwned>(meta: &OperationMeta, resp: RawResponse) -> Result<R, Error> {
    let bytes: &[u8] = if resp.body.iter().all(u8::is_ascii_whitespace) { b"null" } else { &resp.body };
    serde_json::from_slice(bytes).map_err(|source| {
        // Where and what kind of mismatch, not serde's message: it quotes the response's values
        // (an openid, a coupon code), which must not reach the logs.
        tracing::warn!(
            operation = meta.id,
            status = resp.status,
            category = ?source.classify(),
            line = source.line(),
            column = source.column(),
            "response body did not decode"
        );
        Error::Decode(Box::new(DecodeError {
            status: resp.status,
            request_id: resp.request_id,
            body: resp.body,
            source,
        }))
    })
}

/// Configures a [`Client`].
///
/// Required: [`mchid`](Self::mchid), [`merchant_serial_no`](Self::merchant_serial_no),
/// [`private_key_pem`](Self::private_key_pem), and a way to verify responses: the WeChat Pay
/// public key ([`wechatpay_public_key_pem`](Self::wechatpay_public_key_pem)) and/or the APIv3
/// key for platform-certificate mode ([`apiv3_key`](Self::apiv3_key)). Which of them verify is
/// the [`VerificationMode`] ([`verification_mode`](Self::verification_mode)), inferred when not
/// chosen.
///
/// `C` is the client type [`build`](Self::build) returns: this crate's [`Client`], or an API
/// family's client that wraps it.
pub struct ClientBuilder<C = Client> {
    mchid: Option<String>,
    brand_id: Option<String>,
    expect_brand: bool,
    merchant_serial_no: Option<String>,
    private_key: Option<Result<PrivateKey, String>>,
    public_key: Option<(String, Result<PublicKey, String>)>,
    apiv3_key: Option<Result<ApiV3Key, String>>,
    platform_certs: Vec<Result<PinnedCertificate, String>>,
    verification_mode: Option<VerificationMode>,
    certificate_overlap: Duration,
    certificate_clock: Option<Clock>,
    base_url: Option<String>,
    backup_base_url: Option<Option<String>>,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    total_timeout: Duration,
    retry: RetryPolicy,
    rate_limit: bool,
    pub(crate) rate_limits: RateLimitSettings,
    failover_cooldown: Duration,
    certificate_refresh_interval: Duration,
    user_agent: Option<String>,
    on_warning: Option<WarningCallback>,
    screening: Screening,
    transport: Option<Box<dyn Transport>>,
    options: CallOptions,
    output: PhantomData<fn() -> C>,
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder {
            mchid: None,
            brand_id: None,
            expect_brand: false,
            merchant_serial_no: None,
            private_key: None,
            public_key: None,
            apiv3_key: None,
            platform_certs: Vec::new(),
            verification_mode: None,
            certificate_overlap: DEFAULT_CERTIFICATE_OVERLAP,
            certificate_clock: None,
            base_url: None,
            backup_base_url: None,
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(15),
            total_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            rate_limit: true,
            rate_limits: RateLimitSettings::default(),
            failover_cooldown: Duration::from_secs(60),
            certificate_refresh_interval: Duration::from_secs(12 * 3600),
            user_agent: None,
            on_warning: None,
            screening: Screening::default(),
            transport: None,
            options: CallOptions::default(),
            output: PhantomData,
        }
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("mchid", &self.mchid)
            .field("brand_id", &self.brand_id)
            .field("merchant_serial_no", &self.merchant_serial_no)
            .field("private_key", &self.private_key.as_ref().map(|_| "<redacted>"))
            .field("public_key_id", &self.public_key.as_ref().map(|(id, _)| id))
            .field("apiv3_key", &self.apiv3_key.as_ref().map(|_| "<redacted>"))
            .field("verification_mode", &self.verification_mode)
            .field("base_url", &self.base_url)
            .field("backup_base_url", &self.backup_base_url)
            .finish_non_exhaustive()
    }
}

/// The environment variables naming who signs, for one family's loader
/// ([`ClientBuilder::from_env`], [`ClientBuilder::from_brand_env`]); everything else is shared.
#[derive(Debug, Clone, Copy)]
struct EnvFamily {
    scheme: AuthScheme,
    identity: &'static str,
    serial_no: &'static str,
    private_key_path: &'static str,
    public_key_id: &'static str,
    public_key_path: &'static str,
    /// A brand verifies with the public key bound to it only: its variables are required.
    public_key_required: bool,
    api_key: &'static str,
    verify_mode: &'static str,
}

impl EnvFamily {
    const PARTNER: EnvFamily = EnvFamily {
        scheme: AuthScheme::PARTNER,
        identity: "WECHATPAY_MCHID",
        serial_no: "WECHATPAY_MERCHANT_SERIAL_NO",
        private_key_path: "WECHATPAY_PRIVATE_KEY_PATH",
        public_key_id: "WECHATPAY_PUBLIC_KEY_ID",
        public_key_path: "WECHATPAY_PUBLIC_KEY_PATH",
        public_key_required: false,
        api_key: "WECHATPAY_APIV3_KEY",
        verify_mode: "WECHATPAY_VERIFY_MODE",
    };

    const BRAND: EnvFamily = EnvFamily {
        scheme: AuthScheme::BRAND,
        identity: "WECHATPAY_BRAND_ID",
        serial_no: "WECHATPAY_BRAND_SERIAL_NO",
        private_key_path: "WECHATPAY_BRAND_PRIVATE_KEY_PATH",
        public_key_id: "WECHATPAY_BRAND_PUBLIC_KEY_ID",
        public_key_path: "WECHATPAY_BRAND_PUBLIC_KEY_PATH",
        public_key_required: true,
        api_key: "WECHATPAY_BRAND_API_KEY",
        verify_mode: "WECHATPAY_BRAND_VERIFY_MODE",
    };
}

fn read_file(var: &str, path: &str) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::Config(format!("{var}: cannot read {path:?}: {e}")))
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder with the defaults: the official domains, 5 s connect / 15 s attempt / 60 s
    /// total timeouts, [`RetryPolicy::default`], client-side rate limiting on, certificates
    /// refreshed every 12 hours.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder from environment variables:
    ///
    /// | variable | |
    /// | --- | --- |
    /// | `WECHATPAY_MCHID` | required |
    /// | `WECHATPAY_MERCHANT_SERIAL_NO` | required |
    /// | `WECHATPAY_PRIVATE_KEY_PATH` | required, PEM file (PKCS#8 or PKCS#1) |
    /// | `WECHATPAY_PUBLIC_KEY_ID`, `WECHATPAY_PUBLIC_KEY_PATH` | together; public-key mode |
    /// | `WECHATPAY_APIV3_KEY` | optional; decrypts notifications, and platform certificates in certificate mode |
    /// | `WECHATPAY_VERIFY_MODE` | optional: `public_key`, `platform_certificate` or `both`; default inferred: `public_key` when the public key is set, else `platform_certificate` (see [`VerificationMode`]) |
    /// | `WECHATPAY_BASE_URL` | default `https://api.mch.weixin.qq.com` |
    /// | `WECHATPAY_BACKUP_BASE_URL` | default `https://api2.mch.weixin.qq.com` when the base URL is the default, otherwise none; `none` or empty disables |
    /// | `WECHATPAY_RATE_LIMIT_REDIS_URL`, `..._PREFIX`, `..._POLICY`, `WECHATPAY_RATE_LIMIT_INSTANCES` | optional; the rate limit shared through Redis (see [`rate_limits_from_env`](Self::rate_limits_from_env)) |
    ///
    /// The backup domain is not defaulted for a custom base URL so a sandbox or test setup
    /// never fails over to the real WeChat Pay.
    pub fn from_env() -> Result<ClientBuilder<C>, Error> {
        Self::from_env_with(EnvFamily::PARTNER)
    }

    /// The one environment loader: `family` names the variables of who signs (identity,
    /// certificate serial and key, public key, notification key, verification mode); every
    /// other setting (the domains, the shared rate limit) is read the same way for every
    /// family, so the loaders cannot drift (a brand loader once lost the shared rate limit).
    fn from_env_with(family: EnvFamily) -> Result<ClientBuilder<C>, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let need = |name: &str| var(name).ok_or_else(|| Error::Config(format!("{name} is not set")));
        let mut b = ClientBuilder::new();
        b = if family.scheme == AuthScheme::BRAND {
            b.expect_brand().brand_id(need(family.identity)?)
        } else {
            b.mchid(need(family.identity)?)
        };
        b = b.merchant_serial_no(need(family.serial_no)?);
        let key_path = need(family.private_key_path)?;
        b = b.private_key_pem(read_file(family.private_key_path, &key_path)?);
        match (var(family.public_key_id), var(family.public_key_path)) {
            (Some(id), Some(path)) => b = b.wechatpay_public_key_pem(id, read_file(family.public_key_path, &path)?),
            (None, None) if !family.public_key_required => {}
            (None, None) => return Err(Error::Config(format!("{} is not set", family.public_key_id))),
            _ => {
                return Err(Error::Config(format!(
                    "{} and {} must be set together",
                    family.public_key_id, family.public_key_path
                )));
            }
        }
        if let Some(key) = std::env::var(family.api_key).ok().filter(|k| !k.is_empty()) {
            b = b.apiv3_key(key);
        }
        if let Some(mode) = var(family.verify_mode) {
            let mode = mode.parse().map_err(|e| Error::Config(format!("{}: {e}", family.verify_mode)))?;
            b = b.verification_mode(mode);
        }
        if let Some(url) = var("WECHATPAY_BASE_URL") {
            b = b.base_url(url);
        }
        match std::env::var("WECHATPAY_BACKUP_BASE_URL") {
            Ok(v) if v.trim().is_empty() || v.trim().eq_ignore_ascii_case("none") => b = b.no_backup_base_url(),
            Ok(v) => b = b.backup_base_url(v.trim()),
            Err(_) => {}
        }
        b.rate_limits_from_env()
    }

    /// The 服务商 merchant id (`mchid` in the Authorization header).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// Signs as a brand calling its own APIs (品牌直连): `WECHATPAY-BRAND-SHA256-RSA2048` with
    /// `brand_id` in the Authorization header, the key and serial of the 品牌API证书
    /// ([`brand_private_key_pem`](Self::brand_private_key_pem),
    /// [`brand_serial_no`](Self::brand_serial_no)). Responses verify with the WeChat Pay public
    /// key bound to the brand, whose id every request carries as `Wechatpay-Serial`; brands
    /// download no platform certificates. Not together with [`mchid`](Self::mchid).
    pub fn brand_id(mut self, brand_id: impl Into<String>) -> Self {
        self.brand_id = Some(brand_id.into());
        self
    }

    /// Makes [`build`](Self::build) refuse a configuration without [`brand_id`](Self::brand_id):
    /// for a brand family's client, whose calls a merchant signature would only get refused.
    pub fn expect_brand(mut self) -> Self {
        self.expect_brand = true;
        self
    }

    /// Serial number of the 品牌API证书 (`serial_no` of a brand's Authorization header).
    pub fn brand_serial_no(self, serial_no: impl Into<String>) -> Self {
        self.merchant_serial_no(serial_no)
    }

    /// The 品牌API证书 private key as PEM (`apiclient_key.pem`).
    pub fn brand_private_key_pem(self, pem: impl AsRef<str>) -> Self {
        self.private_key_pem(pem)
    }

    /// The 品牌API密钥 (32 characters): decrypts a brand's notifications (it plays the APIv3
    /// key's part; see [`apiv3_key`](Self::apiv3_key)).
    pub fn brand_api_key(self, key: impl AsRef<[u8]>) -> Self {
        self.apiv3_key(key)
    }

    /// A brand-direct builder from environment variables:
    ///
    /// | variable | |
    /// | --- | --- |
    /// | `WECHATPAY_BRAND_ID` | required |
    /// | `WECHATPAY_BRAND_SERIAL_NO` | required: the 品牌API证书 serial |
    /// | `WECHATPAY_BRAND_PRIVATE_KEY_PATH` | required: the 品牌API证书 key, PEM |
    /// | `WECHATPAY_BRAND_PUBLIC_KEY_ID`, `WECHATPAY_BRAND_PUBLIC_KEY_PATH` | required: the WeChat Pay public key bound to the brand (`PUB_KEY_ID_...`, sent as `Wechatpay-Serial`) |
    /// | `WECHATPAY_BRAND_API_KEY` | optional: the 品牌API密钥, decrypts notifications |
    /// | `WECHATPAY_BRAND_VERIFY_MODE` | optional; a brand verifies with the public key only, so only `public_key` builds |
    /// | `WECHATPAY_BASE_URL`, `WECHATPAY_BACKUP_BASE_URL` | as for [`from_env`](Self::from_env) |
    /// | `WECHATPAY_RATE_LIMIT_*` | as for [`from_env`](Self::from_env): the rate limit shared through Redis |
    ///
    /// One loader reads both families' variables (the table of [`from_env`](Self::from_env)
    /// with `WECHATPAY_BRAND_*` names for who signs), so every other option is read alike.
    pub fn from_brand_env() -> Result<ClientBuilder<C>, Error> {
        Self::from_env_with(EnvFamily::BRAND)
    }

    /// Serial number of the merchant API certificate (`serial_no`).
    pub fn merchant_serial_no(mut self, serial_no: impl Into<String>) -> Self {
        self.merchant_serial_no = Some(serial_no.into());
        self
    }

    /// The merchant API private key as PEM (`apiclient_key.pem`; PKCS#8 or PKCS#1). Parsed
    /// here, once; errors are reported by [`build`](Self::build).
    pub fn private_key_pem(mut self, pem: impl AsRef<str>) -> Self {
        self.private_key = Some(PrivateKey::from_pem(pem.as_ref()).map_err(|e| e.to_string()));
        self
    }

    /// The merchant API private key, already parsed.
    pub fn private_key(mut self, key: PrivateKey) -> Self {
        self.private_key = Some(Ok(key));
        self
    }

    /// Public-key mode: the WeChat Pay public key id (`PUB_KEY_ID_...`) and its PEM
    /// (`pub_key.pem`). The id is also sent as `Wechatpay-Serial`.
    pub fn wechatpay_public_key_pem(mut self, id: impl Into<String>, pem: impl AsRef<str>) -> Self {
        self.public_key = Some((id.into(), PublicKey::from_pem(pem.as_ref()).map_err(|e| e.to_string())));
        self
    }

    /// Public-key mode with an already-parsed key.
    pub fn wechatpay_public_key(mut self, id: impl Into<String>, key: PublicKey) -> Self {
        self.public_key = Some((id.into(), Ok(key)));
        self
    }

    /// The 32-byte APIv3 key: decrypts notifications, and, in certificate or `both`
    /// [`VerificationMode`], the certificates the client downloads from `/v3/certificates`
    /// (before the first call, then periodically). Setting it alongside a public key does not
    /// by itself switch on downloads.
    pub fn apiv3_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.apiv3_key = Some(ApiV3Key::new(key).map_err(|e| e.to_string()));
        self
    }

    /// Adds a platform certificate (PEM) known in advance; its serial is read from it.
    pub fn platform_certificate_pem(mut self, pem: impl AsRef<str>) -> Self {
        self.platform_certs.push(
            parse_certificate_pem(pem.as_ref())
                .map(|c| (c.serial_no, c.public_key, c.not_after))
                .map_err(|e| e.to_string()),
        );
        self
    }

    /// Adds a verification key under a platform-certificate serial (no expiry known).
    pub fn platform_certificate(mut self, serial_no: impl Into<String>, key: PublicKey) -> Self {
        self.platform_certs.push(Ok((serial_no.into(), key, None)));
        self
    }

    /// Chooses how responses are verified (see [`VerificationMode`]); without this call the
    /// mode is inferred from the keys configured: a WeChat Pay public key means
    /// [`PublicKey`](VerificationMode::PublicKey) even when the APIv3 key is set (it is then
    /// only for notifications), plus hand-added certificates means
    /// [`Both`](VerificationMode::Both), no public key means
    /// [`PlatformCertificate`](VerificationMode::PlatformCertificate).
    pub fn verification_mode(mut self, mode: VerificationMode) -> Self {
        self.verification_mode = Some(mode);
        self
    }

    /// How long a replaced set of downloaded platform certificates still verifies after a
    /// refresh (default 1 hour), for responses and callbacks signed just before a rotation.
    pub fn certificate_overlap(mut self, overlap: Duration) -> Self {
        self.certificate_overlap = overlap;
        self
    }

    /// The clock (Unix seconds) used for certificate expiry and the overlap window; the system
    /// clock by default. For tests. Signature timestamps are always checked against the system
    /// clock.
    pub fn certificate_clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.certificate_clock = Some(Arc::new(clock));
        self
    }

    /// The primary base URL (`https://host[:port]`, no path). `http://` is allowed only for
    /// loopback hosts (127.0.0.0/8, `::1`, `localhost`), for tests and a local sandbox.
    /// Setting it clears the default backup URL; set one with
    /// [`backup_base_url`](Self::backup_base_url).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The backup base URL, used when the primary cannot be connected to.
    pub fn backup_base_url(mut self, url: impl Into<String>) -> Self {
        self.backup_base_url = Some(Some(url.into()));
        self
    }

    /// No backup base URL.
    pub fn no_backup_base_url(mut self) -> Self {
        self.backup_base_url = Some(None);
        self
    }

    /// Time limit for establishing a connection (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time limit for one attempt, reading the whole response included (default 15 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Time limit for a whole call, retries and backoff included (default 60 s).
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// Default retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Space calls per operation to its documented 频率限制 within this process (default on).
    pub fn client_rate_limit(mut self, enabled: bool) -> Self {
        self.rate_limit = enabled;
        self
    }

    /// How long calls prefer the backup domain after the primary failed to connect (default 60 s).
    pub fn failover_cooldown(mut self, cooldown: Duration) -> Self {
        self.failover_cooldown = cooldown;
        self
    }

    /// How often platform certificates are re-downloaded (default 12 h).
    pub fn certificate_refresh_interval(mut self, interval: Duration) -> Self {
        self.certificate_refresh_interval = interval;
        self
    }

    /// What disputed rules and unknown request fields do (see [`Screening`]): by default they
    /// are warnings and the request is sent. A call's [`CallOptions::screening`] overrides it.
    pub fn screening(mut self, screening: Screening) -> Self {
        self.screening = screening;
        self
    }

    /// Called with the operation id and each warning (a disputed rule broken, a field the spec
    /// does not know) of every request about to be sent, after the warning went to `tracing`
    /// (target `wechatpay_apiv3::client`, level WARN). A dry run carries its warnings in
    /// [`PreparedRequest::warnings`] instead.
    pub fn on_warning(mut self, callback: impl Fn(&str, &Violation) + Send + Sync + 'static) -> Self {
        self.on_warning = Some(Arc::new(callback));
        self
    }

    /// Replaces the `User-Agent` header value.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The transport that sends each signed attempt (default: [`ReqwestTransport`] with the
    /// [`connect_timeout`](Self::connect_timeout)). Plug in a
    /// [`RecordingTransport`](crate::transport::RecordingTransport) or
    /// [`ReplayTransport`](crate::transport::ReplayTransport) in tests.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Box::new(transport));
        self
    }

    /// Default per-call options for the client.
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Checks the configuration and builds the client (no network traffic).
    pub fn build(self) -> Result<C, Error> {
        let cfg = |m: String| Error::Config(m);
        if self.expect_brand && self.brand_id.is_none() {
            return Err(cfg(
                "a brand-direct client needs brand_id (and the 品牌API证书), not a merchant's mchid".into()
            ));
        }
        let (who, mchid) = match (self.mchid, &self.brand_id) {
            (Some(_), Some(_)) => {
                return Err(cfg("set either mchid (服务商) or brand_id (品牌直连), not both".into()));
            }
            (Some(mchid), None) => ("mchid", mchid),
            (None, Some(brand)) => ("brand_id", brand.clone()),
            (None, None) => return Err(cfg("mchid is required (or brand_id for a brand)".into())),
        };
        let serial = self.merchant_serial_no.ok_or_else(|| cfg("merchant_serial_no is required".into()))?;
        for (name, v) in [(who, &mchid), ("merchant_serial_no", &serial)] {
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b',') {
                return Err(cfg(format!("{name} must be non-empty visible ASCII without '\"' or ','")));
            }
        }
        let private_key = self
            .private_key
            .ok_or_else(|| cfg("the merchant private key is required".into()))?
            .map_err(|e| cfg(format!("merchant private key: {e}")))?;
        let public_key = match self.public_key {
            Some((id, key)) => {
                if id.is_empty() || !id.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(cfg("the WeChat Pay public key id must be visible ASCII".into()));
                }
                Some((id, key.map_err(|e| cfg(format!("WeChat Pay public key: {e}")))?))
            }
            None => None,
        };
        let apiv3_key = self.apiv3_key.transpose().map_err(|e| cfg(format!("APIv3 key: {e}")))?;
        let pinned = self
            .platform_certs
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| cfg(format!("platform certificate: {e}")))?;
        let mode =
            verification_mode(self.verification_mode, public_key.is_some(), apiv3_key.is_some(), !pinned.is_empty())?;
        // Brands verify with the public key bound to them, which is also their required
        // `Wechatpay-Serial`; no brand source has platform certificates.
        if self.brand_id.is_some() && (mode != VerificationMode::PublicKey || public_key.is_none()) {
            return Err(cfg(format!(
                "a brand client verifies with the WeChat Pay public key only (wechatpay_public_key_pem), not {mode}"
            )));
        }
        let (primary, backup) = match self.base_url {
            None => {
                (DEFAULT_BASE_URL.to_owned(), self.backup_base_url.unwrap_or(Some(DEFAULT_BACKUP_BASE_URL.to_owned())))
            }
            Some(url) => (url, self.backup_base_url.flatten()),
        };
        let primary = check_base_url(&primary)?;
        let backup = backup.map(|b| check_base_url(&b)).transpose()?;
        let user_agent = self.user_agent.unwrap_or_else(|| {
            format!(
                "wechatpay-apiv3/{} (Rust; {}/{})",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::OS,
                std::env::consts::ARCH
            )
        });
        let transport = match self.transport {
            Some(transport) => transport,
            None => Box::new(ReqwestTransport::new(self.connect_timeout)?),
        };
        let inner = Inner {
            transport,
            quota_subject: match self.brand_id {
                Some(_) => format!("brand:{mchid}"),
                None => mchid.clone(),
            },
            signer: RequestSigner::new(
                if self.brand_id.is_some() { AuthScheme::BRAND } else { AuthScheme::PARTNER },
                mchid,
                serial,
                private_key,
            ),
            primary,
            backup,
            keys: TrustStore::new(TrustConfig {
                mode,
                public_key,
                apiv3_key,
                pinned,
                refresh_interval: self.certificate_refresh_interval,
                overlap: self.certificate_overlap,
                clock: self.certificate_clock.unwrap_or_else(system_clock),
            }),
            retry: self.retry,
            attempt_timeout: self.attempt_timeout,
            total_timeout: self.total_timeout,
            rate_limiter: if self.rate_limit { Some(self.rate_limits.build()?) } else { None },
            failover_cooldown: self.failover_cooldown,
            backup_until: Mutex::new(None),
            user_agent,
            on_warning: self.on_warning,
            screening: self.screening,
        };
        Ok(C::from(Client { inner: Arc::new(inner), options: self.options }))
    }
}

/// The rate-limit settings (the limiter itself: [`crate::limiter`]).
impl<C> ClientBuilder<C> {
    /// Replaces the documented 频率限制 of one operation (by its spec id, e.g.
    /// `create_product_coupon`) with `per_second` requests per second, for example when WeChat
    /// Pay granted a merchant a higher quota. Applies to whichever limiter is in use.
    pub fn rate_limit_override(mut self, operation: impl Into<String>, per_second: u32) -> Self {
        self.rate_limits.set_override(operation.into(), Some(per_second.max(1)));
        self
    }

    /// Sends one operation (by its spec id) without client-side rate limiting.
    pub fn no_rate_limit(mut self, operation: impl Into<String>) -> Self {
        self.rate_limits.set_override(operation.into(), None);
        self
    }

    /// Uses `limiter` instead of the in-process one (its quotas still come from the spec and
    /// the overrides). Has no effect with [`client_rate_limit(false)`](Self::client_rate_limit).
    pub fn rate_limiter(mut self, limiter: Arc<dyn Limiter>) -> Self {
        self.rate_limits.set_limiter(limiter);
        self
    }

    /// Shares the rate limit with every other instance configured with the same Redis and key
    /// prefix (see [`RedisLimiterConfig`]). Nothing connects before the first call.
    #[cfg(feature = "redis")]
    pub fn redis_rate_limit(mut self, config: RedisLimiterConfig) -> Self {
        self.rate_limits.set_redis(config);
        self
    }

    /// Applies the rate-limit environment variables (part of
    /// [`from_env`](ClientBuilder::from_env)):
    ///
    /// | variable | |
    /// | --- | --- |
    /// | `WECHATPAY_RATE_LIMIT_REDIS_URL` | share the limit through this Redis (`redis://[:password@]host:port/db`; needs the `redis` feature) |
    /// | `WECHATPAY_RATE_LIMIT_REDIS_PREFIX` | key prefix, default `wechatpay:ratelimit` |
    /// | `WECHATPAY_RATE_LIMIT_REDIS_POLICY` | `fallback` (default) or `fail`: what happens when Redis is unreachable |
    /// | `WECHATPAY_RATE_LIMIT_REDIS_TIMEOUT_MS` | time limit of one acquire in milliseconds before the policy applies (default 500) |
    /// | `WECHATPAY_RATE_LIMIT_INSTANCES` | how many instances share the quota: each takes 1/N of it while falling back (default 1) |
    pub fn rate_limits_from_env(mut self) -> Result<Self, Error> {
        self.rate_limits.apply_env()?;
        Ok(self)
    }
}

/// The verification mode: the explicit one, checked against the keys it needs, or the one the
/// keys imply.
fn verification_mode(
    explicit: Option<VerificationMode>,
    public_key: bool,
    apiv3_key: bool,
    pinned_certificates: bool,
) -> Result<VerificationMode, Error> {
    let certificates = apiv3_key || pinned_certificates;
    let mode = match explicit {
        Some(mode) => mode,
        None if public_key && pinned_certificates => VerificationMode::Both,
        None if public_key => VerificationMode::PublicKey,
        None if certificates => VerificationMode::PlatformCertificate,
        None => {
            return Err(Error::Config("responses cannot be verified: set the WeChat Pay public key (wechatpay_public_key_pem) or the APIv3 key (apiv3_key)".into()));
        }
    };
    if mode.uses_public_key() && !public_key {
        return Err(Error::Config(format!(
            "verification mode {mode} needs the WeChat Pay public key (wechatpay_public_key_pem)"
        )));
    }
    if mode.uses_certificates() && !certificates {
        return Err(Error::Config(format!(
            "verification mode {mode} needs the APIv3 key (apiv3_key) to download platform certificates, or a platform certificate"
        )));
    }
    Ok(mode)
}

/// Checks a base URL: https (or http to loopback), no path, query, fragment or credentials.
/// Returns it without a trailing slash.
fn check_base_url(url: &str) -> Result<String, Error> {
    let parsed = reqwest::Url::parse(url).map_err(|e| Error::Config(format!("base URL {url:?}: {e}")))?;
    let host = parsed.host_str().ok_or_else(|| Error::Config(format!("base URL {url:?} has no host")))?;
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(Error::Config(format!("base URL {url:?}: https is required (http only for loopback hosts)")));
        }
        other => return Err(Error::Config(format!("base URL {url:?}: unsupported scheme {other:?}"))),
    }
    if !matches!(parsed.path(), "" | "/")
        || parsed.query().is_some()
        || parsed.fragment().is_some()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(Error::Config(format!("base URL {url:?} must be scheme://host[:port] only")));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The families' loaders differ only in the names of who signs: each name is the
    /// partner's with `BRAND_` after `WECHATPAY_` (the brand's own words where the partner's are
    /// `MCHID`, `MERCHANT_` and `APIV3_KEY`), and no two variables of a family are the same.
    #[test]
    fn the_brand_loader_names_the_partner_variables_for_a_brand() {
        let names = |f: EnvFamily| {
            [f.identity, f.serial_no, f.private_key_path, f.public_key_id, f.public_key_path, f.api_key, f.verify_mode]
        };
        let (partner, brand) = (names(EnvFamily::PARTNER), names(EnvFamily::BRAND));
        for (p, b) in partner.iter().zip(brand) {
            let expected = p
                .replacen("WECHATPAY_", "WECHATPAY_BRAND_", 1)
                .replace("BRAND_MCHID", "BRAND_ID")
                .replace("MERCHANT_", "")
                .replace("APIV3_KEY", "API_KEY");
            assert_eq!(b, expected);
        }
        for family in [partner, brand] {
            let distinct: std::collections::BTreeSet<_> = family.iter().collect();
            assert_eq!(distinct.len(), family.len(), "{family:?}");
        }
        assert_eq!((EnvFamily::PARTNER.scheme, EnvFamily::BRAND.scheme), (AuthScheme::PARTNER, AuthScheme::BRAND));
        const { assert!(EnvFamily::BRAND.public_key_required && !EnvFamily::PARTNER.public_key_required) };
    }

    #[test]
    fn base_urls_need_https_except_loopback() {
        assert_eq!(check_base_url("https://api.mch.weixin.qq.com/").unwrap(), "https://api.mch.weixin.qq.com");
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://127.5.0.1:8080").is_ok());
        assert!(check_base_url("http://[::1]:8080").is_ok());
        assert!(check_base_url("http://localhost:8080").is_ok());
        assert!(check_base_url("http://api.mch.weixin.qq.com").is_err());
        assert!(check_base_url("http://10.0.0.1").is_err());
        assert!(check_base_url("https://api.mch.weixin.qq.com/v3").is_err());
        assert!(check_base_url("https://u:p@api.mch.weixin.qq.com").is_err());
        assert!(check_base_url("ftp://api.mch.weixin.qq.com").is_err());
    }
}
