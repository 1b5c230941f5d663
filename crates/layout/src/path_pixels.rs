//! The critical path as pixels: the runs of whole pixels a row's critical-path segments cover.

use crate::viewport::Viewport;
use spanlens_analysis::Segment;

/// Below this many segments a row's stripe is drawn segment by segment; merging is for the rows
/// that fold a subtree into their bar.
const MERGE_FROM_SEGMENTS: usize = 16;

/// The pixel runs `segments` cover in `viewport`, as `(x0, x1)` in whole pixels. Past a handful of
/// segments they are merged, at most one rectangle per run of covered pixels: a collapsed row merges
/// its whole subtree's segments into its bar, and in a 100,000-level chain that is 100,000 segments,
/// which drawn one by one cost a third of a second per frame. Merging costs a pass over the segments
/// and one over the pixels, so a row with a few segments (every expanded row) skips it.
pub fn pixel_runs(segments: &[Segment], viewport: &Viewport) -> Vec<(f64, f64)> {
    let width = viewport.width_px.max(0.0).ceil() as usize;
    if width == 0 {
        return Vec::new();
    }
    let visible =
        segments.iter().filter(|seg| seg.end_nanos >= viewport.start_nanos && seg.start_nanos <= viewport.end_nanos);
    let span_px = |seg: &Segment| {
        let x0 = viewport.px_from_nanos(seg.start_nanos).max(0.0).floor() as usize;
        let x1 = (viewport.px_from_nanos(seg.end_nanos).min(viewport.width_px).ceil() as usize).max(x0 + 1);
        (x0.min(width), x1.min(width).max(x0.min(width)))
    };
    if segments.len() < MERGE_FROM_SEGMENTS {
        return visible.map(span_px).filter(|(a, b)| b > a).map(|(a, b)| (a as f64, b as f64)).collect();
    }
    // +1 where coverage starts, -1 where it ends, per whole pixel.
    let mut delta = vec![0i32; width + 1];
    for seg in visible {
        let (x0, x1) = span_px(seg);
        if let Some(d) = delta.get_mut(x0) {
            *d += 1;
        }
        if let Some(d) = delta.get_mut(x1) {
            *d -= 1;
        }
    }
    let mut runs = Vec::new();
    let (mut depth, mut open) = (0i32, None);
    for (x, d) in delta.iter().enumerate() {
        depth += d;
        match (depth > 0, open) {
            (true, None) => open = Some(x),
            (false, Some(start)) => {
                runs.push((start as f64, x as f64));
                open = None;
            }
            _ => {}
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_runs_merge_overlapping_and_adjacent_segments() {
        let vp = Viewport::new(0, 1000, 100.0);
        let seg = |a, b| Segment { span: 0, start_nanos: a, end_nanos: b };
        // 0–10 px and 5–20 px overlap; 20–30 px touches; 50–50.01 px is widened to one pixel;
        // one segment is outside the view.
        let few = [seg(0, 100), seg(50, 200), seg(200, 300), seg(500, 501), seg(2000, 3000)];
        assert_eq!(pixel_runs(&few, &vp), vec![(0.0, 10.0), (5.0, 20.0), (20.0, 30.0), (50.0, 51.0)]);
        // The same segments among enough others are merged into runs.
        let mut many_small: Vec<_> = few.to_vec();
        many_small.extend((0..20).map(|_| seg(0, 50)));
        assert_eq!(pixel_runs(&many_small, &vp), vec![(0.0, 30.0), (50.0, 51.0)]);
        assert!(pixel_runs(&[], &vp).is_empty());
        // A 100,000-segment chain collapses into one run per covered stretch.
        let many: Vec<_> = (0..100_000).map(|i| seg(i / 100, i / 100 + 1)).collect();
        assert_eq!(pixel_runs(&many, &vp), vec![(0.0, 100.0)]);
    }
}
