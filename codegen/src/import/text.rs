//! Page text: decoding (UTF-8 only, with the line of the first bad byte), the page's lines with
//! their 1-based numbers, whitespace normalisation, and the line-number gutter of examples.

use super::ImportError;

/// One line of the page as copied: `raw` verbatim (for examples), `text` normalised (for prose).
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based line number in the page file.
    pub no: usize,
    pub raw: String,
    pub text: String,
}

/// Decodes the page. Copied pages are UTF-8; anything else (GBK, UTF-16) is refused with the
/// line of the first byte that is not UTF-8 text, rather than guessed at.
pub fn decode(page: &str, bytes: &[u8]) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let good = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(ImportError::new(
                page,
                line,
                format!(
                    "the page is not UTF-8 text (byte 0x{:02X} at offset {}); save the copied page as UTF-8 (it may be GBK)",
                    bytes.get(e.valid_up_to()).copied().unwrap_or_default(),
                    e.valid_up_to()
                ),
            ));
        }
    };
    // UTF-16 text of a Chinese page is often valid UTF-8 byte-wise but full of NUL bytes.
    if let Some(at) = text.find('\0') {
        let line = text.get(..at).unwrap_or_default().matches('\n').count() + 1;
        return Err(ImportError::new(
            page,
            line,
            "the page contains NUL bytes (it looks UTF-16 encoded); save the copied page as UTF-8",
        ));
    }
    Ok(text.to_owned())
}

/// Splits the page into numbered lines.
pub fn lines(text: &str) -> Vec<Line> {
    text.lines().enumerate().map(|(i, raw)| Line { no: i + 1, raw: raw.to_owned(), text: normalize(raw) }).collect()
}

/// Prose as compared and written: no-break and ideographic spaces become spaces, runs of
/// whitespace one space, no leading or trailing space.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Strips the line-number gutter the site prints before each example line: the block starts at
/// `lines[start]` with `1`, and each following line must start with the next number. Returns
/// the lines without their numbers (trailing empty lines dropped) and the index after the block.
/// `None` when `lines[start]` does not start the gutter.
pub fn gutter_block(lines: &[Line], start: usize) -> Option<(Vec<(usize, String)>, usize)> {
    let mut out = Vec::new();
    let mut i = start;
    let mut expected = 1usize;
    while let Some(line) = lines.get(i) {
        let number = expected.to_string();
        match line.raw.strip_prefix(number.as_str()) {
            Some(rest) => out.push((line.no, rest.to_owned())),
            None => break,
        }
        expected += 1;
        i += 1;
    }
    if out.is_empty() {
        return None;
    }
    while out.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        out.pop();
    }
    Some((out, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_bytes_are_refused_with_their_line() {
        let mut bytes = "标题\n更新时间:2025.11.20\n".as_bytes().to_vec();
        bytes.extend_from_slice(&[0xC9, 0xCC, 0xC6, 0xB7]); // 商品 in GBK
        let e = decode("p.txt", &bytes).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("not UTF-8"), "{e}");
    }

    #[test]
    fn gutter_numbers_are_stripped_in_sequence_only() {
        let ls = lines("1{\n2  \"a\" : 10,\n3  \"b\" : 2\n4}\n5\n错误码");
        let (block, next) = gutter_block(&ls, 0).unwrap();
        let text: Vec<&str> = block.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(text, ["{", "  \"a\" : 10,", "  \"b\" : 2", "}"]);
        assert_eq!(next, 5);
        assert_eq!(normalize(" a\u{a0} b  c "), "a b c");
    }
}
