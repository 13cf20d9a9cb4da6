//! What the admin API (`GET /sandbox/state`, `/sandbox/clock`) and the page (`/sandbox/ui`)
//! show: the state and the business clock as JSON. Its own module, so the admin API and the
//! page both read it without importing each other.

use serde_json::{Value, json};

use crate::clock::format_rfc3339;
use crate::shared::Shared;
use crate::state::Ctx;

/// The business clock: now, and its offset from the system clock.
pub(crate) fn clock_json(shared: &Shared) -> Value {
    json!({ "now": format_rfc3339(shared.clock.now()), "offset_seconds": shared.clock.offset() })
}

/// Everything held, user coupons as the API would show them now.
pub(crate) fn state_json(shared: &Shared) -> Value {
    let mut state = shared.state();
    let coupons: Vec<_> = state.product_coupons().cloned().collect();
    let mut records: Vec<_> = state.user_coupons.iter().map(|(k, r)| (r.seq, k.clone(), r.mchid.clone())).collect();
    records.sort();
    let bundles = serde_json::to_value(&state.user_coupon_bundles).unwrap_or_default();
    let notify_urls = serde_json::to_value(&state.notify_urls).unwrap_or_default();
    let images = serde_json::to_value(&state.images).unwrap_or_default();
    let tasks: Vec<_> = state.image_tasks.values().map(|t| t.task.clone()).collect();
    let tokens = serde_json::to_value(&state.pre_send_tokens).unwrap_or_default();
    let user_coupons: Vec<Value> = records
        .into_iter()
        .map(|(_, key, mchid)| {
            let ctx = Ctx::new(&mut state, &mchid, None, shared.clock.now());
            let record = &ctx.state.user_coupons[&key];
            json!({ "mchid": record.mchid, "openid": record.openid, "appid": record.appid, "coupon": ctx.view(&key) })
        })
        .collect();
    json!({
        "now": format_rfc3339(shared.clock.now()),
        "product_coupons": coupons,
        "user_coupons": user_coupons,
        "user_coupon_bundles": bundles,
        "pre_send_tokens": tokens,
        "notify_urls": notify_urls,
        "images": images,
        "image_generation_tasks": tasks,
    })
}
