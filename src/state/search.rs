//! Running TraceQL searches and remembering past queries.
//!
//! [`run_search`] is the single entry point that evaluates a query; it runs on the UI thread today
//! (1M spans take ~100 ms natively) and is the one function to move to the parsing worker later.

use crate::state::Catalog;
use crate::state::trace_rows::{TraceTableRow, sort_rows};
use spanlens_traceql::Errors;
use spanlens_traceql::eval::{self, EvalOptions};
use std::collections::BTreeSet;

const HISTORY_KEY: &str = "spanlens.queryHistory";
const HISTORY_LEN: usize = 20;

/// The result of one run: rows newest first, or the query's errors.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchOutcome {
    pub query: String,
    pub result: Result<Vec<TraceTableRow>, Errors>,
    pub traces_inspected: usize,
    pub spans_inspected: usize,
    pub millis: f64,
}

/// Evaluates `query` over every load in the catalog. Rows link to their trace with the query
/// (`&q=`), so the trace page highlights the matches.
pub fn run_search(query: &str, catalog: &Catalog) -> SearchOutcome {
    let started = crate::timing::now_millis();
    let mut rows = Vec::new();
    let (mut traces_inspected, mut spans_inspected) = (0, 0);
    let q = js_sys::encode_uri_component(query);
    let copies = catalog.copy_counts();
    for loaded in catalog.loads() {
        let found = match eval::search(query, &loaded.set, &EvalOptions::default()) {
            Ok(found) => found,
            Err(errors) => {
                let millis = crate::timing::now_millis() - started;
                return SearchOutcome {
                    query: query.to_owned(),
                    result: Err(errors),
                    traces_inspected,
                    spans_inspected,
                    millis,
                };
            }
        };
        traces_inspected += found.traces_inspected;
        spans_inspected += found.spans_inspected;
        for m in &found.traces {
            let Some(trace) = loaded.set.traces.get(m.trace_index) else { continue };
            if catalog.is_merged_away(loaded.id, trace.trace_id) {
                continue;
            }
            let matched: BTreeSet<u32> = m.spansets.iter().flat_map(|s| s.spans.iter().copied()).collect();
            let Some(mut row) = TraceTableRow::new(&copies, loaded, m.trace_index) else { continue };
            row.href = format!("{}&q={q}", row.href);
            row.matched = Some(matched.len());
            rows.push(row);
        }
    }
    sort_rows(&mut rows);
    let millis = crate::timing::now_millis() - started;
    SearchOutcome { query: query.to_owned(), result: Ok(rows), traces_inspected, spans_inspected, millis }
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
