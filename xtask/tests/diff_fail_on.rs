//! `cargo xtask diff --fail-on LEVEL`: every output carries the verdict, and the exit status
//! says whether it reaches the level (CI runs it). Run through the binary, against bases made
//! from the workspace's own spec: the same spec (no change), and the spec with one more
//! operation (the working tree then lacks it: breaking).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A copy of api-spec, with `extra` as one more file.
fn base(name: &str, extra: Option<&str>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-fail-on-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("api-spec"), &dir);
    if let Some(text) = extra {
        std::fs::write(dir.join("extra.toml"), text).unwrap();
    }
    dir
}

const EXTRA_OPERATION: &str = r#"
[[operations]]
id = "probe_fail_on"
title = "探针"
doc_id = "1"
updated = "2025.01.01"
method = "GET"
path = "/v3/marketing/partner/product-coupon/probe-fail-on"

[[operations.responses]]
status = 204
"#;

fn xtask_diff(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask")).arg("diff").args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn fail_on_exits_non_zero_at_or_above_its_level_and_every_format_says_the_verdict() {
    let same = base("same", None);
    let removed = base("removed", Some(EXTRA_OPERATION));
    let (same, removed) = (same.to_str().unwrap(), removed.to_str().unwrap());

    let (code, text) = xtask_diff(&[same, "--fail-on", "behaviour"]);
    assert_eq!(code, 0, "no change passes --fail-on behaviour:\n{text}");
    assert!(text.contains("Verdict: no API change"), "{text}");

    let (code, text) = xtask_diff(&[removed, "--fail-on", "breaking"]);
    assert_eq!(code, 1, "a removed operation fails --fail-on breaking:\n{text}");
    assert!(text.contains("\nVerdict: breaking\n"), "the report says the verdict:\n{text}");
    let changelog = text.split("Changelog section").nth(1).expect("a changelog section");
    assert!(changelog.contains("\nVerdict: breaking.\n"), "the changelog says the verdict:\n{changelog}");
    let (code, _) = xtask_diff(&[removed, "--fail-on", "behaviour"]);
    assert_eq!(code, 1, "breaking is above behaviour");
    let (code, _) = xtask_diff(&[removed]);
    assert_eq!(code, 0, "without --fail-on the diff only reports");

    let (code, json) = xtask_diff(&[removed, "--format", "json", "--fail-on", "breaking"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["verdict"], "breaking");

    let (code, _) = xtask_diff(&[same, "--fail-on", "sometimes"]);
    assert_eq!(code, 2, "a usage error");
    for dir in [same, removed] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
