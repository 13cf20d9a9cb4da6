//! `/sandbox/ui` in a real browser: headless Chromium driven over WebDriver (`chromedriver`,
//! the `fantoccini` client). The page shows a coupon sent through the client; its "advance
//! clock" and "queue fault" buttons work, which proves that the page's script runs under its
//! `Content-Security-Policy` and that the admin gate lets the page's own same-origin `fetch`
//! POSTs in.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install -y chromium chromium-driver`;
//! `.ci/run` installs them): missing, it fails on CI and skips loudly elsewhere
//! (`.ci/require.rs`).

#[path = "../../.ci/require.rs"]
mod require;

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use fantoccini::{ClientBuilder, Locator};
use wechatpay_product_coupon::models::SendCouponRequest;
use wechatpay_sandbox::clock::parse_rfc3339;
use wechatpay_sandbox::demo;

const TEST: &str = "the browser test of /sandbox/ui";
const HINT: &str = "install them (apt-get install -y chromium chromium-driver; .ci/run does)";

/// `chromedriver` on a free loopback port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(resp) = reqwest::get(format!("{}/status", driver.url)).await
            && resp.status().is_success()
        {
            return driver;
        }
        assert!(Instant::now() < deadline, "chromedriver did not answer on {} within 30 s", driver.url);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The full path of `program` on `PATH`.
fn on_path(program: &str) -> Option<String> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

/// Polls `check` every 100 ms for up to 20 s.
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_page_in_headless_chromium_shows_the_coupon_and_advances_the_clock() {
    if !require::require_tool("chromedriver", TEST, HINT) || !require::require_tool("chromium", TEST, HINT) {
        return;
    }
    let sandbox = std::sync::Arc::new(family_sandbox().await);
    let client = client(&sandbox);
    let created = client.create_product_coupon(&demo::single_product_coupon_request("BROWSER_0001")).await.unwrap();
    let send = SendCouponRequest::builder()
        .product_coupon_id(&created.product_coupon_id)
        .stock_id(&created.stock.as_ref().unwrap().stock_id)
        .appid(APPID)
        .send_request_no("BROWSER_SEND_0001")
        .brand_id(BRAND)
        .build()
        .unwrap();
    let sent = client.send_coupon(OPENID, &send).await.unwrap();

    let driver = start_driver().await;
    let mut options = serde_json::json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400"]
    });
    if let Some(binary) = on_path("chromium") {
        options["binary"] = binary.into();
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session");

    // The steps run in their own task, so that a failed assertion still ends the browser
    // session (Chromium would outlive chromedriver otherwise).
    let steps = {
        let (browser, sandbox) = (browser.clone(), sandbox.clone());
        let created = created.clone();
        let sent = sent.clone();
        tokio::spawn(async move {
            browser.goto(&format!("{}/sandbox/ui", sandbox.base_url())).await?;
            let coupons = browser.find(Locator::Id("product-coupons")).await?.text().await?;
            assert_eq!(coupons, "Product coupons (1)");
            let source = browser.source().await?;
            assert!(source.contains(&format!("<td>{}</td>", created.product_coupon_id)), "the coupon: {source}");
            assert!(source.contains(&format!("<td>{}</td>", sent.coupon_code)), "the user's coupon: {source}");
            // The business clock runs with the system clock from its start time: compare instants.
            let unix = |t: &str| parse_rfc3339(t).unwrap_or_else(|| panic!("not RFC 3339: {t:?}"));
            let shown = unix(&browser.find(Locator::Id("clock")).await?.text().await?);
            let before = unix(&sandbox.now());
            // (A minute's slack: a loaded machine may take a while between rendering and reading.)
            assert!((before - 60..=before).contains(&shown), "the page showed the clock: {shown} vs {before}");
            // The screenshot in sandbox/README.md, refreshed by
            // `WECHATPAY_UI_SCREENSHOT=sandbox/ui.png cargo test -p wechatpay-sandbox --test browser`
            // (the path is relative to the workspace root).
            if let Some(path) = std::env::var_os("WECHATPAY_UI_SCREENSHOT") {
                let png = browser.screenshot().await?;
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
                std::fs::write(&path, png).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            }

            // Advance the clock by the default 86400 s: the sandbox's clock moves, the page reloads
            // and shows it.
            browser.find(Locator::Css("#advance-clock button")).await?.click().await?;
            eventually("the sandbox's clock moved a day", || async { unix(&sandbox.now()) >= before + 86_400 }).await;
            assert!(unix(&sandbox.now()) < before + 86_400 + 60, "moved by one day: {}", sandbox.now());
            eventually("the reloaded page shows the moved clock", || async {
                match browser.find(Locator::Id("clock")).await {
                    Ok(clock) => {
                        clock.text().await.is_ok_and(|t| parse_rfc3339(&t).is_some_and(|t| t >= before + 86_400))
                    }
                    Err(_) => false,
                }
            })
            .await;

            // Queue a fault (the default: 500, once, any operation).
            browser.find(Locator::Css("#queue-fault button")).await?.click().await?;
            eventually("the fault was queued", || async { sandbox.faults().pending().len() == 1 }).await;
            assert_eq!(sandbox.faults().pending()[0].fault.to_string(), "500");
            // The page reloads after a successful action: an element read while it does may be
            // stale, so the reloaded page is awaited (a stale read counts as "not yet").
            eventually("the reloaded page lists the queued fault", || async {
                match browser.find(Locator::Id("faults")).await {
                    Ok(heading) => heading.text().await.is_ok_and(|t| t == "Queued faults (1)"),
                    Err(_) => false,
                }
            })
            .await;
            Ok::<(), fantoccini::error::CmdError>(())
        })
    };
    let outcome = steps.await;
    let _ = browser.close().await;
    drop(driver);
    match outcome {
        Ok(steps) => steps.expect("the browser steps"),
        Err(failed) => std::panic::resume_unwind(failed.into_panic()),
    }
}
