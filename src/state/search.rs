//! Running TraceQL searches and remembering past queries.
//!
//! [`run_search`] is the single entry point that evaluates a query; it runs on the UI thread today
//! (1M spans take ~100 ms natively) and is the one function to move to the parsing worker later.

use spanlens_model::TraceSet;
use spanlens_traceql::Errors;
use spanlens_traceql::eval::{self, EvalOptions};
use std::collections::BTreeSet;

const HISTORY_KEY: &str = "spanlens.queryHistory";
const HISTORY_LEN: usize = 20;

/// One matching trace, shaped for the results table.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchRow {
    pub trace_id: String,
    pub root_service: String,
    pub root_name: String,
    pub start_nanos: i64,
    pub duration_nanos: i64,
    pub spans: usize,
    pub errors: usize,
    /// Distinct spans in the trace's matching spansets.
    pub matched: usize,
    pub spansets: usize,
}

/// The result of one run: rows newest first, or the query's errors.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchOutcome {
    pub query: String,
    pub result: Result<Vec<SearchRow>, Errors>,
    pub traces_inspected: usize,
    pub spans_inspected: usize,
    pub millis: f64,
}

/// Evaluates `query` over every loaded trace.
pub fn run_search(query: &str, set: &TraceSet) -> SearchOutcome {
    let started = crate::timing::now_millis();
    let result = eval::search(query, set, &EvalOptions::default());
    let millis = crate::timing::now_millis() - started;
    let (traces_inspected, spans_inspected) =
        result.as_ref().map_or((0, 0), |r| (r.traces_inspected, r.spans_inspected));
    let result = result.map(|r| {
        let mut rows: Vec<SearchRow> = r
            .traces
            .iter()
            .map(|m| {
                let trace = set.traces.get(m.trace_index);
                let matched: BTreeSet<u32> = m.spansets.iter().flat_map(|s| s.spans.iter().copied()).collect();
                SearchRow {
                    trace_id: m.trace_id.clone(),
                    root_service: m.root_service.clone(),
                    root_name: m.root_name.clone(),
                    start_nanos: m.start_nanos,
                    duration_nanos: m.duration_nanos,
                    spans: trace.map_or(0, |t| t.spans.len()),
                    errors: trace.map_or(0, |t| t.error_count()),
                    matched: matched.len(),
                    spansets: m.spansets.len(),
                }
            })
            .collect();
        // Newest first, as in Tempo's and Jaeger's search results.
        rows.sort_by(|a, b| b.start_nanos.cmp(&a.start_nanos).then_with(|| a.trace_id.cmp(&b.trace_id)));
        rows
    });
    SearchOutcome { query: query.to_owned(), result, traces_inspected, spans_inspected, millis }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Past queries, most recent first (at most 20).
pub fn load_history() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(HISTORY_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str::<Vec<String>>(&json).ok())
        .map(|mut list| {
            list.retain(|q| !q.trim().is_empty());
            list.truncate(HISTORY_LEN);
            list
        })
        .unwrap_or_default()
}

/// Moves `query` to the front of `history` and stores it; returns the new list.
pub fn remember(history: &[String], query: &str) -> Vec<String> {
    let query = query.trim();
    let mut list: Vec<String> = Vec::with_capacity(HISTORY_LEN);
    if !query.is_empty() {
        list.push(query.to_owned());
    }
    list.extend(history.iter().filter(|q| q.trim() != query).take(HISTORY_LEN - list.len()).cloned());
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(&list)) {
        s.set_item(HISTORY_KEY, &json).ok();
    }
    list
}

/// Forgets every stored query.
pub fn clear_history() {
    if let Some(s) = storage() {
        s.remove_item(HISTORY_KEY).ok();
    }
}
