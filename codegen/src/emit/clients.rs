//! Each family's client type (`src/generated/clients.rs`) and each secondary family's public
//! module (`src/generated/public.rs`), from `families.toml`: a family is data, and adding one
//! touches no hand-written code.

use super::types;
use crate::ir::{FamilyIr, Ir};
use crate::spec::BrandIdentity;
use proc_macro2::TokenStream;
use quote::quote;

/// `#[cfg(feature = "<module>")]` for a secondary family (its cargo feature), nothing for the
/// primary one.
fn gate(f: &FamilyIr) -> TokenStream {
    match &f.module {
        Some(m) => quote! { #[cfg(feature = #m)] },
        None => quote! {},
    }
}

/// The family's notification event enum.
fn events(f: &FamilyIr) -> TokenStream {
    match &f.module {
        Some(m) => {
            let m = types::ident(m);
            quote! { crate::generated::#m::notifications::NotificationEvent }
        }
        None => quote! { crate::generated::notifications::NotificationEvent },
    }
}

fn client(f: &FamilyIr) -> TokenStream {
    let gate = gate(f);
    let name = types::ident(&f.client);
    let builder = quote::format_ident!("{}Builder", f.client);
    let events = events(f);
    let who = if f.title.is_empty() { f.id.clone() } else { f.title.clone() };
    let by_header = f.brand_identity == BrandIdentity::Authorization;
    let doc = format!(
        " The {who} client: the core client plus one method per operation of the family (generated), under \
         `{}`, signed `{}`{}. Cheap to clone; clones share the connection pool, keys and rate limiter.",
        f.path_prefix,
        f.auth_scheme,
        if f.wechatpay_serial_required { ", every request carrying `Wechatpay-Serial`" } else { "" }
    );
    let builder_doc =
        format!(" Configures a [`{}`] (see [`ClientBuilder`](wechatpay_apiv3::ClientBuilder)).", f.client);
    let (start, from_env, env_doc) = if by_header {
        (
            quote! { #builder::new().expect_brand() },
            quote! { #builder::from_brand_env() },
            " A client configured from the `WECHATPAY_BRAND_*` environment variables; see \
             [`ClientBuilder::from_brand_env`](wechatpay_apiv3::ClientBuilder::from_brand_env).",
        )
    } else {
        (
            quote! { #builder::new() },
            quote! { #builder::from_env() },
            " A client configured from the `WECHATPAY_*` environment variables; see \
             [`ClientBuilder::from_env`](wechatpay_apiv3::ClientBuilder::from_env).",
        )
    };
    let start_doc = if by_header {
        " Starts configuring a client; `build()` refuses a configuration without `brand_id` (the family names \
         the brand in the Authorization header)."
    } else {
        " Starts configuring a client."
    };
    quote! {
        #gate
        #[doc = #doc]
        #[derive(::core::clone::Clone)]
        pub struct #name {
            core: wechatpay_apiv3::Client,
        }

        #gate
        #[doc = #builder_doc]
        pub type #builder = wechatpay_apiv3::ClientBuilder<#name>;

        #gate
        impl #name {
            #[doc = #start_doc]
            pub fn builder() -> #builder {
                #start
            }

            #[doc = #env_doc]
            ///
            /// # Errors
            ///
            /// A variable missing or invalid, or a key that cannot be read.
            pub fn from_env() -> ::core::result::Result<#name, wechatpay_apiv3::Error> {
                #from_env?.build()
            }

            /// A clone of this client whose calls use `options` (cheap: shares everything else).
            pub fn with_options(&self, options: wechatpay_apiv3::CallOptions) -> #name {
                #name { core: self.core.with_options(options) }
            }

            /// The core client.
            pub fn core(&self) -> &wechatpay_apiv3::Client {
                &self.core
            }

            /// Verifies a notification with this client's keys, decrypts it and decodes it into
            /// one of the family's events (see [`wechatpay_apiv3::notify`]).
            ///
            /// # Errors
            ///
            /// A signature that does not verify, a body that cannot be decrypted or decoded.
            pub async fn parse_notification(
                &self,
                headers: &wechatpay_apiv3::HeaderMap,
                body: &[u8],
            ) -> ::core::result::Result<wechatpay_apiv3::notify::Notification<#events>, wechatpay_apiv3::notify::NotifyError> {
                self.core.parse_notification(headers, body).await
            }
        }

        #gate
        impl ::core::convert::From<wechatpay_apiv3::Client> for #name {
            fn from(core: wechatpay_apiv3::Client) -> Self {
                #name { core }
            }
        }

        #gate
        impl ::core::ops::Deref for #name {
            type Target = wechatpay_apiv3::Client;

            fn deref(&self) -> &wechatpay_apiv3::Client {
                &self.core
            }
        }

        #gate
        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(&self.core, f)
            }
        }

        #gate
        #[cfg(feature = "axum")]
        impl wechatpay_apiv3::axum::OpenNotification for #name {
            type Event = #events;

            fn open_notification(
                &self,
                headers: &wechatpay_apiv3::HeaderMap,
                body: &[u8],
            ) -> impl ::core::future::Future<Output = ::core::result::Result<wechatpay_apiv3::notify::Notification<#events>, wechatpay_apiv3::notify::NotifyError>> + Send {
                self.core.parse_notification(headers, body)
            }
        }

        #gate
        impl wechatpay_apiv3::notify::DecodeEvent for #events {
            fn decode_event(event_type: &str, resource: ::serde_json::Value) -> ::core::result::Result<Self, ::serde_json::Error> {
                Self::decode(event_type, resource)
            }
        }
    }
}

/// `src/generated/clients.rs`: every family's client, next to the core's client items (which
/// the local names shadow), so `crate::runtime::client` re-exports this one module.
pub fn emit(ir: &Ir) -> TokenStream {
    let clients = ir.families.iter().map(client);
    quote! {
        //! Each API family's client (`families.toml`): the core client wrapped so that the family's
        //! generated operations can be its methods; every other item of the core's
        //! [`client`](wechatpay_apiv3::client) module is re-exported beside them.
        pub use wechatpay_apiv3::client::*;
        #(#clients)*
    }
}

/// `src/generated/public.rs`: each secondary family's public module, re-exported at the crate
/// root (`wechatpay_product_coupon::brand`), with its client at the root too.
pub fn emit_public(ir: &Ir) -> TokenStream {
    let modules = ir.secondary_families().filter_map(|f| {
        let module = f.module.as_deref()?;
        let gate = gate(f);
        let m = types::ident(module);
        let name = types::ident(&f.client);
        let builder = quote::format_ident!("{}Builder", f.client);
        let events = events(f);
        let who = if f.title.is_empty() { f.id.clone() } else { f.title.clone() };
        let doc = format!(
            " The {who} family: the same operations under `{}`, signed `{}`, called through [`{}`]. Its \
             [`models`](crate::generated::{module}::models) name the models that differ between families at this family and \
             re-export every other one. Behind the `{module}` cargo feature.",
            f.path_prefix, f.auth_scheme, f.client
        );
        let notify_doc = format!(
            " The {who} family's notifications ([`wechatpay_apiv3::notify`]), typed by its events: \
             [`NotificationEvent`] is the family's event enum."
        );
        Some(quote! {
            #gate
            #[doc = #doc]
            pub mod #m {
                pub use crate::generated::#m::{builders, models, notifications, operations, requests};
                pub use crate::runtime::client::{#name, #builder};
                pub use #events;

                #[doc = #notify_doc]
                pub mod notify {
                    pub use wechatpay_apiv3::notify::*;
                    pub use #events;

                    /// A verified and decrypted notification of the family.
                    pub type Notification = wechatpay_apiv3::notify::Notification<#events>;

                    /// Verifies and opens the family's notifications without a client.
                    pub type NotificationParser = wechatpay_apiv3::notify::NotificationParser<#events>;

                    // In an axum handler (feature `axum`): `Notified<Client>` with the family's
                    // client from the app's state; see `wechatpay_apiv3::axum`.
                    #[cfg(feature = "axum")]
                    pub use wechatpay_apiv3::axum::{Notified, NotifyAck, NotifyRejection, OpenNotification};
                }
            }

            #gate
            pub use crate::runtime::client::{#name, #builder};
        })
    });
    quote! {
        //! Each secondary API family's public module, re-exported at the crate root.
        #(#modules)*
    }
}
