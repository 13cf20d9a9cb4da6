//! The admin API under `/sandbox/...`: information, state, the fault queue, the clock and
//! notifications. It is neither authenticated nor signed, so it answers loopback peers only
//! unless the sandbox was started with `--admin-from-anywhere` ([`admin_allowed`]).

use std::net::IpAddr;
use std::sync::Arc;

use hyper::body::Bytes;
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use wechatpay_product_coupon::generated::operations::OPERATIONS;

use crate::clock::{format_rfc3339, parse_rfc3339};
use crate::faults::{CERTIFICATES_OPERATION, FAULT_HEADER, Fault, QueuedFault};
use crate::shared::{Body, Shared, plain_json, with_ctx};
use crate::state::{ApiFailure, Ctx};

/// Whether a peer may use the admin endpoints (`/sandbox/...`): they are unauthenticated and
/// can move the clock, queue faults and read every secret-free detail of the state, so only
/// this machine may, unless the sandbox was started with `--admin-from-anywhere`. An
/// IPv4-mapped IPv6 loopback address (`::ffff:127.0.0.1`) is loopback too.
pub(crate) fn admin_allowed(peer: IpAddr, from_anywhere: bool) -> bool {
    from_anywhere || peer.to_canonical().is_loopback()
}

/// `/sandbox/...`: information, state and the fault queue.
pub(crate) async fn admin(shared: &Arc<Shared>, parts: &Parts, body: &Bytes) -> Response<Body> {
    let method = parts.method.as_str();
    let not_allowed = || {
        plain_json(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"code": "METHOD_NOT_ALLOWED", "message": format!("{method} is not allowed here")}),
        )
    };
    match parts.uri.path().trim_end_matches('/') {
        "/sandbox" => match method {
            "GET" => plain_json(StatusCode::OK, &info(shared)),
            _ => not_allowed(),
        },
        "/sandbox/state" => match method {
            "GET" => plain_json(StatusCode::OK, &state_json(shared)),
            _ => not_allowed(),
        },
        "/sandbox/notifications" => match method {
            "GET" => plain_json(StatusCode::OK, &json!({ "notifications": shared.notifier.records() })),
            "DELETE" => {
                shared.notifier.clear();
                plain_json(StatusCode::OK, &json!({ "notifications": [] }))
            }
            _ => not_allowed(),
        },
        "/sandbox/clock" => match method {
            "GET" => plain_json(StatusCode::OK, &clock_json(shared)),
            "POST" => {
                #[derive(serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct SetClock {
                    #[serde(default)]
                    advance_seconds: Option<i64>,
                    #[serde(default)]
                    now: Option<String>,
                }
                let bad =
                    |m: String| plain_json(StatusCode::BAD_REQUEST, &json!({"code": "PARAM_ERROR", "message": m}));
                const EXPECTED: &str = "expected {\"advance_seconds\": 86400} (whole seconds, may be negative) or {\"now\": \"2025-08-04T10:00:00+08:00\"}";
                // A refused move leaves the clock as it was.
                let moved = match serde_json::from_slice::<SetClock>(body) {
                    Ok(SetClock { advance_seconds: Some(s), now: None }) => {
                        shared.clock.advance(s).map_err(|e| format!("advance_seconds: {e}"))
                    }
                    Ok(SetClock { advance_seconds: None, now: Some(t) }) => match parse_rfc3339(&t) {
                        Some(unix) => shared.clock.set(unix).map_err(|e| format!("now: {t:?}: {e}")),
                        None => Err(format!("now: {t:?} is not an RFC 3339 date-time")),
                    },
                    Ok(_) => Err(format!("give exactly one of advance_seconds and now; {EXPECTED}")),
                    Err(e) => Err(format!("{EXPECTED}: {e}")),
                };
                if let Err(message) = moved {
                    return bad(message);
                }
                plain_json(StatusCode::OK, &clock_json(shared))
            }
            _ => not_allowed(),
        },
        p if p.starts_with("/sandbox/pre-send-tokens/") && p.ends_with("/claim") => match method {
            "POST" => {
                let token = p.trim_start_matches("/sandbox/pre-send-tokens/").trim_end_matches("/claim");
                match claim_pre_send(shared, token).await {
                    Ok(claimed) => plain_json(StatusCode::OK, &json!(claimed)),
                    Err(f) => plain_json(
                        StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_REQUEST),
                        &serde_json::from_slice::<Value>(&f.body()).unwrap_or_default(),
                    ),
                }
            }
            _ => not_allowed(),
        },
        "/sandbox/faults" => match method {
            "GET" => plain_json(StatusCode::OK, &json!({ "pending": shared.faults.pending() })),
            "DELETE" => {
                shared.faults.clear();
                plain_json(StatusCode::OK, &json!({ "pending": [] }))
            }
            "POST" => {
                #[derive(serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Inject {
                    fault: Fault,
                    #[serde(default = "one")]
                    count: u32,
                    #[serde(default)]
                    operation: Option<String>,
                }
                fn one() -> u32 {
                    1
                }
                match serde_json::from_slice::<Inject>(body) {
                    Ok(i) => {
                        let known = i
                            .operation
                            .as_deref()
                            .is_none_or(|op| op == CERTIFICATES_OPERATION || OPERATIONS.iter().any(|m| m.id == op));
                        if !known {
                            return plain_json(
                                StatusCode::BAD_REQUEST,
                                &json!({"code": "PARAM_ERROR", "message": format!("unknown operation {:?}", i.operation)}),
                            );
                        }
                        shared.faults.push(QueuedFault { fault: i.fault, count: i.count, operation: i.operation });
                        plain_json(StatusCode::OK, &json!({ "pending": shared.faults.pending() }))
                    }
                    Err(e) => plain_json(
                        StatusCode::BAD_REQUEST,
                        &json!({"code": "PARAM_ERROR", "message": format!("expected {{\"fault\": \"500\", \"count\": 1, \"operation\": \"create_stock_bundle\"}}: {e}")}),
                    ),
                }
            }
            _ => not_allowed(),
        },
        _ => plain_json(
            StatusCode::NOT_FOUND,
            &json!({"code": "NOT_FOUND", "message": "admin endpoints: GET /sandbox, GET /sandbox/state, GET|POST|DELETE /sandbox/faults, GET|DELETE /sandbox/notifications, GET|POST /sandbox/clock, POST /sandbox/pre-send-tokens/{token}/claim"}),
        ),
    }
}

fn clock_json(shared: &Shared) -> Value {
    json!({ "now": format_rfc3339(shared.clock.now()), "offset_seconds": shared.clock.offset() })
}

/// A pre-send token taken in the 小程序发券组件 (simulated).
pub(crate) async fn claim_pre_send(
    shared: &Arc<Shared>,
    token: &str,
) -> Result<crate::user_coupons::Claimed, ApiFailure> {
    let mchid = shared.state().pre_send_tokens.get(token).map(|r| r.mchid.clone()).unwrap_or_default();
    with_ctx(shared, &mchid, |ctx| ctx.claim_pre_send(token)).await
}

/// Everything held, user coupons as the API would show them now.
fn state_json(shared: &Shared) -> Value {
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

fn info(shared: &Shared) -> Value {
    let k = &shared.keys;
    json!({
        "base_url": shared.base_url,
        "mchid": k.mchid,
        "merchant_serial_no": k.merchant_serial_no,
        "public_key_id": k.public_key_id,
        "platform_serial_no": k.platform_serial_no,
        "brand_id": k.brand_id,
        "brand_serial_no": k.brand_serial_no,
        "brand_public_key_id": k.brand_public_key_id,
        "rate_limit": shared.rate_limiter.is_some(),
        "brands": shared.brands,
        "state_file": shared.persist.as_ref().map(|p| p.path.display().to_string()),
        "operations": OPERATIONS.iter().map(|m| json!({
            "id": m.id, "title": m.title, "method": m.method, "path": m.path_template,
            "rate_limit_per_second": m.rate_limit_per_second,
        })).collect::<Vec<_>>(),
        "fault_header": FAULT_HEADER,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_endpoints_answer_loopback_peers_only_by_default() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        for loopback in ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "::ffff:127.0.0.1"] {
            assert!(admin_allowed(ip(loopback), false), "{loopback}");
        }
        for remote in
            ["10.0.0.5", "192.168.1.20", "0.0.0.0", "203.0.113.7", "fe80::1", "::ffff:10.0.0.5", "2001:db8::1"]
        {
            assert!(!admin_allowed(ip(remote), false), "{remote}");
            assert!(admin_allowed(ip(remote), true), "{remote} with --admin-from-anywhere");
        }
    }
}
