//! CONTRACT STUB — to be replaced by the real runtime (signing, verification, transport,
//! retries). The signatures marked CONTRACT are called by generated code and must keep their shape.

use crate::runtime::error::Error;

/// CONTRACT: static facts about one operation, generated from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationMeta {
    /// snake_case operation id from the spec, e.g. `create_stock_bundle`.
    pub id: &'static str,
    /// The doc page's Chinese title.
    pub title: &'static str,
    /// HTTP method, upper case (`GET`, `POST`, `PATCH`, ...).
    pub method: &'static str,
    /// Path template as documented, with `{name}` placeholders.
    pub path_template: &'static str,
    /// 频率限制 in requests per second, when the page gives one.
    pub rate_limit_per_second: Option<u32>,
}

/// CONTRACT: one request, built by a generated call function. `path` is already
/// percent-encoded; `query` values are raw (the runtime encodes them); `body` is the exact JSON
/// bytes to sign and send.
#[derive(Debug, Clone)]
pub struct RequestParts {
    /// Which operation this is.
    pub meta: &'static OperationMeta,
    /// Path with parameters substituted and percent-encoded.
    pub path: String,
    /// Query parameters in documented order, unencoded.
    pub query: Vec<(&'static str, String)>,
    /// JSON body bytes, if the operation sends one.
    pub body: Option<Vec<u8>>,
}

/// Per-call settings.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Skip client-side validation (the server still validates).
    pub skip_validation: bool,
}

/// The API client.
#[derive(Debug, Clone, Default)]
pub struct Client {
    options: CallOptions,
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {}

impl Client {
    /// CONTRACT: whether generated call functions validate before sending.
    #[doc(hidden)]
    pub fn validation_enabled(&self) -> bool {
        !self.options.skip_validation
    }

    /// CONTRACT: signs, sends, verifies and decodes one request.
    #[doc(hidden)]
    pub async fn execute<R: serde::de::DeserializeOwned>(&self, parts: RequestParts) -> Result<R, Error> {
        let _ = parts;
        Err(Error::Config("runtime not implemented yet".into()))
    }
}

/// CONTRACT: percent-encodes one path segment (everything but RFC 3986 unreserved characters).
pub fn encode_path_segment(segment: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(segment, SET).to_string()
}
