//! Issue 19: whatever the server puts in its JSON, the CLI prints no character a terminal
//! would act on: C0/C1 controls, U+061C ARABIC LETTER MARK, the LRM/RLM marks, the
//! embeddings, overrides and isolates. JSON output stays valid JSON with the same value (the
//! characters as `\uXXXX`); messages on standard error show them as escapes. The real binary
//! against a loopback server answering like WeChat Pay (signed responses).

#[path = "../../generated-client/tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{Value, json};
use support::*;

const BIN: &str = env!("CARGO_BIN_EXE_wechatpay-product-coupon");

/// Every character that must never reach the terminal raw (independent of the CLI's list).
fn hostile() -> String {
    let mut s: String = ['\u{61c}', '\u{200e}', '\u{200f}', '\u{2028}', '\u{2029}'].into_iter().collect();
    s.extend('\u{202a}'..='\u{202e}');
    s.extend('\u{2066}'..='\u{2069}');
    s.extend(['\u{1b}', '\u{7}', '\u{7f}', '\u{85}', '\u{9b}', '\r']);
    s
}

fn is_hostile(c: char) -> bool {
    c != '\n' && (c.is_control() || hostile().contains(c))
}

fn assert_clean(what: &str, text: &str) {
    let raw: Vec<String> = text.chars().filter(|&c| is_hostile(c)).map(|c| format!("U+{:04X}", u32::from(c))).collect();
    assert!(raw.is_empty(), "{what} prints {raw:?} raw:\n{text}");
}

fn data(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../generated-client/tests/data");
    dir.join(name).to_string_lossy().into_owned()
}

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
    stdout: String,
    stderr: String,
}

/// Runs the binary with exactly `env` as its WeChat Pay configuration.
async fn run(args: &[&str], env: &[(&'static str, String)]) -> Output {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(args);
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy().to_ascii_uppercase();
        if text.starts_with("WECHATPAY_") || text.ends_with("_PROXY") {
            cmd.env_remove(&name);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), cmd.output())
        .await
        .expect("the binary finishes")
        .expect("the binary runs");
    Output {
        code: out.status.code().expect("an exit status"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// A server answering the `i`-th request with `answers[i]` (the last one over and over),
/// signed with the test WeChat Pay key.
async fn server(answers: Vec<(u16, String)>) -> TestServer {
    let keys = WechatKeys::load();
    TestServer::start(move |_, i| {
        let (status, body) = &answers[i.min(answers.len() - 1)];
        Reply::signed(*status, body, &keys.public_key_mode, PUB_KEY_ID)
    })
    .await
}

#[tokio::test]
async fn a_response_body_is_printed_escaped_and_still_the_same_json() {
    let body = json!({ "stock_id": "9000001", "stock_name": format!("A{}B", hostile()), "x": [hostile()] });
    let srv = server(vec![(200, body.to_string())]).await;
    let args = ["get-stock", "--product-coupon-id", "1", "--stock-id", "2", "--brand-id", "120344", "--no-validate"];
    let out = run(&args, &config(&srv.url())).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean("the response", &out.stdout);
    assert!(out.stdout.contains("\\u061c") && out.stdout.contains("\\u202e"), "{}", out.stdout);
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap(), body, "the same JSON value");
}

#[tokio::test]
async fn every_page_of_a_listing_is_printed_escaped() {
    let page = |items: Value, next: &str| json!({ "stock_list": items, "next_page_token": next }).to_string();
    let first = json!([{ "stock_id": format!("1{}", hostile()) }]);
    let second = json!([{ "stock_id": "2", "note": hostile() }]);
    let args = ["list-stocks", "--product-coupon-id", "1", "--brand-id", "120344", "--all", "--no-validate"];

    let srv = server(vec![(200, page(first.clone(), "T2")), (200, page(second.clone(), ""))]).await;
    let out = run(&args, &config(&srv.url())).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean("--all", &out.stdout);
    let all: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(all, json!([first[0], second[0]]));

    let srv = server(vec![(200, page(first.clone(), "T2")), (200, page(second.clone(), ""))]).await;
    let out = run(&[&args[..], &["--lines"]].concat(), &config(&srv.url())).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean("--all --lines", &out.stdout);
    let lines: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines, [first[0].clone(), second[0].clone()]);
}

#[tokio::test]
async fn server_text_in_listing_failures_is_escaped_on_standard_error() {
    let args = ["list-stocks", "--product-coupon-id", "1", "--brand-id", "120344", "--all", "--no-validate"];
    // The page's list is not a list: the message quotes the server's JSON.
    let srv = server(vec![(200, json!({ "stock_list": { "oops": hostile() } }).to_string())]).await;
    let out = run(&args, &config(&srv.url())).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("is not a list"), "{}", out.stderr);
    assert_clean("the not-a-list message", &out.stderr);
    assert!(out.stderr.contains("\\u202e"), "{}", out.stderr);

    // A page token the server repeats, quoted in the message.
    let token = format!("T{}", hostile());
    let page = json!({ "stock_list": [], "next_page_token": token }).to_string();
    let srv = server(vec![(200, page)]).await;
    let out = run(&args, &config(&srv.url())).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("twice"), "{}", out.stderr);
    assert_clean("the repeated-token message", &out.stderr);
}

#[tokio::test]
async fn an_error_message_with_an_arabic_letter_mark_is_escaped() {
    let body = json!({ "code": "PARAM_ERROR", "message": format!("bad{}", hostile()) }).to_string();
    let srv = server(vec![(400, body)]).await;
    let args = ["get-stock", "--product-coupon-id", "1", "--stock-id", "2", "--brand-id", "120344"];
    let out = run(&args, &config(&srv.url())).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("PARAM_ERROR"), "{}", out.stderr);
    assert_clean("the API error", &out.stderr);
    assert!(out.stderr.contains("\\u{61c}"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}
