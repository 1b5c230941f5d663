//! Tests of [`super`]: row order, guides, collapse/expand, filters, 100k-deep chains.
use super::*;
use spanlens_analysis::test_util::{build, chain, idx, s, trace};

// root(1) ─┬─ a(2) ── a1(4)
//          └─ b(3) ─┬─ b1(5)
//                   └─ b2(6)
fn sample() -> spanlens_model::TraceSet {
    build(&[s(1, 0, 0, 100), s(2, 1, 10, 30), s(3, 1, 50, 40), s(4, 2, 12, 5), s(5, 3, 55, 10), s(6, 3, 70, 10)])
}

fn ids(set: &spanlens_model::TraceSet, rows: &Rows) -> Vec<u64> {
    rows.spans().iter().map(|&i| trace(set).spans[i as usize].span_id.0).collect()
}

#[test]
fn preorder_rows_with_depth_and_guides() {
    let set = sample();
    let t = trace(&set);
    let rows = layout_rows(t, &ViewState::new(t));
    assert_eq!(ids(&set, &rows), vec![1, 2, 4, 3, 5, 6]);
    let depths: Vec<u32> = (0..rows.len()).map(|r| rows.row(r).unwrap().depth).collect();
    assert_eq!(depths, vec![0, 1, 2, 1, 2, 2]);
    assert!(rows.row(0).unwrap().has_children);
    assert!(!rows.row(2).unwrap().has_children);
    // a1 (row 2): column 1 elbow is └ (last child of a), column 0 continues (a has sibling b).
    let g = rows.guides(&t.tree, 2);
    assert!(g.continues_in_column(0));
    assert!(!g.continues_in_column(1));
    // b1 (row 4): ├ in column 1, nothing in column 0 (b is root's last child).
    let g = rows.guides(&t.tree, 4);
    assert!(!g.continues_in_column(0));
    assert!(g.continues_in_column(1));
    assert_eq!(rows.row_of_span(&t.tree, idx(&set, 5)), Some(4));
}

#[test]
fn collapse_and_expand_incrementally_match_full_layout() {
    let set = sample();
    let t = trace(&set);
    let mut state = ViewState::new(t);
    let mut rows = layout_rows(t, &state);
    let b = idx(&set, 3);
    assert!(rows.set_collapsed(t, &mut state, b, true));
    assert_eq!(ids(&set, &rows), vec![1, 2, 4, 3]);
    assert_eq!(rows.row(3).unwrap().hidden_descendants, 2);
    assert!(rows.row(3).unwrap().collapsed);
    assert_eq!(rows.row_of_span(&t.tree, idx(&set, 5)), None);
    assert_eq!(rows, layout_rows(t, &state));
    // Collapse the root too, then expand the root only: b stays collapsed.
    let root = idx(&set, 1);
    assert!(rows.set_collapsed(t, &mut state, root, true));
    assert_eq!(ids(&set, &rows), vec![1]);
    assert_eq!(rows.row(0).unwrap().hidden_descendants, 5);
    assert!(!rows.set_collapsed(t, &mut state, b, false), "b is not shown, only state changes");
    assert!(!rows.set_collapsed(t, &mut state, b, true));
    assert!(rows.set_collapsed(t, &mut state, root, false));
    assert_eq!(ids(&set, &rows), vec![1, 2, 4, 3]);
    assert_eq!(rows, layout_rows(t, &state));
    assert!(rows.set_collapsed(t, &mut state, b, false));
    assert_eq!(rows, layout_rows(t, &ViewState::new(t)));
    // Collapsing a leaf changes nothing.
    assert!(!rows.set_collapsed(t, &mut state, idx(&set, 4), true));
}

#[test]
fn filter_keeps_dimmed_ancestors_of_shown_spans() {
    let set = sample();
    let t = trace(&set);
    let mut state = ViewState::new(t);
    // Only b2 passes the filter.
    let mut hidden = BitSet::full(t.spans.len());
    hidden.remove(idx(&set, 6));
    state.hidden = Some(hidden);
    let mut rows = layout_rows(t, &state);
    assert_eq!(ids(&set, &rows), vec![1, 3, 6]);
    let r: Vec<Row> = (0..3).map(|i| rows.row(i).unwrap()).collect();
    assert!(r[0].dimmed && r[1].dimmed && !r[2].dimmed);
    assert_eq!(r[2].depth, 2);
    assert!(r[1].has_children && !r[2].has_children);
    // b2 is now the last shown child of b: └, and b is the last shown child of root.
    let g = rows.guides(&t.tree, 2);
    assert_eq!(g.continues & 0b11, 0);
    assert!(rows.set_collapsed(t, &mut state, idx(&set, 1), true));
    assert_eq!(rows.row(0).unwrap().hidden_descendants, 2);
    assert!(rows.set_collapsed(t, &mut state, idx(&set, 1), false));
    assert_eq!(rows, layout_rows(t, &state));
}

#[test]
fn collapse_from_depth_and_reveal() {
    let set = sample();
    let t = trace(&set);
    let mut state = ViewState::new(t);
    state.collapse_from_depth(&t.tree, 1);
    assert_eq!(ids(&set, &layout_rows(t, &state)), vec![1, 2, 3]);
    state.collapse_all(&t.tree);
    assert_eq!(ids(&set, &layout_rows(t, &state)), vec![1]);
    state.reveal(&t.tree, idx(&set, 5));
    assert_eq!(ids(&set, &layout_rows(t, &state)), vec![1, 2, 3, 5, 6]);
    state.expand_all();
    assert_eq!(layout_rows(t, &state).len(), 6);
}

#[test]
fn random_toggles_match_full_layout() {
    use spanlens_analysis::test_util::random_tree;
    for seed in 0..4 {
        let set = build(&random_tree(1500, seed));
        let t = trace(&set);
        let n = t.spans.len() as u32;
        let mut state = ViewState::new(t);
        if seed % 2 == 1 {
            state.hidden = Some(BitSet::from_indices(n as usize, (0..n).filter(|i| i % 3 != 0)));
        }
        let mut rows = layout_rows(t, &state);
        let mut x = seed + 7;
        for _ in 0..300 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let span = ((x >> 33) % u64::from(n)) as u32;
            let collapse = !state.collapsed.contains(span);
            rows.set_collapsed(t, &mut state, span, collapse);
        }
        assert_eq!(rows, layout_rows(t, &state));
        for r in 0..rows.len() {
            let row = rows.row(r).unwrap();
            assert_eq!(row.depth, t.tree.depth[row.span as usize]);
            assert_eq!(rows.row_of_span(&t.tree, row.span), Some(r));
        }
    }
}

#[test]
fn relayout_equals_full_layout_for_any_change() {
    use spanlens_analysis::test_util::random_tree;
    let set = build(&random_tree(2000, 11));
    let t = trace(&set);
    let n = t.spans.len() as u32;
    let mut state = ViewState::new(t);
    let mut rows = layout_rows(t, &state);
    let mut x = 99u64;
    let mut next = |m: u64| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    for step in 0..200 {
        let mut new_state = state.clone();
        match step % 10 {
            // A filter change: the whole layout is redone.
            3 => new_state.hidden = Some(BitSet::from_indices(n as usize, (0..n).filter(|i| i % (2 + step % 5) != 0))),
            6 => new_state.hidden = None,
            // Collapse all / expand all: too many flags to replay.
            8 => new_state.collapse_all(&t.tree),
            9 => new_state.expand_all(),
            _ => {
                for _ in 0..=next(4) {
                    let span = next(u64::from(n)) as u32;
                    let flip = !new_state.collapsed.contains(span);
                    new_state.collapsed.set(span, flip);
                }
            }
        }
        let next_rows = rows.relayout(t, &new_state);
        assert_eq!(next_rows, layout_rows(t, &new_state), "step {step}");
        rows = next_rows;
        state = new_state;
    }
}

#[test]
fn bitset_differences_are_exact_and_bounded() {
    let a = BitSet::from_indices(300, [1, 64, 200]);
    let b = BitSet::from_indices(300, [1, 65, 200, 299]);
    assert_eq!(a.differences(&b, 10), Some(vec![64, 65, 299]));
    assert_eq!(a.differences(&b, 2), None);
    assert_eq!(a.differences(&a, 0), Some(vec![]));
    assert_eq!(a.differences(&BitSet::new(10), 10), None);
}

#[test]
fn deep_chain_lays_out_collapses_and_draws_guides() {
    let n = 100_000u64;
    let set = chain(n);
    let t = trace(&set);
    let mut state = ViewState::new(t);
    let mut rows = layout_rows(t, &state);
    assert_eq!(rows.len(), n as usize);
    let last = rows.row(n as usize - 1).unwrap();
    assert_eq!(last.depth, n as u32 - 1);
    let g = rows.guides(&t.tree, n as usize - 1);
    assert_eq!((g.levels, g.continues), (64, 0));
    let mid = idx(&set, n / 2);
    assert!(rows.set_collapsed(t, &mut state, mid, true));
    assert_eq!(rows.len(), (n / 2) as usize);
    assert_eq!(rows.row(rows.len() - 1).unwrap().hidden_descendants, (n / 2) as u32);
    assert!(rows.set_collapsed(t, &mut state, mid, false));
    assert_eq!(rows.len(), n as usize);
    assert_eq!(rows.row_of_span(&t.tree, idx(&set, n)), Some(n as usize - 1));
    // Filter keeping only the deepest span keeps the whole chain, dimmed.
    let mut hidden = BitSet::full(n as usize);
    hidden.remove(idx(&set, n));
    state.hidden = Some(hidden);
    let rows = layout_rows(t, &state);
    assert_eq!(rows.len(), n as usize);
    assert!(rows.row(0).unwrap().dimmed);
    assert!(!rows.row(n as usize - 1).unwrap().dimmed);
}
