//! Keys of a JSON body that its request model does not know.
//!
//! Decoding a body into the typed model drops such keys without a word, so a typo
//! (`out_reqest_no`) or a field of a newer doc page would silently not be sent. The CLI
//! compares the body as given with the body after a round trip through the model
//! ([`BodySpec::canonical`](crate::table::BodySpec::canonical)): a key in the input that
//! is missing after the round trip is one the model does not know.

use serde_json::Value;

/// JSON paths (`stock_bundle.stock_send_rule.typo`, `list[2].typo`) of keys in `input` that are
/// missing from `canonical`, in path order. A key whose value is `null` is not reported: the
/// model writes an absent optional field by leaving it out, so `null` and absent mean the same.
pub fn unknown_keys(input: &Value, canonical: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(input, canonical, "", &mut out);
    out
}

fn walk(input: &Value, canonical: &Value, path: &str, out: &mut Vec<String>) {
    match (input, canonical) {
        (Value::Object(given), Value::Object(kept)) => {
            for (key, value) in given {
                let at = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match kept.get(key) {
                    Some(kept_value) => walk(value, kept_value, &at, out),
                    None if value.is_null() => {}
                    None => out.push(at),
                }
            }
        }
        (Value::Array(given), Value::Array(kept)) => {
            for (i, (value, kept_value)) in given.iter().zip(kept).enumerate() {
                walk(value, kept_value, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::unknown_keys;
    use serde_json::json;

    #[test]
    fn finds_keys_at_every_depth_with_their_json_paths() {
        let input = json!({
            "a": 1,
            "typo": "x",
            "nested": { "b": 2, "extra": { "deep": true } },
            "list": [{ "c": 3 }, { "c": 4, "oops": 5 }],
            "gone_but_null": null
        });
        let canonical = json!({
            "a": 1,
            "nested": { "b": 2 },
            "list": [{ "c": 3 }, { "c": 4 }]
        });
        assert_eq!(unknown_keys(&input, &canonical), ["list[1].oops", "nested.extra", "typo"]);
    }

    #[test]
    fn a_body_the_model_keeps_whole_has_none() {
        let body = json!({ "a": [1, 2], "b": { "c": "d" } });
        assert!(unknown_keys(&body, &body).is_empty());
        // Defaults the model adds are not the user's business.
        assert!(unknown_keys(&json!({}), &json!({ "added": 1 })).is_empty());
    }
}
