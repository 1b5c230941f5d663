//! Flame graph geometry: what to draw for a window of the frames built by
//! `spanlens_analysis::flame` (both modes share one frame model), pointer → frame, and zoom to a frame.
//!
//! Level of detail: per depth, frames at least [`MIN_FRAME_PX`] wide are drawn whole; narrower ones
//! merge into runs (start, end, count, has error), and a frame entirely under one already drawn is
//! skipped. Every item therefore paints at least one pixel column no earlier item of its kind painted,
//! so a depth yields at most about `2 × width` items: a million spans draw as fast as a thousand.
//!
//! How a flame renderer uses it:
//!
//! * once per trace and mode: `spanlens_analysis::flame_graph(trace, mode)` (keep both modes if
//!   switching should be instant) and `spanlens_analysis::flame_table` for the table;
//! * per frame: [`visible_depths`] for the scroll position → [`flame_boxes`] → paint each box (colour
//!   by `FlameGraph::frame(b.frame)`'s service or self time; a run in a neutral colour, red-marked
//!   when `has_error`); label boxes wider than the text;
//! * time order shares the waterfall's window: [`FlameWindow::from_viewport`];
//! * pointer: [`depth_at_y`] → [`flame_hit`] → `FlameGraph::members_of` / `Frame::span` for the
//!   selection; the waterfall's selection back: `FlameGraph::frame_of(span)`;
//! * double click: [`zoom_to_frame`]; a table row: `FlameGraph::frames_of_operation`.

use crate::viewport::{MIN_VISIBLE_NANOS, Viewport};
use serde::{Deserialize, Serialize};
use spanlens_analysis::flame::{FlameGraph, Frame};
use spanlens_model::NONE;
use std::ops::Range;

/// Narrowest frame drawn on its own; narrower frames merge into runs.
pub const MIN_FRAME_PX: f64 = 1.0;
/// Extra pixels either side of a frame that still hit it, so thin frames stay clickable.
pub const FRAME_SLOP_PX: f64 = 3.0;
/// Part of a frame's width added either side when zooming to it.
pub const ZOOM_PAD_FRACTION: f64 = 0.05;

/// The visible part of a flame graph: `start_nanos..end_nanos` in the graph's own x (nanoseconds since
/// `FlameGraph::origin_nanos`) across `width_px`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlameWindow {
    pub start_nanos: i64,
    pub end_nanos: i64,
    pub width_px: f64,
}

impl FlameWindow {
    /// An empty or inverted range is widened to [`MIN_VISIBLE_NANOS`] so mappings stay finite.
    pub fn new(start_nanos: i64, end_nanos: i64, width_px: f64) -> Self {
        let end_nanos = end_nanos.max(start_nanos.saturating_add(MIN_VISIBLE_NANOS));
        let width_px = if width_px.is_finite() && width_px > 0.0 { width_px } else { 1.0 };
        FlameWindow { start_nanos, end_nanos, width_px }
    }

    /// The whole graph.
    pub fn whole(graph: &FlameGraph, width_px: f64) -> Self {
        FlameWindow::new(0, graph.extent_nanos, width_px)
    }

    /// The waterfall's time window (absolute times) for a time-order graph, so both views show the
    /// same stretch of time.
    pub fn from_viewport(viewport: &Viewport, graph: &FlameGraph) -> Self {
        FlameWindow::new(
            viewport.start_nanos.saturating_sub(graph.origin_nanos),
            viewport.end_nanos.saturating_sub(graph.origin_nanos),
            viewport.width_px,
        )
    }

    pub fn visible_nanos(&self) -> i64 {
        self.end_nanos.saturating_sub(self.start_nanos).max(1)
    }

    pub fn px_per_nanos(&self) -> f64 {
        // Not in i64: a window over the whole i64 range is wider than i64 can say.
        let visible = crate::viewport::difference_f64(self.end_nanos, self.start_nanos).max(1.0);
        self.width_px / visible
    }

    pub fn px_from_nanos(&self, nanos: i64) -> f64 {
        crate::viewport::difference_f64(nanos, self.start_nanos) * self.px_per_nanos()
    }

    /// Graph time at an x, rounded and clamped into `i64`.
    pub fn nanos_from_px(&self, px: f64) -> i64 {
        let offset = if px.is_finite() { (px / self.px_per_nanos()).round() } else { 0.0 };
        let t = i128::from(self.start_nanos).saturating_add(offset as i128);
        t.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }
}

/// One thing to paint at one depth: a whole frame, or a run of merged sub-pixel frames.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlameBox {
    pub depth: u32,
    /// Clamped to `-1.0..=width + 1.0` so off-screen parts never reach the canvas.
    pub x0_px: f64,
    pub x1_px: f64,
    /// The frame's index in `FlameGraph::frames`, or [`NONE`] for a run.
    pub frame: u32,
    /// Spans covered: the frame's merged count, or the sum over a run's frames.
    pub count: u32,
    /// Frames in a run (1 for a whole frame).
    pub frames: u32,
    pub has_error: bool,
}

impl FlameBox {
    pub fn is_run(&self) -> bool {
        self.frame == NONE
    }
}

/// Index range at `depth` of the frames that may overlap `from..to` (graph nanoseconds).
fn candidates(graph: &FlameGraph, depth: u32, from: i64, to: i64) -> (usize, &[Frame]) {
    let range = graph.depth_range(depth);
    let frames = graph.frames.get(range.clone()).unwrap_or(&[]);
    let reach = graph.max_len_nanos.get(depth as usize).copied().unwrap_or(0);
    let lo = frames.partition_point(|f| f.start_nanos < from.saturating_sub(reach));
    let hi = frames.partition_point(|f| f.start_nanos < to);
    (range.start + lo, frames.get(lo..hi.max(lo)).unwrap_or(&[]))
}

/// What to paint for `depths` in `window`, depth by depth, left to right within a depth.
/// Per depth O(log n + frames in the window), or O(width × log n) where the depth's frames are
/// disjoint; output at most about `2 × width_px` items per depth.
pub fn flame_boxes(graph: &FlameGraph, window: &FlameWindow, depths: Range<u32>) -> Vec<FlameBox> {
    let mut out = Vec::new();
    let width = window.width_px;
    for depth in depths.start..depths.end.min(graph.depth_count()) {
        let (first, frames) = candidates(graph, depth, window.start_nanos, window.end_nanos);
        // Highest pixel column (exclusive) painted by a whole frame so far at this depth.
        let mut painted_col = i64::MIN;
        let mut run: Option<(FlameBox, i64)> = None;
        let disjoint = graph.disjoint.get(depth as usize).copied().unwrap_or(false);
        let mut next = 0usize;
        while let Some(f) = frames.get(next) {
            let k = next;
            next += 1;
            let end = f.end_nanos();
            // A zero-length frame still shows as a sliver at its start.
            if end < window.start_nanos || (end == window.start_nanos && f.len_nanos > 0) {
                continue;
            }
            let x0 = window.px_from_nanos(f.start_nanos);
            let x1 = window.px_from_nanos(end);
            if x0 >= width || x1 < -1.0 {
                continue;
            }
            let (cx0, cx1) = (x0.clamp(-1.0, width + 1.0), x1.clamp(-1.0, width + 1.0));
            let c0 = cx0.floor() as i64;
            let c1 = (cx1.ceil() as i64).max(c0 + 1);
            if c1 <= painted_col {
                continue;
            }
            let has_error = f.errors > 0;
            if x1 - x0 >= MIN_FRAME_PX {
                painted_col = c1;
                out.push(FlameBox {
                    depth,
                    x0_px: cx0,
                    x1_px: cx1,
                    frame: (first + k) as u32,
                    count: f.count,
                    frames: 1,
                    has_error,
                });
                continue;
            }
            match &mut run {
                Some((r, r_c1)) if c0 <= *r_c1 => {
                    r.x1_px = r.x1_px.max(cx1);
                    r.count = r.count.saturating_add(f.count);
                    r.frames += 1;
                    r.has_error |= has_error;
                    *r_c1 = (*r_c1).max(c1);
                }
                _ => {
                    if let Some((r, _)) = run.take() {
                        out.push(r);
                    }
                    let r =
                        FlameBox { depth, x0_px: cx0, x1_px: cx1, frame: NONE, count: f.count, frames: 1, has_error };
                    run = Some((r, c1));
                }
            }
            // Disjoint frames starting before the run's last column ends lie inside that column, so
            // all but the last of them join the run at once: the walk costs O(columns × log n), not
            // O(frames), when a million frames are on screen.
            if disjoint && let Some((r, r_c1)) = &mut run {
                let col_end_nanos = window.nanos_from_px(*r_c1 as f64);
                let rest = frames.get(next..).unwrap_or(&[]);
                let last = next + rest.partition_point(|g| g.start_nanos < col_end_nanos);
                if last > next + 1 {
                    let (a, b) = (first + next, first + last - 1);
                    let spans = prefix_diff(&graph.count_prefix, a, b);
                    r.count = r.count.saturating_add(u32::try_from(spans).unwrap_or(u32::MAX));
                    r.frames = r.frames.saturating_add((b - a) as u32);
                    r.has_error |= prefix_diff(&graph.error_prefix, a, b) > 0;
                    if let Some(g) = frames.get(last - 2) {
                        r.x1_px = r.x1_px.max(window.px_from_nanos(g.end_nanos()).clamp(-1.0, width + 1.0));
                    }
                    next = last - 1;
                }
            }
        }
        if let Some((r, _)) = run {
            out.push(r);
        }
    }
    out
}

/// `prefix[b] - prefix[a]`, 0 when out of range.
fn prefix_diff<T: Copy + Into<u64>>(prefix: &[T], a: usize, b: usize) -> u64 {
    match (prefix.get(a), prefix.get(b)) {
        (Some(&x), Some(&y)) => y.into().saturating_sub(x.into()),
        _ => 0,
    }
}

/// The frame under `x_px` at `depth`: the last-started frame containing the time there (the one
/// painted on top), else the nearest within [`FRAME_SLOP_PX`].
pub fn flame_hit(graph: &FlameGraph, window: &FlameWindow, x_px: f64, depth: u32) -> Option<u32> {
    if !x_px.is_finite() {
        return None;
    }
    // Floor, not round: the pixel at 10.6 shows time 10.6, which lies in the frame that starts at 10.
    let offset = (x_px / window.px_per_nanos()).floor() as i128;
    let t =
        i128::from(window.start_nanos).saturating_add(offset).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    let slop_nanos = (FRAME_SLOP_PX / window.px_per_nanos()).ceil() as i64;
    let (first, frames) = candidates(graph, depth, t.saturating_sub(slop_nanos), t.saturating_add(slop_nanos));
    let mut best: Option<(f64, u32)> = None;
    for (k, f) in frames.iter().enumerate().rev() {
        let index = (first + k) as u32;
        if f.start_nanos <= t && t < f.end_nanos().max(f.start_nanos.saturating_add(1)) {
            return Some(index);
        }
        let (x0, x1) = (window.px_from_nanos(f.start_nanos), window.px_from_nanos(f.end_nanos()));
        let gap = if x_px < x0 { x0 - x_px } else { x_px - x1 };
        if gap <= FRAME_SLOP_PX && best.is_none_or(|(g, _)| gap < g) {
            best = Some((gap, index));
        }
    }
    best.map(|(_, i)| i)
}

/// The window that shows `frame` across the width with a small margin either side (double click).
pub fn zoom_to_frame(graph: &FlameGraph, frame: u32, width_px: f64) -> Option<FlameWindow> {
    let f = graph.frame(frame)?;
    let len = f.len_nanos.max(MIN_VISIBLE_NANOS);
    let pad = ((len as f64) * ZOOM_PAD_FRACTION).round() as i64;
    Some(FlameWindow::new(
        f.start_nanos.saturating_sub(pad),
        f.start_nanos.saturating_add(len).saturating_add(pad),
        width_px,
    ))
}

/// Depths whose rows intersect a canvas of `height_px` scrolled by `scroll_top_px` (depth 0 on top).
pub fn visible_depths(graph: &FlameGraph, row_height_px: f64, scroll_top_px: f64, height_px: f64) -> Range<u32> {
    let h = if row_height_px.is_finite() && row_height_px > 0.0 { row_height_px } else { 1.0 };
    let n = f64::from(graph.depth_count());
    let first = (scroll_top_px.max(0.0) / h).floor().min(n);
    let last = ((scroll_top_px.max(0.0) + height_px.max(0.0)) / h).ceil().min(n).max(first);
    first as u32..last as u32
}

/// Depth at a canvas y, if there is a row there.
pub fn depth_at_y(graph: &FlameGraph, row_height_px: f64, scroll_top_px: f64, y_px: f64) -> Option<u32> {
    let h = if row_height_px.is_finite() && row_height_px > 0.0 { row_height_px } else { 1.0 };
    let d = ((y_px + scroll_top_px) / h).floor();
    (d.is_finite() && d >= 0.0 && d < f64::from(graph.depth_count())).then_some(d as u32)
}

#[cfg(test)]
#[path = "flame_tests.rs"]
mod tests;
