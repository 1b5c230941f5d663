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
            counts.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            let literals: Vec<String> = counts.into_iter().take(TOP_VALUES).map(|(_, l)| l).collect();
            out.insert((scope, set.resolve(key).to_owned()), literals);
        }
        by_frequency(set, self.keys)
    }
}

fn by_frequency(set: &TraceSet, counts: HashMap<Sym, usize>) -> Vec<String> {
    let mut counts: Vec<(Sym, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| set.resolve(a.0).cmp(set.resolve(b.0))));
    counts.into_iter().map(|(s, _)| set.resolve(s).to_owned()).collect()
}

fn literal(set: &TraceSet, v: ValueKey) -> String {
    match v {
        ValueKey::Str(s) => quote(set.resolve(s)),
        ValueKey::Int(i) => i.to_string(),
        ValueKey::Bool(b) => b.to_string(),
    }
}

/// A TraceQL string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An attribute name as written after a scope: bare when it lexes as one, quoted otherwise.
fn attr_name(name: &str) -> String {
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':'))
        && !name.starts_with(['.', ':']);
    if plain { name.to_owned() } else { quote(name) }
}

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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::complete::completion_at;
    use spanlens_model::{Event, Resource, ResourceIdx, Scope, Span, SpanId, TraceId, TraceSetBuilder};

    fn attr(b: &mut TraceSetBuilder, key: &str, value: AnyValue) -> Attribute {
        Attribute { key: b.intern(key), value }
    }

    fn s(b: &mut TraceSetBuilder, key: &str, value: &str) -> Attribute {
        let v = b.intern(value);
        attr(b, key, AnyValue::Str(v))
    }

    /// Two services; span attribute counts chosen so frequency order differs from text order:
    /// `http.method` ×4, `http.status_code` ×3, `retry` ×1, `weird key` ×1 (tie, text order).
    fn sample() -> TraceSet {
        let mut b = TraceSetBuilder::new();
        let res = |b: &mut TraceSetBuilder, name: &str| {
            let service = b.intern(name);
            let attributes = vec![s(b, "service.name", name), s(b, "deployment.environment", "prod")];
            let r = b.add_resource(Resource {
                service,
                attributes: attributes.into_boxed_slice(),
                dropped_attributes_count: 0,
            });
            (service, r)
        };
        let (checkout, r0) = res(&mut b, "checkout");
        let (payments, r1) = res(&mut b, "payments");
        let scope_name = b.intern("otel-lib");
        let scope_attrs = vec![s(&mut b, "lib.flavour", "vanilla")].into_boxed_slice();
        b.add_scope(Scope { name: scope_name, version: None, attributes: scope_attrs });
        let rows: [(&str, Sym, ResourceIdx, &str, Option<i64>); 4] = [
            ("GET /", checkout, r0, "GET", Some(200)),
            ("charge", payments, r1, "POST", Some(500)),
            ("charge", payments, r1, "GET", Some(200)),
            ("query", payments, r1, "GET", None),
        ];
        for (i, (name, service, resource, method, code)) in rows.into_iter().enumerate() {
            let n = b.intern(name);
            let id = i as u64 + 1;
            let mut span = Span::new(SpanId(id), n, service, id as i64 * 10, 5);
            span.parent_span_id = (id > 1).then_some(SpanId(1));
            span.resource = resource;
            let mut attrs = vec![s(&mut b, "http.method", method)];
            attrs.extend(code.map(|c| attr(&mut b, "http.status_code", AnyValue::Int(c))));
            if i == 1 {
                attrs.push(attr(&mut b, "retry", AnyValue::Bool(true)));
                attrs.push(s(&mut b, "weird key", "say \"hi\"\\\n"));
                // Floats are not offered as values, but the key still counts.
                attrs.push(attr(&mut b, "ratio", AnyValue::Float(0.5)));
                let ev_name = b.intern("exception");
                let ev_attrs = vec![s(&mut b, "exception.type", "Timeout")].into_boxed_slice();
                span.events =
                    vec![Event { time_nanos: 25, name: ev_name, attributes: ev_attrs, dropped_attributes_count: 0 }]
                        .into_boxed_slice();
            }
            span.attributes = attrs.into_boxed_slice();
            b.push_span(TraceId(0xabc), 16, span);
        }
        b.finish()
    }

    /// The labels offered with the cursor at the end of `query`.
    fn labels(index: &AttrIndex, query: &str) -> Vec<String> {
        suggestions(index, &completion_at(query, query.len())).into_iter().map(|s| s.label).collect()
    }

    #[test]
    fn keys_per_scope_come_most_frequent_first() {
        let ix = AttrIndex::build(&sample());
        assert_eq!(ix.span, ["http.method", "http.status_code", "ratio", "retry", "weird key"]);
        assert_eq!(ix.resource, ["deployment.environment", "service.name"]);
        assert_eq!(ix.event, ["exception.type"]);
        assert!(ix.link.is_empty());
        assert_eq!(ix.instrumentation, ["lib.flavour"]);
        // Unscoped `.x` offers span keys, then resource keys, without duplicates.
        assert_eq!(ix.keys(AttrScope::None)[..2], ["http.method", "http.status_code"]);
        assert_eq!(ix.keys(AttrScope::None).len(), 7);
        assert_eq!(ix.span_names, ["charge", "GET /", "query"]);
        assert_eq!(ix.services, ["payments", "checkout"]);
    }

    #[test]
    fn values_are_literals_most_frequent_first() {
        let ix = AttrIndex::build(&sample());
        assert_eq!(ix.values(AttrScope::Span, "http.method"), ["\"GET\"", "\"POST\""]);
        assert_eq!(ix.values(AttrScope::Span, "http.status_code"), ["200", "500"]);
        assert_eq!(ix.values(AttrScope::Span, "retry"), ["true"]);
        assert_eq!(ix.values(AttrScope::Span, "weird key"), [r#""say \"hi\"\\\n""#]);
        assert!(ix.values(AttrScope::Span, "ratio").is_empty(), "floats are not offered");
        assert_eq!(ix.values(AttrScope::Resource, "service.name"), ["\"checkout\"", "\"payments\""]);
        assert_eq!(ix.values(AttrScope::None, "service.name"), ["\"checkout\"", "\"payments\""]);
        assert!(ix.values(AttrScope::Span, "service.name").is_empty());
        assert_eq!(quote("a\tb"), r#""a\tb""#);
    }

    #[test]
    fn values_per_key_are_capped() {
        let mut b = TraceSetBuilder::new();
        let (n, svc) = (b.intern("op"), b.intern("svc"));
        // Value k appears k+1 times, so the most frequent are the largest.
        let mut id = 0;
        for k in 0..40i64 {
            for _ in 0..=k {
                id += 1;
                let mut span = Span::new(SpanId(id), n, svc, 0, 1);
                span.attributes = vec![attr(&mut b, "n", AnyValue::Int(k))].into_boxed_slice();
                b.push_span(TraceId(id.into()), 16, span);
            }
        }
        let ix = AttrIndex::build(&b.finish());
        let values = ix.values(AttrScope::Span, "n");
        assert_eq!(values.len(), TOP_VALUES);
        assert_eq!(values[..3], ["39", "38", "37"]);
    }

    #[test]
    fn suggestions_at_the_cursor_of_real_queries() {
        let ix = AttrIndex::build(&sample());
        assert_eq!(labels(&ix, r#"{ resource.service.name = "#), ["\"checkout\"", "\"payments\""]);
        assert_eq!(labels(&ix, r#"{ resource.service.name = "p"#), ["\"payments\""]);
        assert_eq!(labels(&ix, "{ span."), ["http.method", "http.status_code", "ratio", "retry", "\"weird key\""]);
        assert_eq!(labels(&ix, "{ span.http.s"), ["http.status_code"]);
        assert_eq!(labels(&ix, "{ span.http.status_code = "), ["200", "500"]);
        assert_eq!(labels(&ix, "{ name = "), ["\"charge\"", "\"GET /\"", "\"query\""]);
        assert_eq!(labels(&ix, "{ status = "), ["error", "ok", "unset"]);
        assert_eq!(labels(&ix, "{ rootServiceName = "), ["\"payments\"", "\"checkout\""]);
        assert_eq!(labels(&ix, "{ event."), ["exception.type"]);
        assert_eq!(labels(&ix, "{ span:"), scoped_intrinsics(ScopeColon::Span));
        assert!(labels(&ix, "{ span.http.method ").contains(&"=~".to_owned()));
        assert!(labels(&ix, "{ } ").contains(&">>".to_owned()));
        // A finished word is not offered again.
        assert!(labels(&ix, "{ status = error").is_empty());
    }

    #[test]
    fn field_start_offers_intrinsics_scopes_and_frequent_keys() {
        let ix = AttrIndex::build(&sample());
        let all = labels(&ix, "{ ");
        assert_eq!(all[..2], ["name", "status"]);
        assert!(all.contains(&"resource.service.name".to_owned()));
        assert!(all.contains(&"span.\"weird key\"".to_owned()), "{all:?}");
        assert_eq!(labels(&ix, "{ res"), ["resource.", "resource.deployment.environment", "resource.service.name"]);
        // After the scope only the key itself is completed.
        assert_eq!(labels(&ix, "{ resource.s"), ["service.name"]);
    }

    #[test]
    fn carets_and_continuation() {
        let ix = AttrIndex::default();
        let start = suggestions(&ix, &completion_at("", 0));
        assert_eq!((start[0].insert.as_str(), start[0].caret), ("{  }", 2));
        assert!(start[0].continues(), "inside the braces the popup stays open");
        let field = suggestions(&ix, &completion_at("{ ", 2));
        let span = field.iter().find(|s| s.label == "span.").unwrap();
        assert!(span.continues());
        let ops = suggestions(&ix, &completion_at("{ name ", 7));
        assert_eq!(ops[0].insert, "= ");
        let stage = suggestions(&ix, &completion_at("{ } | ", 6));
        let by = stage.iter().find(|s| s.label == "by()").unwrap();
        assert_eq!((by.caret, by.continues()), (3, true));
    }

    #[test]
    fn union_keeps_the_first_index_order_and_adds_the_rest() {
        let index = |service: &str, key: &str| {
            let mut b = TraceSetBuilder::new();
            let (name, svc, k, v) = (b.intern("op"), b.intern(service), b.intern(key), b.intern("v"));
            let mut span = Span::new(SpanId(1), name, svc, 0, 1);
            span.attributes = vec![Attribute { key: k, value: AnyValue::Str(v) }].into_boxed_slice();
            b.push_span(TraceId(1), 16, span);
            AttrIndex::build(&b.finish())
        };
        let (a, b) = (index("cart", "http.method"), index("shop", "db.system"));
        let both = AttrIndex::union([&a, &b]);
        assert_eq!(both.services, ["cart", "shop"]);
        assert_eq!(both.span, ["http.method", "db.system"]);
        assert_eq!(both.span_names, ["op"]);
        assert_eq!(both.values.get(&(AttrScope::Span, "db.system".to_owned())).map(Vec::len), Some(1));
        assert!(AttrIndex::union([]).span.is_empty());
    }

    #[test]
    fn an_index_from_tag_apis_offers_keys_services_and_values() {
        let scoped = vec![
            ("resource".to_owned(), vec!["service.name".to_owned(), "k8s.pod.name".to_owned()]),
            ("span".to_owned(), vec!["http.method".to_owned()]),
            ("intrinsic".to_owned(), vec!["duration".to_owned()]),
        ];
        let values = vec![((AttrScope::Span, "http.method".to_owned()), vec![quote("GET"), quote("POST")])];
        let ix = AttrIndex::from_tags(&scoped, values, vec!["cart".to_owned()], vec!["checkout".to_owned()]);
        assert_eq!(ix.resource, ["service.name", "k8s.pod.name"]);
        assert!(labels(&ix, "{ span.").contains(&"http.method".to_owned()));
        assert_eq!(labels(&ix, "{ span.http.method = "), [r#""GET""#, r#""POST""#]);
        assert_eq!(labels(&ix, "{ resource.service.name = "), [r#""cart""#]);
    }

    #[test]
    fn empty_set_and_span_cap() {
        let ix = AttrIndex::build(&TraceSetBuilder::new().finish());
        assert!(ix.span.is_empty() && ix.span_names.is_empty() && ix.values.is_empty());
        assert!(labels(&ix, "{ span.").is_empty());
        assert!(labels(&ix, "{ name = ").is_empty());

        // Spans past MAX_SPANS are not scanned: the late trace's name and key are never seen.
        let mut b = TraceSetBuilder::new();
        let (early, late, svc) = (b.intern("early"), b.intern("late"), b.intern("svc"));
        for id in 0..MAX_SPANS as u64 {
            b.push_span(TraceId(1), 16, Span::new(SpanId(id + 1), early, svc, 0, 1));
        }
        let mut span = Span::new(SpanId(1), late, svc, 0, 1);
        span.attributes = vec![attr(&mut b, "late.key", AnyValue::Bool(true))].into_boxed_slice();
        b.push_span(TraceId(2), 16, span);
        let ix = AttrIndex::build(&b.finish());
        assert_eq!(ix.span_names, ["early"]);
        assert!(ix.span.is_empty());
    }
}
