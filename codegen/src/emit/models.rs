//! Model structs and enums (`src/generated/models.rs`).

use super::{docs, enums, types};
use crate::ir::{Ir, ModelIr};
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(ir: &Ir) -> TokenStream {
    let models = ir.models.values().map(model);
    let enums = ir.enums.values().map(enums::emit_enum);
    quote! {
        //! Request and response models. Unknown response fields are ignored and unknown enum
        //! values are kept in `Unknown`, so a server that adds either never fails a call.
        #(#models)*
        #(#enums)*
    }
}

/// The doc lines of a model.
pub fn model_doc(m: &ModelIr) -> Vec<String> {
    let mut lines = Vec::new();
    match (&m.label, &m.description) {
        (Some(label), Some(d)) => lines.push(format!("【{}】{}", docs::prose(label), docs::one_line(d))),
        (Some(label), None) => lines.push(format!("【{}】", docs::prose(label))),
        (None, Some(d)) => docs::paragraph(&mut lines, d),
        (None, None) => lines.push(format!("The `{}` object.", m.name)),
    }
    if !m.rules.is_empty() {
        lines.push(String::new());
        lines.push("Rules checked by [`Validate`](crate::runtime::validate::Validate):".to_owned());
        for r in &m.rules {
            lines.push(format!("- {}", docs::one_line(&r.description)));
        }
    }
    for d in &m.decisions {
        lines.push(String::new());
        lines.push(format!("Source note: {}", docs::one_line(d)));
    }
    lines
}

fn model(m: &ModelIr) -> TokenStream {
    let name = types::ident(&m.name);
    let doc = docs::attrs(&model_doc(m));
    let fields = m.fields.iter().map(|f| {
        let doc = docs::attrs(&docs::field(f));
        let id = types::ident(&f.rust);
        let ty = types::rust_type(&f.ty);
        let wire = &f.wire;
        // serde strips `r#`, so only names it cannot derive need a rename.
        let rename = (f.rust.trim_start_matches("r#") != f.wire).then(|| quote! { #[serde(rename = #wire)] });
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
    quote! {
        #doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
    }
}
