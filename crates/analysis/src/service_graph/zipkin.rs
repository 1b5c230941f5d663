//! Zipkin's dependency-linker rules, implemented from their description (see the corpus README):
//! spans are visited breadth-first from the roots; a span's kind and its local and remote service
//! names decide the link.
//!
//! - A CLIENT span with children is skipped: its server side (or the first span below it) links the
//!   call, preferring the name the server chose.
//! - A span without a kind is an RPC client when both service names are known, else skipped.
//! - SERVER/CONSUMER link remote -> local; CLIENT/PRODUCER link local -> remote.
//! - PRODUCER/CONSUMER need both names (the broker is the remote side), else no link.
//! - For RPC, the nearest ancestor with a kind (the "remote ancestor") names the caller when the span
//!   is a server or the caller is unknown; a CLIENT whose service differs from that ancestor's gets a
//!   back-filled link ancestor -> client service (no error known); a server whose remote ancestor is a
//!   CLIENT inherits that client's error.

use super::accumulate::{Acc, Call};
use super::{ConnectionType, NodeKind};
use spanlens_model::{AnyValue, NONE, Span, SpanKind, Sym, Trace, TraceSet};
use std::collections::VecDeque;

/// The importer names a Zipkin span without `localEndpoint.serviceName` this way; Zipkin treats it as
/// unknown.
const UNKNOWN_SERVICE: &str = "unknown_service";

fn has_kind(span: &Span) -> bool {
    !matches!(span.kind, SpanKind::Unspecified | SpanKind::Internal)
}

fn local_name<'a>(set: &'a TraceSet, span: &Span) -> Option<&'a str> {
    Some(set.resolve(span.service)).filter(|s| !s.is_empty() && *s != UNKNOWN_SERVICE)
}

fn remote_name<'a>(set: &'a TraceSet, span: &Span, peer_service: Option<Sym>) -> Option<&'a str> {
    match span.attribute(peer_service?)? {
        AnyValue::Str(sym) => Some(set.resolve(*sym)).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// For each span, the nearest ancestor that has a kind ([`NONE`] if none). Filled in pre-order, so a
/// parent's answer is known before its children's: O(n), where walking up from every span would be
/// quadratic on deep chains of kind-less spans.
fn remote_ancestors(trace: &Trace) -> Vec<u32> {
    let tree = &trace.tree;
    let mut nearest = vec![NONE; trace.spans.len()];
    for &i in &tree.preorder {
        let Some(p) = tree.parent_of(i) else { continue };
        let above = if trace.spans.get(p as usize).is_some_and(has_kind) {
            p
        } else {
            nearest.get(p as usize).copied().unwrap_or(NONE)
        };
        if let Some(slot) = nearest.get_mut(i as usize) {
            *slot = above;
        }
    }
    nearest
}

pub(crate) fn link_trace(acc: &mut Acc, set: &TraceSet, trace: &Trace, position: u32) {
    let peer_service = set.strings.get("peer.service");
    let ancestors = remote_ancestors(trace);
    let mut queue: VecDeque<u32> = trace.tree.roots.iter().copied().collect();
    while let Some(current) = queue.pop_front() {
        queue.extend(trace.tree.children(current).iter().copied());
        let Some(span) = trace.spans.get(current as usize) else { continue };
        if span.kind == SpanKind::Client && !trace.tree.children(current).is_empty() {
            continue;
        }
        let service = local_name(set, span);
        let remote = remote_name(set, span, peer_service);
        let kind = if has_kind(span) {
            span.kind
        } else if service.is_some() && remote.is_some() {
            SpanKind::Client
        } else {
            continue;
        };
        let server_side = matches!(kind, SpanKind::Server | SpanKind::Consumer);
        let (mut parent, child) = if server_side { (remote, service) } else { (service, remote) };
        let mut error = span.is_error();
        let duration = span.known_duration_nanos();
        if matches!(kind, SpanKind::Producer | SpanKind::Consumer) {
            if let (Some(p), Some(c)) = (parent, child) {
                let (pk, ck) = if server_side {
                    (NodeKind::Messaging, NodeKind::Service)
                } else {
                    (NodeKind::Service, NodeKind::Messaging)
                };
                let from = acc.node(p, pk);
                let to = acc.node(c, ck);
                let (client_span, server_span) =
                    if server_side { (None, Some(current)) } else { (Some(current), None) };
                let call = Call {
                    trace: position,
                    client_span,
                    server_span,
                    client_nanos: duration,
                    server_nanos: duration,
                    error,
                };
                acc.call(from, to, ConnectionType::MessagingSystem, call);
            }
            continue;
        }
        let mut caller_span = None;
        let ancestor = ancestors.get(current as usize).and_then(|&a| trace.spans.get(a as usize).map(|s| (a, s)));
        if let Some((a, anc)) = ancestor
            && let Some(anc_name) = local_name(set, anc)
        {
            if kind == SpanKind::Client
                && let Some(s) = service
                && s != anc_name
            {
                let from = acc.node(anc_name, NodeKind::Service);
                let to = acc.node(s, NodeKind::Service);
                let call = Call {
                    trace: position,
                    client_span: Some(a),
                    server_span: Some(current),
                    client_nanos: None,
                    server_nanos: None,
                    error: false,
                };
                acc.call(from, to, ConnectionType::Rpc, call);
            }
            if kind == SpanKind::Server || parent.is_none() {
                parent = Some(anc_name);
            }
            if kind == SpanKind::Server && anc.kind == SpanKind::Client {
                error |= anc.is_error();
                caller_span = Some((a, anc.known_duration_nanos()));
            }
        }
        let (Some(p), Some(c)) = (parent, child) else { continue };
        let from = acc.node(p, NodeKind::Service);
        let to = acc.node(c, if server_side { NodeKind::Service } else { NodeKind::Remote });
        let call = if server_side {
            Call {
                trace: position,
                client_span: caller_span.map(|(a, _)| a),
                server_span: Some(current),
                client_nanos: caller_span.and_then(|(_, d)| d),
                server_nanos: duration,
                error,
            }
        } else {
            Call {
                trace: position,
                client_span: Some(current),
                server_span: None,
                client_nanos: duration,
                server_nanos: duration,
                error,
            }
        };
        acc.call(from, to, ConnectionType::Rpc, call);
    }
}
