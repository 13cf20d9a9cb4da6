//! `src/generated/ids.rs`: a type per `[[ids]]` entry of the spec, each a string with a type of
//! its own (made by the runtime's `id_type!`), so that ids cannot be mixed up.

use super::{docs, types};
use crate::ir::Ir;
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(ir: &Ir) -> TokenStream {
    let items = ir.ids.iter().map(|id| {
        let name = types::ident(&id.name);
        let mut lines = vec![format!(
            "【{}】{}",
            id.label,
            id.description.as_deref().map(|d| format!(" {}", docs::one_line(d))).unwrap_or_default()
        )];
        lines.push(String::new());
        let wires: Vec<String> = id.fields.iter().map(|w| format!("`{w}`")).collect();
        lines.push(format!("The type of every field and parameter named {}.", wires.join(", ")));
        lines.push(String::new());
        lines.push(
            "On the wire it is the plain string. Made from text with `From<&str>` / `From<String>` \
             (so setters and call arguments take text too); read as `&str` through `Deref`, `AsRef<str>` \
             or `as_str()`; compared with text directly (`id == \"...\"`)."
                .to_owned(),
        );
        let doc = docs::attrs(&lines);
        quote! {
            crate::runtime::ids::id_type! {
                #doc
                #name
            }
        }
    });
    quote! {
        //! The spec's typed ids: strings with a type each, so that an id of one kind cannot be
        //! passed where another is expected (a brand id for an AppID, say). Each is the plain
        //! string in JSON; the call functions take the id itself or text
        //! ([`IdArg`](crate::runtime::ids::IdArg)).

        #(#items)*
    }
}
