//! Autocomplete for the TraceQL editor: what [`crate::complete`] says is expected at the
//! cursor, filled in with attribute names and values from the loaded traces.
//!
//! Pure Rust (no browser calls) so it is tested natively; the app's query editor only renders
//! the [`Suggestion`]s.

use crate::ast::{AttrScope, Intrinsic};
use crate::complete::{Completion, CompletionKind, ValueTarget};
use crate::token::ScopeColon;
use spanlens_model::{AnyValue, Attribute, Sym, TraceSet};
use std::collections::HashMap;

/// Spans scanned to build the index; beyond this the first spans stand for the rest.
const MAX_SPANS: usize = 200_000;
/// Distinct values remembered per attribute key.
const MAX_VALUES_PER_KEY: usize = 500;
/// Values offered per key.
const TOP_VALUES: usize = 30;
/// Suggestions shown at once.
const MAX_SUGGESTIONS: usize = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ValueKey {
    Str(Sym),
    Int(i64),
    Bool(bool),
}

/// Attribute keys per scope (most frequent first) and their most frequent values.
#[derive(Debug, Default)]
pub struct AttrIndex {
    span: Vec<String>,
    resource: Vec<String>,
    event: Vec<String>,
    link: Vec<String>,
    instrumentation: Vec<String>,
    /// (scope, key) → values as TraceQL literals, most frequent first.
    values: HashMap<(AttrScope, String), Vec<String>>,
    span_names: Vec<String>,
    services: Vec<String>,
}

#[derive(Default)]
struct Counter {
    keys: HashMap<Sym, usize>,
    values: HashMap<Sym, HashMap<ValueKey, usize>>,
}

impl Counter {
    fn add(&mut self, attrs: &[Attribute]) {
        for a in attrs {
            *self.keys.entry(a.key).or_default() += 1;
            let v = match &a.value {
                AnyValue::Str(s) => ValueKey::Str(*s),
                AnyValue::Int(i) => ValueKey::Int(*i),
                AnyValue::Bool(b) => ValueKey::Bool(*b),
                _ => continue,
            };
            let values = self.values.entry(a.key).or_default();
            let len = values.len();
            match values.get_mut(&v) {
                Some(n) => *n += 1,
                None if len < MAX_VALUES_PER_KEY => {
                    values.insert(v, 1);
                }
                None => {}
            }
        }
    }

    fn finish(
        self,
        set: &TraceSet,
        scope: AttrScope,
        out: &mut HashMap<(AttrScope, String), Vec<String>>,
    ) -> Vec<String> {
        for (key, counts) in self.values {
            // Most frequent first; ties in text order so the list is stable across loads.
            let mut counts: Vec<(usize, String)> = counts.into_iter().map(|(v, n)| (n, literal(set, v))).collect();
            spanlens_model::sorting::sort_by(&mut counts, |a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            let literals: Vec<String> = counts.into_iter().take(TOP_VALUES).map(|(_, l)| l).collect();
            out.insert((scope, set.resolve(key).to_owned()), literals);
        }
        by_frequency(set, self.keys)
    }
}

fn by_frequency(set: &TraceSet, counts: HashMap<Sym, usize>) -> Vec<String> {
    let mut counts: Vec<(Sym, usize)> = counts.into_iter().collect();
    spanlens_model::sorting::sort_by(&mut counts, |a, b| {
        b.1.cmp(&a.1).then_with(|| set.resolve(a.0).cmp(set.resolve(b.0)))
    });
    counts.into_iter().map(|(s, _)| set.resolve(s).to_owned()).collect()
}

fn literal(set: &TraceSet, v: ValueKey) -> String {
    match v {
        ValueKey::Str(s) => quote(set.resolve(s)),
        ValueKey::Int(i) => i.to_string(),
        ValueKey::Bool(b) => b.to_string(),
    }
}

use crate::literal::attr_name;
pub use crate::literal::quote;

impl AttrIndex {
    /// An index from a backend's tag APIs (Tempo's v2 tag names by scope, and the values fetched for
    /// some keys) rather than from loaded traces. `values` are TraceQL literals, as `build` makes them
    /// (see [`quote`]); `services` and `span_names` are plain names. Unknown scopes are ignored.
    pub fn from_tags(
        scoped_keys: &[(String, Vec<String>)],
        values: Vec<((AttrScope, String), Vec<String>)>,
        services: Vec<String>,
        span_names: Vec<String>,
    ) -> AttrIndex {
        let mut values: HashMap<(AttrScope, String), Vec<String>> = values.into_iter().collect();
        // The service list answers `resource.service.name = ` as well, as it does for loaded traces.
        values
            .entry((AttrScope::Resource, "service.name".to_owned()))
            .or_insert_with(|| services.iter().take(TOP_VALUES).map(|s| quote(s)).collect());
        let mut index = AttrIndex {
            values,
            services: services.into_iter().take(MAX_VALUES_PER_KEY).collect(),
            span_names: span_names.into_iter().take(MAX_VALUES_PER_KEY).collect(),
            ..AttrIndex::default()
        };
        for (scope, keys) in scoped_keys {
            let list = match scope.as_str() {
                "span" => &mut index.span,
                "resource" => &mut index.resource,
                "event" => &mut index.event,
                "link" => &mut index.link,
                "instrumentation" => &mut index.instrumentation,
                _ => continue,
            };
            list.extend(keys.iter().cloned());
        }
        index
    }

    /// One index over several loads (each indexed on its own, since their string tables differ):
    /// the first part's keys and values come first, then what the others add.
    pub fn union<'a>(parts: impl IntoIterator<Item = &'a AttrIndex>) -> AttrIndex {
        fn extend(into: &mut Vec<String>, from: &[String], cap: usize) {
            for item in from {
                if into.len() >= cap {
                    break;
                }
                if !into.contains(item) {
                    into.push(item.clone());
                }
            }
        }
        let mut out = AttrIndex::default();
        for part in parts {
            extend(&mut out.span, &part.span, usize::MAX);
            extend(&mut out.resource, &part.resource, usize::MAX);
            extend(&mut out.event, &part.event, usize::MAX);
            extend(&mut out.link, &part.link, usize::MAX);
            extend(&mut out.instrumentation, &part.instrumentation, usize::MAX);
            extend(&mut out.span_names, &part.span_names, TOP_VALUES);
            extend(&mut out.services, &part.services, TOP_VALUES);
            for (key, values) in &part.values {
                extend(out.values.entry(key.clone()).or_default(), values, TOP_VALUES);
            }
        }
        out
    }

    /// Scans the loaded traces (at most `MAX_SPANS` spans).
    pub fn build(set: &TraceSet) -> AttrIndex {
        let (mut span, mut event, mut link) = (Counter::default(), Counter::default(), Counter::default());
        let mut names: HashMap<Sym, usize> = HashMap::new();
        let mut services: HashMap<Sym, usize> = HashMap::new();
        let mut seen = 0usize;
        'traces: for trace in &set.traces {
            for s in &trace.spans {
                if seen >= MAX_SPANS {
                    break 'traces;
                }
                seen += 1;
                span.add(&s.attributes);
                for e in s.events.iter() {
                    event.add(&e.attributes);
                }
                for l in s.links.iter() {
                    link.add(&l.attributes);
                }
                *names.entry(s.name).or_default() += 1;
                *services.entry(s.service).or_default() += 1;
            }
        }
        let mut resource = Counter::default();
        for r in &set.resources {
            resource.add(&r.attributes);
        }
        let mut instrumentation = Counter::default();
        for s in &set.scopes {
            instrumentation.add(&s.attributes);
        }
        let mut values = HashMap::new();
        AttrIndex {
            span: span.finish(set, AttrScope::Span, &mut values),
            resource: resource.finish(set, AttrScope::Resource, &mut values),
            event: event.finish(set, AttrScope::Event, &mut values),
            link: link.finish(set, AttrScope::Link, &mut values),
            instrumentation: instrumentation.finish(set, AttrScope::Instrumentation, &mut values),
            values,
            span_names: by_frequency(set, names).into_iter().take(TOP_VALUES).collect(),
            services: by_frequency(set, services).into_iter().take(TOP_VALUES).collect(),
        }
    }

    fn keys(&self, scope: AttrScope) -> Vec<&str> {
        let list: Vec<&str> = match scope {
            AttrScope::Span => self.span.iter().map(String::as_str).collect(),
            AttrScope::Resource => self.resource.iter().map(String::as_str).collect(),
            AttrScope::Event => self.event.iter().map(String::as_str).collect(),
            AttrScope::Link => self.link.iter().map(String::as_str).collect(),
            AttrScope::Instrumentation => self.instrumentation.iter().map(String::as_str).collect(),
            AttrScope::None => {
                let mut all: Vec<&str> = self.span.iter().chain(&self.resource).map(String::as_str).collect();
                let mut seen = std::collections::HashSet::new();
                all.retain(|k| seen.insert(*k));
                all
            }
        };
        list
    }

    fn values(&self, scope: AttrScope, name: &str) -> Vec<String> {
        let get = |s: AttrScope| self.values.get(&(s, name.to_owned())).cloned().unwrap_or_default();
        match scope {
            AttrScope::None => {
                let mut v = get(AttrScope::Span);
                for x in get(AttrScope::Resource) {
                    if !v.contains(&x) {
                        v.push(x);
                    }
                }
                v
            }
            s => get(s),
        }
    }
}

/// One entry of the autocomplete popup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// What is shown.
    pub label: String,
    /// What replaces the completion's range.
    pub insert: String,
    /// A short hint shown beside the label (e.g. `scope`, `intrinsic`).
    pub detail: &'static str,
    /// Where the caret goes, as a byte offset into `insert` (inside `{  }` and `by()`).
    pub caret: usize,
}

impl Suggestion {
    fn new(label: impl Into<String>, detail: &'static str) -> Self {
        let label = label.into();
        Suggestion { insert: label.clone(), caret: label.len(), label, detail }
    }

    fn with_insert(label: impl Into<String>, insert: impl Into<String>, detail: &'static str) -> Self {
        let insert = insert.into();
        Suggestion { label: label.into(), caret: insert.len(), insert, detail }
    }

    /// An insert with the caret placed before its last `back` bytes.
    fn wrapping(label: &str, insert: &str, back: usize, detail: &'static str) -> Self {
        Suggestion {
            label: label.to_owned(),
            insert: insert.to_owned(),
            detail,
            caret: insert.len().saturating_sub(back),
        }
    }

    /// Accepting this keeps the popup open for the next part (`span.` → attribute names).
    pub fn continues(&self) -> bool {
        self.insert.get(..self.caret).is_some_and(|s| s.ends_with(['.', ':', ' ', '(']))
    }
}

const SCOPES: [&str; 6] = ["span.", "resource.", "event.", "link.", "instrumentation.", "."];
const SCOPE_COLONS: [&str; 5] = ["span:", "trace:", "event:", "link:", "instrumentation:"];
const INTRINSICS: [&str; 8] =
    ["name", "status", "duration", "kind", "statusMessage", "rootName", "rootServiceName", "traceDuration"];
const COMPARISONS: [&str; 8] = ["=", "!=", ">", ">=", "<", "<=", "=~", "!~"];
const SPANSET_OPS: [(&str, &str); 11] = [
    ("&&", "both"),
    ("||", "either"),
    ("|", "pipeline"),
    (">", "child"),
    (">>", "descendant"),
    ("<", "parent"),
    ("<<", "ancestor"),
    ("~", "sibling"),
    ("!>>", "not descendant"),
    ("&>>", "union descendant"),
    ("!~", "not sibling"),
];
const STAGES: [(&str, &str); 6] = [
    ("count() > ", "aggregate"),
    ("avg(duration) > ", "aggregate"),
    ("max(duration) > ", "aggregate"),
    ("min(duration) < ", "aggregate"),
    ("sum(duration) > ", "aggregate"),
    ("coalesce()", "merge"),
];

fn scoped_intrinsics(scope: ScopeColon) -> &'static [&'static str] {
    match scope {
        ScopeColon::Span => &["name", "status", "duration", "kind", "statusMessage", "id", "parentID", "childCount"],
        ScopeColon::Trace => &["rootName", "rootService", "duration", "id"],
        ScopeColon::Event => &["name", "timeSinceStart"],
        ScopeColon::Link => &["traceID", "spanID"],
        ScopeColon::Instrumentation => &["name", "version"],
    }
}

fn intrinsic_values(index: &AttrIndex, i: Intrinsic) -> Vec<Suggestion> {
    let words = |w: &[&str]| w.iter().map(|x| Suggestion::new(*x, "value")).collect();
    let quoted = |list: &[String]| list.iter().map(|x| Suggestion::new(quote(x), "value")).collect();
    match i {
        Intrinsic::Status => words(&["error", "ok", "unset"]),
        Intrinsic::Kind => words(&["server", "client", "internal", "producer", "consumer", "unspecified"]),
        Intrinsic::Duration | Intrinsic::TraceDuration | Intrinsic::EventTimeSinceStart => {
            words(&["10ms", "100ms", "500ms", "1s", "5s"])
        }
        Intrinsic::Name | Intrinsic::TraceRootName => quoted(&index.span_names),
        Intrinsic::TraceRootService => quoted(&index.services),
        _ => Vec::new(),
    }
}

/// The suggestions for `completion`, filtered by what has been typed.
pub fn suggestions(index: &AttrIndex, completion: &Completion) -> Vec<Suggestion> {
    let items: Vec<Suggestion> = match &completion.kind {
        CompletionKind::QueryStart => vec![
            Suggestion::wrapping("{ }", "{  }", 2, "spanset"),
            Suggestion::with_insert("{ status = error }", "{ status = error }", "example"),
        ],
        CompletionKind::Field => {
            let mut v: Vec<Suggestion> = INTRINSICS.iter().map(|x| Suggestion::new(*x, "intrinsic")).collect();
            v.extend(SCOPES.iter().chain(&SCOPE_COLONS).map(|x| Suggestion::new(*x, "scope")));
            v.extend(
                index
                    .resource
                    .iter()
                    .take(10)
                    .map(|k| Suggestion::new(format!("resource.{}", attr_name(k)), "resource")),
            );
            v.extend(index.span.iter().take(20).map(|k| Suggestion::new(format!("span.{}", attr_name(k)), "span")));
            v
        }
        CompletionKind::AttributeName { scope } => {
            index.keys(*scope).into_iter().map(|k| Suggestion::new(attr_name(k), "attribute")).collect()
        }
        CompletionKind::ScopedIntrinsic { scope } => {
            scoped_intrinsics(*scope).iter().map(|x| Suggestion::new(*x, "intrinsic")).collect()
        }
        CompletionKind::Operator => {
            COMPARISONS.iter().map(|x| Suggestion::with_insert(*x, format!("{x} "), "operator")).collect()
        }
        CompletionKind::Value { target } => match target {
            ValueTarget::Attribute { scope, name } => {
                index.values(*scope, name).into_iter().map(|x| Suggestion::new(x, "value")).collect()
            }
            ValueTarget::Intrinsic(i) => intrinsic_values(index, *i),
        },
        CompletionKind::SpansetOperator => {
            SPANSET_OPS.iter().map(|(op, d)| Suggestion::with_insert(*op, format!("{op} "), d)).collect()
        }
        CompletionKind::PipelineStage => {
            let mut v: Vec<Suggestion> = STAGES.iter().map(|(s, d)| Suggestion::new(*s, d)).collect();
            v.push(Suggestion::wrapping("by()", "by()", 1, "group"));
            v.push(Suggestion::wrapping("select()", "select()", 1, "fields"));
            v.push(Suggestion::wrapping("{ }", "{  }", 2, "filter"));
            v
        }
        CompletionKind::None => Vec::new(),
    };
    let prefix = completion.prefix.to_lowercase();
    let mut items: Vec<Suggestion> = items
        .into_iter()
        .filter(|s| {
            let label = s.label.trim_start_matches('"').to_lowercase();
            prefix.is_empty() || (label.starts_with(&prefix) && label != prefix)
        })
        .collect();
    // Exact-prefix matches keep their frequency order; nothing else is reordered.
    items.truncate(MAX_SUGGESTIONS);
    items
}

#[cfg(test)]
#[path = "suggest_tests.rs"]
mod tests;
