//! Who is calling: a 服务商 merchant (`WECHATPAY2-SHA256-RSA2048 mchid="..."` on the partner
//! paths, verified by `wechatpay_apiv3::verify::verify_request`) or a brand calling directly
//! (`WECHATPAY-BRAND-SHA256-RSA2048 brand_id="..."` on the brand paths, verified here). Each
//! family's paths take only its own scheme: a brand-signed request to a partner path and the
//! reverse are 401 `SIGN_ERROR`, as WeChat Pay answers a signature of the wrong kind
//! (brand-direct reference §2.1).
//!
//! The state records who created what as an *account*: the merchant's `mchid`, or
//! `brand:<brand_id>` for a brand (no `mchid` contains a colon), so one state serves both.

use wechatpay_apiv3::protocol::{BRAND_SCHEME, request_message};
use wechatpay_apiv3::verify::MAX_CLOCK_SKEW_SECS;
use wechatpay_product_coupon::PublicKey;

/// The account prefix of a brand calling directly.
const BRAND_ACCOUNT: &str = "brand:";

/// The account of brand `brand_id` calling directly.
pub(crate) fn brand_account(brand_id: &str) -> String {
    format!("{BRAND_ACCOUNT}{brand_id}")
}

/// The brand whose account `account` is, if it is a brand's.
pub(crate) fn account_brand(account: &str) -> Option<&str> {
    account.strip_prefix(BRAND_ACCOUNT)
}

/// The verified parameters of a brand's `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrandAuthorization {
    pub brand_id: String,
    pub serial_no: String,
}

/// Verifies a brand's signed request as WeChat Pay does: the scheme
/// `WECHATPAY-BRAND-SHA256-RSA2048`, the five parameters (`brand_id`, `nonce_str`, `timestamp`,
/// `serial_no`, `signature`) each exactly once in any order, a timestamp within 5 minutes of
/// `now`, and an RSA-SHA256 signature over the same five-line message as the partner scheme,
/// with the 品牌API证书 key that `lookup` finds for (`brand_id`, `serial_no`). The error says why.
pub(crate) fn verify_brand_request(
    authorization: &str,
    method: &str,
    canonical_url: &str,
    body: &[u8],
    now: i64,
    lookup: impl FnOnce(&str, &str) -> Option<PublicKey>,
) -> Result<BrandAuthorization, String> {
    let rest = authorization
        .trim()
        .strip_prefix(BRAND_SCHEME)
        .ok_or_else(|| format!("scheme is not {BRAND_SCHEME} (a brand path takes the brand's signature)"))?;
    if !rest.starts_with([' ', '\t']) {
        return Err("no space after the scheme".into());
    }
    let mut fields: [Option<&str>; 5] = [None; 5];
    for item in rest.split(',') {
        let (name, value) = item.trim().split_once('=').ok_or("parameter without '='")?;
        let value = value
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| format!("parameter {:?} is not quoted", name.trim()))?;
        let slot = match name.trim() {
            "brand_id" => 0,
            "nonce_str" => 1,
            "timestamp" => 2,
            "serial_no" => 3,
            "signature" => 4,
            other => return Err(format!("unknown parameter {other:?}")),
        };
        if fields[slot].replace(value).is_some() {
            return Err(format!("parameter {:?} repeated", name.trim()));
        }
    }
    let [brand_id, nonce, timestamp, serial_no, signature] = fields;
    fn need<'h>(v: Option<&'h str>, name: &str) -> Result<&'h str, String> {
        v.ok_or_else(|| format!("parameter {name:?} missing"))
    }
    let (brand_id, nonce, timestamp) =
        (need(brand_id, "brand_id")?, need(nonce, "nonce_str")?, need(timestamp, "timestamp")?);
    let (serial_no, signature) = (need(serial_no, "serial_no")?, need(signature, "signature")?);
    let key = lookup(brand_id, serial_no)
        .ok_or_else(|| format!("no 品牌API证书 {serial_no:?} is known for brand {brand_id:?}"))?;
    let ts: i64 = timestamp.parse().map_err(|_| format!("timestamp {timestamp:?} is not a Unix timestamp"))?;
    if ts.to_string() != timestamp {
        return Err("timestamp is not a plain decimal number".into());
    }
    if now.saturating_sub(ts).saturating_abs() >= MAX_CLOCK_SKEW_SECS {
        return Err(format!("timestamp {ts} is more than 5 minutes from the server's {now}"));
    }
    let message = request_message(method, canonical_url, ts, nonce, body);
    if !key.verify_base64(&message, signature) {
        return Err(format!("signature does not verify with the 品牌API证书 {serial_no:?}"));
    }
    Ok(BrandAuthorization { brand_id: brand_id.to_owned(), serial_no: serial_no.to_owned() })
}

#[cfg(test)]
mod tests {
    use wechatpay_apiv3::signing::BrandSigner;
    use wechatpay_product_coupon::PrivateKey;

    use super::*;

    const KEY: &str = include_str!("../keys/brand_key.pem");
    const PUB: &str = include_str!("../keys/brand_pub.pem");

    fn signed(method: &str, url: &str, body: &[u8], at: i64) -> String {
        let signer = BrandSigner::new("120344", "SERIAL", PrivateKey::from_pem(KEY).unwrap());
        signer.authorization_at(method, url, body, at, "n0nce")
    }

    fn verify(header: &str, body: &[u8], now: i64) -> Result<BrandAuthorization, String> {
        verify_brand_request(header, "POST", "/brand/x?a=1", body, now, |brand, serial| {
            (brand == "120344" && serial == "SERIAL").then(|| PublicKey::from_pem(PUB).unwrap())
        })
    }

    #[test]
    fn a_brand_signature_verifies_and_names_the_brand() {
        let header = signed("POST", "/brand/x?a=1", b"{}", 1_700_000_000);
        assert!(header.starts_with("WECHATPAY-BRAND-SHA256-RSA2048 brand_id=\"120344\","), "{header}");
        let ok = verify(&header, b"{}", 1_700_000_100).unwrap();
        assert_eq!(ok, BrandAuthorization { brand_id: "120344".into(), serial_no: "SERIAL".into() });
    }

    #[test]
    fn every_defect_is_refused_with_its_reason() {
        let header = signed("POST", "/brand/x?a=1", b"{}", 1_700_000_000);
        let now = 1_700_000_000;
        let cases: [(String, &[u8], i64, &str); 7] = [
            (header.clone(), b"{ }", now, "does not verify"),
            (header.clone(), b"{}", now + 300, "more than 5 minutes"),
            (header.replacen("WECHATPAY-BRAND-SHA256-RSA2048", "WECHATPAY2-SHA256-RSA2048", 1), b"{}", now, "scheme"),
            (header.replacen("brand_id=\"120344\"", "brand_id=\"999\"", 1), b"{}", now, "no 品牌API证书"),
            (header.replacen("brand_id=", "mchid=", 1), b"{}", now, "unknown parameter \"mchid\""),
            (format!("{header},nonce_str=\"x\""), b"{}", now, "repeated"),
            (header.replacen(",serial_no=\"SERIAL\"", "", 1), b"{}", now, "parameter \"serial_no\" missing"),
        ];
        for (header, body, now, why) in cases {
            let err = verify(&header, body, now).unwrap_err();
            assert!(err.contains(why), "{header}: {err}");
        }
        assert_eq!(account_brand(&brand_account("120344")), Some("120344"));
        assert_eq!(account_brand("1900000001"), None);
    }
}
