//! Issue 19: retries and failovers log the path as documented (`{openid}`), never the
//! request's own path or query: an openid is personal data. One test in its own binary: a
//! tracing subscriber set for one thread sees every event only when no other test registers
//! the same call sites concurrently.

mod support;

use std::time::Duration;

use support::*;
use wechatpay_product_coupon::{Client, Error, RetryPolicy};

const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const APPID: &str = "wx233544546545989";

#[path = "support/log_capture.rs"]
mod log_capture;
use log_capture::Capture;

#[test]
fn retries_and_failovers_log_the_path_template_without_openid_or_query() {
    let capture = Capture::default();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let result = tracing::subscriber::with_default(capture.clone(), || {
        rt.block_on(async {
            // The primary refuses connections (failover); the backup drops every request
            // (a network error, retried), then answers a signed 404 with the openid echoed.
            let keys = WechatKeys::load();
            let backup = TestServer::start(move |req, i| {
                if i < 2 {
                    return Reply::Drop;
                }
                let body = format!(r#"{{"code":"RESOURCE_NOT_EXISTS","message":"no coupon for {}"}}"#, req.target);
                Reply::signed(404, &body, &keys.public_key_mode, PUB_KEY_ID)
            })
            .await;
            let refused = RefusedAddr::bind();
            let client = Client::builder()
                .mchid(MCHID)
                .merchant_serial_no(MERCHANT_SERIAL)
                .private_key_pem(MERCHANT_KEY_PEM)
                .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
                .base_url(refused.url())
                .backup_base_url(backup.url())
                .retry_policy(RetryPolicy::attempts(3).with_backoff(Duration::from_millis(1), Duration::from_millis(1)))
                .build()
                .unwrap();
            let result = client.get_user_coupon(OPENID, "CODE1", "120344", "1000000013", "9000001", APPID).await;
            assert_eq!(backup.requests().len(), 3, "two dropped attempts and the answer");
            assert!(backup.requests()[0].target.contains(OPENID) && backup.requests()[0].target.contains('?'));
            result
        })
    });
    assert!(matches!(&result, Err(Error::Api(e)) if e.status == 404), "{result:?}");
    let text = capture.0.lock().unwrap().join("\n");
    assert!(text.contains("failing over"), "a failover was logged: {text}");
    assert!(text.contains("retrying"), "a retry was logged: {text}");
    assert!(text.contains("/v3/marketing/partner/product-coupon/users/{openid}/coupons/{coupon_code}"), "{text}");
    for private in [OPENID, APPID, "CODE1", "appid=", "brand_id=", "stock_id=", "product_coupon_id="] {
        assert!(!text.contains(private), "{private:?} in the logs:\n{text}");
    }
}
