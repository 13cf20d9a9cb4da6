//! The one place that decides which characters the CLI never prints raw, and how it shows
//! them: as Rust escapes (`\u{202e}`) in text, as JSON escapes (`\u202e`) inside JSON strings,
//! so JSON output stays valid JSON with the same value.
//!
//! Text the server chose (messages, bodies, page tokens) is printed with every such character
//! escaped, so a response cannot move the cursor, recolour or clear the terminal, forge lines
//! of output, or reorder what is shown (a right-to-left override shows `invoice-` U+202E `fdp.exe`
//! as `invoice-exe.pdf`). Every output path goes through [`escape_text`] or
//! [`escape_json`]: standard error escapes whatever it is given (`report::Failure::report`,
//! `report::warn`), standard output prints JSON escaped by [`escape_json`].

use std::borrow::Cow;

/// A character a terminal may act on instead of showing, or that changes how the text around
/// it is shown:
///
/// * C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F), the escape
///   sequences' introducers among them;
/// * the bidirectional formatting characters (Unicode's `Bidi_Control`): U+061C ARABIC
///   LETTER MARK, U+200E LEFT-TO-RIGHT MARK, U+200F RIGHT-TO-LEFT MARK, U+202A–U+202E
///   (embeddings, overrides, pop), U+2066–U+2069 (isolates, pop);
/// * U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR (line breaks to some terminals
///   and editors), U+FEFF ZERO WIDTH NO-BREAK SPACE, U+FFF9–U+FFFB (interlinear annotation).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// Text made safe to print: every unsafe character as a Rust escape (`\u{1b}`, `\r`, `\n`).
pub fn escape_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text made safe to print, as the same JSON value: inside strings every unsafe
/// character becomes a `\uXXXX` escape (what serde_json leaves raw: DEL, C1 controls, bidi
/// and the rest of [`is_unsafe`]); between values the layout's newlines, tabs and `\r\n` stay,
/// and anything else unsafe (only in text that was not JSON) is escaped the same way.
pub fn escape_json(text: &str) -> Cow<'_, str> {
    let layout = |c: char, next: Option<char>| c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'));
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    let mut backslash = false;
    let mut out: Option<String> = None;
    let mut at = 0;
    while let Some(c) = chars.next() {
        let unsafe_here = is_unsafe(c) && (in_string || !layout(c, chars.peek().copied()));
        if unsafe_here {
            let out = out.get_or_insert_with(|| {
                let mut s = String::with_capacity(text.len() + 8);
                s.push_str(&text[..at]);
                s
            });
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else if let Some(out) = out.as_mut() {
            out.push(c);
        }
        if in_string {
            if backslash {
                backslash = false;
            } else if c == '\\' {
                backslash = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
        at += c.len_utf8();
    }
    match out {
        Some(out) => Cow::Owned(out),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character of the bidirectional formatting set, C0, C1 and DEL.
    fn hostile() -> Vec<char> {
        let mut all: Vec<char> = (0u32..0x20).chain([0x7f]).chain(0x80..0xa0).filter_map(char::from_u32).collect();
        all.extend(['\u{061c}', '\u{200e}', '\u{200f}', '\u{2028}', '\u{2029}', '\u{feff}']);
        all.extend(('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}'));
        all
    }

    #[test]
    fn every_control_and_bidi_character_is_escaped_in_text() {
        for c in hostile() {
            let text = format!("a{c}b");
            let shown = escape_text(&text);
            assert!(!shown.chars().any(is_unsafe), "{c:?} left raw: {shown:?}");
            assert!(shown.starts_with('a') && shown.ends_with('b'), "{shown}");
        }
        assert_eq!(escape_text("plain 中文 العربية"), "plain 中文 العربية");
        assert_eq!(escape_text("a\x1b[31mred\r\nX\u{202e}\u{61c}"), "a\\u{1b}[31mred\\r\\nX\\u{202e}\\u{61c}");
    }

    #[test]
    fn json_stays_the_same_json_value_with_nothing_unsafe_left() {
        let hostile: String = hostile().into_iter().collect();
        let value = serde_json::json!({ "m": format!("x{hostile}y"), "list": [hostile.clone()], hostile.clone(): 1 });
        for text in [serde_json::to_string(&value).unwrap(), serde_json::to_string_pretty(&value).unwrap()] {
            let shown = escape_json(&text);
            assert!(!shown.chars().any(|c| c != '\n' && is_unsafe(c)), "{shown:?}");
            assert_eq!(serde_json::from_str::<serde_json::Value>(&shown).unwrap(), value, "the same JSON value");
        }
        // A body as a server may send it: raw controls inside strings (not strictly JSON),
        // escaped quotes and backslashes, CRLF layout.
        let raw = "{\"a\":\"q\\\"\u{202e}\\\\\u{9b}\",\r\n\t\"b\":\"\u{61c}\"}";
        let shown = escape_json(raw);
        assert_eq!(shown, "{\"a\":\"q\\\"\\u202e\\\\\\u009b\",\r\n\t\"b\":\"\\u061c\"}");
        assert_eq!(escape_json("{\"a\":1}"), "{\"a\":1}");
        assert_eq!(escape_json("1\r2\u{1b}"), "1\\u000d2\\u001b", "not JSON: escaped all the same");
    }
}
