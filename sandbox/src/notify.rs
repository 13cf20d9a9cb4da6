//! Event notifications (回调通知): the notify-URL configuration and the delivery of events to it,
//! built and signed like WeChat Pay's.
//!
//! When a handler produces an event (a coupon sent, an image generation task finished), it is
//! queued with the merchant's notify URL and, once the request has been
//! handled (and the state saved), delivered asynchronously:
//!
//! ```text
//! {"id","create_time","event_type","resource_type":"encrypt-resource","summary",
//!  "resource":{"original_type","algorithm":"AEAD_AES_256_GCM","ciphertext","associated_data","nonce"}}
//! ```
//!
//! The resource is the event's JSON encrypted with the sandbox's APIv3 key (a fresh 12-character
//! nonce each time); the body is signed with the sandbox's WeChat Pay public-key-mode key, the
//! `Wechatpay-Timestamp / -Nonce / -Signature / -Serial / -Signature-Type` headers of a real
//! callback, so `Client::parse_notification` verifies and opens it. A delivery succeeds on any
//! 2xx; otherwise (an error status, a refused connection, no answer within 5 s) it is tried
//! again after 200 ms, 1 s, 2 s and 4 s (5 attempts; see
//! [`SandboxBuilder::notify_retry_delays`](crate::SandboxBuilder::notify_retry_delays)), each
//! attempt freshly signed over the same body. Every notification, delivered or not, is kept in a log ([`NotificationRecord`]):
//! `RunningSandbox::notifications()`, `GET /sandbox/notifications`.
//!
//! Where a notification may go (`src/notify_targets.rs`): never to the sandbox itself or a
//! `/sandbox/...` path, and to loopback or private addresses only from a loopback sandbox or
//! with `--allow-private-notify`. It is checked when the URL is set and again at every attempt,
//! on the address connected to (the delivery clients resolve names through
//! `GuardedResolver`, which hands out allowed addresses only, and use no proxy).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use tokio::task::JoinSet;
use wechatpay_apiv3::signing::{ResponseSigner, new_nonce};
use wechatpay_product_coupon::runtime::aead::ApiV3Key;
use wechatpay_product_coupon::runtime::notify::ALGORITHM;

use wechatpay_product_coupon::models::{NotifyUrlConfig, SetNotifyConfigRequest};

use crate::failure::{ApiFailure, business_code, internal};
use crate::keys::random_bytes;
use crate::notify_targets::{GuardedResolver, NotifyTargets};
use crate::state::{Ctx, Outgoing};

/// Default delays before the second, third, ... attempt of a delivery
/// ([`SandboxBuilder::notify_retry_delays`](crate::SandboxBuilder::notify_retry_delays)).
pub const RETRY_DELAYS: [Duration; 4] =
    [Duration::from_millis(200), Duration::from_secs(1), Duration::from_secs(2), Duration::from_secs(4)];
/// How long one attempt waits for the callback's answer (the docs give the receiver 5 s).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// Notifications kept in the log (the oldest are dropped beyond this).
const LOG_LIMIT: usize = 1000;

/// What became of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// Being delivered (or waiting for a retry).
    Pending,
    /// The notify URL answered with this 2xx status.
    Delivered {
        /// The HTTP status.
        http_status: u16,
    },
    /// Every attempt failed; the last error.
    Failed {
        /// What went wrong the last time.
        error: String,
    },
    /// The merchant has not set a notify URL (设置商品券事件通知地址), so nothing was sent.
    NoNotifyUrl,
}

/// One notification as the sandbox built and (tried to) deliver it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NotificationRecord {
    /// The envelope's `id`.
    pub id: String,
    /// `PRODUCT_COUPON_SP.SEND`, `PRODUCT_COUPON_SP.IMAGE_GENERATION`.
    pub event_type: String,
    /// Where it went.
    pub notify_url: Option<String>,
    /// The resource before encryption.
    pub resource: Value,
    /// The body as sent (the envelope with the encrypted resource).
    pub body: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// The outcome.
    #[serde(flatten)]
    pub status: DeliveryStatus,
    /// The last non-2xx answer or transport error, while retrying or after giving up.
    pub last_error: Option<String>,
    /// The brand calling directly whose notification this is (its keys sign and encrypt it);
    /// `None` for a merchant's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
}

struct Inner {
    /// Delivers to every port but the sandbox's own.
    http: reqwest::Client,
    /// Delivers to the sandbox's own port: its resolver also refuses every address of this
    /// machine (there, that is the sandbox itself).
    http_own_port: reqwest::Client,
    targets: Arc<NotifyTargets>,
    signer: ResponseSigner,
    apiv3: ApiV3Key,
    /// Per brand calling directly: the signer under its public key id and its 品牌API密钥.
    brands: HashMap<String, (ResponseSigner, ApiV3Key)>,
    log: Mutex<Vec<NotificationRecord>>,
    tasks: Mutex<JoinSet<()>>,
    retry_delays: Vec<Duration>,
    quiet: bool,
}

/// Builds, signs and delivers notifications. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Notifier(Arc<Inner>);

impl Notifier {
    pub(crate) fn new(
        signer: ResponseSigner,
        apiv3: ApiV3Key,
        brands: HashMap<String, (ResponseSigner, ApiV3Key)>,
        retry_delays: Vec<Duration>,
        quiet: bool,
        targets: Arc<NotifyTargets>,
    ) -> Self {
        let client = |own_port: bool| {
            reqwest::Client::builder()
                .timeout(ATTEMPT_TIMEOUT)
                // A notify URL that redirects is a failed delivery (retried on the schedule), never
                // a hop elsewhere: the URL was checked when it was set, a redirect target was not.
                .redirect(reqwest::redirect::Policy::none())
                // The address connected to is the one checked: names through the guarded
                // resolver, and no proxy (a proxy would connect on the sandbox's behalf).
                .dns_resolver(Arc::new(GuardedResolver::new(Arc::clone(&targets), own_port)))
                .no_proxy()
                .user_agent(concat!("wechatpay-sandbox/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("an HTTP client with default settings")
        };
        Notifier(Arc::new(Inner {
            http: client(false),
            http_own_port: client(true),
            targets: Arc::clone(&targets),
            signer,
            apiv3,
            brands,
            log: Mutex::new(Vec::new()),
            tasks: Mutex::new(JoinSet::new()),
            retry_delays,
            quiet,
        }))
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Vec<NotificationRecord>> {
        self.0.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every notification so far, oldest first.
    pub(crate) fn records(&self) -> Vec<NotificationRecord> {
        self.log().clone()
    }

    /// Forgets the log (deliveries in progress go on).
    pub(crate) fn clear(&self) {
        self.log().clear();
    }

    /// Runs `task` on the runtime, tracked so that shutdown can stop it.
    pub(crate) fn spawn(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        let mut tasks = self.0.tasks.lock().unwrap_or_else(|p| p.into_inner());
        while tasks.try_join_next().is_some() {}
        tasks.spawn(task);
    }

    /// Stops every delivery and timer in progress.
    pub(crate) fn abort_all(&self) {
        self.0.tasks.lock().unwrap_or_else(|p| p.into_inner()).abort_all();
    }

    /// Builds each event's envelope, logs it and starts delivering it.
    pub(crate) fn dispatch(&self, events: Vec<Outgoing>) {
        for event in events {
            let record = match self.build(&event) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("wechatpay-sandbox: could not build a {} notification: {e}", event.event_type);
                    continue;
                }
            };
            let id = record.id.clone();
            let url = record.notify_url.clone();
            let body = record.body.clone();
            let brand = event.brand.clone();
            {
                let mut log = self.log();
                if log.len() >= LOG_LIMIT {
                    log.remove(0);
                }
                log.push(record);
            }
            if let Some(url) = url {
                let this = self.clone();
                self.spawn(async move { this.deliver(id, url, body, brand).await });
            }
        }
    }

    fn build(&self, event: &Outgoing) -> Result<NotificationRecord, String> {
        let id = notification_id();
        let plaintext = serde_json::to_vec(&event.resource).map_err(|e| e.to_string())?;
        let nonce: String = new_nonce()[..12].to_owned();
        let (_, key) = self.keys(event.brand.as_deref())?;
        let ciphertext = key.encrypt(&nonce, event.associated_data, &plaintext).map_err(|e| e.to_string())?;
        let mut resource = json!({
            "algorithm": ALGORITHM,
            "ciphertext": ciphertext,
            "associated_data": event.associated_data,
            "nonce": nonce,
        });
        if let Some(t) = event.original_type {
            resource["original_type"] = t.into();
        }
        let mut envelope = json!({
            "id": id,
            "create_time": event.create_time,
            "resource_type": "encrypt-resource",
            "event_type": event.event_type,
            "resource": resource,
        });
        if let Some(s) = event.summary {
            envelope["summary"] = s.into();
        }
        let status = if event.url.is_some() { DeliveryStatus::Pending } else { DeliveryStatus::NoNotifyUrl };
        Ok(NotificationRecord {
            id,
            event_type: event.event_type.to_owned(),
            notify_url: event.url.clone(),
            resource: event.resource.clone(),
            body: envelope.to_string(),
            attempts: 0,
            status,
            last_error: None,
            brand: event.brand.clone(),
        })
    }

    /// The signer and encryption key of the merchant's notifications, or of brand `brand`'s.
    fn keys(&self, brand: Option<&str>) -> Result<(&ResponseSigner, &ApiV3Key), String> {
        match brand {
            None => Ok((&self.0.signer, &self.0.apiv3)),
            Some(id) => {
                self.0.brands.get(id).map(|(s, k)| (s, k)).ok_or_else(|| format!("brand {id} has no 品牌API密钥 here"))
            }
        }
    }

    /// Delivers notification `id` again, as it was built (the same envelope, signed afresh), to
    /// the notify URL it went to: for a developer whose callback failed or was not running.
    /// `Err` names why not (no such notification, or it had no notify URL).
    pub(crate) fn redeliver(&self, id: &str) -> Result<(), String> {
        let (url, body, brand) = {
            let mut log = self.log();
            let record = log
                .iter_mut()
                .rev()
                .find(|r| r.id == id)
                .ok_or_else(|| format!("no notification {id:?} in the log"))?;
            let url = record.notify_url.clone().ok_or_else(|| {
                format!("notification {id:?} had no notify URL when it was sent (设置商品券事件通知地址 first)")
            })?;
            record.status = DeliveryStatus::Pending;
            record.last_error = None;
            (url, record.body.clone(), record.brand.clone())
        };
        let this = self.clone();
        let id = id.to_owned();
        self.spawn(async move { this.deliver(id, url, body, brand).await });
        Ok(())
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut NotificationRecord)) {
        if let Some(r) = self.log().iter_mut().rev().find(|r| r.id == id) {
            f(r);
        }
    }

    async fn deliver(&self, id: String, url: String, body: String, brand: Option<String>) {
        let mut delays = self.0.retry_delays.iter();
        loop {
            self.update(&id, |r| r.attempts += 1);
            let outcome = self.attempt(&url, &body, brand.as_deref()).await;
            match outcome {
                Ok(status) => {
                    self.update(&id, |r| r.status = DeliveryStatus::Delivered { http_status: status });
                    return;
                }
                Err(error) => match delays.next() {
                    Some(delay) => {
                        self.update(&id, |r| r.last_error = Some(error));
                        tokio::time::sleep(*delay).await;
                    }
                    None => {
                        if !self.0.quiet {
                            eprintln!("wechatpay-sandbox: notification {id} to {url} failed: {error}");
                        }
                        self.update(&id, |r| {
                            r.last_error = Some(error.clone());
                            r.status = DeliveryStatus::Failed { error };
                        });
                        return;
                    }
                },
            }
        }
    }

    /// One POST: `Ok(status)` for a 2xx answer; anything else (a 3xx redirect included) is an
    /// error.
    async fn attempt(&self, url: &str, body: &str, brand: Option<&str>) -> Result<u16, String> {
        check_notify_url(url)?;
        let parsed = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
        // An IP literal is connected to without the resolver: checked here, port included.
        self.0.targets.check_url(&parsed).map_err(|why| format!("notify target refused: {why}"))?;
        let own_port = parsed.port_or_known_default() == Some(self.0.targets.own_port());
        let http = if own_port { &self.0.http_own_port } else { &self.0.http };
        let signature = self.keys(brand)?.0.sign(body.as_bytes());
        let mut request = http.post(parsed).header("Content-Type", "application/json");
        for (name, value) in signature.header_pairs() {
            request = request.header(name, value);
        }
        // The error's sources too: the resolver's refusal is one of them.
        let response = request.body(body.to_owned()).send().await.map_err(|e| error_chain(&e))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            Ok(status)
        } else {
            let text = response.text().await.unwrap_or_default();
            let excerpt: String = text.chars().take(200).collect();
            Err(format!("HTTP {status}: {excerpt}"))
        }
    }
}

/// An error and its sources, `: `-separated.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

/// A notification id: 36 characters, UUID layout.
fn notification_id() -> String {
    let b = random_bytes(16);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Whether WeChat Pay would deliver to `url`: HTTPS, no query string or fragment, at most 256
/// characters. The sandbox also takes plain `http` for a loopback host (`localhost`,
/// `127.0.0.0/8`, `[::1]`), so a test or a local app can receive callbacks without TLS.
pub(crate) fn check_notify_url(url: &str) -> Result<(), String> {
    if url.chars().count() > 256 {
        return Err("通知地址最多 256 个字符".into());
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("通知地址不是合法的 URL: {e}"))?;
    if parsed.query().is_some() {
        return Err("通知地址不能带查询参数".into());
    }
    if parsed.fragment().is_some() {
        return Err("通知地址不能带 #fragment".into());
    }
    let host = parsed.host_str().ok_or("通知地址没有主机名")?;
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err("通知地址须为 HTTPS（沙箱只对回环地址 localhost / 127.0.0.1 / [::1] 接受 http）".into()),
        other => Err(format!("通知地址须为 HTTPS，而不是 {other}")),
    }
}

/// 设置 / 获取商品券事件通知地址: one address per merchant (服务商维度), shared by its brands.
///
/// The address must pass [`check_notify_url`] and, in a request,
/// [`NotifyTargets::check_url`] (400 `INVALID_REQUEST` naming `notify_url` otherwise); setting
/// it again replaces it. Reading it before it was ever set is 400
/// `INVALID_REQUEST` (前置条件: 服务商已设置商品券事件通知地址; the spec names no code for this
/// case, and its error table has no 404).
impl Ctx<'_> {
    pub(crate) fn set_notify_config(&mut self, body: SetNotifyConfigRequest) -> Result<NotifyUrlConfig, ApiFailure> {
        check_notify_url(&body.notify_url).map_err(|why| ApiFailure::invalid("notify_url", why))?;
        // Where this sandbox may deliver: not to itself or /sandbox/..., not to this machine or
        // a private network from a sandbox on the network (names are checked at delivery).
        if let Some(targets) = self.notify_targets
            && let Ok(url) = reqwest::Url::parse(&body.notify_url)
        {
            targets.check_url(&url).map_err(|why| ApiFailure::invalid("notify_url", why))?;
        }
        let config = NotifyUrlConfig::builder()
            .notify_url(body.notify_url)
            .update_time(self.now_text())
            .build()
            .map_err(internal)?;
        self.state.notify_urls.insert(self.mchid.to_owned(), config.clone());
        self.touch();
        Ok(config)
    }

    pub(crate) fn get_notify_config(&mut self) -> Result<NotifyUrlConfig, ApiFailure> {
        self.state.notify_urls.get(self.mchid).cloned().ok_or_else(|| {
            ApiFailure::rule(
                business_code::INVALID_REQUEST,
                "服务商尚未设置商品券事件通知地址：请先调用【设置商品券事件通知地址】",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_urls_are_https_or_loopback_http() {
        for ok in [
            "https://example.com/wechatpay/notify",
            "http://127.0.0.1:8080/notify",
            "http://localhost/notify",
            "http://[::1]:9/n",
        ] {
            assert_eq!(check_notify_url(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("http://example.com/notify", "HTTPS"),
            ("https://example.com/notify?a=1", "查询参数"),
            ("ftp://example.com/", "HTTPS"),
            ("not a url", "URL"),
        ] {
            assert!(check_notify_url(bad).unwrap_err().contains(why), "{bad}");
        }
        assert!(check_notify_url(&format!("https://example.com/{}", "a".repeat(250))).is_err());
    }

    #[test]
    fn ids_look_like_uuids() {
        let id = notification_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
