//! Who is calling: a merchant (a 服务商, `WECHATPAY2-SHA256-RSA2048 mchid="..."` on the partner
//! paths) or a brand calling directly (`WECHATPAY-BRAND-SHA256-RSA2048 brand_id="..."` on the
//! brand paths). Each family's paths take the one scheme of its row in the generated route
//! table (`crate::generated::families`), verified by the core's one parser and verifier,
//! `wechatpay_apiv3::verify::verify_request` (`server.rs`): a brand-signed request to a partner
//! path and the reverse are 401 `SIGN_ERROR`, as WeChat Pay answers a signature of the wrong
//! kind (brand-direct reference §2.1).
//!
//! The state records who created what as an *account*: the merchant's `mchid`, or
//! `<family id>:<brand_id>` for a brand calling through a family whose signer is a brand
//! (`brand:120344`; no `mchid` contains a colon), so one state serves every family and a
//! brand's notifications go out in its family's terms.

use crate::generated::families::{FamilyRoute, family_by_id};

/// The account of brand `brand_id` calling directly through `family`.
pub(crate) fn brand_account(family: &FamilyRoute, brand_id: &str) -> String {
    format!("{}:{brand_id}", family.id)
}

/// The family and brand whose account `account` is, if it is a brand's.
pub(crate) fn account_brand(account: &str) -> Option<(&'static FamilyRoute, &str)> {
    let (family, brand) = account.split_once(':')?;
    Some((family_by_id(family).filter(|f| f.brand_signs)?, brand))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::families::FAMILIES;

    #[test]
    fn brand_accounts_are_told_apart_from_merchants() {
        for family in FAMILIES.iter().filter(|f| f.brand_signs) {
            let account = brand_account(family, "120344");
            let (found, brand) = account_brand(&account).unwrap();
            assert_eq!((found.id, brand), (family.id, "120344"));
        }
        assert!(account_brand("1900000001").is_none());
        // A colon alone does not make a brand: the prefix must be a brand-signing family.
        assert!(account_brand("partner:1900000001").is_none());
        assert!(account_brand("nosuch:1").is_none());
    }

    #[test]
    fn the_brand_family_keeps_the_persisted_account_form() {
        // State files written before the route table hold `brand:<brand_id>`.
        let (family, brand) = account_brand("brand:120344").unwrap();
        assert_eq!((family.id, brand), ("brand", "120344"));
    }
}
