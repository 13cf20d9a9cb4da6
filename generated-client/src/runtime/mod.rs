//! Hand-written runtime: everything generated code relies on.
//!
//! * [`client`]: the [`Client`](client::Client), its builder and per-call options.
//! * [`error`]: the one [`Error`](error::Error) type.
//! * [`signing`] and [`verify`]: the `WECHATPAY2-SHA256-RSA2048` protocol in both directions,
//!   usable on their own (a sandbox verifies requests and signs responses with them).
//! * [`keys`], [`aead`], [`certificates`]: key material, `AEAD_AES_256_GCM`, platform
//!   certificates.
//! * [`trust`]: the [`VerificationMode`](trust::VerificationMode) and the store of verification
//!   keys (public key, platform certificates with expiry and an overlap window); [`clock`]: time
//!   for certificate validity.
//! * [`retry`]: retry policy and `Retry-After`.
//! * [`raw`]: [`Client::send_raw`](client::Client::send_raw), the untyped escape hatch.

pub mod aead;
pub mod certificates;
pub mod client;
pub mod clock;
pub mod dispatch;
pub mod error;
pub mod keys;
pub mod notify;
pub mod pagination;
pub mod raw;
pub mod retry;
pub mod signing;
pub mod trust;
pub mod types;
pub mod upload;
pub mod validate;
pub mod verify;
