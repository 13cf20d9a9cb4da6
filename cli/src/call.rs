//! One operation's call: the client of either family, the typed request, and sending it
//! validated or (`--no-validate`) as given.

use std::sync::Arc;

use wechatpay_product_coupon::runtime::client::OperationMeta;
use wechatpay_product_coupon::runtime::transport::ReqwestTransport;
use wechatpay_product_coupon::runtime::upload::UploadFile;
use wechatpay_product_coupon::{Error, PreparedRequest};

use crate::app::Family;
pub(crate) use crate::generated::Typed;
use crate::report::Failure;
use crate::table::CommandSpec;
use crate::{raw, verbatim};

/// The client of the family a subcommand belongs to (the core client, which the family's
/// generated requests wrap in its client type), and the transport keeping the body of its last
/// response (printed as sent).
pub struct AnyClient {
    pub(crate) core: wechatpay_product_coupon::runtime::Client,
    pub(crate) last: Arc<verbatim::LastBody<ReqwestTransport>>,
}

impl AnyClient {
    /// The core client every family's client wraps.
    fn core(&self) -> &wechatpay_product_coupon::runtime::Client {
        &self.core
    }

    /// The verified body of the call that just succeeded, as WeChat Pay sent it.
    fn verified_body(&self) -> Result<Vec<u8>, Failure> {
        self.last.take().ok_or_else(|| Failure::other("the response body was not kept".to_owned()))
    }
}

/// One operation's request as the command line gives it, before any page token.
pub struct Call<'a> {
    pub(crate) family: Family,
    pub(crate) spec: &'a CommandSpec,
    pub(crate) path: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(&'static str, String)>,
    /// The JSON body, or for an upload the meta JSON, as bytes.
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) file: Option<UploadFile>,
    pub(crate) validate: bool,
}

impl Call<'_> {
    /// The typed request, with `page_token` (when given) as its page-token parameter.
    pub(crate) fn typed(&self, page_token: Option<&str>) -> Result<Typed, Failure> {
        let path: Vec<(&str, &str)> = self.path.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let mut query: Vec<(&str, &str)> = self.query.iter().map(|(n, v)| (*n, v.as_str())).collect();
        if let (Some(token), Some(pages)) = (page_token, &self.spec.pages) {
            query.retain(|(n, _)| *n != pages.page_token);
            query.push((pages.page_token, token));
        }
        let (id, body) = (self.spec.operation_id, self.body.as_deref());
        let mut request = Typed::parse(self.family, id, &path, &query, body)
            .map_err(|e| Failure::input(format!("invalid input: {e}")))?;
        if let Some(file) = &self.file {
            request.set_file(file.clone());
        }
        Ok(request)
    }

    /// Sends the request (one page of it, for `--all`): typed and validated, or with
    /// `--no-validate` exactly as given. Gives the verified response body as WeChat Pay sent it
    /// (empty for 204).
    pub async fn send(&self, client: &AnyClient, page_token: Option<&str>) -> Result<Vec<u8>, Failure> {
        if self.validate {
            self.typed(page_token)?.send(client.core()).await.map_err(failure)?;
        } else {
            let (meta, path, query) = self.raw_target(page_token)?;
            let upload = self.spec.upload.as_ref().zip(self.file.as_ref());
            raw::send(client.core(), meta, path, query, self.body.clone(), upload).await.map_err(failure)?;
        }
        client.verified_body()
    }

    /// `--dry-run`: the signed request [`send`](Self::send) would send for the first page,
    /// built by the same call, without sending it.
    pub(crate) fn prepare(&self, client: &AnyClient) -> Result<PreparedRequest, Failure> {
        if self.validate {
            return self.typed(None)?.prepare(client.core()).map_err(failure);
        }
        let (meta, path, query) = self.raw_target(None)?;
        let upload = self.spec.upload.as_ref().zip(self.file.as_ref());
        raw::prepare(client.core(), meta, path, query, self.body.clone(), upload).map_err(failure)
    }

    /// `--no-validate`: the operation, its encoded path and its query as given, with
    /// `page_token` (when given) as the page-token parameter.
    #[allow(clippy::type_complexity, reason = "the three parts of a request target, used once")]
    fn raw_target(
        &self,
        page_token: Option<&str>,
    ) -> Result<(&'static OperationMeta, String, Vec<(&'static str, String)>), Failure> {
        let meta = raw::meta(self.family, self.spec.operation_id)
            .ok_or_else(|| Failure::other(format!("no operation `{}`", self.spec.operation_id)))?;
        let path = raw::path(meta, &self.path).map_err(Failure::input)?;
        let mut query = self.query.clone();
        if let (Some(token), Some(pages)) = (page_token, &self.spec.pages) {
            query.retain(|(n, _)| *n != pages.page_token);
            query.push((pages.page_token, token.to_owned()));
        }
        Ok((meta, path, query))
    }
}

/// What a library error means for the command line.
pub(crate) fn failure(error: Error) -> Failure {
    match error {
        Error::Validation(violations) => Failure::violations(violations),
        Error::Config(message) => Failure::config(message),
        e => Failure::call(&e),
    }
}
