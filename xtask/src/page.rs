//! `cargo xtask page OPERATION [--family ID]`: the doc page of one operation as the spec holds
//! it, in the site's layout (see `codegen::page`), printed to stdout.

use std::path::Path;

pub const USAGE: &str = "page OPERATION [--family ID]";

/// The page text for the words after `page`.
pub fn page_text(root: &Path, args: &[String]) -> Result<String, String> {
    let mut op = None;
    let mut family = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--family" => family = Some(it.next().cloned().ok_or("--family needs a family id (e.g. brand)")?),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}\nusage: cargo xtask {USAGE}")),
            id if op.is_none() => op = Some(id.to_owned()),
            extra => return Err(format!("unexpected argument {extra}\nusage: cargo xtask {USAGE}")),
        }
    }
    let op = op.ok_or_else(|| format!("which operation?\nusage: cargo xtask {USAGE}"))?;
    let spec = codegen::load::read_dir(&root.join("api-spec"), "api-spec").map_err(|d| d.to_string())?;
    codegen::page::print_from_sources(spec, &op, family.as_deref())
}

/// Runs the command: prints the page.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    print!("{}", page_text(root, args)?);
    Ok(())
}
