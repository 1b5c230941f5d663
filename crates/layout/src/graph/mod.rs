//! Layered left-to-right layout of a directed graph (Sugiyama style), for the service graph.
//!
//! Phases, each iterative (no recursion) and deterministic (every tie is broken by the caller's node
//! key, e.g. the service name, so a small change to the data moves little on screen):
//! 1. `acyclic`: break cycles with the greedy feedback-arc-set heuristic of Eades, Lin and Smyth;
//!    the edges it picks are laid out reversed and flagged [`RoutedEdge::reversed`].
//! 2. `acyclic`: layers by longest path from the sources.
//! 3. `order`: a dummy vertex per layer crossed by a long edge, then barycenter sweeps (down and up,
//!    a few iterations) to reduce crossings.
//! 4. `place`: columns sized by their widest node; vertical positions pulled towards neighbours
//!    under the minimum separations of each column (the mean of a forward and a backward pass, both
//!    feasible, so the mean is too); edges routed as polylines that change height only in the gaps
//!    between columns and cross a column at their own dummy's reserved slot, so they avoid nodes.
//!
//! Why our own code rather than a crate: `rust-sugiyama` (about 4k lines over `petgraph`) returns
//! vertex positions only (no routes through the dummy positions, which we need to keep edges off
//! nodes) and lays out top-down; `layout-rs` is a Graphviz DOT parser and SVG renderer whose layout
//! is tied to its own visual graph and shapes; `petgraph` offers the graph algorithms (a greedy
//! feedback arc set, topological sort) but no layout, and those two algorithms are a few dozen lines
//! here. Writing the ~500 lines ourselves keeps the wasm bundle free of new dependencies and lets us
//! control tie-breaking (stability) and node sizes (label widths) exactly.

mod acyclic;
mod order;
mod place;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use spanlens_analysis::service_graph::ServiceGraph;

/// A node to place: `key` breaks ties (the service name), sizes in pixels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeBox {
    pub key: String,
    pub width: f64,
    pub height: f64,
}

impl NodeBox {
    /// A box sized for a one-line label: an average character width of 7 px plus padding.
    pub fn for_label(label: &str) -> NodeBox {
        let chars = label.chars().count() as f64;
        NodeBox { key: label.to_owned(), width: chars * 7.0 + 24.0, height: 32.0 }
    }
}

/// Spacing, in pixels, and the number of crossing-reduction sweeps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphLayoutOptions {
    /// Horizontal gap between columns (layers); edges bend here.
    pub layer_gap: f64,
    /// Vertical gap between two nodes of one column.
    pub node_gap: f64,
    /// Vertical gap next to an edge passing through a column.
    pub edge_gap: f64,
    pub sweeps: usize,
}

impl Default for GraphLayoutOptions {
    fn default() -> Self {
        GraphLayoutOptions { layer_gap: 80.0, node_gap: 24.0, edge_gap: 10.0, sweeps: 6 }
    }
}

/// A node's box (top-left corner) and its layer (column).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacedNode {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub layer: u32,
}

/// An edge as a polyline from its source to its target. `reversed` edges were turned round to break
/// a cycle, so they run right to left.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutedEdge {
    pub points: Vec<(f64, f64)>,
    pub reversed: bool,
}

/// Everything placed; `width`/`height` bound every node and route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphLayout {
    pub nodes: Vec<PlacedNode>,
    pub edges: Vec<RoutedEdge>,
    pub width: f64,
    pub height: f64,
}

/// Lays out `nodes` and `edges` (pairs of indices into `nodes`; out-of-range edges get an empty
/// route, self-loops a small loop above their node).
pub fn layout_graph(nodes: &[NodeBox], edges: &[(u32, u32)], options: &GraphLayoutOptions) -> GraphLayout {
    let rank = acyclic::key_ranks(nodes);
    let n = nodes.len();
    let valid = |&(a, b): &(u32, u32)| (a as usize) < n && (b as usize) < n;
    let proper: Vec<(u32, u32)> = edges.iter().copied().filter(|e| valid(e) && e.0 != e.1).collect();
    let sequence = acyclic::feedback_sequence(n, &proper, &rank);
    let layers = acyclic::longest_path_layers(n, &proper, &sequence);
    let mut graph = order::Layered::new(nodes, &rank, &layers, edges, &sequence);
    graph.reduce_crossings(options.sweeps);
    place::place(&graph, nodes, edges, options)
}

/// [`layout_graph`] for a service graph: one box per node sized for its name (keys are the names,
/// so ties and thus positions stay put as figures change), one route per edge, in the graph's order.
pub fn layout_service_graph(graph: &ServiceGraph, options: &GraphLayoutOptions) -> GraphLayout {
    let nodes: Vec<NodeBox> = graph.nodes.iter().map(|n| NodeBox::for_label(&n.name)).collect();
    let edges: Vec<(u32, u32)> = graph.edges.iter().map(|e| (e.source, e.target)).collect();
    layout_graph(&nodes, &edges, options)
}
