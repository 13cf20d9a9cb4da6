//! Scalar types the spec uses beyond plain strings and integers.

use std::fmt;

/// An RFC 3339 date-time as sent on the wire, e.g. `2025-08-01T00:00:00+08:00`.
///
/// The text is kept exactly as received, so a response that round-trips through the models is
/// unchanged, and a value the server writes loosely (the docs show `2025-01-01T00:00+08:00`,
/// without seconds) never fails a response. [`DateTime::is_rfc3339`] tells whether the text is
/// strict RFC 3339; request validation uses it.
///
/// With the `time` cargo feature it converts from and into `time::OffsetDateTime`, and
/// `DateTime::now_beijing()` and `DateTime::beijing(..)` make one in Beijing time (see the
/// methods below); the text stays the one source of truth.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct DateTime(String);

impl DateTime {
    /// Wraps a date-time string; see [`DateTime::is_rfc3339`] for the format check.
    pub fn new(text: impl Into<String>) -> Self {
        DateTime(text.into())
    }

    /// The text as sent or received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is an RFC 3339 `date-time` with an explicit offset
    /// (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`).
    pub fn is_rfc3339(&self) -> bool {
        is_rfc3339(&self.0)
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for DateTime {
    fn from(s: &str) -> Self {
        DateTime(s.to_owned())
    }
}

impl From<String> for DateTime {
    fn from(s: String) -> Self {
        DateTime(s)
    }
}

#[cfg(feature = "time")]
mod with_time {
    use super::DateTime;
    use std::fmt;
    use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

    /// The docs' examples also write date-times without seconds (`2025-01-01T00:00+08:00`).
    const WITHOUT_SECONDS: &str = "[year]-[month]-[day]T[hour]:[minute][offset_hour sign:mandatory]:[offset_minute]";

    /// With the `time` feature, a `DateTime` is made from a [`time::OffsetDateTime`]
    /// (`DateTime::from(value)`, [`DateTime::now_beijing`], [`DateTime::beijing`]) and read as
    /// one ([`DateTime::to_offset_date_time`], `OffsetDateTime::try_from`). The text stays the
    /// one source of truth: reading never changes a value received, and a value made here is
    /// written as WeChat Pay writes date-times, RFC 3339 to the second.
    ///
    /// ```
    /// use wechatpay_apiv3::types::DateTime;
    ///
    /// let begin = DateTime::beijing(2025, 8, 1, 0, 0, 0).unwrap();
    /// assert_eq!(begin.as_str(), "2025-08-01T00:00:00+08:00");
    /// let end = DateTime::from(begin.to_offset_date_time().unwrap() + time::Duration::days(30));
    /// assert_eq!(end.as_str(), "2025-08-31T00:00:00+08:00");
    /// assert!(DateTime::now_beijing().as_str().ends_with("+08:00"));
    /// ```
    impl DateTime {
        /// UTC+08:00, Beijing time (China Standard Time, no daylight saving): the offset of every
        /// date-time in WeChat Pay's documentation and answers.
        pub const BEIJING_OFFSET: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
            Ok(offset) => offset,
            Err(_) => panic!("+08:00 is a valid offset"),
        };

        /// Now, in Beijing time, to the second: `2025-08-01T09:30:00+08:00` (the system clock;
        /// the fraction of the current second is dropped).
        pub fn now_beijing() -> DateTime {
            DateTime::from(OffsetDateTime::now_utc().to_offset(Self::BEIJING_OFFSET))
        }

        /// A date-time in Beijing time (`+08:00`), e.g. the start of an availability window:
        /// `DateTime::beijing(2025, 8, 1, 0, 0, 0)` is `2025-08-01T00:00:00+08:00`.
        ///
        /// # Errors
        ///
        /// A component out of its range (month 13, 31 April, hour 24, ...), as the `time`
        /// crate reports it.
        pub fn beijing(
            year: i32,
            month: u8,
            day: u8,
            hour: u8,
            minute: u8,
            second: u8,
        ) -> Result<DateTime, time::error::ComponentRange> {
            let date = Date::from_calendar_date(year, Month::try_from(month)?, day)?;
            let time = Time::from_hms(hour, minute, second)?;
            Ok(DateTime::from(PrimitiveDateTime::new(date, time).assume_offset(Self::BEIJING_OFFSET)))
        }

        /// The date-time with its offset, read from the text: strict RFC 3339 (fractional
        /// seconds kept), or the docs' form without seconds (`2025-01-01T00:00+08:00`, seconds
        /// zero). The text itself is not changed. Also `OffsetDateTime::try_from(&date_time)`.
        ///
        /// # Errors
        ///
        /// [`DateTimeParseError`], naming the text, when it is neither.
        pub fn to_offset_date_time(&self) -> Result<OffsetDateTime, DateTimeParseError> {
            let text = self.as_str();
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .ok()
                .or_else(|| {
                    let format = time::format_description::parse(WITHOUT_SECONDS).ok()?;
                    OffsetDateTime::parse(text, &format).ok()
                })
                .ok_or_else(|| DateTimeParseError { text: text.to_owned() })
        }
    }

    /// RFC 3339 in the value's own offset, to the second, as WeChat Pay writes date-times
    /// (`2025-01-01T00:00:00+08:00`; UTC is written `+00:00`).
    ///
    /// Sub-second precision is dropped (truncated, not rounded: the text names the second the
    /// value falls in), since WeChat Pay's date-times have none. An offset with seconds (some
    /// historical local-mean-time offsets), which RFC 3339 cannot write, is converted to UTC
    /// first: the instant is kept. A year before 0000 or after 9999 gives text that is not
    /// RFC 3339 ([`DateTime::is_rfc3339`] is false, and request validation reports it).
    impl From<OffsetDateTime> for DateTime {
        fn from(value: OffsetDateTime) -> Self {
            let value = match value.offset().seconds_past_minute() {
                0 => value,
                _ => value.checked_to_offset(UtcOffset::UTC).unwrap_or(value),
            };
            let (hours, minutes, _) = value.offset().as_hms();
            let sign = if value.offset().is_negative() { '-' } else { '+' };
            DateTime(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
                value.year(),
                u8::from(value.month()),
                value.day(),
                value.hour(),
                value.minute(),
                value.second(),
                hours.unsigned_abs(),
                minutes.unsigned_abs(),
            ))
        }
    }

    /// [`DateTime::to_offset_date_time`].
    impl TryFrom<&DateTime> for OffsetDateTime {
        type Error = DateTimeParseError;

        fn try_from(value: &DateTime) -> Result<Self, Self::Error> {
            value.to_offset_date_time()
        }
    }

    /// [`DateTime::to_offset_date_time`].
    impl TryFrom<DateTime> for OffsetDateTime {
        type Error = DateTimeParseError;

        fn try_from(value: DateTime) -> Result<Self, Self::Error> {
            value.to_offset_date_time()
        }
    }

    /// A [`DateTime`] whose text is not a date-time [`DateTime::to_offset_date_time`] can read.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DateTimeParseError {
        /// The text as received.
        pub text: String,
    }

    impl fmt::Display for DateTimeParseError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(
                f,
                "`{}` is not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS with an offset, seconds optional)",
                self.text
            )
        }
    }

    impl std::error::Error for DateTimeParseError {}
}

#[cfg(feature = "time")]
pub use with_time::DateTimeParseError;

fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| b.get(range).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let num = |range: std::ops::Range<usize>| -> u32 { s[range].parse().unwrap_or(u32::MAX) };
    if b.len() < 20 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) {
        return false;
    }
    if !matches!(b[10], b'T' | b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let (month, day, hour, minute, second) = (num(5..7), num(8..10), num(11..13), num(14..16), num(17..19));
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
                && (*h1 - b'0') * 10 + (*h2 - b'0') <= 23
                && (*m1 - b'0') * 10 + (*m2 - b'0') <= 59
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_documented_forms_and_rejects_loose_ones() {
        assert!(DateTime::from("2025-08-01T00:00:00+08:00").is_rfc3339());
        assert!(DateTime::from("2025-08-31T23:59:59.123Z").is_rfc3339());
        assert!(!DateTime::from("2025-01-01T00:00+08:00").is_rfc3339());
        assert!(!DateTime::from("2025-13-01T00:00:00+08:00").is_rfc3339());
        assert!(!DateTime::from("2025-01-01 00:00:00+08:00").is_rfc3339());
        assert!(!DateTime::from("").is_rfc3339());
    }

    #[cfg(feature = "time")]
    mod with_time {
        use super::*;
        use time::{Duration, OffsetDateTime, UtcOffset};

        fn offset(h: i8, m: i8, s: i8) -> UtcOffset {
            UtcOffset::from_hms(h, m, s).unwrap()
        }

        /// 2025-01-01T00:00:00+08:00.
        const NEW_YEAR_BEIJING: i64 = 1_735_660_800;

        #[test]
        fn from_offset_date_time_writes_rfc3339_seconds_in_the_values_offset() {
            let at = OffsetDateTime::from_unix_timestamp(NEW_YEAR_BEIJING).unwrap();
            let cases = [
                (offset(8, 0, 0), "2025-01-01T00:00:00+08:00"),
                (UtcOffset::UTC, "2024-12-31T16:00:00+00:00"),
                (offset(-5, -30, 0), "2024-12-31T10:30:00-05:30"),
                (offset(0, -30, 0), "2024-12-31T15:30:00-00:30"),
                (offset(5, 45, 0), "2024-12-31T21:45:00+05:45"),
            ];
            for (o, text) in cases {
                let d = DateTime::from(at.to_offset(o));
                assert_eq!(d.as_str(), text);
                assert!(d.is_rfc3339(), "{d}");
                let back = d.to_offset_date_time().unwrap();
                assert_eq!((back, back.offset()), (at, o), "round trip, offset kept: {d}");
                assert_eq!(OffsetDateTime::try_from(&d).unwrap(), back);
                assert_eq!(OffsetDateTime::try_from(d.clone()).unwrap(), back);
            }
        }

        #[test]
        fn sub_seconds_are_truncated_and_offset_seconds_become_utc() {
            let at = OffsetDateTime::from_unix_timestamp(NEW_YEAR_BEIJING).unwrap().to_offset(offset(8, 0, 0));
            let late = at + Duration::milliseconds(999);
            assert_eq!(DateTime::from(late).as_str(), "2025-01-01T00:00:00+08:00", "truncated, not rounded");
            let before = at - Duration::nanoseconds(1);
            assert_eq!(DateTime::from(before).as_str(), "2024-12-31T23:59:59+08:00");
            // RFC 3339 cannot write an offset with seconds: the instant is kept, in UTC.
            let lmt = DateTime::from(at.to_offset(offset(8, 5, 43)));
            assert_eq!(lmt.as_str(), "2024-12-31T16:00:00+00:00");
            assert_eq!(lmt.to_offset_date_time().unwrap(), at);
        }

        #[test]
        fn parsed_text_is_kept_byte_for_byte() {
            for (text, nanos) in [
                ("2025-01-01T00:00+08:00", 0),
                ("2025-01-01T00:00:00.123456789+08:00", 123_456_789),
                ("2024-12-31t16:00:00z", 0),
                ("2024-12-31T08:00:00-08:00", 0),
            ] {
                let json = format!("\"{text}\"");
                let d: DateTime = serde_json::from_str(&json).unwrap();
                let typed = d.to_offset_date_time().unwrap_or_else(|e| panic!("{e}"));
                assert_eq!((typed.unix_timestamp(), typed.nanosecond()), (NEW_YEAR_BEIJING, nanos), "{text}");
                assert_eq!(d.as_str(), text, "reading does not change the text");
                assert_eq!(serde_json::to_string(&d).unwrap(), json, "written back byte for byte");
            }
        }

        #[test]
        fn text_that_is_no_date_time_is_an_error_naming_it() {
            for text in ["", "2025-13-01T00:00:00+08:00", "2025-01-01 00:00:00", "2025-01-01T00:00:00"] {
                let err = DateTime::new(text).to_offset_date_time().unwrap_err();
                assert_eq!(err.text, text);
                assert!(err.to_string().contains(&format!("`{text}`")), "{err}");
                assert!(OffsetDateTime::try_from(&DateTime::new(text)).is_err());
            }
        }

        #[test]
        fn beijing_time_constructors() {
            let now = DateTime::now_beijing();
            assert!(now.as_str().ends_with("+08:00") && now.is_rfc3339() && now.as_str().len() == 25, "{now}");
            let parsed = now.to_offset_date_time().unwrap();
            assert_eq!((parsed.offset(), parsed.nanosecond()), (DateTime::BEIJING_OFFSET, 0));
            let drift = (OffsetDateTime::now_utc() - parsed).whole_seconds();
            assert!((0..=5).contains(&drift), "{now} is now ({drift} s)");

            let begin = DateTime::beijing(2025, 1, 1, 0, 0, 0).unwrap();
            assert_eq!(begin.as_str(), "2025-01-01T00:00:00+08:00");
            assert_eq!(begin.to_offset_date_time().unwrap().unix_timestamp(), NEW_YEAR_BEIJING);
            assert_eq!(DateTime::beijing(2025, 8, 31, 23, 59, 59).unwrap().as_str(), "2025-08-31T23:59:59+08:00");
            assert!(DateTime::beijing(2025, 13, 1, 0, 0, 0).is_err());
            assert!(DateTime::beijing(2025, 4, 31, 0, 0, 0).is_err());
            assert!(DateTime::beijing(2025, 1, 1, 24, 0, 0).is_err());
        }
    }

    #[test]
    fn keeps_the_text_verbatim_through_serde() {
        let d: DateTime = serde_json::from_str("\"2025-01-01T00:00+08:00\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2025-01-01T00:00+08:00\"");
    }
}
