//! `wechatpay-product-coupon`: the WeChat Pay APIv3 partner 商品券 APIs from the command line.
//!
//! One subcommand per operation of the spec (the table in `generated.rs` is written by
//! `cargo xtask codegen`), a flag per path or query parameter, the JSON body from `--body FILE`
//! or `--body -`, configuration from the `WECHATPAY_*` environment variables. The response
//! JSON goes to standard output; failures go to standard error with the exit status:
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
mod report;
mod table;

use std::io::Read as _;
use std::process::ExitCode;

use clap::ArgMatches;
use clap::error::ErrorKind;
use wechatpay_product_coupon::requests::OperationRequest;
use wechatpay_product_coupon::{CallOptions, Client, Error};

use report::Failure;
use table::{CommandSpec, Location};

fn main() -> ExitCode {
    let mut cmd = app::command(generated::COMMANDS);
    let matches = cmd.get_matches_mut();
    let Some((name, sub)) = matches.subcommand() else {
        // `subcommand_required` makes clap refuse this already.
        unreachable!("clap requires a subcommand")
    };
    let spec = generated::COMMANDS.iter().find(|c| c.name == name).expect("every subcommand comes from the table");
    let body = match body_source(spec, sub) {
        Ok(body) => body,
        Err((kind, message)) => {
            let sub_cmd = cmd.find_subcommand_mut(name).expect("the subcommand exists");
            sub_cmd.error(kind, message).exit()
        }
    };
    match run(spec, sub, body) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// Where the body comes from; `--body` is required exactly for operations with a body.
fn body_source<'a>(spec: &CommandSpec, sub: &'a ArgMatches) -> Result<Option<&'a str>, (ErrorKind, String)> {
    let given = sub.get_one::<String>(app::BODY).map(String::as_str);
    match (&spec.body, given) {
        (Some(b), None) => Err((
            ErrorKind::MissingRequiredArgument,
            format!("`{}` needs a JSON body ({}): --body FILE, or --body - for standard input", spec.name, b.model),
        )),
        (None, Some(_)) => Err((ErrorKind::ArgumentConflict, format!("`{}` takes no body; drop --body", spec.name))),
        (_, given) => Ok(given),
    }
}

fn run(spec: &CommandSpec, sub: &ArgMatches, body_source: Option<&str>) -> Result<(), Failure> {
    let validate = !sub.get_flag(app::NO_VALIDATE);
    let dry_run = sub.get_flag(app::DRY_RUN);

    let mut path = Vec::new();
    let mut query = Vec::new();
    for p in spec.params {
        if let Some(value) = sub.get_one::<String>(p.flag) {
            match p.location {
                Location::Path => path.push((p.wire, value.as_str())),
                Location::Query => query.push((p.wire, value.as_str())),
            }
        }
    }

    let body = body_source.map(read_body).transpose()?;
    if let (Some(bytes), Some(spec_body)) = (&body, &spec.body) {
        check_keys(bytes, spec_body, validate)?;
    }
    let request = OperationRequest::parse(spec.operation_id, &path, &query, body.as_deref())
        .map_err(|e| Failure::input(format!("invalid input: {e}")))?;
    if validate {
        // The call validates too; doing it first needs no configuration.
        request.validate().map_err(Failure::violations)?;
    }

    let client = Client::from_env().map_err(|e| match e {
        Error::Config(message) => Failure::config(message),
        other => Failure::config(other.to_string()),
    })?;
    let client = client.with_options(CallOptions::new().skip_validation(!validate).dry_run(dry_run));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::other(format!("cannot start the async runtime: {e}")))?;
    match runtime.block_on(request.send(&client)) {
        Ok(response) => {
            let json = response.to_json().map_err(|e| Failure::other(format!("cannot encode the response: {e}")))?;
            report::print_json(&json)
        }
        Err(Error::DryRun(prepared)) => report::print_prepared(&prepared),
        Err(Error::Validation(violations)) => Err(Failure::violations(violations)),
        Err(Error::Config(message)) => Err(Failure::config(message)),
        Err(e) => Err(Failure::call(&e)),
    }
}

/// The body bytes from a file or, for `-`, standard input; they must be JSON.
fn read_body(source: &str) -> Result<Vec<u8>, Failure> {
    let bytes = if source == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::input(format!("cannot read the body from standard input: {e}")))?;
        bytes
    } else {
        std::fs::read(source).map_err(|e| Failure::input(format!("cannot read the body from {source:?}: {e}")))?
    };
    Ok(bytes)
}

/// Refuses keys the model does not know (they would silently not be sent); with
/// `--no-validate` only warns. Bodies that are not JSON, or not of the model, are left to
/// `OperationRequest::parse`, which names the JSON path of the problem.
fn check_keys(bytes: &[u8], spec: &table::BodySpec, validate: bool) -> Result<(), Failure> {
    let input: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| Failure::input(format!("the body is not JSON: {e}")))?;
    let Ok(canonical) = (spec.canonical)(bytes) else { return Ok(()) };
    let unknown = body::unknown_keys(&input, &canonical);
    if unknown.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = unknown.iter().map(|path| format!("{path}: unknown key")).collect();
    let (count, model) = (unknown.len(), spec.model);
    if validate {
        let headline = format!("the body has {count} key(s) that {model} does not know; they would not be sent");
        Err(Failure::input_lines(headline, lines))
    } else {
        report::warn(&format!("not sending {count} body key(s) that {model} does not know"), &lines);
        Ok(())
    }
}
