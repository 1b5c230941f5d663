//! Trace statistics: spans grouped by service, operation or an attribute, with an optional second
//! level, over one trace or several (Jaeger UI's "Trace Statistics" table, and the same table across
//! many traces for "which operation is slow across these requests").
//!
//! Every number is integer nanoseconds except `percent_of_trace`. Self time is
//! [`crate::self_times`]: the duration minus the union of the children's intervals clipped to the
//! span. Spans whose end is unknown ([`spanlens_model::Span::incomplete`]) are left out entirely: a
//! duration we do not know must not count as zero.
//!
//! Rows come in order of first appearance: traces in the order given, spans in depth-first pre-order
//! (roots and siblings by start time). That is the order Jaeger UI shows before the user sorts, and
//! it keeps the table stable between loads; [`StatsTable::sorted_order`] gives any other order.
//! The "Without tag" row of an attribute grouping comes last on its level.
//!
//! Each row's members are a range of [`StatsTable::members`], sorted by duration, so percentiles,
//! a histogram and highlighting the row's spans cost nothing extra. Performance: one pass over the
//! spans with dense lookups by interned symbol, then one sort of the members within their groups.

mod keys;
mod merge;
mod sort;
#[cfg(test)]
mod tests;

pub use merge::{MergedStats, merge_stats};
pub use sort::StatsColumn;

use crate::critical_path::self_times;
use keys::{IdMap, Keyer, MISSING, PairMap};
use serde::{Deserialize, Serialize};
use spanlens_model::TraceSet;
use spanlens_model::sorting;

/// What spans are grouped by.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupKey {
    Service,
    Operation,
    /// An attribute key: the span's own attribute, else its resource's. Values group by their
    /// display text (so `1` and `"1"` are one group); an empty string counts as absent.
    Attr(String),
}

impl GroupKey {
    /// `service`, `operation` or `attr:NAME` (the CLI's and the URL's spelling).
    pub fn parse(text: &str) -> Option<GroupKey> {
        match text.trim() {
            "service" => Some(GroupKey::Service),
            "operation" | "name" => Some(GroupKey::Operation),
            other => other.strip_prefix("attr:").filter(|k| !k.is_empty()).map(|k| GroupKey::Attr(k.to_owned())),
        }
    }

    /// The inverse of [`Self::parse`].
    pub fn spelling(&self) -> String {
        match self {
            GroupKey::Service => "service".to_owned(),
            GroupKey::Operation => "operation".to_owned(),
            GroupKey::Attr(k) => format!("attr:{k}"),
        }
    }
}

/// One span of a [`TraceSet`]: its trace's index in `set.traces` and its index in that trace's spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SpanRef {
    pub trace: u32,
    pub span: u32,
}

/// One row of the table: a first-level group, or (with `parent` set) a detail row under one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatsRow {
    /// The group's value as shown, or `Without tag: KEY` for the spans lacking the attribute.
    pub group: String,
    /// This is the row of spans lacking the grouping attribute.
    pub without_tag: bool,
    /// Index in [`StatsTable::rows`] of the first-level row a detail row belongs to.
    pub parent: Option<u32>,
    pub count: u64,
    /// Members with error status.
    pub errors: u64,
    pub total_nanos: i64,
    /// `total_nanos / count`, truncated.
    pub avg_nanos: i64,
    pub min_nanos: i64,
    pub max_nanos: i64,
    /// Percentiles by the nearest-rank method on the members' integer durations: the value at
    /// 1-based rank `ceil(p / 100 × count)` of the sorted durations, so always a real member's
    /// duration (no interpolation).
    pub p50_nanos: i64,
    pub p95_nanos: i64,
    pub p99_nanos: i64,
    pub self_total_nanos: i64,
    pub self_avg_nanos: i64,
    pub self_min_nanos: i64,
    pub self_max_nanos: i64,
    /// `self_total_nanos × 100 / (sum of the durations of the traces)`, as Jaeger UI. For
    /// sequential work the first-level rows add up to 100; overlapping (async) siblings each count
    /// their own time, so the sum can exceed it.
    pub percent_of_trace: f64,
    /// This row's members are `members[members_from..members_to]` (sorted by duration).
    pub members_from: u32,
    pub members_to: u32,
}

impl StatsRow {
    pub fn is_detail(&self) -> bool {
        self.parent.is_some()
    }
}

/// The table: rows in display order (each first-level row followed by its detail rows) and every
/// row's members.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsTable {
    pub rows: Vec<StatsRow>,
    /// Members of all rows; each row's slice is sorted by duration, then trace, then span. With a
    /// second level, detail rows have their own slices (a span is in its first-level row's and its
    /// detail row's).
    pub members: Vec<SpanRef>,
    /// Duration of each entry of `members`, for histograms without going back to the spans.
    pub member_durations_nanos: Vec<i64>,
    /// Sum of the durations of the traces the table covers (the denominator of the percentages).
    pub traces_duration_nanos: i64,
    /// Spans left out because their end is unknown.
    pub skipped_incomplete: u64,
}

impl StatsTable {
    /// The spans of row `row`, shortest first. Empty for a row out of range.
    pub fn members_of(&self, row: usize) -> &[SpanRef] {
        self.rows.get(row).and_then(|r| self.members.get(r.members_from as usize..r.members_to as usize)).unwrap_or(&[])
    }

    /// The durations of row `row`'s spans, ascending.
    pub fn durations_of(&self, row: usize) -> &[i64] {
        self.rows
            .get(row)
            .and_then(|r| self.member_durations_nanos.get(r.members_from as usize..r.members_to as usize))
            .unwrap_or(&[])
    }
}

/// Statistics of one trace (`set.traces[trace]`).
pub fn trace_stats(set: &TraceSet, trace: usize, first: &GroupKey, second: Option<&GroupKey>) -> StatsTable {
    stats(set, &[trace], first, second)
}

/// Statistics over the traces `traces` (indices into `set.traces`; unknown indices are ignored, a
/// repeated index counts its trace twice). See the module docs for order and units.
pub fn stats(set: &TraceSet, traces: &[usize], first: &GroupKey, second: Option<&GroupKey>) -> StatsTable {
    let mut key1 = Keyer::new(set, first);
    let mut key2 = second.map(|k| Keyer::new(set, k));
    let mut ids1 = IdMap::default();
    let mut ids2 = PairMap::default();
    let mut acc1: Vec<Acc> = Vec::new();
    let mut acc2: Vec<Acc> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut table = StatsTable::default();

    for (seq, &ti) in traces.iter().enumerate() {
        let Some(trace) = set.traces.get(ti) else {
            continue;
        };
        table.traces_duration_nanos = table.traces_duration_nanos.saturating_add(trace.duration_nanos());
        let selfs = self_times(trace);
        entries.reserve(trace.spans.len());
        // Spans in index order (memory order: pre-order jumps around a million 160-byte spans and
        // was most of the time); each group remembers its earliest member in pre-order instead.
        for (i, (span, &self_nanos)) in trace.spans.iter().zip(&selfs).enumerate() {
            let Some(duration) = span.known_duration_nanos() else {
                table.skipped_incomplete += 1;
                continue;
            };
            let pos = trace.tree.preorder_pos.get(i).copied().unwrap_or(u32::MAX);
            let seen = ((seq as u64) << 32) | u64::from(pos);
            let at = SpanRef { trace: ti as u32, span: i as u32 };
            let k1 = key1.key(set, span);
            let g1 = ids1.id(k1, &mut acc1, at);
            let error = span.is_error();
            if let Some(a) = acc1.get_mut(g1 as usize) {
                a.add(duration, self_nanos, error, seen, at);
            }
            let g2 = match key2.as_mut() {
                Some(k) => {
                    let k2 = k.key(set, span);
                    let g2 = ids2.id(g1, k2, &mut acc2, at);
                    if let Some(a) = acc2.get_mut(g2 as usize) {
                        a.add(duration, self_nanos, error, seen, at);
                    }
                    g2
                }
                None => 0,
            };
            entries.push(Entry { g1, g2, duration, at });
        }
    }

    // Members by group, each sorted by duration: one stable radix sort of the spans by duration,
    // then one scatter per level into each group's run, which keeps the duration order.
    let groups2 = key2.as_ref().map(|_| acc2.len());
    let (ranges1, ranges2) = place_members(entries, acc1.len(), groups2, &mut table);

    // Rows in first-appearance order, "Without tag" last on each level.
    let mut groups1: Vec<u32> = (0..acc1.len() as u32).collect();
    let order1 = |g: u32| (ids1.key_of(g) == MISSING, acc1.get(g as usize).map_or(u64::MAX, |a| a.seen));
    sorting::sort_by(&mut groups1, |&a, &b| order1(a).cmp(&order1(b)));
    let mut details: Vec<u32> = (0..acc2.len() as u32).collect();
    let order2 = |g2: u32| {
        let a = acc2.get(g2 as usize);
        (a.map_or(u32::MAX, |a| a.parent), ids2.key_of(g2) == MISSING, a.map_or(u64::MAX, |a| a.seen))
    };
    sorting::sort_by(&mut details, |&a, &b| order2(a).cmp(&order2(b)));
    let total = table.traces_duration_nanos;
    let span_at = |at: SpanRef| set.traces.get(at.trace as usize).and_then(|t| t.spans.get(at.span as usize));
    let mut rows = Vec::with_capacity(acc1.len() + acc2.len());
    for g1 in groups1 {
        let parent_row = rows.len() as u32;
        let (Some(a), Some(r)) = (acc1.get(g1 as usize), ranges1.get(g1 as usize)) else {
            continue;
        };
        let (group, without_tag) = key1.label(set, span_at(a.first), ids1.key_of(g1));
        rows.push(row(group, without_tag, None, a, *r, &table.member_durations_nanos, total));
        // Details are sorted by parent id while parents are visited in appearance order, so find
        // each parent's run by binary search.
        let mut k = details.partition_point(|&g2| acc2.get(g2 as usize).is_some_and(|x| x.parent < g1));
        while let Some(&g2) = details.get(k) {
            let (Some(a2), Some(r2)) = (acc2.get(g2 as usize), ranges2.get(g2 as usize)) else {
                break;
            };
            if a2.parent != g1 {
                break;
            }
            let (group, without_tag) =
                key2.as_mut().map_or((String::new(), false), |k| k.label(set, span_at(a2.first), ids2.key_of(g2)));
            rows.push(row(group, without_tag, Some(parent_row), a2, *r2, &table.member_durations_nanos, total));
            k += 1;
        }
    }
    table.rows = rows;
    table
}

/// One span as grouped: its first- and second-level group, duration and address.
#[derive(Clone, Copy)]
struct Entry {
    g1: u32,
    g2: u32,
    duration: i64,
    at: SpanRef,
}

/// Running totals of one group.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Acc {
    /// The first-level group of a detail group.
    pub parent: u32,
    /// The group's first member in pre-order (traces in the order given), which names it.
    pub first: SpanRef,
    /// That member's (trace sequence << 32 | pre-order position): the rows' order.
    seen: u64,
    count: u64,
    errors: u64,
    total: i64,
    min: i64,
    max: i64,
    self_total: i64,
    self_min: i64,
    self_max: i64,
}

impl Acc {
    pub(crate) fn new(parent: u32, first: SpanRef) -> Acc {
        Acc {
            parent,
            first,
            seen: u64::MAX,
            count: 0,
            errors: 0,
            total: 0,
            min: i64::MAX,
            max: i64::MIN,
            self_total: 0,
            self_min: i64::MAX,
            self_max: i64::MIN,
        }
    }

    fn add(&mut self, duration: i64, self_nanos: i64, error: bool, seen: u64, at: SpanRef) {
        if seen < self.seen {
            self.seen = seen;
            self.first = at;
        }
        self.count += 1;
        self.errors += u64::from(error);
        self.total = self.total.saturating_add(duration);
        self.min = self.min.min(duration);
        self.max = self.max.max(duration);
        self.self_total = self.self_total.saturating_add(self_nanos);
        self.self_min = self.self_min.min(self_nanos);
        self.self_max = self.self_max.max(self_nanos);
    }
}

/// Each group's `(from, to)` in the member arrays, by group id.
type Ranges = Vec<(u32, u32)>;

/// Sorts `entries` by duration with an LSD radix sort (stable; bytes that are the same in every
/// entry, usually the top three, are skipped), then scatters them into each first-level group's run
/// of the table's member arrays and, with a second level, each detail group's run after those. A
/// scatter in sorted order keeps every run sorted. Everything moves sequentially: random reads of a
/// million entries were most of the time before. Returns each level's ranges.
fn place_members(
    mut entries: Vec<Entry>,
    groups1: usize,
    groups2: Option<usize>,
    table: &mut StatsTable,
) -> (Ranges, Ranges) {
    // The sign bit flipped turns i64 order into u64 order.
    let key = |e: &Entry| (e.duration as u64) ^ (1 << 63);
    let n = entries.len();
    let mut counts = [[0u32; 256]; 8];
    for e in &entries {
        let k = key(e);
        for (b, c) in counts.iter_mut().enumerate() {
            if let Some(x) = c.get_mut(((k >> (8 * b)) & 0xff) as usize) {
                *x += 1;
            }
        }
    }
    let blank = Entry { g1: 0, g2: 0, duration: 0, at: SpanRef { trace: 0, span: 0 } };
    let mut spare = vec![blank; n];
    for (b, c) in counts.iter().enumerate() {
        if c.iter().any(|&x| x as usize == n) {
            continue;
        }
        let mut next = [0u32; 256];
        let mut sum = 0;
        for (slot, &x) in next.iter_mut().zip(c) {
            *slot = sum;
            sum += x;
        }
        for e in &entries {
            if let Some(slot) = next.get_mut(((key(e) >> (8 * b)) & 0xff) as usize)
                && let Some(out) = spare.get_mut(*slot as usize)
            {
                *out = *e;
                *slot += 1;
            }
        }
        std::mem::swap(&mut entries, &mut spare);
    }
    drop(spare);

    let levels = if groups2.is_some() { 2 } else { 1 };
    table.members = vec![SpanRef { trace: 0, span: 0 }; n * levels];
    table.member_durations_nanos = vec![0; n * levels];
    let mut scatter = |groups: usize, base: usize, group_of: fn(&Entry) -> u32| {
        let offsets = group_offsets(entries.iter().map(group_of), groups);
        let mut fill = offsets.clone();
        for e in &entries {
            if let Some(slot) = fill.get_mut(group_of(e) as usize) {
                let at = base + *slot as usize;
                if let (Some(m), Some(d)) = (table.members.get_mut(at), table.member_durations_nanos.get_mut(at)) {
                    *m = e.at;
                    *d = e.duration;
                }
                *slot += 1;
            }
        }
        let base = base as u32;
        offsets.windows(2).map(|w| (base + w[0], base + w[1])).collect::<Vec<_>>()
    };
    let ranges1 = scatter(groups1, 0, |e| e.g1);
    let ranges2 = match groups2 {
        Some(g) => scatter(g, n, |e| e.g2),
        None => Vec::new(),
    };
    (ranges1, ranges2)
}

/// Start of each group's run in a grouped array (plus the end), from the entries' groups.
fn group_offsets(groups_of: impl Iterator<Item = u32>, groups: usize) -> Vec<u32> {
    let mut offsets = vec![0u32; groups + 1];
    for g in groups_of {
        if let Some(c) = offsets.get_mut(g as usize + 1) {
            *c += 1;
        }
    }
    for g in 0..groups {
        let before = offsets.get(g).copied().unwrap_or(0);
        if let Some(c) = offsets.get_mut(g + 1) {
            *c += before;
        }
    }
    offsets
}

fn row(
    group: String,
    without_tag: bool,
    parent: Option<u32>,
    a: &Acc,
    (from, to): (u32, u32),
    durations: &[i64],
    traces_duration_nanos: i64,
) -> StatsRow {
    let sorted = durations.get(from as usize..to as usize).unwrap_or(&[]);
    let count = a.count.max(1) as i64;
    let present = a.count > 0;
    StatsRow {
        group,
        without_tag,
        parent,
        count: a.count,
        errors: a.errors,
        total_nanos: a.total,
        avg_nanos: a.total / count,
        min_nanos: if present { a.min } else { 0 },
        max_nanos: if present { a.max } else { 0 },
        p50_nanos: nearest_rank(sorted, 50),
        p95_nanos: nearest_rank(sorted, 95),
        p99_nanos: nearest_rank(sorted, 99),
        self_total_nanos: a.self_total,
        self_avg_nanos: a.self_total / count,
        self_min_nanos: if present { a.self_min } else { 0 },
        self_max_nanos: if present { a.self_max } else { 0 },
        percent_of_trace: if traces_duration_nanos > 0 {
            a.self_total as f64 * 100.0 / traces_duration_nanos as f64
        } else {
            0.0
        },
        members_from: from,
        members_to: to,
    }
}

/// Nearest-rank percentile of ascending `sorted`: the element at 1-based rank `ceil(p × n / 100)`
/// (at least 1); 0 for an empty slice.
pub fn nearest_rank(sorted: &[i64], percent: u32) -> i64 {
    let n = sorted.len();
    if n == 0 {
        return 0;
    }
    let rank = (n * percent.min(100) as usize).div_ceil(100).max(1);
    sorted.get(rank - 1).copied().unwrap_or(0)
}
