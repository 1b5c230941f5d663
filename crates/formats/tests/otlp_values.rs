//! OTLP features the real corpus lacks: every AnyValue type, links, traceState, enums as names and
//! numbers, ids without leading zeros or in base64, int64 as strings, snake_case keys, legacy
//! `instrumentationLibrarySpans`, Tempo `batches`, and the protobuf encoding of the same.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use spanlens_formats::import::{Format, import_bytes};
use spanlens_model::{AnyValue, SpanId, SpanKind, StatusCode, TraceId, TraceSet, TraceSetBuilder, WarningKind};

fn load(json: &str) -> (TraceSet, Format) {
    let mut b = TraceSetBuilder::new();
    let summary = import_bytes(json.as_bytes(), "test.json", &mut b).unwrap_or_else(|e| panic!("{e}"));
    (b.finish(), summary.format)
}

fn attr<'a>(set: &'a TraceSet, attrs: &'a [spanlens_model::Attribute], key: &str) -> &'a AnyValue {
    let sym = set.strings.get(key).unwrap_or_else(|| panic!("no key {key}"));
    &attrs.iter().find(|a| a.key == sym).unwrap_or_else(|| panic!("no attribute {key}")).value
}

const ALL_VALUES: &str = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}],"droppedAttributesCount":2},
 "scopeSpans":[{"scope":{"name":"lib","version":"1.0","attributes":[{"key":"s","value":{"boolValue":true}}]},"spans":[{
  "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","parentSpanId":"",
  "name":"op","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,
  "traceState":"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE","flags":769,
  "attributes":[
   {"key":"str","value":{"stringValue":"a\"b"}},
   {"key":"int_str","value":{"intValue":"-9007199254740993"}},
   {"key":"int_num","value":{"intValue":42}},
   {"key":"dbl","value":{"doubleValue":1.5}},
   {"key":"dbl_nan","value":{"doubleValue":"NaN"}},
   {"key":"dbl_inf","value":{"doubleValue":"-Infinity"}},
   {"key":"bool","value":{"boolValue":false}},
   {"key":"bytes","value":{"bytesValue":"AQID"}},
   {"key":"arr","value":{"arrayValue":{"values":[{"intValue":"1"},{"stringValue":"x"},{"arrayValue":{"values":[]}}]}}},
   {"key":"kv","value":{"kvlistValue":{"values":[{"key":"inner","value":{"doubleValue":2}}]}}},
   {"key":"empty","value":{}},
   {"key":"nullv","value":null}
  ],
  "droppedAttributesCount":3,"droppedEventsCount":4,"droppedLinksCount":5,
  "events":[{"timeUnixNano":"1544712660500000000","name":"ev","attributes":[{"key":"e","value":{"intValue":"7"}}],"droppedAttributesCount":1}],
  "links":[{"traceId":"abc","spanId":"1","traceState":"k=v","attributes":[{"key":"l","value":{"stringValue":"y"}}],"droppedAttributesCount":6,"flags":1}],
  "status":{"code":"STATUS_CODE_ERROR","message":"boom"}
 }]}]}]}"#;

#[test]
fn every_value_type_and_span_field() {
    let (set, format) = load(ALL_VALUES);
    assert_eq!(format, Format::OtlpJson);
    assert!(set.warnings.is_empty(), "{:?}", set.warnings);
    let trace = &set.traces[0];
    assert_eq!(trace.trace_id, TraceId(0x5b8efff798038103d269b633813fc60c));
    let span = &trace.spans[0];
    assert_eq!(span.span_id, SpanId(0xeee19b7ec3c1b174));
    assert_eq!(span.parent_span_id, None);
    assert_eq!(span.kind, SpanKind::Server);
    assert_eq!(span.start_nanos, 1_544_712_660_000_000_000);
    assert_eq!(span.duration_nanos, 1_000_000_000);
    assert_eq!(set.resolve(span.trace_state.unwrap()), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    assert_eq!(span.flags, 769);
    assert_eq!((span.dropped.attributes, span.dropped.events, span.dropped.links), (3, 4, 5));
    assert_eq!(span.status.code, StatusCode::Error);
    assert_eq!(set.resolve(span.status.message.unwrap()), "boom");
    assert_eq!(set.resolve(span.service), "svc");

    let a = &span.attributes;
    assert!(matches!(attr(&set, a, "str"), AnyValue::Str(s) if set.resolve(*s) == "a\"b"));
    assert_eq!(attr(&set, a, "int_str"), &AnyValue::Int(-9_007_199_254_740_993));
    assert_eq!(attr(&set, a, "int_num"), &AnyValue::Int(42));
    assert_eq!(attr(&set, a, "dbl"), &AnyValue::Float(1.5));
    assert!(matches!(attr(&set, a, "dbl_nan"), AnyValue::Float(f) if f.is_nan()));
    assert_eq!(attr(&set, a, "dbl_inf"), &AnyValue::Float(f64::NEG_INFINITY));
    assert_eq!(attr(&set, a, "bool"), &AnyValue::Bool(false));
    assert_eq!(attr(&set, a, "bytes"), &AnyValue::Bytes(vec![1, 2, 3].into()));
    assert_eq!(attr(&set, a, "arr").display(&set.strings), r#"[1, "x", []]"#);
    assert_eq!(attr(&set, a, "kv").display(&set.strings), r#"{"inner": 2.0}"#);
    assert_eq!(attr(&set, a, "empty"), &AnyValue::Empty);
    assert_eq!(attr(&set, a, "nullv"), &AnyValue::Empty);

    let event = &span.events[0];
    assert_eq!(event.time_nanos, 1_544_712_660_500_000_000);
    assert_eq!(set.resolve(event.name), "ev");
    assert_eq!(event.dropped_attributes_count, 1);
    assert_eq!(attr(&set, &event.attributes, "e"), &AnyValue::Int(7));

    let link = &span.links[0];
    assert_eq!(link.trace_id, TraceId(0xabc));
    assert_eq!(link.span_id, SpanId(1));
    assert_eq!(set.resolve(link.trace_state.unwrap()), "k=v");
    assert_eq!((link.dropped_attributes_count, link.flags), (6, 1));

    let resource = set.resource(span).unwrap();
    assert_eq!(resource.dropped_attributes_count, 2);
    let scope = set.scope(span).unwrap();
    assert_eq!(set.resolve(scope.name), "lib");
    assert_eq!(set.resolve(scope.version.unwrap()), "1.0");
    assert_eq!(attr(&set, &scope.attributes, "s"), &AnyValue::Bool(true));
}

#[test]
fn enums_as_numbers_and_names() {
    for (kind, want) in [
        ("0", SpanKind::Unspecified),
        ("1", SpanKind::Internal),
        ("3", SpanKind::Client),
        ("\"SPAN_KIND_PRODUCER\"", SpanKind::Producer),
        ("\"SPAN_KIND_CONSUMER\"", SpanKind::Consumer),
        ("\"2\"", SpanKind::Server),
    ] {
        let json = format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"01","spanId":"02","kind":{kind},"status":{{"code":1}}}}]}}]}}]}}"#
        );
        let (set, _) = load(&json);
        assert_eq!(set.traces[0].spans[0].kind, want, "kind {kind}");
        assert_eq!(set.traces[0].spans[0].status.code, StatusCode::Ok);
        assert_eq!(set.resolve(set.traces[0].spans[0].service), "unknown_service");
    }
    let (set, _) = load(
        r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","kind":"BOGUS","status":{"code":"STATUS_CODE_OK"}}]}]}]}"#,
    );
    assert_eq!(set.traces[0].spans[0].status.code, StatusCode::Ok);
    assert!(set.warnings.iter().any(|w| w.kind == WarningKind::InvalidValue && w.message.contains("kind")));
}

#[test]
fn ids_hex_without_zeros_and_base64() {
    let (set, _) = load(
        r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
        {"traceId":"AAAAAAAAAAAAAAAAAAAAEQ==","spanId":"AAAAAAAAAAM=","name":"b64"},
        {"traceId":"11","spanId":"4","parentSpanId":"3","name":"hex-short"}]}]}]}"#,
    );
    assert_eq!(set.traces.len(), 1, "both ids name trace 0x11");
    let t = &set.traces[0];
    assert_eq!(t.trace_id, TraceId(0x11));
    assert_eq!(t.spans[0].span_id, SpanId(3));
    assert_eq!(t.spans[1].parent_span_id, Some(SpanId(3)));
    assert_eq!(t.orphan_count(), 0);
}

#[test]
fn snake_case_legacy_and_tempo_envelopes() {
    let snake = r#"{"resource_spans":[{"resource":{"attributes":[{"key":"service.name","value":{"string_value":"s"}}]},
      "scope_spans":[{"scope":{"name":"x"},"spans":[{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331",
      "start_time_unix_nano":"10","end_time_unix_nano":"30","dropped_attributes_count":1}]}]}]}"#;
    let (set, _) = load(snake);
    let span = &set.traces[0].spans[0];
    assert_eq!((span.start_nanos, span.duration_nanos, span.dropped.attributes), (10, 20, 1));
    assert_eq!(set.resolve(span.service), "s");

    let legacy = r#"{"batches":[{"resource":{},"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old","version":"0.1"},
      "spans":[{"traceId":"01","spanId":"02","name":"n"}]}]}]}"#;
    let (set, _) = load(legacy);
    let span = &set.traces[0].spans[0];
    assert_eq!(set.resolve(set.scope(span).unwrap().name), "old");

    let tempo_v2 = r#"{"trace":{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02"}]}]}]},"metrics":{"inspectedBytes":"1"}}"#;
    assert_eq!(load(tempo_v2).0.span_count(), 1);
    let array = r#"[{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02"}]}]}]},{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"03","parentSpanId":"02"}]}]}]}]"#;
    let (set, _) = load(array);
    assert_eq!(set.span_count(), 2);
    assert_eq!(set.traces[0].orphan_count(), 0);
}

#[test]
fn bad_values_become_warnings_not_errors() {
    let json = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":7,
      "startTimeUnixNano":"11651379494838206464","endTimeUnixNano":"soon","flags":"x",
      "attributes":[{"key":"i","value":{"intValue":"12x"}},{"key":"b","value":{"bytesValue":"!!"}}],
      "links":[{"traceId":"zz","spanId":"01"}]}]}]}]}"#;
    let (set, _) = load(json);
    assert_eq!(set.span_count(), 1);
    let messages: Vec<&str> = set.warnings.iter().map(|w| w.message.as_str()).collect();
    for needle in ["name", "startTimeUnixNano", "endTimeUnixNano", "flags", "intValue", "bytesValue", "links"] {
        assert!(messages.iter().any(|m| m.contains(needle)), "no warning about {needle}: {messages:#?}");
    }
    // The unreadable end leaves the end unknown: one file-level MissingDuration warning, which
    // names no path; every other warning names the span.
    assert_eq!(set.warnings.iter().filter(|w| w.kind == WarningKind::MissingDuration).count(), 1);
    assert!(set.traces[0].spans[0].is_incomplete());
    assert!(
        set.warnings
            .iter()
            .filter(|w| w.kind != WarningKind::MissingDuration)
            .all(|w| w.message.contains("resourceSpans[0].scopeSpans[0].spans[0]") || w.message.contains("parent"))
    );
    assert!(set.warnings.iter().all(|w| w.source.as_deref() == Some("test.json")));
}

/// Protobuf encoding of a span with every value type, written by hand from the proto field numbers.
#[test]
fn protobuf_values() {
    fn field(num: u32, wire: u8, out: &mut Vec<u8>) {
        varint(u64::from(num << 3 | u32::from(wire)), out);
    }
    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn len(num: u32, body: &[u8], out: &mut Vec<u8>) {
        field(num, 2, out);
        varint(body.len() as u64, out);
        out.extend_from_slice(body);
    }
    fn kv(key: &str, value: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        len(1, key.as_bytes(), &mut out);
        len(2, value, &mut out);
        out
    }
    let mut int_value = Vec::new();
    field(3, 0, &mut int_value);
    varint(-5i64 as u64, &mut int_value);
    let mut dbl = Vec::new();
    field(4, 1, &mut dbl);
    dbl.extend_from_slice(&2.5f64.to_le_bytes());
    let mut arr = Vec::new();
    let mut arr_inner = Vec::new();
    len(1, &int_value, &mut arr_inner);
    len(5, &arr_inner, &mut arr);
    let mut svc = Vec::new();
    len(1, b"svc", &mut svc);

    let mut span = Vec::new();
    len(1, &[0u8; 15].iter().copied().chain([9]).collect::<Vec<_>>(), &mut span);
    len(2, &[0, 0, 0, 0, 0, 0, 0, 7], &mut span);
    len(3, b"a=b", &mut span);
    len(5, b"op", &mut span);
    field(6, 0, &mut span);
    varint(3, &mut span);
    field(7, 1, &mut span);
    span.extend_from_slice(&100u64.to_le_bytes());
    field(8, 1, &mut span);
    span.extend_from_slice(&150u64.to_le_bytes());
    len(9, &kv("i", &int_value), &mut span);
    len(9, &kv("d", &dbl), &mut span);
    len(9, &kv("a", &arr), &mut span);
    let mut status = Vec::new();
    field(3, 0, &mut status);
    varint(2, &mut status);
    len(15, &status, &mut span);
    field(16, 5, &mut span);
    span.extend_from_slice(&257u32.to_le_bytes());

    let mut resource = Vec::new();
    len(1, &kv("service.name", &svc), &mut resource);
    let mut scope_spans = Vec::new();
    len(2, &span, &mut scope_spans);
    let mut rs = Vec::new();
    len(1, &resource, &mut rs);
    len(2, &scope_spans, &mut rs);
    let mut data = Vec::new();
    len(1, &rs, &mut data);

    let mut b = TraceSetBuilder::new();
    let summary = import_bytes(&data, "t.pb", &mut b).unwrap();
    assert_eq!(summary.format, Format::OtlpProtobuf);
    let set = b.finish();
    let s = &set.traces[0].spans[0];
    assert_eq!(set.traces[0].trace_id, TraceId(9));
    assert_eq!(s.span_id, SpanId(7));
    assert_eq!((s.start_nanos, s.duration_nanos, s.kind, s.flags), (100, 50, SpanKind::Client, 257));
    assert_eq!(s.status.code, StatusCode::Error);
    assert_eq!(set.resolve(s.service), "svc");
    assert_eq!(attr(&set, &s.attributes, "i"), &AnyValue::Int(-5));
    assert_eq!(attr(&set, &s.attributes, "d"), &AnyValue::Float(2.5));
    assert_eq!(attr(&set, &s.attributes, "a").display(&set.strings), "[-5]");

    // The Collector file exporter's framing: big-endian u32 length before each message.
    let mut framed = Vec::new();
    for _ in 0..2 {
        framed.extend_from_slice(&(data.len() as u32).to_be_bytes());
        framed.extend_from_slice(&data);
    }
    let mut b = TraceSetBuilder::new();
    assert_eq!(import_bytes(&framed, "t.binpb", &mut b).unwrap().span_records, 2);
}
