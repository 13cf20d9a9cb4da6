//! `src/generated/requests.rs`: every operation's request and response as one enum each, so a
//! tool that gets an operation id and raw parameters (the CLI, the sandbox) handles them typed.
//!
//! Also `sandbox/src/generated/handler.rs` ([`emit_handler`]): the trait a server implements,
//! one method per operation, and the dispatch of a request to it. Only a server needs them, so
//! they are generated into the sandbox, not into the published client.

use super::operations::{self, Args};
use super::{docs, types};
use crate::ir::{BrandParam, FieldIr, Ir, OperationIr, TypeIr};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

pub fn emit(ir: &Ir) -> TokenStream {
    // With no operations the enums are empty, and only `match *self {}` type-checks.
    let scrutinee = if ir.operations.is_empty() {
        quote! { *self }
    } else {
        quote! { self }
    };
    let unused_client = ir.operations.is_empty().then(|| quote! { let _ = client; });
    let client = operations::client_type(ir);
    let variants = ir.operations.iter().map(request_variant);
    let parse_arms = ir.operations.iter().map(parse_arm);
    let meta_arms = ir.operations.iter().map(|op| {
        let (v, meta) = (variant(op), meta(op));
        quote! { Self::#v { .. } => &#meta, }
    });
    let validate_arms = ir.operations.iter().map(validate_arm);
    let set_file_arms: Vec<TokenStream> = ir
        .operations
        .iter()
        .filter(|op| op.upload.is_some())
        .map(|op| {
            let v = variant(op);
            let file = types::rust(&op.names.args.file);
            quote! { Self::#v { #file, .. } => { *#file = upload; true } }
        })
        .collect();
    let set_file_body = if set_file_arms.is_empty() {
        quote! { let _ = (self, upload); false }
    } else {
        quote! {
            match self {
                #(#set_file_arms)*
                _ => false,
            }
        }
    };
    let send_arms = ir.operations.iter().map(send_arm);
    let prepare_arms = ir.operations.iter().map(prepare_arm);
    let response_variants = ir.operations.iter().map(response_variant);
    let response_meta_arms = ir.operations.iter().map(|op| {
        let (v, meta) = (variant(op), meta(op));
        match response_model(op) {
            Some(_) => quote! { Self::#v(_) => &#meta, },
            None => quote! { Self::#v => &#meta, },
        }
    });
    let facts = ir.operations.iter().map(request_facts);
    let response_json_arms = ir.operations.iter().map(|op| {
        let v = variant(op);
        match response_model(op) {
            Some(_) => quote! { Self::#v(value) => ::serde_json::to_value(value), },
            None => quote! { Self::#v => ::core::result::Result::Ok(::serde_json::Value::Null), },
        }
    });
    quote! {
        //! Every operation's request and response as one enum each: an operation id plus raw
        //! parameters and a JSON body become a typed request, validated and sent like a call
        //! function would. Used by the CLI and the sandbox.

        /// A typed request of any operation.
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum OperationRequest {
            #(#variants)*
        }

        impl OperationRequest {
            /// Builds the request of operation `id` from path and query parameters given as
            /// `(wire name, text)` pairs and the JSON body.
            pub fn parse(
                id: &str,
                path: &[(&str, &str)],
                query: &[(&str, &str)],
                body: ::core::option::Option<&[u8]>,
            ) -> ::core::result::Result<Self, crate::runtime::dispatch::ParseError> {
                let _ = (path, query, body);
                match id {
                    #(#parse_arms)*
                    other => ::core::result::Result::Err(
                        crate::runtime::dispatch::ParseError::UnknownOperation(::std::string::String::from(other)),
                    ),
                }
            }

            /// The operation's metadata.
            pub fn meta(&self) -> &'static crate::runtime::client::OperationMeta {
                match #scrutinee {
                    #(#meta_arms)*
                }
            }

            /// Attaches the file of an upload operation; `false` (and nothing changes) for
            /// operations that upload nothing.
            pub fn set_file(&mut self, upload: crate::runtime::upload::UploadFile) -> bool {
                #set_file_body
            }

            /// Every violation the request's validation finds, disputed ones and unknown fields
            /// included (a server-side check enforces them all; see [`validate`](Self::validate)).
            pub fn violations(&self) -> crate::runtime::validate::Violations {
                match #scrutinee {
                    #(#validate_arms)*
                }
            }

            /// Validates the request as its call function would before sending, under the
            /// default [`Screening`](crate::runtime::validate::Screening): `Err` with what refuses
            /// it, or the warnings (disputed rules broken, fields the spec does not know).
            pub fn validate(&self) -> ::core::result::Result<::std::vec::Vec<crate::runtime::validate::Violation>, crate::runtime::validate::Violations> {
                crate::runtime::validate::Screening::default().screen(self.violations())
            }

            /// Sends the request with `client` through the operation's call function.
            pub async fn send(
                &self,
                client: &#client,
            ) -> ::core::result::Result<OperationResponse, crate::runtime::error::Error> {
                #unused_client
                match #scrutinee {
                    #(#send_arms)*
                }
            }

            /// The signed request [`send`](Self::send) would send, without sending it (a dry
            /// run): the operation's call, prepared.
            pub fn prepare(
                &self,
                client: &#client,
            ) -> ::core::result::Result<crate::runtime::client::PreparedRequest, crate::runtime::error::Error> {
                #unused_client
                match #scrutinee {
                    #(#prepare_arms)*
                }
            }
        }

        /// Where a request names the brand it acts for.
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::cmp::Eq)]
        #[non_exhaustive]
        pub enum BrandParam {
            /// A top-level field of the JSON body, by wire name.
            Body(&'static str),
            /// A query parameter, by wire name.
            Query(&'static str),
            /// A path parameter, by wire name.
            Path(&'static str),
        }

        /// What a server or tool needs to know about an operation's request beyond its
        /// [`OperationMeta`](crate::runtime::client::OperationMeta), derived from the spec.
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::cmp::Eq)]
        #[non_exhaustive]
        pub struct RequestFacts {
            /// The operation id.
            pub operation_id: &'static str,
            /// The body field whose value identifies a retry of the same request
            /// (`out_request_no`, `send_request_no`, `task_id`): the same value with the same
            /// data is the same request.
            pub idempotency_key: ::core::option::Option<&'static str>,
            /// Where the request names its brand (`brand_id`).
            pub brand_param: ::core::option::Option<BrandParam>,
        }

        /// Every operation's [`RequestFacts`], sorted by operation id.
        pub static REQUEST_FACTS: &[RequestFacts] = &[#(#facts),*];

        /// The [`RequestFacts`] of operation `id`, if the spec has it.
        pub fn request_facts(id: &str) -> ::core::option::Option<&'static RequestFacts> {
            REQUEST_FACTS.iter().find(|f| f.operation_id == id)
        }

        /// A typed successful response of any operation.
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum OperationResponse {
            #(#response_variants)*
        }

        impl OperationResponse {
            /// The operation's metadata.
            pub fn meta(&self) -> &'static crate::runtime::client::OperationMeta {
                match #scrutinee {
                    #(#response_meta_arms)*
                }
            }

            /// The response body as JSON (`null` for operations without one).
            pub fn to_json(&self) -> ::core::result::Result<::serde_json::Value, ::serde_json::Error> {
                match #scrutinee {
                    #(#response_json_arms)*
                }
            }
        }
    }
}

/// The server side of the request enum, generated into the sandbox crate: it names the client's
/// types through the client crate's name instead of `crate`.
pub fn emit_handler(ir: &Ir) -> TokenStream {
    let handler_methods = ir.operations.iter().map(handler_method);
    let handle_arms = ir.operations.iter().map(handle_arm);
    // The request enum is non-exhaustive across crates; a variant this file does not know
    // means the client crate was built from a newer spec than the generated handler.
    let request = quote! {
        match request {
            #(#handle_arms)*
            other => ::core::result::Result::Err(handler.unserved(other.meta().id)),
        }
    };
    let forward_methods = ir.operations.iter().map(forward_method);
    let key_arms = ir.operations.iter().filter_map(|op| request_key_arm(ir, op));
    let canonical_arms = ir.operations.iter().filter_map(canonical_arm);
    let replay_arms = ir.operations.iter().map(|op| {
        let v = variant(op);
        match response_model(op) {
            Some(_) => quote! {
                OperationRequest::#v { .. } => ::serde_json::from_str(stored)
                    .map(|response| OperationResponse::#v(::std::boxed::Box::new(response))),
            },
            None => quote! { OperationRequest::#v { .. } => ::core::result::Result::Ok(OperationResponse::#v), },
        }
    });
    let text_arms = ir.operations.iter().map(|op| {
        let v = variant(op);
        match response_model(op) {
            Some(_) => quote! { OperationResponse::#v(value) => ::serde_json::to_string(&**value), },
            None => quote! { OperationResponse::#v => ::core::result::Result::Ok(::std::string::String::new()), },
        }
    });
    let tokens = quote! {
        //! Serving operations: the trait a server implements, one method per operation and named
        //! exactly like it, and the dispatch of a parsed request to it. When the spec gains an
        //! operation, implementations stop compiling until they serve it too.
        //!
        //! Also what a server checks before any handler runs, per operation from the spec: the
        //! brand a request acts for and its request number ([`request_key`]), the form in which
        //! two requests of one number are compared ([`canonical_request`]), and the typed form
        //! of a stored response ([`replay`], [`response_text`]).

        use crate::generated::requests::{OperationRequest, OperationResponse};

        /// What a server checks about a request before its handler runs.
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::cmp::Eq)]
        pub struct RequestKey<'a> {
            /// The operation id.
            pub operation_id: &'static str,
            /// The brand the request acts for (`brand_id`), for operations that name one.
            pub brand_id: ::core::option::Option<&'a str>,
            /// The request number that makes a retry safe, for operations that have one.
            pub number: ::core::option::Option<RequestNumber<'a>>,
        }

        /// A request number: the same number with the same request is a retry.
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::cmp::Eq)]
        pub struct RequestNumber<'a> {
            /// The body field that carries it (`out_request_no`, `send_request_no`, `task_id`).
            pub field: &'static str,
            /// Its value.
            pub value: &'a str,
            /// The error code for the number reused with other data: `ALREADY_EXISTS` where the
            /// operation's error table lists that code, `INVALID_REQUEST` otherwise.
            pub reuse_code: &'static str,
        }

        /// The brand and request number of `request`.
        pub fn request_key(request: &OperationRequest) -> RequestKey<'_> {
            match request {
                #(#key_arms)*
                other => RequestKey { operation_id: other.meta().id, brand_id: ::core::option::Option::None, number: ::core::option::Option::None },
            }
        }

        /// `request` as JSON in the form two requests of one number are compared in:
        /// `[operation id, [[path parameter, value], ...], body]`, the body re-serialized from
        /// its typed form (field order is the model's, unknown fields are gone), so the JSON
        /// layout of what was sent does not matter. Operations without a request number give
        /// `[operation id, [], null]`.
        pub fn canonical_request(request: &OperationRequest) -> ::core::result::Result<::std::vec::Vec<u8>, ::serde_json::Error> {
            match request {
                #(#canonical_arms)*
                other => {
                    let path: &[(&str, &str)] = &[];
                    ::serde_json::to_vec(&(other.meta().id, path, ()))
                }
            }
        }

        /// A response stored for `request`'s operation (by [`response_text`]), decoded again.
        pub fn replay(request: &OperationRequest, stored: &str) -> ::core::result::Result<OperationResponse, ::serde_json::Error> {
            match request {
                #(#replay_arms)*
                other => ::core::result::Result::Err(<::serde_json::Error as ::serde::de::Error>::custom(
                    ::std::format!("no response type known for {}", other.meta().id),
                )),
            }
        }

        /// The response body as sent: the model serialized in its field order (empty for
        /// operations without a body).
        pub fn response_text(response: &OperationResponse) -> ::core::result::Result<::std::string::String, ::serde_json::Error> {
            match response {
                #(#text_arms)*
                other => other.to_json().map(|value| value.to_string()),
            }
        }

        /// Serves operations, one method per operation.
        pub trait OperationHandler {
            /// What a method fails with.
            type Error;
            /// The error for a request of an operation this trait has no method for (the client
            /// crate was built from a newer spec than this file).
            fn unserved(&mut self, operation_id: &str) -> Self::Error;
            #(#handler_methods)*
        }

        /// Hands `request` to the handler's method for its operation.
        pub fn handle<H: OperationHandler>(request: OperationRequest, handler: &mut H) -> ::core::result::Result<OperationResponse, H::Error> {
            #request
        }
    };
    // The macro names this crate (`$crate`, `pub(crate)`), so it is added after the rewrite;
    // its methods name the client's types and are rewritten on their own.
    let forward_methods: Vec<TokenStream> = forward_methods.map(in_client_crate).collect();
    let forward = quote! {
        /// Implements [`OperationHandler`] for a wrapper type whose field `0` is a `&mut` of a type
        /// that has a method of each operation's name and signature (its own, anywhere in the
        /// crate, e.g. grouped by domain), plus `unserved`: every trait method calls the method of
        /// the same name. `forward_operations!(Wrapper<'_>, ErrorType);`
        #[allow(unused_macros)]
        macro_rules! forward_operations {
            ($wrapper:ty, $error:ty) => {
                impl $crate::generated::handler::OperationHandler for $wrapper {
                    type Error = $error;
                    fn unserved(&mut self, operation_id: &str) -> $error {
                        self.0.unserved(operation_id)
                    }
                    #(#forward_methods)*
                }
            };
        }
        #[allow(unused_imports)]
        pub(crate) use forward_operations;

    };
    let mut out = in_client_crate(tokens);
    out.extend(forward);
    out
}

/// Rewrites every `crate` path root to the client crate's name, so tokens written for the client
/// crate compile in a crate that depends on it.
pub(super) fn in_client_crate(tokens: TokenStream) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(id) if id == "crate" => TokenTree::Ident(Ident::new(CLIENT_CRATE, id.span())),
            TokenTree::Group(g) => {
                let mut out = Group::new(g.delimiter(), in_client_crate(g.stream()));
                out.set_span(g.span());
                TokenTree::Group(out)
            }
            other => other,
        })
        .collect()
}

/// The client crate's name in Rust paths.
const CLIENT_CRATE: &str = "wechatpay_product_coupon";

/// The `request_key` arm of an operation that names a brand or has a request number.
fn request_key_arm(ir: &Ir, op: &OperationIr) -> Option<TokenStream> {
    if op.brand_param.is_none() && op.idempotency_key.is_none() {
        return None;
    }
    let v = variant(op);
    let id = &op.id;
    let args = operations::args(op);
    let body_ident = types::rust(&args.names.body);
    // Each value read: the variant field to bind, the expression, whether it is optional.
    let body_field = |wire: &str| -> Option<(Ident, TokenStream, bool)> {
        let model = ir.models.get(op.request_body.as_deref()?)?;
        let f = model.fields.iter().find(|f| f.wire == wire)?;
        let name = types::rust(&f.rust);
        Some((body_ident.clone(), quote! { #body_ident.#name }, f.is_option()))
    };
    let param = |wire: &str| -> Option<(Ident, TokenStream, bool)> {
        params(op, &args)
            .into_iter()
            .find(|(p, _)| p.wire == wire)
            .map(|(p, id)| (id.clone(), quote! { #id }, p.is_option()))
    };
    // The variant fields the arm reads, bound once each.
    let mut binds: Vec<Ident> = Vec::new();
    let mut bind = |id: &Ident| {
        if !binds.contains(id) {
            binds.push(id.clone());
        }
    };
    let brand = match &op.brand_param {
        Some(BrandParam::Body(w)) => body_field(w),
        Some(BrandParam::Query(w) | BrandParam::Path(w)) => param(w),
        None => None,
    };
    let brand = match brand {
        Some((id, expr, true)) => {
            bind(&id);
            quote! { #expr.as_deref() }
        }
        Some((id, expr, false)) => {
            bind(&id);
            quote! { ::core::option::Option::Some(#expr.as_str()) }
        }
        None => quote! { ::core::option::Option::None },
    };
    // Lowering picks the request number among required body fields only.
    let number = match op.idempotency_key.as_deref().and_then(|w| Some((w, body_field(w)?))) {
        Some((wire, (id, expr, _))) => {
            bind(&id);
            let reuse =
                if op.errors.iter().any(|e| e.code == "ALREADY_EXISTS") { "ALREADY_EXISTS" } else { "INVALID_REQUEST" };
            quote! {
                ::core::option::Option::Some(RequestNumber { field: #wire, value: #expr.as_str(), reuse_code: #reuse })
            }
        }
        None => quote! { ::core::option::Option::None },
    };
    Some(quote! {
        OperationRequest::#v { #(#binds,)* .. } => RequestKey { operation_id: #id, brand_id: #brand, number: #number },
    })
}

/// The `canonical_request` arm of an operation with a request number.
fn canonical_arm(op: &OperationIr) -> Option<TokenStream> {
    op.idempotency_key.as_ref()?;
    let v = variant(op);
    let id = &op.id;
    let args = operations::args(op);
    let body = types::rust(&args.names.body);
    let path_binds: Vec<Ident> =
        op.path_params.iter().zip(&args.names.path).map(|(_, name)| types::rust(name)).collect();
    let pairs = op.path_params.iter().zip(&path_binds).map(|(p, id)| {
        let wire = &p.wire;
        quote! { (#wire, ::core::convert::AsRef::<str>::as_ref(#id)) }
    });
    Some(quote! {
        OperationRequest::#v { #(#path_binds,)* #body, .. } => {
            let path: &[(&str, &str)] = &[#(#pairs),*];
            ::serde_json::to_vec(&(#id, path, &**#body))
        }
    })
}

fn request_facts(op: &OperationIr) -> TokenStream {
    let id = &op.id;
    let key = match &op.idempotency_key {
        Some(k) => quote! { ::core::option::Option::Some(#k) },
        None => quote! { ::core::option::Option::None },
    };
    let brand = match &op.brand_param {
        Some(BrandParam::Body(w)) => quote! { ::core::option::Option::Some(BrandParam::Body(#w)) },
        Some(BrandParam::Query(w)) => quote! { ::core::option::Option::Some(BrandParam::Query(#w)) },
        Some(BrandParam::Path(w)) => quote! { ::core::option::Option::Some(BrandParam::Path(#w)) },
        None => quote! { ::core::option::Option::None },
    };
    quote! { RequestFacts { operation_id: #id, idempotency_key: #key, brand_param: #brand } }
}

fn variant(op: &OperationIr) -> Ident {
    types::rust(&op.names.variant)
}

fn meta(op: &OperationIr) -> TokenStream {
    let m = types::rust(&op.names.meta);
    let ops = operations::module_path(op);
    quote! { #ops::#m }
}

pub(super) fn response_model(op: &OperationIr) -> Option<&str> {
    op.response_model()
}

/// The owned type of a parameter field in the enum.
fn owned_param_type(p: &FieldIr) -> TokenStream {
    let base = match &p.ty {
        TypeIr::Enum(name) => types::model_path(name),
        TypeIr::Integer | TypeIr::Amount => quote! { i64 },
        TypeIr::Boolean => quote! { bool },
        _ => quote! { ::std::string::String },
    };
    if p.is_option() {
        quote! { ::core::option::Option<#base> }
    } else {
        base
    }
}

/// All parameters of an operation with their field names in the enum variant.
fn params<'a>(op: &'a OperationIr, args: &Args) -> Vec<(&'a FieldIr, Ident)> {
    let path = op.path_params.iter().zip(&args.names.path);
    let query = op.query_params.iter().zip(&args.names.query);
    path.chain(query).map(|(p, name)| (p, types::rust(name))).collect()
}

fn request_variant(op: &OperationIr) -> TokenStream {
    let args = operations::args(op);
    let v = variant(op);
    let doc = format!(" {} (`{} {}`).", op.title, op.method.as_str(), op.path);
    let mut fields: Vec<TokenStream> = params(op, &args)
        .into_iter()
        .map(|(p, id)| {
            let ty = owned_param_type(p);
            let doc = format!(" 【{}】 `{}`", docs::prose(&p.label), p.wire);
            quote! { #[doc = #doc] #id: #ty, }
        })
        .collect();
    if let Some(model) = &op.request_body {
        let id = types::rust(&args.names.body);
        let ty = types::model_path(model);
        // Boxed: request models are large and variants should stay small.
        fields.push(quote! { #[doc = " The JSON body."] #id: ::std::boxed::Box<#ty>, });
    }
    if let Some(upload) = &op.upload {
        let (meta, file) = (types::rust(&args.names.meta), types::rust(&args.names.file));
        let ty = types::model_path(&upload.meta);
        fields.push(quote! {
            #[doc = " The upload's meta JSON (the signed part)."]
            #meta: ::std::boxed::Box<#ty>,
            #[doc = " The file; `parse` leaves it empty: set it with [`OperationRequest::set_file`]."]
            #file: crate::runtime::upload::UploadFile,
        });
    }
    quote! { #[doc = #doc] #v { #(#fields)* }, }
}

fn parse_arm(op: &OperationIr) -> TokenStream {
    let args = operations::args(op);
    let v = variant(op);
    let id = &op.id;
    let path_count = op.path_params.len();
    let mut fields: Vec<TokenStream> = params(op, &args)
        .into_iter()
        .enumerate()
        .map(|(i, (p, field))| {
            let pairs = if i < path_count {
                quote! { path }
            } else {
                quote! { query }
            };
            let wire = &p.wire;
            let convert = |text: TokenStream| match &p.ty {
                TypeIr::Enum(name) => {
                    let t = types::model_path(name);
                    quote! { <#t as ::core::convert::From<&str>>::from(#text) }
                }
                TypeIr::Integer | TypeIr::Amount => quote! { crate::runtime::dispatch::integer_param(#wire, #text)? },
                TypeIr::Boolean => quote! { crate::runtime::dispatch::boolean_param(#wire, #text)? },
                _ => quote! { ::std::string::String::from(#text) },
            };
            let value = if p.is_option() {
                let fallible = matches!(p.ty, TypeIr::Integer | TypeIr::Amount | TypeIr::Boolean);
                if fallible {
                    let c = match &p.ty {
                        TypeIr::Boolean => quote! { crate::runtime::dispatch::boolean_param(#wire, v) },
                        _ => quote! { crate::runtime::dispatch::integer_param(#wire, v) },
                    };
                    quote! { crate::runtime::dispatch::param(#pairs, #wire).map(|v| #c).transpose()? }
                } else {
                    let f = match &p.ty {
                        TypeIr::Enum(name) => {
                            let t = types::model_path(name);
                            quote! { <#t as ::core::convert::From<&str>>::from }
                        }
                        _ => quote! { ::std::string::String::from },
                    };
                    quote! { crate::runtime::dispatch::param(#pairs, #wire).map(#f) }
                }
            } else {
                let c = convert(quote! { &v });
                quote! {
                    {
                        let v = crate::runtime::dispatch::required_param(#pairs, #wire)?;
                        #c
                    }
                }
            };
            quote! { #field: #value, }
        })
        .collect();
    if op.request_body.is_some() {
        let field = types::rust(&args.names.body);
        fields.push(quote! { #field: ::std::boxed::Box::new(crate::runtime::dispatch::body(body)?), });
    }
    if op.upload.is_some() {
        let (meta, file) = (types::rust(&args.names.meta), types::rust(&args.names.file));
        fields.push(quote! {
            #meta: ::std::boxed::Box::new(crate::runtime::dispatch::body(body)?),
            #file: ::core::default::Default::default(),
        });
    }
    quote! { #id => ::core::result::Result::Ok(Self::#v { #(#fields)* }), }
}

/// Binds a variant's fields and returns the call arguments built from them. An operation with
/// optional query parameters gets them as one `<Variant>Query` value after the others.
fn bind_and_pass(op: &OperationIr) -> (TokenStream, Vec<TokenStream>) {
    let (pattern, fields) = bind_fields(op, true);
    (pattern, fields.into_iter().map(|(_, pass)| pass).collect())
}

/// The variant's pattern and `(field, value)` for the call: required fields as they are passed,
/// then `query` (a `<Variant>Query` of the optional ones) when the operation has any. `by_ref`:
/// the pattern binds references (a `&self` match) rather than owned values.
fn bind_fields(op: &OperationIr, by_ref: bool) -> (TokenStream, Vec<(Ident, TokenStream)>) {
    let args = operations::args(op);
    let v = variant(op);
    let mut binds = Vec::new();
    let mut fields = Vec::new();
    let mut optional = Vec::new();
    for (p, id) in params(op, &args) {
        binds.push(quote! { #id });
        let pass = match (&p.ty, p.is_option()) {
            (TypeIr::Integer | TypeIr::Amount | TypeIr::Boolean, _) if by_ref => quote! { *#id },
            (TypeIr::Integer | TypeIr::Amount | TypeIr::Boolean, _) => quote! { #id },
            (TypeIr::Enum(_), false) if by_ref => quote! { #id },
            (TypeIr::Enum(_), false) => quote! { &#id },
            (TypeIr::Enum(_), true) => quote! { #id.as_ref() },
            (_, false) => quote! { #id.as_str() },
            (_, true) => quote! { #id.as_deref() },
        };
        if p.is_option() && operations::has_optional_query(op) {
            optional.push(operations::field_init(&id, pass));
        } else {
            fields.push((id, pass));
        }
    }
    let mut extra = |id: Ident| {
        binds.push(quote! { #id });
        let pass = if by_ref {
            quote! { #id }
        } else {
            quote! { &#id }
        };
        fields.push((id, pass));
    };
    if op.request_body.is_some() {
        extra(types::rust(&args.names.body));
    }
    if op.upload.is_some() {
        extra(types::rust(&args.names.meta));
        extra(types::rust(&args.names.file));
    }
    if operations::has_optional_query(op) {
        let q = operations::query_name(op);
        let ops = operations::module_path(op);
        fields.push((quote::format_ident!("query"), quote! { #ops::#q { #(#optional),* } }));
    }
    (quote! { Self::#v { #(#binds),* } }, fields)
}

fn validate_arm(op: &OperationIr) -> TokenStream {
    let (pattern, mut pass) = bind_and_pass(op);
    if operations::has_optional_query(op) {
        if let Some(query) = pass.last_mut() {
            *query = quote! { &#query };
        }
    }
    let f = types::rust(&op.names.validator);
    let ops = operations::module_path(op);
    quote! { #pattern => #ops::#f(#(#pass),*), }
}

fn send_arm(op: &OperationIr) -> TokenStream {
    let (pattern, fields) = bind_fields(op, true);
    let f = types::rust(&op.names.call);
    let v = variant(op);
    let wrap = match response_model(op) {
        Some(_) => quote! { .map(|response| OperationResponse::#v(::std::boxed::Box::new(response))) },
        None => quote! { .map(|()| OperationResponse::#v) },
    };
    if operations::has_optional_query(op) {
        let call = optional_query_call(op, fields);
        return quote! { #pattern => #call.await #wrap, };
    }
    let pass = fields.iter().map(|(_, pass)| pass);
    quote! { #pattern => client.#f(#(#pass),*).await #wrap, }
}

/// The call of an operation with optional query parameters: the call function with the required
/// ones, its query set from the variant.
fn optional_query_call(op: &OperationIr, fields: Vec<(Ident, TokenStream)>) -> TokenStream {
    let f = types::rust(&op.names.call);
    // `bind_fields` passes the optional query parameters last, as one `<Variant>Query`.
    let (query, required): (Vec<_>, Vec<_>) = fields.into_iter().partition(|(id, _)| id == "query");
    let pass = required.iter().map(|(_, pass)| pass);
    let query = query.into_iter().map(|(_, q)| q);
    quote! {
        {
            let mut call = client.#f(#(#pass),*);
            #(call.query = #query;)*
            call
        }
    }
}

/// The call of `send_arm`, prepared instead of awaited.
fn prepare_arm(op: &OperationIr) -> TokenStream {
    let (pattern, fields) = bind_fields(op, true);
    if operations::has_optional_query(op) {
        let call = optional_query_call(op, fields);
        return quote! { #pattern => #call.prepare(), };
    }
    let f = types::rust(&op.names.call);
    let pass = fields.iter().map(|(_, pass)| pass);
    quote! { #pattern => client.#f(#(#pass),*).prepare(), }
}

fn response_variant(op: &OperationIr) -> TokenStream {
    let v = variant(op);
    let doc = format!(" {}: the response.", op.title);
    match response_model(op) {
        Some(model) => {
            let ty = types::model_path(model);
            quote! { #[doc = #doc] #v(::std::boxed::Box<#ty>), }
        }
        None => quote! { #[doc = #doc] #v, },
    }
}

/// The variant's fields by value, as `(name, type)`.
fn owned_fields(op: &OperationIr) -> Vec<(Ident, TokenStream)> {
    let args = operations::args(op);
    let mut out: Vec<(Ident, TokenStream)> =
        params(op, &args).into_iter().map(|(p, id)| (id, owned_param_type(p))).collect();
    if let Some(model) = &op.request_body {
        let ty = types::model_path(model);
        out.push((types::rust(&args.names.body), quote! { #ty }));
    }
    if let Some(upload) = &op.upload {
        let ty = types::model_path(&upload.meta);
        out.push((types::rust(&args.names.meta), quote! { #ty }));
        out.push((types::rust(&args.names.file), quote! { crate::runtime::upload::UploadFile }));
    }
    out
}

/// A handler method's parameters: the variant's fields by value, except that the optional query
/// parameters of an operation with a call builder come as one borrowed `<Variant>Query`.
fn handler_params(op: &OperationIr) -> Vec<(Ident, TokenStream)> {
    if !operations::has_optional_query(op) {
        return owned_fields(op);
    }
    let optional = operations::optional_idents(op);
    let mut out: Vec<_> = owned_fields(op).into_iter().filter(|(id, _)| !optional.contains(id)).collect();
    let q = operations::query_type(op, quote! { '_ });
    let ops = operations::module_path(op);
    out.push((quote::format_ident!("query"), quote! { #ops::#q }));
    out
}

fn handler_method(op: &OperationIr) -> TokenStream {
    let f = types::rust(&op.names.call);
    let doc = format!(" {} (`{} {}`).", op.title, op.method.as_str(), op.path);
    let params = handler_params(op).into_iter().map(|(id, ty)| quote! { #id: #ty });
    let ret = match response_model(op) {
        Some(model) => types::model_path(model),
        None => quote! { () },
    };
    quote! {
        #[doc = #doc]
        fn #f(&mut self, #(#params),*) -> ::core::result::Result<#ret, Self::Error>;
    }
}

/// A trait method of `forward_operations!`: the wrapped value's method of the same name.
fn forward_method(op: &OperationIr) -> TokenStream {
    let f = types::rust(&op.names.call);
    let params = handler_params(op);
    let names = params.iter().map(|(id, _)| id);
    let decls = params.iter().map(|(id, ty)| quote! { #id: #ty });
    let ret = match response_model(op) {
        Some(model) => types::model_path(model),
        None => quote! { () },
    };
    quote! {
        fn #f(&mut self, #(#decls),*) -> ::core::result::Result<#ret, $error> {
            self.0.#f(#(#names),*)
        }
    }
}

fn handle_arm(op: &OperationIr) -> TokenStream {
    let v = variant(op);
    let f = types::rust(&op.names.call);
    let fields = owned_fields(op);
    let binds = fields.iter().map(|(id, _)| id);
    let args = operations::args(op);
    let optional = operations::optional_idents(op);
    let pass: Vec<TokenStream> = fields
        .iter()
        .filter(|(id, _)| !operations::has_optional_query(op) || !optional.contains(id))
        .map(|(id, _)| {
            let boxed = (op.request_body.is_some() && *id == types::rust(&args.names.body))
                || (op.upload.is_some() && *id == types::rust(&args.names.meta));
            if boxed {
                quote! { *#id }
            } else {
                quote! { #id }
            }
        })
        .collect();
    if operations::has_optional_query(op) {
        // The query borrows the owned fields, so it is built before the required ones move.
        if let Some((_, query)) = bind_fields(op, false).1.pop() {
            let wrap = match response_model(op) {
                Some(_) => quote! { .map(|response| OperationResponse::#v(::std::boxed::Box::new(response))) },
                None => quote! { .map(|()| OperationResponse::#v) },
            };
            return quote! {
                OperationRequest::#v { #(#binds),* } => {
                    let query = #query;
                    handler.#f(#(#pass,)* query) #wrap
                }
            };
        }
    }
    let wrap = match response_model(op) {
        Some(_) => quote! { .map(|response| OperationResponse::#v(::std::boxed::Box::new(response))) },
        None => quote! { .map(|()| OperationResponse::#v) },
    };
    quote! { OperationRequest::#v { #(#binds),* } => handler.#f(#(#pass),*) #wrap, }
}
