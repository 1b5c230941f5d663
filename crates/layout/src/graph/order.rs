//! Dummy vertices for long edges, and crossing reduction by barycenter sweeps.

use super::NodeBox;
use super::acyclic::is_reversed;
use spanlens_model::sorting;

/// What an input edge became.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ChainKind {
    /// Endpoint out of range: no route.
    Invalid,
    /// `a -> a`: a loop drawn beside the node.
    SelfLoop,
    /// Vertices from the left end to the right end, dummies in between.
    Path,
}

#[derive(Clone, Debug)]
pub(super) struct Chain {
    pub kind: ChainKind,
    pub vertices: Vec<u32>,
    pub reversed: bool,
}

/// The layered graph: vertices `0..real` are the input nodes, the rest dummies.
pub(super) struct Layered {
    pub real: usize,
    pub layer: Vec<u32>,
    /// Tie-breaker per vertex: (key rank, 0) for nodes, (source rank, target rank + 1) for dummies.
    tie: Vec<(u32, u32)>,
    /// Neighbours of the nodes; a dummy has exactly one of each, kept flat in `dummy_pred` and
    /// `dummy_succ` (indexed by `v - real`) because one allocation per dummy dominated dense graphs.
    preds: Vec<Vec<u32>>,
    succs: Vec<Vec<u32>>,
    dummy_pred: Vec<u32>,
    dummy_succ: Vec<u32>,
    /// Vertices of each layer, top to bottom.
    pub layers: Vec<Vec<u32>>,
    pub chains: Vec<Chain>,
}

fn at<T: Copy + Default>(v: &[T], i: u32) -> T {
    v.get(i as usize).copied().unwrap_or_default()
}

impl Layered {
    pub fn new(nodes: &[NodeBox], rank: &[u32], layers: &[u32], edges: &[(u32, u32)], sequence: &[u32]) -> Layered {
        let n = nodes.len();
        let mut g = Layered {
            real: n,
            layer: layers.to_vec(),
            tie: rank.iter().map(|&r| (r, 0)).collect(),
            preds: vec![Vec::new(); n],
            succs: vec![Vec::new(); n],
            dummy_pred: Vec::new(),
            dummy_succ: Vec::new(),
            layers: Vec::new(),
            chains: Vec::with_capacity(edges.len()),
        };
        for &(a, b) in edges {
            if a as usize >= n || b as usize >= n {
                g.chains.push(Chain { kind: ChainKind::Invalid, vertices: Vec::new(), reversed: false });
                continue;
            }
            if a == b {
                g.chains.push(Chain { kind: ChainKind::SelfLoop, vertices: vec![a], reversed: false });
                continue;
            }
            let reversed = is_reversed(sequence, (a, b));
            let (from, to) = if reversed { (b, a) } else { (a, b) };
            let (lf, lt) = (at(&g.layer, from), at(&g.layer, to));
            let tie = (at(rank, from), at(rank, to).saturating_add(1));
            let mut vertices = vec![from];
            for l in lf.saturating_add(1)..lt {
                let d = u32::try_from(g.layer.len()).unwrap_or(u32::MAX);
                g.layer.push(l);
                g.tie.push(tie);
                g.dummy_pred.push(u32::MAX);
                g.dummy_succ.push(u32::MAX);
                vertices.push(d);
            }
            vertices.push(to);
            for pair in vertices.windows(2) {
                if let [u, v] = *pair {
                    g.link(u, v);
                }
            }
            g.chains.push(Chain { kind: ChainKind::Path, vertices, reversed });
        }
        g.initial_order();
        g
    }

    /// Layer 0 by key; each later layer by the barycenter of its predecessors, then by key.
    fn initial_order(&mut self) {
        let count = self.layer.iter().max().map_or(0, |&m| m as usize + 1);
        let mut layers: Vec<Vec<u32>> = vec![Vec::new(); count];
        for (v, &l) in self.layer.iter().enumerate() {
            if let Some(layer) = layers.get_mut(l as usize) {
                layer.push(u32::try_from(v).unwrap_or(u32::MAX));
            }
        }
        let mut pos = vec![0u32; self.layer.len()];
        for layer in &mut layers {
            let key: Vec<(f64, (u32, u32))> =
                layer.iter().map(|&v| (barycenter(self.preds(v), &pos).unwrap_or(0.0), at(&self.tie, v))).collect();
            let mut idx: Vec<usize> = (0..layer.len()).collect();
            sorting::sort_by(&mut idx, |&a, &b| {
                let (ka, kb) = (key.get(a), key.get(b));
                match (ka, kb) {
                    (Some(x), Some(y)) => x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)),
                    _ => a.cmp(&b),
                }
            });
            *layer = idx.iter().filter_map(|&i| layer.get(i).copied()).collect();
            set_positions(&mut pos, layer);
        }
        self.layers = layers;
    }

    /// Alternating down and up sweeps: each vertex moves to the mean position of its neighbours in the
    /// layer just swept (a vertex without such neighbours keeps its place); the sort is stable, so
    /// equal barycenters keep their previous order.
    pub fn reduce_crossings(&mut self, sweeps: usize) {
        let mut pos = vec![0u32; self.layer.len()];
        for layer in &self.layers {
            set_positions(&mut pos, layer);
        }
        let mut best = (self.crossings(), self.layers.clone());
        for _ in 0..sweeps {
            if best.0 == 0 {
                break;
            }
            for down in [true, false] {
                let count = self.layers.len();
                let order: Vec<usize> =
                    if down { (1..count).collect() } else { (0..count.saturating_sub(1)).rev().collect() };
                for l in order {
                    let Some(layer) = self.layers.get(l) else { continue };
                    let mut keyed: Vec<(f64, u32, u32)> = layer
                        .iter()
                        .map(|&v| {
                            let here = at(&pos, v);
                            let nbrs = if down { self.preds(v) } else { self.succs(v) };
                            (barycenter(nbrs, &pos).unwrap_or(f64::from(here)), here, v)
                        })
                        .collect();
                    sorting::sort_by(&mut keyed, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    let Some(layer) = self.layers.get_mut(l) else { continue };
                    *layer = keyed.iter().map(|k| k.2).collect();
                    set_positions(&mut pos, layer);
                }
            }
            // Sweeps can make things worse; keep the best order seen (ties keep the earlier one).
            // Stop once a sweep gains less than 1%: dense graphs otherwise spend most of the layout
            // time here for nothing visible.
            let now = self.crossings();
            let worthwhile = now.saturating_mul(100) < best.0.saturating_mul(99);
            if now < best.0 {
                best = (now, self.layers.clone());
            }
            if !worthwhile {
                break;
            }
        }
        self.layers = best.1;
    }

    /// Edge crossings between every pair of adjacent layers: for each pair, segments sorted by their
    /// upper end, then counted inversions of their lower ends with a Fenwick tree (O(E log V)).
    pub fn crossings(&self) -> u64 {
        let mut pos = vec![0u32; self.layer.len()];
        for layer in &self.layers {
            set_positions(&mut pos, layer);
        }
        let mut total = 0u64;
        for (l, layer) in self.layers.iter().enumerate() {
            let width = self.layers.get(l + 1).map_or(0, Vec::len);
            if width == 0 {
                continue;
            }
            let mut ends: Vec<(u32, u32)> = Vec::new();
            for &u in layer {
                for &v in self.succs(u) {
                    ends.push((at(&pos, u), at(&pos, v)));
                }
            }
            ends.sort_unstable();
            let mut tree = vec![0u64; width + 1];
            for (seen, &(_, v)) in ends.iter().enumerate() {
                // Earlier segments ending strictly below this one's lower end cross it.
                let mut not_greater = 0u64;
                let mut i = v as usize + 1;
                while i > 0 {
                    not_greater += tree.get(i).copied().unwrap_or(0);
                    i &= i - 1;
                }
                total += seen as u64 - not_greater;
                let mut i = v as usize + 1;
                while i <= width {
                    if let Some(slot) = tree.get_mut(i) {
                        *slot += 1;
                    }
                    i += i & i.wrapping_neg();
                }
            }
        }
        total
    }

    pub fn is_dummy(&self, v: u32) -> bool {
        v as usize >= self.real
    }

    pub fn preds(&self, v: u32) -> &[u32] {
        Self::neighbours(&self.preds, &self.dummy_pred, self.real, v)
    }

    pub fn succs(&self, v: u32) -> &[u32] {
        Self::neighbours(&self.succs, &self.dummy_succ, self.real, v)
    }

    fn neighbours<'a>(nodes: &'a [Vec<u32>], dummies: &'a [u32], real: usize, v: u32) -> &'a [u32] {
        match (v as usize).checked_sub(real) {
            None => nodes.get(v as usize).map_or(&[], Vec::as_slice),
            Some(d) => dummies.get(d).filter(|&&n| n != u32::MAX).map_or(&[], std::slice::from_ref),
        }
    }

    /// Records the segment `u -> v` between adjacent layers.
    fn link(&mut self, u: u32, v: u32) {
        match (u as usize).checked_sub(self.real) {
            None => {
                if let Some(s) = self.succs.get_mut(u as usize) {
                    s.push(v);
                }
            }
            Some(d) => {
                if let Some(s) = self.dummy_succ.get_mut(d) {
                    *s = v;
                }
            }
        }
        match (v as usize).checked_sub(self.real) {
            None => {
                if let Some(p) = self.preds.get_mut(v as usize) {
                    p.push(u);
                }
            }
            Some(d) => {
                if let Some(p) = self.dummy_pred.get_mut(d) {
                    *p = u;
                }
            }
        }
    }
}

fn set_positions(pos: &mut [u32], layer: &[u32]) {
    for (p, &v) in layer.iter().enumerate() {
        if let Some(slot) = pos.get_mut(v as usize) {
            *slot = u32::try_from(p).unwrap_or(u32::MAX);
        }
    }
}

fn barycenter(list: &[u32], pos: &[u32]) -> Option<f64> {
    if list.is_empty() {
        return None;
    }
    let sum: f64 = list.iter().map(|&u| f64::from(at(pos, u))).sum();
    Some(sum / list.len() as f64)
}
