//! Which rows of a virtualised table to put in the DOM: the ones in view plus a margin either side,
//! so fast scrolling shows no gap. The statistics table, the flame graph's operations and the
//! comparison all render only this window between two spacer rows.

/// Rows rendered beyond the visible ones, each side.
pub const OVERSCAN_ROWS: usize = 12;

/// The display positions `first..end` of `len` rows of `row_height_px` to render when the scroller
/// is `height_px` tall and scrolled by `scroll_top_px`.
pub fn visible_rows(len: usize, row_height_px: f64, scroll_top_px: f64, height_px: f64) -> std::ops::Range<usize> {
    let row_height_px = if row_height_px > 0.0 { row_height_px } else { 1.0 };
    let first = ((scroll_top_px / row_height_px).floor().max(0.0) as usize).saturating_sub(OVERSCAN_ROWS);
    let visible = (height_px / row_height_px).ceil().max(1.0) as usize;
    let end = (first + visible + 2 * OVERSCAN_ROWS).min(len);
    first.min(end)..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_covers_the_view_and_stays_in_bounds() {
        assert_eq!(visible_rows(0, 28.0, 0.0, 500.0), 0..0);
        let w = visible_rows(100_000, 28.0, 0.0, 560.0);
        assert_eq!(w.start, 0);
        assert!(w.end >= 20 && w.end <= 60, "{w:?}");
        let w = visible_rows(100_000, 28.0, 28_000.0, 560.0);
        assert!(w.start <= 1000 && w.end >= 1020, "{w:?}");
        let w = visible_rows(10, 28.0, 28_000.0, 560.0);
        assert!(w.end <= 10 && w.start <= w.end);
        assert_eq!(visible_rows(5, 0.0, 0.0, 100.0), 0..5);
    }
}
