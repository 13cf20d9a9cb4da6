//! Hand-written runtime: everything generated code relies on.

pub mod client;
pub mod error;
pub mod types;
pub mod validate;
