//! The sandbox's business state: product coupons with their stocks and stock bundles, store
//! associations and uploaded codes, user coupons and user coupon bundles, pre-send tokens,
//! notify URLs, uploaded images and image generation tasks, and the idempotency records of
//! `out_request_no` / `send_request_no` / `task_id` (`crate::idempotency`).
//!
//! Every operation goes through `crate::pipeline` (brand authorization, idempotency), then
//! its handler: a method of `Ctx` named like the operation, next to its concern, each module
//! documenting its rules: `src/coupons.rs` (product coupons, stocks, bundles, stores, codes),
//! `src/user_coupons.rs` (sending, the user-coupon lifecycle), `src/images.rs` (upload,
//! generation tasks) and [`crate::notify`] (notify URL, notifications); `sandbox/README.md`
//! sums them up. This module holds what they share: the state, the request context and errors.
//!
//! Rules common to every operation (on top of the client's validation, which the server runs
//! first, so a request sent with validation switched off is still refused):
//!
//! * ids are numbers handed out in order: product coupons from `1000000001`, stock bundles
//!   from `2000000001`, stocks from `3000000001`, user coupon bundles from `4000000001`, user
//!   coupon codes (`WECHATPAY` mode) from `800000000001`;
//! * every brand has authorized the 服务商, unless the sandbox was given a list of brands
//!   ([`SandboxBuilder::brands`](crate::SandboxBuilder::brands)): then another `brand_id` is 403
//!   `NO_AUTH` (品牌未向服务商授予商品券权限);
//! * a product coupon, stock, bundle or user coupon of another merchant or brand does not exist
//!   for the caller: 404 `NOT_FOUND` (business code 268578608);
//! * idempotency by request number (per merchant, brand, operation and number; see
//!   `crate::idempotency`): the same number with the same request returns the stored response
//!   and changes nothing; the same number with a different request is refused with business
//!   code 268578927 (相同单号但请求数据不一致).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use wechatpay_product_coupon::models::*;

use crate::auth::account_brand;
use crate::clock::format_rfc3339;
// Defined in failure.rs (below every handler module), named here too.
pub use crate::failure::ApiFailure;
pub(crate) use crate::failure::{business_code, internal};

/// What is remembered of a request that succeeded. The state file holds these as they are,
/// so the fingerprint's form must not change (a retry after a restart must still match).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct IdempotencyRecord {
    /// SHA-256 (lowercase hex) of the canonical request: the JSON
    /// `[operation id, [[path parameter, value], ...], typed body]`.
    pub fingerprint: String,
    /// The response body returned the first time, verbatim (a replay sends the same bytes).
    /// Embedded as JSON in the state file.
    #[serde(with = "embedded_json")]
    pub response: String,
}

/// A JSON text kept as text in memory and written as JSON (not as a string) in the state file.
mod embedded_json {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(serde::ser::Error::custom)?;
        value.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        serde_json::to_string(&value).map_err(serde::de::Error::custom)
    }
}

/// An event a handler produced, waiting for the request to finish.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    /// Where to deliver it (`None`: the merchant has not set a notify URL).
    pub url: Option<String>,
    pub event_type: &'static str,
    pub summary: Option<&'static str>,
    pub original_type: Option<&'static str>,
    pub associated_data: &'static str,
    /// `create_time`, business clock.
    pub create_time: String,
    /// The resource before encryption.
    pub resource: Value,
    /// The brand calling directly whose notification this is (its 品牌API密钥 encrypts it, the
    /// public key id bound to it signs it); `None`: the merchant's.
    pub brand: Option<String>,
}

/// One product coupon as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductCoupon {
    /// The account that created it: the merchant (服务商) `mchid`, or `brand:<brand_id>` for
    /// a brand calling directly (品牌直连).
    pub mchid: String,
    /// The product coupon as 查询商品券 returns it (without stocks), with its current `state`
    /// and, once deactivated, the deactivation fields.
    pub coupon: ProductCouponEntity,
    /// Its stocks (usage_mode = SINGLE), oldest first.
    #[serde(default)]
    pub stocks: Vec<StockEntity>,
    /// Its stock bundles (usage_mode = PROGRESSIVE_BUNDLE), oldest first.
    #[serde(default)]
    pub stock_bundles: Vec<StockBundleEntity>,
}

/// What the sandbox keeps about a stock beyond its entity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct StockExtra {
    /// Associated stores (store_scope = SPECIFIC), in association order.
    #[serde(default)]
    pub stores: Vec<String>,
    /// Every code ever uploaded (coupon_code_mode = UPLOAD).
    #[serde(default)]
    pub uploaded_codes: BTreeSet<String>,
    /// Uploaded codes not handed out yet, oldest first.
    #[serde(default)]
    pub available_codes: VecDeque<String>,
    /// The day (`+08:00`, days since 1970-01-01) `sent_count_info.today_count` counts.
    #[serde(default)]
    pub sent_day: i64,
}

/// A user coupon as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct UserCouponRecord {
    /// Order of sending, for listings.
    pub seq: u64,
    pub mchid: String,
    pub openid: String,
    pub appid: String,
    /// The stock bundle it was sent from (PROGRESSIVE_BUNDLE).
    #[serde(default)]
    pub stock_bundle_id: Option<String>,
    /// `progressive_bundle_usage_info.interval_days` of its product coupon.
    #[serde(default)]
    pub interval_days: i64,
    /// The coupon with its *stored* state: `CONFIRMING` (sent), `EFFECTIVE` (confirmed; read
    /// as `PENDING` or `EXPIRED` depending on the time, see `user_coupons`), `USED` or
    /// `DEACTIVATED`. `product_coupon` and `stock` are as they were when it was sent.
    pub coupon: UserProductCoupon,
}

/// A user coupon bundle (向用户发放商品券批次组).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct UserCouponBundleRecord {
    pub mchid: String,
    pub openid: String,
    pub appid: String,
    pub brand_id: String,
    pub product_coupon_id: String,
    pub stock_bundle_id: String,
    /// Keys of its user coupons (see [`user_coupon_key`]), step 0 first.
    pub coupons: Vec<String>,
}

/// A pre-send token (向用户预发放商品券 / 批次组).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PreSendRecord {
    pub mchid: String,
    pub openid: String,
    /// When it was issued (business clock); valid for 5 minutes.
    pub issued_at: i64,
    /// The 预发放 request, kept to send the coupon when the token is claimed.
    pub request: PreSendRequest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum PreSendRequest {
    Coupon(PreSendCouponRequest),
    Bundle(PreSendCouponBundleRequest),
}

/// An uploaded image (the bytes are not kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ImageRecord {
    pub mchid: String,
    pub filename: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    pub uploaded_at: String,
}

/// An image generation task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ImageTaskRecord {
    pub mchid: String,
    pub request: CreateImageGenerationTaskRequest,
    pub task: ImageGenerationTask,
}

/// Everything the sandbox remembers; what `--state-file` holds. Every field but the format has
/// a default, so a state file of an older sandbox (product coupons only) still loads.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct State {
    /// File format version.
    #[serde(default = "format_version")]
    format: u32,
    #[serde(default)]
    pub last_product_coupon: u64,
    #[serde(default)]
    pub last_stock_bundle: u64,
    #[serde(default)]
    pub last_stock: u64,
    #[serde(default)]
    pub last_user_coupon: u64,
    #[serde(default)]
    pub last_user_coupon_bundle: u64,
    #[serde(default)]
    pub product_coupons: BTreeMap<String, ProductCoupon>,
    /// By stock id.
    #[serde(default)]
    pub stock_extras: BTreeMap<String, StockExtra>,
    /// By [`user_coupon_key`].
    #[serde(default)]
    pub user_coupons: BTreeMap<String, UserCouponRecord>,
    /// By user_coupon_bundle_id.
    #[serde(default)]
    pub user_coupon_bundles: BTreeMap<String, UserCouponBundleRecord>,
    /// By token.
    #[serde(default)]
    pub pre_send_tokens: BTreeMap<String, PreSendRecord>,
    /// By merchant.
    #[serde(default)]
    pub notify_urls: BTreeMap<String, NotifyUrlConfig>,
    /// By media URL.
    #[serde(default)]
    pub images: BTreeMap<String, ImageRecord>,
    /// By `mchid|brand_id|task_id`.
    #[serde(default)]
    pub image_tasks: BTreeMap<String, ImageTaskRecord>,
    #[serde(default)]
    pub idempotency: BTreeMap<String, IdempotencyRecord>,
    /// Bumped by every change; not persisted.
    #[serde(skip)]
    pub revision: u64,
}

fn format_version() -> u32 {
    1
}

pub(crate) const PRODUCT_COUPON_BASE: u64 = 1_000_000_000;
pub(crate) const STOCK_BUNDLE_BASE: u64 = 2_000_000_000;
pub(crate) const STOCK_BASE: u64 = 3_000_000_000;
pub(crate) const USER_COUPON_BUNDLE_BASE: u64 = 4_000_000_000;
pub(crate) const USER_COUPON_CODE_BASE: u64 = 800_000_000_000;

/// The key of a user coupon: codes are unique within a stock (an `UPLOAD` or `API_ASSIGN` code
/// may repeat across stocks), and every operation on a user coupon names its stock.
pub(crate) fn user_coupon_key(stock_id: &str, coupon_code: &str) -> String {
    format!("{stock_id}/{coupon_code}")
}

impl State {
    pub(crate) fn new() -> Self {
        State { format: format_version(), ..State::default() }
    }

    pub(crate) fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let state: State = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if state.format != format_version() {
            return Err(format!("unsupported state file format {} (expected {})", state.format, format_version()));
        }
        Ok(state)
    }

    pub(crate) fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("state serializes")
    }

    pub(crate) fn product_coupon(&self, id: &str) -> Option<&ProductCoupon> {
        self.product_coupons.get(id)
    }

    pub(crate) fn product_coupons(&self) -> impl Iterator<Item = &ProductCoupon> {
        self.product_coupons.values()
    }

    pub(crate) fn next_id(counter: &mut u64, base: u64) -> String {
        *counter = counter.saturating_add(1);
        base.saturating_add(*counter).to_string()
    }
}

/// A timer a handler asks for: complete an image generation task later.
#[derive(Debug, Clone)]
pub(crate) struct CompleteImageTask {
    pub key: String,
}

/// The handler for one request: the state plus who is asking and when.
pub(crate) struct Ctx<'a> {
    pub state: &'a mut State,
    /// The caller's account: the merchant's `mchid`, or `brand:<brand_id>` for a brand calling
    /// directly ([`crate::auth`]).
    pub mchid: &'a str,
    /// The brands that granted the 服务商 the 商品券 permission; `None`: every brand.
    pub brands: Option<&'a BTreeSet<String>>,
    /// The business time (Unix seconds) of this request.
    pub now: i64,
    /// Notifications to deliver once the request has been handled.
    pub outbox: Vec<Outgoing>,
    /// Image generation tasks to complete later.
    pub timers: Vec<CompleteImageTask>,
    /// Where notifications may go, for a request that sets a notify URL (`None` outside a
    /// request: nothing is checked against it).
    pub notify_targets: Option<&'a crate::notify_targets::NotifyTargets>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(state: &'a mut State, mchid: &'a str, brands: Option<&'a BTreeSet<String>>, now: i64) -> Self {
        Ctx { state, mchid, brands, now, outbox: Vec::new(), timers: Vec::new(), notify_targets: None }
    }

    /// The error for an operation the sandbox has no handler for (the client crate was built
    /// from a newer spec than the sandbox's generated handler).
    pub(crate) fn unserved(&mut self, operation_id: &str) -> ApiFailure {
        ApiFailure::new(500, "SYSTEM_ERROR", format!("the sandbox does not serve {operation_id}"))
    }

    /// Whether the caller sees what account `owner` created, the brand being checked apart:
    /// its own, and what a brand and a 服务商 acting for it created, each the other's (one
    /// state for both families: a coupon a brand creates is visible to the 服务商 it has
    /// authorized, and the reverse). Two merchants do not see each other's.
    pub(crate) fn sees(&self, owner: &str) -> bool {
        owner == self.mchid || account_brand(owner).is_some() || account_brand(self.mchid).is_some()
    }

    /// The business time as RFC 3339 (`+08:00`).
    pub(crate) fn now_text(&self) -> String {
        format_rfc3339(self.now)
    }

    /// Marks the state changed (so it is written to the state file).
    pub(crate) fn touch(&mut self) {
        self.state.revision = self.state.revision.wrapping_add(1);
    }

    /// Queues a notification to the merchant's notify URL (logged as not delivered when none
    /// is set).
    pub(crate) fn notify(
        &mut self,
        event_type: &'static str,
        summary: Option<&'static str>,
        original_type: Option<&'static str>,
        resource: Value,
    ) {
        let url = self.state.notify_urls.get(self.mchid).map(|c| c.notify_url.clone());
        // A brand calling directly gets its family's event (PRODUCT_COUPON.SEND for
        // PRODUCT_COUPON_SP.SEND) with its family's resource (no brand_id); an event its family
        // does not have (the brand's image-generation event was not found) is not sent.
        let calling = account_brand(self.mchid);
        let brand = calling.map(|(_, brand)| brand.to_owned());
        let (event_type, resource) =
            match calling.and_then(|(family, _)| family.secondary.as_ref().map(|s| (family, s))) {
                None => (event_type, resource),
                Some((family, secondary)) => match (secondary.notification)(event_type, &resource) {
                    Some(Ok(converted)) => converted,
                    Some(Err(e)) => {
                        eprintln!(
                            "wechatpay-sandbox: could not build the {} family's {event_type} notification: {e}",
                            family.id
                        );
                        return;
                    }
                    None => return,
                },
            };
        self.outbox.push(Outgoing {
            url,
            event_type,
            summary,
            original_type,
            associated_data: "product_coupon",
            create_time: self.now_text(),
            resource,
            brand,
        });
    }
}

/// A value of one model as another with the same JSON fields (e.g. a bundle's stock as a
/// `StockEntity`).
pub(crate) fn convert<A: Serialize, B: serde::de::DeserializeOwned>(a: &A) -> Result<B, ApiFailure> {
    serde_json::to_value(a).and_then(serde_json::from_value).map_err(internal)
}

/// The stock `stock_id` of a product coupon, as a `StockEntity` (a bundle's stock converted).
pub(crate) fn find_stock(coupon: &ProductCoupon, stock_id: &str) -> Option<StockEntity> {
    if let Some(s) = coupon.stocks.iter().find(|s| s.stock_id == stock_id) {
        return Some(s.clone());
    }
    coupon
        .stock_bundles
        .iter()
        .flat_map(|b| b.stock_list.iter())
        .find(|s| s.stock_id == stock_id)
        .and_then(|s| convert(s).ok())
}

pub(crate) fn stock_not_found(product_coupon_id: &str, stock_id: &str) -> ApiFailure {
    ApiFailure::not_found(format!("未找到商品券 {product_coupon_id} 下的批次 {stock_id}"), "stock_id", stock_id, "path")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_file_of_the_two_operation_sandbox_still_loads() {
        // What the sandbox wrote before it served the whole family: product coupons only, the
        // coupon as 创建商品券 returned it.
        let old = r#"{
          "format": 1, "last_product_coupon": 1, "last_stock_bundle": 0, "last_stock": 1,
          "product_coupons": {"1000000001": {
            "mchid": "1900000001",
            "coupon": {"product_coupon_id": "1000000001", "scope": "SINGLE", "type": "NORMAL", "usage_mode": "SINGLE",
                       "display_info": {"name": "满100减15", "image_url": "https://x/a", "background_url": "https://x/b",
                                        "original_price": 9900},
                       "state": "EFFECTIVE", "brand_id": "120344"},
            "stocks": [], "stock_bundles": []}},
          "idempotency": {}
        }"#;
        let state = State::from_json(old.as_bytes()).unwrap();
        let coupon = state.product_coupon("1000000001").unwrap();
        assert_eq!(coupon.coupon.state, ProductCouponState::Effective);
        assert!(state.user_coupons.is_empty() && state.notify_urls.is_empty());
        assert_eq!(state.last_product_coupon, 1);
    }
}
