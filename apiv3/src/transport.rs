//! The transport layer: how one signed attempt becomes one HTTP response.
//!
//! The [`Client`](crate::Client) does everything else (signing, retries, failover, timeouts,
//! rate limiting, verification); a [`Transport`] only sends a [`PreparedRequest`] exactly as
//! given and returns the raw response. [`ReqwestTransport`] is the default. For tests,
//! [`RecordingTransport`] wraps another transport and keeps every exchange, and
//! [`ReplayTransport`] answers from a list of responses without any network, keeping the
//! requests it was given:
//!
//! ```
//! use std::sync::Arc;
//! use wechatpay_apiv3::transport::{HttpResponse, ReplayTransport};
//!
//! let replay = Arc::new(ReplayTransport::new([HttpResponse::new(204, Vec::new())]));
//! // let client = Client::builder() /* keys... */ .transport(replay.clone()).build()?;
//! // ... make calls ...
//! assert!(replay.requests().is_empty());
//! ```
//!
//! Responses still have to verify: replay responses recorded from a real or sandbox server
//! (with a [`RecordingTransport`]) within the signature's five-minute window, or sign them
//! yourself with `signing::ResponseSigner` (the non-default `server` feature).

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::error::{Error, TimeoutKind, TransportError};
use crate::request::PreparedRequest;

/// Responses larger than this are refused (no APIv3 JSON response comes near it).
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// A raw HTTP response, before verification.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with no headers.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse { status, headers: HeaderMap::new(), body: body.into() }
    }
}

/// The future a [`Transport`] returns.
pub type TransportFuture<'a> = Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + Send + 'a>>;

/// Sends one prepared request and returns its response. Errors are [`Error::Transport`]
/// (with `connect: true` when no connection could be made: that fails over to the backup
/// domain) or [`Error::Timeout`]; the client retries both.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` (its method, URL, headers and body, exactly as given).
    fn send<'a>(&'a self, request: &'a PreparedRequest) -> TransportFuture<'a>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send<'a>(&'a self, request: &'a PreparedRequest) -> TransportFuture<'a> {
        (**self).send(request)
    }
}

/// The default transport: pooled `reqwest` clients that never follow redirects.
///
/// Cold start: the HTTP clients are built on first use, one per scheme. Plain `http` (only
/// ever to a loopback sandbox or test server) never loads TLS trust roots; the first `https`
/// call loads the platform's roots once, for the life of the transport.
#[derive(Debug)]
pub struct ReqwestTransport {
    connect_timeout: Duration,
    /// For `http://` URLs: TLS configured with no roots at all (nothing read from the system).
    plain: OnceLock<Result<reqwest::Client, String>>,
    /// For `https://` URLs: the platform verifier and its roots.
    tls: OnceLock<Result<reqwest::Client, String>>,
    /// A client of the user's own, used for every URL.
    custom: Option<reqwest::Client>,
}

impl ReqwestTransport {
    /// A transport with the given connect timeout.
    pub fn new(connect_timeout: Duration) -> Result<Self, Error> {
        Ok(ReqwestTransport { connect_timeout, plain: OnceLock::new(), tls: OnceLock::new(), custom: None })
    }

    /// A transport over a `reqwest::Client` of your own (proxies, TLS settings). It should not
    /// follow redirects: a redirected request would no longer match its signature.
    pub fn from_client(http: reqwest::Client) -> Self {
        ReqwestTransport {
            connect_timeout: Duration::ZERO,
            plain: OnceLock::new(),
            tls: OnceLock::new(),
            custom: Some(http),
        }
    }

    /// The client for `url`, built on first use.
    fn client(&self, url: &str) -> Result<&reqwest::Client, Error> {
        if let Some(custom) = &self.custom {
            return Ok(custom);
        }
        let https = url.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        let cell = if https { &self.tls } else { &self.plain };
        let built = cell.get_or_init(|| {
            let builder = reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .pool_idle_timeout(Duration::from_secs(90))
                .tcp_nodelay(true)
                .redirect(reqwest::redirect::Policy::none());
            // Without this, building the client reads and parses the whole system certificate
            // store, which a plain-http call never uses.
            let builder = if https { builder } else { builder.tls_certs_only(std::iter::empty()) };
            builder.build().map_err(|e| e.to_string())
        });
        built.as_ref().map_err(|e| Error::Config(format!("HTTP client: {e}")))
    }
}

impl Transport for ReqwestTransport {
    fn send<'a>(&'a self, request: &'a PreparedRequest) -> TransportFuture<'a> {
        Box::pin(async move {
            let method = reqwest::Method::from_bytes(request.method.as_bytes())
                .map_err(|_| Error::Config(format!("bad HTTP method {:?}", request.method)))?;
            let mut req = self.client(&request.url)?.request(method, &request.url);
            for (name, value) in &request.headers {
                req = req.header(name, value);
            }
            if !request.body.is_empty() {
                req = req.body(request.body.clone());
            }
            let mut resp = req.send().await.map_err(transport_error)?;
            let status = resp.status().as_u16();
            let headers = std::mem::take(resp.headers_mut());
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(transport_error)? {
                if body.len().saturating_add(chunk.len()) > MAX_RESPONSE_BYTES {
                    return Err(Error::Transport(TransportError {
                        connect: false,
                        source: "response body exceeds 8 MiB".into(),
                    }));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse { status, headers, body })
        })
    }
}

fn transport_error(mut e: reqwest::Error) -> Error {
    // reqwest names the URL in its message; its path and query can hold personal data (an
    // openid, a coupon code), and errors end up in logs. The origin says which domain failed.
    if let Some(url) = e.url_mut() {
        url.set_path("");
        url.set_query(None);
        url.set_fragment(None);
    }
    if e.is_timeout() {
        Error::Timeout(if e.is_connect() { TimeoutKind::Connect } else { TimeoutKind::Attempt })
    } else {
        Error::Transport(TransportError { connect: e.is_connect(), source: Box::new(e) })
    }
}

/// One request and the response it got.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// The request as sent.
    pub request: PreparedRequest,
    /// The response as received (before verification).
    pub response: HttpResponse,
}

/// Wraps a transport and records every exchange that got a response.
pub struct RecordingTransport {
    inner: Box<dyn Transport>,
    exchanges: Mutex<Vec<Exchange>>,
}

impl fmt::Debug for RecordingTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingTransport").field("exchanges", &self.exchanges().len()).finish_non_exhaustive()
    }
}

impl RecordingTransport {
    /// Records what `inner` sends and receives.
    pub fn new(inner: impl Transport) -> Self {
        RecordingTransport { inner: Box::new(inner), exchanges: Mutex::new(Vec::new()) }
    }

    /// The exchanges so far, oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A transport that answers with the recorded responses, in order.
    pub fn replay(&self) -> ReplayTransport {
        ReplayTransport::new(self.exchanges().into_iter().map(|e| e.response))
    }
}

impl Transport for RecordingTransport {
    fn send<'a>(&'a self, request: &'a PreparedRequest) -> TransportFuture<'a> {
        Box::pin(async move {
            let response = self.inner.send(request).await?;
            self.exchanges
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Exchange { request: request.clone(), response: response.clone() });
            Ok(response)
        })
    }
}

/// Answers requests with the given responses, in order, without any network; keeps the
/// requests. Once the responses run out, each further request fails as a transport error
/// (not a connect failure, so nothing fails over).
#[derive(Debug, Default)]
pub struct ReplayTransport {
    responses: Mutex<VecDeque<HttpResponse>>,
    requests: Mutex<Vec<PreparedRequest>>,
}

impl ReplayTransport {
    /// A transport answering with `responses`, in order.
    pub fn new(responses: impl IntoIterator<Item = HttpResponse>) -> Self {
        ReplayTransport { responses: Mutex::new(responses.into_iter().collect()), requests: Mutex::new(Vec::new()) }
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<PreparedRequest> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How many responses are left.
    pub fn remaining(&self) -> usize {
        self.responses.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Transport for ReplayTransport {
    fn send<'a>(&'a self, request: &'a PreparedRequest) -> TransportFuture<'a> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner()).push(request.clone());
        let next = self.responses.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
        Box::pin(async move {
            next.ok_or_else(|| {
                Error::Transport(TransportError {
                    connect: false,
                    source: format!("replay: no recorded response left for {} {}", request.method, request.url).into(),
                })
            })
        })
    }
}
