//! Reading a [`DateTime`] as a typed value, with the `time` crate (cargo feature `time`, on by
//! default).
//!
//! [`DateTime`] keeps the text exactly as sent or received, so nothing is lost and a loosely
//! written value never fails a response; this accessor is how a caller computes with it.

use crate::runtime::types::DateTime;
use std::fmt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The docs' examples also write date-times without seconds (`2025-01-01T00:00+08:00`).
const WITHOUT_SECONDS: &str = "[year]-[month]-[day]T[hour]:[minute][offset_hour sign:mandatory]:[offset_minute]";

/// Typed access to a [`DateTime`]'s text.
///
/// ```
/// use wechatpay_product_coupon::{DateTime, DateTimeExt};
///
/// let begin = DateTime::new("2025-08-01T00:00:00+08:00");
/// let at = begin.to_offset_date_time().unwrap();
/// assert_eq!((at.year(), at.hour(), at.offset().whole_hours()), (2025, 0, 8));
/// assert_eq!(begin.as_str(), "2025-08-01T00:00:00+08:00", "the text is kept");
/// ```
pub trait DateTimeExt {
    /// The date-time with its offset: strict RFC 3339, or the docs' form without seconds.
    ///
    /// # Errors
    ///
    /// [`DateTimeParseError`], naming the text, when it is neither.
    fn to_offset_date_time(&self) -> Result<OffsetDateTime, DateTimeParseError>;
}

impl DateTimeExt for DateTime {
    fn to_offset_date_time(&self) -> Result<OffsetDateTime, DateTimeParseError> {
        let text = self.as_str();
        OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .or_else(|| {
                let format = time::format_description::parse(WITHOUT_SECONDS).ok()?;
                OffsetDateTime::parse(text, &format).ok()
            })
            .ok_or_else(|| DateTimeParseError { text: text.to_owned() })
    }
}

/// A [`DateTime`] whose text is not a date-time [`DateTimeExt`] can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeParseError {
    /// The text as received.
    pub text: String,
}

impl fmt::Display for DateTimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS with an offset, seconds optional)", self.text)
    }
}

impl std::error::Error for DateTimeParseError {}
