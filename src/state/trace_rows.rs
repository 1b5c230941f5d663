//! Rows for the trace table (the loaded-trace list and the search results): each trace's summary,
//! its source, and its link.

use crate::state::{Catalog, Loaded};
use spanlens_analysis::overview::{TraceRow, newest_first};
use spanlens_model::{Trace, TraceId};
use std::collections::HashMap;

/// One row: the trace's summary plus where it came from and where its link goes.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceTableRow {
    /// Unique per row (load id and trace id): the same trace from two loads is two rows.
    pub key: String,
    pub href: String,
    pub summary: TraceRow,
    pub source: String,
    /// Spans in the matching spansets (search results only).
    pub matched: Option<usize>,
    /// Other loads listing the same trace id; more than zero offers a merge.
    pub other_copies: usize,
}

impl TraceTableRow {
    /// `copies` is [`Catalog::copy_counts`], computed once per list.
    pub fn new(copies: &HashMap<TraceId, usize>, loaded: &Loaded, trace: &Trace) -> TraceTableRow {
        TraceTableRow {
            key: format!("{}/{}", loaded.id, trace.trace_id_hex()),
            href: loaded.trace_href(trace),
            summary: TraceRow::of(&loaded.set, trace),
            source: loaded.source.label(),
            matched: None,
            other_copies: copies.get(&trace.trace_id).copied().unwrap_or(1).saturating_sub(1),
        }
    }
}

/// Every listed trace of the catalog, newest first.
pub fn list_rows(catalog: &Catalog) -> Vec<TraceTableRow> {
    let copies = catalog.copy_counts();
    let mut rows: Vec<TraceTableRow> = catalog
        .entries()
        .filter_map(|(loaded, index)| Some(TraceTableRow::new(&copies, loaded, loaded.set.traces.get(index)?)))
        .collect();
    sort_rows(&mut rows);
    rows
}

/// Newest first; the same trace from two loads by load order.
pub fn sort_rows(rows: &mut [TraceTableRow]) {
    rows.sort_by(|a, b| newest_first(&a.summary, &b.summary).then_with(|| a.key.cmp(&b.key)));
}
