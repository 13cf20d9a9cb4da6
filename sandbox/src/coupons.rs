//! Product coupons, their stocks and stock bundles: creation, queries, updates, budgets,
//! deactivation, store association and coupon-code upload.
//!
//! Rules (besides the common ones in [`crate::state`]):
//!
//! * review is instant: a new product coupon is `EFFECTIVE`, its stocks `SENDING`, with zero
//!   counts (`sent_count_info`; `coupon_code_count_info` for `UPLOAD` codes);
//! * a `PROGRESSIVE_BUNDLE` bundle gets one stock per step (`progressive_bundle_usage_info.count`
//!   of its product coupon), `stock_bundle_index` 0..count-1; a rule given as a single object
//!   applies to every step, a rule list must have exactly `count` entries (entry *i* for step
//!   *i*), otherwise 400 `INVALID_REQUEST` naming the list; a bundle's `coupon_code_mode` must
//!   be `WECHATPAY` or `UPLOAD`; it must carry a rule of its product coupon's type;
//! * a `SINGLE` stock must carry a rule of its product coupon's type (`normal_coupon` for
//!   `NORMAL`, ...), in its `single_usage_rule` or the coupon's `single_usage_info`;
//! * 添加商品券批次: only for `SINGLE` coupons that are `EFFECTIVE`, at most 200 stocks not
//!   `DEACTIVATED` per coupon; 添加商品券批次组: only for `PROGRESSIVE_BUNDLE` coupons that are
//!   `EFFECTIVE` (400 `INVALID_REQUEST` otherwise);
//! * 修改商品券: the new `display_info` replaces the old one (for `scope = SINGLE` exactly one of
//!   `original_price` / `combo_package_list`); user coupons already sent keep the old one;
//!   not for a `DEACTIVATED` coupon;
//! * 失效商品券: only an `EFFECTIVE` coupon; every stock of it (bundles included) becomes
//!   `DEACTIVATED` with the same request number, time and reason; user coupons already sent
//!   stay usable;
//! * the single-stock writes (修改批次, 修改预算, 失效批次, 关联/取消关联门店) are for the stocks of
//!   `SINGLE` coupons: a bundle's stock is changed through its bundle (400 `INVALID_REQUEST`
//!   naming the bundle), so that a bundle's stocks stay alike. Reads (查询批次, 批次列表, 门店列表)
//!   and 预上传券Code serve both kinds;
//! * budgets (修改发放预算): one dimension per call; `current_*` must equal the stock's value
//!   (otherwise 400 `INVALID_REQUEST`, nothing changes: "当前值与批次实际预算不一致"); a total
//!   below what was already sent is refused; a bundle's budget changes on every stock of it;
//! * stores: only for `store_scope = SPECIFIC` (`ALL`: 400 `INVALID_REQUEST` with business code
//!   268578813 当前券批次全部门店可用; `NONE`: 400 `INVALID_REQUEST`). Each store of the request
//!   (deduplicated) succeeds or fails on its own: associating a store already associated fails
//!   with `ALREADY_EXISTS`, removing one that is not associated with `NOT_FOUND`; for a bundle a
//!   store succeeds when at least one of its stocks changed;
//! * 预上传券Code: only for `coupon_code_mode = UPLOAD` stocks (of a single coupon or a bundle);
//!   each code of the request goes to one list: `duplicate_code_list` (repeated in the
//!   request), `already_exist_code_list` (uploaded before to this stock), `failed_code_list`
//!   (empty, longer than 40 characters, or not visible ASCII), `success_code_list`;
//! * listings are ordered by creation; `page_size` defaults to 20; `page_token` is opaque.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use wechatpay_product_coupon::generated::operations::{ListStockStoresQuery, ListStocksQuery};
use wechatpay_product_coupon::models::*;

use crate::clock::local_day;
use crate::state::*;

/// At most this many stocks not `DEACTIVATED` per product coupon (前置条件 of 添加商品券批次).
const MAX_LIVE_STOCKS: usize = 200;
/// Default `page_size` of the list operations.
const DEFAULT_PAGE_SIZE: i64 = 20;
/// More steps than any bundle can have (the spec allows 3-15): a bound for counts read from a
/// state file.
const MAX_BUNDLE_STEPS: usize = 1000;

/// Where a stock sits in its product coupon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// `stocks[i]`.
    Single(usize),
    /// `stock_bundles[b].stock_list[i]`.
    Bundle(usize, usize),
}

pub(crate) fn locate(coupon: &ProductCoupon, stock_id: &str) -> Option<Slot> {
    if let Some(i) = coupon.stocks.iter().position(|s| s.stock_id == stock_id) {
        return Some(Slot::Single(i));
    }
    coupon.stock_bundles.iter().enumerate().find_map(|(b, bundle)| {
        bundle.stock_list.iter().position(|s| s.stock_id == stock_id).map(|i| Slot::Bundle(b, i))
    })
}

/// One page of `items`: `(items, next_page_token)`. The token is opaque to clients (Base64 of
/// the offset); a token the sandbox did not hand out is 400 `PARAM_ERROR`.
pub(crate) fn page<T: Clone>(
    items: &[T],
    page_size: Option<i64>,
    page_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ApiFailure> {
    // At least 1 by validation; whatever the caller asks beyond the list is the whole list.
    let size = usize::try_from(page_size.unwrap_or(DEFAULT_PAGE_SIZE).max(1)).unwrap_or(usize::MAX);
    let offset = match page_token.filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("offset:").and_then(|n| n.parse::<usize>().ok()))
            .ok_or_else(|| {
                ApiFailure::new(
                    400,
                    "PARAM_ERROR",
                    format!("page_token {token:?} 无效：请使用上一页应答中的 next_page_token"),
                )
                .with_detail(serde_json::json!({ "field": "page_token", "location": "query", "value": token }))
                .with_business_code(business_code::PARAM_ERROR)
            })?,
    };
    let end = offset.saturating_add(size).min(items.len());
    let slice = items.get(offset.min(items.len())..end).unwrap_or_default().to_vec();
    let next = (end < items.len()).then(|| URL_SAFE_NO_PAD.encode(format!("offset:{end}")));
    Ok((slice, next))
}

/// The rule of step `i`: the single object (every step), else the list's entry `i`.
fn step<T: Clone>(single: &Option<T>, list: &Option<Vec<T>>, i: usize) -> Option<T> {
    single.clone().or_else(|| list.as_ref().and_then(|l| l.get(i).cloned()))
}

fn coupon_rule_refusal(what: impl Into<String>) -> ApiFailure {
    ApiFailure::rule(business_code::INVALID_REQUEST, what)
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

/// A SINGLE stock must carry a rule of its coupon's type, in the stock's `single_usage_rule` or
/// (满减 / 折扣) in the coupon's `single_usage_info`.
fn check_single_rule(
    rule: &SingleUsageRule,
    info: Option<&SingleUsageInfo>,
    kind: &ProductCouponType,
    at: &str,
) -> Result<(), ApiFailure> {
    let (ok, name) = match kind {
        ProductCouponType::Normal => {
            (rule.normal_coupon.is_some() || info.is_some_and(|i| i.normal_coupon.is_some()), "normal_coupon")
        }
        ProductCouponType::Discount => {
            (rule.discount_coupon.is_some() || info.is_some_and(|i| i.discount_coupon.is_some()), "discount_coupon")
        }
        ProductCouponType::Exchange => (rule.exchange_coupon.is_some(), "exchange_coupon"),
        _ => (true, ""),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiFailure::invalid(
            &format!("{at}.single_usage_rule"),
            format!("商品券的 type 为 {}，批次须配置 {name}", kind.as_str()),
        ))
    }
}

fn bundle_stock_refusal(stock_id: &str, bundle_id: &str, instead: &str) -> ApiFailure {
    coupon_rule_refusal(format!(
        "批次 {stock_id} 属于批次组 {bundle_id}，批次组内的批次须整组修改：请使用【{instead}】"
    ))
}

fn deactivated_stock_refusal(stock_id: &str) -> ApiFailure {
    ApiFailure::rule(business_code::STOCK_NOT_SENDING, format!("批次 {stock_id} 已失效（DEACTIVATED），不能再修改"))
}

fn check_store_scope(scope: &StoreScope, what: &str) -> Result<(), ApiFailure> {
    match scope {
        StoreScope::Specific => Ok(()),
        StoreScope::All => Err(ApiFailure::rule(
            business_code::ALL_STORES,
            format!("{what}的 store_scope 为 ALL（当前券批次全部门店可用），不能关联或查询关联门店"),
        )),
        other => Err(coupon_rule_refusal(format!(
            "{what}的 store_scope 为 {}，只有 store_scope 为 SPECIFIC 时才能关联或查询关联门店",
            other.as_str()
        ))),
    }
}

/// Applies an 修改发放预算 request to one stock's send rule.
fn apply_budget(stock: &mut StockEntity, body: &UpdateBudgetRequest) -> Result<(), ApiFailure> {
    let rule = &mut stock.stock_send_rule;
    match body.update_mode {
        UpdateMode::MaxCount => {
            let (Some(current), Some(target)) = (body.current_max_count, body.target_max_count) else {
                return Err(ApiFailure::invalid("current_max_count", "update_mode 为 MAX_COUNT 时必填"));
            };
            if current != rule.max_count {
                return Err(ApiFailure::invalid(
                    "current_max_count",
                    format!(
                        "当前值 {current} 与批次 {} 实际的 max_count {} 不一致，修改未生效",
                        stock.stock_id, rule.max_count
                    ),
                ));
            }
            let sent = stock.sent_count_info.total_count;
            if target < sent {
                return Err(ApiFailure::invalid(
                    "target_max_count",
                    format!("不能小于批次 {} 已发放的数量 {sent}", stock.stock_id),
                ));
            }
            rule.max_count = target;
        }
        UpdateMode::MaxCountPerDay => {
            let (Some(current), Some(target)) = (body.current_max_count_per_day, body.target_max_count_per_day) else {
                return Err(ApiFailure::invalid(
                    "current_max_count_per_day",
                    "update_mode 为 MAX_COUNT_PER_DAY 时必填",
                ));
            };
            if Some(current) != rule.max_count_per_day {
                let actual = rule.max_count_per_day.map_or("未设置".to_owned(), |v| v.to_string());
                return Err(ApiFailure::invalid(
                    "current_max_count_per_day",
                    format!(
                        "当前值 {current} 与批次 {} 实际的 max_count_per_day（{actual}）不一致，修改未生效",
                        stock.stock_id
                    ),
                ));
            }
            rule.max_count_per_day = Some(target);
        }
        ref other => {
            return Err(ApiFailure::invalid("update_mode", format!("{:?} is not supported", other.as_str())));
        }
    }
    Ok(())
}

/// Replaces what an 修改批次 / 修改批次组 request gives.
fn apply_info(stock: &mut StockEntity, body: &UpdateStockInfoRequest) {
    if let Some(v) = &body.remark {
        stock.remark = Some(v.clone());
    }
    if let Some(v) = &body.usage_rule_display_info {
        stock.usage_rule_display_info = v.clone();
    }
    if let Some(v) = &body.coupon_display_info {
        stock.coupon_display_info = v.clone();
    }
    if let Some(v) = &body.notify_config {
        stock.notify_config = v.clone();
    }
    if let Some(v) = &body.store_scope {
        stock.store_scope = v.clone();
    }
}

/// Which list each store of a request ends in.
fn dedup_stores(list: &[StoreRef]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    list.iter().filter(|s| seen.insert(s.store_id.clone())).map(|s| s.store_id.clone()).collect()
}

fn association_result(
    total: usize,
    success: Vec<String>,
    failed: Vec<(String, &'static str, String)>,
) -> Result<StoreAssociationResult, ApiFailure> {
    let mut result = StoreAssociationResult::builder().total_count(total as i64).build().map_err(internal)?;
    if !success.is_empty() {
        let list: Result<Vec<StoreRef>, _> =
            success.into_iter().map(|id| StoreRef::builder().store_id(id).build()).collect();
        result.success_store_list = Some(list.map_err(internal)?);
    }
    if !failed.is_empty() {
        let list: Result<Vec<FailedStore>, _> = failed
            .into_iter()
            .map(|(id, code, message)| FailedStore::builder().store_id(id).code(code).message(message).build())
            .collect();
        result.failed_store_list = Some(list.map_err(internal)?);
    }
    Ok(result)
}

impl Ctx<'_> {
    /// The product coupon `id` of this merchant and brand, or 404.
    pub(crate) fn find_coupon(&self, id: &str, brand_id: &str, location: &str) -> Result<&ProductCoupon, ApiFailure> {
        let not_found = || {
            ApiFailure::not_found(
                format!("未找到 product_coupon_id 对应的商品券: {id}"),
                "product_coupon_id",
                id,
                location,
            )
        };
        let record = self.state.product_coupons.get(id).ok_or_else(not_found)?;
        if !self.sees(&record.mchid) || record.coupon.brand_id != brand_id {
            return Err(not_found());
        }
        Ok(record)
    }

    fn find_bundle_index(&self, product_coupon_id: &str, bundle_id: &str, brand_id: &str) -> Result<usize, ApiFailure> {
        let coupon = self.find_coupon(product_coupon_id, brand_id, "path")?;
        coupon.stock_bundles.iter().position(|b| b.stock_bundle_id == bundle_id).ok_or_else(|| {
            ApiFailure::not_found(
                format!("未找到商品券 {product_coupon_id} 下的批次组 {bundle_id}"),
                "stock_bundle_id",
                bundle_id,
                "path",
            )
        })
    }

    /// A stock as the API shows it: today's count is 0 on a day nothing was sent yet.
    pub(crate) fn present_stock(&self, mut stock: StockEntity) -> StockEntity {
        let sent_day = self.state.stock_extras.get(stock.stock_id.as_str()).map_or(0, |e| e.sent_day);
        if sent_day != local_day(self.now) {
            stock.sent_count_info.today_count = 0;
        }
        stock
    }

    fn present_bundle(&self, mut bundle: StockBundleEntity) -> StockBundleEntity {
        let today = local_day(self.now);
        for s in &mut bundle.stock_list {
            if self.state.stock_extras.get(s.stock_id.as_str()).map_or(0, |e| e.sent_day) != today {
                s.sent_count_info.today_count = 0;
            }
        }
        bundle
    }

    /// Changes one stock (of either kind) through `f`, all or nothing: on an error neither the
    /// stock nor its extras change.
    pub(crate) fn modify_stock<R>(
        &mut self,
        product_coupon_id: &str,
        stock_id: &str,
        f: impl FnOnce(&mut StockEntity, &mut StockExtra) -> Result<R, ApiFailure>,
    ) -> Result<R, ApiFailure> {
        let coupon = self
            .state
            .product_coupons
            .get_mut(product_coupon_id)
            .ok_or_else(|| stock_not_found(product_coupon_id, stock_id))?;
        let slot = locate(coupon, stock_id).ok_or_else(|| stock_not_found(product_coupon_id, stock_id))?;
        let mut extra = self.state.stock_extras.get(stock_id).cloned().unwrap_or_default();
        let result = match slot {
            Slot::Single(i) => {
                let mut stock = coupon.stocks[i].clone();
                let r = f(&mut stock, &mut extra)?;
                coupon.stocks[i] = stock;
                r
            }
            Slot::Bundle(b, i) => {
                let mut stock: StockEntity = convert(&coupon.stock_bundles[b].stock_list[i])?;
                let r = f(&mut stock, &mut extra)?;
                coupon.stock_bundles[b].stock_list[i] = convert(&stock)?;
                r
            }
        };
        self.state.stock_extras.insert(stock_id.to_owned(), extra);
        self.state.revision += 1;
        Ok(result)
    }

    /// The stock `stock_id` of the product coupon, checked for merchant and brand, with its slot.
    fn single_stock_for_write(
        &self,
        product_coupon_id: &str,
        stock_id: &str,
        brand_id: &str,
        instead: &str,
    ) -> Result<StockEntity, ApiFailure> {
        let coupon = self.find_coupon(product_coupon_id, brand_id, "path")?;
        let stock = find_stock(coupon, stock_id).ok_or_else(|| stock_not_found(product_coupon_id, stock_id))?;
        if let Some(info) = &stock.stock_bundle_info {
            return Err(bundle_stock_refusal(stock_id, &info.stock_bundle_id, instead));
        }
        Ok(stock)
    }

    // ---- 创建商品券 / 添加商品券批次组 ----

    pub(crate) fn create_product_coupon(
        &mut self,
        body: CreateProductCouponRequest,
    ) -> Result<CreateProductCouponResponse, ApiFailure> {
        // Check everything before handing out ids, so a refusal changes nothing.
        match (&body.usage_mode, &body.stock, &body.stock_bundle, &body.progressive_bundle_usage_info) {
            (UsageMode::ProgressiveBundle, _, Some(bundle), Some(info)) => {
                check_bundle(bundle, &body.type_, info.count, "stock_bundle")?;
            }
            (UsageMode::ProgressiveBundle, ..) => {
                return Err(ApiFailure::invalid(
                    "stock_bundle",
                    "usage_mode 为 PROGRESSIVE_BUNDLE 时 progressive_bundle_usage_info 与 stock_bundle 必填",
                ));
            }
            (UsageMode::Single, Some(stock), ..) => {
                check_single_rule(&stock.single_usage_rule, body.single_usage_info.as_ref(), &body.type_, "stock")?;
            }
            (UsageMode::Single, None, ..) => {
                return Err(ApiFailure::invalid("stock", "usage_mode 为 SINGLE 时 stock 必填"));
            }
            (other, ..) => {
                return Err(ApiFailure::invalid("usage_mode", format!("{:?} is not supported", other.as_str())));
            }
        }
        let id = State::next_id(&mut self.state.last_product_coupon, PRODUCT_COUPON_BASE);
        let mut builder = ProductCouponEntity::builder()
            .product_coupon_id(id.clone())
            .scope(body.scope.clone())
            .type_(body.type_.clone())
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
        let mut response: CreateProductCouponResponse = convert(&coupon)?;
        let mut record =
            ProductCoupon { mchid: self.mchid.to_owned(), coupon, stocks: Vec::new(), stock_bundles: Vec::new() };
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

    pub(crate) fn create_stock_bundle(
        &mut self,
        product_coupon_id: String,
        body: CreateStockBundleRequest,
    ) -> Result<StockBundleEntity, ApiFailure> {
        let coupon = &self.find_coupon(&product_coupon_id, &body.brand_id, "path")?.coupon;
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
            return Err(coupon_rule_refusal(format!("商品券 {product_coupon_id} 已失效，不能添加批次组")));
        }
        let count = coupon.progressive_bundle_usage_info.as_ref().map(|i| i.count).unwrap_or(0);
        check_bundle(&body.stock_bundle, &coupon.type_, count, "stock_bundle")?;
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
        let rule = bundle.progressive_bundle_usage_rule.as_ref().ok_or_else(|| {
            ApiFailure::invalid(
                "stock_bundle.progressive_bundle_usage_rule",
                "is required for a PROGRESSIVE_BUNDLE coupon",
            )
        })?;
        let bundle_id = State::next_id(&mut self.state.last_stock_bundle, STOCK_BUNDLE_BASE);
        // The count was validated when the coupon was created (3-15), but it may come from a
        // state file: a count no request could have set is refused, not looped over.
        let steps = usize::try_from(count)
            .ok()
            .filter(|n| *n <= MAX_BUNDLE_STEPS)
            .ok_or_else(|| internal(format!("progressive_bundle_usage_info.count {count} is out of range")))?;
        let mut stocks = Vec::with_capacity(steps);
        for i in 0..steps {
            let index = i64::try_from(i).map_err(internal)?;
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

    // ---- 修改 / 失效商品券 ----

    pub(crate) fn update_product_coupon(
        &mut self,
        product_coupon_id: String,
        body: UpdateProductCouponRequest,
    ) -> Result<ProductCouponEntity, ApiFailure> {
        let product_coupon_id = product_coupon_id.as_str();
        let coupon = &self.find_coupon(product_coupon_id, &body.brand_id, "path")?.coupon;
        if coupon.state == ProductCouponState::Deactivated {
            return Err(coupon_rule_refusal(format!("商品券 {product_coupon_id} 已失效，不能修改")));
        }
        let d = &body.display_info;
        // At least one price form, as on creation: the docs' examples send both (see the spec's
        // decision on DisplayInfo), so the sandbox is no stricter than that.
        if coupon.scope == ProductCouponScope::Single && d.original_price.is_none() && d.combo_package_list.is_none() {
            return Err(ApiFailure::invalid(
                "display_info.original_price",
                "单品券（scope 为 SINGLE）须填写 original_price 或 combo_package_list",
            ));
        }
        let record = self.state.product_coupons.get_mut(product_coupon_id).expect("looked up above");
        record.coupon.display_info = body.display_info;
        let updated = record.coupon.clone();
        self.touch();
        Ok(updated)
    }

    pub(crate) fn deactivate_product_coupon(
        &mut self,
        product_coupon_id: String,
        body: DeactivateProductCouponRequest,
    ) -> Result<ProductCouponEntity, ApiFailure> {
        let product_coupon_id = product_coupon_id.as_str();
        let coupon = &self.find_coupon(product_coupon_id, &body.brand_id, "path")?.coupon;
        if coupon.state != ProductCouponState::Effective {
            return Err(coupon_rule_refusal(format!(
                "商品券 {product_coupon_id} 当前状态为 {}，只有生效中（EFFECTIVE）的商品券可以失效",
                coupon.state.as_str()
            )));
        }
        let now = self.now_text();
        let record = self.state.product_coupons.get_mut(product_coupon_id).expect("looked up above");
        let c = &mut record.coupon;
        c.state = ProductCouponState::Deactivated;
        c.deactivate_request_no = Some(body.out_request_no.clone());
        c.deactivate_time = Some(now.clone().into());
        c.deactivate_reason = Some(body.deactivate_reason.clone());
        for s in record.stocks.iter_mut().filter(|s| s.state != StockState::Deactivated) {
            s.state = StockState::Deactivated;
            s.deactivate_request_no = Some(body.out_request_no.clone());
            s.deactivate_time = Some(now.clone().into());
            s.deactivate_reason = Some(body.deactivate_reason.clone());
        }
        for s in record
            .stock_bundles
            .iter_mut()
            .flat_map(|b| b.stock_list.iter_mut())
            .filter(|s| s.state != StockState::Deactivated)
        {
            s.state = StockState::Deactivated;
            s.deactivate_request_no = Some(body.out_request_no.clone());
            s.deactivate_time = Some(now.clone().into());
            s.deactivate_reason = Some(body.deactivate_reason.clone());
        }
        let updated = record.coupon.clone();
        self.touch();
        Ok(updated)
    }

    // ---- 批次 ----

    pub(crate) fn create_stock(
        &mut self,
        product_coupon_id: String,
        body: CreateStockRequest,
    ) -> Result<StockEntity, ApiFailure> {
        let product_coupon_id = product_coupon_id.as_str();
        let record = self.find_coupon(product_coupon_id, &body.brand_id, "path")?;
        let coupon = &record.coupon;
        if coupon.usage_mode != UsageMode::Single {
            return Err(coupon_rule_refusal(format!(
                "商品券 {product_coupon_id} 的 usage_mode 为 {}，不能添加批次（前置条件：usage_mode 为 SINGLE；多次优惠商品券请使用【添加商品券批次组】）",
                coupon.usage_mode.as_str()
            )));
        }
        if coupon.state != ProductCouponState::Effective {
            return Err(coupon_rule_refusal(format!(
                "商品券 {product_coupon_id} 当前状态为 {}，不能添加批次",
                coupon.state.as_str()
            )));
        }
        let live = record.stocks.iter().filter(|s| s.state != StockState::Deactivated).count();
        if live >= MAX_LIVE_STOCKS {
            return Err(coupon_rule_refusal(format!(
                "商品券 {product_coupon_id} 已有 {live} 个生效中的批次，每个商品券最多 {MAX_LIVE_STOCKS} 个"
            )));
        }
        check_single_rule(&body.stock.single_usage_rule, coupon.single_usage_info.as_ref(), &coupon.type_, "stock")?;
        let entity = self.make_stock(product_coupon_id, &body.brand_id, body.stock)?;
        let record = self.state.product_coupons.get_mut(product_coupon_id).expect("looked up above");
        record.stocks.push(entity.clone());
        Ok(entity)
    }

    pub(crate) fn list_stocks_page(
        &self,
        product_coupon_id: &str,
        brand_id: &str,
        state: Option<StockState>,
        stock_bundle_id: Option<String>,
        page_size: Option<i64>,
        page_token: Option<String>,
    ) -> Result<ListStocksResponse, ApiFailure> {
        let coupon = self.find_coupon(product_coupon_id, brand_id, "path")?;
        let mut all: Vec<StockEntity> = coupon.stocks.clone();
        for s in coupon.stock_bundles.iter().flat_map(|b| b.stock_list.iter()) {
            all.push(convert(s)?);
        }
        // Ids are handed out in order: by id is by creation.
        all.sort_by_key(|s| (s.stock_id.len(), s.stock_id.clone()));
        let matching: Vec<StockEntity> = all
            .into_iter()
            .filter(|s| state.as_ref().is_none_or(|st| &s.state == st))
            .filter(|s| {
                stock_bundle_id
                    .as_deref()
                    .is_none_or(|id| s.stock_bundle_info.as_ref().is_some_and(|i| i.stock_bundle_id == id))
            })
            .map(|s| self.present_stock(s))
            .collect();
        let (items, next) = page(&matching, page_size, page_token.as_deref())?;
        let mut response = ListStocksResponse::builder()
            .total_count(matching.len() as i64)
            .stock_list(items)
            .build()
            .map_err(internal)?;
        response.next_page_token = next;
        Ok(response)
    }

    pub(crate) fn update_stock(
        &mut self,
        product_coupon_id: String,
        stock_id: String,
        body: UpdateStockInfoRequest,
    ) -> Result<StockEntity, ApiFailure> {
        let product_coupon_id = product_coupon_id.as_str();
        let stock_id = stock_id.as_str();
        let stock = self.single_stock_for_write(product_coupon_id, stock_id, &body.brand_id, "修改商品券批次组")?;
        if stock.state == StockState::Deactivated {
            return Err(deactivated_stock_refusal(stock_id));
        }
        let updated = self.modify_stock(product_coupon_id, stock_id, |s, _| {
            apply_info(s, &body);
            Ok(s.clone())
        })?;
        Ok(self.present_stock(updated))
    }

    pub(crate) fn update_stock_budget(
        &mut self,
        product_coupon_id: String,
        stock_id: String,
        body: UpdateBudgetRequest,
    ) -> Result<StockEntity, ApiFailure> {
        let product_coupon_id = product_coupon_id.as_str();
        let stock_id = stock_id.as_str();
        let stock =
            self.single_stock_for_write(product_coupon_id, stock_id, &body.brand_id, "修改商品券批次组发放预算")?;
        if stock.state == StockState::Deactivated {
            return Err(deactivated_stock_refusal(stock_id));
        }
        let updated = self.modify_stock(product_coupon_id, stock_id, |s, _| {
            apply_budget(s, &body)?;
            Ok(s.clone())
        })?;
        Ok(self.present_stock(updated))
    }

    pub(crate) fn deactivate_stock(
        &mut self,
        product_coupon_id: String,
        stock_id: String,
        body: DeactivateStockRequest,
    ) -> Result<StockEntity, ApiFailure> {
        let product_coupon_id = product_coupon_id.as_str();
        let stock_id = stock_id.as_str();
        let stock = self.single_stock_for_write(product_coupon_id, stock_id, &body.brand_id, "失效商品券")?;
        if stock.state == StockState::Deactivated {
            return Err(coupon_rule_refusal(format!("批次 {stock_id} 已经失效")));
        }
        let now = self.now_text();
        let updated = self.modify_stock(product_coupon_id, stock_id, |s, _| {
            s.state = StockState::Deactivated;
            s.deactivate_request_no = Some(body.out_request_no.clone());
            s.deactivate_time = Some(now.into());
            s.deactivate_reason = Some(body.deactivate_reason.clone());
            Ok(s.clone())
        })?;
        Ok(self.present_stock(updated))
    }

    // ---- 门店 ----

    pub(crate) fn stock_stores(
        &mut self,
        product_coupon_id: &str,
        stock_id: &str,
        body: StoreListRequest,
        associate: bool,
    ) -> Result<StoreAssociationResult, ApiFailure> {
        let instead = if associate { "批次组批量关联门店" } else { "批次组批量取消关联门店" };
        let stock = self.single_stock_for_write(product_coupon_id, stock_id, &body.brand_id, instead)?;
        check_store_scope(&stock.store_scope, &format!("批次 {stock_id} "))?;
        if associate && stock.state == StockState::Deactivated {
            return Err(deactivated_stock_refusal(stock_id));
        }
        let stores = dedup_stores(&body.store_list);
        let (success, failed) = self.modify_stock(product_coupon_id, stock_id, |_, extra| {
            let mut success = Vec::new();
            let mut failed = Vec::new();
            for id in &stores {
                let present = extra.stores.contains(id);
                match (associate, present) {
                    (true, false) => {
                        extra.stores.push(id.clone());
                        success.push(id.clone());
                    }
                    (false, true) => {
                        extra.stores.retain(|s| s != id);
                        success.push(id.clone());
                    }
                    (true, true) => failed.push((id.clone(), "ALREADY_EXISTS", format!("门店 {id} 已关联该批次"))),
                    (false, false) => failed.push((id.clone(), "NOT_FOUND", format!("门店 {id} 未关联该批次"))),
                }
            }
            Ok((success, failed))
        })?;
        association_result(stores.len(), success, failed)
    }

    pub(crate) fn list_stores_page(
        &self,
        product_coupon_id: &str,
        stock_id: &str,
        brand_id: &str,
        page_size: Option<i64>,
        page_token: Option<String>,
    ) -> Result<ListStockStoresResponse, ApiFailure> {
        let coupon = self.find_coupon(product_coupon_id, brand_id, "path")?;
        let stock = find_stock(coupon, stock_id).ok_or_else(|| stock_not_found(product_coupon_id, stock_id))?;
        check_store_scope(&stock.store_scope, &format!("批次 {stock_id} "))?;
        let stores = self.state.stock_extras.get(stock_id).map(|e| e.stores.clone()).unwrap_or_default();
        let (items, next) = page(&stores, page_size, page_token.as_deref())?;
        let list: Result<Vec<StoreRef>, _> =
            items.into_iter().map(|id| StoreRef::builder().store_id(id).build()).collect();
        let mut response = ListStockStoresResponse::builder()
            .total_count(stores.len() as i64)
            .store_list(list.map_err(internal)?)
            .build()
            .map_err(internal)?;
        response.next_page_token = next;
        Ok(response)
    }

    // ---- 预上传券Code ----

    pub(crate) fn upload_coupon_codes(
        &mut self,
        product_coupon_id: String,
        stock_id: String,
        body: UploadCouponCodesRequest,
    ) -> Result<UploadCouponCodesResponse, ApiFailure> {
        let product_coupon_id = product_coupon_id.as_str();
        let stock_id = stock_id.as_str();
        let coupon = self.find_coupon(product_coupon_id, &body.brand_id, "path")?;
        let stock = find_stock(coupon, stock_id).ok_or_else(|| stock_not_found(product_coupon_id, stock_id))?;
        if stock.coupon_code_mode != CouponCodeMode::Upload {
            return Err(coupon_rule_refusal(format!(
                "批次 {stock_id} 的 coupon_code_mode 为 {}，只有 UPLOAD 模式的批次可以预上传券 Code",
                stock.coupon_code_mode.as_str()
            )));
        }
        if stock.state == StockState::Deactivated {
            return Err(deactivated_stock_refusal(stock_id));
        }
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        for c in &body.code_list {
            *counts.entry(c.as_str()).or_default() += 1;
        }
        let mut unique = Vec::new();
        let mut duplicates = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for c in &body.code_list {
            if seen.insert(c.as_str()) {
                unique.push(c.clone());
                if counts[c.as_str()] > 1 {
                    duplicates.push(c.clone());
                }
            }
        }
        let total = unique.len();
        let (success, failed, existing) = self.modify_stock(product_coupon_id, stock_id, |s, extra| {
            let (mut success, mut failed, mut existing) = (Vec::new(), Vec::new(), Vec::new());
            for code in unique.into_iter().filter(|c| !duplicates.contains(c)) {
                let valid =
                    !code.is_empty() && code.chars().count() <= 40 && code.chars().all(|ch| ch.is_ascii_graphic());
                if !valid {
                    failed.push(code);
                } else if extra.uploaded_codes.contains(&code) {
                    existing.push(code);
                } else {
                    extra.uploaded_codes.insert(code.clone());
                    extra.available_codes.push_back(code.clone());
                    success.push(code);
                }
            }
            s.coupon_code_count_info = Some(
                CouponCodeCountInfo::builder()
                    .total_count(extra.uploaded_codes.len() as i64)
                    .available_count(extra.available_codes.len() as i64)
                    .build()
                    .map_err(internal)?,
            );
            Ok((success, failed, existing))
        })?;
        let mut response = UploadCouponCodesResponse::builder().total_count(total as i64).build().map_err(internal)?;
        response.success_code_list = (!success.is_empty()).then_some(success);
        // Bare strings: the third-party YAML's shape, one of the two the spec documents.
        response.failed_code_list = (!failed.is_empty()).then(|| failed.into_iter().map(Into::into).collect());
        response.already_exist_code_list = (!existing.is_empty()).then_some(existing);
        response.duplicate_code_list = (!duplicates.is_empty()).then_some(duplicates);
        Ok(response)
    }

    // ---- 批次组 ----

    /// Applies `f` to every stock of a bundle, all or nothing; returns the bundle.
    fn modify_bundle(
        &mut self,
        product_coupon_id: &str,
        bundle_id: &str,
        brand_id: &str,
        mut f: impl FnMut(&mut StockEntity, &mut StockExtra) -> Result<(), ApiFailure>,
    ) -> Result<StockBundleEntity, ApiFailure> {
        let b = self.find_bundle_index(product_coupon_id, bundle_id, brand_id)?;
        let coupon = self.state.product_coupons.get(product_coupon_id).expect("looked up above");
        let mut bundle = coupon.stock_bundles[b].clone();
        let mut extras = Vec::with_capacity(bundle.stock_list.len());
        for s in &mut bundle.stock_list {
            let mut stock: StockEntity = convert(&*s)?;
            let mut extra = self.state.stock_extras.get(s.stock_id.as_str()).cloned().unwrap_or_default();
            f(&mut stock, &mut extra)?;
            *s = convert(&stock)?;
            extras.push((s.stock_id.to_string(), extra));
        }
        self.state.product_coupons.get_mut(product_coupon_id).expect("looked up above").stock_bundles[b] =
            bundle.clone();
        self.state.stock_extras.extend(extras);
        self.touch();
        Ok(self.present_bundle(bundle))
    }

    fn check_bundle_writable(&self, product_coupon_id: &str, brand_id: &str) -> Result<(), ApiFailure> {
        let coupon = &self.find_coupon(product_coupon_id, brand_id, "path")?.coupon;
        if coupon.state == ProductCouponState::Deactivated {
            return Err(coupon_rule_refusal(format!("商品券 {product_coupon_id} 已失效，其批次组不能再修改")));
        }
        Ok(())
    }

    pub(crate) fn update_stock_bundle(
        &mut self,
        product_coupon_id: String,
        bundle_id: String,
        body: UpdateStockInfoRequest,
    ) -> Result<StockBundleEntity, ApiFailure> {
        let product_coupon_id = product_coupon_id.as_str();
        let bundle_id = bundle_id.as_str();
        self.check_bundle_writable(product_coupon_id, &body.brand_id)?;
        self.modify_bundle(product_coupon_id, bundle_id, &body.brand_id, |s, _| {
            apply_info(s, &body);
            Ok(())
        })
    }

    pub(crate) fn update_stock_bundle_budget(
        &mut self,
        product_coupon_id: String,
        bundle_id: String,
        body: UpdateBudgetRequest,
    ) -> Result<StockBundleEntity, ApiFailure> {
        let product_coupon_id = product_coupon_id.as_str();
        let bundle_id = bundle_id.as_str();
        self.check_bundle_writable(product_coupon_id, &body.brand_id)?;
        self.modify_bundle(product_coupon_id, bundle_id, &body.brand_id, |s, _| apply_budget(s, &body))
    }

    pub(crate) fn bundle_stores(
        &mut self,
        product_coupon_id: &str,
        bundle_id: &str,
        body: StoreListRequest,
        associate: bool,
    ) -> Result<StoreAssociationResult, ApiFailure> {
        let b = self.find_bundle_index(product_coupon_id, bundle_id, &body.brand_id)?;
        let bundle = &self.state.product_coupons[product_coupon_id].stock_bundles[b];
        if let Some(first) = bundle.stock_list.first() {
            check_store_scope(&first.store_scope, &format!("批次组 {bundle_id} "))?;
        }
        if associate {
            self.check_bundle_writable(product_coupon_id, &body.brand_id)?;
        }
        let stores = dedup_stores(&body.store_list);
        let mut changed = std::collections::BTreeSet::new();
        self.modify_bundle(product_coupon_id, bundle_id, &body.brand_id, |_, extra| {
            for id in &stores {
                let present = extra.stores.contains(id);
                if associate && !present {
                    extra.stores.push(id.clone());
                    changed.insert(id.clone());
                } else if !associate && present {
                    extra.stores.retain(|s| s != id);
                    changed.insert(id.clone());
                }
            }
            Ok(())
        })?;
        let mut success = Vec::new();
        let mut failed = Vec::new();
        for id in &stores {
            if changed.contains(id) {
                success.push(id.clone());
            } else if associate {
                failed.push((id.clone(), "ALREADY_EXISTS", format!("门店 {id} 已关联该批次组的所有批次")));
            } else {
                failed.push((id.clone(), "NOT_FOUND", format!("门店 {id} 未关联该批次组的批次")));
            }
        }
        association_result(stores.len(), success, failed)
    }
}

/// The operations that read, or share a helper with their pair (associate / disassociate);
/// the other handlers of this module carry their operation's name directly.
impl Ctx<'_> {
    pub(crate) fn get_product_coupon(
        &mut self,
        product_coupon_id: String,
        brand_id: String,
    ) -> Result<ProductCouponEntity, ApiFailure> {
        Ok(self.find_coupon(&product_coupon_id, &brand_id, "path")?.coupon.clone())
    }

    pub(crate) fn list_stocks(
        &mut self,
        product_coupon_id: String,
        brand_id: String,
        query: ListStocksQuery<'_>,
    ) -> Result<ListStocksResponse, ApiFailure> {
        self.list_stocks_page(
            &product_coupon_id,
            &brand_id,
            query.state.cloned(),
            query.stock_bundle_id.map(str::to_owned),
            query.page_size,
            query.page_token.map(str::to_owned),
        )
    }

    pub(crate) fn get_stock(
        &mut self,
        product_coupon_id: String,
        stock_id: String,
        brand_id: String,
    ) -> Result<StockEntity, ApiFailure> {
        let coupon = self.find_coupon(&product_coupon_id, &brand_id, "path")?;
        let stock = find_stock(coupon, &stock_id).ok_or_else(|| stock_not_found(&product_coupon_id, &stock_id))?;
        Ok(self.present_stock(stock))
    }

    pub(crate) fn associate_stock_stores(
        &mut self,
        product_coupon_id: String,
        stock_id: String,
        body: StoreListRequest,
    ) -> Result<StoreAssociationResult, ApiFailure> {
        self.stock_stores(&product_coupon_id, &stock_id, body, true)
    }

    pub(crate) fn disassociate_stock_stores(
        &mut self,
        product_coupon_id: String,
        stock_id: String,
        body: StoreListRequest,
    ) -> Result<StoreAssociationResult, ApiFailure> {
        self.stock_stores(&product_coupon_id, &stock_id, body, false)
    }

    pub(crate) fn list_stock_stores(
        &mut self,
        product_coupon_id: String,
        stock_id: String,
        brand_id: String,
        query: ListStockStoresQuery<'_>,
    ) -> Result<ListStockStoresResponse, ApiFailure> {
        let page_token = query.page_token.map(str::to_owned);
        self.list_stores_page(&product_coupon_id, &stock_id, &brand_id, query.page_size, page_token)
    }

    pub(crate) fn associate_stock_bundle_stores(
        &mut self,
        product_coupon_id: String,
        stock_bundle_id: String,
        body: StoreListRequest,
    ) -> Result<StoreAssociationResult, ApiFailure> {
        self.bundle_stores(&product_coupon_id, &stock_bundle_id, body, true)
    }

    pub(crate) fn disassociate_stock_bundle_stores(
        &mut self,
        product_coupon_id: String,
        stock_bundle_id: String,
        body: StoreListRequest,
    ) -> Result<StoreAssociationResult, ApiFailure> {
        self.bundle_stores(&product_coupon_id, &stock_bundle_id, body, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_tokens_and_refuse_foreign_ones() {
        let items: Vec<u32> = (0..5).collect();
        let (first, next) = page(&items, Some(2), None).unwrap();
        assert_eq!(first, [0, 1]);
        let (second, next) = page(&items, Some(2), next.as_deref()).unwrap();
        assert_eq!(second, [2, 3]);
        let (last, next) = page(&items, Some(2), next.as_deref()).unwrap();
        assert_eq!((last, next), (vec![4], None));
        assert_eq!(page(&items, None, None).unwrap(), (items.clone(), None));
        let e = page(&items, Some(2), Some("nonsense")).unwrap_err();
        assert_eq!((e.status, e.code), (400, "PARAM_ERROR"));
    }
}
