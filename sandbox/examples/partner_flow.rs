//! The whole 服务商 flow against the in-process sandbox, the flow every partner app needs:
//! create a SINGLE (单券) coupon, set the notify URL, send a coupon to a user, answer the
//! 领券通知 in an axum handler and confirm the coupon, use it, and list the user's coupons page
//! by page.
//!
//! The README's "Using the client" shows [`run`] as it is here (a test keeps the two equal), and
//! `sandbox/tests/readme_flow.rs` runs it, so the README's flow is compiled and run code.
//!
//! ```sh
//! cargo run -p wechatpay-sandbox --example partner_flow
//! ```

use wechatpay_product_coupon::Client;
use wechatpay_product_coupon::models::*;
use wechatpay_sandbox::{Sandbox, demo};

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let used = run().await?;
    println!("used coupon {} ({})", used.coupon_code, used.coupon_state.as_str());
    Ok(())
}

// README-FLOW-START
/// The flow, returning the used coupon.
pub async fn run() -> Result<UserProductCoupon, Box<dyn std::error::Error + Send + Sync>> {
    // WeChat Pay on loopback; its business clock inside the demo coupon's available period.
    let sandbox = Sandbox::builder().start_time(demo::DEMO_TIME).start().await?;
    // The sandbox's merchant: keys, WeChat Pay public key and APIv3 key (for notifications).
    let client = sandbox.client_builder().build()?;

    // 1. A SINGLE 满减 coupon and its stock (the request's builder calls: sandbox/src/demo.rs).
    let coupon = client.create_product_coupon(&demo::single_product_coupon_request("FLOW_0001")).await?;
    let stock = coupon.stock.ok_or("a SINGLE coupon comes with its stock")?;

    // 2. Where WeChat Pay sends notifications: this app's callback (`callback::serve` below).
    let (notify_url, mut confirmed) = callback::serve(client.clone()).await?;
    client.set_notify_config(&SetNotifyConfigRequest::builder().notify_url(notify_url).build()?).await?;

    // 3. Send one coupon to a user; the ids come from the stock (product_coupon_id, stock_id).
    let send = SendCouponRequest::builder()
        .ids_from(&stock)
        .appid("wx4fd12345678")
        .send_request_no("FLOW_SEND_0001")
        .brand_id(demo::BRAND_ID)
        .build()?;
    let sent = client.send_coupon("oUser_flow", &send).await?; // CONFIRMING until confirmed

    // 4. The 领券通知 reaches the callback, which confirms the coupon (see `on_send_event`).
    let event = confirmed.recv().await.ok_or("the callback stopped")?;
    assert_eq!(event.coupon_code, sent.coupon_code);

    // 5. Use it (核销), the ids again from the event.
    let use_request = UseUserCouponRequest::builder()
        .ids_from(&event)
        .use_time(sandbox.now())
        .out_request_no("FLOW_USE_0001")
        .build()?;
    let used = client.use_user_coupon(&event.openid, &event.coupon_code, &use_request).await?;

    // 6. The user's coupons, page by page (`.stream()` fetches the next page when needed).
    let mut coupons = client.list_user_coupons(&event.openid, &event.brand_id, &event.appid).page_size(10).stream();
    while let Some(coupon) = coupons.next_item().await {
        let coupon = coupon?;
        println!("{} {}", coupon.coupon_code, coupon.coupon_state.as_str());
    }
    sandbox.shutdown().await;
    Ok(used)
}

/// What the callback does with a 领券通知: confirm the coupon (确认发放用户商品券; until then it
/// stays CONFIRMING and cannot be used). The request number is derived from the coupon, so a
/// notification delivered twice repeats the same request, which WeChat Pay answers the same way.
async fn on_send_event(
    client: &Client,
    sent: &ProductCouponSendResource,
) -> Result<(), wechatpay_product_coupon::Error> {
    let confirm = ConfirmUserCouponRequest::builder()
        .ids_from(sent)
        .out_request_no(format!("CONFIRM_{}", sent.coupon_code))
        .build()?;
    client.confirm_user_coupon(&sent.openid, &sent.coupon_code, &confirm).await?;
    Ok(())
}
// README-FLOW-END

/// The callback server: an axum app on loopback (the client's `axum` feature). `Notified`
/// verifies and decrypts each notification with the client of the app's state, and answers
/// for the handler when that fails; a send event is confirmed by [`on_send_event`] and
/// reported on the channel; `NotifyAck` is 204, or a failure body that makes WeChat Pay
/// deliver the notification again.
mod callback {
    use super::*;
    use axum::Router;
    use axum::extract::{FromRef, State};
    use axum::routing::post;
    use tokio::sync::mpsc;
    use wechatpay_product_coupon::notify::{NotificationEvent, Notified, NotifyAck};

    /// The app's state; `Notified<Client>` takes the client from it (`FromRef`).
    #[derive(Clone)]
    struct App {
        client: Client,
        confirmed: mpsc::Sender<ProductCouponSendResource>,
    }

    impl FromRef<App> for Client {
        fn from_ref(app: &App) -> Client {
            app.client.clone()
        }
    }

    /// Starts the server; returns its notify URL and the send events it confirmed.
    pub async fn serve(client: Client) -> std::io::Result<(String, mpsc::Receiver<ProductCouponSendResource>)> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/wechatpay/notify", listener.local_addr()?);
        let (tx, rx) = mpsc::channel(8);
        let app = Router::new().route("/wechatpay/notify", post(handle)).with_state(App { client, confirmed: tx });
        tokio::spawn(axum::serve(listener, app).into_future());
        Ok((url, rx))
    }

    async fn handle(State(app): State<App>, Notified(n): Notified<Client>) -> NotifyAck {
        if let NotificationEvent::ProductCouponSend(sent) = n.event {
            if let Err(e) = on_send_event(&app.client, &sent).await {
                return NotifyAck::Fail(format!("confirm failed: {e}"));
            }
            let _ = app.confirmed.send(*sent).await;
        }
        NotifyAck::Ok
    }
}
