//! Who is calling: a 服务商 merchant (`WECHATPAY2-SHA256-RSA2048 mchid="..."` on the partner
//! paths) or a brand calling directly (`WECHATPAY-BRAND-SHA256-RSA2048 brand_id="..."` on the
//! brand paths). Both are verified by the core's one parser and verifier,
//! `wechatpay_apiv3::verify::verify_request`, told the one scheme the path's family accepts
//! (`server.rs`): a brand-signed request to a partner path and the reverse are 401
//! `SIGN_ERROR`, as WeChat Pay answers a signature of the wrong kind (brand-direct reference
//! §2.1).
//!
//! The state records who created what as an *account*: the merchant's `mchid`, or
//! `brand:<brand_id>` for a brand (no `mchid` contains a colon), so one state serves both.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_accounts_are_told_apart_from_merchants() {
        assert_eq!(account_brand(&brand_account("120344")), Some("120344"));
        assert_eq!(account_brand("1900000001"), None);
    }
}
