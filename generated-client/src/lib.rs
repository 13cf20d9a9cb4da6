//! Typed async client for the WeChat Pay APIv3 partner 商品券 (product coupon) APIs.
//!
//! The models, builders, validation and call functions under [`generated`] are written by
//! `cargo xtask codegen` from the spec in `api-spec/`; the [`runtime`] module (signing, response
//! verification, transport, retries, errors) is hand-written.
#![deny(missing_docs)]

pub mod generated;
pub mod runtime;

pub use generated::errors::ErrorCode;
pub use generated::{builders, models, requests};
pub use runtime::client::{CallOptions, Client, ClientBuilder, PreparedRequest, RetryPolicy, VerificationMode};
pub use runtime::error::{ApiError, Error};
pub use runtime::keys::{PrivateKey, PublicKey};
pub use runtime::types::DateTime;
pub use runtime::validate::{BuildError, Validate, Violation, ViolationKind, Violations};
