//! Which models differ between families, and how (the analysis `shared.rs` and the model,
//! builder, validation and operation emitters read). A family that names the brand in the Authorization header has
//! no `brand_id`; a field only some families' pages list exists in those only. Rather than a
//! copy of every such model per family, the model is one generic struct whose brand field is
//! `F::BrandField` (a `String` in a family that sends it, nothing in one that does not) and
//! whose family-only fields are checked per family; each family's `models::X` and
//! `builders::XBuilder` are aliases of it at the family's marker type (`families.rs`).

use super::types;
use crate::ir::{FamilyIr, FieldIr, Ir, ModelIr, TypeIr};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};

/// The generic models of a spec, by name.
#[derive(Debug, Default)]
pub struct Generic {
    pub models: BTreeMap<String, GenericModel>,
}

/// One model as every family sees it.
#[derive(Debug)]
pub struct GenericModel {
    /// Every family's fields (the union, in the spec's order), model types named unqualified.
    pub model: ModelIr,
    /// Wire names of the brand fields: typed `F::BrandField`.
    pub brand_fields: BTreeSet<String>,
    /// Fields that not every family has (brand fields aside), with the families that have them.
    pub only: BTreeMap<String, Vec<String>>,
    /// Per rule of `model.rules`: the families it applies to, `None` for all.
    pub rule_families: Vec<Option<Vec<String>>>,
    /// No field names the family (only a field some families lack makes the model generic):
    /// the struct holds a `PhantomData<F>`.
    pub phantom: bool,
}

impl Generic {
    /// The generic models of the whole IR: every model some secondary family has a variant of.
    pub fn of(ir: &Ir) -> Generic {
        let mut names: BTreeSet<String> = BTreeSet::new();
        for family in ir.secondary_families() {
            names.extend(family.variants.keys().map(|k| types::local_name(k).to_owned()));
        }
        let mut models: BTreeMap<String, GenericModel> = names
            .iter()
            .filter_map(|name| ir.models.get(name).map(|base| (name.clone(), generic_model(ir, base))))
            .collect();
        fn names_generic(ty: &TypeIr, set: &BTreeSet<String>) -> bool {
            match ty {
                TypeIr::Model(name) => set.contains(name),
                TypeIr::Array(inner) => names_generic(inner, set),
                _ => false,
            }
        }
        for g in models.values_mut() {
            g.phantom = g.brand_fields.is_empty() && !g.model.fields.iter().any(|f| names_generic(&f.ty, &names));
        }
        Generic { models }
    }

    /// Whether model `key` (`X` or `brand::X`) is generated generic.
    pub fn contains(&self, key: &str) -> bool {
        self.models.contains_key(types::local_name(key))
    }

    /// The local names of the generic models.
    pub fn names(&self) -> BTreeSet<String> {
        self.models.keys().cloned().collect()
    }
}

/// Whether `family` has field `f` (see `families::has_field`).
fn family_has(f: &FieldIr, family: &FamilyIr) -> bool {
    !family.dropped_fields.contains(&f.wire) && f.families.as_ref().is_none_or(|s| s.contains(&family.id))
}

/// Model types of a variant named like the shared ones (`brand::X` -> `X`).
fn unqualify(ty: &TypeIr) -> TypeIr {
    match ty {
        TypeIr::Model(name) => TypeIr::Model(types::local_name(name).to_owned()),
        TypeIr::Array(inner) => TypeIr::Array(Box::new(unqualify(inner))),
        other => other.clone(),
    }
}

fn generic_model(ir: &Ir, base: &ModelIr) -> GenericModel {
    let mut model = base.clone();
    // Fields and rules only other families have come from their variants.
    for family in ir.secondary_families() {
        let Some(module) = &family.module else { continue };
        let Some(variant) = family.variants.get(&format!("{module}::{}", base.name)) else { continue };
        let mut after: Option<String> = None;
        for f in &variant.fields {
            if let Some(at) = model.fields.iter().position(|g| g.wire == f.wire) {
                after = Some(model.fields[at].wire.clone());
                continue;
            }
            let mut f = f.clone();
            f.ty = unqualify(&f.ty);
            let at = after.as_ref().and_then(|w| model.fields.iter().position(|g| &g.wire == w)).map_or(0, |i| i + 1);
            after = Some(f.wire.clone());
            model.fields.insert(at, f);
        }
        let base_wires: BTreeSet<&str> = base.fields.iter().map(|f| f.wire.as_str()).collect();
        for r in &variant.rules {
            let mentions_new = crate::families::rule_fields(r).iter().any(|w| !base_wires.contains(w.as_str()));
            if mentions_new {
                model.rules.push(r.clone());
            }
        }
        for a in &variant.accessors {
            if !model.accessors.iter().any(|b| b.name == a.name) {
                model.accessors.push(a.clone());
            }
        }
    }
    let brand_fields: BTreeSet<String> = model
        .fields
        .iter()
        .filter(|f| ir.families.iter().any(|fam| fam.dropped_fields.contains(&f.wire)))
        .map(|f| f.wire.clone())
        .collect();
    let only: BTreeMap<String, Vec<String>> = model
        .fields
        .iter()
        .filter(|f| !brand_fields.contains(&f.wire))
        .filter_map(|f| {
            let having: Vec<String> =
                ir.families.iter().filter(|fam| family_has(f, fam)).map(|fam| fam.id.clone()).collect();
            (having.len() < ir.families.len()).then(|| (f.wire.clone(), having))
        })
        .collect();
    let rule_families = model
        .rules
        .iter()
        .map(|r| {
            let fields = crate::families::rule_fields(r);
            let having: Vec<String> = ir
                .families
                .iter()
                .filter(|fam| {
                    fields.iter().all(|w| model.fields.iter().find(|f| &f.wire == w).is_none_or(|f| family_has(f, fam)))
                })
                .map(|fam| fam.id.clone())
                .collect();
            (having.len() < ir.families.len()).then_some(having)
        })
        .collect();
    GenericModel { model, brand_fields, only, rule_families, phantom: false }
}

/// `matches!(F::ID, "a" | "b")`: whether the family is one of `ids`.
pub fn family_is(ids: &[String]) -> TokenStream {
    if ids.is_empty() {
        return quote! { false };
    }
    quote! { ::core::matches!(<F as crate::runtime::family::Family>::ID, #(#ids)|*) }
}

/// The marker type of family `id` (`partner` -> `Partner`).
pub fn marker(id: &str) -> TokenStream {
    let name = types::ident(&crate::names::pascal(id));
    quote! { crate::generated::families::#name }
}
