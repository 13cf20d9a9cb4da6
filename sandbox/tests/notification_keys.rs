//! Issue 21, point 2: the sandbox's client (and env file) carries the APIv3 key, so a callback
//! app built the documented way opens the sandbox's notifications as it is; a client without
//! the key, or with another one, gets an error that says why (and, answered with
//! `failure_body`, the sandbox's notification log shows the same reason). Keys never appear in
//! those messages.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use wechatpay_product_coupon::ids::CouponCode;
use wechatpay_product_coupon::models::SendCouponRequest;
use wechatpay_product_coupon::notify::{NotificationEvent, NotifyError, failure_body};
use wechatpay_product_coupon::{Client, RetryPolicy, VerificationMode};
use wechatpay_sandbox::{DeliveryStatus, RunningSandbox, Sandbox, demo};

/// Another well-formed APIv3 key: not the sandbox's.
const OTHER_KEY: &str = "NotTheSandboxApiV3Key_0123456789";

/// A sandbox in the demo period that tries each notification once (a refused delivery fails
/// at once instead of being retried for seconds).
async fn sandbox_trying_once() -> RunningSandbox {
    Sandbox::builder()
        .start_time(demo::DEMO_TIME)
        .rate_limit(false)
        .notify_retry_delays([])
        .start()
        .await
        .expect("sandbox starts")
}

/// Sends one coupon of a fresh single product coupon; the sandbox then notifies it.
async fn send_a_coupon(client: &Client, number: &str) -> CouponCode {
    let created = client.create_product_coupon(&demo::single_product_coupon_request(number)).await.unwrap();
    let request = SendCouponRequest::builder()
        .product_coupon_id(&created.product_coupon_id)
        .stock_id(created.stock.unwrap().stock_id)
        .appid(APPID)
        .send_request_no(format!("{number}_SEND"))
        .brand_id(BRAND)
        .build()
        .unwrap();
    client.send_coupon(OPENID, &request).await.unwrap().coupon_code
}

/// What a callback app saw: the event it opened, or the error's Display.
type Outcomes = Arc<Mutex<Vec<Result<NotificationEvent, String>>>>;

/// A callback app as the README describes it: `client.parse_notification(headers, body)`, 204
/// when it opens, else 400 with `failure_body(&error.to_string())`. Returns its notify URL.
async fn callback_app(client: Client, outcomes: Outcomes) -> String {
    use http_body_util::BodyExt as _;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wechatpay/notify", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let (client, outcomes) = (client.clone(), outcomes.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (client, outcomes) = (client.clone(), outcomes.clone());
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
                        let (status, text) = match client.parse_notification(&parts.headers, &body).await {
                            Ok(n) => {
                                outcomes.lock().unwrap().push(Ok(n.event));
                                (204, String::new())
                            }
                            Err(e) => {
                                outcomes.lock().unwrap().push(Err(e.to_string()));
                                (400, failure_body(&e.to_string()))
                            }
                        };
                        let response = hyper::Response::builder()
                            .status(status)
                            .body(http_body_util::Full::new(hyper::body::Bytes::from(text)))
                            .unwrap();
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
            });
        }
    });
    url
}

/// The sandbox's merchant client without an APIv3 key (what `client_builder()` gave before).
fn client_without_a_key(sandbox: &RunningSandbox) -> Client {
    let k = sandbox.keys();
    Client::builder()
        .mchid(&k.mchid)
        .merchant_serial_no(&k.merchant_serial_no)
        .private_key_pem(&k.merchant_key_pem)
        .wechatpay_public_key_pem(&k.public_key_id, &k.wechatpay_pub_pem)
        .base_url(sandbox.base_url())
        .no_backup_base_url()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Runs the callback app with `app_client`, sends a coupon and waits for the delivery's outcome.
async fn deliver_to(
    sandbox: &RunningSandbox,
    app_client: Client,
    number: &str,
) -> (Outcomes, DeliveryStatus, CouponCode) {
    let outcomes = Outcomes::default();
    let url = callback_app(app_client, outcomes.clone()).await;
    let client = client(sandbox);
    set_notify_url(&client, &url).await;
    let coupon_code = send_a_coupon(&client, number).await;
    let record = eventually("the delivery's outcome", || {
        sandbox.notifications().into_iter().find(|r| r.status != DeliveryStatus::Pending)
    })
    .await;
    (outcomes, record.status, coupon_code)
}

#[tokio::test]
async fn a_callback_app_with_the_sandboxs_client_builder_opens_its_notifications() {
    let sandbox = sandbox_trying_once().await;
    // The documented way: nothing but the sandbox's client builder.
    let app_client = sandbox.client_builder().build().unwrap();
    assert_eq!(app_client.verification_mode(), VerificationMode::PublicKey, "the key turns on no downloads");
    let (outcomes, status, coupon_code) = deliver_to(&sandbox, app_client, "KEYS_0001").await;
    assert_eq!(status, DeliveryStatus::Delivered { http_status: 204 });
    let outcomes = outcomes.lock().unwrap();
    let [Ok(NotificationEvent::ProductCouponSend(sent))] = outcomes.as_slice() else { panic!("{outcomes:?}") };
    assert_eq!((&sent.coupon_code, &sent.openid), (&coupon_code, &OPENID.into()));
}

#[tokio::test]
async fn without_the_key_the_error_says_so_and_the_log_shows_it() {
    let sandbox = sandbox_trying_once().await;
    let (outcomes, status, _) = deliver_to(&sandbox, client_without_a_key(&sandbox), "KEYS_0002").await;
    let why = "no APIv3 key configured: set it with ClientBuilder::apiv3_key / WECHATPAY_APIV3_KEY";
    let outcomes = outcomes.lock().unwrap();
    let [Err(error)] = outcomes.as_slice() else { panic!("{outcomes:?}") };
    assert!(error.contains(why), "the app's error names the reason: {error}");
    let DeliveryStatus::Failed { error: logged } = status else { panic!("{status:?}") };
    assert!(logged.starts_with("HTTP 400") && logged.contains("no APIv3 key configured"), "{logged}");
    assert!(!logged.contains(&sandbox.keys().apiv3_key));
}

#[tokio::test]
async fn with_another_key_the_error_says_the_key_differs() {
    let sandbox = sandbox_trying_once().await;
    let app_client = sandbox.client_builder().apiv3_key(OTHER_KEY).build().unwrap();
    let (outcomes, status, _) = deliver_to(&sandbox, app_client, "KEYS_0003").await;
    let why = "the AEAD tag did not verify: the APIv3 key differs from the one the notification was encrypted with";
    let outcomes = outcomes.lock().unwrap();
    let [Err(error)] = outcomes.as_slice() else { panic!("{outcomes:?}") };
    assert!(error.contains(why), "the app's error names the reason: {error}");
    assert!(!error.contains(OTHER_KEY) && !error.contains(&sandbox.keys().apiv3_key), "no key in it: {error}");
    let DeliveryStatus::Failed { error: logged } = status else { panic!("{status:?}") };
    assert!(logged.contains("the AEAD tag did not verify"), "{logged}");
}

#[tokio::test]
async fn the_errors_are_typed_and_keep_keys_out_of_debug() {
    let sandbox = family_sandbox().await;
    let callback = Callback::start(0).await;
    let client = client(&sandbox);
    set_notify_url(&client, &callback.url).await;
    send_a_coupon(&client, "KEYS_0004").await;
    let received = callback.wait_for(1).await.remove(0);

    let opened = client.parse_notification(&received.headers, &received.body).await.unwrap();
    assert!(matches!(opened.event, NotificationEvent::ProductCouponSend(_)), "{:?}", opened.event);

    let none = client_without_a_key(&sandbox).parse_notification(&received.headers, &received.body).await;
    assert!(matches!(none, Err(NotifyError::NoApiV3Key)), "{none:?}");

    let other = sandbox.client_builder().apiv3_key(OTHER_KEY).build().unwrap();
    let wrong = other.parse_notification(&received.headers, &received.body).await.unwrap_err();
    assert!(matches!(&wrong, NotifyError::Decrypt(m) if m.contains("the APIv3 key differs")), "{wrong:?}");
    for text in [format!("{wrong:?}"), format!("{other:?}"), format!("{:?}", sandbox.client_builder())] {
        assert!(!text.contains(OTHER_KEY) && !text.contains(&sandbox.keys().apiv3_key), "{text}");
    }
}

#[tokio::test]
async fn the_env_file_sets_the_apiv3_key() {
    let sandbox = family_sandbox().await;
    let dir = temp_dir("apiv3-key");
    let env_file = dir.join("sandbox.env");
    sandbox.write_env_file(&env_file).unwrap();
    let text = std::fs::read_to_string(&env_file).unwrap();
    let vars: std::collections::HashMap<&str, &str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k, v.trim_matches('\'')))
        .collect();
    assert_eq!(vars.get("WECHATPAY_APIV3_KEY"), Some(&sandbox.keys().apiv3_key.as_str()), "set, not commented");
    assert!(!vars.contains_key("WECHATPAY_VERIFY_MODE"), "public-key mode stays the default");
    // Everything from_env reads, given by hand (the process environment is shared by tests).
    let client = Client::builder()
        .mchid(vars["WECHATPAY_MCHID"])
        .merchant_serial_no(vars["WECHATPAY_MERCHANT_SERIAL_NO"])
        .private_key_pem(std::fs::read_to_string(vars["WECHATPAY_PRIVATE_KEY_PATH"]).unwrap())
        .wechatpay_public_key_pem(
            vars["WECHATPAY_PUBLIC_KEY_ID"],
            std::fs::read_to_string(vars["WECHATPAY_PUBLIC_KEY_PATH"]).unwrap(),
        )
        .apiv3_key(vars["WECHATPAY_APIV3_KEY"])
        .base_url(vars["WECHATPAY_BASE_URL"])
        .build()
        .unwrap();
    assert_eq!(client.verification_mode(), VerificationMode::PublicKey);
    let callback = Callback::start(0).await;
    set_notify_url(&client, &callback.url).await;
    send_a_coupon(&client, "KEYS_0005").await;
    let received = callback.wait_for(1).await.remove(0);
    let opened = client.parse_notification(&received.headers, &received.body).await.unwrap();
    assert!(matches!(opened.event, NotificationEvent::ProductCouponSend(_)), "{:?}", opened.event);
    std::fs::remove_dir_all(&dir).unwrap();
}
