//! Scalar types the spec uses beyond plain strings and integers.

use std::fmt;

/// An RFC 3339 date-time as sent on the wire, e.g. `2025-08-01T00:00:00+08:00`.
///
/// The text is kept exactly as received, so a response that round-trips through the models is
/// unchanged, and a value the server writes loosely (the docs show `2025-01-01T00:00+08:00`,
/// without seconds) never fails a response. [`DateTime::is_rfc3339`] tells whether the text is
/// strict RFC 3339; request validation uses it.
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

    #[test]
    fn keeps_the_text_verbatim_through_serde() {
        let d: DateTime = serde_json::from_str("\"2025-01-01T00:00+08:00\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2025-01-01T00:00+08:00\"");
    }
}
