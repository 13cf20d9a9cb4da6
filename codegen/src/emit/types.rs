//! Rust types and identifiers for IR types. Every path is absolute, so a spec type named
//! `Option`, `Result` or `String` cannot shadow what generated code means.

use crate::ir::{RustIdent, TypeIr};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// A type or variant name (PascalCase, never a keyword).
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The IR's identifier (never a keyword: `type_` for `type`).
pub fn rust(id: &RustIdent) -> Ident {
    Ident::new(&id.name, Span::call_site())
}

/// A model or enum type: a shared one (`X`) inside the generated `models` module, a family's
/// variant (`brand::X`) inside that family's `models` module.
pub fn model_path(key: &str) -> TokenStream {
    let id = ident(local_name(key));
    match family_module(key) {
        Some(module) => {
            let module = ident(module);
            quote! { crate::generated::#module::models::#id }
        }
        None => quote! { crate::generated::models::#id },
    }
}

/// The module path of a model key as rustdoc links write it (`crate::generated::brand::models`).
pub fn model_module_doc(key: &str) -> String {
    match family_module(key) {
        Some(module) => format!("crate::generated::{module}::models"),
        None => "crate::generated::models".to_owned(),
    }
}

/// The type name of a model key (`X` for `brand::X`).
pub fn local_name(key: &str) -> &str {
    key.rsplit_once("::").map_or(key, |(_, name)| name)
}

/// The family module of a variant's key (`brand` for `brand::X`).
pub fn family_module(key: &str) -> Option<&str> {
    key.split_once("::").map(|(module, _)| module)
}

/// The name of a model generated generic over the family (`XFor`): each family's `X` is an
/// alias of it (`XFor<Partner>`).
pub fn generic_ident(model: &str) -> Ident {
    format_ident!("{}For", local_name(model))
}

/// The name of a generic model's builder (`XBuilderFor`).
pub fn generic_builder_ident(model: &str) -> Ident {
    format_ident!("{}BuilderFor", local_name(model))
}

/// The builder type's name of a model key (`XBuilder`).
pub fn builder_ident(model: &str) -> Ident {
    format_ident!("{}Builder", local_name(model))
}

/// The path of typed id `name` (`crate::generated::ids::OpenId`).
pub fn id_path(name: &str) -> TokenStream {
    let id = ident(name);
    quote! { crate::generated::ids::#id }
}

/// The Rust type of a field holding a typed id: the id, or a list of them.
pub fn id_field_type(f: &crate::ir::FieldIr) -> Option<TokenStream> {
    let path = id_path(f.id.as_deref()?);
    Some(match f.ty {
        TypeIr::Array(_) => quote! { ::std::vec::Vec<#path> },
        _ => path,
    })
}

/// The Rust type of a field (without the `Option` of an optional one): boxed when the field
/// leads back to its own model; its typed id when it holds one.
pub fn field_type(f: &crate::ir::FieldIr) -> TokenStream {
    if let Some(ty) = id_field_type(f) {
        return ty;
    }
    let ty = rust_type(&f.ty);
    if f.boxed {
        quote! { ::std::boxed::Box<#ty> }
    } else {
        ty
    }
}

/// [`field_type`] inside a generic model (`shared.rs`): the generic models it holds are named
/// at the same family `F`.
pub fn field_type_generic(f: &crate::ir::FieldIr, generic: &std::collections::BTreeSet<String>) -> TokenStream {
    if let Some(ty) = id_field_type(f) {
        return ty;
    }
    let ty = rust_type_generic(&f.ty, generic);
    if f.boxed {
        quote! { ::std::boxed::Box<#ty> }
    } else {
        ty
    }
}

/// [`rust_type`] inside a generic model: `crate::generated::models::XFor<F>` for a generic model.
pub fn rust_type_generic(ty: &TypeIr, generic: &std::collections::BTreeSet<String>) -> TokenStream {
    match ty {
        TypeIr::Model(name) if generic.contains(local_name(name)) => {
            let id = generic_ident(name);
            quote! { crate::generated::models::#id<F> }
        }
        TypeIr::Array(inner) => {
            let inner = rust_type_generic(inner, generic);
            quote! { ::std::vec::Vec<#inner> }
        }
        other => rust_type(other),
    }
}

/// The Rust type of a value (without the `Option` of an optional field).
pub fn rust_type(ty: &TypeIr) -> TokenStream {
    match ty {
        TypeIr::String => quote! { ::std::string::String },
        TypeIr::Integer | TypeIr::Amount => quote! { i64 },
        TypeIr::Boolean => quote! { bool },
        TypeIr::DateTime => quote! { crate::runtime::types::DateTime },
        TypeIr::Model(name) | TypeIr::Enum(name) => model_path(name),
        TypeIr::Alternatives(alt) => model_path(&alt.name),
        TypeIr::Array(inner) => {
            let inner = rust_type(inner);
            quote! { ::std::vec::Vec<#inner> }
        }
    }
}
