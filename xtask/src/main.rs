//! Maintainer tasks: `cargo xtask codegen [--check]`, `cargo xtask schema [--check]`,
//! `cargo xtask check`, `cargo xtask import PAGE.txt`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check]   write generated-client/ from api-spec/ (--check: fail with a diff if stale)
  schema [--check]    write api-spec/spec.schema.json from the spec types
  check               validate api-spec/ and report every problem
  import PAGE.txt [--out FILE] [--doc-id ID] [--id OPERATION_ID]
                      write the spec TOML of a doc page copied as text (default drafts/<id>.toml)";

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

fn mode(check: bool) -> xtask::Mode {
    if check { xtask::Mode::Check } else { xtask::Mode::Write }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}
