//! The span tree of one trace, stored as flat index arrays.
//!
//! Every walk here is iterative: real traces reach 70,000 levels and recursion would overflow the
//! stack (natively, and much sooner in wasm). The pre-order numbering doubles as a nested-set
//! encoding — span `d` is a descendant of `a` iff `pre[a] < pre[d] < pre[a] + subtree_len[a]` —
//! which answers TraceQL's structural operators in O(1) per pair without walking.

use crate::ids::SpanId;
use crate::span::Span;
use crate::warnings::{Warning, WarningKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Marks "no span" in the index arrays.
pub const NONE: u32 = u32::MAX;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tree {
    /// Parent index per span, or [`NONE`] for roots (including orphans).
    pub parent: Vec<u32>,
    /// Children of span `i` are `child_indices[child_offsets[i]..child_offsets[i + 1]]`, by start time.
    pub child_offsets: Vec<u32>,
    pub child_indices: Vec<u32>,
    /// Roots by start time: true roots and orphans whose parent is not loaded.
    pub roots: Vec<u32>,
    /// Span indices in depth-first pre-order (roots in order, children by start time).
    pub preorder: Vec<u32>,
    /// Position of each span in `preorder`.
    pub preorder_pos: Vec<u32>,
    /// Number of spans in each span's subtree, itself included.
    pub subtree_len: Vec<u32>,
    /// Depth of each span; roots are 0.
    pub depth: Vec<u32>,
    /// Whether the span names a parent that is not loaded.
    pub missing_parent: Vec<bool>,
    pub max_depth: u32,
}

impl Tree {
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Children of span `index`, by start time. Empty for an index out of range.
    pub fn children(&self, index: u32) -> &[u32] {
        let i = index as usize;
        let (Some(&from), Some(&to)) = (self.child_offsets.get(i), self.child_offsets.get(i + 1)) else {
            return &[];
        };
        self.child_indices.get(from as usize..to as usize).unwrap_or(&[])
    }

    pub fn parent_of(&self, index: u32) -> Option<u32> {
        self.parent.get(index as usize).copied().filter(|&p| p != NONE)
    }

    /// Whether `descendant` lies strictly inside `ancestor`'s subtree (nested-set test).
    pub fn is_descendant(&self, ancestor: u32, descendant: u32) -> bool {
        let (Some(&a), Some(&len), Some(&d)) = (
            self.preorder_pos.get(ancestor as usize),
            self.subtree_len.get(ancestor as usize),
            self.preorder_pos.get(descendant as usize),
        ) else {
            return false;
        };
        d > a && d < a + len
    }

    /// Builds the tree from the spans' parent ids. Pushes warnings for missing parents, duplicate
    /// span ids and cycles; `warnings` get `span_index` set.
    pub fn build(spans: &[Span], warnings: &mut Vec<Warning>) -> Tree {
        let n = spans.len();
        // foldhash: SipHash made this map a visible part of `finish` on large files.
        let mut by_id: HashMap<SpanId, u32, foldhash::fast::FixedState> =
            HashMap::with_capacity_and_hasher(n, foldhash::fast::FixedState::default());
        for (i, span) in spans.iter().enumerate() {
            let i = i as u32;
            if let Some(&first) = by_id.get(&span.span_id) {
                warnings.push(Warning {
                    span_index: Some(i),
                    ..Warning::new(
                        WarningKind::DuplicateSpanId,
                        format!(
                            "span id {} appears more than once (spans #{first} and #{i}); both are kept and children attach to the first",
                            span.span_id
                        ),
                    )
                    .with_span(span.span_id)
                });
            } else {
                by_id.insert(span.span_id, i);
            }
        }

        let mut parent = vec![NONE; n];
        let mut missing_parent = vec![false; n];
        for (i, span) in spans.iter().enumerate() {
            let Some(pid) = span.parent_span_id else {
                continue;
            };
            match by_id.get(&pid) {
                Some(&p) if p as usize != i => parent[i] = p,
                Some(_) => {
                    warnings.push(Warning {
                        span_index: Some(i as u32),
                        ..Warning::new(
                            WarningKind::Cycle,
                            format!("span {} is its own parent; shown as a root", span.span_id),
                        )
                        .with_span(span.span_id)
                    });
                }
                None => {
                    missing_parent[i] = true;
                    warnings.push(Warning {
                        span_index: Some(i as u32),
                        ..Warning::new(
                            WarningKind::MissingParent,
                            format!("parent span {pid} of span {} is not loaded; shown as a root", span.span_id),
                        )
                        .with_span(span.span_id)
                    });
                }
            }
        }

        break_cycles(spans, &mut parent, warnings);

        // Children lists in CSR form, each sorted by start time then input order (stable).
        let mut counts = vec![0u32; n + 1];
        for &p in &parent {
            if p != NONE {
                counts[p as usize + 1] += 1;
            }
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let child_offsets = counts;
        let mut fill = child_offsets.clone();
        let mut child_indices = vec![0u32; child_offsets[n] as usize];
        let mut roots = Vec::new();
        for (i, &p) in parent.iter().enumerate() {
            if p == NONE {
                roots.push(i as u32);
            } else {
                let slot = &mut fill[p as usize];
                child_indices[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        let by_start = |&a: &u32, &b: &u32| {
            let (sa, sb) = (&spans[a as usize], &spans[b as usize]);
            sa.start_nanos.cmp(&sb.start_nanos).then(a.cmp(&b))
        };
        for i in 0..n {
            child_indices[child_offsets[i] as usize..child_offsets[i + 1] as usize].sort_by(by_start);
        }
        roots.sort_by(by_start);

        let mut tree = Tree {
            parent,
            child_offsets,
            child_indices,
            roots,
            preorder: Vec::with_capacity(n),
            preorder_pos: vec![0; n],
            subtree_len: vec![1; n],
            depth: vec![0; n],
            missing_parent,
            max_depth: 0,
        };
        tree.number_preorder();
        tree
    }

    fn number_preorder(&mut self) {
        let mut stack: Vec<u32> = self.roots.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            let pos = self.preorder.len() as u32;
            self.preorder_pos[i as usize] = pos;
            self.preorder.push(i);
            let depth = self.parent_of(i).map_or(0, |p| self.depth[p as usize] + 1);
            self.depth[i as usize] = depth;
            self.max_depth = self.max_depth.max(depth);
            let from = self.child_offsets[i as usize] as usize;
            let to = self.child_offsets[i as usize + 1] as usize;
            stack.extend(self.child_indices[from..to].iter().rev());
        }
        // Reverse pre-order visits children before parents, so subtree sizes add up in one pass.
        for &i in self.preorder.iter().rev() {
            if let Some(p) = self.parent_of(i) {
                self.subtree_len[p as usize] += self.subtree_len[i as usize];
            }
        }
    }
}

/// Cuts one parent link in every cycle so the parent relation becomes a forest. Iterative colouring:
/// each span is walked up at most once overall, so this is O(n).
fn break_cycles(spans: &[Span], parent: &mut [u32], warnings: &mut Vec<Warning>) {
    const UNSEEN: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![UNSEEN; parent.len()];
    let mut path = Vec::new();
    for start in 0..parent.len() {
        if state[start] != UNSEEN {
            continue;
        }
        let mut i = start as u32;
        loop {
            state[i as usize] = ON_PATH;
            path.push(i);
            let p = parent[i as usize];
            if p == NONE || state[p as usize] == DONE {
                break;
            }
            if state[p as usize] == ON_PATH {
                // `i -> p` closes a cycle: cut it, making `i` a root.
                parent[i as usize] = NONE;
                let span = &spans[i as usize];
                warnings.push(Warning {
                    span_index: Some(i),
                    ..Warning::new(
                        WarningKind::Cycle,
                        format!(
                            "parent links of span {} form a cycle; the link to {} was cut and the span shown as a root",
                            span.span_id, spans[p as usize].span_id
                        ),
                    )
                    .with_span(span.span_id)
                });
                break;
            }
            i = p;
        }
        for &j in &path {
            state[j as usize] = DONE;
        }
        path.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interner::Interner;

    fn spans(edges: &[(u64, Option<u64>, i64)]) -> Vec<Span> {
        let mut strings = Interner::new();
        let name = strings.intern("op");
        edges
            .iter()
            .map(|&(id, parent, start)| {
                let mut s = Span::new(SpanId(id), name, name, start, 10);
                s.parent_span_id = parent.map(SpanId);
                s
            })
            .collect()
    }

    #[test]
    fn builds_sorted_children_and_nested_sets() {
        let s = spans(&[(1, None, 0), (3, Some(1), 5), (2, Some(1), 1), (4, Some(2), 2)]);
        let mut w = Vec::new();
        let t = Tree::build(&s, &mut w);
        assert!(w.is_empty());
        assert_eq!(t.roots, vec![0]);
        assert_eq!(t.children(0), &[2, 1]);
        assert_eq!(t.preorder, vec![0, 2, 3, 1]);
        assert_eq!(t.subtree_len, vec![4, 1, 2, 1]);
        assert!(t.is_descendant(0, 3));
        assert!(t.is_descendant(2, 3));
        assert!(!t.is_descendant(1, 3));
        assert!(!t.is_descendant(0, 0));
        assert_eq!(t.depth, vec![0, 1, 1, 2]);
        assert_eq!(t.max_depth, 2);
    }

    #[test]
    fn orphans_duplicates_and_cycles_become_warnings() {
        let s = spans(&[(1, Some(99), 0), (2, Some(3), 1), (3, Some(2), 2), (1, None, 3), (5, Some(5), 4)]);
        let mut w = Vec::new();
        let t = Tree::build(&s, &mut w);
        let kinds: Vec<_> = w.iter().map(|w| w.kind).collect();
        assert!(kinds.contains(&WarningKind::MissingParent));
        assert!(kinds.contains(&WarningKind::DuplicateSpanId));
        assert_eq!(kinds.iter().filter(|k| **k == WarningKind::Cycle).count(), 2);
        assert_eq!(t.preorder.len(), 5, "every span stays visible");
        assert!(t.missing_parent[0]);
    }

    #[test]
    fn deep_chain_builds_without_recursion() {
        let n = 200_000u64;
        let s: Vec<Span> = spans(&[]).into_iter().collect::<Vec<_>>();
        assert!(s.is_empty());
        let mut strings = Interner::new();
        let name = strings.intern("op");
        let chain: Vec<Span> = (0..n)
            .map(|i| {
                let mut sp = Span::new(SpanId(i + 1), name, name, i as i64, (n - i) as i64);
                sp.parent_span_id = if i == 0 { None } else { Some(SpanId(i)) };
                sp
            })
            .collect();
        let mut w = Vec::new();
        let t = Tree::build(&chain, &mut w);
        assert_eq!(t.max_depth as u64, n - 1);
        assert_eq!(t.subtree_len[0] as u64, n);
        assert!(w.is_empty());
    }
}
