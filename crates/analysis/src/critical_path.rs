//! Critical path and self time.
//!
//! The critical path follows Jaeger UI's current rule (2026; Grafana still has the older one, see
//! below): from each root in start order, repeatedly descend into the child that finished last
//! before the cursor; when a span has no such child, its remaining time back to its start is on the
//! path and the walk returns to the parent with the cursor at that span's start. Children are first
//! clipped to their (already clipped) parent, and children entirely outside their parent are dropped
//! with their subtrees, like Jaeger's `sanitizeOverFlowingChildren`, so clock skew never puts time
//! outside the root on the path.
//!
//! Non-blocking children: a consumer span under a producer span (a message handled later by someone
//! else) does not hold its parent up, so it is left out with its subtree. Jaeger UI before 2026 (and
//! Grafana) left out `FOLLOWS_FROM` children instead; we follow the current rule, checked against
//! `shared/conformance/views/critical_path.jsonl`.
//!
//! When the walk returns from a child, only children ending strictly before that child's start
//! qualify (as in Jaeger UI): a sibling ending exactly where the returned-from child starts is not
//! taken, and that stretch is the parent's own time.
//!
//! A span whose end is unknown ([`Span::incomplete`]) is never on the path, and neither is its
//! subtree: with no end there is no "last finishing child" to walk back from, and where its
//! children's time fits in its parent is unknown. Its parent's time is attributed as if it were
//! absent.
//!
//! One deliberate difference from Jaeger UI: it is an explicit loop, not recursion (Jaeger's
//! overflows at ~5k levels). Each child is considered at most once per parent, which both bounds the
//! walk at O(n) after an O(n log n) sort and rules out loops on zero-length children.

use crate::bitset::BitSet;
use serde::{Deserialize, Serialize};
use spanlens_model::{Span, SpanKind, Trace, Tree};

/// A stretch of one span's time that lies on the critical path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub span: u32,
    pub start_nanos: i64,
    pub end_nanos: i64,
}

/// The critical path of every root's tree in a trace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriticalPath {
    /// Ordered by the span's pre-order position, then start: one span's segments are contiguous and
    /// so are a whole subtree's, which lets a collapsed row show its descendants' path cheaply.
    segments: Vec<Segment>,
    /// Pre-order position of each segment's span, for binary search.
    segment_pos: Vec<u32>,
    on_path: BitSet,
}

impl CriticalPath {
    /// Every segment, by pre-order of the span and then by start.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The segments of `span` itself, by start.
    pub fn segments_of(&self, tree: &Tree, span: u32) -> &[Segment] {
        let Some(&pos) = tree.preorder_pos.get(span as usize) else {
            return &[];
        };
        self.range_of_positions(pos, pos.saturating_add(1))
    }

    /// The segments of `span` and all its descendants — what a collapsed row merges into its bar.
    pub fn subtree_segments(&self, tree: &Tree, span: u32) -> &[Segment] {
        let (Some(&pos), Some(&len)) = (tree.preorder_pos.get(span as usize), tree.subtree_len.get(span as usize))
        else {
            return &[];
        };
        self.range_of_positions(pos, pos.saturating_add(len))
    }

    pub fn is_on_critical_path(&self, span: u32) -> bool {
        self.on_path.contains(span)
    }

    /// Spans with at least one non-empty segment (the "critical path only" filter's complement).
    pub fn on_path(&self) -> &BitSet {
        &self.on_path
    }

    /// Whether this path can belong to a trace of `span_count` spans: every segment names one of
    /// its spans, and the flags cover them all. A path decoded from elsewhere (the parsing worker
    /// computes it for a large trace) is checked before any view indexes spans with it.
    pub fn fits(&self, span_count: usize) -> bool {
        self.segments.len() == self.segment_pos.len()
            && self.on_path.len() == span_count
            && self.on_path.is_well_formed()
            && self.segments.iter().all(|s| (s.span as usize) < span_count)
            && self.segment_pos.iter().all(|p| (*p as usize) < span_count)
    }

    fn range_of_positions(&self, from: u32, to: u32) -> &[Segment] {
        let a = self.segment_pos.partition_point(|&p| p < from);
        let b = self.segment_pos.partition_point(|&p| p < to);
        self.segments.get(a..b).unwrap_or(&[])
    }
}

/// Computes the critical path of each root's tree (orphans count as roots). O(n log n), iterative.
// Out of line: see `spanlens_protocol::analysed::Analysed::of`.
#[inline(never)]
pub fn critical_path(trace: &Trace) -> CriticalPath {
    let tree = &trace.tree;
    let n = tree.len();
    let spans = &trace.spans;

    // Raw bounds in index order first: the pre-order pass below jumps around, and jumping around
    // 16-byte pairs misses cache far less than jumping around ~160-byte spans.
    let (mut start, mut end) = span_bounds(spans);
    let mut alive = BitSet::new(n);
    // Clipped bounds, parents first (pre-order), so clipping cascades down the tree.
    for &i in &tree.preorder {
        let (Some(&s), Some(&e)) = (start.get(i as usize), end.get(i as usize)) else {
            continue;
        };
        let incomplete = spans.get(i as usize).is_some_and(Span::is_incomplete);
        let bounds = match tree.parent_of(i) {
            _ if incomplete => None,
            None => Some((s, e)),
            Some(p) if non_blocking(spans, p, i) => None,
            Some(p) if alive.contains(p) => {
                let (ps, pe) = (start[p as usize], end[p as usize]);
                let outside = if s >= ps { s >= pe } else { e <= ps };
                (!outside).then(|| (s.max(ps), e.min(pe)))
            }
            Some(_) => None,
        };
        if let Some((cs, ce)) = bounds {
            alive.insert(i);
            start[i as usize] = cs;
            end[i as usize] = ce;
        }
    }

    // Per span, its live children by clipped end, latest first; ties keep start order (Jaeger picks
    // the first child it meets among equal ends).
    let mut by_end = tree.child_indices.clone();
    let mut live_end = vec![0u32; n];
    for (i, stop) in live_end.iter_mut().enumerate() {
        let (Some(&from), Some(&to)) = (tree.child_offsets.get(i), tree.child_offsets.get(i + 1)) else {
            continue;
        };
        let Some(kids) = by_end.get_mut(from as usize..to as usize) else {
            continue;
        };
        kids.sort_by(|&a, &b| {
            let (la, lb) = (alive.contains(a), alive.contains(b));
            lb.cmp(&la).then_with(|| end[b as usize].cmp(&end[a as usize]))
        });
        let live = kids.iter().take_while(|&&c| alive.contains(c)).count() as u32;
        *stop = from + live;
    }
    // Next unconsidered child per span, as an index into `by_end`.
    let mut next: Vec<u32> = tree.child_offsets.iter().take(n).copied().collect();

    let mut segments = Vec::new();
    for &root in &tree.roots {
        if !alive.contains(root) {
            continue;
        }
        let mut current = root;
        let mut cursor: Option<i64> = None;
        loop {
            let c = current as usize;
            let limit = cursor.unwrap_or(end[c]);
            let mut picked = None;
            while let (Some(slot), Some(&stop)) = (next.get_mut(c), live_end.get(c)) {
                if *slot >= stop {
                    break;
                }
                let Some(&child) = by_end.get(*slot as usize) else {
                    break;
                };
                *slot += 1;
                // A child ending after the cursor overlaps time already attributed; it can never
                // qualify later because the cursor only moves back. Back from a child, the cursor
                // is that child's start and a sibling must end strictly before it.
                let ce = end[child as usize];
                if ce < limit || (cursor.is_none() && ce <= limit) {
                    picked = Some(child);
                    break;
                }
            }
            match picked {
                Some(child) => {
                    push(&mut segments, current, end[child as usize], limit);
                    current = child;
                    cursor = None;
                }
                None => {
                    push(&mut segments, current, start[c], limit);
                    if current == root {
                        break;
                    }
                    let Some(p) = tree.parent_of(current) else {
                        break;
                    };
                    cursor = Some(start[c]);
                    current = p;
                }
            }
        }
    }

    let pos_of = |s: u32| tree.preorder_pos.get(s as usize).copied().unwrap_or(u32::MAX);
    segments.sort_unstable_by_key(|seg: &Segment| (pos_of(seg.span), seg.start_nanos));
    let segment_pos = segments.iter().map(|s| pos_of(s.span)).collect();
    let on_path = BitSet::from_indices(n, segments.iter().map(|s| s.span));
    CriticalPath { segments, segment_pos, on_path }
}

/// A consumer under a producer: the message is handled on its own time, not its parent's.
fn non_blocking(spans: &[Span], parent: u32, child: u32) -> bool {
    let kind = |i: u32| spans.get(i as usize).map(|s| s.kind);
    kind(parent) == Some(SpanKind::Producer) && kind(child) == Some(SpanKind::Consumer)
}

/// Start and end (never before the start) of every span, in index order. An incomplete span's end
/// is its start: an empty interval that covers nothing.
pub(crate) fn span_bounds(spans: &[Span]) -> (Vec<i64>, Vec<i64>) {
    spans.iter().map(|s| (s.start_nanos, s.known_end_nanos().unwrap_or(s.start_nanos).max(s.start_nanos))).unzip()
}

fn push(segments: &mut Vec<Segment>, span: u32, start_nanos: i64, end_nanos: i64) {
    if start_nanos >= end_nanos {
        return;
    }
    // Segments arrive latest first; a span resumed after a zero-length child continues its previous
    // segment, which should stay one segment.
    if let Some(last) = segments.last_mut()
        && last.span == span
        && last.start_nanos == end_nanos
    {
        last.start_nanos = start_nanos;
        return;
    }
    segments.push(Segment { span, start_nanos, end_nanos });
}

/// Self time of every span: its duration minus the union of its children's intervals clipped to the
/// span, so overlapping async children are not counted twice and children outliving the span (clock
/// skew) only count inside it. O(n): children are already sorted by start, so one sweep per span
/// merges the intervals.
///
/// An incomplete span (end unknown) has self time 0 and covers none of its parent's time: its
/// interval is empty (see [`span_bounds`]), so its parent keeps its whole self time. Views should
/// show "incomplete" for it rather than the 0.
// Out of line: see `spanlens_protocol::analysed::Analysed::of`.
#[inline(never)]
pub fn self_times(trace: &Trace) -> Vec<i64> {
    let tree = &trace.tree;
    let (starts, ends) = span_bounds(&trace.spans);
    let mut out = Vec::with_capacity(starts.len());
    for (i, (&s, &e)) in starts.iter().zip(&ends).enumerate() {
        let mut reach = s;
        let mut covered = 0i64;
        for &c in tree.children(i as u32) {
            let (Some(&cs), Some(&ce)) = (starts.get(c as usize), ends.get(c as usize)) else {
                continue;
            };
            let from = cs.max(reach);
            let to = ce.min(e);
            if to > from {
                covered = covered.saturating_add(to - from);
                reach = to;
            }
        }
        out.push(e.saturating_sub(s).saturating_sub(covered).max(0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{BASE_NANOS, build, chain, idx, random_tree, s, trace};

    fn path(set: &spanlens_model::TraceSet) -> Vec<(u64, i64, i64)> {
        let t = trace(set);
        let cp = critical_path(t);
        let mut v: Vec<_> = cp
            .segments()
            .iter()
            .map(|g| (t.spans[g.span as usize].span_id.0, g.start_nanos - BASE_NANOS, g.end_nanos - BASE_NANOS))
            .collect();
        v.sort_by_key(|x| x.1);
        v
    }

    #[test]
    fn incomplete_child_is_off_the_path_and_leaves_parent_self_time_whole() {
        // |-------------A--------------|
        //    B? (end unknown)  |--C--|      B's subtree (D) goes with it.
        let set = build(&[s(1, 0, 0, 100), s(2, 1, 10, 90).incomplete(), s(4, 2, 20, 10), s(3, 1, 50, 30)]);
        assert_eq!(path(&set), vec![(1, 0, 50), (3, 50, 80), (1, 80, 100)]);
        let t = trace(&set);
        let cp = critical_path(t);
        assert!(!cp.is_on_critical_path(idx(&set, 2)));
        assert!(!cp.is_on_critical_path(idx(&set, 4)));
        let selfs = self_times(t);
        assert_eq!(selfs[idx(&set, 1) as usize], 100 - 30, "only C covers A");
        assert_eq!(selfs[idx(&set, 2) as usize], 0);
        assert_eq!(selfs[idx(&set, 4) as usize], 10);

        // An incomplete root has no path at all.
        let set = build(&[s(1, 0, 0, 0).incomplete(), s(2, 1, 10, 30)]);
        assert!(critical_path(trace(&set)).segments().is_empty());
    }

    #[test]
    fn a_path_fits_its_own_trace_only() {
        let set = build(&[s(1, 0, 0, 100), s(2, 1, 10, 30), s(3, 1, 50, 30)]);
        let cp = critical_path(trace(&set));
        assert!(cp.fits(3));
        assert!(!cp.fits(2), "a segment names span 2, which a 2-span trace lacks");
        assert!(!cp.fits(4), "the flags cover 3 spans");
        assert!(CriticalPath::default().fits(0));
    }

    #[test]
    fn jaeger_example_walks_back_from_the_last_finishing_child() {
        // |-------------A--------------|
        //    |--B--|    |--C--|
        let set = build(&[s(1, 0, 0, 100), s(2, 1, 10, 30), s(3, 1, 50, 30)]);
        assert_eq!(path(&set), vec![(1, 0, 10), (2, 10, 40), (1, 40, 50), (3, 50, 80), (1, 80, 100)]);
        let t = trace(&set);
        let cp = critical_path(t);
        assert!(cp.is_on_critical_path(idx(&set, 2)));
        assert_eq!(cp.segments_of(&t.tree, idx(&set, 1)).len(), 3);
        assert_eq!(cp.subtree_segments(&t.tree, idx(&set, 1)).len(), 5);
    }

    #[test]
    fn overlapping_and_back_to_back_children() {
        // B and C overlap: C finishes last, B ends after C starts so it is skipped. D ends exactly
        // where C starts: Jaeger UI's rule wants a sibling ending strictly before, so [0, 20] is A's.
        let set = build(&[s(1, 0, 0, 100), s(4, 1, 0, 20), s(2, 1, 10, 40), s(3, 1, 20, 60)]);
        assert_eq!(path(&set), vec![(1, 0, 20), (3, 20, 80), (1, 80, 100)]);
        assert!(!critical_path(trace(&set)).is_on_critical_path(idx(&set, 2)));
        // One nanosecond of gap and D is taken.
        let set = build(&[s(1, 0, 0, 100), s(4, 1, 0, 19), s(3, 1, 20, 60)]);
        assert_eq!(path(&set), vec![(4, 0, 19), (1, 19, 20), (3, 20, 80), (1, 80, 100)]);
    }

    #[test]
    fn consumer_under_producer_does_not_block() {
        // A (producer) [0, 30] with B (consumer) [10, 60] and B's child C: B is left out with C,
        // although clipped to A it would finish last. A client child D still counts.
        let mut set = build(&[s(1, 0, 0, 30), s(2, 1, 10, 50), s(3, 2, 12, 2), s(4, 1, 5, 5)]);
        let kinds = [(1, SpanKind::Producer), (2, SpanKind::Consumer), (4, SpanKind::Client)];
        for (id, kind) in kinds {
            let i = idx(&set, id) as usize;
            set.traces[0].spans[i].kind = kind;
        }
        assert_eq!(path(&set), vec![(1, 0, 5), (4, 5, 10), (1, 10, 30)]);
        let cp = critical_path(trace(&set));
        assert!(!cp.is_on_critical_path(idx(&set, 2)) && !cp.is_on_critical_path(idx(&set, 3)));
    }

    #[test]
    fn clock_skew_is_clipped_to_the_parent() {
        // B starts before A, C ends after A, D lies entirely after A (dropped with its child E).
        let set = build(&[
            s(1, 0, 0, 100),
            s(2, 1, -20, 40),
            s(3, 1, 90, 60),
            s(4, 1, 120, 10),
            s(5, 4, 121, 5),
            s(6, 3, 140, 5),
        ]);
        assert_eq!(path(&set), vec![(2, 0, 20), (1, 20, 90), (3, 90, 100)]);
        let cp = critical_path(trace(&set));
        assert!(!cp.is_on_critical_path(idx(&set, 4)));
        assert!(!cp.is_on_critical_path(idx(&set, 6)), "C's child lies outside C's clipped bounds");
    }

    #[test]
    fn zero_length_children_do_not_loop() {
        let set = build(&[s(1, 0, 0, 10), s(2, 1, 10, 0), s(3, 1, 10, 0), s(4, 1, 5, 0)]);
        assert_eq!(path(&set), vec![(1, 0, 10)]);
    }

    /// On a single-root tree the path tiles the root's interval exactly.
    fn assert_tiles_root(set: &spanlens_model::TraceSet) {
        let t = trace(set);
        let root = &t.spans[t.tree.roots[0] as usize];
        let mut segs = critical_path(t).segments().to_vec();
        segs.sort_by_key(|g| g.start_nanos);
        let mut at = root.start_nanos;
        for g in &segs {
            assert_eq!(g.start_nanos, at, "gap or overlap at {g:?}");
            at = g.end_nanos;
        }
        assert_eq!(at, root.end_nanos());
    }

    #[test]
    fn random_trees_tile_the_root() {
        for seed in 0..20 {
            assert_tiles_root(&build(&random_tree(500, seed)));
        }
    }

    #[test]
    fn deep_chain_critical_path_and_self_time() {
        let n = 100_000u64;
        let set = chain(n);
        assert_tiles_root(&set);
        let t = trace(&set);
        let cp = critical_path(t);
        assert_eq!(cp.segments().len(), 2 * n as usize - 1);
        assert_eq!(cp.on_path().count(), n as usize);
        let st = self_times(t);
        // Each span has one child that starts 1 ns later and ends 1 ns earlier.
        assert!(st[..n as usize - 1].iter().all(|&x| x == 2));
        assert_eq!(st[n as usize - 1], 2);
    }

    #[test]
    fn self_time_counts_overlapping_children_once() {
        // Children [10,50] and [30,70] overlap: union 60. Child [90,130] outlives the parent: 10 inside.
        let set = build(&[s(1, 0, 0, 100), s(2, 1, 10, 40), s(3, 1, 30, 40), s(4, 1, 90, 40), s(5, 2, 15, 5)]);
        let st = self_times(trace(&set));
        assert_eq!(st[idx(&set, 1) as usize], 100 - 60 - 10);
        assert_eq!(st[idx(&set, 2) as usize], 35);
        assert_eq!(st[idx(&set, 4) as usize], 40);
    }

    #[test]
    fn self_time_matches_brute_force_on_random_trees() {
        for seed in 0..10 {
            let set = build(&random_tree(300, seed));
            let t = trace(&set);
            let st = self_times(t);
            for (i, span) in t.spans.iter().enumerate() {
                let (s0, e0) = (span.start_nanos, span.end_nanos());
                let mut iv: Vec<(i64, i64)> = t
                    .tree
                    .children(i as u32)
                    .iter()
                    .map(|&c| (t.spans[c as usize].start_nanos.max(s0), t.spans[c as usize].end_nanos().min(e0)))
                    .filter(|(a, b)| b > a)
                    .collect();
                iv.sort();
                let (mut covered, mut reach) = (0, i64::MIN);
                for (a, b) in iv {
                    let a = a.max(reach);
                    if b > a {
                        covered += b - a;
                        reach = b;
                    }
                }
                assert_eq!(st[i], (e0 - s0) - covered, "span {i} seed {seed}");
            }
        }
    }
}
