//! `cargo xtask page OPERATION [--family ID]`: what the spec holds for one operation, printed
//! as the text of its doc page in the site's layout (the layout a page has when copied from
//! pay.weixin.qq.com: title, 更新时间, 频率限制, 接口说明, 请求方式, the header / path / query /
//! body tables with their 属性 blocks, the examples with their line-number gutters, the response
//! table and the error table).
//!
//! Maintainers read it to see what the spec believes a page says and to compare it with the
//! site; the importer (`cargo xtask import`) reads it back, which the round-trip tests check for
//! every operation: a printed page that does not import to the spec it came from is a bug of
//! the printer or of the importer.
//!
//! A secondary family's page is printed from the family's view of the operation (its path
//! prefix, its model variants without the brand field, its doc id, 更新时间 and 频率限制 with
//! the family's dimension), with the family's request headers (`Wechatpay-Serial` where the
//! family requires it) and the primary family's examples rewritten the way that family's
//! pages show them: the brand field removed, the family's path and Authorization scheme.

use crate::diagnostics::SourceFile;
use crate::ir::{FamilyIr, FieldIr, Ir, OperationIr, TypeIr};
use crate::load::Loaded;
use crate::spec::{self, ExampleKind, Presence};
use serde_json::Value;

/// The description of the `Wechatpay-Serial` header row on the pages of a family requiring it
/// (worded here; the pages say the same in more words).
const SERIAL_HEADER: &str =
    "【微信支付公钥ID】 请传入微信支付公钥ID(PUB_KEY_ID_开头),用于验证应答签名,并与请求的品牌关联校验";

/// Prints the page of operation `op_id` in family `family` (the primary family when `None`).
/// `loaded` is the spec the IR was lowered from: the IR keeps neither the page's header rows
/// nor the examples' text, which the page shows verbatim.
pub fn print(ir: &Ir, loaded: &Loaded, op_id: &str, family: Option<&str>) -> Result<String, String> {
    let fam = match family {
        None => ir.primary_family().ok_or("the spec declares no family")?,
        Some(id) => ir.families.iter().find(|f| f.id == id).ok_or_else(|| {
            let known: Vec<&str> = ir.families.iter().map(|f| f.id.as_str()).collect();
            format!("unknown family `{id}` (the spec's families: {})", known.join(", "))
        })?,
    };
    let primary = ir.primary_family().is_none_or(|p| p.id == fam.id);
    let spec_op = loaded
        .files
        .iter()
        .flat_map(|(_, f)| f.operations.iter())
        .find(|o| o.id.value == op_id)
        .ok_or_else(|| unknown_operation(ir, op_id))?;
    let op = if primary {
        ir.operations.iter().find(|o| o.id == op_id)
    } else {
        fam.operations.iter().find(|o| o.id == op_id)
    }
    .ok_or_else(|| format!("operation `{op_id}` has no `[[operations.families]]` entry for family `{}`", fam.id))?;
    let primary_fam = ir.primary_family().unwrap_or(fam);
    let mut p = Printer { ir, out: String::new() };
    p.page(op, spec_op, fam, primary_fam, primary);
    Ok(p.out)
}

/// Loads the spec files, lowers them and prints one page (see [`print()`]).
pub fn print_from_sources(sources: Vec<SourceFile>, op_id: &str, family: Option<&str>) -> Result<String, String> {
    let loaded = crate::load::parse(sources).map_err(|d| d.to_string())?;
    let ir = crate::lower::lower(&loaded).map_err(|d| d.to_string())?;
    print(&ir, &loaded, op_id, family)
}

fn unknown_operation(ir: &Ir, op_id: &str) -> String {
    let close: Vec<&str> = ir
        .operations
        .iter()
        .map(|o| o.id.as_str())
        .filter(|id| id.contains(op_id) || op_id.contains(*id) || shares_words(id, op_id))
        .collect();
    let hint = if close.is_empty() { String::new() } else { format!(" (did you mean {}?)", close.join(", ")) };
    format!("no operation `{op_id}` in the spec{hint}; `cargo xtask check` lists how many there are")
}

fn shares_words(a: &str, b: &str) -> bool {
    let words = |s: &str| s.split('_').filter(|w| w.len() > 3).map(str::to_owned).collect::<Vec<_>>();
    let wb = words(b);
    words(a).iter().filter(|w| wb.contains(w)).count() >= 2
}

struct Printer<'a> {
    ir: &'a Ir,
    out: String,
}

impl Printer<'_> {
    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    fn page(
        &mut self,
        op: &OperationIr,
        spec_op: &spec::Operation,
        fam: &FamilyIr,
        primary: &FamilyIr,
        is_primary: bool,
    ) {
        self.line(&op.title);
        self.blank();
        if !op.updated.is_empty() {
            self.line(&format!("更新时间:{}", op.updated));
            self.blank();
        }
        if let Some(d) = &op.description {
            for l in d.lines().filter(|l| !l.trim().is_empty()) {
                self.line(l);
            }
            self.blank();
        }
        for pre in &op.preconditions {
            self.line(&format!("前置条件:{pre}"));
            self.blank();
        }
        // A secondary family's page gives its own limit, worded with the family's dimension;
        // an inherited limit is not on that page.
        if let Some(rl) = &op.rate_limit
            && (is_primary || !op.family.rate_limit_inherited)
        {
            let text = if is_primary || rl.text.contains("维度") {
                rl.text.clone()
            } else {
                format!("{}({})", rl.text, fam.dimension_words())
            };
            self.line(&format!("频率限制:{text}"));
            self.blank();
        }
        self.line("接口说明");
        self.blank();
        if !op.merchants.is_empty() {
            let named: String = op.merchants.iter().map(|m| format!("【{m}】")).collect();
            self.line(&format!("支持商户:{named}"));
            self.blank();
        }
        self.line(&format!("请求方式:【{}】{}", op.method.as_str(), op.path));
        self.blank();
        let service = &self.ir.service;
        let (main, backup) = (service.primary_base_url.clone(), service.backup_base_url.clone());
        self.line(&format!("请求域名:【主域名】{main} 使用该域名将访问就近的接入点"));
        self.blank();
        self.line(&format!("     【备域名】{backup} 使用该域名将访问异地的接入点 ,指引点击查看"));
        self.blank();
        self.line("请求参数");
        self.blank();
        self.headers(spec_op, fam, primary);
        let rewrite = |text: &str| if is_primary { text.to_owned() } else { family_example(text, primary, fam) };
        if !op.path_params.is_empty() {
            self.line("path  路径参数");
            self.blank();
            self.fields(&op.path_params, 0, None, None);
        }
        if !op.query_params.is_empty() {
            self.line("query  查询参数");
            self.blank();
            self.fields(&op.query_params, 0, None, None);
        }
        let body = op.request_body.as_deref().or(op.upload.as_ref().map(|u| u.meta.as_str()));
        if let Some(model) = body.and_then(|b| self.ir.model(b)) {
            self.line("body  包体参数");
            self.blank();
            let fields = model.fields.clone();
            let example = first_json(&spec_op.examples, ExampleKind::Request, None, &rewrite);
            self.fields(&fields, 0, example.as_ref(), None);
        }
        let requests: Vec<&spec::Example> =
            spec_op.examples.iter().filter(|e| e.kind == ExampleKind::Request).collect();
        if !requests.is_empty() {
            self.line("请求示例");
            self.blank();
            for tab in ["curl", "Java", "Go"] {
                self.line(tab);
            }
            self.blank();
            self.line(op.method.as_str());
            self.blank();
            for e in requests {
                self.example(&e.title, "请求示例", &rewrite(&e.text.value));
            }
        }
        self.line("应答参数");
        self.blank();
        let status = op.success_status();
        self.line(&status_line(status));
        self.blank();
        if let Some(model) = op.response_model().and_then(|b| self.ir.model(b)) {
            let fields = model.fields.clone();
            let example = first_json(&spec_op.examples, ExampleKind::Response, Some(status), &rewrite);
            self.fields(&fields, 0, example.as_ref(), None);
        }
        let responses: Vec<&spec::Example> =
            spec_op.examples.iter().filter(|e| e.kind == ExampleKind::Response).collect();
        if !responses.is_empty() {
            self.line("应答示例");
            self.blank();
            for e in responses {
                self.line(&status_line(e.status.unwrap_or(status)));
                self.blank();
                self.example(&e.title, "应答示例", &rewrite(&e.text.value));
            }
        }
        if !op.errors.is_empty() {
            self.line(" ");
            self.blank();
            self.line("错误码");
            self.blank();
            self.line("以下是本接口返回的错误码列表。详细错误码规则,请参考微信支付接口规则-错误码和错误提示");
            self.blank();
            for head in ["状态码", "错误码", "描述", "解决方案"] {
                self.line(head);
                self.blank();
            }
            for e in &op.errors {
                for cell in [e.status.to_string(), e.code.clone(), e.description.clone(), e.solution.clone()] {
                    self.line(&cell);
                    self.blank();
                }
            }
        }
        // Copied pages carry no address; the printed one names its page, which the importer
        // reads as the doc id.
        if let Some(url) = &op.family.doc_url {
            self.line(" ");
            self.blank();
            self.line(&format!("文档地址:{url}"));
        }
    }

    /// The header table: the spec's rows, and `Wechatpay-Serial` where the family requires it.
    fn headers(&mut self, spec_op: &spec::Operation, fam: &FamilyIr, primary: &FamilyIr) {
        // A row naming the primary family's scheme names the family's on its page.
        let mut rows: Vec<(String, bool, String)> = spec_op
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.required, h.description.replace(&primary.auth_scheme, &fam.auth_scheme)))
            .collect();
        if fam.wechatpay_serial_required && !rows.iter().any(|r| r.0.eq_ignore_ascii_case("Wechatpay-Serial")) {
            rows.push(("Wechatpay-Serial".to_owned(), true, SERIAL_HEADER.to_owned()));
        }
        if rows.is_empty() {
            return;
        }
        self.line("Header  HTTP头参数");
        self.blank();
        for (name, required, description) in rows {
            self.line(&format!(" {name}  {} string", if required { "必填" } else { "选填" }));
            self.blank();
            for l in description.lines().filter(|l| !l.trim().is_empty()) {
                self.line(l);
            }
            self.blank();
            self.blank();
        }
    }

    /// A parameter table: each field's header row, 【label】 and description, its values, and a
    /// 属性 block with the fields of the object (or of the array's objects) it holds.
    ///
    /// A copied page does not show where a 属性 block ends: a reader (and the importer) places
    /// each field in the innermost open block whose part of the page's example has it. So a
    /// block is printed only where that placement is sure: the example (`node`, this table's
    /// part of it) shows the object with every one of its fields, and the field printed after
    /// the block (`follower`) is no key anywhere inside it. Elsewhere the block is collapsed,
    /// as the site's pages often show it.
    fn fields(&mut self, fields: &[FieldIr], depth: usize, node: Option<&Value>, follower: Option<&str>) {
        for (i, f) in fields.iter().enumerate() {
            let presence = match f.presence {
                Presence::Required => "必填",
                Presence::Optional => "选填",
                Presence::Conditional => "条件必填",
            };
            self.line(&format!(" {}  {presence}   {}", f.wire, type_word(f)));
            self.blank();
            let mut lines = f.description.as_deref().unwrap_or_default().lines().filter(|l| !l.trim().is_empty());
            match lines.next() {
                Some(first) => self.line(&format!("【{}】 {first}", f.label)),
                None => self.line(&format!("【{}】", f.label)),
            }
            for l in lines {
                self.line(l);
            }
            if let Some(values) = enum_of(&f.ty).and_then(|e| self.ir.enums.get(e)) {
                self.blank();
                self.line("可选取值");
                self.blank();
                for v in &values.values {
                    self.line(&format!("{}: {}", v.wire, v.meaning));
                }
            }
            self.blank();
            self.blank();
            let next = fields.get(i + 1).map(|g| g.wire.as_str()).or(follower);
            let child = node.and_then(|n| get(n, &f.wire));
            if let Some(model) = model_of(&f.ty).and_then(|m| self.ir.model(m))
                && let Some(child) = child
                && depth < 8
                && model.fields.iter().all(|g| get(child, &g.wire).is_some())
                && next.is_none_or(|n| !has_key_within(child, n))
            {
                self.line("属性");
                self.blank();
                let nested = model.fields.clone();
                self.fields(&nested, depth + 1, Some(child), next);
            }
        }
    }

    /// An example block with the site's line-number gutter; a titled example (one that is not
    /// the page's own 请求示例 / 应答示例) is a `## title` heading and a fenced block.
    fn example(&mut self, title: &str, plain: &str, text: &str) {
        let mut body: Vec<String> = Vec::new();
        let fenced = title != plain;
        if fenced {
            body.push(format!("## {title}"));
            body.push(String::new());
            body.push(if text.trim_start().starts_with("curl") { "```bash".to_owned() } else { "```json".to_owned() });
        }
        body.extend(text.trim_end_matches('\n').lines().map(str::to_owned));
        if fenced {
            body.push("```".to_owned());
        }
        // The site numbers one more, empty, line after the last.
        body.push(String::new());
        for (i, l) in body.iter().enumerate() {
            self.line(&format!("{}{l}", i + 1));
        }
        self.blank();
    }
}

/// The JSON of the first example of `kind` (for responses, of `status` or of no status), as
/// the page prints it: the one the page's tables are read with.
fn first_json(
    examples: &[spec::Example],
    kind: ExampleKind,
    status: Option<u16>,
    rewrite: &dyn Fn(&str) -> String,
) -> Option<Value> {
    let e =
        examples.iter().find(|e| e.kind == kind && (status.is_none() || e.status.is_none_or(|s| Some(s) == status)))?;
    let json = crate::examples::extract_json(e.format, &rewrite(&e.text.value)).ok()?;
    serde_json::from_str(&json).ok()
}

/// A key of an object, or of any object of an array (how a page's example shows a field).
fn get<'v>(node: &'v Value, key: &str) -> Option<&'v Value> {
    match node {
        Value::Object(m) => m.get(key),
        Value::Array(items) => items.iter().find_map(|i| get(i, key)),
        _ => None,
    }
}

/// Whether `key` is a key anywhere inside `node`.
fn has_key_within(node: &Value, key: &str) -> bool {
    match node {
        Value::Object(m) => m.iter().any(|(k, v)| k == key || has_key_within(v, key)),
        Value::Array(items) => items.iter().any(|i| has_key_within(i, key)),
        _ => false,
    }
}

fn status_line(status: u16) -> String {
    let reason = match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        _ => "OK",
    };
    format!("{status} {reason}")
}

/// The type word a page prints: `string(40)`, `string[6,40]`, `integer`, `array[object]`, ...
fn type_word(f: &FieldIr) -> String {
    fn word(ty: &TypeIr) -> String {
        match ty {
            TypeIr::String | TypeIr::DateTime | TypeIr::Enum(_) => "string".to_owned(),
            TypeIr::Integer | TypeIr::Amount => "integer".to_owned(),
            TypeIr::Boolean => "boolean".to_owned(),
            TypeIr::Model(_) | TypeIr::Alternatives(_) => "object".to_owned(),
            TypeIr::Array(inner) => format!("array[{}]", word(inner)),
        }
    }
    let c = &f.constraints;
    match (&f.ty, c.min_length, c.max_length) {
        (TypeIr::String, Some(min), Some(max)) => format!("string[{min},{max}]"),
        (TypeIr::String, None, Some(max)) => format!("string({max})"),
        (ty, ..) => word(ty),
    }
}

fn model_of(ty: &TypeIr) -> Option<&str> {
    match ty {
        TypeIr::Model(m) => Some(m),
        TypeIr::Alternatives(a) => Some(&a.model),
        TypeIr::Array(inner) => model_of(inner),
        _ => None,
    }
}

fn enum_of(ty: &TypeIr) -> Option<&str> {
    match ty {
        TypeIr::Enum(e) => Some(e),
        TypeIr::Array(inner) => enum_of(inner),
        _ => None,
    }
}

/// The primary family's example as a secondary family's page shows it: the family's path
/// prefix and Authorization scheme, and none of the fields the family drops (`"brand_id" : ...`
/// lines of the JSON, `brand_id=...` in the query string).
pub fn family_example(text: &str, primary: &FamilyIr, fam: &FamilyIr) -> String {
    let dropped = &fam.dropped_fields;
    let lines: Vec<&str> = text.lines().collect();
    let is_dropped = |l: &str| {
        let t = l.trim_start();
        dropped.iter().any(|d| t.starts_with(&format!("\"{d}\"")))
    };
    let mut out: Vec<String> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if is_dropped(l) {
            // The last member of an object: the member before it loses its comma.
            let next = lines.get(i + 1..).unwrap_or_default().iter().find(|n| !is_dropped(n));
            if next.is_some_and(|n| n.trim_start().starts_with(['}', ']']))
                && let Some(prev) = out.last_mut()
            {
                *prev = without_trailing_comma(prev);
            }
            continue;
        }
        let mut l = l.replace(&primary.path_prefix, &fam.path_prefix);
        if l.contains("Authorization:") && l.contains(&primary.auth_scheme) {
            let brand = example_brand(text, dropped).unwrap_or_else(|| "120344".to_owned());
            l = authorization_line(&l, &fam.auth_scheme, &brand);
        }
        for d in dropped {
            l = without_query_param(&l, d);
        }
        out.push(l);
    }
    out.join("\n")
}

/// `  "a" : 1,  # comment` -> `  "a" : 1  # comment`.
fn without_trailing_comma(line: &str) -> String {
    let (code, comment) = match crate::examples::comment_start(line) {
        Some(i) => (line.get(..i).unwrap_or(line), line.get(i..).unwrap_or("")),
        None => (line, ""),
    };
    let trimmed = code.trim_end();
    let Some(stripped) = trimmed.strip_suffix(',') else { return line.to_owned() };
    format!("{stripped}{}{comment}", code.get(trimmed.len()..).unwrap_or(""))
}

/// The value of the first dropped field in the example, for the Authorization header.
fn example_brand(text: &str, dropped: &std::collections::BTreeSet<String>) -> Option<String> {
    for d in dropped {
        let key = format!("\"{d}\"");
        if let Some(i) = text.find(&key) {
            let rest = text.get(i + key.len()..)?.trim_start().strip_prefix(':')?.trim_start();
            let value = rest.strip_prefix('"')?.split('"').next()?;
            return Some(value.to_owned());
        }
        let param = format!("{d}=");
        if let Some(i) = text.find(&param) {
            let value: String =
                text.get(i + param.len()..)?.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            return (!value.is_empty()).then_some(value);
        }
    }
    None
}

/// `-H "Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",..." \` with the
/// family's scheme, naming the brand instead of the merchant.
fn authorization_line(line: &str, scheme: &str, brand: &str) -> String {
    let Some(start) = line.find("Authorization:") else { return line.to_owned() };
    let head = line.get(..start).unwrap_or("");
    let tail = if line.trim_end().ends_with('\\') { "\" \\" } else { "\"" };
    format!("{head}Authorization: {scheme} brand_id=\\\"{brand}\\\",...{tail}")
}

/// A URL with `name=value` removed from its query string.
fn without_query_param(line: &str, name: &str) -> String {
    let Some(q) = line.find('?') else { return line.to_owned() };
    let (before, after) = line.split_at(q + 1);
    let end = after.find(|c: char| c.is_whitespace() || c == '\'' || c == '"').unwrap_or(after.len());
    let (query, rest) = after.split_at(end);
    let kept: Vec<&str> = query.split('&').filter(|p| !p.starts_with(&format!("{name}="))).collect();
    if kept.is_empty() {
        format!("{}{rest}", before.trim_end_matches('?'))
    } else {
        format!("{before}{}{rest}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_and_trailing_commas() {
        assert_eq!(
            without_query_param("  https://x/v3/a?brand_id=1&limit=2 \\", "brand_id"),
            "  https://x/v3/a?limit=2 \\"
        );
        assert_eq!(without_query_param("  https://x/v3/a?brand_id=1 \\", "brand_id"), "  https://x/v3/a \\");
        assert_eq!(without_trailing_comma("  \"a\" : 1,  # 必填"), "  \"a\" : 1  # 必填");
        assert_eq!(without_trailing_comma("  \"a\" : 1,"), "  \"a\" : 1");
    }
}
