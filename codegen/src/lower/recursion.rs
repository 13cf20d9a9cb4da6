//! Models that contain themselves: which fields are boxed, and which cycles cannot be built.

use super::context::Cx;
use crate::diagnostics::SourceFile;
use crate::ir::*;
use crate::spec::{self};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A cycle of models the generator cannot turn into Rust.
#[derive(Clone, Copy)]
pub(super) enum Unbuildable {
    /// Every field on the cycle is required: no value of these models is finite.
    AllRequired,
    /// Every field on the cycle has several shapes: their enums would hold each other unboxed.
    AllShapes,
}

/// How a field holds another model by value (not through a list, which has its own heap).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ByValue {
    /// A model field: boxed when it leads back to its own model.
    Model,
    /// A field of several shapes whose object shape is the model.
    Alternatives,
}

pub(super) fn by_value(ty: &TypeIr) -> Option<(&str, ByValue)> {
    match ty {
        TypeIr::Model(name) => Some((name, ByValue::Model)),
        TypeIr::Alternatives(alt) => Some((&alt.model, ByValue::Alternatives)),
        _ => None,
    }
}

/// Strongly connected components of a graph of model names: models in one component reach
/// each other. Tarjan's algorithm, iterative so a long chain of models cannot overflow the stack.
pub(super) fn components<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> HashMap<&'a str, usize> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut low: HashMap<&str, usize> = HashMap::new();
    let mut on_stack: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut component: HashMap<&str, usize> = HashMap::new();
    let mut next = 0usize;
    let none: Vec<&str> = Vec::new();
    for &root in graph.keys() {
        if index.contains_key(root) {
            continue;
        }
        // (node, position of the next edge to follow)
        let mut work: Vec<(&str, usize)> = vec![(root, 0)];
        while let Some(&mut (node, ref mut edge)) = work.last_mut() {
            if *edge == 0 && !index.contains_key(node) {
                index.insert(node, next);
                low.insert(node, next);
                next += 1;
                stack.push(node);
                on_stack.insert(node);
            }
            let edges = graph.get(node).unwrap_or(&none);
            if let Some(&to) = edges.get(*edge) {
                *edge += 1;
                if !index.contains_key(to) {
                    work.push((to, 0));
                } else if on_stack.contains(to) {
                    let l = low[node].min(index[to]);
                    low.insert(node, l);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                let l = low[parent].min(low[node]);
                low.insert(parent, l);
            }
            if low[node] == index[node] {
                let id = component.len();
                while let Some(member) = stack.pop() {
                    on_stack.remove(member);
                    component.insert(member, id);
                    if member == node {
                        break;
                    }
                }
            }
        }
    }
    component
}

/// Whether `from -> to` closes a cycle of `graph` (a self-reference, or both in one component).
pub(super) fn in_cycle(components: &HashMap<&str, usize>, from: &str, to: &str) -> bool {
    from == to || matches!((components.get(from), components.get(to)), (Some(a), Some(b)) if a == b)
}

impl Cx {
    /// A model that contains itself by value, directly or through other models, would be a
    /// struct of infinite size. Each field on such a cycle that holds a model is boxed. Two
    /// cycles cannot be generated and are reported at the field: one made only of required
    /// fields (no finite value exists), and one made only of fields of several shapes (their
    /// enum holds the model by value and the generator does not box it).
    pub(super) fn recursion(&mut self, files: &[(SourceFile, spec::SpecFile)], models: &mut BTreeMap<String, ModelIr>) {
        let graph_of = |keep: &dyn Fn(&FieldIr, ByValue) -> bool| {
            let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for m in models.values() {
                let edges = m
                    .fields
                    .iter()
                    .filter_map(|f| by_value(&f.ty).filter(|(_, kind)| keep(f, *kind)).map(|(to, _)| to));
                graph.entry(m.name.as_str()).or_default().extend(edges);
            }
            components(&graph)
        };
        let all = graph_of(&|_, _| true);
        let required = graph_of(&|f, kind| kind == ByValue::Model && !f.is_option());
        let shapes = graph_of(&|_, kind| kind == ByValue::Alternatives);
        let mut boxed: Vec<(String, String)> = Vec::new();
        let mut problems: Vec<(String, String, Unbuildable)> = Vec::new();
        for m in models.values() {
            for f in &m.fields {
                let Some((to, kind)) = by_value(&f.ty) else { continue };
                if !in_cycle(&all, &m.name, to) {
                    continue;
                }
                if kind == ByValue::Model {
                    boxed.push((m.name.clone(), f.wire.clone()));
                }
                if kind == ByValue::Model && !f.is_option() && in_cycle(&required, &m.name, to) {
                    problems.push((m.name.clone(), f.wire.clone(), Unbuildable::AllRequired));
                } else if kind == ByValue::Alternatives && in_cycle(&shapes, &m.name, to) {
                    problems.push((m.name.clone(), f.wire.clone(), Unbuildable::AllShapes));
                }
            }
        }
        for (model, wire) in boxed {
            if let Some(f) = models.get_mut(&model).and_then(|m| m.fields.iter_mut().find(|f| f.wire == wire)) {
                f.boxed = true;
            }
        }
        for (model, wire, why) in problems {
            let place = files.iter().find_map(|(file, spec)| {
                let m = spec.models.iter().find(|m| m.name.value == model)?;
                let f = m.fields.iter().find(|f| f.name.value == wire)?;
                Some((file, f.name.span.clone()))
            });
            let Some((file, span)) = place else { continue };
            let target = models
                .get(&model)
                .and_then(|m| m.fields.iter().find(|f| f.wire == wire))
                .and_then(|f| by_value(&f.ty))
                .map_or("", |(to, _)| to);
            match why {
                Unbuildable::AllRequired => {
                    self.diags
                        .error(
                            file,
                            span,
                            format!(
                                "model `{model}`: required field `{wire}` holds `{target}`, which leads back to `{model}` through required fields only, so no finite value exists"
                            ),
                        )
                        .hint("make a field on the cycle optional, or a list");
                }
                Unbuildable::AllShapes => {
                    self.diags
                        .error(
                            file,
                            span,
                            format!(
                                "model `{model}`: field `{wire}` of several shapes holds `{target}`, which leads back to `{model}` through such fields only"
                            ),
                        )
                        .hint("the generator boxes model fields on a cycle, not fields of several shapes: put a plain model field or a list on the cycle");
                }
            }
        }
    }
}
