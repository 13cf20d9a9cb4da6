//! The error answer every handler returns ([`ApiFailure`]) and the business codes WeChat Pay
//! appends to `Request-ID`: below the state and every handler module, which all report through
//! it.

use serde_json::Value;

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
    /// 用户券已过期.
    pub const USER_COUPON_EXPIRED: u32 = 268578776;
    /// 用户券状态非法.
    pub const USER_COUPON_STATE: u32 = 268578367;
    /// 批次状态不是发放中.
    pub const STOCK_NOT_SENDING: u32 = 268577984;
    /// 券已不在使用有效期内.
    pub const NOT_IN_USABLE_TIME: u32 = 272755715;
    /// 用户领取张数已达上限.
    pub const USER_LIMIT_REACHED: u32 = 272756740;
    /// 核销门店非法.
    pub const STORE_NOT_ALLOWED: u32 = 268584404;
    /// 当前券批次全部门店可用.
    pub const ALL_STORES: u32 = 268578813;
    /// 图片超过指定大小.
    pub const IMAGE_TOO_LARGE: u32 = 270087680;
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

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiFailure {}

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

    /// 400 `INVALID_REQUEST` (a business rule) with the given business code.
    pub(crate) fn rule(business: u32, message: impl Into<String>) -> Self {
        ApiFailure::new(400, "INVALID_REQUEST", message).with_business_code(business)
    }

    /// 404 `NOT_FOUND` naming what was looked for.
    pub(crate) fn not_found(what: impl Into<String>, field: &str, value: &str, location: &str) -> Self {
        ApiFailure::new(404, "NOT_FOUND", what)
            .with_detail(serde_json::json!({ "field": field, "location": location, "value": value }))
            .with_business_code(business_code::NOT_FOUND)
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

pub(crate) fn internal(e: impl std::fmt::Display) -> ApiFailure {
    ApiFailure::new(500, "SYSTEM_ERROR", format!("sandbox: {e}"))
}
