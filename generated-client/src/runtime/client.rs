//! The client: [`Client`] is this family's, wrapping the core [`wechatpay_apiv3::Client`] (every
//! core method is reachable through `Deref`), so that the generated call functions can be its
//! methods; everything else is the core's [`wechatpay_apiv3::client`].

use std::fmt;
pub use wechatpay_apiv3::client::*;

/// The 商品券 API client: the core client plus one method per operation (generated).
/// Cheap to clone; clones share the connection pool, keys and rate limiter.
#[derive(Clone)]
pub struct Client {
    core: wechatpay_apiv3::Client,
}

/// Configures a [`Client`] (see [`wechatpay_apiv3::ClientBuilder`]).
pub type ClientBuilder = wechatpay_apiv3::ClientBuilder<Client>;

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment; see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client, wechatpay_apiv3::Error> {
        ClientBuilder::from_env()?.build()
    }

    /// A clone of this client whose calls use `options` (cheap: shares everything else).
    pub fn with_options(&self, options: CallOptions) -> Client {
        Client { core: self.core.with_options(options) }
    }

    /// The core client.
    pub fn core(&self) -> &wechatpay_apiv3::Client {
        &self.core
    }
}

impl From<wechatpay_apiv3::Client> for Client {
    fn from(core: wechatpay_apiv3::Client) -> Self {
        Client { core }
    }
}

impl std::ops::Deref for Client {
    type Target = wechatpay_apiv3::Client;

    fn deref(&self) -> &wechatpay_apiv3::Client {
        &self.core
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.core, f)
    }
}

#[cfg(feature = "brand")]
/// The brand-direct (品牌直连) 商品券 API client: a brand calling the same operations itself,
/// under `/brand/marketing/product-coupon`, signed `WECHATPAY-BRAND-SHA256-RSA2048` with its
/// 品牌API证书 and carrying `Wechatpay-Serial` on every request. Its methods (generated) take
/// the same arguments as [`Client`]'s minus `brand_id`, which the Authorization header carries.
/// Cheap to clone.
#[derive(Clone)]
pub struct BrandClient {
    core: wechatpay_apiv3::Client,
}

#[cfg(feature = "brand")]
/// Configures a [`BrandClient`]: [`brand_id`](wechatpay_apiv3::ClientBuilder::brand_id), the
/// 品牌API证书's serial and key, and the WeChat Pay public key bound to the brand.
pub type BrandClientBuilder = wechatpay_apiv3::ClientBuilder<BrandClient>;

#[cfg(feature = "brand")]
impl BrandClient {
    /// Starts configuring a brand client; `build()` refuses a configuration without `brand_id`.
    pub fn builder() -> BrandClientBuilder {
        BrandClientBuilder::new().expect_brand()
    }

    /// A brand client configured from the `WECHATPAY_BRAND_*` environment variables; see
    /// [`ClientBuilder::from_brand_env`](wechatpay_apiv3::ClientBuilder::from_brand_env).
    pub fn from_env() -> Result<BrandClient, wechatpay_apiv3::Error> {
        BrandClientBuilder::from_brand_env()?.build()
    }

    /// A clone of this client whose calls use `options` (cheap: shares everything else).
    pub fn with_options(&self, options: CallOptions) -> BrandClient {
        BrandClient { core: self.core.with_options(options) }
    }

    /// The core client.
    pub fn core(&self) -> &wechatpay_apiv3::Client {
        &self.core
    }
}

#[cfg(feature = "brand")]
impl From<wechatpay_apiv3::Client> for BrandClient {
    fn from(core: wechatpay_apiv3::Client) -> Self {
        BrandClient { core }
    }
}

#[cfg(feature = "brand")]
impl std::ops::Deref for BrandClient {
    type Target = wechatpay_apiv3::Client;

    fn deref(&self) -> &wechatpay_apiv3::Client {
        &self.core
    }
}

#[cfg(feature = "brand")]
impl fmt::Debug for BrandClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.core, f)
    }
}
