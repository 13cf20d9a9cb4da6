//! Operations: paths, parameters, bodies, responses, pagination and uploads.

use super::context::{Cx, FieldsOf};
use super::examples::{FieldIndex, MAX_UNKNOWN_KEYS, unknown_keys};
use crate::diagnostics::SourceFile;
use crate::examples::extract_json;
use crate::ir::*;
use crate::names;
use crate::spans::{content_start, locate};
use crate::spec::{self, ExampleKind, Presence, Sp};
use crate::suggest::closest;
use std::collections::BTreeMap;

/// The body field whose repetition the server treats as a retry of the same request, when the
/// body requires it: WeChat Pay's request numbers, `out_request_no` for most writes,
/// `send_request_no` for sending coupons, and the caller-chosen `task_id` of a task (each
/// documented as "重试时使用同一单号/任务 ID 与相同的请求数据").
pub(super) fn idempotency_key(body: &[FieldIr]) -> Option<String> {
    const KEYS: [&str; 3] = ["out_request_no", "send_request_no", "task_id"];
    KEYS.iter()
        .find_map(|key| body.iter().find(|f| f.wire == *key && f.presence == Presence::Required))
        .map(|f| f.wire.clone())
}

/// Where a request names the brand it acts for: a `brand_id` body field, else a query or
/// path parameter of that name.
pub(super) fn brand_param(body: &[FieldIr], query: &[FieldIr], path: &[FieldIr]) -> Option<BrandParam> {
    const BRAND: &str = "brand_id";
    let named = |fields: &[FieldIr]| fields.iter().any(|f| f.wire == BRAND);
    if named(body) {
        Some(BrandParam::Body(BRAND.to_owned()))
    } else if named(query) {
        Some(BrandParam::Query(BRAND.to_owned()))
    } else if named(path) {
        Some(BrandParam::Path(BRAND.to_owned()))
    } else {
        None
    }
}

impl Cx {
    pub(super) fn operation(
        &mut self,
        file: &SourceFile,
        op: &spec::Operation,
        models: &BTreeMap<String, ModelIr>,
    ) -> Option<OperationIr> {
        let id = &op.id.value;
        if !names::is_snake(id) {
            self.diags
                .error(file, op.id.span.clone(), format!("operation id `{id}` is not snake_case"))
                .hint("it becomes a Rust function name, e.g. `create_stock_bundle`");
        }
        let path_params =
            self.fields(file, &op.path_params, &format!("path parameters of `{id}`"), FieldsOf::PathParams);
        let query_params =
            self.fields(file, &op.query_params, &format!("query parameters of `{id}`"), FieldsOf::QueryParams);
        let segments = self.path_template(file, &op.path, &path_params, &op.path_params);
        let body_ref = |cx: &mut Cx, r: &Option<Sp<String>>| -> Option<Option<String>> {
            match r {
                None => Some(None),
                Some(name) if models.contains_key(&name.value) => Some(Some(name.value.clone())),
                Some(name) => {
                    let near = closest(&name.value, models.keys());
                    let d = cx.diags.error(file, name.span.clone(), format!("unknown model `{}`", name.value));
                    if let Some(near) = near {
                        d.hint(format!("did you mean `{near}`?"));
                    }
                    None
                }
            }
        };
        let request_body = body_ref(self, &op.request_body);
        if op.method == spec::Method::GET
            && let Some(b) = &op.request_body
        {
            self.diags.error(file, b.span.clone(), format!("GET operation `{id}` cannot have a request body"));
        }
        let mut response = None;
        for r in &op.responses {
            if !(200..=299).contains(&r.status.value) {
                self.diags
                    .error(file, r.status.span.clone(), format!("response status {} is not a success", r.status.value))
                    .hint("error responses belong in [[operations.errors]]");
            }
            let body = body_ref(self, &r.body);
            if response.is_some() {
                self.diags
                    .error(file, r.status.span.clone(), format!("operation `{id}` has more than one success response"))
                    .hint("the generator supports one success response per operation");
            } else if let Some(body) = body {
                response = Some(ResponseIr { status: r.status.value, body });
            }
        }
        if op.responses.is_empty() {
            self.diags
                .error(file, op.id.span.clone(), format!("operation `{id}` has no [[operations.responses]]"))
                .hint("give the success status and its body model");
        }
        if let Some(rl) = &op.rate_limit
            && rl.per_second.value == 0
        {
            self.diags.error(file, rl.per_second.span.clone(), "a rate limit of 0/s would forbid every call");
        }
        let errors: Vec<ErrorIr> = op.errors.iter().map(|e| self.error_entry(file, e)).collect();
        let response_body = response.as_ref().and_then(|r: &ResponseIr| r.body.clone());
        let pagination = op
            .pagination
            .as_ref()
            .and_then(|p| self.pagination(file, id, p, &query_params, response_body.as_deref(), models));
        let upload = op.upload.as_ref().and_then(|u| self.upload(file, op, u, models));
        let request_model = request_body.clone().flatten();
        let response_model = response.as_ref().and_then(|r| r.body.clone());
        let mut examples = Vec::new();
        for ex in &op.examples {
            let model = match ex.kind {
                ExampleKind::Request => request_model.clone(),
                ExampleKind::Response => response_model.clone(),
            };
            match extract_json(ex.format, &ex.text.value) {
                Ok(json) => {
                    if let Some(m) = &model {
                        let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
                        let mut unknown = Vec::new();
                        let mut index = FieldIndex::default();
                        unknown_keys(&value, &TypeIr::Model(m.clone()), models, &mut index, "", &mut unknown);
                        // The first few are located (each search scans the example's text);
                        // thousands of them, from a pasted example with thousands of items,
                        // would make the report quadratic and no more useful.
                        let more = unknown.len().saturating_sub(MAX_UNKNOWN_KEYS);
                        for (path, key) in unknown.into_iter().take(MAX_UNKNOWN_KEYS) {
                            let at = locate(file, &ex.text.span, &format!("\"{key}\""));
                            self.diags
                                .error(
                                    file,
                                    at,
                                    format!("example {:?}: `{path}` is not a field of the model", ex.title),
                                )
                                .hint("every key of a doc example must be transcribed as a field");
                        }
                        if more > 0 {
                            let at = content_start(file, &ex.text.span);
                            self.diags.error(
                                file,
                                at..at,
                                format!("example {:?}: {more} more key(s) are not fields of the model", ex.title),
                            );
                        }
                    }
                    match &model {
                        Some(m) => self.check_example(file, ex, &json, m, models),
                        None if ex.expect_invalid.is_some() => {
                            let at = content_start(file, &ex.text.span);
                            self.diags
                                .error(file, at..at, format!("example {:?} has `expect_invalid` but no model to validate", ex.title))
                                .hint("only request examples of an operation with a request_body are validated; remove the marker");
                        }
                        None => {}
                    }
                    examples.push(ExampleIr {
                        kind: ex.kind,
                        title: ex.title.clone(),
                        source: ex.source.clone(),
                        status: ex.status,
                        json,
                        model,
                        expect_invalid: ex.expect_invalid.clone(),
                    });
                }
                Err((offset, msg)) => {
                    let at = content_start(file, &ex.text.span) + offset;
                    self.diags.error(file, at..at, format!("example {:?}: {msg}", ex.title));
                }
            }
        }
        let request_body = request_body?;
        let body_fields = request_body.as_ref().and_then(|m| models.get(m)).map_or(&[][..], |m| &m.fields[..]);
        Some(OperationIr {
            family: crate::families::placeholder(&op.doc_id),
            sub_path: op.path.value.clone(),
            names: names::operation(id, &path_params, &query_params, pagination.is_some()),
            idempotency_key: idempotency_key(body_fields),
            brand_param: brand_param(body_fields, &query_params, &path_params),
            id: id.clone(),
            title: op.title.clone(),
            doc_id: op.doc_id.clone(),
            updated: op.updated.clone(),
            description: op.description.clone(),
            method: op.method,
            path: op.path.value.clone(),
            segments: segments?,
            merchants: op.merchants.clone(),
            preconditions: op.preconditions.clone(),
            rate_limit: op
                .rate_limit
                .as_ref()
                .map(|r| RateLimitIr { per_second: r.per_second.value, text: r.text.clone() }),
            path_params,
            query_params,
            request_body,
            response,
            errors,
            examples,
            pagination,
            upload,
        })
    }

    pub(super) fn path_template(
        &mut self,
        file: &SourceFile,
        path: &Sp<String>,
        params: &[FieldIr],
        raw_params: &[spec::Field],
    ) -> Option<Vec<PathSegment>> {
        let text = &path.value;
        if !text.starts_with('/') {
            self.diags.error(file, path.span.clone(), format!("path {text:?} must start with `/`"));
            return None;
        }
        if text.contains('?') {
            self.diags
                .error(file, path.span.clone(), format!("path {text:?} contains a query string"))
                .hint("declare query parameters in [[operations.query_params]]");
            return None;
        }
        let mut segments = Vec::new();
        let mut used = Vec::new();
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                self.diags.error(file, path.span.clone(), format!("path {text:?} has an unclosed `{{`"));
                return None;
            };
            if open > 0 {
                segments.push(PathSegment::Literal(rest[..open].to_owned()));
            }
            let name = &rest[open + 1..close];
            match params.iter().find(|p| p.wire == name) {
                Some(p) => {
                    segments.push(PathSegment::Param(p.wire.clone()));
                    used.push(p.wire.clone());
                }
                None => {
                    self.diags
                        .error(
                            file,
                            path.span.clone(),
                            format!("path placeholder `{{{name}}}` has no matching path parameter"),
                        )
                        .hint(format!("add [[operations.path_params]] name = \"{name}\""));
                    return None;
                }
            }
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            segments.push(PathSegment::Literal(rest.to_owned()));
        }
        for p in params {
            if !used.contains(&p.wire) {
                let span = raw_params
                    .iter()
                    .find(|r| r.name.value == p.wire)
                    .map_or(path.span.clone(), |r| r.name.span.clone());
                self.diags
                    .error(file, span, format!("path parameter `{}` does not appear in the path {text:?}", p.wire))
                    .hint(format!("add `{{{}}}` to the path, or remove the parameter", p.wire));
            }
        }
        Some(segments)
    }

    pub(super) fn pagination(
        &mut self,
        file: &SourceFile,
        id: &str,
        p: &spec::Pagination,
        query: &[FieldIr],
        response: Option<&str>,
        models: &BTreeMap<String, ModelIr>,
    ) -> Option<PaginationIr> {
        let mut ok = true;
        for (param, what) in [(&p.page_size, "page_size"), (&p.page_token, "page_token")] {
            match query.iter().find(|q| q.wire == param.value) {
                Some(q) if q.is_option() => {}
                Some(_) => {
                    self.diags
                        .error(
                            file,
                            param.span.clone(),
                            format!("pagination {what} `{}` must be an optional query parameter", param.value),
                        )
                        .hint("the first page is requested without it");
                    ok = false;
                }
                None => {
                    self.diags
                        .error(
                            file,
                            param.span.clone(),
                            format!("pagination {what} `{}` is not a query parameter of `{id}`", param.value),
                        )
                        .hint(format!("declare it in [[operations.query_params]] with name = \"{}\"", param.value));
                    ok = false;
                }
            }
        }
        let Some(model) = response.and_then(|r| models.get(r)) else {
            self.diags.error(file, p.items.span.clone(), format!("paginated operation `{id}` has no response model"));
            return None;
        };
        let field = |cx: &mut Cx, name: &Sp<String>, want_array: bool| -> Option<(ResponseField, TypeIr)> {
            let Some(f) = model.fields.iter().find(|f| f.wire == name.value) else {
                cx.diags.error(
                    file,
                    name.span.clone(),
                    format!("response model `{}` has no field `{}`", model.name, name.value),
                );
                return None;
            };
            let ty = match (&f.ty, want_array) {
                (TypeIr::Array(inner), true) => inner.as_ref().clone(),
                (TypeIr::String, false) => TypeIr::String,
                (_, true) => {
                    cx.diags.error(
                        file,
                        name.span.clone(),
                        format!("pagination items `{}` must be an array", name.value),
                    );
                    return None;
                }
                (_, false) => {
                    cx.diags.error(
                        file,
                        name.span.clone(),
                        format!("next page token `{}` must be a string", name.value),
                    );
                    return None;
                }
            };
            Some((ResponseField { rust: f.rust.clone(), optional: f.is_option() }, ty))
        };
        let next = field(self, &p.next_page_token, false);
        let items = field(self, &p.items, true);
        let ((next_page_token, _), (items, item)) = (next?, items?);
        ok.then(|| PaginationIr {
            page_token: p.page_token.value.clone(),
            page_size: p.page_size.value.clone(),
            next_page_token,
            items,
            item,
        })
    }

    pub(super) fn upload(
        &mut self,
        file: &SourceFile,
        op: &spec::Operation,
        u: &spec::Upload,
        models: &BTreeMap<String, ModelIr>,
    ) -> Option<UploadIr> {
        let mut ok = true;
        if let Some(body) = &op.request_body {
            self.diags
                .error(
                    file,
                    body.span.clone(),
                    format!("operation `{}` has both a request_body and an upload", op.id.value),
                )
                .hint("an upload's JSON goes in its `meta` model");
            ok = false;
        }
        if op.method != spec::Method::POST {
            self.diags.error(file, op.id.span.clone(), format!("upload operation `{}` must be a POST", op.id.value));
            ok = false;
        }
        if !models.contains_key(&u.meta.value) {
            self.diags.error(file, u.meta.span.clone(), format!("unknown model `{}`", u.meta.value));
            ok = false;
        }
        if u.max_bytes.value == 0 {
            self.diags.error(file, u.max_bytes.span.clone(), "max_bytes 0 accepts no file");
            ok = false;
        }
        if u.media_types.is_empty() {
            self.diags.error(
                file,
                op.id.span.clone(),
                format!("upload operation `{}` lists no media_types", op.id.value),
            );
            ok = false;
        }
        ok.then(|| UploadIr {
            file_field: u.file_field.clone(),
            meta_field: u.meta_field.clone(),
            meta: u.meta.value.clone(),
            max_bytes: u.max_bytes.value,
            media_types: u.media_types.clone(),
        })
    }
}
