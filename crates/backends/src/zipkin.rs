//! Zipkin's v2 HTTP API (ZIPKIN-API.md). Query times are milliseconds (`endTs`, `lookback`), search
//! durations microseconds; a search answers with whole traces (`[[span…]…]`), summarised here as
//! zipkin-lens does in the browser. Name lists are plain sorted JSON arrays.

use crate::BackendKind;
use crate::error::BackendError;
use crate::json::{Flex, from_body, i64_of, pad_trace_id, u64_of};
use crate::request::{SearchRequest, div_ceil, div_floor};
use crate::summary::{DependencyLink, Operation, SearchResults, SpanFacts, TraceSummary, summarise};
use serde::Deserialize;
use std::collections::HashMap;

/// Query parameters of `GET /api/v2/traces`.
pub(crate) fn search_params(req: &SearchRequest) -> Result<Vec<(&'static str, String)>, BackendError> {
    req.validate()?;
    if req.traceql().is_some() {
        return Err(BackendError::Unsupported { backend: BackendKind::Zipkin, what: "TraceQL search" });
    }
    let mut p = Vec::new();
    if let Some(s) = req.service() {
        p.push(("serviceName", s.to_owned()));
    }
    if let Some(s) = req.remote_service() {
        p.push(("remoteServiceName", s.to_owned()));
    }
    if let Some(o) = req.operation() {
        p.push(("spanName", o.to_owned()));
    }
    if !req.tags.is_empty() {
        p.push(("annotationQuery", annotation_query(&req.tags)));
    }
    match (req.min_duration_nanos, req.max_duration_nanos) {
        (None, None) => {}
        (min, max) => {
            // `maxDuration` alone is a 400 ("only valid with minDuration"); every span lasts at least
            // 1 µs, so a minimum of 1 changes nothing. `minDuration <= 0` is a 400 too.
            p.push(("minDuration", min.map_or(1, |d| div_floor(d, 1_000).max(1)).to_string()));
            if let Some(max) = max {
                p.push(("maxDuration", div_ceil(max, 1_000).max(1).to_string()));
            }
        }
    }
    if let Some(w) = req.window {
        let end_ms = div_ceil(w.end_nanos, 1_000_000);
        let start_ms = div_floor(w.start_nanos, 1_000_000);
        p.push(("endTs", end_ms.to_string()));
        p.push(("lookback", end_ms.saturating_sub(start_ms).max(1).to_string()));
    }
    if let Some(l) = req.limit {
        p.push(("limit", l.to_string()));
    }
    Ok(p)
}

/// Tags as `annotationQuery`: `k=v` terms joined by ` and `; an empty value is a bare key, which
/// matches a tag with that key or an annotation with that value (`error`).
fn annotation_query(tags: &[(String, String)]) -> String {
    tags.iter()
        .map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k}={v}") })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A sorted name list: services, span names, remote services, autocomplete keys and values.
pub(crate) fn parse_names(endpoint: &str, body: &[u8]) -> Result<Vec<String>, BackendError> {
    from_body(endpoint, body)
}

pub(crate) fn parse_operations(body: &[u8]) -> Result<Vec<Operation>, BackendError> {
    Ok(parse_names("zipkin span names", body)?.into_iter().map(|name| Operation { name, span_kind: None }).collect())
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Link {
    parent: String,
    child: String,
    call_count: Option<Flex>,
    error_count: Option<Flex>,
}

pub(crate) fn parse_dependencies(body: &[u8]) -> Result<Vec<DependencyLink>, BackendError> {
    let links: Vec<Link> = from_body("zipkin dependencies", body)?;
    Ok(links
        .into_iter()
        .map(|l| DependencyLink {
            parent: l.parent,
            child: l.child,
            call_count: u64_of(&l.call_count).unwrap_or(0),
            // Omitted when 0 (ZIPKIN-API.md §4.3), so absent is a known zero here.
            error_count: Some(u64_of(&l.error_count).unwrap_or(0)),
        })
        .collect())
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Span {
    trace_id: Option<String>,
    parent_id: Option<String>,
    id: Option<String>,
    name: Option<String>,
    timestamp: Option<Flex>,
    duration: Option<Flex>,
    local_endpoint: Option<Endpoint>,
    tags: Option<HashMap<String, serde_json::Value>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Endpoint {
    service_name: Option<String>,
}

/// `/traces` answers `[[span…]…]`; a saved `/trace/{id}` answer is one `[span…]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Item {
    Trace(Vec<Span>),
    Span(Box<Span>),
}

pub(crate) fn parse_search(body: &[u8]) -> Result<SearchResults, BackendError> {
    let items: Vec<Item> = from_body("zipkin search", body)?;
    let mut traces = Vec::new();
    let mut loose = Vec::new();
    for item in items {
        match item {
            Item::Trace(spans) => traces.push(summarise_trace(&spans)),
            Item::Span(span) => loose.push(*span),
        }
    }
    if !loose.is_empty() {
        traces.push(summarise_trace(&loose));
    }
    Ok(SearchResults { traces, warnings: vec![] })
}

fn summarise_trace(spans: &[Span]) -> TraceSummary {
    // Zipkin ids are padded hex; the 128-bit form wins when halves disagree (as zipkin-lens does).
    let trace_id = spans.iter().filter_map(|s| s.trace_id.as_deref()).max_by_key(|id| id.len()).unwrap_or("");
    let facts: Vec<SpanFacts> = spans
        .iter()
        .map(|s| {
            let start = i64_of(&s.timestamp).map(|us| us.saturating_mul(1_000));
            let dur = i64_of(&s.duration).map(|us| us.saturating_mul(1_000));
            let id = s.id.as_deref().map(pad_trace_id).unwrap_or_default();
            SpanFacts {
                parents: s.parent_id.as_deref().map(pad_trace_id).filter(|p| *p != id).into_iter().collect(),
                span_id: id,
                service: s.local_endpoint.as_ref().and_then(|e| e.service_name.clone()).filter(|n| !n.is_empty()),
                name: s.name.clone().filter(|n| !n.is_empty() && n != "unknown"),
                start_nanos: start,
                end_nanos: start.map(|t| t.saturating_add(dur.unwrap_or(0).max(0))),
                error: s.tags.as_ref().is_some_and(|t| t.contains_key("error")),
            }
        })
        .collect();
    summarise(pad_trace_id(&trace_id.trim().to_ascii_lowercase()), &facts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{TimeWindow, query_string};

    #[test]
    fn search_units() {
        let req = SearchRequest {
            service: Some("frontend".into()),
            remote_service: Some("mysql".into()),
            operation: Some("get /api".into()),
            tags: vec![("http.uri".into(), "/foo".into()), ("retried".into(), String::new())],
            window: Some(TimeWindow { start_nanos: 1_700_000_000_000_000_001, end_nanos: 1_700_000_900_000_000_001 }),
            min_duration_nanos: Some(1_500_000),
            max_duration_nanos: Some(2_000_001),
            limit: Some(10),
            ..Default::default()
        };
        assert_eq!(
            query_string(&search_params(&req).unwrap()),
            "?serviceName=frontend&remoteServiceName=mysql&spanName=get%20%2Fapi\
             &annotationQuery=http.uri%3D%2Ffoo%20and%20retried&minDuration=1500&maxDuration=2001\
             &endTs=1700000900001&lookback=900001&limit=10"
        );
        let max_only = SearchRequest { max_duration_nanos: Some(5_000), ..Default::default() };
        assert_eq!(query_string(&search_params(&max_only).unwrap()), "?minDuration=1&maxDuration=5");
    }

    // Shapes from ZIPKIN-API.md §4.2/§4.3 (no recorded list bodies exist).
    #[test]
    fn lists_and_links() {
        assert_eq!(parse_names("zipkin services", br#"["backend","frontend"]"#).unwrap(), vec!["backend", "frontend"]);
        assert_eq!(parse_operations(b"[]").unwrap(), vec![]);
        let spans = parse_operations(br#"["get /api","post /login"]"#).unwrap();
        assert_eq!(spans[1], Operation { name: "post /login".into(), span_kind: None });
        assert_eq!(crate::parse_autocomplete(br#"["environment","region"]"#).unwrap(), vec!["environment", "region"]);
        let e = crate::parse_autocomplete(br#"{"keys":[]}"#).unwrap_err();
        assert!(matches!(e, BackendError::Malformed { line: 1, .. }), "{e:?}");
        let links = parse_dependencies(
            br#"[{"parent":"a","child":"b","callCount":123,"errorCount":4},{"parent":"b","child":"c","callCount":1}]"#,
        )
        .unwrap();
        assert_eq!(links[0].error_count, Some(4));
        assert_eq!(links[1].error_count, Some(0));
    }

    #[test]
    fn search_traces() {
        let body = r#"[[{"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"a","kind":"SERVER","name":"get","timestamp":10,"duration":100,"localEndpoint":{"serviceName":"frontend"}},
                        {"traceId":"48485a3953bb6124","parentId":"a","id":"b","kind":"CLIENT","name":"query","timestamp":20,"duration":50,"localEndpoint":{"serviceName":"frontend"},"tags":{"error":""}}],
                       [{"traceId":"1","id":"c","localEndpoint":{"ipv4":"10.0.0.1"}}]]"#;
        let r = parse_search(body.as_bytes()).unwrap();
        assert_eq!(r.traces.len(), 2);
        let t = &r.traces[0];
        assert_eq!(t.trace_id_hex, "463ac35c9f6413ad48485a3953bb6124");
        assert_eq!((t.root_service.as_deref(), t.root_name.as_deref()), (Some("frontend"), Some("get")));
        assert_eq!((t.start_nanos, t.duration_nanos, t.span_count, t.error_count), (10_000, 100_000, Some(2), Some(1)));
        assert_eq!(r.traces[1].trace_id_hex, "0000000000000001");
        assert_eq!(r.traces[1].root_service, None);
        assert!(parse_search(b"[]").unwrap().traces.is_empty());
    }
}
