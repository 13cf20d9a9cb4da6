//! What the request handlers share: the [`Shared`] state of a running sandbox, the response
//! body type, and what runs after a change (save the state file, send the notifications, start
//! the timers). Below the server and the admin API, which both use it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Body as _, Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::Value;
use wechatpay_apiv3::signing::ResponseSigner;
use wechatpay_product_coupon::PublicKey;
use wechatpay_product_coupon::runtime::aead::ApiV3Key;
use wechatpay_product_coupon::runtime::ratelimit::RateLimiter;

use crate::clock::Clock;
use crate::faults::Faults;
use crate::keys::SandboxKeys;
use crate::notify::Notifier;
use crate::notify_targets::NotifyTargets;
use crate::persist::Persister;
use crate::replay::NonceCache;
use crate::state::{CompleteImageTask, Ctx, Outgoing, State};

pub(crate) type Body = Full<Bytes>;

/// Everything the request handlers share.
pub(crate) struct Shared {
    pub keys: SandboxKeys,
    pub merchants: HashMap<(String, String), PublicKey>,
    pub public_key_signer: ResponseSigner,
    pub platform_signer: ResponseSigner,
    pub apiv3: ApiV3Key,
    pub state: Mutex<State>,
    pub faults: Faults,
    /// Per account (merchant, or brand calling directly) and operation.
    pub rate_limiter: Option<RateLimiter<(String, &'static str)>>,
    /// The brands that call directly, by `brand_id`.
    pub direct_brands: std::collections::BTreeMap<String, DirectBrand>,
    pub brands: Option<std::collections::BTreeSet<String>>,
    pub persist: Option<Persister>,
    pub log: bool,
    pub admin_from_anywhere: bool,
    /// The address the sandbox listens on (the admin gate's `Host` check).
    pub listen: std::net::SocketAddr,
    /// Timeouts of connections and request bodies.
    pub limits: Limits,
    /// The nonces of verified requests within the timestamp window (replay protection).
    pub nonces: NonceCache,
    /// Where notifications may go (also checked when a notify URL is set).
    pub notify_targets: Arc<NotifyTargets>,
    pub request_seq: AtomicU64,
    pub request_prefix: String,
    pub base_url: String,
    pub clock: Clock,
    pub notifier: Notifier,
}

/// How long the sandbox waits for a peer, so that a slow or silent one holds nothing for long.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// For a request's headers, counted from the connection's start or the end of the previous
    /// response (so it is also how long an idle keep-alive connection stays open).
    pub header_read_timeout: Duration,
    /// For a request's whole body, once its headers are in.
    pub body_read_timeout: Duration,
    /// With no request being handled, a connection that moves no byte either way for this long
    /// is closed (a peer that does not read its answer, say).
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Reads a request body of at most `limit` bytes within `timeout`: otherwise the answer to
/// send instead (413, 408). A `Content-Length` over the limit is refused before anything is
/// read, and reading stops at the limit, so a larger body is never held.
pub(crate) async fn read_body(body: Incoming, limit: usize, timeout: Duration) -> Result<Bytes, Response<Body>> {
    let too_large = || {
        plain_json(
            StatusCode::PAYLOAD_TOO_LARGE,
            &serde_json::json!({"code": "INVALID_REQUEST", "message": format!(
                "request body larger than {} or unreadable", human_size(limit)
            )}),
        )
    };
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large());
    }
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(_)) => Err(too_large()),
        Err(_) => Err(plain_json(
            StatusCode::REQUEST_TIMEOUT,
            &serde_json::json!({"code": "INVALID_REQUEST", "message": format!(
                "request body not received within {} s", timeout.as_secs_f64()
            )}),
        )),
    }
}

/// `1 MiB`, `64 KiB`.
fn human_size(bytes: usize) -> String {
    if bytes >= 1 << 20 { format!("{} MiB", bytes >> 20) } else { format!("{} KiB", bytes >> 10) }
}

/// A brand the sandbox knows as a direct caller (品牌直连).
pub(crate) struct DirectBrand {
    /// Its 品牌API证书 serial and public key: verifies its `Authorization`.
    pub serial_no: String,
    pub key: PublicKey,
    /// The WeChat Pay public key id bound to it: its requests' `Wechatpay-Serial`; the answers
    /// to them and its notifications are signed under it.
    pub signer: ResponseSigner,
    /// The 品牌API密钥: encrypts its notifications.
    pub api_key: ApiV3Key,
}

impl Shared {
    /// The signer of the answers to brand requests: the brand whose public key id the request
    /// named in `Wechatpay-Serial`, else the first brand (a refused request may name none).
    pub(crate) fn brand_signer(&self, serial: Option<&str>) -> &ResponseSigner {
        let named = serial.and_then(|s| self.direct_brands.values().find(|b| b.signer.serial() == s));
        named.or_else(|| self.direct_brands.values().next()).map_or(&self.public_key_signer, |b| &b.signer)
    }

    /// The state. A std `Mutex` is poisoned when a thread panics while holding it; poisoning
    /// is ignored on purpose, so that one request's panic (answered 500) does not fail every
    /// later request too.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn next_request_id(&self) -> String {
        let n = self.request_seq.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{}{n:012X}", self.request_prefix)
    }
}

/// Runs `f` on the state as merchant `mchid` outside a request (timers, admin actions), then
/// saves the state and sends what `f` queued, as after a request.
pub(crate) async fn with_ctx<R>(shared: &Arc<Shared>, mchid: &str, f: impl FnOnce(&mut Ctx<'_>) -> R) -> R {
    let (result, outbox, timers, changed) = {
        let mut state = shared.state();
        let before = state.revision;
        let mut ctx = Ctx::new(&mut state, mchid, shared.brands.as_ref(), shared.clock.now());
        let result = f(&mut ctx);
        let (outbox, timers) = (std::mem::take(&mut ctx.outbox), std::mem::take(&mut ctx.timers));
        (result, outbox, timers, state.revision != before)
    };
    after_change(shared, changed, outbox, timers).await;
    result
}

/// Saves the state if it changed, delivers the notifications and starts the timers a handler
/// queued.
pub(crate) async fn after_change(
    shared: &Arc<Shared>,
    changed: bool,
    outbox: Vec<Outgoing>,
    timers: Vec<CompleteImageTask>,
) {
    save_and_dispatch(shared, changed, outbox).await;
    for timer in timers {
        let shared_for_timer = Arc::clone(shared);
        shared.notifier.spawn(async move {
            tokio::time::sleep(crate::images::IMAGE_TASK_DURATION).await;
            complete_image_task(&shared_for_timer, &timer.key).await;
        });
    }
}

async fn save_and_dispatch(shared: &Arc<Shared>, changed: bool, outbox: Vec<Outgoing>) {
    if changed
        && let Some(p) = &shared.persist
        && let Err(e) = p.save(|| shared.state(), false).await
    {
        eprintln!("wechatpay-sandbox: could not write the state file {}: {e}", p.path.display());
    }
    shared.notifier.dispatch(outbox);
}

/// The timer of an image generation task nobody queried: finish it now.
async fn complete_image_task(shared: &Arc<Shared>, key: &str) {
    let (changed, outbox) = {
        let mut state = shared.state();
        let Some(mchid) = state.image_tasks.get(key).map(|r| r.mchid.clone()) else { return };
        let mut ctx = Ctx::new(&mut state, &mchid, shared.brands.as_ref(), shared.clock.now());
        let changed = ctx.complete_image_task(key);
        (changed, std::mem::take(&mut ctx.outbox))
    };
    save_and_dispatch(shared, changed, outbox).await;
}

pub(crate) fn plain_json(status: StatusCode, value: &Value) -> Response<Body> {
    let mut resp = Response::new(Full::new(Bytes::from(serde_json::to_vec_pretty(value).expect("JSON"))));
    *resp.status_mut() = status;
    resp.headers_mut().insert(hyper::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp.headers_mut().insert(HeaderName::from_static("server"), HeaderValue::from_static("wechatpay-sandbox"));
    resp
}
