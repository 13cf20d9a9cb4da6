//! The warm in-process call of the cold-start comparison in BENCHMARKS.md: one client, configured
//! from the environment like the CLI (`set -a; . ./.sandbox.env; set +a`), calls
//! 查询商品券 (`get_product_coupon`) N times after one warm-up and prints the median. The
//! client's own 频率限制 limiter is off, or 20/s would be what is measured.
//!
//! ```sh
//! cargo run --bin wechatpay-sandbox -- --listen 127.0.0.1:0 --env-file .sandbox.env --no-rate-limit &
//! set -a; . ./.sandbox.env; set +a
//! cargo run -p wechatpay-sandbox --example warm_call -- 100
//! ```

use std::time::Instant;

use wechatpay_product_coupon::ClientBuilder;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let calls: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(100);
    let client = ClientBuilder::from_env()?.client_rate_limit(false).build()?;
    // An unknown coupon: a signed 404, verified like any answer; the call itself is what is timed.
    let _ = client.get_product_coupon("1999999999", "120344").await;
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let start = Instant::now();
        let _ = client.get_product_coupon("1999999999", "120344").await;
        times.push(start.elapsed());
    }
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    println!("{calls} calls, median {:.2} ms", median.as_secs_f64() * 1000.0);
    Ok(())
}
