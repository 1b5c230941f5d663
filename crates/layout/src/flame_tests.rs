use super::*;
use spanlens_analysis::flame::{FlameMode, flame_graph};
use spanlens_analysis::test_util::{S, build, chain, idx, s, trace};

/// A 1000 ns root over 100 back-to-back 1 ns children (one an error) and one 500 ns child.
fn comb() -> Vec<S> {
    let mut spans = vec![s(1, 0, 0, 1000).name("root")];
    for i in 0..100u64 {
        let child = s(10 + i, 1, i as i64, 1).name("tiny");
        spans.push(if i == 42 { child.err() } else { child });
    }
    spans.push(s(2, 1, 500, 500).name("big"));
    spans
}

#[test]
fn sub_pixel_frames_merge_into_runs_per_depth() {
    let set = build(&comb());
    let g = flame_graph(trace(&set), FlameMode::TimeOrder);
    // 0.1 px per ns: the tiny frames are 0.1 px wide.
    let w = FlameWindow::new(0, 1000, 100.0);
    let boxes = flame_boxes(&g, &w, 0..g.depth_count());
    assert_eq!(boxes.len(), 3, "{boxes:?}");
    let root = boxes[0];
    assert_eq!((root.depth, root.x0_px, root.x1_px, root.frame, root.count), (0, 0.0, 100.0, 0, 1));
    // Whole frames are emitted as met, a run when it closes.
    let run = *boxes.iter().find(|b| b.is_run()).unwrap();
    assert_eq!((run.depth, run.count, run.frames, run.has_error), (1, 100, 100, true));
    assert!(run.x0_px == 0.0 && (run.x1_px - 10.0).abs() < 1e-9);
    let big = *boxes.iter().find(|b| b.depth == 1 && !b.is_run()).unwrap();
    assert_eq!((big.frame, big.x0_px, big.x1_px), (g.frame_of(idx(&set, 2)).unwrap(), 50.0, 100.0));

    // Zoomed in to the first 100 ns (2 px per ns) every tiny frame is whole; "big" is culled.
    let zoomed = flame_boxes(&g, &FlameWindow::new(0, 100, 200.0), 1..2);
    assert_eq!(zoomed.len(), 100);
    assert!(zoomed.iter().all(|b| !b.is_run() && b.count == 1));
    assert!(zoomed.iter().any(|b| b.frame == g.frame_of(idx(&set, 10)).unwrap()));
}

#[test]
fn hit_testing_picks_the_frame_under_the_pointer() {
    let set = build(&comb());
    let g = flame_graph(trace(&set), FlameMode::TimeOrder);
    let w = FlameWindow::new(0, 1000, 1000.0);
    assert_eq!(flame_hit(&g, &w, 700.0, 1), g.frame_of(idx(&set, 2)));
    assert_eq!(flame_hit(&g, &w, 10.6, 1), g.frame_of(idx(&set, 20)));
    assert_eq!(flame_hit(&g, &w, 3.0, 0), Some(0));
    // 300 px: nothing within the slop at depth 1.
    assert_eq!(flame_hit(&g, &w, 300.0, 1), None);
    // Just left of "big" (at 500 px): within the slop.
    assert_eq!(flame_hit(&g, &w, 498.0, 1), g.frame_of(idx(&set, 2)));
    assert_eq!(flame_hit(&g, &w, 10.0, 7), None);
    assert_eq!(flame_hit(&g, &w, f64::NAN, 0), None);
}

#[test]
fn zoom_to_frame_frames_it_with_a_margin() {
    let set = build(&comb());
    let g = flame_graph(trace(&set), FlameMode::TimeOrder);
    let big = g.frame_of(idx(&set, 2)).unwrap();
    let w = zoom_to_frame(&g, big, 800.0).unwrap();
    assert_eq!((w.start_nanos, w.end_nanos, w.width_px), (475, 1025, 800.0));
    assert!(zoom_to_frame(&g, 9_999, 800.0).is_none());
    let tiny = zoom_to_frame(&g, g.frame_of(idx(&set, 10)).unwrap(), 800.0).unwrap();
    assert!(tiny.visible_nanos() >= MIN_VISIBLE_NANOS);
}

#[test]
fn left_heavy_boxes_share_the_model() {
    let set = build(&comb());
    let g = flame_graph(trace(&set), FlameMode::LeftHeavy);
    let boxes = flame_boxes(&g, &FlameWindow::whole(&g, 1000.0), 0..g.depth_count());
    // root; big (500) then the 100 merged tiny spans (100 ns) as one frame.
    assert_eq!(boxes.len(), 3);
    assert_eq!(boxes[2].count, 100);
    assert!(boxes[2].has_error && !boxes[2].is_run());
    assert_eq!(flame_hit(&g, &FlameWindow::whole(&g, 1000.0), 550.0, 1), Some(boxes[2].frame));
}

#[test]
fn deep_chain_rows_scroll() {
    let set = chain(100_000);
    let g = flame_graph(trace(&set), FlameMode::TimeOrder);
    let depths = visible_depths(&g, 16.0, 16.0 * 90_000.0, 160.0);
    assert_eq!(depths, 90_000..90_010);
    assert_eq!(depth_at_y(&g, 16.0, 16.0 * 90_000.0, 17.0), Some(90_001));
    let boxes = flame_boxes(&g, &FlameWindow::whole(&g, 1000.0), depths);
    assert_eq!(boxes.len(), 10);
    assert_eq!(visible_depths(&g, 16.0, 1e12, 100.0), 100_000..100_000);
}

#[test]
fn million_frames_draw_in_bounded_items() {
    let set = spanlens_synth::generate(&spanlens_synth::SynthOptions {
        spans: 1_000_000,
        traces: 1,
        seed: 3,
        deep_chain: false,
    });
    let t = &set.traces[0];
    for mode in [FlameMode::TimeOrder, FlameMode::LeftHeavy] {
        let g = flame_graph(t, mode);
        let width = 1200.0;
        let w = FlameWindow::whole(&g, width);
        let boxes = flame_boxes(&g, &w, 0..g.depth_count());
        let bound = 2 * (width as usize + 2) * g.depth_count() as usize;
        assert!(boxes.len() <= bound, "{mode:?}: {} items > {bound}", boxes.len());
        assert!(boxes.len() < t.spans.len() / 10, "{mode:?}: {} items for 1M spans", boxes.len());
        let covered: u64 = boxes.iter().map(|b| u64::from(b.count)).sum();
        assert!(covered > 0);
    }
}

#[test]
fn hostile_times_never_panic() {
    use spanlens_analysis::test_util::BASE_NANOS;
    let far = i64::MAX - BASE_NANOS - 5;
    let set = build(&[
        s(1, 0, 0, i64::MAX),
        s(2, 1, far, i64::MAX).err(),
        s(3, 1, -BASE_NANOS, -50),
        s(4, 2, 10, 0),
        s(5, 0, far, 1).incomplete(),
    ]);
    let t = trace(&set);
    for mode in [FlameMode::TimeOrder, FlameMode::LeftHeavy] {
        let g = flame_graph(t, mode);
        assert_eq!(g.members.len(), 5);
        for w in [
            FlameWindow::whole(&g, 800.0),
            FlameWindow::new(i64::MIN, i64::MAX, 800.0),
            FlameWindow::new(i64::MAX, i64::MIN, f64::NAN),
            FlameWindow::new(0, 1, 1e12),
        ] {
            let boxes = flame_boxes(&g, &w, 0..u32::MAX);
            assert!(
                boxes.iter().all(|b| b.x0_px.is_finite() && b.x1_px.is_finite() && b.x0_px <= b.x1_px),
                "{mode:?} {w:?} {boxes:?} {:?}",
                g.frames
            );
            for x in [-1e300, -1.0, 0.0, 400.0, 1e300, f64::INFINITY] {
                for d in 0..4 {
                    let _ = flame_hit(&g, &w, x, d);
                }
            }
        }
        for f in 0..g.frames.len() as u32 {
            assert!(zoom_to_frame(&g, f, 800.0).is_some());
        }
    }
    let d = spanlens_analysis::compare(t, &set.strings, t, &set.strings);
    assert!(d.nodes.iter().all(|n| n.change_nanos() == 0));
}

#[test]
fn skipping_disjoint_stretches_matches_the_full_walk() {
    let set = build(&spanlens_analysis::test_util::random_tree(50_000, 11));
    for mode in [FlameMode::TimeOrder, FlameMode::LeftHeavy] {
        let g = flame_graph(trace(&set), mode);
        assert!(g.disjoint.iter().any(|&d| d), "{mode:?}: some depth is disjoint");
        let mut slow = g.clone();
        slow.disjoint.iter_mut().for_each(|d| *d = false);
        for (from, to, width) in
            [(0, g.extent_nanos, 700.0), (g.extent_nanos / 3, g.extent_nanos / 2, 1300.0), (5, 900, 300.0)]
        {
            let w = FlameWindow::new(from, to, width);
            let (fast, full) = (flame_boxes(&g, &w, 0..g.depth_count()), flame_boxes(&slow, &w, 0..g.depth_count()));
            let sum = |b: &[FlameBox]| {
                b.iter()
                    .map(|b| (u64::from(b.count), u64::from(b.frames), u64::from(b.has_error)))
                    .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2))
            };
            assert_eq!(sum(&fast), sum(&full), "{mode:?} {w:?}");
            let whole = |b: &[FlameBox]| b.iter().filter(|b| !b.is_run()).map(|b| b.frame).collect::<Vec<_>>();
            assert_eq!(whole(&fast), whole(&full), "{mode:?} {w:?}: the same whole frames");
        }
    }
}
