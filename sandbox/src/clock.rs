//! The sandbox's business clock and the date-time arithmetic its rules need.
//!
//! Signatures always use the real time (a client checks response timestamps against its own
//! clock, and the sandbox checks request timestamps against the real one). Everything else,
//! the time a coupon is received, confirmed, used, when it expires, what counts as "today" for
//! `max_count_per_day`, reads the business clock: the real time plus an offset, so a test can
//! start the sandbox inside a stock's available period ([`SandboxBuilder::start_time`]) and
//! jump ahead to see a coupon expire ([`RunningSandbox::advance_time`]) without waiting.
//!
//! Times are written in China Standard Time (`+08:00`), as WeChat Pay writes them; "days"
//! (today's count, `wait_days_after_receive`, `interval_days`, weekly periods) are days of that
//! zone.
//!
//! [`SandboxBuilder::start_time`]: crate::SandboxBuilder::start_time
//! [`RunningSandbox::advance_time`]: crate::RunningSandbox::advance_time

use std::sync::atomic::{AtomicI64, Ordering};

use wechatpay_product_coupon::runtime::signing::unix_timestamp;

/// Seconds east of UTC of the zone WeChat Pay writes times in (+08:00).
pub const ZONE_OFFSET: i64 = 8 * 3600;
/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The earliest business time the clock can be set to: 0001-01-01T00:00:00+08:00. Times are
/// written with four-digit years, and a bound keeps every date computation far from overflow.
pub const MIN_TIME: i64 = days_from_civil(1, 1, 1) * DAY - ZONE_OFFSET;
/// The latest business time the clock can be set to: 9999-12-31T23:59:59+08:00.
pub const MAX_TIME: i64 = days_from_civil(9999, 12, 31) * DAY + (DAY - 1) - ZONE_OFFSET;

/// Why the clock refused to move: the time asked for is outside [`MIN_TIME`]..=[`MAX_TIME`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfRange {
    what: String,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} would leave the business clock's range {} .. {}; the clock did not move",
            self.what,
            format_rfc3339(MIN_TIME),
            format_rfc3339(MAX_TIME)
        )
    }
}

impl std::error::Error for OutOfRange {}

/// The real time plus an adjustable offset, in Unix seconds.
///
/// The offset comes from admin input (`POST /sandbox/clock`), so every change is checked: a
/// move that would overflow or leave [`MIN_TIME`]..=[`MAX_TIME`] is refused and changes nothing.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: AtomicI64,
}

impl Clock {
    /// The business time now.
    pub(crate) fn now(&self) -> i64 {
        unix_timestamp().saturating_add(self.offset.load(Ordering::Relaxed))
    }

    /// Moves the business time to `unix` (it keeps running from there).
    pub(crate) fn set(&self, unix: i64) -> Result<(), OutOfRange> {
        let out_of_range = || OutOfRange { what: format!("setting the time to {unix} (Unix seconds)") };
        if !(MIN_TIME..=MAX_TIME).contains(&unix) {
            return Err(out_of_range());
        }
        let offset = unix.checked_sub(unix_timestamp()).ok_or_else(out_of_range)?;
        self.offset.store(offset, Ordering::Relaxed);
        Ok(())
    }

    /// Moves the business time forward (or back, for a negative number) by `seconds`.
    pub(crate) fn advance(&self, seconds: i64) -> Result<(), OutOfRange> {
        let real = unix_timestamp();
        // A compare-and-swap loop, so that two concurrent moves both count and neither can
        // push the clock past its range.
        self.offset
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
                let target = real.checked_add(offset)?.checked_add(seconds)?;
                (MIN_TIME..=MAX_TIME).contains(&target).then_some(offset.checked_add(seconds)?)
            })
            .map(|_| ())
            .map_err(|_| OutOfRange { what: format!("moving the clock by {seconds} s") })
    }

    /// How far the business time is from the real time.
    pub(crate) fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses an RFC 3339 date-time with an explicit offset (`2025-08-01T00:00:00+08:00`,
/// `...Z`, fractional seconds ignored) into Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        if s.bytes().all(|c| c.is_ascii_digit()) { s.parse().ok() } else { None }
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d, h, mi, s) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let digits = |r: std::ops::Range<usize>| rest.get(r).filter(|s| s.bytes().all(|c| c.is_ascii_digit()));
            let oh: i64 = digits(1..3)?.parse().ok()?;
            let om: i64 = digits(4..6)?.parse().ok()?;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + s - offset)
}

/// Formats Unix seconds as RFC 3339 in `+08:00`, e.g. `2025-08-04T10:00:00+08:00`.
pub fn format_rfc3339(unix: i64) -> String {
    let local = unix.saturating_add(ZONE_OFFSET);
    let (y, m, d) = civil_from_days(local.div_euclid(DAY));
    let sod = local.rem_euclid(DAY);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00", sod / 3600, sod % 3600 / 60, sod % 60)
}

/// The day number (days since 1970-01-01 in `+08:00`) of `unix`.
pub fn local_day(unix: i64) -> i64 {
    unix.saturating_add(ZONE_OFFSET).div_euclid(DAY)
}

/// 00:00:00 (`+08:00`) of the day of `unix`, as Unix seconds.
pub fn start_of_day(unix: i64) -> i64 {
    local_day(unix).saturating_mul(DAY).saturating_sub(ZONE_OFFSET)
}

/// Seconds since 00:00:00 (`+08:00`) of the day of `unix`.
pub fn second_of_day(unix: i64) -> i64 {
    unix.saturating_add(ZONE_OFFSET).rem_euclid(DAY)
}

/// The weekday of `unix` in `+08:00`: 0 = Monday ... 6 = Sunday.
pub fn weekday(unix: i64) -> i64 {
    // 1970-01-01 was a Thursday (3).
    (local_day(unix) + 3).rem_euclid(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_round_trip() {
        let t = parse_rfc3339("2025-08-04T10:00:00+08:00").unwrap();
        assert_eq!(t, 1_754_272_800);
        assert_eq!(format_rfc3339(t), "2025-08-04T10:00:00+08:00");
        assert_eq!(parse_rfc3339("2025-08-04T02:00:00Z"), Some(t));
        assert_eq!(parse_rfc3339("2025-08-04T02:00:00.123Z"), Some(t));
        assert_eq!(parse_rfc3339("2025-08-03T21:00:00-05:00"), Some(t));
        assert_eq!(format_rfc3339(parse_rfc3339("2024-02-29T23:59:59+08:00").unwrap()), "2024-02-29T23:59:59+08:00");
        for bad in ["2025-08-04 10:00:00+08:00", "2025-08-04T10:00+08:00", "2025-13-04T10:00:00+08:00", ""] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_and_weekdays_are_of_china_standard_time() {
        let monday = parse_rfc3339("2025-08-04T00:30:00+08:00").unwrap();
        assert_eq!(weekday(monday), 0);
        assert_eq!(weekday(monday - 3600), 6, "23:30 the day before is Sunday");
        assert_eq!(format_rfc3339(start_of_day(monday + 5 * 3600)), "2025-08-04T00:00:00+08:00");
        assert_eq!(second_of_day(monday), 1800);
        assert_eq!(local_day(monday) - local_day(monday - 3600), 1);
    }

    #[test]
    fn the_clock_moves() {
        let clock = Clock::default();
        let now = clock.now();
        clock.advance(DAY).unwrap();
        assert!(clock.now() >= now + DAY);
        // No bound on how fast this runs: the clock ran on by exactly as much real time as
        // passed between the set and the read, which lies within [real_before, real_after].
        let real_before = unix_timestamp();
        clock.set(1_754_272_800).unwrap();
        let ran = clock.now() - 1_754_272_800;
        let real_after = unix_timestamp();
        assert!((0..=real_after - real_before).contains(&ran), "{ran}");
    }

    #[test]
    fn the_range_is_four_digit_years() {
        assert_eq!(format_rfc3339(MIN_TIME), "0001-01-01T00:00:00+08:00");
        assert_eq!(format_rfc3339(MAX_TIME), "9999-12-31T23:59:59+08:00");
    }

    #[test]
    fn out_of_range_moves_are_refused_and_change_nothing() {
        let clock = Clock::default();
        clock.set(1_754_272_800).unwrap();
        let offset = clock.offset();
        for seconds in [i64::MAX, i64::MIN, MAX_TIME, -MAX_TIME] {
            let e = clock.advance(seconds).unwrap_err();
            assert!(e.to_string().contains("9999-12-31T23:59:59+08:00"), "{e}");
            assert_eq!(clock.offset(), offset, "{seconds}");
        }
        for unix in [i64::MAX, i64::MIN, MAX_TIME + 1, MIN_TIME - 1] {
            assert!(clock.set(unix).is_err(), "{unix}");
            assert_eq!(clock.offset(), offset, "{unix}");
        }
        clock.set(MAX_TIME).unwrap();
        assert!(clock.advance(3600).is_err(), "past the end");
        clock.advance(-3600).unwrap();
        clock.set(MIN_TIME).unwrap();
        assert!(clock.advance(-1).is_err(), "before the start");
    }

    #[test]
    fn offsets_must_be_digits() {
        assert_eq!(parse_rfc3339("2025-08-04T10:00:00+-1:00"), None);
        assert_eq!(parse_rfc3339("2025-08-04T10:00:00++1:00"), None);
        assert_eq!(parse_rfc3339("2025-08-04T10:00:00+24:00"), None);
        assert_eq!(parse_rfc3339("2025-08-04T10:00:00+08:60"), None);
    }
}
