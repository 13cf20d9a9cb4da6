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
mod call;
mod escape;
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
use wechatpay_product_coupon::runtime::transport::ReqwestTransport;
use wechatpay_product_coupon::{CallOptions, Error};

use report::Failure;
use table::{CommandSpec, Location};

use app::Family;
use call::{AnyClient, Call};

fn main() -> ExitCode {
    let mut cmd = app::with_families(app::command(generated::COMMANDS));
    let matches = cmd.get_matches_mut();
    let Some((first, first_sub)) = matches.subcommand() else {
        // `subcommand_required` makes clap refuse this already.
        unreachable!("clap requires a subcommand")
    };
    // A family's group (`brand ...`), or the primary family's subcommand.
    let grouped = Family::ALL.iter().find(|f| f.group() == Some(first)).zip(first_sub.subcommand());
    let (family, name, sub) = match grouped {
        Some((&family, (name, sub))) => (family, name, sub),
        None => (Family::ALL[0], first, first_sub),
    };
    let spec = family.commands().iter().find(|c| c.name == name).expect("every subcommand comes from the table");
    let (body, meta) = (option(sub, app::BODY), option(sub, app::META));
    if body == Some("-") && meta == Some("-") {
        let group = match family.group() {
            Some(group) => cmd.find_subcommand_mut(group),
            None => Some(&mut cmd),
        };
        let sub_cmd = group.and_then(|g| g.find_subcommand_mut(name)).expect("the subcommand exists");
        sub_cmd.error(ErrorKind::ArgumentConflict, "only one of --body and --meta can read standard input").exit()
    }
    match run(family, spec, sub) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
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
    // The brand's variables where the brand signs, the 服务商's otherwise.
    type CoreBuilder = wechatpay_product_coupon::runtime::ClientBuilder<wechatpay_product_coupon::runtime::Client>;
    let builder = if family.brand_signs() { CoreBuilder::from_brand_env() } else { CoreBuilder::from_env() };
    let core = builder.map_err(config)?.transport(last.clone()).call_options(options).build().map_err(config)?;
    let client = AnyClient { core, last };
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
