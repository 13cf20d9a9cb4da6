//! Typed async client for the WeChat Pay APIv3 partner 商品券 (product coupon) APIs.
//!
//! The models, builders, validation and call functions under [`generated`] are written by
//! `cargo xtask codegen` from the spec in `api-spec/`. Signing, verification, keys, transport,
//! retries and errors are the family-neutral APIv3 core, the `wechatpay-apiv3` crate,
//! re-exported here as [`runtime`] (the paths generated code names).
#![deny(missing_docs)]

pub mod generated;

/// The APIv3 core ([`wechatpay_apiv3`]), with notifications typed by this family's events.
pub mod runtime {
    pub use wechatpay_apiv3::*;

    /// The client: [`Client`](client::Client) is this family's, wrapping the core
    /// [`wechatpay_apiv3::Client`] (every core method is reachable through `Deref`), so that
    /// the generated call functions can be its methods.
    pub mod client {
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

            /// Verifies a notification with this client's keys, decrypts it with the APIv3 key and
            /// decodes it into a 商品券 event (see [`wechatpay_apiv3::notify`]).
            pub async fn parse_notification(
                &self,
                headers: &wechatpay_apiv3::HeaderMap,
                body: &[u8],
            ) -> Result<super::notify::Notification, super::notify::NotifyError> {
                self.core.parse_notification(headers, body).await
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
    }

    /// Event notifications ([`wechatpay_apiv3::notify`]); [`Notification`] here carries this
    /// family's [`NotificationEvent`](crate::generated::notifications::NotificationEvent).
    pub mod notify {
        pub use wechatpay_apiv3::notify::*;

        /// A verified and decrypted 商品券 notification.
        pub type Notification =
            wechatpay_apiv3::notify::Notification<crate::generated::notifications::NotificationEvent>;

        /// Verifies and opens 商品券 notifications without a client.
        pub type NotificationParser =
            wechatpay_apiv3::notify::NotificationParser<crate::generated::notifications::NotificationEvent>;
    }
}

pub use generated::errors::ErrorCode;
pub use generated::{builders, models, requests};
pub use runtime::client::{CallOptions, Client, ClientBuilder, PreparedRequest, RetryPolicy, VerificationMode};
pub use runtime::error::{ApiError, Error};
pub use runtime::keys::{PrivateKey, PublicKey};
pub use runtime::types::DateTime;
pub use runtime::validate::{BuildError, Validate, Violation, ViolationKind, Violations};

impl wechatpay_apiv3::notify::NotificationEvent for generated::notifications::NotificationEvent {
    fn decode_event(event_type: &str, resource: serde_json::Value) -> Result<Self, serde_json::Error> {
        Self::decode(event_type, resource)
    }
}

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
