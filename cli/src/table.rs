//! The types of the command table. `generated.rs` (written by `cargo xtask codegen` from the
//! spec) fills [`COMMANDS`](crate::generated::COMMANDS) with one [`CommandSpec`] per operation.

/// One operation's subcommand.
#[derive(Debug)]
pub struct CommandSpec {
    /// The spec's operation id (`create_stock_bundle`), as `OperationRequest::parse` takes it.
    pub operation_id: &'static str,
    /// The subcommand: kebab-case of the id (`create-stock-bundle`).
    pub name: &'static str,
    /// One line for the list of subcommands: the doc page's title.
    pub about: &'static str,
    /// `--help`: description, `METHOD path`, 频率限制, 支持商户, 前置条件, body, doc link.
    pub long_about: &'static str,
    /// Path parameters, then query parameters.
    pub params: &'static [ParamSpec],
    /// The JSON body, when the operation takes one.
    pub body: Option<BodySpec>,
    /// The file and its meta, when the operation uploads one.
    pub upload: Option<UploadSpec>,
    /// Where the page token and items are, when the operation is paged.
    pub pages: Option<PageSpec>,
}

/// A multipart upload: the meta JSON (what gets signed) and the file.
#[derive(Debug)]
pub struct UploadSpec {
    /// The meta's model.
    pub meta: BodySpec,
    /// The form part holding the meta (`meta`).
    pub meta_field: &'static str,
    /// The form part holding the file (`file`).
    pub file_field: &'static str,
}

/// A paged list operation, by wire names.
#[derive(Debug)]
pub struct PageSpec {
    /// The query parameter that asks for a page (`page_token`).
    pub page_token: &'static str,
    /// The response field holding the page's items.
    pub items: &'static str,
    /// The response field holding the next page's token (absent or empty on the last page).
    pub next_page_token: &'static str,
}

/// A path or query parameter, given as `--flag VALUE`.
#[derive(Debug)]
pub struct ParamSpec {
    /// The parameter's name in the spec and on the wire (`product_coupon_id`).
    pub wire: &'static str,
    /// The flag without dashes (`product-coupon-id`).
    pub flag: &'static str,
    /// 【label】 description, constraints, allowed values, example.
    pub help: &'static str,
    /// Whether the call needs it.
    pub required: bool,
    /// Where it goes in the request.
    pub location: Location,
    /// Placeholder in the usage line (`TEXT`, `INTEGER`, `BOOL`, `VALUE`).
    pub value_name: &'static str,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    #[allow(dead_code, reason = "a spec without query parameters never builds it")]
    Query,
}

/// An operation's JSON body.
#[derive(Debug)]
pub struct BodySpec {
    /// The request model's name (`CreateStockBundleRequest`).
    pub model: &'static str,
    /// Decodes a body into the model and encodes its known fields again.
    pub canonical: fn(&[u8]) -> Result<serde_json::Value, serde_json::Error>,
}

/// The JSON a body becomes after a round trip through the model `T`, without the keys the model
/// does not know (which it keeps and sends, but which are how the CLI finds them).
pub fn canonical<T: serde::de::DeserializeOwned + serde::Serialize + wechatpay_product_coupon::Validate>(
    bytes: &[u8],
) -> Result<serde_json::Value, serde_json::Error> {
    wechatpay_product_coupon::runtime::validate::known_fields_only(&serde_json::from_slice::<T>(bytes)?)
}
