//! The HTTP side: hyper 1 (HTTP/1.1, keep-alive) on a tokio listener, and the request pipeline
//!
//! ```text
//! route by family (404/405) -> Authorization present and well-formed (401 SIGN_ERROR)
//!   -> read the body (413 / 408) [-> multipart: meta and file, bounded]
//!   -> verify the signature, nonce not seen before (401 SIGN_ERROR) [-> Wechatpay-Serial]
//!   -> fault -> 频率限制 (429) -> parse (400 PARAM_ERROR) -> validate (400 PARAM_ERROR / INVALID_REQUEST)
//!   [-> a secondary family's request as the primary family's, a brand from the Authorization header]
//!   -> crate::pipeline (brand 403 NO_AUTH -> idempotency -> the operation's handler)
//!   [-> the answer in the secondary family's models] -> persist -> sign -> respond
//! ```
//!
//! Every family of `api-spec/families.toml` is served at once, through the same pipeline and
//! handlers, from the generated route table (`crate::generated::families`): a request's family
//! is the longest path prefix it starts with (the partner family, 服务商,
//! `/v3/marketing/partner/product-coupon/...`; the brand family, 品牌直连,
//! `/brand/marketing/product-coupon/...`), and the row gives its `Authorization` scheme, whether
//! the signer is a brand and whether `Wechatpay-Serial` is required. A secondary family's request
//! is parsed and validated as that family's request (a brand's has no `brand_id` anywhere), then
//! re-read as the primary family's request, a signing brand named where the primary family names
//! it (body or query, from the generated request facts), so every handler, rule and idempotency
//! record is the primary family's; its answer is re-read as the family's response model (which
//! drops `brand_id`) and, for a brand, signed under the WeChat Pay public key id bound to it.
//! This file names no family.
//!
//! Every `/v3` response, errors included, carries `Request-ID` and the `Wechatpay-*` signature
//! headers. The admin endpoints under `/sandbox` are neither authenticated nor signed, so they
//! answer loopback peers only unless the sandbox was started with `--admin-from-anywhere`, and
//! never a web page but their own `/sandbox/ui` ([`crate::admin::gate`]: no `Origin` but the
//! sandbox's own, a local `Host`, JSON writes); the
//! admin API is [`crate::admin`], the state file [`crate::persist`], what handlers share
//! [`crate::shared`].
//!
//! Limits come before work: a connection must send each request's headers within the header
//! read timeout and is closed when idle; a request is routed, and its `Authorization` header
//! checked for presence and form, before any of its body is read (a 404, 405 or 401 of that
//! kind reads none); a body is read up to its limit (a larger `Content-Length` is refused
//! unread) within the body timeout; an upload form is split into at most its `meta` and `file`
//! parts, `meta` bounded, before the signature over `meta` is checked; and a signature that
//! verifies is accepted once per nonce ([`crate::replay`]).
//!
//! Hostile input never takes the server down: numbers from requests are checked (a bad one is
//! a 400), handlers check everything before they change anything (a refused request changes
//! nothing), and each request runs in its own task, so that a panic (a bug) costs that request
//! a 500 `SYSTEM_ERROR` and nothing else. A panic is not rolled back: a snapshot of the state
//! per request would cost O(state) on every request (measured: from 1.4x to over 5x the
//! request's RSA cost after 1000 requests).

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::http::request::Parts;
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use wechatpay_apiv3::signing::{new_nonce, unix_timestamp};
use wechatpay_apiv3::verify::{AuthorizationParams, HEADER_REQUEST_ID, HEADER_SERIAL, verify_request};
use wechatpay_product_coupon::Violations;
use wechatpay_product_coupon::generated::requests::{BrandParam, request_facts};
use wechatpay_product_coupon::requests::OperationRequest;
use wechatpay_product_coupon::runtime::certificates::{CERTIFICATES_PATH, CertificateListing, encrypt_certificates};
use wechatpay_product_coupon::runtime::client::OperationMeta;
use wechatpay_product_coupon::runtime::dispatch::ParseError;
use wechatpay_product_coupon::runtime::upload::UploadFile;
use wechatpay_product_coupon::runtime::validate::{Violation, ViolationKind};

use crate::admin::Origins;
use crate::auth::brand_account;
use crate::faults::{CERTIFICATES_OPERATION, FAULT_HEADER, Fault, FaultAction};
use crate::generated::families::{FAMILIES, FamilyRoute, family_of};
use crate::keys::{CERT_EFFECTIVE_TIME, CERT_EXPIRE_TIME};
use crate::shared::{Body, Shared, after_change, plain_json, read_body};
use crate::state::{ApiFailure, Ctx, business_code};

/// Largest accepted JSON request body.
const MAX_BODY: usize = 1024 * 1024;
/// Largest accepted `multipart/form-data` body (an upload of up to 2 MB plus the form; larger
/// files are read so that they can be refused the way WeChat Pay refuses them, 图片超过指定大小).
const MAX_UPLOAD_BODY: usize = 8 * 1024 * 1024;

/// The API family of a request path: a row of the generated route table.
type Family = &'static FamilyRoute;

/// Who sent a verified request.
#[derive(Debug, Clone)]
struct Caller {
    /// The state's account: the `mchid`, or `<family id>:<brand_id>` for a brand calling
    /// directly (`crate::auth`).
    account: String,
    /// The brand calling directly, if it is one.
    brand_id: Option<String>,
    /// The family whose path was called.
    family: Family,
}

/// Closes the connection without a response (the `drop` faults): hyper ends a connection whose
/// service fails without writing anything.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

/// Accepts connections until `shutdown` fires (or its sender is dropped), then lets open
/// connections finish their current request (at most 5 s).
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(stream, peer, Arc::clone(&shared), shutdown.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    if shared.log {
                        eprintln!("wechatpay-sandbox: accept failed: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain).await.is_err() {
        connections.abort_all();
    }
    if let Some(p) = &shared.persist
        && let Err(e) = p.save(|| shared.state(), false).await
    {
        eprintln!("wechatpay-sandbox: could not write the state file {}: {e}", p.path.display());
    }
}

/// Serves one connection: HTTP/1.1 with keep-alive, each request's headers within the header
/// read timeout (hyper closes the connection otherwise; the countdown starts with the
/// connection and again after each response, so it also closes idle keep-alive connections),
/// and closed when no request is being handled and no byte has moved for the idle timeout.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let at = Origins { peer, local: stream.local_addr().unwrap_or(shared.listen), listen: shared.listen };
    let limits = shared.limits;
    let activity = Arc::new(Activity::new());
    let io = hyper_util::rt::TokioIo::new(Tracked { inner: stream, activity: Arc::clone(&activity) });
    let busy = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |req| {
        let handling = Activity::handling(&busy);
        let shared = Arc::clone(&shared);
        async move {
            let response = isolated(shared, at, req).await;
            drop(handling);
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(limits.header_read_timeout).keep_alive(true);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = shutdown.changed() => {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
                return;
            }
            // Dropping the connection closes it.
            _ = tokio::time::sleep(activity.until_idle(limits.idle_timeout)) => {
                if activity.is_idle(limits.idle_timeout) {
                    return;
                }
            }
        }
    }
}

/// When a connection last moved a byte, and how many of its requests are being handled.
struct Activity {
    started: Instant,
    /// Milliseconds from `started` to the last byte read or written.
    last: AtomicU64,
    handling: AtomicUsize,
}

/// A request being handled: the connection is not idle meanwhile.
struct Handling(Arc<Activity>);

impl Drop for Handling {
    fn drop(&mut self) {
        self.0.touch();
        self.0.handling.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Activity {
    fn new() -> Self {
        Activity { started: Instant::now(), last: AtomicU64::new(0), handling: AtomicUsize::new(0) }
    }

    fn handling(this: &Arc<Self>) -> Handling {
        this.handling.fetch_add(1, Ordering::SeqCst);
        Handling(Arc::clone(this))
    }

    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        self.started.elapsed().saturating_sub(Duration::from_millis(self.last.load(Ordering::Relaxed)))
    }

    fn is_idle(&self, limit: Duration) -> bool {
        self.handling.load(Ordering::SeqCst) == 0 && self.idle_for() >= limit
    }

    /// How long until the connection could be idle for `limit`.
    fn until_idle(&self, limit: Duration) -> Duration {
        if self.handling.load(Ordering::SeqCst) > 0 {
            limit
        } else {
            limit.saturating_sub(self.idle_for()).max(Duration::from_millis(1))
        }
    }
}

/// A TCP stream that records its [`Activity`].
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.touch();
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// One reply before signing.
struct Reply {
    status: u16,
    body: Vec<u8>,
    business_code: Option<u32>,
    /// Sign with the platform certificate key instead of the public key.
    platform: bool,
    /// A fault to apply to the finished response.
    post: Option<FaultAction>,
    /// For the log line.
    operation: &'static str,
    code: Option<&'static str>,
}

impl Reply {
    fn failure(f: ApiFailure, operation: &'static str) -> Self {
        Reply {
            status: f.status,
            body: f.body(),
            business_code: f.business_code,
            platform: false,
            post: None,
            operation,
            code: Some(f.code),
        }
    }
}

fn content_type(parts: &Parts) -> &str {
    parts.headers.get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Handles one request in a task of its own: a panic in it (a bug) ends that task only, and
/// the client gets a signed 500 `SYSTEM_ERROR` instead of a dropped connection; the
/// connection, the server and every other request go on.
async fn isolated(shared: Arc<Shared>, at: Origins, req: Request<Incoming>) -> Result<Response<Body>, DropConnection> {
    let brand_path = family_of(req.uri().path()).brand_signs;
    let task = tokio::spawn(handle(Arc::clone(&shared), at, req));
    match task.await {
        Ok(result) => result,
        Err(e) if e.is_panic() => {
            let failure = ApiFailure::new(
                500,
                "SYSTEM_ERROR",
                "系统异常 (sandbox: internal error while handling the request, a sandbox bug; it was not completed)",
            );
            let body = failure.body();
            let signer = if brand_path { shared.brand_signer(None) } else { &shared.public_key_signer };
            let signature = signer.sign(&body);
            let mut builder = Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .header(HEADER_REQUEST_ID, shared.next_request_id())
                .header("Content-Type", "application/json")
                .header("Server", "wechatpay-sandbox");
            for (name, value) in signature.header_pairs() {
                builder = builder.header(name, value);
            }
            builder.body(Full::new(Bytes::from(body))).map_err(|_| DropConnection)
        }
        // Cancelled (the sandbox is shutting down): nothing to answer.
        Err(_) => Err(DropConnection),
    }
}

/// One request: the admin endpoints past their gate, or a `/v3` request routed before its body
/// is read (a 404 or 405 reads none), then processed and signed.
async fn handle(shared: Arc<Shared>, at: Origins, req: Request<Incoming>) -> Result<Response<Body>, DropConnection> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    if path == "/sandbox" || path.starts_with("/sandbox/") {
        if let Err(message) = crate::admin::gate(&parts, at, shared.admin_from_anywhere) {
            return Ok(plain_json(StatusCode::FORBIDDEN, &json!({"code": "FORBIDDEN", "message": message})));
        }
        return Ok(crate::admin::admin(&shared, &parts, body, shared.limits.body_read_timeout).await);
    }
    let request_id = shared.next_request_id();
    let started = std::time::Instant::now();
    let target = parts.uri.path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_else(|| "/".into());
    // 404, 405 and a missing or malformed Authorization are answered without reading the body.
    let mut reply = match route(&parts) {
        Err(refused) => refused,
        Ok(routed) => match authorization(&parts, routed.family) {
            Err(failure) => Reply::failure(failure, routed.operation),
            Ok(_) => {
                let upload = crate::multipart::boundary(content_type(&parts)).is_some();
                let limit = if upload { MAX_UPLOAD_BODY } else { MAX_BODY };
                let body = match read_body(body, limit, shared.limits.body_read_timeout).await {
                    Ok(body) => body,
                    Err(refused) => return Ok(refused),
                };
                match process(&shared, &parts, &target, routed, &body).await {
                    Ok(reply) => reply,
                    Err(DropConnection) => {
                        log(&shared, &parts, &target, "dropped", "", &request_id, started);
                        return Err(DropConnection);
                    }
                }
            }
        },
    };
    let request_serial = parts.headers.get(HEADER_SERIAL).and_then(|v| v.to_str().ok());
    let brand_path = family_of(parts.uri.path()).brand_signs;
    if !brand_path && request_serial == Some(shared.platform_signer.serial()) {
        reply.platform = true;
    }
    if reply.post == Some(FaultAction::DropAfter) {
        log(&shared, &parts, &target, &format!("{} then dropped", reply.status), reply.operation, &request_id, started);
        return Err(DropConnection);
    }
    let signer = if brand_path {
        shared.brand_signer(request_serial)
    } else if reply.platform {
        &shared.platform_signer
    } else {
        &shared.public_key_signer
    };
    let signature = match reply.post {
        Some(FaultAction::StaleTimestamp) => signer.sign_at(&reply.body, unix_timestamp() - 600, &new_nonce()),
        Some(FaultAction::BadSignature) => {
            let mut sig = signer.sign(&reply.body);
            // A genuine signature over other bytes: well-formed, but it does not verify.
            sig.signature = signer.sign_at(b"tampered", 0, &sig.nonce).signature;
            sig
        }
        _ => signer.sign(&reply.body),
    };
    let full_request_id = match reply.business_code {
        Some(code) => format!("{request_id}-{code}"),
        None => request_id.clone(),
    };
    let status_text = match reply.code {
        Some(code) => format!("{} {code}", reply.status),
        None => reply.status.to_string(),
    };
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(HEADER_REQUEST_ID, &full_request_id)
        .header("Server", "wechatpay-sandbox");
    if !reply.body.is_empty() {
        builder = builder.header("Content-Type", "application/json");
    }
    for (name, value) in signature.header_pairs() {
        builder = builder.header(name, value);
    }
    // Every header value above is ours (ids, signatures, a fixed name), so this cannot fail;
    // if it ever did, the connection is closed rather than the task panicking.
    let response = builder.body(Full::new(Bytes::from(reply.body))).map_err(|_| DropConnection)?;
    let fault_note = reply.post.map(|a| format!(" [fault {}]", a.as_str())).unwrap_or_default();
    log(&shared, &parts, &target, &format!("{status_text}{fault_note}"), reply.operation, &full_request_id, started);
    Ok(response)
}

fn log(
    shared: &Shared,
    parts: &Parts,
    target: &str,
    outcome: &str,
    op: &str,
    request_id: &str,
    started: std::time::Instant,
) {
    if shared.log {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        eprintln!("{} {target} -> {outcome} {op} ({request_id}, {ms:.1} ms)", parts.method);
    }
}

/// An upload form's signed `meta` JSON and its file.
async fn split_upload(content_type: &str, body: &Bytes) -> Result<Option<(Bytes, Option<UploadFile>)>, ApiFailure> {
    let Some(boundary) = crate::multipart::boundary(content_type) else { return Ok(None) };
    let form_error = |why: String| {
        ApiFailure::new(400, "PARAM_ERROR", format!("multipart/form-data: {why}"))
            .with_detail(json!({ "field": "meta", "location": "body", "issue": why }))
            .with_business_code(business_code::PARAM_ERROR)
    };
    let parts = crate::multipart::parse(body, &boundary).await.map_err(form_error)?;
    let meta = parts
        .iter()
        .find(|p| p.name == crate::multipart::META)
        .ok_or_else(|| form_error("the form has no `meta` part (the JSON the signature covers)".into()))?;
    let file = parts.iter().find(|p| p.name == crate::multipart::FILE).map(|p| {
        UploadFile::new(
            p.filename.clone().unwrap_or_default(),
            p.content_type.clone().unwrap_or_default(),
            p.data.clone(),
        )
    });
    Ok(Some((Bytes::from(meta.data.clone()), file)))
}

/// A `/v3` request routed to what serves it.
struct Routed {
    family: Family,
    /// The operation and its path parameters; `None` for `GET /v3/certificates`.
    route: Option<(&'static OperationMeta, Vec<(&'static str, String)>)>,
    is_certificates: bool,
    /// The operation id (or [`CERTIFICATES_OPERATION`]).
    operation: &'static str,
}

/// Routes a request within its path's family, from the method and path alone: 404 or 405
/// (signed, like every `/v3` answer) before any of the body is read.
fn route(parts: &Parts) -> Result<Routed, Reply> {
    let method = parts.method.as_str();
    let path = parts.uri.path();
    let family = family_of(path);
    let operations = family.operations;
    let route: Option<(&'static OperationMeta, Vec<(&'static str, String)>)> =
        operations.iter().filter(|m| m.method == method).find_map(|m| m.match_path(path).map(|params| (*m, params)));
    let is_certificates = method == "GET" && path == CERTIFICATES_PATH;
    let operation: &'static str = match (&route, is_certificates) {
        (Some((meta, _)), _) => meta.id,
        (None, true) => CERTIFICATES_OPERATION,
        (None, false) => {
            let other_method = operations.iter().find(|m| m.match_path(path).is_some());
            let failure = match other_method {
                Some(m) => ApiFailure::new(
                    405,
                    "INVALID_REQUEST",
                    format!("{method} is not allowed on {path}; {} {} is {}", m.method, m.path_template, m.title),
                ),
                None if path == CERTIFICATES_PATH => {
                    ApiFailure::new(405, "INVALID_REQUEST", "use GET /v3/certificates")
                }
                None => ApiFailure::new(404, "NOT_FOUND", format!("no operation at {method} {path}")),
            };
            return Err(Reply::failure(failure, ""));
        }
    };
    Ok(Routed { family, route, is_certificates, operation })
}

/// Verifies, injects faults, limits, parses, validates and handles one routed `/v3` request.
async fn process(
    shared: &Arc<Shared>,
    parts: &Parts,
    target: &str,
    routed: Routed,
    body: &Bytes,
) -> Result<Reply, DropConnection> {
    let Routed { family, route, is_certificates, operation } = routed;

    // An upload is signed over its `meta` part, not over the form.
    let (body, file) = match split_upload(content_type(parts), body).await {
        Ok(Some((meta, file))) => (meta, file),
        Ok(None) => (body.clone(), None),
        Err(failure) => return Ok(Reply::failure(failure, operation)),
    };
    let body = &body;

    // Authenticate: each family's paths take its own scheme only.
    let caller =
        match authorization(parts, family).and_then(|auth| authenticate(shared, family, parts, auth, target, body)) {
            Ok(caller) => caller,
            Err(failure) => return Ok(Reply::failure(failure, operation)),
        };

    // Faults.
    let fault = match parts.headers.get(FAULT_HEADER) {
        Some(value) => match value.to_str().map_err(|e| e.to_string()).and_then(Fault::parse) {
            Ok(f) => Some(f),
            Err(e) => {
                return Ok(Reply::failure(
                    ApiFailure::new(400, "INVALID_REQUEST", format!("{FAULT_HEADER}: {e}")),
                    operation,
                ));
            }
        },
        None => shared.faults.take(operation),
    };
    let mut post = None;
    if let Some(fault) = fault {
        if let Some(delay) = fault.delay {
            tokio::time::sleep(delay).await;
        }
        match fault.action {
            Some(FaultAction::SystemError) => {
                let f = ApiFailure::new(
                    500,
                    "SYSTEM_ERROR",
                    "系统异常，请稍后使用相同的请求单号与请求数据重试 (injected fault)",
                );
                return Ok(Reply { post: None, ..Reply::failure(f, operation) });
            }
            Some(FaultAction::RateLimited) => {
                return Ok(Reply::failure(rate_limited("injected fault"), operation));
            }
            Some(FaultAction::Accepted) => {
                return Ok(Reply {
                    status: 202,
                    body: Vec::new(),
                    business_code: None,
                    platform: is_certificates,
                    post: None,
                    operation,
                    code: None,
                });
            }
            Some(FaultAction::Drop) => return Err(DropConnection),
            other => post = other,
        }
    }

    let mut reply = if is_certificates {
        certificates(shared, operation)
    } else {
        let (meta, path_params) = route.expect("routed above");
        if let (Some(limiter), Some(rate)) = (&shared.rate_limiter, rate_limit(meta))
            && !limiter.try_acquire((caller.account.clone(), meta.id), rate)
        {
            return Ok(Reply::failure(
                rate_limited(&format!("{} allows {rate} requests per second", meta.title)),
                operation,
            ));
        }
        let panic_fault = post == Some(FaultAction::Panic);
        let request = RawRequest { path: &path_params, query: parts.uri.query(), body, file };
        operation_reply(shared, meta, &caller, request, panic_fault).await
    };
    reply.post = post;
    Ok(reply)
}

/// The `Authorization` header, present, visible ASCII and well-formed in `family`'s scheme:
/// checked before the body is read (the signature itself is checked after), with the
/// messages [`verify_request`] gives.
fn authorization(parts: &Parts, family: Family) -> Result<&str, ApiFailure> {
    let auth = match parts.headers.get(hyper::header::AUTHORIZATION).map(|v| v.to_str()) {
        None => return Err(sign_error("missing Authorization header")),
        Some(Err(_)) => return Err(sign_error("the Authorization header is not visible ASCII")),
        Some(Ok(auth)) => auth,
    };
    AuthorizationParams::parse_for(auth, &[family.scheme]).map_err(|e| sign_error(&e.to_string()))?;
    Ok(auth)
}

/// Verifies the `Authorization` of a request to `family`'s path with the family's one scheme:
/// a merchant the sandbox knows, or a brand it knows where the family's signer is a brand. A
/// family that requires `Wechatpay-Serial` must name the WeChat Pay public key id bound to the
/// signer (the brand's, or the sandbox's public key for a merchant).
fn authenticate(
    shared: &Shared,
    family: Family,
    parts: &Parts,
    auth: &str,
    target: &str,
    body: &[u8],
) -> Result<Caller, ApiFailure> {
    // The core's one parser and verifier, told which scheme this path takes; the key is the
    // merchant's API certificate or the brand's 品牌API证书 the sandbox knows for the signer.
    let now = unix_timestamp();
    let verified = verify_request(&[family.scheme], auth, parts.method.as_str(), target, body, now, |p| {
        if family.brand_signs {
            shared.direct_brands.get(&p.identity).filter(|b| b.serial_no == p.serial_no).map(|b| b.key.clone())
        } else {
            shared.merchants.get(&(p.identity.clone(), p.serial_no.clone())).cloned()
        }
    })
    .map_err(|e| sign_error(&e.to_string()))?;
    // A nonce is good for one request within the timestamp window (`crate::replay`: what
    // WeChat Pay answers for a replay is not documented; 401 SIGN_ERROR like any signature
    // failure). The timestamp is a plain decimal number: verify_request checked it.
    let timestamp = verified.timestamp.parse::<i64>().unwrap_or(now);
    if verified.nonce_str.len() > crate::replay::MAX_NONCE_LEN {
        return Err(sign_error(&format!(
            "nonce_str is {} bytes long, at most {} are accepted (WeChat Pay's clients send 32 characters)",
            verified.nonce_str.len(),
            crate::replay::MAX_NONCE_LEN
        )));
    }
    if !shared.nonces.first_use(&verified.nonce_str, timestamp, now) {
        return Err(sign_error(&format!(
            "nonce_str {:?} was already used by a signed request within the last {} minutes: a replayed \
             request (sign every request, retries included, with a fresh nonce)",
            verified.nonce_str,
            wechatpay_apiv3::verify::MAX_CLOCK_SKEW_SECS / 60
        )));
    }
    if family.wechatpay_serial_required {
        let expected = if family.brand_signs {
            shared.direct_brands.get(&verified.identity).map(|b| b.signer.serial()).unwrap_or_default()
        } else {
            shared.public_key_signer.serial()
        };
        check_wechatpay_serial(parts.headers.get(HEADER_SERIAL).map(|v| v.to_str().unwrap_or("")), expected)?;
    }
    Ok(if family.brand_signs {
        Caller { account: brand_account(family, &verified.identity), brand_id: Some(verified.identity), family }
    } else {
        Caller { account: verified.identity, brand_id: None, family }
    })
}

/// A brand request's `Wechatpay-Serial` (必填 on every brand page) must be the WeChat Pay public
/// key id bound to the brand. Which error WeChat Pay gives when it is missing or another id is
/// an open point of the brand-direct reference (§2.2, §6); the sandbox answers 400
/// `PARAM_ERROR` naming the header, as for any other missing or invalid request parameter.
fn check_wechatpay_serial(sent: Option<&str>, expected: &str) -> Result<(), ApiFailure> {
    let refuse = |why: String, value: &str| {
        ApiFailure::new(400, "PARAM_ERROR", why)
            .with_detail(json!({ "field": HEADER_SERIAL, "location": "header", "value": value }))
            .with_business_code(business_code::PARAM_ERROR)
    };
    match sent.map(str::trim) {
        None | Some("") => Err(refuse(
            format!("缺少请求头 {HEADER_SERIAL}: 品牌直连的请求须带上与品牌ID绑定的微信支付公钥ID ({expected})"),
            "",
        )),
        Some(id) if id != expected => {
            Err(refuse(format!("请求头 {HEADER_SERIAL} = {id} 不是与品牌ID绑定的微信支付公钥ID ({expected})"), id))
        }
        Some(_) => Ok(()),
    }
}

/// An operation's 频率限制 for its family. A brand page that was not found gives no limit; the
/// partner limit of the same operation stands in for it (wherever both are known they are
/// equal, brand-direct reference §1), counted per brand instead of per merchant.
fn rate_limit(meta: &OperationMeta) -> Option<u32> {
    meta.rate_limit_per_second
        .or_else(|| FAMILIES[0].operations.iter().find(|m| m.id == meta.id)?.rate_limit_per_second)
}

fn sign_error(why: &str) -> ApiFailure {
    ApiFailure::new(401, "SIGN_ERROR", format!("签名验证不通过: {why}"))
}

fn rate_limited(why: &str) -> ApiFailure {
    ApiFailure::new(429, "RATELIMIT_EXCEEDED", format!("请求超过接口频率限制，请稍后使用原参数重试 ({why})"))
        .with_business_code(business_code::RATE_LIMITED)
}

fn certificates(shared: &Shared, operation: &'static str) -> Reply {
    let listing = CertificateListing {
        serial_no: shared.keys.platform_serial_no.clone(),
        effective_time: CERT_EFFECTIVE_TIME.to_owned(),
        expire_time: CERT_EXPIRE_TIME.to_owned(),
        pem: shared.keys.platform_cert_pem.clone(),
    };
    match encrypt_certificates(&[listing], &shared.apiv3) {
        Ok(body) => Reply { status: 200, body, business_code: None, platform: true, post: None, operation, code: None },
        Err(e) => Reply::failure(ApiFailure::new(500, "SYSTEM_ERROR", format!("sandbox: {e}")), operation),
    }
}

/// Query pairs, percent-decoded (`+` is a plus: the protocol's clients encode spaces as `%20`).
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// A routed request's pieces.
struct RawRequest<'r> {
    path: &'r [(&'static str, String)],
    query: Option<&'r str>,
    body: &'r Bytes,
    file: Option<UploadFile>,
}

/// Parses and validates a request as its family's: the primary family's as is; a secondary
/// family's as that family's request, then re-read as the primary family's
/// ([`as_partner_request`]).
fn parse_request(meta: &OperationMeta, caller: &Caller, raw: RawRequest<'_>) -> Result<OperationRequest, ApiFailure> {
    let op = meta.id;
    let path: Vec<(&str, &str)> = raw.path.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let query_owned = query_pairs(raw.query);
    let query: Vec<(&str, &str)> = query_owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let body_bytes = (!raw.body.is_empty()).then_some(&raw.body[..]);
    let not_multipart = || {
        ApiFailure::new(400, "PARAM_ERROR", format!("{} takes a JSON body, not multipart/form-data", meta.title))
            .with_business_code(business_code::PARAM_ERROR)
    };
    let Some(secondary) = &caller.family.secondary else {
        let mut request = OperationRequest::parse(op, &path, &query, body_bytes).map_err(parse_failure)?;
        if let Some(file) = raw.file.clone()
            && !request.set_file(file)
        {
            return Err(not_multipart());
        }
        let Some(stripped) = enforce(op, request.violations(), body_bytes)? else { return Ok(request) };
        // Parsed again without the fields the spec does not know, so nothing keeps them.
        let mut request = OperationRequest::parse(op, &path, &query, Some(&stripped)).map_err(parse_failure)?;
        if let Some(file) = raw.file {
            request.set_file(file);
        }
        return Ok(request);
    };
    let checked = (secondary.check_request)(op, &path, &query, body_bytes, raw.file.clone()).map_err(parse_failure)?;
    if checked.file_refused {
        return Err(not_multipart());
    }
    let stripped = enforce(op, checked.violations, body_bytes)?;
    let body_bytes = stripped.as_deref().or(body_bytes);
    let mut partner = as_partner_request(op, caller.brand_id.as_deref(), &path, &query_owned, body_bytes)?;
    if let Some(file) = raw.file {
        partner.set_file(file);
    }
    Ok(partner)
}

/// More fields the spec does not know than this in one request is a 400, not a walk.
const MAX_UNKNOWN_FIELDS: usize = 1000;

/// The sandbox plays the documented server: every violation refuses the request, disputed
/// ones included (a request the sandbox accepts is valid under every reading; the error says
/// which rules are disputed and by what). Fields the spec does not know are ignored, as
/// servers of this kind do, and logged: `Some(body)` is the body without them.
fn enforce(op: &str, violations: Violations, body: Option<&[u8]>) -> Result<Option<Vec<u8>>, ApiFailure> {
    let (unknown, refused): (Vec<Violation>, Vec<Violation>) =
        violations.0.into_iter().partition(|v| v.kind == ViolationKind::UnknownField);
    if !refused.is_empty() {
        return Err(validation_failure(&Violations(refused)));
    }
    if unknown.is_empty() {
        return Ok(None);
    }
    // A body of countless made-up keys is refused rather than walked key by key.
    if unknown.len() > MAX_UNKNOWN_FIELDS {
        return Err(ApiFailure::new(
            400,
            "PARAM_ERROR",
            format!("{} fields the spec does not know (at most {MAX_UNKNOWN_FIELDS} are ignored)", unknown.len()),
        )
        .with_business_code(business_code::PARAM_ERROR));
    }
    let paths: Vec<&str> = unknown.iter().map(|v| v.path.as_str()).collect();
    // Key names are the caller's text: shown escaped ({:?}), and only the first few.
    let shown: Vec<String> = paths.iter().take(20).map(|p| format!("{p:?}")).collect();
    let more = paths.len().saturating_sub(shown.len());
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    eprintln!("wechatpay-sandbox: {op}: ignoring field(s) the spec does not know: {}{more}", shown.join(", "));
    let Some(mut value) = body.and_then(|b| serde_json::from_slice::<Value>(b).ok()) else { return Ok(None) };
    for path in &paths {
        wechatpay_product_coupon::runtime::validate::remove_path(&mut value, path);
    }
    serde_json::to_vec(&value).map(Some).map_err(crate::state::internal)
}

/// A secondary family's request (already parsed and validated as that family's) as the
/// primary family's request. For a brand calling directly (`brand_id`), the brand is named
/// where the primary family names it (the body field or query parameter of the generated
/// request facts), replacing anything the brand sent there, since a brand is named by its
/// Authorization header only.
fn as_partner_request(
    op: &str,
    brand_id: Option<&str>,
    path: &[(&str, &str)],
    query: &[(String, String)],
    body: Option<&[u8]>,
) -> Result<OperationRequest, ApiFailure> {
    let brand_param = brand_id.and_then(|brand_id| Some((request_facts(op)?.brand_param?, brand_id)));
    let mut query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut body_owned = None;
    match brand_param {
        Some((BrandParam::Query(name), brand_id)) => {
            query.retain(|(k, _)| *k != name);
            query.push((name, brand_id));
        }
        Some((BrandParam::Body(name), brand_id)) => {
            let mut value: Value = match body {
                Some(bytes) => serde_json::from_slice(bytes)
                    .map_err(|e| parse_failure(ParseError::InvalidBody { path: ".".into(), message: e.to_string() }))?,
                None => json!({}),
            };
            if let Some(object) = value.as_object_mut() {
                object.insert(name.to_owned(), Value::String(brand_id.to_owned()));
            }
            body_owned = Some(serde_json::to_vec(&value).map_err(crate::state::internal)?);
        }
        _ => {}
    }
    let body = body_owned.as_deref().or(body);
    let request = OperationRequest::parse(op, path, &query, body).map_err(parse_failure)?;
    // What the partner models lack (a field only the brand family has) is not kept either.
    let unknown: Vec<Violation> =
        request.violations().0.into_iter().filter(|v| v.kind == ViolationKind::UnknownField).collect();
    let Some(bytes) = body.filter(|_| !unknown.is_empty()) else { return Ok(request) };
    let mut value: Value = serde_json::from_slice(bytes).map_err(crate::state::internal)?;
    for v in &unknown {
        wechatpay_product_coupon::runtime::validate::remove_path(&mut value, &v.path);
    }
    let stripped = serde_json::to_vec(&value).map_err(crate::state::internal)?;
    OperationRequest::parse(op, path, &query, Some(&stripped)).map_err(parse_failure)
}

async fn operation_reply(
    shared: &Arc<Shared>,
    meta: &'static OperationMeta,
    caller: &Caller,
    raw: RawRequest<'_>,
    panic_fault: bool,
) -> Reply {
    let op = meta.id;
    let request = match parse_request(meta, caller, raw) {
        Ok(request) => request,
        Err(failure) => return Reply::failure(failure, op),
    };
    let mchid = caller.account.as_str();
    let (result, changed, outbox, timers) = {
        let mut state = shared.state();
        if panic_fault {
            // While holding the lock, as a bug in a handler would: the lock is poisoned.
            panic!("injected fault: a panic while handling {op}");
        }
        let before = state.revision;
        let mut ctx = Ctx::new(&mut state, mchid, shared.brands.as_ref(), shared.clock.now());
        ctx.notify_targets = Some(shared.notify_targets.as_ref());
        let result = crate::pipeline::serve(&mut ctx, request).and_then(|text| match &caller.family.secondary {
            // The answer in the family's own models (a brand's has no brand_id); a replay's too.
            Some(secondary) => (secondary.response_text)(op, &text).map_err(crate::state::internal),
            None => Ok(text),
        });
        let (outbox, timers) = (std::mem::take(&mut ctx.outbox), std::mem::take(&mut ctx.timers));
        (result, state.revision != before, outbox, timers)
    };
    // A refused request queues nothing (handlers check before they change anything).
    let (outbox, timers) = if result.is_ok() { (outbox, timers) } else { (Vec::new(), Vec::new()) };
    after_change(shared, changed, outbox, timers).await;
    match result {
        Ok(text) => {
            let body = if meta.success_status == 204 { Vec::new() } else { text.into_bytes() };
            Reply {
                status: meta.success_status,
                body,
                business_code: None,
                platform: false,
                post: None,
                operation: op,
                code: None,
            }
        }
        Err(failure) => Reply::failure(failure, op),
    }
}

fn parse_failure(e: ParseError) -> ApiFailure {
    let (field, location) = match &e {
        ParseError::MissingParameter { name } | ParseError::InvalidParameter { name, .. } => {
            ((*name).to_owned(), "path_or_query")
        }
        ParseError::InvalidBody { path, .. } => (path.clone(), "body"),
        ParseError::MissingBody => (".".to_owned(), "body"),
        _ => (String::new(), "request"),
    };
    let message = match &e {
        ParseError::InvalidBody { path, message } => format!("{path}: {message}"),
        other => other.to_string(),
    };
    ApiFailure::new(400, "PARAM_ERROR", message)
        .with_detail(json!({ "field": field, "location": location, "issue": e.to_string() }))
        .with_business_code(business_code::PARAM_ERROR)
}

/// 400 with every violation in the message (`json.path: what; json.path: what`), the first one
/// also in `detail`. `INVALID_REQUEST` (请求参数不符合业务规则: 字段之间的组合要求) when every
/// violation breaks a cross-field rule, otherwise `PARAM_ERROR` (参数错误: a field's own
/// constraint).
fn validation_failure(v: &Violations) -> ApiFailure {
    let all_rules = v.iter().all(|x| x.kind == ViolationKind::Rule);
    // An upload's file problems (size, type, content) are INVALID_REQUEST as the upload's
    // error table says, 270087680 (图片超过指定大小) for a file too large.
    let file_only = v.iter().all(|x| matches!(x.kind, ViolationKind::FileTooLarge | ViolationKind::FileRejected));
    let too_large = v.iter().any(|x| x.kind == ViolationKind::FileTooLarge);
    let (code, business) = if file_only && too_large {
        ("INVALID_REQUEST", business_code::IMAGE_TOO_LARGE)
    } else if all_rules || file_only {
        ("INVALID_REQUEST", business_code::INVALID_REQUEST)
    } else {
        ("PARAM_ERROR", business_code::PARAM_ERROR)
    };
    // A disputed rule is enforced as documented, and the message says it is disputed and by
    // what, so a developer knows why WeChat Pay's own example fails here.
    let list: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    let first = v.iter().next();
    let disputed = |x: &Violation| x.disputed.map(|d| json!({"rule": d.id, "by": d.by}));
    ApiFailure::new(400, code, list.join("; "))
        .with_detail(json!({
            "field": first.map(|x| x.path.as_str()),
            "location": "body",
            "issue": first.map(|x| x.message.as_str()),
            "violations": v.iter().map(|x| json!({"field": x.path, "issue": x.message, "disputed": disputed(x)})).collect::<Vec<_>>(),
        }))
        .with_business_code(business)
}
