//! `cargo xtask diff` reads the base spec from a git ref or a directory, and `cargo xtask
//! codegen`'s one-line verdict never fails, with or without git history.

use std::path::{Path, PathBuf};
use std::process::Command;

const BASE: &str = include_str!("../../codegen/tests/data/diff/base.toml");

/// A scratch workspace: `api-spec/spec.toml` and the client's `Cargo.toml` (for its version).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-spec-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("api-spec")).unwrap();
    std::fs::create_dir_all(dir.join("generated-client")).unwrap();
    std::fs::write(dir.join("api-spec/spec.toml"), BASE).unwrap();
    std::fs::write(dir.join("generated-client/Cargo.toml"), "[package]\nname = \"x\"\nversion = \"0.3.0\"\n").unwrap();
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
}

fn tighten(dir: &Path) -> codegen::ir::Ir {
    let text = BASE.replacen("max_length = 40", "max_length = 32", 1);
    std::fs::write(dir.join("api-spec/spec.toml"), text).unwrap();
    codegen::load_ir(&dir.join("api-spec")).unwrap()
}

#[test]
fn the_base_comes_from_a_git_ref_and_the_verdict_names_the_bump() {
    let dir = scratch("git");
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    let new = tighten(&dir);

    let files = xtask::spec_diff::spec_at_ref(&dir, "HEAD").unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "HEAD:api-spec/spec.toml");
    assert_eq!(files[0].text, BASE);

    let line = xtask::spec_diff::summary_line(&dir, &new);
    assert_eq!(
        line,
        "spec against HEAD: 1 change: 0 breaking, 1 behaviour change, 0 compatible; 0.3.0 -> 0.3.1 \
         (minor: behaviour changes or additions; in 0.x the minor number is the major and the patch number the minor) \
         (details: cargo xtask diff)"
    );
    let old = xtask::spec_diff::load_base(&dir, "HEAD").unwrap();
    assert_eq!(codegen::diff::diff(&old, &new).changes.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_base_can_be_a_directory() {
    let dir = scratch("dir");
    let base = dir.join("base");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::write(base.join("spec.toml"), BASE).unwrap();
    let new = tighten(&dir);
    let old = xtask::spec_diff::load_base(&dir, base.to_str().unwrap()).unwrap();
    let diff = codegen::diff::diff(&old, &new);
    assert_eq!(diff.changes.len(), 1, "{:?}", diff.changes);
    assert!(diff.changes[0].detail.contains("max_length 40 -> 32"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_history_the_verdict_is_skipped_with_a_note() {
    let dir = scratch("nogit");
    let new = tighten(&dir);
    let line = xtask::spec_diff::summary_line(&dir, &new);
    assert!(line.starts_with("spec diff against HEAD skipped: "), "{line}");
    let err = xtask::spec_diff::load_base(&dir, "no-such-ref").unwrap_err();
    assert!(err.contains("git"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_ref_without_a_spec_is_reported() {
    let dir = scratch("empty-ref");
    std::fs::remove_dir_all(dir.join("api-spec")).unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "no spec yet"]);
    let err = xtask::spec_diff::spec_at_ref(&dir, "HEAD").unwrap_err();
    assert_eq!(err, "HEAD has no spec files under api-spec/");
    let _ = std::fs::remove_dir_all(&dir);
}
