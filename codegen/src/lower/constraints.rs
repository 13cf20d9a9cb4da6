//! Field constraints (lengths, charsets, ranges, item counts) and their `disputed` marks.

use super::context::Cx;
use crate::diagnostics::SourceFile;
use crate::ir::*;
use crate::spec::{self, Sp};
use std::collections::BTreeMap;
use std::ops::Range;

/// Parses a bracket-less character class (`0-9A-Za-z_-`) into inclusive ranges.
pub fn parse_charset(text: &str) -> Result<Vec<(char, char)>, String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Err("empty character class".to_owned());
    }
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let lo = chars[i];
        if i + 2 < chars.len() && chars[i + 1] == '-' {
            let hi = chars[i + 2];
            if lo > hi {
                return Err(format!("range {lo}-{hi} is reversed"));
            }
            ranges.push((lo, hi));
            i += 3;
        } else {
            ranges.push((lo, lo));
            i += 1;
        }
    }
    Ok(ranges)
}

impl Cx {
    pub(super) fn constraints(&mut self, file: &SourceFile, f: &spec::Field, ty: &TypeIr) -> Constraints {
        let name = &f.name.value;
        let is_string = matches!(ty, TypeIr::String);
        let is_number = matches!(ty, TypeIr::Integer | TypeIr::Amount);
        let is_array = matches!(ty, TypeIr::Array(_));
        let mut misplaced = |span: &Range<usize>, key: &str, fits: &str| {
            self.diags
                .error(file, span.clone(), format!("field `{name}`: `{key}` does not apply to its type"))
                .hint(format!("`{key}` is for {fits} fields"));
        };
        for (v, key) in [(&f.min_length, "min_length"), (&f.max_length, "max_length")] {
            if let Some(v) = v
                && !is_string
            {
                misplaced(&v.span, key, "string");
            }
        }
        if let Some(c) = &f.charset
            && !is_string
        {
            misplaced(&c.span, "charset", "string");
        }
        for (v, key) in [(&f.min, "min"), (&f.max, "max")] {
            if let Some(v) = v
                && !is_number
            {
                misplaced(&v.span, key, "integer or amount");
            }
        }
        for (v, key) in [(&f.min_items, "min_items"), (&f.max_items, "max_items")] {
            if let Some(v) = v
                && !is_array
            {
                misplaced(&v.span, key, "array");
            }
        }
        let mut contradiction = |lo: Option<&Sp<u64>>, hi: Option<&Sp<u64>>, what: &str| {
            if let (Some(lo), Some(hi)) = (lo, hi)
                && lo.value > hi.value
            {
                self.diags
                    .error(
                        file,
                        hi.span.clone(),
                        format!("field `{name}`: max {what} {} is below min {what} {}", hi.value, lo.value),
                    )
                    .hint("no value could satisfy both; fix one bound");
            }
        };
        contradiction(f.min_length.as_ref(), f.max_length.as_ref(), "length");
        contradiction(f.min_items.as_ref(), f.max_items.as_ref(), "items");
        if let (Some(lo), Some(hi)) = (&f.min, &f.max)
            && lo.value > hi.value
        {
            self.diags
                .error(file, hi.span.clone(), format!("field `{name}`: max {} is below min {}", hi.value, lo.value))
                .hint("no value could satisfy both; fix one bound");
        }
        if let Some(hi) = &f.max_length
            && hi.value == 0
        {
            self.diags.error(
                file,
                hi.span.clone(),
                format!("field `{name}`: max_length 0 allows only the empty string"),
            );
        }
        let charset = f.charset.as_ref().and_then(|c| match parse_charset(&c.value) {
            Ok(ranges) => Some(Charset { ranges, text: c.value.clone() }),
            Err(msg) => {
                self.diags.error(file, c.span.clone(), format!("field `{name}`: charset {:?}: {msg}", c.value)).hint(
                    "write characters and ranges without brackets, e.g. `0-9A-Za-z_-` (a `-` is literal at the end)",
                );
                None
            }
        });
        Constraints {
            min_length: f.min_length.as_ref().map(|v| v.value),
            max_length: f.max_length.as_ref().map(|v| v.value),
            charset,
            min: f.min.as_ref().map(|v| v.value),
            max: f.max.as_ref().map(|v| v.value),
            min_items: f.min_items.as_ref().map(|v| v.value),
            max_items: f.max_items.as_ref().map(|v| v.value),
            disputed: self.disputed_constraints(file, f),
        }
    }

    /// A field's `disputed` marks: each names a constraint the field has, with a valid id.
    pub(super) fn disputed_constraints(&mut self, file: &SourceFile, f: &spec::Field) -> BTreeMap<String, DisputeIr> {
        let mut out = BTreeMap::new();
        for d in &f.disputed {
            let present = match d.constraint.value.as_str() {
                "min_length" => f.min_length.is_some(),
                "max_length" => f.max_length.is_some(),
                "charset" => f.charset.is_some(),
                "min" => f.min.is_some(),
                "max" => f.max.is_some(),
                "min_items" => f.min_items.is_some(),
                "max_items" => f.max_items.is_some(),
                other => {
                    self.diags
                        .error(file, d.constraint.span.clone(), format!("`{other}` is not a constraint"))
                        .hint("one of min_length, max_length, charset, min, max, min_items, max_items");
                    continue;
                }
            };
            if !present {
                self.diags.error(
                    file,
                    d.constraint.span.clone(),
                    format!("field `{}` has no `{}` to dispute", f.name.value, d.constraint.value),
                );
                continue;
            }
            if let Some(dispute) = self.dispute(file, &d.id, &d.by, &d.reason) {
                if out.insert(d.constraint.value.clone(), dispute).is_some() {
                    self.diags.error(
                        file,
                        d.constraint.span.clone(),
                        format!("`{}` of field `{}` is disputed twice", d.constraint.value, f.name.value),
                    );
                }
            }
        }
        out
    }

    /// A dispute's id must be kebab-case and its `by` list non-empty; that each example exists
    /// and breaks the fact is checked with the official examples (`official.rs`).
    pub(super) fn dispute(
        &mut self,
        file: &SourceFile,
        id: &Sp<String>,
        by: &Sp<Vec<Sp<String>>>,
        reason: &str,
    ) -> Option<DisputeIr> {
        let kebab = !id.value.is_empty()
            && id.value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !id.value.starts_with('-')
            && !id.value.ends_with('-');
        if !kebab {
            self.diags
                .error(file, id.span.clone(), format!("dispute id {:?} is not kebab-case", id.value))
                .hint("users name it in code: lower-case letters, digits and `-`, e.g. `weekly-and-irregular-periods`");
            return None;
        }
        if by.value.is_empty() {
            self.diags
                .error(file, by.span.clone(), format!("dispute `{}` cites no official example", id.value))
                .hint("a fact is disputed by an official example that breaks it: name it in `by`");
            return None;
        }
        Some(DisputeIr {
            id: id.value.clone(),
            by: by.value.iter().map(|b| b.value.clone()).collect(),
            reason: reason.to_owned(),
        })
    }
}
