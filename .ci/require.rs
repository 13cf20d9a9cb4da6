//! What a test (or a bench run as a test) does when something it needs from outside the
//! repository is missing: a tool such as `redis-server`, or the doc pages api-spec was
//! transcribed from (`../shared/docs`, next to the workspace).
//!
//! - On a CI run (`CI` is `true` or `1`, as CI services set it and `.ci/run` does) it fails,
//!   saying what is missing and how to provide it: a CI run that skipped would pass without
//!   having checked anything.
//! - Elsewhere it prints a loud SKIP on standard error and the test returns early.
//!
//! One file, included with `#[path]` by every test crate that needs it, so the rule cannot
//! drift between crates.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Whether this is a CI run: `CI` is `true` or `1` (any case, surrounding spaces ignored).
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1"))
}

/// `what` is missing, so `test` cannot run: panics on CI, prints a loud SKIP elsewhere.
pub fn missing(what: &str, test: &str, hint: &str) {
    if on_ci() {
        panic!("{what} is missing, so {test} cannot run, and a CI run (CI=true) does not skip: {hint}");
    }
    eprintln!("\n!!!!!!!!!! SKIPPED: {what} is missing; {test} did NOT run. {hint} (On CI this fails.) !!!!!!!!!!\n");
}

/// `path` if it exists; otherwise [`missing`] (a failure on CI) and `None`.
pub fn require_fixture(path: &Path, test: &str, hint: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path.to_path_buf());
    }
    missing(&path.display().to_string(), test, hint);
    None
}

/// Whether the program `tool` runs (`tool --version`); otherwise [`missing`] (a failure on CI).
pub fn require_tool(tool: &str, test: &str, hint: &str) -> bool {
    let runs = std::process::Command::new(tool)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if !runs {
        missing(&format!("`{tool}` (not on PATH)"), test, hint);
    }
    runs
}

/// The doc pages of the seed set (`../shared/docs` relative to the workspace root `root`), as
/// [`require_fixture`] finds them.
pub fn shared_docs(root: &Path, test: &str) -> Option<PathBuf> {
    require_fixture(
        &root.join("../shared/docs"),
        test,
        "the doc pages are not part of the repository: put the copied pages (add-stock-bundle.txt, \
         create-product-coupon-example-progressive-single-normal.txt) in shared/docs next to the workspace",
    )
}

/// How to get `redis-server`.
pub const REDIS_HINT: &str = "install it (apt-get install -y redis-server; .ci/run does)";
