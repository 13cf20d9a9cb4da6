//! Typed async client for the WeChat Pay APIv3 partner 商品券 (product coupon) APIs.
//!
//! The models, builders, validation and call functions under [`generated`] are written by
//! `cargo xtask codegen` from the spec in `api-spec/`; the [`runtime`] module (signing, response
//! verification, transport, retries, errors) is hand-written.
//!
//! # Calling an operation
//!
//! Path parameters, required query parameters and the body are the call's arguments; optional
//! query parameters are named setters of the returned call, which `.await` sends, and a
//! paginated call's `.stream()` yields every item of every page:
//!
//! ```no_run
//! # use wechatpay_product_coupon::{Client, models::StockState};
//! # async fn demo(client: &Client) -> Result<(), wechatpay_product_coupon::Error> {
//! let page = client.list_stocks("1000000013", "120344").state(&StockState::Sending).page_size(20).await?;
//! let every_stock = client.list_stocks("1000000013", "120344").stream().collect_all().await?;
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
#![deny(missing_docs)]

#[cfg(feature = "time")]
mod datetime_ext;
pub mod generated;
pub mod runtime;

#[cfg(feature = "time")]
pub use datetime_ext::{DateTimeExt, DateTimeParseError};

pub use generated::errors::ErrorCode;
pub use generated::{builders, models, requests};
pub use runtime::client::{CallOptions, Client, ClientBuilder, PreparedRequest, RetryPolicy, VerificationMode};
pub use runtime::error::{ApiError, Error};
pub use runtime::keys::{PrivateKey, PublicKey};
pub use runtime::types::DateTime;
pub use runtime::validate::{BuildError, Validate, Violation, ViolationKind, Violations};
