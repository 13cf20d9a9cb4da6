//! Generation time (`cargo bench -p wechatpay-codegen`), for issue 2's targets: the real spec in under
//! 50 ms, and linear growth (1,000 endpoints at most 12x the time of 100).
//!
//! - `real_spec`: the whole pipeline from disk, `codegen::generate(api-spec/)`: reading the
//!   files, parsing, validating and lowering, emitting tokens and formatting them.
//! - `synthetic/{10,100,1000}`: the same pipeline on in-memory synthetic specs
//!   (`synthetic/mod.rs`) via `generate_from_sources`; no file reading.
//! - `stages/{load,lower,emit,format}`: the stages separately on the 100-endpoint spec, and
//!   `real_spec_stages/{read,load,lower,emit,format}` on the real spec (`read` is
//!   `load::read_dir`). `load` parses the TOML into the spec types, `lower` validates and builds
//!   the IR, `emit` builds the tokens and formats them; `format` re-runs only the formatting part
//!   (`syn::parse2` + `prettyplease::unparse`) on the emitted files' tokens, to show its share
//!   of `emit`.

mod synthetic;

use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn api_spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec")
}

fn real_spec(c: &mut Criterion) {
    let dir = api_spec_dir();
    // Fail loudly rather than time an error path.
    if let Err(diags) = codegen::generate(&dir) {
        panic!("the real spec does not generate:\n{diags}");
    }
    // Criterion's defaults: 100 samples in about 5 s.
    c.bench_function("real_spec", |b| b.iter(|| codegen::generate(black_box(&dir)).expect("generates")));
}

fn synthetic(c: &mut Criterion) {
    let mut group = c.benchmark_group("synthetic");
    for n in [10usize, 100, 1000] {
        let sources = synthetic::sources(n);
        if let Err(diags) = codegen::generate_from_sources(sources.clone()) {
            panic!("the {n}-endpoint synthetic spec does not generate:\n{diags}");
        }
        // Modest settings so that the whole `cargo bench -p wechatpay-codegen` stays within a few minutes
        // on two cores. 1,000 endpoints take about 5 s per iteration: ten single-iteration
        // samples (criterion then warns that 10 samples do not fit in 30 s; that is expected).
        // 100 endpoints take about half a second.
        match n {
            1000 => group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(30)),
            100 => group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(8)),
            _ => group.sample_size(30).sampling_mode(SamplingMode::Auto).measurement_time(Duration::from_secs(5)),
        };
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_batched(
                || sources.clone(),
                |sources| codegen::generate_from_sources(sources).expect("generates"),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// Times each stage on `sources`, in a group of its own.
fn stage_group(c: &mut Criterion, name: &str, sources: Vec<codegen::SourceFile>, read: Option<&Path>) {
    let loaded = codegen::load::parse(sources.clone()).expect("parses");
    let ir = codegen::lower::lower(&loaded).expect("validates");
    let files = codegen::emit::emit(&ir);
    // The emitted Rust files as tokens again, to time formatting on its own.
    let tokens: Vec<proc_macro2::TokenStream> = files
        .iter()
        .filter(|f| f.path.ends_with(".rs"))
        .map(|f| f.contents.parse().expect("generated files are Rust"))
        .collect();

    let mut group = c.benchmark_group(name);
    group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(5));
    if let Some(dir) = read {
        group
            .bench_function("read", |b| b.iter(|| codegen::load::read_dir(black_box(dir), "api-spec").expect("reads")));
    }
    group.bench_function("load", |b| {
        b.iter_batched(
            || sources.clone(),
            |sources| codegen::load::parse(sources).expect("parses"),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("lower", |b| b.iter(|| codegen::lower::lower(black_box(&loaded)).expect("validates")));
    group.bench_function("emit", |b| b.iter(|| codegen::emit::emit(black_box(&ir))));
    group.bench_function("format", |b| {
        b.iter_batched(
            || tokens.clone(),
            |tokens| {
                tokens
                    .into_iter()
                    .map(|t| prettyplease::unparse(&syn::parse2::<syn::File>(t).expect("parses")))
                    .collect::<Vec<String>>()
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn stages(c: &mut Criterion) {
    stage_group(c, "stages", synthetic::sources(100), None);
}

fn real_spec_stages(c: &mut Criterion) {
    let dir = api_spec_dir();
    let sources = codegen::load::read_dir(&dir, "api-spec").expect("reads");
    stage_group(c, "real_spec_stages", sources, Some(&dir));
}

criterion_group!(benches, real_spec, synthetic, stages, real_spec_stages);
criterion_main!(benches);
