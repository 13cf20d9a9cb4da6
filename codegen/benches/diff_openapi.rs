//! Diff and OpenAPI export (issue 10): both must take well under a second on the real spec
//! (`cargo bench -p wechatpay-codegen --bench diff_openapi`).
//!
//! - `diff/load_both_and_diff`: what `cargo xtask diff` does after reading the base's files:
//!   load and validate both specs (here the working tree twice, from disk, plus an edited copy
//!   as the new side so there is something to report), compare, render the report, the
//!   changelog and the JSON.
//! - `diff/compare_and_render`: only the comparison and the three renderings, on loaded IRs.
//! - `openapi/load_and_export`: `cargo xtask openapi` minus the write: load, build the
//!   document, pretty-print it.
//! - `openapi/export`: only building and printing the document.
//!
//! Reading a git ref (two git processes) is timed end to end with the command itself; see
//! BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn api_spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec")
}

/// The real spec with one tightened constraint and one optional field made required.
fn edited_sources() -> Vec<codegen::SourceFile> {
    let mut files = codegen::load::read_dir(&api_spec_dir(), "api-spec").expect("the real spec reads");
    for f in &mut files {
        if f.text.contains("max_length = 40") {
            *f = codegen::SourceFile::new(f.name.clone(), f.text.replacen("max_length = 40", "max_length = 32", 1));
            break;
        }
    }
    files
}

fn diff(c: &mut Criterion) {
    let dir = api_spec_dir();
    let old = codegen::load_ir(&dir).expect("the real spec is valid");
    let new = codegen::ir_from_sources(edited_sources()).expect("the edited spec is valid");
    assert!(!codegen::diff::diff(&old, &new).changes.is_empty(), "the edit should show");
    let mut group = c.benchmark_group("diff");
    group.sample_size(30).measurement_time(Duration::from_secs(5));
    group.bench_function("load_both_and_diff", |b| {
        b.iter(|| {
            let old = codegen::load_ir(black_box(&dir)).expect("loads");
            let new = codegen::ir_from_sources(edited_sources()).expect("loads");
            let d = codegen::diff::diff(&old, &new);
            (d.report("HEAD", "0.1.0"), d.changelog("0.1.0"), d.to_json("HEAD", "0.1.0"))
        })
    });
    group.bench_function("compare_and_render", |b| {
        b.iter(|| {
            let d = codegen::diff::diff(black_box(&old), black_box(&new));
            (d.report("HEAD", "0.1.0"), d.changelog("0.1.0"), d.to_json("HEAD", "0.1.0"))
        })
    });
    group.finish();
}

fn openapi(c: &mut Criterion) {
    let dir = api_spec_dir();
    let ir = codegen::load_ir(&dir).expect("the real spec is valid");
    let mut group = c.benchmark_group("openapi");
    group.sample_size(30).measurement_time(Duration::from_secs(5));
    group.bench_function("load_and_export", |b| {
        b.iter(|| codegen::openapi::openapi_json(&codegen::load_ir(black_box(&dir)).expect("loads")))
    });
    group.bench_function("export", |b| b.iter(|| codegen::openapi::openapi_json(black_box(&ir))));
    group.finish();
}

criterion_group!(benches, diff, openapi);
criterion_main!(benches);
