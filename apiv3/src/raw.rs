//! The escape hatch: send any operation with a hand-made JSON body and get the verified raw
//! JSON back, with no client-side validation at all.
//!
//! For what the typed API cannot express yet: a field WeChat Pay added after this crate was
//! generated, a shape the spec does not describe, or a CLI that passes JSON through. Everything
//! except validation still happens: the path parameters are percent-encoded into the template,
//! the request is signed, retried like any call, and the response signature is verified before
//! the body is parsed.

use serde_json::Value;

use crate::client::Client;
use crate::error::Error;
use crate::request::{OperationMeta, Outgoing, PreparedRequest, encode_path_segment, encode_query, request_target};
use crate::validate::Violations;

impl Client {
    /// Sends `body` for the operation `meta` and returns the verified response body as JSON.
    ///
    /// * `path_params` fill the `{name}` placeholders of `meta.path_template`; each value is
    ///   percent-encoded as one path segment. A placeholder without a value, or a value for no
    ///   placeholder, is a [`Error::Validation`] at `path.<name>` (nothing is sent).
    /// * `query` is sent in the given order, names and values percent-encoded.
    /// * `body` is serialized as is: not validated, not reordered beyond what
    ///   [`serde_json::Value`] does. `None` sends no body (GET, or a body-less POST).
    /// * A success without a body (204 No Content) returns [`Value::Null`]; an error status is
    ///   an [`Error::Api`] as for typed calls. [`CallOptions`](crate::CallOptions) (retries,
    ///   timeouts) apply; `skip_validation` is moot since nothing is validated.
    /// * [`prepare_raw`](Self::prepare_raw) with the same arguments is its dry run.
    ///
    /// ```no_run
    /// # async fn f(client: &wechatpay_apiv3::Client) -> Result<(), wechatpay_apiv3::Error> {
    /// use serde_json::json;
    /// use wechatpay_apiv3::OperationMeta;
    ///
    /// // An operation described by hand (an API family's generated code has them all).
    /// static GET_THING: OperationMeta = OperationMeta {
    ///     id: "get_thing",
    ///     title: "查询",
    ///     method: "GET",
    ///     path_template: "/v3/things/{thing_id}",
    ///     rate_limit_per_second: None,
    ///     success_status: 200,
    /// };
    /// // A GET with a path parameter (percent-encoded for you) and a query parameter.
    /// let thing = client.send_raw(&GET_THING, &[("thing_id", "1000000013")], &[("owner", "120344")], None).await?;
    /// println!("{}", thing["state"]);
    /// # let _ = json!({});
    /// # Ok(()) }
    /// ```
    ///
    /// Any [`OperationMeta`] works, including one written by hand for an endpoint the spec does
    /// not have yet.
    pub async fn send_raw(
        &self,
        meta: &'static OperationMeta,
        path_params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, Error> {
        let outgoing = raw_outgoing(meta, path_params, query, body);
        crate::client::decode(meta, self.execute_outgoing(meta, outgoing).await?)
    }

    /// The signed request [`send_raw`](Self::send_raw) would send with these arguments, without
    /// sending it (a dry run).
    pub fn prepare_raw(
        &self,
        meta: &'static OperationMeta,
        path_params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<PreparedRequest, Error> {
        Ok(self.prepare_outgoing(&raw_outgoing(meta, path_params, query, body)?))
    }
}

fn raw_outgoing(
    meta: &'static OperationMeta,
    path_params: &[(&str, &str)],
    query: &[(&str, &str)],
    body: Option<&Value>,
) -> Result<Outgoing, Error> {
    let path = fill_path_template(meta.path_template, path_params)?;
    let query: Vec<(&str, String)> = query.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    let target = request_target(&path, &encode_query(&query)).map_err(Error::Validation)?;
    let body = match body {
        Some(v) => serde_json::to_vec(v).map_err(|e| Error::Config(format!("request body: {e}")))?,
        None => Vec::new(),
    };
    Ok(Outgoing { meta, target, signed_body: body, form: None, warnings: Vec::new() })
}

/// Substitutes `{name}` placeholders of `template` with the percent-encoded values of `params`.
///
/// Every call builds its path here: typed calls (validated or not), [`Client::send_raw`] and
/// the CLI. A value that would not address one resource is refused with a
/// [`Error::Validation`] at `path.<name>`, before anything is signed or sent: an empty value
/// (the path would get an empty segment, `//`, which servers and proxies collapse or route
/// elsewhere) and `.` or `..` (which URL parsers resolve, so the request would go to another
/// path than the one signed).
pub fn fill_path_template(template: &str, params: &[(&str, &str)]) -> Result<String, Error> {
    let mut violations = Violations::default();
    let mut used = vec![false; params.len()];
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            violations.push("path", format!("unclosed placeholder in template {template:?}"));
            break;
        };
        let name = &after[..close];
        match params.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                if let Some(flag) = used.get_mut(i) {
                    *flag = true;
                }
                let value = params.get(i).map_or("", |(_, v)| v);
                match value {
                    "" => violations.push(
                        format!("path.{name}"),
                        "path parameter is empty: it would leave an empty path segment (`//`)",
                    ),
                    "." | ".." => violations.push(
                        format!("path.{name}"),
                        format!("path parameter is {value:?}: a URL parser would resolve it as a dot segment"),
                    ),
                    _ => {}
                }
                out.push_str(&encode_path_segment(value));
            }
            None => violations.push(format!("path.{name}"), "path parameter missing"),
        }
        rest = &after[close + 1..];
    }
    if violations.is_empty() {
        out.push_str(rest);
    }
    for ((name, _), used) in params.iter().zip(&used) {
        if !used {
            violations.push(format!("path.{name}"), format!("no {{{name}}} placeholder in {template:?}"));
        }
    }
    violations.into_result().map_err(Error::Validation)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_filled_with_encoded_segments() {
        let t = "/v3/a/{id}/b/{no}";
        assert_eq!(fill_path_template(t, &[("no", "x y"), ("id", "1/2")]).unwrap(), "/v3/a/1%2F2/b/x%20y");
        assert_eq!(fill_path_template("/v3/a", &[]).unwrap(), "/v3/a");
        let missing = fill_path_template(t, &[("id", "1")]).unwrap_err().to_string();
        assert!(missing.contains("path.no"), "{missing}");
        let extra = fill_path_template("/v3/a", &[("id", "1")]).unwrap_err().to_string();
        assert!(extra.contains("path.id"), "{extra}");
        assert!(fill_path_template("/v3/a/{id", &[]).is_err());
    }

    #[test]
    fn empty_and_dot_values_are_refused_naming_the_parameter() {
        let t = "/v3/a/{id}/b/{no}";
        for bad in ["", ".", ".."] {
            let Err(Error::Validation(v)) = fill_path_template(t, &[("id", "1"), ("no", bad)]) else {
                panic!("{bad:?} accepted")
            };
            let v: Vec<_> = v.iter().map(ToString::to_string).collect();
            assert_eq!(v.len(), 1, "{v:?}");
            assert!(v[0].starts_with("path.no"), "{v:?}");
        }
        // Dots inside a value, or more of them, are ordinary text (and percent-encoding keeps
        // `%2e` as text too).
        assert_eq!(fill_path_template(t, &[("id", "a.b"), ("no", "...")]).unwrap(), "/v3/a/a.b/b/...");
        assert_eq!(fill_path_template(t, &[("id", "%2e"), ("no", " ")]).unwrap(), "/v3/a/%252e/b/%20");
    }
}
