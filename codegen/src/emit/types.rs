//! Rust types and identifiers for IR types. Every path is absolute, so a spec type named
//! `Option`, `Result` or `String` cannot shadow what generated code means.

use crate::ir::{RustIdent, TypeIr};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// A type or variant name (PascalCase, never a keyword).
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The IR's identifier, raw when it is a keyword (`r#type`).
pub fn rust(id: &RustIdent) -> Ident {
    if id.raw { Ident::new_raw(&id.name, Span::call_site()) } else { Ident::new(&id.name, Span::call_site()) }
}

/// A model or enum type, inside the generated `models` module.
pub fn model_path(name: &str) -> TokenStream {
    let id = ident(name);
    quote! { crate::generated::models::#id }
}

pub fn builder_ident(model: &str) -> Ident {
    format_ident!("{}Builder", model)
}

/// The Rust type of a field (without the `Option` of an optional one): boxed when the field
/// leads back to its own model.
pub fn field_type(f: &crate::ir::FieldIr) -> TokenStream {
    let ty = rust_type(&f.ty);
    if f.boxed {
        quote! { ::std::boxed::Box<#ty> }
    } else {
        ty
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
