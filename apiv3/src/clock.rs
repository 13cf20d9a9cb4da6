//! Wall-clock time for certificate validity: an injectable clock, and the two time formats
//! certificates come with (RFC 3339 `expire_time` in the `/v3/certificates` listing, X.509
//! `UTCTime`/`GeneralizedTime` for the certificate's own notAfter), both as Unix seconds.
//!
//! Hand-written because the formats are small and fixed; every step is checked arithmetic, so
//! a hostile listing gives `None`, never a panic.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of "now" in Unix seconds. The client reads certificate expiry and the overlap
/// window after a refresh through it, so tests can move time without sleeping.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    })
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds of a UTC date and time, after range checks on every field.
fn unix_seconds(year: i64, month: i64, day: i64, hour: i64, minute: i64, second: i64) -> Option<i64> {
    let ok = (0..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (0..=23).contains(&hour)
        && (0..=59).contains(&minute)
        && (0..=60).contains(&second); // 60: a leap second, as RFC 3339 allows
    ok.then(|| days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Parses `n` ASCII digits.
fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses an RFC 3339 date-time (`2030-01-01T00:00:00+08:00`, `...Z`, fractional seconds
/// allowed) into Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let s = text.trim();
    let date = s.get(0..10)?;
    let sep = s.get(10..11)?;
    if !sep.eq_ignore_ascii_case("t") && sep != " " {
        return None;
    }
    let time = s.get(11..19)?;
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let end = frac.find(|c: char| !c.is_ascii_digit()).unwrap_or(frac.len());
        if end == 0 {
            return None;
        }
        rest = frac.get(end..)?;
    }
    let offset = if rest.eq_ignore_ascii_case("z") {
        0
    } else {
        let sign = match rest.get(0..1)? {
            "+" => 1,
            "-" => -1,
            _ => return None,
        };
        if rest.len() != 6 || rest.get(3..4)? != ":" {
            return None;
        }
        let (h, m) = (digits(rest.get(1..3)?)?, digits(rest.get(4..6)?)?);
        if h > 23 || m > 59 {
            return None;
        }
        sign * (h * 3_600 + m * 60)
    };
    if date.get(4..5)? != "-" || date.get(7..8)? != "-" || time.get(2..3)? != ":" || time.get(5..6)? != ":" {
        return None;
    }
    let local = unix_seconds(
        digits(date.get(0..4)?)?,
        digits(date.get(5..7)?)?,
        digits(date.get(8..10)?)?,
        digits(time.get(0..2)?)?,
        digits(time.get(3..5)?)?,
        digits(time.get(6..8)?)?,
    )?;
    local.checked_sub(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2030-01-01T08:00:00+08:00"), Some(1_893_456_000));
        assert_eq!(parse_rfc3339("2029-12-31T23:00:00-01:00"), Some(1_893_456_000));
        assert_eq!(parse_rfc3339("2030-01-01T00:00:00.123Z"), Some(1_893_456_000));
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400));
        for bad in
            ["", "2030-01-01", "2030-13-01T00:00:00Z", "2030-01-01T00:00:00", "2030-01-01T00:00:00+8", "２０３０"]
        {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }
}
