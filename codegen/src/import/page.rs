//! Reading a copied doc page into what it states, each fact with its page line.
//!
//! Two kinds of page are understood: an API reference page (title, 更新时间, 前置条件, 频率限制,
//! 支持商户, 请求方式, parameter tables, 应答参数, examples, 错误码) and an "API请求示例" page
//! whose curl example annotates every field with a `# 必填/选填/条件必填, 说明` comment. Copying
//! loses the page's structure: nesting (属性 blocks, often collapsed) is recovered from the
//! page's own examples, and lines that fit nowhere are kept in [`Page::unplaced`].

use super::ImportError;
use super::json::{self, Node};
use super::text::{self, Line};
use crate::spec::{ExampleFormat, ExampleKind, Method, Presence};

/// A fact and the page line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
}

fn at<T>(value: T, line: usize) -> Located<T> {
    Located { value, line }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// An API reference page with parameter tables.
    Reference,
    /// An "API请求示例" page: one annotated curl example.
    Example,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    String,
    Integer,
    Boolean,
    Object,
    /// `array` without an element type: taken from the example.
    Unknown,
}

/// A type word of a parameter table: `string(40)`, `integer`, `array[object]`, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeWord {
    pub base: Base,
    pub array: bool,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct PageField {
    pub name: String,
    pub line: usize,
    /// `None` where the page does not say (an example key without a comment).
    pub presence: Option<Presence>,
    pub condition: Option<String>,
    pub ty: Option<TypeWord>,
    pub label: Option<String>,
    pub description: Option<String>,
    /// `可选取值` (or `VALUE=meaning` in a comment), each with its meaning and line.
    pub enum_values: Vec<(String, String, usize)>,
    pub children: Vec<PageField>,
    /// The page shows a 属性 heading for it (its nested fields may still be collapsed away).
    pub attr_block: bool,
    /// The value the page's example gives it.
    pub example: Option<Node>,
    /// How the importer read the presence, when not word for word.
    pub presence_note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PageHeader {
    pub name: String,
    pub required: bool,
    pub description: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct PageResponse {
    pub status: u16,
    pub line: usize,
    pub fields: Vec<PageField>,
}

#[derive(Debug, Clone)]
pub struct PageError {
    pub status: u16,
    pub code: String,
    pub description: String,
    pub solution: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct PageExample {
    pub kind: ExampleKind,
    pub format: ExampleFormat,
    pub title: String,
    pub status: Option<u16>,
    /// Verbatim, gutter stripped.
    pub text: String,
    pub line: usize,
    /// The JSON body (comments stripped), with page lines.
    pub json: Option<Node>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub kind: PageKind,
    pub title: Located<String>,
    pub updated: Option<Located<String>>,
    pub description: Option<Located<String>>,
    pub preconditions: Vec<Located<String>>,
    pub rate_limit: Option<Located<String>>,
    pub merchants: Vec<Located<String>>,
    pub method: Option<Located<Method>>,
    pub path: Option<Located<String>>,
    /// A doc id found in a URL of the text (`.../doc/v3/partner/4016280622`).
    pub doc_id: Option<Located<String>>,
    pub headers: Vec<PageHeader>,
    pub path_params: Vec<PageField>,
    pub query_params: Vec<PageField>,
    pub body: Vec<PageField>,
    pub responses: Vec<PageResponse>,
    pub errors: Vec<PageError>,
    pub examples: Vec<PageExample>,
    /// Lines the importer could not place anywhere.
    pub unplaced: Vec<Located<String>>,
    /// Lines understood but not part of an operation (e.g. the service's domains).
    pub skipped: Vec<Located<String>>,
}

/// Site chrome that copying picks up: tab names, buttons, table markers.
const CHROME: &[&str] = &["curl", "Java", "Go", "元宝AI", "反馈", "目录", "置顶", "||", "|", "接口说明", "请求参数"];

fn is_chrome(s: &str) -> bool {
    s.is_empty() || CHROME.contains(&s)
}

/// Reads the page. Errors name the page line.
pub fn parse(page: &str, text: &str) -> Result<Page, ImportError> {
    let lines = text::lines(text);
    let Some(first) = lines.iter().find(|l| !l.text.is_empty()) else {
        return Err(ImportError::new(page, 1, "the page is empty"));
    };
    let mut out = Page {
        kind: PageKind::Reference,
        title: at(first.text.clone(), first.no),
        updated: None,
        description: None,
        preconditions: Vec::new(),
        rate_limit: None,
        merchants: Vec::new(),
        method: None,
        path: None,
        doc_id: find_doc_id(&lines),
        headers: Vec::new(),
        path_params: Vec::new(),
        query_params: Vec::new(),
        body: Vec::new(),
        responses: Vec::new(),
        errors: Vec::new(),
        examples: Vec::new(),
        unplaced: Vec::new(),
        skipped: Vec::new(),
    };
    if first.text.contains("API请求示例") {
        out.kind = PageKind::Example;
        example_page(page, &lines, &mut out)?;
    } else {
        reference_page(page, &lines, &mut out)?;
    }
    Ok(out)
}

fn find_doc_id(lines: &[Line]) -> Option<Located<String>> {
    for l in lines {
        for marker in ["/doc/v3/partner/", "/doc/v3/merchant/", "/doc/brand/"] {
            if let Some(i) = l.text.find(marker) {
                let digits: String =
                    l.text.get(i + marker.len()..).unwrap_or("").chars().take_while(char::is_ascii_digit).collect();
                if !digits.is_empty() {
                    return Some(at(digits, l.no));
                }
            }
        }
    }
    None
}

/// `key:value` or `key：value`.
fn after_key<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let rest = s.strip_prefix(key)?.trim_start();
    Some(rest.strip_prefix(':').or_else(|| rest.strip_prefix('：')).unwrap_or(rest).trim())
}

/// The texts inside 【...】.
fn bracketed(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('【') {
        let after = rest.get(open + '【'.len_utf8()..).unwrap_or("");
        let Some(close) = after.find('】') else { break };
        out.push(after.get(..close).unwrap_or("").trim().to_owned());
        rest = after.get(close + '】'.len_utf8()..).unwrap_or("");
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Intro,
    Headers,
    Path,
    Query,
    Body,
    Response,
    RequestExample,
    ResponseExample,
    Errors,
}

fn section_marker(s: &str) -> Option<Section> {
    let lower = s.to_ascii_lowercase();
    Some(match s {
        _ if lower.starts_with("header") && (s.contains("HTTP头参数") || lower == "header") => Section::Headers,
        _ if lower.starts_with("path") && s.contains("路径参数") => Section::Path,
        _ if lower.starts_with("query") && s.contains("查询参数") => Section::Query,
        _ if lower.starts_with("body") && s.contains("包体参数") => Section::Body,
        "应答参数" | "返回参数" => Section::Response,
        "请求示例" => Section::RequestExample,
        "应答示例" | "返回示例" => Section::ResponseExample,
        "错误码" => Section::Errors,
        _ => return None,
    })
}

/// `200 OK` -> 200.
fn status_line(s: &str) -> Option<u16> {
    let (code, _) = s.split_once(' ').unwrap_or((s, ""));
    let status: u16 = code.parse().ok()?;
    ((100..600).contains(&status) && code.len() == 3).then_some(status)
}

fn reference_page(page: &str, lines: &[Line], out: &mut Page) -> Result<(), ImportError> {
    let title_line = out.title.line;
    // Pass 1: page facts and examples; field sections are collected for pass 2, which needs
    // the examples to place nested fields.
    let mut section = Section::Intro;
    let mut intro: Vec<&Line> = Vec::new();
    let mut fields: Vec<(Section, Option<u16>, Vec<&Line>)> = Vec::new();
    let mut error_lines: Vec<&Line> = Vec::new();
    let mut example_status: Option<u16> = None;
    let mut saw_response = None;
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        i += 1;
        let s = line.text.as_str();
        if line.no <= title_line || is_chrome(s) {
            continue;
        }
        if let Some(next) = section_marker(s) {
            section = next;
            example_status = None;
            if matches!(next, Section::Headers | Section::Path | Section::Query | Section::Body) {
                fields.push((next, None, Vec::new()));
            }
            if next == Section::Response {
                saw_response = Some(line.no);
            }
            continue;
        }
        if let Some(v) = after_key(s, "更新时间") {
            out.updated = Some(at(v.to_owned(), line.no));
        } else if let Some(v) = after_key(s, "前置条件") {
            out.preconditions.push(at(v.to_owned(), line.no));
        } else if let Some(v) = after_key(s, "频率限制") {
            out.rate_limit = Some(at(v.to_owned(), line.no));
        } else if let Some(v) = after_key(s, "支持商户") {
            let named = bracketed(v);
            let named = if named.is_empty() {
                v.split(['、', ',', '，']).map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()).collect()
            } else {
                named
            };
            out.merchants.extend(named.into_iter().map(|m| at(m, line.no)));
        } else if let Some(v) = after_key(s, "请求方式") {
            let words = bracketed(v);
            let method = words.first().and_then(|m| method(m)).ok_or_else(|| {
                ImportError::new(page, line.no, format!("请求方式 `{v}` names no HTTP method (【GET】, 【POST】, ...)"))
            })?;
            let path = v.rsplit('】').next().unwrap_or("").trim();
            if !path.starts_with('/') {
                return Err(ImportError::new(page, line.no, format!("请求方式 `{v}` has no path starting with `/`")));
            }
            out.method = Some(at(method, line.no));
            out.path = Some(at(path.to_owned(), line.no));
        } else if s.starts_with("请求域名") || s.starts_with("【备域名】") {
            out.skipped.push(at(format!("request domain (service-wide, see service.toml): {s}"), line.no));
        } else {
            match section {
                Section::Intro => intro.push(line),
                Section::Headers | Section::Path | Section::Query | Section::Body => {
                    if let Some(last) = fields.last_mut() {
                        last.2.push(line);
                    }
                }
                Section::Response => {
                    if let Some(status) = status_line(s) {
                        fields.push((Section::Response, Some(status), Vec::new()));
                    } else if let Some(last) = fields.last_mut().filter(|f| f.0 == Section::Response) {
                        last.2.push(line);
                    } else {
                        out.unplaced.push(at(s.to_owned(), line.no));
                    }
                }
                Section::RequestExample | Section::ResponseExample => {
                    if let Some(status) = status_line(s) {
                        example_status = Some(status);
                    } else if method(s).is_some() {
                        // the example's method tab
                    } else if line.raw.starts_with('1') {
                        let (block, next) = text::gutter_block(lines, i - 1).unwrap_or_default();
                        i = next.max(i);
                        let kind = if section == Section::RequestExample {
                            ExampleKind::Request
                        } else {
                            ExampleKind::Response
                        };
                        let title = if kind == ExampleKind::Request { "请求示例" } else { "应答示例" };
                        let ex = example(page, kind, title.to_owned(), example_status, &block)?;
                        out.examples.push(ex);
                    } else {
                        out.unplaced.push(at(s.to_owned(), line.no));
                    }
                }
                Section::Errors => error_lines.push(line),
            }
        }
    }
    if out.method.is_none() {
        return Err(ImportError::new(
            page,
            title_line,
            "not a WeChat Pay API page: it has no 请求方式 line (and is not an \"API请求示例\" page)",
        ));
    }
    if saw_response.is_none() {
        let last = lines.last().map_or(1, |l| l.no);
        return Err(ImportError::new(
            page,
            last,
            "the page ends before its 应答参数 section: it looks truncated (copy the whole page)",
        ));
    }
    let desc: Vec<&str> = intro.iter().map(|l| l.text.as_str()).collect();
    if let Some(first) = intro.first() {
        out.description = Some(at(desc.join("\n"), first.no));
    }
    out.errors = error_table(page, &error_lines, &mut out.unplaced)?;

    // Pass 2: the parameter tables, placed with the examples' help.
    let request_example = out.examples.iter().find(|e| e.kind == ExampleKind::Request).and_then(|e| e.json.clone());
    for (section, status, section_lines) in fields {
        match section {
            Section::Headers => {
                out.headers.extend(headers(page, &section_lines, &mut out.unplaced)?);
            }
            Section::Path => out.path_params = field_table(page, &section_lines, None, &mut out.unplaced)?,
            Section::Query => out.query_params = field_table(page, &section_lines, None, &mut out.unplaced)?,
            Section::Body => {
                out.body = field_table(page, &section_lines, request_example.as_ref(), &mut out.unplaced)?;
            }
            Section::Response => {
                let status = status.unwrap_or(200);
                let example = out
                    .examples
                    .iter()
                    .find(|e| e.kind == ExampleKind::Response && e.status.is_none_or(|s| s == status))
                    .and_then(|e| e.json.clone());
                let line = section_lines.first().map_or(0, |l| l.no);
                let fields = field_table(page, &section_lines, example.as_ref(), &mut out.unplaced)?;
                out.responses.push(PageResponse { status, line, fields });
            }
            _ => {}
        }
    }
    Ok(())
}

fn method(s: &str) -> Option<Method> {
    Some(match s {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        _ => return None,
    })
}

/// The 错误码 table: an introduction, the four column names, then rows of four cells, one
/// per line (状态码, 错误码, 描述, 解决方案).
fn error_table(
    page: &str,
    lines: &[&Line],
    unplaced: &mut Vec<Located<String>>,
) -> Result<Vec<PageError>, ImportError> {
    let mut rows = Vec::new();
    let cells: Vec<&&Line> = lines
        .iter()
        .filter(|l| !matches!(l.text.as_str(), "状态码" | "错误码" | "描述" | "解决方案"))
        .filter(|l| !l.text.contains("错误码列表"))
        .collect();
    let mut i = 0;
    while let Some(first) = cells.get(i) {
        let Some(status) = status_line(&first.text).filter(|_| first.text.len() == 3) else {
            unplaced.push(at(first.text.clone(), first.no));
            i += 1;
            continue;
        };
        let (Some(code), Some(description), Some(solution)) = (cells.get(i + 1), cells.get(i + 2), cells.get(i + 3))
        else {
            return Err(ImportError::new(
                page,
                first.no,
                "the error table's last row is incomplete (状态码, 错误码, 描述, 解决方案): the page looks truncated",
            ));
        };
        if !code.text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
            return Err(ImportError::new(
                page,
                code.no,
                format!("`{}` is not an error code (expected UPPER_SNAKE_CASE after 状态码 {status})", code.text),
            ));
        }
        rows.push(PageError {
            status,
            code: code.text.clone(),
            description: description.text.clone(),
            solution: solution.text.clone(),
            line: first.no,
        });
        i += 4;
    }
    Ok(rows)
}

/// A parameter header line: `name 必填 string(40)` (the cells may run together).
fn field_header(s: &str) -> Option<(String, Presence, String)> {
    let (i, word, presence) =
        [("条件必填", Presence::Conditional), ("必填", Presence::Required), ("选填", Presence::Optional)]
            .into_iter()
            .find_map(|(w, p)| s.find(w).map(|i| (i, w, p)))?;
    let name = s.get(..i)?.trim();
    let ty = s.get(i + word.len()..)?.trim();
    let is_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let is_type = ty.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && !ty.contains(' ');
    (is_name && is_type).then(|| (name.to_owned(), presence, ty.to_owned()))
}

/// Parses a type word; `Err` names the words understood.
pub fn type_word(word: &str) -> Result<TypeWord, String> {
    let w = word.trim().to_ascii_lowercase();
    if let Some(inner) = w.strip_prefix("array[").and_then(|r| r.strip_suffix(']')) {
        let mut t = type_word(inner)?;
        t.array = true;
        return Ok(t);
    }
    let plain = |base| Ok(TypeWord { base, array: false, min_length: None, max_length: None });
    match w.as_str() {
        "array" | "list" => {
            return Ok(TypeWord { base: Base::Unknown, array: true, min_length: None, max_length: None });
        }
        "integer" | "int" | "int32" | "int64" | "uint32" | "uint64" | "long" => return plain(Base::Integer),
        "boolean" | "bool" => return plain(Base::Boolean),
        "object" => return plain(Base::Object),
        "string" => return plain(Base::String),
        _ => {}
    }
    let bad = || {
        format!(
            "unknown type word `{word}` (known: string, string(N), string[min,max], integer, boolean, object, array[...])"
        )
    };
    let rest = w.strip_prefix("string").ok_or_else(bad)?;
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')))
        .ok_or_else(bad)?;
    let (min, max) = match inner.split_once(',') {
        Some((a, b)) => (Some(a.trim().parse().map_err(|_| bad())?), b.trim().parse().map_err(|_| bad())?),
        None => (None, inner.trim().parse().map_err(|_| bad())?),
    };
    Ok(TypeWord { base: Base::String, array: false, min_length: min, max_length: Some(max) })
}

fn headers(page: &str, lines: &[&Line], unplaced: &mut Vec<Located<String>>) -> Result<Vec<PageHeader>, ImportError> {
    let mut out: Vec<PageHeader> = Vec::new();
    for line in lines {
        if let Some((name, presence, ty)) = field_header(&line.text) {
            type_word(&ty).map_err(|m| ImportError::new(page, line.no, m))?;
            out.push(PageHeader {
                name,
                required: presence == Presence::Required,
                description: String::new(),
                line: line.no,
            });
        } else if let Some(h) = out.last_mut() {
            if !h.description.is_empty() {
                h.description.push(' ');
            }
            h.description.push_str(&line.text);
        } else {
            unplaced.push(at(line.text.clone(), line.no));
        }
    }
    Ok(out)
}

/// Walks to the example value of the field at `path` (names from the root).
fn example_at<'a>(root: Option<&'a Node>, path: &[String]) -> Option<&'a Node> {
    let mut node = root?;
    for name in path {
        node = node.get(name)?;
    }
    Some(node)
}

fn field_mut<'a>(roots: &'a mut [PageField], path: &[usize]) -> Option<&'a mut PageField> {
    let (first, rest) = path.split_first()?;
    let mut f = roots.get_mut(*first)?;
    for i in rest {
        f = f.children.get_mut(*i)?;
    }
    Some(f)
}

/// How deep fields may nest (属性 blocks, objects in an example). Real pages nest a few
/// levels; the importer's walk over nested fields is recursive, so a hostile page nesting
/// thousands of levels is refused with its line instead of overflowing the stack.
pub const MAX_NESTING: usize = 32;

/// The page line of the first value nested deeper than [`MAX_NESTING`], if any (iterative, so
/// the check itself cannot overflow).
fn too_deep(node: &Node) -> Option<usize> {
    let mut stack = vec![(node, 0usize)];
    while let Some((n, depth)) = stack.pop() {
        if depth > MAX_NESTING {
            return Some(n.line);
        }
        match &n.value {
            json::Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            json::Value::Object(entries) => stack.extend(entries.iter().map(|(_, _, v)| (v, depth + 1))),
            _ => {}
        }
    }
    None
}

/// A parameter table: field header lines, then 【label】 and description lines, `可选取值`
/// values, and `属性` headings that open a nested block. Copying loses where a block ends, so
/// a field goes into the innermost open block whose example has it as a key.
fn field_table(
    page: &str,
    lines: &[&Line],
    example: Option<&Node>,
    unplaced: &mut Vec<Located<String>>,
) -> Result<Vec<PageField>, ImportError> {
    let mut roots: Vec<PageField> = Vec::new();
    // Index paths of the open 属性 blocks, and of the field lines go to.
    let mut open: Vec<Vec<usize>> = Vec::new();
    let mut current: Option<Vec<usize>> = None;
    for line in lines {
        let s = line.text.as_str();
        if s == "属性" {
            if let Some(path) = &current
                && path.len() >= MAX_NESTING
            {
                return Err(ImportError::new(
                    page,
                    line.no,
                    format!("属性 blocks nested more than {MAX_NESTING} levels deep: not a doc page's table"),
                ));
            }
            if let Some(path) = &current
                && let Some(f) = field_mut(&mut roots, path)
            {
                f.attr_block = true;
                open.push(path.clone());
            } else {
                unplaced.push(at(s.to_owned(), line.no));
            }
            continue;
        }
        if let Some((name, presence, ty)) = field_header(s) {
            let ty = type_word(&ty).map_err(|m| ImportError::new(page, line.no, m))?;
            // Find the block this field belongs to.
            let parent = loop {
                let Some(block) = open.last() else { break None };
                let names = names_of(&roots, block);
                match example_at(example, &names) {
                    Some(node) if node.get(&name).is_none() => {
                        open.pop();
                    }
                    _ => break Some(block.clone()),
                }
            };
            let field = PageField {
                name: name.clone(),
                line: line.no,
                presence: Some(presence),
                ty: Some(ty),
                ..PageField::default()
            };
            let path = match parent.and_then(|p| field_mut(&mut roots, &p).map(|f| (p.clone(), f))) {
                Some((mut p, f)) => {
                    f.children.push(field);
                    p.push(f.children.len() - 1);
                    p
                }
                None => {
                    roots.push(field);
                    vec![roots.len() - 1]
                }
            };
            let names = names_of(&roots, &path);
            if let Some(f) = field_mut(&mut roots, &path) {
                f.example = example_at(example, &names).cloned();
            }
            current = Some(path);
            continue;
        }
        let Some(f) = current.as_ref().and_then(|p| field_mut(&mut roots, p)) else {
            unplaced.push(at(s.to_owned(), line.no));
            continue;
        };
        let values =
            enum_values(s.strip_prefix("可选取值").map(|r| r.trim_start_matches([':', '：']).trim()).unwrap_or(s));
        if s.starts_with("可选取值") || !values.is_empty() {
            f.enum_values.extend(values.into_iter().map(|(v, m)| (v, m, line.no)));
            continue;
        }
        let (label, rest) = match s.strip_prefix('【').and_then(|r| r.split_once('】')) {
            Some((label, rest)) if f.label.is_none() => (Some(label.trim().to_owned()), rest.trim()),
            _ => (None, s),
        };
        if label.is_some() {
            f.label = label;
        }
        if !rest.is_empty() {
            match &mut f.description {
                Some(d) => {
                    d.push('\n');
                    d.push_str(rest);
                }
                None => f.description = Some(rest.to_owned()),
            }
        }
    }
    Ok(roots)
}

fn names_of(roots: &[PageField], path: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    let mut level = roots;
    for i in path {
        let Some(f) = level.get(*i) else { break };
        out.push(f.name.clone());
        level = &f.children;
    }
    out
}

/// `ALL: 全场券 SINGLE: 单品券` (one per line or run together), or `SINGLE=单品券` in a comment.
pub fn enum_values(s: &str) -> Vec<(String, String)> {
    let is_value_char = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_';
    // Positions of `VALUE:` / `VALUE：` / `VALUE=` markers.
    let mut markers = Vec::new();
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let ch = |i: usize| chars.get(i).map(|c| c.1);
    let mut k = 0;
    while let Some(&(start, c)) = chars.get(k) {
        let boundary = k.checked_sub(1).and_then(ch).is_none_or(|p| !is_value_char(p));
        if !(c.is_ascii_uppercase() && boundary) {
            k += 1;
            continue;
        }
        let mut j = k;
        while ch(j).is_some_and(is_value_char) {
            j += 1;
        }
        let mut after = j;
        while ch(after) == Some(' ') {
            after += 1;
        }
        match chars.get(after) {
            Some(&(sep_at, sep)) if matches!(sep, ':' | '：' | '=') => {
                let end = chars.get(j).map_or(s.len(), |c| c.0);
                markers.push((start, end, sep_at + sep.len_utf8()));
                k = after + 1;
            }
            _ => k = j,
        }
    }
    let mut out = Vec::new();
    for (n, (start, end, meaning_at)) in markers.iter().enumerate() {
        let meaning_end = markers.get(n + 1).map_or(s.len(), |m| m.0);
        let value = s.get(*start..*end).unwrap_or("").to_owned();
        let meaning = s.get(*meaning_at..meaning_end).unwrap_or("").trim().trim_end_matches([',', '，', '、', ';']);
        out.push((value, meaning.trim().to_owned()));
    }
    out
}

/// An example block (gutter already stripped): a curl command or JSON, possibly inside a
/// Markdown fence under a `## title` heading.
fn example(
    page: &str,
    kind: ExampleKind,
    mut title: String,
    status: Option<u16>,
    block: &[(usize, String)],
) -> Result<PageExample, ImportError> {
    let mut body: &[(usize, String)] = block;
    if let Some(open) = block.iter().position(|(_, l)| l.trim_start().starts_with("```")) {
        if let Some((_, heading)) =
            block.get(..open).unwrap_or_default().iter().find(|(_, l)| l.trim_start().starts_with('#'))
        {
            title = text::normalize(heading.trim_start_matches('#'));
        }
        let inner = block.get(open + 1..).unwrap_or_default();
        let close = inner.iter().position(|(_, l)| l.trim_start().starts_with("```")).ok_or_else(|| {
            let fence = block.get(open).map_or(0, |(n, _)| *n);
            let last = block.last().map_or(fence, |(n, _)| *n);
            ImportError::new(
                page,
                last,
                format!("the example's ``` fence (line {fence}) is never closed: the page looks truncated"),
            )
        })?;
        body = inner.get(..close).unwrap_or_default();
    }
    let first_line = body.first().map_or(0, |(n, _)| *n);
    let last_line = body.last().map_or(first_line, |(n, _)| *n);
    let text: Vec<&str> = body.iter().map(|(_, l)| l.as_str()).collect();
    let text = text.join("\n");
    let format = if text.trim_start().starts_with("curl") { ExampleFormat::Curl } else { ExampleFormat::Json };
    let json = if format == ExampleFormat::Curl && !text.contains("-d '") {
        None
    } else {
        let json_text = crate::examples::extract_json(format, &text).map_err(|(offset, msg)| {
            let line = first_line + text.get(..offset).unwrap_or("").matches('\n').count();
            let line = if msg.contains("EOF") || msg.contains("closing") { last_line } else { line };
            ImportError::new(page, line, format!("{msg} (the example starting at line {first_line} looks truncated)"))
        })?;
        let json_first = first_line
            + if format == ExampleFormat::Curl {
                text.find("-d '").map_or(0, |i| text.get(..i).unwrap_or("").matches('\n').count())
            } else {
                0
            };
        json::parse(&json_text, json_first)
    };
    if let Some(line) = json.as_ref().and_then(too_deep) {
        return Err(ImportError::new(
            page,
            line,
            format!("the example nests values more than {MAX_NESTING} levels deep: not a doc page's example"),
        ));
    }
    Ok(PageExample { kind, format, title, status, text, line: first_line, json })
}

fn example_page(page: &str, lines: &[Line], out: &mut Page) -> Result<(), ImportError> {
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        i += 1;
        let s = line.text.as_str();
        if line.no <= out.title.line || is_chrome(s) {
            continue;
        }
        if let Some(v) = after_key(s, "更新时间") {
            out.updated = Some(at(v.trim_end_matches('|').trim().to_owned(), line.no));
        } else if line.raw.starts_with('1') && out.examples.is_empty() {
            let (block, next) = text::gutter_block(lines, i - 1).unwrap_or_default();
            i = next.max(i);
            let ex = example(page, ExampleKind::Request, out.title.value.clone(), None, &block)?;
            out.examples.push(ex);
        } else {
            out.unplaced.push(at(s.to_owned(), line.no));
        }
    }
    let Some(ex) = out.examples.first().cloned() else {
        return Err(ImportError::new(page, out.title.line, "an \"API请求示例\" page without a numbered example block"));
    };
    if ex.format != ExampleFormat::Curl {
        return Err(ImportError::new(page, ex.line, "the example is not a curl command"));
    }
    curl_facts(page, &ex, out)?;
    Ok(())
}

/// Method, path and headers of a curl example, and the annotated body fields.
fn curl_facts(page: &str, ex: &PageExample, out: &mut Page) -> Result<(), ImportError> {
    let mut line = ex.line;
    for (n, l) in ex.text.lines().enumerate() {
        let l = l.trim();
        let no = ex.line + n;
        if let Some(rest) = l.strip_prefix("curl") {
            line = no;
            if let Some(m) = rest.split_whitespace().skip_while(|w| *w != "-X").nth(1) {
                out.method = method(m).map(|m| at(m, no));
            }
        }
        if let Some(url) = l.split_whitespace().find(|w| w.starts_with("https://") || w.starts_with("http://")) {
            let after_scheme = url.split_once("://").map_or("", |(_, r)| r);
            let path = after_scheme.find('/').and_then(|i| after_scheme.get(i..)).unwrap_or("/");
            let path = path.split('?').next().unwrap_or(path);
            out.path = Some(at(path.to_owned(), no));
        }
        if let Some(h) = l.strip_prefix("-H \"").and_then(|h| h.split_once(':')) {
            let value = h.1.trim().trim_end_matches('\\').trim().trim_end_matches('"');
            out.headers.push(PageHeader {
                name: h.0.trim().to_owned(),
                required: true,
                description: format!("{}: {value}", h.0.trim()),
                line: no,
            });
        }
    }
    if out.method.is_none() {
        out.method = Some(at(if ex.json.is_some() { Method::POST } else { Method::GET }, line));
    }
    if out.path.is_none() {
        return Err(ImportError::new(page, line, "the curl example has no https:// URL"));
    }
    let comments = comments_by_line(ex);
    if let Some(json) = &ex.json {
        let mut used = std::collections::HashSet::new();
        out.body = annotated_fields(None, json, &comments, &mut used);
        for (no, c) in &comments {
            if !used.contains(no) {
                out.unplaced.push(at(format!("comment not matched to a field: # {c}"), *no));
            }
        }
    }
    Ok(())
}

/// `# ...` comments of the curl example by page line.
fn comments_by_line(ex: &PageExample) -> std::collections::BTreeMap<usize, String> {
    let mut out = std::collections::BTreeMap::new();
    for (n, l) in ex.text.lines().enumerate() {
        if let Some(i) = crate::examples::comment_start(l) {
            out.insert(ex.line + n, text::normalize(l.get(i + 1..).unwrap_or("")));
        }
    }
    out
}

/// The example body's keys as fields, each with the comment on its line: the first key of a
/// line takes a `必填,...` comment; `a/b必填,c选填` comments name their keys.
fn annotated_fields(
    parent: Option<&str>,
    node: &Node,
    comments: &std::collections::BTreeMap<usize, String>,
    used: &mut std::collections::HashSet<usize>,
) -> Vec<PageField> {
    let mut out = Vec::new();
    for (name, line, value) in node.entries() {
        let mut f = PageField { name: name.to_owned(), line, example: Some(value.clone()), ..PageField::default() };
        if let Some(c) = comments.get(&line) {
            if let Some(per_key) = per_key_presence(c) {
                if let Some((_, p)) = per_key.iter().find(|(n, _)| n == name) {
                    f.presence = Some(*p);
                    used.insert(line);
                }
            } else if !used.contains(&line) {
                used.insert(line);
                apply_comment(&mut f, c);
                within_parent(&mut f, parent);
            }
        }
        if matches!(value.value, json::Value::Object(_)) || !value.entries().is_empty() {
            f.children = annotated_fields(Some(name), value, comments, used);
        }
        out.push(f);
    }
    out
}

/// `条件必填:当配置X对象时必填` on a field of X is what the spec calls required: a nested
/// model's required fields are checked only where the object is present.
fn within_parent(f: &mut PageField, parent: Option<&str>) {
    let (Some(parent), Some(c)) = (parent, &f.condition) else { return };
    let own = ["对象", "数组", ""].iter().any(|kind| *c == format!("当配置{parent}{kind}时必填"));
    if f.presence == Some(Presence::Conditional) && own {
        f.presence_note =
            Some(format!("`{}` required: the page's condition {c:?} is the presence of its own object", f.name));
        f.presence = Some(Presence::Required);
        f.condition = None;
    }
}

/// `name/price/count必填,image_url选填`.
fn per_key_presence(c: &str) -> Option<Vec<(String, Presence)>> {
    if c.starts_with("必填") || c.starts_with("选填") || c.starts_with("条件必填") {
        return None;
    }
    let mut out = Vec::new();
    for seg in c.split([',', '，']) {
        let seg = seg.trim();
        let (names, p) = if let Some(n) = seg.strip_suffix("必填") {
            (n, Presence::Required)
        } else if let Some(n) = seg.strip_suffix("选填") {
            (n, Presence::Optional)
        } else {
            return None;
        };
        for n in names.split('/') {
            let n = n.trim();
            if n.is_empty() || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            out.push((n.to_owned(), p));
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `必填,label,description`, `选填,label`, `条件必填:当...时必填,label,description`; a label
/// may carry values (`优惠范围:SINGLE=单品券`).
fn apply_comment(f: &mut PageField, c: &str) {
    let (presence, rest) = if let Some(r) = c.strip_prefix("条件必填") {
        (Presence::Conditional, r)
    } else if let Some(r) = c.strip_prefix("必填") {
        (Presence::Required, r)
    } else if let Some(r) = c.strip_prefix("选填") {
        (Presence::Optional, r)
    } else {
        f.description = Some(c.to_owned());
        return;
    };
    f.presence = Some(presence);
    let mut rest = rest.trim_start_matches([':', '：', ',', '，']).trim();
    if presence == Presence::Conditional {
        let end = rest.find("必填").map(|i| i + "必填".len()).or_else(|| rest.find([',', '，'])).unwrap_or(rest.len());
        f.condition = Some(rest.get(..end).unwrap_or(rest).trim().to_owned());
        rest = rest.get(end..).unwrap_or("").trim_start_matches([',', '，']).trim();
    }
    if rest.is_empty() {
        return;
    }
    // `label:VALUE=meaning,VALUE=meaning` lists values (across commas); otherwise the label
    // runs to the first comma or full stop.
    let values = rest.find([':', '：']).and_then(|i| {
        let label = rest.get(..i).unwrap_or("").trim();
        let after = rest.get(i..).unwrap_or("").trim_start_matches([':', '：']);
        let vals = enum_values(after);
        let starts_with_value = vals.first().is_some_and(|(v, _)| after.trim_start().starts_with(v.as_str()));
        (!label.contains([',', '，', '。']) && starts_with_value).then(|| (label.to_owned(), vals))
    });
    let description = match values {
        Some((label, vals)) => {
            f.label = Some(label);
            f.enum_values = vals.into_iter().map(|(v, m)| (v, m, f.line)).collect();
            ""
        }
        None => {
            let cut = rest.find([',', '，', '。']).unwrap_or(rest.len());
            f.label = Some(rest.get(..cut).unwrap_or(rest).trim().to_owned());
            rest.get(cut..).unwrap_or("").trim_start_matches([',', '，', '。']).trim()
        }
    };
    if !description.is_empty() {
        f.description = Some(description.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_words() {
        assert_eq!(type_word("string(40)").unwrap().max_length, Some(40));
        assert_eq!(type_word("string[1,32]").unwrap().min_length, Some(1));
        let t = type_word("array[object]").unwrap();
        assert!(t.array && t.base == Base::Object);
        assert!(type_word("float").unwrap_err().contains("unknown type word `float`"));
    }

    #[test]
    fn header_cells_may_run_together() {
        assert_eq!(
            field_header("out_request_no必填string(40)"),
            Some(("out_request_no".into(), Presence::Required, "string(40)".into()))
        );
        assert_eq!(field_header("【批次组】 为商品券创建的批次组详情"), None);
    }

    #[test]
    fn values_with_meanings() {
        assert_eq!(
            enum_values("ALL: 全场券 SINGLE: 单品券"),
            [("ALL".into(), "全场券".into()), ("SINGLE".into(), "单品券".into())]
        );
        assert_eq!(enum_values("PROGRESSIVE_BUNDLE=多次优惠模式(阶梯模式)")[0].1, "多次优惠模式(阶梯模式)");
        assert!(enum_values("2=使用后需等到第三天00:00:00才能使用下一次").is_empty());
    }

    #[test]
    fn comments() {
        let mut f = PageField::default();
        apply_comment(&mut f, "条件必填:当scope=\"SINGLE\"时,与combo_package_list二选一必填,商品原价,单位为分");
        assert_eq!(f.condition.as_deref(), Some("当scope=\"SINGLE\"时,与combo_package_list二选一必填"));
        assert_eq!(f.label.as_deref(), Some("商品原价"));
        assert_eq!(f.description.as_deref(), Some("单位为分"));
        let mut f = PageField::default();
        apply_comment(&mut f, "选填,每周可用时间。若配置此对象,则day_list必填");
        assert_eq!(f.label.as_deref(), Some("每周可用时间"));
        assert_eq!(per_key_presence("name/price/count必填,image_url选填").unwrap().len(), 4);
        let mut f = PageField::default();
        apply_comment(&mut f, "必填,模式:SIMPLE=简单模式,BUNDLE=组合模式");
        assert_eq!(f.label.as_deref(), Some("模式"));
        let values: Vec<(&str, &str)> = f.enum_values.iter().map(|(v, m, _)| (v.as_str(), m.as_str())).collect();
        assert_eq!(values, [("SIMPLE", "简单模式"), ("BUNDLE", "组合模式")]);
        let mut f = PageField::default();
        apply_comment(&mut f, "选填,多次优惠使用间隔天数,2=使用后需等到第三天00:00:00才能使用下一次");
        assert_eq!(f.label.as_deref(), Some("多次优惠使用间隔天数"));
        assert!(f.enum_values.is_empty());
    }
}
