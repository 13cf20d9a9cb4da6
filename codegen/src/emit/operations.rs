//! Call functions (`src/generated/operations.rs`): one method on `Client` per operation, returning
//! the operation's call builder (`<Variant>Call`: `.await` sends it, `.prepare()` is its dry run),
//! plus static metadata (`OperationMeta`) the runtime, the CLI and the sandbox read.

use super::{docs, types, validation};
use crate::ir::{ArgNames, FieldIr, Ir, OperationIr, PathSegment, TypeIr};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

pub fn emit(ir: &Ir) -> TokenStream {
    let metas = ir.operations.iter().map(meta);
    let meta_ids = ir.operations.iter().map(|op| types::rust(&op.names.meta));
    let calls = ir.operations.iter().map(call);
    let call_builders = ir.operations.iter().map(call_builder);
    let query_structs = ir.operations.iter().filter_map(query_struct);
    let validators = ir.operations.iter().map(validator);
    let primary = &ir.service.primary_base_url;
    let backup = &ir.service.backup_base_url;
    let family = family_consts(ir);
    let client = client_type(ir);
    quote! {
        //! One call per operation (a builder: `.await` sends it, `.prepare()` is its dry run), and the
        //! operations' static metadata.

        /// 主域名: the default base URL.
        pub const PRIMARY_BASE_URL: &str = #primary;
        /// 备域名: the base URL tried when the primary cannot be reached.
        pub const BACKUP_BASE_URL: &str = #backup;

        #family

        #(#metas)*

        /// Every operation of the family, sorted by id.
        pub static OPERATIONS: &[&crate::runtime::client::OperationMeta] = &[#(&#meta_ids),*];

        impl #client {
            #(#calls)*
        }

        #(#call_builders)*

        #(#query_structs)*

        #(#validators)*
    }
}

/// The client type the family's call functions are methods of.
pub(super) fn client_type(ir: &Ir) -> TokenStream {
    let name = ir.primary_family().map_or("Client", |f| f.client.as_str());
    op_client(name)
}

/// The generated module holding an operation's items (`crate::generated::operations`, or a
/// family's `crate::generated::brand::operations`).
pub(super) fn module_path(op: &OperationIr) -> TokenStream {
    match &op.family.module {
        Some(m) => {
            let m = types::ident(m);
            quote! { crate::generated::#m::operations }
        }
        None => quote! { crate::generated::operations },
    }
}

fn op_client(name: &str) -> TokenStream {
    let id = types::ident(name);
    quote! { crate::runtime::client::#id }
}

/// The family's facts as constants: who calls, under which prefix, signed how, limited per what.
fn family_consts(ir: &Ir) -> TokenStream {
    let Some(f) = ir.primary_family() else { return TokenStream::new() };
    let (id, title, prefix, scheme) = (&f.id, &f.title, &f.path_prefix, &f.auth_scheme);
    let dimension = f.dimension_words();
    let serial = f.wechatpay_serial_required;
    let brand_field = match &f.brand_field {
        Some(b) => quote! { ::core::option::Option::Some(#b) },
        None => quote! { ::core::option::Option::None },
    };
    quote! {
        /// The API family of these operations (`[[families]]` of the spec).
        pub const FAMILY: &str = #id;
        /// Who calls this family's operations.
        pub const FAMILY_TITLE: &str = #title;
        /// The path every operation of the family starts with.
        pub const PATH_PREFIX: &str = #prefix;
        /// The `Authorization` scheme the family's requests are signed with.
        pub const AUTHORIZATION_SCHEME: &str = #scheme;
        /// What the family's 频率限制 count.
        pub const RATE_LIMIT_DIMENSION: &str = #dimension;
        /// Whether every request carries `Wechatpay-Serial` (the WeChat Pay public key id).
        pub const WECHATPAY_SERIAL_REQUIRED: bool = #serial;
        /// The body field / query parameter naming the brand (`None`: the Authorization header does).
        pub const BRAND_FIELD: ::core::option::Option<&str> = #brand_field;
    }
}

fn meta(op: &OperationIr) -> TokenStream {
    let name = types::rust(&op.names.meta);
    let id = &op.id;
    let title = &op.title;
    let method = op.method.as_str();
    let path = &op.path;
    let rate = match &op.rate_limit {
        Some(limit) => {
            let n = limit.per_second;
            quote! { ::core::option::Option::Some(#n) }
        }
        None => quote! { ::core::option::Option::None },
    };
    let doc = format!(" {} (`{} {}`).", op.title, method, op.path);
    let status = op.success_status();
    quote! {
        #[doc = #doc]
        pub static #name: crate::runtime::client::OperationMeta = crate::runtime::client::OperationMeta {
            id: #id,
            title: #title,
            method: #method,
            path_template: #path,
            rate_limit_per_second: #rate,
            success_status: #status,
        };
    }
}

fn op_doc(op: &OperationIr) -> Vec<String> {
    let mut lines = vec![docs::prose(&op.title)];
    if let Some(d) = &op.description {
        docs::paragraph(&mut lines, d);
    }
    lines.push(String::new());
    lines.push(format!("`{} {}`", op.method.as_str(), op.path));
    lines.push(String::new());
    if let Some(limit) = &op.rate_limit {
        let whose =
            if op.family.rate_limit_inherited { ", as for 服务商: no page of this family gives one" } else { "" };
        if op.family.secondary && !limit.text.contains("维度") {
            lines.push(format!("- 频率限制: {} ({}{whose})", docs::one_line(&limit.text), op.family.dimension_words));
        } else {
            lines.push(format!("- 频率限制: {}", docs::one_line(&limit.text)));
        }
    }
    if !op.merchants.is_empty() {
        lines.push(format!("- 支持商户: {}", docs::one_line(&op.merchants.join(", "))));
    }
    for p in &op.preconditions {
        lines.push(format!("- 前置条件: {}", docs::one_line(p)));
    }
    let family = &op.family;
    if !family.title.is_empty() {
        lines.push(format!(
            "- Family: {} (`{}`, signed `{}`)",
            docs::one_line(&family.title),
            family.path_prefix,
            family.auth_scheme
        ));
    }
    match &family.doc_url {
        Some(url) if op.updated.is_empty() => lines.push(format!("- Documentation: <{url}>")),
        Some(url) => lines.push(format!("- Documentation: <{url}> (更新时间 {})", op.updated)),
        None => lines.push(format!("- Documentation: no {} page of this operation was found", family.title)),
    }
    for p in op.path_params.iter().chain(&op.query_params) {
        lines.push(format!(
            "- `{}`: 【{}】{}",
            p.wire,
            docs::prose(&p.label),
            p.description.as_deref().map(docs::one_line).unwrap_or_default()
        ));
    }
    lines.push(String::new());
    lines.push("# Errors".to_owned());
    lines.push(String::new());
    lines.push("Validation errors (before any I/O) unless validation is switched off, then transport, verification and API errors. Documented error codes:".to_owned());
    lines.push(String::new());
    for e in &op.errors {
        lines.push(format!(
            "- {} `{}`: {} ({})",
            e.status,
            e.code,
            docs::one_line(&e.description),
            docs::one_line(&e.solution)
        ));
    }
    lines
}

/// Argument type of a parameter and the expression giving its query-string text.
pub(super) fn param_type(p: &FieldIr, id: &proc_macro2::Ident) -> (TokenStream, TokenStream) {
    match &p.ty {
        TypeIr::Enum(name) => {
            let t = types::model_path(name);
            (quote! { &#t }, quote! { #id.as_str().to_owned() })
        }
        TypeIr::Integer | TypeIr::Amount => (quote! { i64 }, quote! { #id.to_string() }),
        TypeIr::Boolean => (quote! { bool }, quote! { #id.to_string() }),
        _ => (quote! { &str }, quote! { #id.to_owned() }),
    }
}

/// The arguments of an operation's call function: `(name, type)` in order, and whether the
/// validation of each checks anything.
pub(super) struct Args<'a> {
    pub names: &'a ArgNames,
    pub decls: Vec<TokenStream>,
    pub idents: Vec<proc_macro2::Ident>,
    pub checks: Vec<TokenStream>,
    query: Vec<TokenStream>,
    required_query: Vec<TokenStream>,
}

pub(super) fn args(op: &OperationIr) -> Args<'_> {
    let no_needs = BTreeSet::new();
    let names = &op.names.args;
    let mut idents = Vec::new();
    let mut args = Vec::new();
    let mut checks = Vec::new();
    for (p, name) in op.path_params.iter().zip(&names.path) {
        let id = types::rust(name);
        let (ty, _) = param_type(p, &id);
        idents.push(id.clone());
        args.push(quote! { #id: #ty });
        let mut constraints = p.constraints.clone();
        // An empty path segment would change which resource is addressed.
        if matches!(p.ty, TypeIr::String) && constraints.min_length.is_none() {
            constraints.min_length = Some(1);
        }
        let c = validation::value_checks(&p.ty, &constraints, &no_needs);
        if !c.is_empty() {
            let wire = &p.wire;
            checks.push(quote! { { let v = &#id; let p = #wire; let out = &mut __violations; #c } });
        }
    }
    // Required query parameters start the list; optional ones are pushed when given.
    let mut query = Vec::new();
    let mut required_query = Vec::new();
    for (p, name) in op.query_params.iter().zip(&names.query) {
        let id = types::rust(name);
        let (ty, text) = param_type(p, &id);
        idents.push(id.clone());
        let wire = &p.wire;
        let c = validation::value_checks(&p.ty, &p.constraints, &no_needs);
        if p.is_option() {
            args.push(quote! { #id: ::core::option::Option<#ty> });
            query.push(quote! { if let ::core::option::Option::Some(#id) = #id { __query.push((#wire, #text)); } });
            if !c.is_empty() {
                checks.push(quote! { if let ::core::option::Option::Some(v) = &#id { let p = #wire; let out = &mut __violations; #c } });
            }
        } else {
            args.push(quote! { #id: #ty });
            required_query.push(quote! { (#wire, #text) });
            if !c.is_empty() {
                checks.push(quote! { { let v = &#id; let p = #wire; let out = &mut __violations; #c } });
            }
        }
    }
    let body_id = types::rust(&names.body);
    let body_arg = op.request_body.as_ref().map(|m| {
        let t = types::model_path(m);
        quote! { #body_id: &#t }
    });
    if let Some(b) = &body_arg {
        args.push(b.clone());
        idents.push(body_id.clone());
        checks.push(quote! { crate::runtime::validate::Validate::validate_at(#body_id, "", &mut __violations); });
    }
    if let Some(upload) = &op.upload {
        let meta_id = types::rust(&names.meta);
        let file_id = types::rust(&names.file);
        let meta_ty = types::model_path(&upload.meta);
        args.push(quote! { #meta_id: &#meta_ty });
        args.push(quote! { #file_id: &crate::runtime::upload::UploadFile });
        idents.push(meta_id.clone());
        idents.push(file_id.clone());
        let (max, types_) = (upload.max_bytes, &upload.media_types);
        let file_wire = &upload.file_field;
        checks.push(quote! { crate::runtime::validate::Validate::validate_at(#meta_id, "", &mut __violations); });
        checks.push(quote! { __violations.check_upload(#file_wire, #file_id, #max, &[#(#types_),*]); });
    }
    Args { names, decls: args, idents, checks, query, required_query }
}

/// `validate_<op>(args)`: the checks a call runs before any I/O, callable on their own.
fn validator(op: &OperationIr) -> TokenStream {
    let Args { decls, checks, .. } = args(op);
    // An operation with optional query parameters takes them as one `<Variant>Query`.
    let (decls, unpack) = if has_optional_query(op) {
        let (mut decls, _) = required_decls(op, false);
        let (q, q_ty) = (query_name(op), query_type(op, quote! { '_ }));
        decls.push(quote! { query: &#q_ty });
        let opts = optional_idents(op);
        (decls, Some(quote! { let #q { #(#opts),* } = *query; }))
    } else {
        (decls, None)
    };
    let name = types::rust(&op.names.validator);
    let fn_name = op.names.call.as_str();
    let client = &op.family.client;
    let doc = format!(
        " Validates the arguments of [`{client}::{fn_name}`](crate::runtime::client::{client}::{fn_name}) \
         as the call does before sending: every violation, with its JSON path."
    );
    let body = if checks.is_empty() {
        quote! { #unpack crate::runtime::validate::Violations::default() }
    } else {
        quote! {
            #unpack
            let mut __violations = crate::runtime::validate::Violations::default();
            #(#checks)*
            __violations
        }
    };
    // Parameters without constraints (a boolean, say) are not looked at.
    quote! {
        #[doc = #doc]
        #[allow(unused_variables)]
        pub fn #name(#(#decls),*) -> crate::runtime::validate::Violations {
            #body
        }
    }
}

/// Whether the operation has optional query parameters: they are named setters of its call
/// builder, which fill one `<Variant>Query` (the validator and a server's handler take it).
pub(super) fn has_optional_query(op: &OperationIr) -> bool {
    op.query_params.iter().any(|p| p.is_option())
}

/// The call builder's type name (`ListStocksCall`).
pub(super) fn builder_name(op: &OperationIr) -> proc_macro2::Ident {
    quote::format_ident!("{}Call", op.names.variant.name)
}

/// The body of a call builder's `parts()`: the call's validation (unless switched off), then
/// the path, query and body of its [`RequestParts`], with every parameter bound by name and
/// `client` the client. Sending and preparing both start here, so they cannot differ.
fn parts_body(op: &OperationIr) -> TokenStream {
    let meta = types::rust(&op.names.meta);
    let Args { names, idents, query, required_query, .. } = args(op);
    let validator = types::rust(&op.names.validator);
    let validate = if has_optional_query(op) {
        let (_, required) = required_decls(op, false);
        let q = query_name(op);
        let opts = optional_idents(op);
        quote! {
            let __warnings = if client.validation_enabled() {
                client.screen(#validator(#(#required,)* &query))?
            } else {
                ::std::vec::Vec::new()
            };
            let #q { #(#opts),* } = query;
        }
    } else {
        quote! {
            let __warnings = if client.validation_enabled() {
                client.screen(#validator(#(#idents),*))?
            } else {
                ::std::vec::Vec::new()
            };
        }
    };
    let body_id = types::rust(&names.body);
    let path_pushes = op.segments.iter().map(|s| match s {
        PathSegment::Literal(text) => quote! { __path.push_str(#text); },
        PathSegment::Param(name) => {
            let i = op.path_params.iter().position(|p| &p.wire == name).expect("lowering checked placeholders");
            let (p, id) = (&op.path_params[i], types::rust(&names.path[i]));
            let text = match &p.ty {
                TypeIr::Enum(_) => quote! { #id.as_str() },
                TypeIr::String => quote! { #id },
                _ => quote! { &#id.to_string() },
            };
            quote! { __path.push_str(&crate::runtime::client::encode_path_segment(#text)); }
        }
    });
    let query_decl = if query.is_empty() {
        quote! { let __query = ::std::vec![#(#required_query),*]; }
    } else {
        quote! { let mut __query = ::std::vec![#(#required_query),*]; #(#query)* }
    };
    let json =
        if op.upload.is_some() { Some(types::rust(&names.meta)) } else { op.request_body.as_ref().map(|_| body_id) };
    let body = match json {
        Some(id) => quote! {
            ::core::option::Option::Some(::serde_json::to_vec(#id).map_err(crate::runtime::error::Error::Encode)?)
        },
        None => quote! { ::core::option::Option::None },
    };
    quote! {
        #validate
        let mut __path = ::std::string::String::new();
        #(#path_pushes)*
        #query_decl
        ::core::result::Result::Ok(crate::runtime::client::RequestParts {
            meta: &#meta,
            path: __path,
            query: __query,
            body: #body,
            warnings: __warnings,
        })
    }
}

fn return_type(op: &OperationIr) -> TokenStream {
    match op.response_model() {
        Some(model) => types::model_path(model),
        None => quote! { () },
    }
}

/// The parameters a call function takes: path parameters, required query parameters, the body
/// or the upload's meta and file (optional query parameters are the builder's setters).
pub(super) fn required_decls(op: &OperationIr, borrow_a: bool) -> (Vec<TokenStream>, Vec<proc_macro2::Ident>) {
    let amp = if borrow_a {
        quote! { &'a }
    } else {
        quote! { & }
    };
    let names = &op.names.args;
    let mut decls = Vec::new();
    let mut idents = Vec::new();
    let params = op.path_params.iter().zip(&names.path).chain(op.query_params.iter().zip(&names.query));
    for (p, name) in params.filter(|(p, _)| !p.is_option()) {
        let id = types::rust(name);
        let ty = borrowed_type(p, borrow_a);
        decls.push(quote! { #id: #ty });
        idents.push(id);
    }
    let mut extra = |name, ty: TokenStream| {
        let id = types::rust(name);
        decls.push(quote! { #id: #ty });
        idents.push(id);
    };
    if let Some(m) = &op.request_body {
        let t = types::model_path(m);
        extra(&names.body, quote! { #amp #t });
    }
    if let Some(upload) = &op.upload {
        let t = types::model_path(&upload.meta);
        extra(&names.meta, quote! { #amp #t });
        extra(&names.file, quote! { #amp crate::runtime::upload::UploadFile });
    }
    (decls, idents)
}

/// The names of the optional query parameters, the fields of `<Variant>Query`.
pub(super) fn optional_idents(op: &OperationIr) -> Vec<proc_macro2::Ident> {
    op.query_params
        .iter()
        .zip(&op.names.args.query)
        .filter(|(p, _)| p.is_option())
        .map(|(_, n)| types::rust(n))
        .collect()
}

/// The optional query parameters' struct name (`ListStocksQuery`).
pub(super) fn query_name(op: &OperationIr) -> proc_macro2::Ident {
    quote::format_ident!("{}Query", op.names.variant.name)
}

/// `<Variant>Query<'a>` as a type, with `lifetime`; a query of numbers and flags only borrows
/// nothing and has no lifetime.
pub(super) fn query_type(op: &OperationIr, lifetime: TokenStream) -> TokenStream {
    let q = query_name(op);
    let borrows = op
        .query_params
        .iter()
        .any(|p| p.is_option() && !matches!(p.ty, TypeIr::Integer | TypeIr::Amount | TypeIr::Boolean));
    if borrows {
        quote! { #q<#lifetime> }
    } else {
        quote! { #q }
    }
}

/// `<Variant>Query<'a>`: the optional query parameters of an operation, all unset by default;
/// the call builder's setters fill it, the validator and a server's handler read it.
fn query_struct(op: &OperationIr) -> Option<TokenStream> {
    if !has_optional_query(op) {
        return None;
    }
    let fields = op.query_params.iter().zip(&op.names.args.query).filter(|(p, _)| p.is_option()).map(|(p, n)| {
        let id = types::rust(n);
        let ty = borrowed_type(p, true);
        let doc = param_doc(p);
        quote! { #[doc = #doc] pub #id: ::core::option::Option<#ty>, }
    });
    let q_ty = query_type(op, quote! { 'a });
    let doc = format!(
        " The optional query parameters of [`{1}::{0}`](crate::runtime::client::{1}::{0}).",
        op.names.call.as_str(),
        op.family.client
    );
    Some(quote! {
        #[doc = #doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::default::Default)]
        pub struct #q_ty {
            #(#fields)*
        }
    })
}

fn param_doc(p: &FieldIr) -> String {
    format!(
        " `{}`: 【{}】{}",
        p.wire,
        docs::prose(&p.label),
        p.description.as_deref().map(docs::one_line).unwrap_or_default()
    )
}

/// A parameter's type in a call builder, borrowed for the builder's lifetime `'a`.
fn borrowed_type(p: &FieldIr, borrow_a: bool) -> TokenStream {
    let amp = if borrow_a {
        quote! { &'a }
    } else {
        quote! { & }
    };
    match &p.ty {
        TypeIr::Enum(name) => {
            let t = types::model_path(name);
            quote! { #amp #t }
        }
        TypeIr::Integer | TypeIr::Amount => quote! { i64 },
        TypeIr::Boolean => quote! { bool },
        _ => quote! { #amp str },
    }
}

fn call(op: &OperationIr) -> TokenStream {
    let fn_name = types::rust(&op.names.call);
    let doc = docs::attrs(&op_doc(op));
    let builder = builder_name(op);
    let (decls, idents) = required_decls(op, true);
    let query = has_optional_query(op).then(|| {
        let q = query_name(op);
        quote! { query: #q::default(), }
    });
    let output = match op.response_model() {
        Some(model) => {
            let name = types::local_name(model);
            format!("the [`{name}`]({}::{name})", types::model_module_doc(model))
        }
        None => "`()`".to_owned(),
    };
    let call_doc = format!(
        " Returns the call, a [`{builder}`]: `.await` it to send it (the output is {output} or an \
         [`Error`](crate::runtime::error::Error)), or [`prepare`]({builder}::prepare) it for the signed \
         request without sending anything (a dry run)."
    );
    let setter_doc =
        has_optional_query(op).then(|| quote! { #[doc = " Optional query parameters are its named setters."] });
    let stream_doc =
        op.pagination.as_ref().map(|_| quote! { #[doc = " Its `.stream()` yields every item of every page instead."] });
    quote! {
        #doc
        #[doc = ""]
        #[doc = #call_doc]
        #setter_doc
        #stream_doc
        pub fn #fn_name<'a>(&'a self, #(#decls),*) -> #builder<'a> {
            #builder { client: self, #(#idents,)* #query }
        }
    }
}

/// `<Variant>Call<'a>`: an operation call with its required parameters given and its optional
/// query parameters as named setters. `.await` sends it; `.prepare()` returns the signed request
/// instead (a dry run); `.stream()` pages through a paginated one. Sending and preparing share
/// `parts()`, the one place the call is validated and its request built.
fn call_builder(op: &OperationIr) -> TokenStream {
    let builder = builder_name(op);
    let call = op.names.call.as_str();
    let ret = return_type(op);
    let (decls, mut binds) = required_decls(op, true);
    let mut fields: Vec<TokenStream> = decls.iter().map(|d| quote! { pub(crate) #d, }).collect();
    if has_optional_query(op) {
        let q_ty = query_type(op, quote! { 'a });
        fields.push(quote! { pub(crate) query: #q_ty, });
        binds.push(quote::format_ident!("query"));
    }
    let setters = op.query_params.iter().zip(&op.names.args.query).filter(|(p, _)| p.is_option()).map(|(p, n)| {
        let id = types::rust(n);
        let ty = borrowed_type(p, true);
        let doc = param_doc(p);
        quote! {
            #[doc = #doc]
            pub fn #id(mut self, #id: #ty) -> Self {
                self.query.#id = ::core::option::Option::Some(#id);
                self
            }
        }
    });
    let parts = parts_body(op);
    let (prepare, send) = match &op.upload {
        Some(upload) => {
            let file_id = types::rust(&op.names.args.file);
            let (meta_field, file_field) = (&upload.meta_field, &upload.file_field);
            let layout = quote! {
                &crate::runtime::upload::MultipartLayout { meta_field: #meta_field, file_field: #file_field }
            };
            (
                quote! { self.client.prepare_upload(&parts, #layout, self.#file_id) },
                quote! { self.client.execute_upload(parts, #layout, self.#file_id) },
            )
        }
        None => (quote! { self.client.prepare(&parts) }, quote! { self.client.execute(parts) }),
    };
    let setters_doc = if has_optional_query(op) { "set optional query parameters by name, then " } else { "" };
    let client = &op.family.client;
    let doc = format!(
        " A [`{client}::{call}`](crate::runtime::client::{client}::{call}) call: {setters_doc}`.await` it to send it, \
         or [`prepare`](Self::prepare) it for the request it would send."
    );
    let client_ty = op_client(client);
    let stream = stream_method(op);
    quote! {
        #[doc = #doc]
        #[must_use = "a call does nothing until it is awaited or prepared"]
        pub struct #builder<'a> {
            pub(crate) client: &'a #client_ty,
            #(#fields)*
        }

        impl<'a> #builder<'a> {
            #(#setters)*

            /// The signed request this call would send, without sending it: a dry run. It is
            /// validated exactly as `.await` validates (unless validation is switched off) and
            /// built by the same code, so it is the request the transport is given (a retry
            /// signs afresh: a new timestamp and nonce over the same bytes).
            ///
            /// # Errors
            ///
            /// Validation errors, and request encoding errors; nothing is sent.
            pub fn prepare(&self) -> ::core::result::Result<crate::runtime::client::PreparedRequest, crate::runtime::error::Error> {
                let parts = self.parts()?;
                #prepare
            }

            /// The call validated, as the request parts both sending and preparing start from.
            fn parts(&self) -> ::core::result::Result<crate::runtime::client::RequestParts, crate::runtime::error::Error> {
                let Self { client, #(#binds),* } = *self;
                #parts
            }


            #stream
        }

        impl<'a> ::core::future::IntoFuture for #builder<'a> {
            type Output = ::core::result::Result<#ret, crate::runtime::error::Error>;
            type IntoFuture = ::core::pin::Pin<::std::boxed::Box<dyn ::core::future::Future<Output = Self::Output> + ::core::marker::Send + 'a>>;

            // The client's own future, boxed: no per-operation async wrapper to compile.
            fn into_future(self) -> Self::IntoFuture {
                match self.parts() {
                    ::core::result::Result::Ok(parts) => ::std::boxed::Box::pin(#send),
                    ::core::result::Result::Err(e) => ::std::boxed::Box::pin(::core::future::ready(::core::result::Result::Err(e))),
                }
            }
        }
    }
}

/// `.stream()` of a paginated call: every item of every page, fetched on demand; the page token
/// is the stream's to follow, whatever was set.
fn stream_method(op: &OperationIr) -> Option<TokenStream> {
    let pagination = op.pagination.as_ref()?;
    let builder = builder_name(op);
    let names = &op.names.args;
    let item = types::rust_type(&pagination.item);
    let mut owned = Vec::new();
    let mut clones = Vec::new();
    let (mut rebuild, mut rebuild_query) = (Vec::new(), Vec::new());
    let params = op.path_params.iter().zip(&names.path).chain(op.query_params.iter().zip(&names.query));
    for (p, name) in params {
        let id = types::rust(name);
        if p.wire == pagination.page_token {
            rebuild_query.push(quote! { #id: page_token.as_deref() });
            continue;
        }
        let from = if p.is_option() {
            quote! { self.query.#id }
        } else {
            quote! { self.#id }
        };
        let by_value = matches!(p.ty, TypeIr::Integer | TypeIr::Amount | TypeIr::Boolean);
        let (to_owned, passed) = match (by_value, p.is_option(), &p.ty) {
            (true, _, _) => (quote! { #from }, quote! { #id }),
            (false, false, TypeIr::Enum(_)) => (quote! { #from.clone() }, quote! { &#id }),
            (false, true, TypeIr::Enum(_)) => (quote! { #from.cloned() }, quote! { #id.as_ref() }),
            (false, false, _) => (quote! { #from.to_owned() }, quote! { &#id }),
            (false, true, _) => (quote! { #from.map(::std::borrow::ToOwned::to_owned) }, quote! { #id.as_deref() }),
        };
        owned.push(quote! { let #id = #to_owned; });
        if !by_value {
            clones.push(quote! { let #id = #id.clone(); });
        }
        let init = field_init(&id, passed);
        if p.is_option() {
            rebuild_query.push(init);
        } else {
            rebuild.push(init);
        }
    }
    let q = query_name(op);
    let next = types::rust(&pagination.next_page_token.rust);
    let items = types::rust(&pagination.items.rust);
    let next_expr = if pagination.next_page_token.optional {
        quote! { page.#next }
    } else {
        quote! { ::core::option::Option::Some(page.#next) }
    };
    let items_expr = if pagination.items.optional {
        quote! { page.#items.unwrap_or_default() }
    } else {
        quote! { page.#items }
    };
    let doc = format!(
        " Every item, page after page: pages are requested on demand, following `{}` with `{}` \
         until the last page.",
        pagination.next_page_token.rust.as_str(),
        pagination.page_token
    );
    Some(quote! {
        #[doc = #doc]
        pub fn stream(self) -> crate::runtime::pagination::PageStream<#item> {
            let client = self.client.clone();
            #(#owned)*
            crate::runtime::pagination::PageStream::new(move |page_token: ::core::option::Option<::std::string::String>| {
                let client = client.clone();
                #(#clones)*
                async move {
                    let page = #builder { client: &client, #(#rebuild,)* query: #q { #(#rebuild_query),* } }.await?;
                    ::core::result::Result::Ok((#items_expr, #next_expr))
                }
            })
        }
    })
}

/// `field: value` in a struct expression, or the shorthand `field` when the value is a variable of
/// the same name (clippy's `redundant_field_names`).
pub(super) fn field_init(id: &proc_macro2::Ident, value: TokenStream) -> TokenStream {
    if *id == value.to_string() {
        quote! { #id }
    } else {
        quote! { #id: #value }
    }
}
