//! The client: each family's client type (generated from `api-spec/families.toml` into
//! [`crate::generated::clients`]) wraps the core [`wechatpay_apiv3::Client`] (every core method is
//! reachable through `Deref`), so that the generated call functions can be its methods;
//! everything else is the core's [`wechatpay_apiv3::client`].

pub use crate::generated::clients::*;
