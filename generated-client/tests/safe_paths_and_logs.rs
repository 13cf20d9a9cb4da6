//! Issue 19: what goes on the wire, and into errors, on a shared network.
//!
//! * A path parameter that is empty, `.` or `..` would send `//` or a dot segment (which URL
//!   parsers resolve, so another path than the one signed): refused before anything is sent,
//!   naming the parameter, in typed calls with validation on or off, raw calls and dry runs.
//! * A network error names the domain, never the request's path or query (an openid is
//!   personal data, and errors get logged). What the client logs itself:
//!   `logs_without_personal_data.rs`.

mod support;

use std::time::Duration;

use support::*;
use wechatpay_product_coupon::generated::operations::GET_USER_COUPON;
use wechatpay_product_coupon::{CallOptions, Client, Error, RetryPolicy};

const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const APPID: &str = "wx233544546545989";

fn client(base_url: &str) -> Client {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .base_url(base_url)
        .retry_policy(RetryPolicy::attempts(3).with_backoff(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap()
}

/// The violation paths of a validation error (panics on any other outcome).
fn refused<T: std::fmt::Debug>(result: Result<T, Error>) -> Vec<String> {
    match result {
        Err(Error::Validation(v)) => v.iter().map(ToString::to_string).collect(),
        other => panic!("not refused: {other:?}"),
    }
}

#[tokio::test]
async fn empty_and_dot_path_parameters_are_refused_before_sending() {
    let srv = TestServer::start(|_, _| Reply::plain(500, "never asked")).await;
    let client = client(&srv.url());
    let unvalidated = client.with_options(CallOptions::new().skip_validation(true));
    for bad in ["", ".", ".."] {
        // Validated, an empty value already breaks the spec's minimum length (`openid: ...`);
        // unvalidated, the path itself refuses it (`path.openid: ...`).
        for (c, at) in [(&client, ""), (&unvalidated, "path.")] {
            let at = |name: &str| if bad.is_empty() { format!("{at}{name}") } else { format!("path.{name}") };
            let call = || c.get_user_coupon(bad, "CODE1", "120344", "1000000013", "9000001", APPID);
            let sent = refused(call().await);
            assert!(sent.len() == 1 && sent[0].starts_with(&at("openid")), "{bad:?}: {sent:?}");
            let prepared = refused(call().prepare());
            assert!(prepared[0].starts_with(&at("openid")), "{bad:?}: {prepared:?}");
            // The second parameter too.
            let second = refused(c.get_user_coupon(OPENID, bad, "120344", "1000000013", "9000001", APPID).await);
            assert!(second[0].starts_with(&at("coupon_code")), "{bad:?}: {second:?}");
        }
        let raw = client.core().send_raw(&GET_USER_COUPON, &[("openid", bad), ("coupon_code", "C")], &[], None).await;
        let raw = refused(raw);
        assert!(raw.len() == 1 && raw[0].starts_with("path.openid"), "{bad:?}: {raw:?}");
        let dry =
            refused(client.core().prepare_raw(&GET_USER_COUPON, &[("openid", "C"), ("coupon_code", bad)], &[], None));
        assert!(dry[0].starts_with("path.coupon_code"), "{bad:?}: {dry:?}");
    }
    assert!(srv.requests().is_empty(), "nothing was sent");
    // Dots inside a value are text: sent (and answered 500 here).
    let sent = client.core().send_raw(&GET_USER_COUPON, &[("openid", "a..b"), ("coupon_code", "...")], &[], None);
    assert!(matches!(sent.await, Err(Error::Api(_))));
    assert_eq!(srv.requests()[0].target, "/v3/marketing/partner/product-coupon/users/a..b/coupons/...");
}

#[tokio::test]
async fn a_network_error_names_the_domain_but_no_path_or_query() {
    let srv = TestServer::start(|_, _| Reply::Drop).await;
    let client = Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .base_url(srv.url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let result = client.get_user_coupon(OPENID, "CODE1", "120344", "1000000013", "9000001", APPID).await;
    let Err(e @ Error::Transport(_)) = result else { panic!("{result:?}") };
    // What an application logs: `{e}`, `{e:?}`, the source chain.
    let shown = format!("{e} {e:?}");
    assert!(shown.contains(&srv.addr.to_string()), "the domain is named: {shown}");
    for private in [OPENID, "CODE1", APPID, "appid="] {
        assert!(!shown.contains(private), "{private:?} in the error: {shown}");
    }
}
