#![allow(clippy::unwrap_used)]

use super::*;
use crate::span::{SpanKind, StatusCode};
use crate::warnings::{Warning, WarningKind};
use crate::{SpanId, TraceId};

const TRACE: TraceId = TraceId(0xabc);

/// A span's content with every symbol and index resolved, for comparing across sets.
fn describe_span(set: &TraceSet, span: &Span) -> String {
    let attrs = |a: &[Attribute]| -> String {
        a.iter()
            .map(|a| format!("{}={}", set.resolve(a.key), a.value.display(&set.strings)))
            .collect::<Vec<_>>()
            .join(",")
    };
    let resource = set.resource(span).map(|r| format!("{}[{}]", set.resolve(r.service), attrs(&r.attributes)));
    let scope = set
        .scope(span)
        .map(|s| format!("{}@{:?}[{}]", set.resolve(s.name), s.version.map(|v| set.resolve(v)), attrs(&s.attributes)));
    let events: Vec<String> = span
        .events
        .iter()
        .map(|e| format!("{}@{}[{}]", set.resolve(e.name), e.time_nanos, attrs(&e.attributes)))
        .collect();
    let links: Vec<String> = span
        .links
        .iter()
        .map(|l| {
            format!(
                "{}/{}:{:?}[{}]",
                l.trace_id,
                l.span_id,
                l.trace_state.map(|t| set.resolve(t)),
                attrs(&l.attributes)
            )
        })
        .collect();
    format!(
        "{} parent={:?} {}+{}{} {} svc={} {:?} {:?} msg={:?} ts={:?} [{}] res={resource:?} scope={scope:?} ev={events:?} links={links:?} src={:?}",
        span.span_id,
        span.parent_span_id,
        span.start_nanos,
        span.duration_nanos,
        if span.incomplete { "(incomplete)" } else { "" },
        set.resolve(span.name),
        set.resolve(span.service),
        span.kind,
        span.status.code,
        span.status.message.map(|m| set.resolve(m)),
        span.trace_state.map(|t| set.resolve(t)),
        attrs(&span.attributes),
        set.sources.get(span.source.0 as usize).map(|s| &s.name),
    )
}

/// Each trace: its id, its spans described, and the tree's parent of each span.
fn describe(set: &TraceSet) -> Vec<(TraceId, Vec<String>, Vec<u32>)> {
    set.traces
        .iter()
        .map(|t| (t.trace_id, t.spans.iter().map(|s| describe_span(set, s)).collect(), t.tree.parent.clone()))
        .collect()
}

fn span(b: &mut TraceSetBuilder, id: u64, parent: Option<u64>, start: i64) -> Span {
    let name = b.intern(&format!("op-{id}"));
    let service = b.intern("svc");
    let mut s = Span::new(SpanId(id), name, service, start, 100 - start);
    s.parent_span_id = parent.map(SpanId);
    s
}

/// A set as if one file named `name` held these spans of `TRACE` (id, parent, start).
fn file(name: &str, spans: &[(u64, Option<u64>, i64)]) -> TraceSet {
    let mut b = TraceSetBuilder::new();
    push_file(&mut b, name, spans);
    b.finish()
}

fn push_file(b: &mut TraceSetBuilder, name: &str, spans: &[(u64, Option<u64>, i64)]) {
    b.begin_source(name, "test", 10);
    b.warn(Warning::new(WarningKind::InvalidValue, format!("odd value in {name}")).with_trace(TRACE));
    for &(id, parent, start) in spans {
        let s = span(b, id, parent, start);
        b.push_span(TRACE, 8, s);
    }
}

fn absorb_all(sets: &[&TraceSet]) -> TraceSet {
    let mut b = TraceSetBuilder::new();
    for set in sets {
        let mut ctx = AbsorbContext::new(set);
        for i in 0..set.traces.len() {
            assert!(b.absorb_trace(&mut ctx, i));
        }
    }
    b.finish()
}

#[test]
fn disjoint_halves_make_one_tree() {
    let a = file("a.json", &[(1, None, 0), (3, Some(1), 50)]);
    let b = file("b.json", &[(2, Some(1), 10), (4, Some(2), 20)]);
    assert_eq!(b.warnings.iter().filter(|w| w.kind == WarningKind::MissingParent).count(), 1);
    let merged = absorb_all(&[&a, &b]);
    assert_eq!(merged.traces.len(), 1);
    let t = &merged.traces[0];
    assert_eq!(t.spans.len(), 4);
    assert_eq!(t.tree.roots.len(), 1);
    assert_eq!(t.orphan_count(), 0);
    let ids: Vec<u64> = t.tree.preorder.iter().map(|&i| t.spans[i as usize].span_id.0).collect();
    assert_eq!(ids, vec![1, 2, 4, 3]);
    // B's orphan warning is structural and recomputed, so it does not survive the merge.
    assert!(merged.warnings.iter().all(|w| w.kind == WarningKind::InvalidValue));
    let sources: Vec<(&str, u64)> = merged.sources.iter().map(|s| (s.name.as_str(), s.span_records)).collect();
    assert_eq!(sources, vec![("a.json", 2), ("b.json", 2)]);
    assert_eq!(t.spans[2].source.0, 1, "spans keep the file they came from");
}

#[test]
fn shared_span_behaves_like_two_files_opened_together() {
    let a_spans = [(1, None, 0), (2, Some(1), 10)];
    let b_spans = [(2, Some(1), 10), (3, Some(2), 20)];
    let mut together = TraceSetBuilder::new();
    push_file(&mut together, "a.json", &a_spans);
    push_file(&mut together, "b.json", &b_spans);
    let together = together.finish();
    let merged = absorb_all(&[&file("a.json", &a_spans), &file("b.json", &b_spans)]);
    assert_eq!(describe(&merged), describe(&together));
    assert_eq!(merged.warnings, together.warnings);
    assert_eq!(merged.sources, together.sources);
    // The builder keeps both copies of span 2 and flags the second, as for two files.
    assert_eq!(merged.traces[0].spans.len(), 4);
    assert_eq!(merged.warnings.iter().filter(|w| w.kind == WarningKind::DuplicateSpanId).count(), 1);
}

#[test]
fn out_of_range_index_adds_nothing() {
    let a = file("a.json", &[(1, None, 0)]);
    let mut b = TraceSetBuilder::new();
    let mut ctx = AbsorbContext::new(&a);
    assert!(!b.absorb_trace(&mut ctx, 1));
    assert!(!b.absorb_trace(&mut ctx, usize::MAX));
    assert!(!b.absorb_trace_id(&mut ctx, TraceId(7)));
    let set = b.finish();
    assert!(set.traces.is_empty() && set.sources.is_empty() && set.warnings.is_empty());
}

#[test]
fn dangling_indices_and_foreign_symbols_do_not_panic() {
    let mut a = file("a.json", &[(1, None, 0)]);
    let s = &mut a.traces[0].spans[0];
    s.resource = ResourceIdx(99);
    s.scope = ScopeIdx(u32::MAX);
    s.source = SourceIdx(42);
    let mut other = crate::Interner::new();
    (0..100).for_each(|i| {
        other.intern(&i.to_string());
    });
    s.name = other.intern("foreign");
    let merged = absorb_all(&[&a]);
    let span = &merged.traces[0].spans[0];
    assert_eq!(merged.resolve(span.name), "");
    assert!(merged.resource(span).is_none() && merged.scope(span).is_none());
    assert_eq!(merged.sources[span.source.0 as usize].name, "unknown source");
}

/// A set with one span carrying every kind of symbol: nested values, events, links, resource, scope.
fn rich_set() -> TraceSet {
    let mut b = TraceSetBuilder::new();
    b.begin_source("rich.pb", "otlp-proto", 99);
    let sym = |b: &mut TraceSetBuilder, t: &str| b.intern(t);
    let (k, v, inner) = (sym(&mut b, "k"), sym(&mut b, "v"), sym(&mut b, "inner"));
    let nested = AnyValue::Array(
        vec![
            AnyValue::Str(v),
            AnyValue::KvList(
                vec![Attribute { key: inner, value: AnyValue::Array(vec![AnyValue::Int(1)].into()) }].into(),
            ),
            AnyValue::Bytes(vec![1, 2].into()),
            AnyValue::Empty,
            AnyValue::Float(1.5),
            AnyValue::Bool(true),
        ]
        .into(),
    );
    let attrs: Box<[Attribute]> = vec![Attribute { key: k, value: nested }].into();
    let resource =
        Resource { service: sym(&mut b, "checkout"), attributes: attrs.clone(), dropped_attributes_count: 2 };
    let scope = Scope { name: sym(&mut b, "lib"), version: Some(sym(&mut b, "1.0")), attributes: attrs.clone() };
    let (resource, scope) = (b.add_resource(resource), b.add_scope(scope));
    let mut s = span(&mut b, 1, None, 5);
    s.resource = resource;
    s.scope = scope;
    s.kind = SpanKind::Server;
    s.status = Status { code: StatusCode::Error, message: Some(sym(&mut b, "boom")) };
    s.trace_state = Some(sym(&mut b, "ts=1"));
    s.attributes = attrs.clone();
    let ev =
        Event { time_nanos: 7, name: sym(&mut b, "exception"), attributes: attrs.clone(), dropped_attributes_count: 1 };
    s.events = vec![ev].into();
    let link = Link {
        trace_id: TraceId(5),
        span_id: SpanId(6),
        trace_state: Some(sym(&mut b, "ls")),
        attributes: attrs,
        dropped_attributes_count: 0,
        flags: 1,
    };
    s.links = vec![link].into();
    let mut second = s.clone();
    second.span_id = SpanId(2);
    second.parent_span_id = Some(SpanId(1));
    b.push_span(TRACE, 16, s);
    b.push_span(TraceId(0xdef), 16, second);
    b.finish()
}

#[test]
fn every_symbol_is_reinterned_and_shared_parts_copied_once() {
    let rich = rich_set();
    // Seed the target with other strings so that equal symbol numbers would be a coincidence.
    let mut b = TraceSetBuilder::new();
    (0..10).for_each(|i| {
        b.intern(&format!("pad{i}"));
    });
    let mut ctx = AbsorbContext::new(&rich);
    assert!(b.absorb_trace(&mut ctx, 0) && b.absorb_trace(&mut ctx, 1));
    let merged = b.finish();
    assert_eq!(describe(&merged), describe(&rich));
    assert_eq!(merged.resources.len(), 1, "a resource shared by two traces is copied once");
    assert_eq!(merged.scopes.len(), 1);
    assert_eq!(merged.sources.len(), 1);
    assert_eq!(merged.resources[0].dropped_attributes_count, 2);
}

#[test]
fn absorbing_keeps_the_importers_current_source() {
    let a = file("a.json", &[(1, None, 0)]);
    let mut b = TraceSetBuilder::new();
    b.begin_source("open.json", "test", 1);
    let mut ctx = AbsorbContext::new(&a);
    assert!(b.absorb_trace(&mut ctx, 0));
    let s = span(&mut b, 9, None, 0);
    b.push_span(TraceId(1), 8, s);
    b.warn(Warning::new(WarningKind::Other, "x"));
    let set = b.finish();
    assert_eq!(set.traces[1].spans[0].source, SourceIdx(0));
    assert_eq!(set.warnings.last().unwrap().source.as_deref(), Some("open.json"));
    assert_eq!(set.sources[0].span_records, 1);
}

#[test]
fn rollback_makes_the_context_copy_again() {
    let a = file("a.json", &[(1, None, 0)]);
    let mut b = TraceSetBuilder::new();
    let checkpoint = b.checkpoint();
    let mut ctx = AbsorbContext::new(&a);
    assert!(b.absorb_trace(&mut ctx, 0));
    b.rollback(checkpoint);
    assert!(b.absorb_trace(&mut ctx, 0));
    let set = b.finish();
    assert_eq!(describe(&set), describe(&a));
    assert_eq!(set.sources.len(), 1);
}

#[test]
fn deeply_nested_values_copy_without_recursion() {
    let mut a = file("a.json", &[(1, None, 0)]);
    let key = a.strings.intern("deep");
    let mut value = AnyValue::Int(0);
    for _ in 0..100_000 {
        value = AnyValue::Array(vec![value].into());
    }
    a.traces[0].spans[0].attributes = vec![Attribute { key, value }].into();
    let mut merged = absorb_all(&[&a]);
    let copied = std::mem::replace(&mut merged.traces[0].spans[0].attributes[0].value, AnyValue::Empty);
    let original = std::mem::replace(&mut a.traces[0].spans[0].attributes[0].value, AnyValue::Empty);
    assert_eq!(copied.display(&merged.strings).len(), 200_001);
    crate::value::drop_deep(copied);
    crate::value::drop_deep(original);
}

#[test]
fn absorbing_keeps_an_unknown_end_unknown() {
    let mut b = TraceSetBuilder::new();
    b.begin_source("a.json", "test", 0);
    let (name, svc) = (b.intern("op"), b.intern("svc"));
    b.push_span(TRACE, 16, Span::new(SpanId(1), name, svc, 100, 50));
    let mut open = Span::new_incomplete(SpanId(2), name, svc, 120);
    open.parent_span_id = Some(SpanId(1));
    b.push_span(TRACE, 16, open);
    let from = b.finish();
    let mut into = TraceSetBuilder::new();
    let mut ctx = AbsorbContext::new(&from);
    assert!(into.absorb_trace(&mut ctx, 0));
    let set = into.finish();
    assert_eq!(describe(&set), describe(&from));
    assert!(set.traces[0].spans[1].is_incomplete());
    assert_eq!((set.traces[0].start_nanos, set.traces[0].end_nanos), (100, 150));
}
