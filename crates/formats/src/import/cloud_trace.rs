//! Google Cloud Trace v1 JSON: `{projectId, traceId, spans:[{spanId, kind, name, startTime, endTime,
//! parentSpanId, labels}]}` (or `{traces:[…]}`). Span ids are decimal u64 strings, times RFC 3339
//! with nanoseconds, kinds `RPC_CLIENT`/`RPC_SERVER`. The project id stands in for the service name,
//! which the format does not carry.

use super::json_scalar::{Scalar, explain_json_error};
use super::text::{parse_id, parse_rfc3339_nanos};
use serde::Deserialize;
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::error::{ImportError, Position};
use spanlens_model::ids::{SpanId, TraceId};
use spanlens_model::span::{Resource, Scope, Span, SpanKind};
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::warnings::{Warning, WarningKind};

pub(crate) const FORMAT: &str = "google-cloud-trace";

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Trace<'a> {
    #[serde(borrow)]
    project_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    trace_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    spans: Vec<CloudSpan<'a>>,
    #[serde(borrow)]
    traces: Vec<Trace<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct CloudSpan<'a> {
    #[serde(borrow)]
    span_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    parent_span_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    kind: Option<Scalar<'a>>,
    #[serde(borrow)]
    name: Option<Scalar<'a>>,
    #[serde(borrow)]
    start_time: Option<Scalar<'a>>,
    #[serde(borrow)]
    end_time: Option<Scalar<'a>>,
    labels: std::collections::BTreeMap<String, String>,
}

pub fn import(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    let top: Trace = serde_json::from_slice(bytes).map_err(|e| {
        let mut err = ImportError::from_json(file, FORMAT, &e);
        err.message = explain_json_error(&e);
        err
    })?;
    let traces = if top.traces.is_empty() { vec![top] } else { top.traces };
    let empty = builder.intern("");
    let scope = builder.add_scope(Scope { name: empty, version: None, attributes: Box::default() });
    let mut pushed = 0usize;
    for trace in &traces {
        let Some((trace_value, width)) =
            trace.trace_id.as_ref().and_then(Scalar::as_str).and_then(|t| parse_id(t, 16).ok())
        else {
            builder.warn(Warning::new(WarningKind::InvalidValue, "traceId is missing or unreadable; trace skipped"));
            continue;
        };
        let trace_id = TraceId(trace_value);
        let project = trace.project_id.as_ref().and_then(Scalar::as_str).unwrap_or("unknown_service");
        let service = builder.intern(project);
        let resource =
            builder.add_resource(Resource { service, attributes: Box::default(), dropped_attributes_count: 0 });
        for s in &trace.spans {
            let decimal = |v: &Option<Scalar>| v.as_ref().and_then(Scalar::as_u64).filter(|&id| id != 0).map(SpanId);
            let Some(span_id) = decimal(&s.span_id) else {
                builder.warn(
                    Warning::new(WarningKind::InvalidValue, "a span without a decimal spanId was skipped")
                        .with_trace(trace_id),
                );
                continue;
            };
            let name = s.name.as_ref().and_then(Scalar::as_str).map_or(empty, |n| builder.intern(n));
            let time = |v: &Option<Scalar>| v.as_ref().and_then(Scalar::as_str).and_then(parse_rfc3339_nanos);
            let start = time(&s.start_time).unwrap_or(0);
            let end = time(&s.end_time).unwrap_or(start);
            let mut span = Span::new(span_id, name, service, start, end.saturating_sub(start).max(0));
            span.parent_span_id = decimal(&s.parent_span_id);
            span.resource = resource;
            span.scope = scope;
            span.kind = match s.kind.as_ref().and_then(Scalar::as_str) {
                Some("RPC_CLIENT") => SpanKind::Client,
                Some("RPC_SERVER") => SpanKind::Server,
                _ => SpanKind::Unspecified,
            };
            span.attributes = s
                .labels
                .iter()
                .map(|(k, v)| Attribute { key: builder.intern(k), value: AnyValue::Str(builder.intern(v)) })
                .collect();
            builder.push_span(trace_id, width, span);
            pushed += 1;
        }
    }
    if pushed == 0 {
        return Err(ImportError::new(file, FORMAT, Position::Unknown, "no spans found"));
    }
    Ok(())
}
