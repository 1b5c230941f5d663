//! Jaeger's legacy JSON API (`/api/*`, Jaeger v1.x to v2.20). Every answer is the envelope
//! `{data, total, limit, offset, errors}` (JAEGER-UI-AND-API.md §2.1); searches return whole traces,
//! summarised here. Times in requests are microseconds, durations Go duration strings.

use crate::error::BackendError;
use crate::json::{Flex, from_body, i64_of, u64_of};
use crate::request::{SearchRequest, div_ceil, div_floor, go_duration, query_string};
use crate::summary::{DependencyLink, Operation, SearchResults, SpanFacts, TraceSummary, summarise};
use crate::{BackendKind, error};
use serde::Deserialize;
use std::collections::HashMap;

/// Query parameters of `GET /api/traces` (search).
pub(crate) fn search_params(req: &SearchRequest) -> Result<Vec<(&'static str, String)>, BackendError> {
    req.validate()?;
    if req.traceql().is_some() {
        return Err(BackendError::Unsupported { backend: BackendKind::Jaeger, what: "TraceQL search" });
    }
    if req.remote_service().is_some() {
        return Err(BackendError::Unsupported { backend: BackendKind::Jaeger, what: "remote service filter" });
    }
    let mut p = Vec::new();
    if let Some(s) = req.service() {
        p.push(("service", s.to_owned()));
    }
    if let Some(o) = req.operation() {
        p.push(("operation", o.to_owned()));
    }
    if !req.tags.is_empty() {
        p.push(("tags", tags_json(&req.tags)));
    }
    if let Some(w) = req.window {
        p.push(("start", div_floor(w.start_nanos, 1_000).to_string()));
        p.push(("end", div_ceil(w.end_nanos, 1_000).to_string()));
    }
    if let Some(d) = req.min_duration_nanos {
        p.push(("minDuration", go_duration(d)));
    }
    if let Some(d) = req.max_duration_nanos {
        p.push(("maxDuration", go_duration(d)));
    }
    if let Some(l) = req.limit {
        p.push(("limit", l.to_string()));
    }
    Ok(p)
}

/// Tags as the JSON map Jaeger UI sends (`{"error":"true"}`); a later duplicate key wins, as there.
pub(crate) fn tags_json(tags: &[(String, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        tags.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    serde_json::Value::Object(map).to_string()
}

pub(crate) fn operations_query(service: &str, span_kind: Option<&str>) -> String {
    let mut p = vec![("service", service.to_owned())];
    if let Some(k) = span_kind.filter(|k| !k.is_empty()) {
        p.push(("spanKind", k.to_owned()));
    }
    query_string(&p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Envelope<T> {
    data: Option<T>,
    errors: Option<Vec<EnvelopeError>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EnvelopeError {
    code: Option<Flex>,
    msg: Option<String>,
    #[serde(rename = "traceID")]
    trace_id: Option<String>,
}

fn error_texts(errors: Option<Vec<EnvelopeError>>) -> Vec<String> {
    errors
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            let msg = e.msg.unwrap_or_else(|| "error".to_owned());
            match e.trace_id {
                Some(id) => format!("{msg} ({id})"),
                None => msg,
            }
        })
        .collect()
}

/// The data of an envelope; an envelope with no data and errors is the backend refusing.
fn data_of<T>(endpoint: &str, env: Envelope<T>) -> Result<(Option<T>, Vec<String>), BackendError> {
    let status = env.errors.as_ref().and_then(|e| e.first()).and_then(|e| u64_of(&e.code));
    let texts = error_texts(env.errors);
    match env.data {
        None if !texts.is_empty() => Err(BackendError::Http {
            backend: BackendKind::Jaeger,
            endpoint: endpoint.to_owned(),
            status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200),
            message: error::strip_credentials(&texts.join("; ")),
        }),
        data => Ok((data, texts)),
    }
}

pub(crate) fn parse_services(body: &[u8]) -> Result<Vec<String>, BackendError> {
    const EP: &str = "jaeger services";
    let env: Envelope<Vec<String>> = from_body(EP, body)?;
    Ok(data_of(EP, env)?.0.unwrap_or_default())
}

/// `/api/operations` gives `{name, spanKind}`; the older `/api/services/{s}/operations` plain names.
#[derive(Deserialize)]
#[serde(untagged)]
enum OperationItem {
    Name(String),
    Full {
        name: String,
        #[serde(default, rename = "spanKind")]
        span_kind: Option<String>,
    },
}

pub(crate) fn parse_operations(body: &[u8]) -> Result<Vec<Operation>, BackendError> {
    const EP: &str = "jaeger operations";
    let env: Envelope<Vec<OperationItem>> = from_body(EP, body)?;
    let items = data_of(EP, env)?.0.unwrap_or_default();
    Ok(items
        .into_iter()
        .map(|i| match i {
            OperationItem::Name(name) => Operation { name, span_kind: None },
            OperationItem::Full { name, span_kind } => {
                Operation { name, span_kind: span_kind.filter(|k| !k.is_empty()) }
            }
        })
        .collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DependencyItem {
    parent: String,
    child: String,
    #[serde(rename = "callCount")]
    call_count: Option<Flex>,
}

/// `{"data":[…]}` as served, or the bare array (as jaeger-ui's sample files hold it).
pub(crate) fn parse_dependencies(body: &[u8]) -> Result<Vec<DependencyLink>, BackendError> {
    const EP: &str = "jaeger dependencies";
    let items: Vec<DependencyItem> = if first_byte(body) == Some(b'[') {
        from_body(EP, body)?
    } else {
        data_of(EP, from_body::<Envelope<Vec<DependencyItem>>>(EP, body)?)?.0.unwrap_or_default()
    };
    Ok(items
        .into_iter()
        .map(|d| DependencyLink {
            parent: d.parent,
            child: d.child,
            call_count: u64_of(&d.call_count).unwrap_or(0),
            error_count: None,
        })
        .collect())
}

pub(crate) fn first_byte(body: &[u8]) -> Option<u8> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    body.iter().copied().find(|b| !b.is_ascii_whitespace())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Trace {
    #[serde(rename = "traceID")]
    trace_id: Option<String>,
    spans: Vec<Span>,
    processes: HashMap<String, Process>,
}

/// A search body: the envelope, or (as saved files are) one bare trace.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchBody {
    data: Option<Vec<Trace>>,
    errors: Option<Vec<EnvelopeError>>,
    #[serde(flatten)]
    single: Trace,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Process {
    #[serde(rename = "serviceName")]
    service_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Span {
    #[serde(rename = "traceID")]
    trace_id: Option<String>,
    #[serde(rename = "spanID")]
    span_id: Option<String>,
    #[serde(rename = "parentSpanID")]
    parent_span_id: Option<String>,
    operation_name: Option<String>,
    references: Option<Vec<Reference>>,
    start_time: Option<Flex>,
    duration: Option<Flex>,
    tags: Option<Vec<Tag>>,
    #[serde(rename = "processID")]
    process_id: Option<String>,
    process: Option<Process>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Reference {
    #[serde(rename = "spanID")]
    span_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Tag {
    key: String,
    value: Option<serde_json::Value>,
}

fn is_error_tag(t: &Tag) -> bool {
    t.key == "error"
        && match &t.value {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
}

fn summarise_trace(trace: Trace) -> TraceSummary {
    let mut trace_id = trace.trace_id.clone().unwrap_or_default();
    let facts: Vec<SpanFacts> = trace
        .spans
        .iter()
        .map(|s| {
            if trace_id.is_empty() {
                trace_id = s.trace_id.clone().unwrap_or_default();
            }
            let mut parents: Vec<String> = s.parent_span_id.iter().cloned().collect();
            parents.extend(s.references.iter().flatten().filter_map(|r| r.span_id.clone()));
            let service = s
                .process_id
                .as_ref()
                .and_then(|p| trace.processes.get(p))
                .or(s.process.as_ref())
                .and_then(|p| p.service_name.clone());
            let start = i64_of(&s.start_time).map(|us| us.saturating_mul(1_000));
            let dur = i64_of(&s.duration).map(|us| us.saturating_mul(1_000)).unwrap_or(0);
            SpanFacts {
                span_id: s.span_id.clone().unwrap_or_default(),
                parents,
                service,
                name: s.operation_name.clone(),
                start_nanos: start,
                end_nanos: start.map(|t| t.saturating_add(dur.max(0))),
                error: s.tags.iter().flatten().any(is_error_tag),
            }
        })
        .collect();
    summarise(trace_id.to_ascii_lowercase(), &facts)
}

pub(crate) fn parse_search(body: &[u8]) -> Result<SearchResults, BackendError> {
    const EP: &str = "jaeger search";
    if first_byte(body) == Some(b'[') {
        let traces: Vec<Trace> = from_body(EP, body)?;
        return Ok(SearchResults { traces: traces.into_iter().map(summarise_trace).collect(), warnings: vec![] });
    }
    let b: SearchBody = from_body(EP, body)?;
    if b.data.is_none() && !b.single.spans.is_empty() {
        return Ok(SearchResults { traces: vec![summarise_trace(b.single)], warnings: vec![] });
    }
    let (data, warnings) = data_of(EP, Envelope { data: b.data, errors: b.errors })?;
    Ok(SearchResults { traces: data.unwrap_or_default().into_iter().map(summarise_trace).collect(), warnings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::TimeWindow;

    #[test]
    fn search_parameters() {
        let req = SearchRequest {
            service: Some("frontend".into()),
            operation: Some("HTTP GET /dispatch".into()),
            tags: vec![("error".into(), "true".into()), ("http.url".into(), "/a b".into())],
            window: Some(TimeWindow { start_nanos: 1_700_000_000_000_000_500, end_nanos: 1_700_003_600_000_000_500 }),
            min_duration_nanos: Some(100_000_000),
            max_duration_nanos: Some(1_500_000_000),
            limit: Some(20),
            ..Default::default()
        };
        assert_eq!(
            query_string(&search_params(&req).unwrap()),
            "?service=frontend&operation=HTTP%20GET%20%2Fdispatch\
             &tags=%7B%22error%22%3A%22true%22%2C%22http.url%22%3A%22%2Fa%20b%22%7D\
             &start=1700000000000000&end=1700003600000001&minDuration=100ms&maxDuration=1500ms&limit=20"
        );
        let tql = SearchRequest { traceql: Some("{}".into()), ..Default::default() };
        assert!(matches!(search_params(&tql), Err(BackendError::Unsupported { .. })));
    }

    // Shapes from JAEGER-UI-AND-API.md §2.1 (envelope and endpoint table): no recorded body exists.
    #[test]
    fn envelopes() {
        let services = r#"{"data":["frontend","driver"],"total":2,"limit":0,"offset":0,"errors":null}"#;
        assert_eq!(parse_services(services.as_bytes()).unwrap(), vec!["frontend", "driver"]);
        assert_eq!(
            parse_services(br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":null}"#).unwrap(),
            Vec::<String>::new()
        );
        let ops = r#"{"data":[{"name":"GET /","spanKind":"server"},{"name":"q","spanKind":""}],"total":2,"limit":0,"offset":0,"errors":null}"#;
        assert_eq!(
            parse_operations(ops.as_bytes()).unwrap(),
            vec![
                Operation { name: "GET /".into(), span_kind: Some("server".into()) },
                Operation { name: "q".into(), span_kind: None }
            ]
        );
        let names = r#"{"data":["a","b"],"total":2,"limit":0,"offset":0,"errors":null}"#;
        assert_eq!(parse_operations(names.as_bytes()).unwrap().len(), 2);
        let refused = r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":500,"msg":"storage down"}]}"#;
        assert!(matches!(parse_services(refused.as_bytes()), Err(BackendError::Http { status: 500, .. })));
        let deps =
            r#"{"data":[{"parent":"a","child":"b","callCount":3}],"total":1,"limit":0,"offset":0,"errors":null}"#;
        assert_eq!(
            parse_dependencies(deps.as_bytes()).unwrap(),
            vec![DependencyLink { parent: "a".into(), child: "b".into(), call_count: 3, error_count: None }]
        );
    }

    // A multi-trace search answer built from the §2.1 trace object (no recorded one exists).
    #[test]
    fn search_with_two_traces_and_a_warning() {
        let body = r#"{"data":[
          {"traceID":"00000000000000aa","spans":[
            {"traceID":"00000000000000aa","spanID":"2","operationName":"child","references":[{"refType":"CHILD_OF","traceID":"00000000000000aa","spanID":"1"}],
             "startTime":1000,"duration":5,"tags":[{"key":"error","type":"bool","value":true}],"processID":"p2"},
            {"traceID":"00000000000000aa","spanID":"1","operationName":"root","references":[],"startTime":999,"duration":10,"tags":[],"processID":"p1"}],
           "processes":{"p1":{"serviceName":"web","tags":[]},"p2":{"serviceName":"db","tags":[]}},"warnings":null},
          {"traceID":"00000000000000bb","spans":[{"traceID":"00000000000000bb","spanID":"9","operationName":"solo","startTime":5,"duration":1,
             "tags":[{"key":"error","type":"string","value":"false"}],"processID":"p1"}],"processes":{"p1":{"serviceName":"web"}}}],
          "total":2,"limit":0,"offset":0,"errors":[{"msg":"trace not found","traceID":"cc"}]}"#;
        let r = parse_search(body.as_bytes()).unwrap();
        assert_eq!(r.warnings, vec!["trace not found (cc)"]);
        let t = &r.traces[0];
        assert_eq!((t.root_service.as_deref(), t.root_name.as_deref()), (Some("web"), Some("root")));
        assert_eq!((t.start_nanos, t.duration_nanos, t.span_count, t.error_count), (999_000, 10_000, Some(2), Some(1)));
        assert_eq!(r.traces[1].error_count, Some(0));
    }
}
