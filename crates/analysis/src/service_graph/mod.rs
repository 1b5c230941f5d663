//! Service dependency graph: which services call which, how often, how slowly and how often it fails,
//! including the databases, queues and remote services that emit no spans of their own.
//!
//! Built from loaded traces ([`build_service_graph`]) under one of several rule sets ([`Rules`]):
//! - [`Rules::Viewer`] (the default): Tempo's pairing (a CLIENT span with its SERVER child, a
//!   PRODUCER with its CONSUMER, a client span carrying a database attribute to a database node),
//!   unmatched halves turned into virtual nodes at once (a viewer holds whole traces, so there is no
//!   reason to wait for the other half the way a streaming processor does), messaging producers without
//!   a consumer to a messaging node, and, when kinds are missing, a plain change of service between
//!   parent and child (the idea behind Zipkin's linker for kind-less v2 data).
//! - [`Rules::Tempo`]: Tempo's service-graph processor as documented in the conformance corpus; with
//!   `expire_unmatched` the virtual nodes its store creates on expiry.
//! - [`Rules::Zipkin`]: Zipkin's dependency linker (parent/child links from local and remote service
//!   names, brokers for messaging, kind-less spans with both names treated as RPC).
//! - [`Rules::Jaeger`]: Jaeger's in-memory store: every parent/child pair links the two services.
//!
//! Backend answers (Jaeger `/api/dependencies`, Zipkin `/api/v2/dependencies`) merge in with
//! [`ServiceGraph::merge_backend_links`]; each edge says where it came from ([`EdgeSource`]).
//! [`ServiceGraph::neighbourhood`] gives Jaeger's "deep dependency graph" focus.
//!
//! How the app uses it: the `/services` page calls [`build_service_graph`] over every loaded trace
//! (optionally [`ServiceGraph::merge_backend_links`] with a backend's dependency answer), then
//! `spanlens_layout::graph::layout_service_graph`; a click on a node takes
//! [`ServiceGraph::neighbourhood`] and lays out [`ServiceGraph::restricted_to`] that part. The
//! per-trace view builds the graph of one trace and highlights [`ServiceGraph::edges_on_spans`] with
//! the critical path's spans (`CriticalPath::is_on_critical_path`).
//!
//! Latency percentiles are nearest-rank over integer nanoseconds (no interpolation): the p-th
//! percentile of n sorted values is the value at rank ceil(p/100 × n), so every figure is a latency
//! that was actually observed.

mod accumulate;
mod merge;
mod rules;
#[cfg(test)]
mod tests;
mod zipkin;

use serde::{Deserialize, Serialize};
use spanlens_model::{Trace, TraceSet};

pub use merge::{BackendLink, Neighbourhood};

/// Which peer's rules derive the edges.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rules {
    /// Tempo's pairing plus virtual nodes and the kind-less fallback; see the module doc.
    #[default]
    Viewer,
    /// Tempo's service-graph processor; `expire_unmatched` adds the virtual-node edges its store
    /// creates when unmatched halves expire.
    Tempo { expire_unmatched: bool },
    /// Zipkin's dependency linker.
    Zipkin,
    /// Jaeger's in-memory store: every parent/child pair is a call.
    Jaeger,
}

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A service that emitted spans.
    Service,
    /// An uninstrumented database named by a client span's `db.*` attributes.
    Database,
    /// A messaging system (broker) named by a producer or consumer span.
    Messaging,
    /// An uninstrumented remote peer named by `peer.service`/`server.address`, or Tempo's `user`.
    Remote,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Service => "service",
            NodeKind::Database => "database",
            NodeKind::Messaging => "messaging",
            NodeKind::Remote => "remote",
        }
    }
}

/// Tempo's `connection_type` label.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ConnectionType {
    /// Plain RPC (Tempo's empty string).
    #[default]
    Rpc,
    Database,
    MessagingSystem,
    VirtualNode,
}

impl ConnectionType {
    /// Tempo's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionType::Rpc => "",
            ConnectionType::Database => "database",
            ConnectionType::MessagingSystem => "messaging_system",
            ConnectionType::VirtualNode => "virtual_node",
        }
    }
}

/// Where an edge was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeSource {
    FromTraces,
    FromBackend,
    Both,
}

/// One node and its figures over the spans it emitted (all zero for virtual nodes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphNode {
    pub name: String,
    pub kind: NodeKind,
    pub spans: u64,
    pub errors: u64,
    /// Sum of known span durations (nested spans of one service count twice).
    pub total_nanos: i64,
    /// Sum of self times: time the service itself spent, never double counted.
    pub self_nanos: i64,
}

impl GraphNode {
    /// Errors per span, 0 when the node has no spans.
    pub fn error_rate(&self) -> f64 {
        if self.spans == 0 { 0.0 } else { self.errors as f64 / self.spans as f64 }
    }
}

/// Nearest-rank percentiles of one side's latencies; `None` when no call had a known duration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    /// Calls with a known duration on this side.
    pub count: u64,
    pub p50_nanos: Option<i64>,
    pub p95_nanos: Option<i64>,
    pub p99_nanos: Option<i64>,
}

/// One call behind an edge: the trace (its position in the input) and the spans on each side. The UI
/// uses these to tell whether an edge lies on a trace's critical path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRef {
    pub trace: u32,
    pub client_span: Option<u32>,
    pub server_span: Option<u32>,
}

/// A directed edge `source -> target` (indices into [`ServiceGraph::nodes`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphEdge {
    pub source: u32,
    pub target: u32,
    pub connection: ConnectionType,
    /// Calls seen in the traces.
    pub calls: u64,
    pub errors: u64,
    /// Client (or producer) span durations.
    pub client: Latency,
    /// Server (or consumer) span durations; for a database or an uninstrumented peer, the client's.
    pub server: Latency,
    pub origin: EdgeSource,
    /// Counts the backend reported for this pair, when merged.
    pub backend_calls: u64,
    pub backend_errors: Option<u64>,
    pub refs: Vec<CallRef>,
}

/// Nodes and edges. Node order is first appearance; edge order is first appearance (for the Zipkin
/// rules this is the linker's own order).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

impl ServiceGraph {
    pub fn node_index(&self, name: &str) -> Option<u32> {
        self.nodes.iter().position(|n| n.name == name).and_then(|i| u32::try_from(i).ok())
    }

    pub fn node_name(&self, index: u32) -> &str {
        self.nodes.get(index as usize).map_or("", |n| n.name.as_str())
    }

    /// Edges with a call whose spans are both (where present) marked in `on_path` for trace `trace`:
    /// with the critical path's span set this highlights the critical edges of a per-trace graph.
    pub fn edges_on_spans(&self, trace: u32, on_path: impl Fn(u32) -> bool) -> Vec<usize> {
        let on = |s: Option<u32>| s.is_none_or(&on_path);
        self.edges
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.refs.iter().any(|r| {
                    r.trace == trace
                        && (r.client_span.is_some() || r.server_span.is_some())
                        && on(r.client_span)
                        && on(r.server_span)
                })
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// Settings of the Tempo-style rules ([`Rules::Viewer`], [`Rules::Tempo`]) that Tempo's processor
/// also lets its operators change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphOptions {
    /// Attributes naming a client span's database, in priority order (span, else resource); a client
    /// span carrying one is a call to a database. Tempo's default: the namespace (semconv 1.26+) wins
    /// over the older name, then the system.
    pub database_name_attributes: Vec<String>,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            database_name_attributes: ["db.namespace", "db.name", "db.system", "db.system.name"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// Builds the graph from `traces` (each with the set it belongs to; sets keep their own string
/// tables, so nodes are keyed by resolved names). [`CallRef::trace`] is the position in `traces`.
pub fn build_service_graph<'a>(
    traces: impl IntoIterator<Item = (&'a TraceSet, &'a Trace)>,
    rules: Rules,
) -> ServiceGraph {
    build_service_graph_with(traces, rules, &GraphOptions::default())
}

/// [`build_service_graph`] with non-default [`GraphOptions`].
pub fn build_service_graph_with<'a>(
    traces: impl IntoIterator<Item = (&'a TraceSet, &'a Trace)>,
    rules: Rules,
    options: &GraphOptions,
) -> ServiceGraph {
    let mut acc = accumulate::Acc::default();
    for (position, (set, trace)) in traces.into_iter().enumerate() {
        let position = u32::try_from(position).unwrap_or(u32::MAX);
        acc.add_node_figures(set, trace);
        match rules {
            Rules::Zipkin => zipkin::link_trace(&mut acc, set, trace, position),
            Rules::Jaeger => rules::jaeger_trace(&mut acc, set, trace, position),
            Rules::Viewer => rules::tempo_trace(&mut acc, set, trace, position, rules::Mode::Viewer, options),
            Rules::Tempo { expire_unmatched } => {
                let mode = rules::Mode::Tempo { expire_unmatched };
                rules::tempo_trace(&mut acc, set, trace, position, mode, options)
            }
        }
    }
    acc.finish()
}
