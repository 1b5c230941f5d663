//! The Jaeger shapes and the streaming reader's ordering rules.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use super::{Dialect, import_dialect};
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::error::ImportError;
use spanlens_model::ids::{SpanId, TraceId};
use spanlens_model::span::{SpanKind, StatusCode};
use spanlens_model::trace::TraceSet;

fn load(json: &str, dialect: Dialect) -> Result<TraceSet, ImportError> {
    let mut b = TraceSetBuilder::new();
    b.begin_source("t.json", "jaeger", json.len() as u64);
    import_dialect(json.as_bytes(), "t.json", &mut b, dialect).map(|()| b.finish())
}

fn services(set: &TraceSet) -> Vec<&str> {
    set.traces.iter().flat_map(|t| &t.spans).map(|s| set.strings.resolve(s.service)).collect()
}

#[test]
fn processes_after_spans_and_trace_id_from_the_trace() {
    let set = load(
        r#"{"data":[{"traceID":"0a","spans":[
            {"traceID":"0a","spanID":"01","operationName":"root","startTime":1,"duration":2,"processID":"p1",
             "tags":[{"key":"span.kind","type":"string","value":"server"},{"key":"n","type":"int64","value":"7"}]},
            {"spanID":"02","startTime":1,"references":[{"refType":"CHILD_OF","spanID":"01"}],"processID":"p2"}],
          "processes":{"p1":{"serviceName":"a","tags":[{"key":"host","value":"h"}]},"p2":{"serviceName":"b"}},
          "warnings":null}],"total":0,"errors":null}"#,
        Dialect::QueryJson,
    )
    .unwrap();
    assert_eq!(set.traces.len(), 1);
    let trace = &set.traces[0];
    assert_eq!(trace.trace_id, TraceId(0x0a));
    assert_eq!(services(&set), ["a", "b"]);
    let root = &trace.spans[0];
    assert_eq!((root.kind, root.start_nanos, root.duration_nanos), (SpanKind::Server, 1000, 2000));
    assert_eq!(root.attributes.len(), 1);
    assert_eq!(trace.spans[1].parent_span_id, Some(SpanId(1)));
    assert_eq!(set.resources.len(), 2);
    assert!(set.warnings.is_empty(), "{:?}", set.warnings);
}

#[test]
fn ui_saved_state_and_errors_envelope() {
    let set = load(
        r#"{"data":{"traceID":"0b","spans":[{"spanID":"01","processID":"p1"}],"processes":{"p1":{"serviceName":"ui"}}},"id":"x","state":{}}"#,
        Dialect::QueryJson,
    )
    .unwrap();
    assert_eq!((set.traces[0].trace_id, services(&set)), (TraceId(0x0b), vec!["ui"]));

    let set = load(r#"{"data":[],"errors":[{"code":500,"msg":"boom"}]}"#, Dialect::QueryJson).unwrap();
    assert_eq!(set.span_count(), 0);
    assert!(set.warnings.iter().any(|w| w.message == "the server reported an error (code 500): boom"));

    let e = load(r#"{"data":[{"spans":[],"processes":{}}]}"#, Dialect::QueryJson).unwrap_err();
    assert!(e.message.contains("no spans found"), "{}", e.message);
}

#[test]
fn array_of_bare_spans_shares_resources() {
    let set = load(
        r#"[{"traceID":"01","spanID":"01","process":{"serviceName":"s","tags":[]}},
            {"traceID":"02","spanID":"02","process":{"serviceName":"s","tags":[]},"warnings":["late"]}]"#,
        Dialect::QueryJson,
    )
    .unwrap();
    assert_eq!(set.traces.len(), 2);
    assert_eq!(set.resources.len(), 1);
    assert_eq!(services(&set), ["s", "s"]);
    let w = set.warnings.iter().find(|w| w.message == "Jaeger: late").unwrap();
    assert_eq!((w.trace_id, w.span_id), (Some(TraceId(2)), Some(SpanId(2))));
}

#[test]
fn protojson_shapes() {
    // Trace with a processMap (snake_case), ids in base64, durations as strings.
    let set = load(
        r#"{"spans":[{"trace_id":"AAAAAAAAAAAAAAAAAAAAEQ==","span_id":"AAAAAAAAAAM=","operation_name":"op",
              "start_time":"2017-01-26T16:46:31.639875Z","duration":"0.000100s","process_id":"p1",
              "tags":[{"key":"error","v_type":"BOOL","v_bool":true}]}],
            "process_map":[{"process_id":"p1","process":{"service_name":"svc","tags":[]}}]}"#,
        Dialect::Protojson,
    )
    .unwrap();
    let span = &set.traces[0].spans[0];
    assert_eq!((set.traces[0].trace_id, span.span_id), (TraceId(0x11), SpanId(3)));
    assert_eq!((span.duration_nanos, span.status.code), (100_000, StatusCode::Error));
    assert_eq!(services(&set), ["svc"]);

    // A Batch: its process applies to its spans; and `{result:{spans}}`.
    let batch = r#"{"process":{"serviceName":"batch"},"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAEQ==","spanId":"AAAAAAAAAAM="}]}"#;
    assert_eq!(services(&load(batch, Dialect::Protojson).unwrap()), ["batch"]);
    let result = r#"{"result":{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAEQ==","spanId":"AAAAAAAAAAM=","process":{"serviceName":"r"}}]}}"#;
    assert_eq!(services(&load(result, Dialect::Protojson).unwrap()), ["r"]);
}

#[test]
fn problems_are_warnings_in_field_order_and_structure_errors_have_positions() {
    let set = load(
        r#"{"data":[{"spans":[{"duration":"soon","startTime":true,"spanID":"","traceID":"01","tags":[{"type":"int64","value":1}]}]}]}"#,
        Dialect::QueryJson,
    )
    .unwrap();
    let messages: Vec<&str> = set.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(messages[0].starts_with("spanID: "), "{messages:?}");
    assert!(messages[1].starts_with("spanID: missing"), "{messages:?}");
    assert!(messages[2].starts_with("startTime: cannot read a boolean"), "{messages:?}");
    assert!(messages[3].starts_with("duration: cannot read \"soon\""), "{messages:?}");
    assert!(messages[4].starts_with("tags: a tag without a string key"), "{messages:?}");

    let e = load("{\"data\":[{\"spans\":[{\"spanID\":\"01\",\n\"tags\":5}]}]}", Dialect::QueryJson).unwrap_err();
    assert_eq!(e.format, "jaeger-json");
    assert!(e.message.contains("expected an array of tags"), "{}", e.message);
    assert!(matches!(e.position, crate::import::Position::LineColumn { line: 2, .. }), "{:?}", e.position);
}
