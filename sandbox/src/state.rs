//! The sandbox's business state and its [`OperationHandler`]: product coupons, their stocks
//! and stock bundles, and the idempotency records of `out_request_no`.
//!
//! Business rules the sandbox applies on top of the client's validation (which it runs first,
//! so a request sent with validation switched off is still refused):
//!
//! * ids are numbers handed out in order: product coupons from `1000000001`, stock bundles
//!   from `2000000001`, stocks from `3000000001`;
//! * review is instant: a new product coupon is `EFFECTIVE` and its stocks are `SENDING`;
//! * every brand has authorized the 服务商, unless the sandbox was given a list of brands
//!   ([`SandboxBuilder::brands`](crate::SandboxBuilder::brands)): then another `brand_id` is 403
//!   `NO_AUTH` (品牌未向服务商授予商品券权限);
//! * a PROGRESSIVE_BUNDLE bundle gets one stock per step (`progressive_bundle_usage_info.count`
//!   of its product coupon), `stock_bundle_index` 0..count-1. A rule given as a single object
//!   applies to every step; a rule given as a list must have exactly `count` entries (entry *i*
//!   for step *i*), otherwise 400 `INVALID_REQUEST` naming the list (the docs describe one
//!   stock per step; reference §10 infers the list length);
//! * a bundle's `coupon_code_mode` must be `WECHATPAY` or `UPLOAD` (批次组只支持 WECHATPAY 与
//!   UPLOAD), otherwise 400 `INVALID_REQUEST`;
//! * 添加商品券批次组: an unknown `product_coupon_id`, or one of another merchant or brand, is
//!   404 `NOT_FOUND`; a `SINGLE` coupon is 400 `INVALID_REQUEST` (前置条件: usage_mode 为
//!   PROGRESSIVE_BUNDLE); a `DEACTIVATED` coupon is 400 `INVALID_REQUEST`; the bundle must carry
//!   a rule of the coupon's type (`normal_coupon`/`normal_coupon_list` for NORMAL, ...);
//! * idempotency by `out_request_no` (per merchant, brand and operation): the same number with
//!   the same request returns the stored response and creates nothing; the same number with a
//!   different request is 400 `ALREADY_EXISTS`, the code both seed documents' error tables give for
//!   a reused `out_request_no`, with `Request-ID` ending in `-268578927` (相同单号但请求数据不一致,
//!   reference §6/§7).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::requests::OperationHandler;

/// Numeric business codes WeChat Pay appends to `Request-ID` (reference §6).
pub(crate) mod business_code {
    /// 相同单号但请求数据不一致.
    pub const SAME_NUMBER_DIFFERENT_DATA: u32 = 268578927;
    /// 对象不存在/不属于当前品牌或服务商.
    pub const NOT_FOUND: u32 = 268578608;
    /// 参数非法.
    pub const PARAM_ERROR: u32 = 268435461;
    /// 入参不合法 (business rules).
    pub const INVALID_REQUEST: u32 = 268578101;
    /// 频率过快.
    pub const RATE_LIMITED: u32 = 270924289;
    /// 服务商没有此接口权限.
    pub const NO_AUTH: u32 = 268579803;
}

/// An error response: status, `code`, `message`, optional `detail`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    /// HTTP status.
    pub status: u16,
    /// The `code`.
    pub code: &'static str,
    /// The `message`.
    pub message: String,
    /// The `detail` object, when there is one.
    pub detail: Option<Value>,
    /// The numeric business code appended to `Request-ID`, when there is one.
    pub business_code: Option<u32>,
}

impl ApiFailure {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiFailure { status, code, message: message.into(), detail: None, business_code: None }
    }

    pub(crate) fn with_business_code(mut self, code: u32) -> Self {
        self.business_code = Some(code);
        self
    }

    pub(crate) fn with_detail(mut self, detail: Value) -> Self {
        self.detail = Some(detail);
        self
    }

    /// 400 `INVALID_REQUEST` about the field at `path`.
    pub(crate) fn invalid(path: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiFailure::new(400, "INVALID_REQUEST", format!("{path}: {message}"))
            .with_detail(serde_json::json!({ "field": path, "location": "body", "issue": message }))
            .with_business_code(business_code::INVALID_REQUEST)
    }

    /// The JSON body.
    pub(crate) fn body(&self) -> Vec<u8> {
        let mut v = serde_json::json!({ "code": self.code, "message": self.message });
        if let Some(d) = &self.detail {
            v["detail"] = d.clone();
        }
        serde_json::to_vec(&v).expect("JSON values serialize")
    }
}

/// One product coupon as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductCoupon {
    /// The merchant (服务商) that created it.
    pub mchid: String,
    /// The product coupon, as 创建商品券 returned it but without `stock` / `stock_bundle`, with
    /// its current `state`.
    pub coupon: CreateProductCouponResponse,
    /// Its stocks (usage_mode = SINGLE), oldest first.
    #[serde(default)]
    pub stocks: Vec<StockEntity>,
    /// Its stock bundles (usage_mode = PROGRESSIVE_BUNDLE), oldest first.
    #[serde(default)]
    pub stock_bundles: Vec<StockBundleEntity>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct IdempotencyRecord {
    /// SHA-256 of the canonical request (operation, path parameters, typed body).
    fingerprint: String,
    /// The response body returned the first time, verbatim (a replay sends the same bytes).
    /// Embedded as JSON in the state file.
    #[serde(with = "embedded_json")]
    response: String,
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

/// Everything the sandbox remembers; what `--state-file` holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct State {
    /// File format version.
    #[serde(default = "format_version")]
    format: u32,
    #[serde(default)]
    last_product_coupon: u64,
    #[serde(default)]
    last_stock_bundle: u64,
    #[serde(default)]
    last_stock: u64,
    #[serde(default)]
    product_coupons: BTreeMap<String, ProductCoupon>,
    #[serde(default)]
    idempotency: BTreeMap<String, IdempotencyRecord>,
    /// Bumped by every change; not persisted.
    #[serde(skip)]
    pub revision: u64,
}

fn format_version() -> u32 {
    1
}

const PRODUCT_COUPON_BASE: u64 = 1_000_000_000;
const STOCK_BUNDLE_BASE: u64 = 2_000_000_000;
const STOCK_BASE: u64 = 3_000_000_000;

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

    fn next_id(counter: &mut u64, base: u64) -> String {
        *counter += 1;
        (base + *counter).to_string()
    }
}

/// The handler for one request: the state plus who is asking.
pub(crate) struct Ctx<'a> {
    pub state: &'a mut State,
    pub mchid: &'a str,
    /// The brands that granted the 服务商 the 商品券 permission; `None`: every brand.
    pub brands: Option<&'a BTreeSet<String>>,
    /// The response body as serialized by the handler (fresh or replayed), so the server
    /// sends exactly the stored bytes and serializes each response only once.
    pub response_json: Option<String>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(state: &'a mut State, mchid: &'a str, brands: Option<&'a BTreeSet<String>>) -> Self {
        Ctx { state, mchid, brands, response_json: None }
    }

    /// 403 `NO_AUTH` for a brand that has not authorized the 服务商 (when the sandbox was given
    /// a list of authorized brands).
    fn check_brand(&self, brand_id: &str) -> Result<(), ApiFailure> {
        match self.brands {
            Some(brands) if !brands.contains(brand_id) => Err(ApiFailure::new(
                403,
                "NO_AUTH",
                format!("品牌 {brand_id} 未向服务商授予商品券权限（服务商没有此接口权限）"),
            )
            .with_detail(serde_json::json!({ "field": "brand_id", "location": "body", "value": brand_id }))
            .with_business_code(business_code::NO_AUTH)),
            _ => Ok(()),
        }
    }
}

fn fingerprint(operation: &str, path: &[(&str, &str)], body: &impl Serialize) -> String {
    // The typed body re-serialized: field order is the model's and unknown fields are gone,
    // so the same request always gives the same bytes however its JSON was laid out.
    let canonical = serde_json::to_vec(&(operation, path, body)).expect("request models serialize");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &canonical);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

impl Ctx<'_> {
    /// Runs `create` once per `out_request_no`.
    ///
    /// The key is (merchant, brand, operation, `out_request_no`): the docs ask the brand side to
    /// keep the number unique (品牌侧需保持唯一性), per kind of request.
    ///
    /// * Same number, same request (operation, path parameters and body, compared after
    ///   parsing, so JSON layout does not matter): the response stored the first time, nothing
    ///   created. This is what makes a retry after a lost response or a 500 safe.
    /// * Same number, different request: 400 `ALREADY_EXISTS`. Both seed documents' error
    ///   tables list `ALREADY_EXISTS` for exactly this ("确认 out_request_no 字段是否重复使用,
    ///   确保不同请求的 out_request_no 唯一"), and the seed documents win over the reference;
    ///   the reference's business code for the same situation (268578927 相同单号但请求数据不一致,
    ///   §6/§7) is appended to `Request-ID`, where `ApiError::business_code` finds it.
    ///
    /// Only successes are recorded: a refused request leaves its number free.
    fn idempotent<R: Serialize + serde::de::DeserializeOwned>(
        &mut self,
        operation: &str,
        brand_id: &str,
        out_request_no: &str,
        fingerprint: String,
        create: impl FnOnce(&mut Self) -> Result<R, ApiFailure>,
    ) -> Result<R, ApiFailure> {
        let key = format!("{}|{brand_id}|{operation}|{out_request_no}", self.mchid);
        if let Some(record) = self.state.idempotency.get(&key) {
            if record.fingerprint == fingerprint {
                let response = serde_json::from_str(&record.response).map_err(|e| {
                    ApiFailure::new(500, "SYSTEM_ERROR", format!("stored response does not decode: {e}"))
                })?;
                self.response_json = Some(record.response.clone());
                return Ok(response);
            }
            return Err(ApiFailure::new(
                400,
                "ALREADY_EXISTS",
                format!(
                    "out_request_no {out_request_no:?} 已被使用，且与上次请求的数据不一致（相同单号但请求数据不一致）；不同的请求须使用不同的 out_request_no"
                ),
            )
            .with_detail(serde_json::json!({ "field": "out_request_no", "location": "body", "value": out_request_no }))
            .with_business_code(business_code::SAME_NUMBER_DIFFERENT_DATA));
        }
        let response = create(self)?;
        let stored = serde_json::to_string(&response).expect("responses serialize");
        self.response_json = Some(stored.clone());
        self.state.idempotency.insert(key, IdempotencyRecord { fingerprint, response: stored });
        self.state.revision += 1;
        Ok(response)
    }

    fn create_coupon(&mut self, body: CreateProductCouponRequest) -> Result<CreateProductCouponResponse, ApiFailure> {
        // Check everything before handing out ids, so a refusal changes nothing.
        match (&body.usage_mode, &body.stock, &body.stock_bundle, &body.progressive_bundle_usage_info) {
            (UsageMode::ProgressiveBundle, _, Some(bundle), Some(info)) => {
                check_bundle(bundle, &body.r#type, info.count, "stock_bundle")?;
            }
            (UsageMode::ProgressiveBundle, ..) => {
                return Err(ApiFailure::invalid(
                    "stock_bundle",
                    "usage_mode 为 PROGRESSIVE_BUNDLE 时 progressive_bundle_usage_info 与 stock_bundle 必填",
                ));
            }
            (UsageMode::Single, Some(_), ..) => {}
            (UsageMode::Single, None, ..) => {
                return Err(ApiFailure::invalid("stock", "usage_mode 为 SINGLE 时 stock 必填"));
            }
            (other, ..) => {
                return Err(ApiFailure::invalid("usage_mode", format!("{:?} is not supported", other.as_str())));
            }
        }
        let id = State::next_id(&mut self.state.last_product_coupon, PRODUCT_COUPON_BASE);
        let mut builder = CreateProductCouponResponse::builder()
            .product_coupon_id(id.clone())
            .scope(body.scope.clone())
            .r#type(body.r#type.clone())
            .usage_mode(body.usage_mode.clone())
            .display_info(body.display_info.clone())
            .state(ProductCouponState::Effective)
            .brand_id(body.brand_id.clone());
        if let Some(v) = body.single_usage_info.clone() {
            builder = builder.single_usage_info(v);
        }
        if let Some(v) = body.progressive_bundle_usage_info.clone() {
            builder = builder.progressive_bundle_usage_info(v);
        }
        if let Some(v) = body.out_product_no.clone() {
            builder = builder.out_product_no(v);
        }
        let coupon = builder.build().map_err(internal)?;
        let mut record =
            ProductCoupon { mchid: self.mchid.to_owned(), coupon, stocks: Vec::new(), stock_bundles: Vec::new() };
        let mut response = record.coupon.clone();
        if let (Some(bundle), Some(info)) = (body.stock_bundle, &body.progressive_bundle_usage_info) {
            let entity = self.make_bundle(&id, &body.brand_id, info.count, bundle)?;
            record.stock_bundles.push(entity.clone());
            response.stock_bundle = Some(entity);
        }
        if let Some(stock) = body.stock {
            let entity = self.make_stock(&id, &body.brand_id, stock)?;
            record.stocks.push(entity.clone());
            response.stock = Some(entity);
        }
        self.state.product_coupons.insert(id, record);
        Ok(response)
    }

    fn add_bundle(
        &mut self,
        product_coupon_id: String,
        body: CreateStockBundleRequest,
    ) -> Result<StockBundleEntity, ApiFailure> {
        let not_found = || {
            ApiFailure::new(404, "NOT_FOUND", format!("未找到 product_coupon_id 对应的商品券: {product_coupon_id}"))
                .with_detail(
                    serde_json::json!({ "field": "product_coupon_id", "location": "path", "value": product_coupon_id }),
                )
                .with_business_code(business_code::NOT_FOUND)
        };
        let record = self.state.product_coupons.get(&product_coupon_id).ok_or_else(not_found)?;
        if record.mchid != self.mchid || record.coupon.brand_id != body.brand_id {
            return Err(not_found());
        }
        let coupon = &record.coupon;
        if coupon.usage_mode != UsageMode::ProgressiveBundle {
            return Err(ApiFailure::new(
                400,
                "INVALID_REQUEST",
                format!(
                    "商品券 {product_coupon_id} 的 usage_mode 为 {}，不能添加批次组（前置条件：商品券的 usage_mode 为 PROGRESSIVE_BUNDLE）",
                    coupon.usage_mode.as_str()
                ),
            )
            .with_detail(serde_json::json!({ "field": "product_coupon_id", "location": "path", "issue": "usage_mode is not PROGRESSIVE_BUNDLE" }))
            .with_business_code(business_code::INVALID_REQUEST));
        }
        if coupon.state == ProductCouponState::Deactivated {
            return Err(ApiFailure::new(
                400,
                "INVALID_REQUEST",
                format!("商品券 {product_coupon_id} 已失效，不能添加批次组"),
            )
            .with_business_code(business_code::INVALID_REQUEST));
        }
        let count = coupon.progressive_bundle_usage_info.as_ref().map(|i| i.count).unwrap_or(0);
        check_bundle(&body.stock_bundle, &coupon.r#type, count, "stock_bundle")?;
        let entity = self.make_bundle(&product_coupon_id, &body.brand_id, count, body.stock_bundle)?;
        let record = self.state.product_coupons.get_mut(&product_coupon_id).expect("looked up above");
        record.stock_bundles.push(entity.clone());
        Ok(entity)
    }

    fn make_bundle(
        &mut self,
        product_coupon_id: &str,
        brand_id: &str,
        count: i64,
        bundle: StockBundle,
    ) -> Result<StockBundleEntity, ApiFailure> {
        let bundle_id = State::next_id(&mut self.state.last_stock_bundle, STOCK_BUNDLE_BASE);
        let rule = bundle.progressive_bundle_usage_rule.as_ref().ok_or_else(|| {
            ApiFailure::invalid(
                "stock_bundle.progressive_bundle_usage_rule",
                "is required for a PROGRESSIVE_BUNDLE coupon",
            )
        })?;
        let mut stocks = Vec::with_capacity(count.max(0) as usize);
        for index in 0..count.max(0) {
            let i = index as usize;
            let mut usage =
                BundleStockUsageRule::builder().coupon_available_period(rule.coupon_available_period.clone());
            if let Some(r) = step(&rule.normal_coupon, &rule.normal_coupon_list, i) {
                usage = usage.normal_coupon(r);
            }
            if let Some(r) = step(&rule.discount_coupon, &rule.discount_coupon_list, i) {
                usage = usage.discount_coupon(r);
            }
            if let Some(r) = step(&rule.exchange_coupon, &rule.exchange_coupon_list, i) {
                usage = usage.exchange_coupon(r);
            }
            let stock_id = State::next_id(&mut self.state.last_stock, STOCK_BASE);
            let mut b = StockEntityInBundle::builder()
                .product_coupon_id(product_coupon_id)
                .stock_id(stock_id)
                .coupon_code_mode(bundle.coupon_code_mode.clone())
                .stock_send_rule(bundle.stock_send_rule.clone())
                .progressive_bundle_usage_rule(usage)
                .stock_bundle_info(
                    StockBundleInfo::builder().stock_bundle_id(bundle_id.clone()).stock_bundle_index(index),
                )
                .usage_rule_display_info(bundle.usage_rule_display_info.clone())
                .coupon_display_info(bundle.coupon_display_info.clone())
                .notify_config(bundle.notify_config.clone())
                .store_scope(bundle.store_scope.clone())
                .sent_count_info(SentCountInfo::builder().total_count(0).today_count(0))
                .state(StockState::Sending)
                .brand_id(brand_id);
            if let Some(remark) = &bundle.remark {
                b = b.remark(remark.clone());
            }
            if bundle.coupon_code_mode == CouponCodeMode::Upload {
                b = b.coupon_code_count_info(CouponCodeCountInfo::builder().total_count(0).available_count(0));
            }
            stocks.push(b.build().map_err(internal)?);
        }
        StockBundleEntity::builder().stock_bundle_id(bundle_id).stock_list(stocks).build().map_err(internal)
    }

    fn make_stock(&mut self, product_coupon_id: &str, brand_id: &str, stock: Stock) -> Result<StockEntity, ApiFailure> {
        let stock_id = State::next_id(&mut self.state.last_stock, STOCK_BASE);
        let mut b = StockEntity::builder()
            .product_coupon_id(product_coupon_id)
            .stock_id(stock_id)
            .coupon_code_mode(stock.coupon_code_mode.clone())
            .stock_send_rule(stock.stock_send_rule)
            .single_usage_rule(stock.single_usage_rule)
            .usage_rule_display_info(stock.usage_rule_display_info)
            .coupon_display_info(stock.coupon_display_info)
            .notify_config(stock.notify_config)
            .store_scope(stock.store_scope)
            .sent_count_info(SentCountInfo::builder().total_count(0).today_count(0))
            .state(StockState::Sending)
            .brand_id(brand_id);
        if let Some(remark) = stock.remark {
            b = b.remark(remark);
        }
        if stock.coupon_code_mode == CouponCodeMode::Upload {
            b = b.coupon_code_count_info(CouponCodeCountInfo::builder().total_count(0).available_count(0));
        }
        b.build().map_err(internal)
    }
}

/// The rule of step `i`: the single object (every step), else the list's entry `i`.
fn step<T: Clone>(single: &Option<T>, list: &Option<Vec<T>>, i: usize) -> Option<T> {
    single.clone().or_else(|| list.as_ref().and_then(|l| l.get(i).cloned()))
}

fn internal(e: impl std::fmt::Display) -> ApiFailure {
    ApiFailure::new(500, "SYSTEM_ERROR", format!("sandbox: {e}"))
}

/// The business rules of a bundle for a product coupon of type `kind` with `count` steps.
fn check_bundle(bundle: &StockBundle, kind: &ProductCouponType, count: i64, at: &str) -> Result<(), ApiFailure> {
    if !matches!(bundle.coupon_code_mode, CouponCodeMode::Wechatpay | CouponCodeMode::Upload) {
        return Err(ApiFailure::invalid(
            &format!("{at}.coupon_code_mode"),
            format!("批次组只支持 WECHATPAY 与 UPLOAD，got {:?}", bundle.coupon_code_mode.as_str()),
        ));
    }
    let rule_path = format!("{at}.progressive_bundle_usage_rule");
    let rule = bundle
        .progressive_bundle_usage_rule
        .as_ref()
        .ok_or_else(|| ApiFailure::invalid(&rule_path, "is required for a PROGRESSIVE_BUNDLE coupon"))?;
    let (has_rule, names) = match kind {
        ProductCouponType::Normal => {
            (rule.normal_coupon.is_some() || rule.normal_coupon_list.is_some(), "normal_coupon 或 normal_coupon_list")
        }
        ProductCouponType::Discount => (
            rule.discount_coupon.is_some() || rule.discount_coupon_list.is_some(),
            "discount_coupon 或 discount_coupon_list",
        ),
        ProductCouponType::Exchange => (
            rule.exchange_coupon.is_some() || rule.exchange_coupon_list.is_some(),
            "exchange_coupon 或 exchange_coupon_list",
        ),
        _ => (true, ""),
    };
    if !has_rule {
        return Err(ApiFailure::invalid(
            &rule_path,
            format!("商品券的 type 为 {}，批次组须配置 {names}", kind.as_str()),
        ));
    }
    let lists = [
        ("normal_coupon_list", rule.normal_coupon_list.as_ref().map(Vec::len)),
        ("discount_coupon_list", rule.discount_coupon_list.as_ref().map(Vec::len)),
        ("exchange_coupon_list", rule.exchange_coupon_list.as_ref().map(Vec::len)),
    ];
    for (name, len) in lists {
        if let Some(len) = len
            && len as i64 != count
        {
            return Err(ApiFailure::invalid(
                &format!("{rule_path}.{name}"),
                format!(
                    "must have exactly {count} entries, one per step (progressive_bundle_usage_info.count = {count}), got {len}"
                ),
            ));
        }
    }
    Ok(())
}

impl OperationHandler for Ctx<'_> {
    type Error = ApiFailure;

    fn create_product_coupon(
        &mut self,
        body: CreateProductCouponRequest,
    ) -> Result<CreateProductCouponResponse, ApiFailure> {
        self.check_brand(&body.brand_id)?;
        let fp = fingerprint("create_product_coupon", &[], &body);
        let (brand, number) = (body.brand_id.clone(), body.out_request_no.clone());
        self.idempotent("create_product_coupon", &brand, &number, fp, |ctx| ctx.create_coupon(body))
    }

    fn create_stock_bundle(
        &mut self,
        product_coupon_id: String,
        body: CreateStockBundleRequest,
    ) -> Result<StockBundleEntity, ApiFailure> {
        self.check_brand(&body.brand_id)?;
        let fp = fingerprint("create_stock_bundle", &[("product_coupon_id", &product_coupon_id)], &body);
        let (brand, number) = (body.brand_id.clone(), body.out_request_no.clone());
        self.idempotent("create_stock_bundle", &brand, &number, fp, |ctx| ctx.add_bundle(product_coupon_id, body))
    }
}
