//! The generated code for a keyword-heavy spec (fields `type`, `ref`, `self`, `fn`, `match`;
//! models named `Option`, `Result`, `String`; an enum value `UNKNOWN`; an operation with
//! keyword path and query parameters) compiles, and keeps the wire names.
//!
//! The test writes a throwaway crate to `<target dir>/keyword-crate`: the generated files of
//! `support::KEYWORDS` as `src/generated/`, the hand-written runtime copied from
//! `generated-client/src/runtime/` as it is now, a `lib.rs` shaped like generated-client's and
//! generated-client's `Cargo.toml` with the package renamed. It builds that crate with the
//! workspace's target directory and lock file, so the dependencies already built for the
//! workspace are reused and nothing is downloaded (`--offline`). A test of the crate (run with
//! `cargo test`) uses the keyword setters (`.type_(..)`, `.self_(..)`) and checks the JSON.
//!
//! Other names that generated code must survive get their own small crate next to it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The tests write and build crates in the same target directory; they take turns.
static CRATE_DIR_LOCK: Mutex<()> = Mutex::new(());

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen/ is in the workspace").to_path_buf()
}

/// `$CARGO_TARGET_DIR`, or the workspace's `target/`.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() { dir } else { workspace_root().join(dir) }
        }
        _ => workspace_root().join("target"),
    }
}

/// Writes `contents` to `path` unless it already holds exactly that, so an unchanged crate is
/// not rebuilt.
fn write_if_changed(path: &Path, contents: &[u8]) {
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return;
    }
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create the directory");
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Makes `dest` hold exactly the files of `src` (recursively).
fn mirror_dir(src: &Path, dest: &Path) {
    let mut wanted = Vec::new();
    for entry in std::fs::read_dir(src).unwrap_or_else(|e| panic!("cannot read {}: {e}", src.display())) {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().expect("a file name").to_owned();
        if path.is_dir() {
            mirror_dir(&path, &dest.join(&name));
        } else {
            write_if_changed(&dest.join(&name), &std::fs::read(&path).expect("read a runtime file"));
        }
        wanted.push(name);
    }
    for entry in std::fs::read_dir(dest).expect("the mirror exists") {
        let path = entry.expect("a directory entry").path();
        if !wanted.iter().any(|w| Some(w.as_os_str()) == path.file_name()) {
            if path.is_dir() {
                std::fs::remove_dir_all(&path).expect("remove a stale directory");
            } else {
                std::fs::remove_file(&path).expect("remove a stale file");
            }
        }
    }
}

/// generated-client's manifest with the package renamed, workspace inheritance resolved
/// against the root manifest, tests and benches dropped, and the root's profiles (so built
/// dependencies are reused). An empty `[workspace]` keeps cargo from adopting the crate into
/// the enclosing workspace.
fn manifest(package_name: &str, test: Option<&str>) -> String {
    let read = |path: PathBuf| -> toml::Table {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        toml::from_str(&text).unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()))
    };
    let root = read(workspace_root().join("Cargo.toml"));
    let mut client = read(workspace_root().join("generated-client/Cargo.toml"));
    let workspace = root.get("workspace").and_then(|w| w.as_table()).cloned().unwrap_or_default();
    let inherited = |key: &str| workspace.get(key).and_then(|t| t.as_table()).cloned().unwrap_or_default();
    let (ws_package, ws_deps) = (inherited("package"), inherited("dependencies"));

    let package = client.get_mut("package").and_then(|p| p.as_table_mut()).expect("[package]");
    for (key, value) in package.iter_mut() {
        if value.as_table().and_then(|t| t.get("workspace")).and_then(|w| w.as_bool()) == Some(true) {
            *value = ws_package.get(key).cloned().unwrap_or_else(|| panic!("workspace.package.{key} is not set"));
        }
    }
    package.insert("name".into(), package_name.into());
    package.insert("publish".into(), false.into());
    for key in ["autotests", "autobenches", "autoexamples"] {
        package.insert(key.into(), false.into());
    }

    for section in ["dev-dependencies", "test", "bench", "example", "lints"] {
        client.remove(section);
    }
    for section in ["dependencies", "build-dependencies"] {
        let Some(deps) = client.get_mut(section).and_then(|d| d.as_table_mut()) else { continue };
        for (name, dep) in deps.iter_mut() {
            let Some(table) = dep.as_table() else { continue };
            if table.get("workspace").and_then(|w| w.as_bool()) != Some(true) {
                continue;
            }
            let mut resolved = match ws_deps.get(name).unwrap_or_else(|| panic!("workspace.dependencies.{name}")) {
                toml::Value::String(version) => {
                    toml::Table::from_iter([("version".to_owned(), version.clone().into())])
                }
                toml::Value::Table(t) => t.clone(),
                other => panic!("workspace.dependencies.{name} = {other}"),
            };
            // A path dependency (the APIv3 core) is relative to the workspace, not to the
            // scratch crate under the target directory.
            if let Some(path) = resolved.get("path").and_then(|p| p.as_str()) {
                let absolute = workspace_root().join(path).display().to_string();
                resolved.insert("path".to_owned(), absolute.into());
            }
            for (key, value) in table.iter().filter(|(k, _)| *k != "workspace") {
                if key == "features" {
                    let mut features = resolved.get("features").and_then(|f| f.as_array()).cloned().unwrap_or_default();
                    features.extend(value.as_array().cloned().unwrap_or_default());
                    resolved.insert("features".into(), features.into());
                } else {
                    resolved.insert(key.clone(), value.clone());
                }
            }
            *dep = resolved.into();
        }
    }
    if let Some(test) = test {
        client.insert(
            "test".into(),
            toml::Value::Array(vec![toml::Table::from_iter([("name".to_owned(), test.into())]).into()]),
        );
    }
    if let Some(profile) = root.get("profile") {
        client.insert("profile".into(), profile.clone());
    }
    client.insert("workspace".into(), toml::Table::new().into());
    format!(
        "# Written by codegen/tests/keyword_names_compile.rs; do not edit.\n{}",
        toml::to_string(&client).expect("serializes")
    )
}

const LIB_RS: &str = r#"//! A test spec's generated code plus generated-client's runtime, as one crate; written
//! by codegen/tests/keyword_names_compile.rs.
#![deny(missing_docs)]

pub mod generated;
pub mod runtime;

// Each secondary family's public module and client (none without a family's feature).
#[allow(unused_imports)]
pub use generated::public::*;
"#;

/// Uses the builder's keyword setters and checks the JSON uses the wire names.
const WIRE_NAMES_RS: &str = r##"//! Written by codegen/tests/keyword_names_compile.rs.

use keyword_crate::generated::models::{Kind, Option as OptionModel, Result as ResultModel, String as StringModel};
use keyword_crate::runtime::validate::Validate;

fn example() -> OptionModel {
    OptionModel::builder()
        .type_(Kind::UnknownValue)
        .ref_("r-1")
        .self_(ResultModel::builder().type_(Kind::Self_).string("s"))
        .fn_([StringModel::builder().kinds([Kind::None, Kind::from("NEW_KIND")])])
        .match_(true)
        .build()
        .expect("every required field is set")
}

#[test]
fn keyword_fields_serialize_under_their_wire_names() {
    let json = serde_json::to_value(example()).expect("serializes");
    assert_eq!(
        json,
        serde_json::json!({
            "type": "UNKNOWN",
            "ref": "r-1",
            "self": { "type": "SELF", "String": "s" },
            "fn": [{ "kinds": ["NONE", "NEW_KIND"] }],
            "match": true,
        })
    );
}

#[test]
fn wire_names_deserialize_back() {
    let text = r#"{"type":"UNKNOWN","ref":"r-1","self":{"type":"SELF","String":"s"},"fn":[{"kinds":["NONE","NEW_KIND"]}],"match":true}"#;
    let parsed: OptionModel = serde_json::from_str(text).expect("deserializes");
    assert_eq!(parsed, example());
    assert_eq!(parsed.type_, Kind::UnknownValue, "the documented value UNKNOWN is not the catch-all");
    assert_eq!(parsed.self_.as_ref().map(|s| &s.type_), Some(&Kind::Self_));
}

#[test]
fn enum_value_unknown_is_distinct_from_unknown_values() {
    assert_eq!(Kind::from("UNKNOWN"), Kind::UnknownValue);
    assert_eq!(Kind::UnknownValue.as_str(), "UNKNOWN");
    assert!(Kind::UnknownValue.is_known());
    assert_eq!(Kind::from("NEW_KIND"), Kind::Unknown("NEW_KIND".to_owned()));
    assert!(!Kind::from("NEW_KIND").is_known());
}

#[test]
fn missing_required_keyword_field_is_named_by_its_wire_name() {
    let err = OptionModel::builder().ref_("x").build().expect_err("type is missing");
    assert_eq!(err.missing, ["type"]);
}

#[test]
fn rules_on_keyword_fields_are_checked() {
    // `type = UNKNOWN` requires `ref`; the unknown kind inside `fn` is reported too.
    let mut model = example();
    model.ref_ = None;
    let violations = model.validate().expect_err("two violations");
    let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["fn[0].kinds[1]", "ref"], "{violations:?}");
}

#[test]
fn the_operation_uses_the_keyword_path() {
    let meta = keyword_crate::generated::operations::OPERATIONS[0];
    assert_eq!(meta.id, "match");
    assert_eq!(meta.path_template, "/v3/options/{type}/items/{self}");
}
"##;

/// Writes the crate `package` for `spec`, with `test` (name, source) as its one test, and
/// returns its directory.
fn write_crate(package: &str, spec: &str, test: Option<(&str, &str)>) -> PathBuf {
    let dir = target_dir().join(package);
    let out = support::generate(&[("spec.toml", spec)]);
    let mut generated = Vec::new();
    for f in out.iter().filter(|f| f.crate_dir == codegen::emit::CLIENT && f.path.starts_with("src/generated/")) {
        write_if_changed(&dir.join(&f.path), f.contents.as_bytes());
        generated.push(f.path.trim_start_matches("src/generated/").to_owned());
    }
    for name in ["mod.rs", "models.rs", "builders.rs", "validation.rs", "operations.rs", "errors.rs", "requests.rs"] {
        assert!(generated.iter().any(|g| g == name), "the generator did not write src/generated/{name}");
    }
    mirror_dir(&workspace_root().join("generated-client/src/runtime"), &dir.join("src/runtime"));
    write_if_changed(&dir.join("src/lib.rs"), LIB_RS.as_bytes());
    if let Some((name, source)) = test {
        write_if_changed(&dir.join(format!("tests/{name}.rs")), source.as_bytes());
    }
    // Every family module of the generated crate is behind a cargo feature named like it.
    let mut manifest = manifest(package, test.map(|(name, _)| name));
    let root = support::file(&out, "src/generated/mod.rs");
    for feature in root.split("feature = \"").skip(1).filter_map(|rest| rest.split_once('"').map(|(f, _)| f)) {
        if !manifest.contains(&format!("\n{feature} = ")) {
            manifest = manifest.replacen("[features]\n", &format!("[features]\n{feature} = []\n"), 1);
        }
    }
    write_if_changed(&dir.join("Cargo.toml"), manifest.as_bytes());
    // The workspace's lock file pins the versions the workspace has already built.
    let lock = std::fs::read(workspace_root().join("Cargo.lock")).expect("the workspace has a Cargo.lock");
    write_if_changed(&dir.join("Cargo.lock"), &lock);
    dir
}

/// Runs cargo `args` in the crate; panics with the compiler's output unless it succeeds.
/// Returns stderr.
fn cargo(dir: &Path, args: &[&str]) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .arg("--offline")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`cargo {}` failed in {} ({})\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        args.join(" "),
        dir.display(),
        output.status
    );
    stderr.into_owned()
}

/// The warnings the compiler gave for generated code.
fn warnings_in_generated_code(stderr: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for line in stderr.lines() {
        if line.starts_with("warning") || line.starts_with("error") {
            found.extend(current.take().filter(|w| w.contains("--> src/generated/")));
            if line.starts_with("warning") {
                current = Some(String::new());
            }
        }
        if let Some(w) = &mut current {
            w.push_str(line);
            w.push('\n');
        }
    }
    found.extend(current.filter(|w| w.contains("--> src/generated/")));
    found
}

/// `cargo check`s the library with and without the `schemars` feature; generated code must
/// compile without warnings.
fn assert_compiles_cleanly(dir: &Path) {
    for args in [&["check", "--lib"][..], &["check", "--lib", "--features", "schemars"][..]] {
        let stderr = cargo(dir, args);
        let warnings = warnings_in_generated_code(&stderr);
        assert!(warnings.is_empty(), "`cargo {}` warns about generated code:\n{}", args.join(" "), warnings.concat());
    }
}

#[test]
fn generated_code_for_keyword_names_compiles() {
    let _turn = CRATE_DIR_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = write_crate("keyword-crate", support::KEYWORDS, Some(("wire_names", WIRE_NAMES_RS)));
    assert_compiles_cleanly(&dir);
}

#[test]
fn keyword_setters_and_wire_names_work_at_run_time() {
    let _turn = CRATE_DIR_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = write_crate("keyword-crate", support::KEYWORDS, Some(("wire_names", WIRE_NAMES_RS)));
    cargo(&dir, &["test", "--test", "wire_names"]);
}

#[test]
fn field_named_default_compiles() {
    let spec = r#"[[models]]
name = "Settings"

[[models.fields]]
name = "default"
type = "string"
presence = "optional"
label = "默认值"
"#;
    let _turn = CRATE_DIR_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    assert_compiles_cleanly(&write_crate("default-field-crate", spec, None));
}

#[test]
fn warnings_in_generated_code_are_found_in_cargo_output() {
    let stderr = "    Checking keyword-crate v0.1.0\n\
warning: unused variable: `x`\n --> src/generated/models.rs:3:9\n  |\n3 |     let x = 1;\n\n\
warning: unused import\n --> src/runtime/client.rs:1:5\n\n\
error: aborting\n\
warning: `keyword-crate` (lib) generated 2 warnings\n";
    let found = warnings_in_generated_code(stderr);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("warning: unused variable: `x`\n --> src/generated/models.rs:3:9"), "{found:?}");
}

/// The argument names of every function in generated `operations.rs`.
fn call_arguments(operations_rs: &str) -> Vec<(String, Vec<String>)> {
    let file = syn::parse_file(operations_rs).expect("operations.rs parses");
    let mut calls = Vec::new();
    for item in file.items {
        let syn::Item::Impl(imp) = item else { continue };
        for item in imp.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            let args = f
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    syn::FnArg::Typed(t) => Some(quote::quote!(#t).to_string().split(':').next()?.trim().to_owned()),
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            calls.push((f.sig.ident.to_string(), args));
        }
    }
    calls
}

#[test]
fn parameters_never_clash_with_each_other_or_with_the_body() {
    let spec = r#"[[models]]
name = "Note"

[[models.fields]]
name = "text"
type = "string"
presence = "required"
label = "内容"

[[operations]]
id = "put_note"
title = "写便签"
doc_id = "1"
updated = "2025.01.01"
method = "PUT"
path = "/v3/notes/{id}"
request_body = "Note"

[[operations.path_params]]
name = "id"
type = "string"
presence = "required"
label = "ID"

[[operations.query_params]]
name = "id"
type = "string"
presence = "optional"
label = "ID"

[[operations.query_params]]
name = "body"
type = "string"
presence = "optional"
label = "正文"

[[operations.responses]]
status = 204
"#;
    let sources = support::sources(&[("notes.toml", spec)]);
    // Rejecting the spec with a located problem would be fine too.
    let Ok(out) = codegen::generate_from_sources(sources) else { return };
    for (name, args) in call_arguments(support::file(&out, "src/generated/operations.rs")) {
        let mut unique = args.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), args.len(), "`{name}` has clashing arguments: {args:?}");
    }
}

/// A list operation with pagination and a multipart upload: their generated call functions,
/// call builders with `.stream()` and request variants compile without warnings.
const PAGES_AND_UPLOADS: &str = r#"[[models]]
name = "Item"

[[models.fields]]
name = "id"
type = "string"
presence = "required"
label = "ID"

[[models]]
name = "ItemPage"

[[models.fields]]
name = "total_count"
type = "integer"
presence = "required"
label = "总数"

[[models.fields]]
name = "item_list"
type = "array"
items = "object"
ref = "Item"
presence = "optional"
label = "列表"

[[models.fields]]
name = "next_page_token"
type = "string"
presence = "optional"
label = "下一页"

[[models]]
name = "ImageMeta"

[[models.fields]]
name = "filename"
type = "string"
presence = "required"
label = "文件名"
max_length = 128

[[models.fields]]
name = "sha256"
type = "string"
presence = "required"
label = "摘要"

[[models]]
name = "ImageUploaded"

[[models.fields]]
name = "media_url"
type = "string"
presence = "required"
label = "URL"

[[enums]]
name = "ItemState"

[[enums.values]]
value = "ACTIVE"
meaning = "生效"

[[operations]]
id = "list_items"
title = "列表"
doc_id = "1"
updated = "2025.01.01"
method = "GET"
path = "/v3/groups/{group_id}/items"
rate_limit = { per_second = 20, text = "20/s" }

[[operations.path_params]]
name = "group_id"
type = "string"
presence = "required"
label = "组"

[[operations.query_params]]
name = "brand_id"
type = "string"
presence = "required"
label = "品牌"

[[operations.query_params]]
name = "state"
type = "enum"
ref = "ItemState"
presence = "optional"
label = "状态"

[[operations.query_params]]
name = "page_size"
type = "integer"
presence = "optional"
label = "页大小"
max = 50

[[operations.query_params]]
name = "page_token"
type = "string"
presence = "optional"
label = "页码"

[operations.pagination]
page_size = "page_size"
page_token = "page_token"
next_page_token = "next_page_token"
items = "item_list"

[[operations.responses]]
status = 200
body = "ItemPage"

[[operations]]
id = "upload_image"
title = "图片上传"
doc_id = "2"
updated = "2025.01.01"
method = "POST"
path = "/v3/media/upload-image"

[operations.upload]
file_field = "file"
meta_field = "meta"
meta = "ImageMeta"
max_bytes = 2097152
media_types = ["image/jpeg", "image/png"]

[[operations.responses]]
status = 200
body = "ImageUploaded"
"#;

#[test]
fn paginated_and_upload_operations_compile_cleanly() {
    let _turn = CRATE_DIR_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let out = support::generate(&[("spec.toml", PAGES_AND_UPLOADS)]);
    let operations = support::file(&out, "src/generated/operations.rs");
    assert!(operations.contains("pub struct ListItemsCall<"), "a call builder is generated");
    assert!(operations.contains("pub fn stream("), "the paginated call streams its pages");
    assert!(operations.contains("execute_upload("), "uploads go through execute_upload");
    assert!(operations.contains("check_upload("), "files are checked before sending");
    let dir = write_crate("pages-uploads-crate", PAGES_AND_UPLOADS, None);
    assert_compiles_cleanly(&dir);
}

/// Models that contain themselves: directly (`Node.child: Node`), through a list
/// (`Node.children: [Node]`) and through another model (`Outer.inner: Inner`,
/// `Inner.outer: Outer`). The fields that lead back by value are boxed; lists need nothing.
pub const RECURSIVE: &str = r#"[[models]]
name = "Node"
label = "节点"

[[models.fields]]
name = "name"
type = "string"
presence = "required"
label = "名称"
max_length = 8

[[models.fields]]
name = "child"
type = "object"
ref = "Node"
presence = "optional"
label = "子节点"

[[models.fields]]
name = "children"
type = "array"
items = "object"
ref = "Node"
presence = "optional"
label = "子节点列表"

[[models]]
name = "Outer"
label = "外层"

[[models.fields]]
name = "inner"
type = "object"
ref = "Inner"
presence = "required"
label = "内层"

[[models]]
name = "Inner"
label = "内层"

[[models.fields]]
name = "code"
type = "string"
presence = "required"
label = "编码"
max_length = 3

[[models.fields]]
name = "outer"
type = "object"
ref = "Outer"
presence = "optional"
label = "外层"
"#;

/// Builds, serializes, parses and validates each shape of recursion.
const RECURSIVE_RS: &str = r##"//! Written by codegen/tests/keyword_names_compile.rs.

use recursive_crate::generated::models::{Inner, Node, Outer};
use recursive_crate::runtime::validate::Validate;

#[test]
fn a_model_containing_itself_builds_round_trips_and_validates() {
    let node = Node::builder()
        .name("root")
        .child(Node::builder().name("leaf-name-too-long"))
        .build()
        .expect("every required field is set");
    let json = serde_json::to_value(&node).expect("serializes");
    assert_eq!(json, serde_json::json!({ "name": "root", "child": { "name": "leaf-name-too-long" } }));
    let parsed: Node = serde_json::from_value(json).expect("deserializes");
    assert_eq!(parsed, node);
    let violations = node.validate().expect_err("the child's name is too long");
    let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["child.name"], "{violations:?}");
    let missing = Node::builder().name("root").child(Node::builder()).build().expect_err("child.name is missing");
    assert_eq!(missing.missing, ["child.name"]);
}

#[test]
fn a_model_containing_a_list_of_itself_works_unboxed() {
    let text = r#"{"name":"root","children":[{"name":"a"},{"name":"b","children":[{"name":"far-too-long"}]}]}"#;
    let node: Node = serde_json::from_str(text).expect("deserializes");
    assert_eq!(serde_json::to_string(&node).expect("serializes"), text);
    let violations = node.validate().expect_err("a grandchild's name is too long");
    let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["children[1].children[0].name"], "{violations:?}");
}

#[test]
fn models_containing_each_other_build_round_trip_and_validate() {
    let outer = Outer::builder()
        .inner(Inner::builder().code("A1").outer(Outer::builder().inner(Inner::builder().code("TOO-LONG"))))
        .build()
        .expect("every required field is set");
    let json = serde_json::to_value(&outer).expect("serializes");
    assert_eq!(json, serde_json::json!({ "inner": { "code": "A1", "outer": { "inner": { "code": "TOO-LONG" } } } }));
    let parsed: Outer = serde_json::from_value(json).expect("deserializes");
    assert_eq!(parsed, outer);
    let violations = outer.validate().expect_err("the nested code is too long");
    let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["inner.outer.inner.code"], "{violations:?}");
    // Builders convert back from models, boxes and all.
    let rebuilt = recursive_crate::generated::builders::OuterBuilder::from(outer.clone()).build().expect("builds");
    assert_eq!(rebuilt, outer);
}
"##;

#[test]
fn recursive_fields_are_boxed_and_lists_are_not() {
    let out = support::generate(&[("spec.toml", RECURSIVE)]);
    // Whitespace and trailing commas removed: the formatter breaks long types over lines.
    let models: String = support::file(&out, "src/generated/models.rs").split_whitespace().collect();
    let models = models.replace(",>", ">");
    let models = models.as_str();
    assert!(
        models.contains("pubchild:::core::option::Option<::std::boxed::Box<crate::generated::models::Node>>"),
        "{models}"
    );
    assert!(
        models.contains("pubchildren:::core::option::Option<::std::vec::Vec<crate::generated::models::Node>>"),
        "{models}"
    );
    // One box on the way round is enough for a finite size, but both fields are on the cycle.
    assert!(models.contains("pubinner:::std::boxed::Box<crate::generated::models::Inner>"), "{models}");
    assert!(
        models.contains("pubouter:::core::option::Option<::std::boxed::Box<crate::generated::models::Outer>>"),
        "{models}"
    );
}

#[test]
fn generated_code_for_recursive_models_compiles_and_works() {
    let _turn = CRATE_DIR_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = write_crate("recursive-crate", RECURSIVE, Some(("recursion", RECURSIVE_RS)));
    assert_compiles_cleanly(&dir);
    cargo(&dir, &["test", "--test", "recursion"]);
}

/// With `support::FAMILIES` (partner and brand), three families: a third, `store`, names the
/// brand in the Authorization header like the brand family. Adding the third is a `[[families]]` entry
/// and its operations' entries: no hand-written code changes.
const STORE_FAMILY_AND_ITEMS: &str = r#"
[[families]]
id = "store"
title = "门店直连"
path_prefix = "/store/demo"
auth_scheme = "WECHATPAY-BRAND-SHA256-RSA2048"
brand_identity = "authorization"
rate_limit_dimension = "brand"
wechatpay_serial_required = true
doc_base_url = "https://pay.weixin.qq.com/doc/store/"
module = "store"
client = "StoreClient"
source = "test"

[[models]]
name = "Item"

[[models.fields]]
name = "out_request_no"
type = "string"
presence = "required"
label = "请求单号"
min_length = 6

[[models.fields]]
name = "brand_id"
type = "string"
presence = "required"
label = "品牌ID"

[[models.fields]]
name = "note"
type = "string"
presence = "optional"
label = "备注"
families = ["store"]

[[operations]]
id = "create_item"
title = "创建"
doc_id = "1"
updated = "2025.01.01"
method = "POST"
path = "/v3/partner/demo/items"
request_body = "Item"

[[operations.responses]]
status = 200
body = "Item"

[[operations.families]]
family = "partner"
source = "test"

[[operations.families]]
family = "brand"
doc_id = "2"
source = "test"

[[operations.families]]
family = "store"
doc_id = "3"
source = "test"

[[operations]]
id = "get_item"
title = "查询"
doc_id = "4"
updated = "2025.01.01"
method = "GET"
path = "/v3/partner/demo/items/{item_id}"

[[operations.path_params]]
name = "item_id"
type = "string"
presence = "required"
label = "ID"

[[operations.query_params]]
name = "brand_id"
type = "string"
presence = "required"
label = "品牌ID"

[[operations.responses]]
status = 200
body = "Item"

[[operations.families]]
family = "partner"
source = "test"

[[operations.families]]
family = "store"
doc_id = "5"
source = "test"
"#;

/// Uses each family's client and models; run with every family's feature.
const THIRD_FAMILY_RS: &str = r##"//! Written by codegen/tests/keyword_names_compile.rs.

use families_crate::generated::families::{Brand, Partner, Store};
use families_crate::runtime::family::Family;
use families_crate::runtime::validate::{Validate, ViolationKind, Violations};
use families_crate::{brand, store};

#[test]
fn each_family_has_its_facts_and_its_shape_of_the_shared_model() {
    assert_eq!((Partner::ID, Brand::ID, Store::ID), ("partner", "brand", "store"));
    assert_eq!(Store::PATH_PREFIX, "/store/demo");
    let partner = families_crate::generated::models::Item::builder().out_request_no("r-0001").brand_id("b-1").build().unwrap();
    assert_eq!(serde_json::to_value(&partner).unwrap()["brand_id"], "b-1");
    let stored = store::models::Item::builder().out_request_no("r-0001").note("n").build().unwrap();
    let json = serde_json::to_value(&stored).unwrap();
    assert!(json.get("brand_id").is_none(), "{json}");
    assert_eq!(json["note"], "n");
    let violations = |value: &dyn Validate| {
        let mut out = Violations::default();
        value.validate_at("", &mut out);
        out
    };
    assert!(violations(&stored).is_empty());
    // The brand family's pages do not list `note`: a warning there, sent as given.
    let branded = brand::models::Item::builder().out_request_no("r-0001").note("n").build().unwrap();
    let v = violations(&branded);
    assert_eq!(v.iter().map(|v| (v.path.as_str(), v.kind)).collect::<Vec<_>>(), [("note", ViolationKind::UnknownField)]);
}

// The sandbox's generated route table, compiled against this crate under the client crate's
// name (as the sandbox compiles it).
extern crate families_crate as wechatpay_product_coupon;
#[path = "sandbox_families.rs"]
mod sandbox_families;

#[test]
fn the_sandbox_routes_the_third_family_from_its_row() {
    use sandbox_families::{FAMILIES, family_of};
    assert_eq!(FAMILIES.iter().map(|f| f.id).collect::<Vec<_>>(), ["partner", "brand", "store"]);
    let store = family_of("/store/demo/items");
    assert_eq!(store.id, "store");
    assert!(store.brand_signs && store.wechatpay_serial_required);
    assert_eq!((store.scheme.token(), store.scheme.identity_param()), ("WECHATPAY-BRAND-SHA256-RSA2048", "brand_id"));
    assert_eq!(store.operations.iter().map(|m| m.id).collect::<Vec<_>>(), ["create_item", "get_item"]);
    // A prefix matches whole segments only; anything else is the primary family's.
    assert_eq!(family_of("/store/demox/items").id, "partner");
    assert!(family_of("/v3/partner/demo/items").secondary.is_none());
    assert_eq!(family_of("/v3/partner/demo/items").scheme.identity_param(), "mchid");

    // The store's request is checked as the store family's: `note` is its own field, a
    // `brand_id` is one it does not send.
    let secondary = store.secondary.as_ref().expect("a secondary family");
    let check = |body: &str| (secondary.check_request)("create_item", &[], &[], Some(body.as_bytes()), None).unwrap();
    assert!(check(r#"{"out_request_no":"r-0001","note":"n"}"#).violations.is_empty());
    let v = check(r#"{"out_request_no":"r-0001","brand_id":"b"}"#).violations;
    assert_eq!(v.iter().map(|v| (v.path.as_str(), v.kind)).collect::<Vec<_>>(), [("brand_id", ViolationKind::UnknownField)]);
    // The primary family's answer in the store's model: no brand_id.
    let answer = (secondary.response_text)("create_item", r#"{"out_request_no":"r-0001","brand_id":"b","note":"n"}"#).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&answer).unwrap(), serde_json::json!({"out_request_no":"r-0001","note":"n"}));
}

/// Each family's client has the family's operations with the family's arguments.
#[allow(dead_code)]
fn calls(p: &families_crate::runtime::client::Client, b: &families_crate::BrandClient, s: &families_crate::StoreClient) {
    let item = families_crate::generated::models::Item::builder().out_request_no("r-0001").brand_id("b").build().unwrap();
    let _ = p.create_item(&item).prepare();
    let _ = p.get_item("1", "b").prepare();
    let item = brand::models::Item::builder().out_request_no("r-0001").build().unwrap();
    let _ = b.create_item(&item).prepare();
    let item = store::models::Item::builder().out_request_no("r-0001").build().unwrap();
    let _ = s.create_item(&item).prepare();
    let _ = s.get_item("1").prepare();
}
"##;

#[test]
fn a_third_family_is_data_only_and_compiles() {
    let _turn = CRATE_DIR_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let spec = format!("{}{STORE_FAMILY_AND_ITEMS}", support::FAMILIES);
    let out = support::generate(&[("spec.toml", &spec)]);
    let root = support::file(&out, "src/generated/mod.rs");
    assert!(root.contains("#[cfg(feature = \"store\")]\npub mod store;"), "{root}");
    let clients = support::file(&out, "src/generated/clients.rs");
    assert!(clients.contains("pub struct StoreClient"), "the third family's client is generated:\n{clients}");
    let dir = write_crate("families-crate", &spec, Some(("third_family", THIRD_FAMILY_RS)));
    // The sandbox's route table for the three families, compiled by the test beside the client.
    let routes = out
        .iter()
        .find(|f| f.crate_dir == codegen::emit::SANDBOX && f.path == "src/generated/families.rs")
        .expect("the sandbox's route table is generated");
    write_if_changed(&dir.join("tests/sandbox_families.rs"), routes.contents.as_bytes());
    for args in [&["check", "--lib", "--features", "brand,store"][..], &["check", "--lib"][..]] {
        let stderr = cargo(&dir, args);
        let warnings = warnings_in_generated_code(&stderr);
        assert!(warnings.is_empty(), "`cargo {}` warns about generated code:\n{}", args.join(" "), warnings.concat());
    }
    cargo(&dir, &["test", "--features", "brand,store", "--test", "third_family"]);
}
