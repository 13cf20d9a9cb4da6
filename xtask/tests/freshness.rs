//! `cargo test` fails when generated code or the schema is stale, so stale output cannot land.

use std::path::{Path, PathBuf};
use xtask::Mode;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn generated_client_matches_the_spec() {
    if let Err(diff) = xtask::codegen(&root(), Mode::Check) {
        panic!("{diff}");
    }
}

#[test]
fn spec_schema_matches_the_spec_types() {
    if let Err(diff) = xtask::schema(&root(), Mode::Check) {
        panic!("{diff}");
    }
}

/// A scratch copy of the spec and the generated files, to break on purpose.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-freshness-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("api-spec"), &dir.join("api-spec"));
    copy_dir(&root().join("generated-client/src/generated"), &dir.join("generated-client/src/generated"));
    copy_dir(&root().join("generated-client/tests"), &dir.join("generated-client/tests"));
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn check_mode_reports_a_stale_file_with_a_diff_and_changes_nothing() {
    let dir = scratch("stale");
    let models = dir.join("generated-client/src/generated/models.rs");
    let edited = std::fs::read_to_string(&models).unwrap().replacen("pub struct", "pub struct /* edited */", 1);
    std::fs::write(&models, &edited).unwrap();

    let err = xtask::codegen(&dir, Mode::Check).unwrap_err();
    assert!(err.contains("generated-client/src/generated/models.rs is stale"), "{err}");
    assert!(err.contains("-pub struct /* edited */"), "the diff shows the edit: {err}");
    assert!(err.contains("run `cargo xtask codegen`"), "{err}");
    assert_eq!(std::fs::read_to_string(&models).unwrap(), edited, "check mode writes nothing");

    xtask::codegen(&dir, Mode::Write).unwrap();
    xtask::codegen(&dir, Mode::Check).unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn files_the_generator_no_longer_writes_are_reported_then_removed() {
    let dir = scratch("orphan");
    let orphan = dir.join("generated-client/src/generated/old_module.rs");
    std::fs::write(&orphan, "// left over\n").unwrap();

    let err = xtask::codegen(&dir, Mode::Check).unwrap_err();
    assert!(err.contains("src/generated/old_module.rs is no longer generated"), "{err}");
    xtask::codegen(&dir, Mode::Write).unwrap();
    assert!(!orphan.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_broken_spec_fails_generation_with_its_location_and_writes_nothing() {
    let dir = scratch("broken");
    let spec = dir.join("api-spec/endpoints/create_stock_bundle.toml");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        text.replacen("request_body = \"CreateStockBundleRequest\"", "request_body = \"NoSuchModel\"", 1),
    )
    .unwrap();
    let before = std::fs::read_to_string(dir.join("generated-client/src/generated/operations.rs")).unwrap();

    let err = xtask::codegen(&dir, Mode::Write).unwrap_err();
    assert!(err.contains("api-spec/endpoints/create_stock_bundle.toml:"), "{err}");
    assert!(err.contains("unknown model `NoSuchModel`"), "{err}");
    let after = std::fs::read_to_string(dir.join("generated-client/src/generated/operations.rs")).unwrap();
    assert_eq!(before, after);
    std::fs::remove_dir_all(dir).unwrap();
}
