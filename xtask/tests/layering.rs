//! The layering is true and checked (issue 18): no crate of the workspace has an import circle
//! between its module files, and the core's modules keep the layer order its crate docs state
//! (the `Layers:` block in `apiv3/src/lib.rs`, repeated in the README's "Layout"). What counts as
//! a use, and why tests are left out: `xtask::modgraph`.

use std::path::{Path, PathBuf};

use xtask::modgraph::ModuleGraph;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Every crate root of the workspace's packages: (package directory, root file).
fn crate_roots() -> Vec<(PathBuf, PathBuf)> {
    let mut roots = Vec::new();
    for package in ["apiv3", "codegen", "generated-client", "cli", "sandbox", "xtask"] {
        let dir = root().join(package);
        for file in ["src/lib.rs", "src/main.rs"] {
            if dir.join(file).exists() {
                roots.push((dir.clone(), dir.join(file)));
            }
        }
    }
    roots
}

#[test]
fn no_crate_has_an_import_circle() {
    let mut failures = Vec::new();
    for (dir, file) in crate_roots() {
        let graph = ModuleGraph::load(&dir, &file).unwrap();
        assert!(graph.files.len() > 1 || file.ends_with("main.rs"), "{}: no modules found", file.display());
        for circle in graph.circles() {
            failures.push(format!("{} ({}): {circle}", dir.file_name().unwrap().to_string_lossy(), file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The core's layers as `apiv3/src/lib.rs` lists them: (layer, module paths) in order.
fn core_layers() -> Vec<(String, Vec<String>)> {
    let lib = std::fs::read_to_string(root().join("apiv3/src/lib.rs")).unwrap();
    let docs: Vec<&str> = lib.lines().filter_map(|l| l.strip_prefix("//!")).map(str::trim).collect();
    let start = docs.iter().position(|l| *l == "Layers:").expect("apiv3/src/lib.rs has a `Layers:` block");
    let layers: Vec<(String, Vec<String>)> = docs[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with("```"))
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut words = l.split_whitespace().map(str::to_owned);
            (words.next().unwrap(), words.collect())
        })
        .collect();
    assert!(!layers.is_empty(), "the `Layers:` block of apiv3/src/lib.rs is empty");
    layers
}

#[test]
fn the_core_uses_no_module_of_a_later_layer() {
    let dir = root().join("apiv3");
    let graph = ModuleGraph::load(&dir, &dir.join("src/lib.rs")).unwrap();
    let layers = core_layers();
    // The layer of each file; lib.rs (the crate root, re-exports only) is in none.
    let mut layer_of = vec![None; graph.files.len()];
    let mut problems = Vec::new();
    for (index, (name, modules)) in layers.iter().enumerate() {
        for module in modules {
            let path: Vec<String> = module.split("::").map(str::to_owned).collect();
            match graph.files.iter().position(|f| f.module == path) {
                Some(file) if layer_of[file].is_some() => problems.push(format!("`{module}` is listed twice")),
                Some(file) => layer_of[file] = Some((index, name.as_str())),
                None => problems.push(format!("layer `{name}` lists `{module}`, which is no module file of apiv3")),
            }
        }
    }
    for (file, layer) in graph.files.iter().zip(&layer_of) {
        if layer.is_none() && !file.module.is_empty() {
            problems.push(format!(
                "apiv3/{} (`{}`) is in no layer: add it to the `Layers:` block of apiv3/src/lib.rs and the README",
                file.path.display(),
                file.module.join("::")
            ));
        }
    }
    for (file, layer) in graph.files.iter().zip(&layer_of) {
        let Some((index, name)) = layer else { continue };
        for u in &file.uses {
            let Some((target_index, target_name)) = layer_of[u.target] else {
                problems.push(format!(
                    "apiv3/{}:{}: `{}` uses the crate root {}",
                    file.path.display(),
                    u.line,
                    u.path,
                    graph.files[u.target].path.display()
                ));
                continue;
            };
            if target_index > *index {
                problems.push(format!(
                    "apiv3/{}:{}: `{}`: layer `{name}` uses {} of the later layer `{target_name}`",
                    file.path.display(),
                    u.line,
                    u.path,
                    graph.files[u.target].path.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The README's "Layout" repeats the layers: `name (file.rs; dir/; ...) -> name (...) -> ...`
/// between "agrees):" and "The server side".
#[test]
fn the_readme_lists_the_core_layers_as_lib_rs_does() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let entry = readme.split("\napiv3/").nth(1).expect("the README's Layout has an apiv3/ entry");
    let list = entry
        .split_once("agrees):")
        .and_then(|(_, rest)| rest.split_once("The server side"))
        .map(|(list, _)| list)
        .expect("the README's apiv3/ entry lists the layers after `agrees):`");
    let readme_layers: Vec<(String, Vec<String>)> = list
        .split("->")
        .map(|segment| {
            let words: Vec<&str> = segment.split_whitespace().collect();
            let name = words.first().copied().unwrap_or_default().to_owned();
            let mut files: Vec<String> = words
                .iter()
                .flat_map(|w| w.split([';', ',', '(', ')', ':']))
                .filter_map(|w| w.strip_suffix(".rs").or_else(|| w.strip_suffix('/')))
                .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .map(str::to_owned)
                .collect();
            files.sort();
            (name, files)
        })
        .collect();
    let lib_layers: Vec<(String, Vec<String>)> = core_layers()
        .into_iter()
        .map(|(name, modules)| {
            // A directory module (`limiter`, `limiter::local`) is one `limiter/` in the README.
            let mut top: Vec<String> = modules.iter().map(|m| m.split("::").next().unwrap().to_owned()).collect();
            top.sort();
            top.dedup();
            (name, top)
        })
        .collect();
    assert_eq!(readme_layers, lib_layers, "README.md (left) and apiv3/src/lib.rs (right) list the layers differently");
}
