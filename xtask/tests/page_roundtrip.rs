//! `cargo xtask page`: every operation's printed page imports back to the spec it came from,
//! judged by the verdict `cargo xtask update` gives (`xtask::update::page_impact`: the draft
//! against api-spec as it is), for the primary family; the brand family's printed pages say
//! what the brand pages say, and import back once the importer reads brand pages.

use codegen::import::ImportOptions;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-page-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn operation_ids() -> Vec<String> {
    let ir = codegen::load_ir(&root().join("api-spec")).unwrap();
    ir.operations.iter().map(|o| o.id.clone()).collect()
}

fn page(args: &[&str]) -> String {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    xtask::page::page_text(&root(), &args).unwrap_or_else(|e| panic!("cargo xtask page {args:?}: {e}"))
}

#[test]
fn every_partner_page_round_trips_with_no_change() {
    let dir = scratch("partner");
    let ids = operation_ids();
    assert_eq!(ids.len(), 35, "the partner family's operations");
    let mut failures = Vec::new();
    for id in &ids {
        let path = dir.join(format!("{id}.txt"));
        std::fs::write(&path, page(&[id])).unwrap();
        let impact = match xtask::update::page_impact(&root(), &path, &ImportOptions::default(), &dir.join("drafts")) {
            Ok(i) => i,
            Err(e) => {
                failures.push(format!("{id}: does not import: {e}"));
                continue;
            }
        };
        if impact.imported.op_id != *id {
            failures.push(format!("{id}: imported as `{}`", impact.imported.op_id));
        }
        if !impact.diff.changes.is_empty() {
            failures.push(format!("{id}:\n{}", impact.diff.report("api-spec", "0.1.0")));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{} of {} printed pages do not round-trip:\n{}", failures.len(), ids.len(), failures.join("\n"));
}
