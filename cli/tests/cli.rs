//! The real `wechatpay-product-coupon` binary against an HTTP server on 127.0.0.1 that answers
//! like WeChat Pay (signed responses): what it prints, where, and with which exit status, and
//! what reached the server.

// The client crate's test server and the WeChat Pay side of the signatures, written on
// aws-lc-rs independently of the crate; its test keys are in generated-client/tests/data/.
#[cfg(feature = "redis")]
#[path = "../../generated-client/tests/support/redis_server.rs"]
mod redis_server;
#[path = "../../generated-client/tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{Value, json};
use support::*;
use tokio::io::AsyncWriteExt as _;
use wechatpay_product_coupon::generated::operations::OPERATIONS;
use wechatpay_product_coupon::models::StockBundleEntity;

const BIN: &str = env!("CARGO_BIN_EXE_wechatpay-product-coupon");
const BUNDLE_REQUEST: &str = include_str!("../../generated-client/tests/fixtures/create_stock_bundle.request.1.json");
const BUNDLE_RESPONSE: &str = include_str!("../../generated-client/tests/fixtures/create_stock_bundle.response.2.json");
const BUNDLE_PATH: &str = "/v3/marketing/partner/product-coupon/product-coupons";

fn data(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../generated-client/tests/data");
    dir.join(name).to_string_lossy().into_owned()
}

/// The configuration a test gives the binary: the test keys in public-key mode, pointed at
/// `base_url`, with no backup domain.
fn config(base_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("WECHATPAY_MCHID", MCHID.to_owned()),
        ("WECHATPAY_MERCHANT_SERIAL_NO", MERCHANT_SERIAL.to_owned()),
        ("WECHATPAY_PRIVATE_KEY_PATH", data("test_merchant_key.pem")),
        ("WECHATPAY_PUBLIC_KEY_ID", PUB_KEY_ID.to_owned()),
        ("WECHATPAY_PUBLIC_KEY_PATH", data("test_wechatpay_pub.pem")),
        ("WECHATPAY_BASE_URL", base_url.to_owned()),
        ("WECHATPAY_BACKUP_BASE_URL", "none".to_owned()),
    ]
}

struct Output {
    code: i32,
    /// Standard output as text (lossy: an upload's dry run prints the file's bytes).
    stdout: String,
    /// Standard output exactly as printed.
    stdout_bytes: Vec<u8>,
    stderr: String,
}

/// Runs the binary with exactly `env` as its WeChat Pay configuration (anything `WECHATPAY_*`
/// or proxy-related in the test's own environment is removed) and `stdin` as its input.
async fn run(args: &[&str], env: &[(&'static str, String)], stdin: Option<&str>) -> Output {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(args);
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy().to_ascii_uppercase();
        if text.starts_with("WECHATPAY_") || text.ends_with("_PROXY") {
            cmd.env_remove(&name);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary starts");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("piped");
        // The binary may exit without reading its input (a usage error does): then the write
        // fails with BrokenPipe, or succeeds into the pipe buffer, depending on scheduling.
        // Either is fine; what the binary printed and its exit status are what is checked.
        match pipe.write_all(text.as_bytes()).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => panic!("write stdin: {e}"),
        }
        drop(pipe);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the binary finishes")
        .expect("the binary runs");
    Output {
        code: out.status.code().expect("an exit status"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stdout_bytes: out.stdout,
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// Writes `body` to a scratch file named for the test and returns its path.
fn body_file(name: &str, body: &Value) -> String {
    let path = std::env::temp_dir().join(format!("wechatpay-cli-test-{}-{name}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec_pretty(body).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

/// The doc's add-bundle request with one 满减 rule list and one period option, so it passes
/// the API's rules (the doc example shows every alternative at once).
fn valid_bundle_request() -> Value {
    let mut json: Value = serde_json::from_str(BUNDLE_REQUEST).unwrap();
    let rule = &mut json["stock_bundle"]["progressive_bundle_usage_rule"];
    rule.as_object_mut().unwrap().retain(|k, _| k != "discount_coupon_list" && k != "exchange_coupon_list");
    rule["coupon_available_period"].as_object_mut().unwrap().remove("irregular_available_period_list");
    json
}

/// A server answering every request whose merchant signature verifies with `status` and
/// `body`, signed with the test WeChat Pay key (and 401 SIGN_ERROR otherwise).
async fn signed_server(status: u16, body: impl Into<String>) -> TestServer {
    let keys = WechatKeys::load();
    let body: String = body.into();
    TestServer::start(move |req, _| match req.check_merchant_signature() {
        Ok(()) => Reply::signed(status, &body, &keys.public_key_mode, PUB_KEY_ID),
        Err(e) => Reply::plain(401, &format!(r#"{{"code":"SIGN_ERROR","message":"{e}"}}"#)),
    })
    .await
}

#[tokio::test]
async fn help_lists_a_subcommand_per_operation() {
    let out = run(&["--help"], &[], None).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!OPERATIONS.is_empty());
    for op in OPERATIONS {
        let name = op.id.replace('_', "-");
        let line = out.stdout.lines().find(|l| l.trim_start().starts_with(&format!("{name} ")));
        let line = line.unwrap_or_else(|| panic!("no `{name}` in --help:\n{}", out.stdout));
        assert!(line.contains(op.title), "{line}");
    }
    for flag in ["--dry-run", "--no-validate", "--show-signature", "--all", "--file PATH", "WECHATPAY_MCHID"] {
        assert!(out.stdout.contains(flag), "{flag} in:\n{}", out.stdout);
    }

    let out = run(&["create-stock-bundle", "--help"], &[], None).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    for text in [
        "--product-coupon-id <TEXT>",
        "【商品券ID】",
        "POST /v3/marketing/partner/product-coupon/product-coupons/{product_coupon_id}/stock-bundles",
        "频率限制: 20/s",
        "https://pay.weixin.qq.com/doc/v3/partner/4016280622",
        "CreateStockBundleRequest",
        "--body <FILE>",
    ] {
        assert!(out.stdout.contains(text), "{text} in:\n{}", out.stdout);
    }
}

#[tokio::test]
async fn each_subcommand_offers_only_the_options_it_takes() {
    let out = run(&["get-stock", "--help"], &[], None).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    for absent in ["--body", "--file", "--meta", "--all"] {
        assert!(!out.stdout.contains(absent), "no {absent} in:\n{}", out.stdout);
    }
    assert!(out.stdout.contains("--dry-run"), "the global flags stay: {}", out.stdout);
    let out = run(&["get-stock", "--product-coupon-id", "1", "--stock-id", "2", "--body", "x"], &[], None).await;
    assert_eq!(out.code, 2, "refused by the command line: {}", out.stderr);

    let out = run(&["upload-image", "--help"], &[], None).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    for text in ["--file <PATH>", "--meta <FILE>", "ImageUploadMeta", "image/jpeg / image/png"] {
        assert!(out.stdout.contains(text), "{text} in:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("--body"), "{}", out.stdout);

    let out = run(&["list-stocks", "--help"], &[], None).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    for text in ["--all", "--lines", "--page-size"] {
        assert!(out.stdout.contains(text), "{text} in:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("--body"), "{}", out.stdout);
    let out = run(&["list-stocks", "--product-coupon-id", "1", "--brand-id", "2", "--lines"], &[], None).await;
    assert_eq!(out.code, 2, "--lines needs --all: {}", out.stderr);
}

#[tokio::test]
async fn a_successful_call_prints_the_response_json() {
    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    let request = valid_bundle_request();
    let file = body_file("success", &request);

    let out =
        run(&["create-stock-bundle", "--product-coupon-id", "2000/01 x", "--body", &file], &config(&srv.url()), None)
            .await;

    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let printed: Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
    let typed: StockBundleEntity = serde_json::from_str(BUNDLE_RESPONSE).unwrap();
    assert_eq!(printed, serde_json::to_value(typed).unwrap(), "the decoded response, as JSON");
    assert_eq!(printed["stock_bundle_id"], "123456789");

    let sent = srv.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].target, format!("{BUNDLE_PATH}/2000%2F01%20x/stock-bundles"), "percent-encoded");
    sent[0].check_merchant_signature().expect("a valid merchant signature");
    assert_eq!(serde_json::from_slice::<Value>(&sent[0].body).unwrap(), request, "the body as given");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn the_body_can_come_from_standard_input() {
    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    let request = valid_bundle_request();

    let args = ["create-stock-bundle", "--body", "-", "--product-coupon-id", "200000001"];
    let out = run(&args, &config(&srv.url()), Some(&request.to_string())).await;

    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    let printed: Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
    assert_eq!(printed["stock_bundle_id"], "123456789");
    let sent = srv.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].target, format!("{BUNDLE_PATH}/200000001/stock-bundles"));
    assert_eq!(serde_json::from_slice::<Value>(&sent[0].body).unwrap(), request);
}

#[tokio::test]
async fn an_api_error_names_status_code_message_and_request_id() {
    let srv = signed_server(
        404,
        r#"{"code":"NOT_FOUND","message":"未找到 product_coupon_id 对应的商品券","detail":{"field":"product_coupon_id"}}"#,
    )
    .await;
    let file = body_file("api-error", &valid_bundle_request());

    let out =
        run(&["create-stock-bundle", "--product-coupon-id", "404", "--body", &file], &config(&srv.url()), None).await;

    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing on stdout: {}", out.stdout);
    for line in [
        "status: 404",
        "code: NOT_FOUND",
        "message: 未找到 product_coupon_id 对应的商品券",
        r#"detail: {"field":"product_coupon_id"}"#,
        "Request-ID: 08F1A2B3C4D5-404000",
    ] {
        assert!(out.stderr.lines().any(|l| l.trim() == line), "`{line}` in:\n{}", out.stderr);
    }
    assert_eq!(srv.requests().len(), 1);
    std::fs::remove_file(file).unwrap();
}

/// A 2xx response, signed, whose body is not the operation's response: the call failed, so
/// the exit status is 1 and nothing goes to standard output (nothing a script could take for a
/// result), and the body is printed on standard error as received, not lost.
#[tokio::test]
async fn a_2xx_body_that_does_not_decode_fails_and_shows_what_came() {
    let file = body_file("undecodable", &valid_bundle_request());
    let args = ["create-stock-bundle", "--product-coupon-id", "1", "--body", &file];
    // Not JSON at all (an HTML error page from a proxy, say), then JSON of another shape.
    for (body, problem) in [
        ("<html>502 from a proxy \u{1b}[31m</html>", "expected value"),
        (r#"{"stock_bundle_id":123456789,"unexpected":true}"#, "invalid type"),
    ] {
        let srv = signed_server(200, body).await;
        let out = run(&args, &config(&srv.url()), None).await;
        assert_eq!(out.code, 1, "a response that does not decode is a failed call: {}", out.stderr);
        assert!(out.stdout.is_empty(), "nothing on stdout: {}", out.stdout);
        let headline = out.stderr.lines().next().unwrap_or_default();
        assert!(headline.starts_with("error: HTTP 200 response body did not decode: "), "{}", out.stderr);
        assert!(headline.contains(problem), "{}", out.stderr);
        for line in ["status: 200", "Request-ID: 08F1A2B3C4D5-200000"] {
            assert!(out.stderr.lines().any(|l| l.trim() == line), "`{line}` in:\n{}", out.stderr);
        }
        // The body as received, its control characters escaped like all server text.
        let shown = body.replace('\u{1b}', "\\u{1b}");
        assert!(out.stderr.lines().any(|l| l.trim() == format!("body: {shown}")), "the body in:\n{}", out.stderr);
        assert_eq!(srv.requests().len(), 1, "sent once: a 2xx is not retried");
    }

    // `--no-validate` asks for the response as JSON, whatever its shape: a body that is not
    // JSON still fails, and still shows.
    let srv = signed_server(200, "not json").await;
    let mut no_validate = args.to_vec();
    no_validate.push("--no-validate");
    let out = run(&no_validate, &config(&srv.url()), None).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.lines().any(|l| l.trim() == "body: not json"), "{}", out.stderr);
    std::fs::remove_file(file).unwrap();
}

/// Nothing listens at the configured domain: exit status 1, the reason on standard error
/// naming the address, nothing on standard output.
#[tokio::test]
async fn a_refused_connection_fails_with_status_1_and_says_so() {
    // Held until the end: the port stays this test's, and connections to it are refused.
    let refused = RefusedAddr::bind();
    let file = body_file("refused", &valid_bundle_request());
    let args = ["create-stock-bundle", "--product-coupon-id", "1", "--body", &file];
    let out = run(&args, &config(refused.url()), None).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing on stdout: {}", out.stdout);
    let headline = out.stderr.lines().next().unwrap_or_default();
    assert!(headline.starts_with("error: could not connect: "), "{}", out.stderr);
    assert!(headline.contains(&refused.addr().to_string()), "names the address: {}", out.stderr);
    assert!(headline.to_lowercase().contains("refused"), "says why: {}", out.stderr);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn validation_errors_list_every_json_path_and_send_nothing() {
    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    let mut request = valid_bundle_request();
    request["out_request_no"] = json!("短");
    request["stock_bundle"]["stock_send_rule"]["max_count_per_user"] = json!(0);
    let file = body_file("invalid", &request);

    let out =
        run(&["create-stock-bundle", "--product-coupon-id", "", "--body", &file], &config(&srv.url()), None).await;

    assert_eq!(out.code, 3, "stderr: {}", out.stderr);
    assert!(out.stderr.starts_with("error: request validation failed"), "{}", out.stderr);
    for path in ["product_coupon_id: ", "out_request_no: ", "stock_bundle.stock_send_rule.max_count_per_user: "] {
        assert!(out.stderr.lines().any(|l| l.trim().starts_with(path)), "`{path}` in:\n{}", out.stderr);
    }
    assert!(out.stdout.is_empty());
    assert!(srv.requests().is_empty(), "nothing was sent");

    // Without configuration too: validation needs none.
    let out = run(&["create-stock-bundle", "--product-coupon-id", "1", "--body", &file], &[], None).await;
    assert_eq!(out.code, 3, "stderr: {}", out.stderr);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn no_validate_sends_an_invalid_request_and_the_server_decides() {
    let srv = signed_server(400, r#"{"code":"PARAM_ERROR","message":"out_request_no 长度不合法"}"#).await;
    let mut request = valid_bundle_request();
    request["out_request_no"] = json!("短");
    let file = body_file("no-validate", &request);

    let args = ["--no-validate", "create-stock-bundle", "--product-coupon-id", "1", "--body", &file];
    let out = run(&args, &config(&srv.url()), None).await;

    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    assert!(out.stderr.contains("code: PARAM_ERROR"), "{}", out.stderr);
    let sent = srv.requests();
    assert_eq!(sent.len(), 1, "sent despite the violation");
    assert_eq!(serde_json::from_slice::<Value>(&sent[0].body).unwrap()["out_request_no"], "短");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn no_validate_sends_a_body_the_model_cannot_hold_byte_for_byte() {
    // The spec calls `stock_bundle` required; a server that disagrees must still be reachable.
    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    let mut request = valid_bundle_request();
    request.as_object_mut().unwrap().remove("stock_bundle");
    request["brand_new_field"] = json!({ "kept": [1, "two"] });
    let given = format!("{}\n", serde_json::to_string_pretty(&request).unwrap());

    let args = ["create-stock-bundle", "--product-coupon-id", "1", "--body", "-"];
    let out = run(&args, &config(&srv.url()), Some(&given)).await;
    assert_eq!(out.code, 3, "refused with validation: {}", out.stderr);
    assert!(out.stderr.contains("stock_bundle"), "{}", out.stderr);
    assert!(srv.requests().is_empty());

    let out = run(&[&args[..], &["--no-validate"]].concat(), &config(&srv.url()), Some(&given)).await;
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    let printed: Value = serde_json::from_str(&out.stdout).expect("the verified response as JSON");
    assert_eq!(printed, serde_json::from_str::<Value>(BUNDLE_RESPONSE).unwrap(), "as the server sent it");
    let sent = srv.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body, given.as_bytes(), "the body exactly as given");
    assert_eq!(sent[0].target, format!("{BUNDLE_PATH}/1/stock-bundles"));
    sent[0].check_merchant_signature().expect("signed over the bytes sent");

    // Only the JSON syntax is checked.
    let out = run(&args, &config(&srv.url()), Some("{\"a\":")).await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    let out = run(&[&args[..], &["--no-validate"]].concat(), &config(&srv.url()), Some("{\"a\":")).await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("the body is not JSON"), "{}", out.stderr);
    assert_eq!(srv.requests().len(), 1, "nothing more was sent");
}

#[tokio::test]
async fn no_validate_still_verifies_the_response() {
    // A response whose signature does not verify is refused even on the raw path.
    let keys = WechatKeys::load();
    let srv =
        TestServer::start(move |_, _| match Reply::signed(200, BUNDLE_RESPONSE, &keys.public_key_mode, PUB_KEY_ID) {
            Reply::Respond { status, headers, .. } => {
                Reply::Respond { status, headers, body: BUNDLE_RESPONSE.replace("123456789", "987654321").into_bytes() }
            }
            other => other,
        })
        .await;
    let file = body_file("raw-verify", &valid_bundle_request());
    let args = ["--no-validate", "create-stock-bundle", "--product-coupon-id", "1", "--body", &file];
    let out = run(&args, &config(&srv.url()), None).await;
    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing unverified printed: {}", out.stdout);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn server_text_is_printed_with_control_characters_escaped() {
    let srv = signed_server(
        400,
        "{\"code\":\"PARAM_ERROR\",\"message\":\"\\u001b[31mred\\rforged\\u202e\",\"detail\":{\"x\":\"\\u009b2J\"}}",
    )
    .await;
    let file = body_file("controls", &valid_bundle_request());

    let out =
        run(&["create-stock-bundle", "--product-coupon-id", "1", "--body", &file], &config(&srv.url()), None).await;

    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    assert!(out.stderr.lines().any(|l| l.trim() == r"message: \u{1b}[31mred\rforged\u{202e}"), "{}", out.stderr);
    assert!(out.stderr.contains(r"\u{9b}2J"), "{}", out.stderr);
    assert!(!out.stderr.chars().any(|c| c != '\n' && c.is_control()), "no raw control character: {:?}", out.stderr);
    assert!(!out.stderr.contains('\u{202e}'), "{:?}", out.stderr);

    // A successful response's strings: serde_json escapes C0 controls; DEL, C1 and bidi
    // overrides are escaped too, and the output is still the same JSON.
    let srv = signed_server(200, BUNDLE_RESPONSE.replace("123456789", "12\\u009b3\\u007f")).await;
    let out =
        run(&["create-stock-bundle", "--product-coupon-id", "1", "--body", &file], &config(&srv.url()), None).await;
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(!out.stdout.chars().any(|c| c != '\n' && c.is_control()), "{:?}", out.stdout);
    let printed: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(printed["stock_bundle_id"], "12\u{9b}3\u{7f}");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn dry_run_prints_the_signed_request_and_sends_nothing() {
    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    let request = valid_bundle_request();
    let file = body_file("dry-run", &request);

    let args = ["create-stock-bundle", "--product-coupon-id", "a/b", "--body", &file, "--dry-run"];

    // By default the signature, which anyone could replay for five minutes, is not shown.
    let out = run(&args, &config(&srv.url()), None).await;
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    let auth = out.stdout.lines().find_map(|l| l.strip_prefix("Authorization: ")).expect("an Authorization line");
    assert!(auth.contains(r#"signature="<redacted>""#), "{auth}");
    assert!(auth.starts_with("WECHATPAY2-SHA256-RSA2048 ") && auth.contains(&format!(r#"mchid="{MCHID}""#)), "{auth}");

    let out = run(&[&args[..], &["--show-signature"]].concat(), &config(&srv.url()), None).await;

    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(srv.requests().is_empty(), "nothing was sent");
    // Request line, headers, a blank line, the exact body.
    let (head, body) = out.stdout.split_once("\n\n").expect("a blank line before the body");
    let mut lines = head.lines();
    let target = format!("{BUNDLE_PATH}/a%2Fb/stock-bundles");
    assert_eq!(lines.next(), Some(format!("POST {}{target}", srv.url()).as_str()));
    let headers: Vec<(String, String)> =
        lines.map(|l| l.split_once(": ").expect("Name: value")).map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
    let body = body.strip_suffix('\n').expect("a final newline").as_bytes().to_vec();
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), request);
    let printed = Request { method: "POST".into(), target, headers, body };
    assert_eq!(printed.header("Wechatpay-Serial"), Some(PUB_KEY_ID));
    assert_eq!(printed.header("Content-Type"), Some("application/json"));
    printed.check_merchant_signature().expect("the printed request carries a valid signature over what it shows");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn a_no_validate_dry_run_prints_the_body_as_given_and_a_paged_one_its_first_page() {
    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    // Invalid for the spec, and with a key the model does not know: shown exactly as given.
    let given = "{\"out_request_no\":\"短\",\"brand_new_field\":[1, \"two\"]}";
    let args = ["create-stock-bundle", "--product-coupon-id", "1", "--body", "-", "--no-validate", "--dry-run"];
    let out = run(&args, &config(&srv.url()), Some(given)).await;
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    let (head, body) = out.stdout.split_once("\n\n").expect("a blank line before the body");
    assert_eq!(body, format!("{given}\n"), "the body byte for byte");
    assert!(head.starts_with(&format!("POST {}{BUNDLE_PATH}/1/stock-bundles\n", srv.url())), "{head}");
    assert!(head.contains(r#"signature="<redacted>""#), "{head}");

    // `--all --dry-run`: the request of the first page, nothing sent.
    let args = ["list-stocks", "--product-coupon-id", "1", "--brand-id", "120344", "--all", "--dry-run"];
    let out = run(&args, &config(&srv.url()), None).await;
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    let first = out.stdout.lines().next().unwrap_or_default();
    assert_eq!(first, format!("GET {}{BUNDLE_PATH}/1/stocks?brand_id=120344", srv.url()));
    assert!(srv.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn an_upload_dry_run_prints_the_multipart_body_exactly_as_sent() {
    let keys = WechatKeys::load();
    let srv = TestServer::start(move |_, _| {
        Reply::signed(200, r#"{"image_url":"https://wxpaylogo.qpic.cn/logo.png"}"#, &keys.public_key_mode, PUB_KEY_ID)
    })
    .await;
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
    let png = std::env::temp_dir().join(format!("wechatpay-cli-test-{}-logo.png", std::process::id()));
    std::fs::write(&png, PNG).unwrap();
    let png = png.to_string_lossy().into_owned();

    let dry = run(&["upload-image", "--file", &png, "--dry-run"], &config(&srv.url()), None).await;
    assert_eq!(dry.code, 0, "stderr: {}", dry.stderr);
    assert!(srv.requests().is_empty(), "nothing was sent");
    let split = dry.stdout_bytes.windows(2).position(|w| w == b"\n\n").expect("a blank line before the body");
    let head = String::from_utf8(dry.stdout_bytes[..split].to_vec()).unwrap();
    let body = dry.stdout_bytes[split + 2..].strip_suffix(b"\n").expect("a final newline");
    let header = |name: &str| head.lines().find_map(|l| l.strip_prefix(name)).map(str::to_owned);
    let auth = header("Authorization: ").expect("an Authorization line");
    assert!(auth.contains(r#"signature="<redacted>""#), "{auth}");
    let content_type = header("Content-Type: ").expect("a Content-Type line");
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    assert!(body.windows(PNG.len()).any(|w| w == PNG), "the file is in the printed body");

    // Sent for real, the server receives the printed body and content type, byte for byte.
    let sent = run(&["upload-image", "--file", &png], &config(&srv.url()), None).await;
    assert_eq!(sent.code, 0, "stderr: {}", sent.stderr);
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].body, body);
    assert_eq!(reqs[0].header("Content-Type"), Some(content_type.as_str()));
    std::fs::remove_file(png).unwrap();
}

#[tokio::test]
async fn unknown_body_keys_are_sent_as_given_with_a_warning_each() {
    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    let mut request = valid_bundle_request();
    request["out_reqest_no"] = json!("typo");
    request["stock_bundle"]["stock_send_rule"]["max_cnt"] = json!(5);
    request["stock_bundle"]["progressive_bundle_usage_rule"]["normal_coupon_list"][0]["extra"] = json!(true);
    let file = body_file("unknown-keys", &request);

    let args = ["create-stock-bundle", "--product-coupon-id", "1", "--body", &file];
    let out = run(&args, &config(&srv.url()), None).await;

    // Validated, and sent as given: one warning per key the spec does not know.
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(out.stderr.starts_with("warning: sending the request with 3 warning(s)"), "{}", out.stderr);
    for path in [
        "out_reqest_no",
        "stock_bundle.stock_send_rule.max_cnt",
        "stock_bundle.progressive_bundle_usage_rule.normal_coupon_list[0].extra",
    ] {
        let line = format!("{path}: is not a field of the spec; sent as given");
        assert!(out.stderr.lines().any(|l| l.trim() == line), "`{path}` in:\n{}", out.stderr);
    }
    let sent = srv.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(serde_json::from_slice::<Value>(&sent[0].body).unwrap(), request, "nothing lost");

    // --no-validate sends the body as given, and says which keys the model does not know.
    let out = run(&[&args[..], &["--no-validate"]].concat(), &config(&srv.url()), None).await;
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(out.stderr.starts_with("warning: sending 3 body key(s)"), "{}", out.stderr);
    assert!(out.stderr.contains("out_reqest_no: unknown key"), "{}", out.stderr);
    let sent = srv.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(serde_json::from_slice::<Value>(&sent[1].body).unwrap(), request);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn malformed_bodies_are_bad_input() {
    let out = run(&["create-stock-bundle", "--product-coupon-id", "1", "--body", "-"], &[], Some("{not json")).await;
    assert_eq!(out.code, 3, "stderr: {}", out.stderr);
    assert!(out.stderr.contains("the body is not JSON"), "{}", out.stderr);

    let mut request = valid_bundle_request();
    request["stock_bundle"]["stock_send_rule"]["max_count"] = json!("many");
    let out =
        run(&["create-stock-bundle", "--product-coupon-id", "1", "--body", "-"], &[], Some(&request.to_string())).await;
    assert_eq!(out.code, 3, "stderr: {}", out.stderr);
    assert!(out.stderr.contains("stock_bundle.stock_send_rule.max_count"), "the JSON path: {}", out.stderr);

    let out =
        run(&["create-stock-bundle", "--product-coupon-id", "1", "--body", "/nonexistent/body.json"], &[], None).await;
    assert_eq!(out.code, 3, "stderr: {}", out.stderr);
    assert!(out.stderr.contains("/nonexistent/body.json"), "{}", out.stderr);
}

#[tokio::test]
async fn missing_configuration_is_a_clear_error() {
    let file = body_file("no-config", &valid_bundle_request());
    let args = ["create-stock-bundle", "--product-coupon-id", "1", "--body", &file];

    let out = run(&args, &[], None).await;
    assert_eq!(out.code, 4, "stderr: {}", out.stderr);
    assert!(out.stderr.starts_with("error: configuration: WECHATPAY_MCHID is not set"), "{}", out.stderr);

    let mut env = config("http://127.0.0.1:9");
    env.retain(|(k, _)| *k != "WECHATPAY_PUBLIC_KEY_PATH");
    let out = run(&args, &env, None).await;
    assert_eq!(out.code, 4, "stderr: {}", out.stderr);
    assert!(out.stderr.contains("WECHATPAY_PUBLIC_KEY_PATH"), "{}", out.stderr);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn usage_errors_exit_with_2() {
    let out = run(&["create-stock-bundle", "--product-coupon-id", "1"], &[], None).await;
    assert_eq!(out.code, 2, "stderr: {}", out.stderr);
    assert!(out.stderr.contains("--body"), "says what is missing: {}", out.stderr);

    let out = run(&["create-stock-bundle", "--body", "-"], &[], Some("{}")).await;
    assert_eq!(out.code, 2, "stderr: {}", out.stderr);
    assert!(out.stderr.contains("--product-coupon-id"), "{}", out.stderr);

    let out = run(&["create-stok-bundle"], &[], None).await;
    assert_eq!(out.code, 2, "stderr: {}", out.stderr);
    assert!(out.stderr.contains("create-stock-bundle"), "suggests the right name: {}", out.stderr);
}

/// The brand group: a brand's configuration, a brand path, the brand scheme, no `brand_id`.
fn brand_config(base_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("WECHATPAY_BRAND_ID", "100XX".to_owned()),
        ("WECHATPAY_BRAND_SERIAL_NO", "3493DE0D9BB4EB98A8C65EAA7E8EE887EC24B71A".to_owned()),
        ("WECHATPAY_BRAND_PRIVATE_KEY_PATH", data("test_brand_key.pem")),
        ("WECHATPAY_BRAND_PUBLIC_KEY_ID", PUB_KEY_ID.to_owned()),
        ("WECHATPAY_BRAND_PUBLIC_KEY_PATH", data("test_wechatpay_pub.pem")),
        ("WECHATPAY_BASE_URL", base_url.to_owned()),
        ("WECHATPAY_BACKUP_BASE_URL", "none".to_owned()),
    ]
}

#[tokio::test]
async fn the_brand_group_calls_the_brand_path_signed_as_the_brand() {
    let keys = WechatKeys::load();
    let srv = TestServer::start(move |req, _| {
        let auth = req.header("Authorization").unwrap_or_default();
        let ok = req.target.starts_with("/brand/marketing/product-coupon/")
            && auth.starts_with(r#"WECHATPAY-BRAND-SHA256-RSA2048 brand_id="100XX","#)
            && req.header("Wechatpay-Serial") == Some(PUB_KEY_ID)
            && !req.target.contains("brand_id");
        let body = if ok {
            r#"{"code":"CHECKED","message":"a brand request"}"#
        } else {
            r#"{"code":"SIGN_ERROR","message":"not a brand request"}"#
        };
        Reply::signed(400, body, &keys.public_key_mode, PUB_KEY_ID)
    })
    .await;
    let args = ["brand", "get-stock", "--product-coupon-id", "1000000013", "--stock-id", "9000001"];
    let out = run(&args, &brand_config(&srv.url()), None).await;
    assert_eq!(out.code, 1, "an API error: {}", out.stderr);
    assert!(out.stderr.contains("CHECKED"), "{}", out.stderr);
    assert_eq!(srv.requests()[0].target, "/brand/marketing/product-coupon/product-coupons/1000000013/stocks/9000001");

    // The brand subcommands take no --brand-id.
    let out = run(&[&args[..], &["--brand-id", "120344"]].concat(), &brand_config(&srv.url()), None).await;
    assert_eq!(out.code, 2, "{}", out.stderr);

    // A dry run shows the brand header, redacted, and Wechatpay-Serial.
    let out = run(&[&args[..], &["--dry-run"]].concat(), &brand_config(&srv.url()), None).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let auth = out.stdout.lines().find_map(|l| l.strip_prefix("Authorization: ")).expect("an Authorization line");
    assert!(
        auth.starts_with("WECHATPAY-BRAND-SHA256-RSA2048 brand_id=\"100XX\"")
            && auth.contains(r#"signature="<redacted>""#),
        "{auth}"
    );
    assert!(out.stdout.contains(&format!("Wechatpay-Serial: {PUB_KEY_ID}")), "{}", out.stdout);

    // Without the brand's configuration: a configuration error naming the variable.
    let out = run(&args, &config(&srv.url()), None).await;
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(out.stderr.contains("WECHATPAY_BRAND_"), "{}", out.stderr);
}

/// Several CLI processes run in parallel by a script each take the whole quota unless they
/// share it through Redis, which needs the `redis` feature: without it the binary refuses
/// `WECHATPAY_RATE_LIMIT_REDIS_URL` (exit 4, saying how to rebuild) instead of ignoring it.
#[cfg(not(feature = "redis"))]
#[tokio::test]
async fn a_shared_rate_limit_without_the_redis_feature_is_a_clear_error() {
    let file = body_file("no-redis", &valid_bundle_request());
    let args = ["create-stock-bundle", "--product-coupon-id", "1", "--body", &file, "--dry-run"];
    let mut env = config("http://127.0.0.1:9");
    assert_eq!(run(&args, &env, None).await.code, 0, "the configuration alone is complete");
    env.push(("WECHATPAY_RATE_LIMIT_REDIS_URL", "redis://127.0.0.1:9/".to_owned()));
    let out = run(&args, &env, None).await;
    assert_eq!(out.code, 4, "stderr: {}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing printed as if it worked: {}", out.stdout);
    for needed in ["WECHATPAY_RATE_LIMIT_REDIS_URL", "built without the `redis` feature", "--features redis"] {
        assert!(out.stderr.contains(needed), "{needed}: {}", out.stderr);
    }
    std::fs::remove_file(file).unwrap();
}

/// Built with `--features redis`, the binary takes its slots from the Redis the environment
/// names: a call succeeds under the `fail` policy (which fails a call the shared limiter cannot
/// answer) and Redis ran the limiter's script for it; a bad shared-limit setting is a
/// configuration error. Starts its own `redis-server` on a free loopback port; without one on
/// PATH it fails, saying to install it.
#[cfg(feature = "redis")]
#[tokio::test]
async fn a_cli_built_with_redis_takes_its_slots_from_the_shared_limiter() {
    if std::process::Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_err() {
        panic!(
            "`redis-server` is not on PATH: this test checks the CLI's shared rate limit against a real Redis. \
             Install it (apt-get install -y redis-server; .ci/run does)"
        );
    }
    // Its port is made its own as `support/redis_server.rs` explains.
    let redis = redis_server::RedisServer::start();
    let port = redis.port();
    let scripts_run = || {
        let stats = redis.command("INFO commandstats").unwrap_or_default();
        stats
            .lines()
            .filter(|l| l.starts_with("cmdstat_evalsha:") || l.starts_with("cmdstat_eval:"))
            .filter_map(|l| l.split_once("calls=")?.1.split(',').next()?.parse::<u64>().ok())
            .sum::<u64>()
    };

    let srv = signed_server(200, BUNDLE_RESPONSE).await;
    let file = body_file("with-redis", &valid_bundle_request());
    let args = ["create-stock-bundle", "--product-coupon-id", "1", "--body", &file];
    let mut env = config(&srv.url());
    env.push(("WECHATPAY_RATE_LIMIT_REDIS_URL", format!("redis://127.0.0.1:{port}/")));
    env.push(("WECHATPAY_RATE_LIMIT_REDIS_PREFIX", "cli-test".to_owned()));
    env.push(("WECHATPAY_RATE_LIMIT_REDIS_POLICY", "fail".to_owned()));
    assert_eq!(scripts_run(), 0);
    let out = run(&args, &env, None).await;
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert_eq!(srv.requests().len(), 1);
    assert!(scripts_run() >= 1, "the slot came from Redis: {}", redis.command("INFO commandstats").unwrap());

    env.push(("WECHATPAY_RATE_LIMIT_REDIS_POLICY", "sometimes".to_owned()));
    let out = run(&args, &env, None).await;
    assert_eq!(out.code, 4, "a bad shared-limit setting is a configuration error: {}", out.stderr);
    assert!(out.stderr.contains("WECHATPAY_RATE_LIMIT_REDIS_POLICY"), "{}", out.stderr);
    assert_eq!(srv.requests().len(), 1, "nothing sent");
    std::fs::remove_file(file).unwrap();
}
