//! `GET /sandbox/ui`: the sandbox's state as one server-rendered page (behind the admin
//! [`gate`](crate::admin::gate), like every `/sandbox/...` endpoint), with the few actions a
//! developer reaches for: advance the business clock, queue and clear faults.
//!
//! Every value shown comes from the state, which holds what API callers sent, so every value
//! goes through [`esc`] (the one escaping function) on its way into the page; markup is only
//! ever the constant strings of this module. The page's one inline script (allowed by its hash in
//! the `Content-Security-Policy`, nothing else runs) sends the actions as same-origin `fetch`
//! POSTs with `Content-Type: application/json` to the admin endpoints, which the gate lets in
//! because their `Origin` is the sandbox's own.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::Value;

use wechatpay_product_coupon::generated::operations::OPERATIONS;

use crate::faults::CERTIFICATES_OPERATION;
use crate::shared::{Body, Shared};

/// The text `s` as HTML text or a quoted attribute value: `&`, `<`, `>`, `"` and `'` replaced
/// by their character references. The one escaping function of the page: every value from the
/// state goes through it.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A JSON value as text: a string as itself, `null` (or missing) as empty, anything else as JSON.
fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The value at a `/`-separated JSON pointer below `v`, as escaped text.
fn at(v: &Value, pointer: &str) -> String {
    esc(&text(v.pointer(pointer)))
}

const STYLE: &str = "body{font:13px/1.35 system-ui,sans-serif;margin:1em}\
table{border-collapse:collapse;margin:.3em 0 1em}\
th,td{border:1px solid #ccc;padding:1px 5px;text-align:left;vertical-align:top}\
th{background:#f0f0f0}td.n{text-align:right}\
details>summary{cursor:pointer}pre{margin:0;white-space:pre-wrap;max-width:70em}\
form{display:inline-block;margin:0 1.5em .5em 0}#message{color:#a00}\
h2{margin:1em 0 .2em;font-size:1.15em}";

/// Sends each form's action as JSON; reloads the page when it succeeded, shows the error
/// otherwise. Forms carry `data-path`, `data-method` and `data-kind`.
const SCRIPT: &str = r#"
document.querySelectorAll('form[data-path]').forEach(function (form) {
  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    var body = {};
    var kind = form.dataset.kind;
    if (kind === 'clock') {
      body = { advance_seconds: parseInt(form.elements.seconds.value, 10) };
    } else if (kind === 'fault') {
      body = { fault: form.elements.fault.value, count: parseInt(form.elements.count.value, 10) };
      if (form.elements.operation.value) { body.operation = form.elements.operation.value; }
    }
    var message = document.getElementById('message');
    try {
      var response = await fetch(form.dataset.path, {
        method: form.dataset.method,
        headers: { 'Content-Type': 'application/json' },
        body: kind === 'clear' ? undefined : JSON.stringify(body)
      });
      if (response.ok) { location.reload(); return; }
      var answer = await response.text();
      message.textContent = response.status + ': ' + answer;
    } catch (e) {
      message.textContent = String(e);
    }
  });
});
"#;

const FAULTS: [&str; 9] =
    ["500", "429", "202", "drop", "drop_after", "bad_signature", "stale_timestamp", "panic", "delay=1s"];

/// `Content-Security-Policy`: nothing loads or runs but the page's own style and script
/// (by hash); `fetch` only to the sandbox; no frame may show the page.
fn content_security_policy() -> String {
    let hash = |s: &str| {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, s.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    };
    format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        hash(STYLE),
        hash(SCRIPT)
    )
}

/// The page.
pub(crate) fn page(shared: &Shared) -> Response<Body> {
    let html = render(shared);
    let mut resp = Response::new(Body::new(hyper::body::Bytes::from(html)));
    *resp.status_mut() = StatusCode::OK;
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy()) {
        h.insert("content-security-policy", csp);
    }
    h.insert("server", HeaderValue::from_static("wechatpay-sandbox"));
    resp
}

fn render(shared: &Shared) -> String {
    let state = crate::snapshot::state_json(shared);
    let clock = crate::snapshot::clock_json(shared);
    let notifications = serde_json::to_value(shared.notifier.records()).unwrap_or_default();
    let faults = serde_json::to_value(shared.faults.pending()).unwrap_or_default();
    let empty = Vec::new();
    let list = |v: &Value, key: &str| -> Vec<Value> { v.get(key).and_then(Value::as_array).unwrap_or(&empty).clone() };

    let mut h = String::with_capacity(64 * 1024);
    h.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>wechatpay-sandbox</title><style>",
    );
    h.push_str(STYLE);
    h.push_str("</style></head><body>\n<h1>wechatpay-sandbox</h1>\n");
    let _ = writeln!(
        h,
        "<p>Business clock: <b id=\"clock\">{}</b> (offset {} s from the system clock). JSON: \
         <a href=\"/sandbox/state\">state</a>, <a href=\"/sandbox/notifications\">notifications</a>, \
         <a href=\"/sandbox/faults\">faults</a>, <a href=\"/sandbox\">info</a>.</p>",
        at(&clock, "/now"),
        at(&clock, "/offset_seconds"),
    );
    h.push_str(
        "<div><form id=\"advance-clock\" data-kind=\"clock\" data-path=\"/sandbox/clock\" data-method=\"POST\">\
         <input name=\"seconds\" type=\"number\" value=\"86400\" step=\"1\" aria-label=\"seconds\"> s \
         <button type=\"submit\">advance clock</button></form>",
    );
    h.push_str(
        "<form id=\"queue-fault\" data-kind=\"fault\" data-path=\"/sandbox/faults\" data-method=\"POST\">\
         <select name=\"fault\" aria-label=\"fault\">",
    );
    for f in FAULTS {
        let _ = write!(h, "<option>{}</option>", esc(f));
    }
    h.push_str(
        "</select> &times; <input name=\"count\" type=\"number\" value=\"1\" min=\"1\" aria-label=\"count\"> \
         <select name=\"operation\" aria-label=\"operation\"><option value=\"\">any operation</option>",
    );
    for op in OPERATIONS.iter().map(|m| m.id).chain([CERTIFICATES_OPERATION]) {
        let _ = write!(h, "<option>{}</option>", esc(op));
    }
    h.push_str(
        "</select> <button type=\"submit\">queue fault</button></form>\
         <form id=\"clear-faults\" data-kind=\"clear\" data-path=\"/sandbox/faults\" data-method=\"DELETE\">\
         <button type=\"submit\">clear faults</button></form></div>\n<p id=\"message\" role=\"status\"></p>\n",
    );

    // Faults.
    let faults = faults.as_array().cloned().unwrap_or_default();
    let _ = writeln!(h, "<h2 id=\"faults\">Queued faults ({})</h2>", faults.len());
    if !faults.is_empty() {
        h.push_str("<table><tr><th>fault</th><th>count</th><th>operation</th></tr>\n");
        for f in &faults {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                at(f, "/fault"),
                at(f, "/count"),
                at(f, "/operation")
            );
        }
        h.push_str("</table>\n");
    }

    // Product coupons, their stocks and bundles.
    let coupons = list(&state, "product_coupons");
    let _ = writeln!(h, "<h2 id=\"product-coupons\">Product coupons ({})</h2>", coupons.len());
    if !coupons.is_empty() {
        h.push_str(
            "<table><tr><th>product_coupon_id</th><th>account</th><th>brand_id</th><th>name</th><th>type</th>\
             <th>scope</th><th>usage_mode</th><th>state</th><th>sent</th><th>stocks and bundles</th></tr>\n",
        );
        for pc in &coupons {
            let c = pc.get("coupon").cloned().unwrap_or_default();
            let stocks = list(pc, "stocks");
            let bundles = list(pc, "stock_bundles");
            let mut rows = String::new();
            let mut sent = 0i64;
            let mut count = 0usize;
            let mut stock_row = |rows: &mut String, s: &Value, bundle: &str| {
                sent += s.pointer("/sent_count_info/total_count").and_then(Value::as_i64).unwrap_or(0);
                count += 1;
                let _ = writeln!(
                    rows,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>\
                     <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                    at(s, "/stock_id"),
                    esc(bundle),
                    at(s, "/stock_bundle_info/stock_bundle_index"),
                    at(s, "/state"),
                    at(s, "/coupon_code_mode"),
                    at(s, "/sent_count_info/total_count"),
                    at(s, "/sent_count_info/today_count"),
                    at(s, "/stock_send_rule/max_count"),
                    at(s, "/remark"),
                );
            };
            for s in &stocks {
                stock_row(&mut rows, s, "");
            }
            for b in &bundles {
                let id = text(b.get("stock_bundle_id"));
                for s in list(b, "stock_list") {
                    stock_row(&mut rows, &s, &id);
                }
            }
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td class=\"n\">{sent}</td><td><details><summary>{count} stock(s), {} bundle(s)</summary>",
                at(&c, "/product_coupon_id"),
                at(pc, "/mchid"),
                at(&c, "/brand_id"),
                at(&c, "/display_info/name"),
                at(&c, "/type"),
                at(&c, "/scope"),
                at(&c, "/usage_mode"),
                at(&c, "/state"),
                bundles.len(),
            );
            h.push_str(
                "<table><tr><th>stock_id</th><th>stock_bundle_id</th><th>index</th><th>state</th>\
                 <th>code mode</th><th>sent</th><th>today</th><th>max</th><th>remark</th></tr>\n",
            );
            h.push_str(&rows);
            h.push_str("</table></details></td></tr>\n");
        }
        h.push_str("</table>\n");
    }

    // User coupons, by user.
    let user_coupons = list(&state, "user_coupons");
    let mut by_user: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    for u in &user_coupons {
        by_user.entry((text(u.get("openid")), text(u.get("appid")))).or_default().push(u);
    }
    let _ =
        writeln!(h, "<h2 id=\"user-coupons\">User coupons ({} for {} user(s))</h2>", user_coupons.len(), by_user.len());
    if !by_user.is_empty() {
        h.push_str(
            "<table><tr><th>coupon_code</th><th>state</th><th>product_coupon_id</th><th>stock_id</th>\
             <th>account</th><th>send_channel</th><th>receive_time</th><th>valid_end_time</th></tr>\n",
        );
        for ((openid, appid), coupons) in &by_user {
            let _ = writeln!(
                h,
                "<tbody class=\"user\"><tr><th colspan=\"8\">openid {} (appid {}): {} coupon(s)</th></tr>",
                esc(openid),
                esc(appid),
                coupons.len()
            );
            for u in coupons {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    at(u, "/coupon/coupon_code"),
                    at(u, "/coupon/coupon_state"),
                    at(u, "/coupon/product_coupon/product_coupon_id"),
                    at(u, "/coupon/stock/stock_id"),
                    at(u, "/mchid"),
                    at(u, "/coupon/send_channel"),
                    at(u, "/coupon/receive_time"),
                    at(u, "/coupon/valid_end_time"),
                );
            }
            h.push_str("</tbody>\n");
        }
        h.push_str("</table>\n");
    }

    // Notifications.
    let notifications = notifications.as_array().cloned().unwrap_or_default();
    let _ = writeln!(h, "<h2 id=\"notifications\">Notifications ({})</h2>", notifications.len());
    if !notifications.is_empty() {
        h.push_str(
            "<table><tr><th>id</th><th>event_type</th><th>notify_url</th><th>attempts</th><th>status</th>\
             <th>answer</th><th>last error</th><th>resource</th><th></th></tr>\n",
        );
        for n in &notifications {
            let answer = match n.get("http_status") {
                Some(s) => esc(&format!("HTTP {s}")),
                None => at(n, "/error"),
            };
            let resource = serde_json::to_string_pretty(n.get("resource").unwrap_or(&Value::Null)).unwrap_or_default();
            // Re-delivery to the URL it went to; none without one.
            let redeliver = match n.get("notify_url").and_then(Value::as_str) {
                Some(_) => format!(
                    "<form class=\"redeliver\" data-kind=\"redeliver\" data-path=\"/sandbox/notifications/{}/redeliver\" \
                     data-method=\"POST\"><button type=\"submit\">re-deliver</button></form>",
                    at(n, "/id")
                ),
                None => String::new(),
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{answer}</td><td>{}</td>\
                 <td><details><summary>decrypted</summary><pre>{}</pre></details></td><td>{redeliver}</td></tr>",
                at(n, "/id"),
                at(n, "/event_type"),
                at(n, "/notify_url"),
                at(n, "/attempts"),
                at(n, "/status"),
                at(n, "/last_error"),
                esc(&resource),
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str(
        "<p>Re-delivery: a failed delivery is retried on the sandbox's own schedule; <em>re-deliver</em> sends a \
         notification again now (the same envelope, signed afresh), to the URL it went to.</p>\n",
    );

    // Notify URLs.
    if let Some(urls) = state.get("notify_urls").and_then(Value::as_object).filter(|u| !u.is_empty()) {
        h.push_str("<h2 id=\"notify-urls\">Notify URLs</h2>\n<table><tr><th>account</th><th>notify_url</th></tr>\n");
        for (account, config) in urls {
            let _ = writeln!(h, "<tr><td>{}</td><td>{}</td></tr>", esc(account), at(config, "/notify_url"));
        }
        h.push_str("</table>\n");
    }

    // Image generation tasks.
    let tasks = list(&state, "image_generation_tasks");
    let _ = writeln!(h, "<h2 id=\"image-tasks\">Image generation tasks ({})</h2>", tasks.len());
    if !tasks.is_empty() {
        h.push_str("<table><tr><th>task_id</th><th>brand_id</th><th>type</th><th>state</th></tr>\n");
        for t in &tasks {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                at(t, "/task_id"),
                at(t, "/brand_id"),
                at(t, "/image_generation_type"),
                at(t, "/task_state"),
            );
        }
        h.push_str("</table>\n");
    }

    h.push_str("<script>");
    h.push_str(SCRIPT);
    h.push_str("</script>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esc_replaces_every_character_that_means_markup() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("商品券 plain"), "商品券 plain");
        assert_eq!(at(&serde_json::json!({"a": {"b": "<b>"}}), "/a/b"), "&lt;b&gt;");
        assert_eq!(at(&serde_json::json!({"a": null}), "/a"), "");
        assert_eq!(at(&serde_json::json!({"a": 3}), "/a"), "3");
    }

    #[test]
    fn the_constant_script_and_style_hold_no_closing_tags() {
        // They are inserted raw; a `</` would end them early.
        assert!(!SCRIPT.contains("</"));
        assert!(!STYLE.contains("</"));
    }
}
