//! The one error type every call returns.

use std::fmt;

use crate::validate::{BuildError, Violations};
use crate::verify::VerifyError;

/// An error response from WeChat Pay (any non-2xx status, or a 202 that stayed 202 after every
/// retry): `{"code": "...", "message": "...", "detail": {...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The `code` as sent (an API family's crate maps it to its documented codes). When the
    /// body is not a JSON error object this is empty and [`ApiError::raw_body`] holds the body.
    pub code: String,
    /// The `message` (empty when absent).
    pub message: String,
    /// The `detail` object, when sent.
    pub detail: Option<serde_json::Value>,
    /// The `Request-ID` response header; quote it to WeChat Pay support.
    pub request_id: Option<String>,
    /// The body as text when it was not a JSON error object (an HTML page from a proxy, say).
    pub raw_body: Option<String>,
    /// Whether the error response carried a WeChat Pay signature that verified. Error
    /// responses without signature headers are accepted unverified (like the official SDKs);
    /// ones with signature headers that do not verify become [`Error::Verification`].
    pub signature_verified: bool,
}

impl ApiError {
    /// Builds the error from a non-2xx response.
    pub(crate) fn from_response(
        status: u16,
        body: &[u8],
        request_id: Option<String>,
        signature_verified: bool,
    ) -> Self {
        #[derive(serde::Deserialize)]
        struct Body {
            code: String,
            #[serde(default)]
            message: String,
            #[serde(default)]
            detail: Option<serde_json::Value>,
        }
        match serde_json::from_slice::<Body>(body) {
            Ok(b) => ApiError {
                status,
                code: b.code,
                message: b.message,
                detail: b.detail.filter(|d| !d.is_null()),
                request_id,
                raw_body: None,
                signature_verified,
            },
            Err(_) => {
                let mut text = String::from_utf8_lossy(body).into_owned();
                if text.len() > 4096 {
                    let mut cut = 4096;
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text.truncate(cut);
                    text.push('…');
                }
                ApiError {
                    status,
                    code: String::new(),
                    message: String::new(),
                    detail: None,
                    request_id,
                    raw_body: (!text.is_empty()).then_some(text),
                    signature_verified,
                }
            }
        }
    }

    /// Whether repeating the same request may succeed: 429, 5xx and 202.
    pub fn is_retryable(&self) -> bool {
        matches!(self.status, 202 | 429 | 500..=599)
    }

    /// The numeric business error code WeChat Pay appends to `Request-ID` after the last `-`
    /// (e.g. `268578927` for "相同单号但请求数据不一致"), when present.
    pub fn business_code(&self) -> Option<u64> {
        self.request_id.as_deref()?.rsplit_once('-')?.1.parse().ok()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if !self.code.is_empty() {
            write!(f, " {}", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        } else if let Some(raw) = &self.raw_body {
            let short: String = raw.chars().take(200).collect();
            write!(f, ": {short}")?;
        }
        write_request_id(f, self.request_id.as_deref())
    }
}

impl std::error::Error for ApiError {}

fn write_request_id(f: &mut fmt::Formatter<'_>, request_id: Option<&str>) -> fmt::Result {
    match request_id {
        Some(id) => write!(f, " (Request-ID: {id})"),
        None => write!(f, " (no Request-ID)"),
    }
}

/// A 2xx response whose body did not decode into the expected type. The raw body is kept.
#[derive(Debug)]
pub struct DecodeError {
    /// HTTP status.
    pub status: u16,
    /// The `Request-ID` response header.
    pub request_id: Option<String>,
    /// The raw (verified) body.
    pub body: Vec<u8>,
    /// What serde_json reported.
    pub source: serde_json::Error,
}

impl DecodeError {
    /// The body as (lossy) text.
    pub fn body_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// A response whose WeChat Pay signature did not check out; the body was not used.
#[derive(Debug, Clone)]
pub struct VerificationError {
    /// HTTP status of the rejected response.
    pub status: u16,
    /// Its `Request-ID` header.
    pub request_id: Option<String>,
    /// Why it was rejected.
    pub reason: VerifyError,
}

/// Which time limit ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutKind {
    /// Establishing the connection (TCP and TLS) took longer than the connect timeout.
    Connect,
    /// One attempt (send plus reading the whole response) took longer than its limit.
    Attempt,
    /// The whole call, retries and backoff included, took longer than its limit.
    Total,
}

/// The request never got a usable HTTP response: DNS, connect, TLS, reset, truncated body...
#[derive(Debug)]
pub struct TransportError {
    /// Whether the connection could not be established (the case that triggers failover to
    /// the backup domain).
    pub connect: bool,
    /// The underlying error.
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// Everything a call can fail with.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// CONTRACT: client-side validation failed; every violation with its JSON path.
    Validation(Violations),
    /// CONTRACT: a builder was missing required fields.
    Build(BuildError),
    /// CONTRACT: the request body could not be encoded.
    Encode(serde_json::Error),
    /// The client is misconfigured (missing or unusable key, bad base URL, ...).
    Config(String),
    /// WeChat Pay answered with an error status.
    Api(Box<ApiError>),
    /// A 2xx body that did not decode into the response type (raw body kept).
    Decode(Box<DecodeError>),
    /// The response signature was missing, stale, from an unknown key, or wrong.
    Verification(Box<VerificationError>),
    /// No usable HTTP response (network failure).
    Transport(TransportError),
    /// A time limit ran out.
    Timeout(TimeoutKind),
    /// Platform certificates could not be downloaded or decrypted.
    Certificate(String),
    /// The shared rate limiter (Redis, see [`limiter`](crate::limiter)) was unreachable or did
    /// not answer in time, and its policy is
    /// `RedisFailurePolicy::Fail`: the call was not sent. Under the
    /// default policy, `RedisFailurePolicy::Fallback`, calls go on
    /// with the in-process limiter instead and never see this error.
    RateLimiter(String),
}

impl Error {
    /// Whether no connection could be made (refused, unreachable, connect timeout): the case
    /// that fails over to the backup domain.
    pub fn is_connect_failure(&self) -> bool {
        matches!(self, Error::Transport(TransportError { connect: true, .. }) | Error::Timeout(TimeoutKind::Connect))
    }

    /// Whether repeating the call unchanged may succeed: network failures, connect and
    /// per-attempt timeouts, and API errors with status 429, 5xx or 202.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::Timeout(kind) => *kind != TimeoutKind::Total,
            Error::Api(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// The HTTP status of the response this error came from, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::Verification(e) => Some(e.status),
            _ => None,
        }
    }

    /// The `Request-ID` of the response this error came from, if there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            Error::Verification(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// The API error, if this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Violations> for Error {
    fn from(v: Violations) -> Self {
        Error::Validation(v)
    }
}

impl From<BuildError> for Error {
    fn from(v: BuildError) -> Self {
        Error::Build(v)
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(v) => write!(f, "request validation failed: {v}"),
            Error::Build(e) => write!(f, "request builder: {e}"),
            Error::Encode(e) => write!(f, "request body could not be encoded: {e}"),
            Error::Config(msg) => write!(f, "client configuration: {msg}"),
            Error::Api(e) => write!(f, "WeChat Pay API error: {e}"),
            Error::Decode(e) => {
                write!(f, "HTTP {} response body did not decode: {}", e.status, e.source)?;
                write_request_id(f, e.request_id.as_deref())
            }
            Error::Verification(e) => {
                write!(f, "HTTP {} response rejected: {}", e.status, e.reason)?;
                write_request_id(f, e.request_id.as_deref())
            }
            Error::Transport(e) => {
                let what = if e.connect { "could not connect" } else { "network error" };
                write!(f, "{what}: {}", e.source)?;
                let mut src = e.source.source();
                while let Some(s) = src {
                    write!(f, ": {s}")?;
                    src = s.source();
                }
                Ok(())
            }
            Error::Timeout(TimeoutKind::Connect) => f.write_str("timed out connecting"),
            Error::Timeout(TimeoutKind::Attempt) => f.write_str("request attempt timed out"),
            Error::Timeout(TimeoutKind::Total) => f.write_str("call timed out (total time limit, retries included)"),
            Error::Certificate(msg) => write!(f, "platform certificates: {msg}"),
            Error::RateLimiter(msg) => write!(f, "rate limiter: {msg}; the call was not sent"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Validation(v) => Some(v),
            Error::Build(e) => Some(e),
            Error::Encode(e) => Some(e),
            Error::Api(e) => Some(&**e),
            Error::Decode(e) => Some(&e.source),
            Error::Verification(e) => Some(&e.reason),
            Error::Transport(e) => Some(&*e.source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_display_names_status_code_and_request_id() {
        let e = ApiError::from_response(
            400,
            br#"{"code":"PARAM_ERROR","message":"bad owner_id"}"#,
            Some("08F1-268578224".into()),
            false,
        );
        assert_eq!(e.code, "PARAM_ERROR");
        assert_eq!(e.business_code(), Some(268578224));
        let text = Error::from(e).to_string();
        assert!(
            text.contains("HTTP 400") && text.contains("PARAM_ERROR") && text.contains("Request-ID: 08F1-268578224"),
            "{text}"
        );
    }

    #[test]
    fn unknown_codes_and_non_json_bodies_are_kept() {
        let e = ApiError::from_response(
            403,
            br#"{"code":"SOMETHING_NEW","message":"m","detail":{"field":"x"}}"#,
            None,
            true,
        );
        assert_eq!(e.code, "SOMETHING_NEW");
        assert!(e.detail.is_some());
        let e = ApiError::from_response(502, b"<html>bad gateway</html>", None, false);
        assert_eq!(e.raw_body.as_deref(), Some("<html>bad gateway</html>"));
        assert!(e.is_retryable());
        assert!(Error::from(e).to_string().contains("bad gateway"));
    }
}
