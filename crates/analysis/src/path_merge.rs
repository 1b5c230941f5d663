//! Merging spans by their path of (service, operation) from the root: the shared core of the
//! left-heavy flame graph (one trace), the trace graph and the trace comparison (two traces).
//!
//! A merged node holds every span reached through the same chain of keys; its children are the
//! children of all its members, grouped by key again. Built breadth first with an explicit queue
//! (the node list itself), so a 100,000-level chain costs no stack, and each span is visited once.

use spanlens_model::Tree;
use std::collections::HashMap;

/// Distinct keys per node searched linearly before switching to a hash map.
const LINEAR_SLOTS: usize = 16;

/// Marks "no node".
pub const NO_NODE: u32 = u32::MAX;

/// One side of the merge: a tree and a key per span (e.g. service and operation packed into a u64).
pub struct MergeSide<'a> {
    pub tree: &'a Tree,
    /// Key per span index; spans whose index has no key are skipped (with their subtrees).
    pub keys: &'a [u64],
}

/// A merged node. Its members on side `s` are `MergedTree::members[s][member_start[s]..][..member_len[s]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MergedNode {
    pub parent: u32,
    pub depth: u32,
    pub key: u64,
    pub member_start: [u32; 2],
    pub member_len: [u32; 2],
    /// Children are nodes `child_start..child_start + child_len` (contiguous: breadth-first order).
    pub child_start: u32,
    pub child_len: u32,
}

/// Nodes in breadth-first order: roots first, then every node's children together, in order of
/// first appearance (side 0 first, members in tree order, children by start time).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergedTree {
    pub nodes: Vec<MergedNode>,
    pub members: [Vec<u32>; 2],
    /// Number of root nodes (nodes `0..root_count`).
    pub root_count: u32,
}

impl MergedTree {
    /// Member spans of `node` on `side` (0 or 1); empty when out of range.
    pub fn members_of(&self, node: u32, side: usize) -> &[u32] {
        let (Some(n), Some(list)) = (self.nodes.get(node as usize), self.members.get(side)) else {
            return &[];
        };
        let (Some(&from), Some(&len)) = (n.member_start.get(side), n.member_len.get(side)) else {
            return &[];
        };
        list.get(from as usize..from as usize + len as usize).unwrap_or(&[])
    }
}

/// Merges one or two trees by key path. Sides beyond the second are ignored.
pub fn merge_paths(sides: &[MergeSide<'_>]) -> MergedTree {
    let sides = sides.get(..sides.len().min(2)).unwrap_or(&[]);
    let mut out = MergedTree::default();
    // Group scratch, reused for every node: key → local child slot, and (slot, side, span) triples.
    let mut slot_of: HashMap<u64, u32> = HashMap::new();
    let mut slot_keys: Vec<u64> = Vec::new();
    let mut pending: Vec<(u32, u8, u32)> = Vec::new();
    let mut fill: Vec<u32> = Vec::new();

    // The roots are grouped as the children of a virtual node.
    for (s, side) in sides.iter().enumerate() {
        for &r in &side.tree.roots {
            push_pending(side, s, r, &mut slot_of, &mut slot_keys, &mut pending);
        }
    }
    emit_group(&mut out, NO_NODE, 0, &mut slot_of, &mut slot_keys, &mut pending, &mut fill);
    out.root_count = out.nodes.len() as u32;

    let mut cursor = 0usize;
    while let Some(&node) = out.nodes.get(cursor) {
        for (s, side) in sides.iter().enumerate() {
            let members = out.members_of(cursor as u32, s);
            for &m in members {
                for &c in side.tree.children(m) {
                    push_pending(side, s, c, &mut slot_of, &mut slot_keys, &mut pending);
                }
            }
        }
        let child_start = out.nodes.len() as u32;
        emit_group(
            &mut out,
            cursor as u32,
            node.depth.saturating_add(1),
            &mut slot_of,
            &mut slot_keys,
            &mut pending,
            &mut fill,
        );
        let child_len = out.nodes.len() as u32 - child_start;
        if let Some(n) = out.nodes.get_mut(cursor) {
            n.child_start = child_start;
            n.child_len = child_len;
        }
        cursor += 1;
    }
    out
}

fn push_pending(
    side: &MergeSide<'_>,
    s: usize,
    span: u32,
    slot_of: &mut HashMap<u64, u32>,
    slot_keys: &mut Vec<u64>,
    pending: &mut Vec<(u32, u8, u32)>,
) {
    let Some(&key) = side.keys.get(span as usize) else {
        return;
    };
    // Most nodes have a handful of distinct child keys: a linear scan beats hashing them. The map
    // takes over once a node has many (a fan-out of thousands of different operations).
    let slot = if slot_keys.len() <= LINEAR_SLOTS {
        match slot_keys.iter().position(|&k| k == key) {
            Some(found) => found as u32,
            None => {
                slot_keys.push(key);
                if slot_keys.len() > LINEAR_SLOTS {
                    slot_of.extend(slot_keys.iter().enumerate().map(|(i, &k)| (k, i as u32)));
                }
                slot_keys.len() as u32 - 1
            }
        }
    } else {
        *slot_of.entry(key).or_insert_with(|| {
            slot_keys.push(key);
            slot_keys.len() as u32 - 1
        })
    };
    pending.push((slot, s as u8, span));
}

/// Turns the pending members into one node per slot (in slot order) with contiguous member lists.
/// Members are placed by counting (no sort): each keeps its order of arrival within its node.
fn emit_group(
    out: &mut MergedTree,
    parent: u32,
    depth: u32,
    slot_of: &mut HashMap<u64, u32>,
    slot_keys: &mut Vec<u64>,
    pending: &mut Vec<(u32, u8, u32)>,
    fill: &mut Vec<u32>,
) {
    // Per (slot, side): first the count, then the next write position.
    fill.clear();
    fill.resize(slot_keys.len() * 2, 0);
    for &(slot, side, _) in pending.iter() {
        if let Some(c) = fill.get_mut(slot as usize * 2 + usize::from(side.min(1))) {
            *c += 1;
        }
    }
    let mut cursor = [out.members[0].len() as u32, out.members[1].len() as u32];
    for (slot, &key) in slot_keys.iter().enumerate() {
        let mut node =
            MergedNode { parent, depth, key, member_start: cursor, member_len: [0, 0], child_start: 0, child_len: 0 };
        let slot_fill = fill.get_mut(slot * 2..slot * 2 + 2).unwrap_or(&mut []);
        for ((c, len), next) in slot_fill.iter_mut().zip(&mut node.member_len).zip(&mut cursor) {
            *len = *c;
            *c = *next;
            *next += *len;
        }
        out.nodes.push(node);
    }
    for (list, &len) in out.members.iter_mut().zip(&cursor) {
        list.resize(len as usize, 0);
    }
    for &(slot, side, span) in pending.iter() {
        let side = usize::from(side.min(1));
        let Some(pos) = fill.get_mut(slot as usize * 2 + side) else {
            continue;
        };
        if let Some(m) = out.members.get_mut(side).and_then(|l| l.get_mut(*pos as usize)) {
            *m = span;
        }
        *pos += 1;
    }
    slot_of.clear();
    slot_keys.clear();
    pending.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{build, chain, s, trace};

    fn keys(t: &spanlens_model::Trace) -> Vec<u64> {
        t.spans.iter().map(|sp| (sp.service.index() as u64) << 32 | sp.name.index() as u64).collect()
    }

    #[test]
    fn merges_siblings_and_their_children() {
        let set = build(&[
            s(1, 0, 0, 100).name("root"),
            s(2, 1, 0, 30).name("a"),
            s(3, 1, 40, 30).name("a"),
            s(4, 2, 0, 10).name("x"),
            s(5, 3, 40, 10).name("x"),
            s(6, 1, 80, 10).name("b"),
        ]);
        let t = trace(&set);
        let k = keys(t);
        let m = merge_paths(&[MergeSide { tree: &t.tree, keys: &k }]);
        assert_eq!(m.root_count, 1);
        assert_eq!(m.nodes.len(), 4, "root, a, b, a/x");
        assert_eq!(m.members_of(1, 0).len(), 2);
        assert_eq!(m.members_of(3, 0).len(), 2);
        assert_eq!(m.nodes[3].parent, 1);
        assert_eq!(m.nodes[3].depth, 2);
        assert_eq!((m.nodes[0].child_start, m.nodes[0].child_len), (1, 2));
    }

    #[test]
    fn deep_chain_merges_without_recursion() {
        let set = chain(100_000);
        let t = trace(&set);
        let k = keys(t);
        let m = merge_paths(&[MergeSide { tree: &t.tree, keys: &k }, MergeSide { tree: &t.tree, keys: &k }]);
        assert_eq!(m.nodes.len(), 100_000);
        assert_eq!(m.nodes.last().map(|n| n.depth), Some(99_999));
        assert_eq!(m.members_of(99_999, 1).len(), 1);
    }
}
