//! Sending coupons to users and the user-coupon lifecycle.
//!
//! ```text
//! send / send bundle ──> CONFIRMING ──confirm──> EFFECTIVE ──use──> USED ──return──> EFFECTIVE
//!                            │                      │  ▲
//!                            │                      │  └── PENDING until valid_begin_time (and, in a
//!                            │                      │      bundle, until the previous step is used and
//!                            │                      │      interval_days have passed)
//!                            └──────────────────────┴──deactivate──> DEACTIVATED
//!         past valid_end_time, a CONFIRMING / PENDING / EFFECTIVE coupon reads as EXPIRED
//! ```
//!
//! The sandbox stores `CONFIRMING`, `EFFECTIVE` (confirmed), `USED` and `DEACTIVATED`;
//! `PENDING` and `EXPIRED` are read off the business clock ([`crate::clock`]) every time a
//! coupon is shown, so a coupon expires without anything happening to it.
//!
//! Rules:
//!
//! * 向用户发放商品券 is for the stocks of `SINGLE` coupons; a stock of a `PROGRESSIVE_BUNDLE`
//!   coupon (a bundle's stock) is refused (400 `INVALID_REQUEST`: use 向用户发放商品券批次组);
//!   the bundle operations need a `PROGRESSIVE_BUNDLE` coupon. The addressed product coupon,
//!   stock or bundle must exist for the merchant and brand: otherwise 400 `INVALID_REQUEST`
//!   with business code 268578608 (these operations' error tables have no 404: the path
//!   addresses a user);
//! * the product coupon must be `EFFECTIVE` and every stock sent from `SENDING`, its available
//!   period not over: otherwise 400 `INVALID_REQUEST`, 268577984 (批次状态不是发放中);
//! * budgets, per stock (a bundle send takes one from each of its stocks): `max_count` in
//!   total and `max_count_per_day` per day (`+08:00`): 400 `INVALID_REQUEST`, 268578101 (no
//!   more specific code is documented); `max_count_per_user` coupons per user: 400
//!   `INVALID_REQUEST`, 272756740 (用户领取张数已达上限). Sent counts (`sent_count_info`) go
//!   up with each coupon; pre-sending checks the same limits but counts nothing;
//! * codes: `WECHATPAY` codes are handed out in order (`800000000001`...); `UPLOAD` takes the
//!   oldest uploaded code not used yet (none left: 400 `INVALID_REQUEST`); `API_ASSIGN` takes
//!   the request's `coupon_code`, which must be new in the stock; other modes refuse a
//!   `coupon_code`;
//! * validity: from the stock's `coupon_available_period`. Without `available_days` the coupon
//!   is valid over the period; with it, from receipt (or from 00:00 of the
//!   `wait_days_after_receive`-th day after receipt) for `available_days` days, never outside
//!   the period;
//! * every coupon sent is notified (`PRODUCT_COUPON_SP.SEND`, one per coupon, also for each
//!   step of a bundle) and must be confirmed: until then it is `CONFIRMING` and cannot be
//!   used. Confirming anything but a `CONFIRMING` coupon is 400 `INVALID_REQUEST`, 268578367
//!   (用户券状态非法), unless it is a retry with the same `out_request_no`;
//! * 核销: the coupon must read `EFFECTIVE` (`CONFIRMING`, `USED`, `DEACTIVATED`: 268578367;
//!   `EXPIRED`: 268578776 用户券已过期; before its valid time, or a bundle step whose previous
//!   step was used less than `interval_days` ago: 272755715 券已不在使用有效期内; a bundle step
//!   whose previous step is not used: 268578367). `use_time` must fall within the validity and
//!   the period's weekly days and hours or irregular periods (272755715). With `store_scope =
//!   SPECIFIC` the `store_id` must be one of the stock's associated stores (268584404 核销门店
//!   非法);
//! * 退券: only a `USED` coupon (268578367); in a bundle, not while the next step is used. The
//!   coupon becomes usable again (or reads `EXPIRED` if its validity is over);
//! * 失效: a `CONFIRMING`, `PENDING` or `EFFECTIVE` coupon (`USED` / `DEACTIVATED`: 268578367,
//!   `EXPIRED`: 268578776); 失效用户商品券组 deactivates every step that still can be and is
//!   refused when none can;
//! * a user coupon is addressed by `openid`, `coupon_code`, `stock_id`, `product_coupon_id`,
//!   `appid` and `brand_id` together: if any of them does not match, 404 `NOT_FOUND`;
//! * a user coupon keeps the product coupon and stock as they were when it was sent (修改商品券
//!   and 修改批次 affect only coupons sent afterwards); store associations are read live.

use serde::Serialize;
use serde_json::Value;
use wechatpay_product_coupon::generated::operations::ListUserCouponsQuery;
use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::runtime::signing::new_nonce;

use crate::clock::{DAY, format_rfc3339, local_day, parse_rfc3339, second_of_day, start_of_day, weekday};
use crate::coupons::page;
use crate::idempotency::Numbered;
use crate::state::*;

/// How long a pre-send token can be claimed (有效期 5 分钟).
pub const PRE_SEND_TOKEN_SECONDS: i64 = 300;

/// The filters of 指定券状态查询用户商品券列表.
#[derive(Debug, Clone)]
pub(crate) struct ListFilter {
    pub openid: String,
    pub brand_id: String,
    pub appid: String,
    pub product_coupon_id: Option<String>,
    pub stock_id: Option<String>,
    pub coupon_state: Option<UserCouponState>,
    pub user_coupon_bundle_id: Option<String>,
}

/// What addresses one user coupon.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Address<'a> {
    pub openid: &'a str,
    pub coupon_code: &'a str,
    pub brand_id: &'a str,
    pub product_coupon_id: &'a str,
    pub stock_id: &'a str,
    pub appid: &'a str,
}

/// What a claimed pre-send token produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Claimed {
    /// A coupon (向用户预发放商品券).
    Coupon(Box<UserProductCoupon>),
    /// A user coupon bundle (向用户预发放商品券批次组).
    Bundle(Box<UserCouponBundle>),
}

/// What is sent: one stock (with the request's code, for API_ASSIGN) or a bundle.
enum Target<'a> {
    Stock { stock_id: &'a str, coupon_code: Option<&'a str> },
    Bundle { stock_bundle_id: &'a str },
}

/// A send that passed every check.
struct Plan {
    coupon: ProductCouponEntity,
    /// The stocks to send from, step order for a bundle.
    stocks: Vec<StockEntity>,
    /// API_ASSIGN code, per stock.
    assigned: Vec<Option<String>>,
    bundle_id: Option<String>,
    interval_days: i64,
}

/// What a send request carries besides its target.
struct Recipient<'a> {
    openid: &'a str,
    appid: &'a str,
    brand_id: &'a str,
    send_request_no: &'a str,
    attach: Option<&'a String>,
    coupon_tag_info: Option<&'a CouponTagInfo>,
    channel: SendChannel,
}

fn send_refusal(business: u32, message: impl Into<String>) -> ApiFailure {
    ApiFailure::rule(business, message)
}

fn user_coupon_not_found(code: &str) -> ApiFailure {
    ApiFailure::not_found(
        format!(
            "未找到 coupon_code 对应的用户商品券: {code}（券 Code、openid、appid、product_coupon_id、stock_id 与 brand_id 须对应同一张已发放的券）"
        ),
        "coupon_code",
        code,
        "path",
    )
}

fn state_refusal(message: impl Into<String>) -> ApiFailure {
    ApiFailure::rule(business_code::USER_COUPON_STATE, message)
}

fn expired_refusal(code: &str, end: &str) -> ApiFailure {
    ApiFailure::rule(business_code::USER_COUPON_EXPIRED, format!("用户券 {code} 已过期（有效期至 {end}）"))
}

fn period_of(stock: &StockEntity) -> Option<&CouponAvailablePeriod> {
    stock
        .single_usage_rule
        .as_ref()
        .map(|r| &r.coupon_available_period)
        .or_else(|| stock.progressive_bundle_usage_rule.as_ref().map(|r| &r.coupon_available_period))
}

/// The validity of a coupon received at `receive` from a stock with this period.
fn validity(period: &CouponAvailablePeriod, receive: i64) -> (i64, i64) {
    let begin = parse_rfc3339(period.available_begin_time.as_str()).unwrap_or(receive);
    let end = parse_rfc3339(period.available_end_time.as_str()).unwrap_or(i64::MAX);
    match period.available_days {
        Some(days) => {
            let wait = period.wait_days_after_receive.unwrap_or(0);
            // Saturating: the days are bounded by validation, but a state file is not.
            let start = if wait > 0 { start_of_day(receive).saturating_add(wait.saturating_mul(DAY)) } else { receive }
                .max(begin);
            (start, start_of_day(start).saturating_add(days.saturating_mul(DAY)).saturating_sub(1).min(end))
        }
        None => (begin, end),
    }
}

const WEEKDAYS: [&str; 7] = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"];

/// Whether the period's weekly days and hours, or its irregular periods, allow use at `t`.
fn usable_at(period: &CouponAvailablePeriod, t: i64) -> Result<(), String> {
    if let Some(weekly) = &period.weekly_available_period {
        let today = WEEKDAYS[weekday(t) as usize];
        if !weekly.day_list.iter().any(|d| d.as_str() == today) {
            let days: Vec<&str> = weekly.day_list.iter().map(|d| d.as_str()).collect();
            return Err(format!("{} 是 {today}，券只在每周 {} 可用", format_rfc3339(t), days.join("/")));
        }
        if let Some(periods) = weekly.day_period_list.as_ref().filter(|p| !p.is_empty()) {
            let sod = second_of_day(t);
            if !periods.iter().any(|p| p.begin_time <= sod && sod <= p.end_time) {
                return Err(format!("{} 不在券每天的可用时段内", format_rfc3339(t)));
            }
        }
    }
    if let Some(list) = period.irregular_available_period_list.as_ref().filter(|l| !l.is_empty()) {
        let inside = list.iter().any(|p| {
            let b = parse_rfc3339(p.begin_time.as_str()).unwrap_or(i64::MIN);
            let e = parse_rfc3339(p.end_time.as_str()).unwrap_or(i64::MAX);
            b <= t && t <= e
        });
        if !inside {
            return Err(format!("{} 不在券的可用时间段内", format_rfc3339(t)));
        }
    }
    Ok(())
}

/// Why a confirmed coupon is not usable yet.
enum Waiting {
    /// Before its valid time.
    NotYet(i64),
    /// A bundle step whose previous step is not used.
    PreviousStep(i64),
    /// A bundle step whose previous step was used less than `interval_days` ago.
    Interval(i64),
}

impl Ctx<'_> {
    fn record(&self, key: &str) -> &UserCouponRecord {
        &self.state.user_coupons[key]
    }

    /// For a confirmed, unused coupon: why it cannot be used now, if it cannot.
    fn waiting(&self, rec: &UserCouponRecord) -> Option<Waiting> {
        let begin = parse_rfc3339(rec.coupon.valid_begin_time.as_str()).unwrap_or(i64::MIN);
        if self.now < begin {
            return Some(Waiting::NotYet(begin));
        }
        let info = rec.coupon.user_product_coupon_bundle_info.as_ref()?;
        if info.user_coupon_bundle_index <= 0 {
            return None;
        }
        let previous = info.user_coupon_bundle_index - 1;
        let bundle = self.state.user_coupon_bundles.get(info.user_coupon_bundle_id.as_str())?;
        let prev = self.state.user_coupons.get(bundle.coupons.get(usize::try_from(previous).ok()?)?)?;
        if prev.coupon.coupon_state != UserCouponState::Used {
            return Some(Waiting::PreviousStep(previous));
        }
        let used_at = prev
            .coupon
            .progressive_bundle_usage_detail
            .as_ref()
            .and_then(|d| d.use_time.as_ref())
            .and_then(|t| parse_rfc3339(t.as_str()))
            .unwrap_or(i64::MIN);
        let from = if rec.interval_days > 0 {
            start_of_day(used_at).saturating_add(rec.interval_days.saturating_mul(DAY))
        } else {
            used_at
        };
        (self.now < from).then_some(Waiting::Interval(from))
    }

    /// The state a coupon reads as now.
    fn current_state(&self, rec: &UserCouponRecord) -> UserCouponState {
        let end = parse_rfc3339(rec.coupon.valid_end_time.as_str()).unwrap_or(i64::MAX);
        match &rec.coupon.coupon_state {
            UserCouponState::Confirming if self.now > end => UserCouponState::Expired,
            UserCouponState::Effective if self.now > end => UserCouponState::Expired,
            UserCouponState::Effective if self.waiting(rec).is_some() => UserCouponState::Pending,
            other => other.clone(),
        }
    }

    /// A user coupon as the API shows it now.
    pub(crate) fn view(&self, key: &str) -> UserProductCoupon {
        let rec = self.record(key);
        let mut coupon = rec.coupon.clone();
        coupon.coupon_state = self.current_state(rec);
        if let Some(info) = coupon.user_product_coupon_bundle_info.as_mut()
            && let Some(bundle) = self.state.user_coupon_bundles.get(info.user_coupon_bundle_id.as_str())
        {
            info.used_count = bundle
                .coupons
                .iter()
                .filter_map(|k| self.state.user_coupons.get(k))
                .filter(|r| r.coupon.coupon_state == UserCouponState::Used)
                .count() as i64;
        }
        coupon
    }

    fn bundle_view(&self, bundle_id: &str) -> Result<UserCouponBundle, ApiFailure> {
        let bundle = &self.state.user_coupon_bundles[bundle_id];
        let list: Vec<UserProductCoupon> = bundle.coupons.iter().map(|k| self.view(k)).collect();
        UserCouponBundle::builder()
            .user_coupon_bundle_id(bundle_id)
            .user_product_coupon_list(list)
            .build()
            .map_err(internal)
    }

    /// The key of the user coupon at `a`, or 404.
    pub(crate) fn find_user_coupon(&self, a: &Address<'_>) -> Result<String, ApiFailure> {
        let key = user_coupon_key(a.stock_id, a.coupon_code);
        match self.state.user_coupons.get(&key) {
            Some(r)
                if self.sees(&r.mchid)
                    && r.openid == a.openid
                    && r.appid == a.appid
                    && r.coupon.brand_id == a.brand_id
                    && r.coupon.product_coupon.product_coupon_id == a.product_coupon_id =>
            {
                Ok(key)
            }
            _ => Err(user_coupon_not_found(a.coupon_code)),
        }
    }

    // ---- sending ----

    /// Checks a send (or pre-send) without changing anything.
    fn plan(
        &self,
        openid: &str,
        brand_id: &str,
        product_coupon_id: &str,
        target: Target<'_>,
    ) -> Result<Plan, ApiFailure> {
        let missing = |what: String, field: &str, value: &str| {
            ApiFailure::new(400, "INVALID_REQUEST", what)
                .with_detail(serde_json::json!({ "field": field, "location": "body", "value": value }))
                .with_business_code(business_code::NOT_FOUND)
        };
        let record = self
            .state
            .product_coupons
            .get(product_coupon_id)
            .filter(|r| self.sees(&r.mchid) && r.coupon.brand_id == brand_id)
            .ok_or_else(|| {
                missing(
                    format!("商品券 {product_coupon_id} 不存在或不属于该品牌"),
                    "product_coupon_id",
                    product_coupon_id,
                )
            })?;
        let coupon = &record.coupon;
        let interval_days = coupon.progressive_bundle_usage_info.as_ref().and_then(|i| i.interval_days).unwrap_or(0);
        let (stocks, assigned, bundle_id) = match target {
            Target::Stock { stock_id, coupon_code } => {
                let stock = find_stock(record, stock_id).ok_or_else(|| {
                    missing(format!("商品券 {product_coupon_id} 下没有批次 {stock_id}"), "stock_id", stock_id)
                })?;
                if let Some(info) = &stock.stock_bundle_info {
                    return Err(send_refusal(
                        business_code::INVALID_REQUEST,
                        format!(
                            "批次 {stock_id} 属于多次优惠商品券（PROGRESSIVE_BUNDLE）的批次组 {}，不能单独发放：请使用【向用户发放商品券批次组】",
                            info.stock_bundle_id
                        ),
                    ));
                }
                (vec![stock], vec![coupon_code.map(str::to_owned)], None)
            }
            Target::Bundle { stock_bundle_id } => {
                if coupon.usage_mode != UsageMode::ProgressiveBundle {
                    return Err(send_refusal(
                        business_code::INVALID_REQUEST,
                        format!(
                            "商品券 {product_coupon_id} 的 usage_mode 为 {}，批次组只属于多次优惠（PROGRESSIVE_BUNDLE）商品券",
                            coupon.usage_mode.as_str()
                        ),
                    ));
                }
                let bundle =
                    record.stock_bundles.iter().find(|b| b.stock_bundle_id == stock_bundle_id).ok_or_else(|| {
                        missing(
                            format!("商品券 {product_coupon_id} 下没有批次组 {stock_bundle_id}"),
                            "stock_bundle_id",
                            stock_bundle_id,
                        )
                    })?;
                let stocks: Result<Vec<StockEntity>, _> = bundle.stock_list.iter().map(convert).collect();
                let stocks = stocks?;
                let n = stocks.len();
                (stocks, vec![None; n], Some(stock_bundle_id.to_owned()))
            }
        };
        if coupon.state != ProductCouponState::Effective {
            return Err(send_refusal(
                business_code::STOCK_NOT_SENDING,
                format!("商品券 {product_coupon_id} 当前状态为 {}，不能发放", coupon.state.as_str()),
            ));
        }
        let today = local_day(self.now);
        for (stock, code) in stocks.iter().zip(&assigned) {
            let id = &stock.stock_id;
            if stock.state != StockState::Sending {
                return Err(send_refusal(
                    business_code::STOCK_NOT_SENDING,
                    format!("批次 {id} 当前状态为 {}，不是发放中（SENDING）", stock.state.as_str()),
                ));
            }
            if let Some(period) = period_of(stock)
                && parse_rfc3339(period.available_end_time.as_str()).is_some_and(|end| self.now > end)
            {
                return Err(send_refusal(
                    business_code::STOCK_NOT_SENDING,
                    format!(
                        "批次 {id} 的可核销时间已于 {} 结束，不再发放（沙箱当前时间 {}）",
                        period.available_end_time,
                        self.now_text()
                    ),
                ));
            }
            let rule = &stock.stock_send_rule;
            let sent = &stock.sent_count_info;
            let received = self
                .state
                .user_coupons
                .values()
                .filter(|r| r.coupon.stock.stock_id == *id && r.openid == openid && self.sees(&r.mchid))
                .count() as i64;
            if received >= rule.max_count_per_user {
                return Err(send_refusal(
                    business_code::USER_LIMIT_REACHED,
                    format!(
                        "用户 {openid} 在批次 {id} 已领取 {received} 张，已达每用户领取上限 max_count_per_user = {}（用户领取张数已达上限）",
                        rule.max_count_per_user
                    ),
                ));
            }
            if sent.total_count >= rule.max_count {
                return Err(send_refusal(
                    business_code::INVALID_REQUEST,
                    format!(
                        "批次 {id} 的发放预算已用完：已发放 {} 张，max_count 为 {}",
                        sent.total_count, rule.max_count
                    ),
                ));
            }
            let extra = self.state.stock_extras.get(id.as_str());
            let today_count = if extra.map_or(0, |e| e.sent_day) == today { sent.today_count } else { 0 };
            if let Some(per_day) = rule.max_count_per_day
                && today_count >= per_day
            {
                return Err(send_refusal(
                    business_code::INVALID_REQUEST,
                    format!(
                        "批次 {id} 今日的发放预算已用完：今日已发放 {today_count} 张，max_count_per_day 为 {per_day}"
                    ),
                ));
            }
            match (&stock.coupon_code_mode, code) {
                (CouponCodeMode::ApiAssign, None) => {
                    return Err(ApiFailure::invalid(
                        "coupon_code",
                        format!("批次 {id} 的券 Code 由服务商指定（API_ASSIGN），coupon_code 必填"),
                    ));
                }
                (CouponCodeMode::ApiAssign, Some(code)) => {
                    if self.state.user_coupons.contains_key(&user_coupon_key(id, code)) {
                        return Err(ApiFailure::invalid(
                            "coupon_code",
                            format!("券 Code {code} 在批次 {id} 中已经发放过"),
                        ));
                    }
                }
                (mode, Some(_)) => {
                    return Err(ApiFailure::invalid(
                        "coupon_code",
                        format!(
                            "批次 {id} 的 coupon_code_mode 为 {}，只有 API_ASSIGN 模式的批次可以指定 coupon_code",
                            mode.as_str()
                        ),
                    ));
                }
                (CouponCodeMode::Upload, None) => {
                    if extra.is_none_or(|e| e.available_codes.is_empty()) {
                        return Err(send_refusal(
                            business_code::INVALID_REQUEST,
                            format!("批次 {id} 预上传的券 Code 已用完，请先调用【预上传券Code】"),
                        ));
                    }
                }
                (_, None) => {}
            }
        }
        Ok(Plan { coupon: coupon.clone(), stocks, assigned, bundle_id, interval_days })
    }

    /// Creates the coupons of a checked plan, counts them, and queues their notifications.
    fn commit(&mut self, plan: Plan, to: &Recipient<'_>) -> Result<Vec<String>, ApiFailure> {
        let user_bundle_id = plan
            .bundle_id
            .as_ref()
            .map(|_| State::next_id(&mut self.state.last_user_coupon_bundle, USER_COUPON_BUNDLE_BASE));
        let n = plan.stocks.len() as i64;
        let today = local_day(self.now);
        let mut keys = Vec::with_capacity(plan.stocks.len());
        for (index, (stock, assigned)) in plan.stocks.iter().zip(plan.assigned).enumerate() {
            self.state.last_user_coupon = self.state.last_user_coupon.saturating_add(1);
            let seq = self.state.last_user_coupon;
            let product_coupon_id = plan.coupon.product_coupon_id.clone();
            let mode = stock.coupon_code_mode.clone();
            // Count it (and take an uploaded code) on the stock itself.
            let (snapshot, code) = self.modify_stock(&product_coupon_id, &stock.stock_id, |s, extra| {
                let code = match (&mode, &assigned) {
                    (CouponCodeMode::ApiAssign, Some(c)) => c.clone(),
                    (CouponCodeMode::Upload, _) => extra
                        .available_codes
                        .pop_front()
                        .ok_or_else(|| ApiFailure::rule(business_code::INVALID_REQUEST, "预上传的券 Code 已用完"))?,
                    _ => USER_COUPON_CODE_BASE.saturating_add(seq).to_string(),
                };
                if extra.sent_day != today {
                    extra.sent_day = today;
                    s.sent_count_info.today_count = 0;
                }
                // Saturating: a count loaded from a state file can be anything.
                s.sent_count_info.today_count = s.sent_count_info.today_count.saturating_add(1);
                s.sent_count_info.total_count = s.sent_count_info.total_count.saturating_add(1);
                if let Some(info) = s.coupon_code_count_info.as_mut() {
                    info.available_count = extra.available_codes.len() as i64;
                }
                Ok((s.clone(), code))
            })?;
            let period = period_of(&snapshot).cloned();
            let (begin, end) = period.as_ref().map_or((self.now, i64::MAX), |p| validity(p, self.now));
            let end_text = if end == i64::MAX { "2099-12-31T23:59:59+08:00".to_owned() } else { format_rfc3339(end) };
            let mut b = UserProductCoupon::builder()
                .coupon_code(code.clone())
                .coupon_state(UserCouponState::Confirming)
                .valid_begin_time(format_rfc3339(begin))
                .valid_end_time(end_text)
                .receive_time(self.now_text())
                .send_request_no(to.send_request_no)
                .send_channel(to.channel.clone())
                .product_coupon(plan.coupon.clone())
                .stock(snapshot.clone())
                .brand_id(to.brand_id);
            if let Some(a) = to.attach {
                b = b.attach(a.clone());
            }
            if let Some(t) = to.coupon_tag_info {
                b = b.coupon_tag_info(t.clone());
            }
            if let Some(id) = &user_bundle_id {
                b = b.user_product_coupon_bundle_info(
                    UserProductCouponBundleInfo::builder()
                        .user_coupon_bundle_id(id.clone())
                        .user_coupon_bundle_index(index as i64)
                        .total_count(n)
                        .used_count(0),
                );
            }
            let coupon = b.build().map_err(internal)?;
            let key = user_coupon_key(&snapshot.stock_id, &code);
            self.notify_sent(&coupon, to, plan.bundle_id.as_deref(), user_bundle_id.as_deref())?;
            self.state.user_coupons.insert(
                key.clone(),
                UserCouponRecord {
                    seq,
                    mchid: self.mchid.to_owned(),
                    openid: to.openid.to_owned(),
                    appid: to.appid.to_owned(),
                    stock_bundle_id: plan.bundle_id.clone(),
                    interval_days: plan.interval_days,
                    coupon,
                },
            );
            keys.push(key);
        }
        if let (Some(id), Some(stock_bundle_id)) = (user_bundle_id, plan.bundle_id) {
            self.state.user_coupon_bundles.insert(
                id,
                UserCouponBundleRecord {
                    mchid: self.mchid.to_owned(),
                    openid: to.openid.to_owned(),
                    appid: to.appid.to_owned(),
                    brand_id: to.brand_id.to_owned(),
                    product_coupon_id: plan.coupon.product_coupon_id.to_string(),
                    stock_bundle_id,
                    coupons: keys.clone(),
                },
            );
        }
        self.touch();
        Ok(keys)
    }

    /// Queues the `PRODUCT_COUPON_SP.SEND` notification of a coupon just sent.
    fn notify_sent(
        &mut self,
        c: &UserProductCoupon,
        to: &Recipient<'_>,
        stock_bundle_id: Option<&str>,
        user_coupon_bundle_id: Option<&str>,
    ) -> Result<(), ApiFailure> {
        let mut b = ProductCouponSendResource::builder()
            .brand_id(c.brand_id.clone())
            .coupon_code(c.coupon_code.clone())
            .product_coupon_id(c.product_coupon.product_coupon_id.clone())
            .stock_id(c.stock.stock_id.clone())
            .appid(to.appid)
            .openid(to.openid)
            .valid_begin_time(c.valid_begin_time.clone())
            .valid_end_time(c.valid_end_time.clone())
            .receive_time(c.receive_time.clone())
            .send_request_no(c.send_request_no.clone())
            .send_channel(c.send_channel.clone());
        if let Some(id) = stock_bundle_id {
            b = b.stock_bundle_id(id);
        }
        if let Some(id) = user_coupon_bundle_id {
            b = b.user_coupon_bundle_id(id);
        }
        if let Some(a) = &c.attach {
            b = b.attach(a.clone());
        }
        let resource: Value = serde_json::to_value(b.build().map_err(internal)?).map_err(internal)?;
        self.notify("PRODUCT_COUPON_SP.SEND", Some("商品券领券通知"), Some("product_coupon"), resource);
        Ok(())
    }

    pub(crate) fn send_single(
        &mut self,
        openid: &str,
        body: SendCouponRequest,
        channel: SendChannel,
    ) -> Result<UserProductCoupon, ApiFailure> {
        let target = Target::Stock { stock_id: &body.stock_id, coupon_code: body.coupon_code.as_deref() };
        let plan = self.plan(openid, &body.brand_id, &body.product_coupon_id, target)?;
        let to = Recipient {
            openid,
            appid: &body.appid,
            brand_id: &body.brand_id,
            send_request_no: &body.send_request_no,
            attach: body.attach.as_ref(),
            coupon_tag_info: body.coupon_tag_info.as_ref(),
            channel,
        };
        let keys = self.commit(plan, &to)?;
        Ok(self.view(&keys[0]))
    }

    pub(crate) fn send_bundle(
        &mut self,
        openid: &str,
        body: SendCouponBundleRequest,
        channel: SendChannel,
    ) -> Result<UserCouponBundle, ApiFailure> {
        let target = Target::Bundle { stock_bundle_id: &body.stock_bundle_id };
        let plan = self.plan(openid, &body.brand_id, &body.product_coupon_id, target)?;
        let to = Recipient {
            openid,
            appid: &body.appid,
            brand_id: &body.brand_id,
            send_request_no: &body.send_request_no,
            attach: body.attach.as_ref(),
            coupon_tag_info: body.coupon_tag_info.as_ref(),
            channel,
        };
        let keys = self.commit(plan, &to)?;
        let bundle_id = self.state.user_coupons[&keys[0]]
            .coupon
            .user_product_coupon_bundle_info
            .as_ref()
            .map(|i| i.user_coupon_bundle_id.clone())
            .ok_or_else(|| internal("a bundle send made a coupon without bundle info"))?;
        self.bundle_view(&bundle_id)
    }

    pub(crate) fn pre_send(
        &mut self,
        openid: &str,
        request: PreSendRequest,
    ) -> Result<PreSendCouponResponse, ApiFailure> {
        match &request {
            PreSendRequest::Coupon(b) => {
                let target = Target::Stock { stock_id: &b.stock_id, coupon_code: b.coupon_code.as_deref() };
                self.plan(openid, &b.brand_id, &b.product_coupon_id, target)?;
            }
            PreSendRequest::Bundle(b) => {
                self.plan(
                    openid,
                    &b.brand_id,
                    &b.product_coupon_id,
                    Target::Bundle { stock_bundle_id: &b.stock_bundle_id },
                )?;
            }
        }
        let token = new_nonce();
        self.state.pre_send_tokens.insert(
            token.clone(),
            PreSendRecord { mchid: self.mchid.to_owned(), openid: openid.to_owned(), issued_at: self.now, request },
        );
        self.touch();
        PreSendCouponResponse::builder().token(token).build().map_err(internal)
    }

    /// The user takes the coupon offered by a pre-send token in the 小程序发券组件: the coupon is
    /// sent (`send_channel = RECEIVE_COMPONENT`) as by the send operation with the pre-send's
    /// parameters. Claiming again returns the same coupon (组件显示已领取); a token older than 5
    /// minutes is refused.
    pub(crate) fn claim_pre_send(&mut self, token: &str) -> Result<Claimed, ApiFailure> {
        let record = self.state.pre_send_tokens.get(token).cloned().ok_or_else(|| {
            ApiFailure::not_found(format!("token {token:?} 不是预发放接口返回的 token"), "token", token, "path")
        })?;
        // Compared as `[action, [["token", token]], null]`, the form of the operations' requests.
        let path: &[(&str, &str)] = &[("token", token)];
        let canonical = ("claim_pre_send", path, ());
        match record.request {
            PreSendRequest::Coupon(r) => {
                let numbered = Numbered {
                    operation: "claim_pre_send",
                    brand_id: &r.brand_id,
                    field: "send_request_no",
                    number: &r.send_request_no,
                    reuse_code: "INVALID_REQUEST",
                };
                if !self.has_record(&numbered) && self.now > record.issued_at.saturating_add(PRE_SEND_TOKEN_SECONDS) {
                    return Err(ApiFailure::rule(business_code::INVALID_REQUEST, "token 已过期（有效期 5 分钟）"));
                }
                let mut send = SendCouponRequest::builder()
                    .product_coupon_id(r.product_coupon_id.clone())
                    .stock_id(r.stock_id.clone())
                    .appid(r.appid.clone())
                    .send_request_no(r.send_request_no.clone())
                    .brand_id(r.brand_id.clone())
                    .build()
                    .map_err(internal)?;
                send.coupon_code = r.coupon_code.clone();
                send.attach = r.attach.clone();
                let openid = record.openid.clone();
                let coupon =
                    self.once(&numbered, &canonical, |c| c.send_single(&openid, send, SendChannel::ReceiveComponent))?;
                Ok(Claimed::Coupon(Box::new(coupon)))
            }
            PreSendRequest::Bundle(r) => {
                let numbered = Numbered {
                    operation: "claim_pre_send",
                    brand_id: &r.brand_id,
                    field: "send_request_no",
                    number: &r.send_request_no,
                    reuse_code: "INVALID_REQUEST",
                };
                if !self.has_record(&numbered) && self.now > record.issued_at.saturating_add(PRE_SEND_TOKEN_SECONDS) {
                    return Err(ApiFailure::rule(business_code::INVALID_REQUEST, "token 已过期（有效期 5 分钟）"));
                }
                let mut send = SendCouponBundleRequest::builder()
                    .product_coupon_id(r.product_coupon_id.clone())
                    .stock_bundle_id(r.stock_bundle_id.clone())
                    .appid(r.appid.clone())
                    .send_request_no(r.send_request_no.clone())
                    .brand_id(r.brand_id.clone())
                    .build()
                    .map_err(internal)?;
                send.attach = r.attach.clone();
                let openid = record.openid.clone();
                let bundle =
                    self.once(&numbered, &canonical, |c| c.send_bundle(&openid, send, SendChannel::ReceiveComponent))?;
                Ok(Claimed::Bundle(Box::new(bundle)))
            }
        }
    }

    // ---- queries ----

    pub(crate) fn list_user_coupons_page(
        &self,
        f: ListFilter,
        page_size: Option<i64>,
        page_token: Option<String>,
    ) -> Result<ListUserCouponsResponse, ApiFailure> {
        let mut matching: Vec<&UserCouponRecord> = self
            .state
            .user_coupons
            .values()
            .filter(|r| self.sees(&r.mchid) && r.openid == f.openid && r.appid == f.appid)
            .filter(|r| r.coupon.brand_id == f.brand_id)
            .filter(|r| f.product_coupon_id.as_ref().is_none_or(|id| &r.coupon.product_coupon.product_coupon_id == id))
            .filter(|r| f.stock_id.as_ref().is_none_or(|id| &r.coupon.stock.stock_id == id))
            .filter(|r| f.coupon_state.as_ref().is_none_or(|s| &self.current_state(r) == s))
            .filter(|r| {
                f.user_coupon_bundle_id.as_ref().is_none_or(|id| {
                    r.coupon.user_product_coupon_bundle_info.as_ref().is_some_and(|i| &i.user_coupon_bundle_id == id)
                })
            })
            .collect();
        matching.sort_by_key(|r| r.seq);
        let keys: Vec<String> =
            matching.iter().map(|r| user_coupon_key(&r.coupon.stock.stock_id, &r.coupon.coupon_code)).collect();
        let (items, next) = page(&keys, page_size, page_token.as_deref())?;
        let mut response = ListUserCouponsResponse::builder()
            .total_count(keys.len() as i64)
            .user_coupon_list(items.iter().map(|k| self.view(k)).collect::<Vec<_>>())
            .build()
            .map_err(internal)?;
        response.next_page_token = next;
        Ok(response)
    }

    // ---- lifecycle ----

    pub(crate) fn confirm_user_coupon(
        &mut self,
        openid: String,
        coupon_code: String,
        body: ConfirmUserCouponRequest,
    ) -> Result<UserProductCoupon, ApiFailure> {
        let openid = openid.as_str();
        let coupon_code = coupon_code.as_str();
        let key = self.find_user_coupon(&Address {
            openid,
            coupon_code,
            brand_id: &body.brand_id,
            product_coupon_id: &body.product_coupon_id,
            stock_id: &body.stock_id,
            appid: &body.appid,
        })?;
        let rec = self.record(&key);
        match self.current_state(rec) {
            UserCouponState::Confirming => {}
            UserCouponState::Expired => return Err(expired_refusal(coupon_code, rec.coupon.valid_end_time.as_str())),
            other => {
                return Err(state_refusal(format!(
                    "用户券 {coupon_code} 当前状态为 {}，只有 CONFIRMING 的券需要确认发放（已于 {} 由 {} 确认）",
                    other.as_str(),
                    rec.coupon.confirm_time.as_ref().map_or("-", |t| t.as_str()),
                    rec.coupon.confirm_request_no.as_deref().unwrap_or("-"),
                )));
            }
        }
        let now = self.now_text();
        let c = &mut self.state.user_coupons.get_mut(&key).expect("found above").coupon;
        c.coupon_state = UserCouponState::Effective;
        c.confirm_request_no = Some(body.out_request_no);
        c.confirm_time = Some(now.into());
        self.touch();
        Ok(self.view(&key))
    }

    pub(crate) fn use_user_coupon(
        &mut self,
        openid: String,
        coupon_code: String,
        body: UseUserCouponRequest,
    ) -> Result<UserProductCoupon, ApiFailure> {
        let openid = openid.as_str();
        let coupon_code = coupon_code.as_str();
        let key = self.find_user_coupon(&Address {
            openid,
            coupon_code,
            brand_id: &body.brand_id,
            product_coupon_id: &body.product_coupon_id,
            stock_id: &body.stock_id,
            appid: &body.appid,
        })?;
        let rec = self.record(&key);
        let c = &rec.coupon;
        match self.current_state(rec) {
            UserCouponState::Effective => {}
            UserCouponState::Confirming => {
                return Err(state_refusal(format!(
                    "用户券 {coupon_code} 尚未确认发放（CONFIRMING）：收到领券通知后须先调用【确认发放用户商品券】，券才可使用"
                )));
            }
            UserCouponState::Expired => return Err(expired_refusal(coupon_code, c.valid_end_time.as_str())),
            UserCouponState::Pending => {
                return Err(match self.waiting(rec) {
                    Some(Waiting::PreviousStep(i)) => state_refusal(format!(
                        "用户券 {coupon_code} 是用户券组的第 {} 张，须先核销第 {} 张（用户按顺序使用）",
                        i + 2,
                        i + 1
                    )),
                    Some(Waiting::Interval(from)) => ApiFailure::rule(
                        business_code::NOT_IN_USABLE_TIME,
                        format!(
                            "用户券 {coupon_code} 须在上一张券核销后间隔 {} 天使用，{} 起可用",
                            rec.interval_days,
                            format_rfc3339(from)
                        ),
                    ),
                    Some(Waiting::NotYet(from)) => ApiFailure::rule(
                        business_code::NOT_IN_USABLE_TIME,
                        format!(
                            "用户券 {coupon_code} 尚未生效，{} 起可用（券已不在使用有效期内）",
                            format_rfc3339(from)
                        ),
                    ),
                    None => state_refusal(format!("用户券 {coupon_code} 当前不可用")),
                });
            }
            other => {
                return Err(state_refusal(format!(
                    "用户券 {coupon_code} 当前状态为 {}，只有可用（EFFECTIVE）的券可以核销",
                    other.as_str()
                )));
            }
        }
        let use_at = parse_rfc3339(body.use_time.as_str())
            .ok_or_else(|| ApiFailure::invalid("use_time", "须为 RFC 3339 格式的时间"))?;
        let (begin, end) = (
            parse_rfc3339(c.valid_begin_time.as_str()).unwrap_or(i64::MIN),
            parse_rfc3339(c.valid_end_time.as_str()).unwrap_or(i64::MAX),
        );
        if use_at < begin || use_at > end {
            return Err(ApiFailure::rule(
                business_code::NOT_IN_USABLE_TIME,
                format!(
                    "use_time {} 不在券的有效期 {} ~ {} 内（券已不在使用有效期内）",
                    body.use_time, c.valid_begin_time, c.valid_end_time
                ),
            ));
        }
        if let Some(period) = period_of(&c.stock)
            && let Err(why) = usable_at(period, use_at)
        {
            return Err(ApiFailure::rule(
                business_code::NOT_IN_USABLE_TIME,
                format!("use_time: {why}（券已不在使用有效期内）"),
            ));
        }
        // Stores are read live: associations change after coupons are sent.
        let live = self
            .state
            .product_coupons
            .get(c.product_coupon.product_coupon_id.as_str())
            .and_then(|p| find_stock(p, &c.stock.stock_id));
        let scope = live.as_ref().map_or(&c.stock.store_scope, |s| &s.store_scope);
        if *scope == StoreScope::Specific {
            let stores =
                self.state.stock_extras.get(c.stock.stock_id.as_str()).map(|e| e.stores.as_slice()).unwrap_or_default();
            match &body.store_id {
                Some(id) if stores.contains(id) => {}
                Some(id) => {
                    return Err(ApiFailure::rule(
                        business_code::STORE_NOT_ALLOWED,
                        format!("门店 {id} 不是批次 {} 的可用门店（核销门店非法）", c.stock.stock_id),
                    ));
                }
                None => {
                    return Err(ApiFailure::rule(
                        business_code::STORE_NOT_ALLOWED,
                        format!("批次 {} 限定门店使用（store_scope 为 SPECIFIC），store_id 必填", c.stock.stock_id),
                    ));
                }
            }
        }
        let mut detail = UserCouponUsageDetail::builder()
            .use_request_no(body.out_request_no.clone())
            .use_time(body.use_time.clone())
            .build()
            .map_err(internal)?;
        detail.associated_order_info = body.associated_order_info.clone();
        detail.associated_pay_score_order_info = body.associated_pay_score_order_info.clone();
        detail.saved_amount = body.saved_amount;
        let in_bundle = c.user_product_coupon_bundle_info.is_some();
        let c = &mut self.state.user_coupons.get_mut(&key).expect("found above").coupon;
        c.coupon_state = UserCouponState::Used;
        if in_bundle {
            c.progressive_bundle_usage_detail = Some(detail);
        } else {
            c.single_usage_detail = Some(detail);
        }
        self.touch();
        Ok(self.view(&key))
    }

    pub(crate) fn return_user_coupon(
        &mut self,
        openid: String,
        coupon_code: String,
        body: ReturnUserCouponRequest,
    ) -> Result<UserProductCoupon, ApiFailure> {
        let openid = openid.as_str();
        let coupon_code = coupon_code.as_str();
        let key = self.find_user_coupon(&Address {
            openid,
            coupon_code,
            brand_id: &body.brand_id,
            product_coupon_id: &body.product_coupon_id,
            stock_id: &body.stock_id,
            appid: &body.appid,
        })?;
        let rec = self.record(&key);
        let state = self.current_state(rec);
        if state != UserCouponState::Used {
            return Err(state_refusal(format!(
                "用户券 {coupon_code} 当前状态为 {}，只有已核销（USED）的券可以退券",
                state.as_str()
            )));
        }
        if let Some(info) = &rec.coupon.user_product_coupon_bundle_info
            && let Some(bundle) = self.state.user_coupon_bundles.get(info.user_coupon_bundle_id.as_str())
            && let Some(next) = usize::try_from(info.user_coupon_bundle_index)
                .ok()
                .and_then(|i| i.checked_add(1))
                .and_then(|i| bundle.coupons.get(i))
            && self.state.user_coupons.get(next).is_some_and(|r| r.coupon.coupon_state == UserCouponState::Used)
        {
            return Err(state_refusal(format!(
                "用户券组 {} 中下一张券已核销：须先退还后面的券，再退还 {coupon_code}",
                info.user_coupon_bundle_id
            )));
        }
        let now = self.now_text();
        let c = &mut self.state.user_coupons.get_mut(&key).expect("found above").coupon;
        c.coupon_state = UserCouponState::Effective;
        for detail in [c.single_usage_detail.as_mut(), c.progressive_bundle_usage_detail.as_mut()].into_iter().flatten()
        {
            detail.return_request_no = Some(body.out_request_no.clone());
            detail.return_time = Some(now.clone().into());
        }
        self.touch();
        Ok(self.view(&key))
    }

    /// Deactivates one coupon if its state allows it.
    fn deactivate_key(&mut self, key: &str, request_no: &str, reason: &str) -> Result<(), ApiFailure> {
        let rec = self.record(key);
        let code = rec.coupon.coupon_code.clone();
        match self.current_state(rec) {
            UserCouponState::Confirming | UserCouponState::Pending | UserCouponState::Effective => {}
            UserCouponState::Expired => return Err(expired_refusal(&code, rec.coupon.valid_end_time.as_str())),
            other => {
                return Err(state_refusal(format!("用户券 {code} 当前状态为 {}，不能失效", other.as_str())));
            }
        }
        let now = self.now_text();
        let c = &mut self.state.user_coupons.get_mut(key).expect("exists").coupon;
        c.coupon_state = UserCouponState::Deactivated;
        c.deactivate_request_no = Some(request_no.to_owned());
        c.deactivate_time = Some(now.into());
        c.deactivate_reason = Some(reason.to_owned());
        self.touch();
        Ok(())
    }

    pub(crate) fn deactivate_user_coupon(
        &mut self,
        openid: String,
        coupon_code: String,
        body: DeactivateUserCouponRequest,
    ) -> Result<UserProductCoupon, ApiFailure> {
        let openid = openid.as_str();
        let coupon_code = coupon_code.as_str();
        let key = self.find_user_coupon(&Address {
            openid,
            coupon_code,
            brand_id: &body.brand_id,
            product_coupon_id: &body.product_coupon_id,
            stock_id: &body.stock_id,
            appid: &body.appid,
        })?;
        self.deactivate_key(&key, &body.out_request_no, &body.deactivate_reason)?;
        Ok(self.view(&key))
    }

    pub(crate) fn deactivate_user_coupon_bundle(
        &mut self,
        openid: String,
        user_coupon_bundle_id: String,
        body: DeactivateUserCouponBundleRequest,
    ) -> Result<UserCouponBundle, ApiFailure> {
        let openid = openid.as_str();
        let user_coupon_bundle_id = user_coupon_bundle_id.as_str();
        let bundle = self
            .state
            .user_coupon_bundles
            .get(user_coupon_bundle_id)
            .filter(|b| {
                self.sees(&b.mchid)
                    && b.openid == openid
                    && b.appid == body.appid
                    && b.brand_id == body.brand_id
                    && b.product_coupon_id == body.product_coupon_id
                    && b.stock_bundle_id == body.stock_bundle_id
            })
            .ok_or_else(|| {
                ApiFailure::not_found(
                    format!(
                        "未找到 user_coupon_bundle_id 对应的用户券组: {user_coupon_bundle_id}（用户券组 ID、openid、appid、product_coupon_id、stock_bundle_id 与 brand_id 须对应同一个已发放的券组）"
                    ),
                    "user_coupon_bundle_id",
                    user_coupon_bundle_id,
                    "path",
                )
            })?;
        let keys = bundle.coupons.clone();
        let deactivatable: Vec<String> = keys
            .iter()
            .filter(|k| {
                matches!(
                    self.current_state(self.record(k)),
                    UserCouponState::Confirming | UserCouponState::Pending | UserCouponState::Effective
                )
            })
            .cloned()
            .collect();
        if deactivatable.is_empty() {
            return Err(state_refusal(format!(
                "用户券组 {user_coupon_bundle_id} 中没有可以失效的券（均已核销、失效或过期）"
            )));
        }
        for key in &deactivatable {
            self.deactivate_key(key, &body.out_request_no, &body.deactivate_reason)?;
        }
        self.bundle_view(user_coupon_bundle_id)
    }
}

/// The operations that read, or share a helper with another way in (a claimed pre-send token
/// sends like 发券); the other handlers of this module carry their operation's name directly.
impl Ctx<'_> {
    pub(crate) fn send_coupon(
        &mut self,
        openid: String,
        body: SendCouponRequest,
    ) -> Result<UserProductCoupon, ApiFailure> {
        self.send_single(&openid, body, SendChannel::Api)
    }

    pub(crate) fn send_coupon_bundle(
        &mut self,
        openid: String,
        body: SendCouponBundleRequest,
    ) -> Result<UserCouponBundle, ApiFailure> {
        self.send_bundle(&openid, body, SendChannel::Api)
    }

    pub(crate) fn pre_send_coupon(
        &mut self,
        openid: String,
        body: PreSendCouponRequest,
    ) -> Result<PreSendCouponResponse, ApiFailure> {
        self.pre_send(&openid, PreSendRequest::Coupon(body))
    }

    pub(crate) fn pre_send_coupon_bundle(
        &mut self,
        openid: String,
        body: PreSendCouponBundleRequest,
    ) -> Result<PreSendCouponResponse, ApiFailure> {
        self.pre_send(&openid, PreSendRequest::Bundle(body))
    }

    pub(crate) fn list_user_coupons(
        &mut self,
        openid: String,
        brand_id: String,
        appid: String,
        query: ListUserCouponsQuery<'_>,
    ) -> Result<ListUserCouponsResponse, ApiFailure> {
        let filter = ListFilter {
            openid,
            brand_id,
            appid,
            product_coupon_id: query.product_coupon_id.map(str::to_owned),
            stock_id: query.stock_id.map(str::to_owned),
            coupon_state: query.coupon_state.cloned(),
            user_coupon_bundle_id: query.user_coupon_bundle_id.map(str::to_owned),
        };
        self.list_user_coupons_page(filter, query.page_size, query.page_token.map(str::to_owned))
    }

    pub(crate) fn get_user_coupon(
        &mut self,
        openid: String,
        coupon_code: String,
        brand_id: String,
        product_coupon_id: String,
        stock_id: String,
        appid: String,
    ) -> Result<UserProductCoupon, ApiFailure> {
        let address = Address {
            openid: &openid,
            coupon_code: &coupon_code,
            brand_id: &brand_id,
            product_coupon_id: &product_coupon_id,
            stock_id: &stock_id,
            appid: &appid,
        };
        let key = self.find_user_coupon(&address)?;
        Ok(self.view(&key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(begin: &str, end: &str) -> CouponAvailablePeriod {
        CouponAvailablePeriod::builder().available_begin_time(begin).available_end_time(end).build().unwrap()
    }

    #[test]
    fn validity_follows_the_period_and_available_days() {
        let t = |s: &str| parse_rfc3339(s).unwrap();
        let receive = t("2025-08-04T10:00:00+08:00");
        let p = period("2025-08-01T00:00:00+08:00", "2025-08-31T23:59:59+08:00");
        assert_eq!(validity(&p, receive), (t("2025-08-01T00:00:00+08:00"), t("2025-08-31T23:59:59+08:00")));
        let mut days = p.clone();
        days.available_days = Some(3);
        assert_eq!(validity(&days, receive), (receive, t("2025-08-06T23:59:59+08:00")));
        days.wait_days_after_receive = Some(1);
        assert_eq!(validity(&days, receive), (t("2025-08-05T00:00:00+08:00"), t("2025-08-07T23:59:59+08:00")));
        days.available_days = Some(60);
        assert_eq!(validity(&days, receive).1, t("2025-08-31T23:59:59+08:00"), "never past the period");
    }

    #[test]
    fn weekly_and_irregular_periods_limit_use() {
        let t = |s: &str| parse_rfc3339(s).unwrap();
        let mut p = period("2025-08-01T00:00:00+08:00", "2025-08-31T23:59:59+08:00");
        p.weekly_available_period = Some(
            WeeklyAvailablePeriod::builder()
                .day_list([WeekDay::Monday])
                .day_period_list([DayPeriod::builder().begin_time(3600).end_time(7200)])
                .build()
                .unwrap(),
        );
        assert!(usable_at(&p, t("2025-08-04T01:30:00+08:00")).is_ok());
        assert!(usable_at(&p, t("2025-08-04T03:00:00+08:00")).unwrap_err().contains("时段"));
        assert!(usable_at(&p, t("2025-08-05T01:30:00+08:00")).unwrap_err().contains("TUESDAY"));
        p.weekly_available_period = None;
        p.irregular_available_period_list = Some(vec![
            IrregularAvailablePeriod::builder()
                .begin_time("2025-08-10T00:00:00+08:00")
                .end_time("2025-08-11T00:00:00+08:00")
                .build()
                .unwrap(),
        ]);
        assert!(usable_at(&p, t("2025-08-10T12:00:00+08:00")).is_ok());
        assert!(usable_at(&p, t("2025-08-12T12:00:00+08:00")).is_err());
    }
}
