//! Jaeger `api_v3` over HTTP (OTLP JSON; JAEGER-UI-AND-API.md §2.2 and Addendum). Requests use the
//! snake_case parameter names: they are the only ones v1.60–v2.18 read, and later versions keep them
//! as aliases. Search answers are either whole traces merged into one `resourceSpans`
//! (`/api/v3/traces`) or summaries (`/api/v3/trace-summaries`, v2.19+).

use crate::BackendKind;
use crate::error::BackendError;
use crate::jaeger::tags_json;
use crate::json::{Flex, from_body, i64_of, id_hex, u64_of};
use crate::request::{SearchRequest, go_duration, query_string, rfc3339_nanos};
use crate::summary::{Operation, SearchResults, TraceSummary, sorted_services};
use serde::Deserialize;

/// Query parameters shared by `/api/v3/traces` and `/api/v3/trace-summaries`.
pub(crate) fn search_params(req: &SearchRequest) -> Result<Vec<(&'static str, String)>, BackendError> {
    req.validate()?;
    if req.traceql().is_some() {
        return Err(BackendError::Unsupported { backend: BackendKind::JaegerV3, what: "TraceQL search" });
    }
    if req.remote_service().is_some() {
        return Err(BackendError::Unsupported { backend: BackendKind::JaegerV3, what: "remote service filter" });
    }
    let Some(w) = req.window else {
        // The gateway answers 400 "query.start_time_min and query.start_time_max are required".
        return Err(BackendError::InvalidRequest("Jaeger api_v3 needs a time window for a search".to_owned()));
    };
    let mut p = Vec::new();
    if let Some(s) = req.service() {
        p.push(("query.service_name", s.to_owned()));
    }
    if let Some(o) = req.operation() {
        p.push(("query.operation_name", o.to_owned()));
    }
    if !req.tags.is_empty() {
        // Read by v2.19+ only; older gateways ignore it (they have no attribute filter over HTTP).
        p.push(("query.attributes", tags_json(&req.tags)));
    }
    p.push(("query.start_time_min", rfc3339_nanos(w.start_nanos)));
    p.push(("query.start_time_max", rfc3339_nanos(w.end_nanos)));
    if let Some(d) = req.min_duration_nanos {
        p.push(("query.duration_min", go_duration(d)));
    }
    if let Some(d) = req.max_duration_nanos {
        p.push(("query.duration_max", go_duration(d)));
    }
    if let Some(l) = req.limit {
        p.push(("query.num_traces", l.to_string()));
    }
    Ok(p)
}

pub(crate) fn operations_query(service: &str, span_kind: Option<&str>) -> String {
    let mut p = vec![("service", service.to_owned())];
    if let Some(k) = span_kind.filter(|k| !k.is_empty()) {
        p.push(("span_kind", k.to_owned()));
    }
    query_string(&p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Services {
    services: Option<Vec<String>>,
}

/// `{"services":[…]}`; proto3 JSON leaves an empty list out, so `{}` is no services.
pub(crate) fn parse_services(body: &[u8]) -> Result<Vec<String>, BackendError> {
    Ok(from_body::<Services>("jaeger-v3 services", body)?.services.unwrap_or_default())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Operations {
    operations: Option<Vec<OperationItem>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct OperationItem {
    name: String,
    #[serde(alias = "span_kind")]
    span_kind: Option<String>,
}

pub(crate) fn parse_operations(body: &[u8]) -> Result<Vec<Operation>, BackendError> {
    let ops = from_body::<Operations>("jaeger-v3 operations", body)?.operations.unwrap_or_default();
    Ok(ops.into_iter().map(|o| Operation { name: o.name, span_kind: o.span_kind.filter(|k| !k.is_empty()) }).collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Summaries {
    summaries: Option<Vec<Summary>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Summary {
    trace_id: Option<String>,
    root_service_name: Option<String>,
    root_operation_name: Option<String>,
    min_start_time_unix_nano: Option<Flex>,
    max_end_time_unix_nano: Option<Flex>,
    span_count: Option<Flex>,
    error_span_count: Option<Flex>,
    services: Option<Vec<ServiceStat>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ServiceStat {
    name: String,
    span_count: Option<Flex>,
}

/// `/api/v3/trace-summaries` (v2.19+).
pub(crate) fn parse_summaries(body: &[u8]) -> Result<SearchResults, BackendError> {
    let list = from_body::<Summaries>("jaeger-v3 trace summaries", body)?.summaries.unwrap_or_default();
    let traces = list
        .into_iter()
        .map(|s| {
            let start = i64_of(&s.min_start_time_unix_nano).unwrap_or(0);
            let end = i64_of(&s.max_end_time_unix_nano).unwrap_or(start);
            let count = |f: &Option<Flex>| u64_of(f).and_then(|n| usize::try_from(n).ok());
            TraceSummary {
                trace_id_hex: s.trace_id.as_deref().map(id_hex).unwrap_or_default(),
                root_service: s.root_service_name.filter(|n| !n.is_empty()),
                root_name: s.root_operation_name.filter(|n| !n.is_empty()),
                start_nanos: start,
                duration_nanos: end.saturating_sub(start).max(0),
                // proto3 JSON omits zero counts, so a missing count is 0, not unknown.
                span_count: Some(count(&s.span_count).unwrap_or(0)),
                error_count: Some(count(&s.error_span_count).unwrap_or(0)),
                services: sorted_services(
                    s.services
                        .unwrap_or_default()
                        .into_iter()
                        .map(|v| (v.name, count(&v.span_count).unwrap_or(0)))
                        .collect(),
                ),
                matched_spans: None,
            }
        })
        .collect();
    Ok(SearchResults { traces, warnings: vec![] })
}

/// `/api/v3/traces` (search): whole traces, summarised.
pub(crate) fn parse_find_traces(body: &[u8]) -> Result<SearchResults, BackendError> {
    Ok(SearchResults { traces: crate::otlp::summarise_body("jaeger-v3 search", body)?, warnings: vec![] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::TimeWindow;

    #[test]
    fn snake_case_parameters() {
        let req = SearchRequest {
            service: Some("frontend".into()),
            operation: Some("HTTP GET".into()),
            tags: vec![("http.status_code".into(), "500".into())],
            window: Some(TimeWindow { start_nanos: 1_786_060_425_528_391_000, end_nanos: 1_786_064_025_000_000_000 }),
            min_duration_nanos: Some(1_000_000_000),
            max_duration_nanos: Some(2_500_000),
            limit: Some(200),
            ..Default::default()
        };
        assert!(search_params(&req).is_err(), "max < min");
        let req = SearchRequest { max_duration_nanos: Some(2_000_000_000), ..req };
        assert_eq!(
            query_string(&search_params(&req).unwrap()),
            "?query.service_name=frontend&query.operation_name=HTTP%20GET\
             &query.attributes=%7B%22http.status_code%22%3A%22500%22%7D\
             &query.start_time_min=2026-08-06T23%3A53%3A45.528391Z&query.start_time_max=2026-08-07T00%3A53%3A45Z\
             &query.duration_min=1s&query.duration_max=2s&query.num_traces=200"
        );
        let no_window = SearchRequest { service: Some("x".into()), ..Default::default() };
        assert!(search_params(&no_window).unwrap_err().to_string().contains("time window"));
        assert_eq!(operations_query("a b", Some("server")), "?service=a%20b&span_kind=server");
    }

    #[test]
    fn empty_answers() {
        assert!(parse_services(b"{}").unwrap().is_empty());
        assert!(parse_operations(b"{}").unwrap().is_empty());
        assert!(parse_summaries(b"{}").unwrap().traces.is_empty());
        assert!(parse_find_traces(br#"{"result":{}}"#).unwrap().traces.is_empty());
    }
}
