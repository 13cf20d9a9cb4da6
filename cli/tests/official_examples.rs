//! WeChat Pay's own example code through the CLI: every request the official Go and Java
//! examples of both families send (the spec's `[[official_examples]]`, as the generated fixtures
//! hold them), given to the partner commands or the `brand` group with validation on, is sent
//! (shown here by `--dry-run`, which is built by the code that sends), its body the example's
//! JSON, with one warning per disputed fact it breaks and per key the spec does not know.
//! And a response field the spec does not know reaches standard output.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;
use wechatpay_sandbox::Sandbox;

const BIN: &str = env!("CARGO_BIN_EXE_wechatpay-product-coupon");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../generated-client/tests/fixtures/official");
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8,
    6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1,
    0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cli-official-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the CLI with the sandbox's env file sourced, as a user would.
fn cli(env_file: &Path, args: &[String]) -> Run {
    let script = "set -a; . \"$1\"; set +a; shift; exec \"$0\" \"$@\"";
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(script).arg(BIN).arg(env_file).args(args);
    for (name, _) in std::env::vars_os() {
        let upper = name.to_string_lossy().to_ascii_uppercase();
        if upper.starts_with("WECHATPAY_") || upper.ends_with("_PROXY") {
            cmd.env_remove(&name);
        }
    }
    let out = cmd.stdin(Stdio::null()).output().expect("sh runs");
    Run {
        code: out.status.code().expect("an exit status"),
        // An upload's dry run prints the multipart body, file bytes included.
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The warnings the CLI printed: `(dispute id or "unknown-field", JSON path)`.
fn printed_warnings(stderr: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut in_block = false;
    for line in stderr.lines() {
        if line.starts_with("warning: sending the request with") {
            in_block = true;
            continue;
        }
        let Some(item) = line.strip_prefix("  ").filter(|_| in_block) else {
            in_block = false;
            continue;
        };
        let Some((path, rest)) = item.split_once(": ") else { continue };
        let id = match rest.split_once("[disputed rule `") {
            Some((_, tail)) => tail.split('`').next().unwrap_or_default().to_owned(),
            None if rest.contains("is not a field of the spec") => "unknown-field".to_owned(),
            None => format!("other: {rest}"),
        };
        out.insert((id, path.to_owned()));
    }
    out
}

#[tokio::test]
async fn every_official_example_is_sent_by_the_cli_with_its_disputed_facts_as_warnings() {
    let dir = scratch("all");
    let sandbox = Sandbox::builder().start().await.unwrap();
    let env_file = dir.join("sandbox.env");
    sandbox.write_env_file(&env_file).unwrap();
    let png = dir.join("example.png");
    std::fs::write(&png, PNG).unwrap();

    let mut paths: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut sent = 0;
    for path in paths {
        let ex: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        if !ex["not_runnable"].is_null() {
            continue;
        }
        let id = ex["id"].as_str().unwrap();
        let mut args: Vec<String> = Vec::new();
        if ex["family"] == "brand" {
            args.push("brand".into());
        }
        args.push(ex["operation"].as_str().unwrap().replace('_', "-"));
        for key in ["path_params", "query"] {
            for (name, value) in ex[key].as_object().unwrap() {
                args.push(format!("--{}", name.replace('_', "-")));
                args.push(value.as_str().unwrap().to_owned());
            }
        }
        let upload = !ex["upload_file"].is_null();
        if !ex["body"].is_null() {
            let file = dir.join(format!("{id}.json"));
            std::fs::write(&file, serde_json::to_vec_pretty(&ex["body"]).unwrap()).unwrap();
            args.push(if upload { "--meta" } else { "--body" }.into());
            args.push(file.display().to_string());
        }
        if upload {
            args.push("--file".into());
            args.push(png.display().to_string());
        }
        args.push("--dry-run".into());
        let run = cli(&env_file, &args);
        assert_eq!(run.code, 0, "{id}: the CLI refused WeChat Pay's own request ({args:?}):\n{}", run.stderr);
        if !upload {
            let body = run.stdout.split_once("\n\n").map(|(_, b)| b.trim()).unwrap_or_default();
            let sent_body: Value = if body.is_empty() { Value::Null } else { serde_json::from_str(body).unwrap() };
            assert_eq!(sent_body, ex["body"], "{id}: the body sent is not the example's");
        }
        let expected: BTreeSet<(String, String)> = ex["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| (w[0].as_str().unwrap().to_owned(), w[1].as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(printed_warnings(&run.stderr), expected, "{id}: warnings\n{}", run.stderr);
        sent += 1;
    }
    assert!(sent >= 150, "every runnable official example went through the CLI ({sent})");
    sandbox.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}

/// A one-shot HTTP/1.1 server on loopback answering `body`, signed with the sandbox's WeChat
/// Pay key (the env file's public key verifies it).
async fn signing_server(keys: &wechatpay_sandbox::SandboxKeys, body: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use wechatpay_product_coupon::PrivateKey;
    use wechatpay_product_coupon::runtime::signing::ResponseSigner;
    let signer =
        ResponseSigner::new(keys.public_key_id.clone(), PrivateKey::from_pem(&keys.wechatpay_key_pem).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        // Read the request head and its body (Content-Length), then answer.
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk).await.unwrap();
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if buf.len() >= end + 4 + length {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        let sig = signer.sign(body.as_bytes());
        let mut head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nRequest-ID: test-1\r\n",
            body.len()
        );
        for (name, value) in sig.header_pairs() {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("Connection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body.as_bytes()).await.unwrap();
        stream.shutdown().await.unwrap();
    });
    url
}

// Multi-threaded: the CLI runs as a blocking child process while the server task answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_fields_the_spec_does_not_know_reach_standard_output_as_sent() {
    let dir = scratch("lossless");
    let sandbox = Sandbox::builder().start().await.unwrap();
    let env_file = dir.join("sandbox.env");
    sandbox.write_env_file(&env_file).unwrap();
    let mut response: Value =
        serde_json::from_str(include_str!("../../generated-client/tests/fixtures/create_stock_bundle.response.2.json"))
            .unwrap();
    response["top_level_new"] = serde_json::json!({"since": "2026"});
    response["stock_list"][0]["item_new"] = serde_json::json!("in a list item");
    response["stock_list"][0]["stock_send_rule"]["nested_new"] = serde_json::json!(7);
    let text = response.to_string();
    let url = signing_server(sandbox.keys(), text.clone()).await;
    // The sandbox's keys, this server's address.
    let env = std::fs::read_to_string(&env_file).unwrap();
    let env: String = env.lines().filter(|l| !l.contains("WECHATPAY_BASE_URL")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&env_file, format!("{env}WECHATPAY_BASE_URL={url}\n")).unwrap();

    let mut request: Value =
        serde_json::from_str(include_str!("../../generated-client/tests/fixtures/create_stock_bundle.request.1.json"))
            .unwrap();
    request["stock_bundle"]["progressive_bundle_usage_rule"]["coupon_available_period"]
        .as_object_mut()
        .unwrap()
        .remove("irregular_available_period_list");
    let body = dir.join("bundle.json");
    std::fs::write(&body, request.to_string()).unwrap();
    let args: Vec<String> = ["create-stock-bundle", "--product-coupon-id", "200000001", "--body"]
        .iter()
        .map(|s| s.to_string())
        .chain([body.display().to_string()])
        .collect();
    let run = cli(&env_file, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim_end(), text, "the verified body, byte for byte");
    let printed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(printed["top_level_new"]["since"], "2026");
    assert_eq!(printed["stock_list"][0]["item_new"], "in a list item");
    assert_eq!(printed["stock_list"][0]["stock_send_rule"]["nested_new"], 7);
    sandbox.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}
