//! The command-line interface's command table (`cli/src/generated.rs`): one entry per
//! operation with its subcommand name, help texts, parameters (as flags) and body model. The
//! types it fills (`CommandSpec`, `ParamSpec`, ...) are hand-written in `cli/src/table.rs`.

use super::{docs, types};
use crate::ir::{FieldIr, Ir, OperationIr, TypeIr};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn emit(ir: &Ir) -> TokenStream {
    let commands = ir.operations.iter().map(|op| command(ir, op));
    let families = ir.secondary_families().filter_map(|family| {
        let module = types::ident(family.module.as_deref()?);
        let view = ir.family_view(family);
        let commands = view.operations.iter().map(|op| command(ir, op));
        let doc = format!(
            " The {} family's subcommands (`{}`, signed `{}`), sorted by operation id.",
            family.title, family.path_prefix, family.auth_scheme
        );
        Some(quote! {
            #[doc = #doc]
            pub mod #module {
                /// Every operation's subcommand in this family, sorted by operation id.
                pub static COMMANDS: &[crate::table::CommandSpec] = &[#(#commands),*];
            }
        })
    });
    let dispatch = family_dispatch(ir);
    quote! {
        //! The command table: one subcommand per operation of the spec, a flag per path or
        //! query parameter, and a module per further API family. Read by the hand-written `main.rs`.

        /// Every operation's subcommand, sorted by operation id.
        pub static COMMANDS: &[crate::table::CommandSpec] = &[#(#commands),*];

        #(#families)*

        #dispatch
    }
}

/// The families as the command line sees them (`families.toml`): a `Family` per entry with its
/// subcommand group, commands and operations, and `Typed`, a request of any family, parsed,
/// validated, prepared and sent through that family's generated request enum and client.
fn family_dispatch(ir: &Ir) -> TokenStream {
    let client_crate = quote! { wechatpay_product_coupon };
    let variants: Vec<proc_macro2::Ident> =
        ir.families.iter().map(|f| types::ident(&crate::names::pascal(&f.id))).collect();
    let docs = ir.families.iter().map(|f| {
        let who = if f.title.is_empty() { f.id.clone() } else { f.title.clone() };
        format!(" {who}: `{}`, signed `{}`.", f.path_prefix, f.auth_scheme)
    });
    let module = |f: &crate::ir::FamilyIr| f.module.as_deref().map(types::ident);
    let arms = |make: &dyn Fn(&crate::ir::FamilyIr) -> TokenStream| -> Vec<TokenStream> {
        ir.families
            .iter()
            .zip(&variants)
            .map(|(f, v)| {
                let value = make(f);
                quote! { Family::#v => #value, }
            })
            .collect()
    };
    let groups = arms(&|f| match &f.module {
        Some(m) => quote! { ::core::option::Option::Some(#m) },
        None => quote! { ::core::option::Option::None },
    });
    let titles = arms(&|f| {
        let t = &f.title;
        quote! { #t }
    });
    let prefixes = arms(&|f| {
        let p = &f.path_prefix;
        quote! { #p }
    });
    let schemes = arms(&|f| {
        let a = &f.auth_scheme;
        quote! { #a }
    });
    let brand_signs = arms(&|f| {
        let b = f.brand_identity == crate::spec::BrandIdentity::Authorization;
        quote! { #b }
    });
    let commands = arms(&|f| match module(f) {
        Some(m) => quote! { #m::COMMANDS },
        None => quote! { COMMANDS },
    });
    let ops_path = |f: &crate::ir::FamilyIr| match module(f) {
        Some(m) => quote! { #client_crate::generated::#m },
        None => quote! { #client_crate::generated },
    };
    let operations = arms(&|f| {
        let p = ops_path(f);
        quote! { #p::operations::OPERATIONS }
    });
    let typed_variants = ir.families.iter().zip(&variants).map(|(f, v)| {
        let p = ops_path(f);
        quote! { #v(#p::requests::OperationRequest), }
    });
    let parse_arms = ir.families.iter().zip(&variants).map(|(f, v)| {
        let p = ops_path(f);
        quote! { Family::#v => #p::requests::OperationRequest::parse(id, path, query, body).map(Typed::#v), }
    });
    let each = |body: TokenStream| -> Vec<TokenStream> {
        variants.iter().map(|v| quote! { Typed::#v(r) => #body, }).collect()
    };
    let set_file = each(quote! { { r.set_file(file); } });
    let validate = each(quote! { r.validate() });
    let with_client = |call: TokenStream| -> Vec<TokenStream> {
        ir.families
            .iter()
            .zip(&variants)
            .map(|(f, v)| {
                let c = types::ident(&f.client);
                quote! {
                    Typed::#v(r) => {
                        let client = #client_crate::runtime::client::#c::from(core.clone());
                        #call
                    }
                }
            })
            .collect()
    };
    let prepare = with_client(quote! { r.prepare(&client) });
    let send = with_client(quote! { r.send(&client).await.map(drop) });
    quote! {
        /// The API families (`families.toml`), the primary one first.
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::cmp::Eq)]
        pub enum Family {
            #(#[doc = #docs] #variants,)*
        }

        impl Family {
            /// Every family, the primary one first.
            pub const ALL: &'static [Family] = &[#(Family::#variants),*];

            /// The subcommand group of the family's operations (`None`: the top level).
            pub fn group(self) -> ::core::option::Option<&'static str> {
                match self { #(#groups)* }
            }

            /// Who calls the family's operations.
            pub fn title(self) -> &'static str {
                match self { #(#titles)* }
            }

            /// The path every operation of the family starts with.
            pub fn path_prefix(self) -> &'static str {
                match self { #(#prefixes)* }
            }

            /// The `Authorization` scheme the family's requests are signed with.
            pub fn auth_scheme(self) -> &'static str {
                match self { #(#schemes)* }
            }

            /// Whether the brand signs the family's requests (its client reads the brand's
            /// environment variables) rather than a 服务商 naming it in the request.
            pub fn brand_signs(self) -> bool {
                match self { #(#brand_signs)* }
            }

            /// The family's subcommands.
            pub fn commands(self) -> &'static [crate::table::CommandSpec] {
                match self { #(#commands)* }
            }

            /// The family's operations.
            pub fn operations(self) -> &'static [&'static #client_crate::runtime::client::OperationMeta] {
                match self { #(#operations)* }
            }
        }

        /// A typed request of one family's operation.
        #[derive(::core::fmt::Debug)]
        pub enum Typed {
            #(#typed_variants)*
        }

        impl Typed {
            /// Builds the request of operation `id` in `family` from its parameters and body.
            pub fn parse(
                family: Family,
                id: &str,
                path: &[(&str, &str)],
                query: &[(&str, &str)],
                body: ::core::option::Option<&[u8]>,
            ) -> ::core::result::Result<Typed, #client_crate::runtime::dispatch::ParseError> {
                match family { #(#parse_arms)* }
            }

            /// Sets the file of an upload.
            pub fn set_file(&mut self, file: #client_crate::runtime::upload::UploadFile) {
                match self { #(#set_file)* }
            }

            /// The request's warnings, or what refuses it.
            pub fn validate(
                &self,
            ) -> ::core::result::Result<::std::vec::Vec<#client_crate::runtime::validate::Violation>, #client_crate::runtime::validate::Violations> {
                match self { #(#validate)* }
            }

            /// The signed request, through the family's client over `core`.
            pub fn prepare(
                &self,
                core: &#client_crate::runtime::Client,
            ) -> ::core::result::Result<#client_crate::PreparedRequest, #client_crate::Error> {
                match self { #(#prepare)* }
            }

            /// Sends the request through the family's client over `core`; the typed response
            /// proves it decodes.
            pub async fn send(&self, core: &#client_crate::runtime::Client) -> ::core::result::Result<(), #client_crate::Error> {
                match self { #(#send)* }
            }
        }
    }
}

fn command(ir: &Ir, op: &OperationIr) -> TokenStream {
    let id = &op.id;
    let name = &op.names.command;
    let about = flat(&op.title);
    let long_about = long_about(op);
    let flags = &op.names.flags;
    let params = op
        .path_params
        .iter()
        .map(|p| (p, quote! { crate::table::Location::Path }))
        .chain(op.query_params.iter().map(|p| (p, quote! { crate::table::Location::Query })))
        .zip(flags)
        .map(|((p, location), flag)| param(ir, p, flag, location));
    let body = match &op.request_body {
        Some(model) => {
            let spec = body_spec(model);
            quote! { ::core::option::Option::Some(#spec) }
        }
        None => quote! { ::core::option::Option::None },
    };
    let upload = match &op.upload {
        Some(u) => {
            let meta = body_spec(&u.meta);
            let (meta_field, file_field) = (&u.meta_field, &u.file_field);
            quote! {
                ::core::option::Option::Some(crate::table::UploadSpec {
                    meta: #meta,
                    meta_field: #meta_field,
                    file_field: #file_field,
                })
            }
        }
        None => quote! { ::core::option::Option::None },
    };
    let pages = match page_spec(ir, op) {
        Some((page_token, items, next_page_token)) => quote! {
            ::core::option::Option::Some(crate::table::PageSpec {
                page_token: #page_token,
                items: #items,
                next_page_token: #next_page_token,
            })
        },
        None => quote! { ::core::option::Option::None },
    };
    quote! {
        crate::table::CommandSpec {
            operation_id: #id,
            name: #name,
            about: #about,
            long_about: #long_about,
            params: &[#(#params),*],
            body: #body,
            upload: #upload,
            pages: #pages,
        }
    }
}

/// A JSON body (or upload meta) of request model `model` (a family's variant: `brand::X`).
fn body_spec(model: &str) -> TokenStream {
    let ty = format_ident!("{}", types::local_name(model));
    let name = types::local_name(model);
    let path = match types::family_module(model) {
        Some(module) => {
            let module = format_ident!("{}", module);
            quote! { ::wechatpay_product_coupon::#module::models::#ty }
        }
        None => quote! { ::wechatpay_product_coupon::models::#ty },
    };
    quote! {
        crate::table::BodySpec {
            model: #name,
            canonical: crate::table::canonical::<#path>,
        }
    }
}

/// For a paged operation, the wire names of its page-token query parameter and of the items
/// and next-page-token fields of its response: what `--all` follows in the response JSON.
fn page_spec(ir: &Ir, op: &OperationIr) -> Option<(String, String, String)> {
    let p = op.pagination.as_ref()?;
    let fields = &ir.model(op.response_model()?)?.fields;
    let wire = |rust: &crate::ir::RustIdent| fields.iter().find(|f| f.rust == *rust).map(|f| f.wire.clone());
    Some((p.page_token.clone(), wire(&p.items.rust)?, wire(&p.next_page_token.rust)?))
}

fn param(ir: &Ir, p: &FieldIr, flag: &str, location: TokenStream) -> TokenStream {
    let wire = &p.wire;
    let required = p.presence == crate::spec::Presence::Required;
    let value_name = match &p.ty {
        TypeIr::Integer | TypeIr::Amount => "INTEGER",
        TypeIr::Boolean => "BOOL",
        TypeIr::Enum(_) => "VALUE",
        _ => "TEXT",
    };
    let help = param_help(ir, p);
    quote! {
        crate::table::ParamSpec {
            wire: #wire,
            flag: #flag,
            help: #help,
            required: #required,
            location: #location,
            value_name: #value_name,
        }
    }
}

/// 【label】 description, then constraints, allowed values and an example in brackets, on one line.
fn param_help(ir: &Ir, p: &FieldIr) -> String {
    let mut help = format!("【{}】", flat(&p.label));
    if let Some(d) = &p.description {
        help.push_str(&flat(d));
    }
    let mut notes = docs::constraints(&p.constraints, &p.ty);
    if let TypeIr::Enum(name) = &p.ty
        && let Some(e) = ir.enums.get(name)
    {
        let values: Vec<String> = e.values.iter().map(|v| format!("{} ({})", v.wire, flat(&v.meaning))).collect();
        notes.push(format!("One of: {}", values.join(", ")));
    }
    if matches!(p.ty, TypeIr::Boolean) {
        notes.push("true or false".to_owned());
    }
    if let Some(example) = &p.example {
        let text = match example {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        notes.push(format!("e.g. {text}"));
    }
    if !notes.is_empty() {
        // Bracketed like clap's own `[default: ..]` notes.
        let notes: Vec<String> = notes.iter().map(|n| n.replace('`', "")).collect();
        help.push_str(&format!(" [{}]", notes.join("; ")));
    }
    help
}

/// The subcommand's long help: description, request line, limits and the doc link.
fn long_about(op: &OperationIr) -> String {
    let mut paragraphs = vec![flat(&op.title)];
    if let Some(d) = &op.description {
        paragraphs.extend(d.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned));
    }
    paragraphs.push(format!("{} {}", op.method.as_str(), op.path));
    let mut facts = Vec::new();
    if let Some(limit) = &op.rate_limit {
        if op.family.secondary && !limit.text.contains("维度") {
            facts.push(format!("频率限制: {} ({})", flat(&limit.text), op.family.dimension_words));
        } else {
            facts.push(format!("频率限制: {}", flat(&limit.text)));
        }
    }
    if !op.merchants.is_empty() {
        facts.push(format!("支持商户: {}", flat(&op.merchants.join(", "))));
    }
    for p in &op.preconditions {
        facts.push(format!("前置条件: {}", flat(p)));
    }
    if let Some(model) = &op.request_body {
        let model = types::local_name(model);
        facts.push(format!("Body: JSON {model}, from --body FILE or --body - (standard input)"));
    }
    if let Some(u) = &op.upload {
        facts.push(format!(
            "File: --file PATH ({}, at most {} bytes); meta: JSON {}, built from the file or given with --meta FILE",
            u.media_types.join(" / "),
            u.max_bytes,
            u.meta
        ));
    }
    if op.pagination.is_some() {
        facts.push("Pages: --all fetches every page and prints the items as one JSON array (--lines: one JSON item a line, page by page)".to_owned());
    }
    if op.family.secondary {
        facts.push(format!("Family: {} (signed {})", op.family.title, op.family.auth_scheme));
    }
    match &op.family.doc_url {
        Some(url) if op.updated.is_empty() => facts.push(format!("Documentation: {url}")),
        Some(url) => facts.push(format!("Documentation: {url} (更新时间 {})", op.updated)),
        None => facts.push(format!("Documentation: no {} page of this operation was found", op.family.title)),
    }
    paragraphs.push(facts.join("\n"));
    paragraphs.join("\n\n")
}

/// Text on one line, whitespace collapsed (help texts are not rustdoc: nothing to escape).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
