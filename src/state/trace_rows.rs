//! Rows for the trace table (the loaded-trace list and the search results): each trace's summary,
//! its source, and its link; and the orders a result list can be sorted in.

use crate::state::{Catalog, Loaded};
use spanlens_analysis::overview::{TraceRow, newest_first};
use spanlens_model::TraceId;
use std::cmp::Ordering;
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
    /// The row of trace `index` of `loaded`. `copies` is [`Catalog::copy_counts`], computed once per
    /// list.
    pub fn new(copies: &HashMap<TraceId, usize>, loaded: &Loaded, index: usize) -> Option<TraceTableRow> {
        let trace = loaded.set.traces.get(index)?;
        // A large trace's summary came with it from the parsing worker: no pass over its spans.
        let summary = match loaded.analysed.get(&index) {
            Some(computed) => TraceRow::from_summary(&loaded.set, trace, computed.summary()),
            None => TraceRow::of(&loaded.set, trace),
        };
        Some(TraceTableRow {
            key: format!("{}/{}", loaded.id, trace.trace_id_hex()),
            href: loaded.trace_href(trace),
            summary,
            source: loaded.source.label(),
            matched: None,
            other_copies: copies.get(&trace.trace_id).copied().unwrap_or(1).saturating_sub(1),
        })
    }
}

/// Every listed trace of the catalog, newest first.
pub fn list_rows(catalog: &Catalog) -> Vec<TraceTableRow> {
    let copies = catalog.copy_counts();
    let mut rows: Vec<TraceTableRow> =
        catalog.entries().filter_map(|(loaded, index)| TraceTableRow::new(&copies, loaded, index)).collect();
    sort_rows(&mut rows);
    rows
}

/// How a result list is ordered: Jaeger UI's choices, plus errors. Kept in the URL as `sort=`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RowOrder {
    #[default]
    MostRecent,
    Longest,
    Shortest,
    MostSpans,
    FewestSpans,
    MostErrors,
}

impl RowOrder {
    pub const ALL: [RowOrder; 6] = [
        RowOrder::MostRecent,
        RowOrder::Longest,
        RowOrder::Shortest,
        RowOrder::MostSpans,
        RowOrder::FewestSpans,
        RowOrder::MostErrors,
    ];

    /// The `sort=` value; the default order has one too, so the select's options all have a value.
    pub fn param(self) -> &'static str {
        match self {
            RowOrder::MostRecent => "recent",
            RowOrder::Longest => "longest",
            RowOrder::Shortest => "shortest",
            RowOrder::MostSpans => "most-spans",
            RowOrder::FewestSpans => "fewest-spans",
            RowOrder::MostErrors => "most-errors",
        }
    }

    /// An unknown or missing value (an old link, a typo) falls back to the default order.
    pub fn from_param(value: Option<&str>) -> RowOrder {
        RowOrder::ALL.into_iter().find(|o| Some(o.param()) == value).unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            RowOrder::MostRecent => "Most recent",
            RowOrder::Longest => "Longest first",
            RowOrder::Shortest => "Shortest first",
            RowOrder::MostSpans => "Most spans",
            RowOrder::FewestSpans => "Fewest spans",
            RowOrder::MostErrors => "Most errors",
        }
    }

    /// The order of two rows; ties fall back to newest first, then the row key, so the order is
    /// total and the same on every sort (a re-sort never shuffles equal rows).
    fn compare(self, a: &TraceTableRow, b: &TraceTableRow) -> Ordering {
        let (x, y) = (&a.summary, &b.summary);
        let primary = match self {
            RowOrder::MostRecent => Ordering::Equal,
            RowOrder::Longest => y.duration_nanos.cmp(&x.duration_nanos),
            RowOrder::Shortest => x.duration_nanos.cmp(&y.duration_nanos),
            RowOrder::MostSpans => y.span_count.cmp(&x.span_count),
            RowOrder::FewestSpans => x.span_count.cmp(&y.span_count),
            RowOrder::MostErrors => y.error_count.cmp(&x.error_count),
        };
        primary.then_with(|| newest_first(x, y)).then_with(|| a.key.cmp(&b.key))
    }
}

/// Newest first; the same trace from two loads by load order.
pub fn sort_rows(rows: &mut [TraceTableRow]) {
    sort_rows_by(rows, RowOrder::MostRecent);
}

/// Sorts by `order` (see [`RowOrder::compare`] for ties).
pub fn sort_rows_by(rows: &mut [TraceTableRow], order: RowOrder) {
    spanlens_model::sorting::sort_by(rows, |a, b| order.compare(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, start_nanos: i64, duration_nanos: i64, span_count: usize, error_count: usize) -> TraceTableRow {
        TraceTableRow {
            key: key.to_owned(),
            href: format!("/trace/{key}"),
            summary: TraceRow {
                trace_id_hex: key.to_owned(),
                root_service: "svc".to_owned(),
                root_name: "op".to_owned(),
                start_nanos,
                duration_nanos,
                span_count,
                error_count,
                service_count: 1,
                incomplete_count: 0,
            },
            source: "test".to_owned(),
            matched: None,
            other_copies: 0,
        }
    }

    fn keys(rows: &[TraceTableRow]) -> Vec<&str> {
        rows.iter().map(|r| r.key.as_str()).collect()
    }

    fn sample() -> Vec<TraceTableRow> {
        vec![
            row("a", 100, 50, 3, 0),
            row("b", 300, 10, 20, 2),
            row("c", 200, 90, 1, 1),
            // Ties with "a" on duration and spans, but newer.
            row("d", 400, 50, 3, 0),
        ]
    }

    #[test]
    fn each_order_sorts_by_its_measure_with_newest_first_on_ties() {
        let sorted = |order| {
            let mut rows = sample();
            sort_rows_by(&mut rows, order);
            rows
        };
        assert_eq!(keys(&sorted(RowOrder::MostRecent)), ["d", "b", "c", "a"]);
        assert_eq!(keys(&sorted(RowOrder::Longest)), ["c", "d", "a", "b"]);
        assert_eq!(keys(&sorted(RowOrder::Shortest)), ["b", "d", "a", "c"]);
        assert_eq!(keys(&sorted(RowOrder::MostSpans)), ["b", "d", "a", "c"]);
        assert_eq!(keys(&sorted(RowOrder::FewestSpans)), ["c", "d", "a", "b"]);
        assert_eq!(keys(&sorted(RowOrder::MostErrors)), ["b", "c", "d", "a"]);
    }

    #[test]
    fn the_default_sort_is_most_recent() {
        let mut plain = sample();
        sort_rows(&mut plain);
        let mut recent = sample();
        sort_rows_by(&mut recent, RowOrder::MostRecent);
        assert_eq!(plain, recent);
        // Equal traces from two loads keep the load order (by key).
        let mut copies = vec![row("2/x", 5, 1, 1, 0), row("1/x", 5, 1, 1, 0)];
        sort_rows(&mut copies);
        assert_eq!(keys(&copies), ["1/x", "2/x"]);
    }

    #[test]
    fn the_url_value_round_trips_and_unknown_values_fall_back() {
        for order in RowOrder::ALL {
            assert_eq!(RowOrder::from_param(Some(order.param())), order);
            assert!(!order.label().is_empty());
        }
        assert_eq!(RowOrder::from_param(None), RowOrder::MostRecent);
        assert_eq!(RowOrder::from_param(Some("LONGEST")), RowOrder::MostRecent);
    }

    #[test]
    fn the_longest_first_puts_the_maximum_on_top_of_many_rows() {
        let mut rows: Vec<TraceTableRow> =
            (0..1500).map(|i| row(&format!("{i:04}"), i, (i * 7919) % 1500, 1, 0)).collect();
        sort_rows_by(&mut rows, RowOrder::Longest);
        let max = rows.iter().map(|r| r.summary.duration_nanos).max();
        assert_eq!(rows.first().map(|r| r.summary.duration_nanos), max);
        assert!(rows.windows(2).all(|w| w[0].summary.duration_nanos >= w[1].summary.duration_nanos));
    }
}
