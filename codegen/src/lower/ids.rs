//! Typed ids (`[[ids]]`): which wire names hold which kind of id. A field or parameter of a
//! listed wire name gets the id type when it is a string (or a list of strings); every listed
//! wire name must be used by some string field, so a typo is an error, not a silent no-op.

use super::context::Cx;
use crate::diagnostics::{Diagnostics, SourceFile};
use crate::ir::{IdIr, TypeIr};
use crate::names;
use crate::spec;
use std::collections::BTreeMap;

impl Cx {
    /// The `[[ids]]` of every file, checked; fills `id_by_wire`.
    pub(super) fn ids(&mut self, files: &[(SourceFile, spec::SpecFile)]) -> Vec<IdIr> {
        let mut out: BTreeMap<String, IdIr> = BTreeMap::new();
        let mut declared_at: BTreeMap<String, String> = BTreeMap::new();
        for (file, spec) in files {
            for id in &spec.ids {
                let name = &id.name;
                if !names::is_pascal(&name.value) {
                    self.diags
                        .error(file, name.span.clone(), format!("id type name `{}` is not PascalCase", name.value))
                        .hint(format!("use a name like `{}`", names::pascal(&name.value)));
                    continue;
                }
                let here = Diagnostics::place(file, &name.span);
                if let Some(first) = declared_at.get(&name.value) {
                    self.diags
                        .error(file, name.span.clone(), format!("duplicate id type `{}`", name.value))
                        .hint(format!("it is first declared at {first}"));
                    continue;
                }
                if let Some(other) = self.model_index.get(&name.value).or_else(|| self.enum_index.get(&name.value)) {
                    self.diags
                        .error(
                            file,
                            name.span.clone(),
                            format!("id type `{}` is named like a model or enum", name.value),
                        )
                        .hint(format!("that type is declared at {other}; give the id another name"));
                    continue;
                }
                if id.fields.is_empty() {
                    self.diags
                        .error(file, name.span.clone(), format!("id type `{}` lists no fields", name.value))
                        .hint("list the wire names whose values are this id, e.g. fields = [\"openid\"]");
                    continue;
                }
                let mut fields = Vec::new();
                for wire in &id.fields {
                    if let Some((other, _)) = self.id_by_wire.get(&wire.value) {
                        self.diags
                            .error(
                                file,
                                wire.span.clone(),
                                format!("`{}` is already an id of type `{other}`", wire.value),
                            )
                            .hint("a wire name holds one kind of id; list it once");
                        continue;
                    }
                    self.id_by_wire.insert(wire.value.clone(), (name.value.clone(), false));
                    self.id_spans.insert(wire.value.clone(), (file.clone(), wire.span.clone()));
                    fields.push(wire.value.clone());
                }
                fields.sort();
                declared_at.insert(name.value.clone(), here);
                out.insert(
                    name.value.clone(),
                    IdIr {
                        name: name.value.clone(),
                        label: id.label.clone(),
                        description: id.description.clone(),
                        fields,
                    },
                );
            }
        }
        out.into_values().collect()
    }

    /// The id type of field `f` of type `ty`: its wire name's, when the field holds strings.
    /// A listed wire name on a field of another type is an error at the field's type.
    pub(super) fn id_of(&mut self, file: &SourceFile, f: &spec::Field, ty: &TypeIr) -> Option<String> {
        let (id, used) = self.id_by_wire.get_mut(&f.name.value)?;
        let strings = match ty {
            TypeIr::String => true,
            TypeIr::Array(inner) => **inner == TypeIr::String,
            _ => false,
        };
        // Used either way: a field of the wrong type is reported here, not also as unused.
        *used = true;
        if !strings {
            let id = id.clone();
            self.diags
                .error(
                    file,
                    f.ty.span.clone(),
                    format!("field `{}` is listed as id `{id}` but is not a string", f.name.value),
                )
                .hint("an id is a string (or a list of strings); rename the field or take it out of the id's `fields`");
            return None;
        }
        Some(id.clone())
    }

    /// Every listed wire name that no string field used: an error where it is listed.
    pub(super) fn unused_ids(&mut self) {
        let mut unused: Vec<(String, String)> =
            self.id_by_wire.iter().filter(|(_, (_, used))| !used).map(|(w, (id, _))| (w.clone(), id.clone())).collect();
        unused.sort();
        for (wire, id) in unused {
            let Some((file, span)) = self.id_spans.get(&wire).cloned() else { continue };
            self.diags
                .error(&file, span, format!("id `{id}` lists `{wire}`, but no field or parameter is named so"))
                .hint("check the wire name's spelling against the models and operations");
        }
    }
}
