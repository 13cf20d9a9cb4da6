//! A local stand-in for the WeChat Pay APIv3 partner 商品券 (product coupon) APIs, for tests and
//! demos: WeChat Pay has no public sandbox for them.
//!
//! It serves every operation of the spec (`api-spec/`) through the `OperationHandler` trait
//! generated into this crate (`src/generated/handler.rs`, not part of the client), so when
//! the spec grows the sandbox stops compiling until it serves the new operations too. For each
//! request it:
//!
//! * verifies the `Authorization` signature against the merchant keys it knows (401
//!   `SIGN_ERROR`, also for a timestamp outside the 5-minute window);
//! * validates the body with the client's own constraints and cross-field rules (400
//!   `PARAM_ERROR` / `INVALID_REQUEST`, the message naming every field), so a request sent with
//!   validation switched off is still refused;
//! * keeps state, the whole family's: product coupons, stocks and stock bundles (budgets,
//!   stores, uploaded codes, sent counts), user coupons through their lifecycle (send, confirm,
//!   use, return, deactivate, expiry), pre-send tokens, the notify URL, images and image
//!   generation tasks (see [`state`]); it is idempotent by `out_request_no` /
//!   `send_request_no` / `task_id`;
//! * runs a business clock ([`clock`]) that a test can start anywhere and move forward, so
//!   coupons can expire without waiting;
//! * delivers event notifications (`PRODUCT_COUPON_SP.SEND` for every coupon sent,
//!   `PRODUCT_COUPON_SP.IMAGE_GENERATION`) to the configured notify URL, encrypted with the
//!   APIv3 key and signed like WeChat Pay's, with retries ([`notify`]);
//! * takes uploads as `multipart/form-data`, verifying the signature over the `meta` part;
//! * enforces each operation's 频率限制 (429 `RATELIMIT_EXCEEDED`);
//! * signs every response (public-key mode, `PUB_KEY_ID_...`; with the platform certificate's
//!   key when the request names its serial in `Wechatpay-Serial`) and serves
//!   `GET /v3/certificates` for platform-certificate mode;
//! * injects faults on request ([`faults`]);
//! * guards itself and its machine: a signed request is accepted once (its nonce), slow or idle
//!   connections are closed, bodies are bounded and unknown paths answered unread, notify URLs
//!   never point at the sandbox itself, its `/sandbox/...` endpoints or (from a sandbox on a
//!   network, unless [`SandboxBuilder::allow_private_notify`]) this machine or a private
//!   network, the admin endpoints refuse web pages but their own (`/sandbox/ui`), and the
//!   public dev keys are refused on a non-loopback address unless
//!   [`SandboxBuilder::allow_dev_keys_on_network`];
//! * serves the brand family (品牌直连, `/brand/marketing/product-coupon/...`) at the same time,
//!   through the same pipeline and handlers and one state: the brand's Authorization scheme
//!   (each family's paths take only their own, else 401 `SIGN_ERROR`), `Wechatpay-Serial`
//!   required, per-brand rate limits, `PRODUCT_COUPON.SEND` notifications encrypted with the
//!   品牌API密钥 ([`RunningSandbox::brand_client_builder`]; `sandbox/README.md`).
//!
//! # In a test
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use wechatpay_sandbox::{Sandbox, faults::FaultAction};
//!
//! let sandbox = Sandbox::builder().start().await?; // 127.0.0.1, a free port, dev keys
//! // or: Sandbox::builder().start_time(wechatpay_sandbox::demo::DEMO_TIME), to send the demo coupons
//! let client = sandbox.client_builder().build()?; // the sandbox's merchant; opens its notifications
//! sandbox.faults().inject(FaultAction::SystemError, 1); // the next request gets a 500
//! // ... client.create_product_coupon(&request).await ...
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # From the command line
//!
//! `cargo run --bin wechatpay-sandbox -- --listen 127.0.0.1:0 --env-file .sandbox.env` prints
//! the address and writes the client configuration; `set -a; . ./.sandbox.env; set +a` then
//! points `Client::from_env` (and the CLI) at it. See `sandbox/README.md`.

#![deny(missing_docs)]

mod admin;
mod auth;
pub mod clock;
mod coupons;
pub mod demo;
mod failure;
pub mod faults;
mod generated;
mod idempotency;
mod images;
pub mod keys;
mod multipart;
pub mod notify;
mod notify_targets;
mod persist;
mod pipeline;
mod replay;
mod server;
mod shared;
mod snapshot;
pub mod state;
mod ui;
mod user_coupons;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use wechatpay_apiv3::signing::ResponseSigner;
use wechatpay_product_coupon::brand::{BrandClient, BrandClientBuilder};
use wechatpay_product_coupon::{Client, ClientBuilder, PublicKey};

pub use faults::{CERTIFICATES_OPERATION, FAULT_HEADER, Fault, FaultAction, Faults, QueuedFault};
pub use keys::SandboxKeys;
pub use notify::{DeliveryStatus, NotificationRecord};
pub use state::{ApiFailure, ProductCoupon};
pub use user_coupons::Claimed;

use crate::persist::Persister;
use crate::shared::Shared;
use crate::state::State;

/// Entry point: [`Sandbox::builder`].
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// Starts configuring a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// Configures a sandbox; [`SandboxBuilder::start`] runs it.
#[derive(Debug)]
pub struct SandboxBuilder {
    listen: SocketAddr,
    keys: Option<SandboxKeys>,
    extra_merchants: Vec<(String, String, PublicKey)>,
    state_file: Option<PathBuf>,
    rate_limit: bool,
    log_requests: bool,
    brands: Option<std::collections::BTreeSet<String>>,
    start_time: Option<String>,
    notify_retry_delays: Vec<Duration>,
    admin_from_anywhere: bool,
    allow_private_notify: bool,
    allow_dev_keys_on_network: bool,
    limits: shared::Limits,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            keys: None,
            extra_merchants: Vec::new(),
            state_file: None,
            rate_limit: true,
            log_requests: false,
            brands: None,
            start_time: None,
            notify_retry_delays: notify::RETRY_DELAYS.to_vec(),
            admin_from_anywhere: false,
            allow_private_notify: false,
            allow_dev_keys_on_network: false,
            limits: shared::Limits::default(),
        }
    }
}

impl SandboxBuilder {
    /// The address to listen on (default `127.0.0.1:0`: loopback, a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The keys and identities (default [`SandboxKeys::dev`]).
    pub fn keys(mut self, keys: SandboxKeys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// Also accept requests signed by another merchant (`mchid`, certificate serial, public key).
    pub fn merchant(mut self, mchid: impl Into<String>, serial_no: impl Into<String>, key: PublicKey) -> Self {
        self.extra_merchants.push((mchid.into(), serial_no.into(), key));
        self
    }

    /// Load the state from `path` when it exists, and write it there (atomically) after every
    /// change and at shutdown.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Enforce each operation's documented 频率限制 (default on). Switch it off for load tests.
    pub fn rate_limit(mut self, enabled: bool) -> Self {
        self.rate_limit = enabled;
        self
    }

    /// Only these brands have granted the 服务商 the 商品券 permission: a request for another
    /// `brand_id` is 403 `NO_AUTH`. By default every brand has.
    pub fn brands<I: IntoIterator<Item = S>, S: Into<String>>(mut self, brands: I) -> Self {
        self.brands = Some(brands.into_iter().map(Into::into).collect());
        self
    }

    /// Starts the business clock at `rfc3339` (e.g. `2025-08-04T10:00:00+08:00`) instead of the
    /// real time; it runs on from there. Coupons are received, confirmed, used and expire by
    /// this clock (see [`clock`]); signatures keep the real time. [`demo::DEMO_TIME`] is inside
    /// the demo stocks' available periods.
    pub fn start_time(mut self, rfc3339: impl Into<String>) -> Self {
        self.start_time = Some(rfc3339.into());
        self
    }

    /// The waits between attempts to deliver a notification (default 200 ms, 1 s, 2 s, 4 s: five
    /// attempts); an empty list makes one attempt only.
    pub fn notify_retry_delays<I: IntoIterator<Item = Duration>>(mut self, delays: I) -> Self {
        self.notify_retry_delays = delays.into_iter().collect();
        self
    }

    /// Answer the admin endpoints (`/sandbox/...`: state, faults, clock, notifications) to any
    /// peer (default off: only loopback peers, others get 403). They are unauthenticated and
    /// can rewrite the clock and queue faults, so open them only on a network you trust.
    pub fn admin_from_anywhere(mut self, enabled: bool) -> Self {
        self.admin_from_anywhere = enabled;
        self
    }

    /// Let a sandbox that listens on a non-loopback address deliver notifications to loopback
    /// and private addresses (this machine, `10.0.0.0/8`, `192.168.0.0/16`, link-local...;
    /// default off). A sandbox on loopback may always, since only this machine can set its
    /// notify URL; never to the sandbox itself or a `/sandbox/...` path. On a network, anyone
    /// who can sign a request (anyone, with the dev keys) chooses where the sandbox POSTs: turn
    /// this on only on a network you trust.
    pub fn allow_private_notify(mut self, enabled: bool) -> Self {
        self.allow_private_notify = enabled;
        self
    }

    /// Start on a non-loopback address with the committed dev keys ([`SandboxKeys::dev`];
    /// default off: [`start`](Self::start) refuses). They are public, so on a network anyone who
    /// reaches the sandbox can sign requests as its merchant and brand and open its
    /// notifications; use [`SandboxKeys::generate`] instead unless the network is trusted.
    pub fn allow_dev_keys_on_network(mut self, enabled: bool) -> Self {
        self.allow_dev_keys_on_network = enabled;
        self
    }

    /// How long a connection may take to send a request's headers (default 10 s), counted from
    /// the connection's start or the end of the previous response, so an idle keep-alive
    /// connection is closed after it too. A peer that sends its headers slowly is disconnected.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How long a request's body may take once its headers are in (default 30 s); then 408.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.body_read_timeout = timeout;
        self
    }

    /// A connection with no request being handled that moves no byte for this long is closed
    /// (default 60 s): a peer that stops reading its answer, say.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// Print one line per request to stderr (default off; the binary turns it on).
    pub fn log_requests(mut self, enabled: bool) -> Self {
        self.log_requests = enabled;
        self
    }

    /// Binds, loads the state file if any, and serves on the current tokio runtime until
    /// [`RunningSandbox::shutdown`] (or until the [`RunningSandbox`] is dropped).
    pub async fn start(self) -> io::Result<RunningSandbox> {
        let keys = self.keys.unwrap_or_else(SandboxKeys::dev);
        if !self.listen.ip().to_canonical().is_loopback() && keys.uses_dev_keys() && !self.allow_dev_keys_on_network {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "refusing to listen on {} with the committed dev keys (sandbox/keys/, public in the repository): \
                     anyone who reaches this address could sign requests as the sandbox's merchant and brand and \
                     open its notifications. Use fresh keys (--generate-keys or --keys-dir DIR; \
                     SandboxKeys::generate), listen on 127.0.0.1, or, on a network you trust, pass \
                     --allow-dev-keys-on-network (SandboxBuilder::allow_dev_keys_on_network)",
                    self.listen
                ),
            ));
        }
        let loaded = keys.load()?;
        let start = match &self.start_time {
            Some(text) => Some(clock::parse_rfc3339(text).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, format!("start time {text:?} is not an RFC 3339 date-time"))
            })?),
            None => None,
        };
        let state = match &self.state_file {
            Some(path) => match std::fs::read(path) {
                Ok(bytes) => State::from_json(&bytes)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", path.display())))?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => State::new(),
                Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
            },
            None => State::new(),
        };
        if let Some(path) = &self.state_file {
            // Written at once: a fresh file proves the place is writable before any request
            // depends on it.
            persist::write_atomic(path, &state.to_json())
                .map_err(|e| io::Error::new(e.kind(), format!("state file {}: {e}", path.display())))?;
        }
        let listener = tokio::net::TcpListener::bind(self.listen).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let mut merchants = HashMap::new();
        merchants.insert((keys.mchid.clone(), keys.merchant_serial_no.clone()), loaded.merchant_pub.clone());
        for (mchid, serial, key) in self.extra_merchants {
            merchants.insert((mchid, serial), key);
        }
        let faults = Faults::default();
        let prefix: String = keys::random_bytes(6).iter().map(|b| format!("{b:02X}")).collect();
        let public_key_signer = ResponseSigner::new(keys.public_key_id.clone(), loaded.wechatpay_key.clone());
        // The brand's answers and notifications are signed with the same WeChat Pay key, under
        // the public key id bound to the brand.
        let brand = shared::DirectBrand {
            serial_no: keys.brand_serial_no.clone(),
            key: loaded.brand_pub.clone(),
            signer: ResponseSigner::new(keys.brand_public_key_id.clone(), loaded.wechatpay_key.clone()),
            api_key: loaded.brand_api_key.clone(),
        };
        let notify_brands = [(keys.brand_id.clone(), (brand.signer.clone(), brand.api_key.clone()))].into();
        let direct_brands = [(keys.brand_id.clone(), brand)].into();
        let clock = clock::Clock::default();
        if let Some(unix) = start {
            clock.set(unix).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("start time: {e}")))?;
        }
        let notify_targets = Arc::new(notify_targets::NotifyTargets::new(addr, self.allow_private_notify));
        let shared = Arc::new(Shared {
            merchants,
            notifier: notify::Notifier::new(
                public_key_signer.clone(),
                loaded.apiv3.clone(),
                notify_brands,
                self.notify_retry_delays,
                !self.log_requests,
                Arc::clone(&notify_targets),
            ),
            public_key_signer,
            platform_signer: ResponseSigner::new(keys.platform_serial_no.clone(), loaded.platform_key.clone()),
            apiv3: loaded.apiv3.clone(),
            keys,
            state: std::sync::Mutex::new(state),
            faults: faults.clone(),
            rate_limiter: self.rate_limit.then(Default::default),
            direct_brands,
            brands: self.brands,
            persist: self.state_file.map(Persister::new),
            log: self.log_requests,
            admin_from_anywhere: self.admin_from_anywhere,
            listen: addr,
            limits: self.limits,
            nonces: replay::NonceCache::default(),
            notify_targets,
            request_seq: AtomicU64::new(0),
            request_prefix: prefix,
            base_url: base_url.clone(),
            clock,
        });
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(server::accept_loop(listener, Arc::clone(&shared), rx));
        Ok(RunningSandbox { addr, base_url, shared, faults, shutdown, task: Some(task) })
    }
}

/// A sandbox serving on a loopback (or configured) address. Dropping it stops the server;
/// [`RunningSandbox::shutdown`] also waits for open requests and writes the state file.
pub struct RunningSandbox {
    addr: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    faults: Faults,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox").field("addr", &self.addr).field("keys", &self.shared.keys).finish()
    }
}

impl RunningSandbox {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ip:port`, for [`ClientBuilder::base_url`].
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Its keys and identities.
    pub fn keys(&self) -> &SandboxKeys {
        &self.shared.keys
    }

    /// A client configuration for the sandbox's merchant in public-key mode, with the
    /// sandbox's APIv3 key (a sandbox-only dev key), so `parse_notification` opens the
    /// sandbox's notifications as it is: base URL set, no backup domain. The APIv3 key does
    /// not turn on certificate downloads (the public key verifies). Adjust it further (retry
    /// policy, timeouts, `verification_mode` for certificate mode...) before `build()`.
    pub fn client_builder(&self) -> ClientBuilder {
        let k = &self.shared.keys;
        Client::builder()
            .mchid(&k.mchid)
            .merchant_serial_no(&k.merchant_serial_no)
            .private_key_pem(&k.merchant_key_pem)
            .wechatpay_public_key_pem(&k.public_key_id, &k.wechatpay_pub_pem)
            .apiv3_key(&k.apiv3_key)
            .base_url(&self.base_url)
            .no_backup_base_url()
    }

    /// A brand client (品牌直连) for the sandbox's brand: its 品牌API证书 key and serial, the
    /// WeChat Pay public key bound to it, its 品牌API密钥 (a sandbox-only dev key, so
    /// `parse_notification` opens the brand's notifications as it is), base URL
    /// set, no backup domain. Its calls reach the same state as the merchant's: a coupon the
    /// brand creates is the merchant's to manage with the brand's `brand_id`, and the reverse.
    pub fn brand_client_builder(&self) -> BrandClientBuilder {
        let k = &self.shared.keys;
        BrandClient::builder()
            .brand_id(&k.brand_id)
            .brand_serial_no(&k.brand_serial_no)
            .brand_private_key_pem(&k.brand_key_pem)
            .wechatpay_public_key_pem(&k.brand_public_key_id, &k.wechatpay_pub_pem)
            .brand_api_key(&k.brand_api_key)
            .base_url(&self.base_url)
            .no_backup_base_url()
    }

    /// A client for the sandbox's merchant in platform-certificate mode only (APIv3 key, no
    /// public key): it downloads `/v3/certificates` before its first call.
    pub fn certificate_client_builder(&self) -> ClientBuilder {
        let k = &self.shared.keys;
        Client::builder()
            .mchid(&k.mchid)
            .merchant_serial_no(&k.merchant_serial_no)
            .private_key_pem(&k.merchant_key_pem)
            .apiv3_key(&k.apiv3_key)
            .base_url(&self.base_url)
            .no_backup_base_url()
    }

    /// The fault queue.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// A product coupon as the sandbox holds it (with its stocks and bundles).
    pub fn product_coupon(&self, product_coupon_id: &str) -> Option<ProductCoupon> {
        self.shared.state().product_coupon(product_coupon_id).cloned()
    }

    /// Every product coupon, by id.
    pub fn product_coupons(&self) -> Vec<ProductCoupon> {
        self.shared.state().product_coupons().cloned().collect()
    }

    /// The business time now, RFC 3339 in `+08:00` (see [`clock`]).
    pub fn now(&self) -> String {
        clock::format_rfc3339(self.shared.clock.now())
    }

    /// Moves the business clock forward (to see coupons expire, today's counts reset, waiting
    /// days pass) without waiting. Signatures keep the real time. A move past
    /// 9999-12-31T23:59:59+08:00 ([`clock::MAX_TIME`]) is refused and leaves the clock as it was.
    pub fn advance_time(&self, by: Duration) -> Result<(), String> {
        let seconds = i64::try_from(by.as_secs()).map_err(|_| format!("cannot move the clock by {by:?}"))?;
        self.shared.clock.advance(seconds).map_err(|e| e.to_string())
    }

    /// Sets the business clock to `rfc3339`; it runs on from there.
    pub fn set_time(&self, rfc3339: &str) -> Result<(), String> {
        let unix = clock::parse_rfc3339(rfc3339).ok_or_else(|| format!("{rfc3339:?} is not an RFC 3339 date-time"))?;
        self.shared.clock.set(unix).map_err(|e| e.to_string())
    }

    /// Every event notification so far (oldest first), with what became of its delivery.
    pub fn notifications(&self) -> Vec<NotificationRecord> {
        self.shared.notifier.records()
    }

    /// Simulates the user taking the coupon of a pre-send token (向用户预发放商品券) in the 小程序
    /// 发券组件: the coupon (or bundle) is sent with `send_channel = RECEIVE_COMPONENT` and
    /// notified like any other. Claiming the same token again returns the same coupon; a token
    /// is valid for 5 minutes of the business clock. Also `POST /sandbox/pre-send-tokens/{token}/claim`.
    pub async fn claim_pre_send_token(&self, token: &str) -> Result<Claimed, ApiFailure> {
        admin::claim_pre_send(&self.shared, token).await
    }

    /// Writes the client configuration as `WECHATPAY_*` variables to `path`, for
    /// `set -a; . PATH; set +a`, and the key files it names into the directory `<PATH>.keys`
    /// (private keys owner-only on Unix). Returns that directory. The brand's variables
    /// (`WECHATPAY_BRAND_*`, read by `BrandClient::from_env` and the CLI's `brand` group) are
    /// written too.
    pub fn write_env_file(&self, path: impl AsRef<Path>) -> io::Result<PathBuf> {
        let path = path.as_ref();
        let dir = keys::sibling_keys_dir(path);
        std::fs::create_dir_all(&dir)?;
        let dir = std::fs::canonicalize(&dir)?;
        let k = &self.shared.keys;
        let merchant_key = dir.join(keys::files::MERCHANT_KEY);
        let wechatpay_pub = dir.join(keys::files::WECHATPAY_PUB);
        keys::write_file(&merchant_key, &k.merchant_key_pem, true)?;
        keys::write_file(&wechatpay_pub, &k.wechatpay_pub_pem, false)?;
        let brand_key = dir.join(keys::files::BRAND_KEY);
        keys::write_file(&brand_key, &k.brand_key_pem, true)?;
        let mut text = env_file_text(k, &self.base_url, &merchant_key, &wechatpay_pub);
        text.push_str(&brand_env_text(k, &brand_key, &wechatpay_pub));
        keys::write_file(path, &text, true)?;
        Ok(dir)
    }

    /// Stops accepting connections, lets open requests finish, writes the state file.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.shared.notifier.abort_all();
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        // Deliveries and timers in progress stop with the sandbox.
        self.shared.notifier.abort_all();
    }
}

/// Single-quotes a value for `sh`.
fn sh_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

fn env_file_text(k: &SandboxKeys, base_url: &str, merchant_key: &Path, wechatpay_pub: &Path) -> String {
    let vars = [
        ("WECHATPAY_MCHID", k.mchid.clone()),
        ("WECHATPAY_MERCHANT_SERIAL_NO", k.merchant_serial_no.clone()),
        ("WECHATPAY_PRIVATE_KEY_PATH", merchant_key.display().to_string()),
        ("WECHATPAY_PUBLIC_KEY_ID", k.public_key_id.clone()),
        ("WECHATPAY_PUBLIC_KEY_PATH", wechatpay_pub.display().to_string()),
        // Decrypts notifications; with the public key set it turns on no certificate download.
        ("WECHATPAY_APIV3_KEY", k.apiv3_key.clone()),
        ("WECHATPAY_BASE_URL", base_url.to_owned()),
        ("WECHATPAY_BACKUP_BASE_URL", "none".to_owned()),
    ];
    let mut out = String::from(
        "# Client configuration for a local wechatpay-sandbox. SANDBOX-ONLY keys: never use them for real traffic.\n\
         # Load it with: set -a; . ./this-file; set +a\n",
    );
    for (name, value) in vars {
        out.push_str(&format!("{name}={}\n", sh_quote(&value)));
    }
    out.push_str(
        "# The APIv3 key above decrypts notifications. With WECHATPAY_VERIFY_MODE=platform_certificate (or both)\n\
         # responses are verified with the platform certificates downloaded with it instead of (or besides) the\n\
         # public key. Uncomment to use.\n# WECHATPAY_VERIFY_MODE=both\n",
    );
    out
}

/// The `WECHATPAY_BRAND_*` variables of `BrandClient::from_env`. The public key bound to the
/// brand is the sandbox's WeChat Pay public key under the brand's own id.
fn brand_env_text(k: &SandboxKeys, brand_key: &Path, wechatpay_pub: &Path) -> String {
    let vars = [
        ("WECHATPAY_BRAND_ID", k.brand_id.clone()),
        ("WECHATPAY_BRAND_SERIAL_NO", k.brand_serial_no.clone()),
        ("WECHATPAY_BRAND_PRIVATE_KEY_PATH", brand_key.display().to_string()),
        ("WECHATPAY_BRAND_PUBLIC_KEY_ID", k.brand_public_key_id.clone()),
        ("WECHATPAY_BRAND_PUBLIC_KEY_PATH", wechatpay_pub.display().to_string()),
        ("WECHATPAY_BRAND_API_KEY", k.brand_api_key.clone()),
    ];
    let mut out = String::from(
        "# The brand calling directly (品牌直连: BrandClient::from_env, the CLI's `brand` group); the base URL is shared.\n",
    );
    for (name, value) in vars {
        out.push_str(&format!("{name}={}\n", sh_quote(&value)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_are_quoted_for_sh() {
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
    }
}
