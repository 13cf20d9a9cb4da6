//! Open enums: documented values as variants, anything else kept in `Unknown(String)`.

use super::{docs, types};
use crate::ir::{EnumIr, EnumValueIr, Ir};
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit_enum(e: &EnumIr) -> TokenStream {
    let mut lines = Vec::new();
    match (&e.label, &e.description) {
        (Some(l), Some(d)) => lines.push(format!("【{}】{}", docs::prose(l), docs::one_line(d))),
        (Some(l), None) => lines.push(format!("【{}】", docs::prose(l))),
        (None, Some(d)) => docs::paragraph(&mut lines, d),
        (None, None) => lines.push(format!("The `{}` enumeration.", e.name)),
    }
    lines.push(String::new());
    lines.push(
        "Values the API does not document yet are kept in `Unknown`, so responses never fail on them.".to_owned(),
    );
    open_enum(&e.name, &lines, &e.values, quote! {})
}

/// The enum of every documented error code (`src/generated/errors.rs`).
pub fn emit_error_codes(ir: &Ir) -> TokenStream {
    let values: Vec<EnumValueIr> = ir
        .error_codes
        .iter()
        .map(|(code, rows)| {
            let meaning = rows
                .iter()
                .map(|r| format!("HTTP {}: {} ({})", r.status, r.description, r.solution))
                .fold(Vec::<String>::new(), |mut acc, row| {
                    if !acc.contains(&row) {
                        acc.push(row);
                    }
                    acc
                })
                .join("; ");
            let variant = crate::ir::RustIdent::plain(crate::names::variant(code));
            EnumValueIr { wire: code.clone(), variant, meaning }
        })
        .collect();
    let doc = vec![
        "An API error code. The documented codes are variants; any other code is kept verbatim in `Unknown`."
            .to_owned(),
    ];
    let extra = quote! {
        /// Whether the spec documents this code.
        pub fn is_documented(&self) -> bool {
            self.is_known()
        }
    };
    let e = open_enum("ErrorCode", &doc, &values, extra);
    quote! {
        //! Documented error codes, gathered from every operation's error table and the service's
        //! common errors.
        #e
    }
}

fn open_enum(name: &str, doc_lines: &[String], values: &[EnumValueIr], extra: TokenStream) -> TokenStream {
    let name = types::ident(name);
    let doc = docs::attrs(doc_lines);
    let variants: Vec<_> = values.iter().map(|v| types::rust(&v.variant)).collect();
    let wires: Vec<&str> = values.iter().map(|v| v.wire.as_str()).collect();
    let meanings: Vec<&str> = values.iter().map(|v| v.meaning.as_str()).collect();
    let variant_docs = values.iter().map(|v| docs::attrs(&[format!("`{}`: {}", v.wire, docs::one_line(&v.meaning))]));
    let schema_doc = doc_lines.first().cloned().unwrap_or_default();
    quote! {
        #doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants, )*
            /// A value this client does not know, kept verbatim.
            Unknown(::std::string::String),
        }

        impl #name {
            /// Every documented wire value, in the spec's order.
            pub const KNOWN_VALUES: &'static [&'static str] = &[#(#wires),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #wires, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// What the documentation says the value means; `None` for unknown values.
            pub fn meaning(&self) -> ::core::option::Option<&'static str> {
                match self {
                    #( Self::#variants => ::core::option::Option::Some(#meanings), )*
                    Self::Unknown(_) => ::core::option::Option::None,
                }
            }

            /// Whether the value is one the spec documents.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }

            #extra
        }

        impl ::core::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#variants, )*
                    other => Self::Unknown(::std::string::String::from(other)),
                }
            }
        }

        impl ::core::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #( #wires => Self::#variants, )*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::core::str::FromStr for #name {
            type Err = ::core::convert::Infallible;
            fn from_str(value: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok(Self::from(value))
            }
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::core::result::Result::Ok(Self::from(value))
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!(#name))
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "type": "string",
                    "enum": [#(#wires),*],
                    "description": #schema_doc,
                })
            }
        }
    }
}
