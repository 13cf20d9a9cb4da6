//! `wechatpay-product-coupon`: the WeChat Pay APIv3 partner 商品券 APIs from the command line.
//!
//! One subcommand per operation of the spec (the table in `generated.rs` is written by
//! `cargo xtask codegen`), a flag per path or query parameter, the JSON body from `--body FILE`
//! or `--body -`, the file of an upload from `--file PATH`, every page of a list with `--all`,
//! configuration from the `WECHATPAY_*` environment variables. The response JSON goes to
//! standard output; failures go to standard error with the exit status:
//!
//! | status | |
//! | --- | --- |
//! | 0 | success (or a dry run) |
//! | 1 | API error, network error, response verification error |
//! | 2 | usage error (clap) |
//! | 3 | invalid input: unreadable or malformed body, unknown body keys, validation errors |
//! | 4 | configuration error |

mod app;
mod body;
mod generated;
mod pages;
mod raw;
mod report;
mod table;
mod upload;
mod verbatim;

use std::io::Read as _;
use std::process::ExitCode;
use std::sync::Arc;

use clap::ArgMatches;
use clap::error::ErrorKind;
use wechatpay_product_coupon::brand::BrandClient;
use wechatpay_product_coupon::runtime::client::OperationMeta;
use wechatpay_product_coupon::runtime::transport::ReqwestTransport;
use wechatpay_product_coupon::runtime::upload::UploadFile;
use wechatpay_product_coupon::runtime::validate::{Violation, Violations};
use wechatpay_product_coupon::{CallOptions, ClientBuilder, Error, PreparedRequest, brand, requests};

use report::Failure;
use table::{CommandSpec, Location};

/// Which API family a subcommand belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// 服务商: the top-level subcommands.
    Partner,
    /// 品牌直连: the `brand` group.
    Brand,
}

fn main() -> ExitCode {
    let mut cmd = app::with_brand(app::command(generated::COMMANDS), generated::brand::COMMANDS);
    let matches = cmd.get_matches_mut();
    let Some((first, first_sub)) = matches.subcommand() else {
        // `subcommand_required` makes clap refuse this already.
        unreachable!("clap requires a subcommand")
    };
    let (family, table, name, sub) = match (first, first_sub.subcommand()) {
        (app::BRAND, Some((name, sub))) => (Family::Brand, generated::brand::COMMANDS, name, sub),
        _ => (Family::Partner, generated::COMMANDS, first, first_sub),
    };
    let spec = table.iter().find(|c| c.name == name).expect("every subcommand comes from the table");
    let (body, meta) = (option(sub, app::BODY), option(sub, app::META));
    if body == Some("-") && meta == Some("-") {
        let group = if family == Family::Brand { cmd.find_subcommand_mut(app::BRAND) } else { Some(&mut cmd) };
        let sub_cmd = group.and_then(|g| g.find_subcommand_mut(name)).expect("the subcommand exists");
        sub_cmd.error(ErrorKind::ArgumentConflict, "only one of --body and --meta can read standard input").exit()
    }
    match run(family, spec, sub) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// The client of the family a subcommand belongs to, and the transport keeping the body of
/// its last response (printed as sent).
pub struct AnyClient {
    family: FamilyClient,
    last: Arc<verbatim::LastBody<ReqwestTransport>>,
}

enum FamilyClient {
    /// A 服务商 client.
    Partner(wechatpay_product_coupon::Client),
    /// A brand's client.
    Brand(BrandClient),
}

impl AnyClient {
    /// The core client every family's client wraps.
    fn core(&self) -> &wechatpay_product_coupon::runtime::Client {
        match &self.family {
            FamilyClient::Partner(c) => c.core(),
            FamilyClient::Brand(c) => c.core(),
        }
    }

    /// The verified body of the call that just succeeded, as WeChat Pay sent it.
    fn verified_body(&self) -> Result<Vec<u8>, Failure> {
        self.last.take().ok_or_else(|| Failure::other("the response body was not kept".to_owned()))
    }
}

/// A typed request of either family.
enum Typed {
    Partner(requests::OperationRequest),
    Brand(brand::requests::OperationRequest),
}

impl Typed {
    fn set_file(&mut self, file: UploadFile) {
        match self {
            Typed::Partner(r) => r.set_file(file),
            Typed::Brand(r) => r.set_file(file),
        };
    }

    /// The request's warnings (disputed rules it breaks, fields the spec does not know), or
    /// what refuses it.
    fn validate(&self) -> Result<Vec<Violation>, Violations> {
        match self {
            Typed::Partner(r) => r.validate(),
            Typed::Brand(r) => r.validate(),
        }
    }

    fn prepare(&self, client: &AnyClient) -> Result<PreparedRequest, Error> {
        match (self, &client.family) {
            (Typed::Partner(r), FamilyClient::Partner(c)) => r.prepare(c),
            (Typed::Brand(r), FamilyClient::Brand(c)) => r.prepare(c),
            _ => Err(Error::Config("a subcommand's family and its client differ".into())),
        }
    }

    /// Sends the request; the typed response proves it decodes, the body is taken as sent.
    async fn send(&self, client: &AnyClient) -> Result<(), Error> {
        match (self, &client.family) {
            (Typed::Partner(r), FamilyClient::Partner(c)) => r.send(c).await.map(drop),
            (Typed::Brand(r), FamilyClient::Brand(c)) => r.send(c).await.map(drop),
            _ => Err(Error::Config("a subcommand's family and its client differ".into())),
        }
    }
}

/// One operation's request as the command line gives it, before any page token.
pub struct Call<'a> {
    family: Family,
    spec: &'a CommandSpec,
    path: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    /// The JSON body, or for an upload the meta JSON, as bytes.
    body: Option<Vec<u8>>,
    file: Option<UploadFile>,
    validate: bool,
}

impl Call<'_> {
    /// The typed request, with `page_token` (when given) as its page-token parameter.
    fn typed(&self, page_token: Option<&str>) -> Result<Typed, Failure> {
        let path: Vec<(&str, &str)> = self.path.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let mut query: Vec<(&str, &str)> = self.query.iter().map(|(n, v)| (*n, v.as_str())).collect();
        if let (Some(token), Some(pages)) = (page_token, &self.spec.pages) {
            query.retain(|(n, _)| *n != pages.page_token);
            query.push((pages.page_token, token));
        }
        let (id, body) = (self.spec.operation_id, self.body.as_deref());
        let mut request = match self.family {
            Family::Partner => requests::OperationRequest::parse(id, &path, &query, body).map(Typed::Partner),
            Family::Brand => brand::requests::OperationRequest::parse(id, &path, &query, body).map(Typed::Brand),
        }
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
            self.typed(page_token)?.send(client).await.map_err(failure)?;
        } else {
            let (meta, path, query) = self.raw_target(page_token)?;
            let upload = self.spec.upload.as_ref().zip(self.file.as_ref());
            raw::send(client.core(), meta, path, query, self.body.clone(), upload).await.map_err(failure)?;
        }
        client.verified_body()
    }

    /// `--dry-run`: the signed request [`send`](Self::send) would send for the first page,
    /// built by the same call, without sending it.
    fn prepare(&self, client: &AnyClient) -> Result<PreparedRequest, Failure> {
        if self.validate {
            return self.typed(None)?.prepare(client).map_err(failure);
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
fn failure(error: Error) -> Failure {
    match error {
        Error::Validation(violations) => Failure::violations(violations),
        Error::Config(message) => Failure::config(message),
        e => Failure::call(&e),
    }
}

fn run(family: Family, spec: &CommandSpec, sub: &ArgMatches) -> Result<(), Failure> {
    let validate = !sub.get_flag(app::NO_VALIDATE);
    let dry_run = sub.get_flag(app::DRY_RUN);
    let show_signature = sub.get_flag(app::SHOW_SIGNATURE);

    let mut path = Vec::new();
    let mut query = Vec::new();
    for p in spec.params {
        if let Some(value) = sub.get_one::<String>(p.flag) {
            match p.location {
                Location::Path => path.push((p.wire, value.clone())),
                Location::Query => query.push((p.wire, value.clone())),
            }
        }
    }

    let (body, file) = match &spec.upload {
        Some(upload_spec) => {
            let file = upload::read_file(option(sub, app::FILE).unwrap_or_default())?;
            let meta = match option(sub, app::META) {
                Some(source) => read_input(source, "meta")?,
                None => upload::meta_for(&file),
            };
            if !validate {
                warn_unknown_keys(&meta, &upload_spec.meta, "meta")?;
            }
            (Some(meta), Some(file))
        }
        None => {
            let body = option(sub, app::BODY).map(|s| read_input(s, "body")).transpose()?;
            if let (Some(bytes), Some(spec_body), false) = (&body, &spec.body, validate) {
                warn_unknown_keys(bytes, spec_body, "body")?;
            }
            (body, None)
        }
    };
    let call = Call { family, spec, path, query, body, file, validate };
    if validate {
        // The call validates too; doing it first needs no configuration, and its warnings are
        // printed once, here, whether the request is then sent or only prepared.
        let warnings = call.typed(None)?.validate().map_err(Failure::violations)?;
        report::warnings(&warnings);
    }

    let config = |e: Error| match e {
        Error::Config(message) => Failure::config(message),
        other => Failure::config(other.to_string()),
    };
    shared_rate_limit_supported()?;
    let options = CallOptions::new().skip_validation(!validate);
    // The library's default transport and connect timeout, wrapped to keep the response body.
    let transport = ReqwestTransport::new(std::time::Duration::from_secs(5)).map_err(config)?;
    let last = Arc::new(verbatim::LastBody::new(transport));
    let family_client = match family {
        Family::Partner => FamilyClient::Partner(
            ClientBuilder::from_env()
                .map_err(config)?
                .transport(last.clone())
                .call_options(options)
                .build()
                .map_err(config)?,
        ),
        Family::Brand => FamilyClient::Brand(
            brand::BrandClientBuilder::from_brand_env()
                .map_err(config)?
                .transport(last.clone())
                .call_options(options)
                .build()
                .map_err(config)?,
        ),
    };
    let client = AnyClient { family: family_client, last };
    if dry_run {
        // Signing needs no network and no async runtime.
        return report::print_prepared(&call.prepare(&client)?, show_signature);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::other(format!("cannot start the async runtime: {e}")))?;
    match (&spec.pages, flag(sub, app::ALL)) {
        (Some(pages), true) => runtime.block_on(pages::print_all(&call, pages, &client, flag(sub, app::LINES))),
        _ => runtime.block_on(call.send(&client, None)).and_then(|body| report::print_body(&body)),
    }
}

/// The value of an option the subcommand may not have (`--body` exists only where a body does).
fn option<'a>(sub: &'a ArgMatches, id: &str) -> Option<&'a str> {
    sub.try_get_one::<String>(id).ok().flatten().map(String::as_str)
}

/// Whether a flag the subcommand may not have is set.
fn flag(sub: &ArgMatches, id: &str) -> bool {
    sub.try_get_one::<bool>(id).ok().flatten().copied().unwrap_or(false)
}

/// A body or meta from a file or, for `-`, standard input; it must be JSON.
fn read_input(source: &str, what: &str) -> Result<Vec<u8>, Failure> {
    let bytes = if source == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::input(format!("cannot read the {what} from standard input: {e}")))?;
        bytes
    } else {
        std::fs::read(source).map_err(|e| Failure::input(format!("cannot read the {what} from {source:?}: {e}")))?
    };
    serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
        .map_err(|e| Failure::input(format!("the {what} is not JSON: {e}")))?;
    Ok(bytes)
}

/// `--no-validate` sends the JSON as given: keys the model does not know are named in a
/// warning. (With validation, the typed request keeps them and its validation warns.)
fn warn_unknown_keys(bytes: &[u8], spec: &table::BodySpec, what: &str) -> Result<(), Failure> {
    let input: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| Failure::input(format!("the {what} is not JSON: {e}")))?;
    let Ok(canonical) = (spec.canonical)(bytes) else { return Ok(()) };
    let unknown = body::unknown_keys(&input, &canonical);
    if unknown.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = unknown.iter().map(|path| format!("{path}: unknown key")).collect();
    let (count, model) = (unknown.len(), spec.model);
    report::warn(&format!("sending {count} {what} key(s) that {model} does not know, as given"), &lines);
    Ok(())
}

/// Whether this build can share the rate limit the environment asks to share. Without the
/// `redis` feature a `WECHATPAY_RATE_LIMIT_REDIS_URL` is refused, never ignored: processes run
/// in parallel (a script sending coupons in bulk) would each take the whole quota.
fn shared_rate_limit_supported() -> Result<(), Failure> {
    const VAR: &str = "WECHATPAY_RATE_LIMIT_REDIS_URL";
    let set = std::env::var_os(VAR).is_some_and(|v| !v.to_string_lossy().trim().is_empty());
    if set && !cfg!(feature = "redis") {
        return Err(Failure::config(format!(
            "{VAR} is set but this wechatpay-product-coupon CLI was built without the `redis` feature, so it \
             cannot share the rate limit (each process would take the whole quota); rebuild it with \
             `--features redis` (cargo install wechatpay-product-coupon-cli --features redis), or unset {VAR}"
        )));
    }
    Ok(())
}
