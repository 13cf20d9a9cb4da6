//! What keeping unknown fields costs a response (`cargo bench -p wechatpay-product-coupon --bench decode`).
//!
//! Every model keeps the fields the spec does not know in `unknown_fields` (serde `flatten`),
//! which makes serde buffer each object before it sorts known from unknown keys. This bench
//! decodes the add-stock-bundle doc response (the largest documented response: three nested
//! stocks) into the typed model and, as the baseline of the same run, into a
//! `serde_json::Value`; after criterion's runs it prints the ratio of medians measured in
//! interleaved rounds (the figure recorded in BENCHMARKS.md).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use wechatpay_product_coupon::models::StockBundleEntity;

const RESPONSE: &str = include_str!("../tests/fixtures/create_stock_bundle.response.2.json");

fn typed() -> StockBundleEntity {
    serde_json::from_str(black_box(RESPONSE)).expect("the doc response decodes")
}

fn value() -> serde_json::Value {
    serde_json::from_str(black_box(RESPONSE)).expect("JSON")
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    g.bench_function("typed", |b| b.iter(typed));
    g.bench_function("value", |b| b.iter(value));
    g.finish();
}

/// Median time of one call of `f`, over rounds of `per_round` calls.
fn per_op(rounds: usize, per_round: u32, mut f: impl FnMut()) -> Vec<Duration> {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_round {
                f();
            }
            start.elapsed() / per_round
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

criterion_group!(decode, benches);

fn main() {
    decode();
    criterion::Criterion::default().configure_from_args().final_summary();
    // Interleaved rounds: both sides see the same machine load.
    let (mut t, mut v) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        t.extend(per_op(1, 2000, || drop(black_box(typed()))));
        v.extend(per_op(1, 2000, || drop(black_box(value()))));
    }
    let (t, v) = (median(t), median(v));
    println!(
        "decode ratio: typed {:.1} µs / value {:.1} µs = {:.2}x",
        t.as_secs_f64() * 1e6,
        v.as_secs_f64() * 1e6,
        t.as_secs_f64() / v.as_secs_f64()
    );
}
