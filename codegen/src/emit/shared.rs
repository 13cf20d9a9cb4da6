//! `src/generated/shared.rs`, the models that differ between families generated once and generic
//! over the family (see [`super::generic`]), and `src/generated/families.rs`, the families'
//! marker types.

use super::generic::Generic;
use super::types;
use crate::ir::Ir;
use proc_macro2::TokenStream;
use quote::quote;

/// `src/generated/shared.rs`: the generic models, their builders and validation.
pub fn emit(ir: &Ir, generic: &Generic) -> TokenStream {
    let models = generic.models.values().map(|g| super::models::generic_model(g, generic));
    let builders = generic.models.values().map(|g| super::builders::generic_builder(g, generic));
    let validation = generic.models.values().map(|g| super::validation::generic_model(ir, g, generic));
    let primary = ir.primary_family().map(|f| f.title.clone()).unwrap_or_default();
    let doc = format!(
        " The models that differ between the API families, generic over the family `F`, with their builders and \
         validation. Each family's `models::X` is `X<Family>`: [`models`](crate::generated::models) holds the \
         {primary} family's."
    );
    let builds = (!generic.models.is_empty()).then(|| quote! { use crate::runtime::validate::BuildAt as _; });
    quote! {
        #![doc = #doc]
        #builds
        #(#models)*
        #(#builders)*
        #(#validation)*
    }
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
            crate::spec::BrandIdentity::RequestField => quote! { ::std::string::String },
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
        //! [`Family`](crate::runtime::family::Family) with the family's facts. The models of
        //! [`shared`](crate::generated::shared) are generic over them.
        #(#items)*
    }
}
