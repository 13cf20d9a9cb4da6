//! Model rules and their conditions (`when`, `require`, `assert`, ...).

use super::context::Cx;
use crate::diagnostics::SourceFile;
use crate::ir::*;
use crate::spec::{self, Sp};
use std::collections::BTreeMap;
use std::ops::Range;

impl Cx {
    /// A condition: one test on a field, or `all` / `any` / `not` of conditions. Every
    /// malformed part is reported, not only the first.
    pub(super) fn when(
        &mut self,
        file: &SourceFile,
        model: &str,
        c: &Sp<spec::Condition>,
        models: &BTreeMap<String, ModelIr>,
        enums_ok: &dyn Fn(&str) -> Option<Vec<String>>,
    ) -> Option<WhenIr> {
        let combinators: Vec<&str> = [(c.all.is_some(), "all"), (c.any.is_some(), "any"), (c.not.is_some(), "not")]
            .iter()
            .filter(|(given, _)| *given)
            .map(|(_, key)| *key)
            .collect();
        let tests: Vec<&str> = [
            (c.field.is_some(), "field"),
            (c.equals.is_some(), "equals"),
            (c.one_of.is_some(), "in"),
            (c.contains.is_some(), "contains"),
            (c.present.is_some(), "present"),
        ]
        .iter()
        .filter(|(given, _)| *given)
        .map(|(_, key)| *key)
        .collect();
        if combinators.is_empty() {
            return match &c.field {
                Some(field) => self.condition(file, model, field, c, models, enums_ok).map(WhenIr::Test),
                None => {
                    self.diags
                        .error(file, c.span.clone(), "condition tests nothing")
                        .hint("give `field` with one of equals, in, contains, present; or one of all, any, not");
                    None
                }
            };
        }
        if combinators.len() > 1 || !tests.is_empty() {
            let keys: Vec<String> = combinators.iter().chain(&tests).map(|k| format!("`{k}`")).collect();
            self.diags.error(file, c.span.clone(), format!("condition mixes {}", keys.join(", "))).hint(
                "a condition is either a test on one field or exactly one of all, any, not; nest the others inside it",
            );
            return None;
        }
        if let Some(inner) = &c.not {
            return self.when(file, model, &inner.value, models, enums_ok).map(|w| WhenIr::Not(Box::new(w)));
        }
        let (list, key) = match (&c.all, &c.any) {
            (Some(list), _) => (list, "all"),
            (None, Some(list)) => (list, "any"),
            (None, None) => return None,
        };
        if list.value.is_empty() {
            self.diags
                .error(file, list.span.clone(), format!("`{key}` with no conditions"))
                .hint(format!("list at least one condition in `{key}`, or remove it"));
            return None;
        }
        let lowered: Vec<Option<WhenIr>> =
            list.value.iter().map(|inner| self.when(file, model, inner, models, enums_ok)).collect();
        let lowered: Vec<WhenIr> = lowered.into_iter().collect::<Option<_>>()?;
        Some(if key == "all" { WhenIr::All(lowered) } else { WhenIr::Any(lowered) })
    }

    pub(super) fn condition(
        &mut self,
        file: &SourceFile,
        model: &str,
        field: &Sp<String>,
        c: &spec::Condition,
        models: &BTreeMap<String, ModelIr>,
        enums_ok: &dyn Fn(&str) -> Option<Vec<String>>,
    ) -> Option<ConditionIr> {
        let path = self.path(file, model, field, models)?;
        let given = [c.equals.is_some(), c.one_of.is_some(), c.contains.is_some(), c.present.is_some()];
        if given.iter().filter(|g| **g).count() != 1 {
            self.diags
                .error(file, field.span.clone(), format!("condition on `{}` needs exactly one test", field.value))
                .hint("use one of equals, in, contains, present");
            return None;
        }
        let element = match &path.leaf {
            TypeIr::Array(inner) => Some(inner.as_ref().clone()),
            _ => None,
        };
        let allowed_values = |ty: &TypeIr| match ty {
            TypeIr::Enum(e) => enums_ok(e),
            _ => None,
        };
        let check_value = |cx: &mut Cx, ty: &TypeIr, v: &str, span: &Range<usize>| {
            if !matches!(ty, TypeIr::Enum(_) | TypeIr::String) {
                cx.diags.error(
                    file,
                    span.clone(),
                    format!("`{}` is not a string or enum; it cannot be compared with {v:?}", field.value),
                );
            } else if let Some(values) = allowed_values(ty)
                && !values.iter().any(|x| x == v)
            {
                cx.diags
                    .error(file, span.clone(), format!("{v:?} is not a value of `{}`", field.value))
                    .hint(format!("values: {}", values.join(", ")));
            }
        };
        let test = if let Some(v) = &c.equals {
            check_value(self, &path.leaf, &v.value, &v.span);
            Test::Equals(v.value.clone())
        } else if let Some(vs) = &c.one_of {
            if vs.value.is_empty() {
                self.diags.error(file, vs.span.clone(), "`in` with no values can never hold");
            }
            for v in &vs.value {
                check_value(self, &path.leaf, &v.value, &v.span);
            }
            Test::In(vs.value.iter().map(|v| v.value.clone()).collect())
        } else if let Some(v) = &c.contains {
            match &element {
                Some(el) => check_value(self, el, &v.value, &v.span),
                None => {
                    self.diags.error(
                        file,
                        v.span.clone(),
                        format!("`contains` needs an array, and `{}` is not one", field.value),
                    );
                }
            }
            Test::Contains(v.value.clone())
        } else if let Some(p) = &c.present {
            Test::Present(p.value)
        } else {
            return None;
        };
        Some(ConditionIr { path, test })
    }

    pub(super) fn rule(
        &mut self,
        file: &SourceFile,
        model_name: &Sp<String>,
        r: &spec::Rule,
        models: &BTreeMap<String, ModelIr>,
    ) -> Option<RuleIr> {
        let model = model_name.value.as_str();
        // Enum values are checked against the raw enum declarations, known by name.
        let enum_values = self.enum_values.clone();
        let lookup = move |name: &str| enum_values.get(name).cloned();
        let when = match &r.when {
            Some(c) => Some(self.when(file, model, c, models, &lookup)?),
            None => None,
        };
        let lists = [
            (&r.require, "require"),
            (&r.forbid, "forbid"),
            (&r.exactly_one_of, "exactly_one_of"),
            (&r.at_least_one_of, "at_least_one_of"),
            (&r.at_most_one_of, "at_most_one_of"),
        ];
        let given: Vec<&str> = lists
            .iter()
            .filter(|(l, _)| l.is_some())
            .map(|(_, n)| *n)
            .chain(r.assert.as_ref().map(|_| "assert"))
            .collect();
        // A condition is located at its field, or at the whole condition when it combines others.
        let condition_at = |c: &Sp<spec::Condition>| c.field.as_ref().map_or(c.span.clone(), |f| f.span.clone());
        let anchor = r.when.as_ref().map(condition_at).or_else(|| {
            lists.iter().find_map(|(l, _)| l.as_ref().map(|l| l.span.clone())).or(r.assert.as_ref().map(condition_at))
        });
        if given.len() != 1 {
            // A rule with nothing located in it is reported at its description.
            let span = anchor.unwrap_or_else(|| r.description.span.clone());
            let what = if given.is_empty() {
                "has no assertion".to_owned()
            } else {
                format!("has {} assertions ({})", given.len(), given.join(", "))
            };
            self.diags
                .error(file, span, format!("rule {:?} on `{model}` {what}", r.description.value))
                .hint("give exactly one of require, forbid, exactly_one_of, at_least_one_of, at_most_one_of, assert");
            return None;
        }
        if let Some(a) = &r.assert {
            let cond = self.when(file, model, a, models, &lookup)?;
            let disputed = r.disputed.as_ref().and_then(|d| self.dispute(file, &d.id, &d.by, &d.reason));
            return Some(RuleIr {
                description: r.description.value.clone(),
                when,
                assertion: AssertionIr::Holds(cond),
                disputed,
            });
        }
        let (list, kind) = lists.iter().find(|(l, _)| l.is_some()).map(|(l, k)| (l.as_ref().expect("some"), *k))?;
        let min = if matches!(kind, "require" | "forbid") { 1 } else { 2 };
        if list.value.len() < min {
            self.diags.error(
                file,
                list.span.clone(),
                format!("`{kind}` needs at least {min} field(s), got {}", list.value.len()),
            );
            return None;
        }
        let mut paths = Vec::new();
        for p in &list.value {
            paths.push(self.path(file, model, p, models));
        }
        let paths: Vec<FieldPath> = paths.into_iter().collect::<Option<_>>()?;
        if let Some(WhenIr::Test(w)) = &when
            && kind == "forbid"
            && let Test::Present(true) = w.test
            && paths.iter().any(|p| p.dotted() == w.path.dotted())
        {
            self.diags
                .error(file, list.span.clone(), format!("rule forbids `{}` whenever it is present", w.path.dotted()))
                .hint("the rule contradicts itself");
        }
        let assertion = match kind {
            "require" => AssertionIr::Require(paths),
            "forbid" => AssertionIr::Forbid(paths),
            "exactly_one_of" => AssertionIr::ExactlyOneOf(paths),
            "at_least_one_of" => AssertionIr::AtLeastOneOf(paths),
            _ => AssertionIr::AtMostOneOf(paths),
        };
        let disputed = r.disputed.as_ref().and_then(|d| self.dispute(file, &d.id, &d.by, &d.reason));
        Some(RuleIr { description: r.description.value.clone(), when, assertion, disputed })
    }
}
