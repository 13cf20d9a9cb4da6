//! Placeholder until the generator writes this module.
pub mod errors {
    //! x
    /// x
    #[derive(Debug)]
    pub enum ErrorCode {
        /// x
        Unknown(String),
    }
}
pub mod models {
    //! x
}
