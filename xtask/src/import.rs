//! `cargo xtask import PAGE.txt [--out FILE] [--doc-id ID] [--id OPERATION_ID]`.
//!
//! Writes the draft spec of the page's operation (default `drafts/<operation id>.toml`, outside
//! `api-spec/` so the spec loader never picks it up before review) and prints the report:
//! every inferred or reused fact, every disagreement with api-spec and every page line the
//! draft does not carry, as `PAGE:LINE: kind: message`.

use codegen::import::{ImportOptions, import, write_atomically};
use std::path::{Path, PathBuf};

const USAGE: &str = "import PAGE.txt [--out FILE] [--doc-id ID] [--id OPERATION_ID]";

/// Runs the command; `args` are the words after `import`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut page = None;
    let mut out = None;
    let mut opts = ImportOptions::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| it.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--doc-id" => opts.doc_id = Some(value("--doc-id")?),
            "--id" => opts.id = Some(value("--id")?),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}\nusage: cargo xtask {USAGE}")),
            path if page.is_none() => page = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument {extra}\nusage: cargo xtask {USAGE}")),
        }
    }
    let page = page.ok_or_else(|| format!("which page?\nusage: cargo xtask {USAGE}"))?;
    let bytes = std::fs::read(&page).map_err(|e| format!("{}: {e}", page.display()))?;
    let spec = codegen::load::read_dir(&root.join("api-spec"), "api-spec").map_err(|d| d.to_string())?;
    let imported = import(&page.display().to_string(), &bytes, &opts, &spec).map_err(|e| e.to_string())?;
    let out = match out {
        Some(out) => out,
        None => codegen::import::draft_path(&root.join("drafts"), &imported.op_id)?,
    };
    write_atomically(&out, &imported.toml)?;
    print!("{}", imported.report());
    println!("wrote {} ({} note(s))", out.display(), imported.notes.len());
    Ok(())
}
