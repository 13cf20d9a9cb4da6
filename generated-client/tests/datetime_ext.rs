//! `DateTime::to_offset_date_time`: every date-time of the docs' examples reads as a typed
//! value, and the text stays as it was.
#![cfg(feature = "time")]

use std::path::Path;
use wechatpay_product_coupon::DateTime;

/// Every string value of a JSON document that starts like a date-time (`YYYY-MM-DDT`).
fn date_times(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => {
            let b = s.as_bytes();
            if b.len() > 11 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[10] == b'T' {
                out.push(s.clone());
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| date_times(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| date_times(v, out)),
        _ => {}
    }
}

#[test]
fn every_doc_example_date_time_reads_as_a_typed_value() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        // The doc examples' fixtures (`official/` holds WeChat Pay's example code's requests).
        if path.is_dir() {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        date_times(&json, &mut found);
    }
    assert!(found.len() >= 10, "the fixtures hold the docs' date-times: {found:?}");
    assert!(found.iter().any(|t| t == "2025-01-01T00:00+08:00"), "including the form without seconds");
    for text in &found {
        let value: DateTime = serde_json::from_value(serde_json::Value::String(text.clone())).unwrap();
        let typed = value.to_offset_date_time().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(typed.offset().whole_hours(), 8, "{text}");
        assert_eq!(value.as_str(), text, "the verbatim text is kept");
        assert_eq!(serde_json::to_value(&value).unwrap(), serde_json::Value::String(text.clone()));
    }
}

#[test]
fn the_typed_value_is_the_instant_the_text_names() {
    let end = DateTime::new("2025-08-31T23:59:59+08:00").to_offset_date_time().unwrap();
    assert_eq!(end.unix_timestamp(), 1_756_655_999);
    let short = DateTime::new("2025-01-01T00:00+08:00").to_offset_date_time().unwrap();
    let full = DateTime::new("2025-01-01T00:00:00+08:00").to_offset_date_time().unwrap();
    assert_eq!(short, full, "seconds left out are zero");
    let utc = DateTime::new("2024-12-31T16:00:00Z").to_offset_date_time().unwrap();
    assert_eq!(utc, full, "the same instant at another offset");
}

#[test]
fn text_that_is_no_date_time_is_an_error_naming_it() {
    for text in ["", "2025-13-01T00:00:00+08:00", "2025-01-01 00:00:00", "2025-01-01T00:00:00"] {
        let err = DateTime::new(text).to_offset_date_time().unwrap_err();
        assert_eq!(err.text, text);
        assert!(err.to_string().contains(&format!("`{text}`")), "{err}");
    }
}
