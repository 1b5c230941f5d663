//! Statistics over traces from several loads: each load has its own [`spanlens_model::TraceSet`] (and
//! its own interner), so each is grouped on its own and the tables are merged here, rows matched by
//! their group text (and their parent's, for detail rows). Percentiles come from the merged, sorted
//! member durations, never from averaging percentiles.

use super::{SpanRef, StatsRow, StatsTable, nearest_rank};
use std::collections::HashMap;

/// The merged table and where each part's traces start in it: a member's `SpanRef::trace` counts
/// the traces of all parts in order, so part `p` owns traces `trace_base[p]..trace_base[p + 1]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MergedStats {
    pub table: StatsTable,
    pub trace_base: Vec<u32>,
}

impl MergedStats {
    /// The part a merged member belongs to, and the member in that part's own numbering.
    pub fn locate(&self, member: SpanRef) -> Option<(usize, SpanRef)> {
        let part = self.trace_base.partition_point(|&b| b <= member.trace).checked_sub(1)?;
        let base = *self.trace_base.get(part)?;
        (part + 1 < self.trace_base.len()).then_some((part, SpanRef { trace: member.trace - base, span: member.span }))
    }
}

/// Row identity across parts: (parent's group, own group, is it the "Without tag" row).
type Key = (Option<String>, String, bool);

/// Merges tables built with the same grouping; `trace_counts[p]` is how many traces part `p` was
/// built over (its members' `trace` indices are below it). Rows come in order of first appearance
/// across the parts, detail rows under their parent, "Without tag" rows last on their level.
pub fn merge_stats(parts: &[(&StatsTable, u32)]) -> MergedStats {
    let mut trace_base = Vec::with_capacity(parts.len() + 1);
    let mut next_base = 0u32;
    // Every row's members, gathered per merged row, with the trace index rebased.
    let mut order: Vec<Key> = Vec::new();
    let mut gathered: HashMap<Key, Gathered> = HashMap::new();
    let mut traces_duration_nanos = 0i64;
    let mut skipped_incomplete = 0u64;
    for (table, trace_count) in parts {
        trace_base.push(next_base);
        traces_duration_nanos = traces_duration_nanos.saturating_add(table.traces_duration_nanos);
        skipped_incomplete = skipped_incomplete.saturating_add(table.skipped_incomplete);
        for (i, row) in table.rows.iter().enumerate() {
            let parent = row.parent.and_then(|p| table.rows.get(p as usize)).map(|p| p.group.clone());
            let key = (parent, row.group.clone(), row.without_tag);
            let g = gathered.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                Gathered::default()
            });
            g.add(row);
            let members = table.members_of(i);
            let durations = table.durations_of(i);
            g.members.extend(
                members
                    .iter()
                    .zip(durations)
                    .map(|(m, &d)| (d, SpanRef { trace: m.trace.saturating_add(next_base), span: m.span })),
            );
        }
        next_base = next_base.saturating_add(*trace_count);
    }
    trace_base.push(next_base);

    // First-level rows in first-appearance order ("Without tag" last), each followed by its details.
    let (mut first, mut without): (Vec<&Key>, Vec<&Key>) = order.iter().filter(|k| k.0.is_none()).partition(|k| !k.2);
    first.append(&mut without);
    let mut out = StatsTable { traces_duration_nanos, skipped_incomplete, ..StatsTable::default() };
    for key in first {
        let parent_index = out.rows.len() as u32;
        push_row(&mut out, key, None, gathered.remove(key));
        let (mut details, mut details_without): (Vec<&Key>, Vec<&Key>) =
            order.iter().filter(|k| k.0.as_ref() == Some(&key.1) && !key.2).partition(|k| !k.2);
        details.append(&mut details_without);
        for d in details {
            push_row(&mut out, d, Some(parent_index), gathered.remove(d));
        }
    }
    MergedStats { table: out, trace_base }
}

#[derive(Default)]
struct Gathered {
    count: u64,
    errors: u64,
    total: i64,
    min: Option<i64>,
    max: Option<i64>,
    self_total: i64,
    self_min: Option<i64>,
    self_max: Option<i64>,
    members: Vec<(i64, SpanRef)>,
}

impl Gathered {
    fn add(&mut self, r: &StatsRow) {
        if r.count == 0 {
            return;
        }
        self.count += r.count;
        self.errors += r.errors;
        self.total = self.total.saturating_add(r.total_nanos);
        self.self_total = self.self_total.saturating_add(r.self_total_nanos);
        self.min = Some(self.min.map_or(r.min_nanos, |m| m.min(r.min_nanos)));
        self.max = Some(self.max.map_or(r.max_nanos, |m| m.max(r.max_nanos)));
        self.self_min = Some(self.self_min.map_or(r.self_min_nanos, |m| m.min(r.self_min_nanos)));
        self.self_max = Some(self.self_max.map_or(r.self_max_nanos, |m| m.max(r.self_max_nanos)));
    }
}

fn push_row(out: &mut StatsTable, key: &Key, parent: Option<u32>, g: Option<Gathered>) {
    let mut g = g.unwrap_or_default();
    // Each part's members were sorted; ordered by the whole pair, equal pairs are the same member.
    g.members.sort_unstable();
    let from = out.members.len() as u32;
    out.members.extend(g.members.iter().map(|&(_, m)| m));
    out.member_durations_nanos.extend(g.members.iter().map(|&(d, _)| d));
    let to = out.members.len() as u32;
    let sorted = out.member_durations_nanos.get(from as usize..).unwrap_or(&[]);
    let count = g.count.max(1) as i64;
    out.rows.push(StatsRow {
        group: key.1.clone(),
        without_tag: key.2,
        parent,
        count: g.count,
        errors: g.errors,
        total_nanos: g.total,
        avg_nanos: g.total / count,
        min_nanos: g.min.unwrap_or(0),
        max_nanos: g.max.unwrap_or(0),
        p50_nanos: nearest_rank(sorted, 50),
        p95_nanos: nearest_rank(sorted, 95),
        p99_nanos: nearest_rank(sorted, 99),
        self_total_nanos: g.self_total,
        self_avg_nanos: g.self_total / count,
        self_min_nanos: g.self_min.unwrap_or(0),
        self_max_nanos: g.self_max.unwrap_or(0),
        percent_of_trace: if out.traces_duration_nanos > 0 {
            g.self_total as f64 * 100.0 / out.traces_duration_nanos as f64
        } else {
            0.0
        },
        members_from: from,
        members_to: to,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{GroupKey, stats};
    use crate::test_util::{build, s};

    #[test]
    fn merging_two_loads_equals_grouping_them_together() {
        let a = build(&[
            s(1, 0, 0, 100).svc("api").name("GET"),
            s(2, 1, 10, 40).svc("db").name("query"),
            s(3, 1, 60, 30).svc("db").name("query").err(),
        ]);
        let b = build(&[s(1, 0, 0, 200).svc("api").name("GET"), s(2, 1, 5, 150).svc("cache").name("get")]);
        let (first, second) = (GroupKey::Service, Some(GroupKey::Operation));
        let ta = stats(&a, &[0], &first, second.as_ref());
        let tb = stats(&b, &[0], &first, second.as_ref());
        let merged = merge_stats(&[(&ta, 1), (&tb, 1)]);
        let t = &merged.table;
        let names: Vec<(&str, bool)> = t.rows.iter().map(|r| (r.group.as_str(), r.is_detail())).collect();
        assert_eq!(
            names,
            [("api", false), ("GET", true), ("db", false), ("query", true), ("cache", false), ("get", true)]
        );
        let api = &t.rows[0];
        assert_eq!((api.count, api.total_nanos, api.min_nanos, api.max_nanos), (2, 300, 100, 200));
        assert_eq!(t.durations_of(0), [100, 200]);
        assert_eq!((api.p50_nanos, api.p99_nanos), (100, 200));
        let db = &t.rows[2];
        assert_eq!((db.count, db.errors), (2, 1));
        assert_eq!(t.traces_duration_nanos, 300);
        // The second load's members are rebased after the first load's traces.
        assert_eq!(merged.trace_base, vec![0, 1, 2]);
        let cache_member = t.members_of(4)[0];
        assert_eq!(cache_member.trace, 1);
        assert_eq!(merged.locate(cache_member), Some((1, SpanRef { trace: 0, span: cache_member.span })));
        assert_eq!(merged.locate(SpanRef { trace: 9, span: 0 }), None);
    }

    #[test]
    fn without_tag_rows_stay_last() {
        let a = build(&[s(1, 0, 0, 100).svc("api").name("GET")]);
        let b = build(&[s(1, 0, 0, 100).svc("api").name("GET").attr("http.route", crate::test_util::Val::Str("/x"))]);
        let key = GroupKey::Attr("http.route".into());
        let (ta, tb) = (stats(&a, &[0], &key, None), stats(&b, &[0], &key, None));
        let t = merge_stats(&[(&ta, 1), (&tb, 1)]).table;
        let groups: Vec<(&str, bool)> = t.rows.iter().map(|r| (r.group.as_str(), r.without_tag)).collect();
        assert_eq!(groups.last().map(|g| g.1), Some(true), "{groups:?}");
        assert_eq!(groups.len(), 2);
        assert!(merge_stats(&[]).table.rows.is_empty());
    }
}
