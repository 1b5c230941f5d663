//! Span ids written as text that is not hex (`span-A`, `root`, `s1`: hand-written traces and some
//! peers' test data use them) are kept: each text gets a stable 64-bit id, references to it resolve
//! to the same span, the text is kept for display, and the file gets one informational warning.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use spanlens_formats::import::import_bytes;
use spanlens_model::ids::fnv1a;
use spanlens_model::{SpanId, TraceSet, TraceSetBuilder, WarningKind};

fn load(name: &str, bytes: &[u8]) -> TraceSet {
    let mut b = TraceSetBuilder::new();
    import_bytes(bytes, name, &mut b).unwrap();
    b.finish()
}

fn check(set: &TraceSet) {
    assert_eq!(set.span_count(), 3);
    let t = &set.traces[0];
    let by_text = |text: &str| t.spans.iter().position(|s| set.span_id_text(s.span_id) == Some(text)).unwrap();
    let (root, a, b) = (by_text("root"), by_text("span-A"), by_text("s1"));
    assert_eq!(t.spans[root].span_id, SpanId(fnv1a(b"root")), "stable: FNV-1a of the text");
    assert_eq!(t.tree.parent_of(a as u32), Some(root as u32));
    assert_eq!(t.tree.parent_of(b as u32), Some(a as u32));
    assert_eq!(set.span_id_display(t.spans[a].span_id), "span-A");
    let text_warnings: Vec<_> = set.warnings.iter().filter(|w| w.kind == WarningKind::TextSpanId).collect();
    assert_eq!(text_warnings.len(), 1, "{:#?}", set.warnings);
    assert!(text_warnings[0].message.starts_with("3 span ids are not hex"), "{}", text_warnings[0].message);
    assert!(WarningKind::TextSpanId.is_informational());
    assert!(
        set.warnings.iter().all(|w| w.kind == WarningKind::TextSpanId),
        "no other warnings (no missing parents): {:#?}",
        set.warnings
    );
}

#[test]
fn jaeger_json_references_and_parent_span_id() {
    let json = br#"{"data":[{"traceID":"abc","spans":[
        {"traceID":"abc","spanID":"root","operationName":"r","startTime":1,"duration":100,"processID":"p1"},
        {"traceID":"abc","spanID":"span-A","operationName":"a","startTime":2,"duration":50,"processID":"p1",
         "references":[{"refType":"CHILD_OF","traceID":"abc","spanID":"root"}]},
        {"traceID":"abc","spanID":"s1","parentSpanID":"span-A","operationName":"b","startTime":3,"duration":5,"processID":"p1"}
    ],"processes":{"p1":{"serviceName":"svc"}}}]}"#;
    check(&load("j.json", json));
}

#[test]
fn zipkin_v2_id_and_parent_id() {
    let json = br#"[
        {"traceId":"abc","id":"root","name":"r","timestamp":1,"duration":100,"localEndpoint":{"serviceName":"svc"}},
        {"traceId":"abc","id":"span-A","parentId":"root","name":"a","timestamp":2,"duration":50,"localEndpoint":{"serviceName":"svc"}},
        {"traceId":"abc","id":"s1","parentId":"span-A","name":"b","timestamp":3,"duration":5,"localEndpoint":{"serviceName":"svc"}}
    ]"#;
    check(&load("z.json", json));
}

#[test]
fn hex_ids_are_unchanged_and_collisions_move_on() {
    let json = br#"{"data":[{"traceID":"abc","spans":[
        {"traceID":"abc","spanID":"00000000000000ff","operationName":"r","startTime":1,"duration":100,"processID":"p1"}
    ],"processes":{"p1":{"serviceName":"svc"}}}]}"#;
    let set = load("j.json", json);
    assert_eq!(set.traces[0].spans[0].span_id, SpanId(0xff));
    assert!(set.span_id_texts.is_empty() && set.warnings.is_empty());

    let mut texts = spanlens_model::ids::SpanIdTexts::default();
    let (a, new) = texts.intern("a");
    assert!(new);
    assert_eq!(texts.intern("a"), (a, false));
    texts.insert(SpanId(fnv1a(b"b")), "other");
    let (b, _) = texts.intern("b");
    assert_eq!(b, SpanId(fnv1a(b"b").wrapping_add(1)), "a taken hash moves to the next value");
    assert_eq!(texts.get(b), Some("b"));
}

#[test]
fn absorbing_a_trace_keeps_its_texts() {
    let json = br#"[{"traceId":"abc","id":"root","name":"r","timestamp":1,"duration":100,"localEndpoint":{"serviceName":"svc"}}]"#;
    let set = load("z.json", json);
    let mut b = TraceSetBuilder::new();
    let mut ctx = spanlens_model::AbsorbContext::new(&set);
    assert!(b.absorb_trace(&mut ctx, 0));
    let copy = b.finish();
    assert_eq!(copy.span_id_text(copy.traces[0].spans[0].span_id), Some("root"));
}
