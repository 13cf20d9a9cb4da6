//! Handling a request of any operation by its id: matching a concrete path against the
//! operations' templates and turning raw parameters and a JSON body into a typed request.
//! The generated `requests` module builds on this; the CLI and the sandbox use both.

use crate::request::OperationMeta;
use std::fmt;

/// Why raw parts could not become a typed request.
#[derive(Debug)]
#[non_exhaustive]
pub enum ParseError {
    /// No operation has this id.
    UnknownOperation(String),
    /// A required path or query parameter was not given.
    MissingParameter {
        /// The parameter's wire name.
        name: &'static str,
    },
    /// A parameter's text is not of its type.
    InvalidParameter {
        /// The parameter's wire name.
        name: &'static str,
        /// The text given.
        value: String,
        /// What was expected, e.g. `an integer`.
        expected: &'static str,
    },
    /// The operation needs a JSON body and none was given.
    MissingBody,
    /// The body is not the operation's request model.
    InvalidBody {
        /// JSON path of the offending value (`.` for the root).
        path: String,
        /// What serde reported.
        message: String,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::UnknownOperation(id) => write!(f, "no operation `{id}`"),
            ParseError::MissingParameter { name } => write!(f, "missing parameter `{name}`"),
            ParseError::InvalidParameter { name, value, expected } => {
                write!(f, "parameter `{name}`: {value:?} is not {expected}")
            }
            ParseError::MissingBody => f.write_str("this operation needs a JSON body"),
            ParseError::InvalidBody { path, message } => write!(f, "body: {path}: {message}"),
        }
    }
}

impl std::error::Error for ParseError {}

/// Looks a parameter up by name in `(name, value)` pairs.
pub fn param<'a>(pairs: &'a [(&str, &str)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// A required string parameter.
pub fn required_param(pairs: &[(&str, &str)], name: &'static str) -> Result<String, ParseError> {
    param(pairs, name).map(str::to_owned).ok_or(ParseError::MissingParameter { name })
}

/// A parameter parsed as an integer.
pub fn integer_param(name: &'static str, value: &str) -> Result<i64, ParseError> {
    value.parse().map_err(|_| ParseError::InvalidParameter { name, value: value.to_owned(), expected: "an integer" })
}

/// A parameter parsed as a boolean (`true` / `false`).
pub fn boolean_param(name: &'static str, value: &str) -> Result<bool, ParseError> {
    value.parse().map_err(|_| ParseError::InvalidParameter { name, value: value.to_owned(), expected: "true or false" })
}

/// Decodes a JSON body into a request model, naming the JSON path of the first problem.
pub fn body<T: serde::de::DeserializeOwned>(bytes: Option<&[u8]>) -> Result<T, ParseError> {
    let bytes = bytes.ok_or(ParseError::MissingBody)?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| ParseError::InvalidBody { path: e.path().to_string(), message: e.inner().to_string() })?;
    de.end().map_err(|e| ParseError::InvalidBody { path: ".".to_owned(), message: e.to_string() })?;
    Ok(value)
}

impl OperationMeta {
    /// The names of the template's `{placeholders}`, in order.
    pub fn path_param_names(&self) -> impl Iterator<Item = &'static str> {
        self.path_template.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }

    /// If `path` (percent-encoded, without query) addresses this operation's template, the
    /// decoded path parameters by name. A parameter must be a whole, non-empty segment.
    pub fn match_path(&self, path: &str) -> Option<Vec<(&'static str, String)>> {
        let mut template = self.path_template.split('/');
        let mut given = path.split('/');
        let mut params = Vec::new();
        loop {
            match (template.next(), given.next()) {
                (None, None) => return Some(params),
                (Some(t), Some(g)) => {
                    if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                        if g.is_empty() {
                            return None;
                        }
                        let decoded = percent_encoding::percent_decode_str(g).decode_utf8().ok()?;
                        params.push((name, decoded.into_owned()));
                    } else if t != g {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static META: OperationMeta = OperationMeta {
        id: "create_widget_part",
        title: "添加部件",
        method: "POST",
        path_template: "/v3/widgets/{widget_id}/parts",
        rate_limit_per_second: Some(20),
        success_status: 200,
    };

    #[test]
    fn matches_and_decodes_path_parameters() {
        let p = META.match_path("/v3/widgets/20%2F01/parts");
        assert_eq!(p, Some(vec![("widget_id", "20/01".to_owned())]));
        assert_eq!(META.path_param_names().collect::<Vec<_>>(), ["widget_id"]);
    }

    #[test]
    fn refuses_other_paths() {
        for path in ["/v3/widgets//parts", "/v3/widgets/1/parts/x", "/v3/widgets/1", "/v3/widgets/%FF/parts"] {
            assert_eq!(META.match_path(path), None, "{path}");
        }
    }

    #[test]
    fn body_errors_name_the_json_path() {
        #[derive(serde::Deserialize, Debug)]
        struct Outer {
            #[allow(dead_code)]
            inner: Inner,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Inner {
            #[allow(dead_code)]
            count: i64,
        }
        let err = body::<Outer>(Some(br#"{"inner":{"count":"3"}}"#)).unwrap_err();
        assert!(err.to_string().starts_with("body: inner.count: invalid type"), "{err}");
        assert!(matches!(body::<Outer>(None), Err(ParseError::MissingBody)));
        let err = body::<Outer>(Some(br#"{"inner":{"count":3}} trailing"#)).unwrap_err();
        assert!(err.to_string().contains("trailing"), "{err}");
    }
}
