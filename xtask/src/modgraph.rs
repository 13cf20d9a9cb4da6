//! Which module files of a crate use which: the graph behind the layering tests
//! (`xtask/tests/layering.rs`). Every crate of the workspace must be free of import circles
//! between its files, and the core's modules must keep the layer order its crate docs state.
//!
//! What counts as "file A uses file B": A's code names a path into B, written as
//!
//! - `crate::b::...` (also `$crate::` in macros), including each branch of a grouped
//!   `use crate::{a, b::c}`;
//! - `super::b::...` / `super::Item` (a child using its parent counts as well);
//! - `self::b::...` or `b::...` where `b` is a submodule declared in the current module;
//!
//! anywhere in the file: `use` lines, types, expressions, and the tokens of macro calls (except
//! `quote!` and its kin, whose tokens are code generated for another crate). A path
//! that names an item a module re-exports (`pub use x::Item;`, or a private `use` a child sees
//! through `super::`) is followed to the module that defines it, so naming `crate::Error` is a
//! use of `error.rs`, not of `lib.rs`.
//!
//! Nodes are files: `x/mod.rs` and each `x/child.rs` are separate nodes; an inline `mod m { .. }`
//! belongs to the file it is written in. A `mod b;` declaration alone is no use of `b`.
//!
//! Only paths count: calling a method on a value of another file's type is a use of that type
//! wherever the value came from, not of the method's file (`impl` blocks may sit in several
//! files).
//!
//! Tests are left out: an item under `#[cfg(test)]` (the usual `mod tests { .. }`, or a test-only
//! `use`) adds no edges, since tests may import anything without shaping the layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// One place a file names a path into another file.
#[derive(Debug, Clone)]
pub struct Use {
    /// 1-based line in the using file.
    pub line: usize,
    /// The path as written (groups expanded), e.g. `crate::client::ClientBuilder`.
    pub path: String,
    /// The file it lands in (index into [`ModuleGraph::files`]).
    pub target: usize,
}

/// One module file of a crate.
#[derive(Debug)]
pub struct ModFile {
    /// Path relative to the crate's directory, e.g. `src/limiter/mod.rs`.
    pub path: PathBuf,
    /// The module path from the crate root (`[]` for `lib.rs`/`main.rs`).
    pub module: Vec<String>,
    /// What the file uses in other files, in source order.
    pub uses: Vec<Use>,
}

/// A crate's module files and the uses between them.
#[derive(Debug)]
pub struct ModuleGraph {
    pub files: Vec<ModFile>,
}

/// A module (file or inline) in the crate's tree.
#[derive(Debug, Default)]
struct Module {
    file: usize,
    children: BTreeSet<String>,
    /// Names brought in by `use` (public or private): name -> absolute path.
    imports: BTreeMap<String, Vec<String>>,
    /// The same as written, before the whole tree is known.
    written_imports: Vec<Import>,
}

/// A name a `use` brings in, and the path it stands for as written.
type Import = (String, Vec<String>);

/// A path collected from the tokens before resolution.
struct RawPath {
    /// The module the path is written in.
    context: Vec<String>,
    segments: Vec<String>,
    line: usize,
}

impl ModuleGraph {
    /// Reads the crate rooted at `root_file` (e.g. `<crate>/src/lib.rs`); `crate_dir` is where
    /// reported paths are relative to.
    pub fn load(crate_dir: &Path, root_file: &Path) -> Result<ModuleGraph, String> {
        let mut loader =
            Loader { crate_dir: crate_dir.to_path_buf(), files: Vec::new(), modules: BTreeMap::new(), raw: Vec::new() };
        let dir = root_file.parent().ok_or("crate root has no directory")?.to_path_buf();
        loader.load_file(root_file, Vec::new(), dir)?;
        let Loader { files, mut modules, raw, .. } = loader;
        let written: Vec<(Vec<String>, Vec<Import>)> =
            modules.iter_mut().map(|(path, m)| (path.clone(), std::mem::take(&mut m.written_imports))).collect();
        for (path, imports) in written {
            for (name, segments) in imports {
                if let Some(absolute) = absolute(&modules, &path, &segments) {
                    modules.get_mut(&path).unwrap().imports.insert(name, absolute);
                }
            }
        }
        let mut graph = ModuleGraph { files };
        for (file, paths) in raw.into_iter().enumerate() {
            for raw in paths {
                let Some(absolute) = absolute(&modules, &raw.context, &raw.segments) else { continue };
                let target = resolve(&modules, &absolute, 0);
                if target != file {
                    graph.files[file].uses.push(Use { line: raw.line, path: raw.segments.join("::"), target });
                }
            }
        }
        Ok(graph)
    }

    /// The file with this path (relative to the crate directory, `/`-separated).
    pub fn file(&self, path: &str) -> Option<usize> {
        self.files.iter().position(|f| f.path == Path::new(path))
    }

    /// Every set of files that use each other in a circle (strongly connected components of more
    /// than one file), each with one circle through it spelled out with the uses on it.
    pub fn circles(&self) -> Vec<String> {
        let mut out = Vec::new();
        for component in self.components() {
            if component.len() < 2 {
                continue;
            }
            let members: BTreeSet<usize> = component.iter().copied().collect();
            let start = *members.iter().next().unwrap();
            let circle = self.circle_through(start, &members);
            let mut text = format!(
                "import circle between {}:",
                members.iter().map(|&m| self.files[m].path.display().to_string()).collect::<Vec<_>>().join(", ")
            );
            for pair in circle.windows(2) {
                let (from, to) = (pair[0], pair[1]);
                let u = self.files[from].uses.iter().find(|u| u.target == to).unwrap();
                text.push_str(&format!(
                    "\n  {}:{}: `{}` -> {}",
                    self.files[from].path.display(),
                    u.line,
                    u.path,
                    self.files[to].path.display()
                ));
            }
            out.push(text);
        }
        out
    }

    /// A shortest circle from `start` back to it, within `members`.
    fn circle_through(&self, start: usize, members: &BTreeSet<usize>) -> Vec<usize> {
        let mut previous: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            for next in self.targets(node) {
                if !members.contains(&next) {
                    continue;
                }
                if next == start {
                    let mut path = vec![start, node];
                    let mut at = node;
                    while at != start {
                        at = previous[&at];
                        path.push(at);
                    }
                    path.reverse();
                    return path;
                }
                if let std::collections::btree_map::Entry::Vacant(e) = previous.entry(next) {
                    e.insert(node);
                    queue.push_back(next);
                }
            }
        }
        vec![start]
    }

    fn targets(&self, node: usize) -> BTreeSet<usize> {
        self.files[node].uses.iter().map(|u| u.target).collect()
    }

    /// Tarjan's strongly connected components.
    fn components(&self) -> Vec<Vec<usize>> {
        struct State {
            index: Vec<Option<usize>>,
            low: Vec<usize>,
            on_stack: Vec<bool>,
            stack: Vec<usize>,
            next: usize,
            out: Vec<Vec<usize>>,
        }
        fn visit(g: &ModuleGraph, v: usize, s: &mut State) {
            s.index[v] = Some(s.next);
            s.low[v] = s.next;
            s.next += 1;
            s.stack.push(v);
            s.on_stack[v] = true;
            for w in g.targets(v) {
                match s.index[w] {
                    None => {
                        visit(g, w, s);
                        s.low[v] = s.low[v].min(s.low[w]);
                    }
                    Some(i) if s.on_stack[w] => s.low[v] = s.low[v].min(i),
                    Some(_) => {}
                }
            }
            if Some(s.low[v]) == s.index[v] {
                let mut component = Vec::new();
                loop {
                    let w = s.stack.pop().unwrap();
                    s.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                s.out.push(component);
            }
        }
        let n = self.files.len();
        let mut s = State {
            index: vec![None; n],
            low: vec![0; n],
            on_stack: vec![false; n],
            stack: Vec::new(),
            next: 0,
            out: Vec::new(),
        };
        for v in 0..n {
            if s.index[v].is_none() {
                visit(self, v, &mut s);
            }
        }
        s.out
    }
}

struct Loader {
    crate_dir: PathBuf,
    files: Vec<ModFile>,
    modules: BTreeMap<Vec<String>, Module>,
    /// Per file, the paths its tokens name.
    raw: Vec<Vec<RawPath>>,
}

impl Loader {
    /// Loads the file of module `module`; its submodules' files live in `dir`.
    fn load_file(&mut self, path: &Path, module: Vec<String>, dir: PathBuf) -> Result<(), String> {
        let source = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let parsed = syn::parse_file(&source).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = self.files.len();
        let relative = path.strip_prefix(&self.crate_dir).unwrap_or(path).to_path_buf();
        self.files.push(ModFile { path: relative, module: module.clone(), uses: Vec::new() });
        self.raw.push(Vec::new());
        self.modules.insert(module.clone(), Module { file, ..Module::default() });
        self.load_items(path, file, &parsed.items, &module, &dir)
    }

    fn load_items(
        &mut self,
        path: &Path,
        file: usize,
        items: &[syn::Item],
        module: &[String],
        dir: &Path,
    ) -> Result<(), String> {
        for item in items {
            if test_only(item_attrs(item)) {
                continue;
            }
            match item {
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    if m.attrs.iter().any(|a| a.path().is_ident("path")) {
                        return Err(format!("{}: `#[path]` on `mod {name}` is not supported", path.display()));
                    }
                    self.modules.get_mut(module).unwrap().children.insert(name.clone());
                    let mut child = module.to_vec();
                    child.push(name.clone());
                    match &m.content {
                        Some((_, inner)) => {
                            self.modules.insert(child.clone(), Module { file, ..Module::default() });
                            self.load_items(path, file, inner, &child, &dir.join(&name))?;
                        }
                        None => {
                            let flat = dir.join(format!("{name}.rs"));
                            let (child_file, child_dir) = if flat.exists() {
                                (flat, dir.join(&name))
                            } else {
                                (dir.join(&name).join("mod.rs"), dir.join(&name))
                            };
                            self.load_file(&child_file, child, child_dir)?;
                        }
                    }
                }
                syn::Item::Use(u) => {
                    let mut imports = Vec::new();
                    use_tree(&u.tree, Vec::new(), &mut imports);
                    self.modules.get_mut(module).unwrap().written_imports.extend(imports);
                    self.scan(file, module, item.to_token_stream());
                }
                _ => self.scan(file, module, item.to_token_stream()),
            }
        }
        Ok(())
    }

    fn scan(&mut self, file: usize, module: &[String], tokens: TokenStream) {
        let mut found = Vec::new();
        paths_in(tokens, &mut found);
        for (segments, line) in found {
            self.raw[file].push(RawPath { context: module.to_vec(), segments, line });
        }
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[cfg(test)]`, or a `cfg(all(..))` that requires `test`.
fn test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        if !a.path().is_ident("cfg") {
            return false;
        }
        let Ok(list) = a.meta.require_list() else { return false };
        let text: String = list.tokens.to_string().chars().filter(|c| !c.is_whitespace()).collect();
        text == "test"
            || (text.starts_with("all(")
                && text.split([',', '(', ')']).any(|t| t == "test")
                && !text.contains("not(test"))
    })
}

/// The names a `use` tree brings in, each with the path it stands for (`*` for a glob).
fn use_tree(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<Import>) {
    let with = |s: String| {
        let mut p = prefix.clone();
        p.push(s);
        p
    };
    match tree {
        syn::UseTree::Path(p) => use_tree(&p.tree, with(p.ident.to_string()), out),
        syn::UseTree::Name(n) if n.ident == "self" => {
            if let Some(last) = prefix.last() {
                out.push((last.clone(), prefix.clone()));
            }
        }
        syn::UseTree::Name(n) => out.push((n.ident.to_string(), with(n.ident.to_string()))),
        syn::UseTree::Rename(r) if r.ident == "self" => out.push((r.rename.to_string(), prefix)),
        syn::UseTree::Rename(r) => out.push((r.rename.to_string(), with(r.ident.to_string()))),
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_tree(t, prefix.clone(), out);
            }
        }
    }
}

/// Every path in `tokens` of at least two segments, groups (`a::{b, c::d}`) expanded, with the
/// line it starts on. A path preceded by `::` (`::std::..`) is left out.
fn paths_in(tokens: TokenStream, out: &mut Vec<(Vec<String>, usize)>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Group(g) => {
                paths_in(g.stream(), out);
                i += 1;
            }
            TokenTree::Ident(ident) if QUOTING.contains(&ident.to_string().as_str()) && is_bang(&trees, i + 1) => {
                // Code being generated for another crate: its `crate::` is not ours.
                i += 3;
            }
            TokenTree::Ident(ident) => {
                let after_colons = i >= 2 && is_colons(&trees, i - 2);
                let line = ident.span().start().line;
                // `$crate` is an ident `crate` after a `$`: the same path.
                let mut segments = vec![ident.to_string()];
                let next = path_tail(&trees, i + 1, &mut segments, line, out);
                if !after_colons && segments.len() >= 2 {
                    out.push((segments, line));
                }
                i = next.max(i + 1);
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => i += 1,
        }
    }
}

/// Extends `segments` with `::ident` pairs from `i` on; a trailing `::{..}` group is expanded
/// into `out` (one path per branch). Returns the index after the path.
fn path_tail(
    trees: &[TokenTree],
    mut i: usize,
    segments: &mut Vec<String>,
    line: usize,
    out: &mut Vec<(Vec<String>, usize)>,
) -> usize {
    while is_colons(trees, i) {
        match trees.get(i + 2) {
            Some(TokenTree::Ident(id)) => {
                segments.push(id.to_string());
                i += 3;
            }
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                group_branches(g.stream(), segments, line, out);
                segments.clear();
                return i + 3;
            }
            _ => return i + 2,
        }
    }
    i
}

/// The branches of a `use` group: each is `prefix::branch`.
fn group_branches(tokens: TokenStream, prefix: &[String], line: usize, out: &mut Vec<(Vec<String>, usize)>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for branch in trees.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        let mut segments = prefix.to_vec();
        match branch.first() {
            Some(TokenTree::Ident(id)) if id == "self" => {}
            Some(TokenTree::Ident(id)) => {
                segments.push(id.to_string());
                path_tail(branch, 1, &mut segments, line, out);
                if segments.is_empty() {
                    continue; // a nested group, already expanded
                }
            }
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                group_branches(g.stream(), prefix, line, out);
                continue;
            }
            _ => {} // `*`: the prefix itself
        }
        if segments.len() >= 2 || (segments.len() == 1 && matches!(segments[0].as_str(), "crate" | "super" | "self")) {
            out.push((segments, line));
        }
    }
}

/// Macros whose input is code for another crate (the generator's output).
const QUOTING: &[&str] = &["quote", "quote_spanned", "parse_quote", "parse_quote_spanned"];

fn is_bang(trees: &[TokenTree], i: usize) -> bool {
    matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '!')
}

fn is_colons(trees: &[TokenTree], i: usize) -> bool {
    matches!((trees.get(i), trees.get(i + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':')
}

/// The absolute module path a path written in `context` starts from, or `None` for a path that
/// does not start in this crate (another crate, a type's associated item, a local name).
fn absolute(modules: &BTreeMap<Vec<String>, Module>, context: &[String], segments: &[String]) -> Option<Vec<String>> {
    let first = segments.first()?;
    match first.as_str() {
        "crate" => Some(segments[1..].to_vec()),
        "super" | "self" => {
            let mut base = context.to_vec();
            let mut rest = segments;
            while let Some(s) = rest.first() {
                match s.as_str() {
                    "super" => {
                        base.pop()?;
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            Some(base)
        }
        name => {
            let here = modules.get(context)?;
            if here.children.contains(name) {
                let mut base = context.to_vec();
                base.extend(segments.iter().cloned());
                Some(base)
            } else {
                None
            }
        }
    }
}

/// The file an absolute path lands in: the deepest module on it, or, when the rest of the path
/// names something that module imports, wherever that comes from.
fn resolve(modules: &BTreeMap<Vec<String>, Module>, path: &[String], depth: usize) -> usize {
    let mut length = path.len();
    while !modules.contains_key(&path[..length]) {
        length -= 1;
    }
    let module = &modules[&path[..length]];
    if length < path.len()
        && depth < 16
        && let Some(target) = module.imports.get(&path[length])
    {
        let mut next = target.clone();
        next.extend(path[length + 1..].iter().cloned());
        return resolve(modules, &next, depth + 1);
    }
    module.file
}
