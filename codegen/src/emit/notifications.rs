//! `src/generated/notifications.rs`: the typed notification events of the spec.

use super::{docs, types};
use crate::ir::Ir;
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(ir: &Ir) -> TokenStream {
    let variants = ir.notifications.iter().map(|n| {
        let v = types::ident(&n.name);
        let ty = types::model_path(&n.resource);
        let mut lines = vec![format!("`{}`: {}", n.event_type, docs::prose(&n.title))];
        if let Some(s) = &n.summary {
            lines.push(String::new());
            lines.push(format!("Summary: {}", docs::one_line(s)));
        }
        if let Some(d) = &n.description {
            docs::paragraph(&mut lines, d);
        }
        lines.push(String::new());
        match &n.doc_url {
            Some(url) => lines.push(format!("Documentation: <{url}>")),
            None => lines.push("Documentation: no page of this family's event was found".to_owned()),
        }
        let doc = docs::attrs(&lines);
        quote! { #doc #v(::std::boxed::Box<#ty>), }
    });
    let wires: Vec<&str> = ir.notifications.iter().map(|n| n.event_type.as_str()).collect();
    let decode_arms = ir.notifications.iter().map(|n| {
        let v = types::ident(&n.name);
        let wire = &n.event_type;
        quote! { #wire => ::serde_json::from_value(resource).map(|r| Self::#v(::std::boxed::Box::new(r))), }
    });
    let type_arms = ir.notifications.iter().map(|n| {
        let v = types::ident(&n.name);
        let wire = &n.event_type;
        quote! { Self::#v(_) => #wire, }
    });
    let json_arms = ir.notifications.iter().map(|n| {
        let v = types::ident(&n.name);
        quote! { Self::#v(r) => ::serde_json::to_value(r), }
    });
    quote! {
        //! The notification events of the spec. Event types the spec does not know are kept in
        //! `Other` with their decrypted JSON, so a new event type never fails a callback.

        /// A decrypted notification resource, typed by its `event_type`.
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum NotificationEvent {
            #(#variants)*
            /// An event type this client does not know, with its decrypted resource.
            Other {
                /// The event type as sent.
                event_type: ::std::string::String,
                /// The decrypted resource.
                resource: ::serde_json::Value,
            },
        }

        impl NotificationEvent {
            /// Every event type the spec documents.
            pub const KNOWN_EVENT_TYPES: &'static [&'static str] = &[#(#wires),*];

            /// Decodes a decrypted resource by event type; unknown types become `Other`.
            // A spec without notifications leaves only the catch-all arm.
            #[allow(clippy::match_single_binding)]
            pub fn decode(event_type: &str, resource: ::serde_json::Value) -> ::core::result::Result<Self, ::serde_json::Error> {
                match event_type {
                    #(#decode_arms)*
                    other => ::core::result::Result::Ok(Self::Other { event_type: ::std::string::String::from(other), resource }),
                }
            }

            /// The event type.
            pub fn event_type(&self) -> &str {
                match self {
                    #(#type_arms)*
                    Self::Other { event_type, .. } => event_type.as_str(),
                }
            }

            /// The resource as JSON.
            pub fn to_json(&self) -> ::core::result::Result<::serde_json::Value, ::serde_json::Error> {
                match self {
                    #(#json_arms)*
                    Self::Other { resource, .. } => ::core::result::Result::Ok(resource.clone()),
                }
            }
        }
    }
}
