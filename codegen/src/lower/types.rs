//! Models' fields and their types, fields of several shapes (`alternatives`), accessors, enums
//! and error codes.

use super::context::{Cx, FieldsOf, Kind};
use crate::diagnostics::{Diagnostics, SourceFile};
use crate::ir::*;
use crate::names;
use crate::spec::{self, FieldType, Presence, Sp};
use crate::suggest::closest;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

impl Cx {
    pub(super) fn fields(
        &mut self,
        file: &SourceFile,
        fields: &[spec::Field],
        owner: &str,
        of: FieldsOf,
    ) -> Vec<FieldIr> {
        let mut out: Vec<FieldIr> = Vec::new();
        let mut seen_wire: HashMap<&str, &Range<usize>> = HashMap::new();
        let mut seen_rust: HashMap<RustIdent, &str> = HashMap::new();
        for f in fields {
            if let Some(first) = seen_wire.get(f.name.value.as_str()) {
                self.diags
                    .error(file, f.name.span.clone(), format!("duplicate field `{}` in {owner}", f.name.value))
                    .hint(format!("the first is at {}", Diagnostics::place(file, first)));
                continue;
            }
            seen_wire.insert(&f.name.value, &f.name.span);
            let rust = names::field_ident(&f.name.value);
            if let Some(other) = seen_rust.get(&rust) {
                self.diags
                    .error(
                        file,
                        f.name.span.clone(),
                        format!("field `{}` and `{other}` both become `{rust}` in Rust", f.name.value),
                    )
                    .hint(
                        "the generator cannot tell these wire names apart in Rust; this spec needs a generator change",
                    );
                continue;
            }
            seen_rust.insert(rust.clone(), &f.name.value);
            // Every model has `unknown_fields` and its builder `unknown_field`.
            if of == FieldsOf::Model && matches!(rust.as_str(), "unknown_fields" | "unknown_field") {
                self.diags
                    .error(file, f.name.span.clone(), format!("field `{}` in {owner} clashes with the generated `{rust}`", f.name.value))
                    .hint("every model keeps fields the spec does not know under that name; this spec needs a generator change");
                continue;
            }
            if f.name.value.is_empty() {
                self.diags.error(file, f.name.span.clone(), format!("empty field name in {owner}"));
                continue;
            }
            if let Some(ty) = self.field_type(file, f) {
                if of != FieldsOf::Model {
                    let scalar = matches!(
                        ty,
                        TypeIr::String | TypeIr::Integer | TypeIr::Boolean | TypeIr::Enum(_) | TypeIr::Amount
                    );
                    if !scalar {
                        self.diags.error(
                            file,
                            f.ty.span.clone(),
                            format!(
                                "parameter `{}` must be a scalar (string, integer, boolean, amount or enum)",
                                f.name.value
                            ),
                        );
                        continue;
                    }
                    if of == FieldsOf::PathParams && *f.presence != Presence::Required {
                        self.diags
                            .error(
                                file,
                                f.presence.span.clone(),
                                format!("path parameter `{}` must be required", f.name.value),
                            )
                            .hint("a path cannot be built without it");
                    }
                }
                if *f.presence == Presence::Conditional && f.condition.is_none() {
                    self.diags
                        .error(
                            file,
                            f.presence.span.clone(),
                            format!("conditional field `{}` has no `condition`", f.name.value),
                        )
                        .hint("quote the doc's 条件必填 text in `condition` and enforce it with a rule");
                }
                let constraints = self.constraints(file, f, &ty);
                let id = self.id_of(file, f, &ty);
                out.push(FieldIr {
                    wire: f.name.value.clone(),
                    rust,
                    ty,
                    presence: *f.presence,
                    condition: f.condition.clone(),
                    label: f.label.clone(),
                    description: f.description.clone(),
                    example: f.example.clone(),
                    constraints,
                    decision: f.decision.clone(),
                    families: (!f.families.is_empty()).then(|| f.families.iter().map(|s| s.value.clone()).collect()),
                    boxed: false,
                    id,
                });
            }
        }
        out
    }

    pub(super) fn field_type(&mut self, file: &SourceFile, f: &spec::Field) -> Option<TypeIr> {
        let base = |cx: &mut Cx, t: FieldType, span: &Range<usize>| -> Option<TypeIr> {
            Some(match t {
                FieldType::String => TypeIr::String,
                FieldType::Integer => TypeIr::Integer,
                FieldType::Boolean => TypeIr::Boolean,
                FieldType::Datetime => TypeIr::DateTime,
                FieldType::Amount => TypeIr::Amount,
                FieldType::Object => TypeIr::Model(cx.resolve_ref(file, f, Kind::Model)?),
                FieldType::Enum => TypeIr::Enum(cx.resolve_ref(file, f, Kind::Enum)?),
                FieldType::Array => {
                    cx.diags.error(
                        file,
                        span.clone(),
                        format!("field `{}`: arrays of arrays are not supported", f.name.value),
                    );
                    return None;
                }
            })
        };
        let takes_ref = |t: FieldType| matches!(t, FieldType::Object | FieldType::Enum);
        match *f.ty {
            FieldType::Array => {
                let Some(items) = &f.items else {
                    self.diags
                        .error(file, f.ty.span.clone(), format!("array field `{}` needs `items`", f.name.value))
                        .hint("e.g. items = \"string\", or items = \"object\" with ref = \"Model\"");
                    return None;
                };
                if !takes_ref(**items)
                    && let Some(r) = &f.reference
                {
                    self.diags.error(
                        file,
                        r.span.clone(),
                        format!("field `{}`: `ref` is only for object or enum items", f.name.value),
                    );
                }
                Some(TypeIr::Array(Box::new(base(self, **items, &items.span)?)))
            }
            t => {
                if let Some(items) = &f.items {
                    self.diags.error(
                        file,
                        items.span.clone(),
                        format!("field `{}`: `items` is only for arrays", f.name.value),
                    );
                }
                if !takes_ref(t)
                    && let Some(r) = &f.reference
                {
                    self.diags.error(
                        file,
                        r.span.clone(),
                        format!("field `{}`: `ref` is only for object, enum or array fields", f.name.value),
                    );
                }
                base(self, t, &f.ty.span)
            }
        }
    }

    /// The shapes of a field that sources document differently (see `spec::Alternatives`).
    pub(super) fn alternatives(
        &mut self,
        file: &SourceFile,
        f: &spec::Field,
        alt: &Sp<spec::Alternatives>,
        models: &BTreeMap<String, ModelIr>,
        seen: &BTreeMap<String, AlternativesIr>,
    ) -> Option<AlternativesIr> {
        let field = &f.name.value;
        let name = &alt.name;
        let object_shape =
            matches!((*f.ty, f.items.as_deref()), (FieldType::Object, _) | (FieldType::Array, Some(FieldType::Object)));
        if !object_shape {
            self.diags
                .error(
                    file,
                    alt.span.clone(),
                    format!("field `{field}`: `alternatives` needs an object field or an array of objects"),
                )
                .hint("the documented object shape is the field's `ref`; list the other shapes in `types`");
            return None;
        }
        let model = f.reference.as_ref().map(|r| r.value.clone()).filter(|r| models.contains_key(r))?;
        let mut ok = true;
        if !names::is_pascal(&name.value) {
            self.diags
                .error(file, name.span.clone(), format!("alternatives name `{}` is not PascalCase", name.value))
                .hint(format!("use a name like `{}`", names::pascal(&name.value)));
            ok = false;
        } else if self.model_index.contains_key(&name.value)
            || self.enum_index.contains_key(&name.value)
            || seen.contains_key(&name.value)
        {
            self.diags
                .error(file, name.span.clone(), format!("duplicate type name `{}`", name.value))
                .hint("the enum of alternatives shares one namespace with models and enums; pick another name");
            ok = false;
        }
        if alt.types.value.is_empty() {
            self.diags
                .error(file, alt.types.span.clone(), "`types` lists no other shape")
                .hint("list the other documented shapes, e.g. types = [\"string\"], or remove `alternatives`");
            ok = false;
        }
        let mut others: Vec<TypeIr> = Vec::new();
        for t in &alt.types.value {
            let ty = match **t {
                FieldType::String => TypeIr::String,
                FieldType::Integer => TypeIr::Integer,
                FieldType::Boolean => TypeIr::Boolean,
                _ => {
                    self.diags
                        .error(
                            file,
                            t.span.clone(),
                            format!("field `{field}`: an alternative shape must be string, integer or boolean"),
                        )
                        .hint("the object shape is the field's `ref`; other objects are not supported");
                    ok = false;
                    continue;
                }
            };
            if others.contains(&ty) {
                self.diags.error(file, t.span.clone(), format!("field `{field}`: alternative shape listed twice"));
                ok = false;
                continue;
            }
            others.push(ty);
        }
        let mut key = None;
        if let Some(k) = &alt.key {
            let target = models.get(&model).and_then(|m| m.fields.iter().find(|x| x.wire == k.value));
            match target {
                None => {
                    self.diags
                        .error(file, k.span.clone(), format!("key `{}` is not a field of model `{model}`", k.value))
                        .hint("`key` names the model's string field that a bare string shape stands for");
                    ok = false;
                }
                Some(t) if t.ty != TypeIr::String || others != [TypeIr::String] => {
                    self.diags
                        .error(
                            file,
                            k.span.clone(),
                            format!("key `{}` needs a string field and `types = [\"string\"]`", k.value),
                        )
                        .hint("the accessor returns the key's text from either shape");
                    ok = false;
                }
                Some(t) => key = Some(AlternativesKey { rust: t.rust.clone(), optional: t.is_option() }),
            }
        }
        ok.then(|| AlternativesIr {
            name: name.value.clone(),
            as_model: names::field_ident(&model).derived(|m| format!("as_{m}")),
            model,
            others,
            key,
            label: f.label.clone(),
            decision: f.decision.clone(),
        })
    }

    /// A model accessor returning the first present of several optional string fields.
    pub(super) fn accessor(
        &mut self,
        file: &SourceFile,
        model: &ModelIr,
        m: &spec::Model,
        a: &spec::Accessor,
    ) -> Option<AccessorIr> {
        let mut ok = true;
        if !names::is_snake(&a.name.value) {
            self.diags.error(file, a.name.span.clone(), format!("accessor name `{}` is not snake_case", a.name.value));
            ok = false;
        }
        if m.accessors.iter().take_while(|x| !std::ptr::eq(*x, a)).any(|x| x.name.value == a.name.value) {
            self.diags.error(
                file,
                a.name.span.clone(),
                format!("duplicate accessor `{}` on `{}`", a.name.value, model.name),
            );
            ok = false;
        }
        if a.fields.value.len() < 2 {
            self.diags
                .error(file, a.fields.span.clone(), format!("accessor `{}` needs at least 2 fields", a.name.value))
                .hint("an accessor reads one value from fields that sources name differently");
            ok = false;
        }
        let mut fields = Vec::new();
        for name in &a.fields.value {
            match model.fields.iter().find(|f| f.wire == name.value) {
                Some(f) if f.ty == TypeIr::String && f.is_option() => {
                    fields.push(AccessorField { rust: f.rust.clone(), wire: f.wire.clone() })
                }
                Some(_) => {
                    self.diags
                        .error(file, name.span.clone(), format!("accessor `{}`: `{}` must be an optional string field", a.name.value, name.value))
                        .hint("when sources name a field differently, neither name is sure to be sent: make both optional");
                    ok = false;
                }
                None => {
                    let near = closest(&name.value, model.fields.iter().map(|f| &f.wire));
                    let d = self.diags.error(
                        file,
                        name.span.clone(),
                        format!(
                            "accessor `{}` names `{}`, but model `{}` has no such field",
                            a.name.value, name.value, model.name
                        ),
                    );
                    if let Some(near) = near {
                        d.hint(format!("did you mean `{near}`?"));
                    }
                    ok = false;
                }
            }
        }
        ok.then(|| AccessorIr { name: names::field_ident(&a.name.value), description: a.description.clone(), fields })
    }

    pub(super) fn enumeration(&mut self, file: &SourceFile, e: &spec::EnumDef) -> EnumIr {
        let mut values: Vec<EnumValueIr> = Vec::new();
        if e.values.is_empty() {
            self.diags.error(file, e.name.span.clone(), format!("enum `{}` has no values", e.name.value));
        }
        for v in &e.values {
            if let Some(first) = values.iter().find(|x| x.wire == v.value.value) {
                self.diags.error(
                    file,
                    v.value.span.clone(),
                    format!("enum `{}` lists {:?} twice", e.name.value, first.wire),
                );
                continue;
            }
            let variant = names::variant(&v.value.value);
            if let Some(clash) = values.iter().find(|x| x.variant.name == variant) {
                self.diags
                    .error(
                        file,
                        v.value.span.clone(),
                        format!(
                            "enum `{}`: {:?} and {:?} both become the variant `{variant}`",
                            e.name.value, clash.wire, v.value.value
                        ),
                    )
                    .hint("the generator cannot tell them apart in Rust");
                continue;
            }
            values.push(EnumValueIr {
                wire: v.value.value.clone(),
                variant: RustIdent::plain(variant),
                meaning: v.meaning.clone(),
            });
        }
        EnumIr { name: e.name.value.clone(), label: e.label.clone(), description: e.description.clone(), values }
    }

    pub(super) fn error_entry(&mut self, file: &SourceFile, e: &spec::ErrorEntry) -> ErrorIr {
        if !(400..=599).contains(&e.status.value) {
            self.diags.error(
                file,
                e.status.span.clone(),
                format!("error status {} is not a 4xx or 5xx", e.status.value),
            );
        }
        if !e.code.value.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            || e.code.value.is_empty()
        {
            self.diags.error(
                file,
                e.code.span.clone(),
                format!("error code {:?} is not SCREAMING_SNAKE_CASE", e.code.value),
            );
        }
        ErrorIr {
            status: e.status.value,
            code: e.code.value.clone(),
            description: e.description.clone(),
            solution: e.solution.clone(),
        }
    }
}
