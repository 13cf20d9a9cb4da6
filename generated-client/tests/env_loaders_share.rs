//! Both families' environment loaders read the shared settings the same way: a brand client
//! built from the environment honours the shared rate limit (`WECHATPAY_RATE_LIMIT_*`) as a
//! partner client does (a brand loader once ignored it). One test in its own binary: it sets
//! process environment variables, which no other test may see change.
#![cfg(feature = "brand")]

use wechatpay_product_coupon::{BrandClient, Client};

const KEY: &str = include_str!("data/test_merchant_key.pem");
const PUB: &str = include_str!("data/test_wechatpay_pub.pem");

#[test]
fn a_brand_client_from_the_environment_reads_the_shared_rate_limit_like_a_partner_client() {
    let dir = std::env::temp_dir().join(format!("env-loaders-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (key, public) = (dir.join("key.pem"), dir.join("pub.pem"));
    std::fs::write(&key, KEY).unwrap();
    std::fs::write(&public, PUB).unwrap();
    let vars = [
        ("WECHATPAY_MCHID", "1900000109"),
        ("WECHATPAY_MERCHANT_SERIAL_NO", "3775B6A45ACD588826D15E583A95F5DD12345678"),
        ("WECHATPAY_PRIVATE_KEY_PATH", key.to_str().unwrap()),
        ("WECHATPAY_PUBLIC_KEY_ID", "PUB_KEY_ID_0000000000000024101100397200000006"),
        ("WECHATPAY_PUBLIC_KEY_PATH", public.to_str().unwrap()),
        ("WECHATPAY_BRAND_ID", "120344"),
        ("WECHATPAY_BRAND_SERIAL_NO", "3775B6A45ACD588826D15E583A95F5DD12345678"),
        ("WECHATPAY_BRAND_PRIVATE_KEY_PATH", key.to_str().unwrap()),
        ("WECHATPAY_BRAND_PUBLIC_KEY_ID", "PUB_KEY_ID_0000000000000024101100397200000006"),
        ("WECHATPAY_BRAND_PUBLIC_KEY_PATH", public.to_str().unwrap()),
        ("WECHATPAY_BASE_URL", "http://127.0.0.1:9"),
    ];
    // SAFETY: this binary has this one test and starts no other thread before it.
    unsafe {
        for (name, value) in vars {
            std::env::set_var(name, value);
        }
    }
    assert!(Client::from_env().is_ok());
    assert!(BrandClient::from_env().is_ok());

    // A shared-limit setting without its Redis URL is a configuration error for both: proof
    // that both loaders read `WECHATPAY_RATE_LIMIT_*`.
    unsafe { std::env::set_var("WECHATPAY_RATE_LIMIT_INSTANCES", "3") };
    let partner = Client::from_env().expect_err("the partner loader reads the shared limit");
    let brand = BrandClient::from_env().expect_err("the brand loader reads the shared limit too");
    for e in [partner.to_string(), brand.to_string()] {
        assert!(e.contains("WECHATPAY_RATE_LIMIT_INSTANCES is set but WECHATPAY_RATE_LIMIT_REDIS_URL is not"), "{e}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
