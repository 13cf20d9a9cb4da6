//! A small JSON reader that remembers the page line of every key and value, so facts taken
//! from an example (field names, types, the comments beside them) can be reported by line.
//! Only called on text `serde_json` has already accepted.

/// A JSON value with the page line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// An integer, kept as written (it may not fit an i64).
    Int(String),
    Float(String),
    Str(String),
    Array(Vec<Node>),
    /// Keys in document order, each with its own line.
    Object(Vec<(String, usize, Node)>),
}

impl Node {
    /// The object's entries; for an array, the entries of every object element (first
    /// occurrence of each key), which is how the docs show lists of objects.
    pub fn entries(&self) -> Vec<(&str, usize, &Node)> {
        match &self.value {
            Value::Object(entries) => entries.iter().map(|(k, l, n)| (k.as_str(), *l, n)).collect(),
            Value::Array(items) => {
                // A set of the keys seen: a linear scan of `out` per key made an example with
                // thousands of items quadratic (16,000 items with their own keys took 14 s).
                let mut seen = std::collections::HashSet::new();
                let mut out: Vec<(&str, usize, &Node)> = Vec::new();
                for item in items {
                    for (k, l, n) in item.entries() {
                        if seen.insert(k) {
                            out.push((k, l, n));
                        }
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// The value of `key` (in an array, that of the first element having it), found without
    /// building [`Node::entries`].
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, n)| n),
            Value::Array(items) => items.iter().find_map(|item| item.get(key)),
            _ => None,
        }
    }

    /// The value as `serde_json` would read it (for `example = ...`).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(s) | Value::Float(s) => serde_json::from_str(s).unwrap_or(serde_json::Value::Null),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Node::to_json).collect()),
            Value::Object(entries) => {
                serde_json::Value::Object(entries.iter().map(|(k, _, n)| (k.clone(), n.to_json())).collect())
            }
        }
    }
}

/// Parses `text`, whose first line is page line `first_line`. `None` if it is not JSON.
pub fn parse(text: &str, first_line: usize) -> Option<Node> {
    let mut p = Parser { chars: text.chars().collect(), at: 0, line: first_line };
    let node = p.value()?;
    p.skip_ws();
    (p.at == p.chars.len()).then_some(node)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    line: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn eat(&mut self, c: char) -> Option<()> {
        self.skip_ws();
        (self.bump()? == c).then_some(())
    }

    fn value(&mut self) -> Option<Node> {
        self.skip_ws();
        let line = self.line;
        let value = match self.peek()? {
            '{' => {
                self.bump();
                let mut entries = Vec::new();
                self.skip_ws();
                if self.peek() == Some('}') {
                    self.bump();
                } else {
                    loop {
                        self.skip_ws();
                        let key_line = self.line;
                        let key = self.string()?;
                        self.eat(':')?;
                        let v = self.value()?;
                        entries.push((key, key_line, v));
                        self.skip_ws();
                        match self.bump()? {
                            ',' => continue,
                            '}' => break,
                            _ => return None,
                        }
                    }
                }
                Value::Object(entries)
            }
            '[' => {
                self.bump();
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(']') {
                    self.bump();
                } else {
                    loop {
                        items.push(self.value()?);
                        self.skip_ws();
                        match self.bump()? {
                            ',' => continue,
                            ']' => break,
                            _ => return None,
                        }
                    }
                }
                Value::Array(items)
            }
            '"' => Value::Str(self.string()?),
            't' => self.word("true", Value::Bool(true))?,
            'f' => self.word("false", Value::Bool(false))?,
            'n' => self.word("null", Value::Null)?,
            _ => {
                let mut s = String::new();
                while self.peek().is_some_and(|c| c.is_ascii_digit() || "+-.eE".contains(c)) {
                    s.extend(self.bump());
                }
                if s.is_empty() {
                    return None;
                }
                if s.contains(['.', 'e', 'E']) { Value::Float(s) } else { Value::Int(s) }
            }
        };
        Some(Node { line, value })
    }

    fn word(&mut self, word: &str, value: Value) -> Option<Value> {
        for expected in word.chars() {
            if self.bump()? != expected {
                return None;
            }
        }
        Some(value)
    }

    fn string(&mut self) -> Option<String> {
        if self.bump()? != '"' {
            return None;
        }
        let mut raw = String::from('"');
        loop {
            let c = self.bump()?;
            raw.push(c);
            match c {
                '\\' => raw.push(self.bump()?),
                '"' => break,
                _ => {}
            }
        }
        serde_json::from_str(&raw).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_their_lines() {
        let node = parse("{\n  \"a\" : 1,\n  \"b\" : [ { \"c\" : \"x\\\"y\" } ]\n}", 10).unwrap();
        let entries = node.entries();
        assert_eq!(entries.iter().map(|(k, l, _)| (*k, *l)).collect::<Vec<_>>(), [("a", 11), ("b", 12)]);
        let b = node.get("b").unwrap();
        assert_eq!(b.entries()[0].0, "c");
        assert_eq!(b.to_json(), serde_json::json!([{"c": "x\"y"}]));
        assert!(parse("{\"a\": }", 1).is_none());
    }
}
