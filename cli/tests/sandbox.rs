//! The documented sandbox flow, exactly as the README gives it: start the sandbox, write its
//! env file, `set -a; . FILE; set +a`, and the CLI works against it — including a request sent
//! with `--no-validate` that the sandbox still refuses.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use wechatpay_sandbox::Sandbox;

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
