//! API families (`[[families]]`): the real spec describes every operation and model once and
//! derives the brand-direct family from it; a broken family declaration or membership is
//! reported at its `file:line:column`; a small spec's second family generates a module whose
//! models drop the brand field and whose paths carry the family's prefix.

mod support;

use codegen::ir::{Ir, TypeIr};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use support::{FAMILIES, file, generate, place, the_problem};

fn real_ir() -> Ir {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).expect("workspace").join("api-spec");
    codegen::load_ir(&dir).unwrap_or_else(|d| panic!("the real spec is valid:\n{d}"))
}

/// A model's fields as (wire name, type), without the fields any family names the brand with.
fn shape(ir: &Ir, model: &str, brand_fields: &BTreeSet<String>) -> Vec<(String, String)> {
    ir.models[model]
        .fields
        .iter()
        .filter(|f| !brand_fields.contains(&f.wire))
        .map(|f| (f.wire.clone(), format!("{:?}", f.ty)))
        .collect()
}

#[test]
fn the_real_spec_has_no_second_tree_for_the_brand_family() {
    let ir = real_ir();
    let ids: Vec<&str> = ir.families.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["partner", "brand"]);
    let (partner, brand) = (&ir.families[0], &ir.families[1]);
    let brand_fields: BTreeSet<String> = ir.families.iter().filter_map(|f| f.brand_field.clone()).collect();

    // No operation is described twice: no two operations share a method and a sub-path, and no
    // operation's path is written under a secondary family's prefix.
    let mut seen = BTreeMap::new();
    for op in &ir.operations {
        assert!(op.path.starts_with(&partner.path_prefix), "{} is not under the primary prefix", op.id);
        assert!(!op.path.starts_with(&brand.path_prefix), "{} is a second description", op.id);
        if let Some(other) = seen.insert((op.method.as_str(), op.sub_path.clone()), op.id.clone()) {
            panic!("{} and {other} describe the same endpoint", op.id);
        }
    }
    // No model is described twice: no two spec models are equal once the brand field is removed
    // (a brand copy of a partner model would be).
    let names: Vec<&String> = ir.models.keys().collect();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            let has_brand = |m: &str| ir.models[m].fields.iter().any(|f| brand_fields.contains(&f.wire));
            let same_without_brand = shape(&ir, a, &brand_fields) == shape(&ir, b, &brand_fields);
            assert!(
                !(same_without_brand && has_brand(a) != has_brand(b)),
                "`{a}` and `{b}` differ only in the brand field"
            );
        }
    }

    // The brand family is derived: every operation, under its prefix, with no brand parameter.
    assert_eq!(brand.operations.len(), ir.operations.len());
    for (b, p) in brand.operations.iter().zip(&ir.operations) {
        assert_eq!(b.id, p.id);
        assert_eq!(b.path, format!("{}{}", brand.path_prefix, p.sub_path));
        assert!(b.query_params.iter().all(|q| q.wire != "brand_id"), "{}", b.id);
        assert!(b.brand_param.is_none(), "{}", b.id);
        assert_eq!(b.family.client, "BrandClient");
    }
    // Its variants are exactly the models that reach brand_id or a field only brands send
    // (`families = ["brand"]` in the spec), each without brand_id and with those fields.
    const BRAND_ONLY: [(&str, &str); 2] =
        [("ProgressiveBundleUsageRule", "special_first"), ("CouponAvailablePeriod", "interval_days")];
    for (model, field) in BRAND_ONLY {
        assert!(ir.models[model].fields.iter().all(|f| f.wire != field), "the partner {model} has no {field}");
        let variant = &brand.variants[&format!("brand::{model}")];
        assert!(variant.fields.iter().any(|f| f.wire == field), "the brand {model} has {field}");
    }
    let reaches = |name: &str| {
        let mut stack = vec![name.to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(m) = stack.pop() {
            if !seen.insert(m.clone()) {
                continue;
            }
            if BRAND_ONLY.iter().any(|(model, _)| *model == m) {
                return true;
            }
            for f in &ir.models[&m].fields {
                if f.wire == "brand_id" {
                    return true;
                }
                let mut ty = &f.ty;
                while let TypeIr::Array(inner) = ty {
                    ty = inner;
                }
                if let TypeIr::Model(next) = ty {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    let expected: BTreeSet<String> = ir.models.keys().filter(|m| reaches(m)).map(|m| format!("brand::{m}")).collect();
    let variants: BTreeSet<String> = brand.variants.keys().cloned().collect();
    assert_eq!(variants, expected);
    for v in brand.variants.values() {
        assert!(v.fields.iter().all(|f| f.wire != "brand_id"), "{}", v.name);
    }
    assert!(variants.contains("brand::CreateProductCouponRequest") && variants.contains("brand::ProductCouponEntity"));
    assert!(!variants.contains("brand::SetNotifyConfigRequest"), "a model without brand_id is shared");

    // The brand pages' own facts, and the notification's brand event type.
    let op = |id: &str| brand.operations.iter().find(|o| o.id == id).expect("in the brand family");
    assert_eq!(
        op("get_product_coupon").family.doc_url.as_deref(),
        Some("https://pay.weixin.qq.com/doc/brand/4015736321")
    );
    assert_eq!(op("create_image_generation_task").rate_limit.as_ref().map(|r| r.per_second), Some(10));
    assert!(op("get_image_generation_task").family.doc_url.is_none(), "its brand page was not found");
    let events: Vec<&str> = brand.notifications.iter().map(|n| n.event_type.as_str()).collect();
    assert_eq!(events, ["PRODUCT_COUPON.SEND"]);
    assert_eq!(brand.notifications[0].resource, "brand::ProductCouponSendResource");
}

const ITEMS: &str = r#"[[models]]
name = "Item"

[[models.fields]]
name = "brand_id"
type = "string"
presence = "required"
label = "品牌ID"

[[models.fields]]
name = "size"
type = "object"
ref = "Size"
presence = "optional"
label = "尺寸"

[[models]]
name = "Size"

[[models.fields]]
name = "width"
type = "integer"
presence = "required"
label = "宽"

[[operations]]
id = "get_item"
title = "查询"
doc_id = "1"
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
family = "brand"
doc_id = "2"
updated = "2025.02.02"
source = "test"
"#;

#[test]
fn a_second_family_generates_a_module_without_the_brand_field() {
    let out = generate(&[("families.toml", FAMILIES), ("items.toml", ITEMS)]);
    let ops = file(&out, "src/generated/brand/operations.rs");
    assert!(ops.contains(r#"path_template: "/brand/demo/items/{item_id}""#), "{ops}");
    assert!(ops.contains("impl crate::runtime::client::BrandClient"), "{ops}");
    assert!(ops.contains("item_id: &str") && !ops.contains("brand_id: &"), "no brand argument:\n{ops}");
    assert!(ops.contains("https://pay.weixin.qq.com/doc/brand/2"), "{ops}");
    // `Item` differs (brand_id): generated once, generic over the family, and the brand's
    // `Item` is it at the brand family, whose brand field is absent.
    let models = file(&out, "src/generated/brand/models.rs");
    assert!(
        models.contains("pub type Item = crate::generated::models::ItemFor<crate::generated::families::Brand>;"),
        "{models}"
    );
    assert!(!models.contains("pub struct") && !models.contains("pub brand_id"), "no copy:\n{models}");
    let shared = file(&out, "src/generated/models.rs");
    assert!(shared.contains("pub brand_id: <F as crate::runtime::family::Family>::BrandField,"), "{shared}");
    let families = file(&out, "src/generated/families.rs");
    assert!(families.contains("type BrandField = crate::runtime::family::NoBrandField;"), "{families}");
    // `Size` has no brand field: it is shared, not copied.
    assert!(!models.contains("Size") && !shared.contains("pub struct SizeFor"), "{models}");
    assert!(models.contains("pub use crate::generated::models::*;"), "{models}");
    let partner = file(&out, "src/generated/operations.rs");
    assert!(partner.contains("brand_id: &str"), "the partner keeps its argument:\n{partner}");
}

fn with(families: &str, items: &str) -> codegen::Diagnostic {
    the_problem(&[("families.toml", families), ("items.toml", items)])
}

#[test]
fn an_unknown_family_is_named_with_the_closest() {
    let d = with(FAMILIES, &ITEMS.replace("family = \"brand\"", "family = \"brnd\""));
    assert_eq!(place(&d), "items.toml:55:10", "{d}");
    assert!(d.message.contains("unknown family `brnd`"), "{d}");
    assert_eq!(d.hint.as_deref(), Some("did you mean `brand`?"));
}

#[test]
fn an_operation_in_another_family_must_be_under_the_primary_prefix() {
    let d = with(FAMILIES, &ITEMS.replace("path = \"/v3/partner/demo/items", "path = \"/v3/other/items"));
    assert_eq!(place(&d), "items.toml:32:8", "{d}");
    assert!(d.message.contains("does not start with the primary family's prefix \"/v3/partner/demo\""), "{d}");
}

#[test]
fn the_primary_family_entry_cannot_differ_from_the_operation() {
    let items = ITEMS.replace("family = \"partner\"\nsource", "family = \"partner\"\ndoc_id = \"9\"\nsource");
    let d = with(FAMILIES, &items);
    assert_eq!(place(&d), "items.toml:51:10", "{d}");
    assert!(d.message.contains("`doc_id` of the primary family `partner` belongs on the operation itself"), "{d}");
}

#[test]
fn a_family_listed_twice_names_the_first() {
    let items = format!("{ITEMS}\n[[operations.families]]\nfamily = \"brand\"\nsource = \"again\"\n");
    let d = with(FAMILIES, &items);
    assert_eq!(place(&d), "items.toml:61:10", "{d}");
    assert!(d.message.contains("lists family `brand` twice"), "{d}");
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("items.toml:55:10")), "{d}");
}

#[test]
fn a_request_field_family_needs_its_field_and_an_authorization_family_has_none() {
    let d = with(&FAMILIES.replace("brand_field = \"brand_id\"\n", ""), ITEMS);
    assert_eq!(place(&d), "families.toml:6:18", "{d}");
    assert!(d.message.contains("needs `brand_field`"), "{d}");

    let d = with(
        &FAMILIES.replace(
            "brand_identity = \"authorization\"\n",
            "brand_identity = \"authorization\"\nbrand_field = \"x\"\n",
        ),
        ITEMS,
    );
    assert_eq!(place(&d), "families.toml:20:15", "{d}");
    assert!(d.message.contains("sends no brand field"), "{d}");
}

#[test]
fn exactly_one_family_is_primary() {
    let d = with(&FAMILIES.replace("module = \"brand\"\n", ""), ITEMS);
    assert_eq!(place(&d), "families.toml:15:6", "{d}");
    assert!(d.message.contains("has no module, and neither has the family at families.toml:2:6"), "{d}");
}

#[test]
fn a_bad_prefix_and_a_duplicate_id_are_located() {
    let d = with(&FAMILIES.replace("path_prefix = \"/brand/demo\"", "path_prefix = \"/brand/demo/\""), ITEMS);
    assert_eq!(place(&d), "families.toml:17:15", "{d}");
    assert!(d.message.contains("must start with `/`, not end with one"), "{d}");

    let d = with(&FAMILIES.replace("id = \"brand\"", "id = \"partner\""), &ITEMS.replace("family = \"brand\"\ndoc_id", "family = \"partner\"\ndoc_id").replace("[[operations.families]]\nfamily = \"partner\"\ndoc_id = \"2\"\nupdated = \"2025.02.02\"\nsource = \"test\"\n", ""));
    assert_eq!(place(&d), "families.toml:15:6", "{d}");
    assert!(d.message.contains("duplicate family id `partner`"), "{d}");
}

#[test]
fn family_entries_need_declared_families() {
    let d = the_problem(&[("items.toml", ITEMS)]);
    assert_eq!(place(&d), "items.toml:51:10", "{d}");
    assert!(d.message.contains("family `partner` is not declared"), "{d}");
}

#[test]
fn the_diff_reports_a_family_added_and_its_facts_changed() {
    let ir = |files: &[(&str, &str)]| codegen::ir_from_sources(support::sources(files)).expect("valid");
    let partner_only = ITEMS.split("[[operations.families]]").next().expect("the operation");
    let before = ir(&[("items.toml", partner_only)]);
    let after = ir(&[("families.toml", FAMILIES), ("items.toml", ITEMS)]);
    let added = codegen::diff::diff(&before, &after);
    let subjects: Vec<(&str, &str)> = added.changes.iter().map(|c| (c.subject.as_str(), c.detail.as_str())).collect();
    assert_eq!(
        subjects,
        [("family brand", "added (/brand/demo, 1 operations, signed WECHATPAY-BRAND-SHA256-RSA2048)")]
    );

    let limited = ITEMS.replace(
        "updated = \"2025.02.02\"\n",
        "updated = \"2025.02.02\"\nrate_limit = { per_second = 5, text = \"5/s\" }\n",
    );
    let changed = codegen::diff::diff(&after, &ir(&[("families.toml", FAMILIES), ("items.toml", &limited)]));
    let c = &changed.changes[0];
    assert_eq!((c.subject.as_str(), c.detail.as_str()), ("family brand, operation get_item", "new rate limit 5/s"));
    assert_eq!(changed.changes.len(), 1, "{:?}", changed.changes);
}

#[test]
fn a_family_entry_may_give_its_own_sub_path_with_the_same_placeholders() {
    let items = ITEMS.replace("doc_id = \"2\"\n", "doc_id = \"2\"\npath = \"/things/{item_id}\"\n");
    let out = generate(&[("families.toml", FAMILIES), ("items.toml", &items)]);
    let ops = file(&out, "src/generated/brand/operations.rs");
    assert!(ops.contains(r#"path_template: "/brand/demo/things/{item_id}""#), "{ops}");

    let wrong = ITEMS.replace("doc_id = \"2\"\n", "doc_id = \"2\"\npath = \"/things/{id}\"\n");
    let d = with(FAMILIES, &wrong);
    assert_eq!(place(&d), "items.toml:57:8", "{d}");
    assert!(d.message.contains("must start with `/` and have the placeholders of \"/items/{item_id}\""), "{d}");
}

const NOTIFICATION: &str = r#"[[notifications]]
event_type = "DEMO_SP.SEND"
name = "DemoSend"
title = "通知"
doc_id = "3"
resource = "Item"

[[notifications.families]]
family = "brand"
event_type = "DEMO.SEND"
source = "test"
"#;

#[test]
fn a_notification_gets_the_family_event_type_and_variant_resource() {
    let out = generate(&[("families.toml", FAMILIES), ("items.toml", ITEMS), ("notifications.toml", NOTIFICATION)]);
    let brand = file(&out, "src/generated/brand/notifications.rs");
    assert!(brand.contains(r#""DEMO.SEND" =>"#) && !brand.contains("DEMO_SP.SEND"), "{brand}");
    assert!(brand.contains("crate::generated::brand::models::Item"), "{brand}");
    let partner = file(&out, "src/generated/notifications.rs");
    assert!(partner.contains(r#""DEMO_SP.SEND" =>"#) && !partner.contains("DEMO.SEND\""), "{partner}");

    let d = the_problem(&[
        ("families.toml", FAMILIES),
        ("items.toml", ITEMS),
        ("notifications.toml", &NOTIFICATION.replace("family = \"brand\"", "family = \"partner\"")),
    ]);
    assert_eq!(place(&d), "notifications.toml:9:10", "{d}");
    assert!(d.message.contains("already the primary family's"), "{d}");
}

/// Every secondary family is a cargo feature of the client named like its module (the generated
/// `pub mod` is `#[cfg(feature = "<module>")]`); a family added to the spec without its feature
/// in generated-client/Cargo.toml would generate a module nothing can switch on.
#[test]
fn every_secondary_family_is_a_feature_of_the_client() {
    let ir = real_ir();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).expect("workspace");
    let manifest = std::fs::read_to_string(root.join("generated-client/Cargo.toml")).expect("client manifest");
    let features = manifest.split("[features]").nth(1).expect("a [features] table");
    let mut families = 0;
    for family in ir.secondary_families() {
        let module = family.module.as_deref().expect("a secondary family has a module");
        families += 1;
        assert!(
            features.lines().any(|l| l.trim_start().starts_with(&format!("{module} ="))),
            "generated-client/Cargo.toml has no `{module}` feature for the {} family",
            family.title
        );
    }
    assert!(families > 0, "the real spec has a secondary family");
}

/// `Size` with a field only the brand family has.
fn items_with_brand_only_depth() -> String {
    ITEMS.replace(
        "[[models.fields]]\nname = \"width\"",
        "[[models.fields]]\nname = \"depth\"\ntype = \"integer\"\npresence = \"optional\"\nlabel = \"深\"\nfamilies = [\"brand\"]\ndecision = \"only the brand's official code sends it\"\n\n[[models.fields]]\nname = \"width\"",
    )
}

#[test]
fn a_field_of_one_family_is_in_its_models_only() {
    let items = items_with_brand_only_depth();
    let out = generate(&[("families.toml", FAMILIES), ("items.toml", &items)]);
    // `Size` differs between the families now, and so does `Item`, which holds it: both are
    // generated once, generic over the family; `depth` is typed, and validation reports it as
    // unknown (a warning: sent as given) in a family whose pages do not list it.
    let shared = file(&out, "src/generated/models.rs");
    let validation = file(&out, "src/generated/validation.rs");
    assert!(
        shared.contains("pub struct SizeFor<F: crate::runtime::family::Family> {") && shared.contains("pub depth"),
        "{shared}"
    );
    assert!(
        shared.contains("pub size: ::core::option::Option<crate::generated::models::SizeFor<F>>"),
        "Item holds the family's Size:\n{shared}"
    );
    assert!(
        validation.contains("::core::matches!(") && validation.contains("only the brand family's pages list it"),
        "depth is checked in the brand family only:\n{validation}"
    );
    let partner = file(&out, "src/generated/models.rs");
    assert!(
        partner.contains("pub type Size = crate::generated::models::SizeFor<crate::generated::families::Partner>;"),
        "{partner}"
    );
    let brand = file(&out, "src/generated/brand/models.rs");
    assert!(
        brand.contains("pub type Size = crate::generated::models::SizeFor<crate::generated::families::Brand>;"),
        "{brand}"
    );

    // A family the spec does not declare is a located error.
    let wrong = items.replace("families = [\"brand\"]", "families = [\"brnad\"]");
    let d = with(FAMILIES, &wrong);
    assert!(d.message.contains("brnad"), "{d}");
    assert!(d.to_string().contains("did you mean `brand`?"), "{d}");
}

#[test]
fn the_diff_reports_a_field_of_one_family() {
    let ir = |items: &str| {
        codegen::ir_from_sources(support::sources(&[("families.toml", FAMILIES), ("items.toml", items)]))
            .expect("valid")
    };
    let before = ir(ITEMS);
    let after = ir(&items_with_brand_only_depth());
    let d = codegen::diff::diff(&before, &after);
    let entries: Vec<(&str, &str)> = d.changes.iter().map(|c| (c.subject.as_str(), c.detail.as_str())).collect();
    assert!(
        entries.contains(&(
            "family brand, model brand::Size, field depth",
            "new optional field (integer), this family only"
        )),
        "{entries:?}"
    );
    assert!(entries.contains(&("family brand, model brand::Size", "now the family's own type")), "{entries:?}");
    assert!(
        entries.iter().all(|(s, _)| s.starts_with("family brand")),
        "nothing about the partner family: {entries:?}"
    );
    assert!(
        d.changes.iter().any(|c| c.impact == codegen::diff::Impact::Breaking),
        "a shared type became the family's own"
    );
}

#[test]
fn the_diff_judges_a_notification_event_type_or_resource_change() {
    use codegen::diff::{ChangeKind, Impact};
    let ir = |n: &str| {
        codegen::ir_from_sources(support::sources(&[
            ("families.toml", FAMILIES),
            ("items.toml", ITEMS),
            ("notifications.toml", n),
        ]))
        .expect("valid")
    };
    let before = ir(NOTIFICATION);
    let renamed = ir(&NOTIFICATION.replace("event_type = \"DEMO_SP.SEND\"", "event_type = \"DEMO_SP.SENT\""));
    let d = codegen::diff::diff(&before, &renamed);
    assert!(
        d.changes.iter().any(|c| c.subject == "notification DEMO_SP.SEND"
            && (c.impact, c.kind) == (Impact::Breaking, ChangeKind::Removed)),
        "{}",
        d.report("before", "0.1.0")
    );
    assert!(d.changes.iter().any(|c| c.subject == "notification DEMO_SP.SENT" && c.kind == ChangeKind::Added));

    let other_resource = ir(&NOTIFICATION.replace("resource = \"Item\"", "resource = \"Size\""));
    let d = codegen::diff::diff(&before, &other_resource);
    assert!(
        d.changes.iter().any(|c| c.subject == "notification DEMO_SP.SEND"
            && c.impact == Impact::Breaking
            && c.detail.contains("DemoSend(Item) -> DemoSend(Size)")),
        "{}",
        d.report("before", "0.1.0")
    );
}

#[test]
fn a_new_operation_whose_body_has_the_brand_field_is_compatible_for_every_family() {
    let ir = |items: &str| {
        codegen::ir_from_sources(support::sources(&[("families.toml", FAMILIES), ("items.toml", items)]))
            .expect("valid")
    };
    // `Item` (with brand_id) gains a sibling `Thing` that also has brand_id: a brand variant
    // that is new, not a shared type that changed.
    let more = format!(
        "{ITEMS}\n[[models]]\nname = \"Thing\"\n\n[[models.fields]]\nname = \"brand_id\"\ntype = \"string\"\npresence = \"required\"\nlabel = \"品牌ID\"\n"
    );
    let d = codegen::diff::diff(&ir(ITEMS), &ir(&more));
    assert!(d.changes.iter().all(|c| c.impact != codegen::diff::Impact::Breaking), "{}", d.report("before", "0.1.0"));
    let back = codegen::diff::diff(&ir(&more), &ir(ITEMS));
    assert!(
        back.changes.iter().all(|c| c.detail != "now the shared type"),
        "a removed model is one removal: {}",
        back.report("before", "0.1.0")
    );
}
