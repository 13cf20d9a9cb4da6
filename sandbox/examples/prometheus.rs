//! The client's metrics (issue 12) exposed for Prometheus: starts a sandbox, installs the
//! `metrics-exporter-prometheus` recorder with its HTTP listener, makes a few calls (one of
//! them retried through an injected 429), prints what a scrape returns, and with `--serve`
//! keeps serving `/metrics` until interrupted.
//!
//! ```sh
//! cargo run -p wechatpay-sandbox --example prometheus               # print one scrape
//! cargo run -p wechatpay-sandbox --example prometheus -- --serve    # then: curl 127.0.0.1:9184/metrics
//! ```
//!
//! The metric names and labels are documented in `wechatpay_apiv3::metrics`.

use std::net::SocketAddr;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusBuilder;
use wechatpay_product_coupon::RetryPolicy;
use wechatpay_sandbox::{Sandbox, demo, faults::Fault};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let serve = std::env::args().any(|a| a == "--serve");
    let addr: SocketAddr = "127.0.0.1:9184".parse()?;
    let (recorder, exporter) = PrometheusBuilder::new().with_http_listener(addr).build()?;
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)?;
    tokio::spawn(exporter);

    let sandbox = Sandbox::builder().start().await?;
    let policy = RetryPolicy::attempts(3).with_backoff(Duration::from_millis(10), Duration::from_millis(50));
    let client = sandbox.client_builder().retry_policy(policy).build()?;
    sandbox.faults().inject_for("create_product_coupon", Fault::parse("429")?, 1);
    for i in 0..3 {
        client.create_product_coupon(&demo::product_coupon_request(&format!("PROM_{i:04}"))).await?;
    }
    let _ = client.get_product_coupon("1999999999", "120344").await; // a 404: outcome="api_error"

    println!("{}", handle.render());
    if serve {
        eprintln!("serving http://{addr}/metrics; Ctrl-C to stop");
        tokio::signal::ctrl_c().await?;
    }
    Ok(())
}
