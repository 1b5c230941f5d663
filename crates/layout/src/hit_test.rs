//! Pointer → row / bar / event, and row ↔ scroll position.

use crate::lod::{event_marks, visible_bars};
use crate::rows::Rows;
use crate::viewport::Viewport;
use serde::{Deserialize, Serialize};
use spanlens_model::Trace;
use std::ops::Range;

/// Extra pixels on each side of a bar that still count as hitting it: thin bars must stay clickable.
pub const BAR_SLOP_PX: f64 = 3.0;
/// How close the pointer must be to an event tick to hit it.
pub const EVENT_SLOP_PX: f64 = 4.0;

/// Vertical geometry of the waterfall: fixed-height rows under a scroll offset.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowMetrics {
    pub row_height_px: f64,
}

impl RowMetrics {
    pub fn new(row_height_px: f64) -> Self {
        RowMetrics { row_height_px: if row_height_px.is_finite() && row_height_px > 0.0 { row_height_px } else { 1.0 } }
    }

    /// Total content height for scrollbars.
    pub fn content_height_px(&self, rows: &Rows) -> f64 {
        rows.len() as f64 * self.row_height_px
    }

    /// Row under a canvas y (0 = top of the canvas) at this scroll offset.
    pub fn row_at_y(&self, rows: &Rows, y_px: f64, scroll_top_px: f64) -> Option<usize> {
        let row = ((y_px + scroll_top_px) / self.row_height_px).floor();
        (row.is_finite() && row >= 0.0 && row < rows.len() as f64).then_some(row as usize)
    }

    /// Canvas y of a row's top edge at this scroll offset.
    pub fn y_of_row(&self, row: usize, scroll_top_px: f64) -> f64 {
        row as f64 * self.row_height_px - scroll_top_px
    }

    /// Rows intersecting a canvas of `height_px` at this scroll offset: the only rows to draw.
    pub fn visible_rows(&self, rows: &Rows, scroll_top_px: f64, height_px: f64) -> Range<usize> {
        let first = (scroll_top_px.max(0.0) / self.row_height_px).floor();
        let last = ((scroll_top_px.max(0.0) + height_px.max(0.0)) / self.row_height_px).ceil();
        let n = rows.len() as f64;
        let (first, last) = (first.min(n), last.min(n).max(first.min(n)));
        first as usize..last as usize
    }

    /// Scroll offset that brings `row` into view, moving as little as possible; centres it when it
    /// is far off-screen (after "scroll to selected" or find next).
    pub fn scroll_to_row(&self, rows: &Rows, row: usize, scroll_top_px: f64, height_px: f64) -> f64 {
        let top = row as f64 * self.row_height_px;
        let bottom = top + self.row_height_px;
        let max_scroll = (self.content_height_px(rows) - height_px).max(0.0);
        let target = if top >= scroll_top_px && bottom <= scroll_top_px + height_px {
            scroll_top_px
        } else if top < scroll_top_px && top >= scroll_top_px - height_px {
            top
        } else if bottom > scroll_top_px + height_px && bottom <= scroll_top_px + 2.0 * height_px {
            bottom - height_px
        } else {
            top - (height_px - self.row_height_px) / 2.0
        };
        target.clamp(0.0, max_scroll)
    }
}

/// What the pointer is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HitTarget {
    /// An event tick on a span's bar (`event` indexes `span.events`).
    Event { row: usize, span: u32, event: usize },
    /// A span's bar.
    Bar { row: usize, span: u32 },
    /// A row, away from its bar.
    Row { row: usize, span: u32 },
}

/// Hit-tests a pointer at canvas `(x_px, y_px)` over the timeline canvas. Events win over bars
/// because they are the smaller target.
pub fn hit_test(
    trace: &Trace,
    rows: &Rows,
    metrics: &RowMetrics,
    viewport: &Viewport,
    scroll_top_px: f64,
    x_px: f64,
    y_px: f64,
) -> Option<HitTarget> {
    let row = metrics.row_at_y(rows, y_px, scroll_top_px)?;
    let span = rows.span(row)?;
    let Some(bar) = visible_bars(trace, rows, row..row + 1, viewport).next() else {
        return Some(HitTarget::Row { row, span });
    };
    let nearest_event = event_marks(trace, span, viewport)
        .map(|(i, x)| (i, (x - x_px).abs()))
        .filter(|&(_, d)| d <= EVENT_SLOP_PX)
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((event, _)) = nearest_event {
        return Some(HitTarget::Event { row, span, event });
    }
    if x_px >= bar.x0_px - BAR_SLOP_PX && x_px <= bar.x1_px + BAR_SLOP_PX {
        Some(HitTarget::Bar { row, span })
    } else {
        Some(HitTarget::Row { row, span })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::{ViewState, layout_rows};
    use spanlens_analysis::test_util::{BASE_NANOS, build, idx, s, trace};
    use spanlens_model::Event;

    #[test]
    fn rows_scroll_and_hits() {
        let mut set = build(&[s(1, 0, 0, 1000), s(2, 1, 500, 100)]);
        let child = idx(&set, 2);
        set.traces[0].spans[child as usize].events = vec![Event {
            time_nanos: BASE_NANOS + 550,
            name: set.traces[0].spans[0].name,
            attributes: Box::default(),
            dropped_attributes_count: 0,
        }]
        .into();
        let t = trace(&set);
        let rows = layout_rows(t, &ViewState::new(t));
        let m = RowMetrics::new(20.0);
        let v = Viewport::for_trace(t, 1000.0);
        assert_eq!(m.row_at_y(&rows, 25.0, 0.0), Some(1));
        assert_eq!(m.row_at_y(&rows, 5.0, 20.0), Some(1));
        assert_eq!(m.row_at_y(&rows, 45.0, 0.0), None);
        assert_eq!(m.row_at_y(&rows, -1.0, 0.0), None);
        assert_eq!(m.visible_rows(&rows, 10.0, 15.0), 0..2);
        assert_eq!(m.visible_rows(&rows, 1e9, 15.0), 2..2);
        assert_eq!(
            hit_test(t, &rows, &m, &v, 0.0, 552.0, 25.0),
            Some(HitTarget::Event { row: 1, span: child, event: 0 })
        );
        assert_eq!(hit_test(t, &rows, &m, &v, 0.0, 598.0, 25.0), Some(HitTarget::Bar { row: 1, span: child }));
        assert_eq!(hit_test(t, &rows, &m, &v, 0.0, 100.0, 25.0), Some(HitTarget::Row { row: 1, span: child }));
        assert_eq!(hit_test(t, &rows, &m, &v, 0.0, 100.0, 5.0), Some(HitTarget::Bar { row: 0, span: idx(&set, 1) }));
    }

    #[test]
    fn scroll_to_row_moves_minimally_then_centres() {
        let set = build(&(1..=100).map(|i| s(i, if i == 1 { 0 } else { 1 }, i as i64, 10)).collect::<Vec<_>>());
        let t = trace(&set);
        let rows = layout_rows(t, &ViewState::new(t));
        let m = RowMetrics::new(10.0);
        assert_eq!(m.scroll_to_row(&rows, 5, 0.0, 100.0), 0.0);
        assert_eq!(m.scroll_to_row(&rows, 12, 0.0, 100.0), 30.0);
        assert_eq!(m.scroll_to_row(&rows, 50, 0.0, 100.0), 455.0);
        assert_eq!(m.scroll_to_row(&rows, 99, 0.0, 100.0), 900.0);
    }
}
