//! The flame graph's table (operations with count, total and self time, as Jaeger UI's flame graph
//! table) and the trace graph's self-time rule.

use crate::flame::{known_len, op_key};
use serde::{Deserialize, Serialize};
use spanlens_model::sorting;
use spanlens_model::{Sym, Trace};
use std::collections::HashMap;

/// Self times as Jaeger UI's trace graph counts them: like [`crate::self_times`], but a CONSUMER child does
/// not block its parent (its parent's time while it runs stays the parent's own). O(n).
pub fn blocking_self_times(trace: &Trace) -> Vec<i64> {
    let bounds =
        |i: u32| trace.spans.get(i as usize).map(|s| (s.start_nanos, s.known_end_nanos().unwrap_or(s.start_nanos)));
    (0..trace.spans.len() as u32)
        .map(|i| {
            let Some((start, end)) = bounds(i) else {
                return 0;
            };
            let (mut reach, mut covered) = (start, 0i64);
            for &c in trace.tree.children(i) {
                if trace.spans.get(c as usize).is_some_and(|s| s.kind == spanlens_model::SpanKind::Consumer) {
                    continue;
                }
                let Some((cs, ce)) = bounds(c) else {
                    continue;
                };
                let (from, to) = (cs.max(reach), ce.min(end));
                if to > from {
                    covered = covered.saturating_add(to - from);
                    reach = to;
                }
            }
            end.saturating_sub(start).saturating_sub(covered).max(0)
        })
        .collect()
}

/// One row of the flame-graph table: an operation over the whole trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlameTableRow {
    pub service: Sym,
    pub name: Sym,
    pub count: u32,
    pub errors: u32,
    /// Sum of the spans' known durations.
    pub total_nanos: i64,
    /// Sum of the spans' self times.
    pub self_nanos: i64,
}

/// Operations (service, name) with count, total and self time, by self time descending (where the
/// time went), ties by first appearance. O(n).
pub fn flame_table(trace: &Trace, self_nanos: &[i64]) -> Vec<FlameTableRow> {
    let mut rows: Vec<FlameTableRow> = Vec::new();
    let mut slot: HashMap<u64, usize> = HashMap::new();
    for (i, span) in trace.spans.iter().enumerate() {
        let k = *slot.entry(op_key(span)).or_insert_with(|| {
            rows.push(FlameTableRow {
                service: span.service,
                name: span.name,
                count: 0,
                errors: 0,
                total_nanos: 0,
                self_nanos: 0,
            });
            rows.len() - 1
        });
        if let Some(r) = rows.get_mut(k) {
            r.count += 1;
            r.errors += u32::from(span.is_error());
            r.total_nanos = r.total_nanos.saturating_add(known_len(span));
            r.self_nanos = r.self_nanos.saturating_add(self_nanos.get(i).copied().unwrap_or(0));
        }
    }
    sorting::sort_by_u64_key(&mut rows, |r| sorting::descending_u64(sorting::ascending_i64(r.self_nanos)));
    rows
}
