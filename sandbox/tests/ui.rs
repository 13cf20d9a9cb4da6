//! `GET /sandbox/ui`: the sandbox's own page, fetched over HTTP after a flow through the client;
//! every value escaped; behind the admin gate, which lets the page's own (same-origin) actions in
//! and refuses every other origin.

mod common;

use common::*;
use serde_json::Value;
use wechatpay_product_coupon::models::SendCouponRequest;
use wechatpay_sandbox::{RunningSandbox, demo};

fn ui_url(sandbox: &RunningSandbox) -> String {
    format!("http://{}/sandbox/ui", sandbox.addr())
}

/// A coupon created and sent to [`OPENID`] through the client; (coupon id, coupon code).
async fn coupon_sent(sandbox: &RunningSandbox, name: &str) -> (String, String) {
    let client = client(sandbox);
    let mut request = demo::single_product_coupon_request("UI_0001");
    request.display_info.name = name.to_owned();
    request.stock.as_mut().unwrap().remark = Some("</td><script>".to_owned());
    let created = client.create_product_coupon(&request).await.unwrap();
    let stock_id = created.stock.unwrap().stock_id;
    let send = SendCouponRequest::builder()
        .product_coupon_id(&created.product_coupon_id)
        .stock_id(&stock_id)
        .appid(APPID)
        .send_request_no("UI_SEND_0001")
        .brand_id(BRAND)
        .build()
        .unwrap();
    let sent = client.send_coupon(OPENID, &send).await.unwrap();
    (created.product_coupon_id.to_string(), sent.coupon_code.to_string())
}

async fn get_page(sandbox: &RunningSandbox) -> String {
    let resp = reqwest::get(ui_url(sandbox)).await.unwrap();
    assert_eq!(resp.status(), 200);
    let headers = resp.headers();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    resp.text().await.unwrap()
}

#[tokio::test]
async fn the_page_shows_coupons_user_coupons_and_the_clock() {
    let sandbox = family_sandbox().await;
    let (coupon_id, code) = coupon_sent(&sandbox, "指定商品立减15").await;
    sandbox.faults().inject_for("use_user_coupon", wechatpay_sandbox::faults::FaultAction::SystemError, 2);
    let page = get_page(&sandbox).await;
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains(&format!("<td>{coupon_id}</td>")), "the coupon id: {page}");
    assert!(page.contains("指定商品立减15"), "the coupon's name: {page}");
    assert!(page.contains(&format!("openid {OPENID}")), "the user: {page}");
    assert!(
        page.contains(&format!("<tr><td>{code}</td><td>CONFIRMING</td><td>{coupon_id}</td>")),
        "the user's coupon: {page}"
    );
    assert!(page.contains(&format!("<b id=\"clock\">{}</b>", sandbox.now())), "the clock: {page}");
    assert!(page.contains("PRODUCT_COUPON_SP.SEND"), "the send notification: {page}");
    assert!(page.contains("no_notify_url"), "its delivery status: {page}");
    assert!(page.contains("<tr><td>500</td><td class=\"n\">2</td><td>use_user_coupon</td></tr>"), "the fault: {page}");
    assert!(page.contains("advance clock") && page.contains("queue fault"), "the actions: {page}");

    // A moved clock shows.
    sandbox.advance_time(std::time::Duration::from_secs(86_400)).unwrap();
    let page = get_page(&sandbox).await;
    assert!(page.contains(&format!("<b id=\"clock\">{}</b>", sandbox.now())), "the moved clock: {page}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn every_value_on_the_page_is_escaped() {
    let sandbox = family_sandbox().await;
    let name = "<script>x\"&'";
    let (coupon_id, _) = coupon_sent(&sandbox, name).await;
    let state = reqwest::get(format!("{}/sandbox/state", sandbox.base_url())).await.unwrap().text().await.unwrap();
    let state: Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["product_coupons"][0]["coupon"]["display_info"]["name"], name, "the name was stored as sent");
    let page = get_page(&sandbox).await;
    assert!(page.contains(&coupon_id));
    assert!(page.contains("&lt;script&gt;x&quot;&amp;&#39;"), "escaped: {page}");
    assert!(!page.contains("<script>x") && !page.contains("</td><script>"), "never raw: {page}");
    // The page's one script element is its own.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    // The stock's remark, in the folded stock table.
    assert!(page.contains("<td>&lt;/td&gt;&lt;script&gt;</td>"), "the remark escaped: {page}");
    // The decrypted resource of the send notification, JSON, escaped.
    assert!(page.contains("&quot;openid&quot;: &quot;"), "the resource escaped: {page}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_gate_lets_the_page_act_and_refuses_other_origins() {
    let sandbox = family_sandbox().await;
    let http = reqwest::Client::new();
    let own = format!("http://{}", sandbox.addr());
    let clock = |origin: &str| {
        http.post(format!("{}/sandbox/clock", sandbox.base_url()))
            .header("Origin", origin)
            .header("Content-Type", "application/json")
            .body(r#"{"advance_seconds":3600}"#)
    };
    let before = sandbox.now();
    // Another site's page (or another local port, or a sandboxed frame) can neither write nor read.
    let foreigns =
        ["https://evil.example".to_owned(), "null".into(), "http://127.0.0.1:1".into(), own.replace("http:", "https:")];
    for foreign in &foreigns {
        let foreign = foreign.as_str();
        let resp = clock(foreign).send().await.unwrap();
        assert_eq!(resp.status(), 403, "{foreign}");
        let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
        assert!(body["message"].as_str().unwrap().contains("Origin"), "{foreign}: {body}");
        for path in ["/sandbox/ui", "/sandbox/state"] {
            let resp =
                http.get(format!("{}{path}", sandbox.base_url())).header("Origin", foreign).send().await.unwrap();
            assert_eq!(resp.status(), 403, "{foreign} reading {path}");
        }
    }
    assert_eq!(sandbox.now(), before, "nothing moved the clock");
    // The page's own action: same origin, JSON.
    let resp = clock(&own).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_ne!(sandbox.now(), before, "the page moved the clock");
    let queued = http
        .post(format!("{}/sandbox/faults", sandbox.base_url()))
        .header("Origin", &own)
        .header("Content-Type", "application/json")
        .body(r#"{"fault":"429","count":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 200);
    assert_eq!(sandbox.faults().pending().len(), 1);
    // Still JSON only, same origin or not.
    let form = http
        .post(format!("{}/sandbox/faults", sandbox.base_url()))
        .header("Origin", &own)
        .header("Content-Type", "text/plain")
        .body(r#"{"fault":"429","count":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    // A page of a rebound name is its own origin, but its Host is not local.
    let rebound = http
        .get(format!("{}/sandbox/ui", sandbox.base_url()))
        .header("Host", format!("evil.example:{}", sandbox.addr().port()))
        .header("Origin", format!("http://evil.example:{}", sandbox.addr().port()))
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_page_stays_one_compact_table_at_200_coupons() {
    let sandbox = family_sandbox().await;
    let client = client(&sandbox);
    for i in 0..200 {
        client.create_product_coupon(&demo::single_product_coupon_request(&format!("UI_MANY_{i:04}"))).await.unwrap();
    }
    let page = get_page(&sandbox).await;
    assert!(page.contains("Product coupons (200)"), "{page}");
    // One row per coupon in one table, each one's stocks folded away.
    assert_eq!(page.matches("<tr><td>1000000").count(), 200);
    assert_eq!(page.matches("<details><summary>1 stock(s), 0 bundle(s)</summary>").count(), 200);
    assert_eq!(page.matches("<table>").count(), 1 + 200, "the coupons' table and one folded table each");
    assert!(page.len() < 1024 * 1024, "{} bytes", page.len());
    sandbox.shutdown().await;
}
