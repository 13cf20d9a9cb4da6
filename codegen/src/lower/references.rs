//! Names and references: declaring models and enums, resolving a field's `ref`, and dotted
//! paths through a model's object fields.

use super::context::{Cx, Kind};
use crate::diagnostics::{Diagnostics, SourceFile};
use crate::ir::*;
use crate::names;
use crate::spec::{self, Sp};
use crate::suggest::closest;
use std::collections::BTreeMap;

/// Names generated next to a model that a second type must not take.
pub(super) const BUILDER_SUFFIX: &str = "Builder";

impl Cx {
    pub(super) fn declare(
        &mut self,
        file: &SourceFile,
        _fi: usize,
        name: &Sp<String>,
        kind: Kind,
        _files: &[(SourceFile, spec::SpecFile)],
    ) {
        let what = if kind == Kind::Model { "model" } else { "enum" };
        if !names::is_pascal(&name.value) {
            self.diags
                .error(file, name.span.clone(), format!("{what} name `{}` is not PascalCase", name.value))
                .hint(format!("use a name like `{}`", names::pascal(&name.value)));
        }
        let here = Diagnostics::place(file, &name.span);
        let previous = self.model_index.get(&name.value).or_else(|| self.enum_index.get(&name.value)).cloned();
        if let Some(first) = previous {
            self.diags
                .error(file, name.span.clone(), format!("duplicate type name `{}`", name.value))
                .hint(format!("models and enums share one namespace; `{}` is first defined at {first}", name.value));
            return;
        }
        if kind == Kind::Model
            && let Some(base) = name.value.strip_suffix(BUILDER_SUFFIX)
            && self.model_index.contains_key(base)
        {
            self.diags
                .error(
                    file,
                    name.span.clone(),
                    format!("model name `{}` collides with the builder of `{base}`", name.value),
                )
                .hint("rename the model");
        }
        match kind {
            Kind::Model => self.model_index.insert(name.value.clone(), here),
            Kind::Enum => self.enum_index.insert(name.value.clone(), here),
        };
    }

    pub(super) fn resolve_ref(&mut self, file: &SourceFile, f: &spec::Field, want: Kind) -> Option<String> {
        let what = if want == Kind::Model { "model" } else { "enum" };
        let Some(r) = &f.reference else {
            self.diags.error(
                file,
                f.ty.span.clone(),
                format!("field `{}` needs `ref` naming its {what}", f.name.value),
            );
            return None;
        };
        let (index, other) = match want {
            Kind::Model => (&self.model_index, &self.enum_index),
            Kind::Enum => (&self.enum_index, &self.model_index),
        };
        if index.contains_key(&r.value) {
            return Some(r.value.clone());
        }
        let hint = if other.contains_key(&r.value) {
            format!("`{}` is {}; check `type`", r.value, if want == Kind::Model { "an enum" } else { "a model" })
        } else {
            match closest(&r.value, index.keys()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!(
                    "define it with [[{}s]] name = \"{}\"",
                    if want == Kind::Model { "model" } else { "enum" },
                    r.value
                ),
            }
        };
        self.diags.error(file, r.span.clone(), format!("unknown {what} `{}`", r.value)).hint(hint);
        None
    }

    /// Resolves a dotted path relative to `model`, through object fields only.
    pub(super) fn path(
        &mut self,
        file: &SourceFile,
        model: &str,
        path: &Sp<String>,
        models: &BTreeMap<String, ModelIr>,
    ) -> Option<FieldPath> {
        let mut current = models.get(model)?;
        let mut steps = Vec::new();
        let parts: Vec<&str> = path.value.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let Some(field) = current.fields.iter().find(|f| f.wire == *part) else {
                let near = closest(part, current.fields.iter().map(|f| &f.wire));
                let d = self.diags.error(
                    file,
                    path.span.clone(),
                    format!("rule names `{}`, but model `{}` has no field `{part}`", path.value, current.name),
                );
                if let Some(near) = near {
                    d.hint(format!("did you mean `{near}`?"));
                } else {
                    d.hint("rule paths are dotted wire names relative to the model the rule is on");
                }
                return None;
            };
            steps.push(PathStep { wire: field.wire.clone(), rust: field.rust.clone(), optional: field.is_option() });
            if i + 1 == parts.len() {
                return Some(FieldPath { steps, leaf: field.ty.clone() });
            }
            match &field.ty {
                TypeIr::Model(next) => current = models.get(next)?,
                TypeIr::Array(_) => {
                    self.diags
                        .error(
                            file,
                            path.span.clone(),
                            format!("rule path `{}` goes through the array `{part}`", path.value),
                        )
                        .hint("put the rule on the array's item model instead");
                    return None;
                }
                _ => {
                    self.diags.error(
                        file,
                        path.span.clone(),
                        format!("rule path `{}`: `{part}` is not an object", path.value),
                    );
                    return None;
                }
            }
        }
        None
    }
}
