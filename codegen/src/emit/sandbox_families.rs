//! `sandbox/src/generated/families.rs`: the API families the sandbox serves, as a route table
//! generated from `api-spec/families.toml`. The sandbox's server routes a request by the table
//! (the longest path prefix), verifies it with the family's `Authorization` scheme and, for a
//! secondary family, parses and validates it as the family's request before serving it through
//! the primary family's handlers and answering in the family's own models. Adding a family adds
//! a row here; the server names no family.

use super::requests::{in_client_crate, response_model};
use super::types;
use crate::ir::{FamilyIr, Ir};
use crate::spec::BrandIdentity;
use proc_macro2::TokenStream;
use quote::quote;

/// The `Authorization` parameter naming the signer of a family's requests: the merchant's
/// `mchid` where a request field names the brand, else the primary family's brand field
/// (`brand_id`), which the brand's own header carries instead.
fn identity_param(ir: &Ir, family: &FamilyIr) -> String {
    match family.brand_identity {
        BrandIdentity::RequestField => "mchid".to_owned(),
        BrandIdentity::Authorization => {
            ir.primary_family().and_then(|p| p.brand_field.clone()).unwrap_or_else(|| "brand_id".to_owned())
        }
    }
}

/// The client crate's module of a family (`crate::generated` for the primary family).
fn client_module(family: &FamilyIr) -> TokenStream {
    match family.module.as_deref() {
        Some(m) => {
            let m = types::ident(m);
            quote! { crate::generated::#m }
        }
        None => quote! { crate::generated },
    }
}

pub fn emit(ir: &Ir) -> TokenStream {
    let primary_id = ir.primary_family().map(|f| f.id.clone()).unwrap_or_default();
    let routes: Vec<TokenStream> =
        ir.families.iter().map(|family| route(ir, family, family.id == primary_id)).collect();
    let names: Vec<_> = ir.families.iter().map(|f| types::ident(&f.id)).collect();
    let tokens = quote! {
        //! The API families the sandbox serves, one [`FamilyRoute`] each, from
        //! `api-spec/families.toml`. A secondary family's request becomes the primary family's
        //! (its brand named where the primary family names it) and is served by the primary
        //! family's handlers; its answers and notifications go back in the family's own models.

        /// One API family as the sandbox serves it.
        #[derive(Debug)]
        pub struct FamilyRoute {
            /// The family's id in the spec; also the prefix of the state's account of a brand
            /// calling through it (`brand:<brand_id>`).
            pub id: &'static str,
            /// The path every operation of the family starts with.
            pub path_prefix: &'static str,
            /// The family's operations.
            pub operations: &'static [&'static crate::runtime::client::OperationMeta],
            /// The one `Authorization` scheme the family's paths accept.
            pub scheme: crate::runtime::verify::AuthScheme,
            /// Whether the signer is a brand (named in the `Authorization` header) rather than a
            /// merchant.
            pub brand_signs: bool,
            /// Whether every request must carry `Wechatpay-Serial` (the WeChat Pay public key id
            /// bound to the signer).
            pub wechatpay_serial_required: bool,
            /// How a secondary family's requests and answers are translated; `None` for the
            /// primary family, whose handlers serve every family.
            pub secondary: ::core::option::Option<Secondary>,
        }

        /// What serving a secondary family through the primary family's handlers needs.
        // The function types are spelled out: they are the table's whole interface.
        #[allow(clippy::type_complexity)]
        pub struct Secondary {
            /// Parses and validates a request as the family's (operation id, path and query
            /// pairs, JSON body, the uploaded file if any).
            pub check_request: fn(
                &str,
                &[(&str, &str)],
                &[(&str, &str)],
                ::core::option::Option<&[u8]>,
                ::core::option::Option<crate::runtime::upload::UploadFile>,
            ) -> ::core::result::Result<CheckedRequest, crate::runtime::dispatch::ParseError>,
            /// The primary family's response body to an operation as this family sends it: re-read
            /// as the family's response model, so fields the family does not have are gone.
            pub response_text: fn(&str, &str) -> ::core::result::Result<::std::string::String, ::serde_json::Error>,
            /// This family's event type for a primary family's notification, with the resource
            /// re-read as the family's resource model; `None` when the family has no such event.
            pub notification: fn(&str, &::serde_json::Value) -> ::core::option::Option<::core::result::Result<(&'static str, ::serde_json::Value), ::serde_json::Error>>,
        }

        impl ::core::fmt::Debug for Secondary {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct("Secondary").finish_non_exhaustive()
            }
        }

        /// A request parsed and validated as a secondary family's.
        #[derive(Debug)]
        pub struct CheckedRequest {
            /// Every violation, disputed rules and unknown fields included.
            pub violations: crate::runtime::validate::Violations,
            /// A file came with an operation that uploads none.
            pub file_refused: bool,
        }

        /// Every family, the primary first.
        pub static FAMILIES: &[&FamilyRoute] = &[#(&#names::ROUTE),*];

        /// The family whose path prefix `path` starts with (the longest such prefix); the primary
        /// family for any other path (`/v3/certificates`, unknown paths).
        pub fn family_of(path: &str) -> &'static FamilyRoute {
            FAMILIES
                .iter()
                .copied()
                .filter(|f| {
                    path.strip_prefix(f.path_prefix)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                })
                .max_by_key(|f| f.path_prefix.len())
                .unwrap_or(FAMILIES[0])
        }

        /// The family of id `id`.
        pub fn family_by_id(id: &str) -> ::core::option::Option<&'static FamilyRoute> {
            FAMILIES.iter().copied().find(|f| f.id == id)
        }

        #(#routes)*
    };
    in_client_crate(tokens)
}

/// One family's module: its route, and for a secondary family the functions of its
/// [`Secondary`] row.
fn route(ir: &Ir, family: &FamilyIr, primary: bool) -> TokenStream {
    let m = types::ident(&family.id);
    let module = client_module(family);
    let (id, prefix, token) = (&family.id, &family.path_prefix, &family.auth_scheme);
    let identity = identity_param(ir, family);
    let brand_signs = family.brand_identity == BrandIdentity::Authorization;
    let serial = family.wechatpay_serial_required;
    let doc = format!(" The {} family (`{}`, `{}`).", family.title, family.id, family.path_prefix);
    let (secondary, functions) = if primary {
        (quote! { ::core::option::Option::None }, quote! {})
    } else {
        (
            quote! {
                ::core::option::Option::Some(super::Secondary {
                    check_request,
                    response_text,
                    notification,
                })
            },
            secondary_functions(ir, family, &module),
        )
    };
    quote! {
        #[doc = #doc]
        pub mod #m {
            /// The family's row of [`FAMILIES`](super::FAMILIES).
            pub static ROUTE: super::FamilyRoute = super::FamilyRoute {
                id: #id,
                path_prefix: #prefix,
                operations: #module::operations::OPERATIONS,
                scheme: crate::runtime::verify::AuthScheme::new(#token, #identity),
                brand_signs: #brand_signs,
                wechatpay_serial_required: #serial,
                secondary: #secondary,
            };

            #functions
        }
    }
}

fn secondary_functions(ir: &Ir, family: &FamilyIr, module: &TokenStream) -> TokenStream {
    let response_arms = family.operations.iter().filter_map(|op| {
        let model = types::model_path(response_model(op)?);
        let id = &op.id;
        Some(quote! {
            #id => ::serde_json::to_string(&crate::runtime::validate::known_fields_only(&::serde_json::from_str::<#model>(primary)?)?),
        })
    });
    let notification_arms = family.notifications.iter().filter_map(|n| {
        let base = ir.notifications.iter().find(|p| p.name == n.name)?;
        let (primary, event_type) = (&base.event_type, &n.event_type);
        let model = types::model_path(&n.resource);
        Some(quote! {
            #primary => ::core::option::Option::Some(
                ::serde_json::from_value::<#model>(resource.clone())
                    .and_then(|r| crate::runtime::validate::known_fields_only(&r))
                    .map(|r| (#event_type, r)),
            ),
        })
    });
    quote! {
        /// See [`Secondary::check_request`](super::Secondary::check_request).
        pub fn check_request(
            operation_id: &str,
            path: &[(&str, &str)],
            query: &[(&str, &str)],
            body: ::core::option::Option<&[u8]>,
            file: ::core::option::Option<crate::runtime::upload::UploadFile>,
        ) -> ::core::result::Result<super::CheckedRequest, crate::runtime::dispatch::ParseError> {
            let mut request = #module::requests::OperationRequest::parse(operation_id, path, query, body)?;
            let file_refused = match file {
                ::core::option::Option::Some(file) => !request.set_file(file),
                ::core::option::Option::None => false,
            };
            ::core::result::Result::Ok(super::CheckedRequest { violations: request.violations(), file_refused })
        }

        /// See [`Secondary::response_text`](super::Secondary::response_text). Operations
        /// without a response body keep `primary` as it is.
        #[allow(clippy::match_single_binding)]
        pub fn response_text(operation_id: &str, primary: &str) -> ::core::result::Result<::std::string::String, ::serde_json::Error> {
            match operation_id {
                #(#response_arms)*
                _ => ::core::result::Result::Ok(::std::string::String::from(primary)),
            }
        }

        /// See [`Secondary::notification`](super::Secondary::notification).
        #[allow(clippy::match_single_binding)]
        pub fn notification(primary_event_type: &str, resource: &::serde_json::Value) -> ::core::option::Option<::core::result::Result<(&'static str, ::serde_json::Value), ::serde_json::Error>> {
            match primary_event_type {
                #(#notification_arms)*
                _ => { let _ = resource; ::core::option::Option::None }
            }
        }
    }
}
