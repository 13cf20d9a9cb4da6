//! `cargo xtask diff [BASE]`: the spec of a git ref (default `HEAD`) or a directory against the
//! working tree, as a report, a changelog section and the version bump (see `codegen::diff`).

use codegen::SourceFile;
use codegen::diff::{Impact, SpecDiff};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// Output format of `cargo xtask diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The grouped report, then the changelog section.
    Text,
    Json,
}

pub const USAGE: &str = "diff [BASE] [--format text|json] [--fail-on breaking|behaviour]";

/// `cargo xtask diff` with its arguments (the words after `diff`): prints the report and says
/// whether the command passes: `false` when `--fail-on LEVEL` is given and the verdict is at or
/// above it (CI fails the build). Usage errors are `Err`.
pub fn run(root: &Path, args: &[String]) -> Result<bool, String> {
    let mut base = None;
    let mut format = Format::Text;
    let mut fail_on = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--format" => match rest.next().map(String::as_str) {
                Some("json") => format = Format::Json,
                Some("text") => format = Format::Text,
                other => {
                    return Err(format!("--format takes `text` or `json`, not {other:?}\nusage: cargo xtask {USAGE}"));
                }
            },
            "--fail-on" => match rest.next().map(String::as_str) {
                Some("breaking") => fail_on = Some(Impact::Breaking),
                Some("behaviour" | "behavior") => fail_on = Some(Impact::Behaviour),
                other => {
                    return Err(format!(
                        "--fail-on takes `breaking` or `behaviour`, not {other:?}\nusage: cargo xtask {USAGE}"
                    ));
                }
            },
            other if base.is_none() && !other.starts_with('-') => base = Some(other.to_owned()),
            other => return Err(format!("unknown argument {other:?}\nusage: cargo xtask {USAGE}")),
        }
    }
    let base = base.unwrap_or_else(|| "HEAD".to_owned());
    let diff = diff(root, &base, format)?;
    match fail_on {
        Some(level) if diff.reaches(level) => {
            eprintln!(
                "cargo xtask diff: the verdict is {} (--fail-on {}): failing",
                diff.verdict_word(),
                if level == Impact::Breaking { "breaking" } else { "behaviour" }
            );
            Ok(false)
        }
        _ => Ok(true),
    }
}

/// Runs `cargo xtask diff`: prints the report and returns it.
pub fn diff(root: &Path, base: &str, format: Format) -> Result<SpecDiff, String> {
    let old = load_base(root, base)?;
    let new = codegen::load_ir(&root.join("api-spec")).map_err(|d| format!("the working tree's spec:\n{d}"))?;
    let diff = codegen::diff::diff(&old, &new);
    let version = client_version(root)?;
    match format {
        Format::Json => print!("{}", diff.to_json(base, &version)),
        Format::Text => {
            print!("{}", diff.report(base, &version));
            println!("\nChangelog section (paste into the release notes):\n");
            print!("{}", diff.changelog(&version));
        }
    }
    Ok(diff)
}

/// The one-line verdict `cargo xtask codegen` ends with. Never fails: without git, or with a
/// `HEAD` that has no spec, it says so instead.
pub fn summary_line(root: &Path, new: &codegen::ir::Ir) -> String {
    let old = match load_base(root, "HEAD") {
        Ok(old) => old,
        Err(e) => {
            let first = e.lines().next().unwrap_or_default().to_owned();
            return format!("spec diff against HEAD skipped: {first}");
        }
    };
    let diff = codegen::diff::diff(&old, new);
    let version = client_version(root).unwrap_or_else(|_| "?".to_owned());
    let verdict = match diff.verdict() {
        None => "no API change".to_owned(),
        Some(_) => format!("{}; {}", diff.tally(), diff.version_line(&version).trim_start_matches("Version: ")),
    };
    format!("spec against HEAD: {verdict} (details: cargo xtask diff)")
}

/// Loads the base spec: a directory (the spec itself, or a checkout holding `api-spec/`), or
/// else a git ref of the repository at `root`.
pub fn load_base(root: &Path, base: &str) -> Result<codegen::ir::Ir, String> {
    let dir = Path::new(base);
    let sources = if dir.is_dir() {
        let spec_dir = if dir.join("api-spec").is_dir() { dir.join("api-spec") } else { dir.to_path_buf() };
        codegen::load::read_dir(&spec_dir, &format!("{}", spec_dir.display())).map_err(|d| d.to_string())?
    } else {
        spec_at_ref(root, base)?
    };
    codegen::ir_from_sources(sources).map_err(|d| format!("the spec at {base} does not load:\n{d}"))
}

/// The `api-spec/**/*.toml` files of a git ref, read with two git processes (`ls-tree`, then
/// one `cat-file --batch` for all blobs), named `REF:api-spec/...` in messages.
pub fn spec_at_ref(root: &Path, reference: &str) -> Result<Vec<SourceFile>, String> {
    if reference.starts_with('-') {
        return Err(format!("`{reference}` is not a git ref or a directory"));
    }
    // Paths inside the repository, for a workspace that is not at the repository's top.
    let prefix = git(root, &["rev-parse", "--show-prefix"], None)?.trim().to_owned();
    let spec = format!("{prefix}api-spec");
    let listing = git(root, &["ls-tree", "-r", "--full-tree", "--name-only", reference, "--", &spec], None)?;
    let paths: Vec<&str> = listing.lines().filter(|p| p.ends_with(".toml")).collect();
    if paths.is_empty() {
        return Err(format!("{reference} has no spec files under api-spec/"));
    }
    let request: String = paths.iter().map(|p| format!("{reference}:{p}\n")).collect();
    let batch = git(root, &["cat-file", "--batch"], Some(&request))?;
    let mut rest = batch.as_str();
    let mut files = Vec::new();
    for path in paths {
        // Each blob: `<sha> blob <size>\n<contents>\n`.
        let (header, body) = rest.split_once('\n').ok_or("git cat-file: truncated output")?;
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("git cat-file: unexpected header {header:?} for {path}"))?;
        let text = body.get(..size).ok_or("git cat-file: truncated blob")?;
        rest = body.get(size + 1..).unwrap_or_default();
        let shown = path.strip_prefix(&prefix).unwrap_or(path);
        files.push(SourceFile::new(format!("{reference}:{shown}"), text));
    }
    Ok(files)
}

fn git(root: &Path, args: &[&str], input: Option<&str>) -> Result<String, String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        // Written from a thread: git answers while it reads, so writing everything before
        // reading could fill both pipes and deadlock.
        let text = text.to_owned();
        std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    }
    let out = child.wait_with_output().map_err(|e| format!("git {}: {e}", args.join(" ")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("git {}: {}", args.join(" "), err.trim()));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("git {}: output is not UTF-8", args.join(" ")))
}

/// The version of the client crate, from `generated-client/Cargo.toml`.
pub fn client_version(root: &Path) -> Result<String, String> {
    let path = root.join("generated-client/Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .find_map(|l| l.strip_prefix("version = \"").and_then(|v| v.strip_suffix('"')))
        .map(str::to_owned)
        .ok_or_else(|| format!("{}: no `version = \"...\"` line", path.display()))
}
