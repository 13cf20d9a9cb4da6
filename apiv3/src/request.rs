//! The request layer: what an operation is ([`OperationMeta`]), what one call asks for
//! ([`RequestParts`]), and the [`PreparedRequest`]: the exact method, URL, headers and body
//! bytes of one signed attempt. The client builds a prepared request for every attempt and
//! hands it to the [`Transport`](crate::transport::Transport); a dry run returns the same
//! value, so what a dry run shows and what is sent can never differ.

use std::borrow::Cow;

use crate::upload::{MultipartForm, MultipartLayout, UploadFile, multipart_form};
use crate::validate::{Violation, Violations};
use crate::verify::HEADER_SERIAL;

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
    /// The documented success status (200, or 204 for operations without a response body).
    pub success_status: u16,
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
    /// What validation found that does not refuse the request (a disputed rule broken, a
    /// field the spec does not know): reported when the request is sent, and carried by its
    /// dry run.
    pub warnings: Vec<Violation>,
}

impl RequestParts {
    /// Parts without warnings.
    pub fn new(
        meta: &'static OperationMeta,
        path: String,
        query: Vec<(&'static str, String)>,
        body: Option<Vec<u8>>,
    ) -> Self {
        RequestParts { meta, path, query, body, warnings: Vec::new() }
    }
}

/// A signed request: one attempt exactly as it goes to the transport, and what a dry run
/// ([`Client::prepare`](crate::Client::prepare), [`Client::prepare_upload`](crate::Client::prepare_upload))
/// returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// HTTP method.
    pub method: String,
    /// Full URL (the primary domain for a dry run; the domain tried for a sent attempt).
    pub url: String,
    /// What the signature covers: path plus `?query`.
    pub canonical_url: String,
    /// Every header the client sends, `Authorization` included.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes sent (empty when none): the JSON, or for an upload the whole
    /// `multipart/form-data` body.
    pub body: Vec<u8>,
    /// The bytes the signature covers: the same as `body`, except for an upload, where it is
    /// the `meta` JSON alone.
    pub signed_body: Vec<u8>,
    /// The request's warnings: violations of disputed rules and fields the spec does not know,
    /// which do not refuse it (see [`Screening`](crate::validate::Screening)). Empty for a
    /// request without any.
    pub warnings: Vec<Violation>,
}

impl PreparedRequest {
    /// The body as (lossy) text.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The same request sent to another base URL (failover): the signature does not cover
    /// the host, so the headers stay valid.
    pub(crate) fn at_base(&self, base: &str) -> PreparedRequest {
        PreparedRequest { url: format!("{base}{}", self.canonical_url), ..self.clone() }
    }
}

/// A call's request before signing, built once per call: every attempt signs and sends these
/// same bytes (a retry keeps the same `out_request_no`, an upload the same multipart boundary).
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub(crate) meta: &'static OperationMeta,
    /// Path plus `?query`, encoded: the form both sent and signed.
    pub(crate) target: String,
    /// What the signature covers: the JSON body, or for an upload the meta JSON.
    pub(crate) signed_body: Vec<u8>,
    /// For an upload, the multipart form that is sent instead of `signed_body`.
    pub(crate) form: Option<MultipartForm>,
    /// The request's warnings, carried into every prepared attempt.
    pub(crate) warnings: Vec<Violation>,
}

impl Outgoing {
    pub(crate) fn from_parts(parts: RequestParts) -> Result<Outgoing, Violations> {
        let target = request_target(&parts.path, &encode_query(&parts.query))?;
        Ok(Outgoing {
            meta: parts.meta,
            target,
            signed_body: parts.body.unwrap_or_default(),
            form: None,
            warnings: parts.warnings,
        })
    }

    /// An upload: `parts.body` is the meta JSON (signed); the form holds it and the file.
    pub(crate) fn upload(
        parts: RequestParts,
        layout: &MultipartLayout,
        file: &UploadFile,
    ) -> Result<Outgoing, Violations> {
        let mut outgoing = Outgoing::from_parts(parts)?;
        outgoing.form = Some(multipart_form(layout, &outgoing.signed_body, file));
        Ok(outgoing)
    }

    /// Signs one attempt: the headers every attempt sends, in one place.
    pub(crate) fn prepare(
        &self,
        base: &str,
        authorization: String,
        serial: Option<String>,
        user_agent: &str,
    ) -> PreparedRequest {
        let (content_type, body) = match &self.form {
            Some(form) => (form.content_type.clone(), form.body.clone()),
            None => ("application/json".to_owned(), self.signed_body.clone()),
        };
        let mut headers = vec![
            ("Authorization".to_owned(), authorization),
            ("Accept".to_owned(), "application/json".to_owned()),
            ("Content-Type".to_owned(), content_type),
            ("User-Agent".to_owned(), user_agent.to_owned()),
        ];
        if let Some(serial) = serial {
            headers.push((HEADER_SERIAL.to_owned(), serial));
        }
        PreparedRequest {
            method: self.meta.method.to_owned(),
            url: format!("{base}{}", self.target),
            canonical_url: self.target.clone(),
            headers,
            body,
            signed_body: self.signed_body.clone(),
            warnings: self.warnings.clone(),
        }
    }
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// CONTRACT: percent-encodes one path segment (everything but RFC 3986 unreserved characters).
pub fn encode_path_segment(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, UNRESERVED).to_string()
}

/// Percent-encodes a query (names and values; everything but unreserved characters) into
/// `name=value&...`, the form both sent and signed.
pub fn encode_query(query: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in query.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(percent_encoding::utf8_percent_encode(name, UNRESERVED));
        out.push('=');
        out.extend(percent_encoding::utf8_percent_encode(value, UNRESERVED));
    }
    out
}

/// The request target (path plus `?query`) that is both sent and signed. Refuses paths a URL
/// parser would rewrite (dot segments), which would break the signature and could address
/// another resource.
pub(crate) fn request_target(path: &str, encoded_query: &str) -> Result<String, Violations> {
    let bad = |why: &str| {
        let mut v = Violations::default();
        v.push("path", format!("{why}: {path:?}"));
        v
    };
    if !path.starts_with('/') {
        return Err(bad("the path must start with '/'"));
    }
    if path.bytes().any(|b| !b.is_ascii_graphic() || b == b'?' || b == b'#' || b == b'\\') {
        return Err(bad("the path must be percent-encoded"));
    }
    let is_dot = |s: &str| {
        let s = s.to_ascii_lowercase().replace("%2e", ".");
        s == "." || s == ".."
    };
    if path.split('/').any(is_dot) {
        return Err(bad("a path parameter must not be '.' or '..'"));
    }
    // `//`: an empty path parameter (a trailing `/` is the template's own).
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    if segments.iter().rev().skip(1).any(|s| s.is_empty()) {
        return Err(bad("a path parameter must not be empty (the path has an empty segment)"));
    }
    let mut target = path.to_owned();
    if !encoded_query.is_empty() {
        target.push('?');
        target.push_str(encoded_query);
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    static META: OperationMeta = OperationMeta {
        id: "t",
        title: "t",
        method: "GET",
        path_template: "/v3/x/{id}",
        rate_limit_per_second: None,
        success_status: 200,
    };

    fn target(path: &str, query: Vec<(&'static str, String)>) -> Result<String, Violations> {
        Outgoing::from_parts(RequestParts::new(&META, path.into(), query, None)).map(|o| o.target)
    }

    #[test]
    fn targets_encode_queries_and_refuse_dot_segments() {
        let t = target("/v3/x/a%2Fb", vec![("owner", "12 3&=".into()), ("limit", "10".into())]).unwrap();
        assert_eq!(t, "/v3/x/a%2Fb?owner=12%203%26%3D&limit=10");
        assert!(target(&format!("/v3/x/{}", encode_path_segment("..")), vec![]).is_err());
        assert!(target("/v3/x/%2E%2e", vec![]).is_err());
        assert!(target("/v3/x/a b", vec![]).is_err());
        assert!(target("v3/x", vec![]).is_err());
        assert!(target("/v3/x//y", vec![]).is_err(), "an empty segment");
        assert!(target("/v3//x", vec![]).is_err(), "an empty segment");
        assert!(target("/v3/x/", vec![]).is_ok(), "a template's trailing slash");
        assert_eq!(encode_path_segment("券 1/2"), "%E5%88%B8%201%2F2");
    }

    #[test]
    fn targets_survive_url_parsing_unchanged() {
        let t = target("/v3/x/%E5%88%B8~a-b_c.d", vec![("q", "a/b?c~".into())]).unwrap();
        let url = reqwest::Url::parse(&format!("https://h{t}")).unwrap();
        assert_eq!(format!("{}?{}", url.path(), url.query().unwrap()), t);
    }
}
