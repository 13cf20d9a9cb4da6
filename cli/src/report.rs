//! What the CLI prints: the response, a dry run's request, and failures with their exit status.
//!
//! What users paste into tickets and chats must stay safe: a dry run's signature is redacted
//! unless asked for (it can be replayed for five minutes), and text the server chose is printed
//! with control characters escaped, so a message cannot move the cursor, recolour or rewrite
//! the terminal, or forge lines of output.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use wechatpay_product_coupon::{Error, PreparedRequest, Violation, Violations};

use crate::escape::escape_json as escape_json_text;
pub use crate::escape::escape_text as escape_controls;

/// API, network and verification errors.
const EXIT_CALL: u8 = 1;
/// Input that cannot become a valid request.
const EXIT_INPUT: u8 = 3;
/// Missing or unusable configuration.
const EXIT_CONFIG: u8 = 4;

/// A failure: a headline, detail lines, and the exit status.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    headline: String,
    lines: Vec<String>,
}

impl Failure {
    fn new(code: u8, headline: String, lines: Vec<String>) -> Self {
        Failure { code, headline, lines }
    }

    pub fn input(headline: String) -> Self {
        Failure::new(EXIT_INPUT, headline, Vec::new())
    }

    /// Every violation as `path: message`.
    pub fn violations(violations: Violations) -> Self {
        let lines = violations.iter().map(ToString::to_string).collect();
        let headline =
            format!("request validation failed: {} problem(s) (--no-validate sends it anyway)", violations.0.len());
        Failure::new(EXIT_INPUT, headline, lines)
    }

    pub fn config(message: String) -> Self {
        Failure::new(
            EXIT_CONFIG,
            format!("configuration: {message}"),
            vec![
                "set WECHATPAY_MCHID, WECHATPAY_MERCHANT_SERIAL_NO, WECHATPAY_PRIVATE_KEY_PATH and either".to_owned(),
                "WECHATPAY_PUBLIC_KEY_ID with WECHATPAY_PUBLIC_KEY_PATH, or WECHATPAY_APIV3_KEY (see --help)"
                    .to_owned(),
            ],
        )
    }

    pub fn other(headline: String) -> Self {
        Failure::new(EXIT_CALL, headline, Vec::new())
    }

    /// A failed call: the error, then status, code, message, detail, Request-ID and the body
    /// (of an error, or of a 2xx response that did not decode) as known, the server's text with
    /// its control characters escaped.
    pub fn call(error: &Error) -> Self {
        let mut lines = Vec::new();
        if let Some(api) = error.as_api() {
            lines.push(format!("status: {}", api.status));
            lines.push(format!("code: {}", escape_controls(api.code.as_str())));
            lines.push(format!("message: {}", escape_controls(&api.message)));
            if let Some(detail) = &api.detail {
                lines.push(format!("detail: {}", escape_controls(&detail.to_string())));
            }
            if let Some(raw) = &api.raw_body {
                lines.push(format!("body: {}", escape_controls(raw)));
            }
            lines.push(format!("Request-ID: {}", escape_controls(api.request_id.as_deref().unwrap_or("(none)"))));
            if !api.signature_verified {
                lines.push("(the error response carried no WeChat Pay signature)".to_owned());
            }
        } else if let Some(status) = error.status() {
            lines.push(format!("status: {status}"));
            lines.push(format!("Request-ID: {}", escape_controls(error.request_id().unwrap_or("(none)"))));
            // A 2xx body that did not decode: the call failed, but what came is shown, not lost.
            if let Error::Decode(decode) = error {
                lines.push(format!("body: {}", escape_controls(&decode.body_text())));
            }
        }
        Failure::new(EXIT_CALL, escape_controls(&error.to_string()).into_owned(), lines)
    }

    /// Prints the failure on standard error and gives the exit status.
    pub fn report(self) -> ExitCode {
        let mut err = std::io::stderr().lock();
        // Escaped here too: whatever a headline or line quotes reaches the terminal safe.
        let _ = writeln!(err, "error: {}", escape_controls(&self.headline));
        for line in &self.lines {
            let _ = writeln!(err, "  {}", escape_controls(line));
        }
        ExitCode::from(self.code)
    }
}

/// A warning on standard error.
pub fn warn(headline: &str, lines: &[String]) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "warning: {}", escape_controls(headline));
    for line in lines {
        let _ = writeln!(err, "  {}", escape_controls(line));
    }
}

/// A request's warnings on standard error: each disputed rule it breaks (with its id and what
/// disputes it) and each field the spec does not know; the request is still sent.
pub fn warnings(warnings: &[Violation]) {
    if warnings.is_empty() {
        return;
    }
    let lines: Vec<String> = warnings.iter().map(|w| escape_controls(&w.to_string()).into_owned()).collect();
    warn(&format!("sending the request with {} warning(s)", warnings.len()), &lines);
}

/// A verified response body as WeChat Pay sent it, on standard output (nothing for an empty
/// one), with characters a terminal would act on escaped as JSON escapes.
pub fn print_body(body: &[u8]) -> Result<(), Failure> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let text = String::from_utf8_lossy(body);
    write_stdout(format!("{}\n", escape_json_text(text.trim_end())).as_bytes())
}

/// The response, pretty-printed, on standard output.
pub fn print_json(json: &serde_json::Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(json).map_err(|e| Failure::other(format!("cannot print JSON: {e}")))?;
    write_stdout(format!("{}\n", escape_json_text(&text)).as_bytes())
}

/// One JSON value on one line (for `--all --lines`), newline included.
pub fn json_line(json: &serde_json::Value) -> Result<String, Failure> {
    let text = serde_json::to_string(json).map_err(|e| Failure::other(format!("cannot print JSON: {e}")))?;
    Ok(format!("{}\n", escape_json_text(&text)))
}

/// The `Authorization` value with its `signature="..."` replaced by `<redacted>`.
fn redact_signature(authorization: &str) -> String {
    const KEY: &str = "signature=\"";
    let Some(start) = authorization.find(KEY).map(|i| i + KEY.len()) else { return authorization.to_owned() };
    let end = authorization[start..].find('"').map_or(authorization.len(), |i| start + i);
    format!("{}<redacted>{}", &authorization[..start], &authorization[end..])
}

/// A dry run's signed request, as HTTP: request line, headers, blank line, the exact body.
/// The signature is `<redacted>` unless `show_signature`.
///
/// A JSON body is shown with unsafe characters as JSON escapes (the same JSON; the signed bytes
/// hold them raw). Any other body (an upload's multipart form) is written byte for byte to a
/// file or pipe, and with unsafe characters escaped to a terminal.
pub fn print_prepared(request: &PreparedRequest, show_signature: bool) -> Result<(), Failure> {
    let mut out = format!("{} {}\n", escape_controls(&request.method), escape_controls(&request.url));
    for (name, value) in &request.headers {
        let value = if !show_signature && name.eq_ignore_ascii_case("Authorization") {
            redact_signature(value)
        } else {
            value.clone()
        };
        out.push_str(&format!("{}: {}\n", escape_controls(name), escape_controls(&value)));
    }
    out.push('\n');
    let mut bytes = out.into_bytes();
    if !request.body.is_empty() {
        match std::str::from_utf8(&request.body) {
            Ok(text) if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() => {
                bytes.extend_from_slice(escape_json_text(text).as_bytes());
            }
            _ if std::io::stdout().is_terminal() => {
                bytes.extend_from_slice(escape_controls(&String::from_utf8_lossy(&request.body)).as_bytes());
            }
            _ => bytes.extend_from_slice(&request.body),
        }
        bytes.push(b'\n');
    }
    write_stdout(&bytes)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).map_err(|e| Failure::other(format!("cannot write the output: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_redacted_and_nothing_else() {
        let auth =
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",signature="c2ln+/=",timestamp="1",serial_no="S""#;
        let redacted = redact_signature(auth);
        assert_eq!(
            redacted,
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",signature="<redacted>",timestamp="1",serial_no="S""#
        );
        assert_eq!(redact_signature("Bearer x"), "Bearer x");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_controls("plain 中文"), "plain 中文");
        assert_eq!(escape_controls("a\x1b[31mred\r\nX\u{202e}"), "a\\u{1b}[31mred\\r\\nX\\u{202e}");
        let json = serde_json::json!({ "m": "a\u{9b}b\u{7f}\x1b" });
        let line = json_line(&json).unwrap();
        assert_eq!(line, "{\"m\":\"a\\u009bb\\u007f\\u001b\"}\n");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&line).unwrap(), json, "the same JSON value");
    }
}
