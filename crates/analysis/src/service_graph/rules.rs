//! Tempo's pairing (also the viewer's default) and Jaeger's parent/child rule.

use super::accumulate::{Acc, Call, FastMap};
use super::{ConnectionType, GraphOptions, NodeKind};
use spanlens_model::{AnyValue, Attribute, Span, SpanKind, Sym, Trace, TraceSet};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Viewer,
    Tempo { expire_unmatched: bool },
}

impl Mode {
    fn expire(self) -> bool {
        match self {
            Mode::Viewer => true,
            Mode::Tempo { expire_unmatched } => expire_unmatched,
        }
    }
}

/// Attribute keys, looked up once per set (a key absent from the string table is on no span).
pub(crate) struct Keys {
    db_names: Vec<Option<Sym>>,
    peer_service: Option<Sym>,
    server_address: Option<Sym>,
    network_peer_address: Option<Sym>,
    network_peer_port: Option<Sym>,
    db_name: Option<Sym>,
    db_system: Option<Sym>,
    db_system_name: Option<Sym>,
    messaging_system: Option<Sym>,
    messaging_destinations: [Option<Sym>; 2],
}

impl Keys {
    pub fn of(set: &TraceSet, options: &GraphOptions) -> Keys {
        let k = |s: &str| set.strings.get(s);
        Keys {
            db_names: options.database_name_attributes.iter().map(|a| k(a)).collect(),
            peer_service: k("peer.service"),
            server_address: k("server.address"),
            network_peer_address: k("network.peer.address"),
            network_peer_port: k("network.peer.port"),
            db_name: k("db.name"),
            db_system: k("db.system"),
            db_system_name: k("db.system.name"),
            messaging_system: k("messaging.system"),
            messaging_destinations: [k("messaging.destination.name"), k("messaging.destination")],
        }
    }
}

/// The attribute as text, when present and not empty.
fn text(set: &TraceSet, span: &Span, key: Option<Sym>) -> Option<String> {
    value_text(set, span.attribute(key?)?)
}

/// The first of `keys` (by position) among `attributes`, in one pass: (position, value).
fn first_key<'a>(attributes: &'a [Attribute], keys: &[Option<Sym>]) -> Option<(usize, &'a AnyValue)> {
    let mut best: Option<(usize, &AnyValue)> = None;
    for a in attributes {
        let Some(p) = keys.iter().position(|&k| k == Some(a.key)) else { continue };
        if best.is_none_or(|(b, _)| p < b) && !matches!(a.value, AnyValue::Empty) {
            best = Some((p, &a.value));
        }
    }
    best
}

fn value_text(set: &TraceSet, value: &AnyValue) -> Option<String> {
    let s = match value {
        AnyValue::Str(sym) => set.resolve(*sym).to_owned(),
        AnyValue::Empty => return None,
        other => other.display(&set.strings),
    };
    (!s.is_empty()).then_some(s)
}

/// The database a client span talks to, and the name its node gets. Tempo reads the database
/// attributes from the span or its resource, the first key in its order winning (the span on a tie).
fn database_peer(set: &TraceSet, span: &Span, keys: &Keys) -> Option<String> {
    let on_span = first_key(&span.attributes, &keys.db_names);
    let on_resource = set.resource(span).and_then(|r| first_key(&r.attributes, &keys.db_names));
    let (_, value) = match (on_span, on_resource) {
        (Some(s), Some(r)) => Some(if r.0 < s.0 { r } else { s }),
        (s, r) => s.or(r),
    }?;
    let db = value_text(set, value)?;
    let peer = text(set, span, keys.peer_service).or_else(|| text(set, span, keys.server_address)).or_else(|| {
        let addr = text(set, span, keys.network_peer_address)?;
        Some(match text(set, span, keys.network_peer_port) {
            Some(port) => format!("{addr}:{port}"),
            None => addr,
        })
    });
    Some(peer.unwrap_or(db))
}

/// Tempo's peer attributes for virtual nodes, in its order.
fn peer_name(set: &TraceSet, span: &Span, keys: &Keys, viewer: bool) -> Option<String> {
    [keys.peer_service, keys.db_name, keys.db_system, keys.db_system_name]
        .iter()
        .find_map(|&k| text(set, span, k))
        .or_else(|| if viewer { text(set, span, keys.server_address) } else { None })
}

/// A viewer's name for the broker behind an unmatched producer: `system destination`.
fn messaging_peer(set: &TraceSet, span: &Span, keys: &Keys) -> Option<String> {
    let system = text(set, span, keys.messaging_system)?;
    match keys.messaging_destinations.iter().find_map(|&k| text(set, span, k)) {
        Some(dest) => Some(format!("{system} {dest}")),
        None => Some(system),
    }
}

fn is_client_side(kind: SpanKind) -> bool {
    matches!(kind, SpanKind::Client | SpanKind::Producer)
}

fn is_server_side(kind: SpanKind) -> bool {
    matches!(kind, SpanKind::Server | SpanKind::Consumer)
}

/// Service node per symbol, cached for one trace.
struct Services<'a> {
    set: &'a TraceSet,
    cache: FastMap<Sym, u32>,
}

impl Services<'_> {
    fn get(&mut self, acc: &mut Acc, sym: Sym) -> u32 {
        if let Some(&n) = self.cache.get(&sym) {
            return n;
        }
        let n = acc.node(self.set.resolve(sym), NodeKind::Service);
        self.cache.insert(sym, n);
        n
    }
}

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Tempo's rules (see the corpus README) and the viewer's extension of them.
pub(crate) fn tempo_trace(
    acc: &mut Acc,
    set: &TraceSet,
    trace: &Trace,
    position: u32,
    mode: Mode,
    options: &GraphOptions,
) {
    let keys = Keys::of(set, options);
    let viewer = mode == Mode::Viewer;
    let mut services = Services { set, cache: FastMap::default() };
    let tree = &trace.tree;
    for (i, span) in trace.spans.iter().enumerate() {
        let me = idx(i);
        // First, as the branches below end early: it concerns the span's parent, not the span.
        if viewer {
            kindless_fallback(acc, &mut services, trace, position, i);
        }
        if is_client_side(span.kind) {
            let children = tree.children(me);
            let has_server_child =
                children.iter().any(|&c| trace.spans.get(c as usize).is_some_and(|s| is_server_side(s.kind)));
            if span.kind == SpanKind::Client
                && (!viewer || !has_server_child)
                && let Some(db) = database_peer(set, span, &keys)
            {
                let from = services.get(acc, span.service);
                let to = acc.node(&db, NodeKind::Database);
                let d = span.known_duration_nanos();
                let call = Call {
                    trace: position,
                    client_span: Some(me),
                    server_span: None,
                    client_nanos: d,
                    server_nanos: d,
                    error: span.is_error(),
                };
                acc.call(from, to, ConnectionType::Database, call);
                continue;
            }
            let mut matched = false;
            for &c in children {
                let Some(child) = trace.spans.get(c as usize) else { continue };
                if !is_server_side(child.kind) {
                    matched |= viewer && child.service != span.service;
                    continue;
                }
                matched = true;
                let connection = if span.kind == SpanKind::Producer || child.kind == SpanKind::Consumer {
                    ConnectionType::MessagingSystem
                } else {
                    ConnectionType::Rpc
                };
                let from = services.get(acc, span.service);
                let to = services.get(acc, child.service);
                let call = Call {
                    trace: position,
                    client_span: Some(me),
                    server_span: Some(c),
                    client_nanos: span.known_duration_nanos(),
                    server_nanos: child.known_duration_nanos(),
                    error: span.is_error() || child.is_error(),
                };
                acc.call(from, to, connection, call);
            }
            if matched || !mode.expire() {
                continue;
            }
            let peer = peer_name(set, span, &keys, viewer)
                .map(|p| (p, NodeKind::Remote, ConnectionType::VirtualNode))
                .or_else(|| {
                    if viewer && span.kind == SpanKind::Producer {
                        messaging_peer(set, span, &keys)
                            .map(|p| (p, NodeKind::Messaging, ConnectionType::MessagingSystem))
                    } else {
                        None
                    }
                });
            if let Some((name, kind, connection)) = peer {
                let from = services.get(acc, span.service);
                let to = acc.node(&name, kind);
                let d = span.known_duration_nanos();
                let call = Call {
                    trace: position,
                    client_span: Some(me),
                    server_span: None,
                    client_nanos: d,
                    server_nanos: d,
                    error: span.is_error(),
                };
                acc.call(from, to, connection, call);
            }
        } else if viewer && span.kind == SpanKind::Unspecified {
            // Kind-less (e.g. Zipkin v2 without `kind`) but naming its peer: a call to that peer
            // unless a span of another service below it answers.
            let answered = tree
                .children(me)
                .iter()
                .any(|&c| trace.spans.get(c as usize).is_some_and(|s| s.service != span.service));
            if !answered && let Some(name) = peer_name(set, span, &keys, true) {
                let from = services.get(acc, span.service);
                let to = acc.node(&name, NodeKind::Remote);
                let d = span.known_duration_nanos();
                let call = Call {
                    trace: position,
                    client_span: Some(me),
                    server_span: None,
                    client_nanos: d,
                    server_nanos: d,
                    error: span.is_error(),
                };
                acc.call(from, to, ConnectionType::VirtualNode, call);
            }
        } else if is_server_side(span.kind) && span.parent_span_id.is_none() {
            if !mode.expire() {
                continue;
            }
            let name = peer_name(set, span, &keys, false).unwrap_or_else(|| "user".to_owned());
            let from = acc.node(&name, NodeKind::Remote);
            let to = services.get(acc, span.service);
            let d = span.known_duration_nanos();
            let call = Call {
                trace: position,
                client_span: None,
                server_span: Some(me),
                client_nanos: None,
                server_nanos: d,
                error: span.is_error(),
            };
            acc.call(from, to, ConnectionType::VirtualNode, call);
        }
    }
}

/// A change of service between parent and child that no client/server pair explains (kinds missing,
/// or an instrumented server under an uninstrumented client library) is still a call.
fn kindless_fallback(acc: &mut Acc, services: &mut Services<'_>, trace: &Trace, position: u32, i: usize) {
    let Some(span) = trace.spans.get(i) else { return };
    let Some(&p) = trace.tree.parent.get(i) else { return };
    let Some(parent) = trace.spans.get(p as usize) else { return };
    if parent.service == span.service || (is_client_side(parent.kind) && is_server_side(span.kind)) {
        return;
    }
    let from = services.get(acc, parent.service);
    let to = services.get(acc, span.service);
    let call = Call {
        trace: position,
        client_span: Some(p),
        server_span: Some(idx(i)),
        client_nanos: if is_client_side(parent.kind) { parent.known_duration_nanos() } else { None },
        server_nanos: span.known_duration_nanos(),
        error: span.is_error(),
    };
    acc.call(from, to, ConnectionType::Rpc, call);
}

/// Jaeger's in-memory store: each span whose parent is in the trace is one call from the parent's
/// service to its own (same-service pairs included, as Jaeger counts them).
pub(crate) fn jaeger_trace(acc: &mut Acc, set: &TraceSet, trace: &Trace, position: u32) {
    let mut services = Services { set, cache: FastMap::default() };
    for (i, span) in trace.spans.iter().enumerate() {
        let Some(&p) = trace.tree.parent.get(i) else { continue };
        let Some(parent) = trace.spans.get(p as usize) else { continue };
        let from = services.get(acc, parent.service);
        let to = services.get(acc, span.service);
        let call = Call {
            trace: position,
            client_span: Some(p),
            server_span: Some(idx(i)),
            client_nanos: parent.known_duration_nanos(),
            server_nanos: span.known_duration_nanos(),
            error: span.is_error(),
        };
        acc.call(from, to, ConnectionType::Rpc, call);
    }
}
