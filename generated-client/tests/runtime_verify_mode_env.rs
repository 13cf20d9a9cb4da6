//! `from_env` infers the verification mode from which variables are set, and
//! `WECHATPAY_VERIFY_MODE` overrides it. A test binary of its own with a single test, so no
//! other test can race on the process environment.

mod support;

use support::*;
use wechatpay_product_coupon::runtime::client::VerificationMode;
use wechatpay_product_coupon::{Client, ClientBuilder, Error};

// Keep this the only test here: building a client reads proxy variables, so any other test in
// this binary would race with the `set_var` calls below.

fn set(name: &str, value: &str) {
    // SAFETY: this binary runs a single test, on one thread; nothing else reads the environment.
    unsafe { std::env::set_var(name, value) };
}

fn unset(name: &str) {
    // SAFETY: as in `set`.
    unsafe { std::env::remove_var(name) };
}

fn mode() -> Result<VerificationMode, Error> {
    Client::from_env().map(|c| c.verification_mode())
}

#[test]
fn from_env_infers_the_verification_mode_and_the_variable_overrides_it() {
    let dir = std::env::temp_dir().join(format!("wechatpay-verify-mode-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_path = dir.join("apiclient_key.pem");
    let pub_path = dir.join("pub_key.pem");
    std::fs::write(&key_path, MERCHANT_KEY_PEM).unwrap();
    std::fs::write(&pub_path, WECHATPAY_PUB_PEM).unwrap();
    set("WECHATPAY_MCHID", MCHID);
    set("WECHATPAY_MERCHANT_SERIAL_NO", MERCHANT_SERIAL);
    set("WECHATPAY_PRIVATE_KEY_PATH", &key_path.display().to_string());
    set("WECHATPAY_BASE_URL", "http://127.0.0.1:9");
    set("WECHATPAY_BACKUP_BASE_URL", "none");
    unset("WECHATPAY_VERIFY_MODE");

    // Public key and APIv3 key: public-key mode (the APIv3 key is for notifications).
    set("WECHATPAY_PUBLIC_KEY_ID", PUB_KEY_ID);
    set("WECHATPAY_PUBLIC_KEY_PATH", &pub_path.display().to_string());
    set("WECHATPAY_APIV3_KEY", APIV3_KEY);
    assert_eq!(mode().unwrap(), VerificationMode::PublicKey);

    // Explicit choices override the inference.
    for (value, expected) in [
        ("both", VerificationMode::Both),
        ("platform_certificate", VerificationMode::PlatformCertificate),
        ("PUBLIC_KEY", VerificationMode::PublicKey),
    ] {
        set("WECHATPAY_VERIFY_MODE", value);
        assert_eq!(mode().unwrap(), expected, "{value}");
    }
    set("WECHATPAY_VERIFY_MODE", "certificates");
    assert!(
        matches!(ClientBuilder::from_env(), Err(Error::Config(m)) if m.contains("WECHATPAY_VERIFY_MODE") && m.contains("certificates"))
    );

    // Only the APIv3 key: certificate mode.
    unset("WECHATPAY_VERIFY_MODE");
    unset("WECHATPAY_PUBLIC_KEY_ID");
    unset("WECHATPAY_PUBLIC_KEY_PATH");
    assert_eq!(mode().unwrap(), VerificationMode::PlatformCertificate);
    // A mode whose key is missing is refused at build time, naming what is missing.
    for value in ["public_key", "both"] {
        set("WECHATPAY_VERIFY_MODE", value);
        assert!(matches!(mode(), Err(Error::Config(m)) if m.contains("public key")), "{value}");
    }

    // Only the public key: `platform_certificate` or `both` need the APIv3 key.
    set("WECHATPAY_PUBLIC_KEY_ID", PUB_KEY_ID);
    set("WECHATPAY_PUBLIC_KEY_PATH", &pub_path.display().to_string());
    unset("WECHATPAY_APIV3_KEY");
    set("WECHATPAY_VERIFY_MODE", "both");
    assert!(matches!(mode(), Err(Error::Config(m)) if m.contains("APIv3 key")));
    set("WECHATPAY_VERIFY_MODE", "");
    assert_eq!(mode().unwrap(), VerificationMode::PublicKey, "an empty variable means not set");

    for name in [
        "WECHATPAY_MCHID",
        "WECHATPAY_MERCHANT_SERIAL_NO",
        "WECHATPAY_PRIVATE_KEY_PATH",
        "WECHATPAY_BASE_URL",
        "WECHATPAY_BACKUP_BASE_URL",
        "WECHATPAY_VERIFY_MODE",
        "WECHATPAY_PUBLIC_KEY_ID",
        "WECHATPAY_PUBLIC_KEY_PATH",
        "WECHATPAY_APIV3_KEY",
    ] {
        unset(name);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
