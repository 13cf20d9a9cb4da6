//! Typed ids: what the generated id types (`crate::generated::ids`, one per `[[ids]]` entry of
//! the spec) are made of. An id is a string with a type of its own, so that a brand id cannot
//! be passed where an AppID is expected; on the wire and in serde it is the plain string.
//!
//! Hand-written; the generated file only names each id (`id_type!`).

/// A typed id: what every generated id type implements.
pub trait Id:
    Clone
    + std::fmt::Debug
    + std::fmt::Display
    + PartialEq
    + Eq
    + std::hash::Hash
    + serde::Serialize
    + serde::de::DeserializeOwned
    + Send
    + Sync
    + crate::runtime::family::SchemaBound
    + for<'t> From<&'t str>
    + 'static
{
    /// The id's text.
    fn as_str(&self) -> &str;
}

/// An argument that stands for an id of type `T`: the typed id itself (`&OpenId`), or text
/// (`&str`, `&String`) for an id the app holds as plain text. Another kind of typed id does not
/// convert, so swapping two typed ids in a call does not compile.
pub trait IdArg<'a, T: Id> {
    /// The id's text.
    fn id_str(self) -> &'a str;
}

impl<'a, T: Id> IdArg<'a, T> for &'a T {
    fn id_str(self) -> &'a str {
        self.as_str()
    }
}

impl<'a, T: Id> IdArg<'a, T> for &'a str {
    fn id_str(self) -> &'a str {
        self
    }
}

impl<'a, T: Id> IdArg<'a, T> for &'a String {
    fn id_str(self) -> &'a str {
        self
    }
}

/// Defines a typed id: a newtype over `String`, serialised as the string, readable as `&str`
/// (`Deref`, `AsRef`, `Borrow`, `Display`), made from text (`From<&str>`, `From<String>`) and
/// compared with text (`id == "o1"`).
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema), schemars(transparent))]
        pub struct $name(::std::string::String);

        impl $name {
            /// The id of text `id`.
            pub fn new(id: impl ::core::convert::Into<::std::string::String>) -> Self {
                $name(id.into())
            }

            /// The id's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id's text, owned.
            pub fn into_string(self) -> ::std::string::String {
                self.0
            }
        }

        impl $crate::runtime::ids::Id for $name {
            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::core::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl ::core::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::core::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok($name(s.to_owned()))
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }

        impl ::core::convert::From<::std::string::String> for $name {
            fn from(id: ::std::string::String) -> Self {
                $name(id)
            }
        }

        impl ::core::convert::From<&::std::string::String> for $name {
            fn from(id: &::std::string::String) -> Self {
                $name(id.clone())
            }
        }

        impl ::core::convert::From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl ::core::convert::From<$name> for ::std::string::String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl ::core::cmp::PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl ::core::cmp::PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl ::core::cmp::PartialEq<::std::string::String> for $name {
            fn eq(&self, other: &::std::string::String) -> bool {
                &self.0 == other
            }
        }

        impl ::core::cmp::PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl ::core::cmp::PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl ::core::cmp::PartialEq<$name> for ::std::string::String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
    };
}

pub(crate) use id_type;

/// The ids a model holds, by wire name (`product_coupon_id` -> `1000000013`): what a follow-up
/// request's builder (`ids_from`) takes from the model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdSet(std::collections::BTreeMap<&'static str, String>);

impl IdSet {
    /// Records `value` under `wire` unless an id of that name was recorded first (a model's own
    /// ids are offered before its nested objects', so the nearest one wins).
    pub fn offer(&mut self, wire: &'static str, value: Option<&str>) {
        if let Some(value) = value {
            self.0.entry(wire).or_insert_with(|| value.to_owned());
        }
    }

    /// The id recorded under `wire`.
    pub fn get(&self, wire: &str) -> Option<&str> {
        self.0.get(wire).map(String::as_str)
    }

    /// Every recorded `(wire name, id)`, by wire name.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(k, v)| (*k, v.as_str()))
    }
}

/// A model whose typed ids a follow-up request can take (every generated model).
pub trait HoldsIds {
    /// Offers the model's ids to `ids`: its own first, then those of its nested objects (not
    /// of lists, whose ids are not one value).
    fn collect_ids(&self, ids: &mut IdSet);

    /// The model's ids.
    fn ids(&self) -> IdSet {
        let mut ids = IdSet::default();
        self.collect_ids(&mut ids);
        ids
    }
}

/// A typed id is a brand field (a family's `brand_id`) like a `String` is: always sent.
impl<T: Id> crate::runtime::family::BrandField for T {
    fn as_str(&self) -> Option<&str> {
        Some(Id::as_str(self))
    }

    fn from_text(text: &str) -> Option<Self> {
        Some(T::from(text))
    }

    fn is_absent(&self) -> bool {
        false
    }

    fn unset() -> Option<Self> {
        None
    }

    fn sent() -> bool {
        true
    }
}
