//! CONTRACT STUB — to be replaced by the real error type.

use crate::runtime::validate::{BuildError, Violations};

/// An API error body.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
}

/// Everything a call can fail with.
#[derive(Debug)]
pub enum Error {
    /// CONTRACT: client-side validation failed; every violation with its JSON path.
    Validation(Violations),
    /// CONTRACT: a builder was missing required fields.
    Build(BuildError),
    /// CONTRACT: the request body could not be encoded.
    Encode(serde_json::Error),
    /// Misconfiguration.
    Config(String),
    /// API error.
    Api(ApiError),
}

impl From<Violations> for Error {
    fn from(v: Violations) -> Self {
        Error::Validation(v)
    }
}

impl From<BuildError> for Error {
    fn from(v: BuildError) -> Self {
        Error::Build(v)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for Error {}
