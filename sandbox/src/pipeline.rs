//! The one pipeline of every operation, once the server has routed, authenticated, limited,
//! parsed and validated its request (`server.rs`): brand authorization, then idempotency by
//! request number, then the operation's handler. What it needs of each operation (where the
//! brand is named, which field numbers the request, which code a reused number gets, how the
//! request is compared and its stored response decoded) is generated from the spec into
//! [`crate::generated::handler`]; no handler repeats any of it.
//!
//! The handlers are methods of [`Ctx`] named exactly like the operations they serve, in their
//! domain's module: `coupons.rs` (product coupons, stocks, bundles, stores, codes),
//! `user_coupons.rs` (sending, the user-coupon lifecycle), `images.rs` (upload, generation
//! tasks), `notify.rs` (notify URL).

use wechatpay_product_coupon::requests::OperationRequest;

use crate::generated::handler::{canonical_request, forward_operations, handle, replay, request_key, response_text};
use crate::idempotency::{Numbered, fingerprint};
use crate::state::{ApiFailure, Ctx, business_code, internal};

/// The generated `OperationHandler` over [`Ctx`]'s methods of the operations' names.
struct Operations<'c, 'a>(&'c mut Ctx<'a>);

forward_operations!(Operations<'_, '_>, ApiFailure);

/// Serves a parsed, validated request: the response body as sent (a replay's is the stored one,
/// byte for byte).
pub(crate) fn serve(ctx: &mut Ctx<'_>, request: OperationRequest) -> Result<String, ApiFailure> {
    let key = request_key(&request);
    // A brand calling directly acts for itself; a 服务商 only for the brands that authorized it.
    if let Some(brand_id) = key.brand_id
        && crate::auth::account_brand(ctx.mchid).is_none()
    {
        authorize_brand(ctx, brand_id)?;
    }
    let Some(number) = key.number else {
        let response = handle(request, &mut Operations(ctx))?;
        return response_text(&response).map_err(internal);
    };
    let (operation, brand_id) = (key.operation_id, key.brand_id.unwrap_or_default().to_owned());
    let (field, value) = (number.field, number.value.to_owned());
    let numbered = Numbered { operation, brand_id: &brand_id, field, number: &value, reuse_code: number.reuse_code };
    let fp = fingerprint(&canonical_request(&request).map_err(internal)?);
    if let Some(stored) = ctx.stored_response(&numbered, &fp)? {
        // Decoded as the operation's response, so that a damaged state file is a 500 rather
        // than a body the client cannot read.
        replay(&request, &stored)
            .map_err(|e| ApiFailure::new(500, "SYSTEM_ERROR", format!("stored response does not decode: {e}")))?;
        return Ok(stored);
    }
    let response = handle(request, &mut Operations(ctx))?;
    let text = response_text(&response).map_err(internal)?;
    ctx.remember(&numbered, fp, text.clone());
    Ok(text)
}

/// 403 `NO_AUTH` for a brand that has not authorized the 服务商 (when the sandbox was given a
/// list of authorized brands).
fn authorize_brand(ctx: &Ctx<'_>, brand_id: &str) -> Result<(), ApiFailure> {
    match ctx.brands {
        Some(brands) if !brands.contains(brand_id) => Err(ApiFailure::new(
            403,
            "NO_AUTH",
            format!("品牌 {brand_id} 未向服务商授予商品券权限（服务商没有此接口权限）"),
        )
        .with_detail(serde_json::json!({ "field": "brand_id", "location": "body", "value": brand_id }))
        .with_business_code(business_code::NO_AUTH)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use wechatpay_product_coupon::generated::operations::OPERATIONS;

    use super::*;

    /// The fingerprints in state files written before the pipeline were SHA-256 of
    /// `serde_json::to_vec(&(operation, &[(path name, value), ...], &typed_body))`: the generated
    /// canonical form must give the same bytes, or a retry after an upgrade would be refused.
    #[test]
    fn canonical_requests_match_the_fingerprints_of_earlier_state_files() {
        let body = br#"{"brand_id":"120344","out_request_no":"upd_0001","remark":"r","stock_id":"x"}"#;
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [u8]);
        let cases: [Case<'_>; 3] = [
            ("update_stock", &[("product_coupon_id", "1000000001"), ("stock_id", "3000000001")], body),
            (
                "send_coupon",
                &[("openid", "o_user")],
                br#"{"product_coupon_id":"1","stock_id":"3","appid":"wx1","send_request_no":"s1","brand_id":"b"}"#,
            ),
            (
                "create_image_generation_task",
                &[],
                br#"{"brand_id":"b","task_id":"t1","image_generation_type":"CUT_OUT","image_url":"https://x/a.png"}"#,
            ),
        ];
        for (op, path, body) in cases {
            let request = OperationRequest::parse(op, path, &[], Some(body)).unwrap_or_else(|e| panic!("{op}: {e}"));
            let before = match &request {
                OperationRequest::UpdateStock { body, .. } => serde_json::to_vec(&(op, path, &**body)),
                OperationRequest::SendCoupon { body, .. } => serde_json::to_vec(&(op, path, &**body)),
                OperationRequest::CreateImageGenerationTask { body, .. } => serde_json::to_vec(&(op, path, &**body)),
                other => panic!("unexpected {other:?}"),
            }
            .unwrap();
            assert_eq!(canonical_request(&request).unwrap(), before, "{op}");
            assert!(request_key(&request).number.is_some(), "{op} has a request number");
        }
    }

    /// Which field numbers a request and what a reused number gets come from the spec: every
    /// number field the sandbox used to type by hand, and `ALREADY_EXISTS` exactly where the
    /// operation's error table lists it.
    #[test]
    fn request_numbers_and_their_refusals_come_from_the_spec() {
        let body = |extra: &str| format!(r#"{{"brand_id":"b","out_request_no":"n1"{extra}}}"#);
        let create = serde_json::to_vec(&crate::demo::product_coupon_request("N_0001")).unwrap();
        let request = OperationRequest::parse("create_product_coupon", &[], &[], Some(&create)).unwrap();
        let number = request_key(&request).number.unwrap();
        assert_eq!((number.field, number.value, number.reuse_code), ("out_request_no", "N_0001", "ALREADY_EXISTS"));
        let deactivate = body(r#","deactivate_reason":"r""#);
        let request = OperationRequest::parse(
            "deactivate_product_coupon",
            &[("product_coupon_id", "1")],
            &[],
            Some(deactivate.as_bytes()),
        )
        .unwrap();
        let key = request_key(&request);
        assert_eq!(key.brand_id, Some("b"));
        let number = key.number.unwrap();
        assert_eq!((number.field, number.value, number.reuse_code), ("out_request_no", "n1", "INVALID_REQUEST"));
        let get =
            OperationRequest::parse("get_product_coupon", &[("product_coupon_id", "1")], &[("brand_id", "b")], None)
                .unwrap();
        assert_eq!(request_key(&get).brand_id, Some("b"));
        assert_eq!(request_key(&get).number, None);
    }

    /// No handler repeats the pipeline: brand checks, fingerprints and idempotency live in
    /// `pipeline.rs` and `idempotency.rs` only, and every operation has a handler of its own
    /// name in a domain module.
    #[test]
    fn handlers_are_named_like_their_operations_and_carry_no_preamble() {
        let domain = [
            ("coupons.rs", include_str!("coupons.rs")),
            ("user_coupons.rs", include_str!("user_coupons.rs")),
            ("images.rs", include_str!("images.rs")),
            ("notify.rs", include_str!("notify.rs")),
            ("state.rs", include_str!("state.rs")),
            ("server.rs", include_str!("server.rs")),
        ];
        for (file, text) in domain {
            for preamble in
                ["authorize_brand(", "check_brand(", "fingerprint(", "stored_response(", "remember(", "idempotent("]
            {
                assert!(!text.contains(preamble), "{file} repeats the pipeline: {preamble}");
            }
        }
        for meta in OPERATIONS {
            let handler = format!("pub(crate) fn {}(", meta.id);
            let homes: Vec<&str> = domain.iter().filter(|(_, text)| text.contains(&handler)).map(|(f, _)| *f).collect();
            assert_eq!(homes.len(), 1, "{} should have exactly one handler of its name, found in {homes:?}", meta.id);
        }
    }
}
