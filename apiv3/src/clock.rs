//! Wall-clock time for certificate validity: an injectable clock, and the listing's RFC 3339
//! `expire_time` as Unix seconds (parsed by the `time` crate; a hostile listing gives `None`).

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

/// Parses an RFC 3339 date-time (`2030-01-01T00:00:00+08:00`, `...Z`, fractional seconds
/// allowed) into Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let parsed = time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339).ok()?;
    Some(parsed.unix_timestamp())
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
