//! The APIv3 core ([`wechatpay_apiv3`]) under the paths generated code names
//! (`crate::runtime::client::RequestParts`, `crate::runtime::validate::...`), plus the one thing
//! that must live in this crate: the [`Client`](client::Client) the generated operations are
//! methods of. Hand-written; nothing here knows the family's models.

pub use wechatpay_apiv3::*;

pub mod client;
pub mod family;
pub mod ids;
