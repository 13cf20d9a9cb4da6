//! Model structs and enums (`src/generated/models.rs`).

use super::generic::{Generic, GenericModel};
use super::{docs, enums, types};
use crate::ir::{AlternativesIr, Ir, ModelIr, TypeIr};
use proc_macro2::TokenStream;
use quote::quote;

/// The models of `ir`'s family: the generic ones as aliases at the family's marker type.
pub fn emit(ir: &Ir, generic: &Generic) -> TokenStream {
    let family = ir.primary_family().map(|f| f.id.clone()).unwrap_or_default();
    let models = ir.models.values().map(|m| if generic.contains(&m.name) { alias(m, &family) } else { model(m, None) });
    let enums = ir.enums.values().map(enums::emit_enum);
    let alternatives = ir.alternatives.values().map(alternatives);
    quote! {
        //! Request and response models. Fields the spec does not know are kept in each model's
        //! `unknown_fields` and unknown enum values in `Unknown`, so a server that adds either
        //! never fails a call and nothing it sends is lost; a request sends its unknown fields
        //! as given.
        #(#models)*
        #(#enums)*
        #(#alternatives)*
    }
}

/// The doc lines of a model.
pub fn model_doc(m: &ModelIr) -> Vec<String> {
    let mut lines = Vec::new();
    match (&m.label, &m.description) {
        (Some(label), Some(d)) => lines.push(format!("【{}】{}", docs::prose(label), docs::one_line(d))),
        (Some(label), None) => lines.push(format!("【{}】", docs::prose(label))),
        (None, Some(d)) => docs::paragraph(&mut lines, d),
        (None, None) => lines.push(format!("The `{}` object.", types::local_name(&m.name))),
    }
    if let Some(module) = types::family_module(&m.name) {
        let name = types::local_name(&m.name);
        lines.push(String::new());
        lines.push(format!(
            "The `{module}` family's [`models::{name}`](crate::generated::models::{name}): the wire shape that \
             family sends, with no setter for the fields it never sends (the brand is named in the Authorization \
             header) and with the fields only it sends."
        ));
    }
    if !m.rules.is_empty() {
        lines.push(String::new());
        lines.push("Rules checked by [`Validate`](crate::runtime::validate::Validate):".to_owned());
        for r in &m.rules {
            match &r.disputed {
                None => lines.push(format!("- {}", docs::one_line(&r.description))),
                Some(d) => lines.push(format!(
                    "- {} (disputed, rule id `{}`: breaking it warns and sends instead of refusing; {})",
                    docs::one_line(&r.description),
                    d.id,
                    docs::one_line(&d.reason)
                )),
            }
        }
    }
    // `m.decisions` are notes for maintainers: they stay in the spec.
    lines
}

/// A family's name for a generic model: the model at the family's marker type.
fn alias(m: &ModelIr, family: &str) -> TokenStream {
    let local = types::local_name(&m.name);
    let name = types::ident(local);
    let generic = types::generic_ident(local);
    let marker = super::generic::marker(family);
    let mut lines = model_doc(m);
    lines.push(String::new());
    lines.push(format!(
        "Generated once for every family ([the generic model](crate::generated::models::{generic})); this is \
         the `{family}` family's, built with [its builder](crate::generated::models::{generic}::builder)."
    ));
    let doc = docs::attrs(&lines);
    quote! {
        #doc
        pub type #name = crate::generated::models::#generic<#marker>;
    }
}

/// The generic definition of a model every family shares (`shared.rs`).
pub fn generic_model(g: &GenericModel, generic: &Generic) -> TokenStream {
    model(&g.model, Some((g, generic)))
}

fn model(m: &ModelIr, generic: Option<(&GenericModel, &Generic)>) -> TokenStream {
    let name = match generic {
        Some(_) => types::generic_ident(&m.name),
        None => types::ident(types::local_name(&m.name)),
    };
    let mut lines = model_doc(m);
    if let Some((g, _)) = generic {
        lines.push(String::new());
        lines.push("Generic over the API family `F`: each family's `models` module names it at the family.".to_owned());
        for (wire, families) in &g.only {
            lines.push(format!("- `{wire}`: only the {} family's pages list it; other families' validation reports it as an unknown field (sent as given).", families.join(", ")));
        }
        for wire in &g.brand_fields {
            lines.push(format!("- `{wire}`: a `String` in the families whose requests name the brand with it; absent ([`NoBrandField`](crate::runtime::family::NoBrandField)) in those naming it in the Authorization header."));
        }
    }
    let doc = docs::attrs(&lines);
    let set = generic.map(|(_, all)| all.names()).unwrap_or_default();
    let fields = m.fields.iter().map(|f| {
        let doc = docs::attrs(&docs::field(f));
        let id = types::rust(&f.rust);
        let ty = if generic.is_some() { types::field_type_generic(f, &set) } else { types::field_type(f) };
        let wire = &f.wire;
        // A name that differs from the wire name (`type_` for `type`) is renamed for serde.
        let rename = (f.rust.name != f.wire).then(|| quote! { #[serde(rename = #wire)] });
        if generic.is_some_and(|(g, _)| g.brand_fields.contains(&f.wire)) {
            let ty = quote! { <F as crate::runtime::family::Family>::BrandField };
            return if f.is_option() {
                quote! {
                    #doc
                    #rename
                    #[serde(default, skip_serializing_if = "::core::option::Option::is_none")]
                    pub #id: ::core::option::Option<#ty>,
                }
            } else {
                quote! {
                    #doc
                    #rename
                    #[serde(skip_serializing_if = "crate::runtime::family::BrandField::is_absent")]
                    pub #id: #ty,
                }
            };
        }
        if f.is_option() {
            quote! {
                #doc
                #rename
                #[serde(default, skip_serializing_if = "::core::option::Option::is_none")]
                pub #id: ::core::option::Option<#ty>,
            }
        } else {
            quote! { #doc #rename pub #id: #ty, }
        }
    });
    let accessors = m.accessors.iter().map(|a| {
        let method = types::rust(&a.name);
        let mut lines = vec![match &a.description {
            Some(d) => docs::one_line(d),
            None => format!(
                "The first present of {}.",
                a.fields.iter().map(|f| format!("`{}`", f.wire)).collect::<Vec<_>>().join(", ")
            ),
        }];
        lines.push(String::new());
        lines.push(format!(
            "Sources name this value differently ({}); whichever the server sends is returned.",
            a.fields.iter().map(|f| format!("`{}`", f.wire)).collect::<Vec<_>>().join(" or ")
        ));
        let doc = docs::attrs(&lines);
        let mut ids = a.fields.iter().map(|f| types::rust(&f.rust));
        let first = ids.next();
        quote! {
            #doc
            pub fn #method(&self) -> ::core::option::Option<&str> {
                self.#first.as_deref() #(.or(self.#ids.as_deref()))*
            }
        }
    });
    let (params, args, serde_bound) = match generic {
        Some(_) => (quote! { <F: crate::runtime::family::Family> }, quote! { <F> }, quote! { #[serde(bound = "")] }),
        None => (quote! {}, quote! {}, quote! {}),
    };
    let accessors = (!m.accessors.is_empty()).then(|| quote! { impl #params #name #args { #(#accessors)* } });
    // A model generic only through a field some families lack names the family nowhere else.
    let phantom = generic.is_some_and(|(g, _)| g.phantom).then(|| {
        quote! {
            #[serde(skip)]
            #[cfg_attr(feature = "schemars", schemars(skip))]
            pub(crate) family: ::core::marker::PhantomData<F>,
        }
    });
    quote! {
        #doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        #serde_bound
        #[non_exhaustive]
        pub struct #name #params {
            #(#fields)*
            /// Fields the spec does not know, by wire name: what WeChat Pay sent beyond the
            /// spec (a field added before this crate knew it), or what a request sends as given
            /// (set with the builder's `unknown_field`; validation reports each as a warning).
            #[serde(flatten)]
            pub unknown_fields: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            #phantom
        }
        #accessors
    }
}

/// The enum of a field documented in several shapes: the model's variant first, then each
/// scalar; serde tries them in that order, so any documented shape decodes.
fn alternatives(a: &AlternativesIr) -> TokenStream {
    let name = types::ident(&a.name);
    let model_variant = types::ident(&a.model);
    let model_ty = types::model_path(&a.model);
    let lines = vec![format!(
        "【{}】 in any of its documented shapes: a [`{}`] object or {}.",
        docs::prose(&a.label),
        a.model,
        a.others.iter().map(scalar_word).collect::<Vec<_>>().join(" or ")
    )];
    // `a.decision` is a note for maintainers: it stays in the spec.
    let doc = docs::attrs(&lines);
    let variants = a.others.iter().map(|t| {
        let v = types::ident(scalar_variant(t));
        let ty = types::rust_type(t);
        let doc = format!(" The other documented shape: {}.", scalar_word(t));
        quote! { #[doc = #doc] #v(#ty), }
    });
    let froms = a.others.iter().map(|t| {
        let v = types::ident(scalar_variant(t));
        let ty = types::rust_type(t);
        let from_str = matches!(t, TypeIr::String).then(|| {
            quote! {
                impl ::core::convert::From<&str> for #name {
                    fn from(value: &str) -> Self { #name::#v(value.to_owned()) }
                }
            }
        });
        quote! {
            impl ::core::convert::From<#ty> for #name {
                fn from(value: #ty) -> Self { #name::#v(value) }
            }
            #from_str
        }
    });
    let as_model = types::rust(&a.as_model);
    let as_model_doc = format!(" The [`{}`] object, when the server sent that shape.", a.model);
    let key = a.key.as_ref().map(|key| {
        let method = types::rust(&key.rust);
        let doc = format!(
            " `{}` whichever shape the server sent: the object's field, or the bare string.",
            key.rust.as_str()
        );
        let optional = key.optional;
        let (ret, from_model) = if optional {
            (quote! { ::core::option::Option<&str> }, quote! { v.#method.as_deref() })
        } else {
            (quote! { &str }, quote! { &v.#method })
        };
        let from_string = if optional {
            quote! { ::core::option::Option::Some(v) }
        } else {
            quote! { v }
        };
        let others = a.others.iter().filter(|t| !matches!(t, TypeIr::String)).map(|t| {
            let v = types::ident(scalar_variant(t));
            quote! { #name::#v(_) => ::core::option::Option::None, }
        });
        quote! {
            #[doc = #doc]
            pub fn #method(&self) -> #ret {
                match self {
                    #name::#model_variant(v) => #from_model,
                    #name::String(v) => #from_string,
                    #(#others)*
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        #[serde(untagged)]
        pub enum #name {
            #[doc = " The object shape."]
            #model_variant(#model_ty),
            #(#variants)*
        }

        impl #name {
            #[doc = #as_model_doc]
            pub fn #as_model(&self) -> ::core::option::Option<&#model_ty> {
                match self {
                    #name::#model_variant(v) => ::core::option::Option::Some(v),
                    _ => ::core::option::Option::None,
                }
            }
            #key
        }

        impl ::core::convert::From<#model_ty> for #name {
            fn from(value: #model_ty) -> Self { #name::#model_variant(value) }
        }
        #(#froms)*
    }
}

fn scalar_variant(t: &TypeIr) -> &'static str {
    match t {
        TypeIr::Integer | TypeIr::Amount => "Integer",
        TypeIr::Boolean => "Boolean",
        _ => "String",
    }
}

fn scalar_word(t: &TypeIr) -> String {
    match t {
        TypeIr::Integer | TypeIr::Amount => "an integer".to_owned(),
        TypeIr::Boolean => "a boolean".to_owned(),
        _ => "a string".to_owned(),
    }
}
