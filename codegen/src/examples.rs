//! Extracting the JSON document from a verbatim doc example.

use crate::spec::ExampleFormat;

/// Returns the JSON text of an example, or what is wrong and the byte offset (into `text`)
/// where it went wrong.
pub fn extract_json(format: ExampleFormat, text: &str) -> Result<String, (usize, String)> {
    let (start, body) = match format {
        ExampleFormat::Json => (0, text),
        ExampleFormat::Curl => {
            let open = text.find("-d '").ok_or((0, "curl example has no `-d '...'` body".to_owned()))? + 4;
            let close =
                text.rfind('\'').filter(|&c| c >= open).ok_or((open, "curl body has no closing `'`".to_owned()))?;
            (open, &text[open..close])
        }
    };
    let json = strip_comments(body);
    match serde_json::from_str::<serde_json::Value>(&json) {
        Ok(_) => Ok(json),
        Err(e) => {
            // serde_json counts lines and columns in the stripped text; comments are only cut
            // from line ends, so both map back to the original text unchanged.
            let line_offset: usize = body.split_inclusive('\n').take(e.line().saturating_sub(1)).map(str::len).sum();
            let line = body[line_offset..].lines().next().unwrap_or("");
            let column: usize = line.chars().take(e.column().saturating_sub(1)).map(char::len_utf8).sum();
            let what = e.to_string();
            let what = what.split(" at line ").next().unwrap_or(&what);
            Err((start + line_offset + column, format!("example JSON does not parse: {what}")))
        }
    }
}

/// Removes `#` comments that run to the end of a line, leaving `#` inside strings alone.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let cut = comment_start(line).unwrap_or(line.len());
        out.push_str(line.get(..cut).unwrap_or(line).trim_end());
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The byte offset of the `#` that starts a line's comment in a curl example, if any: the first
/// `#` outside a JSON string (`"#ff5733"` is a value, not a comment).
pub(crate) fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_comments_but_not_hashes_in_strings() {
        let text = "curl -X POST \\\n  -d '{\n  \"color\" : \"#ff5733\",  # 选填,颜色\n  \"n\" : 1  # 必填\n}'";
        let json = extract_json(ExampleFormat::Curl, text).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["color"], "#ff5733");
        assert_eq!(v["n"], 1);
    }

    #[test]
    fn reports_where_broken_json_is() {
        let text = "{\n  \"a\": 1,\n  \"b\": \n}";
        let (offset, msg) = extract_json(ExampleFormat::Json, text).unwrap_err();
        assert!(msg.contains("does not parse"), "{msg}");
        assert_eq!(offset, text.find("}").unwrap());
        assert!(!msg.contains("at line"), "the position is given by the location, not the message: {msg}");
    }
}
