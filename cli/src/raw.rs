//! `--no-validate`: the request goes out exactly as the user gave it.
//!
//! The typed path parses the body into the request model, so a body the spec calls invalid in
//! shape (a required field missing, a number as a string) could not be sent at all. When the
//! spec is wrong that is the user's only way out, so here the body bytes are signed and sent
//! as given (their JSON syntax checked, nothing else) and the response, still verified, comes
//! back as JSON. Unlike the library's `Client::send_raw` (which takes a `serde_json::Value`), the
//! bytes are sent exactly as typed.

use wechatpay_product_coupon::Error;
use wechatpay_product_coupon::PreparedRequest;
use wechatpay_product_coupon::runtime::Client;
use wechatpay_product_coupon::runtime::client::{OperationMeta, RequestParts};
use wechatpay_product_coupon::runtime::raw::fill_path_template;
use wechatpay_product_coupon::runtime::upload::{MultipartLayout, UploadFile};

use crate::app::Family;

use crate::table::UploadSpec;

/// The operation's static facts (method, path template) by family and id.
pub fn meta(family: Family, operation_id: &str) -> Option<&'static OperationMeta> {
    family.operations().iter().copied().find(|m| m.id == operation_id)
}

/// The request target's path: the template with each `{name}` replaced by its percent-encoded
/// value (the library's own substitution, so both escape hatches encode alike).
pub fn path(meta: &OperationMeta, params: &[(&str, String)]) -> Result<String, String> {
    let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (*n, v.as_str())).collect();
    fill_path_template(meta.path_template, &params).map_err(|e| e.to_string())
}

/// Signs and sends `body` as given; for an upload `body` is the meta JSON and `file` goes with
/// it in the multipart form. Returns the verified response as JSON (`null` for an empty one).
pub async fn send(
    client: &Client,
    meta: &'static OperationMeta,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    upload: Option<(&UploadSpec, &UploadFile)>,
) -> Result<serde_json::Value, Error> {
    let parts = RequestParts::new(meta, path, query, body);
    match upload {
        Some((spec, file)) => client.execute_upload(parts, &layout(spec), file).await,
        None => client.execute(parts).await,
    }
}

/// The signed request [`send`] would send with these arguments, without sending it.
pub fn prepare(
    client: &Client,
    meta: &'static OperationMeta,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    upload: Option<(&UploadSpec, &UploadFile)>,
) -> Result<PreparedRequest, Error> {
    let parts = RequestParts::new(meta, path, query, body);
    match upload {
        Some((spec, file)) => client.prepare_upload(&parts, &layout(spec), file),
        None => client.prepare(&parts),
    }
}

fn layout(spec: &UploadSpec) -> MultipartLayout {
    MultipartLayout { meta_field: spec.meta_field, file_field: spec.file_field }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_is_the_template_with_encoded_values() {
        let meta = meta(Family::Partner, "create_stock_bundle").expect("in the spec");
        let path = path(meta, &[("product_coupon_id", "a/b c".to_owned())]).unwrap();
        assert_eq!(path, "/v3/marketing/partner/product-coupon/product-coupons/a%2Fb%20c/stock-bundles");
        assert!(super::path(meta, &[]).unwrap_err().contains("product_coupon_id"));
        let brand = super::meta(Family::Brand, "create_stock_bundle").expect("in the brand family");
        let path = super::path(brand, &[("product_coupon_id", "1".to_owned())]).unwrap();
        assert_eq!(path, "/brand/marketing/product-coupon/product-coupons/1/stock-bundles");
    }
}
