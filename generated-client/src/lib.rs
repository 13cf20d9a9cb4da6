//! Typed async client for the WeChat Pay APIv3 partner 商品券 (product coupon) APIs.
//!
//! The models, builders, validation and call functions under [`generated`] are written by
//! `cargo xtask codegen` from the spec in `api-spec/`. Signing, verification, keys, transport,
//! retries and errors are the family-neutral APIv3 core, the `wechatpay-apiv3` crate,
//! re-exported here as [`runtime`] (the paths generated code names).
//!
//! # Calling an operation
//!
//! Path parameters, required query parameters and the body are the call's arguments; optional
//! query parameters are named setters of the returned call, which `.await` sends, and a
//! paginated call's `.stream()` yields every item of every page. `.prepare()` instead of
//! `.await` is a dry run: the call validated and signed as it would be sent, as a
//! [`PreparedRequest`], with nothing sent:
//!
//! ```no_run
//! # use wechatpay_product_coupon::{Client, models::StockState};
//! # async fn demo(client: &Client) -> Result<(), wechatpay_product_coupon::Error> {
//! let page = client.list_stocks("1000000013", "120344").state(&StockState::Sending).page_size(20).await?;
//! let every_stock = client.list_stocks("1000000013", "120344").stream().collect_all().await?;
//! let dry_run = client.get_product_coupon("1000000013", "120344").prepare()?;
//! println!("{} {}", dry_run.method, dry_run.url);
//! # let _ = (page, every_stock); Ok(()) }
//! ```
//!
//! A required parameter cannot be left out: this does not compile (the brand is missing).
//!
//! ```compile_fail,E0061
//! # use wechatpay_product_coupon::Client;
//! # async fn demo(client: &Client) -> Result<(), wechatpay_product_coupon::Error> {
//! let page = client.list_stocks("1000000013").await?;
//! # let _ = page; Ok(()) }
//! ```
//!
//! # Typed ids
//!
//! The spec's ids are types of their own ([`ids`]: `OpenId`, `AppId`, `BrandId`,
//! `ProductCouponId`, `StockId`, ...), in every model and as call arguments. A call takes the
//! id itself or text, so ids the app holds as text keep working, but one kind of id cannot be
//! passed where another is expected:
//!
//! ```no_run
//! # use wechatpay_product_coupon::Client;
//! # use wechatpay_product_coupon::ids::{AppId, BrandId, OpenId};
//! # async fn demo(client: &Client) -> Result<(), wechatpay_product_coupon::Error> {
//! let (openid, brand, appid) = (OpenId::from("o-user"), BrandId::from("120344"), AppId::from("wx1234"));
//! let page = client.list_user_coupons(&openid, &brand, &appid).await?;
//! let same = client.list_user_coupons("o-user", "120344", "wx1234").await?;
//! # let _ = (page, same); Ok(()) }
//! ```
//!
//! The brand and the AppID swapped: this does not compile.
//!
//! ```compile_fail,E0277
//! # use wechatpay_product_coupon::Client;
//! # use wechatpay_product_coupon::ids::{AppId, BrandId, OpenId};
//! # async fn demo(client: &Client) -> Result<(), wechatpay_product_coupon::Error> {
//! let (openid, brand, appid) = (OpenId::from("o-user"), BrandId::from("120344"), AppId::from("wx1234"));
//! let page = client.list_user_coupons(&openid, &appid, &brand).await?;
//! # let _ = page; Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod generated;

pub mod runtime;

/// Event notifications ([`wechatpay_apiv3::notify`]) typed by this family's event enum,
/// [`NotificationEvent`] (also at the crate root). The brand family's are under
/// `brand::notify`.
///
/// ```
/// use wechatpay_product_coupon::notify::NotificationEvent;
///
/// fn describe(event: &NotificationEvent) -> String {
///     match event {
///         NotificationEvent::ProductCouponSend(sent) => format!("coupon {} sent", sent.coupon_code),
///         NotificationEvent::ImageGeneration(_) => "image generated".to_owned(),
///         other => format!("{} (not known to this client)", other.event_type()),
///     }
/// }
/// let event = NotificationEvent::decode("SOMETHING.NEW", serde_json::json!({"a": 1})).unwrap();
/// assert_eq!(describe(&event), "SOMETHING.NEW (not known to this client)");
/// ```
pub mod notify {
    pub use crate::generated::notifications::NotificationEvent;
    pub use wechatpay_apiv3::notify::*;

    /// A verified and decrypted 商品券 notification.
    pub type Notification = wechatpay_apiv3::notify::Notification<crate::generated::notifications::NotificationEvent>;

    /// Verifies and opens 商品券 notifications without a client.
    pub type NotificationParser =
        wechatpay_apiv3::notify::NotificationParser<crate::generated::notifications::NotificationEvent>;

    /// Notifications in an axum handler (feature `axum`): `Notified<Client>` is a 商品券
    /// notification verified, decrypted and typed with the [`Client`](crate::Client) of the
    /// app's state (`Notified<NotificationParser>` without a client); `NotifyAck` the answer. A
    /// notification that fails is answered so that WeChat Pay delivers it again, and logged;
    /// the handler never sees it. See `sandbox/examples/axum_callback.rs`.
    ///
    /// ```ignore
    /// async fn on_notify(State(client): State<Client>, Notified(n): Notified<Client>) -> NotifyAck {
    ///     match n.event {
    ///         NotificationEvent::ProductCouponSend(sent) => confirm(&client, &sent).await.into(),
    ///         _ => NotifyAck::Ok,
    ///     }
    /// }
    /// let app = Router::new().route("/wechatpay/notify", post(on_notify)).with_state(client);
    /// ```
    #[cfg(feature = "axum")]
    pub use wechatpay_apiv3::axum::{Notified, NotifyAck, NotifyRejection, OpenNotification};
}

// Each secondary family's public module (`brand`) and client, generated from families.toml;
// nothing when no family's feature is on.
#[allow(unused_imports)]
pub use generated::public::*;

pub use generated::errors::ErrorCode;
pub use generated::notifications::NotificationEvent;
pub use generated::{builders, ids, models, requests};
pub use runtime::client::{CallOptions, Client, ClientBuilder, PreparedRequest, RetryPolicy, VerificationMode};
pub use runtime::error::{ApiError, Error};
pub use runtime::keys::{PrivateKey, PublicKey};
pub use runtime::types::DateTime;
/// The error of [`DateTime::to_offset_date_time`] (cargo feature `time`, on by default).
#[cfg(feature = "time")]
pub use runtime::types::DateTimeParseError;
pub use runtime::validate::{
    BuildError, Dispute, Screening, Validate, Violation, ViolationKind, Violations, WarningPolicy,
};

/// This family's view of an [`ApiError`]: its `code` as a documented [`ErrorCode`].
pub trait ApiErrorExt {
    /// The error code; codes the spec does not document are [`ErrorCode::Unknown`] (empty when
    /// the body was not a JSON error object).
    fn error_code(&self) -> ErrorCode;
}

impl ApiErrorExt for ApiError {
    fn error_code(&self) -> ErrorCode {
        ErrorCode::from(self.code.as_str())
    }
}
