//! Cycle breaking (greedy feedback arc set) and layer assignment (longest path).

use super::NodeBox;
use spanlens_model::sorting;

/// Each node's position when sorted by key (index breaks equal keys): the tie-breaker everywhere.
pub(super) fn key_ranks(nodes: &[NodeBox]) -> Vec<u32> {
    let mut by_key: Vec<usize> = (0..nodes.len()).collect();
    sorting::sort_by(&mut by_key, |&a, &b| {
        let ka = nodes.get(a).map(|n| n.key.as_str());
        let kb = nodes.get(b).map(|n| n.key.as_str());
        ka.cmp(&kb).then(a.cmp(&b))
    });
    let mut rank = vec![0u32; nodes.len()];
    for (r, &i) in by_key.iter().enumerate() {
        if let Some(slot) = rank.get_mut(i) {
            *slot = u32::try_from(r).unwrap_or(u32::MAX);
        }
    }
    rank
}

/// Eades–Lin–Smyth: repeatedly take a sink (to the back), else a source (to the front), else the
/// node with the largest out-degree minus in-degree (to the front). Edges pointing backwards in the
/// returned sequence form the feedback set. Returns each node's position in the sequence.
/// O(V² + E): one scan per removal, fine for the few hundred nodes of a service graph.
pub(super) fn feedback_sequence(n: usize, edges: &[(u32, u32)], rank: &[u32]) -> Vec<u32> {
    let mut out_adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut in_adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut out_deg = vec![0i64; n];
    let mut in_deg = vec![0i64; n];
    for &(a, b) in edges {
        if let (Some(o), Some(i)) = (out_adj.get_mut(a as usize), in_adj.get_mut(b as usize)) {
            o.push(b);
            i.push(a);
        }
        if let (Some(o), Some(i)) = (out_deg.get_mut(a as usize), in_deg.get_mut(b as usize)) {
            *o += 1;
            *i += 1;
        }
    }
    // Scan in key order so every choice is stable.
    let mut scan: Vec<usize> = (0..n).collect();
    sorting::sort_by_u64_key(&mut scan, |&i| u64::from(rank.get(i).copied().unwrap_or(u32::MAX)));
    let mut removed = vec![false; n];
    let mut front: Vec<usize> = Vec::with_capacity(n);
    let mut back: Vec<usize> = Vec::new();
    for _ in 0..n {
        let live = || scan.iter().copied().filter(|&i| !removed.get(i).copied().unwrap_or(true));
        let deg = |d: &[i64], i: usize| d.get(i).copied().unwrap_or(0);
        let pick = if let Some(s) = live().find(|&i| deg(&out_deg, i) == 0) {
            back.push(s);
            s
        } else if let Some(s) = live().find(|&i| deg(&in_deg, i) == 0) {
            front.push(s);
            s
        } else {
            let mut best: Option<(i64, usize)> = None;
            for i in live() {
                let delta = deg(&out_deg, i) - deg(&in_deg, i);
                if best.is_none_or(|(d, _)| delta > d) {
                    best = Some((delta, i));
                }
            }
            let Some((_, s)) = best else { break };
            front.push(s);
            s
        };
        if let Some(r) = removed.get_mut(pick) {
            *r = true;
        }
        for &t in out_adj.get(pick).map_or(&[][..], Vec::as_slice) {
            if let Some(d) = in_deg.get_mut(t as usize) {
                *d -= 1;
            }
        }
        for &s in in_adj.get(pick).map_or(&[][..], Vec::as_slice) {
            if let Some(d) = out_deg.get_mut(s as usize) {
                *d -= 1;
            }
        }
    }
    front.extend(back.iter().rev());
    let mut position = vec![0u32; n];
    for (p, &i) in front.iter().enumerate() {
        if let Some(slot) = position.get_mut(i) {
            *slot = u32::try_from(p).unwrap_or(u32::MAX);
        }
    }
    position
}

/// Whether the layout turns this edge round (it points backwards in the sequence).
pub(super) fn is_reversed(sequence: &[u32], (a, b): (u32, u32)) -> bool {
    sequence.get(a as usize) > sequence.get(b as usize)
}

/// Layer of each node: the longest path to it from a source, over the edges oriented forwards; then
/// each node with more successors than predecessors moves right to just before its nearest successor
/// (in reverse order, so a node never passes a successor). The second step keeps a source such as Tempo's `user` next to the
/// service it calls instead of in the first column, which shortens edges and saves dummies.
pub(super) fn longest_path_layers(n: usize, edges: &[(u32, u32)], sequence: &[u32]) -> Vec<u32> {
    let mut preds: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        let (from, to) = if is_reversed(sequence, (a, b)) { (b, a) } else { (a, b) };
        if let Some(p) = preds.get_mut(to as usize) {
            p.push(from);
        }
        if let Some(s) = succs.get_mut(from as usize) {
            s.push(to);
        }
    }
    let mut in_order: Vec<usize> = (0..n).collect();
    sorting::sort_by_u64_key(&mut in_order, |&i| u64::from(sequence.get(i).copied().unwrap_or(u32::MAX)));
    let mut layer = vec![0u32; n];
    for &v in &in_order {
        let l = preds
            .get(v)
            .into_iter()
            .flatten()
            .map(|&p| layer.get(p as usize).copied().unwrap_or(0).saturating_add(1))
            .max()
            .unwrap_or(0);
        if let Some(slot) = layer.get_mut(v) {
            *slot = l;
        }
    }
    for &v in in_order.iter().rev() {
        // Moving right shortens the outgoing edges and lengthens the incoming ones: only worth it
        // when there are more of the former.
        if succs.get(v).map_or(0, Vec::len) <= preds.get(v).map_or(0, Vec::len) {
            continue;
        }
        let nearest = succs.get(v).into_iter().flatten().map(|&s| layer.get(s as usize).copied().unwrap_or(0)).min();
        if let (Some(nearest), Some(slot)) = (nearest, layer.get_mut(v)) {
            *slot = (*slot).max(nearest.saturating_sub(1));
        }
    }
    layer
}
