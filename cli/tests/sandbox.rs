//! The documented sandbox flow, exactly as the README gives it: start the sandbox, write its
//! env file, `set -a; . FILE; set +a`, and the CLI works against it — including a request sent
//! with `--no-validate` that the sandbox still refuses, a body sent as given, an image upload
//! and every page of a listing.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use wechatpay_sandbox::{Sandbox, demo};

const BIN: &str = env!("CARGO_BIN_EXE_wechatpay-product-coupon");
const CREATE_EXAMPLE: &str = include_str!("../../generated-client/tests/fixtures/create_product_coupon.request.1.json");
const BUNDLE_EXAMPLE: &str = include_str!("../../generated-client/tests/fixtures/create_stock_bundle.request.1.json");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cli-sandbox-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the CLI through `sh` after sourcing the env file, as a user would.
async fn cli_with_env_file(env_file: &Path, args: &[&str]) -> Run {
    let mut script = String::from("set -a; . \"$1\"; set +a; shift; exec \"$0\" \"$@\"");
    script.push('\n');
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c").arg(&script).arg(BIN).arg(env_file).args(args);
    // Only the env file configures the CLI.
    for (name, _) in std::env::vars_os() {
        let upper = name.to_string_lossy().to_ascii_uppercase();
        if upper.starts_with("WECHATPAY_") || upper.ends_with("_PROXY") {
            cmd.env_remove(&name);
        }
    }
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), cmd.output())
        .await
        .expect("the CLI finishes")
        .expect("sh runs");
    Run {
        code: out.status.code().expect("an exit status"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn write_json(dir: &Path, name: &str, value: &serde_json::Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn the_cli_works_against_the_sandbox_through_its_env_file() {
    let dir = scratch("flow");
    let sandbox = Sandbox::builder().start().await.unwrap();
    let env_file = dir.join("sandbox.env");
    sandbox.write_env_file(&env_file).unwrap();

    // A 单品券 with neither price form breaks the "at least one of" rule: refused before sending.
    let mut coupon: serde_json::Value = serde_json::from_str(CREATE_EXAMPLE).unwrap();
    let mut no_price = coupon.clone();
    no_price["display_info"].as_object_mut().unwrap().remove("original_price");
    no_price["display_info"].as_object_mut().unwrap().remove("combo_package_list");
    let no_price = write_json(&dir, "no-price.json", &no_price);
    let run = cli_with_env_file(&env_file, &["create-product-coupon", "--body", &no_price]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("display_info.original_price"), "{}", run.stderr);

    // With one price form it is created.
    coupon["display_info"].as_object_mut().unwrap().remove("combo_package_list");
    let body = write_json(&dir, "coupon.json", &coupon);
    let run = cli_with_env_file(&env_file, &["create-product-coupon", "--body", &body]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let created: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let id = created["product_coupon_id"].as_str().expect("an id").to_owned();
    assert_eq!(created["state"], "EFFECTIVE");

    // A bundle on it, with the rule list one entry per step (count = 3) and one period option.
    let mut bundle: serde_json::Value = serde_json::from_str(BUNDLE_EXAMPLE).unwrap();
    let rule = &mut bundle["stock_bundle"]["progressive_bundle_usage_rule"];
    rule.as_object_mut().unwrap().retain(|k, _| k == "coupon_available_period" || k == "normal_coupon_list");
    let step = rule["normal_coupon_list"][0].clone();
    rule["normal_coupon_list"] = serde_json::json!([step.clone(), step.clone(), step]);
    rule["coupon_available_period"].as_object_mut().unwrap().remove("irregular_available_period_list");
    let body = write_json(&dir, "bundle.json", &bundle);
    let run = cli_with_env_file(&env_file, &["create-stock-bundle", "--product-coupon-id", &id, "--body", &body]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let added: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(added["stock_list"].as_array().map(Vec::len), Some(3));

    // Read back with a GET and its query parameter.
    let run =
        cli_with_env_file(&env_file, &["get-product-coupon", "--product-coupon-id", &id, "--brand-id", "120344"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let read: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(read["product_coupon_id"], id.as_str());

    // `--no-validate` sends a bad request; the sandbox runs the same validation and refuses it.
    let mut bad = coupon.clone();
    bad["out_request_no"] = "短".into();
    let body = write_json(&dir, "bad.json", &bad);
    let run = cli_with_env_file(&env_file, &["--no-validate", "create-product-coupon", "--body", &body]).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("400") && run.stderr.contains("out_request_no"), "{}", run.stderr);
    assert!(run.stderr.contains("Request-ID"), "{}", run.stderr);

    sandbox.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}

/// A started sandbox with its env file in a scratch directory.
async fn sandbox_with_env_file(name: &str) -> (wechatpay_sandbox::RunningSandbox, PathBuf, PathBuf) {
    let dir = scratch(name);
    let sandbox = Sandbox::builder().start().await.unwrap();
    let env_file = dir.join("sandbox.env");
    sandbox.write_env_file(&env_file).unwrap();
    (sandbox, dir, env_file)
}

#[tokio::test]
async fn no_validate_sends_a_body_missing_a_required_field_and_the_sandbox_answers() {
    let (sandbox, dir, env_file) = sandbox_with_env_file("raw").await;
    let mut coupon: serde_json::Value = serde_json::from_str(CREATE_EXAMPLE).unwrap();
    coupon["display_info"].as_object_mut().unwrap().remove("combo_package_list");
    coupon.as_object_mut().unwrap().remove("brand_id");
    let body = write_json(&dir, "no-brand.json", &coupon);

    // Validated, it cannot even become a request.
    let run = cli_with_env_file(&env_file, &["create-product-coupon", "--body", &body]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("brand_id"), "{}", run.stderr);

    // With --no-validate it goes out as given, and the sandbox's own refusal comes back.
    let run = cli_with_env_file(&env_file, &["--no-validate", "create-product-coupon", "--body", &body]).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.lines().any(|l| l.trim() == "status: 400"), "{}", run.stderr);
    assert!(run.stderr.lines().any(|l| l.trim() == "code: PARAM_ERROR"), "{}", run.stderr);
    let message = run.stderr.lines().find_map(|l| l.trim().strip_prefix("message: ")).expect("a message");
    assert!(message.contains("brand_id"), "the sandbox names the field: {message}");
    assert!(run.stderr.contains("Request-ID: "), "{}", run.stderr);
    assert!(sandbox.product_coupons().is_empty(), "nothing was created");

    sandbox.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}

/// The smallest file that starts like a PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

#[tokio::test]
async fn upload_image_sends_the_file_with_its_meta() {
    let (sandbox, dir, env_file) = sandbox_with_env_file("upload").await;
    let png = dir.join("logo.png");
    std::fs::write(&png, PNG).unwrap();
    let png = png.display().to_string();

    let run = cli_with_env_file(&env_file, &["upload-image", "--file", &png]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let uploaded: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let url = uploaded["media_url"].as_str().expect("a media_url");
    assert!(!url.is_empty(), "{uploaded}");

    // The meta can be given; it must describe the file.
    let meta = write_json(&dir, "meta.json", &serde_json::json!({ "filename": "logo.png", "sha256": "00" }));
    let run = cli_with_env_file(&env_file, &["upload-image", "--file", &png, "--meta", &meta]).await;
    assert_eq!(run.code, 3, "the library's meta check: {}", run.stderr);
    assert!(run.stderr.contains("sha256"), "{}", run.stderr);

    // The library's file checks, before anything is sent: content that is not the type.
    let fake = dir.join("fake.png");
    std::fs::write(&fake, b"not an image").unwrap();
    let fake = fake.display().to_string();
    let run = cli_with_env_file(&env_file, &["upload-image", "--file", &fake]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("file: the content does not look like image/png"), "{}", run.stderr);
    // With --no-validate it is sent, and the sandbox refuses it itself.
    let run = cli_with_env_file(&env_file, &["--no-validate", "upload-image", "--file", &fake]).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("status: 400"), "{}", run.stderr);

    let run = cli_with_env_file(&env_file, &["upload-image"]).await;
    assert_eq!(run.code, 2, "--file is required: {}", run.stderr);
    assert!(run.stderr.contains("--file"), "{}", run.stderr);

    sandbox.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn all_lists_every_page_as_one_document_or_as_json_lines() {
    let (sandbox, dir, env_file) = sandbox_with_env_file("pages").await;
    // Two bundles of three steps: six stocks, with two a page three pages.
    let client = sandbox.client_builder().build().unwrap();
    let coupon = client.create_product_coupon(&demo::product_coupon_request("PAGES_0001")).await.unwrap();
    let id = coupon.product_coupon_id;
    let first = coupon.stock_bundle.expect("a bundle coupon comes with its first bundle");
    let second = client.create_stock_bundle(&id, &demo::stock_bundle_request("PAGES_0002", 3)).await.unwrap();
    let mut expected: Vec<String> =
        first.stock_list.iter().chain(&second.stock_list).map(|s| s.stock_id.to_string()).collect();
    expected.sort();
    assert_eq!(expected.len(), 6);
    let list = ["list-stocks", "--product-coupon-id", &id, "--brand-id", demo::BRAND_ID, "--page-size", "2"];

    // Without --all: one page, and a token for the next.
    let run = cli_with_env_file(&env_file, &list).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(page["stock_list"].as_array().map(Vec::len), Some(2));
    assert!(page["next_page_token"].as_str().is_some_and(|t| !t.is_empty()), "{page}");

    let ids = |items: Vec<serde_json::Value>| {
        let mut ids: Vec<String> =
            items.iter().map(|s| s["stock_id"].as_str().expect("a stock_id").to_owned()).collect();
        ids.sort();
        ids
    };
    let run = cli_with_env_file(&env_file, &[&list[..], &["--all"]].concat()).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).expect("one JSON array");
    assert_eq!(ids(all), expected, "every stock exactly once");

    let run = cli_with_env_file(&env_file, &[&list[..], &["--all", "--lines"]].concat()).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<serde_json::Value> =
        run.stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON item a line")).collect();
    assert_eq!(ids(lines), expected, "every stock exactly once");

    // --all follows the tokens itself.
    let run = cli_with_env_file(&env_file, &[&list[..], &["--all", "--page-token", "x"]].concat()).await;
    assert_eq!(run.code, 2, "{}", run.stderr);

    sandbox.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}

/// The `brand` group against the sandbox, configured only by the env file's `WECHATPAY_BRAND_*`
/// variables: a brand creates a coupon on its own path (no `brand_id` in the body), reads it
/// back, and the 服务商 sees the same coupon through the partner command with the brand's id.
#[tokio::test]
async fn the_brand_group_talks_to_the_sandbox_through_its_env_file() {
    let (sandbox, dir, env_file) = sandbox_with_env_file("brand").await;
    let mut coupon: serde_json::Value = serde_json::from_str(CREATE_EXAMPLE).unwrap();
    coupon.as_object_mut().unwrap().remove("brand_id");
    coupon["display_info"].as_object_mut().unwrap().remove("combo_package_list");
    let body = write_json(&dir, "brand-coupon.json", &coupon);
    let run = cli_with_env_file(&env_file, &["brand", "create-product-coupon", "--body", &body]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let created: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let id = created["product_coupon_id"].as_str().expect("an id").to_owned();
    assert!(created.get("brand_id").is_none(), "the brand family's answer has no brand_id: {created}");

    let run = cli_with_env_file(&env_file, &["brand", "get-product-coupon", "--product-coupon-id", &id]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let read: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(read["product_coupon_id"], id.as_str());

    let partner = ["get-product-coupon", "--product-coupon-id", &id, "--brand-id", demo::BRAND_ID];
    let run = cli_with_env_file(&env_file, &partner).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let seen: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(seen["brand_id"], demo::BRAND_ID);
    sandbox.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}
