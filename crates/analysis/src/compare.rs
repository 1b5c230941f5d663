//! Trace comparison, as Jaeger UI's trace diff: the spans of trace A and trace B are matched by their
//! path of (service, operation) from the root and merged into one tree; each node says how many spans
//! and how much time it holds in A and in B.
//!
//! The two traces may come from different loads, each with its own interner, so names are matched as
//! strings: every distinct `Sym` of each side is resolved once into a local label table, and the merge
//! then runs on integer keys. Iterative and O(n log n) in the spans of both traces.

use crate::critical_path::self_times;
use crate::path_merge::{MergeSide, merge_paths};
use serde::{Deserialize, Serialize};
use spanlens_model::sorting;
use spanlens_model::{Interner, NONE, Sym, Trace};
use std::collections::HashMap;

/// How a node's span counts changed from A to B (Jaeger UI's `is-…` classes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffClass {
    /// a = b.
    Same,
    /// Only in B (a = 0).
    Added,
    /// Only in A (b = 0).
    Removed,
    /// b > a > 0.
    More,
    /// a > b > 0.
    Less,
}

impl DiffClass {
    pub fn from_counts(a: u32, b: u32) -> DiffClass {
        match (a, b) {
            _ if a == b => DiffClass::Same,
            (0, _) => DiffClass::Added,
            (_, 0) => DiffClass::Removed,
            _ if b > a => DiffClass::More,
            _ => DiffClass::Less,
        }
    }

    /// Any difference in counts (Jaeger UI's `is-changed`).
    pub fn is_changed(self) -> bool {
        self != DiffClass::Same
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DiffClass::Same => "same",
            DiffClass::Added => "added",
            DiffClass::Removed => "removed",
            DiffClass::More => "more",
            DiffClass::Less => "less",
        }
    }
}

/// Change of span count as a whole percentage: 100 when one side is empty, else |a − b| / max(a, b),
/// rounded half up (the label Jaeger UI shows on a node).
pub fn count_change_percent(a: u32, b: u32) -> u32 {
    if a == 0 || b == 0 {
        return if a == b { 0 } else { 100 };
    }
    let (hi, diff) = (u64::from(a.max(b)), u64::from(a.abs_diff(b)));
    ((diff * 200 + hi) / (2 * hi)) as u32
}

/// One trace's share of a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffSide {
    pub count: u32,
    pub errors: u32,
    /// Sum of the members' known durations.
    pub total_nanos: i64,
    /// Sum of the members' self times.
    pub self_nanos: i64,
    /// Members are `TraceDiff::members_a` (or `_b`)`[member_start..member_start + count]`.
    pub member_start: u32,
}

/// A node of the merged tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffNode {
    /// Index of the parent node, or [`NONE`].
    pub parent: u32,
    pub depth: u32,
    /// Indices into [`TraceDiff::labels`].
    pub service: u32,
    pub operation: u32,
    pub a: DiffSide,
    pub b: DiffSide,
    pub class: DiffClass,
    /// Children are nodes `child_start..child_start + child_len`.
    pub child_start: u32,
    pub child_len: u32,
}

impl DiffNode {
    /// B's total minus A's: positive when the node got slower.
    pub fn change_nanos(&self) -> i64 {
        self.b.total_nanos.saturating_sub(self.a.total_nanos)
    }

    /// Change of total time relative to A, in whole percent (truncated toward zero); `None` when A
    /// has no time (an added node, or only zero-length spans): colour such nodes as added instead.
    pub fn change_percent(&self) -> Option<i64> {
        let a = i128::from(self.a.total_nanos);
        (a > 0).then(|| {
            let pct = i128::from(self.change_nanos()) * 100 / a;
            pct.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
        })
    }

    /// B's self time minus A's: where the added time itself was spent.
    pub fn self_change_nanos(&self) -> i64 {
        self.b.self_nanos.saturating_sub(self.a.self_nanos)
    }
}

/// The merged tree of two traces, nodes breadth first (roots first, each node's children together).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceDiff {
    pub nodes: Vec<DiffNode>,
    /// Service and operation names used by the nodes.
    pub labels: Vec<String>,
    pub members_a: Vec<u32>,
    pub members_b: Vec<u32>,
}

/// What to rank nodes by in [`TraceDiff::ranked`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffMetric {
    /// Change of total time (a parent includes its children's change).
    Total,
    /// Change of self time (only the node's own time).
    SelfTime,
}

impl TraceDiff {
    pub fn label(&self, index: u32) -> &str {
        self.labels.get(index as usize).map_or("", String::as_str)
    }

    /// Member spans of `node` in trace A.
    pub fn members_a_of(&self, node: u32) -> &[u32] {
        let Some(n) = self.nodes.get(node as usize) else {
            return &[];
        };
        let from = n.a.member_start as usize;
        self.members_a.get(from..from + n.a.count as usize).unwrap_or(&[])
    }

    /// Member spans of `node` in trace B.
    pub fn members_b_of(&self, node: u32) -> &[u32] {
        let Some(n) = self.nodes.get(node as usize) else {
            return &[];
        };
        let from = n.b.member_start as usize;
        self.members_b.get(from..from + n.b.count as usize).unwrap_or(&[])
    }

    /// "What got slower": nodes whose `metric` grew from A to B, largest growth first (ties by node
    /// order, so parents before children).
    pub fn got_slower(&self, metric: DiffMetric) -> Vec<u32> {
        let mut ids: Vec<u32> =
            (0..self.nodes.len() as u32).filter(|&i| self.change(i, metric).is_some_and(|c| c > 0)).collect();
        self.sort_by_change(&mut ids, metric);
        ids
    }

    /// Every node ranked by `metric`'s change, largest growth first, largest shrink last.
    pub fn ranked(&self, metric: DiffMetric) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..self.nodes.len() as u32).collect();
        self.sort_by_change(&mut ids, metric);
        ids
    }

    /// Largest growth first, ties in node order.
    fn sort_by_change(&self, ids: &mut [u32], metric: DiffMetric) {
        let growth = |i: &u32| sorting::ascending_i64(self.change(*i, metric).unwrap_or(0));
        sorting::sort_by_u64_key(ids, |i| sorting::descending_u64(growth(i)));
    }

    fn change(&self, node: u32, metric: DiffMetric) -> Option<i64> {
        let n = self.nodes.get(node as usize)?;
        Some(match metric {
            DiffMetric::Total => n.change_nanos(),
            DiffMetric::SelfTime => n.self_change_nanos(),
        })
    }
}

/// Resolves syms to local label ids, one string lookup per distinct sym.
struct Labels<'a> {
    labels: Vec<String>,
    by_text: HashMap<&'a str, u32>,
}

impl<'a> Labels<'a> {
    fn keys(&mut self, trace: &Trace, strings: &'a Interner) -> Vec<u64> {
        let mut by_sym: HashMap<Sym, u32> = HashMap::new();
        let mut local = |sym: Sym, this: &mut Self| -> u32 {
            *by_sym.entry(sym).or_insert_with(|| {
                let text = strings.resolve(sym);
                *this.by_text.entry(text).or_insert_with(|| {
                    this.labels.push(text.to_owned());
                    this.labels.len() as u32 - 1
                })
            })
        };
        trace.spans.iter().map(|s| (u64::from(local(s.service, self)) << 32) | u64::from(local(s.name, self))).collect()
    }
}

/// Compares trace `a` (names in `strings_a`) with trace `b` (names in `strings_b`).
pub fn compare(a: &Trace, strings_a: &Interner, b: &Trace, strings_b: &Interner) -> TraceDiff {
    let mut labels = Labels { labels: Vec::new(), by_text: HashMap::new() };
    let keys_a = labels.keys(a, strings_a);
    let keys_b = labels.keys(b, strings_b);
    let merged = merge_paths(&[MergeSide { tree: &a.tree, keys: &keys_a }, MergeSide { tree: &b.tree, keys: &keys_b }]);
    let (self_a, self_b) = (self_times(a), self_times(b));
    let side = |trace: &Trace, selfs: &[i64], members: &[u32], member_start: u32| {
        let mut out = DiffSide { count: members.len() as u32, member_start, ..DiffSide::default() };
        for &m in members {
            let Some(span) = trace.spans.get(m as usize) else {
                continue;
            };
            out.errors += u32::from(span.is_error());
            out.total_nanos = out.total_nanos.saturating_add(span.known_duration_nanos().unwrap_or(0).max(0));
            out.self_nanos = out.self_nanos.saturating_add(selfs.get(m as usize).copied().unwrap_or(0));
        }
        out
    };
    let nodes = merged
        .nodes
        .iter()
        .enumerate()
        .map(|(k, n)| {
            let sa = side(a, &self_a, merged.members_of(k as u32, 0), n.member_start[0]);
            let sb = side(b, &self_b, merged.members_of(k as u32, 1), n.member_start[1]);
            DiffNode {
                parent: if n.parent == crate::path_merge::NO_NODE { NONE } else { n.parent },
                depth: n.depth,
                service: (n.key >> 32) as u32,
                operation: (n.key & 0xffff_ffff) as u32,
                class: DiffClass::from_counts(sa.count, sb.count),
                a: sa,
                b: sb,
                child_start: n.child_start,
                child_len: n.child_len,
            }
        })
        .collect();
    let [members_a, members_b] = merged.members;
    TraceDiff { nodes, labels: labels.labels, members_a, members_b }
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
