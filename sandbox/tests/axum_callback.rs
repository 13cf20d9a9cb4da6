//! The axum integration end to end: the sandbox delivers its 领券通知 to a real axum app on
//! loopback (`examples/axum_callback.rs`), which confirms the coupon; a copy of that delivery
//! and a forged one are refused, and the app keeps serving.

#[path = "../examples/axum_callback.rs"]
mod axum_callback;

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use tokio::sync::mpsc;
use wechatpay_product_coupon::models::SendCouponRequest;
use wechatpay_sandbox::{Sandbox, demo};

/// One request the app received, and its answer.
struct Seen {
    headers: HeaderMap,
    body: Bytes,
    status: u16,
}

/// Records every request and the app's answer.
async fn record(State(seen): State<mpsc::UnboundedSender<Seen>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let headers = parts.headers.clone();
    let response = next.run(Request::from_parts(parts, Body::from(body.clone()))).await;
    let _ = seen.send(Seen { headers, body, status: response.status().as_u16() });
    response
}

/// A hang guard only: each delivery arrives in milliseconds.
async fn next(seen: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    tokio::time::timeout(Duration::from_secs(60), seen.recv()).await.expect("a delivery").expect("the app runs")
}

#[tokio::test]
async fn the_app_confirms_sent_coupons_and_refuses_copies_and_forgeries() {
    let sandbox = Sandbox::builder().start_time(demo::DEMO_TIME).start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let (tx, mut seen) = mpsc::unbounded_channel();
    let app = axum_callback::app(client.clone()).layer(from_fn_with_state(tx, record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wechatpay/notify", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app).into_future());
    let config = wechatpay_product_coupon::models::SetNotifyConfigRequest::builder().notify_url(&url).build().unwrap();
    client.set_notify_config(&config).await.unwrap();

    let created = client.create_product_coupon(&demo::single_product_coupon_request("AXUM_T_0001")).await.unwrap();
    let stock = created.stock.unwrap();
    let send = |number: &str| {
        SendCouponRequest::builder()
            .ids_from(&stock)
            .appid("wx4fd12345678")
            .send_request_no(number)
            .brand_id(demo::BRAND_ID)
            .build()
            .unwrap()
    };
    let sent = client.send_coupon("oUser_axum", &send("AXUM_T_SEND_1")).await.unwrap();

    // The sandbox's delivery: accepted (204), and the app confirmed the coupon before answering.
    let delivery = next(&mut seen).await;
    assert_eq!(delivery.status, 204, "{}", String::from_utf8_lossy(&delivery.body));
    let now = client
        .get_user_coupon(
            "oUser_axum",
            &sent.coupon_code,
            demo::BRAND_ID,
            &stock.product_coupon_id,
            &stock.stock_id,
            "wx4fd12345678",
        )
        .await
        .unwrap();
    assert_eq!(now.coupon_state.as_str(), "EFFECTIVE");

    let http = reqwest::Client::new();
    let post = |headers: HeaderMap, body: Bytes| http.post(&url).headers(headers).body(body).send();

    // The same signed delivery again: refused, so it is not acted on twice.
    let replay = post(delivery.headers.clone(), delivery.body.clone()).await.unwrap();
    assert_eq!(replay.status(), 401);
    let answer = replay.text().await.unwrap();
    assert!(answer.contains("FAIL") && answer.contains("replayed"), "{answer}");
    assert_eq!(next(&mut seen).await.status, 401);

    // A forged one (the body changed under a genuine signature): refused.
    let mut forged = delivery.body.to_vec();
    let at = forged.iter().position(|b| *b == b'"').unwrap();
    forged.insert(at, b' ');
    let forged = post(delivery.headers.clone(), Bytes::from(forged)).await.unwrap();
    assert_eq!(forged.status(), 401);
    assert!(forged.text().await.unwrap().contains("FAIL"));
    assert_eq!(next(&mut seen).await.status, 401);

    // No signature at all: refused too.
    let unsigned = post(HeaderMap::new(), delivery.body.clone()).await.unwrap();
    assert_eq!(unsigned.status(), 401);
    assert_eq!(next(&mut seen).await.status, 401);

    // The app keeps serving: the next coupon's notification is confirmed.
    client.send_coupon("oUser_axum_2", &send("AXUM_T_SEND_2")).await.unwrap();
    assert_eq!(next(&mut seen).await.status, 204);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_notification_is_redelivered_on_demand_signed_afresh() {
    let sandbox = Sandbox::builder().start_time(demo::DEMO_TIME).start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let (tx, mut seen) = mpsc::unbounded_channel();
    let app = axum_callback::app(client.clone()).layer(from_fn_with_state(tx, record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wechatpay/notify", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app).into_future());
    let config = wechatpay_product_coupon::models::SetNotifyConfigRequest::builder().notify_url(&url).build().unwrap();
    client.set_notify_config(&config).await.unwrap();
    let created = client.create_product_coupon(&demo::single_product_coupon_request("AXUM_R_0001")).await.unwrap();
    let stock = created.stock.unwrap();
    let send = SendCouponRequest::builder()
        .ids_from(&stock)
        .appid("wx4fd12345678")
        .send_request_no("AXUM_R_SEND_1")
        .brand_id(demo::BRAND_ID)
        .build()
        .unwrap();
    client.send_coupon("oUser_redeliver", &send).await.unwrap();
    let first = next(&mut seen).await;
    assert_eq!(first.status, 204);
    let id = sandbox.notifications()[0].id.clone();

    // The admin endpoint (the page's "re-deliver" button): the same envelope, a new signature,
    // so the app's replay guard accepts it (and confirming again is idempotent).
    let admin = reqwest::Client::new();
    let redeliver = format!("http://{}/sandbox/notifications/{id}/redeliver", sandbox.addr());
    let answer = admin.post(&redeliver).header("Content-Type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(answer.status(), 202, "{}", answer.text().await.unwrap());
    let second = next(&mut seen).await;
    assert_eq!(second.status, 204, "{}", String::from_utf8_lossy(&second.body));
    assert_eq!(second.body, first.body, "the same envelope");
    assert_ne!(second.headers["Wechatpay-Nonce"], first.headers["Wechatpay-Nonce"], "signed afresh");

    // An unknown notification: 404, saying so.
    let unknown = format!("http://{}/sandbox/notifications/nope/redeliver", sandbox.addr());
    let answer = admin.post(&unknown).header("Content-Type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(answer.status(), 404);
    assert!(answer.text().await.unwrap().contains("no notification"));
    sandbox.shutdown().await;
}
