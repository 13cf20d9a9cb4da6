//! Requests at the same time: the same request number sent concurrently, and changes made
//! while the state file is being written.
//!
//! Both run on a multi-threaded runtime, so the sandbox handles the requests in parallel. The
//! order in which they interleave differs from run to run; what is asserted holds for every
//! order (no sleeps, no timing).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{client, temp_dir};
use wechatpay_product_coupon::ids::ProductCouponId;
use wechatpay_product_coupon::models::CreateProductCouponResponse;
use wechatpay_sandbox::{Sandbox, demo};

/// Spawns every future on the runtime and awaits them all, in order.
async fn all<F, T>(futures: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

/// The same 创建商品券 request (one `out_request_no`, one body) sent 16 times at once makes one
/// coupon, and every caller gets that coupon's answer.
///
/// What WeChat Pay documents for a repeated `out_request_no` is idempotency: the same number
/// with the same data is the same request (its error table answers only a reuse with other
/// data, `ALREADY_EXISTS`, and tells a caller that got `SYSTEM_ERROR` to retry with the same
/// number and data). It documents no refusal of a duplicate still in flight, so the sandbox
/// gives none: it handles a numbered request (the lookup of the number, the create, the
/// record of the answer) under one lock of its state, so concurrent duplicates are handled one
/// after another, and all but the first are replays of the stored answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_with_one_out_request_no_make_one_coupon_and_the_same_answer() {
    let sandbox = Sandbox::builder().rate_limit(false).start().await.unwrap();
    let client = client(&sandbox);
    let request = demo::product_coupon_request("SAME_NO_0001");
    let calls = (0..16).map(|_| {
        let (client, request) = (client.clone(), request.clone());
        async move { client.create_product_coupon(&request).await }
    });
    let answers: Vec<CreateProductCouponResponse> = all(calls)
        .await
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("call {i} of 16: {e}")))
        .collect();
    for (i, answer) in answers.iter().enumerate() {
        assert_eq!(answer, &answers[0], "call {i} got another answer than call 0");
    }
    let held = sandbox.product_coupons();
    assert_eq!(held.len(), 1, "one coupon for one out_request_no: {held:#?}");
    assert_eq!(held[0].coupon.product_coupon_id, answers[0].product_coupon_id);

    // Once, not once per call: what one create makes (here one stock bundle) is there once.
    let alone = Sandbox::builder().rate_limit(false).start().await.unwrap();
    common::client(&alone).create_product_coupon(&request).await.unwrap();
    let single = &alone.product_coupons()[0];
    assert_eq!(held[0].stock_bundles.len(), single.stock_bundles.len());
    assert_eq!(held[0].stocks.len(), single.stocks.len());
}

/// 40 creates at once on a sandbox with a state file: each change is saved while others are
/// being made and saved, and none is lost. The sandbox answers a change only after the file
/// holds it, so once all 40 answers are in, a copy of the file (taken before any shutdown,
/// whose last save could hide a lost write) loads into a sandbox holding exactly those 40
/// coupons, as they were, with their request numbers (a retry gets the same coupon).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn creates_made_while_the_state_file_is_being_saved_are_all_in_it() {
    let dir = temp_dir("concurrent-saves");
    let file = dir.join("state.json");
    let sandbox = Sandbox::builder().rate_limit(false).state_file(&file).start().await.unwrap();
    let client = client(&sandbox);
    let calls = (0..40).map(|i| {
        let client = client.clone();
        async move { client.create_product_coupon(&demo::product_coupon_request(&format!("SAVE_{i:04}"))).await }
    });
    let ids: Vec<ProductCouponId> = all(calls)
        .await
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("create SAVE_{i:04}: {e}")).product_coupon_id)
        .collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 40, "40 distinct coupons: {ids:?}");

    // The file as it is now, before the sandbox stops.
    let copy = dir.join("copy.json");
    std::fs::copy(&file, &copy).unwrap();
    let before: BTreeMap<ProductCouponId, _> =
        sandbox.product_coupons().into_iter().map(|c| (c.coupon.product_coupon_id.clone(), c)).collect();
    assert_eq!(before.keys().cloned().collect::<BTreeSet<_>>(), ids.iter().cloned().collect());

    let restarted = Sandbox::builder().rate_limit(false).state_file(&copy).start().await.unwrap();
    let after: BTreeMap<ProductCouponId, _> =
        restarted.product_coupons().into_iter().map(|c| (c.coupon.product_coupon_id.clone(), c)).collect();
    let missing: Vec<&ProductCouponId> = ids.iter().filter(|id| !after.contains_key(*id)).collect();
    assert!(missing.is_empty(), "answered but not in the state file: {missing:?}");
    assert_eq!(after, before, "the file holds every coupon as the sandbox did");
    let again = common::client(&restarted);
    for (i, id) in ids.iter().enumerate() {
        let retry = again.create_product_coupon(&demo::product_coupon_request(&format!("SAVE_{i:04}"))).await.unwrap();
        assert_eq!(&retry.product_coupon_id, id, "the request number SAVE_{i:04} was saved with its coupon");
    }
    assert_eq!(restarted.product_coupons().len(), 40, "the retries made nothing new");

    restarted.shutdown().await;
    sandbox.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
