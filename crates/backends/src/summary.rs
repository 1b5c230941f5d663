//! What the parsers return, and one way to summarise a whole trace for a search result list.
//!
//! Tempo and api_v3 `trace-summaries` answer a search with summaries; Jaeger legacy, api_v3
//! `traces` and Zipkin answer with whole traces, which each backend module reduces to [`SpanFacts`]
//! and [`summarise`] turns into the same [`TraceSummary`]. The result types serialise (with Rust
//! field names) so the app can keep them, e.g. in session storage.

use std::collections::{HashMap, HashSet};

/// One trace in a search result list.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TraceSummary {
    /// Lower-case hex, 16 or 32 digits (Tempo's stripped leading zeros are put back).
    pub trace_id_hex: String,
    /// `None` when the trace has no root span (yet): Tempo's `<root span not yet received>`.
    pub root_service: Option<String>,
    pub root_name: Option<String>,
    /// Earliest span start, ns since the epoch (0 when unknown).
    pub start_nanos: i64,
    /// Latest span end minus earliest start (Tempo: its `durationMs`).
    pub duration_nanos: i64,
    /// Spans in the trace (records: Zipkin's shared client/server halves count twice, as the
    /// backends count them). `None` when the backend does not say (Tempo without `serviceStats`).
    pub span_count: Option<usize>,
    pub error_count: Option<usize>,
    /// Spans per service, most spans first, then by name.
    pub services: Vec<(String, usize)>,
    /// Tempo: spans that matched the TraceQL query (summed over spansets), before `spss` truncation.
    pub matched_spans: Option<u64>,
}

/// A search answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SearchResults {
    /// In the backend's order (Tempo: newest first; others unspecified).
    pub traces: Vec<TraceSummary>,
    /// Problems the backend reported inside a successful answer (Jaeger's `errors` beside `data`,
    /// e.g. one id of several not found), already worded for people.
    pub warnings: Vec<String>,
}

/// An operation (span name) of a service.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Operation {
    pub name: String,
    /// `server`, `client`, … when the backend says (Jaeger `/api/operations`, api_v3).
    pub span_kind: Option<String>,
}

/// A caller → callee edge of the service graph.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DependencyLink {
    pub parent: String,
    pub child: String,
    pub call_count: u64,
    /// Zipkin only (and omitted by it when 0); Jaeger does not count errors.
    pub error_count: Option<u64>,
}

/// A Tempo tag value; `kind` is Tempo's type (`string`, `int`, `float`, `bool`, `duration`,
/// `keyword`); v1 answers are all `string`. Quote `string` values when putting them in TraceQL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TagValue {
    pub kind: String,
    pub value: String,
}

/// What the summary needs from one span, whatever the format.
#[derive(Clone, Debug, Default)]
pub(crate) struct SpanFacts {
    pub span_id: String,
    /// Parent and referenced span ids; a span is a root when none of them is in the trace.
    pub parents: Vec<String>,
    pub service: Option<String>,
    pub name: Option<String>,
    pub start_nanos: Option<i64>,
    pub end_nanos: Option<i64>,
    pub error: bool,
}

/// Summarises one trace's spans. The root is the earliest span whose parents are all outside the
/// trace (so a trace missing its real root still gets a name, as Jaeger UI does).
pub(crate) fn summarise(trace_id_hex: String, spans: &[SpanFacts]) -> TraceSummary {
    let ids: HashSet<&str> = spans.iter().map(|s| s.span_id.as_str()).collect();
    let is_root = |s: &SpanFacts| s.parents.iter().all(|p| !ids.contains(p.as_str()) || p == &s.span_id);
    // Earliest first; unknown starts last.
    let key = |s: &SpanFacts| s.start_nanos.unwrap_or(i64::MAX);
    let root = spans.iter().filter(|s| is_root(s)).min_by_key(|s| key(s));
    let start = spans.iter().filter_map(|s| s.start_nanos).min();
    let end = spans.iter().filter_map(|s| s.end_nanos.or(s.start_nanos)).max();
    let mut per_service: HashMap<&str, usize> = HashMap::new();
    for s in spans {
        if let Some(svc) = s.service.as_deref() {
            *per_service.entry(svc).or_default() += 1;
        }
    }
    TraceSummary {
        trace_id_hex,
        root_service: root.and_then(|r| r.service.clone()),
        root_name: root.and_then(|r| r.name.clone()),
        start_nanos: start.unwrap_or(0),
        duration_nanos: match (start, end) {
            (Some(a), Some(b)) => b.saturating_sub(a).max(0),
            _ => 0,
        },
        span_count: Some(spans.len()),
        error_count: Some(spans.iter().filter(|s| s.error).count()),
        services: sorted_services(per_service.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
        matched_spans: None,
    }
}

pub(crate) fn sorted_services(mut services: Vec<(String, usize)>) -> Vec<(String, usize)> {
    spanlens_model::sorting::sort_by(&mut services, |a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    services
}

/// Groups spans by trace id, keeping the order in which traces first appear.
pub(crate) fn group_by_trace(spans: Vec<(String, SpanFacts)>) -> Vec<(String, Vec<SpanFacts>)> {
    let mut order: Vec<(String, Vec<SpanFacts>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (trace, span) in spans {
        match index.get(&trace) {
            Some(&i) => {
                if let Some(entry) = order.get_mut(i) {
                    entry.1.push(span);
                }
            }
            None => {
                index.insert(trace.clone(), order.len());
                order.push((trace, vec![span]));
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: &str, parent: &str, svc: &str, start: i64, end: i64, error: bool) -> SpanFacts {
        SpanFacts {
            span_id: id.into(),
            parents: if parent.is_empty() { vec![] } else { vec![parent.into()] },
            service: Some(svc.into()),
            name: Some(format!("op-{id}")),
            start_nanos: Some(start),
            end_nanos: Some(end),
            error,
        }
    }

    #[test]
    fn root_counts_and_services() {
        let spans = [
            span("b", "a", "db", 20, 40, true),
            span("a", "", "web", 10, 50, false),
            span("c", "a", "db", 30, 35, false),
        ];
        let s = summarise("t".into(), &spans);
        assert_eq!(s.root_service.as_deref(), Some("web"));
        assert_eq!(s.root_name.as_deref(), Some("op-a"));
        assert_eq!((s.start_nanos, s.duration_nanos), (10, 40));
        assert_eq!((s.span_count, s.error_count), (Some(3), Some(1)));
        assert_eq!(s.services, vec![("db".into(), 2), ("web".into(), 1)]);
    }

    #[test]
    fn a_trace_without_its_root_uses_the_earliest_orphan() {
        let spans = [span("c", "x", "late", 30, 31, false), span("b", "x", "early", 20, 25, false)];
        let s = summarise("t".into(), &spans);
        assert_eq!(s.root_service.as_deref(), Some("early"));
        let empty = summarise("t".into(), &[]);
        assert_eq!((empty.root_service, empty.span_count, empty.duration_nanos), (None, Some(0), 0));
    }
}
