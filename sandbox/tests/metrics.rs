//! Issue 12: the client's metrics, seen by a recording recorder (metrics-util's debugging
//! recorder, installed for this test binary) while the client talks to the sandbox: a success,
//! a retry after a 429, a failover to the backup domain, a rejected signature, a rate-limit
//! wait and a certificate download, with the documented names and labels and nothing personal
//! in any label.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use wechatpay_product_coupon::runtime::metrics as names;
use wechatpay_product_coupon::{Error, PrivateKey, RetryPolicy};
use wechatpay_sandbox::{Fault, Sandbox, demo};

/// (name, sorted `label=value` pairs) -> counter value or histogram sample count.
type Recorded = BTreeMap<(String, Vec<String>), u64>;

fn key(name: &str, labels: &[(&str, &str)]) -> (String, Vec<String>) {
    let mut labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    labels.sort();
    (name.to_owned(), labels)
}

#[tokio::test]
async fn calls_retries_failovers_waits_and_rejected_signatures_are_counted() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().expect("the only recorder of this test binary");

    // The sandbox's own 频率限制 is off: the client's limiter is what this test looks at.
    let sandbox = Sandbox::builder().rate_limit(false).start().await.unwrap();
    let quick = RetryPolicy::attempts(3).with_backoff(Duration::from_millis(10), Duration::from_millis(50));
    const CREATE: &str = "create_product_coupon";

    // A success, with the first call's certificate download (platform-certificate mode).
    let client = sandbox.certificate_client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    client.create_product_coupon(&demo::product_coupon_request("M_0001")).await.unwrap();

    // A retry: one injected 429, then success.
    sandbox.faults().inject_for(CREATE, Fault::parse("429").unwrap(), 1);
    let retrying = sandbox.client_builder().retry_policy(quick).build().unwrap();
    retrying.create_product_coupon(&demo::product_coupon_request("M_0002")).await.unwrap();

    // A failover: the primary domain refuses connections, the backup is the sandbox.
    // A socket bound but never listening, held until the end of the test: connections to its
    // port are refused, and no other process can take the port meanwhile (a port bound and
    // released could be taken and answered by another test's server).
    let reserved = tokio::net::TcpSocket::new_v4().unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let dead = reserved.local_addr().unwrap();
    let failing_over = sandbox
        .client_builder()
        .base_url(format!("http://{dead}"))
        .backup_base_url(sandbox.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    failing_over.create_product_coupon(&demo::product_coupon_request("M_0003")).await.unwrap();

    // A rejected signature: the client trusts the wrong key under the right id.
    let keys = sandbox.keys();
    let wrong_key = PrivateKey::from_pem(&keys.merchant_key_pem).unwrap().public_key();
    let misled = sandbox
        .client_builder()
        .wechatpay_public_key(&keys.public_key_id, wrong_key)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let rejected = misled.create_product_coupon(&demo::product_coupon_request("M_0004")).await;
    assert!(matches!(rejected, Err(Error::Verification(_))), "{rejected:?}");

    // A rate-limit wait: 5 calls a second, the sixth waits for its slot.
    let limited = sandbox.client_builder().rate_limit_override(CREATE, 5).build().unwrap();
    for i in 0..6 {
        limited.create_product_coupon(&demo::product_coupon_request(&format!("M_1{i:03}"))).await.unwrap();
    }

    let mut recorded = Recorded::new();
    let mut all_label_values = Vec::new();
    for (composite, _, _, value) in snapshotter.snapshot().into_vec() {
        let k = composite.key();
        let labels: Vec<(&str, &str)> = k.labels().map(|l| (l.key(), l.value())).collect();
        all_label_values.extend(labels.iter().map(|(_, v)| v.to_string()));
        let n = match value {
            DebugValue::Counter(n) => n,
            DebugValue::Histogram(samples) => samples.len() as u64,
            DebugValue::Gauge(_) => continue,
        };
        recorded.insert(key(k.name(), &labels), n);
    }
    let get = |name: &str, labels: &[(&str, &str)]| recorded.get(&key(name, labels)).copied().unwrap_or(0);

    // 1 + 1 (after its retry) + 1 (after its failover) + 6 rate-limited successes.
    assert_eq!(get(names::CALLS_TOTAL, &[("operation", CREATE), ("outcome", "success")]), 9, "{recorded:#?}");
    assert_eq!(get(names::CALL_DURATION_SECONDS, &[("operation", CREATE), ("outcome", "success")]), 9);
    assert_eq!(get(names::CALLS_TOTAL, &[("operation", CREATE), ("outcome", "verification_failed")]), 1);
    assert_eq!(get(names::RETRIES_TOTAL, &[("operation", CREATE), ("reason", "status_429")]), 1);
    assert_eq!(get(names::FAILOVERS_TOTAL, &[("to", "backup")]), 1);
    assert_eq!(get(names::VERIFICATION_FAILURES_TOTAL, &[("source", "response")]), 1);
    assert_eq!(get(names::RATE_LIMIT_WAITS_TOTAL, &[("operation", CREATE), ("limiter", "local")]), 1);
    assert_eq!(get(names::RATE_LIMIT_WAIT_SECONDS, &[("operation", CREATE), ("limiter", "local")]), 1);
    assert_eq!(get(names::CERTIFICATE_REFRESHES_TOTAL, &[("outcome", "success"), ("trigger", "scheduled")]), 1);
    assert_eq!(get(names::RATE_LIMITER_FALLBACKS_TOTAL, &[("operation", CREATE)]), 0);

    // No merchant id, openid, key id or URL in any label.
    for value in &all_label_values {
        for secret in [&keys.mchid, &keys.public_key_id, &keys.merchant_serial_no, &common::OPENID.to_owned()] {
            assert!(!value.contains(secret.as_str()), "label value {value:?} holds {secret:?}");
        }
        assert!(!value.contains("http") && !value.contains("127.0.0.1"), "label value {value:?} holds a URL");
    }
}
