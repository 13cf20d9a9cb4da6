//! From what the page states to the spec of its operation: types inferred from the page's
//! examples, gaps filled from the models already in `api-spec/` (referenced, not duplicated),
//! and a [`Note`] for every inferred or reused fact and every disagreement, with its page line.

pub(crate) mod model;
pub(crate) mod render;

pub use model::{DEnum, DExample, DFamily, DField, DModel, DOp, DUpload, Draft, Existing, Marks, carry_family};
pub(crate) use model::{carry, path_matches};
pub use render::q;
use render::{render_alternatives, render_disputed_constraint, render_rule, type_name};

use crate::import::json::{Node, Value};
use crate::import::page::{Base, Located, Page, PageField, PageKind};
use crate::import::{ImportError, ImportOptions, Note, NoteKind};
use crate::names;
use crate::spec::{self, ExampleKind, FieldType, Method, Presence};
use crate::wording;

struct Cx<'a, 'b> {
    existing: &'b Existing<'a>,
    notes: Vec<Note>,
    models: Vec<DModel>,
    enums: Vec<DEnum>,
    /// An "API请求示例" page, whose comments summarise what the reference page describes.
    example_page: bool,
}

impl Cx<'_, '_> {
    fn note(&mut self, line: usize, kind: NoteKind, message: impl Into<String>) -> String {
        let message = message.into();
        self.notes.push(Note { line, kind, message: message.clone() });
        format!("{}: {message}", kind.word())
    }

    fn name_taken(&self, name: &str) -> bool {
        self.existing.type_exists(name)
            || self.models.iter().any(|m| m.name == name)
            || self.enums.iter().any(|e| e.name == name)
    }

    /// A fresh type name for a nested object or enum: the field's name, or the owner's name
    /// and the field's when that is taken.
    fn fresh_name(&self, owner: &str, field: &str) -> String {
        let base = names::pascal(field.strip_suffix("_list").unwrap_or(field));
        if !self.name_taken(&base) {
            return base;
        }
        let mut name = format!("{owner}{base}");
        let mut n = 2;
        while self.name_taken(&name) {
            name = format!("{owner}{base}{n}");
            n += 1;
        }
        name
    }
}

/// Builds the draft of the page's operation, in steps: a page of another family is handed to
/// that family; otherwise the operation's identity, its facts, parameters, request body,
/// responses, errors, examples and decisions, the lines left over, prose in the spec's
/// convention and what pages never show. The steps run in this order: notes on one line keep
/// the order they were made in.
pub fn build(
    page_name: &str,
    page: &Page,
    opts: &ImportOptions,
    existing: &Existing<'_>,
) -> Result<(Draft, Vec<Note>), ImportError> {
    let mut cx = Cx {
        existing,
        notes: Vec::new(),
        models: Vec::new(),
        enums: Vec::new(),
        example_page: page.kind == PageKind::Example,
    };
    if let Some(draft) = other_family(page_name, page, opts, existing, &mut cx.notes) {
        return draft;
    }
    let err = |line: usize, msg: String| ImportError::new(page_name, line, msg);
    let (method, method_line) =
        page.method.as_ref().map(|m| (m.value, m.line)).ok_or_else(|| err(1, "no method".into()))?;
    let path_at = page.path.as_ref().ok_or_else(|| err(method_line, "no path".into()))?;
    let old = existing.operations().find(|o| o.method == method && path_matches(&o.path.value, &path_at.value));
    let mut steps = Steps { cx, page, page_name, old, marks: Vec::new(), title_line: page.title.line };
    let path = steps.path(path_at);
    let id = steps.id(opts, method, method_line, &path)?;
    let pascal_id = names::pascal(&id);
    let facts = steps.facts(opts)?;
    let (path_params, query_params) = steps.parameters(&pascal_id);
    let request_body = steps.request_body(&id, &pascal_id, &facts.title);
    let responses = steps.responses(&id, &pascal_id);
    let errors = steps.errors();
    let examples = steps.examples(&id, &path, &facts);
    let decisions = steps.decisions(&id);
    steps.not_imported();
    let (facts, errors) = steps.conventional(facts, errors);
    let (pagination, upload, families) = steps.carried(&id);
    let Facts { title, doc_id, updated, description, merchants, preconditions, rate_limit, headers, .. } = facts;
    let Steps { mut cx, marks, .. } = steps;
    let op = DOp {
        id,
        title,
        doc_id,
        updated,
        description,
        method,
        path,
        merchants,
        preconditions,
        rate_limit,
        headers,
        path_params,
        query_params,
        request_body,
        pagination,
        upload,
        responses,
        errors,
        examples,
        decisions,
        families,
        marks,
    };
    cx.notes.sort_by_key(|n| n.line);
    Ok((Draft { op, models: cx.models, enums: cx.enums }, cx.notes))
}

/// A page of another family than the primary one updates that family's entry only: its
/// draft, when the page is one.
fn other_family(
    page_name: &str,
    page: &Page,
    opts: &ImportOptions,
    existing: &Existing<'_>,
    notes: &mut Vec<Note>,
) -> Option<Result<(Draft, Vec<Note>), ImportError>> {
    let d = crate::import::family::detect(page, existing, notes).filter(|d| !d.primary)?;
    Some(crate::import::family::secondary(page_name, page, opts, existing, d.family).map(|(draft, mut found)| {
        found.append(notes);
        found.sort_by_key(|n| n.line);
        (draft, found)
    }))
}

/// The operation's row facts as the steps found them, before prose is made conventional.
struct Facts {
    title: String,
    /// The page's doc id (`--doc-id` or its URL), whatever kind of page it is.
    page_doc_id: Option<String>,
    doc_id: String,
    /// The page's 更新时间.
    page_updated: Option<String>,
    updated: String,
    description: Option<String>,
    merchants: Vec<String>,
    preconditions: Vec<String>,
    rate_limit: Option<(u32, String)>,
    headers: Vec<(String, bool, String)>,
}

type Errors = Vec<(u16, String, String, String)>;

/// What the steps of [`build`] share: the notes and new types so far, the page, api-spec's
/// operation at the page's method and path (`old`), and the marks by key.
struct Steps<'p, 'a, 'b> {
    cx: Cx<'a, 'b>,
    page: &'p Page,
    page_name: &'p str,
    old: Option<&'a spec::Operation>,
    marks: Vec<(&'static str, String)>,
    /// The page's title line, where facts not on any one line are noted.
    title_line: usize,
}

impl<'a> Steps<'_, 'a, '_> {
    fn err(&self, line: usize, msg: String) -> ImportError {
        ImportError::new(self.page_name, line, msg)
    }

    /// A fact of the operation: the page's, else the existing operation's (marked).
    fn fill<T>(
        &mut self,
        key: &'static str,
        from_page: Option<T>,
        from_old: impl FnOnce(&'a spec::Operation) -> Option<T>,
        line: usize,
    ) -> Option<T> {
        match (from_page, self.old) {
            (Some(v), _) => Some(v),
            (None, Some(o)) => {
                let v = from_old(o);
                let m = self.cx.note(
                    line,
                    NoteKind::Reused,
                    format!("{} from operation `{}` (the page does not give it)", key, o.id.value),
                );
                self.marks.push((key, m));
                v
            }
            (None, None) => None,
        }
    }

    /// The path template: api-spec's when it matches the page's (an example path, say).
    fn path(&mut self, path_at: &Located<String>) -> String {
        match self.old {
            Some(o) if o.path.value != path_at.value => {
                let m = self.cx.note(
                    path_at.line,
                    NoteKind::Reused,
                    format!(
                        "path template `{}` of operation `{}` (the example shows `{}`)",
                        o.path.value, o.id.value, path_at.value
                    ),
                );
                self.marks.push(("path", m));
                o.path.value.clone()
            }
            _ => path_at.value.clone(),
        }
    }

    /// The operation id: `--id`, else api-spec's operation's, else derived from the method and
    /// path (never one naming another operation).
    fn id(
        &mut self,
        opts: &ImportOptions,
        method: Method,
        method_line: usize,
        path: &str,
    ) -> Result<String, ImportError> {
        let existing = self.cx.existing;
        Ok(match (&opts.id, self.old) {
            (Some(id), None) if existing.operations().any(|o| o.id.value == *id) => {
                let o = existing.operations().find(|o| o.id.value == *id);
                let at = o.map(|o| format!("{:?} {}", o.method, o.path.value)).unwrap_or_default();
                let m = self.cx.note(
                    method_line,
                    NoteKind::Conflict,
                    format!("--id `{id}` is api-spec's operation at {at}: the page replaces it, at {method:?} {path}"),
                );
                self.marks.push(("id", m));
                id.clone()
            }
            (Some(id), _) => id.clone(),
            (None, Some(o)) => {
                let m = self.cx.note(
                    method_line,
                    NoteKind::Reused,
                    format!("operation id `{}`: api-spec has {method:?} {path}", o.id.value),
                );
                self.marks.push(("id", m));
                o.id.value.clone()
            }
            (None, None) => {
                let id = derive_id(method, path);
                // Never replace another operation by a name guessed from the path.
                if let Some(o) = existing.operations().find(|o| o.id.value == id) {
                    return Err(self.err(
                        method_line,
                        format!(
                            "api-spec has no operation at {method:?} {path}, and the id `{id}` derived from it is the operation at {:?} {}: give --id (a new id, or `{id}` to replace that operation)",
                            o.method, o.path.value
                        ),
                    ));
                }
                let m = self.cx.note(
                    method_line,
                    NoteKind::Inferred,
                    format!("operation id `{id}` from the method and path (give --id to choose)"),
                );
                self.marks.push(("id", m));
                id
            }
        })
    }

    /// Title, doc id, 更新时间, description, merchants, preconditions, 频率限制 and headers.
    fn facts(&mut self, opts: &ImportOptions) -> Result<Facts, ImportError> {
        let page = self.page;
        let title_line = self.title_line;
        let page_title = (page.kind == PageKind::Reference).then(|| page.title.value.clone());
        let title = self
            .fill("title", page_title, |o: &spec::Operation| Some(o.title.clone()), title_line)
            .unwrap_or_else(|| page.title.value.clone());
        let page_doc_id = opts.doc_id.clone().or_else(|| page.doc_id.as_ref().map(|d| d.value.clone()));
        let op_doc_id = if page.kind == PageKind::Reference { page_doc_id.clone() } else { None };
        let doc_id = self
            .fill("doc_id", op_doc_id, |o: &spec::Operation| Some(o.doc_id.clone()), title_line)
            .or_else(|| page_doc_id.clone())
            .ok_or_else(|| {
                self.err(
                    title_line,
                    "the page has no doc URL and api-spec has no operation with its method and path: give --doc-id"
                        .into(),
                )
            })?;
        let page_updated = page.updated.as_ref().map(|u| u.value.clone());
        let updated = self
            .fill("updated", page_updated.clone(), |o: &spec::Operation| Some(o.updated.clone()), title_line)
            .ok_or_else(|| self.err(title_line, "the page has no 更新时间 line".into()))?;
        let description = self
            .fill(
                "description",
                page.description.as_ref().map(|d| Some(d.value.clone())),
                |o: &spec::Operation| Some(o.description.clone()),
                title_line,
            )
            .flatten();
        let merchants = self
            .fill(
                "merchants",
                (!page.merchants.is_empty()).then(|| page.merchants.iter().map(|m| m.value.clone()).collect()),
                |o: &spec::Operation| Some(o.merchants.clone()),
                title_line,
            )
            .unwrap_or_default();
        let preconditions = self
            .fill(
                "preconditions",
                (!page.preconditions.is_empty()).then(|| page.preconditions.iter().map(|m| m.value.clone()).collect()),
                |o: &spec::Operation| Some(o.preconditions.clone()),
                title_line,
            )
            .unwrap_or_default();
        let page_rate = self.page_rate();
        let rate_limit = self
            .fill(
                "rate_limit",
                page_rate,
                |o: &spec::Operation| Some(o.rate_limit.as_ref().map(|r| (r.per_second.value, r.text.clone()))),
                title_line,
            )
            .flatten();
        let headers: Vec<(String, bool, String)> = self
            .fill(
                "headers",
                (!page.headers.is_empty() && (page.kind == PageKind::Reference || self.old.is_none())).then(|| {
                    page.headers.iter().map(|h| (h.name.clone(), h.required, h.description.clone())).collect()
                }),
                |o: &spec::Operation| {
                    Some(o.headers.iter().map(|h| (h.name.clone(), h.required, h.description.clone())).collect())
                },
                title_line,
            )
            .unwrap_or_default();
        Ok(Facts {
            title,
            page_doc_id,
            doc_id,
            page_updated,
            updated,
            description,
            merchants,
            preconditions,
            rate_limit,
            headers,
        })
    }

    /// The page's 频率限制 as a quota (`Some(None)` never: `None` when the page has none or it
    /// does not read as N/s or N/min).
    fn page_rate(&mut self) -> Option<Option<(u32, String)>> {
        let r = self.page.rate_limit.as_ref()?;
        match crate::import::family::rate_limit(&r.value) {
            Some(crate::import::family::PageRate { per_second: n, per_minute: inferred, .. }) => {
                if inferred {
                    let m = self.cx.note(
                        r.line,
                        NoteKind::Inferred,
                        format!("per_second = {n} from `{}` (rounded up: never stricter than the server)", r.value),
                    );
                    self.marks.push(("rate_limit", m));
                }
                Some(Some((n, r.value.clone())))
            }
            None => {
                self.cx.note(
                    r.line,
                    NoteKind::NotImported,
                    format!("频率限制 `{}` is not of the form N/s or N/min", r.value),
                );
                None
            }
        }
    }

    /// Path and query parameters: the page's, else api-spec's (marked).
    fn parameters(&mut self, pascal_id: &str) -> (Vec<DField>, Vec<DField>) {
        let page = self.page;
        let old = self.old;
        let path_params =
            self.params(&page.path_params, old.map_or(&[][..], |o| &o.path_params), "path parameter", pascal_id);
        let query_params =
            self.params(&page.query_params, old.map_or(&[][..], |o| &o.query_params), "query parameter", pascal_id);
        (path_params, query_params)
    }

    fn params(
        &mut self,
        fields: &[PageField],
        old: &[spec::Field],
        what: &'static str,
        pascal_id: &str,
    ) -> Vec<DField> {
        let cx = &mut self.cx;
        let mut out: Vec<DField> =
            fields.iter().map(|f| cx.field(f, old.iter().find(|o| o.name.value == f.name), pascal_id)).collect();
        if fields.is_empty() {
            for o in old {
                let mut d = carry(o);
                d.marks.push(cx.note(
                    self.title_line,
                    NoteKind::Reused,
                    format!("{what} `{}` from api-spec (the page does not list it)", o.name.value),
                ));
                out.push(d);
            }
        }
        out
    }

    /// The request body's model; an upload's page lists the meta JSON's fields as its body.
    fn request_body(&mut self, id: &str, pascal_id: &str, title: &str) -> Option<String> {
        let (page, old, title_line) = (self.page, self.old, self.title_line);
        let upload_meta = old.and_then(|o| o.upload.as_ref()).map(|u| u.meta.value.clone());
        if let Some(meta) = &upload_meta {
            if !page.body.is_empty() {
                let line = page.body.first().map_or(title_line, |f| f.line);
                let example =
                    page.examples.iter().find(|e| e.kind == ExampleKind::Request).and_then(|e| e.json.as_ref());
                self.cx.body_model(Some(meta.clone()), meta, &page.body, example, line, None);
            }
            None
        } else if page.body.is_empty() {
            match old.and_then(|o| o.request_body.as_ref()) {
                Some(b) => {
                    let m = self.cx.note(
                        title_line,
                        NoteKind::Reused,
                        format!("request_body `{}` from operation `{id}`", b.value),
                    );
                    self.marks.push(("request_body", m));
                    Some(b.value.clone())
                }
                None => None,
            }
        } else {
            let line = page.body.first().map_or(title_line, |f| f.line);
            let name = old.and_then(|o| o.request_body.as_ref()).map(|b| b.value.clone());
            let example = page.examples.iter().find(|e| e.kind == ExampleKind::Request).and_then(|e| e.json.as_ref());
            Some(self.cx.body_model(
                name,
                &format!("{pascal_id}Request"),
                &page.body,
                example,
                line,
                Some(title.to_owned()),
            ))
        }
    }

    /// The responses: the page's (their models), else api-spec's or a 200 without a body.
    fn responses(&mut self, id: &str, pascal_id: &str) -> Vec<(u16, Option<String>, Option<String>)> {
        let (page, old, title_line) = (self.page, self.old, self.title_line);
        let mut responses = Vec::new();
        if page.responses.is_empty() {
            match old {
                Some(o) => {
                    let m = self.cx.note(
                        title_line,
                        NoteKind::Reused,
                        format!("responses from operation `{id}` (the page shows none)"),
                    );
                    self.marks.push(("responses", m));
                    responses = o
                        .responses
                        .iter()
                        .map(|r| (r.status.value, r.body.as_ref().map(|b| b.value.clone()), r.description.clone()))
                        .collect();
                }
                None => {
                    let m = self.cx.note(
                        title_line,
                        NoteKind::Inferred,
                        "a 200 response without a body (the page shows no response)",
                    );
                    self.marks.push(("responses", m));
                    responses.push((200, None, None));
                }
            }
        }
        for r in &page.responses {
            let old_r = old.and_then(|o| o.responses.iter().find(|x| x.status.value == r.status));
            let old_body = old_r.and_then(|x| x.body.as_ref()).map(|b| b.value.clone());
            let description = old_r.and_then(|x| x.description.clone());
            if r.fields.is_empty() {
                responses.push((r.status, old_body, description));
                continue;
            }
            let example = page
                .examples
                .iter()
                .find(|e| e.kind == ExampleKind::Response && e.status.is_none_or(|s| s == r.status))
                .and_then(|e| e.json.as_ref());
            let name = self.cx.body_model(old_body, &format!("{pascal_id}Response"), &r.fields, example, r.line, None);
            responses.push((r.status, Some(name), description));
        }
        responses
    }

    /// The error table: the page's, else api-spec's.
    fn errors(&mut self) -> Errors {
        let page = self.page;
        self.fill(
            "errors",
            (!page.errors.is_empty()).then(|| {
                page.errors
                    .iter()
                    .map(|e| (e.status, e.code.clone(), e.description.clone(), e.solution.clone()))
                    .collect()
            }),
            |o: &spec::Operation| {
                Some(
                    o.errors
                        .iter()
                        .map(|e| (e.status.value, e.code.value.clone(), e.description.clone(), e.solution.clone()))
                        .collect(),
                )
            },
            self.title_line,
        )
        .unwrap_or_default()
    }

    /// Examples: the page's, verbatim, then the existing operation's others (other scenarios).
    fn examples(&mut self, id: &str, path: &str, facts: &Facts) -> Vec<DExample> {
        let (page, old, title_line) = (self.page, self.old, self.title_line);
        let source_id = facts.page_doc_id.clone().unwrap_or_else(|| facts.doc_id.clone());
        let area = if path.contains("/partner/") { "partner" } else { "merchant" };
        let source = format!(
            "pay.weixin.qq.com/doc/v3/{area}/{source_id} ({}, 更新时间 {})",
            page.title.value,
            facts.page_updated.clone().unwrap_or_else(|| facts.updated.clone())
        );
        for e in page.examples.iter().filter(|e| e.json.is_none()) {
            self.cx.note(
                e.line,
                NoteKind::NotImported,
                format!("example {:?} has no JSON body; the spec keeps JSON examples only", e.title),
            );
        }
        let mut examples: Vec<DExample> = Vec::new();
        for e in page.examples.iter().filter(|e| e.json.is_some()) {
            // An example api-spec already knows to be invalid (a catalogue of alternatives, say)
            // keeps its marker, or the draft would refuse the page's own example.
            let known = old.and_then(|o| o.examples.iter().find(|x| x.title == e.title && x.kind == e.kind));
            let (expect_invalid, marks) = match known.and_then(|x| x.expect_invalid.clone()) {
                Some(why) => {
                    let m = self.cx.note(
                        e.line,
                        NoteKind::Reused,
                        format!("expect_invalid of example {:?}: {why}", e.title),
                    );
                    (Some(why), vec![m])
                }
                None => (None, Vec::new()),
            };
            examples.push(DExample {
                kind: e.kind,
                format: e.format,
                title: e.title.clone(),
                source: source.clone(),
                status: e.status,
                text: e.text.clone(),
                expect_invalid,
                marks,
            });
        }
        if let Some(o) = old {
            for e in &o.examples {
                if !examples.iter().any(|x| x.title == e.title && x.kind == e.kind) {
                    let m = self.cx.note(
                        title_line,
                        NoteKind::Reused,
                        format!("example {:?} of operation `{id}` (not on this page)", e.title),
                    );
                    examples.push(DExample {
                        kind: e.kind,
                        format: e.format,
                        title: e.title.clone(),
                        source: e.source.clone(),
                        status: e.status,
                        text: e.text.value.clone(),
                        expect_invalid: e.expect_invalid.clone(),
                        marks: vec![m],
                    });
                }
            }
        }
        examples
    }

    /// api-spec's decisions of the operation, kept and marked for review.
    fn decisions(&mut self, id: &str) -> Vec<String> {
        match self.old {
            Some(o) if !o.decisions.is_empty() => {
                let m = self.cx.note(
                    self.title_line,
                    NoteKind::Reused,
                    format!("{} decision(s) of operation `{id}`: check they still hold", o.decisions.len()),
                );
                self.marks.push(("decisions", m));
                o.decisions.clone()
            }
            _ => Vec::new(),
        }
    }

    /// The page lines no step placed, and those the page reader skipped.
    fn not_imported(&mut self) {
        let page = self.page;
        for u in &page.unplaced {
            self.cx.note(u.line, NoteKind::NotImported, format!("not understood: {}", u.value));
        }
        for s in &page.skipped {
            self.cx.note(s.line, NoteKind::NotImported, s.value.clone());
        }
    }

    /// Prose in the spec's convention: api-spec's own text where the page says the same (so
    /// adopting the draft changes nothing), else the page's, with the spec's punctuation.
    fn conventional(&self, facts: Facts, errors: Errors) -> (Facts, Errors) {
        let old = self.old;
        let title = prose(&facts.title, old.map(|o| o.title.as_str()), false);
        let description = facts.description.map(|d| prose(&d, old.and_then(|o| o.description.as_deref()), true));
        let list = |page: Vec<String>, old: Option<&Vec<String>>| match old {
            Some(o) if wording::same_list(&page, o) => o.clone(),
            _ => page.iter().map(|t| wording::conventional(t, false)).collect(),
        };
        let merchants = list(facts.merchants, old.map(|o| &o.merchants));
        let preconditions = list(facts.preconditions, old.map(|o| &o.preconditions));
        let headers: Vec<(String, bool, String)> = facts
            .headers
            .into_iter()
            .map(|(name, required, text): (String, bool, String)| {
                let before = old.and_then(|o| o.headers.iter().find(|h| h.name == name));
                let text = prose(&text, before.map(|h| h.description.as_str()), false);
                (name, required, text)
            })
            .collect();
        let rate_limit = facts.rate_limit.map(|(n, text)| match old.and_then(|o| o.rate_limit.as_ref()) {
            Some(r) if r.per_second.value == n && wording::same(&r.text, &text) => (n, r.text.clone()),
            _ => (n, text),
        });
        let errors: Errors = errors
            .into_iter()
            .map(|(status, code, description, solution): (u16, String, String, String)| {
                let before = old.and_then(|o| {
                    o.errors.iter().find(|e| {
                        e.status.value == status
                            && e.code.value == code
                            && wording::same(&e.description, &description)
                            && wording::same(&e.solution, &solution)
                    })
                });
                match before {
                    Some(e) => (status, code, e.description.clone(), e.solution.clone()),
                    None => (status, code, description, solution),
                }
            })
            .collect();
        let facts = Facts { title, description, merchants, preconditions, headers, rate_limit, ..facts };
        (facts, errors)
    }

    /// What pages never show: pagination and upload layout, and the families' entries (a page
    /// of the primary family changes none of them).
    #[allow(clippy::type_complexity, reason = "the three carried entries, used once")]
    fn carried(&mut self, id: &str) -> (Option<[String; 4]>, Option<DUpload>, Vec<DFamily>) {
        let (old, title_line) = (self.old, self.title_line);
        let pagination = old.and_then(|o| o.pagination.as_ref()).map(|p| {
            let m = self.cx.note(title_line, NoteKind::Reused, format!("pagination of operation `{id}` from api-spec"));
            self.marks.push(("pagination", m));
            [
                p.page_size.value.clone(),
                p.page_token.value.clone(),
                p.next_page_token.value.clone(),
                p.items.value.clone(),
            ]
        });
        let upload = old.and_then(|o| o.upload.as_ref()).map(|u| {
            let m =
                self.cx.note(title_line, NoteKind::Reused, format!("upload layout of operation `{id}` from api-spec"));
            self.marks.push(("upload", m));
            DUpload {
                file_field: u.file_field.clone(),
                meta_field: u.meta_field.clone(),
                meta: u.meta.value.clone(),
                max_bytes: u.max_bytes.value,
                media_types: u.media_types.clone(),
            }
        });
        let families: Vec<DFamily> = old.map(|o| o.families.iter().map(carry_family).collect()).unwrap_or_default();
        if !families.is_empty() {
            let ids: Vec<&str> = families.iter().map(|f| f.family.as_str()).collect();
            let m = self.cx.note(
                title_line,
                NoteKind::Reused,
                format!(
                    "the family entries of operation `{id}` ({}), unchanged: this page is the primary family's",
                    ids.join(", ")
                ),
            );
            self.marks.push(("families", m));
        }
        (pagination, upload, families)
    }
}

/// `page` as the spec writes it: `old` when it says the same, else in the spec's convention.
fn prose(page: &str, old: Option<&str>, sentence: bool) -> String {
    match old {
        Some(o) if wording::same(o, page) => o.to_owned(),
        _ => wording::conventional(page, sentence),
    }
}

fn derive_id(method: Method, path: &str) -> String {
    // Only letters, digits and `_` of the page's path make the id (it names the draft's file):
    // `..`, `/` or anything else a hostile page puts there cannot reach a file name.
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.starts_with('{'))
        .map(|s| {
            let word: String =
                s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
            word.trim_matches('_').to_owned()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let last = segments.last().cloned().unwrap_or_else(|| "resource".to_owned());
    let singular = last.strip_suffix('s').unwrap_or(&last).to_owned();
    let ends_with_param = path.trim_end_matches('/').ends_with('}');
    match method {
        Method::GET if ends_with_param => format!("get_{singular}"),
        Method::GET => format!("list_{last}"),
        Method::POST => format!("create_{singular}"),
        Method::PUT | Method::PATCH => format!("update_{singular}"),
        Method::DELETE => format!("delete_{singular}"),
    }
}

/// A field carrying only the constraints of `d` (for namesakes).
fn to_spec_constraints(d: &DField) -> spec::Field {
    fn sp<T>(v: T) -> spec::Sp<T> {
        spec::Sp::new(v, 0..0)
    }
    spec::Field {
        name: sp(d.name.clone()),
        ty: sp(d.ty.unwrap_or(FieldType::String)),
        items: None,
        reference: None,
        presence: sp(Presence::Optional),
        condition: None,
        label: d.label.clone(),
        description: None,
        example: None,
        min_length: d.min_length.map(sp),
        max_length: d.max_length.map(sp),
        charset: d.charset.clone().map(sp),
        min: None,
        max: None,
        min_items: None,
        max_items: None,
        decision: None,
        alternatives: None,
        disputed: Vec::new(),
        families: Vec::new(),
    }
}

/// Constraints a description states.
#[derive(Debug, Default, PartialEq)]
pub struct Stated {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub charset: Option<String>,
    pub min_count: Option<u64>,
    pub max_count: Option<u64>,
    pub amount: bool,
    pub datetime: bool,
}

fn number_after(s: &str) -> Option<(u64, &str)> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    Some((digits.parse().ok()?, s.get(digits.len()..)?))
}

/// Reads "长度在6-40个字符之间", "最少3次,最多15次", "可使用 数字、大小写字母、下划线_、短横线- 组成",
/// "单位为分", "rfc3339".
pub fn stated(text: &str) -> Stated {
    let mut s = Stated::default();
    if let Some(i) = text.find("长度") {
        let rest = text.get(i + "长度".len()..).unwrap_or("").trim_start_matches(['在', '为', ' ', ':', '：']);
        if let Some((a, r)) = number_after(rest) {
            let r = r.trim_start_matches(['-', '~', '至', '到', ' ']);
            match number_after(r) {
                Some((b, _)) => (s.min_length, s.max_length) = (Some(a), Some(b)),
                None => s.max_length = Some(a),
            }
        } else if let Some(r) = rest.strip_prefix("不超过").or_else(|| rest.strip_prefix("最多")) {
            s.max_length = number_after(r).map(|(n, _)| n);
        }
    }
    for (word, slot) in [("最少", 0), ("至少", 0), ("最多", 1), ("不超过", 1)] {
        if let Some(i) = text.find(word)
            && let Some((n, unit)) = number_after(text.get(i + word.len()..).unwrap_or(""))
        {
            if unit.starts_with("个字") {
                if slot == 0 { s.min_length = Some(n) } else { s.max_length = s.max_length.or(Some(n)) }
            } else if slot == 0 {
                s.min_count = s.min_count.or(Some(n));
            } else {
                s.max_count = s.max_count.or(Some(n));
            }
        }
    }
    if text.contains("组成") {
        let mut class = String::new();
        if text.contains("数字") {
            class.push_str("0-9");
        }
        if text.contains("大小写字母") || text.contains("英文字母") {
            class.push_str("A-Za-z");
        } else {
            if text.contains("大写字母") {
                class.push_str("A-Z");
            }
            if text.contains("小写字母") {
                class.push_str("a-z");
            }
        }
        if text.contains("下划线") {
            class.push('_');
        }
        if text.contains("短横线") || text.contains("中划线") || text.contains("横杠") {
            class.push('-');
        }
        if !class.is_empty() {
            s.charset = Some(class);
        }
    }
    s.amount = text.contains("单位为分") || text.contains("单位:分") || text.contains("单位：分");
    s.datetime = text.to_ascii_lowercase().contains("rfc3339") || text.contains("RFC 3339");
    s
}

fn looks_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 16
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.get(10) == Some(&b'T')
        && b.get(13) == Some(&b':')
}

/// What an example value says about a type.
fn example_type(node: &Node) -> Option<(FieldType, Option<FieldType>)> {
    let scalar = |n: &Node| match &n.value {
        Value::Str(s) if looks_datetime(s) => Some(FieldType::Datetime),
        Value::Str(_) => Some(FieldType::String),
        Value::Int(_) => Some(FieldType::Integer),
        Value::Bool(_) => Some(FieldType::Boolean),
        Value::Object(_) => Some(FieldType::Object),
        _ => None,
    };
    match &node.value {
        Value::Array(items) => Some((FieldType::Array, items.first().and_then(scalar))),
        _ => scalar(node).map(|t| (t, None)),
    }
}

/// Whether `refined` only narrows `stated` (a string the spec knows to be an enum or a
/// date-time, an integer known to be an amount).
fn refines(stated: FieldType, refined: FieldType) -> bool {
    stated == refined
        || matches!(
            (stated, refined),
            (FieldType::String, FieldType::Enum | FieldType::Datetime) | (FieldType::Integer, FieldType::Amount)
        )
}

impl Cx<'_, '_> {
    /// The model of a request or response body: the existing operation's model (rewritten
    /// from the page), else an api-spec model with exactly the page's fields (referenced),
    /// else a new model named after the operation.
    fn body_model(
        &mut self,
        name: Option<String>,
        fresh: &str,
        fields: &[PageField],
        example: Option<&Node>,
        line: usize,
        label: Option<String>,
    ) -> String {
        let existing = self.existing;
        let fields = &self.with_example_keys(fields, example, name.as_deref().unwrap_or(fresh));
        if let Some(name) = name {
            self.model(&name, fields, existing.model(&name), line, label);
            return name;
        }
        let names: std::collections::BTreeSet<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let same = existing
            .models()
            .find(|m| m.fields.len() == names.len() && m.fields.iter().all(|x| names.contains(x.name.value.as_str())));
        if let Some(m) = same {
            self.note(
                line,
                NoteKind::Reused,
                format!("the body is api-spec model `{}` (same fields); referenced, not duplicated", m.name.value),
            );
            self.compare(fields, m);
            return m.name.value.clone();
        }
        let name = if self.name_taken(fresh) { self.fresh_name("Draft", fresh) } else { fresh.to_owned() };
        self.model(&name, fields, None, line, label);
        name
    }

    /// The page's fields and, after them, the keys its example has that the page's table does
    /// not list (a collapsed block, a row lost in copying), each marked.
    fn with_example_keys(&mut self, fields: &[PageField], example: Option<&Node>, model: &str) -> Vec<PageField> {
        let mut out = fields.to_vec();
        // A set, not a scan of `out`: an example may have thousands of keys.
        let mut named: std::collections::HashSet<String> = fields.iter().map(|f| f.name.clone()).collect();
        for (key, line, node) in example.map(Node::entries).unwrap_or_default() {
            if !named.insert(key.to_owned()) {
                continue;
            }
            if !fields.is_empty() {
                self.note(
                    line,
                    NoteKind::Inferred,
                    format!("`{model}.{key}` is in the example but not in the page's table: added"),
                );
            }
            out.push(PageField { name: key.to_owned(), line, example: Some(node.clone()), ..PageField::default() });
        }
        out
    }

    /// Constraints of api-spec fields with this name and label elsewhere, when they all agree:
    /// a field the docs describe once (`out_request_no`, 创建请求单号) keeps its rules everywhere.
    fn namesakes(&self, name: &str, label: &str) -> Option<(spec::Field, Vec<String>)> {
        let mut found: Vec<(&spec::Field, String)> = Vec::new();
        for m in self.existing.models() {
            for f in m.fields.iter().filter(|f| f.name.value == name && f.label == label) {
                found.push((f, m.name.value.clone()));
            }
        }
        let (first, _) = found.first()?;
        let key = |f: &spec::Field| {
            (
                f.min_length.as_ref().map(|v| v.value),
                f.max_length.as_ref().map(|v| v.value),
                f.charset.as_ref().map(|v| v.value.clone()),
                f.ty.value,
            )
        };
        if found.iter().any(|(f, _)| key(f) != key(first)) {
            return None;
        }
        let mut field = carry(first);
        field.decision = None;
        let models = found.iter().map(|(_, m)| m.clone()).collect();
        Some((to_spec_constraints(&field), models))
    }

    /// A model of the draft from the page's fields, with the existing model of the same name
    /// filling gaps.
    fn model(
        &mut self,
        name: &str,
        fields: &[PageField],
        old: Option<&spec::Model>,
        line: usize,
        label: Option<String>,
    ) {
        let mut out: Vec<DField> = fields
            .iter()
            .map(|f| self.field(f, old.and_then(|m| m.fields.iter().find(|x| x.name.value == f.name)), name))
            .collect();
        let mut marks = Vec::new();
        let mut rules = Vec::new();
        let mut decisions = Vec::new();
        if let Some(m) = old {
            for f in &m.fields {
                if !fields.iter().any(|p| p.name == f.name.value) {
                    let mut d = carry(f);
                    d.marks.push(self.note(
                        line,
                        NoteKind::Reused,
                        format!(
                            "field `{name}.{}` from api-spec: not on this page (remove it if the page dropped it)",
                            f.name.value
                        ),
                    ));
                    out.push(d);
                }
            }
            if !m.rules.is_empty() {
                marks.push(self.note(
                    line,
                    NoteKind::Reused,
                    format!("{} rule(s) of model `{name}` from api-spec", m.rules.len()),
                ));
                rules = m.rules.iter().map(render_rule).collect();
            }
            decisions = m.decisions.clone();
        } else {
            rules = condition_rules(fields);
            if !rules.is_empty() {
                marks.push(self.note(
                    line,
                    NoteKind::Inferred,
                    format!("{} rule(s) of `{name}` from 条件必填 conditions", rules.len()),
                ));
            }
        }
        self.models.push(DModel {
            name: name.to_owned(),
            label: old.and_then(|m| m.label.clone()).or(label),
            description: old.and_then(|m| m.description.clone()),
            fields: out,
            rules,
            decisions,
            marks,
        });
    }

    /// One field: the page's facts, the example's type, the existing field's refinements.
    fn field(&mut self, f: &PageField, old: Option<&spec::Field>, owner: &str) -> DField {
        let line = f.line;
        let mut d = DField { name: f.name.clone(), ..DField::default() };
        let text = format!("{} {}", f.label.clone().unwrap_or_default(), f.description.clone().unwrap_or_default());
        let st = stated(&text);

        // Type: the page's type word, else the example's value.
        let mut from_example = false;
        let (mut ty, mut items) = match &f.ty {
            Some(tw) => {
                let base = match tw.base {
                    Base::String => Some(FieldType::String),
                    Base::Integer => Some(FieldType::Integer),
                    Base::Boolean => Some(FieldType::Boolean),
                    Base::Object => Some(FieldType::Object),
                    Base::Unknown => f.example.as_ref().and_then(example_type).and_then(|t| t.1),
                };
                if tw.array { (Some(FieldType::Array), base) } else { (base, None) }
            }
            None => match f.example.as_ref().and_then(example_type) {
                Some((t, i)) => {
                    from_example = true;
                    (Some(t), i)
                }
                None => (None, None),
            },
        };
        let scalar = if ty == Some(FieldType::Array) { &mut items } else { &mut ty };
        let mut enum_from_values = false;
        if !f.enum_values.is_empty() && matches!(*scalar, Some(FieldType::String) | None) {
            *scalar = Some(FieldType::Enum);
            enum_from_values = true;
        }
        let mut from_wording = None;
        if st.datetime && *scalar == Some(FieldType::String) {
            *scalar = Some(FieldType::Datetime);
            from_wording = Some("datetime: the description names RFC 3339");
        }
        if st.amount && *scalar == Some(FieldType::Integer) {
            *scalar = Some(FieldType::Amount);
            from_wording = Some("amount: the description says 单位为分");
        }
        if let Some(why) = from_wording {
            d.marks.push(self.note(line, NoteKind::Inferred, format!("`{}` is {why}", f.name)));
        }
        // The existing field may know more (an enum, an amount) or disagree.
        let marks_before = d.marks.len();
        if let Some(o) = old {
            let (ot, oi) = (o.ty.value, o.items.as_ref().map(|i| i.value));
            match (ty, items) {
                (None, _) => {
                    d.marks.push(self.note(
                        line,
                        NoteKind::Reused,
                        format!("type of `{}` from api-spec (the page does not give it)", f.name),
                    ));
                    (ty, items) = (Some(ot), oi);
                }
                (Some(t), i) if t == ot && i == oi => {}
                (Some(t), i)
                    if refines(t, ot)
                        && (i.is_none() || oi.is_none_or(|oi| i.is_some_and(|i| refines(i, oi))))
                        && (t != FieldType::Array || oi.is_some()) =>
                {
                    d.marks.push(self.note(
                        line,
                        NoteKind::Reused,
                        format!(
                            "`{}` is {} in api-spec (the page says {})",
                            f.name,
                            type_name(oi.unwrap_or(ot)),
                            type_name(i.unwrap_or(t))
                        ),
                    ));
                    (ty, items) = (Some(ot), oi);
                }
                (Some(t), Some(i)) if t == ot && oi.is_some_and(|oi| refines(i, oi)) => {
                    d.marks.push(self.note(
                        line,
                        NoteKind::Reused,
                        format!("items of `{}` are {} in api-spec", f.name, type_name(oi.unwrap_or(i))),
                    ));
                    items = oi;
                }
                (Some(t), i) if o.decision.is_some() => {
                    d.marks.push(self.note(
                        line,
                        NoteKind::Reused,
                        format!(
                            "`{}`: the page says {}, api-spec's {} holds (a decision it records)",
                            f.name,
                            type_name(i.unwrap_or(t)),
                            type_name(oi.unwrap_or(ot))
                        ),
                    ));
                    (ty, items) = (Some(ot), oi);
                }
                (Some(t), i) => {
                    d.marks.push(self.note(
                        line,
                        NoteKind::Conflict,
                        format!(
                            "`{}`: the page says {}{}, api-spec says {}{}; the page wins",
                            f.name,
                            type_name(t),
                            i.map(|i| format!(" of {}", type_name(i))).unwrap_or_default(),
                            type_name(ot),
                            oi.map(|i| format!(" of {}", type_name(i))).unwrap_or_default()
                        ),
                    ));
                }
            }
        }
        let Some(ty) = ty else {
            d.marks.push(self.note(
                line,
                NoteKind::Inferred,
                format!("`{}`: no type on the page, no example value, not in api-spec: string", f.name),
            ));
            d.ty = Some(FieldType::String);
            return self.finish_field(d, f, old, &st, owner);
        };
        d.ty = Some(ty);
        d.items = items;
        let element = if ty == FieldType::Array { items } else { Some(ty) };
        let type_taken_from_spec = d.marks.len() > marks_before;
        if enum_from_values && !type_taken_from_spec {
            d.marks.push(self.note(
                line,
                NoteKind::Inferred,
                format!("`{}` is an enum: the page gives its values", f.name),
            ));
        } else if from_example && from_wording.is_none() && !type_taken_from_spec && element != Some(FieldType::Object)
        {
            let what = match items {
                Some(i) => format!("array of {}", type_name(i)),
                None => type_name(ty).to_owned(),
            };
            d.marks.push(self.note(
                line,
                NoteKind::Inferred,
                format!("`{}` is {what}: inferred from the example value", f.name),
            ));
        }
        match element {
            Some(FieldType::Object) => {
                let (name, mark) = self.object_ref(f, old, owner);
                d.reference = Some(name);
                d.marks.extend(mark);
            }
            Some(FieldType::Enum) => {
                let (name, mark) = self.enum_ref(f, old, owner);
                d.reference = Some(name);
                d.marks.extend(mark);
            }
            _ => {}
        }
        self.finish_field(d, f, old, &st, owner)
    }

    fn finish_field(
        &mut self,
        mut d: DField,
        f: &PageField,
        old: Option<&spec::Field>,
        st: &Stated,
        _owner: &str,
    ) -> DField {
        let line = f.line;
        let name = &f.name;
        // Where api-spec records a decision on the field, its facts hold against the page's
        // (they are decisions, not transcription slips); the report still shows the page's.
        let decided = old.is_some_and(|o| o.decision.is_some());
        if let Some(n) = &f.presence_note {
            d.marks.push(self.note(line, NoteKind::Inferred, n.clone()));
        }
        // Presence: the page's; where silent, api-spec's; else optional (never stricter).
        d.presence = match (f.presence, old) {
            (Some(p), Some(o)) if p != o.presence.value && decided => {
                d.marks.push(self.note(
                    line,
                    NoteKind::Reused,
                    format!(
                        "`{name}` is {p:?} on the page; api-spec's {:?} holds (a decision it records)",
                        o.presence.value
                    ),
                ));
                Some(o.presence.value)
            }
            (Some(p), Some(o)) if p != o.presence.value => {
                d.marks.push(self.note(
                    line,
                    NoteKind::Conflict,
                    format!("`{name}` is {p:?} on the page, {:?} in api-spec; the page wins", o.presence.value),
                ));
                Some(p)
            }
            (Some(p), _) => Some(p),
            (None, Some(o)) => {
                d.marks.push(self.note(line, NoteKind::Reused, format!("presence of `{name}` from api-spec")));
                Some(o.presence.value)
            }
            (None, None) => {
                d.marks.push(self.note(
                    line,
                    NoteKind::Inferred,
                    format!("`{name}` optional: the page does not say (never stricter than the server)"),
                ));
                Some(Presence::Optional)
            }
        };
        d.condition = f.condition.clone().or_else(|| old.and_then(|o| o.condition.clone()));
        if d.presence == Some(Presence::Conditional) && d.condition.is_none() {
            d.condition = Some("条件必填".to_owned());
            d.marks.push(self.note(line, NoteKind::Inferred, format!("`{name}`: 条件必填 without a stated condition")));
        }
        d.label = match (&f.label, old) {
            (Some(l), Some(o)) if wording::same(l, &o.label) => o.label.clone(),
            (Some(l), Some(o)) if decided => {
                d.marks.push(self.note(
                    line,
                    NoteKind::Reused,
                    format!(
                        "label of `{name}`: page 【{l}】; api-spec's 【{}】 holds (a decision it records)",
                        o.label
                    ),
                ));
                o.label.clone()
            }
            (Some(l), Some(o)) => {
                d.marks.push(self.note(
                    line,
                    NoteKind::Conflict,
                    format!("label of `{name}`: page 【{l}】, api-spec 【{}】; the page wins", o.label),
                ));
                wording::conventional(l, false)
            }
            (Some(l), _) => wording::conventional(l, false),
            (None, Some(o)) => {
                d.marks.push(self.note(line, NoteKind::Reused, format!("label of `{name}` from api-spec")));
                o.label.clone()
            }
            (None, None) => {
                d.marks.push(self.note(
                    line,
                    NoteKind::Inferred,
                    format!("`{name}` has no label on the page; its name stands in"),
                ));
                name.clone()
            }
        };
        d.description = match (&f.description, old.and_then(|o| o.description.as_deref())) {
            (Some(t), Some(o)) if wording::same(t, o) => Some(o.to_owned()),
            (Some(t), Some(o)) if decided || self.example_page => {
                let why = if decided {
                    "a decision it records"
                } else {
                    "an example page's comment summarises the reference page"
                };
                d.marks.push(self.note(
                    line,
                    NoteKind::Reused,
                    format!("description of `{name}` from api-spec ({why}); the page says {t:?}"),
                ));
                Some(o.to_owned())
            }
            (Some(t), _) => Some(wording::conventional(t, true)),
            (None, Some(o)) => {
                d.marks.push(self.note(line, NoteKind::Reused, format!("description of `{name}` from api-spec")));
                Some(o.to_owned())
            }
            _ => None,
        };
        // Constraints: stated on the page (type word, description), else api-spec's: the
        // field's own, or that of its namesakes with the same label elsewhere.
        let namesake = if old.is_none() { self.namesakes(name, &d.label) } else { None };
        let old_owned = namesake.as_ref().map(|(f, _)| f);
        let from_namesakes = namesake.as_ref().map(|(_, models)| models.join(", "));
        let old = old.or(old_owned);
        let tw = f.ty.as_ref();
        let is_array = d.ty == Some(FieldType::Array);
        let is_string = matches!(d.ty, Some(FieldType::String));
        let is_number = matches!(d.ty, Some(FieldType::Integer | FieldType::Amount));
        let page_min_len = if is_string { tw.and_then(|t| t.min_length).or(st.min_length) } else { None };
        let page_max_len = if is_string { tw.and_then(|t| t.max_length).max(st.max_length) } else { None };
        let page_charset = if is_string { st.charset.clone() } else { None };
        let to_i = |v: Option<u64>| v.and_then(|v| i64::try_from(v).ok());
        let (page_min, page_max) = if is_number { (to_i(st.min_count), to_i(st.max_count)) } else { (None, None) };
        let (page_min_items, page_max_items) = if is_array { (st.min_count, st.max_count) } else { (None, None) };
        macro_rules! constraint {
            ($slot:ident, $page:expr) => {{
                let old_v = old.and_then(|o| o.$slot.as_ref()).map(|v| v.value.clone());
                d.$slot = match ($page, old_v) {
                    (Some(p), Some(o)) if p != o && decided => {
                        d.marks.push(self.note(
                            line,
                            NoteKind::Reused,
                            format!(
                                "{} of `{name}`: page {p:?}; api-spec's {o:?} holds (a decision it records)",
                                stringify!($slot)
                            ),
                        ));
                        Some(o)
                    }
                    (Some(p), Some(o)) if p != o => {
                        d.marks.push(self.note(
                            line,
                            NoteKind::Conflict,
                            format!("{} of `{name}`: page {p:?}, api-spec {o:?}; the page wins", stringify!($slot)),
                        ));
                        Some(p)
                    }
                    (Some(p), _) => Some(p),
                    (None, Some(o)) => {
                        let whose = match &from_namesakes {
                            Some(models) => format!("the fields `{name}` 【{}】 of {models}", d.label),
                            None => format!("`{name}` in api-spec"),
                        };
                        d.marks.push(self.note(
                            line,
                            NoteKind::Reused,
                            format!("{} = {o:?} from {whose}", stringify!($slot)),
                        ));
                        Some(o)
                    }
                    (None, None) => None,
                };
            }};
        }
        constraint!(min_length, page_min_len);
        constraint!(max_length, page_max_len);
        constraint!(charset, page_charset);
        constraint!(min, page_min);
        constraint!(max, page_max);
        constraint!(min_items, page_min_items);
        constraint!(max_items, page_max_items);
        let old = if from_namesakes.is_some() { None } else { old };
        d.example = f.example.as_ref().map(Node::to_json).filter(|v| !v.is_object() && !v.is_array() && !v.is_null());
        if d.example.is_none() {
            d.example = old.and_then(|o| o.example.clone());
        }
        if let Some(o) = old
            && let Some(a) = &o.alternatives
            && d.reference.is_some()
            && d.reference.as_deref() == o.reference.as_ref().map(|r| r.value.as_str())
        {
            d.marks.push(self.note(
                line,
                NoteKind::Reused,
                format!("`{name}` has other shapes in api-spec (alternatives `{}`)", a.value.name.value),
            ));
            d.alternatives = Some(render_alternatives(&a.value));
        }
        if let Some(dec) = old.and_then(|o| o.decision.clone()) {
            d.marks.push(self.note(
                line,
                NoteKind::Reused,
                format!("decision on `{name}` from api-spec: check it still holds"),
            ));
            d.decision = Some(dec);
        }
        // Disputes and family membership come from official code, not from pages: kept.
        if let Some(o) = old {
            d.disputed = o.disputed.iter().map(render_disputed_constraint).collect();
            d.families = o.families.iter().map(|s| s.value.clone()).collect();
        }
        d
    }

    /// The model a nested object refers to: api-spec's (by the existing field's `ref`, by name,
    /// or by shape), else a new model from the page's nested fields or the example.
    fn object_ref(&mut self, f: &PageField, old: Option<&spec::Field>, owner: &str) -> (String, Option<String>) {
        let existing = self.existing;
        let keys: Vec<String> = if f.children.is_empty() {
            f.example
                .as_ref()
                .map(|e| e.entries().iter().map(|(k, _, _)| (*k).to_owned()).collect())
                .unwrap_or_default()
        } else {
            f.children.iter().map(|c| c.name.clone()).collect()
        };
        let by_ref = old
            .and_then(|o| o.reference.as_ref())
            .and_then(|r| existing.model(&r.value))
            .map(|m| (m, "the field's ref in api-spec"));
        let by_name = || {
            let base = names::pascal(f.name.strip_suffix("_list").unwrap_or(&f.name));
            existing
                .model(&base)
                .filter(|m| keys.iter().all(|k| m.fields.iter().any(|x| x.name.value == *k)))
                .map(|m| (m, "same name"))
        };
        // Same shape: every key is a field of the model and every required field of the model
        // is among the keys (two keys at least, so a lone `name` matches nothing).
        let by_shape = || {
            if keys.len() < 2 {
                return None;
            }
            existing
                .models()
                .filter(|m| keys.iter().all(|k| m.fields.iter().any(|x| x.name.value == *k)))
                .filter(|m| {
                    m.fields.iter().all(|x| x.presence.value != Presence::Required || keys.contains(&x.name.value))
                })
                .min_by_key(|m| m.fields.len())
                .map(|m| (m, "same shape"))
        };
        if let Some((m, why)) = by_ref.or_else(by_name).or_else(by_shape) {
            let collapsed =
                if f.children.is_empty() && f.ty.is_some() { " (the page's 属性 block is collapsed)" } else { "" };
            let mark = self.note(
                f.line,
                NoteKind::Reused,
                format!("`{}` refers to api-spec model `{}` ({why}){collapsed}", f.name, m.name.value),
            );
            self.compare(&f.children, m);
            return (m.name.value.clone(), Some(mark));
        }
        let name = self.fresh_name(owner, &f.name);
        if f.children.is_empty() {
            let what = if f.example.as_ref().is_none_or(|e| e.entries().is_empty()) {
                "no fields: the page shows neither its 属性 nor an example"
            } else {
                "fields inferred from the example (the 属性 block is collapsed)"
            };
            self.note(f.line, NoteKind::Inferred, format!("new model `{name}` for `{}`: {what}", f.name));
        }
        let fields = self.with_example_keys(&f.children, f.example.as_ref(), &name);
        let label = f.label.clone();
        self.model(&name, &fields, None, f.line, label);
        (name, None)
    }

    /// Reports where the page's nested fields disagree with the api-spec model they refer to.
    fn compare(&mut self, fields: &[PageField], m: &spec::Model) {
        for f in fields {
            let Some(o) = m.fields.iter().find(|x| x.name.value == f.name) else {
                self.note(
                    f.line,
                    NoteKind::Conflict,
                    format!("`{}` is not a field of api-spec model `{}`: add it there", f.name, m.name.value),
                );
                continue;
            };
            if let Some(p) = f.presence
                && p != o.presence.value
            {
                self.note(
                    f.line,
                    NoteKind::Conflict,
                    format!("`{}.{}` is {p:?} on the page, {:?} in api-spec", m.name.value, f.name, o.presence.value),
                );
            }
            if let Some(l) = &f.label
                && *l != o.label
            {
                self.note(
                    f.line,
                    NoteKind::Conflict,
                    format!("label of `{}.{}`: page 【{l}】, api-spec 【{}】", m.name.value, f.name, o.label),
                );
            }
            if let Some(max) = f.ty.as_ref().and_then(|t| t.max_length)
                && o.max_length.as_ref().map(|v| v.value) != Some(max)
            {
                self.note(
                    f.line,
                    NoteKind::Conflict,
                    format!(
                        "`{}.{}`: the page says string({max}), api-spec max_length {:?}",
                        m.name.value,
                        f.name,
                        o.max_length.as_ref().map(|v| v.value)
                    ),
                );
            }
            for (v, meaning, line) in &f.enum_values {
                let e = o.reference.as_ref().and_then(|r| self.existing.enumeration(&r.value));
                match e.and_then(|e| e.values.iter().find(|x| x.value.value == *v)) {
                    Some(x) if !same_meaning(meaning, &x.meaning) => {
                        self.note(
                            *line,
                            NoteKind::Conflict,
                            format!(
                                "value {v} of `{}.{}` means {meaning:?} on the page, {:?} in api-spec",
                                m.name.value, f.name, x.meaning
                            ),
                        );
                    }
                    Some(_) => {}
                    None => {
                        self.note(
                            *line,
                            NoteKind::Conflict,
                            format!("value {v} of `{}.{}` is not in its api-spec enum", m.name.value, f.name),
                        );
                    }
                }
            }
            if !f.children.is_empty()
                && let Some(sub) = o.reference.as_ref().and_then(|r| self.existing.model(&r.value))
            {
                self.compare(&f.children, sub);
            }
        }
    }

    /// The enum a field refers to: api-spec's (by `ref`, by name, or holding every value the
    /// page gives), else a new enum with the page's values.
    fn enum_ref(&mut self, f: &PageField, old: Option<&spec::Field>, owner: &str) -> (String, Option<String>) {
        let existing = self.existing;
        let values: Vec<&str> = f.enum_values.iter().map(|(v, _, _)| v.as_str()).collect();
        let holds = |e: &spec::EnumDef| values.iter().all(|v| e.values.iter().any(|x| x.value.value == *v));
        let by_ref = old.and_then(|o| o.reference.as_ref()).and_then(|r| existing.enumeration(&r.value));
        let by_name = || existing.enumeration(&names::pascal(&f.name)).filter(|e| holds(e));
        let by_values = || {
            if values.is_empty() {
                return None;
            }
            let pascal = names::pascal(&f.name);
            existing.enums().filter(|e| holds(e)).min_by_key(|e| (!e.name.value.ends_with(&pascal), e.values.len()))
        };
        if let Some(e) = by_ref.or_else(by_name).or_else(by_values) {
            let mark =
                self.note(f.line, NoteKind::Reused, format!("`{}` refers to api-spec enum `{}`", f.name, e.name.value));
            for (v, meaning, line) in &f.enum_values {
                match e.values.iter().find(|x| x.value.value == *v) {
                    Some(x) if !same_meaning(meaning, &x.meaning) => {
                        self.note(
                            *line,
                            NoteKind::Conflict,
                            format!("{v} means {meaning:?} on the page, {:?} in enum `{}`", x.meaning, e.name.value),
                        );
                    }
                    Some(_) => {}
                    None => {
                        self.note(
                            *line,
                            NoteKind::Conflict,
                            format!("{v} is not a value of api-spec enum `{}`: add it there", e.name.value),
                        );
                    }
                }
            }
            return (e.name.value.clone(), Some(mark));
        }
        let name = self.fresh_name(owner, &f.name);
        let marks = vec![self.note(
            f.line,
            NoteKind::Inferred,
            format!("new enum `{name}` from the page's values of `{}`", f.name),
        )];
        let values = f
            .enum_values
            .iter()
            .map(|(v, m, _)| (v.clone(), if m.is_empty() { v.clone() } else { m.clone() }))
            .collect();
        self.enums.push(DEnum { name: name.clone(), label: f.label.clone(), values, marks });
        (name, None)
    }
}

/// Whether the page's short meaning of a value is the start of the spec's (which often adds an
/// explanation after a colon); full-width brackets and spaces do not count.
fn same_meaning(page: &str, spec: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                '：' => ':',
                '，' => ',',
                c => c,
            })
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    page.is_empty() || norm(spec).starts_with(&norm(page))
}

/// Rules for `当X="V"时必填` conditions on sibling fields.
fn condition_rules(fields: &[PageField]) -> Vec<String> {
    let mut out = Vec::new();
    for f in fields {
        let Some(c) = &f.condition else { continue };
        let Some(inner) = c.strip_prefix('当').and_then(|r| r.strip_suffix("时必填")) else { continue };
        let Some((field, value)) = inner.split_once('=') else { continue };
        let value = value.trim_matches('"');
        if !fields.iter().any(|x| x.name == field) || value.is_empty() {
            continue;
        }
        out.push(format!(
            "description = {}\nwhen = {{ field = {}, equals = {} }}\nrequire = [{}]\nsource = \"page (条件必填)\"\n",
            q(c),
            q(field),
            q(value),
            q(&f.name)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stated_constraints() {
        let s = stated("可使用 数字、大小写字母、下划线_、短横线- 组成,长度在6-40个字符之间");
        assert_eq!((s.min_length, s.max_length, s.charset.as_deref()), (Some(6), Some(40), Some("0-9A-Za-z_-")));
        let s = stated("可使用次数,最少3次,最多15次");
        assert_eq!((s.min_count, s.max_count), (Some(3), Some(15)));
        assert!(stated("商品原价,单位为分").amount);
        assert_eq!(derive_id(Method::POST, "/v3/a/{id}/stock-bundles"), "create_stock_bundle");
        assert!(path_matches("/v3/a/{id}/b", "/v3/a/123/b"));
    }
}
