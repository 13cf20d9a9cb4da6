//! Prose as the spec compares and writes it.
//!
//! Text copied from the doc site is not the text the site shows: copying turns full-width
//! punctuation into half-width (`，` -> `,`), drops or adds spaces between Chinese and Latin
//! words, and loses a trailing `。`. The diff compares prose through [`key`], so such
//! artefacts are not reported as changes (a real change of wording still is), and the importer
//! writes new prose through [`conventional`], in the spec's own convention, so an adopted
//! draft does not churn the spec.

/// The comparison key of a text: full-width punctuation folded to half-width, whitespace
/// between non-ASCII characters (or next to punctuation) dropped, other whitespace runs one
/// space, no trailing `。`/`.`.
pub fn key(text: &str) -> String {
    let folded: Vec<char> = text.chars().map(fold).collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = folded.get(i) {
        if c.is_whitespace() {
            let mut j = i;
            while folded.get(j).is_some_and(|c| c.is_whitespace()) {
                j += 1;
            }
            let before = out.chars().next_back();
            let after = folded.get(j).copied();
            // A space matters only between two ASCII words ("a b" is not "ab").
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if word(before) && word(after) {
                out.push(' ');
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    while out.ends_with(['。', '.']) {
        out.pop();
    }
    out
}

/// Whether two texts say the same once copy artefacts are set aside.
pub fn same(a: &str, b: &str) -> bool {
    a == b || key(a) == key(b)
}

/// [`same`] for optional texts: absent and empty are alike.
pub fn same_opt(a: Option<&str>, b: Option<&str>) -> bool {
    same(a.unwrap_or(""), b.unwrap_or(""))
}

/// [`same`] for lists of texts, item by item.
pub fn same_list(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
}

/// Full-width forms copying turns half-width, and typographic quotes.
fn fold(c: char) -> char {
    match c {
        '，' => ',',
        '；' => ';',
        '：' => ':',
        '（' => '(',
        '）' => ')',
        '！' => '!',
        '？' => '?',
        '“' | '”' => '"',
        '‘' | '’' => '\'',
        '\u{a0}' | '\u{3000}' => ' ',
        c => c,
    }
}

fn cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}')
}

/// Text written the way the spec writes prose: in Chinese text, `,` `;` `:` `(` `)` are
/// full-width (a `:` only after a Chinese character, so `00:00:00`, `https://` and
/// `KEY:value` stay); with `sentence`, a text ending in a Chinese character ends with `。`
/// (the spec's descriptions of operations, parameters, models and fields do; labels, meanings
/// and header notes do not).
pub fn conventional(text: &str, sentence: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 3);
    // Open `(` converted, so the matching `)` follows suit.
    let mut parens: Vec<bool> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let near_cjk = prev.is_some_and(cjk) || next.is_some_and(cjk);
        out.push(match c {
            ',' if near_cjk => '，',
            ';' if near_cjk => '；',
            ':' if prev.is_some_and(cjk) => '：',
            '(' => {
                // Converted when it follows or opens Chinese text: `批次(阶梯)`, `（WECHATPAY2-...）`
                // after Chinese; `f(x)` and `(a)` in Latin text stay.
                let wide = prev.is_some_and(cjk) || next.is_some_and(cjk);
                parens.push(wide);
                if wide { '（' } else { '(' }
            }
            ')' => {
                if parens.pop().unwrap_or(false) {
                    '）'
                } else {
                    ')'
                }
            }
            c => c,
        });
    }
    if sentence && out.chars().next_back().is_some_and(|c| cjk(c) && !matches!(c, '。' | '！' | '？' | '」' | '】'))
    {
        out.push('。');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_artefacts_are_not_changes() {
        assert!(same("商品券的唯一标识，创建商品券时由微信支付生成。", "商品券的唯一标识,创建商品券时由微信支付生成"));
        assert!(same("请设置为 application/json", "请设置为application/json"));
        assert!(same("（阶梯模式）", "(阶梯模式)"));
        assert!(!same("由微信支付生成", "由品牌方生成"));
        assert!(!same("a b", "ab"));
    }

    #[test]
    fn the_spec_convention() {
        assert_eq!(conventional("唯一标识,由微信支付生成", true), "唯一标识，由微信支付生成。");
        assert_eq!(conventional("多次优惠模式(阶梯模式)", false), "多次优惠模式（阶梯模式）");
        assert_eq!(conventional("使用后需等到第三天00:00:00才能使用", false), "使用后需等到第三天00:00:00才能使用");
        assert_eq!(conventional("单位:分", false), "单位：分");
        assert_eq!(conventional("see f(x), then", true), "see f(x), then");
        assert_eq!(conventional("已结束。", true), "已结束。");
    }
}
