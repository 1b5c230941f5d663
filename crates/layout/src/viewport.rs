//! Time ↔ pixel mapping for the waterfall and the minimap.
//!
//! Epoch nanoseconds (~1.7e18) exceed f64's 53-bit mantissa, so a timestamp is never converted to
//! f64 directly: the offset from the view start is taken in i128 first, which is exact, and only that
//! offset becomes f64. Results going back to nanoseconds are clamped into `i64` instead of wrapping.

use serde::{Deserialize, Serialize};
use spanlens_model::Trace;

/// Narrowest time range a zoom may reach. At 100 ns a 2,000 px canvas shows 0.05 ns per pixel, past
/// any clock's resolution, while staying far from f64 precision limits.
pub const MIN_VISIBLE_NANOS: i64 = 100;

/// The visible time range `start_nanos..end_nanos` drawn across `width_px`, inside the zoom bounds
/// `bounds_start_nanos..bounds_end_nanos` (normally the whole trace).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Viewport {
    pub start_nanos: i64,
    pub end_nanos: i64,
    pub width_px: f64,
    pub bounds_start_nanos: i64,
    pub bounds_end_nanos: i64,
}

impl Viewport {
    /// The whole range `start..end` at `width_px`; also the zoom bounds. An empty or inverted range is
    /// widened to [`MIN_VISIBLE_NANOS`] so every mapping stays finite.
    pub fn new(start_nanos: i64, end_nanos: i64, width_px: f64) -> Self {
        let end_nanos = end_nanos.max(start_nanos.saturating_add(MIN_VISIBLE_NANOS));
        let start_nanos = start_nanos.min(end_nanos.saturating_sub(MIN_VISIBLE_NANOS));
        Viewport {
            start_nanos,
            end_nanos,
            width_px: sane_width(width_px),
            bounds_start_nanos: start_nanos,
            bounds_end_nanos: end_nanos,
        }
    }

    /// The whole trace at `width_px`.
    pub fn for_trace(trace: &Trace, width_px: f64) -> Self {
        Viewport::new(trace.start_nanos, trace.end_nanos, width_px)
    }

    pub fn with_width(mut self, width_px: f64) -> Self {
        self.width_px = sane_width(width_px);
        self
    }

    pub fn visible_nanos(&self) -> i64 {
        self.end_nanos.saturating_sub(self.start_nanos).max(1)
    }

    fn bounds_nanos(&self) -> i64 {
        self.bounds_end_nanos.saturating_sub(self.bounds_start_nanos).max(1)
    }

    /// Pixels per nanosecond.
    pub fn px_per_nanos(&self) -> f64 {
        self.width_px / self.visible_nanos() as f64
    }

    /// X of a time; times outside the view map outside `0..width_px` (callers clamp when drawing).
    pub fn px_from_nanos(&self, nanos: i64) -> f64 {
        difference_f64(nanos, self.start_nanos) * self.px_per_nanos()
    }

    /// Length in pixels of a duration at this zoom.
    pub fn px_from_duration(&self, nanos: i64) -> f64 {
        nanos as f64 * self.px_per_nanos()
    }

    /// Time at an x, rounded to the nearest nanosecond and clamped into `i64`.
    pub fn nanos_from_px(&self, px: f64) -> i64 {
        let offset = if px.is_finite() { px / self.px_per_nanos() } else { 0.0 };
        clamp_i64(i128::from(self.start_nanos) + offset.round() as i128)
    }

    /// Zooms by `factor` (> 1 zooms in) keeping the time under `anchor_px` fixed. The visible range
    /// stays between [`MIN_VISIBLE_NANOS`] (or the bounds, if narrower) and the bounds.
    pub fn zoom(&self, anchor_px: f64, factor: f64) -> Viewport {
        if !(factor.is_finite() && factor > 0.0) {
            return *self;
        }
        let anchor_px = if anchor_px.is_finite() { anchor_px.clamp(0.0, self.width_px) } else { 0.0 };
        let anchor_nanos = self.nanos_from_px(anchor_px);
        let max_span = self.bounds_nanos();
        let min_span = MIN_VISIBLE_NANOS.min(max_span);
        let span = ((self.visible_nanos() as f64 / factor).round() as i64).clamp(min_span, max_span);
        let left = (span as f64 * anchor_px / self.width_px).round() as i64;
        self.with_range_len(anchor_nanos.saturating_sub(left), span)
    }

    /// Pans by `dx_px` (positive moves the view later in time, i.e. content scrolls left), within bounds.
    pub fn pan_px(&self, dx_px: f64) -> Viewport {
        if !dx_px.is_finite() {
            return *self;
        }
        let dt = (dx_px / self.px_per_nanos()).round();
        let dt = dt.clamp(i64::MIN as f64, i64::MAX as f64) as i64;
        self.with_range_len(self.start_nanos.saturating_add(dt), self.visible_nanos())
    }

    /// Shows `start..end` (swapped if inverted), widened to the minimum and shifted into bounds.
    pub fn set_range(&self, start_nanos: i64, end_nanos: i64) -> Viewport {
        let (a, b) = if start_nanos <= end_nanos { (start_nanos, end_nanos) } else { (end_nanos, start_nanos) };
        let max_span = self.bounds_nanos();
        let span = b.saturating_sub(a).clamp(MIN_VISIBLE_NANOS.min(max_span), max_span);
        let mid = a.saturating_add(b.saturating_sub(a) / 2);
        self.with_range_len(mid.saturating_sub(span / 2), span)
    }

    /// The time range a drag from `x0_px` to `x1_px` on this viewport selects (the minimap drag);
    /// feed it to the main viewport's [`Viewport::set_range`].
    pub fn range_from_px_selection(&self, x0_px: f64, x1_px: f64) -> (i64, i64) {
        let (a, b) = (self.nanos_from_px(x0_px.min(x1_px)), self.nanos_from_px(x0_px.max(x1_px)));
        (a.max(self.bounds_start_nanos), b.min(self.bounds_end_nanos))
    }

    /// Back to the whole bounds (the "reset zoom" button).
    pub fn reset(&self) -> Viewport {
        Viewport { start_nanos: self.bounds_start_nanos, end_nanos: self.bounds_end_nanos, ..*self }
    }

    fn with_range_len(&self, start: i64, span: i64) -> Viewport {
        let max_start = self.bounds_end_nanos.saturating_sub(span);
        let start = start.min(max_start).max(self.bounds_start_nanos);
        Viewport { start_nanos: start, end_nanos: start.saturating_add(span), ..*self }
    }
}

fn sane_width(width_px: f64) -> f64 {
    if width_px.is_finite() && width_px >= 1.0 { width_px } else { 1.0 }
}

fn clamp_i64(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// `a - b` as an `f64`, rounded exactly as the `i128` difference would be, without converting an
/// `i128` unless the difference overflows `i64`: in wasm that conversion is a software routine, and it
/// took a cold page 12 ms of a million-span trace's first layout (profiled).
pub(crate) fn difference_f64(a: i64, b: i64) -> f64 {
    match a.checked_sub(b) {
        Some(d) => d as f64,
        None => (i128::from(a) - i128::from(b)) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_123_456_789;

    #[test]
    fn differences_round_as_in_i128() {
        for (a, b) in
            [(T0, 0), (0, T0), (i64::MAX, i64::MIN), (i64::MIN, i64::MAX), (i64::MAX, -1), (1, 2), (T0 + 3, T0)]
        {
            assert_eq!(difference_f64(a, b), (i128::from(a) - i128::from(b)) as f64, "{a} - {b}");
        }
    }

    #[test]
    fn epoch_times_map_exactly() {
        let v = Viewport::new(T0, T0 + 1_000_000, 1000.0);
        assert_eq!(v.px_from_nanos(T0), 0.0);
        assert_eq!(v.px_from_nanos(T0 + 500_000), 500.0);
        assert_eq!(v.px_from_nanos(T0 + 1_000_000), 1000.0);
        assert_eq!(v.nanos_from_px(250.0), T0 + 250_000);
        assert_eq!(v.nanos_from_px(1.0), T0 + 1000);
        // Round trip is exact to the nanosecond at any pixel.
        for px in [0.0, 0.001, 333.3, 999.999] {
            let t = v.nanos_from_px(px);
            assert!((v.px_from_nanos(t) - px).abs() < 1e-3);
        }
    }

    #[test]
    fn zoom_keeps_the_anchor_and_clamps() {
        let v = Viewport::new(T0, T0 + 1_000_000_000, 1000.0);
        let z = v.zoom(250.0, 4.0);
        assert_eq!(z.visible_nanos(), 250_000_000);
        assert_eq!(z.nanos_from_px(250.0), v.nanos_from_px(250.0));
        let deep = (0..100).fold(v, |acc, _| acc.zoom(500.0, 10.0));
        assert_eq!(deep.visible_nanos(), MIN_VISIBLE_NANOS);
        assert!(deep.start_nanos >= v.start_nanos && deep.end_nanos <= v.end_nanos);
        let out = z.zoom(0.0, 0.001);
        assert_eq!((out.start_nanos, out.end_nanos), (v.start_nanos, v.end_nanos));
        assert_eq!(v.zoom(10.0, f64::NAN), v);
    }

    #[test]
    fn pan_and_selection_stay_in_bounds() {
        let v = Viewport::new(T0, T0 + 1_000, 100.0).zoom(0.0, 2.0);
        assert_eq!((v.start_nanos, v.end_nanos), (T0, T0 + 500));
        let p = v.pan_px(50.0);
        assert_eq!((p.start_nanos, p.end_nanos), (T0 + 250, T0 + 750));
        let far = v.pan_px(1e12);
        assert_eq!(far.end_nanos, T0 + 1_000);
        let back = v.pan_px(-1e300);
        assert_eq!(back.start_nanos, T0);
        let minimap = Viewport::new(T0, T0 + 1_000, 100.0);
        let (a, b) = minimap.range_from_px_selection(80.0, 20.0);
        assert_eq!((a, b), (T0 + 200, T0 + 800));
        let sel = v.set_range(a, b);
        assert_eq!((sel.start_nanos, sel.end_nanos), (T0 + 200, T0 + 800));
        let tiny = v.set_range(T0 + 990, T0 + 990);
        assert_eq!((tiny.start_nanos, tiny.end_nanos), (T0 + 900, T0 + 1_000));
        assert_eq!(v.reset().visible_nanos(), 1_000);
    }

    #[test]
    fn hostile_ranges_do_not_overflow() {
        let v = Viewport::new(i64::MIN, i64::MAX, 0.0);
        assert!(v.px_from_nanos(0).is_finite());
        assert_eq!(v.nanos_from_px(f64::INFINITY), i64::MIN);
        let z = v.zoom(0.5, 1e30);
        assert_eq!(z.visible_nanos(), MIN_VISIBLE_NANOS);
        let empty = Viewport::new(5, 5, 100.0);
        assert_eq!(empty.visible_nanos(), MIN_VISIBLE_NANOS);
        assert!(empty.px_from_nanos(5).is_finite());
    }
}
