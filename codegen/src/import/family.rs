//! Which API family a page belongs to, and what a page of a secondary family updates.
//!
//! Every operation is described once, as its primary family's page gives it; another family's
//! page (a 品牌直连 page, say) only updates that family's `[[operations.families]]` entry of
//! the operation: its doc page, 更新时间 and 频率限制. The operation itself (path, parameters,
//! body, responses, examples) and the other families' entries are carried over unchanged, and
//! where the page's fields differ from the operation's beyond what the family derives (the
//! brand field it drops), the report says so for review.
//!
//! The page tells its family by its path prefix, the `Authorization` scheme of its curl
//! example, a `Wechatpay-Serial` header row and the dimension of its 频率限制; the prefix
//! decides, and any other sign pointing elsewhere is reported.

use super::draft::{DExample, DFamily, DOp, DUpload, Draft, Existing, carry, carry_family, path_matches};
use super::page::{Page, PageField, PageKind};
use super::{ImportError, ImportOptions, Note, NoteKind};
use crate::spec::{self, Presence, RateLimitDimension};
use crate::wording;

/// A 频率限制 as the page words it, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRate {
    /// What the spec's `per_second` holds (see [`rate_limit`]).
    pub per_second: u32,
    /// The page gives a limit per minute, so `per_second` is derived from it.
    pub per_minute: bool,
    /// `品牌ID维度` / `商户号维度`, when the page states what the limit counts.
    pub dimension: Option<RateLimitDimension>,
}

/// Reads `20/s`, `20/s(品牌ID维度)`, `500/秒(商户号维度)`, `接口限频:10/秒(品牌ID维度)`,
/// `1000/min`, `1000次/分钟`, `接口级限制1000/min`.
///
/// A per-minute limit is held as the per-second rate it allows on average, rounded up:
/// `per_second` drives the client's limiter and the sandbox's, and rounding down would make
/// them refuse calls the server accepts (1000/min is 16.7/s; 16/s would cap a minute at 960).
/// The minute window also allows a burst the per-second bucket does not; the page's wording,
/// kept verbatim in `text`, is what a reader relies on for that, so nothing is lost.
pub fn rate_limit(text: &str) -> Option<PageRate> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).map(|c| if c == '（' { '(' } else { c }).collect();
    let dimension = if t.contains("品牌ID维度") || t.contains("品牌维度") {
        Some(RateLimitDimension::Brand)
    } else if t.contains("商户号维度") || t.contains("商户维度") {
        Some(RateLimitDimension::Merchant)
    } else {
        None
    };
    let t = t.split('(').next().unwrap_or("");
    let (count, unit) = t.split_once('/')?;
    // The last run of digits before the slash: `接口级限制1000`, `1000次`.
    let digits: String = {
        let before_unit = count.trim_end_matches(|c: char| !c.is_ascii_digit());
        let start =
            before_unit.char_indices().rev().find(|(_, c)| !c.is_ascii_digit()).map_or(0, |(i, c)| i + c.len_utf8());
        before_unit.get(start..).unwrap_or("").to_owned()
    };
    let n: u32 = digits.parse().ok()?;
    match unit {
        "s" | "秒" | "sec" | "second" => Some(PageRate { per_second: n, per_minute: false, dimension }),
        "min" | "分钟" | "分" | "m" | "minute" => {
            Some(PageRate { per_second: n.div_ceil(60).max(1), per_minute: true, dimension })
        }
        _ => None,
    }
}

fn dimension_words(d: RateLimitDimension) -> &'static str {
    match d {
        RateLimitDimension::Merchant => "商户号维度",
        RateLimitDimension::Brand => "品牌ID维度",
    }
}

/// The page's family, with why, once the prefix (or another sign) decided.
pub struct Detected<'a> {
    pub family: &'a spec::Family,
    pub primary: bool,
}

/// The `Authorization` scheme a curl example of the page signs with, and its page line.
fn auth_scheme(page: &Page) -> Option<(String, usize)> {
    for ex in &page.examples {
        for (n, l) in ex.text.lines().enumerate() {
            if let Some(i) = l.find("Authorization:") {
                let rest = l.get(i + "Authorization:".len()..).unwrap_or("").trim_start();
                let scheme: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != '"').collect();
                if !scheme.is_empty() {
                    return Some((scheme, ex.line + n));
                }
            }
        }
    }
    None
}

/// Which family the page is, and notes for every sign that disagrees. `None` when the spec
/// declares no families.
pub fn detect<'a>(page: &Page, existing: &Existing<'a>, notes: &mut Vec<Note>) -> Option<Detected<'a>> {
    let families = existing.families();
    let primary = *families.first()?;
    let path = page.path.as_ref()?;
    let by_prefix = families
        .iter()
        .filter(|f| {
            let p = f.path_prefix.value.as_str();
            path.value.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .max_by_key(|f| f.path_prefix.value.len())
        .copied();
    let scheme = auth_scheme(page);
    let by_scheme =
        scheme.as_ref().and_then(|(s, line)| families.iter().find(|f| f.auth_scheme.value == *s).map(|f| (*f, *line)));
    let family = by_prefix.or(by_scheme.map(|(f, _)| f)).unwrap_or(primary);
    let mut differs = |line: usize, message: String| notes.push(Note { line, kind: NoteKind::Conflict, message });
    let fid = &family.id.value;
    if let Some((f, line)) = by_scheme
        && f.id.value != *fid
    {
        differs(
            line,
            format!(
                "the example signs with {} (family `{}`), the path is family `{fid}`'s: read as `{fid}`",
                f.auth_scheme.value, f.id.value
            ),
        );
    }
    if let Some(h) = page.headers.iter().find(|h| h.name.eq_ignore_ascii_case("Wechatpay-Serial"))
        && !family.wechatpay_serial_required
    {
        differs(h.line, format!("the page lists a Wechatpay-Serial header, which family `{fid}` does not require"));
    }
    if let Some(r) = &page.rate_limit
        && let Some(d) = rate_limit(&r.value).and_then(|p| p.dimension)
        && d != family.rate_limit_dimension
    {
        differs(
            r.line,
            format!(
                "频率限制 `{}` counts {}, family `{fid}` counts {}",
                r.value,
                dimension_words(d),
                dimension_words(family.rate_limit_dimension)
            ),
        );
    }
    Some(Detected { family, primary: std::ptr::eq(family, primary) })
}

/// The sub-path of a family's path (`None` when it lacks the prefix).
fn sub_path<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    path.strip_prefix(prefix).filter(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The draft of a secondary family's page: the operation as api-spec has it, with the page's
/// family entry updated from the page.
pub fn secondary(
    page_name: &str,
    page: &Page,
    opts: &ImportOptions,
    existing: &Existing<'_>,
    family: &spec::Family,
) -> Result<(Draft, Vec<Note>), ImportError> {
    let mut notes: Vec<Note> = Vec::new();
    let mut note = |line: usize, kind: NoteKind, message: String| -> String {
        let mark = format!("{}: {message}", kind.word());
        notes.push(Note { line, kind, message });
        mark
    };
    let fid = family.id.value.as_str();
    let primary = existing.families().first().copied().unwrap_or(family);
    let (method, method_line) = page
        .method
        .as_ref()
        .map(|m| (m.value, m.line))
        .ok_or_else(|| ImportError::new(page_name, page.title.line, "no method"))?;
    let path_at = page.path.as_ref().ok_or_else(|| ImportError::new(page_name, method_line, "no path"))?;
    let page_sub = sub_path(&path_at.value, &family.path_prefix.value).unwrap_or(&path_at.value);
    // The operation: by --id, else the one whose sub-path in this family matches.
    let family_sub = |o: &spec::Operation| -> Option<String> {
        let entry = o.families.iter().find(|e| e.family.value == fid);
        match entry.and_then(|e| e.path.as_ref()) {
            Some(p) => Some(p.value.clone()),
            None => sub_path(&o.path.value, &primary.path_prefix.value).map(str::to_owned),
        }
    };
    let old = match &opts.id {
        Some(id) => existing.operations().find(|o| o.id.value == *id).ok_or_else(|| {
            ImportError::new(page_name, method_line, format!("api-spec has no operation `{id}` (--id)"))
        })?,
        None => existing
            .operations()
            .find(|o| o.method == method && family_sub(o).is_some_and(|s| path_matches(&s, page_sub)))
            .ok_or_else(|| {
                ImportError::new(
                    page_name,
                    path_at.line,
                    format!(
                        "a page of family `{fid}` ({}) updates the `{fid}` entry of an operation api-spec has, and no operation has {method:?} {page_sub} under {}: import the primary family's page first, or give --id",
                        family.title, family.path_prefix.value
                    ),
                )
            })?,
    };
    let id = old.id.value.clone();
    note(
        method_line,
        NoteKind::Reused,
        format!(
            "the page is family `{fid}`'s ({}): it updates the `{fid}` entry of operation `{id}`; the operation itself and its other families' entries are api-spec's, unchanged",
            family.title
        ),
    );

    // The entry: doc page, 更新时间 and 频率限制 from the page, the rest as it was.
    let before = old.families.iter().find(|e| e.family.value == fid);
    let mut entry = match before {
        Some(e) => carry_family(e),
        None => {
            let m = note(
                page.title.line,
                NoteKind::Inferred,
                format!("operation `{id}` had no `{fid}` entry: the page adds one"),
            );
            DFamily {
                family: fid.to_owned(),
                doc_id: None,
                updated: None,
                path: None,
                rate_limit: None,
                source: format!("the {} page {} ({page_name})", family.title, page.title.value),
                decisions: Vec::new(),
                marks: vec![m],
            }
        }
    };
    let page_doc_id = opts.doc_id.clone().or_else(|| page.doc_id.as_ref().map(|d| d.value.clone()));
    if page.kind == PageKind::Reference {
        match page_doc_id {
            Some(d) => entry.doc_id = Some(d),
            None if entry.doc_id.is_some() => {
                note(
                    page.title.line,
                    NoteKind::Reused,
                    format!("doc_id of the `{fid}` entry (the page has no doc URL)"),
                );
            }
            None => {}
        }
        match &page.updated {
            Some(u) => entry.updated = Some(u.value.clone()),
            None => {
                note(page.title.line, NoteKind::Reused, format!("updated of the `{fid}` entry (the page has none)"));
            }
        }
    }
    if let Some(r) = &page.rate_limit {
        match rate_limit(&r.value) {
            Some(p) => {
                if p.per_minute {
                    let m = note(
                        r.line,
                        NoteKind::Inferred,
                        format!(
                            "per_second = {} from `{}` (rounded up: never stricter than the server)",
                            p.per_second, r.value
                        ),
                    );
                    entry.marks.push(m);
                }
                // The page's wording, unless it is the entry's once copy artefacts are set aside.
                let text = match &entry.rate_limit {
                    Some((n, t)) if *n == p.per_second && wording::same(t, &r.value) => t.clone(),
                    _ => r.value.clone(),
                };
                entry.rate_limit = Some((p.per_second, text));
            }
            None => {
                note(r.line, NoteKind::NotImported, format!("频率限制 `{}` is not of the form N/s or N/min", r.value));
            }
        }
    }
    if page.kind == PageKind::Example {
        note(
            page.title.line,
            NoteKind::NotImported,
            format!("an example page of family `{fid}`: its doc page and 更新时间 are not the operation's page's"),
        );
    }

    // What the page shows that the operation does not (the family's derived differences aside).
    let dropped: Vec<String> = if family.brand_identity.value == spec::BrandIdentity::Authorization {
        existing.families().iter().filter_map(|f| f.brand_field.as_ref().map(|b| b.value.clone())).collect()
    } else {
        Vec::new()
    };
    let mut cmp = Compare { existing, fid, dropped: &dropped, notes: Vec::new() };
    cmp.params("path parameter", &page.path_params, &old.path_params);
    cmp.params("query parameter", &page.query_params, &old.query_params);
    if let Some(body) = old.request_body.as_ref().and_then(|b| existing.model(&b.value)) {
        cmp.fields(&page.body, body, page.title.line);
    } else if let Some(f) = page.body.first() {
        cmp.notes.push((f.line, format!("the page has a body table; operation `{id}` sends no JSON body")));
    }
    for r in &page.responses {
        let model = old
            .responses
            .iter()
            .find(|x| x.status.value == r.status)
            .and_then(|x| x.body.as_ref())
            .and_then(|b| existing.model(&b.value));
        if let Some(m) = model {
            cmp.fields(&r.fields, m, r.line);
        }
    }
    let page_codes: Vec<(u16, &str)> = page.errors.iter().map(|e| (e.status, e.code.as_str())).collect();
    for e in &page.errors {
        if !old.errors.iter().any(|x| x.status.value == e.status && x.code.value == e.code) {
            cmp.notes.push((
                e.line,
                format!("error {} {} is on the `{fid}` page, not in operation `{id}`", e.status, e.code),
            ));
        }
    }
    if !page.errors.is_empty() {
        for x in old.errors.iter().filter(|x| !page_codes.contains(&(x.status.value, x.code.value.as_str()))) {
            cmp.notes.push((
                page.errors.first().map_or(0, |e| e.line),
                format!("error {} {} of operation `{id}` is not on the `{fid}` page", x.status.value, x.code.value),
            ));
        }
    }
    for (line, message) in cmp.notes {
        note(line, NoteKind::Conflict, format!("{message} (review: the family's page and the operation differ)"));
    }
    if page.kind == PageKind::Reference && !wording::same(&page.title.value, &old.title) {
        note(
            page.title.line,
            NoteKind::NotImported,
            format!("title {:?}: the operation keeps {:?}, its primary family's page's", page.title.value, old.title),
        );
    }
    for e in &page.examples {
        note(
            e.line,
            NoteKind::NotImported,
            format!("example {:?}: the operation's examples are its primary family's page's", e.title),
        );
    }
    for u in &page.unplaced {
        note(u.line, NoteKind::NotImported, format!("not understood: {}", u.value));
    }
    for u in &page.skipped {
        note(u.line, NoteKind::NotImported, u.value.clone());
    }

    let mut op = carry_op(old);
    for f in &mut op.families {
        if f.family == fid {
            *f = entry.clone();
        }
    }
    if before.is_none() {
        op.families.push(entry);
    }
    notes.sort_by_key(|n| n.line);
    Ok((Draft { op, models: Vec::new(), enums: Vec::new() }, notes))
}

/// The page's fields against the operation's model, for a secondary family's page.
struct Compare<'a, 'b> {
    existing: &'b Existing<'a>,
    fid: &'b str,
    dropped: &'b [String],
    notes: Vec<(usize, String)>,
}

impl Compare<'_, '_> {
    fn params(&mut self, what: &str, page: &[PageField], old: &[spec::Field]) {
        for f in page {
            match old.iter().find(|o| o.name.value == f.name) {
                None => self.notes.push((f.line, format!("{what} `{}` is on the `{}` page only", f.name, self.fid))),
                Some(o) => self.presence(f, &o.presence.value, what),
            }
        }
        if let Some(first) = page.first() {
            for o in old.iter().filter(|o| !page.iter().any(|f| f.name == o.name.value)) {
                if !self.dropped.contains(&o.name.value) {
                    let message = format!("{what} `{}` is not on the `{}` page", o.name.value, self.fid);
                    self.notes.push((first.line, message));
                }
            }
        }
    }

    fn presence(&mut self, f: &PageField, old: &Presence, what: &str) {
        if let Some(p) = f.presence
            && p != *old
        {
            self.notes.push((
                f.line,
                format!("{what} `{}` is {p:?} on the `{}` page, {old:?} in api-spec", f.name, self.fid),
            ));
        }
    }

    /// Field by field, into nested models where the page shows their fields.
    fn fields(&mut self, page: &[PageField], model: &spec::Model, line: usize) {
        let name = &model.name.value;
        for f in page {
            if self.dropped.contains(&f.name) {
                let message = format!("`{name}.{}` is on the `{}` page, though the family drops it", f.name, self.fid);
                self.notes.push((f.line, message));
                continue;
            }
            let Some(o) = model.fields.iter().find(|o| o.name.value == f.name) else {
                self.notes.push((f.line, format!("`{name}.{}` is on the `{}` page only", f.name, self.fid)));
                continue;
            };
            self.presence(f, &o.presence.value, &format!("field of `{name}`"));
            if !f.children.is_empty()
                && let Some(sub) = o.reference.as_ref().and_then(|r| self.existing.model(&r.value))
            {
                self.fields(&f.children, sub, f.line);
            }
        }
        if page.is_empty() {
            return;
        }
        let at = page.first().map_or(line, |f| f.line);
        for o in model.fields.iter().filter(|o| !page.iter().any(|f| f.name == o.name.value)) {
            if !self.dropped.contains(&o.name.value) {
                let message = format!("`{name}.{}` is not on the `{}` page", o.name.value, self.fid);
                self.notes.push((at, message));
            }
        }
    }
}

/// The operation as api-spec has it, to be written back unchanged.
pub fn carry_op(o: &spec::Operation) -> DOp {
    DOp {
        id: o.id.value.clone(),
        title: o.title.clone(),
        doc_id: o.doc_id.clone(),
        updated: o.updated.clone(),
        description: o.description.clone(),
        method: o.method,
        path: o.path.value.clone(),
        merchants: o.merchants.clone(),
        preconditions: o.preconditions.clone(),
        rate_limit: o.rate_limit.as_ref().map(|r| (r.per_second.value, r.text.clone())),
        headers: o.headers.iter().map(|h| (h.name.clone(), h.required, h.description.clone())).collect(),
        path_params: o.path_params.iter().map(carry).collect(),
        query_params: o.query_params.iter().map(carry).collect(),
        request_body: o.request_body.as_ref().map(|b| b.value.clone()),
        pagination: o.pagination.as_ref().map(|p| {
            [
                p.page_size.value.clone(),
                p.page_token.value.clone(),
                p.next_page_token.value.clone(),
                p.items.value.clone(),
            ]
        }),
        upload: o.upload.as_ref().map(|u| DUpload {
            file_field: u.file_field.clone(),
            meta_field: u.meta_field.clone(),
            meta: u.meta.value.clone(),
            max_bytes: u.max_bytes.value,
            media_types: u.media_types.clone(),
        }),
        responses: o
            .responses
            .iter()
            .map(|r| (r.status.value, r.body.as_ref().map(|b| b.value.clone()), r.description.clone()))
            .collect(),
        errors: o
            .errors
            .iter()
            .map(|e| (e.status.value, e.code.value.clone(), e.description.clone(), e.solution.clone()))
            .collect(),
        examples: o
            .examples
            .iter()
            .map(|e| DExample {
                kind: e.kind,
                format: e.format,
                title: e.title.clone(),
                source: e.source.clone(),
                status: e.status,
                text: e.text.value.clone(),
                expect_invalid: e.expect_invalid.clone(),
                marks: Vec::new(),
            })
            .collect(),
        decisions: o.decisions.clone(),
        families: o.families.iter().map(carry_family).collect(),
        marks: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (u32, bool, Option<RateLimitDimension>) {
        let r = rate_limit(text).unwrap_or_else(|| panic!("{text}"));
        (r.per_second, r.per_minute, r.dimension)
    }

    #[test]
    fn rate_limits_in_the_pages_wordings() {
        use RateLimitDimension::*;
        assert_eq!(read("20/s"), (20, false, None));
        assert_eq!(read("20/s(品牌ID维度)"), (20, false, Some(Brand)));
        assert_eq!(read("500/秒(商户号维度)"), (500, false, Some(Merchant)));
        assert_eq!(read("接口限频:10/秒（品牌ID维度）"), (10, false, Some(Brand)));
        assert_eq!(read("10/秒"), (10, false, None));
        assert_eq!(read("1000次/分钟"), (17, true, None));
        assert_eq!(read("接口级限制1000/min"), (17, true, None));
        assert_eq!(read("30/min"), (1, true, None));
        assert_eq!(rate_limit("视情况而定"), None);
        assert_eq!(rate_limit("20/h"), None);
    }
}
