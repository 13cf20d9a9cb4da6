//! An axum service answering WeChat Pay's 领券通知 and confirming each coupon, against the
//! sandbox: the `axum` feature's `notify::Notified` extractor verifies, decrypts and types the
//! notification with the client of the app's state; `notify::NotifyAck` answers as WeChat Pay
//! expects (204, or a failure body that makes it deliver the notification again).
//!
//! ```sh
//! cargo run -p wechatpay-sandbox --example axum_callback
//! ```

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use wechatpay_product_coupon::Client;
use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::notify::{NotificationEvent, Notified, NotifyAck};
use wechatpay_sandbox::{Sandbox, demo};

/// The app: one route, the client as its state.
pub fn app(client: Client) -> Router {
    Router::new().route("/wechatpay/notify", post(on_notify)).with_state(client)
}

/// A 领券通知 confirms the coupon; every other event is acknowledged.
async fn on_notify(State(client): State<Client>, Notified(notification): Notified<Client>) -> NotifyAck {
    match notification.event {
        NotificationEvent::ProductCouponSend(sent) => confirm(&client, &sent).await.into(),
        _ => NotifyAck::Ok,
    }
}

async fn confirm(
    client: &Client,
    sent: &ProductCouponSendResource,
) -> Result<UserProductCoupon, wechatpay_product_coupon::Error> {
    let request = ConfirmUserCouponRequest::builder()
        .ids_from(sent)
        .out_request_no(format!("CONFIRM_{}", sent.coupon_code))
        .build()?;
    client.confirm_user_coupon(&sent.openid, &sent.coupon_code, &request).await
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let sandbox = Sandbox::builder().start_time(demo::DEMO_TIME).start().await?;
    let client = sandbox.client_builder().build()?;

    // The app on loopback, and its URL as the notify URL.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let notify_url = format!("http://{}/wechatpay/notify", listener.local_addr()?);
    tokio::spawn(axum::serve(listener, app(client.clone())).into_future());
    client.set_notify_config(&SetNotifyConfigRequest::builder().notify_url(notify_url).build()?).await?;

    // A coupon sent to a user: the sandbox notifies the app, which confirms it.
    let created = client.create_product_coupon(&demo::single_product_coupon_request("AXUM_0001")).await?;
    let stock = created.stock.ok_or("a SINGLE coupon comes with its stock")?;
    let send = SendCouponRequest::builder()
        .ids_from(&stock)
        .appid("wx4fd12345678")
        .send_request_no("AXUM_SEND_0001")
        .brand_id(demo::BRAND_ID)
        .build()?;
    let sent = client.send_coupon("oUser_axum", &send).await?;
    println!("sent {} ({})", sent.coupon_code, sent.coupon_state.as_str());
    for _ in 0..100 {
        let now = client
            .get_user_coupon(
                "oUser_axum",
                &sent.coupon_code,
                demo::BRAND_ID,
                &stock.product_coupon_id,
                &stock.stock_id,
                "wx4fd12345678",
            )
            .await?;
        if now.coupon_state.as_str() != "CONFIRMING" {
            println!("the app confirmed it: {}", now.coupon_state.as_str());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sandbox.shutdown().await;
    Ok(())
}
