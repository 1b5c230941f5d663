//! The accumulator every rule set feeds: nodes by name, edges by (source, target, connection), and
//! the raw latencies that become percentiles at the end.

use super::{CallRef, ConnectionType, EdgeSource, GraphEdge, GraphNode, Latency, NodeKind, ServiceGraph};
use crate::critical_path::self_times;
use spanlens_model::{Sym, Trace, TraceSet};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate hasher (the FxHash idea) for the small integer keys hashed once or twice per
/// span: symbols, node indices, edge keys. SipHash's flooding resistance buys nothing here (symbols
/// are the interner's own sequential numbers) and cost a third of the build time at 1M spans.
#[derive(Clone, Copy, Default)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(chunk) {
                *w = *b;
            }
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// One call as a rule set sees it. Durations are `None` when that side has no span or an unknown end.
pub(crate) struct Call {
    pub trace: u32,
    pub client_span: Option<u32>,
    pub server_span: Option<u32>,
    pub client_nanos: Option<i64>,
    pub server_nanos: Option<i64>,
    pub error: bool,
}

#[derive(Default)]
struct EdgeAcc {
    source: u32,
    target: u32,
    connection: ConnectionType,
    calls: u64,
    errors: u64,
    client: Vec<i64>,
    server: Vec<i64>,
    refs: Vec<CallRef>,
}

#[derive(Default)]
pub(crate) struct Acc {
    nodes: Vec<GraphNode>,
    by_name: FastMap<String, u32>,
    edges: Vec<EdgeAcc>,
    by_key: FastMap<(u32, u32, ConnectionType), u32>,
}

impl Acc {
    /// The node called `name`, created with `kind` if new. A name that also emitted spans stays a
    /// service whatever else calls it.
    pub fn node(&mut self, name: &str, kind: NodeKind) -> u32 {
        if let Some(&i) = self.by_name.get(name) {
            return i;
        }
        let i = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(GraphNode { name: name.to_owned(), kind, spans: 0, errors: 0, total_nanos: 0, self_nanos: 0 });
        self.by_name.insert(name.to_owned(), i);
        i
    }

    /// Span counts, errors and times per service for one trace.
    pub fn add_node_figures(&mut self, set: &TraceSet, trace: &Trace) {
        let self_nanos = self_times(trace);
        // One string lookup per service per trace, not per span.
        let mut local: FastMap<Sym, u32> = FastMap::default();
        for (i, span) in trace.spans.iter().enumerate() {
            let node = match local.get(&span.service) {
                Some(&n) => n,
                None => {
                    let n = self.node(set.resolve(span.service), NodeKind::Service);
                    local.insert(span.service, n);
                    n
                }
            };
            let Some(row) = self.nodes.get_mut(node as usize) else { continue };
            row.kind = NodeKind::Service;
            row.spans += 1;
            row.errors += u64::from(span.is_error());
            row.total_nanos = row.total_nanos.saturating_add(span.known_duration_nanos().unwrap_or(0));
            row.self_nanos = row.self_nanos.saturating_add(self_nanos.get(i).copied().unwrap_or(0));
        }
    }

    /// Records one call on the edge `source -> target`.
    pub fn call(&mut self, source: u32, target: u32, connection: ConnectionType, call: Call) {
        let key = (source, target, connection);
        let index = match self.by_key.get(&key) {
            Some(&i) => i,
            None => {
                let i = u32::try_from(self.edges.len()).unwrap_or(u32::MAX);
                self.edges.push(EdgeAcc { source, target, connection, ..EdgeAcc::default() });
                self.by_key.insert(key, i);
                i
            }
        };
        let Some(edge) = self.edges.get_mut(index as usize) else { return };
        edge.calls += 1;
        edge.errors += u64::from(call.error);
        edge.client.extend(call.client_nanos);
        edge.server.extend(call.server_nanos);
        edge.refs.push(CallRef { trace: call.trace, client_span: call.client_span, server_span: call.server_span });
    }

    pub fn finish(self) -> ServiceGraph {
        let edges = self
            .edges
            .into_iter()
            .map(|mut e| GraphEdge {
                source: e.source,
                target: e.target,
                connection: e.connection,
                calls: e.calls,
                errors: e.errors,
                client: latency(&mut e.client),
                server: latency(&mut e.server),
                origin: EdgeSource::FromTraces,
                backend_calls: 0,
                backend_errors: None,
                refs: e.refs,
            })
            .collect();
        ServiceGraph { nodes: self.nodes, edges }
    }
}

/// Nearest-rank percentiles (see the module doc).
pub(crate) fn latency(values: &mut [i64]) -> Latency {
    values.sort_unstable();
    Latency {
        count: values.len() as u64,
        p50_nanos: nearest_rank(values, 50),
        p95_nanos: nearest_rank(values, 95),
        p99_nanos: nearest_rank(values, 99),
    }
}

/// The value at rank ceil(p/100 × n) (1-based) of sorted `values`.
pub(crate) fn nearest_rank(sorted: &[i64], percent: usize) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (percent * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}
