//! Waterfall rows: which spans are shown, in what order, at what depth.
//!
//! Rows follow the tree's pre-order (children by start time), minus the subtrees under collapsed
//! spans and the spans a filter hides. Everything is struct-of-arrays: at a million rows a
//! struct-per-row would cost 3× the memory and Jaeger UI found per-row objects to be its GC bottleneck.
//!
//! **Filter semantics** ([`ViewState::hidden`]): a span the filter hides is still shown, flagged
//! [`Row::dimmed`], when any descendant is shown — as Jaeger UI and Grafana keep the ancestors of
//! matches so a match is never shown without its context. A hidden span with nothing shown beneath it
//! disappears with its subtree. Because every shown span's parent is then shown too, a row's depth is
//! simply its tree depth and indentation stays truthful.

use serde::{Deserialize, Serialize};
use spanlens_analysis::bitset::BitSet;
use spanlens_model::{Trace, Tree};

/// What the user chose: collapsed spans and an optional filter mask, both indexed by span.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewState {
    /// Spans whose subtree is folded away.
    pub collapsed: BitSet,
    /// Spans a filter hides (service filter, "hide non-matching", TraceQL hide); `None` = no filter.
    pub hidden: Option<BitSet>,
}

impl ViewState {
    /// Everything expanded, no filter.
    pub fn new(trace: &Trace) -> Self {
        ViewState { collapsed: BitSet::new(trace.spans.len()), hidden: None }
    }

    /// Collapses every span that has children (Jaeger's "collapse all").
    pub fn collapse_all(&mut self, tree: &Tree) {
        self.collapse_from_depth(tree, 0);
    }

    pub fn expand_all(&mut self) {
        self.collapsed.clear();
    }

    /// Shows spans down to `depth` and folds everything below: spans deeper than `depth - 1` with
    /// children become collapsed, shallower ones expanded.
    pub fn collapse_from_depth(&mut self, tree: &Tree, depth: u32) {
        self.collapsed = BitSet::new(tree.len());
        for (i, &d) in tree.depth.iter().enumerate() {
            if d >= depth && tree.subtree_len.get(i).is_some_and(|&l| l > 1) {
                self.collapsed.insert(i as u32);
            }
        }
    }

    /// Expands every ancestor of `span` so it becomes a row (before "scroll to selected").
    /// O(depth) — called on one selection, never per frame.
    pub fn reveal(&mut self, tree: &Tree, span: u32) {
        reveal_in(&mut self.collapsed, tree, span);
    }
}

/// [`ViewState::reveal`] on a bare set of collapse flags (the app keeps them apart from the mask).
pub fn reveal_in(collapsed: &mut BitSet, tree: &Tree, span: u32) {
    let mut at = tree.parent_of(span);
    while let Some(p) = at {
        collapsed.remove(p);
        at = tree.parent_of(p);
    }
}

const HAS_CHILDREN: u8 = 1;
const COLLAPSED: u8 = 2;
const DIMMED: u8 = 4;

/// One row, as handed to a renderer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub span: u32,
    pub depth: u32,
    /// Has children that would be shown when expanded (after filtering).
    pub has_children: bool,
    /// Collapsed with children folded away (a collapse flag on a leaf is ignored).
    pub collapsed: bool,
    /// Hidden by the filter but kept as the ancestor of a shown span: draw dimmed.
    pub dimmed: bool,
    /// Descendants folded away by this row's collapse (0 unless collapsed): the badge number.
    pub hidden_descendants: u32,
}

/// Indentation guides of one row, for the nearest `min(depth, 64)` indentation columns.
///
/// Bit `k` of `continues` describes column `depth - 1 - k`: set when the vertical line in that column
/// goes on below this row. For `k = 0` that is the row's own elbow (`├` when set, `└` when clear); for
/// `k ≥ 1` a `│` is drawn when set and nothing when clear. Columns further left than 64 levels are not
/// described: no screen fits them, and walking them would make deep chains O(n²).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowGuides {
    pub depth: u32,
    pub continues: u64,
    /// How many low bits of `continues` are meaningful: `min(depth, 64)`.
    pub levels: u32,
}

impl RowGuides {
    /// Whether a line goes on below this row in indentation column `column` (0 = leftmost). False for
    /// columns at or right of the row's depth and for columns more than 64 levels up.
    pub fn continues_in_column(&self, column: u32) -> bool {
        if column >= self.depth {
            return false;
        }
        let k = self.depth - 1 - column;
        k < self.levels && self.continues >> k & 1 == 1
    }
}

/// Filter data kept so collapse toggles stay incremental.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Filtered {
    /// Per pre-order position: the span is shown (itself or a descendant passes the filter).
    kept_by_pos: BitSet,
    /// Per span: some child is kept.
    has_kept_child: BitSet,
}

/// The laid-out rows of one trace. Build with [`layout_rows`]; toggle with [`Rows::set_collapsed`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rows {
    spans: Vec<u32>,
    /// Pre-order position per row: strictly increasing, so a span's row and a subtree's rows are
    /// found by binary search. That spares a per-span row index, which every collapse would have to
    /// renumber (up to a million scattered writes at 1M spans).
    positions: Vec<u32>,
    depths: Vec<u32>,
    flags: Vec<u8>,
    hidden_descendants: Vec<u32>,
    /// Per span: a later sibling (or later root) is shown — what the indentation guides need.
    has_next_sibling: BitSet,
    filter: Option<Filtered>,
    /// The state these rows show, for [`Rows::relayout`].
    state: ViewState,
}

/// Past this many changed collapse flags a full layout is cheaper than replaying them one by one.
const MAX_INCREMENTAL_TOGGLES: usize = 64;

/// Lays out the rows for `state`. O(n) with a handful of flat passes; no recursion.
pub fn layout_rows(trace: &Trace, state: &ViewState) -> Rows {
    let tree = &trace.tree;
    let n = tree.len();
    let filter = state.hidden.as_ref().map(|hidden| filter_info(tree, hidden));
    let mut out = RowBuf::with_capacity(n);
    emit(tree, state, filter.as_ref(), 0, n, 0, &mut out);
    let has_next_sibling = next_sibling_flags(tree, filter.as_ref());
    Rows {
        spans: out.spans,
        positions: out.positions,
        depths: out.depths,
        flags: out.flags,
        hidden_descendants: out.hidden,
        has_next_sibling,
        filter,
        state: state.clone(),
    }
}

fn filter_info(tree: &Tree, hidden: &BitSet) -> Filtered {
    let n = tree.len();
    let mut kept_by_pos = BitSet::new(n);
    let mut has_kept_child = BitSet::new(n);
    // Reverse pre-order sees every child before its parent.
    for (pos, &span) in tree.preorder.iter().enumerate().rev() {
        if !hidden.contains(span) || has_kept_child.contains(span) {
            kept_by_pos.insert(pos as u32);
            if let Some(p) = tree.parent_of(span) {
                has_kept_child.insert(p);
            }
        }
    }
    Filtered { kept_by_pos, has_kept_child }
}

fn is_kept(tree: &Tree, filter: Option<&Filtered>, span: u32) -> bool {
    match filter {
        None => true,
        Some(f) => tree.preorder_pos.get(span as usize).is_some_and(|&pos| f.kept_by_pos.contains(pos)),
    }
}

fn next_sibling_flags(tree: &Tree, filter: Option<&Filtered>) -> BitSet {
    let mut flags = BitSet::new(tree.len());
    let mut mark = |siblings: &[u32]| {
        let mut later_kept = false;
        for &s in siblings.iter().rev() {
            flags.set(s, later_kept);
            later_kept |= is_kept(tree, filter, s);
        }
    };
    mark(&tree.roots);
    for span in 0..tree.len() as u32 {
        mark(tree.children(span));
    }
    flags
}

#[derive(Default)]
struct RowBuf {
    spans: Vec<u32>,
    positions: Vec<u32>,
    depths: Vec<u32>,
    flags: Vec<u8>,
    hidden: Vec<u32>,
}

impl RowBuf {
    fn with_capacity(n: usize) -> Self {
        RowBuf {
            spans: Vec::with_capacity(n),
            positions: Vec::with_capacity(n),
            depths: Vec::with_capacity(n),
            flags: Vec::with_capacity(n),
            hidden: Vec::with_capacity(n),
        }
    }
}

/// Appends the rows for pre-order positions `from..to`, which must be whole subtrees whose roots sit
/// at `base_depth`. Depth comes from a stack of open subtrees' end positions rather than from
/// `tree.depth`: the walk already reads `subtree_len`, and a second scattered read per span was a
/// large part of the cost at a million spans.
fn emit(
    tree: &Tree,
    state: &ViewState,
    filter: Option<&Filtered>,
    from: usize,
    to: usize,
    base_depth: u32,
    out: &mut RowBuf,
) {
    let mut open_ends: Vec<usize> = Vec::new();
    let mut pos = from;
    while pos < to {
        let Some(&span) = tree.preorder.get(pos) else {
            break;
        };
        while open_ends.last().is_some_and(|&end| end <= pos) {
            open_ends.pop();
        }
        let i = span as usize;
        let len = tree.subtree_len.get(i).copied().unwrap_or(1).max(1) as usize;
        if let Some(f) = filter
            && !f.kept_by_pos.contains(pos as u32)
        {
            pos += len;
            continue;
        }
        let has_children = match filter {
            None => len > 1,
            Some(f) => f.has_kept_child.contains(span),
        };
        let collapsed = has_children && state.collapsed.contains(span);
        let dimmed = state.hidden.as_ref().is_some_and(|h| h.contains(span));
        let mut flags = 0u8;
        if has_children {
            flags |= HAS_CHILDREN;
        }
        if collapsed {
            flags |= COLLAPSED;
        }
        if dimmed {
            flags |= DIMMED;
        }
        out.spans.push(span);
        out.positions.push(pos as u32);
        out.depths.push(base_depth.saturating_add(open_ends.len() as u32));
        out.flags.push(flags);
        out.hidden.push(if collapsed { kept_descendants(filter, pos, len) } else { 0 });
        if collapsed {
            pos += len;
        } else {
            if len > 1 {
                open_ends.push(pos + len);
            }
            pos += 1;
        }
    }
}

fn kept_descendants(filter: Option<&Filtered>, pos: usize, len: usize) -> u32 {
    let n = match filter {
        None => len.saturating_sub(1),
        Some(f) => f.kept_by_pos.count_range(pos + 1, pos + len),
    };
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Rows {
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Span index per row, in display order.
    pub fn spans(&self) -> &[u32] {
        &self.spans
    }

    pub fn span(&self, row: usize) -> Option<u32> {
        self.spans.get(row).copied()
    }

    pub fn row(&self, row: usize) -> Option<Row> {
        let span = *self.spans.get(row)?;
        let flags = self.flags.get(row).copied().unwrap_or(0);
        Some(Row {
            span,
            depth: self.depths.get(row).copied().unwrap_or(0),
            has_children: flags & HAS_CHILDREN != 0,
            collapsed: flags & COLLAPSED != 0,
            dimmed: flags & DIMMED != 0,
            hidden_descendants: self.hidden_descendants.get(row).copied().unwrap_or(0),
        })
    }

    /// The row showing `span`, if shown (for "scroll to selected"; see [`ViewState::reveal`]).
    /// O(log rows).
    pub fn row_of_span(&self, tree: &Tree, span: u32) -> Option<usize> {
        let &pos = tree.preorder_pos.get(span as usize)?;
        let row = self.positions.partition_point(|&p| p < pos);
        (self.positions.get(row) == Some(&pos)).then_some(row)
    }

    /// Indentation guides for one row: O(min(depth, 64)), so a renderer calls it for the visible
    /// window only.
    pub fn guides(&self, tree: &Tree, row: usize) -> RowGuides {
        let Some(&span) = self.spans.get(row) else {
            return RowGuides::default();
        };
        let depth = self.depths.get(row).copied().unwrap_or(0);
        let levels = depth.min(64);
        let mut continues = 0u64;
        let mut at = span;
        for k in 0..levels {
            if self.has_next_sibling.contains(at) {
                continues |= 1 << k;
            }
            match tree.parent_of(at) {
                Some(p) => at = p,
                None => break,
            }
        }
        RowGuides { depth, continues, levels }
    }

    /// The rows for `state`. When only a few collapse flags differ from the state these rows were
    /// laid out for (one click, one key), the change is replayed with [`Rows::set_collapsed`] on a
    /// copy: O(rows) memcpy plus the (un)folded subtrees, instead of a relayout of every span. A
    /// changed filter, or many changed flags (collapse all), lays out from scratch.
    pub fn relayout(&self, trace: &Trace, state: &ViewState) -> Rows {
        if state.hidden != self.state.hidden {
            return layout_rows(trace, state);
        }
        let Some(changed) = self.state.collapsed.differences(&state.collapsed, MAX_INCREMENTAL_TOGGLES) else {
            return layout_rows(trace, state);
        };
        let mut rows = self.clone();
        let mut working = self.state.clone();
        for span in changed {
            rows.set_collapsed(trace, &mut working, span, state.collapsed.contains(span));
        }
        rows
    }

    /// Collapses or expands `span`, updating `state` and the rows in place. Returns whether the rows
    /// changed. Costs the size of the (un)folded subtree plus a memmove of the rows after it, not a
    /// relayout.
    pub fn set_collapsed(&mut self, trace: &Trace, state: &mut ViewState, span: u32, collapsed: bool) -> bool {
        state.collapsed.set(span, collapsed);
        self.state.collapsed.set(span, collapsed);
        let tree = &trace.tree;
        let Some(row) = self.row_of_span(tree, span) else {
            return false;
        };
        let flags = self.flags.get(row).copied().unwrap_or(0);
        if flags & HAS_CHILDREN == 0 || (flags & COLLAPSED != 0) == collapsed {
            return false;
        }
        let (Some(&pos), Some(&len)) = (tree.preorder_pos.get(span as usize), tree.subtree_len.get(span as usize))
        else {
            return false;
        };
        let (pos, len) = (pos as usize, len as usize);
        if collapsed {
            let end = self.subtree_row_end(row, pos + len);
            self.spans.drain(row + 1..end);
            self.positions.drain(row + 1..end);
            self.depths.drain(row + 1..end);
            self.flags.drain(row + 1..end);
            self.hidden_descendants.drain(row + 1..end);
            if let Some(f) = self.flags.get_mut(row) {
                *f |= COLLAPSED;
            }
            if let Some(h) = self.hidden_descendants.get_mut(row) {
                *h = kept_descendants(self.filter.as_ref(), pos, len);
            }
        } else {
            let mut out = RowBuf::default();
            let depth = self.depths.get(row).copied().unwrap_or(0).saturating_add(1);
            emit(tree, state, self.filter.as_ref(), pos + 1, pos + len, depth, &mut out);
            let at = row + 1;
            self.spans.splice(at..at, out.spans);
            self.positions.splice(at..at, out.positions);
            self.depths.splice(at..at, out.depths);
            self.flags.splice(at..at, out.flags);
            self.hidden_descendants.splice(at..at, out.hidden);
            if let Some(f) = self.flags.get_mut(row) {
                *f &= !COLLAPSED;
            }
            if let Some(h) = self.hidden_descendants.get_mut(row) {
                *h = 0;
            }
        }
        true
    }

    /// First row after `row` whose pre-order position is at or past `pos_end`: a subtree's rows
    /// are contiguous.
    fn subtree_row_end(&self, row: usize, pos_end: usize) -> usize {
        let tail = self.positions.get(row + 1..).unwrap_or(&[]);
        row + 1 + tail.partition_point(|&p| (p as usize) < pos_end)
    }
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
