//! Rust identifiers from wire names, safe against keywords and collisions.

/// Rust keywords (strict, reserved and edition-2024) that need `r#` or a suffix.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A snake_case identifier for a wire name (`type` -> `r#type`, `self` -> `self_`).
pub fn field_ident(wire: &str) -> String {
    let mut s = String::new();
    let mut prev_lower = false;
    for c in wire.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                s.push('_');
            }
            s.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            s.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            s.push('_');
            prev_lower = false;
        }
    }
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    escape_keyword(s)
}

fn escape_keyword(s: String) -> String {
    if NOT_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// PascalCase from SCREAMING_SNAKE, snake or kebab (`PROGRESSIVE_BUNDLE` -> `ProgressiveBundle`).
/// Names already in PascalCase (`Color010`) keep their inner capitals.
pub fn pascal(raw: &str) -> String {
    let mut out = String::new();
    let all_upper = !raw.chars().any(|c| c.is_ascii_lowercase());
    for part in raw.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            let rest: String = chars.collect();
            out.push_str(&if all_upper { rest.to_ascii_lowercase() } else { rest });
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if NOT_RAW.contains(&out.as_str()) { format!("{out}_") } else { out }
}

/// kebab-case from snake_case (`create_stock_bundle` -> `create-stock-bundle`).
pub fn kebab(snake: &str) -> String {
    snake.replace('_', "-")
}

/// SCREAMING_SNAKE from snake_case, for constants.
pub fn screaming(snake: &str) -> String {
    snake.to_ascii_uppercase()
}

/// Whether `s` is PascalCase ASCII (a letter first, no separators).
pub fn is_pascal(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `s` is snake_case ASCII starting with a letter.
pub fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("ref"), "r#ref");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("out_request_no"), "out_request_no");
        assert_eq!(field_ident("camelCase"), "camel_case");
        assert_eq!(field_ident("9lives"), "_9lives");
        assert_eq!(field_ident("a-b"), "a_b");
    }

    #[test]
    fn pascal_handles_screaming_and_mixed() {
        assert_eq!(pascal("PROGRESSIVE_BUNDLE"), "ProgressiveBundle");
        assert_eq!(pascal("Color010"), "Color010");
        assert_eq!(pascal("create_stock_bundle"), "CreateStockBundle");
        assert_eq!(pascal("404"), "V404");
        assert_eq!(pascal("self"), "Self_");
    }
}
