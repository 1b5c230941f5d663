//! Structural spanset operators over nested-set numbers. No tree walks:
//! each operator sorts the left side once and answers each right-side span
//! with a binary search, O((|L| + |R|) log |L|).

use super::{NestedSet, SpanSource};
use crate::ast::SpansetOp;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Relation {
    Child,
    Parent,
    Descendant,
    Ancestor,
    Sibling,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    Negated,
    Union,
}

fn classify(op: SpansetOp) -> Option<(Relation, Mode)> {
    use SpansetOp::*;
    Some(match op {
        Child => (Relation::Child, Mode::Plain),
        Parent => (Relation::Parent, Mode::Plain),
        Descendant => (Relation::Descendant, Mode::Plain),
        Ancestor => (Relation::Ancestor, Mode::Plain),
        Sibling => (Relation::Sibling, Mode::Plain),
        NotChild => (Relation::Child, Mode::Negated),
        NotParent => (Relation::Parent, Mode::Negated),
        NotDescendant => (Relation::Descendant, Mode::Negated),
        NotAncestor => (Relation::Ancestor, Mode::Negated),
        NotSibling => (Relation::Sibling, Mode::Negated),
        UnionChild => (Relation::Child, Mode::Union),
        UnionParent => (Relation::Parent, Mode::Union),
        UnionDescendant => (Relation::Descendant, Mode::Union),
        UnionAncestor => (Relation::Ancestor, Mode::Union),
        UnionSibling => (Relation::Sibling, Mode::Union),
        And | Union => return None,
    })
}

/// Outermost intervals of a set of nested-set intervals, sorted: nested
/// sets are laminar, so a point is strictly inside some interval iff it is
/// strictly inside one of these.
fn outermost(mut intervals: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    intervals.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(intervals.len());
    for (l, r) in intervals {
        match out.last() {
            Some(&(_, last_r)) if l < last_r => {}
            _ => out.push((l, r)),
        }
    }
    out
}

/// Is `x` strictly inside one of the disjoint sorted `intervals`?
fn strictly_inside(intervals: &[(i64, i64)], x: i64) -> bool {
    let idx = intervals.partition_point(|&(l, _)| l < x);
    idx > 0 && intervals.get(idx - 1).is_some_and(|&(_, r)| x < r)
}

/// Does a sorted list of points contain one strictly inside `(l, r)`?
fn point_inside(sorted: &[i64], l: i64, r: i64) -> bool {
    let idx = sorted.partition_point(|&p| p <= l);
    sorted.get(idx).is_some_and(|&p| p < r)
}

/// Spans of `rhs` related to some span of `lhs` (plus, for union modes,
/// the participating spans of `lhs`). Returns sorted span indices.
pub(crate) fn structural<S: SpanSource>(src: &S, op: SpansetOp, lhs: &[u32], rhs: &[u32]) -> Vec<u32> {
    let Some((rel, mode)) = classify(op) else {
        return Vec::new();
    };
    let ns = |i: u32| src.nested_set(i);
    let numbered = |n: &NestedSet| n.left != 0;
    let l_sets: Vec<(u32, NestedSet)> = lhs.iter().map(|&i| (i, ns(i))).filter(|(_, n)| numbered(n)).collect();
    let r_sets: Vec<(u32, NestedSet)> = rhs.iter().map(|&i| (i, ns(i))).collect();

    let matched: Vec<bool> = match rel {
        Relation::Child => {
            let mut lefts: Vec<i64> = l_sets.iter().map(|(_, n)| n.left).collect();
            lefts.sort_unstable();
            r_sets.iter().map(|(_, n)| numbered(n) && lefts.binary_search(&n.parent).is_ok()).collect()
        }
        Relation::Parent => {
            let mut parents: Vec<i64> = l_sets.iter().map(|(_, n)| n.parent).collect();
            parents.sort_unstable();
            r_sets.iter().map(|(_, n)| numbered(n) && parents.binary_search(&n.left).is_ok()).collect()
        }
        Relation::Descendant => {
            let outer = outermost(l_sets.iter().map(|(_, n)| (n.left, n.right)).collect());
            r_sets.iter().map(|(_, n)| numbered(n) && strictly_inside(&outer, n.left)).collect()
        }
        Relation::Ancestor => {
            let mut lefts: Vec<i64> = l_sets.iter().map(|(_, n)| n.left).collect();
            lefts.sort_unstable();
            r_sets.iter().map(|(_, n)| numbered(n) && point_inside(&lefts, n.left, n.right)).collect()
        }
        Relation::Sibling => {
            let mut by_parent: HashMap<i64, Vec<u32>> = HashMap::new();
            for (i, n) in &l_sets {
                by_parent.entry(n.parent).or_default().push(*i);
            }
            r_sets
                .iter()
                .map(|(i, n)| numbered(n) && by_parent.get(&n.parent).is_some_and(|ls| ls.iter().any(|l| l != i)))
                .collect()
        }
    };

    let mut out: Vec<u32> = match mode {
        Mode::Plain | Mode::Union => r_sets.iter().zip(&matched).filter(|(_, m)| **m).map(|((i, _), _)| *i).collect(),
        Mode::Negated => r_sets.iter().zip(&matched).filter(|(_, m)| !**m).map(|((i, _), _)| *i).collect(),
    };
    if mode == Mode::Union && !out.is_empty() {
        let hits: Vec<(u32, NestedSet)> = r_sets.iter().zip(&matched).filter(|(_, m)| **m).map(|(x, _)| *x).collect();
        out.extend(participants(rel, &l_sets, &hits));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Spans of `lhs` that take part in at least one relation with `hits`.
fn participants(rel: Relation, lhs: &[(u32, NestedSet)], hits: &[(u32, NestedSet)]) -> Vec<u32> {
    let keep =
        |pred: &dyn Fn(&NestedSet, u32) -> bool| lhs.iter().filter(|(i, n)| pred(n, *i)).map(|(i, _)| *i).collect();
    match rel {
        Relation::Child => {
            let mut parents: Vec<i64> = hits.iter().map(|(_, n)| n.parent).collect();
            parents.sort_unstable();
            keep(&|n, _| parents.binary_search(&n.left).is_ok())
        }
        Relation::Parent => {
            let mut lefts: Vec<i64> = hits.iter().map(|(_, n)| n.left).collect();
            lefts.sort_unstable();
            keep(&|n, _| lefts.binary_search(&n.parent).is_ok())
        }
        Relation::Descendant => {
            let mut lefts: Vec<i64> = hits.iter().map(|(_, n)| n.left).collect();
            lefts.sort_unstable();
            keep(&|n, _| point_inside(&lefts, n.left, n.right))
        }
        Relation::Ancestor => {
            let outer = outermost(hits.iter().map(|(_, n)| (n.left, n.right)).collect());
            keep(&|n, _| strictly_inside(&outer, n.left))
        }
        Relation::Sibling => {
            let mut by_parent: HashMap<i64, Vec<u32>> = HashMap::new();
            for (i, n) in hits {
                by_parent.entry(n.parent).or_default().push(*i);
            }
            keep(&|n, i| by_parent.get(&n.parent).is_some_and(|rs| rs.iter().any(|r| *r != i)))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn interval_helpers() {
        let outer = outermost(vec![(1, 10), (2, 3), (11, 14), (12, 13)]);
        assert_eq!(outer, vec![(1, 10), (11, 14)]);
        assert!(strictly_inside(&outer, 2));
        assert!(!strictly_inside(&outer, 1));
        assert!(!strictly_inside(&outer, 10));
        assert!(strictly_inside(&outer, 12));
        assert!(point_inside(&[2, 5, 9], 4, 6));
        assert!(!point_inside(&[2, 5, 9], 5, 9));
    }
}
