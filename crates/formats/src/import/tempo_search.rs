//! Tempo `/api/search` responses. They are trace *summaries*, not traces: each lists the root
//! service and name, the trace's start and duration, and only the spans that matched the query,
//! without parent ids. Rejecting them would be unhelpful (users do save them), so each summary becomes
//! a trace holding the matched spans (or, when none are listed, one span standing for the whole
//! trace), and a warning says the trace is partial and should be fetched by id.

use super::json_scalar::{Scalar, explain_json_error};
use super::text::{nanos_from_u64, parse_id};
use serde::Deserialize;
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::error::{ImportError, Position};
use spanlens_model::ids::{SpanId, TraceId};
use spanlens_model::span::{Resource, ResourceIdx, Scope, Span};
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::warnings::{Warning, WarningKind};
use std::collections::{HashMap, HashSet};

pub(crate) const FORMAT: &str = "tempo-search";

#[derive(Deserialize, Default)]
#[serde(default)]
struct Response<'a> {
    #[serde(borrow)]
    traces: Vec<Summary<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Summary<'a> {
    #[serde(borrow, rename = "traceID")]
    trace_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    root_service_name: Option<Scalar<'a>>,
    #[serde(borrow)]
    root_trace_name: Option<Scalar<'a>>,
    #[serde(borrow)]
    start_time_unix_nano: Option<Scalar<'a>>,
    #[serde(borrow)]
    duration_ms: Option<Scalar<'a>>,
    #[serde(borrow)]
    span_set: Option<SpanSet<'a>>,
    #[serde(borrow)]
    span_sets: Vec<SpanSet<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SpanSet<'a> {
    #[serde(borrow)]
    spans: Vec<MatchedSpan<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct MatchedSpan<'a> {
    #[serde(borrow, rename = "spanID")]
    span_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    name: Option<Scalar<'a>>,
    #[serde(borrow)]
    start_time_unix_nano: Option<Scalar<'a>>,
    #[serde(borrow)]
    duration_nanos: Option<Scalar<'a>>,
    attributes: Vec<KeyValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KeyValue {
    key: String,
    value: HashMap<String, serde_json::Value>,
}

pub fn import(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    let response: Response = serde_json::from_slice(bytes).map_err(|e| {
        let mut err = ImportError::from_json(file, FORMAT, &e);
        err.message = explain_json_error(&e);
        err
    })?;
    if response.traces.is_empty() {
        return Err(ImportError::new(
            file,
            FORMAT,
            Position::Unknown,
            "a Tempo search response with no traces: nothing to show",
        ));
    }
    let empty = builder.intern("");
    let scope = builder.add_scope(Scope { name: empty, version: None, attributes: Box::default() });
    let mut resources: HashMap<String, (ResourceIdx, spanlens_model::Sym)> = HashMap::new();
    let mut resource_for = |builder: &mut TraceSetBuilder, name: &str| {
        *resources.entry(name.to_owned()).or_insert_with(|| {
            let service = builder.intern(name);
            (
                builder.add_resource(Resource { service, attributes: Box::default(), dropped_attributes_count: 0 }),
                service,
            )
        })
    };
    for (i, summary) in response.traces.iter().enumerate() {
        let Some((trace_value, width)) =
            summary.trace_id.as_ref().and_then(Scalar::as_str).and_then(|t| parse_id(t, 16).ok())
        else {
            builder.warn(Warning::new(
                WarningKind::InvalidValue,
                format!("traces[{i}].traceID is missing or unreadable; summary skipped"),
            ));
            continue;
        };
        let trace_id = TraceId(trace_value);
        let root_service = summary.root_service_name.as_ref().and_then(Scalar::as_str).unwrap_or("unknown_service");
        let start =
            summary.start_time_unix_nano.as_ref().and_then(Scalar::as_u64).and_then(nanos_from_u64).unwrap_or(0);
        let mut seen = HashSet::new();
        let mut count = 0usize;
        for m in summary.span_set.iter().chain(summary.span_sets.iter()).flat_map(|s| s.spans.iter()) {
            let Some((sid, _)) = m.span_id.as_ref().and_then(Scalar::as_str).and_then(|t| parse_id(t, 8).ok()) else {
                continue;
            };
            if !seen.insert(sid) {
                continue;
            }
            let attributes: Vec<Attribute> = m.attributes.iter().map(|kv| attribute(builder, kv)).collect();
            let service_name = m
                .attributes
                .iter()
                .find(|kv| kv.key == "service.name")
                .and_then(|kv| kv.value.get("stringValue"))
                .and_then(serde_json::Value::as_str)
                .unwrap_or(root_service)
                .to_owned();
            let (resource, service) = resource_for(builder, &service_name);
            let name = m.name.as_ref().and_then(Scalar::as_str).map_or(empty, |n| builder.intern(n));
            let span_start =
                m.start_time_unix_nano.as_ref().and_then(Scalar::as_u64).and_then(nanos_from_u64).unwrap_or(start);
            let duration = m.duration_nanos.as_ref().and_then(Scalar::as_i64).unwrap_or(0).max(0);
            let mut span = Span::new(SpanId(sid as u64), name, service, span_start, duration);
            span.resource = resource;
            span.scope = scope;
            span.attributes = attributes.into_boxed_slice();
            builder.push_span(trace_id, width, span);
            count += 1;
        }
        if count == 0 {
            let (resource, service) = resource_for(builder, root_service);
            let name = summary.root_trace_name.as_ref().and_then(Scalar::as_str).map_or(empty, |n| builder.intern(n));
            let duration_ms = summary.duration_ms.as_ref().and_then(Scalar::as_i64).unwrap_or(0).max(0);
            let mut span = Span::new(SpanId(0), name, service, start, duration_ms.saturating_mul(1_000_000));
            span.resource = resource;
            span.scope = scope;
            builder.push_span(trace_id, width, span);
        }
        let what = if count == 0 {
            "one span standing for the whole trace".to_owned()
        } else {
            format!("only the {count} matched spans, without parent links")
        };
        builder.warn(
            Warning::new(
                WarningKind::Other,
                format!("this is a Tempo search result, not a full trace: it holds {what}; fetch the trace by id for the complete tree"),
            )
            .with_trace(trace_id),
        );
    }
    Ok(())
}

fn attribute(builder: &mut TraceSetBuilder, kv: &KeyValue) -> Attribute {
    let key = builder.intern(&kv.key);
    let value = kv.value.iter().next().map_or(AnyValue::Empty, |(ty, v)| match (ty.as_str(), v) {
        ("stringValue", serde_json::Value::String(s)) => AnyValue::Str(builder.intern(s)),
        ("boolValue", serde_json::Value::Bool(b)) => AnyValue::Bool(*b),
        ("intValue", v) => {
            v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).map_or(AnyValue::Empty, AnyValue::Int)
        }
        ("doubleValue", v) => {
            v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).map_or(AnyValue::Empty, AnyValue::Float)
        }
        (_, other) => AnyValue::Str(builder.intern(&other.to_string())),
    });
    Attribute { key, value }
}
