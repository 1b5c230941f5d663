//! Level of detail: the minimap density grid and culled bars for the main waterfall.

use crate::rows::Rows;
use crate::viewport::Viewport;
use serde::{Deserialize, Serialize};
use spanlens_model::{NONE, Sym, Trace};
use std::ops::Range;

/// A minimap reduced to a `width × height` grid, so a million spans draw as at most that many cells.
///
/// Cells are row-major (`y * width + x`). Row buckets split the given span order evenly: with more
/// spans than pixel rows several spans share a bucket, with fewer each span gets a band of buckets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DensityGrid {
    pub width: u32,
    pub height: u32,
    /// Spans overlapping each cell.
    pub counts: Vec<u32>,
    /// Error spans overlapping each cell.
    pub errors: Vec<u32>,
    /// The span that would be on top had every bar been painted in order (the last one covering the
    /// cell), or [`NONE`]: colour the cell by its service. Painter's order makes the grid look like the
    /// full drawing, which Jaeger's minimap users expect, at O(n + cells) cost.
    pub top_span: Vec<u32>,
}

/// One merged minimap rectangle: a horizontal run of cells in one bucket row with the same top
/// service and error state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DensityRect {
    pub x0: u32,
    /// Exclusive.
    pub x1: u32,
    pub y: u32,
    pub service: Sym,
    pub has_error: bool,
    /// Highest span count among the run's cells, for opacity.
    pub max_count: u32,
}

/// Bins the spans of `order` (e.g. `trace.tree.preorder` for the whole trace, or `rows.spans()`) into a
/// `width × height` grid, x by `viewport` (normally the whole trace at `width` px), y by position in
/// `order`. O(n + width × height).
pub fn density_grid(trace: &Trace, order: &[u32], viewport: &Viewport, width: u32, height: u32) -> DensityGrid {
    let (w, h) = (width.max(1) as usize, height.max(1) as usize);
    let cells = w * h;
    let mut diff = vec![0i64; cells + h];
    let mut err_diff = vec![0i64; cells + h];
    let mut top = vec![NONE; cells];
    // Per bucket row, `next[x]` points at the next cell at or after x not yet painted (with path
    // halving), so painting from the last span backwards touches each cell once.
    let mut next: Vec<u32> = (0..(w + 1) * h).map(|i| (i % (w + 1)) as u32).collect();
    let view = viewport.with_width(w as f64);
    // Columns per span in index order first: `order` jumps around the span arena, and jumping around
    // 8-byte pairs misses cache far less than jumping around ~160-byte spans.
    let mut errors_by_span = spanlens_analysis::bitset::BitSet::new(trace.spans.len());
    let cols: Vec<(u32, u32)> = trace
        .spans
        .iter()
        .enumerate()
        .map(|(i, span)| {
            if span.is_error() {
                errors_by_span.insert(i as u32);
            }
            let x0 = view.px_from_nanos(span.start_nanos);
            let x1 = view.px_from_nanos(span.end_nanos());
            if x1 < 0.0 || x0 >= w as f64 {
                return (u32::MAX, u32::MAX);
            }
            let c0 = x0.max(0.0).floor() as usize;
            // At least one cell: a 1 ns span must still show up.
            let c1 = (x1.ceil().min(w as f64) as usize).clamp(c0 + 1, w);
            (c0 as u32, c1 as u32)
        })
        .collect();
    let n = order.len().max(1);
    for (k, &span_index) in order.iter().enumerate().rev() {
        let Some(&(c0, c1)) = cols.get(span_index as usize) else {
            continue;
        };
        if c0 == u32::MAX {
            continue;
        }
        let (c0, c1) = (c0 as usize, c1 as usize);
        let is_error = errors_by_span.contains(span_index);
        // One bucket per span when spans outnumber buckets, else an even band of buckets.
        let y0 = k * h / n;
        let y1 = ((k + 1) * h / n).max(y0 + 1).min(h);
        for y in y0..y1 {
            let base = y * (w + 1);
            if let Some(d) = diff.get_mut(base + c0) {
                *d += 1;
            }
            if let Some(d) = diff.get_mut(base + c1) {
                *d -= 1;
            }
            if is_error {
                if let Some(d) = err_diff.get_mut(base + c0) {
                    *d += 1;
                }
                if let Some(d) = err_diff.get_mut(base + c1) {
                    *d -= 1;
                }
            }
            let mut x = find(&mut next, base, c0);
            while x < c1 {
                if let Some(t) = top.get_mut(y * w + x) {
                    *t = span_index;
                }
                if let Some(slot) = next.get_mut(base + x) {
                    *slot = (x + 1) as u32;
                }
                x = find(&mut next, base, x + 1);
            }
        }
    }
    let mut counts = vec![0u32; cells];
    let mut errors = vec![0u32; cells];
    for y in 0..h {
        let (mut c, mut e) = (0i64, 0i64);
        for x in 0..w {
            c += diff.get(y * (w + 1) + x).copied().unwrap_or(0);
            e += err_diff.get(y * (w + 1) + x).copied().unwrap_or(0);
            if let Some(slot) = counts.get_mut(y * w + x) {
                *slot = u32::try_from(c.max(0)).unwrap_or(u32::MAX);
            }
            if let Some(slot) = errors.get_mut(y * w + x) {
                *slot = u32::try_from(e.max(0)).unwrap_or(u32::MAX);
            }
        }
    }
    DensityGrid { width: w as u32, height: h as u32, counts, errors, top_span: top }
}

/// Next unpainted x at or after `x` in the bucket row starting at `base` (`w` = past the end).
fn find(next: &mut [u32], base: usize, mut x: usize) -> usize {
    loop {
        let Some(&nx) = next.get(base + x) else {
            return x;
        };
        let nx = nx as usize;
        if nx == x {
            return x;
        }
        let skip = next.get(base + nx).copied().unwrap_or(nx as u32);
        if let Some(slot) = next.get_mut(base + x) {
            *slot = skip;
        }
        x = skip as usize;
    }
}

impl DensityGrid {
    /// Merges each bucket row into runs of equal top service and error state.
    pub fn rects(&self, trace: &Trace) -> Vec<DensityRect> {
        let w = self.width as usize;
        let mut out: Vec<DensityRect> = Vec::new();
        for y in 0..self.height as usize {
            let mut open: Option<DensityRect> = None;
            for x in 0..w {
                let i = y * w + x;
                let top = self.top_span.get(i).copied().unwrap_or(NONE);
                let cell =
                    trace.spans.get(top as usize).map(|s| (s.service, self.errors.get(i).is_some_and(|&e| e > 0)));
                let count = self.counts.get(i).copied().unwrap_or(0);
                match (&mut open, cell) {
                    (Some(r), Some((svc, err))) if r.service == svc && r.has_error == err && r.x1 == x as u32 => {
                        r.x1 += 1;
                        r.max_count = r.max_count.max(count);
                    }
                    (_, cell) => {
                        out.extend(open.take());
                        open = cell.map(|(service, has_error)| DensityRect {
                            x0: x as u32,
                            x1: x as u32 + 1,
                            y: y as u32,
                            service,
                            has_error,
                            max_count: count,
                        });
                    }
                }
            }
            out.extend(open);
        }
        out
    }
}

/// One waterfall bar, culled and clamped to the canvas.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub row: usize,
    pub span: u32,
    pub x0_px: f64,
    /// At least `x0_px + 1` so zero-length and sub-pixel spans stay visible and clickable.
    pub x1_px: f64,
    /// The bar was cut at the left / right edge of the canvas (draw no rounded end there).
    pub clipped_left: bool,
    pub clipped_right: bool,
}

/// Bars for the rows in `row_range` that intersect the viewport. Rows hold one span each, so there is
/// nothing to merge at narrow zoom: culling plus the 1 px minimum is the whole level of detail.
pub fn visible_bars<'a>(
    trace: &'a Trace,
    rows: &'a Rows,
    row_range: Range<usize>,
    viewport: &'a Viewport,
) -> impl Iterator<Item = Bar> + 'a {
    let width = viewport.width_px;
    let end = row_range.end.min(rows.len());
    (row_range.start.min(end)..end).filter_map(move |row| {
        let span_index = rows.span(row)?;
        let span = trace.spans.get(span_index as usize)?;
        let (start, stop) = (span.start_nanos, span.end_nanos().max(span.start_nanos));
        if stop < viewport.start_nanos || start > viewport.end_nanos {
            return None;
        }
        let (raw0, raw1) = (viewport.px_from_nanos(start), viewport.px_from_nanos(stop));
        let mut x0 = raw0.max(0.0);
        let mut x1 = raw1.min(width);
        if x1 - x0 < 1.0 {
            x1 = (x0 + 1.0).min(width);
            x0 = (x1 - 1.0).max(0.0);
        }
        Some(Bar { row, span: span_index, x0_px: x0, x1_px: x1, clipped_left: raw0 < 0.0, clipped_right: raw1 > width })
    })
}

/// X of each event of `span` inside the viewport, with the event's index, for tick marks on a bar.
pub fn event_marks<'a>(trace: &'a Trace, span: u32, viewport: &'a Viewport) -> impl Iterator<Item = (usize, f64)> + 'a {
    let events = trace.spans.get(span as usize).map_or(&[][..], |s| &s.events[..]);
    events
        .iter()
        .enumerate()
        .filter(move |(_, e)| e.time_nanos >= viewport.start_nanos && e.time_nanos <= viewport.end_nanos)
        .map(move |(i, e)| (i, viewport.px_from_nanos(e.time_nanos)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::{ViewState, layout_rows};
    use spanlens_analysis::test_util::{BASE_NANOS, build, chain, idx, s, trace};

    #[test]
    fn bars_are_culled_clamped_and_at_least_one_pixel() {
        let set = build(&[s(1, 0, 0, 1000), s(2, 1, 0, 0), s(3, 1, 900, 100), s(4, 1, 100, 100)]);
        let t = trace(&set);
        let rows = layout_rows(t, &ViewState::new(t));
        let v = Viewport::for_trace(t, 100.0).set_range(BASE_NANOS + 400, BASE_NANOS + 950);
        let bars: Vec<Bar> = visible_bars(t, &rows, 0..rows.len(), &v).collect();
        let ids: Vec<u32> = bars.iter().map(|b| b.span).collect();
        assert_eq!(ids, vec![idx(&set, 1), idx(&set, 3)], "zero-length span at 0 and span 4 are off-screen");
        let root = bars[0];
        assert!(root.clipped_left && root.clipped_right);
        assert_eq!((root.x0_px, root.x1_px), (0.0, 100.0));
        assert!(bars[1].x1_px <= 100.0 && bars[1].clipped_right);
        let whole = Viewport::for_trace(t, 100.0);
        let zero = visible_bars(t, &rows, 1..2, &whole).next().unwrap();
        assert_eq!((zero.x0_px, zero.x1_px), (0.0, 1.0));
        assert_eq!(visible_bars(t, &rows, 10..20, &whole).count(), 0);
    }

    #[test]
    fn density_grid_counts_and_paints_in_order() {
        let set = build(&[s(1, 0, 0, 100).svc("a"), s(2, 1, 0, 50).svc("b").err(), s(3, 1, 50, 50).svc("c")]);
        let t = trace(&set);
        let v = Viewport::for_trace(t, 10.0);
        let g = density_grid(t, &t.tree.preorder, &v, 10, 1);
        assert_eq!(g.counts, vec![2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
        assert_eq!(g.errors.iter().filter(|&&e| e > 0).count(), 5);
        assert_eq!(g.top_span[0], idx(&set, 2));
        assert_eq!(g.top_span[9], idx(&set, 3));
        let rects = g.rects(t);
        assert_eq!(rects.len(), 2);
        assert_eq!((rects[0].x0, rects[0].x1, rects[0].has_error), (0, 5, true));
        // More buckets than spans: each span gets a band.
        let tall = density_grid(t, &t.tree.preorder, &v, 10, 6);
        assert_eq!(tall.top_span[0], idx(&set, 1));
        assert_eq!(tall.top_span[5 * 10 + 9], idx(&set, 3));
        assert_eq!(tall.top_span[5 * 10], NONE);
    }

    #[test]
    fn density_grid_over_a_deep_chain() {
        let set = chain(100_000);
        let t = trace(&set);
        let g = density_grid(t, &t.tree.preorder, &Viewport::for_trace(t, 200.0), 200, 50);
        assert_eq!(g.counts.len(), 200 * 50);
        // 1,000 ns per column and 2,000 nested spans per bucket row: row y's spans start in columns
        // 2y and 2y+1, so column 2y+1 is covered by all of them and columns left of 2y by none.
        assert!((0..50).all(|y| g.counts[y * 200 + 2 * y + 1] == 2_000));
        assert!((1..50).all(|y| g.top_span[y * 200] == NONE && g.counts[y * 200] == 0));
        assert_eq!(g.top_span[49 * 200 + 99], idx(&set, 100_000));
    }
}
