//! OTLP JSON trace bodies reduced to [`SpanFacts`], for summarising api_v3 `traces` search answers
//! (all matching traces merged into one `resourceSpans`). Accepts the envelopes the backends use:
//! `{"result":{…}}` (api_v3), `{"trace":{…}}` (Tempo v2), `{"batches":[…]}` (Tempo v1) and bare
//! `{"resourceSpans":[…]}`; ids in hex or base64, enums as integers or names.

use crate::error::BackendError;
use crate::json::{Flex, from_body, i64_of, id_hex};
use crate::summary::{SpanFacts, TraceSummary, group_by_trace, summarise};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Envelope {
    result: Option<TracesData>,
    trace: Option<TracesData>,
    #[serde(flatten)]
    bare: TracesData,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct TracesData {
    #[serde(alias = "batches", alias = "resource_spans")]
    resource_spans: Option<Vec<ResourceSpans>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ResourceSpans {
    resource: Option<Resource>,
    #[serde(alias = "instrumentationLibrarySpans", alias = "scope_spans")]
    scope_spans: Option<Vec<ScopeSpans>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Resource {
    attributes: Option<Vec<KeyValue>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KeyValue {
    key: String,
    value: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ScopeSpans {
    spans: Option<Vec<Span>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Span {
    #[serde(alias = "trace_id")]
    trace_id: Option<String>,
    #[serde(alias = "span_id")]
    span_id: Option<String>,
    #[serde(alias = "parent_span_id")]
    parent_span_id: Option<String>,
    name: Option<String>,
    #[serde(alias = "start_time_unix_nano")]
    start_time_unix_nano: Option<Flex>,
    #[serde(alias = "end_time_unix_nano")]
    end_time_unix_nano: Option<Flex>,
    status: Option<Status>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Status {
    code: Option<Flex>,
}

fn is_error(status: Option<&Status>) -> bool {
    match status.and_then(|s| s.code.as_ref()) {
        Some(Flex::Text(name)) => name == "STATUS_CODE_ERROR" || name == "2",
        Some(code) => code.as_i64() == Some(2),
        None => false,
    }
}

fn service_of(resource: Option<&Resource>) -> Option<String> {
    let attrs = resource?.attributes.as_ref()?;
    let kv = attrs.iter().find(|kv| kv.key == "service.name")?;
    kv.value.as_ref()?.get("stringValue")?.as_str().map(str::to_owned)
}

/// Summaries of every trace in an OTLP JSON body, in order of first appearance.
pub(crate) fn summarise_body(endpoint: &str, body: &[u8]) -> Result<Vec<TraceSummary>, BackendError> {
    let env: Envelope = from_body(endpoint, body)?;
    let data = env.result.or(env.trace).unwrap_or(env.bare);
    let mut spans = Vec::new();
    for rs in data.resource_spans.unwrap_or_default() {
        let service = service_of(rs.resource.as_ref());
        for ss in rs.scope_spans.unwrap_or_default() {
            for s in ss.spans.unwrap_or_default() {
                let trace = s.trace_id.as_deref().map(id_hex).unwrap_or_default();
                let parent = s.parent_span_id.as_deref().map(id_hex).filter(|p| !p.is_empty());
                spans.push((
                    trace,
                    SpanFacts {
                        span_id: s.span_id.as_deref().map(id_hex).unwrap_or_default(),
                        parents: parent.into_iter().collect(),
                        service: service.clone(),
                        name: s.name.clone(),
                        start_nanos: i64_of(&s.start_time_unix_nano).filter(|&t| t > 0),
                        end_nanos: i64_of(&s.end_time_unix_nano).filter(|&t| t > 0),
                        error: is_error(s.status.as_ref()),
                    },
                ));
            }
        }
    }
    Ok(group_by_trace(spans).into_iter().map(|(id, spans)| summarise(id, &spans)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_traces_are_split_by_id() {
        let body = r#"{"result":{"resourceSpans":[
          {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
           "scopeSpans":[{"spans":[
             {"traceId":"0000000000000000000000000000000a","spanId":"01","name":"GET /","startTimeUnixNano":"100","endTimeUnixNano":"400"},
             {"traceId":"0000000000000000000000000000000b","spanId":"02","name":"POST /","startTimeUnixNano":"50","endTimeUnixNano":"60","status":{"code":2}}]}]},
          {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"db"}}]},
           "scopeSpans":[{"spans":[
             {"traceId":"0000000000000000000000000000000a","spanId":"03","parentSpanId":"01","name":"SELECT","startTimeUnixNano":"150","endTimeUnixNano":"450","status":{"code":"STATUS_CODE_ERROR"}}]}]}]}}"#;
        let s = summarise_body("v3 search", body.as_bytes()).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].trace_id_hex, "0000000000000000000000000000000a");
        assert_eq!((s[0].root_service.as_deref(), s[0].root_name.as_deref()), (Some("api"), Some("GET /")));
        assert_eq!(
            (s[0].start_nanos, s[0].duration_nanos, s[0].span_count, s[0].error_count),
            (100, 350, Some(2), Some(1))
        );
        assert_eq!(s[1].error_count, Some(1));
    }
}
