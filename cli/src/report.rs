//! What the CLI prints: the response, a dry run's request, and failures with their exit status.

use std::io::Write as _;
use std::process::ExitCode;

use wechatpay_product_coupon::{Error, PreparedRequest, Violations};

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
    pub fn input(headline: String) -> Self {
        Failure { code: EXIT_INPUT, headline, lines: Vec::new() }
    }

    pub fn input_lines(headline: String, lines: Vec<String>) -> Self {
        Failure { code: EXIT_INPUT, headline, lines }
    }

    /// Every violation as `path: message`.
    pub fn violations(violations: Violations) -> Self {
        let lines = violations.iter().map(ToString::to_string).collect();
        Failure {
            code: EXIT_INPUT,
            headline: format!(
                "request validation failed: {} problem(s) (--no-validate sends it anyway)",
                violations.0.len()
            ),
            lines,
        }
    }

    pub fn config(message: String) -> Self {
        Failure {
            code: EXIT_CONFIG,
            headline: format!("configuration: {message}"),
            lines: vec![
                "set WECHATPAY_MCHID, WECHATPAY_MERCHANT_SERIAL_NO, WECHATPAY_PRIVATE_KEY_PATH and either".to_owned(),
                "WECHATPAY_PUBLIC_KEY_ID with WECHATPAY_PUBLIC_KEY_PATH, or WECHATPAY_APIV3_KEY (see --help)"
                    .to_owned(),
            ],
        }
    }

    pub fn other(headline: String) -> Self {
        Failure { code: EXIT_CALL, headline, lines: Vec::new() }
    }

    /// A failed call: the error, then status, code, message, detail and Request-ID as known.
    pub fn call(error: &Error) -> Self {
        let mut lines = Vec::new();
        if let Some(api) = error.as_api() {
            lines.push(format!("status: {}", api.status));
            lines.push(format!("code: {}", api.code.as_str()));
            lines.push(format!("message: {}", api.message));
            if let Some(detail) = &api.detail {
                lines.push(format!("detail: {detail}"));
            }
            if let Some(raw) = &api.raw_body {
                lines.push(format!("body: {raw}"));
            }
            lines.push(format!("Request-ID: {}", api.request_id.as_deref().unwrap_or("(none)")));
            if !api.signature_verified {
                lines.push("(the error response carried no WeChat Pay signature)".to_owned());
            }
        } else if let Some(status) = error.status() {
            lines.push(format!("status: {status}"));
            lines.push(format!("Request-ID: {}", error.request_id().unwrap_or("(none)")));
        }
        Failure { code: EXIT_CALL, headline: error.to_string(), lines }
    }

    /// Prints the failure on standard error and gives the exit status.
    pub fn report(self) -> ExitCode {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "error: {}", self.headline);
        for line in &self.lines {
            let _ = writeln!(err, "  {line}");
        }
        ExitCode::from(self.code)
    }
}

/// A warning on standard error.
pub fn warn(headline: &str, lines: &[String]) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "warning: {headline}");
    for line in lines {
        let _ = writeln!(err, "  {line}");
    }
}

/// The response, pretty-printed, on standard output.
pub fn print_json(json: &serde_json::Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(json).map_err(|e| Failure::other(format!("cannot print JSON: {e}")))?;
    write_stdout(format!("{text}\n").as_bytes())
}

/// A dry run's signed request, as HTTP: request line, headers, blank line, the exact body.
pub fn print_prepared(request: &PreparedRequest) -> Result<(), Failure> {
    let mut out = format!("{} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    let mut bytes = out.into_bytes();
    if !request.body.is_empty() {
        bytes.extend_from_slice(&request.body);
        bytes.push(b'\n');
    }
    write_stdout(&bytes)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).map_err(|e| Failure::other(format!("cannot write the output: {e}")))
}
