//! The synthetic spec the generation benchmark uses (`benches/synthetic`) must pass validation,
//! or the benchmark would time the error path instead of generation.

#[path = "../benches/synthetic/mod.rs"]
mod synthetic;

#[test]
fn ten_endpoint_synthetic_spec_generates() {
    let sources = synthetic::sources(10);
    assert_eq!(sources.len(), 11, "one file per endpoint plus the shared file");
    let ids: Vec<String> = sources
        .iter()
        .filter_map(|f| f.name.strip_prefix("api-spec/endpoints/")?.strip_suffix(".toml").map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 10);
    let files = match codegen::generate_from_sources(sources) {
        Ok(files) => files,
        Err(diags) => panic!("the synthetic spec does not validate:\n{diags}"),
    };
    let operations = files.iter().find(|f| f.path == "src/generated/operations.rs").expect("operations.rs");
    for id in &ids {
        assert!(operations.contents.contains(&format!("id: \"{id}\"")), "operation {id} is generated");
    }
    let fixtures = files.iter().filter(|f| f.path.starts_with("tests/fixtures/")).count();
    assert_eq!(fixtures, 10, "one request example per endpoint");
}
