//! `Client::from_env` and `BrandClient::from_env` read every variable of their tables
//! (`ClientBuilder::from_env`, `from_brand_env`, `rate_limits_from_env`), and each one takes
//! effect: every variable is set to a value that differs from what its absence gives, and the
//! difference is observed — in what the client sends (through a [`ReplayTransport`]: URL,
//! `Authorization`, signature, `Wechatpay-Serial`), in what it accepts (responses and
//! notifications signed or encrypted with the configured keys, and refused with others), in
//! its verification mode and domains, and in what its rate limiter does (the Redis it asks, the
//! key it asks for, its failure policy, its time limit, its share while falling back).
//!
//! One test in a binary of its own: it sets process environment variables, which building a
//! client reads (proxy settings too), so any other test here would race with it. The variables
//! change only between calls, never while the runtime below is running one.

mod support;

#[cfg(feature = "redis")]
use std::net::TcpListener;
use std::sync::Arc;
#[cfg(feature = "redis")]
use std::sync::Mutex;

use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use support::*;
use wechatpay_product_coupon::runtime::client::{OperationMeta, RequestParts};
use wechatpay_product_coupon::runtime::transport::{HttpResponse, ReplayTransport};
use wechatpay_product_coupon::{Client, ClientBuilder, Error, PreparedRequest, RetryPolicy, VerificationMode};

/// Every variable `Client::from_env` reads.
const PARTNER_VARS: [&str; 14] = [
    "WECHATPAY_MCHID",
    "WECHATPAY_MERCHANT_SERIAL_NO",
    "WECHATPAY_PRIVATE_KEY_PATH",
    "WECHATPAY_PUBLIC_KEY_ID",
    "WECHATPAY_PUBLIC_KEY_PATH",
    "WECHATPAY_APIV3_KEY",
    "WECHATPAY_VERIFY_MODE",
    "WECHATPAY_BASE_URL",
    "WECHATPAY_BACKUP_BASE_URL",
    "WECHATPAY_RATE_LIMIT_REDIS_URL",
    "WECHATPAY_RATE_LIMIT_REDIS_PREFIX",
    "WECHATPAY_RATE_LIMIT_REDIS_POLICY",
    "WECHATPAY_RATE_LIMIT_REDIS_TIMEOUT_MS",
    "WECHATPAY_RATE_LIMIT_INSTANCES",
];

/// The variables `BrandClient::from_env` reads instead of the partner's identity and keys (it
/// reads the domains and the rate limit like `Client::from_env`).
#[cfg(feature = "brand")]
const BRAND_VARS: [&str; 7] = [
    "WECHATPAY_BRAND_ID",
    "WECHATPAY_BRAND_SERIAL_NO",
    "WECHATPAY_BRAND_PRIVATE_KEY_PATH",
    "WECHATPAY_BRAND_PUBLIC_KEY_ID",
    "WECHATPAY_BRAND_PUBLIC_KEY_PATH",
    "WECHATPAY_BRAND_API_KEY",
    "WECHATPAY_BRAND_VERIFY_MODE",
];

/// A test-only operation with a quota, so that every call asks the rate limiter.
static LIMITED: OperationMeta = OperationMeta {
    id: "test_limited_query",
    title: "测试查询",
    method: "GET",
    path_template: "/v3/marketing/partner/product-coupon/product-coupons/{product_coupon_id}",
    rate_limit_per_second: Some(1000),
    success_status: 200,
};

const BASE_URL: &str = "http://127.0.0.1:9";
const BACKUP_BASE_URL: &str = "http://127.0.0.1:10";

fn set(name: &str, value: &str) {
    // SAFETY: this binary runs this one test, and variables change only between calls: no other
    // thread reads the environment meanwhile (the runtime is single-threaded and idle, the
    // stand-in Redis threads never read it).
    unsafe { std::env::set_var(name, value) };
}

fn unset(name: &str) {
    // SAFETY: as in `set`.
    unsafe { std::env::remove_var(name) };
}

fn config_error<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::Config(message)) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

/// A response signed by `key` under `serial`, as WeChat Pay signs one.
fn signed_response(body: &str, key: &str, serial: &str) -> HttpResponse {
    let mut response = HttpResponse::new(200, body);
    for (name, value) in signature_headers(&key_pair(key), serial, body.as_bytes(), now()) {
        response.headers.insert(HeaderName::try_from(name).unwrap(), HeaderValue::try_from(value).unwrap());
    }
    response.headers.insert("Request-ID", HeaderValue::from_static("FROM-ENV-1"));
    response
}

/// A callback as WeChat Pay sends it: the resource encrypted with `key`, signed by `signer`
/// under `serial` with the signature type `scheme`.
fn notification(key: &str, signer: &str, serial: &str, scheme: &str, event_type: &str) -> (HeaderMap, Vec<u8>) {
    let resource = serde_json::json!({"coupon_code": "CODE1", "openid": "oUser"});
    let ciphertext = aead_encrypt(key, "RyEAOXA83YES", "product_coupon", resource.to_string().as_bytes());
    let body = serde_json::to_vec(&serde_json::json!({
        "id": "EV-from-env", "create_time": "2026-05-19T20:39:37+08:00", "resource_type": "encrypt-resource",
        "event_type": event_type, "summary": "商品券领券通知",
        "resource": {
            "original_type": "product_coupon", "algorithm": "AEAD_AES_256_GCM", "ciphertext": ciphertext,
            "associated_data": "product_coupon", "nonce": "RyEAOXA83YES"
        }
    }))
    .unwrap();
    let mut headers = HeaderMap::new();
    for (name, value) in signature_headers(&key_pair(signer), serial, &body, now()) {
        let value = if name == "Wechatpay-Signature-Type" { scheme.to_owned() } else { value };
        headers.insert(HeaderName::try_from(name).unwrap(), HeaderValue::try_from(value).unwrap());
    }
    (headers, body)
}

fn header<'r>(request: &'r PreparedRequest, name: &str) -> Option<&'r str> {
    request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The `Authorization` parameter `name`.
fn auth_param(request: &PreparedRequest, name: &str) -> String {
    let auth = header(request, "Authorization").expect("signed");
    let params = auth.split_once(' ').expect("scheme and parameters").1;
    params
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
        .unwrap_or_else(|| panic!("no {name} in {auth}"))
}

/// Whether the request's signature verifies with the public half of `private_key_pem`
/// (checked with aws-lc-rs directly, not with the crate).
fn signed_with(request: &PreparedRequest, private_key_pem: &str) -> bool {
    let message = format!(
        "{}\n{}\n{}\n{}\n{}\n",
        request.method,
        request.canonical_url,
        auth_param(request, "timestamp"),
        auth_param(request, "nonce_str"),
        String::from_utf8(request.signed_body.clone()).unwrap()
    );
    let signature = STANDARD.decode(auth_param(request, "signature")).unwrap();
    let key = key_pair(private_key_pem);
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.public_key().as_ref())
        .verify(message.as_bytes(), &signature)
        .is_ok()
}

/// What a stand-in Redis received: each command as its words.
#[cfg(feature = "redis")]
type Commands = Arc<Mutex<Vec<Vec<String>>>>;

/// A stand-in for Redis on a loopback port it holds until the test ends: it answers every
/// command of the client's connection set-up with `+OK`, and every script call
/// (`EVALSHA`/`EVAL`) with "granted, no wait" (`[1, 0]`, what the limiter's script returns),
/// keeping each command it received.
#[cfg(feature = "redis")]
fn answering_redis() -> (String, Commands) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}/", listener.local_addr().unwrap());
    let commands = Commands::default();
    let log = Arc::clone(&commands);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let log = Arc::clone(&log);
            std::thread::spawn(move || serve_resp(stream, &log));
        }
    });
    (url, commands)
}

/// Reads RESP arrays of bulk strings (what redis-rs sends) and answers each.
#[cfg(feature = "redis")]
fn serve_resp(stream: std::net::TcpStream, log: &Commands) {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let Some(count) = line.trim_end().strip_prefix('*').and_then(|n| n.parse::<usize>().ok()) else { return };
        let mut words = Vec::with_capacity(count);
        for _ in 0..count {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let len: usize = line.trim_end().strip_prefix('$').and_then(|n| n.parse().ok()).expect("a bulk string");
            let mut word = vec![0; len + 2];
            reader.read_exact(&mut word).unwrap();
            word.truncate(len);
            words.push(String::from_utf8_lossy(&word).into_owned());
        }
        let reply: &[u8] = match words.first().map(|w| w.to_ascii_uppercase()).as_deref() {
            Some("EVALSHA" | "EVAL") => b"*2\r\n:1\r\n:0\r\n",
            Some("PING") => b"+PONG\r\n",
            _ => b"+OK\r\n",
        };
        log.lock().unwrap().push(words);
        if writer.write_all(reply).is_err() {
            return;
        }
    }
}

/// The tracing events emitted while `f` runs on this thread, each as its fields' text.
#[cfg(feature = "redis")]
fn events_during<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    struct Capture(Arc<Mutex<Vec<String>>>);
    struct Fields(String);
    impl tracing::field::Visit for Fields {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!("{}={:?} ", field.name(), value));
        }
    }
    impl tracing::Subscriber for Capture {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut fields = Fields(String::new());
            event.record(&mut fields);
            self.0.lock().unwrap().push(fields.0);
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }
    let events = Arc::new(Mutex::new(Vec::new()));
    let out = tracing::subscriber::with_default(Capture(Arc::clone(&events)), f);
    let events = events.lock().unwrap().clone();
    (out, events)
}

#[test]
fn from_env_reads_every_variable() {
    let dir = std::env::temp_dir().join(format!("wechatpay-from-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let key_path = write("apiclient_key.pem", MERCHANT_KEY_PEM);
    let pub_path = write("pub_key.pem", WECHATPAY_PUB_PEM);
    for name in PARTNER_VARS {
        unset(name);
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let query = || RequestParts::new(&LIMITED, LIMITED.path_template.replace("{product_coupon_id}", "1"), vec![], None);

    // Identity, keys, verification mode and domains.
    let partner = [
        ("WECHATPAY_MCHID", MCHID),
        ("WECHATPAY_MERCHANT_SERIAL_NO", MERCHANT_SERIAL),
        ("WECHATPAY_PRIVATE_KEY_PATH", &key_path),
        ("WECHATPAY_PUBLIC_KEY_ID", PUB_KEY_ID),
        ("WECHATPAY_PUBLIC_KEY_PATH", &pub_path),
        ("WECHATPAY_APIV3_KEY", APIV3_KEY),
        // Inferred from the keys it would be `public_key`.
        ("WECHATPAY_VERIFY_MODE", "both"),
        ("WECHATPAY_BASE_URL", BASE_URL),
        ("WECHATPAY_BACKUP_BASE_URL", BACKUP_BASE_URL),
    ];
    for (name, value) in partner {
        set(name, value);
    }
    let client = Client::from_env().unwrap();
    assert_eq!(client.mchid(), MCHID);
    assert_eq!(client.verification_mode(), VerificationMode::Both, "WECHATPAY_VERIFY_MODE");
    let text = format!("{client:?}");
    assert!(text.contains(&format!("base_url: \"{BASE_URL}\"")), "WECHATPAY_BASE_URL: {text}");
    assert!(text.contains(&format!("backup_base_url: Some(\"{BACKUP_BASE_URL}\")")), "BACKUP: {text}");
    set("WECHATPAY_BACKUP_BASE_URL", "none");
    let text = format!("{:?}", Client::from_env().unwrap());
    assert!(text.contains("backup_base_url: None"), "WECHATPAY_BACKUP_BASE_URL=none: {text}");
    set("WECHATPAY_VERIFY_MODE", "sometimes");
    assert!(config_error(Client::from_env()).contains("WECHATPAY_VERIFY_MODE"));
    set("WECHATPAY_VERIFY_MODE", "public_key");
    assert_eq!(Client::from_env().unwrap().verification_mode(), VerificationMode::PublicKey);

    // What it sends: the base URL, its mchid and serial, signed with the key file, naming the
    // public key id; what it accepts: a response signed with the public key file's key only.
    let transport = Arc::new(ReplayTransport::new([
        signed_response(r#"{"state":"AUDITING"}"#, WECHATPAY_KEY_PEM, PUB_KEY_ID),
        signed_response(r#"{"state":"AUDITING"}"#, PLATFORM_KEY_PEM, PUB_KEY_ID),
    ]));
    let client = ClientBuilder::from_env()
        .unwrap()
        .transport(Arc::clone(&transport))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let answer: Value = runtime.block_on(client.execute(query())).unwrap();
    assert_eq!(answer["state"], "AUDITING", "WECHATPAY_PUBLIC_KEY_PATH: verified with the key read");
    let refused = runtime.block_on(client.execute::<Value>(query()));
    assert!(matches!(refused, Err(Error::Verification(_))), "another key under the id is refused: {refused:?}");
    let sent = &transport.requests()[0];
    assert!(sent.url.starts_with(&format!("{BASE_URL}/v3/")), "WECHATPAY_BASE_URL: {}", sent.url);
    assert!(header(sent, "Authorization").unwrap().starts_with("WECHATPAY2-SHA256-RSA2048 "));
    assert_eq!(auth_param(sent, "mchid"), MCHID, "WECHATPAY_MCHID");
    assert_eq!(auth_param(sent, "serial_no"), MERCHANT_SERIAL, "WECHATPAY_MERCHANT_SERIAL_NO");
    assert!(signed_with(sent, MERCHANT_KEY_PEM), "WECHATPAY_PRIVATE_KEY_PATH: signed with the key read");
    assert_eq!(header(sent, "Wechatpay-Serial"), Some(PUB_KEY_ID), "WECHATPAY_PUBLIC_KEY_ID");

    // The APIv3 key opens a notification encrypted with it, and only with it.
    let scheme = "WECHATPAY2-SHA256-RSA2048";
    let (headers, body) = notification(APIV3_KEY, WECHATPAY_KEY_PEM, PUB_KEY_ID, scheme, "PRODUCT_COUPON_SP.FROM_ENV");
    let opened = runtime.block_on(client.parse_notification(&headers, &body));
    assert_eq!(opened.expect("WECHATPAY_APIV3_KEY decrypts it").event_type, "PRODUCT_COUPON_SP.FROM_ENV");
    let other_key = "0123456789abcdef0123456789abcdef";
    let (headers, body) = notification(other_key, WECHATPAY_KEY_PEM, PUB_KEY_ID, scheme, "PRODUCT_COUPON_SP.FROM_ENV");
    assert!(runtime.block_on(client.parse_notification(&headers, &body)).is_err(), "another key does not");

    // The shared rate limit's settings without its URL are refused, one by one.
    for (name, value) in [
        ("WECHATPAY_RATE_LIMIT_REDIS_PREFIX", "p"),
        ("WECHATPAY_RATE_LIMIT_REDIS_POLICY", "fail"),
        ("WECHATPAY_RATE_LIMIT_REDIS_TIMEOUT_MS", "100"),
        ("WECHATPAY_RATE_LIMIT_INSTANCES", "3"),
    ] {
        set(name, value);
        let message = config_error(Client::from_env());
        assert!(message.contains(&format!("{name} is set but WECHATPAY_RATE_LIMIT_REDIS_URL is not")), "{message}");
        unset(name);
    }
    #[cfg(feature = "redis")]
    shared_rate_limit_variables(&runtime, &query);
    #[cfg(not(feature = "redis"))]
    {
        set("WECHATPAY_RATE_LIMIT_REDIS_URL", "redis://127.0.0.1:9/");
        assert!(config_error(Client::from_env()).contains("no `redis` feature"));
        unset("WECHATPAY_RATE_LIMIT_REDIS_URL");
    }

    #[cfg(feature = "brand")]
    brand_variables(&runtime, &dir);

    // Without them: each required variable is named.
    unset("WECHATPAY_PUBLIC_KEY_PATH");
    assert!(config_error(Client::from_env()).contains("WECHATPAY_PUBLIC_KEY_PATH"), "set together");
    set("WECHATPAY_PRIVATE_KEY_PATH", &dir.join("missing.pem").display().to_string());
    assert!(config_error(ClientBuilder::from_env()).contains("WECHATPAY_PRIVATE_KEY_PATH"));
    for name in PARTNER_VARS {
        unset(name);
    }
    assert!(config_error(Client::from_env()).contains("WECHATPAY_MCHID"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `WECHATPAY_RATE_LIMIT_*`: the URL names the Redis asked, the prefix the key asked for, the
/// policy what an unreachable Redis does, the time limit how long an acquire may wait for an
/// answer, the instances the share each takes while falling back.
#[cfg(feature = "redis")]
fn shared_rate_limit_variables(runtime: &tokio::runtime::Runtime, query: &dyn Fn() -> RequestParts) {
    use std::time::Duration;

    use wechatpay_product_coupon::runtime::error::TimeoutKind;

    let ok = || signed_response(r#"{"state":"AUDITING"}"#, WECHATPAY_KEY_PEM, PUB_KEY_ID);
    let client_with = |transport: &Arc<ReplayTransport>, total: Duration| {
        ClientBuilder::from_env()
            .unwrap()
            .transport(Arc::clone(transport))
            .retry_policy(RetryPolicy::none())
            .total_timeout(total)
            .build()
            .unwrap()
    };

    // URL and prefix: the slot is asked of that Redis, under `{prefix}:{mchid}:{operation}`.
    let (url, commands) = answering_redis();
    set("WECHATPAY_RATE_LIMIT_REDIS_URL", &url);
    set("WECHATPAY_RATE_LIMIT_REDIS_PREFIX", "from-env-prefix");
    let transport = Arc::new(ReplayTransport::new([ok()]));
    let answer: Value = runtime.block_on(client_with(&transport, Duration::from_secs(60)).execute(query())).unwrap();
    assert_eq!(answer["state"], "AUDITING");
    let commands = commands.lock().unwrap().clone();
    let script = commands.iter().find(|c| c[0].eq_ignore_ascii_case("EVALSHA") || c[0].eq_ignore_ascii_case("EVAL"));
    let script = script.unwrap_or_else(|| panic!("WECHATPAY_RATE_LIMIT_REDIS_URL: no script call in {commands:?}"));
    // EVALSHA sha numkeys key args...
    assert_eq!(script[2], "1", "{script:?}");
    assert_eq!(script[3], format!("from-env-prefix:{MCHID}:{}", LIMITED.id), "WECHATPAY_RATE_LIMIT_REDIS_PREFIX");

    // Policy: `fail` fails the call when Redis refuses connections (the default, `fallback`,
    // would send it).
    let refused = RefusedAddr::bind();
    set("WECHATPAY_RATE_LIMIT_REDIS_URL", &format!("redis://{}/", refused.addr()));
    set("WECHATPAY_RATE_LIMIT_REDIS_POLICY", "fail");
    let transport = Arc::new(ReplayTransport::new([ok()]));
    let result = runtime.block_on(client_with(&transport, Duration::from_secs(60)).execute::<Value>(query()));
    assert!(matches!(result, Err(Error::RateLimiter(_))), "WECHATPAY_RATE_LIMIT_REDIS_POLICY: {result:?}");
    assert!(transport.requests().is_empty(), "nothing sent");

    // Instances: falling back, the warning says each takes a third (the default is 1).
    set("WECHATPAY_RATE_LIMIT_REDIS_POLICY", "fallback");
    set("WECHATPAY_RATE_LIMIT_INSTANCES", "3");
    let transport = Arc::new(ReplayTransport::new([ok()]));
    let client = client_with(&transport, Duration::from_secs(60));
    let (result, events) = events_during(|| runtime.block_on(client.execute::<Value>(query())));
    result.expect("sent through the in-process limiter");
    let warning = events.iter().find(|e| e.contains("shared rate limiter (Redis) unavailable"));
    let warning = warning.unwrap_or_else(|| panic!("no fallback warning in {events:#?}"));
    assert!(warning.contains("instances=3"), "WECHATPAY_RATE_LIMIT_INSTANCES: {warning}");

    // Time limit: a Redis that accepts and never answers holds an acquire for the hour set here,
    // so the call's own total time limit ends it (`Timeout(Total)`); with the default 500 ms
    // the policy would have failed it first (`RateLimiter`).
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    set("WECHATPAY_RATE_LIMIT_REDIS_URL", &format!("redis://{}/", silent.local_addr().unwrap()));
    set("WECHATPAY_RATE_LIMIT_REDIS_POLICY", "fail");
    set("WECHATPAY_RATE_LIMIT_REDIS_TIMEOUT_MS", "3600000");
    let transport = Arc::new(ReplayTransport::new([ok()]));
    let result = runtime.block_on(client_with(&transport, Duration::from_secs(2)).execute::<Value>(query()));
    assert!(
        matches!(result, Err(Error::Timeout(TimeoutKind::Total))),
        "WECHATPAY_RATE_LIMIT_REDIS_TIMEOUT_MS: {result:?}"
    );
    assert!(transport.requests().is_empty(), "nothing sent");
    drop(silent);

    for name in [
        "WECHATPAY_RATE_LIMIT_REDIS_URL",
        "WECHATPAY_RATE_LIMIT_REDIS_PREFIX",
        "WECHATPAY_RATE_LIMIT_REDIS_POLICY",
        "WECHATPAY_RATE_LIMIT_REDIS_TIMEOUT_MS",
        "WECHATPAY_RATE_LIMIT_INSTANCES",
    ] {
        unset(name);
    }
}

/// `WECHATPAY_BRAND_*`, with values that differ from the partner's still set: the brand
/// client signs with the brand's identity and key, names the brand's public key id, accepts
/// what that key's private half signed (and not the partner's), opens notifications with the
/// brand API key, and refuses a verification mode other than `public_key`.
#[cfg(feature = "brand")]
fn brand_variables(runtime: &tokio::runtime::Runtime, dir: &std::path::Path) {
    use wechatpay_product_coupon::{BrandClient, BrandClientBuilder};

    const BRAND_ID: &str = "100XX";
    const BRAND_SERIAL: &str = "3493DE0D9BB4EB98A8C65EAA7E8EE887EC24B71A";
    const BRAND_PUB_KEY_ID: &str = "PUB_KEY_ID_0000000000000024101100397200000042";
    const BRAND_KEY_PEM: &str = include_str!("data/test_brand_key.pem");
    const BRAND_API_KEY: &str = "BrandApiKeyForTests0123456789abc";
    static BRAND_QUERY: OperationMeta = OperationMeta {
        id: "test_brand_query",
        title: "测试查询",
        method: "GET",
        path_template: "/brand/marketing/product-coupon/product-coupons/1",
        rate_limit_per_second: None,
        success_status: 200,
    };
    let brand_key = dir.join("brand_key.pem");
    std::fs::write(&brand_key, BRAND_KEY_PEM).unwrap();
    // The WeChat Pay public key bound to the brand: another key than the partner's.
    let brand_pub = dir.join("brand_wechatpay_pub.pem");
    std::fs::write(&brand_pub, MERCHANT_PUB_PEM).unwrap();
    for (name, value) in [
        ("WECHATPAY_BRAND_ID", BRAND_ID),
        ("WECHATPAY_BRAND_SERIAL_NO", BRAND_SERIAL),
        ("WECHATPAY_BRAND_PRIVATE_KEY_PATH", brand_key.to_str().unwrap()),
        ("WECHATPAY_BRAND_PUBLIC_KEY_ID", BRAND_PUB_KEY_ID),
        ("WECHATPAY_BRAND_PUBLIC_KEY_PATH", brand_pub.to_str().unwrap()),
        ("WECHATPAY_BRAND_API_KEY", BRAND_API_KEY),
        ("WECHATPAY_BRAND_VERIFY_MODE", "platform_certificate"),
    ] {
        set(name, value);
    }
    config_error(BrandClient::from_env());
    set("WECHATPAY_BRAND_VERIFY_MODE", "sometimes");
    assert!(config_error(BrandClient::from_env()).contains("WECHATPAY_BRAND_VERIFY_MODE"));
    set("WECHATPAY_BRAND_VERIFY_MODE", "public_key");
    let client = BrandClient::from_env().unwrap();
    assert_eq!(client.core().brand_id(), Some(BRAND_ID), "WECHATPAY_BRAND_ID");
    assert_eq!(client.core().verification_mode(), VerificationMode::PublicKey);

    let transport = Arc::new(ReplayTransport::new([
        signed_response(r#"{"state":"AUDITING"}"#, MERCHANT_KEY_PEM, BRAND_PUB_KEY_ID),
        signed_response(r#"{"state":"AUDITING"}"#, WECHATPAY_KEY_PEM, BRAND_PUB_KEY_ID),
    ]));
    let client: BrandClient = BrandClientBuilder::from_brand_env()
        .unwrap()
        .transport(Arc::clone(&transport))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let parts = || RequestParts::new(&BRAND_QUERY, BRAND_QUERY.path_template.to_owned(), vec![], None);
    let answer: Value = runtime.block_on(client.core().execute(parts())).unwrap();
    assert_eq!(answer["state"], "AUDITING", "WECHATPAY_BRAND_PUBLIC_KEY_PATH: verified with the key read");
    let refused = runtime.block_on(client.core().execute::<Value>(parts()));
    assert!(matches!(refused, Err(Error::Verification(_))), "the partner's key is not the brand's: {refused:?}");
    let sent = &transport.requests()[0];
    assert!(sent.url.starts_with(&format!("{BASE_URL}/brand/")), "the shared WECHATPAY_BASE_URL: {}", sent.url);
    assert!(header(sent, "Authorization").unwrap().starts_with("WECHATPAY-BRAND-SHA256-RSA2048 "));
    assert_eq!(auth_param(sent, "brand_id"), BRAND_ID, "WECHATPAY_BRAND_ID");
    assert_eq!(auth_param(sent, "serial_no"), BRAND_SERIAL, "WECHATPAY_BRAND_SERIAL_NO");
    assert!(signed_with(sent, BRAND_KEY_PEM), "WECHATPAY_BRAND_PRIVATE_KEY_PATH: signed with the key read");
    assert_eq!(header(sent, "Wechatpay-Serial"), Some(BRAND_PUB_KEY_ID), "WECHATPAY_BRAND_PUBLIC_KEY_ID");

    let scheme = "WECHATPAY-BRAND-SHA256-RSA2048";
    let event = "PRODUCT_COUPON.FROM_ENV";
    let (headers, body) = notification(BRAND_API_KEY, MERCHANT_KEY_PEM, BRAND_PUB_KEY_ID, scheme, event);
    let opened = runtime.block_on(client.parse_notification(&headers, &body));
    assert_eq!(opened.expect("WECHATPAY_BRAND_API_KEY decrypts it").event_type, event);
    let (headers, body) = notification(APIV3_KEY, MERCHANT_KEY_PEM, BRAND_PUB_KEY_ID, scheme, event);
    assert!(runtime.block_on(client.parse_notification(&headers, &body)).is_err(), "the partner's key does not");

    unset("WECHATPAY_BRAND_ID");
    assert!(config_error(BrandClient::from_env()).contains("WECHATPAY_BRAND_ID"));
    for name in BRAND_VARS {
        unset(name);
    }
}
