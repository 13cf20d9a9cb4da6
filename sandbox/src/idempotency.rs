//! Idempotency by request number: the records the state keeps, and the one rule every numbered
//! request follows (the pipeline's operations, and a claimed pre-send token).
//!
//! A record is keyed by (merchant, brand, operation, number): the docs ask the brand side to
//! keep the number unique (品牌侧需保持唯一性), per kind of request.
//!
//! * Same number, same request (operation, path parameters and body, compared after parsing,
//!   so JSON layout does not matter): the response stored the first time, nothing changed, no
//!   notification sent again. This is what makes a retry after a lost response or a 500 safe.
//! * Same number, different request: 400, `ALREADY_EXISTS` for the create operations whose
//!   error tables list it for exactly this ("确认 out_request_no 字段是否重复使用"),
//!   `INVALID_REQUEST` for the others; either way with business code 268578927 (相同单号但请求
//!   数据不一致) in `Request-ID`.
//!
//! Only successes are recorded: a refused request leaves its number free.

use serde::Serialize;

use crate::failure::{ApiFailure, business_code, internal};
use crate::state::{Ctx, IdempotencyRecord};

/// A request number as the pipeline or a sandbox action checks it.
pub(crate) struct Numbered<'a> {
    pub operation: &'a str,
    pub brand_id: &'a str,
    /// The body field that carries the number, for the error message.
    pub field: &'a str,
    pub number: &'a str,
    /// The code of the refusal of a reused number with other data.
    pub reuse_code: &'static str,
}

/// SHA-256 (lowercase hex) of a canonical request's bytes.
pub(crate) fn fingerprint(canonical: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

impl Ctx<'_> {
    fn record_key(&self, n: &Numbered<'_>) -> String {
        format!("{}|{}|{}|{}", self.mchid, n.brand_id, n.operation, n.number)
    }

    /// The response stored for this number, if the same request was handled before; a refusal
    /// if the number was used with another request; `None` for a new number.
    pub(crate) fn stored_response(&self, n: &Numbered<'_>, fingerprint: &str) -> Result<Option<String>, ApiFailure> {
        let Some(record) = self.state.idempotency.get(&self.record_key(n)) else { return Ok(None) };
        if record.fingerprint == fingerprint {
            return Ok(Some(record.response.clone()));
        }
        let (field, number) = (n.field, n.number);
        Err(ApiFailure::new(
            400,
            n.reuse_code,
            format!(
                "{field} {number:?} 已被使用，且与上次请求的数据不一致（相同单号但请求数据不一致）；不同的请求须使用不同的 {field}"
            ),
        )
        .with_detail(serde_json::json!({ "field": field, "location": "body", "value": number }))
        .with_business_code(business_code::SAME_NUMBER_DIFFERENT_DATA))
    }

    /// Remembers the response of a request that succeeded.
    pub(crate) fn remember(&mut self, n: &Numbered<'_>, fingerprint: String, response: String) {
        let key = self.record_key(n);
        self.state.idempotency.insert(key, IdempotencyRecord { fingerprint, response });
        self.touch();
    }

    /// Whether a response is stored for this number.
    pub(crate) fn has_record(&self, n: &Numbered<'_>) -> bool {
        self.state.idempotency.contains_key(&self.record_key(n))
    }

    /// Runs `create` once per number (for sandbox actions that are not operations, such as a
    /// claimed pre-send token); the operations go through [`crate::pipeline`].
    pub(crate) fn once<R: Serialize + serde::de::DeserializeOwned>(
        &mut self,
        n: &Numbered<'_>,
        canonical: &impl Serialize,
        create: impl FnOnce(&mut Self) -> Result<R, ApiFailure>,
    ) -> Result<R, ApiFailure> {
        let canonical = serde_json::to_vec(canonical).map_err(internal)?;
        let fp = fingerprint(&canonical);
        if let Some(stored) = self.stored_response(n, &fp)? {
            return serde_json::from_str(&stored)
                .map_err(|e| ApiFailure::new(500, "SYSTEM_ERROR", format!("stored response does not decode: {e}")));
        }
        let response = create(self)?;
        let text = serde_json::to_string(&response).map_err(internal)?;
        self.remember(n, fp, text);
        Ok(response)
    }
}
