//! Test support: a tiny HTTP/1.1 server on 127.0.0.1 that stands in for WeChat Pay, plus the
//! WeChat Pay side of the signature protocol written independently of the crate (straight on
//! aws-lc-rs), so a shared mistake in the crate's signing and verification cannot cancel out.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wechatpay_product_coupon::runtime::client::{OperationMeta, RequestParts};

pub const MCHID: &str = "1900000109";
pub const MERCHANT_SERIAL: &str = "3775B6A45ACD588826D15E583A95F5DD12345678";
pub const PUB_KEY_ID: &str = "PUB_KEY_ID_0000000000000024101100397200000006";
pub const PLATFORM_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
pub const APIV3_KEY: &str = "TestOnlyApiV3Key0123456789abcdef";

pub const MERCHANT_KEY_PEM: &str = include_str!("../data/test_merchant_key.pem");
pub const MERCHANT_KEY_PKCS1_PEM: &str = include_str!("../data/test_merchant_key_pkcs1.pem");
pub const MERCHANT_PUB_PEM: &str = include_str!("../data/test_merchant_pub.pem");
pub const WECHATPAY_KEY_PEM: &str = include_str!("../data/test_wechatpay_key.pem");
pub const WECHATPAY_PUB_PEM: &str = include_str!("../data/test_wechatpay_pub.pem");
pub const PLATFORM_KEY_PEM: &str = include_str!("../data/test_platform_key.pem");
pub const PLATFORM_CERT_PEM: &str = include_str!("../data/test_platform_cert.pem");
pub const PLATFORM2_SERIAL: &str = "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567";
pub const PLATFORM2_KEY_PEM: &str = include_str!("../data/test_platform2_key.pem");
pub const PLATFORM2_CERT_PEM: &str = include_str!("../data/test_platform2_cert.pem");

/// A test-only operation.
pub static CREATE: OperationMeta = OperationMeta {
    id: "test_create",
    title: "测试创建",
    method: "POST",
    path_template: "/v3/marketing/partner/product-coupon/product-coupons",
    rate_limit_per_second: None,
    success_status: 200,
};

/// A test-only GET operation with path and query parameters.
pub static QUERY: OperationMeta = OperationMeta {
    id: "test_query",
    title: "测试查询",
    method: "GET",
    path_template: "/v3/marketing/partner/product-coupon/product-coupons/{product_coupon_id}",
    rate_limit_per_second: Some(1000),
    success_status: 200,
};

pub fn create_parts(body: &str) -> RequestParts {
    RequestParts {
        meta: &CREATE,
        path: CREATE.path_template.to_owned(),
        query: Vec::new(),
        body: Some(body.as_bytes().to_vec()),
        warnings: Vec::new(),
    }
}

pub fn query_parts(id: &str, brand_id: &str) -> RequestParts {
    RequestParts {
        meta: &QUERY,
        path: format!(
            "/v3/marketing/partner/product-coupon/product-coupons/{}",
            wechatpay_product_coupon::runtime::client::encode_path_segment(id)
        ),
        query: vec![("brand_id", brand_id.to_owned())],
        body: None,
        warnings: Vec::new(),
    }
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn pem_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().concat();
    STANDARD.decode(b64.trim()).unwrap()
}

pub fn key_pair(pem: &str) -> KeyPair {
    KeyPair::from_pkcs8(&pem_der(pem)).unwrap()
}

/// RSA-SHA256 signature, Base64, computed directly with aws-lc-rs.
pub fn rsa_sign(key: &KeyPair, message: &[u8]) -> String {
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), message, &mut sig).unwrap();
    STANDARD.encode(sig)
}

/// The keys the fake WeChat Pay signs with.
pub struct WechatKeys {
    pub public_key_mode: KeyPair,
    pub platform: KeyPair,
    pub platform2: KeyPair,
}

impl WechatKeys {
    pub fn load() -> Self {
        WechatKeys {
            public_key_mode: key_pair(WECHATPAY_KEY_PEM),
            platform: key_pair(PLATFORM_KEY_PEM),
            platform2: key_pair(PLATFORM2_KEY_PEM),
        }
    }
}

/// `Wechatpay-*` headers for `body`, as WeChat Pay would send them.
pub fn signature_headers(key: &KeyPair, serial: &str, body: &[u8], timestamp: i64) -> Vec<(String, String)> {
    let nonce = format!("n{}", timestamp.wrapping_mul(7919).rem_euclid(1_000_000_007));
    let mut message = format!("{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    vec![
        ("Wechatpay-Timestamp".into(), timestamp.to_string()),
        ("Wechatpay-Nonce".into(), nonce),
        ("Wechatpay-Signature".into(), rsa_sign(key, &message)),
        ("Wechatpay-Serial".into(), serial.into()),
        ("Wechatpay-Signature-Type".into(), "WECHATPAY2-SHA256-RSA2048".into()),
    ]
}

/// Encrypts `plain` the way WeChat Pay does for `/v3/certificates`.
pub fn aead_encrypt(key: &str, nonce: &str, aad: &str, plain: &[u8]) -> String {
    let k = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key.as_bytes()).unwrap());
    let mut data = plain.to_vec();
    k.seal_in_place_append_tag(
        Nonce::try_assume_unique_for_key(nonce.as_bytes()).unwrap(),
        Aad::from(aad.as_bytes()),
        &mut data,
    )
    .unwrap();
    STANDARD.encode(data)
}

/// A `/v3/certificates` body listing the test platform certificate.
pub fn certificates_body() -> Vec<u8> {
    certificates_body_with(&[(PLATFORM_SERIAL, PLATFORM_CERT_PEM)])
}

/// A `/v3/certificates` body listing `(serial, pem)` certificates.
pub fn certificates_body_with(certs: &[(&str, &str)]) -> Vec<u8> {
    let data: Vec<_> = certs
        .iter()
        .enumerate()
        .map(|(i, (serial, pem))| {
            let nonce = format!("a1b2c3d4e5f{i}");
            serde_json::json!({
                "serial_no": serial,
                "effective_time": format!("2025-0{}-01T00:00:00+08:00", i + 1),
                "expire_time": "2030-01-01T00:00:00+08:00",
                "encrypt_certificate": {
                    "algorithm": "AEAD_AES_256_GCM",
                    "nonce": nonce,
                    "associated_data": "certificate",
                    "ciphertext": aead_encrypt(APIV3_KEY, &nonce, "certificate", pem.as_bytes())
                }
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "data": data })).unwrap()
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Checks the client's `Authorization` with the merchant public key, independently of the
    /// crate: parse the five parameters, rebuild the message, verify with aws-lc-rs.
    pub fn check_merchant_signature(&self) -> Result<(), String> {
        let auth = self.header("Authorization").ok_or("no Authorization header")?;
        let params = auth.strip_prefix("WECHATPAY2-SHA256-RSA2048 ").ok_or("wrong scheme")?;
        let get = |name: &str| -> Result<String, String> {
            params
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim_matches('"').to_owned())
                .ok_or(format!("no {name}"))
        };
        let (mchid, nonce, ts, serial, sig) =
            (get("mchid")?, get("nonce_str")?, get("timestamp")?, get("serial_no")?, get("signature")?);
        if mchid != MCHID || serial != MERCHANT_SERIAL {
            return Err(format!("wrong mchid/serial {mchid}/{serial}"));
        }
        if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("bad nonce {nonce}"));
        }
        let ts_num: i64 = ts.parse().map_err(|_| "bad timestamp")?;
        if (now() - ts_num).abs() > 60 {
            return Err("timestamp far from now".into());
        }
        let mut message = format!("{}\n{}\n{}\n{}\n", self.method, self.target, ts, nonce).into_bytes();
        message.extend_from_slice(&self.body);
        message.push(b'\n');
        let sig = STANDARD.decode(sig).map_err(|_| "signature not base64")?;
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pem_der(MERCHANT_PUB_PEM))
            .verify(&message, &sig)
            .map_err(|_| "merchant signature does not verify".to_owned())
    }
}

/// What the server does with one request.
pub enum Reply {
    /// Answer.
    Respond { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Close the connection without answering.
    Drop,
    /// Wait, then do the inner reply.
    Delay(Duration, Box<Reply>),
}

impl Reply {
    /// A response signed by `key` under `serial`, with a Request-ID.
    pub fn signed(status: u16, body: &str, key: &KeyPair, serial: &str) -> Reply {
        Self::signed_at(status, body, key, serial, now())
    }

    pub fn signed_at(status: u16, body: &str, key: &KeyPair, serial: &str, timestamp: i64) -> Reply {
        let mut headers = signature_headers(key, serial, body.as_bytes(), timestamp);
        headers.push(("Request-ID".into(), format!("08F1A2B3C4D5-{status}000")));
        headers.push(("Content-Type".into(), "application/json".into()));
        Reply::Respond { status, headers, body: body.as_bytes().to_vec() }
    }

    /// An unsigned response.
    pub fn plain(status: u16, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Request-ID".into(), "UNSIGNED-REQ-1".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    pub fn without_header(mut self, name: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        }
        self
    }

    pub fn replace_header(self, name: &str, value: &str) -> Reply {
        self.without_header(name).with_header(name, value)
    }
}

type Handler = dyn Fn(&Request, usize) -> Reply + Send + Sync;

/// The test server. Dropping it stops it.
pub struct TestServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Serves every request with `handler(request, index)` (index counts from 0).
    pub async fn start(handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let (handler, log) = (Arc::clone(&handler), Arc::clone(&log));
                tokio::spawn(async move {
                    let _ = serve(stream, handler, log).await;
                });
            }
        });
        TestServer { addr, requests, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback port on which nothing listens: connections to it are refused for as long as
/// this is alive. The socket is bound but never listening, so no other process can take the
/// port meanwhile (a port bound and released could be taken, and answered, by another test's
/// server).
pub struct RefusedAddr {
    _socket: tokio::net::TcpSocket,
    addr: SocketAddr,
    url: String,
}

impl RefusedAddr {
    pub fn bind() -> RefusedAddr {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = socket.local_addr().unwrap();
        RefusedAddr { _socket: socket, addr, url: format!("http://{addr}") }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

async fn serve(mut stream: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Vec<Request>>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split(' ');
        let (method, target) =
            (first.next().unwrap_or_default().to_owned(), first.next().unwrap_or_default().to_owned());
        let headers: Vec<(String, String)> =
            lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())).collect();
        let len: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let start = head_end + 4;
        while buf.len() < start + len {
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = buf[start..start + len].to_vec();
        buf.drain(..start + len);
        let req = Request { method, target, headers, body };
        let index = {
            let mut log = log.lock().unwrap();
            log.push(req.clone());
            log.len() - 1
        };
        let mut reply = handler(&req, index);
        loop {
            match reply {
                Reply::Delay(d, inner) => {
                    tokio::time::sleep(d).await;
                    reply = *inner;
                }
                Reply::Drop => return Ok(()),
                Reply::Respond { status, headers, body } => {
                    let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                    for (n, v) in headers {
                        out.push_str(&format!("{n}: {v}\r\n"));
                    }
                    out.push_str("\r\n");
                    let mut bytes = out.into_bytes();
                    bytes.extend_from_slice(&body);
                    stream.write_all(&bytes).await?;
                    break;
                }
            }
        }
    }
}
