//! Tests of `suggest`, in a file of their own so the module stays readable.
#![allow(clippy::unwrap_used)]

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
