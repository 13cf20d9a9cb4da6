//! The admin API under `/sandbox/...`: information, state, the fault queue, the clock and
//! notifications. It is neither authenticated nor signed, so [`gate`] lets in only requests
//! that come from this machine and not from a web page on it, unless the sandbox was started
//! with `--admin-from-anywhere` (then from any peer, still not from a web page).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Bytes, Incoming};
use hyper::http::request::Parts;
use hyper::{Method, Response, StatusCode};
use serde_json::{Value, json};

use wechatpay_product_coupon::generated::operations::OPERATIONS;

use crate::clock::parse_rfc3339;
use crate::faults::{CERTIFICATES_OPERATION, FAULT_HEADER, Fault, QueuedFault};
use crate::shared::{Body, Shared, plain_json, read_body, with_ctx};
use crate::snapshot::{clock_json, state_json};
use crate::state::ApiFailure;

/// Largest admin request body (they are a line of JSON).
const MAX_ADMIN_BODY: usize = 64 * 1024;

/// Whether a peer may use the admin endpoints (`/sandbox/...`): they are unauthenticated and
/// can move the clock, queue faults and read every secret-free detail of the state, so only
/// this machine may, unless the sandbox was started with `--admin-from-anywhere`. An
/// IPv4-mapped IPv6 loopback address (`::ffff:127.0.0.1`) is loopback too.
pub(crate) fn admin_allowed(peer: IpAddr, from_anywhere: bool) -> bool {
    from_anywhere || peer.to_canonical().is_loopback()
}

/// Where an admin request came in: the peer, the connection's local address and the
/// sandbox's listen address.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origins {
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub listen: SocketAddr,
}

/// The admin gate, before anything is read or done: `Err` is the 403's message.
///
/// "Only this machine" is not enough, since a browser runs on this machine too: any web page
/// it shows can send a request to `http://127.0.0.1:PORT/sandbox/...`. So, for every admin
/// endpoint, GETs included:
///
/// * the peer is loopback, unless `--admin-from-anywhere` ([`admin_allowed`]);
/// * no `Origin` header other than the sandbox's own origin (`http://` and the `Host` header):
///   browsers send one with every cross-origin `fetch` and form POST, and with the same-origin
///   `fetch` POSTs of the sandbox's own page `/sandbox/ui` ([`crate::ui`]), the one page that
///   may drive it; `Origin: null` (sandboxed frames, `file:` pages) is refused too;
/// * no `Sec-Fetch-Site` other than `none` (typed into the address bar) or `same-origin`:
///   browsers send it with every request, `<img>` and `<script>` loads included;
/// * `Host` (and the request target's authority, if any) is `localhost` (any port), a
///   loopback IP literal (any port), the listen address or the address the connection came
///   in on: a page that rebinds its own name to 127.0.0.1 (DNS rebinding) sends its own name
///   as `Host` and is refused, so it cannot read `GET /sandbox/state` either.
///
/// Writes also need `Content-Type: application/json` ([`admin`]): the one content type a page
/// cannot send cross-site without a CORS preflight, which the sandbox never grants.
///
/// What it does not protect against: any process on this machine (or any peer, with
/// `--admin-from-anywhere`) can still use the admin endpoints, as intended.
pub(crate) fn gate(parts: &Parts, at: Origins, from_anywhere: bool) -> Result<(), String> {
    if !admin_allowed(at.peer.ip(), from_anywhere) {
        return Err(format!(
            "the admin endpoints /sandbox/... answer only loopback peers, and this request came from {}; \
             start the sandbox with --admin-from-anywhere (SandboxBuilder::admin_from_anywhere) to open them",
            at.peer.ip()
        ));
    }
    if let Some(site) = parts.headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"none" | b"same-origin")
    {
        return Err(format!(
            "the admin endpoints /sandbox/... refuse requests a browser made for another site (Sec-Fetch-Site: {:?})",
            String::from_utf8_lossy(site.as_bytes())
        ));
    }
    let mut hosts = parts.headers.get_all(hyper::header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(host), None) => host.to_str().map_err(|_| "the Host header is not visible ASCII".to_owned())?,
        (None, _) => return Err("the admin endpoints /sandbox/... need a Host header".into()),
        (Some(_), Some(_)) => return Err("more than one Host header".into()),
    };
    for named in std::iter::once(host).chain(parts.uri.authority().map(|a| a.as_str())) {
        if !host_allowed(named, at) {
            return Err(format!(
                "the admin endpoints /sandbox/... answer only requests addressed to localhost, a loopback address \
                 or {} (this request was addressed to {named:?}; a web page whose name was made to point here, \
                 DNS rebinding, is refused this way); use http://{}/sandbox/...",
                at.listen, at.listen
            ));
        }
    }
    // Checked after `Host`, which it is compared with: only then is `http://{host}` known to be
    // the sandbox's own origin.
    if let Some(origin) = parts.headers.get(hyper::header::ORIGIN)
        && !same_origin(origin.as_bytes(), host)
    {
        return Err(format!(
            "the admin endpoints /sandbox/... refuse requests with an Origin header ({:?}) other than their own \
             (http://{host}): a web page of another site sent it, and no other site may drive the sandbox \
             (cross-site requests); send it from curl, a test or the sandbox's own page /sandbox/ui instead",
            String::from_utf8_lossy(origin.as_bytes())
        ));
    }
    Ok(())
}

/// Whether an `Origin` header is the sandbox's own origin, `http://` and the request's `Host`
/// (which [`gate`] has already found to be local): the origin of the page `/sandbox/ui` the
/// browser shows, whose actions send it. `null` and every other origin are not.
fn same_origin(origin: &[u8], host: &str) -> bool {
    origin.strip_prefix(b"http://").is_some_and(|rest| rest.eq_ignore_ascii_case(host.as_bytes()))
}

/// Whether `host` (a `Host` header value: a name or IP literal, an optional port) names the
/// sandbox in a way no other site can: `localhost` or a loopback literal with any port, or the
/// listen address or the connection's local address exactly (the port defaults to 80).
fn host_allowed(host: &str, at: Origins) -> bool {
    let Some((name, port)) = split_host_port(host) else { return false };
    if name.trim_end_matches('.').eq_ignore_ascii_case("localhost") {
        return true;
    }
    let Ok(ip) = name.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() else { return false };
    // An IPv6 literal must be bracketed in a Host header.
    if ip.is_ipv6() && !name.starts_with('[') {
        return false;
    }
    let ip = ip.to_canonical();
    if ip.is_loopback() {
        return true;
    }
    let port = port.unwrap_or(80);
    [at.listen, at.local].iter().any(|a| a.ip().to_canonical() == ip && a.port() == port)
}

/// `host[:port]` or `[v6][:port]`; `None` when the port is not a number.
fn split_host_port(host: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        match &host[end + 1..] {
            "" => (&host[..=end], None),
            rest => (&host[..=end], Some(rest.strip_prefix(':')?)),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    (!name.is_empty()).then_some((name, port))
}

/// Whether a write's `Content-Type` is `application/json` (parameters such as `charset`
/// allowed).
fn is_json(parts: &Parts) -> bool {
    let value = parts.headers.get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    value.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json")
}

/// An admin endpoint.
enum Endpoint {
    Info,
    State,
    Notifications,
    Clock,
    Faults,
    Claim(String),
    Redeliver(String),
    Ui,
}

impl Endpoint {
    fn route(path: &str) -> Option<Endpoint> {
        Some(match path.trim_end_matches('/') {
            "/sandbox" => Endpoint::Info,
            "/sandbox/state" => Endpoint::State,
            "/sandbox/notifications" => Endpoint::Notifications,
            "/sandbox/clock" => Endpoint::Clock,
            "/sandbox/faults" => Endpoint::Faults,
            "/sandbox/ui" => Endpoint::Ui,
            p => {
                if let Some(id) = p.strip_prefix("/sandbox/notifications/").and_then(|r| r.strip_suffix("/redeliver")) {
                    return Some(Endpoint::Redeliver(id.to_owned()));
                }
                let token = p.strip_prefix("/sandbox/pre-send-tokens/")?.strip_suffix("/claim")?;
                Endpoint::Claim(token.to_owned())
            }
        })
    }

    fn allows(&self, method: &Method) -> bool {
        match self {
            Endpoint::Info | Endpoint::State | Endpoint::Ui => method == Method::GET,
            Endpoint::Notifications => method == Method::GET || method == Method::DELETE,
            Endpoint::Clock => method == Method::GET || method == Method::POST,
            Endpoint::Faults => method == Method::GET || method == Method::POST || method == Method::DELETE,
            Endpoint::Claim(_) | Endpoint::Redeliver(_) => method == Method::POST,
        }
    }
}

const ENDPOINTS: &str = "admin endpoints: GET /sandbox, GET /sandbox/ui (a page), GET /sandbox/state, GET|POST|DELETE /sandbox/faults, \
                         GET|DELETE /sandbox/notifications, POST /sandbox/notifications/{id}/redeliver, GET|POST /sandbox/clock, POST /sandbox/pre-send-tokens/{token}/claim";

/// `/sandbox/...`, past the [`gate`]: routed and checked (404, 405, 415 for a write that is not
/// `application/json`) before the body is read; only the writes read it, at most 64 KiB.
pub(crate) async fn admin(
    shared: &Arc<Shared>,
    parts: &Parts,
    body: Incoming,
    body_timeout: Duration,
) -> Response<Body> {
    let method = &parts.method;
    let Some(endpoint) = Endpoint::route(parts.uri.path()) else {
        return plain_json(StatusCode::NOT_FOUND, &json!({"code": "NOT_FOUND", "message": ENDPOINTS}));
    };
    if !endpoint.allows(method) {
        return plain_json(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"code": "METHOD_NOT_ALLOWED", "message": format!("{method} is not allowed here; {ENDPOINTS}")}),
        );
    }
    if method != Method::GET && !is_json(parts) {
        return plain_json(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &json!({"code": "UNSUPPORTED_MEDIA_TYPE", "message": format!(
                "admin writes ({method} /sandbox/...) need Content-Type: application/json, the one a web page \
                 cannot send to another site without asking first, so no page can write here; \
                 e.g. curl -H 'Content-Type: application/json' ..."
            )}),
        );
    }
    let body = if method == Method::POST {
        match read_body(body, MAX_ADMIN_BODY, body_timeout).await {
            Ok(body) => body,
            Err(refused) => return refused,
        }
    } else {
        Bytes::new()
    };
    match (endpoint, method.as_str()) {
        (Endpoint::Info, _) => plain_json(StatusCode::OK, &info(shared)),
        (Endpoint::State, _) => plain_json(StatusCode::OK, &state_json(shared)),
        (Endpoint::Ui, _) => crate::ui::page(shared),
        (Endpoint::Notifications, "DELETE") => {
            shared.notifier.clear();
            plain_json(StatusCode::OK, &json!({ "notifications": [] }))
        }
        (Endpoint::Notifications, _) => {
            plain_json(StatusCode::OK, &json!({ "notifications": shared.notifier.records() }))
        }
        (Endpoint::Redeliver(id), _) => match shared.notifier.redeliver(&id) {
            Ok(()) => plain_json(StatusCode::ACCEPTED, &json!({ "redelivering": id })),
            Err(message) => plain_json(StatusCode::NOT_FOUND, &json!({"code": "NOT_FOUND", "message": message})),
        },
        (Endpoint::Clock, "POST") => set_clock(shared, &body),
        (Endpoint::Clock, _) => plain_json(StatusCode::OK, &clock_json(shared)),
        (Endpoint::Claim(token), _) => match claim_pre_send(shared, &token).await {
            Ok(claimed) => plain_json(StatusCode::OK, &json!(claimed)),
            Err(f) => plain_json(
                StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_REQUEST),
                &serde_json::from_slice::<Value>(&f.body()).unwrap_or_default(),
            ),
        },
        (Endpoint::Faults, "DELETE") => {
            shared.faults.clear();
            plain_json(StatusCode::OK, &json!({ "pending": [] }))
        }
        (Endpoint::Faults, "POST") => queue_fault(shared, &body),
        (Endpoint::Faults, _) => plain_json(StatusCode::OK, &json!({ "pending": shared.faults.pending() })),
    }
}

/// `POST /sandbox/clock`.
fn set_clock(shared: &Shared, body: &[u8]) -> Response<Body> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct SetClock {
        #[serde(default)]
        advance_seconds: Option<i64>,
        #[serde(default)]
        now: Option<String>,
    }
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
    match moved {
        Ok(()) => plain_json(StatusCode::OK, &clock_json(shared)),
        Err(message) => plain_json(StatusCode::BAD_REQUEST, &json!({"code": "PARAM_ERROR", "message": message})),
    }
}

/// `POST /sandbox/faults`.
fn queue_fault(shared: &Shared, body: &[u8]) -> Response<Body> {
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

/// A pre-send token taken in the 小程序发券组件 (simulated).
pub(crate) async fn claim_pre_send(
    shared: &Arc<Shared>,
    token: &str,
) -> Result<crate::user_coupons::Claimed, ApiFailure> {
    let mchid = shared.state().pre_send_tokens.get(token).map(|r| r.mchid.clone()).unwrap_or_default();
    with_ctx(shared, &mchid, |ctx| ctx.claim_pre_send(token)).await
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

    fn request(headers: &[(&str, &str)], target: &str) -> Parts {
        let mut builder = hyper::Request::builder().method("POST").uri(target);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    fn at(peer: &str) -> Origins {
        Origins {
            peer: peer.parse().unwrap(),
            local: "127.0.0.1:8080".parse().unwrap(),
            listen: "127.0.0.1:8080".parse().unwrap(),
        }
    }

    #[test]
    fn the_gate_lets_in_this_machine_addressed_by_a_local_name() {
        for host in [
            "127.0.0.1:8080",
            "127.0.0.1:9999",
            "127.0.0.2",
            "localhost",
            "localhost:8080",
            "LOCALHOST:1",
            "localhost.:8080",
            "[::1]:8080",
            "[::1]",
            "[::ffff:127.0.0.1]:8080",
        ] {
            assert_eq!(
                gate(&request(&[("host", host)], "/sandbox/clock"), at("127.0.0.1:50000"), false),
                Ok(()),
                "{host}"
            );
        }
        // Typed into a browser's address bar: no Origin, Sec-Fetch-Site: none.
        let typed = request(&[("host", "127.0.0.1:8080"), ("sec-fetch-site", "none")], "/sandbox/state");
        assert_eq!(gate(&typed, at("127.0.0.1:50000"), false), Ok(()));
    }

    #[test]
    fn the_gate_refuses_web_pages_and_foreign_names() {
        let refused = |headers: &[(&str, &str)], target: &str| {
            gate(&request(headers, target), at("127.0.0.1:50000"), false).expect_err("refused")
        };
        let e = refused(&[("host", "127.0.0.1:8080"), ("origin", "https://evil.example")], "/sandbox/faults");
        assert!(e.contains("Origin"), "{e}");
        let e = refused(&[("host", "127.0.0.1:8080"), ("origin", "null")], "/sandbox/faults");
        assert!(e.contains("Origin"), "{e}");
        let e = refused(&[("host", "127.0.0.1:8080"), ("sec-fetch-site", "cross-site")], "/sandbox/state");
        assert!(e.contains("Sec-Fetch-Site"), "{e}");
        for host in [
            "evil.example:8080",
            "evil.example",
            "127.0.0.1.evil.example:8080",
            "localhost.evil.example",
            "10.0.0.5:8080",
            "127.0.0.1:notaport",
            "::1",
            "",
        ] {
            let e = refused(&[("host", host)], "/sandbox/state");
            assert!(e.contains("DNS rebinding"), "{host}: {e}");
        }
        let e = refused(&[], "/sandbox/state");
        assert!(e.contains("Host"), "{e}");
        let e = refused(&[("host", "127.0.0.1:8080"), ("host", "evil.example")], "/sandbox/state");
        assert!(e.contains("more than one Host"), "{e}");
        let e = refused(&[("host", "127.0.0.1:8080")], "http://evil.example/sandbox/state");
        assert!(e.contains("evil.example"), "an absolute request target is checked too: {e}");
        let e = gate(&request(&[("host", "127.0.0.1:8080")], "/sandbox"), at("10.0.0.9:50000"), false).unwrap_err();
        assert!(e.contains("--admin-from-anywhere"), "{e}");
    }

    #[test]
    fn the_gate_lets_in_the_sandboxs_own_page_and_no_other_origin() {
        let gated = |host: &str, origin: &str| {
            gate(&request(&[("host", host), ("origin", origin)], "/sandbox/clock"), at("127.0.0.1:50000"), false)
        };
        // The page /sandbox/ui's own fetch(): Origin is http:// and the Host it was loaded from.
        for (host, origin) in [
            ("127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("localhost:8080", "http://localhost:8080"),
            ("LocalHost:8080", "http://localhost:8080"),
            ("[::1]:8080", "http://[::1]:8080"),
            ("localhost", "http://localhost"),
        ] {
            assert_eq!(gated(host, origin), Ok(()), "{host} {origin}");
        }
        // Any other origin: another site, another port of this machine, another scheme, another
        // local name, a sandboxed frame or file: page (null), a prefix trick.
        for (host, origin) in [
            ("127.0.0.1:8080", "https://evil.example"),
            ("127.0.0.1:8080", "http://127.0.0.1:3000"),
            ("127.0.0.1:8080", "https://127.0.0.1:8080"),
            ("127.0.0.1:8080", "http://localhost:8080"),
            ("localhost:8080", "http://127.0.0.1:8080"),
            ("127.0.0.1:8080", "null"),
            ("127.0.0.1:8080", "http://127.0.0.1:8080.evil.example"),
            ("127.0.0.1:8080", "http://127.0.0.1:8080/"),
            ("127.0.0.1:8080", "127.0.0.1:8080"),
            ("127.0.0.1:8080", ""),
        ] {
            let e = gated(host, origin).expect_err(origin);
            assert!(e.contains("Origin"), "{host} {origin}: {e}");
        }
        // A rebound name is its own origin, but not a local Host.
        let e = gated("evil.example:8080", "http://evil.example:8080").unwrap_err();
        assert!(e.contains("DNS rebinding"), "{e}");
    }

    #[test]
    fn a_network_sandbox_is_addressed_by_its_ip() {
        let on_network = Origins {
            peer: "192.168.1.20:50000".parse().unwrap(),
            local: "192.168.1.5:8080".parse().unwrap(),
            listen: "0.0.0.0:8080".parse().unwrap(),
        };
        let ok = request(&[("host", "192.168.1.5:8080")], "/sandbox/state");
        assert_eq!(gate(&ok, on_network, true), Ok(()));
        for host in ["192.168.1.5", "192.168.1.6:8080", "devbox:8080"] {
            assert!(gate(&request(&[("host", host)], "/sandbox/state"), on_network, true).is_err(), "{host}");
        }
    }

    #[test]
    fn writes_need_json() {
        assert!(is_json(&request(&[("content-type", "application/json")], "/")));
        assert!(is_json(&request(&[("content-type", "Application/JSON; charset=utf-8")], "/")));
        for other in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""] {
            assert!(!is_json(&request(&[("content-type", other)], "/")), "{other}");
        }
        assert!(!is_json(&request(&[], "/")));
    }
}
