//! Flame graph frames in two modes that share one frame model, so one renderer draws both:
//!
//! * **time order** (an icicle): one frame per span, x = time since the trace start, y = tree depth;
//! * **left heavy** (speedscope's view): siblings with the same (service, operation) merged into one
//!   frame, recursively (their children merge too), heaviest first, x = a cumulative offset.
//!
//! Frames are stored depth by depth, each depth's frames contiguous and sorted by start, so the
//! layout crate can binary-search the visible window per depth. The flame-graph table lives in
//! [`mod@crate::flame_table`] and is re-exported here.

use crate::critical_path::self_times;
use crate::path_merge::{MergeSide, MergedTree, merge_paths};
use serde::{Deserialize, Serialize};
use spanlens_model::{NONE, Span, Sym, Trace};

pub use crate::flame_table::{FlameTableRow, blocking_self_times, flame_table};

/// Which flame graph to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum FlameMode {
    #[default]
    TimeOrder,
    LeftHeavy,
}

/// One drawable frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub depth: u32,
    /// Time order: the span's start minus the trace start. Left heavy: the cumulative offset.
    pub start_nanos: i64,
    /// Drawn width. Left heavy: the members' total, raised to the sum of the children's widths when
    /// concurrent children add up to more (as Jaeger UI's flame graph does), so children fit inside.
    pub len_nanos: i64,
    /// The members' summed known durations (the real total, never raised).
    pub total_nanos: i64,
    /// The members' summed self times (duration minus the union of children clipped to the span).
    pub self_nanos: i64,
    /// Spans merged into this frame (1 in time order).
    pub count: u32,
    /// Members with error status.
    pub errors: u32,
    /// Members whose end is unknown: they add no time (see `Span::incomplete`).
    pub incomplete: u32,
    pub service: Sym,
    pub name: Sym,
    /// A representative span: the span itself in time order, the longest member when merged.
    pub span: u32,
    /// Index of the parent frame, or [`NONE`].
    pub parent: u32,
    /// Members are `FlameGraph::members[member_start..member_start + count]`.
    pub member_start: u32,
}

impl Frame {
    pub fn end_nanos(&self) -> i64 {
        self.start_nanos.saturating_add(self.len_nanos)
    }
}

/// Frames of one trace in one mode.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlameGraph {
    pub mode: FlameMode,
    /// Depth `d`'s frames are `frames[depth_offsets[d]..depth_offsets[d + 1]]`, sorted by start.
    pub frames: Vec<Frame>,
    pub depth_offsets: Vec<u32>,
    /// Widest frame per depth: a window query at depth `d` need only look back this far from its
    /// start (time-order frames of one depth may overlap, so ends are not sorted).
    pub max_len_nanos: Vec<i64>,
    /// Member span indices of every frame, grouped by frame.
    pub members: Vec<u32>,
    /// Frame of each span index ([`NONE`] if none): selection sync with the waterfall.
    pub frame_of_span: Vec<u32>,
    /// Absolute time of x = 0 (the trace start in time order, 0 in left heavy).
    pub origin_nanos: i64,
    /// Width of the whole graph (the trace duration, or the sum of the root frames' widths).
    pub extent_nanos: i64,
    /// Prefix sums over `frames` (one more entry than frames): spans covered, and frames with errors,
    /// before each index. The draw list merges a stretch of sub-pixel frames with them in O(1).
    pub count_prefix: Vec<u64>,
    pub error_prefix: Vec<u32>,
    /// Per depth: whether its frames are disjoint (each ends at or before the next one starts).
    /// Always so in left heavy; in time order unless spans of one depth overlap.
    pub disjoint: Vec<bool>,
}

impl FlameGraph {
    /// Fills the prefix sums and disjointness flags from the frames.
    fn with_index(mut self) -> Self {
        let (mut spans, mut errors) = (0u64, 0u32);
        self.count_prefix = Vec::with_capacity(self.frames.len() + 1);
        self.error_prefix = Vec::with_capacity(self.frames.len() + 1);
        for f in &self.frames {
            self.count_prefix.push(spans);
            self.error_prefix.push(errors);
            spans = spans.saturating_add(u64::from(f.count));
            errors = errors.saturating_add(u32::from(f.errors > 0));
        }
        self.count_prefix.push(spans);
        self.error_prefix.push(errors);
        self.disjoint = (0..self.depth_count())
            .map(|d| {
                self.frames_at(d).windows(2).all(|w| w.first().map(Frame::end_nanos) <= w.get(1).map(|f| f.start_nanos))
            })
            .collect();
        self
    }

    pub fn depth_count(&self) -> u32 {
        self.depth_offsets.len().saturating_sub(1) as u32
    }

    /// The index range of depth `depth`'s frames in [`Self::frames`].
    pub fn depth_range(&self, depth: u32) -> std::ops::Range<usize> {
        let d = depth as usize;
        match (self.depth_offsets.get(d), self.depth_offsets.get(d + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }

    /// The frames at `depth`, sorted by start.
    pub fn frames_at(&self, depth: u32) -> &[Frame] {
        self.frames.get(self.depth_range(depth)).unwrap_or(&[])
    }

    pub fn frame(&self, index: u32) -> Option<&Frame> {
        self.frames.get(index as usize)
    }

    /// Member span indices of a frame (to select or highlight them).
    pub fn members_of(&self, index: u32) -> &[u32] {
        let Some(f) = self.frame(index) else {
            return &[];
        };
        let from = f.member_start as usize;
        self.members.get(from..from + f.count as usize).unwrap_or(&[])
    }

    /// The frame showing `span`, e.g. the waterfall's selection.
    pub fn frame_of(&self, span: u32) -> Option<u32> {
        self.frame_of_span.get(span as usize).copied().filter(|&f| f != NONE)
    }

    /// Frames whose members include a span of (service, name): the table's row highlight.
    pub fn frames_of_operation(&self, service: Sym, name: Sym) -> Vec<u32> {
        (0..self.frames.len() as u32)
            .filter(|&i| self.frame(i).is_some_and(|f| f.service == service && f.name == name))
            .collect()
    }
}

/// Builds the flame graph of `trace` in `mode`.
pub fn flame_graph(trace: &Trace, mode: FlameMode) -> FlameGraph {
    let self_nanos = self_times(trace);
    match mode {
        FlameMode::TimeOrder => time_order(trace, &self_nanos),
        FlameMode::LeftHeavy => left_heavy(trace, &self_nanos),
    }
}

pub(crate) fn known_len(span: &Span) -> i64 {
    span.known_duration_nanos().unwrap_or(0).max(0)
}

/// One frame per span; depth by depth, by start (ties by index). O(n log n).
pub fn time_order(trace: &Trace, self_nanos: &[i64]) -> FlameGraph {
    let tree = &trace.tree;
    let n = trace.spans.len().min(tree.depth.len());
    let depths = if n == 0 { 0 } else { tree.max_depth as usize + 1 };
    // Counting sort by depth; pre-order keeps each parent before its children and children by start
    // within a parent, but different parents interleave in time, so each depth is sorted afterwards.
    let mut offsets = vec![0u32; depths + 1];
    for &d in tree.depth.iter().take(n) {
        if let Some(c) = offsets.get_mut(d as usize + 1) {
            *c += 1;
        }
    }
    for d in 0..depths {
        let prev = offsets.get(d).copied().unwrap_or(0);
        if let Some(c) = offsets.get_mut(d + 1) {
            *c += prev;
        }
    }
    // (start, index) pairs bucketed by depth, then each depth sorted as plain pairs: comparing the
    // pairs in place is far cheaper than looking starts up through indices O(n log n) times.
    let mut fill = offsets.clone();
    let mut pairs = vec![(0i64, 0u32); n];
    for (i, (&d, span)) in tree.depth.iter().zip(&trace.spans).enumerate() {
        if let Some(slot) = fill.get_mut(d as usize)
            && let Some(p) = pairs.get_mut(*slot as usize)
        {
            *p = (span.start_nanos, i as u32);
            *slot += 1;
        }
    }
    let mut max_len_nanos = vec![0i64; depths];
    for d in 0..depths {
        let (Some(&a), Some(&b)) = (offsets.get(d), offsets.get(d + 1)) else {
            continue;
        };
        if let Some(slice) = pairs.get_mut(a as usize..b as usize) {
            slice.sort_unstable();
        }
    }
    let order: Vec<u32> = pairs.into_iter().map(|(_, i)| i).collect();
    let mut frame_of_span = vec![NONE; trace.spans.len()];
    for (f, &i) in order.iter().enumerate() {
        if let Some(slot) = frame_of_span.get_mut(i as usize) {
            *slot = f as u32;
        }
    }
    let origin = trace.start_nanos;
    let Some(first) = trace.spans.first() else {
        return FlameGraph::default();
    };
    // Spans are read in index order (sequentially) and their frames written in place: scattered
    // writes into the frame array cost far less than scattered reads of ~160-byte spans.
    let blank = Frame {
        depth: 0,
        start_nanos: 0,
        len_nanos: 0,
        total_nanos: 0,
        self_nanos: 0,
        count: 1,
        errors: 0,
        incomplete: 0,
        service: first.service,
        name: first.name,
        span: NONE,
        parent: NONE,
        member_start: 0,
    };
    let mut frames = vec![blank; n];
    for (i, (span, &f)) in trace.spans.iter().zip(&frame_of_span).enumerate().take(n) {
        let depth = tree.depth.get(i).copied().unwrap_or(0);
        let len = known_len(span);
        if let Some(m) = max_len_nanos.get_mut(depth as usize) {
            *m = (*m).max(len);
        }
        let parent = tree.parent.get(i).and_then(|&p| frame_of_span.get(p as usize)).copied().unwrap_or(NONE);
        if let Some(slot) = frames.get_mut(f as usize) {
            *slot = Frame {
                depth,
                start_nanos: span.start_nanos.saturating_sub(origin),
                len_nanos: len,
                total_nanos: len,
                self_nanos: self_nanos.get(i).copied().unwrap_or(0),
                count: 1,
                errors: u32::from(span.is_error()),
                incomplete: u32::from(span.is_incomplete()),
                service: span.service,
                name: span.name,
                span: i as u32,
                parent,
                member_start: f,
            };
        }
    }
    FlameGraph {
        mode: FlameMode::TimeOrder,
        frames,
        depth_offsets: offsets,
        max_len_nanos,
        members: order,
        frame_of_span,
        origin_nanos: origin,
        extent_nanos: trace.duration_nanos(),
        ..FlameGraph::default()
    }
    .with_index()
}

/// Packs a span's (service, operation) into one merge key.
pub(crate) fn op_key(span: &Span) -> u64 {
    ((span.service.index() as u64) << 32) | (span.name.index() as u64 & 0xffff_ffff)
}

/// Spans merged by their (service, operation) path from the root: the trace graph's vertices and
/// the left-heavy frames before ordering.
pub fn merge_by_operation_path(trace: &Trace) -> MergedTree {
    let keys: Vec<u64> = trace.spans.iter().map(op_key).collect();
    merge_paths(&[MergeSide { tree: &trace.tree, keys: &keys }])
}

/// What the frames need of a span, copied out in index order: merged members are visited breadth
/// first, which jumps around the span arena, and jumping around 32-byte records misses cache far
/// less than jumping around ~160-byte spans.
struct CompactSpan {
    len_nanos: i64,
    self_nanos: i64,
    service: Sym,
    name: Sym,
    error: bool,
    incomplete: bool,
}

fn compact_spans(trace: &Trace, self_nanos: &[i64]) -> Vec<CompactSpan> {
    trace
        .spans
        .iter()
        .enumerate()
        .map(|(i, span)| CompactSpan {
            len_nanos: known_len(span),
            self_nanos: self_nanos.get(i).copied().unwrap_or(0),
            service: span.service,
            name: span.name,
            error: span.is_error(),
            incomplete: span.is_incomplete(),
        })
        .collect()
}

/// Siblings merged by (service, operation), heaviest first. O(n log n), iterative.
pub fn left_heavy(trace: &Trace, self_nanos: &[i64]) -> FlameGraph {
    let Some(first_span) = trace.spans.first() else {
        return FlameGraph { mode: FlameMode::LeftHeavy, ..FlameGraph::default() };
    };
    let merged = merge_by_operation_path(trace);
    let count = merged.nodes.len();
    let compact = compact_spans(trace, self_nanos);
    // Totals per merged node, then widths bottom-up: breadth-first order puts children after their
    // parent, so a reverse sweep sees every child before its parent.
    let mut frames: Vec<Frame> = Vec::with_capacity(count);
    for (k, node) in merged.nodes.iter().enumerate() {
        let members = merged.members_of(k as u32, 0);
        let mut f = Frame {
            depth: node.depth,
            start_nanos: 0,
            len_nanos: 0,
            total_nanos: 0,
            self_nanos: 0,
            count: members.len() as u32,
            errors: 0,
            incomplete: 0,
            service: first_span.service,
            name: first_span.name,
            span: members.first().copied().unwrap_or(NONE),
            parent: node.parent,
            member_start: node.member_start[0],
        };
        let mut longest = -1i64;
        for &m in members {
            let Some(c) = compact.get(m as usize) else {
                continue;
            };
            f.service = c.service;
            f.name = c.name;
            f.total_nanos = f.total_nanos.saturating_add(c.len_nanos);
            f.self_nanos = f.self_nanos.saturating_add(c.self_nanos);
            f.errors += u32::from(c.error);
            f.incomplete += u32::from(c.incomplete);
            if c.len_nanos > longest {
                longest = c.len_nanos;
                f.span = m;
            }
        }
        f.len_nanos = f.total_nanos;
        frames.push(f);
    }
    let mut children_len = vec![0i64; count];
    for k in (0..count).rev() {
        let Some(f) = frames.get_mut(k) else {
            continue;
        };
        f.len_nanos = f.len_nanos.max(children_len.get(k).copied().unwrap_or(0));
        let (len, parent) = (f.len_nanos, f.parent);
        if let Some(c) = children_len.get_mut(parent as usize) {
            *c = c.saturating_add(len);
        }
    }

    // Final order: breadth first again, each node's children heaviest first (ties keep first
    // appearance), laid out left to right from the parent's start. Parents of a depth are already in
    // start order, and children fit inside their parent, so every depth comes out sorted by start.
    let heaviest = |k: &u32| std::cmp::Reverse(frames.get(*k as usize).map_or(0, |f| f.len_nanos));
    let mut order: Vec<u32> = Vec::with_capacity(count);
    order.extend(0..merged.root_count);
    order.sort_by_key(heaviest);
    let mut new_index = vec![NONE; count];
    let mut cursor = 0usize;
    while let Some(&k) = order.get(cursor) {
        if let Some(slot) = new_index.get_mut(k as usize) {
            *slot = cursor as u32;
        }
        if let Some(node) = merged.nodes.get(k as usize)
            && node.child_len > 0
        {
            let from = order.len();
            order.extend(node.child_start..node.child_start + node.child_len);
            if let Some(tail) = order.get_mut(from..) {
                tail.sort_by_key(heaviest);
            }
        }
        cursor += 1;
    }
    let mut out: Vec<Frame> = Vec::with_capacity(count);
    let mut members = Vec::with_capacity(merged.members[0].len());
    let mut next_child_start = vec![0i64; count];
    let mut next_root_start = 0i64;
    let mut depth_offsets = vec![0u32];
    let mut max_len_nanos: Vec<i64> = Vec::new();
    let mut frame_of_span = vec![NONE; trace.spans.len()];
    for &k in &order {
        let Some(&old) = frames.get(k as usize) else {
            continue;
        };
        let mut f = old;
        f.parent = frames.get(k as usize).and_then(|f| new_index.get(f.parent as usize)).copied().unwrap_or(NONE);
        let slot = next_child_start.get_mut(f.parent as usize).unwrap_or(&mut next_root_start);
        f.start_nanos = *slot;
        *slot = slot.saturating_add(f.len_nanos);
        let me = out.len();
        if let Some(c) = next_child_start.get_mut(me) {
            *c = f.start_nanos;
        }
        f.member_start = members.len() as u32;
        for &m in merged.members_of(k, 0) {
            members.push(m);
            if let Some(s) = frame_of_span.get_mut(m as usize) {
                *s = me as u32;
            }
        }
        while depth_offsets.len() <= f.depth as usize + 1 {
            depth_offsets.push(me as u32);
            max_len_nanos.push(0);
        }
        if let Some(m) = max_len_nanos.get_mut(f.depth as usize) {
            *m = (*m).max(f.len_nanos);
        }
        out.push(f);
        if let Some(last) = depth_offsets.last_mut() {
            *last = out.len() as u32;
        }
    }
    FlameGraph {
        mode: FlameMode::LeftHeavy,
        frames: out,
        depth_offsets,
        max_len_nanos,
        members,
        frame_of_span,
        origin_nanos: 0,
        extent_nanos: next_root_start,
        ..FlameGraph::default()
    }
    .with_index()
}

#[cfg(test)]
#[path = "flame_tests.rs"]
mod tests;
