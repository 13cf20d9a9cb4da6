//! Placeholder until `cargo xtask codegen` writes this module (same public API as the generated one).
pub mod errors {
    //! Documented error codes.
    /// A documented error code; unknown codes are kept as text.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum ErrorCode {
        /// 参数错误
        ParamError,
        /// An undocumented code, kept verbatim.
        Unknown(String),
    }
    impl ErrorCode {
        /// The code as sent on the wire.
        pub fn as_str(&self) -> &str {
            match self {
                ErrorCode::ParamError => "PARAM_ERROR",
                ErrorCode::Unknown(s) => s,
            }
        }
        /// Whether the code is one the spec documents.
        pub fn is_documented(&self) -> bool {
            !matches!(self, ErrorCode::Unknown(_))
        }
    }
    impl From<&str> for ErrorCode {
        fn from(s: &str) -> Self {
            match s {
                "PARAM_ERROR" => ErrorCode::ParamError,
                other => ErrorCode::Unknown(other.to_owned()),
            }
        }
    }
    impl std::fmt::Display for ErrorCode {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.as_str())
        }
    }
}
pub mod models {
    //! Models.
}
