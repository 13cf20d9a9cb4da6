//! Call functions (`src/generated/operations.rs`): one method on `Client` per operation, returning
//! the operation's call builder (`<Variant>Call`: `.await` sends it, `.prepare()` is its dry run),
//! plus static metadata (`OperationMeta`) the runtime, the CLI and the sandbox read.

use super::generic::{Generic, marker};
use super::{docs, types, validation};
use crate::ir::{ArgNames, FieldIr, Ir, OperationIr, TypeIr};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// How an operation's items are typed: as one family's (`plain`), or generic over the family
/// (the call builders and their checks, emitted once in the primary family's module).
#[derive(Default)]
pub(super) struct Typing {
    /// Wire names of the brand parameters: some family does not send them, so a generic call
    /// holds them as `Option`.
    brand: BTreeSet<String>,
    /// The generic models (`shared::X<F>`); `None` outside generic items.
    generic: Option<BTreeSet<String>>,
}

impl Typing {
    /// One family's items: every type concrete.
    pub(super) fn plain() -> Typing {
        Typing::default()
    }

    fn generic(full: &Ir, generic: &Generic) -> Typing {
        Typing {
            brand: full.families.iter().flat_map(|f| f.dropped_fields.iter().cloned()).collect(),
            generic: Some(generic.names()),
        }
    }

    fn is_generic(&self) -> bool {
        self.generic.is_some()
    }

    fn is_brand(&self, p: &FieldIr) -> bool {
        self.is_generic() && self.brand.contains(&p.wire)
    }

    /// A model's type: `shared::X<F>` for a generic model in generic items.
    fn model(&self, key: &str) -> TokenStream {
        match &self.generic {
            Some(set) => types::rust_type_generic(&TypeIr::Model(key.to_owned()), set),
            None => types::model_path(key),
        }
    }
}

/// `ir`'s operations (one family's, `full` the whole IR): their metadata, the family client's
/// methods and the public validators; the primary family's module also gets the call builders,
/// generic over the family, which every family's methods return.
pub fn emit(ir: &Ir, full: &Ir, generic: &Generic) -> TokenStream {
    let metas = ir.operations.iter().map(meta);
    let meta_ids = ir.operations.iter().map(|op| types::rust(&op.names.meta));
    let family_id = ir.primary_family().map(|f| f.id.clone()).unwrap_or_default();
    let family = marker(&family_id);
    let secondary = ir.primary_family().is_some_and(|f| f.module.is_some());
    fn base_of<'a>(full: &'a Ir, op: &'a OperationIr) -> &'a OperationIr {
        full.operations.iter().find(|b| b.id == op.id).unwrap_or(op)
    }
    let typing = Typing::generic(full, generic);
    let calls = ir.operations.iter().map(|op| call(op, base_of(full, op), &typing));
    let validators = ir.operations.iter().map(|op| validator(op, base_of(full, op), &family, &typing));
    let shared = if secondary {
        // The generic items live in the primary module; the family names them.
        let items = ir.operations.iter().map(|op| {
            let builder = builder_name(op);
            let doc = format!(" The `{family_id}` family's [`{builder}`](crate::generated::operations::{builder}).");
            let query = has_optional_query(op).then(|| {
                let q = query_name(op);
                quote! { #[doc(no_inline)] pub use crate::generated::operations::#q; }
            });
            quote! {
                #[doc = #doc]
                pub type #builder<'a> = crate::generated::operations::#builder<'a, #family>;
                #query
            }
        });
        quote! { #(#items)* }
    } else {
        let call_builders = full.operations.iter().map(|op| call_builder(op, &typing));
        let query_structs = full.operations.iter().filter_map(query_struct);
        let checks = full.operations.iter().map(|op| checker(op, &typing));
        quote! {
            #(#call_builders)*
            #(#query_structs)*
            #(#checks)*
        }
    };
    let primary = &ir.service.primary_base_url;
    let backup = &ir.service.backup_base_url;
    let family_consts = family_consts(ir);
    let client = client_type(ir);
    quote! {
        //! One call per operation (a builder: `.await` sends it, `.prepare()` is its dry run), and the
        //! operations' static metadata.

        /// 主域名: the default base URL.
        pub const PRIMARY_BASE_URL: &str = #primary;
        /// 备域名: the base URL tried when the primary cannot be reached.
        pub const BACKUP_BASE_URL: &str = #backup;

        #family_consts

        #(#metas)*

        /// Every operation of the family, sorted by id.
        pub static OPERATIONS: &[&crate::runtime::client::OperationMeta] = &[#(&#meta_ids),*];

        impl #client {
            #(#calls)*
        }

        #(#validators)*

        #shared
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
    /// The required query parameters in order, a brand parameter of generic items as an
    /// `Option` of its pair.
    required_query: Vec<(bool, TokenStream)>,
}

pub(super) fn args(op: &OperationIr) -> Args<'_> {
    args_typed(op, &Typing::plain())
}

/// [`args`], typed by `typing`: in generic items a brand parameter is an `Option` and the body
/// a generic model at `F`.
fn args_typed<'a>(op: &'a OperationIr, typing: &Typing) -> Args<'a> {
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
        if typing.is_brand(p) && !p.is_option() {
            args.push(quote! { #id: ::core::option::Option<#ty> });
            required_query.push((true, quote! { #id.map(|#id| (#wire, #text)) }));
            if !c.is_empty() {
                checks.push(quote! { if let ::core::option::Option::Some(v) = &#id { let p = #wire; let out = &mut __violations; #c } });
            }
        } else if p.is_option() {
            args.push(quote! { #id: ::core::option::Option<#ty> });
            query.push(quote! { if let ::core::option::Option::Some(#id) = #id { __query.push((#wire, #text)); } });
            if !c.is_empty() {
                checks.push(quote! { if let ::core::option::Option::Some(v) = &#id { let p = #wire; let out = &mut __violations; #c } });
            }
        } else {
            args.push(quote! { #id: #ty });
            required_query.push((false, quote! { (#wire, #text) }));
            if !c.is_empty() {
                checks.push(quote! { { let v = &#id; let p = #wire; let out = &mut __violations; #c } });
            }
        }
    }
    let body_id = types::rust(&names.body);
    let body_arg = op.request_body.as_ref().map(|m| {
        let t = typing.model(m);
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
        let meta_ty = typing.model(&upload.meta);
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

/// The generic checker's name (`check_<op>`).
fn checker_name(op: &OperationIr) -> proc_macro2::Ident {
    quote::format_ident!("check_{}", op.id)
}

/// `check_<op>::<F>(args)`: the checks a call runs before any I/O, once for every family (a
/// brand parameter is `None` in a family that does not send it).
fn checker(op: &OperationIr, typing: &Typing) -> TokenStream {
    let Args { decls, checks, .. } = args_typed(op, typing);
    // An operation with optional query parameters takes them as one `<Variant>Query`.
    let (decls, unpack) = if has_optional_query(op) {
        let (mut decls, _) = required_decls_typed(op, false, typing);
        let (q, q_ty) = (query_name(op), query_type(op, quote! { '_ }));
        decls.push(quote! { query: &#q_ty });
        let opts = optional_idents(op);
        (decls, Some(quote! { let #q { #(#opts),* } = *query; }))
    } else {
        (decls, None)
    };
    let name = checker_name(op);
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
    let doc =
        format!(" The checks of `{}` in family `F` (see each family's `{}`).", op.id, op.names.validator.as_str());
    // Parameters without constraints (a boolean, say) are not looked at.
    quote! {
        #[doc = #doc]
        #[allow(unused_variables)]
        // Every call names its family here, whether or not the checks depend on it.
        #[allow(clippy::extra_unused_type_parameters)]
        pub(crate) fn #name<F: crate::runtime::family::Family>(#(#decls),*) -> crate::runtime::validate::Violations {
            #body
        }
    }
}

/// The arguments a family's items pass to the generic ones: each of `base`'s (the primary
/// operation's) required parameters that `op` (the family's) has, by its name there (`Some` for
/// a brand parameter), `None` for one it lacks; then the body and the upload.
fn pass_to_generic(op: &OperationIr, base: &OperationIr, typing: &Typing) -> Vec<(proc_macro2::Ident, TokenStream)> {
    let mine = |wire: &str| -> Option<proc_macro2::Ident> {
        op.path_params
            .iter()
            .zip(&op.names.args.path)
            .chain(op.query_params.iter().zip(&op.names.args.query))
            .find(|(p, _)| p.wire == wire)
            .map(|(_, n)| types::rust(n))
    };
    let mut out = Vec::new();
    let base_params =
        base.path_params.iter().zip(&base.names.args.path).chain(base.query_params.iter().zip(&base.names.args.query));
    for (p, name) in base_params.filter(|(p, _)| !p.is_option()) {
        let field = types::rust(name);
        // A typed id's argument (`impl IdArg`) is passed on as its text.
        let text = |id: proc_macro2::Ident| match &p.id {
            Some(_) => quote! { crate::runtime::ids::IdArg::id_str(#id) },
            None => quote! { #id },
        };
        let value = match mine(&p.wire) {
            Some(id) if typing.is_brand(p) => {
                let id = text(id);
                quote! { ::core::option::Option::Some(#id) }
            }
            Some(id) => text(id),
            None => quote! { ::core::option::Option::None },
        };
        out.push((field, value));
    }
    let names = &base.names.args;
    if base.request_body.is_some() {
        let (field, id) = (types::rust(&names.body), types::rust(&op.names.args.body));
        out.push((field, quote! { #id }));
    }
    if base.upload.is_some() {
        let (field, id) = (types::rust(&names.meta), types::rust(&op.names.args.meta));
        out.push((field, quote! { #id }));
        let (field, id) = (types::rust(&names.file), types::rust(&op.names.args.file));
        out.push((field, quote! { #id }));
    }
    out
}

/// `validate_<op>(args)`: the checks a call runs before any I/O, callable on their own, with
/// the family's own arguments.
fn validator(op: &OperationIr, base: &OperationIr, family: &TokenStream, typing: &Typing) -> TokenStream {
    let (mut decls, _) = required_decls(op, false);
    let mut pass: Vec<TokenStream> = pass_to_generic(op, base, typing).into_iter().map(|(_, v)| v).collect();
    if has_optional_query(op) {
        let q_ty = query_type(op, quote! { '_ });
        let q_path = module_path_of(base);
        decls.push(quote! { query: &#q_path::#q_ty });
        pass.push(quote! { query });
    }
    let name = types::rust(&op.names.validator);
    let lifetime = op
        .path_params
        .iter()
        .chain(&op.query_params)
        .any(|p| !p.is_option() && p.id.is_some())
        .then(|| quote! { <'a> });
    let check = checker_name(op);
    let fn_name = op.names.call.as_str();
    let client = &op.family.client;
    let doc = format!(
        " Validates the arguments of [`{client}::{fn_name}`](crate::runtime::client::{client}::{fn_name}) \
         as the call does before sending: every violation, with its JSON path."
    );
    quote! {
        #[doc = #doc]
        pub fn #name #lifetime(#(#decls),*) -> crate::runtime::validate::Violations {
            crate::generated::operations::#check::<#family>(#(#pass),*)
        }
    }
}

/// The primary module, where the generic items of `base` are.
fn module_path_of(_base: &OperationIr) -> TokenStream {
    quote! { crate::generated::operations }
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
/// the path, query and body of its [`RequestParts`], with every parameter bound by name,
/// `client` the client and `meta` the family's metadata of the operation. Sending and preparing
/// both start here, so they cannot differ.
fn parts_body(op: &OperationIr, typing: &Typing) -> TokenStream {
    let Args { names, idents, query, required_query, .. } = args_typed(op, typing);
    let check = checker_name(op);
    let validate = if has_optional_query(op) {
        let (_, required) = required_decls_typed(op, false, typing);
        let q = query_name(op);
        let opts = optional_idents(op);
        quote! {
            let __warnings = if client.validation_enabled() {
                client.screen(#check::<F>(#(#required,)* &query))?
            } else {
                ::std::vec::Vec::new()
            };
            let #q { #(#opts),* } = query;
        }
    } else {
        quote! {
            let __warnings = if client.validation_enabled() {
                client.screen(#check::<F>(#(#idents),*))?
            } else {
                ::std::vec::Vec::new()
            };
        }
    };
    let body_id = types::rust(&names.body);
    // The family's path template, its placeholders filled (and percent-encoded).
    let fills = op.path_params.iter().zip(&names.path).map(|(p, name)| {
        let id = types::rust(name);
        let wire = &p.wire;
        let text = match &p.ty {
            TypeIr::Enum(_) => quote! { #id.as_str() },
            TypeIr::String => quote! { #id },
            _ => quote! { &#id.to_string() },
        };
        quote! { (#wire, #text) }
    });
    let path = quote! { let __path = crate::runtime::raw::fill_path_template(__meta.path_template, &[#(#fills),*])?; };
    let mutable = if query.is_empty() {
        quote! {}
    } else {
        quote! { mut }
    };
    let query_decl = if required_query.iter().any(|(optional, _)| *optional) {
        // Present parameters in the spec's order, whichever a family sends.
        let items = required_query.iter().map(|(optional, e)| {
            if *optional {
                e.clone()
            } else {
                quote! { ::core::option::Option::Some(#e) }
            }
        });
        quote! {
            let #mutable __query: ::std::vec::Vec<(&str, ::std::string::String)> =
                [#(#items),*].into_iter().flatten().collect();
            #(#query)*
        }
    } else {
        let items = required_query.iter().map(|(_, e)| e);
        quote! { let #mutable __query = ::std::vec![#(#items),*]; #(#query)* }
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
        #path
        #query_decl
        ::core::result::Result::Ok(crate::runtime::client::RequestParts {
            meta: __meta,
            path: __path,
            query: __query,
            body: #body,
            warnings: __warnings,
        })
    }
}

fn return_type(op: &OperationIr, typing: &Typing) -> TokenStream {
    match op.response_model() {
        Some(model) => typing.model(model),
        None => quote! { () },
    }
}

/// The parameters a call function takes: path parameters, required query parameters, the body
/// or the upload's meta and file (optional query parameters are the builder's setters).
/// The public functions' declarations (a client's call, `validate_*`): a parameter holding a
/// typed id takes the id or text (`impl IdArg<'a, OpenId>`), never another kind of id.
pub(super) fn required_decls(op: &OperationIr, borrow_a: bool) -> (Vec<TokenStream>, Vec<proc_macro2::Ident>) {
    let (mut decls, idents) = required_decls_typed(op, borrow_a, &Typing::plain());
    // Named `'a` either way: an anonymous lifetime in `impl Trait` is unstable (the validator
    // declares `'a` when it takes an id).
    let lifetime = quote! { 'a };
    let params = op.path_params.iter().zip(&op.names.args.path).chain(op.query_params.iter().zip(&op.names.args.query));
    for (decl, (p, name)) in decls.iter_mut().zip(params.filter(|(p, _)| !p.is_option())) {
        if let Some(id) = &p.id {
            let (ident, path) = (types::rust(name), types::id_path(id));
            *decl = quote! { #ident: impl crate::runtime::ids::IdArg<#lifetime, #path> };
        }
    }
    (decls, idents)
}

/// [`required_decls`], typed by `typing` (a brand parameter of generic items is an `Option`).
fn required_decls_typed(
    op: &OperationIr,
    borrow_a: bool,
    typing: &Typing,
) -> (Vec<TokenStream>, Vec<proc_macro2::Ident>) {
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
        if typing.is_brand(p) {
            decls.push(quote! { #id: ::core::option::Option<#ty> });
        } else {
            decls.push(quote! { #id: #ty });
        }
        idents.push(id);
    }
    let mut extra = |name, ty: TokenStream| {
        let id = types::rust(name);
        decls.push(quote! { #id: #ty });
        idents.push(id);
    };
    if let Some(m) = &op.request_body {
        let t = typing.model(m);
        extra(&names.body, quote! { #amp #t });
    }
    if let Some(upload) = &op.upload {
        let t = typing.model(&upload.meta);
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

/// The family client's method: the family's arguments, the generic call builder at the family.
fn call(op: &OperationIr, base: &OperationIr, typing: &Typing) -> TokenStream {
    let fn_name = types::rust(&op.names.call);
    let doc = docs::attrs(&op_doc(op));
    let builder = builder_name(op);
    let meta = types::rust(&op.names.meta);
    let (decls, _) = required_decls(op, true);
    let fields = pass_to_generic(op, base, typing).into_iter().map(|(field, value)| field_init(&field, value));
    let query = has_optional_query(base).then(|| {
        let q = query_name(base);
        quote! { query: crate::generated::operations::#q::default(), }
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
            crate::generated::operations::#builder {
                client: self.core(),
                __meta: &#meta,
                #(#fields,)*
                #query
                __family: ::core::marker::PhantomData,
            }
        }
    }
}

/// `<Variant>Call<'a>`: an operation call with its required parameters given and its optional
/// query parameters as named setters. `.await` sends it; `.prepare()` returns the signed request
/// instead (a dry run); `.stream()` pages through a paginated one. Sending and preparing share
/// `parts()`, the one place the call is validated and its request built.
fn call_builder(op: &OperationIr, typing: &Typing) -> TokenStream {
    let builder = builder_name(op);
    let call = op.names.call.as_str();
    let ret = return_type(op, typing);
    let (decls, mut binds) = required_decls_typed(op, true, typing);
    let mut fields: Vec<TokenStream> = decls.iter().map(|d| quote! { pub(crate) #d, }).collect();
    if has_optional_query(op) {
        let q_ty = query_type(op, quote! { 'a });
        fields.push(quote! { pub(crate) query: #q_ty, });
        binds.push(quote::format_ident!("query"));
    }
    let setters = op.query_params.iter().zip(&op.names.args.query).filter(|(p, _)| p.is_option()).map(|(p, n)| {
        let id = types::rust(n);
        let doc = param_doc(p);
        match &p.id {
            Some(typed) => {
                let path = types::id_path(typed);
                quote! {
                    #[doc = #doc]
                    pub fn #id(mut self, #id: impl crate::runtime::ids::IdArg<'a, #path>) -> Self {
                        self.query.#id = ::core::option::Option::Some(crate::runtime::ids::IdArg::id_str(#id));
                        self
                    }
                }
            }
            None => {
                let ty = borrowed_type(p, true);
                quote! {
                    #[doc = #doc]
                    pub fn #id(mut self, #id: #ty) -> Self {
                        self.query.#id = ::core::option::Option::Some(#id);
                        self
                    }
                }
            }
        }
    });
    let parts = parts_body(op, typing);
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
        " A `{call}` call of family `F` (for the {client}: [`{client}::{call}`](crate::runtime::client::{client}::{call})): \
         {setters_doc}`.await` it to send it, or [`prepare`](Self::prepare) it for the request it would send."
    );
    let stream = stream_method(op, typing);
    let primary = marker(&op.family.id);
    quote! {
        #[doc = #doc]
        #[must_use = "a call does nothing until it is awaited or prepared"]
        pub struct #builder<'a, F: crate::runtime::family::Family = #primary> {
            pub(crate) client: &'a crate::runtime::Client,
            pub(crate) __meta: &'static crate::runtime::client::OperationMeta,
            #(#fields)*
            pub(crate) __family: ::core::marker::PhantomData<F>,
        }

        impl<'a, F: crate::runtime::family::Family> #builder<'a, F> {
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
                let Self { client, __meta, #(#binds,)* .. } = *self;
                #parts
            }


            #stream
        }

        impl<'a, F: crate::runtime::family::Family> ::core::future::IntoFuture for #builder<'a, F> {
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
fn stream_method(op: &OperationIr, typing: &Typing) -> Option<TokenStream> {
    let pagination = op.pagination.as_ref()?;
    let builder = builder_name(op);
    let names = &op.names.args;
    let item = match &typing.generic {
        Some(set) => types::rust_type_generic(&pagination.item, set),
        None => types::rust_type(&pagination.item),
    };
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
        // A brand parameter of a generic call is an `Option` like an optional one.
        let (to_owned, passed) = match (by_value, p.is_option() || typing.is_brand(p), &p.ty) {
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
            let __meta = self.__meta;
            #(#owned)*
            crate::runtime::pagination::PageStream::new(move |page_token: ::core::option::Option<::std::string::String>| {
                let client = client.clone();
                #(#clones)*
                async move {
                    let page = #builder::<F> {
                        client: &client,
                        __meta,
                        #(#rebuild,)*
                        query: #q { #(#rebuild_query),* },
                        __family: ::core::marker::PhantomData,
                    }
                    .await?;
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
