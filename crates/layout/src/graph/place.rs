//! Coordinates and edge routes.

use super::order::{ChainKind, Layered};
use super::{GraphLayout, GraphLayoutOptions, NodeBox, PlacedNode, RoutedEdge};

/// Passes pulling each column towards its neighbours (alternately from the left and from the right).
const PLACEMENT_PASSES: usize = 8;
/// How far a self-loop reaches out from its node, in pixels.
const LOOP_REACH: f64 = 12.0;

struct Geometry {
    width: Vec<f64>,
    height: Vec<f64>,
    col_x: Vec<f64>,
    col_w: Vec<f64>,
    y: Vec<f64>,
}

impl Geometry {
    fn h(&self, v: u32) -> f64 {
        self.height.get(v as usize).copied().unwrap_or(0.0)
    }
    fn w(&self, v: u32) -> f64 {
        self.width.get(v as usize).copied().unwrap_or(0.0)
    }
    fn cy(&self, v: u32) -> f64 {
        self.y.get(v as usize).copied().unwrap_or(0.0)
    }
    fn col(&self, layer: u32) -> (f64, f64) {
        let x = self.col_x.get(layer as usize).copied().unwrap_or(0.0);
        (x, x + self.col_w.get(layer as usize).copied().unwrap_or(0.0))
    }
}

fn finite_size(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

pub(super) fn place(g: &Layered, nodes: &[NodeBox], edges: &[(u32, u32)], options: &GraphLayoutOptions) -> GraphLayout {
    let count = g.layer.len();
    let size = |v: usize, f: fn(&NodeBox) -> f64| {
        if v < g.real { nodes.get(v).map_or(0.0, |n| finite_size(f(n))) } else { 0.0 }
    };
    let width: Vec<f64> = (0..count).map(|v| size(v, |n| n.width)).collect();
    let height: Vec<f64> = (0..count).map(|v| size(v, |n| n.height)).collect();
    let mut col_x = Vec::with_capacity(g.layers.len());
    let mut col_w = Vec::with_capacity(g.layers.len());
    let mut x = 0.0;
    for layer in &g.layers {
        let w = layer.iter().map(|&v| width.get(v as usize).copied().unwrap_or(0.0)).fold(0.0, f64::max);
        col_x.push(x);
        col_w.push(w);
        x += w + options.layer_gap;
    }
    let mut geo = Geometry { width, height, col_x, col_w, y: vec![0.0; count] };
    let sep = |geo: &Geometry, a: u32, b: u32| {
        let gap = if g.is_dummy(a) || g.is_dummy(b) { options.edge_gap } else { options.node_gap };
        geo.h(a) / 2.0 + geo.h(b) / 2.0 + gap
    };
    // Start stacked, then pull towards neighbours.
    for layer in &g.layers {
        let desired = vec![0.0; layer.len()];
        let placed = settle(layer, &desired, |a, b| sep(&geo, a, b));
        for (&v, y) in layer.iter().zip(placed) {
            if let Some(slot) = geo.y.get_mut(v as usize) {
                *slot = y;
            }
        }
    }
    for pass in 0..PLACEMENT_PASSES {
        let from_left = pass % 2 == 0;
        let order: Vec<usize> = if from_left {
            (1..g.layers.len()).collect()
        } else {
            (0..g.layers.len().saturating_sub(1)).rev().collect()
        };
        for l in order {
            let Some(layer) = g.layers.get(l) else { continue };
            let desired: Vec<f64> = layer
                .iter()
                .map(|&v| {
                    let nbrs = if from_left { g.preds(v) } else { g.succs(v) };
                    if nbrs.is_empty() {
                        geo.cy(v)
                    } else {
                        nbrs.iter().map(|&u| geo.cy(u)).sum::<f64>() / nbrs.len() as f64
                    }
                })
                .collect();
            let placed = settle(layer, &desired, |a, b| sep(&geo, a, b));
            for (&v, y) in layer.iter().zip(placed) {
                if let Some(slot) = geo.y.get_mut(v as usize) {
                    *slot = y;
                }
            }
        }
    }
    let has_loops = g.chains.iter().any(|c| c.kind == ChainKind::SelfLoop);
    let top = (0..count).map(|v| geo.cy(v as u32) - geo.h(v as u32) / 2.0).fold(f64::INFINITY, f64::min);
    let shift = if top.is_finite() { -top } else { 0.0 } + if has_loops { LOOP_REACH * 2.0 } else { 0.0 };
    for y in &mut geo.y {
        *y += shift;
    }
    let placed: Vec<PlacedNode> = (0..g.real)
        .map(|v| {
            let vi = v as u32;
            let layer = g.layer.get(v).copied().unwrap_or(0);
            let (cx0, cx1) = geo.col(layer);
            let w = geo.w(vi);
            PlacedNode {
                x: (cx0 + cx1) / 2.0 - w / 2.0,
                y: geo.cy(vi) - geo.h(vi) / 2.0,
                width: w,
                height: geo.h(vi),
                layer,
            }
        })
        .collect();
    let routes: Vec<RoutedEdge> = g.chains.iter().map(|c| route(g, &geo, &placed, c)).collect();
    debug_assert_eq!(routes.len(), edges.len());
    let width = geo.col_x.last().copied().unwrap_or(0.0)
        + geo.col_w.last().copied().unwrap_or(0.0)
        + if has_loops { LOOP_REACH } else { 0.0 };
    let height = (0..count).map(|v| geo.cy(v as u32) + geo.h(v as u32) / 2.0).fold(0.0, f64::max);
    GraphLayout { nodes: placed, edges: routes, width, height }
}

/// Centres for one column's vertices, in order, as near `desired` as the separations allow: the mean
/// of the forward pass (each as low as needed below the previous) and the backward pass (each as high
/// as needed above the next). Both satisfy every separation, so their mean does, and neither side of
/// the column is favoured.
fn settle(layer: &[u32], desired: &[f64], sep: impl Fn(u32, u32) -> f64) -> Vec<f64> {
    let n = layer.len();
    let mut forward = Vec::with_capacity(n);
    for (i, (&v, &d)) in layer.iter().zip(desired).enumerate() {
        let y = match (i.checked_sub(1).and_then(|p| layer.get(p)), forward.last()) {
            (Some(&prev), Some(&py)) => f64::max(d, py + sep(prev, v)),
            _ => d,
        };
        forward.push(y);
    }
    let mut backward = vec![0.0; n];
    let mut next: Option<(u32, f64)> = None;
    for i in (0..n).rev() {
        let (Some(&v), Some(&d)) = (layer.get(i), desired.get(i)) else { continue };
        let y = match next {
            Some((nv, ny)) => f64::min(d, ny - sep(v, nv)),
            None => d,
        };
        if let Some(slot) = backward.get_mut(i) {
            *slot = y;
        }
        next = Some((v, y));
    }
    forward.iter().zip(&backward).map(|(a, b)| (a + b) / 2.0).collect()
}

/// The polyline of one edge: it leaves its left end horizontally, changes height only in the gaps
/// between columns, crosses each column at its dummy's slot, and enters its right end horizontally.
fn route(g: &Layered, geo: &Geometry, placed: &[PlacedNode], chain: &super::order::Chain) -> RoutedEdge {
    let mut points: Vec<(f64, f64)> = Vec::new();
    match chain.kind {
        ChainKind::Invalid => {}
        ChainKind::SelfLoop => {
            if let Some(n) = chain.vertices.first().and_then(|&v| placed.get(v as usize)) {
                let (right, cy, cx) = (n.x + n.width, n.y + n.height / 2.0, n.x + n.width / 2.0);
                let up = n.y - LOOP_REACH;
                points = vec![(right, cy), (right + LOOP_REACH, cy), (right + LOOP_REACH, up), (cx, up), (cx, n.y)];
            }
        }
        ChainKind::Path => {
            let last = chain.vertices.len().saturating_sub(1);
            for (i, &v) in chain.vertices.iter().enumerate() {
                let layer = g.layer.get(v as usize).copied().unwrap_or(0);
                let (c0, c1) = geo.col(layer);
                let y = geo.cy(v);
                if i == 0 {
                    let right = placed.get(v as usize).map_or(c1, |n| n.x + n.width);
                    points.extend([(right, y), (c1, y)]);
                } else if i == last {
                    let left = placed.get(v as usize).map_or(c0, |n| n.x);
                    points.extend([(c0, y), (left, y)]);
                } else {
                    points.extend([(c0, y), (c1, y)]);
                }
            }
            points.dedup();
            if chain.reversed {
                points.reverse();
            }
        }
    }
    RoutedEdge { points, reversed: chain.reversed }
}
