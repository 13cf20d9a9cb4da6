//! Builders (`src/generated/builders.rs`): `Model::builder()`, a setter per field, and
//! `build()`, which reports every missing required field by its JSON path. Nested objects take
//! builders (or finished values), so one `build()` at the top checks the whole tree.

use super::generic::{Generic, GenericModel};
use super::{docs, types};
use crate::ir::{FieldIr, Ir, ModelIr, TypeIr};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// Nested builders are named unqualified: a family's builders module re-exports the shared
/// builders beside its own, so the name resolves to the family's variant where there is one.
/// The builders of generic models are aliases at `ir`'s family (see `shared.rs`).
pub fn emit(ir: &Ir, generic: &Generic) -> TokenStream {
    let family = ir.primary_family().map(|f| f.id.clone()).unwrap_or_default();
    let builders =
        ir.models.values().map(|m| if generic.contains(&m.name) { alias(m, &family) } else { builder(m, None) });
    // The primary family's file also gets the generic builders (see `shared.rs`).
    let primary = ir.primary_family().is_none_or(|f| f.module.is_none());
    let builds = (ir.models.keys().any(|m| !generic.contains(m)) || (primary && !generic.models.is_empty()))
        .then(|| quote! { use crate::runtime::validate::BuildAt as _; });
    quote! {
        //! Builders for every model.
        #builds
        #(#builders)*
    }
}

/// A family's name for a generic model's builder.
fn alias(m: &ModelIr, family: &str) -> TokenStream {
    let local = types::local_name(&m.name);
    let name = types::builder_ident(local);
    let generic = types::generic_builder_ident(local);
    let marker = super::generic::marker(family);
    let doc = format!(
        " Builds a [`{local}`]({}::{local}) of the `{family}` family: [the builder every family shares](crate::generated::builders::{generic}) at this family.",
        types::model_module_doc(&m.name)
    );
    quote! {
        #[doc = #doc]
        pub type #name = crate::generated::builders::#generic<#marker>;
    }
}

/// The builder of a generic model (`shared.rs`).
pub fn generic_builder(g: &GenericModel, generic: &Generic) -> TokenStream {
    builder(&g.model, Some((g, &generic.names())))
}

/// A nested model's builder type: unqualified in a family's module, absolute and at `F` in a
/// generic builder.
fn builder_type(name: &str, generic: Option<&BTreeSet<String>>) -> TokenStream {
    let b = types::builder_ident(name);
    match generic {
        None => quote! { #b },
        Some(set) if set.contains(types::local_name(name)) => {
            let b = types::generic_builder_ident(name);
            quote! { crate::generated::builders::#b<F> }
        }
        Some(_) => quote! { crate::generated::builders::#b },
    }
}

/// The builder's storage for a field: nested objects are kept as builders.
fn slot_type(ty: &TypeIr, generic: Option<&BTreeSet<String>>) -> TokenStream {
    match ty {
        TypeIr::Model(name) => builder_type(name, generic),
        TypeIr::Array(inner) => match inner.as_ref() {
            TypeIr::Model(name) => {
                let b = builder_type(name, generic);
                quote! { ::std::vec::Vec<#b> }
            }
            other => {
                let t = types::rust_type(other);
                quote! { ::std::vec::Vec<#t> }
            }
        },
        other => types::rust_type(other),
    }
}

/// Setter parameter type and the expression converting `value` into the slot.
fn setter_input(ty: &TypeIr, generic: Option<&BTreeSet<String>>) -> (TokenStream, TokenStream) {
    let into = |t: TokenStream| quote! { impl ::core::convert::Into<#t> };
    match ty {
        TypeIr::String => (into(quote! { ::std::string::String }), quote! { value.into() }),
        TypeIr::DateTime => (into(quote! { crate::runtime::types::DateTime }), quote! { value.into() }),
        TypeIr::Integer | TypeIr::Amount => (quote! { i64 }, quote! { value }),
        TypeIr::Boolean => (quote! { bool }, quote! { value }),
        TypeIr::Enum(name) => (types::model_path(name), quote! { value }),
        TypeIr::Alternatives(alt) => (into(types::model_path(&alt.name)), quote! { value.into() }),
        TypeIr::Model(name) => (into(builder_type(name, generic)), quote! { value.into() }),
        TypeIr::Array(inner) => {
            let (item, _) = setter_input(inner, generic);
            let convert = match inner.as_ref() {
                TypeIr::String | TypeIr::DateTime | TypeIr::Model(_) | TypeIr::Alternatives(_) => {
                    quote! { value.into_iter().map(::core::convert::Into::into).collect() }
                }
                _ => quote! { value.into_iter().collect() },
            };
            (quote! { impl ::core::iter::IntoIterator<Item = #item> }, convert)
        }
    }
}

/// Follow-up requests from what the app holds: the model's `HoldsIds` impl (the typed ids it
/// holds, its own before those of nested objects; lists are skipped, their ids are not one
/// value), and the builder's `ids_from`, which fills each unset id field from another model's
/// id of the same wire name (a confirm request from the send event, say).
fn carried_ids(
    m: &ModelIr,
    model: &TokenStream,
    params: &TokenStream,
    is_brand: &dyn Fn(&FieldIr) -> bool,
) -> (TokenStream, Option<TokenStream>) {
    let brand_field = quote! { <F as crate::runtime::family::Family>::BrandField };
    let single_id = |f: &&FieldIr| f.id.is_some() && !matches!(f.ty, TypeIr::Array(_));
    let offers = m.fields.iter().filter(single_id).map(|f| {
        let (id, wire) = (types::rust(&f.rust), &f.wire);
        let text = if is_brand(f) {
            quote! { crate::runtime::family::BrandField::as_str(v) }
        } else {
            quote! { ::core::option::Option::Some(v.as_str()) }
        };
        if f.is_option() {
            quote! { if let ::core::option::Option::Some(v) = &self.#id { ids.offer(#wire, #text); } }
        } else {
            quote! { { let v = &self.#id; ids.offer(#wire, #text); } }
        }
    });
    let nested = m.fields.iter().filter(|f| matches!(f.ty, TypeIr::Model(_))).map(|f| {
        let id = types::rust(&f.rust);
        let inner = if f.boxed {
            quote! { &**v }
        } else {
            quote! { v }
        };
        if f.is_option() {
            quote! { if let ::core::option::Option::Some(v) = &self.#id { crate::runtime::ids::HoldsIds::collect_ids(#inner, ids); } }
        } else {
            quote! { { let v = &self.#id; crate::runtime::ids::HoldsIds::collect_ids(#inner, ids); } }
        }
    });
    let offers: Vec<TokenStream> = offers.chain(nested).collect();
    let ids_arg = if offers.is_empty() {
        quote! { _ids }
    } else {
        quote! { ids }
    };
    let holds = quote! {
        impl #params crate::runtime::ids::HoldsIds for #model {
            fn collect_ids(&self, #ids_arg: &mut crate::runtime::ids::IdSet) {
                #(#offers)*
            }
        }
    };
    let fills: Vec<TokenStream> = m
        .fields
        .iter()
        .filter(single_id)
        .map(|f| {
            let (id, wire) = (types::rust(&f.rust), &f.wire);
            let value = if is_brand(f) {
                quote! { ids.get(#wire).and_then(<#brand_field as crate::runtime::family::BrandField>::from_text) }
            } else {
                quote! { ids.get(#wire).map(::core::convert::Into::into) }
            };
            quote! {
                if self.#id.is_none() {
                    self.#id = #value;
                }
            }
        })
        .collect();
    let wires: Vec<String> = m.fields.iter().filter(single_id).map(|f| format!("`{}`", f.wire)).collect();
    let ids_from = (!fills.is_empty()).then(|| {
        let doc = format!(
            " Fills each id field not set yet ({}) from `source`, a model the app holds (a \
             notification's resource, a response): its id of the same wire name, at its top level or \
             in a nested object. Ids set before are kept; ids `source` lacks stay unset.",
            wires.join(", ")
        );
        quote! {
            #[doc = #doc]
            pub fn ids_from(mut self, source: &impl crate::runtime::ids::HoldsIds) -> Self {
                let ids = source.ids();
                #(#fills)*
                self
            }
        }
    });
    (holds, ids_from)
}

/// [`setter_input`] of a field holding a typed id: the id (or a list of ids) from anything that
/// converts into it (text, or the id itself), never from another kind of id.
fn id_setter_input(f: &FieldIr) -> Option<(TokenStream, TokenStream)> {
    let path = types::id_path(f.id.as_deref()?);
    Some(match f.ty {
        TypeIr::Array(_) => (
            quote! { impl ::core::iter::IntoIterator<Item = impl ::core::convert::Into<#path>> },
            quote! { value.into_iter().map(::core::convert::Into::into).collect() },
        ),
        _ => (quote! { impl ::core::convert::Into<#path> }, quote! { value.into() }),
    })
}

/// Setter name: the field's name, unless it would clash with the builder's own methods.
fn setter_ident(f: &FieldIr) -> proc_macro2::Ident {
    match f.rust.as_str() {
        // The builder's own methods, and trait methods users call by path (`XBuilder::from`).
        "build" | "build_at" | "build_root" | "default" | "from" | "into" | "clone" => {
            format_ident!("set_{}", f.rust.as_str())
        }
        _ => types::rust(&f.rust),
    }
}

fn builder(m: &ModelIr, generic: Option<(&GenericModel, &BTreeSet<String>)>) -> TokenStream {
    let set = generic.map(|(_, set)| set);
    let is_brand = |f: &FieldIr| generic.is_some_and(|(g, _)| g.brand_fields.contains(&f.wire));
    let local_model = types::generic_ident(&m.name);
    let (model, model_expr, params, args) = match generic {
        Some(_) => (
            quote! { crate::generated::models::#local_model<F> },
            quote! { crate::generated::models::#local_model::<F> },
            quote! { <F: crate::runtime::family::Family> },
            quote! { <F> },
        ),
        None => (types::model_path(&m.name), types::model_path(&m.name), quote! {}, quote! {}),
    };
    let name = if generic.is_some() { types::generic_builder_ident(&m.name) } else { types::builder_ident(&m.name) };
    // A generic builder sits next to its model: the plain name links.
    let builder_doc = match generic {
        Some(_) => format!(
            " Builds a [`{0}`](crate::generated::models::{0}) of any family; see [`{0}::builder`](crate::generated::models::{0}::builder).",
            types::generic_ident(&m.name)
        ),
        None => format!(
            " Builds a [`{0}`]({1}::{0}); see [`{0}::builder`]({1}::{0}::builder).",
            types::local_name(&m.name),
            types::model_module_doc(&m.name)
        ),
    };
    // A boxed field's nested builder is boxed too, or the builder would have no size.
    let slots = m.fields.iter().map(|f| {
        let id = types::rust(&f.rust);
        if is_brand(f) {
            return quote! { #id: ::core::option::Option<<F as crate::runtime::family::Family>::BrandField>, };
        }
        let ty = types::id_field_type(f).unwrap_or_else(|| slot_type(&f.ty, set));
        let ty = if f.boxed {
            quote! { ::std::boxed::Box<#ty> }
        } else {
            ty
        };
        quote! { #id: ::core::option::Option<#ty>, }
    });
    let setters = m.fields.iter().filter(|f| !is_brand(f)).map(|f| {
        let id = types::rust(&f.rust);
        let setter = setter_ident(f);
        let (input, convert) = id_setter_input(f).unwrap_or_else(|| setter_input(&f.ty, set));
        let convert = if f.boxed {
            quote! { ::std::boxed::Box::new(#convert) }
        } else {
            convert
        };
        let doc = docs::attrs(&docs::field(f));
        quote! {
            #doc
            pub fn #setter(mut self, value: #input) -> Self {
                self.#id = ::core::option::Option::Some(#convert);
                self
            }
        }
    });
    // Built values go into positional locals, so a field named `path` or `missing` cannot
    // shadow the parameters.
    let local = |i: usize| format_ident!("f{}", i);
    let takes = m.fields.iter().enumerate().map(|(i, f)| {
        let id = types::rust(&f.rust);
        let slot = local(i);
        let wire = &f.wire;
        let required = !f.is_option();
        let call = match (&f.ty, required) {
            // A family without the brand field has nothing to miss.
            _ if is_brand(f) && required => quote! {
                missing.required(self.#id.or_else(<<F as crate::runtime::family::Family>::BrandField as crate::runtime::family::BrandField>::unset), path, #wire)
            },
            // Boxed: unbox the builder, build, box the model.
            (TypeIr::Model(_), true) if f.boxed => quote! {
                missing.required_model(self.#id.map(|b| *b), path, #wire).map(::std::boxed::Box::new)
            },
            (TypeIr::Model(_), false) if f.boxed => quote! {
                missing.optional_model(self.#id.map(|b| *b), path, #wire).map(|v| v.map(::std::boxed::Box::new))
            },
            (TypeIr::Model(_), true) => quote! { missing.required_model(self.#id, path, #wire) },
            (TypeIr::Model(_), false) => quote! { missing.optional_model(self.#id, path, #wire) },
            (TypeIr::Array(inner), true) if matches!(inner.as_ref(), TypeIr::Model(_)) => {
                quote! { missing.required_list(self.#id, path, #wire) }
            }
            (TypeIr::Array(inner), false) if matches!(inner.as_ref(), TypeIr::Model(_)) => {
                quote! { missing.optional_list(self.#id, path, #wire) }
            }
            (_, true) => quote! { missing.required(self.#id, path, #wire) },
            (_, false) => quote! { ::core::option::Option::Some(self.#id) },
        };
        quote! { let #slot = #call; }
    });
    let assigns = m.fields.iter().enumerate().map(|(i, f)| {
        let id = types::rust(&f.rust);
        let slot = local(i);
        quote! { #id: #slot?, }
    });
    let from_fields = m.fields.iter().map(|f| {
        let id = types::rust(&f.rust);
        let nested_list = matches!(&f.ty, TypeIr::Array(inner) if matches!(inner.as_ref(), TypeIr::Model(_)));
        let value = match (&f.ty, f.is_option()) {
            _ if is_brand(f) && !f.is_option() => quote! { ::core::option::Option::Some(value.#id) },
            _ if is_brand(f) => quote! { value.#id },
            (TypeIr::Model(_), false) if f.boxed => {
                quote! { ::core::option::Option::Some(::std::boxed::Box::new((*value.#id).into())) }
            }
            (TypeIr::Model(_), true) if f.boxed => {
                quote! { value.#id.map(|v| ::std::boxed::Box::new((*v).into())) }
            }
            (TypeIr::Model(_), false) => quote! { ::core::option::Option::Some(value.#id.into()) },
            (TypeIr::Model(_), true) => quote! { value.#id.map(::core::convert::Into::into) },
            (_, false) if nested_list => {
                quote! { ::core::option::Option::Some(value.#id.into_iter().map(::core::convert::Into::into).collect()) }
            }
            (_, true) if nested_list => {
                quote! { value.#id.map(|items| items.into_iter().map(::core::convert::Into::into).collect()) }
            }
            (_, false) => quote! { ::core::option::Option::Some(value.#id) },
            (_, true) => quote! { value.#id },
        };
        quote! { #id: #value, }
    });
    // A generic builder may hold the family only through nested builders, which rustc does
    // not count as naming it.
    let builder_phantom = generic.is_some().then(|| quote! { family: ::core::marker::PhantomData<F>, });
    let builder_phantom_init = generic.is_some().then(|| quote! { , family: ::core::marker::PhantomData });
    let phantom = generic.is_some_and(|(g, _)| g.phantom).then(|| quote! { , family: ::core::marker::PhantomData });
    let uses_context = m.fields.iter().any(|f| {
        !f.is_option()
            || matches!(&f.ty, TypeIr::Model(_))
            || matches!(&f.ty, TypeIr::Array(inner) if matches!(inner.as_ref(), TypeIr::Model(_)))
    });
    let (path_arg, missing_arg) =
        if !uses_context { (quote! { _path }, quote! { _missing }) } else { (quote! { path }, quote! { missing }) };
    // The brand field's setter exists only where the family sends it: a family naming the
    // brand in the Authorization header cannot pass one.
    let brand_setters: Vec<TokenStream> = m
        .fields
        .iter()
        .filter(|f| is_brand(f))
        .map(|f| {
            let id = types::rust(&f.rust);
            let setter = setter_ident(f);
            let doc = docs::attrs(&docs::field(f));
            let ty = types::field_type(f);
            quote! {
                #doc
                pub fn #setter(mut self, value: impl ::core::convert::Into<#ty>) -> Self {
                    self.#id = ::core::option::Option::Some(value.into());
                    self
                }
            }
        })
        .collect();
    let brand_type = m.fields.iter().find(|f| is_brand(f)).map(types::field_type);
    let brand_impl = (!brand_setters.is_empty()).then(|| {
        quote! {
            impl<F: crate::runtime::family::Family<BrandField = #brand_type>> #name<F> {
                #(#brand_setters)*
            }
        }
    });
    let (holds_ids, ids_from) = carried_ids(m, &model, &params, &is_brand);
    quote! {
        #holds_ids

        #[doc = #builder_doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::default::Default)]
        #[must_use]
        pub struct #name #params {
            #(#slots)*
            unknown_fields: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            #builder_phantom
        }

        impl #params #model {
            /// Starts building one; `build()` reports every missing required field by JSON path.
            pub fn builder() -> #name #args {
                <#name #args as ::core::default::Default>::default()
            }
        }

        #brand_impl

        impl #params #name #args {
            #(#setters)*

            #ids_from

            /// Sets a field the spec does not know, sent as given (validation reports it as a
            /// warning, [`ViolationKind::UnknownField`](crate::runtime::validate::ViolationKind::UnknownField)):
            /// for a field WeChat Pay accepts before this crate knows it.
            pub fn unknown_field(mut self, name: impl ::core::convert::Into<::std::string::String>, value: ::serde_json::Value) -> Self {
                self.unknown_fields.insert(name.into(), value);
                self
            }

            /// Finishes the build; the error lists the JSON path of every missing required field.
            pub fn build(self) -> ::core::result::Result<#model, crate::runtime::validate::BuildError> {
                self.build_root()
            }
        }

        impl #params crate::runtime::validate::BuildAt for #name #args {
            type Output = #model;
            fn build_at(self, #path_arg: &str, #missing_arg: &mut crate::runtime::validate::Missing) -> ::core::option::Option<Self::Output> {
                #(#takes)*
                ::core::option::Option::Some(#model_expr { #(#assigns)* unknown_fields: self.unknown_fields #phantom })
            }
        }

        impl #params ::core::convert::From<#model> for #name #args {
            fn from(value: #model) -> Self {
                Self { #(#from_fields)* unknown_fields: value.unknown_fields #builder_phantom_init }
            }
        }
    }
}
