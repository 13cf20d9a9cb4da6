//! The WeChat Pay APIv3 core: everything a typed client of any APIv3 API family needs, and
//! nothing about any one family. A family's crate adds its
//! generated models, builders and call functions on top.
//!
//! The modules form layers; each uses only the modules of its own layer and earlier ones:
//!
//! 1. **Protocol** — the message formats: [`protocol`] (what a signature covers, nonces,
//!    timestamps), [`types`] (RFC 3339 times), [`aead`] (`AEAD_AES_256_GCM`).
//! 2. **Keys** — [`keys`]: PEM keys and certificates.
//! 3. **Signatures** — [`verify`] (header names, the `WECHATPAY2-SHA256-RSA2048` response
//!    signature and its check), [`signing`] (the request `Authorization` header, and response
//!    signing for a sandbox).
//! 4. **Trust** — [`clock`], [`certificates`] (the `/v3/certificates` listing), [`trust`] (the
//!    [`VerificationMode`] and the key ring: public key, platform certificates with expiry and
//!    overlap).
//! 5. **Request** — [`validate`] (client-side checks), [`upload`] (multipart forms),
//!    [`request`]: operation metadata, request parts, encoding, and the [`PreparedRequest`] that
//!    is both what a dry run shows and what is sent.
//! 6. **Errors** — [`error`], the one [`Error`] type every later layer reports through.
//! 7. **Transport** — [`transport`]: the [`Transport`](transport::Transport) trait (reqwest by
//!    default; recording and replaying ones for tests); [`retry`]: retry policy and
//!    `Retry-After`; [`ratelimit`]: the token bucket (a client waits, a server refuses);
//!    [`metrics`]: operators' counters (the `metrics` feature); [`limiter`]: the client's
//!    rate-limit interface, in-process by default, shared through Redis with the `redis`
//!    feature.
//! 8. **Client** — [`client`]: signs, sends with retries/failover/timeouts, verifies and
//!    decodes; [`raw`] (untyped calls), [`pagination`], [`dispatch`] (raw parameters to typed
//!    requests, for CLIs and servers).
//! 9. **Notifications** — [`notify`]: verify, decrypt and decode callbacks; `axum` (feature
//!    `axum`): the same as an axum extractor, and the answer WeChat Pay expects.
//!
//! The same list, which `xtask/tests/layering.rs` reads: it fails, naming the file, the line and
//! the path, when a module uses one of a later layer, when a module is missing from the list,
//! or when the README's "Layout" lists the layers otherwise.
//!
//! ```text
//! Layers:
//! protocol       protocol types aead
//! keys           keys
//! signatures     verify signing
//! trust          clock certificates trust
//! request        validate upload request
//! errors         error
//! transport      transport retry ratelimit metrics limiter limiter::local limiter::shared
//! client         client raw pagination dispatch
//! notifications  notify axum
//! ```
#![deny(missing_docs)]

pub mod aead;
#[cfg(feature = "axum")]
pub mod axum;
pub mod certificates;
pub mod client;
pub mod clock;
pub mod dispatch;
pub mod error;
pub mod keys;
pub mod limiter;
pub mod metrics;
pub mod notify;
pub mod pagination;
pub mod protocol;
pub mod ratelimit;
pub mod raw;
pub mod request;
pub mod retry;
pub mod signing;
pub mod transport;
pub mod trust;
pub mod types;
pub mod upload;
pub mod validate;
pub mod verify;

pub use client::{CallOptions, Client, ClientBuilder, RetryPolicy, VerificationMode, WarningCallback};
pub use error::{ApiError, Error};
pub use keys::{PrivateKey, PublicKey};
pub use request::{OperationMeta, PreparedRequest, RequestParts};
/// The header map responses and callbacks are verified from.
pub use reqwest::header::HeaderMap;
pub use types::DateTime;
pub use validate::{BuildError, Dispute, Screening, Validate, Violation, ViolationKind, Violations, WarningPolicy};
