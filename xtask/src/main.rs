//! Maintainer tasks: `cargo xtask codegen [--check]`, `cargo xtask schema [--check]`,
//! `cargo xtask check`, `cargo xtask import PAGE.txt`, `cargo xtask diff [BASE] [--format json] [--fail-on LEVEL]`,
//! `cargo xtask openapi [--check]`, `cargo xtask update [PAGE.txt ...]`,
//! `cargo xtask page OPERATION [--family ID]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check]   write generated-client/ from api-spec/ (--check: fail with a diff if stale)
  schema [--check]    write api-spec/spec.schema.json from the spec types
  check               validate api-spec/ and report every problem
  import PAGE.txt [--out FILE] [--doc-id ID] [--id OPERATION_ID]
                      write the spec TOML of a doc page copied as text (default drafts/<id>.toml)
  diff [BASE] [--format text|json] [--fail-on breaking|behaviour]
                      what changed in api-spec/ since BASE (a git ref, default HEAD, or a directory),
                      each change's consequence for users, the verdict, a changelog section and the
                      version bump; --fail-on: exit 1 when the verdict is at or above that level (CI)
  openapi [--check]   write api-spec/openapi.json (OpenAPI 3.0.3) from the spec
  page OPERATION [--family ID]
                      print what the spec holds for one operation as its doc page, in the site's
                      layout (the importer reads it back); --family: that family's page (e.g. brand)
  update [PAGE.txt ...] [--doc-id ID]
                      the whole loop: import each changed page into drafts/ and show what adopting it
                      changes, regenerate, then the report, changelog and version bump against HEAD";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "import") {
        return match xtask::import::run(&workspace_root(), &args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().is_some_and(|a| a == "update") {
        return match xtask::update::run(&workspace_root(), &args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().is_some_and(|a| a == "page") {
        return match xtask::page::run(&workspace_root(), &args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("diff") {
        return diff(&args[1..]);
    }
    let check = args.iter().any(|a| a == "--check");
    let unknown: Vec<&String> = args.iter().skip(1).filter(|a| *a != "--check").collect();
    if !unknown.is_empty() {
        eprintln!("unknown argument(s): {unknown:?}\n\n{USAGE}");
        return ExitCode::from(2);
    }
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => xtask::codegen(&root, mode(check)),
        Some("schema") => xtask::schema(&root, mode(check)),
        Some("check") => xtask::validate(&root),
        Some("openapi") => xtask::openapi::openapi(&root, mode(check)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// `diff [BASE] [--format text|json] [--fail-on breaking|behaviour]`: exit status 1 when the
/// verdict reaches the `--fail-on` level, 2 on a usage error.
fn diff(args: &[String]) -> ExitCode {
    match xtask::spec_diff::run(&workspace_root(), args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) if message.contains("usage: ") => {
            eprintln!("{message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn mode(check: bool) -> xtask::Mode {
    if check { xtask::Mode::Check } else { xtask::Mode::Write }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}
