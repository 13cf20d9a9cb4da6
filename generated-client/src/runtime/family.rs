//! The family axis: what the generated code shared by every API family is generic over.
//!
//! A model that differs between families (one sends `brand_id`, another names the brand in the
//! `Authorization` header) is generated once, generic over a [`Family`] (`models::XFor<F>`); each
//! family's `models::X` is that model at its family (`XFor<Partner>`, `XFor<Brand>`). The family marker types
//! and their facts are generated from `api-spec/families.toml`
//! (`crate::generated::families`); this module is the trait they implement.

use std::fmt::Debug;

/// An API family: its facts from the spec, and how its requests name the brand.
///
/// Implemented by the generated marker types only (one per `[[families]]` entry).
pub trait Family: Copy + Debug + Default + PartialEq + Eq + Send + Sync + SchemaBound + 'static {
    /// The family's id in the spec (`partner`, `brand`).
    const ID: &'static str;
    /// Who calls the family's operations (`服务商`, `品牌直连`).
    const TITLE: &'static str;
    /// The path every operation of the family starts with.
    const PATH_PREFIX: &'static str;
    /// The `Authorization` scheme its requests are signed with.
    const AUTHORIZATION_SCHEME: &'static str;
    /// Whether every request carries `Wechatpay-Serial`.
    const WECHATPAY_SERIAL_REQUIRED: bool;
    /// How the family's models hold the brand field (`brand_id`): a [`String`] where a request
    /// field names the brand, [`NoBrandField`] where the `Authorization` header does.
    type BrandField: BrandField;
}

/// The type of a model's brand field in one family (see [`Family::BrandField`]).
pub trait BrandField:
    Clone + Debug + PartialEq + Eq + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + SchemaBound + 'static
{
    /// The brand id the value holds, if any.
    fn as_str(&self) -> Option<&str>;

    /// Whether the field is left out of the JSON (serde's `skip_serializing_if`).
    fn is_absent(&self) -> bool {
        self.as_str().is_none()
    }

    /// The value of a field a builder was not given: `None` where the field is required (a
    /// [`String`]), the empty value where the family sends no brand field.
    fn unset() -> Option<Self>;

    /// Whether the family sends the field at all (`false` for [`NoBrandField`]).
    fn sent() -> bool;

    /// The field's value for brand id `text` (a follow-up request taking the brand of what
    /// the app holds); `None` where the family sends no brand field.
    fn from_text(text: &str) -> Option<Self>;
}

impl BrandField for String {
    fn as_str(&self) -> Option<&str> {
        Some(self)
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

    fn from_text(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
}

/// The brand field of a family that names the brand in the `Authorization` header: no setter
/// gives one, so a request built with the builders has none. A value decoded from JSON anyway (a
/// response that has one, a request body given as JSON) is kept, whatever its JSON type, and
/// encoded again as it came ([`as_str`](BrandField::as_str) when it is a string): nothing is lost,
/// and validation reports it as a field the family does not send.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoBrandField {
    received: Option<serde_json::Value>,
}

impl BrandField for NoBrandField {
    fn as_str(&self) -> Option<&str> {
        self.received.as_ref().and_then(serde_json::Value::as_str)
    }

    fn is_absent(&self) -> bool {
        self.received.is_none()
    }

    fn unset() -> Option<Self> {
        Some(NoBrandField::default())
    }

    fn sent() -> bool {
        false
    }

    fn from_text(_text: &str) -> Option<Self> {
        None
    }
}

impl serde::Serialize for NoBrandField {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Only reached when a value was received: models skip an absent one.
        self.received.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for NoBrandField {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A missing field reaches here as `none` (serde asks for an option), so a model
        // without the field decodes; one with it keeps the value, of any JSON type.
        Option::<serde_json::Value>::deserialize(deserializer).map(|received| NoBrandField { received })
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for NoBrandField {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NoBrandField".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Option<serde_json::Value>>::json_schema(generator)
    }
}

/// `schemars::JsonSchema` with the `schemars` feature, nothing without it: the bound the
/// generic models' schema derive needs.
#[cfg(feature = "schemars")]
pub trait SchemaBound: schemars::JsonSchema {}
#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> SchemaBound for T {}

/// `schemars::JsonSchema` with the `schemars` feature, nothing without it: the bound the
/// generic models' schema derive needs.
#[cfg(not(feature = "schemars"))]
pub trait SchemaBound {}
#[cfg(not(feature = "schemars"))]
impl<T> SchemaBound for T {}
