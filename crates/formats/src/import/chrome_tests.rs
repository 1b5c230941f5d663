#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::import::zipkin_v2::tests::fixture;
use spanlens_model::TraceSet;

fn load(bytes: &[u8]) -> TraceSet {
    let mut b = TraceSetBuilder::new();
    b.begin_source("c.json", FORMAT, bytes.len() as u64);
    import(bytes, "c.json", &mut b).unwrap();
    b.finish()
}

fn count(set: &TraceSet, kind: WarningKind) -> usize {
    set.warnings.iter().filter(|w| w.kind == kind).count()
}

#[test]
fn corpus_files_give_the_expected_spans() {
    // (file, events in MANIFEST, spans = X + matched B/E pairs, unclosed B)
    let cases = [
        ("catapult__B-E-array__big_trace.json", 1866, 933, 0),
        ("catapult__X-events__x_event_trace.json", 4027, 2799 + 442, 0),
        ("catapult__unclosed-B-slices__main_thread_has_unclosed_slices.json", 3386, 1684, 4),
        ("speedscope__chrome116-devtools-object__Trace-20230603T221323.json", 3108, 2456, 0),
        ("speedscope__chrome65-devtools-array__simple-timeline.json", 3551, 2253 + 437, 0),
    ];
    for (file, events, spans, unclosed) in cases {
        let bytes = fixture(&format!("chrome-trace-event/{file}"));
        let key = if bytes.first() == Some(&b'{') { Some("traceEvents") } else { None };
        let streamed = json_stream::for_each_element(&bytes, key, &mut |_| {}).unwrap().elements;
        assert_eq!(streamed, events, "{file}: events read");
        let set = load(&bytes);
        assert_eq!(set.traces.len(), 1, "{file}");
        assert_eq!(set.sources[0].span_records, spans, "{file}");
        assert_eq!(count(&set, WarningKind::UnclosedSlice), unclosed, "{file}");
        let t = &set.traces[0];
        assert_eq!(t.orphan_count(), 0, "{file}");
        assert_eq!(count(&set, WarningKind::DuplicateSpanId), 0, "{file}");
        assert_eq!(count(&set, WarningKind::ClockSkew), 0, "{file}: children must lie inside parents");
        // Same bytes, same trace id.
        assert_eq!(load(&bytes).traces[0].trace_id, t.trace_id, "{file}");
    }
}

#[test]
fn process_and_thread_names_and_skipped_phases() {
    let set = load(&fixture("chrome-trace-event/catapult__X-events__x_event_trace.json"));
    let t = &set.traces[0];
    assert!(
        set.warnings.iter().any(|w| w.kind == WarningKind::Other && w.message.contains("53 'S'")),
        "{:#?}",
        set.warnings
    );
    let services: Vec<&str> = t.services().into_iter().map(|s| set.resolve(s)).collect();
    assert!(!services.iter().any(|s| s.starts_with("process ")), "{services:?}");
    // Thread-scoped instants land on enclosing slices as events.
    assert!(t.spans.iter().map(|s| s.events.len()).sum::<usize>() > 0);
}

#[test]
fn nesting_by_time_with_b_e_and_x() {
    let json = br#"{"traceEvents":[
        {"ph":"M","pid":1,"tid":2,"name":"process_name","args":{"name":"browser"}},
        {"ph":"M","pid":1,"tid":2,"name":"thread_name","args":{"name":"main"}},
        {"ph":"B","pid":1,"tid":2,"ts":0,"name":"outer","cat":"a,b","args":{"n":1,"o":{"x":[1,"y"]}}},
        {"ph":"X","pid":1,"tid":2,"ts":1.5,"dur":2,"name":"inner"},
        {"ph":"i","pid":1,"tid":2,"ts":2,"name":"mark","s":"t"},
        {"ph":"E","pid":1,"tid":2,"ts":10,"args":{"ret":true}},
        {"ph":"X","pid":1,"tid":3,"ts":5,"dur":1,"name":"other-thread"},
        {"ph":"C","pid":1,"tid":2,"ts":5,"name":"counter"},
        {"ph":"E","pid":1,"tid":9,"ts":5}
    ],"displayTimeUnit":"ns"}"#;
    let set = load(json);
    let t = &set.traces[0];
    assert_eq!(t.spans.len(), 3);
    let outer = t.spans.iter().position(|s| set.resolve(s.name) == "outer").unwrap();
    let inner = t.spans.iter().position(|s| set.resolve(s.name) == "inner").unwrap();
    assert_eq!(t.tree.parent_of(inner as u32), Some(outer as u32));
    let o = &t.spans[outer];
    assert_eq!(o.duration_nanos, 10_000);
    assert_eq!(set.resolve(o.service), "browser");
    assert_eq!(o.kind, SpanKind::Internal);
    let attr = |s: &Span, k: &str| s.attribute(set.strings.get(k).unwrap()).map(|v| v.display(&set.strings));
    assert_eq!(attr(o, "thread.name").as_deref(), Some("main"));
    assert_eq!(attr(o, "thread.id").as_deref(), Some("2"));
    assert_eq!(attr(o, "chrome.category").as_deref(), Some("a,b"));
    assert_eq!(attr(o, "args.o").as_deref(), Some(r#"{"x": [1, "y"]}"#));
    assert_eq!(attr(o, "args.ret").as_deref(), Some("true"));
    let i = &t.spans[inner];
    assert_eq!(i.start_nanos, 1_500);
    assert_eq!(i.events.len(), 1);
    assert_eq!(count(&set, WarningKind::Other), 1); // the skipped counter
    assert_eq!(count(&set, WarningKind::InvalidValue), 1); // the lone E
}

#[test]
fn truncated_array_and_trailing_garbage_are_tolerated() {
    let set =
        load(br#"[{"ph":"X","pid":1,"tid":1,"ts":1,"dur":1,"name":"a"},{"ph":"B","pid":1,"tid":1,"ts":3,"name":"b"},"#);
    assert_eq!(set.span_count(), 2);
    assert_eq!(count(&set, WarningKind::Truncated), 1);
    assert_eq!(count(&set, WarningKind::UnclosedSlice), 1);
    let set = load(br#"[{"ph":"X","pid":1,"tid":1,"ts":1,"dur":1,"name":"a"}] trailing junk"#);
    assert_eq!(set.span_count(), 1);
    assert_eq!(count(&set, WarningKind::Other), 1);
    let set = load(br#"[{"ph":"X","pid":1,"tid":1,"ts":1,"dur":1,"name":"a"}, nonsense"#);
    assert_eq!(set.span_count(), 1);
    assert_eq!(count(&set, WarningKind::Truncated), 1);
    let mut b = TraceSetBuilder::new();
    assert!(import(b"[nonsense", "x", &mut b).is_err());
    assert!(import(br#"{"other":[]}"#, "x", &mut b).is_err());
}

#[test]
fn overlapping_slices_do_not_break_the_tree() {
    let json = br#"[{"ph":"X","pid":1,"tid":1,"ts":0,"dur":10,"name":"a"},
                   {"ph":"X","pid":1,"tid":1,"ts":5,"dur":10,"name":"b"},
                   {"ph":"X","pid":1,"tid":1,"ts":6,"dur":1,"name":"c"}]"#;
    let set = load(json);
    let t = &set.traces[0];
    assert_eq!(t.tree.roots.len(), 2);
    assert_eq!(count(&set, WarningKind::ClockSkew), 0);
    assert!(set.warnings.iter().any(|w| w.message.contains("overlapped")));
}

#[test]
fn deep_args_convert_without_recursion() {
    let mut b = TraceSetBuilder::new();
    let mut text = String::new();
    for _ in 0..60 {
        text.push_str("{\"a\":[");
    }
    text.push('1');
    for _ in 0..60 {
        text.push_str("]}");
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    let any = json_to_any(&v, &mut b);
    assert!(any.display(b.strings()).len() > 300);
}
