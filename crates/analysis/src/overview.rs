//! Whole-catalog figures: one summary row per trace (the trace list and the search results share it)
//! and per-service totals across every loaded set (the Services page).
//!
//! Loads keep their own string tables, so everything here is keyed by resolved strings, never by
//! `Sym`s, which mean different things in different sets.

use crate::critical_path::self_times;
use crate::summary::TraceSummary;
use serde::{Deserialize, Serialize};
use spanlens_model::sorting;
use spanlens_model::{Sym, Trace, TraceSet};
use std::collections::HashMap;

/// What a trace table shows about one trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceRow {
    pub trace_id_hex: String,
    pub root_service: String,
    /// The root span's name, or empty when the trace has no root.
    pub root_name: String,
    pub start_nanos: i64,
    pub duration_nanos: i64,
    pub span_count: usize,
    pub error_count: usize,
    pub service_count: usize,
    /// Spans whose end is unknown; `duration_nanos` leaves their ends out.
    pub incomplete_count: usize,
}

impl TraceRow {
    pub fn of(set: &TraceSet, trace: &Trace) -> TraceRow {
        let root = trace.root_span();
        TraceRow {
            trace_id_hex: trace.trace_id_hex(),
            root_service: root.map(|s| set.resolve(s.service).to_owned()).unwrap_or_default(),
            root_name: root.map(|s| set.resolve(s.name).to_owned()).unwrap_or_default(),
            start_nanos: trace.start_nanos,
            duration_nanos: trace.duration_nanos(),
            span_count: trace.spans.len(),
            error_count: trace.error_count(),
            service_count: trace.services().len(),
            incomplete_count: trace.spans.iter().filter(|s| s.is_incomplete()).count(),
        }
    }

    /// [`TraceRow::of`] from the trace's summary, which holds every count: O(1) where `of` passes
    /// over every span (a cold page listing a million-span trace spent 30 ms on that).
    pub fn from_summary(set: &TraceSet, trace: &Trace, summary: &TraceSummary) -> TraceRow {
        let resolve = |sym: Option<Sym>| sym.map(|s| set.resolve(s).to_owned()).unwrap_or_default();
        TraceRow {
            trace_id_hex: trace.trace_id_hex(),
            root_service: resolve(summary.root_service),
            root_name: resolve(summary.root_name),
            start_nanos: summary.start_nanos,
            duration_nanos: summary.duration_nanos,
            span_count: summary.span_count,
            error_count: summary.error_count,
            service_count: summary.service_count,
            incomplete_count: summary.incomplete_count,
        }
    }
}

/// Newest first, as in Jaeger's and Tempo's result lists; ties by id so the order is stable.
pub fn newest_first(a: &TraceRow, b: &TraceRow) -> std::cmp::Ordering {
    b.start_nanos.cmp(&a.start_nanos).then_with(|| a.trace_id_hex.cmp(&b.trace_id_hex))
}

/// One service's figures over every trace given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub name: String,
    pub trace_count: usize,
    pub span_count: usize,
    pub error_count: usize,
    /// Spans whose end is unknown: counted in `span_count`, but no part of the times below.
    pub incomplete_count: usize,
    /// Sum of known span durations; nested spans of one service count twice, so this can exceed the
    /// trace.
    pub total_nanos: i64,
    /// Sum of self times: the time this service itself spent, which never double counts.
    pub self_nanos: i64,
    /// The longest known duration.
    pub max_nanos: i64,
}

/// Per-service totals over `traces` (each with the set it belongs to), most spans first.
pub fn service_rows<'a>(traces: impl IntoIterator<Item = (&'a TraceSet, &'a Trace)>) -> Vec<ServiceRow> {
    let mut by_name: HashMap<String, ServiceRow> = HashMap::new();
    for (set, trace) in traces {
        let self_nanos = self_times(trace);
        // Per trace, one lookup per service rather than one string hash per span.
        let mut local: HashMap<spanlens_model::Sym, ServiceRow> = HashMap::new();
        for (i, span) in trace.spans.iter().enumerate() {
            let row = local.entry(span.service).or_insert_with(|| empty_row(set.resolve(span.service)));
            row.span_count += 1;
            row.error_count += usize::from(span.is_error());
            row.incomplete_count += usize::from(span.is_incomplete());
            // An unknown end adds no time (its self time is 0 too), and is never the longest span.
            let known = span.known_duration_nanos().unwrap_or(0).max(0);
            row.total_nanos = row.total_nanos.saturating_add(known);
            row.self_nanos = row.self_nanos.saturating_add(self_nanos.get(i).copied().unwrap_or(0));
            row.max_nanos = row.max_nanos.max(known);
        }
        for (_, part) in local {
            let row = by_name.entry(part.name.clone()).or_insert_with(|| empty_row(&part.name));
            row.trace_count += 1;
            row.span_count += part.span_count;
            row.error_count += part.error_count;
            row.incomplete_count += part.incomplete_count;
            row.total_nanos = row.total_nanos.saturating_add(part.total_nanos);
            row.self_nanos = row.self_nanos.saturating_add(part.self_nanos);
            row.max_nanos = row.max_nanos.max(part.max_nanos);
        }
    }
    let mut rows: Vec<ServiceRow> = by_name.into_values().collect();
    sorting::sort_by(&mut rows, |a, b| b.span_count.cmp(&a.span_count).then_with(|| a.name.cmp(&b.name)));
    rows
}

/// A column of the Services table to sort by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceColumn {
    Name,
    Traces,
    Spans,
    Errors,
    SelfTime,
    TotalTime,
    Longest,
}

/// Sorts by `column` (names A→Z when ascending), ties by name so the order is stable.
pub fn sort_service_rows(rows: &mut [ServiceRow], column: ServiceColumn, descending: bool) {
    sorting::sort_by(rows, |a, b| {
        let primary = match column {
            ServiceColumn::Name => a.name.cmp(&b.name),
            ServiceColumn::Traces => a.trace_count.cmp(&b.trace_count),
            ServiceColumn::Spans => a.span_count.cmp(&b.span_count),
            ServiceColumn::Errors => a.error_count.cmp(&b.error_count),
            ServiceColumn::SelfTime => a.self_nanos.cmp(&b.self_nanos),
            ServiceColumn::TotalTime => a.total_nanos.cmp(&b.total_nanos),
            ServiceColumn::Longest => a.max_nanos.cmp(&b.max_nanos),
        };
        let primary = if descending { primary.reverse() } else { primary };
        primary.then_with(|| a.name.cmp(&b.name))
    });
}

fn empty_row(name: &str) -> ServiceRow {
    ServiceRow {
        name: name.to_owned(),
        trace_count: 0,
        span_count: 0,
        error_count: 0,
        incomplete_count: 0,
        total_nanos: 0,
        self_nanos: 0,
        max_nanos: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{BASE_NANOS, build, s, trace};

    #[test]
    fn trace_row_names_the_root_and_counts() {
        let set = build(&[
            s(1, 0, 0, 100).svc("front").name("GET /"),
            s(2, 1, 10, 40).svc("cart"),
            s(3, 1, 30, 40).svc("cart").err(),
        ]);
        let row = TraceRow::of(&set, trace(&set));
        assert_eq!((row.root_service.as_str(), row.root_name.as_str()), ("front", "GET /"));
        assert_eq!((row.start_nanos, row.duration_nanos), (BASE_NANOS, 100));
        assert_eq!((row.span_count, row.error_count, row.service_count), (3, 1, 2));
    }

    #[test]
    fn a_row_from_the_summary_is_the_row() {
        let sets = [
            build(&[s(1, 0, 0, 100).svc("front").name("GET /"), s(2, 1, 10, 40).svc("cart"), s(3, 1, 30, 40).err()]),
            // No root (an orphan only), and an end unknown.
            build(&[s(4, 99, 0, 5).svc("lost"), s(5, 4, 1, 2).svc("lost").incomplete()]),
            build(&[]),
            spanlens_synth::generate(&spanlens_synth::SynthOptions {
                spans: 5_000,
                traces: 3,
                seed: 2,
                deep_chain: false,
            }),
        ];
        for set in &sets {
            for t in &set.traces {
                let summary = crate::summary::summarize(t);
                assert_eq!(TraceRow::from_summary(set, t, &summary), TraceRow::of(set, t));
            }
        }
    }

    #[test]
    fn service_rows_add_up_across_sets_by_name() {
        // Two loads with their own string tables: "cart" must be one row, not two.
        let a = build(&[s(1, 0, 0, 100).svc("front"), s(2, 1, 10, 40).svc("cart"), s(3, 2, 20, 10).svc("cart")]);
        let b = build(&[s(1, 0, 0, 50).svc("cart").err()]);
        let rows = service_rows([(&a, trace(&a)), (&b, trace(&b))]);
        assert_eq!(rows.len(), 2);
        let cart = &rows[0];
        assert_eq!(cart.name, "cart");
        assert_eq!((cart.trace_count, cart.span_count, cart.error_count), (2, 3, 1));
        // Nested cart spans: total counts the child twice, self time does not.
        assert_eq!(cart.total_nanos, 40 + 10 + 50);
        assert_eq!(cart.self_nanos, 30 + 10 + 50);
        assert_eq!(cart.max_nanos, 50);
        let front = &rows[1];
        assert_eq!((front.trace_count, front.self_nanos), (1, 60));
    }

    #[test]
    fn service_rows_sort_by_any_column_with_name_ties() {
        let a = build(&[s(1, 0, 0, 100).svc("b"), s(2, 1, 10, 40).svc("a"), s(3, 1, 60, 30).svc("c").err()]);
        let mut rows = service_rows([(&a, trace(&a))]);
        let names = |rows: &[ServiceRow]| rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        sort_service_rows(&mut rows, ServiceColumn::SelfTime, true);
        assert_eq!(names(&rows), ["a", "b", "c"]); // self: a 40, b 30, c 30: the tie goes by name
        sort_service_rows(&mut rows, ServiceColumn::Name, false);
        assert_eq!(names(&rows), ["a", "b", "c"]);
        sort_service_rows(&mut rows, ServiceColumn::Errors, true);
        assert_eq!(names(&rows)[0], "c");
        sort_service_rows(&mut rows, ServiceColumn::Longest, false);
        assert_eq!(names(&rows), ["c", "a", "b"]);
    }

    #[test]
    fn incomplete_spans_are_left_out_of_service_times() {
        // A cart client whose end is unknown (flushed 29 s later in the issue): it counts as a span,
        // but adds no total, no self time, is never the longest, and leaves front's self time whole.
        let set = build(&[
            s(1, 0, 0, 100).svc("front"),
            s(2, 1, 10, 29_000_000_000).svc("cart").incomplete(),
            s(3, 1, 50, 20).svc("cart"),
        ]);
        let t = trace(&set);
        let rows = service_rows([(&set, t)]);
        let cart = rows.iter().find(|r| r.name == "cart").unwrap();
        assert_eq!((cart.span_count, cart.incomplete_count), (2, 1));
        assert_eq!((cart.total_nanos, cart.self_nanos, cart.max_nanos), (20, 20, 20));
        let front = rows.iter().find(|r| r.name == "front").unwrap();
        assert_eq!((front.total_nanos, front.self_nanos, front.incomplete_count), (100, 80, 0));
        let row = TraceRow::of(&set, t);
        assert_eq!((row.duration_nanos, row.incomplete_count), (100, 1));
    }

    #[test]
    fn newest_first_orders_by_start_then_id() {
        let row = |id: &str, start| TraceRow {
            trace_id_hex: id.to_owned(),
            root_service: String::new(),
            root_name: String::new(),
            start_nanos: start,
            duration_nanos: 0,
            span_count: 0,
            error_count: 0,
            service_count: 0,
            incomplete_count: 0,
        };
        let mut rows = [row("b", 1), row("a", 1), row("c", 5)];
        rows.sort_by(newest_first);
        let ids: Vec<&str> = rows.iter().map(|r| r.trace_id_hex.as_str()).collect();
        assert_eq!(ids, ["c", "a", "b"]);
    }
}
