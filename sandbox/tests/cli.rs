//! The `wechatpay-sandbox` binary: `--listen 127.0.0.1:0` prints the address, `--env-file`
//! writes a configuration that `set -a; . FILE; set +a` turns into a working `Client::from_env`,
//! `--state-file` keeps the state across a restart. (One test in this binary: it sets process
//! environment variables.)

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use wechatpay_product_coupon::Client;
use wechatpay_sandbox::demo;

struct Sandbox {
    /// `None` once stopped.
    child: Option<Child>,
    base_url: String,
}

impl Sandbox {
    fn start(args: &[&str]) -> Sandbox {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wechatpay-sandbox"))
            .args(["--listen", "127.0.0.1:0", "--quiet"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut sandbox = Sandbox { child: Some(child), base_url: String::new() };
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("a first line").unwrap();
        sandbox.base_url = first.strip_prefix("listening on ").expect("`listening on ADDR`").to_owned();
        // Keep reading stdout in the background so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        sandbox
    }

    /// SIGTERM (the child is ours, addressed by its pid), then a clean exit.
    fn stop(mut self) {
        let mut child = self.child.take().expect("running");
        #[cfg(unix)]
        {
            let pid = child.id().to_string();
            if Command::new("kill").args(["-TERM", &pid]).status().is_ok_and(|s| s.success()) {
                let status = child.wait().unwrap();
                assert!(status.success(), "clean exit on SIGTERM: {status}");
                return;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Sandbox {
    /// A failed test must not leave the child running.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The variables `set -a; . FILE; set +a` exports, as `sh` sees them.
fn source(env_file: &std::path::Path) -> Vec<(String, String)> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("set -a; . '{}'; set +a; env", env_file.display()))
        .output()
        .expect("sh runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.starts_with("WECHATPAY_"))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn the_binary_serves_writes_its_env_file_and_resumes_from_its_state_file() {
    let dir = common::temp_dir("cli");
    let env_file = dir.join("sandbox.env");
    let state_file = dir.join("state.json");
    let args = ["--env-file", env_file.to_str().unwrap(), "--state-file", state_file.to_str().unwrap()];

    let sandbox = Sandbox::start(&args);
    assert!(sandbox.base_url.starts_with("http://127.0.0.1:"), "{}", sandbox.base_url);
    let vars = source(&env_file);
    assert!(vars.iter().any(|(k, v)| k == "WECHATPAY_BASE_URL" && *v == sandbox.base_url), "{vars:?}");
    for (k, v) in &vars {
        // SAFETY: this test binary has this one test; nothing else reads the environment.
        unsafe { std::env::set_var(k, v) };
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = Client::from_env().expect("the env file is a complete configuration");
    let coupon_id = rt.block_on(async {
        let coupon = client.create_product_coupon(&demo::product_coupon_request("CLI_0001")).await.unwrap();
        client
            .create_stock_bundle(&coupon.product_coupon_id, &demo::stock_bundle_request("CLI_0002", 3))
            .await
            .unwrap();
        coupon.product_coupon_id
    });
    sandbox.stop();

    // Restarted on another port: the same state, and the rewritten env file still works.
    let sandbox = Sandbox::start(&args);
    for (k, v) in source(&env_file) {
        // SAFETY: as above.
        unsafe { std::env::set_var(k, v) };
    }
    let client = Client::from_env().unwrap();
    rt.block_on(async {
        let again = client.create_product_coupon(&demo::product_coupon_request("CLI_0001")).await.unwrap();
        assert_eq!(again.product_coupon_id, coupon_id, "idempotency records survived");
        let state = common::get_json(&format!("{}/sandbox/state", sandbox.base_url)).await;
        let coupons = state["product_coupons"].as_array().unwrap();
        assert_eq!(coupons.len(), 1);
        assert_eq!(coupons[0]["stock_bundles"].as_array().unwrap().len(), 2);
    });
    sandbox.stop();

    let help = Command::new(env!("CARGO_BIN_EXE_wechatpay-sandbox")).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("--env-file"));
    let bad = Command::new(env!("CARGO_BIN_EXE_wechatpay-sandbox")).arg("--bogus").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
