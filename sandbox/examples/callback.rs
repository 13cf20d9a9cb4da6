//! Callback: answer WeChat Pay's 领券通知 and confirm the coupon, end to end against the sandbox.
//!
//! The sandbox delivers `PRODUCT_COUPON_SP.SEND` to the notify URL like WeChat Pay does: the
//! resource encrypted with the APIv3 key, the body signed with the WeChat Pay key. This example
//! runs a tiny callback server (hyper) that verifies and decrypts it with
//! `Client::parse_notification`, confirms the coupon (确认发放用户商品券), and answers 204 (or a
//! 4xx/5xx with `failure_body`, so that WeChat Pay sends the notification again). The main flow
//! sets the notify URL, sends a coupon, waits for the callback and prints the confirmed coupon.
//!
//! ```sh
//! cargo run -p wechatpay-sandbox --example callback
//! ```

use std::convert::Infallible;
use std::time::Duration;

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use tokio::sync::mpsc;
use wechatpay_product_coupon::Client;
use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::notify::{NotificationEvent, failure_body};
use wechatpay_sandbox::{Sandbox, demo};

const OPENID: &str = "oUser_callback_demo";
const APPID: &str = "wx4fd12345678";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. The sandbox. Its business clock starts inside the demo coupon's available period
    //    (August 2025, the seed documents' dates), so the coupon can be confirmed and used.
    let sandbox = Sandbox::builder().start_time(demo::DEMO_TIME).start().await?;

    // 2. A client that can also open notifications: the WeChat Pay public key verifies their
    //    signature, the APIv3 key decrypts their resource (the sandbox's client builder has both;
    //    a real app sets them with `ClientBuilder::apiv3_key` or `WECHATPAY_APIV3_KEY`).
    let client = sandbox.client_builder().build()?;

    // 3. The callback server on loopback; it reports each coupon it confirmed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let notify_url = format!("http://{}/wechatpay/notify", listener.local_addr()?);
    let (confirmed_tx, mut confirmed_rx) = mpsc::channel(8);
    tokio::spawn(serve_callbacks(listener, client.clone(), confirmed_tx));

    // 4. 设置商品券事件通知地址: one address for every brand of the 服务商. WeChat Pay wants HTTPS;
    //    the sandbox also takes plain http on loopback.
    let config = SetNotifyConfigRequest::builder().notify_url(&notify_url).build()?;
    client.set_notify_config(&config).await?;
    println!("notify URL {notify_url}");

    // 5. A 单券 product coupon, and one coupon of it sent to a user. It starts CONFIRMING.
    let created = client.create_product_coupon(&demo::single_product_coupon_request("CALLBACK_DEMO_0001")).await?;
    let stock_id = created.stock.as_ref().map(|s| s.stock_id.clone()).unwrap_or_default();
    let send = SendCouponRequest::builder()
        .product_coupon_id(&created.product_coupon_id)
        .stock_id(&stock_id)
        .appid(APPID)
        .send_request_no("CALLBACK_DEMO_SEND_0001")
        .brand_id(demo::BRAND_ID)
        .build()?;
    let sent = client.send_coupon(OPENID, &send).await?;
    println!("sent coupon {} to {OPENID}: {}", sent.coupon_code, sent.coupon_state.as_str());

    // 6. The notification arrives asynchronously; the callback confirms the coupon.
    let confirmed = tokio::time::timeout(Duration::from_secs(30), confirmed_rx.recv())
        .await
        .map_err(|_| "no callback within 30 s")?
        .ok_or("the callback server stopped")?;
    println!(
        "callback confirmed coupon {}: {} (confirm_request_no {})",
        confirmed.coupon_code,
        confirmed.coupon_state.as_str(),
        confirmed.confirm_request_no.as_deref().unwrap_or("-"),
    );

    // 7. Read back: the coupon is usable now (EFFECTIVE), valid over the stock's period.
    let now = client
        .get_user_coupon(OPENID, &sent.coupon_code, demo::BRAND_ID, &created.product_coupon_id, &stock_id, APPID)
        .await?;
    println!(
        "查询用户商品券详情: {} (valid {} .. {})",
        now.coupon_state.as_str(),
        now.valid_begin_time,
        now.valid_end_time
    );
    sandbox.shutdown().await;
    Ok(())
}

/// Accepts connections and hands every request to [`on_callback`].
async fn serve_callbacks(
    listener: tokio::net::TcpListener,
    client: Client,
    confirmed: mpsc::Sender<UserProductCoupon>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let (client, confirmed) = (client.clone(), confirmed.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| on_callback(client.clone(), confirmed.clone(), req));
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
        });
    }
}

fn reply(status: u16, body: String) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if status != 204 {
        response.headers_mut().insert("Content-Type", hyper::header::HeaderValue::from_static("application/json"));
    }
    Ok(response)
}

/// One notification: verify and decrypt it, act on it, answer within 5 seconds.
async fn on_callback(
    client: Client,
    confirmed: mpsc::Sender<UserProductCoupon>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return reply(400, failure_body("could not read the body"));
    };
    // The signature is checked over the raw body before anything is decrypted or parsed. A
    // notification that does not verify is answered with a 4xx: never act on it.
    let notification = match client.parse_notification(&parts.headers, &body).await {
        Ok(n) => n,
        Err(e) => {
            eprintln!("callback refused: {e}");
            return reply(401, failure_body(&e.to_string()));
        }
    };
    match &notification.event {
        NotificationEvent::ProductCouponSend(sent) => {
            println!(
                "callback: {} {} for coupon {} of stock {} (user {}, brand {})",
                notification.event_type, notification.id, sent.coupon_code, sent.stock_id, sent.openid, sent.brand_id
            );
            // 确认发放用户商品券 is required after every 领券通知: until it is called the coupon
            // stays CONFIRMING and the user cannot use it. That holds whatever sent the coupon
            // (the send API, the 小程序发券组件, 摇一摇有优惠, 商家名片...): the notification is the
            // only place the partner learns about some of them.
            //
            // The request number is derived from the coupon, so a notification delivered twice
            // (it happens: deduplicate by coupon_code + event_type) repeats the same request,
            // which WeChat Pay answers with the same result instead of an error.
            let confirm = ConfirmUserCouponRequest::builder()
                .product_coupon_id(&sent.product_coupon_id)
                .stock_id(&sent.stock_id)
                .appid(&sent.appid)
                .out_request_no(format!("CONFIRM_{}", sent.coupon_code))
                .brand_id(&sent.brand_id)
                .build();
            let result = match confirm {
                Ok(request) => client.confirm_user_coupon(&sent.openid, &sent.coupon_code, &request).await,
                Err(e) => Err(e.into()),
            };
            match result {
                Ok(coupon) => {
                    let _ = confirmed.send(coupon).await;
                }
                // Not confirmed: answer with an error status, and WeChat Pay sends the
                // notification again, so the confirmation is tried again.
                Err(e) => {
                    eprintln!("confirm failed: {e}");
                    return reply(500, failure_body(&format!("confirm failed: {e}")));
                }
            }
        }
        // Other events (image generation results, event types this client does not know yet):
        // accepted, nothing to do here.
        other => println!("callback: {} (ignored)", other.event_type()),
    }
    reply(204, String::new())
}
