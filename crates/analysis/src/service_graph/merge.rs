//! Backend dependency links merged into a graph, and the neighbourhood of a node.

use super::{ConnectionType, EdgeSource, GraphEdge, Latency, NodeKind, ServiceGraph};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One link as Jaeger's `/api/dependencies` or Zipkin's `/api/v2/dependencies` gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendLink {
    pub parent: String,
    pub child: String,
    pub call_count: u64,
    /// Zipkin reports errors; Jaeger does not.
    pub error_count: Option<u64>,
}

impl ServiceGraph {
    /// Adds a backend's links. A link matching an existing edge (same names, any connection type;
    /// the plain RPC edge first) marks it [`EdgeSource::Both`] and records the backend's counts beside
    /// the traces' own; other links become [`EdgeSource::FromBackend`] edges whose `calls`/`errors`
    /// are the backend's. Repeated links for one pair add up.
    pub fn merge_backend_links(&mut self, links: &[BackendLink]) {
        let mut by_pair: HashMap<(u32, u32), usize> = HashMap::new();
        for (i, e) in self.edges.iter().enumerate() {
            let slot = by_pair.entry((e.source, e.target)).or_insert(i);
            let current_is_rpc = self.edges.get(*slot).is_some_and(|c| c.connection == ConnectionType::Rpc);
            if !current_is_rpc && e.connection == ConnectionType::Rpc {
                *slot = i;
            }
        }
        for link in links {
            let source = self.node_or_add(&link.parent);
            let target = self.node_or_add(&link.child);
            let i = match by_pair.get(&(source, target)) {
                Some(&i) => i,
                None => {
                    self.edges.push(GraphEdge {
                        source,
                        target,
                        connection: ConnectionType::Rpc,
                        calls: 0,
                        errors: 0,
                        client: Latency::default(),
                        server: Latency::default(),
                        origin: EdgeSource::FromBackend,
                        backend_calls: 0,
                        backend_errors: None,
                        refs: Vec::new(),
                    });
                    let i = self.edges.len() - 1;
                    by_pair.insert((source, target), i);
                    i
                }
            };
            let Some(edge) = self.edges.get_mut(i) else { continue };
            edge.backend_calls = edge.backend_calls.saturating_add(link.call_count);
            if let Some(errors) = link.error_count {
                edge.backend_errors = Some(edge.backend_errors.unwrap_or(0).saturating_add(errors));
            }
            if edge.origin == EdgeSource::FromBackend {
                edge.calls = edge.backend_calls;
                edge.errors = edge.backend_errors.unwrap_or(0);
            } else {
                edge.origin = EdgeSource::Both;
            }
        }
    }

    fn node_or_add(&mut self, name: &str) -> u32 {
        if let Some(i) = self.node_index(name) {
            return i;
        }
        // A backend only names services; whether they emit spans we cannot tell, so they are
        // services (the backends only report instrumented names or remote endpoint names).
        self.nodes.push(super::GraphNode {
            name: name.to_owned(),
            kind: NodeKind::Service,
            spans: 0,
            errors: 0,
            total_nanos: 0,
            self_nanos: 0,
        });
        u32::try_from(self.nodes.len() - 1).unwrap_or(u32::MAX)
    }

    /// Nodes and edges within `depth` hops of `node`, following edges downstream (callees) and
    /// upstream (callers) separately, as Jaeger's deep dependency graph does: a sibling caller of a
    /// callee is not included. Breadth-first, no recursion. Returns sorted node and edge indices.
    pub fn neighbourhood(&self, node: u32, depth: u32) -> Neighbourhood {
        let n = self.nodes.len();
        let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut in_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, e) in self.edges.iter().enumerate() {
            if let Some(v) = out_edges.get_mut(e.source as usize) {
                v.push(i);
            }
            if let Some(v) = in_edges.get_mut(e.target as usize) {
                v.push(i);
            }
        }
        let mut nodes = vec![false; n];
        let mut edges = vec![false; self.edges.len()];
        if let Some(slot) = nodes.get_mut(node as usize) {
            *slot = true;
        } else {
            return Neighbourhood::default();
        }
        for downstream in [true, false] {
            let adjacency = if downstream { &out_edges } else { &in_edges };
            let mut seen = vec![false; n];
            let mut frontier = vec![node];
            if let Some(s) = seen.get_mut(node as usize) {
                *s = true;
            }
            for _ in 0..depth {
                let mut next = Vec::new();
                for &at in &frontier {
                    for &ei in adjacency.get(at as usize).map_or(&[][..], Vec::as_slice) {
                        let Some(e) = self.edges.get(ei) else { continue };
                        let other = if downstream { e.target } else { e.source };
                        if let Some(m) = edges.get_mut(ei) {
                            *m = true;
                        }
                        if let Some(s) = seen.get_mut(other as usize)
                            && !*s
                        {
                            *s = true;
                            next.push(other);
                            if let Some(m) = nodes.get_mut(other as usize) {
                                *m = true;
                            }
                        }
                    }
                }
                frontier = next;
            }
        }
        let pick = |v: &[bool]| {
            v.iter().enumerate().filter(|(_, b)| **b).map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX)).collect()
        };
        Neighbourhood { nodes: pick(&nodes), edges: pick(&edges) }
    }
}

impl ServiceGraph {
    /// The graph of just these nodes and edges (a [`Neighbourhood`]), nodes renumbered in their
    /// original order, for laying out a focused view. Edges whose ends are not both kept are dropped.
    pub fn restricted_to(&self, part: &Neighbourhood) -> ServiceGraph {
        let mut new_index = vec![u32::MAX; self.nodes.len()];
        let mut nodes = Vec::with_capacity(part.nodes.len());
        for &i in &part.nodes {
            if let (Some(node), Some(slot)) = (self.nodes.get(i as usize), new_index.get_mut(i as usize))
                && *slot == u32::MAX
            {
                *slot = u32::try_from(nodes.len()).unwrap_or(u32::MAX);
                nodes.push(node.clone());
            }
        }
        let renumber = |i: u32| new_index.get(i as usize).copied().filter(|&n| n != u32::MAX);
        let edges = part
            .edges
            .iter()
            .filter_map(|&e| self.edges.get(e as usize))
            .filter_map(|e| Some(GraphEdge { source: renumber(e.source)?, target: renumber(e.target)?, ..e.clone() }))
            .collect();
        ServiceGraph { nodes, edges }
    }
}

/// The result of [`ServiceGraph::neighbourhood`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Neighbourhood {
    pub nodes: Vec<u32>,
    pub edges: Vec<u32>,
}
