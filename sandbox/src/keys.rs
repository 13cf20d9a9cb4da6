//! The sandbox's key material: the merchant's key pair (the sandbox verifies the client's
//! `Authorization` with its public half and hands the private half to the client
//! configuration), the "WeChat Pay public key" it signs responses with in public-key mode
//! (`PUB_KEY_ID_...`), and a self-signed "platform certificate" with its key for
//! platform-certificate mode, plus the APIv3 key that encrypts `/v3/certificates`; and a
//! brand calling directly (品牌直连): its 品牌API证书 key pair, the WeChat Pay public key id
//! bound to it (`Wechatpay-Serial` of its calls and of the answers to them) and its 品牌API密钥,
//! which encrypts its notifications.
//!
//! **Every key here is for the sandbox only.** [`SandboxKeys::dev`] returns fixed keys committed
//! in `sandbox/keys/` (fast and reproducible; anyone can read them); [`SandboxKeys::generate`]
//! makes fresh ones (RSA-2048, plus a self-signed X.509 certificate built here). Neither is
//! related to WeChat Pay or to any real merchant.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use wechatpay_product_coupon::runtime::aead::ApiV3Key;
use wechatpay_product_coupon::runtime::keys::parse_certificate_pem;
use wechatpay_product_coupon::{PrivateKey, PublicKey};

/// The merchant id (服务商商户号) of the default merchant, as in the docs' examples.
pub const DEFAULT_MCHID: &str = "1900000001";

const DEV_MERCHANT_SERIAL: &str = "6B3F1D5A0C2E4F7081920A3B4C5D6E7F80910A1B";
const DEV_PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0119000000012025010100000000000001";
const DEV_PLATFORM_SERIAL: &str = "7E57AB1E5A4DB0C5000000000000000000000001";
const DEV_APIV3_KEY: &str = "SandboxOnlyApiV3Key_0123456789ab";
const DEV_MERCHANT_KEY: &str = include_str!("../keys/merchant_key.pem");
const DEV_MERCHANT_PUB: &str = include_str!("../keys/merchant_pub.pem");
const DEV_WECHATPAY_KEY: &str = include_str!("../keys/wechatpay_key.pem");
const DEV_WECHATPAY_PUB: &str = include_str!("../keys/wechatpay_pub.pem");
const DEV_PLATFORM_KEY: &str = include_str!("../keys/platform_key.pem");
const DEV_PLATFORM_CERT: &str = include_str!("../keys/platform_cert.pem");
const DEV_BRAND_SERIAL: &str = "5A7D0B1C2E3F405162738495A6B7C8D9E0F1A2B3";
const DEV_BRAND_PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0112034420250101000000000000000001";
const DEV_BRAND_API_KEY: &str = "SandboxOnlyBrandApiKey_012345678";
const DEV_BRAND_KEY: &str = include_str!("../keys/brand_key.pem");
const DEV_BRAND_PUB: &str = include_str!("../keys/brand_pub.pem");

/// The brand id of the default brand: the docs' examples' brand, so that the coupons a brand
/// creates directly are the ones a 服务商 sees with the demo requests' `brand_id`.
pub const DEFAULT_BRAND_ID: &str = "120344";

/// `effective_time` / `expire_time` listed for the platform certificate.
pub(crate) const CERT_EFFECTIVE_TIME: &str = "2025-01-01T00:00:00+08:00";
pub(crate) const CERT_EXPIRE_TIME: &str = "2049-12-31T23:59:59+08:00";

/// File names used by [`SandboxKeys::save_dir`] / [`SandboxKeys::load_dir`] and the env file.
pub mod files {
    /// The merchant's private key (PKCS#8 PEM): `WECHATPAY_PRIVATE_KEY_PATH`.
    pub const MERCHANT_KEY: &str = "merchant_key.pem";
    /// The merchant's public key (SPKI PEM), which the sandbox verifies requests with.
    pub const MERCHANT_PUB: &str = "merchant_pub.pem";
    /// The sandbox's "WeChat Pay public key" signing key (PKCS#8 PEM).
    pub const WECHATPAY_KEY: &str = "wechatpay_key.pem";
    /// Its public half: `WECHATPAY_PUBLIC_KEY_PATH`.
    pub const WECHATPAY_PUB: &str = "wechatpay_pub.pem";
    /// The platform certificate's key (PKCS#8 PEM).
    pub const PLATFORM_KEY: &str = "platform_key.pem";
    /// The self-signed platform certificate (PEM).
    pub const PLATFORM_CERT: &str = "platform_cert.pem";
    /// Identities: `mchid`, merchant serial, public key id, APIv3 key, the brand's id, serial,
    /// public key id and 品牌API密钥 (one `name=value` a line).
    pub const IDENTITY: &str = "identity.txt";
    /// The brand's 品牌API证书 private key (PKCS#8 PEM): `WECHATPAY_BRAND_PRIVATE_KEY_PATH`.
    pub const BRAND_KEY: &str = "brand_key.pem";
    /// Its public key (SPKI PEM), which the sandbox verifies brand requests with.
    pub const BRAND_PUB: &str = "brand_pub.pem";
}

/// Key material and identities of one sandbox. Cheap to clone.
#[derive(Clone)]
pub struct SandboxKeys {
    /// The merchant id requests must be signed for.
    pub mchid: String,
    /// The merchant API certificate serial (`serial_no` in `Authorization`).
    pub merchant_serial_no: String,
    /// The merchant private key as PEM (PKCS#8), handed to the client configuration.
    pub merchant_key_pem: String,
    /// The merchant public key as PEM (SPKI).
    pub merchant_pub_pem: String,
    /// The WeChat Pay public key id (`PUB_KEY_ID_...`), sent in `Wechatpay-Serial`.
    pub public_key_id: String,
    /// The WeChat Pay public-key-mode signing key as PEM (PKCS#8).
    pub wechatpay_key_pem: String,
    /// Its public half as PEM (SPKI): the client's `pub_key.pem`.
    pub wechatpay_pub_pem: String,
    /// The platform certificate's serial (upper-case hex).
    pub platform_serial_no: String,
    /// The platform certificate's signing key as PEM (PKCS#8).
    pub platform_key_pem: String,
    /// The platform certificate (PEM).
    pub platform_cert_pem: String,
    /// The 32-byte APIv3 key (platform-certificate mode).
    pub apiv3_key: String,
    /// The brand that calls directly (`brand_id` of its Authorization header).
    pub brand_id: String,
    /// Its 品牌API证书 serial (`serial_no` of its Authorization header).
    pub brand_serial_no: String,
    /// Its 品牌API证书 private key as PEM (PKCS#8), handed to the brand client configuration.
    pub brand_key_pem: String,
    /// Its public key as PEM (SPKI).
    pub brand_pub_pem: String,
    /// The WeChat Pay public key id bound to the brand: every brand request must carry it in
    /// `Wechatpay-Serial`, and the answers to brand requests are signed under it (with the
    /// same WeChat Pay public-key-mode key as the merchant's answers).
    pub brand_public_key_id: String,
    /// The 32-character 品牌API密钥: encrypts the brand's notifications.
    pub brand_api_key: String,
}

impl fmt::Debug for SandboxKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxKeys")
            .field("mchid", &self.mchid)
            .field("merchant_serial_no", &self.merchant_serial_no)
            .field("public_key_id", &self.public_key_id)
            .field("platform_serial_no", &self.platform_serial_no)
            .field("brand_id", &self.brand_id)
            .field("brand_serial_no", &self.brand_serial_no)
            .field("brand_public_key_id", &self.brand_public_key_id)
            .finish_non_exhaustive()
    }
}

/// Parsed keys, ready to sign and verify.
#[derive(Clone)]
pub(crate) struct LoadedKeys {
    pub merchant_pub: PublicKey,
    pub brand_pub: PublicKey,
    pub brand_api_key: ApiV3Key,
    pub wechatpay_key: PrivateKey,
    pub platform_key: PrivateKey,
    pub apiv3: ApiV3Key,
}

impl SandboxKeys {
    /// The fixed development keys committed in `sandbox/keys/` (sandbox-only; public).
    pub fn dev() -> Self {
        SandboxKeys {
            mchid: DEFAULT_MCHID.to_owned(),
            merchant_serial_no: DEV_MERCHANT_SERIAL.to_owned(),
            merchant_key_pem: DEV_MERCHANT_KEY.to_owned(),
            merchant_pub_pem: DEV_MERCHANT_PUB.to_owned(),
            public_key_id: DEV_PUBLIC_KEY_ID.to_owned(),
            wechatpay_key_pem: DEV_WECHATPAY_KEY.to_owned(),
            wechatpay_pub_pem: DEV_WECHATPAY_PUB.to_owned(),
            platform_serial_no: DEV_PLATFORM_SERIAL.to_owned(),
            platform_key_pem: DEV_PLATFORM_KEY.to_owned(),
            platform_cert_pem: DEV_PLATFORM_CERT.to_owned(),
            apiv3_key: DEV_APIV3_KEY.to_owned(),
            brand_id: DEFAULT_BRAND_ID.to_owned(),
            brand_serial_no: DEV_BRAND_SERIAL.to_owned(),
            brand_key_pem: DEV_BRAND_KEY.to_owned(),
            brand_pub_pem: DEV_BRAND_PUB.to_owned(),
            brand_public_key_id: DEV_BRAND_PUBLIC_KEY_ID.to_owned(),
            brand_api_key: DEV_BRAND_API_KEY.to_owned(),
        }
    }

    /// Whether any of the committed dev secrets ([`SandboxKeys::dev`]) is among these keys: a
    /// private key or an APIv3 / 品牌API密钥 anyone can read in the repository.
    pub fn uses_dev_keys(&self) -> bool {
        self.merchant_key_pem.trim() == DEV_MERCHANT_KEY.trim()
            || self.wechatpay_key_pem.trim() == DEV_WECHATPAY_KEY.trim()
            || self.platform_key_pem.trim() == DEV_PLATFORM_KEY.trim()
            || self.brand_key_pem.trim() == DEV_BRAND_KEY.trim()
            || self.apiv3_key == DEV_APIV3_KEY
            || self.brand_api_key == DEV_BRAND_API_KEY
    }

    /// Fresh keys: four RSA-2048 key pairs (merchant, WeChat Pay, platform, brand), a self-signed certificate, random serials, a
    /// random APIv3 key. Takes a fraction of a second (RSA key generation).
    pub fn generate() -> io::Result<Self> {
        let merchant = KeyPair::generate(KeySize::Rsa2048).map_err(|_| other("RSA key generation failed"))?;
        let wechatpay = KeyPair::generate(KeySize::Rsa2048).map_err(|_| other("RSA key generation failed"))?;
        let platform = KeyPair::generate(KeySize::Rsa2048).map_err(|_| other("RSA key generation failed"))?;
        let brand = KeyPair::generate(KeySize::Rsa2048).map_err(|_| other("RSA key generation failed"))?;
        let platform_serial = random_hex(20, true);
        let platform_key_pem = private_pem(&platform)?;
        let platform_cert_pem = x509::self_signed_pem(
            &platform_serial,
            &PrivateKey::from_pem(&platform_key_pem).map_err(other)?,
            &public_spki(&platform)?,
        );
        let digits = || -> String { random_bytes(32).iter().map(|b| char::from(b'0' + b % 10)).collect() };
        Ok(SandboxKeys {
            mchid: DEFAULT_MCHID.to_owned(),
            merchant_serial_no: random_hex(20, false),
            merchant_key_pem: private_pem(&merchant)?,
            merchant_pub_pem: pem("PUBLIC KEY", &public_spki(&merchant)?),
            public_key_id: format!("PUB_KEY_ID_{}", digits()),
            wechatpay_key_pem: private_pem(&wechatpay)?,
            wechatpay_pub_pem: pem("PUBLIC KEY", &public_spki(&wechatpay)?),
            platform_serial_no: platform_serial,
            platform_key_pem,
            platform_cert_pem,
            apiv3_key: random_alnum(32),
            brand_id: DEFAULT_BRAND_ID.to_owned(),
            brand_serial_no: random_hex(20, false),
            brand_key_pem: private_pem(&brand)?,
            brand_pub_pem: pem("PUBLIC KEY", &public_spki(&brand)?),
            brand_public_key_id: format!("PUB_KEY_ID_{}", digits()),
            brand_api_key: random_alnum(32),
        })
    }

    /// Replaces the merchant id (requests must be signed for it).
    pub fn with_mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = mchid.into();
        self
    }

    /// Loads keys saved by [`SandboxKeys::save_dir`].
    pub fn load_dir(dir: impl AsRef<Path>) -> io::Result<Self> {
        let dir = dir.as_ref();
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.join(name).display())))
        };
        let identity = read(files::IDENTITY)?;
        let get = |name: &str| {
            identity
                .lines()
                .filter_map(|l| l.split_once('='))
                .find(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim().to_owned())
                .ok_or_else(|| other(format!("{}: no `{name}=` line", dir.join(files::IDENTITY).display())))
        };
        let keys = SandboxKeys {
            mchid: get("mchid")?,
            merchant_serial_no: get("merchant_serial_no")?,
            merchant_key_pem: read(files::MERCHANT_KEY)?,
            merchant_pub_pem: read(files::MERCHANT_PUB)?,
            public_key_id: get("public_key_id")?,
            wechatpay_key_pem: read(files::WECHATPAY_KEY)?,
            wechatpay_pub_pem: read(files::WECHATPAY_PUB)?,
            platform_serial_no: get("platform_serial_no")?,
            platform_key_pem: read(files::PLATFORM_KEY)?,
            platform_cert_pem: read(files::PLATFORM_CERT)?,
            apiv3_key: get("apiv3_key")?,
            brand_id: get("brand_id")?,
            brand_serial_no: get("brand_serial_no")?,
            brand_key_pem: read(files::BRAND_KEY)?,
            brand_pub_pem: read(files::BRAND_PUB)?,
            brand_public_key_id: get("brand_public_key_id")?,
            brand_api_key: get("brand_api_key")?,
        };
        keys.load()?;
        Ok(keys)
    }

    /// Loads the keys in `dir`, or generates fresh ones and saves them there when it holds none.
    /// A directory written before the sandbox served brands gets a fresh brand added to it.
    pub fn load_or_generate(dir: impl AsRef<Path>) -> io::Result<Self> {
        let dir = dir.as_ref();
        if dir.join(files::IDENTITY).exists() {
            if !dir.join(files::BRAND_KEY).exists() {
                let saved = std::fs::read_to_string(dir.join(files::IDENTITY))?;
                let fresh = Self::generate()?;
                fresh.save_brand(dir, &saved)?;
            }
            Self::load_dir(dir)
        } else {
            let keys = Self::generate()?;
            keys.save_dir(dir)?;
            Ok(keys)
        }
    }

    /// Writes every key and the identities into `dir` (created if needed; private keys are
    /// readable by the owner only on Unix).
    pub fn save_dir(&self, dir: impl AsRef<Path>) -> io::Result<()> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let identity = format!(
            "# wechatpay-sandbox identities: SANDBOX ONLY, never use for real traffic\nmchid={}\nmerchant_serial_no={}\npublic_key_id={}\nplatform_serial_no={}\napiv3_key={}\n",
            self.mchid, self.merchant_serial_no, self.public_key_id, self.platform_serial_no, self.apiv3_key
        );
        self.save_brand(dir, &identity)?;
        write_file(&dir.join(files::MERCHANT_KEY), &self.merchant_key_pem, true)?;
        write_file(&dir.join(files::MERCHANT_PUB), &self.merchant_pub_pem, false)?;
        write_file(&dir.join(files::WECHATPAY_KEY), &self.wechatpay_key_pem, true)?;
        write_file(&dir.join(files::WECHATPAY_PUB), &self.wechatpay_pub_pem, false)?;
        write_file(&dir.join(files::PLATFORM_KEY), &self.platform_key_pem, true)?;
        write_file(&dir.join(files::PLATFORM_CERT), &self.platform_cert_pem, false)?;
        Ok(())
    }

    /// Writes the brand's key files, and `identity` followed by the brand's identity lines.
    fn save_brand(&self, dir: &Path, identity: &str) -> io::Result<()> {
        let brand = format!(
            "brand_id={}\nbrand_serial_no={}\nbrand_public_key_id={}\nbrand_api_key={}\n",
            self.brand_id, self.brand_serial_no, self.brand_public_key_id, self.brand_api_key
        );
        let newline = if identity.is_empty() || identity.ends_with('\n') { "" } else { "\n" };
        write_file(&dir.join(files::IDENTITY), &format!("{identity}{newline}{brand}"), true)?;
        write_file(&dir.join(files::BRAND_KEY), &self.brand_key_pem, true)?;
        write_file(&dir.join(files::BRAND_PUB), &self.brand_pub_pem, false)
    }

    /// Parses every key and checks that they fit together.
    pub(crate) fn load(&self) -> io::Result<LoadedKeys> {
        let bad = |what: &str, e: &dyn fmt::Display| other(format!("sandbox keys: {what}: {e}"));
        let merchant_key = PrivateKey::from_pem(&self.merchant_key_pem).map_err(|e| bad("merchant key", &e))?;
        let merchant_pub = PublicKey::from_pem(&self.merchant_pub_pem).map_err(|e| bad("merchant public key", &e))?;
        let wechatpay_key = PrivateKey::from_pem(&self.wechatpay_key_pem).map_err(|e| bad("WeChat Pay key", &e))?;
        let wechatpay_pub =
            PublicKey::from_pem(&self.wechatpay_pub_pem).map_err(|e| bad("WeChat Pay public key", &e))?;
        let platform_key = PrivateKey::from_pem(&self.platform_key_pem).map_err(|e| bad("platform key", &e))?;
        let cert = parse_certificate_pem(&self.platform_cert_pem).map_err(|e| bad("platform certificate", &e))?;
        let apiv3 = ApiV3Key::new(&self.apiv3_key).map_err(|e| bad("APIv3 key", &e))?;
        let brand_key = PrivateKey::from_pem(&self.brand_key_pem).map_err(|e| bad("brand key", &e))?;
        let brand_pub = PublicKey::from_pem(&self.brand_pub_pem).map_err(|e| bad("brand public key", &e))?;
        let brand_api_key = ApiV3Key::new(&self.brand_api_key).map_err(|e| bad("品牌API密钥", &e))?;
        for (name, private, public) in [
            ("merchant", &merchant_key, &merchant_pub),
            ("brand", &brand_key, &brand_pub),
            ("WeChat Pay", &wechatpay_key, &wechatpay_pub),
            ("platform", &platform_key, &cert.public_key),
        ] {
            if !public.verify(b"pair check", &private.sign(b"pair check")) {
                return Err(other(format!("sandbox keys: the {name} public key does not match its private key")));
            }
        }
        if !cert.serial_no.eq_ignore_ascii_case(self.platform_serial_no.trim_start_matches('0'))
            && !cert.serial_no.eq_ignore_ascii_case(&self.platform_serial_no)
        {
            return Err(other(format!(
                "sandbox keys: platform serial {} is not the certificate's ({})",
                self.platform_serial_no, cert.serial_no
            )));
        }
        Ok(LoadedKeys { merchant_pub, brand_pub, brand_api_key, wechatpay_key, platform_key, apiv3 })
    }
}

/// Writes `text` to `path`, owner-only when `private` (Unix).
pub(crate) fn write_file(path: &Path, text: &str, private: bool) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    use std::io::Write as _;
    let mut f = options.open(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    f.write_all(text.as_bytes())
}

/// A directory path next to `file`: `<file>.keys`.
pub(crate) fn sibling_keys_dir(file: &Path) -> PathBuf {
    let mut name = file.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "sandbox".into());
    name.push(".keys");
    file.with_file_name(name)
}

fn other(e: impl ToString) -> io::Error {
    io::Error::other(e.to_string())
}

fn private_pem(pair: &KeyPair) -> io::Result<String> {
    let der: Pkcs8V1Der<'static> = pair.as_der().map_err(|_| other("PKCS#8 encoding failed"))?;
    Ok(pem("PRIVATE KEY", der.as_ref()))
}

fn public_spki(pair: &KeyPair) -> io::Result<Vec<u8>> {
    let der: PublicKeyX509Der<'static> = pair.public_key().as_der().map_err(|_| other("SPKI encoding failed"))?;
    Ok(der.as_ref().to_vec())
}

/// PEM text for DER bytes.
pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut b).expect("system random number generator");
    b
}

/// `n` random bytes as upper-case hex; with `positive`, the first byte's top bit is clear and
/// the first byte is non-zero (a DER INTEGER serial without padding).
fn random_hex(n: usize, positive: bool) -> String {
    let mut b = random_bytes(n);
    if positive {
        b[0] = (b[0] & 0x7F).max(1);
    }
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn random_alnum(n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in random_bytes(n) {
            if b < 248 && out.len() < n {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    out
}

/// Just enough DER to write a self-signed X.509 v3 certificate (RSA, SHA-256).
mod x509 {
    use wechatpay_product_coupon::PrivateKey;

    const SHA256_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
    const COUNTRY: &[u8] = &[0x55, 0x04, 0x06];
    const ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0A];
    const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }

    fn seq(parts: &[&[u8]]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    fn algorithm() -> Vec<u8> {
        seq(&[&tlv(0x06, SHA256_WITH_RSA), &[0x05, 0x00]])
    }

    fn name() -> Vec<u8> {
        let rdn = |oid: &[u8], tag: u8, value: &str| tlv(0x31, &seq(&[&tlv(0x06, oid), &tlv(tag, value.as_bytes())]));
        seq(&[
            &rdn(COUNTRY, 0x13, "CN"),
            &rdn(ORGANIZATION, 0x0C, "wechatpay-sandbox (sandbox only, not WeChat Pay)"),
            &rdn(COMMON_NAME, 0x0C, "wechatpay-sandbox platform certificate"),
        ])
    }

    /// A self-signed certificate with serial `serial_hex` (upper-case hex, positive), valid
    /// 2025-01-01 to 2049-12-31, for the key `spki` signed by `key`.
    pub(super) fn self_signed_pem(serial_hex: &str, key: &PrivateKey, spki: &[u8]) -> String {
        let serial: Vec<u8> = (0..serial_hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&serial_hex[i..i + 2], 16).expect("hex serial"))
            .collect();
        let validity = seq(&[&tlv(0x17, b"241231160000Z"), &tlv(0x17, b"491231155959Z")]);
        let tbs = seq(&[
            &tlv(0xA0, &tlv(0x02, &[0x02])),
            &tlv(0x02, &serial),
            &algorithm(),
            &name(),
            &validity,
            &name(),
            spki,
        ]);
        let signature = key.sign(&tbs);
        let mut bits = vec![0u8];
        bits.extend(signature);
        let cert = seq(&[&tbs, &algorithm(), &tlv(0x03, &bits)]);
        super::pem("CERTIFICATE", &cert)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_keys_fit_together() {
        let keys = SandboxKeys::dev();
        keys.load().unwrap();
        assert_eq!(parse_certificate_pem(&keys.platform_cert_pem).unwrap().serial_no, DEV_PLATFORM_SERIAL);
        assert_eq!(keys.apiv3_key.len(), 32);
        assert!(keys.uses_dev_keys());
        assert!(SandboxKeys::dev().with_mchid("1900000002").uses_dev_keys(), "another mchid, the same keys");
    }

    #[test]
    fn generated_keys_fit_together_and_round_trip_through_a_directory() {
        let keys = SandboxKeys::generate().unwrap();
        keys.load().unwrap();
        assert!(!keys.uses_dev_keys());
        let mixed = SandboxKeys { brand_api_key: SandboxKeys::dev().brand_api_key, ..keys.clone() };
        assert!(mixed.uses_dev_keys(), "one dev secret is enough");
        let cert = parse_certificate_pem(&keys.platform_cert_pem).unwrap();
        assert_eq!(cert.serial_no, keys.platform_serial_no);
        assert!(keys.public_key_id.starts_with("PUB_KEY_ID_"));
        let dir = std::env::temp_dir().join(format!("wechatpay-sandbox-keys-{}", random_hex(8, false)));
        keys.save_dir(&dir).unwrap();
        let again = SandboxKeys::load_or_generate(&dir).unwrap();
        assert_eq!(again.merchant_key_pem, keys.merchant_key_pem);
        assert_eq!(again.platform_serial_no, keys.platform_serial_no);
        assert_eq!(again.apiv3_key, keys.apiv3_key);
        assert_eq!(
            (again.brand_key_pem, again.brand_api_key),
            (keys.brand_key_pem.clone(), keys.brand_api_key.clone())
        );

        // A directory written before the sandbox served brands: a brand is added, the rest kept.
        let identity = std::fs::read_to_string(dir.join(files::IDENTITY)).unwrap();
        let old: String = identity.lines().filter(|l| !l.starts_with("brand_")).map(|l| format!("{l}\n")).collect();
        std::fs::write(dir.join(files::IDENTITY), old.trim_end()).unwrap();
        std::fs::remove_file(dir.join(files::BRAND_KEY)).unwrap();
        std::fs::remove_file(dir.join(files::BRAND_PUB)).unwrap();
        let upgraded = SandboxKeys::load_or_generate(&dir).unwrap();
        assert_eq!((upgraded.merchant_key_pem, upgraded.apiv3_key), (keys.merchant_key_pem, keys.apiv3_key));
        assert_eq!(upgraded.brand_id, DEFAULT_BRAND_ID);
        assert_ne!(upgraded.brand_key_pem, keys.brand_key_pem, "a fresh brand key");
        assert_eq!(SandboxKeys::load_dir(&dir).unwrap().brand_serial_no, upgraded.brand_serial_no, "and saved");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
