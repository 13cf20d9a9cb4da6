//! Import time (`cargo bench -p codegen --bench import`), for issue 10's target: a page in well
//! under a second. Each iteration is the whole `codegen::import::import`: decoding and reading
//! the page, building the draft against api-spec (parsed from the in-memory files each time),
//! writing the TOML and validating it together with api-spec. Reading api-spec from disk is
//! left out (the command does it once).
//!
//! - `import/reference-item`, `import/example-bundle`: the synthetic pages of the tests.
//! - `import/add-stock-bundle`, `import/create-product-coupon-example`: the seed pages from
//!   `../shared/docs`, when that directory exists (a CI run, `CI=true`, fails without them:
//!   `.ci/require.rs`).

#[path = "../../.ci/require.rs"]
mod require;

use codegen::import::{ImportOptions, import};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn pages() -> Vec<(String, Vec<u8>, ImportOptions)> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let opts = |doc: &str, id: &str| ImportOptions { doc_id: Some(doc.to_owned()), id: Some(id.to_owned()) };
    let mut out = Vec::new();
    for (name, o) in [
        ("reference-item.txt", opts("9990000001", "get_demo_item")),
        ("example-bundle.txt", opts("9990000002", "create_demo_bundle")),
    ] {
        let bytes = std::fs::read(here.join("tests/data/import").join(name)).expect("fixture");
        out.push((name.trim_end_matches(".txt").to_owned(), bytes, o));
    }
    let seed = here.join("../../shared/docs");
    for (name, file, doc) in [
        ("add-stock-bundle", "add-stock-bundle.txt", "4016280622"),
        ("create-product-coupon-example", "create-product-coupon-example-progressive-single-normal.txt", "4016756286"),
    ] {
        let test = format!("the bench import/{name}");
        if let Some(path) = require::require_fixture(&seed.join(file), &test, "copy the page into shared/docs") {
            let bytes = std::fs::read(path).expect("the seed page is readable");
            out.push((name.to_owned(), bytes, ImportOptions { doc_id: Some(doc.to_owned()), id: None }));
        }
    }
    out
}

fn import_pages(c: &mut Criterion) {
    let spec = codegen::load::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec"), "api-spec")
        .expect("api-spec loads");
    let mut group = c.benchmark_group("import");
    for (name, bytes, opts) in pages() {
        // Fail loudly rather than time an error path.
        if let Err(e) = import(&name, &bytes, &opts, &spec) {
            panic!("{e}");
        }
        group.bench_function(name.as_str(), |b| {
            b.iter(|| import(black_box(&name), black_box(&bytes), &opts, &spec).expect("imports"))
        });
    }
    group.finish();
}

criterion_group!(benches, import_pages);
criterion_main!(benches);
