#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Round trips: every fixture (and synthetic data) → export → import gives the same model.
//!
//! Models are compared in a canonical form: spans sorted by (trace id, span id, start, name), ids by
//! value (OTLP always writes 128-bit trace ids, so the written width may grow), attribute values by
//! type and text. The Jaeger form is compared at microsecond precision, without the details Jaeger
//! JSON cannot carry (scope, trace state, value types of arrays/kvlists, link attributes).

use spanlens_formats::export::{self, ExportFormat};
use spanlens_formats::import::import_bytes;
use spanlens_model::{AnyValue, Attribute, Interner, TraceSet, TraceSetBuilder};
use spanlens_synth::{SynthOptions, generate};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Exact,
    Jaeger,
}

type CAttr = (String, String, String);

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct CSpan {
    trace: u128,
    id: u64,
    start: i64,
    name: String,
    end: i64,
    parent: Option<u64>,
    missing_parent: bool,
    depth: u32,
    service: String,
    kind: String,
    status: (String, Option<String>),
    attrs: Vec<CAttr>,
    events: Vec<(i64, String, Vec<CAttr>)>,
    links: Vec<(u128, u64, Option<String>, Vec<CAttr>)>,
    resource: Vec<CAttr>,
    scope: Option<(String, Option<String>)>,
    extra: (Option<String>, u32, [u32; 3]),
}

const JAEGER_ONLY_TAGS: [&str; 3] = ["otel.scope.name", "otel.scope.version", "w3c.tracestate"];

fn attrs(list: &[Attribute], strings: &Interner, mode: Mode) -> Vec<CAttr> {
    let mut out: Vec<CAttr> = list
        .iter()
        .map(|a| {
            let key = strings.resolve(a.key).to_owned();
            let ty = match (mode, &a.value) {
                (Mode::Jaeger, AnyValue::Array(_) | AnyValue::KvList(_) | AnyValue::Empty) => "string",
                (_, v) => v.type_name(),
            };
            (key, ty.to_owned(), a.value.display(strings))
        })
        .filter(|(k, _, _)| mode == Mode::Exact || !JAEGER_ONLY_TAGS.contains(&k.as_str()))
        .collect();
    out.sort();
    out
}

fn micros(ns: i64, mode: Mode) -> i64 {
    if mode == Mode::Jaeger { ns.div_euclid(1000) } else { ns }
}

fn canon(set: &TraceSet, mode: Mode) -> Vec<CSpan> {
    let s = &set.strings;
    let mut out = Vec::with_capacity(set.span_count());
    for t in &set.traces {
        for (i, span) in t.spans.iter().enumerate() {
            let resource = set.resource(span).map_or_else(Vec::new, |r| {
                let mut a = attrs(&r.attributes, s, mode);
                a.retain(|(k, _, _)| k != "service.name");
                a
            });
            let exact = mode == Mode::Exact;
            out.push(CSpan {
                trace: t.trace_id.0,
                id: span.span_id.0,
                start: micros(span.start_nanos, mode),
                name: s.resolve(span.name).to_owned(),
                end: if mode == Mode::Jaeger {
                    span.end_nanos().div_euclid(1000) + i64::from(span.end_nanos().rem_euclid(1000) != 0)
                } else {
                    span.end_nanos()
                },
                parent: span.parent_span_id.map(|p| p.0),
                missing_parent: t.tree.missing_parent[i],
                depth: t.tree.depth[i],
                service: s.resolve(span.service).to_owned(),
                kind: span.kind.as_str().to_owned(),
                status: (span.status.code.as_str().to_owned(), span.status.message.map(|m| s.resolve(m).to_owned())),
                attrs: attrs(&span.attributes, s, mode),
                events: span
                    .events
                    .iter()
                    .map(|e| (micros(e.time_nanos, mode), s.resolve(e.name).to_owned(), attrs(&e.attributes, s, mode)))
                    .collect(),
                links: span
                    .links
                    .iter()
                    .map(|l| {
                        let detail = exact.then(|| l.trace_state.map(|ts| s.resolve(ts).to_owned())).flatten();
                        let la = if exact { attrs(&l.attributes, s, mode) } else { Vec::new() };
                        (l.trace_id.0, l.span_id.0, detail, la)
                    })
                    .collect(),
                resource,
                scope: if exact {
                    set.scope(span)
                        .map(|sc| (s.resolve(sc.name).to_owned(), sc.version.map(|v| s.resolve(v).to_owned())))
                } else {
                    None
                },
                extra: if exact {
                    (
                        span.trace_state.map(|ts| s.resolve(ts).to_owned()),
                        span.flags,
                        [span.dropped.attributes, span.dropped.events, span.dropped.links],
                    )
                } else {
                    (None, span.flags, [0; 3])
                },
            });
        }
    }
    out.sort();
    out
}

fn reimport(set: &TraceSet, format: ExportFormat) -> TraceSet {
    let bytes = export::to_vec(set, format);
    let mut b = TraceSetBuilder::new();
    if let Err(e) = import_bytes(&bytes, "round-trip", &mut b) {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(600)]).into_owned();
        panic!("re-import of {} failed: {e}\n{head}", format.as_str());
    }
    b.finish()
}

fn assert_round_trip(name: &str, set: &TraceSet) {
    for (format, mode) in [(ExportFormat::OtlpJson, Mode::Exact), (ExportFormat::JaegerJson, Mode::Jaeger)] {
        let back = reimport(set, format);
        assert_eq!(back.traces.len(), set.traces.len(), "{name} via {}: trace count", format.as_str());
        assert_eq!(back.span_count(), set.span_count(), "{name} via {}: span count", format.as_str());
        let (a, b) = (canon(set, mode), canon(&back, mode));
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "{name} via {}", format.as_str());
        }
    }
}

fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
}

#[test]
fn every_importable_fixture_round_trips_through_otlp_and_jaeger() {
    let mut checked = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures_dir()).expect("fixtures").flatten().map(|e| e.path()).collect();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let mut files: Vec<_> = std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.path()).collect();
        files.sort();
        // Only trace files: `backend-api/` holds recorded API answers in folders of its own, checked by
        // the backends' tests.
        for path in files.into_iter().filter(|p| p.is_file()) {
            let bytes = std::fs::read(&path).expect("read");
            let name = path.display().to_string();
            let mut b = TraceSetBuilder::new();
            // Tempo search results and similar are not whole traces; those that fail are not ours to test.
            if import_bytes(&bytes, &name, &mut b).is_err() {
                continue;
            }
            let set = b.finish();
            if set.span_count() == 0 {
                continue;
            }
            assert_round_trip(&name, &set);
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} fixtures round-tripped");
}

#[test]
fn synthetic_traces_round_trip() {
    let set = generate(&SynthOptions { spans: 5_000, traces: 7, seed: 3, deep_chain: false });
    assert_round_trip("synth", &set);
    let chain = generate(&SynthOptions { spans: 3_000, traces: 1, seed: 3, deep_chain: true });
    assert_round_trip("synth-chain", &chain);
}

#[test]
fn every_value_type_round_trips_through_otlp() {
    use spanlens_model::{Event, Link, Resource, Scope, Span, SpanId, SpanKind, Status, StatusCode, TraceId};
    let mut b = TraceSetBuilder::new();
    b.begin_source("hand", "test", 0);
    let svc = b.intern("svc");
    let k = |b: &mut TraceSetBuilder, t: &str| b.intern(t);
    let key = k(&mut b, "service.name");
    let resource = b.add_resource(Resource {
        service: svc,
        attributes: vec![Attribute { key, value: AnyValue::Str(svc) }].into(),
        dropped_attributes_count: 2,
    });
    let (sn, sv) = (k(&mut b, "lib"), k(&mut b, "1.0"));
    let scope = b.add_scope(Scope { name: sn, version: Some(sv), attributes: Box::default() });
    let nested = AnyValue::KvList(
        vec![
            Attribute {
                key: k(&mut b, "a"),
                value: AnyValue::Array(vec![AnyValue::Int(-3), AnyValue::Float(0.5), AnyValue::Empty].into()),
            },
            Attribute { key: k(&mut b, "quote\"d"), value: AnyValue::Str(k(&mut b, "line\nbreak ✓")) },
        ]
        .into(),
    );
    let values = [
        AnyValue::Bool(true),
        AnyValue::Int(i64::MIN),
        AnyValue::Float(1e300),
        AnyValue::Float(-0.125),
        AnyValue::Bytes(vec![0, 255, 7].into()),
        nested,
    ];
    let mut span = Span::new(SpanId(0x1234), k(&mut b, "op"), svc, 1_700_000_000_123_456_789, 987_654_321);
    span.resource = resource;
    span.scope = scope;
    span.kind = SpanKind::Consumer;
    span.status = Status { code: StatusCode::Error, message: Some(k(&mut b, "bad")) };
    span.trace_state = Some(k(&mut b, "rojo=00f067aa0ba902b7"));
    span.flags = 0x301;
    span.dropped.attributes = 1;
    span.dropped.events = 2;
    span.dropped.links = 3;
    span.attributes = values
        .iter()
        .enumerate()
        .map(|(i, v)| Attribute { key: k(&mut b, &format!("v{i}")), value: v.clone() })
        .collect();
    span.events = vec![Event {
        time_nanos: 1_700_000_000_123_456_999,
        name: k(&mut b, "ev"),
        attributes: span.attributes.clone(),
        dropped_attributes_count: 4,
    }]
    .into();
    span.links = vec![Link {
        trace_id: TraceId(0xfeed),
        span_id: SpanId(0xbeef),
        trace_state: Some(k(&mut b, "x=1")),
        attributes: span.attributes.clone(),
        dropped_attributes_count: 0,
        flags: 1,
    }]
    .into();
    let mut child = Span::new(SpanId(0x99), k(&mut b, "child"), svc, 1_700_000_000_123_456_790, 1);
    child.parent_span_id = Some(SpanId(0x1234));
    child.resource = resource;
    child.scope = scope;
    b.push_span(TraceId(0x0123_4567_89ab_cdef_0011_2233_4455_6677), 16, span);
    b.push_span(TraceId(0x0123_4567_89ab_cdef_0011_2233_4455_6677), 16, child);
    let set = b.finish();
    assert_round_trip("hand-made", &set);
}
