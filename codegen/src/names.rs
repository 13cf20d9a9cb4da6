//! Rust identifiers from wire names, safe against keywords and collisions, and every name
//! generated for an operation. Lowering calls these once; emitters only read the results.

use crate::ir::{ArgNames, FieldIr, OperationNames, RustIdent};
use std::collections::BTreeSet;

/// Rust keywords (strict, reserved and edition-2024): a name like one gets a trailing underscore.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// A snake_case identifier for a wire name (`type` -> `type_`, `self` -> `self_`). Not a raw
/// identifier (`r#type`): `.type(..)` fails to parse and `.r#type(..)` is not what anyone
/// types, while `.type_(..)` is found by completion right after `.type`.
pub fn field_ident(wire: &str) -> RustIdent {
    escape_keyword(snake(wire))
}

/// snake_case of a wire name, not yet checked against keywords.
fn snake(wire: &str) -> String {
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
    s
}

fn escape_keyword(s: String) -> RustIdent {
    if KEYWORDS.contains(&s.as_str()) || s == "_" { RustIdent::escaped(&s) } else { RustIdent::plain(s) }
}

/// Flags the CLI defines itself; a parameter named like one gets a suffix.
const RESERVED_FLAGS: &[&str] =
    &["body", "file", "meta", "all", "lines", "dry-run", "no-validate", "show-signature", "help", "version"];

/// Every Rust name of operation `id` (snake_case, checked by lowering) with these parameters.
pub fn operation(id: &str, path_params: &[FieldIr], query_params: &[FieldIr], paginated: bool) -> OperationNames {
    let call = field_ident(id);
    OperationNames {
        validator: call.derived(|c| format!("validate_{c}")),
        meta: RustIdent::plain(screaming(id)),
        stream: paginated.then(|| call.derived(|c| format!("{c}_stream"))),
        variant: RustIdent::plain(pascal(id)),
        command: kebab(id),
        args: arg_names(path_params, query_params),
        flags: flag_names(path_params, query_params),
        call,
    }
}

/// Argument names: a name taken already gets `_path` / `_query` (`_request`, `_upload` for the
/// body, meta and file), then underscores until it is free.
fn arg_names(path_params: &[FieldIr], query_params: &[FieldIr]) -> ArgNames {
    let mut taken: BTreeSet<RustIdent> = BTreeSet::new();
    let mut claim = |wanted: &RustIdent, suffix: &str| {
        let mut name = wanted.clone();
        if taken.contains(&name) {
            name = wanted.derived(|w| format!("{w}_{suffix}"));
        }
        while taken.contains(&name) {
            name.name.push('_');
        }
        taken.insert(name.clone());
        name
    };
    let path = path_params.iter().map(|p| claim(&p.rust, "path")).collect();
    let query = query_params.iter().map(|p| claim(&p.rust, "query")).collect();
    // Claimed last, so a parameter named `body` keeps its name and the body becomes `body_request`.
    let body = claim(&RustIdent::plain("body"), "request");
    let meta = claim(&RustIdent::plain("meta"), "upload");
    let file = claim(&RustIdent::plain("file"), "upload");
    ArgNames { path, query, body, meta, file }
}

/// Flag names of the path then query parameters: kebab-case of the wire name; a name taken
/// already (by the CLI or an earlier parameter) gets `-path` / `-query`, then a number.
fn flag_names(path_params: &[FieldIr], query_params: &[FieldIr]) -> Vec<String> {
    let mut taken: BTreeSet<String> = RESERVED_FLAGS.iter().map(|s| (*s).to_owned()).collect();
    let mut claim = |wire: &str, suffix: &str| {
        let base = flag(wire);
        let mut name = base.clone();
        let mut n = 1;
        while taken.contains(&name) {
            name = if n == 1 { format!("{base}-{suffix}") } else { format!("{base}-{suffix}-{n}") };
            n += 1;
        }
        taken.insert(name.clone());
        name
    };
    let path: Vec<String> = path_params.iter().map(|p| claim(&p.wire, "path")).collect();
    let query: Vec<String> = query_params.iter().map(|p| claim(&p.wire, "query")).collect();
    path.into_iter().chain(query).collect()
}

/// `product_coupon_id` -> `product-coupon-id`, `brandId` -> `brand-id`; never empty, never
/// starting with a dash.
pub fn flag(wire: &str) -> String {
    let snake = snake(wire);
    let snake = snake.trim_matches('_');
    if snake.is_empty() { "param".to_owned() } else { kebab(snake) }
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
    // `Self` is the one PascalCase keyword (and cannot be raw).
    if out == "Self" { format!("{out}_") } else { out }
}

/// The variant of an open enum for a wire value: [`pascal`], except that `Unknown` (the variant
/// holding values the spec does not know) becomes `UnknownValue`.
pub fn variant(wire: &str) -> String {
    let v = pascal(wire);
    if v == "Unknown" { "UnknownValue".to_owned() } else { v }
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
    fn keywords_get_an_underscore_never_a_raw_prefix() {
        let shown = |wire: &str| field_ident(wire).to_string();
        assert_eq!(field_ident("type"), RustIdent::escaped("type"));
        assert_eq!(shown("type"), "type_");
        assert_eq!(shown("ref"), "ref_");
        assert_eq!(shown("self"), "self_");
        assert_eq!(shown("_"), "__");
        assert_eq!(shown("out_request_no"), "out_request_no");
        assert_eq!(shown("camelCase"), "camel_case");
        assert_eq!(shown("9lives"), "_9lives");
        assert_eq!(shown("a-b"), "a_b");
    }

    #[test]
    fn flags_are_kebab_case_of_the_wire_name() {
        assert_eq!(flag("product_coupon_id"), "product-coupon-id");
        assert_eq!(flag("brandId"), "brand-id");
        assert_eq!(flag("type"), "type");
        assert_eq!(flag("self"), "self");
        assert_eq!(flag("9lives"), "9lives");
        assert_eq!(flag("_"), "param");
    }

    fn param(wire: &str) -> FieldIr {
        FieldIr {
            wire: wire.to_owned(),
            rust: field_ident(wire),
            ty: crate::ir::TypeIr::String,
            presence: crate::spec::Presence::Required,
            condition: None,
            label: wire.to_owned(),
            description: None,
            example: None,
            constraints: crate::ir::Constraints::default(),
            decision: None,
            families: None,
            boxed: false,
            id: None,
        }
    }

    #[test]
    fn operation_names_are_derived_once_from_the_keyword_itself() {
        let names = operation("match", &[param("type"), param("id")], &[param("id"), param("body")], true);
        assert_eq!(names.call, RustIdent::escaped("match"));
        assert_eq!(names.validator, RustIdent::plain("validate_match"));
        assert_eq!(names.stream, Some(RustIdent::plain("match_stream")));
        assert_eq!(names.meta, RustIdent::plain("MATCH"));
        assert_eq!(names.variant, RustIdent::plain("Match"));
        assert_eq!(names.command, "match");
        let shown = |ids: &[RustIdent]| ids.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(shown(&names.args.path), ["type_", "id"]);
        assert_eq!(shown(&names.args.query), ["id_query", "body"]);
        assert_eq!(names.args.body, RustIdent::plain("body_request"));
        assert_eq!(names.flags, ["type", "id", "id-query", "body-query"]);
        assert_eq!(operation("list_items", &[], &[], false).stream, None);
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
