use super::*;
use crate::test_util::{build, chain, idx, random_tree, s, trace};

fn names(set: &spanlens_model::TraceSet, g: &FlameGraph, depth: u32) -> Vec<(String, i64, i64, u32)> {
    g.frames_at(depth).iter().map(|f| (set.resolve(f.name).to_owned(), f.start_nanos, f.len_nanos, f.count)).collect()
}

#[test]
fn time_order_is_one_frame_per_span_by_depth_then_start() {
    let set = build(&[
        s(1, 0, 0, 100).name("root"),
        s(3, 1, 50, 30).name("b"),
        s(2, 1, 10, 30).name("a").err(),
        s(4, 2, 15, 5).name("x"),
        s(5, 0, 90, 10).name("root2"),
    ]);
    let t = trace(&set);
    let g = flame_graph(t, FlameMode::TimeOrder);
    assert_eq!(g.depth_count(), 3);
    assert_eq!(names(&set, &g, 0), vec![("root".into(), 0, 100, 1), ("root2".into(), 90, 10, 1)]);
    assert_eq!(names(&set, &g, 1), vec![("a".into(), 10, 30, 1), ("b".into(), 50, 30, 1)]);
    let a = g.frame_of(idx(&set, 2)).unwrap();
    let f = g.frame(a).unwrap();
    assert_eq!((f.errors, f.self_nanos, f.parent), (1, 25, g.frame_of(idx(&set, 1)).unwrap()));
    assert_eq!(g.members_of(a), &[idx(&set, 2)]);
    assert_eq!(g.max_len_nanos, vec![100, 30, 5]);
    assert_eq!(g.extent_nanos, 100);
}

#[test]
fn left_heavy_merges_siblings_recursively_heaviest_first() {
    let set = build(&[
        s(1, 0, 0, 100).name("root"),
        s(2, 1, 0, 10).name("light"),
        s(3, 1, 10, 20).name("heavy"),
        s(4, 1, 40, 30).name("heavy").err(),
        s(5, 3, 10, 5).name("x"),
        s(6, 4, 40, 5).name("x"),
        s(7, 4, 50, 5).name("y"),
    ]);
    let t = trace(&set);
    let g = flame_graph(t, FlameMode::LeftHeavy);
    assert_eq!(names(&set, &g, 0), vec![("root".into(), 0, 100, 1)]);
    assert_eq!(names(&set, &g, 1), vec![("heavy".into(), 0, 50, 2), ("light".into(), 50, 10, 1)]);
    assert_eq!(names(&set, &g, 2), vec![("x".into(), 0, 10, 2), ("y".into(), 10, 5, 1)]);
    let heavy = g.frame(1).unwrap();
    assert_eq!((heavy.errors, heavy.total_nanos, heavy.self_nanos, heavy.parent), (1, 50, 35, 0));
    assert_eq!(heavy.span, idx(&set, 4), "the longest member represents the frame");
    let mut members = g.members_of(1).to_vec();
    members.sort_unstable();
    assert_eq!(members, vec![idx(&set, 3), idx(&set, 4)]);
    assert_eq!(g.frame_of(idx(&set, 6)), Some(3));
    assert_eq!(g.frame(0).unwrap().self_nanos, 40);
}

#[test]
fn left_heavy_widens_parents_to_fit_concurrent_children() {
    // Two concurrent 80 ns children in a 100 ns parent: 160 ns of children.
    let set = build(&[s(1, 0, 0, 100).name("root"), s(2, 1, 0, 80).name("a"), s(3, 1, 10, 80).name("a")]);
    let g = flame_graph(trace(&set), FlameMode::LeftHeavy);
    let root = g.frame(0).unwrap();
    assert_eq!((root.len_nanos, root.total_nanos), (160, 100));
    assert_eq!(g.extent_nanos, 160);
}

#[test]
fn depths_are_sorted_and_children_inside_parents() {
    let set = build(&random_tree(5_000, 7));
    let t = trace(&set);
    for mode in [FlameMode::TimeOrder, FlameMode::LeftHeavy] {
        let g = flame_graph(t, mode);
        let mut seen = 0;
        for d in 0..g.depth_count() {
            let frames = g.frames_at(d);
            seen += frames.iter().map(|f| f.count as usize).sum::<usize>();
            assert!(frames.windows(2).all(|w| w[0].start_nanos <= w[1].start_nanos), "{mode:?} depth {d}");
            assert!(frames.iter().all(|f| f.depth == d && f.len_nanos <= g.max_len_nanos[d as usize]));
            if mode == FlameMode::LeftHeavy {
                for f in frames.iter().filter(|f| f.parent != NONE) {
                    let p = g.frame(f.parent).unwrap();
                    assert!(p.start_nanos <= f.start_nanos && f.end_nanos() <= p.end_nanos());
                }
            }
        }
        assert_eq!(seen, t.spans.len(), "{mode:?}: every span in exactly one frame");
        assert_eq!(g.members.len(), t.spans.len());
    }
}

#[test]
fn hundred_thousand_level_chain_builds() {
    let set = chain(100_000);
    let t = trace(&set);
    for mode in [FlameMode::TimeOrder, FlameMode::LeftHeavy] {
        let g = flame_graph(t, mode);
        assert_eq!(g.depth_count(), 100_000);
        assert_eq!(g.frames.len(), 100_000);
        assert_eq!(g.frames_at(99_999).len(), 1);
    }
}

#[test]
fn table_sums_per_operation() {
    let set = build(&[
        s(1, 0, 0, 100).name("GET"),
        s(2, 1, 10, 30).name("db").svc("pg"),
        s(3, 1, 50, 30).name("db").svc("pg").err(),
        s(4, 0, 200, 50).name("GET"),
    ]);
    let t = trace(&set);
    let rows = flame_table(t, &self_times(t));
    assert_eq!(rows.len(), 2);
    let get = rows.iter().find(|r| set.resolve(r.name) == "GET").unwrap();
    assert_eq!((get.count, get.total_nanos, get.self_nanos), (2, 150, 90));
    let db = rows.iter().find(|r| set.resolve(r.name) == "db").unwrap();
    assert_eq!((db.count, db.errors, db.total_nanos, db.self_nanos), (2, 1, 60, 60));
}

#[test]
fn empty_trace_gives_empty_graphs() {
    let set = build(&[]);
    if let Some(t) = set.traces.first() {
        for mode in [FlameMode::TimeOrder, FlameMode::LeftHeavy] {
            assert!(flame_graph(t, mode).frames.is_empty());
        }
    }
}
