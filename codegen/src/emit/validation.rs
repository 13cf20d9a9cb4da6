//! `Validate` impls (`src/generated/validation.rs`): field constraints and cross-field rules,
//! every violation reported with its JSON path.

use super::generic::{Generic, GenericModel, family_is};
use super::types;
use crate::ir::{AssertionIr, ConditionIr, Constraints, FieldIr, FieldPath, Ir, ModelIr, Test, TypeIr, WhenIr};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// The `Validate` impls of `ir`'s models; the generic ones have theirs in `shared.rs`.
pub fn emit(ir: &Ir, generic: &Generic) -> TokenStream {
    let needs = &ir.validated_models;
    let impls = ir.models.values().filter(|m| !generic.contains(&m.name)).map(|m| model(m, needs));
    quote! {
        //! Client-side validation generated from the spec's constraints and rules.
        #(#impls)*
    }
}

fn opt<T: quote::ToTokens>(v: Option<T>) -> TokenStream {
    match v {
        Some(v) => quote! { ::core::option::Option::Some(#v) },
        None => quote! { ::core::option::Option::None },
    }
}

/// `check`, its violations marked as breaking the disputed fact `d` (unchanged without one).
fn disputed(check: TokenStream, d: Option<&crate::ir::DisputeIr>) -> TokenStream {
    match d {
        None => check,
        Some(d) => {
            let (id, by) = (&d.id, d.text());
            quote! {
                {
                    let mark = out.mark();
                    #check
                    out.dispute_since(mark, #id, #by);
                }
            }
        }
    }
}

/// Checks on one value: `v` is a reference to it, `p` its path (`&str`).
pub fn value_checks(ty: &TypeIr, c: &Constraints, needs: &BTreeSet<String>) -> TokenStream {
    let mut out = TokenStream::new();
    // A bound pair is checked in one call unless one side is disputed: then each side alone,
    // the disputed one marked (its violations become warnings).
    let pair = |lo_name: &str,
                hi_name: &str,
                lo: TokenStream,
                hi: TokenStream,
                call: &dyn Fn(TokenStream, TokenStream) -> TokenStream| {
        let none = quote! { ::core::option::Option::None };
        let (dlo, dhi) = (c.disputed.get(lo_name), c.disputed.get(hi_name));
        if dlo.is_none() && dhi.is_none() {
            return call(lo, hi);
        }
        let side = |check: TokenStream, d: Option<&crate::ir::DisputeIr>| disputed(check, d);
        let mut t = side(call(lo, none.clone()), dlo);
        t.extend(side(call(none, hi), dhi));
        t
    };
    if c.min_length.is_some() || c.max_length.is_some() {
        let (lo, hi) = (opt(c.min_length.map(|v| v as usize)), opt(c.max_length.map(|v| v as usize)));
        out.extend(pair("min_length", "max_length", lo, hi, &|lo, hi| quote! { out.check_length(p, v, #lo, #hi); }));
    }
    if let Some(charset) = &c.charset {
        let text = &charset.text;
        let pairs = charset.ranges.iter().map(|(lo, hi)| quote! { (#lo, #hi) });
        out.extend(disputed(quote! { out.check_charset(p, v, &[#(#pairs),*], #text); }, c.disputed.get("charset")));
    }
    if c.min.is_some() || c.max.is_some() {
        let (lo, hi) = (opt(c.min), opt(c.max));
        out.extend(pair("min", "max", lo, hi, &|lo, hi| quote! { out.check_range(p, *v, #lo, #hi); }));
    }
    if c.min_items.is_some() || c.max_items.is_some() {
        let (lo, hi) = (opt(c.min_items.map(|v| v as usize)), opt(c.max_items.map(|v| v as usize)));
        out.extend(pair("min_items", "max_items", lo, hi, &|lo, hi| quote! { out.check_items(p, v.len(), #lo, #hi); }));
    }
    match ty {
        TypeIr::DateTime => out.extend(quote! {
            if !v.is_rfc3339() {
                out.push(p, "must be an RFC 3339 date-time such as 2025-08-01T00:00:00+08:00");
            }
        }),
        TypeIr::Enum(_) => out.extend(quote! { out.check_known(p, v.is_known(), v.as_str()); }),
        TypeIr::Model(name) if needs.contains(name) => {
            out.extend(quote! { crate::runtime::validate::Validate::validate_at(v, p, out); })
        }
        TypeIr::Alternatives(alt) if needs.contains(&alt.model) => {
            // Only the object shape has constraints; the scalar shapes are taken as sent.
            let ty = types::model_path(&alt.name);
            let variant = types::ident(&alt.model);
            out.extend(quote! {
                if let #ty::#variant(v) = v {
                    crate::runtime::validate::Validate::validate_at(v, p, out);
                }
            })
        }
        TypeIr::Array(inner) if crate::ir::type_needs(inner, &Constraints::default(), needs) => {
            let item = value_checks(inner, &Constraints::default(), needs);
            out.extend(quote! {
                for (i, v) in v.iter().enumerate() {
                    let p = &crate::runtime::validate::index(p, i);
                    #item
                }
            });
        }
        _ => {}
    }
    out
}

fn field_checks(f: &FieldIr, needs: &BTreeSet<String>) -> TokenStream {
    let checks = value_checks(&f.ty, &f.constraints, needs);
    if checks.is_empty() {
        return checks;
    }
    let id = types::rust(&f.rust);
    let wire = &f.wire;
    let bind = quote! { let p = &crate::runtime::validate::join(path, #wire); };
    // A boxed field is checked as the model it holds.
    match (f.is_option(), f.boxed) {
        (true, false) => quote! { if let ::core::option::Option::Some(v) = &self.#id { #bind #checks } },
        (true, true) => quote! { if let ::core::option::Option::Some(v) = self.#id.as_deref() { #bind #checks } },
        (false, false) => quote! { { let v = &self.#id; #bind #checks } },
        (false, true) => quote! { { let v = &*self.#id; #bind #checks } },
    }
}

/// `Option<&Parent>` of a path: `None` when an object on the way is absent.
fn parent_expr(path: &FieldPath) -> TokenStream {
    let mut expr = quote! { ::core::option::Option::Some(self) };
    for step in &path.steps[..path.steps.len() - 1] {
        let id = types::rust(&step.rust);
        expr = if step.optional {
            quote! { #expr.and_then(|x| x.#id.as_ref()) }
        } else {
            quote! { #expr.map(|x| &x.#id) }
        };
    }
    expr
}

/// `Option<&Leaf>` of the last step, given `x: &Parent`.
fn leaf_of_parent(path: &FieldPath) -> TokenStream {
    let last = path.steps.last().expect("paths are non-empty");
    let id = types::rust(&last.rust);
    if last.optional {
        quote! { x.#id.as_ref() }
    } else {
        quote! { ::core::option::Option::Some(&x.#id) }
    }
}

/// `Option<bool>`: whether the leaf is present, `None` when its parent is absent.
fn presence(path: &FieldPath) -> TokenStream {
    let parent = parent_expr(path);
    let leaf = leaf_of_parent(path);
    quote! { #parent.map(|x| #leaf.is_some()) }
}

/// `Option<bool>`: whether the condition holds, `None` when the field's parent is absent.
fn condition(c: &ConditionIr) -> TokenStream {
    let parent = parent_expr(&c.path);
    let leaf = leaf_of_parent(&c.path);
    let test = match &c.test {
        Test::Equals(v) => quote! { #leaf.is_some_and(|v| v.as_str() == #v) },
        Test::In(vs) => quote! { #leaf.is_some_and(|v| [#(#vs),*].contains(&v.as_str())) },
        Test::Contains(v) => quote! { #leaf.is_some_and(|v| v.iter().any(|e| e.as_str() == #v)) },
        Test::Present(true) => quote! { #leaf.is_some() },
        Test::Present(false) => quote! { #leaf.is_none() },
    };
    quote! { #parent.map(|x| #test) }
}

/// `Option<bool>` of a combined condition: three-valued, like a single test.
fn when(w: &WhenIr) -> TokenStream {
    match w {
        WhenIr::Test(c) => condition(c),
        WhenIr::All(v) => {
            let parts = v.iter().map(when);
            quote! { crate::runtime::validate::all_hold([#(#parts),*]) }
        }
        WhenIr::Any(v) => {
            let parts = v.iter().map(when);
            quote! { crate::runtime::validate::any_holds([#(#parts),*]) }
        }
        WhenIr::Not(inner) => {
            let inner = when(inner);
            quote! { #inner.map(|b| !b) }
        }
    }
}

/// The rules of `m`; with `families`, each rule checked only in the families it names (`None`:
/// every family).
fn rule_checks(m: &ModelIr, families: Option<&[Option<Vec<String>>]>) -> TokenStream {
    let mut out = TokenStream::new();
    for (i, r) in m.rules.iter().enumerate() {
        let context = match &r.when {
            Some(w) => format!("when {}: {}", w.describe(), r.description),
            None => r.description.clone(),
        };
        // `applies &&` prefixes each check, so a rule stays one flat `if` per field.
        let applies = match &r.when {
            Some(w) => {
                let when = when(w);
                quote! { #when == ::core::option::Option::Some(true) && }
            }
            None => quote! {},
        };
        let body = match &r.assertion {
            AssertionIr::Require(paths) | AssertionIr::Forbid(paths) => {
                let require = matches!(r.assertion, AssertionIr::Require(_));
                let (bad, what) = if require { (false, "is required") } else { (true, "must be absent") };
                let message = format!("{what} {context}");
                let checks = paths.iter().map(|p| {
                    let present = presence(p);
                    let dotted = p.dotted();
                    quote! {
                        if #applies #present == ::core::option::Option::Some(#bad) {
                            out.push_rule(crate::runtime::validate::join(path, #dotted), #message);
                        }
                    }
                });
                quote! { #(#checks)* }
            }
            AssertionIr::ExactlyOneOf(paths) | AssertionIr::AtLeastOneOf(paths) | AssertionIr::AtMostOneOf(paths) => {
                let names: Vec<String> = paths.iter().map(FieldPath::dotted).collect();
                let (test, what) = match r.assertion {
                    AssertionIr::ExactlyOneOf(_) => (quote! { n != 1 }, "exactly one of"),
                    AssertionIr::AtLeastOneOf(_) => (quote! { n == 0 }, "at least one of"),
                    _ => (quote! { n > 1 }, "at most one of"),
                };
                let message = format!(
                    "{what} {} must be present, found {{}} ({})",
                    names.join(", "),
                    context.replace('{', "{{").replace('}', "}}")
                );
                let presences = paths.iter().map(presence);
                let first = &names[0];
                quote! {
                    let present = [#(#presences),*];
                    let n = present.iter().filter(|p| **p == ::core::option::Option::Some(true)).count();
                    if #applies present.iter().all(::core::option::Option::is_some) && #test {
                        out.push_rule(crate::runtime::validate::join(path, #first), ::std::format!(#message, n));
                    }
                }
            }
            AssertionIr::Holds(c) => {
                let holds = when(c);
                let dotted = c.first_path().map(FieldPath::dotted).unwrap_or_default();
                let message = format!("must satisfy {} ({context})", c.describe());
                quote! {
                    if #applies #holds == ::core::option::Option::Some(false) {
                        out.push_rule(crate::runtime::validate::join(path, #dotted), #message);
                    }
                }
            }
        };
        let check = disputed(quote! { { #body } }, r.disputed.as_ref());
        match families.and_then(|f| f.get(i)).and_then(Option::as_ref) {
            Some(ids) => {
                let is = family_is(ids);
                out.extend(quote! { if #is { #check } });
            }
            None => out.extend(check),
        }
    }
    out
}

fn model(m: &ModelIr, needs: &BTreeSet<String>) -> TokenStream {
    let name = types::model_path(&m.name);
    if !needs.contains(&m.name) {
        return quote! {
            impl crate::runtime::validate::Validate for #name {
                fn validate_at(&self, _path: &str, _out: &mut crate::runtime::validate::Violations) {}
            }
        };
    }
    let fields = m.fields.iter().map(|f| field_checks(f, needs));
    let rules = rule_checks(m, None);
    let known = m.fields.iter().map(|f| f.wire.as_str());
    quote! {
        impl crate::runtime::validate::Validate for #name {
            fn validate_at(&self, path: &str, out: &mut crate::runtime::validate::Violations) {
                #(#fields)*
                #rules
                out.check_unknown(path, &self.unknown_fields, &[#(#known),*]);
            }
        }
    }
}

/// The `Validate` impl of a generic model, at every family: the brand field checked where the
/// family sends it and reported as unknown where it does not; a field some families lack
/// reported as unknown in the others (sent as given); rules only in the families having their
/// fields.
pub fn generic_model(ir: &Ir, g: &GenericModel, _generic: &Generic) -> TokenStream {
    let needs = &ir.validated_models;
    let m = &g.model;
    let name = types::generic_ident(&m.name);
    let unknown = |wire: &str, why: &str| {
        let message = format!("is not a field of this family ({why}); sent as given");
        quote! {
            out.push_kind(crate::runtime::validate::ViolationKind::UnknownField, crate::runtime::validate::join(path, #wire), #message);
        }
    };
    let fields = m.fields.iter().map(|f| {
        let id = types::rust(&f.rust);
        let wire = &f.wire;
        if g.brand_fields.contains(&f.wire) {
            let checks = value_checks(&TypeIr::String, &f.constraints, needs);
            let not_sent = unknown(wire, "its requests name the brand in the Authorization header");
            let sent = quote! {
                <<F as crate::runtime::family::Family>::BrandField as crate::runtime::family::BrandField>::sent()
            };
            let checked = (!checks.is_empty()).then(|| {
                quote! {
                    else if let ::core::option::Option::Some(v) = crate::runtime::family::BrandField::as_str(b) {
                        let p = &crate::runtime::validate::join(path, #wire);
                        #checks
                    }
                }
            });
            // A value the family does not send (decoded from JSON: no setter gives one) is a
            // warning, whatever its JSON type.
            let body = match checked {
                Some(checked) => quote! {
                    if !#sent {
                        if !crate::runtime::family::BrandField::is_absent(b) {
                            #not_sent
                        }
                    } #checked
                },
                None => quote! {
                    if !#sent && !crate::runtime::family::BrandField::is_absent(b) {
                        #not_sent
                    }
                },
            };
            return if f.is_option() {
                quote! { if let ::core::option::Option::Some(b) = &self.#id { #body } }
            } else {
                quote! { { let b = &self.#id; #body } }
            };
        }
        let checks = field_checks(f, needs);
        match g.only.get(&f.wire) {
            None => checks,
            Some(having) => {
                let is = family_is(having);
                let report = f.is_option().then(|| {
                    let not_here = unknown(wire, &format!("only the {} family's pages list it", having.join(", ")));
                    quote! { else if self.#id.is_some() { #not_here } }
                });
                quote! { if #is { #checks } #report }
            }
        }
    });
    let rules = rule_checks(m, Some(&g.rule_families));
    let known = m.fields.iter().map(|f| f.wire.as_str());
    // A family that does not send the brand field does not know it: given as an unknown field,
    // it is a warning and sent as given, not "set it with its setter" (there is none).
    let known = if g.brand_fields.is_empty() {
        quote! { &[#(#known),*] }
    } else {
        let without = m.fields.iter().map(|f| f.wire.as_str()).filter(|w| !g.brand_fields.contains(*w));
        quote! {
            if <<F as crate::runtime::family::Family>::BrandField as crate::runtime::family::BrandField>::sent() {
                &[#(#known),*]
            } else {
                &[#(#without),*]
            }
        }
    };
    quote! {
        impl<F: crate::runtime::family::Family> crate::runtime::validate::Validate for crate::generated::models::#name<F> {
            fn validate_at(&self, path: &str, out: &mut crate::runtime::validate::Violations) {
                #(#fields)*
                #rules
                out.check_unknown(path, &self.unknown_fields, #known);
            }
        }
    }
}
