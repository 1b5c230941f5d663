#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use spanlens_model::{SpanKind, StatusCode, TraceSet};

pub(crate) fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../../shared/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn load(bytes: &[u8]) -> TraceSet {
    let mut b = TraceSetBuilder::new();
    b.begin_source("t.json", FORMAT, bytes.len() as u64);
    import(bytes, "t.json", &mut b).unwrap();
    b.finish()
}

fn count(set: &TraceSet, kind: WarningKind) -> usize {
    set.warnings.iter().filter(|w| w.kind == kind).count()
}

#[test]
fn shared_server_half_becomes_child_of_client() {
    let set = load(&fixture("zipkin-v2/zipkin-lens__skew.json"));
    assert_eq!(set.sources[0].span_records, 4);
    assert_eq!(set.traces.len(), 1);
    let t = &set.traces[0];
    assert_eq!(t.spans.len(), 4);
    assert_eq!(t.orphan_count(), 0);
    assert_eq!(t.tree.roots.len(), 1);
    // get (servicea) > post CLIENT (servicea) > post SERVER (serviceb) > async (serviceb)
    let by_name_kind =
        |n: &str, k: SpanKind| t.spans.iter().position(|s| set.resolve(s.name) == n && s.kind == k).unwrap() as u32;
    let client = by_name_kind("post", SpanKind::Client);
    let server = by_name_kind("post", SpanKind::Server);
    let asynch = by_name_kind("async", SpanKind::Unspecified);
    assert_eq!(t.tree.parent_of(server), Some(client));
    assert_eq!(t.tree.parent_of(asynch), Some(server));
    assert_eq!(set.resolve(t.spans[server as usize].service), "serviceb");
    assert_ne!(t.spans[server as usize].span_id, t.spans[client as usize].span_id);
    assert_eq!(count(&set, WarningKind::SharedSpanMerged), 1);
    assert_eq!(count(&set, WarningKind::DuplicateSpanId), 0);
}

#[test]
fn identical_copies_are_kept_as_flagged_duplicates() {
    let set = load(&fixture("zipkin-v2/otelcol-2021__zipkinreceiver__sample1.json"));
    assert_eq!(set.sources[0].span_records, 9);
    assert_eq!(set.traces.len(), 1);
    let t = &set.traces[0];
    assert_eq!(t.spans.len(), 9);
    assert_eq!(t.orphan_count(), 9);
    assert_eq!(count(&set, WarningKind::DuplicateSpanId), 8);
    assert_eq!(count(&set, WarningKind::SharedSpanMerged), 0);
    let s = &t.spans[0];
    assert_eq!(t.trace_id_hex(), "4d1e00c0db9010db86154a4ba6e91385");
    assert_eq!(s.kind, SpanKind::Client);
    assert_eq!(s.start_nanos, 1_472_470_996_199_000_000);
    assert_eq!(s.duration_nanos, 207_000_000);
    assert_eq!(s.events.len(), 2);
    let attr = |k: &str| s.attribute(set.strings.get(k).unwrap()).map(|v| v.display(&set.strings));
    assert_eq!(attr("peer.service").as_deref(), Some("backend"));
    assert_eq!(attr("net.peer.port").as_deref(), Some("9000"));
    assert_eq!(attr("http.path").as_deref(), Some("/api"));
    let res = set.resource(s).unwrap();
    assert_eq!(set.resolve(res.service), "frontend");
}

#[test]
fn pieces_of_one_span_are_merged_and_still_counted() {
    let json = br#"[{"traceId":"a","id":"1","kind":"SERVER","name":"get","timestamp":10,"duration":5,"localEndpoint":{"serviceName":"s"}},
                    {"traceId":"a","id":"1","localEndpoint":{"serviceName":"s","ipv4":"1.2.3.4"},"tags":{"late":"tag"},
                     "annotations":[{"timestamp":12,"value":"flushed"}]}]"#;
    let set = load(json);
    assert_eq!(set.sources[0].span_records, 2);
    assert_eq!(set.span_count(), 1);
    let s = &set.traces[0].spans[0];
    assert_eq!((s.kind, s.start_nanos, s.duration_nanos), (SpanKind::Server, 10_000, 5_000));
    assert_eq!(s.attributes.len(), 1);
    assert_eq!(s.events.len(), 1);
    assert_eq!(count(&set, WarningKind::SharedSpanMerged), 1);
}

#[test]
fn every_zipkin_v2_fixture_matches_the_manifest() {
    // (file, span_records, traces, services, orphans) as in MANIFEST.json
    let cases = [
        ("zipkin-lens__smartthings-mobile-web-install.json", 1041, 1, 16, 0),
        ("zipkin-lens__yelp.json", 16, 1, 6, 0),
        ("zipkin-lens__messaging-kafka.json", 28, 1, 2, 0),
        ("zipkin-lens__messaging.json", 4, 1, 2, 0),
        ("zipkin-lens__messaging2.json", 11, 1, 4, 6),
        ("zipkin-lens__ascend.json", 8, 1, 3, 0),
        ("zipkin-lens__simple-db-p6.json", 5, 1, 1, 0),
        ("zipkin-lens__skew.json", 4, 1, 2, 0),
        ("otelcol-2021__zipkinreceiver__sample1.json", 9, 1, 1, 9),
    ];
    for (file, records, traces, services, orphans) in cases {
        let set = load(&fixture(&format!("zipkin-v2/{file}")));
        assert_eq!(set.sources[0].span_records, records, "{file}");
        assert_eq!(set.traces.len(), traces, "{file}");
        assert_eq!(set.traces[0].services().len(), services, "{file}");
        assert_eq!(set.traces[0].orphan_count(), orphans, "{file}");
        // Only sample1's nine identical copies are duplicates; shared ids are resolved.
        let dups = if orphans == 9 { 8 } else { 0 };
        assert_eq!(count(&set, WarningKind::DuplicateSpanId), dups, "{file}");
    }
}

#[test]
fn smartthings_fragments_merge_into_server_halves() {
    let set = load(&fixture("zipkin-v2/zipkin-lens__smartthings-mobile-web-install.json"));
    let t = &set.traces[0];
    assert_eq!(t.spans.len(), 1041 - 84);
    assert_eq!(t.orphan_count(), 0);
    assert_eq!(t.tree.roots.len(), 1);
    // No span is left without a timestamp once fragments are merged.
    assert_eq!(set.warnings.iter().filter(|w| w.message.contains("no timestamp")).count(), 0);
}

#[test]
fn messaging2_keeps_its_orphans() {
    let set = load(&fixture("zipkin-v2/zipkin-lens__messaging2.json"));
    assert_eq!(set.traces[0].orphan_count(), 6);
}

#[test]
fn list_of_traces_and_error_tag() {
    let json = br#"[[{"traceId":"a","id":"1","name":"x","timestamp":10,"duration":5,"tags":{"error":"boom","n":3}}],
                    [{"traceId":"0000000000000000000000000000000b","id":"2","kind":"PRODUCER","timestamp":20}]]"#;
    let set = load(json);
    assert_eq!(set.traces.len(), 2);
    let s = &set.traces[0].spans[0];
    assert_eq!(s.status.code, StatusCode::Error);
    assert_eq!(set.resolve(s.status.message.unwrap()), "boom");
    assert_eq!(s.attributes.len(), 1);
    assert_eq!(set.traces[0].trace_id_hex(), "000000000000000a");
    assert_eq!(set.traces[1].trace_id_hex(), "0000000000000000000000000000000b");
    assert_eq!(set.traces[1].spans[0].kind, SpanKind::Producer);
    assert_eq!(set.resolve(set.traces[1].spans[0].service), "unknown_service");
}

#[test]
fn bad_records_are_warnings_and_bad_documents_errors() {
    let set = load(br#"[1, {"id":"1"}, {"traceId":"zz","id":"1"}, {"traceId":"a","id":"1","parentId":" ","duration":-4,"kind":"odd"}]"#);
    assert_eq!(set.span_count(), 1);
    assert_eq!(count(&set, WarningKind::InvalidValue), 6, "{:#?}", set.warnings);
    assert_eq!(count(&set, WarningKind::NegativeDuration), 1);
    let mut b = TraceSetBuilder::new();
    let err = import(br#"[{"traceId":"a","id":"1"}"#, "f.json", &mut b).unwrap_err();
    assert_eq!(err.file, "f.json");
    assert_eq!(err.format, FORMAT);
    assert!(matches!(err.position, Position::LineColumn { line: 1, .. }));
    assert!(import(b"{}", "f.json", &mut b).is_err());
}
