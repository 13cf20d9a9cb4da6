//! Event notifications and their resources.

use super::context::Cx;
use crate::diagnostics::{Diagnostics, SourceFile};
use crate::examples::extract_json;
use crate::ir::*;
use crate::names;
use crate::spans::content_start;
use crate::spec::{self};
use crate::suggest::closest;
use std::collections::{BTreeMap, HashMap};

impl Cx {
    pub(super) fn notifications(
        &mut self,
        files: &[(SourceFile, spec::SpecFile)],
        models: &BTreeMap<String, ModelIr>,
    ) -> Vec<NotificationIr> {
        let mut out: Vec<NotificationIr> = Vec::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        for (file, spec) in files {
            for n in &spec.notifications {
                let mut ok = true;
                for (key, what) in [(&n.event_type, "event type"), (&n.name, "notification name")] {
                    let id = format!("{what}:{}", key.value);
                    if let Some(first) = seen.get(&id) {
                        self.diags
                            .error(file, key.span.clone(), format!("duplicate {what} `{}`", key.value))
                            .hint(format!("the first is at {first}"));
                        ok = false;
                    } else {
                        seen.insert(id, Diagnostics::place(file, &key.span));
                    }
                }
                if !names::is_pascal(&n.name.value) || n.name.value == "Other" {
                    self.diags
                        .error(
                            file,
                            n.name.span.clone(),
                            format!("notification name `{}` must be PascalCase and not `Other`", n.name.value),
                        )
                        .hint("`Other` holds the event types the spec does not know");
                    ok = false;
                }
                if !models.contains_key(&n.resource.value) {
                    let near = closest(&n.resource.value, models.keys());
                    let d = self.diags.error(
                        file,
                        n.resource.span.clone(),
                        format!("unknown model `{}`", n.resource.value),
                    );
                    if let Some(near) = near {
                        d.hint(format!("did you mean `{near}`?"));
                    }
                    ok = false;
                }
                let mut examples = Vec::new();
                for ex in &n.examples {
                    match extract_json(ex.format, &ex.text.value) {
                        Ok(json) => examples.push(ExampleIr {
                            kind: ex.kind,
                            title: ex.title.clone(),
                            source: ex.source.clone(),
                            status: ex.status,
                            json,
                            model: Some(n.resource.value.clone()),
                            expect_invalid: None,
                        }),
                        Err((offset, msg)) => {
                            let at = content_start(file, &ex.text.span) + offset;
                            self.diags.error(file, at..at, format!("example {:?}: {msg}", ex.title));
                        }
                    }
                }
                if ok {
                    out.push(NotificationIr {
                        event_type: n.event_type.value.clone(),
                        name: n.name.value.clone(),
                        title: n.title.clone(),
                        doc_id: n.doc_id.clone(),
                        summary: n.summary.clone(),
                        original_type: n.original_type.clone(),
                        resource: n.resource.value.clone(),
                        description: n.description.clone(),
                        examples,
                        doc_url: Some(format!("https://pay.weixin.qq.com/doc/v3/partner/{}", n.doc_id)),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.event_type.cmp(&b.event_type));
        out
    }
}
