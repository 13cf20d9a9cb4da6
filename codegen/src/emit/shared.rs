//! The models that differ between families, generated once and generic over the family (see
//! [`super::generic`]): their definitions, builders and validation go into the primary family's
//! files, next to the models they hold; and `src/generated/families.rs`, the families' marker
//! types.

use super::generic::Generic;
use super::types;
use crate::ir::Ir;
use proc_macro2::TokenStream;
use quote::quote;

/// The generic models (`XFor<F>`), appended to the primary family's `models.rs`.
pub fn models(generic: &Generic) -> TokenStream {
    let models = generic.models.values().map(|g| super::models::generic_model(g, generic));
    quote! { #(#models)* }
}

/// Their builders (`XBuilderFor<F>`), appended to the primary family's `builders.rs`.
pub fn builders(generic: &Generic) -> TokenStream {
    let builders = generic.models.values().map(|g| super::builders::generic_builder(g, generic));
    quote! { #(#builders)* }
}

/// Their `Validate` impls, appended to the primary family's `validation.rs`.
pub fn validation(ir: &Ir, generic: &Generic) -> TokenStream {
    let impls = generic.models.values().map(|g| super::validation::generic_model(ir, g, generic));
    quote! { #(#impls)* }
}

/// `src/generated/families.rs`: a marker type per family, with its facts.
pub fn emit_families(ir: &Ir) -> TokenStream {
    let items = ir.families.iter().map(|f| {
        let name = types::ident(&crate::names::pascal(&f.id));
        let doc = format!(
            " The {} family (`{}`): operations under `{}`, signed `{}`.",
            if f.title.is_empty() { f.id.as_str() } else { f.title.as_str() },
            f.id,
            f.path_prefix,
            f.auth_scheme
        );
        let (id, title, prefix, scheme, serial) =
            (&f.id, &f.title, &f.path_prefix, &f.auth_scheme, f.wechatpay_serial_required);
        let brand = match f.brand_identity {
            crate::spec::BrandIdentity::RequestField => match f.brand_field.as_deref().and_then(|w| ir.id_for_wire(w)) {
                Some(id) => types::id_path(&id.name),
                None => quote! { ::std::string::String },
            },
            crate::spec::BrandIdentity::Authorization => quote! { crate::runtime::family::NoBrandField },
        };
        quote! {
            #[doc = #doc]
            #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::default::Default, ::core::cmp::PartialEq, ::core::cmp::Eq)]
            #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
            pub struct #name;

            impl crate::runtime::family::Family for #name {
                const ID: &'static str = #id;
                const TITLE: &'static str = #title;
                const PATH_PREFIX: &'static str = #prefix;
                const AUTHORIZATION_SCHEME: &'static str = #scheme;
                const WECHATPAY_SERIAL_REQUIRED: bool = #serial;
                type BrandField = #brand;
            }
        }
    });
    quote! {
        //! The API families of `api-spec/families.toml`: a marker type each, implementing
        //! [`Family`](crate::runtime::family::Family) with the family's facts. The models that differ
        //! between families (`models::XFor<F>`) are generic over them.
        #(#items)*
    }
}
