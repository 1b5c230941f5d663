//! Deterministic synthetic traces shaped like real microservice traces, for benchmarks, demos and
//! stress tests: ~30 services, HTTP/gRPC client→server pairs across services, database calls,
//! messaging producer→consumer pairs, internal work, fan-out that narrows with depth, occasional
//! long chains, errors (5xx with exception events) and realistic attributes.
//!
//! Everything comes from a seeded SplitMix64 generator, so one seed always yields the same set. The
//! generator is iterative (a FIFO work queue of spans to expand) and pre-interns every string it
//! uses, so a million spans take well under a few seconds. Children are always placed inside their
//! parent's time range, so the data never produces clock-skew warnings.

use spanlens_model::span::{Event, Span, SpanKind, Status, StatusCode};
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::{SpanId, Sym, TraceId, TraceSet, TraceSetBuilder};
use std::collections::VecDeque;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthOptions {
    /// Total spans across all traces.
    pub spans: usize,
    /// Number of traces; spans are spread evenly. At least 1.
    pub traces: usize,
    pub seed: u64,
    /// Make the first trace one single chain (each span the child of the previous) of all its spans.
    pub deep_chain: bool,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions { spans: 1000, traces: 10, seed: 1, deep_chain: false }
    }
}

/// SplitMix64: tiny, fast, and statistically fine for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi.saturating_sub(lo).max(0) as u64;
        lo.saturating_add((self.next_u64() % span.saturating_add(1).max(1)) as i64)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        items.get(self.below(items.len())).copied()
    }
}

mod catalog;
use catalog::Catalog;

/// A generated span still accepting children: its index, service, depth and time cursor.
#[derive(Clone, Copy)]
struct Open {
    index: usize,
    service: usize,
    depth: u32,
    cursor: i64,
    end: i64,
}

/// Generates the set described by `opts`.
pub fn generate(opts: &SynthOptions) -> TraceSet {
    let mut builder = TraceSetBuilder::new();
    generate_into(opts, &mut builder);
    builder.finish()
}

/// Generates into an existing builder (as its own source named `synthetic`).
pub fn generate_into(opts: &SynthOptions, builder: &mut TraceSetBuilder) {
    builder.begin_source("synthetic", "synth", 0);
    let cat = Catalog::new(builder);
    let mut rng = Rng::new(opts.seed);
    let traces = opts.traces.max(1).min(opts.spans.max(1));
    // 2026-01-01T00:00:00Z, then a trace every ~0-2 s.
    let mut clock: i64 = 1_767_225_600_000_000_000;
    for t in 0..traces {
        let n = opts.spans / traces + usize::from(t < opts.spans % traces);
        if n == 0 {
            continue;
        }
        let trace_id = TraceId(u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64()));
        clock += rng.range(0, 2_000_000_000);
        let spans =
            if opts.deep_chain && t == 0 { chain(&cat, &mut rng, n, clock) } else { tree(&cat, &mut rng, n, clock) };
        for span in spans {
            builder.push_span(trace_id, 16, span);
        }
    }
}

fn span_id(rng: &mut Rng) -> SpanId {
    SpanId(rng.next_u64().max(1))
}

/// One chain of `n` spans, each inside the previous, crossing services every few levels.
fn chain(cat: &Catalog, rng: &mut Rng, n: usize, start: i64) -> Vec<Span> {
    let step_ns: i64 = 1_000;
    let total = (n as i64).saturating_mul(2 * step_ns).saturating_add(step_ns);
    let mut out = Vec::with_capacity(n);
    let mut parent: Option<SpanId> = None;
    for i in 0..n {
        let svc = (i / 10) % cat.services.len();
        let (service, resource) = cat.services[svc];
        let name = cat.internal[i % cat.internal.len()];
        let off = i as i64 * step_ns;
        let mut s = Span::new(span_id(rng), name, service, start + off, total - 2 * off);
        s.parent_span_id = parent;
        s.resource = resource;
        s.scope = cat.scope_internal;
        s.kind = if i == 0 { SpanKind::Server } else { SpanKind::Internal };
        parent = Some(s.span_id);
        out.push(s);
    }
    out
}

/// A realistic tree of `n` spans.
fn tree(cat: &Catalog, rng: &mut Rng, n: usize, start: i64) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::with_capacity(n);
    let mut queue: VecDeque<Open> = VecDeque::new();
    // Large traces last longer, so that children still get non-zero time.
    let root_ns = rng.range(5_000_000, 3_000_000_000).max(n as i64 * 50_000);
    let (route, method, path) = cat.http_names[rng.below(cat.http_names.len())];
    let root = server_span(cat, rng, 0, None, route, method, path, start, root_ns);
    queue.push_back(Open { index: 0, service: 0, depth: 0, cursor: start, end: start + root_ns });
    spans.push(root);
    let mut expandable: Vec<Open> = Vec::new();
    while spans.len() < n {
        let Some(mut open) = queue.pop_front().or_else(|| rng.pick(&expandable)) else {
            break;
        };
        let fanout = match open.depth {
            0..=1 => rng.range(2, 6),
            2..=5 => rng.range(0, 4),
            _ => rng.range(0, 2),
        }
        .max(i64::from(queue.is_empty()));
        expandable.push(open);
        // A few traces hide one long chain somewhere: real systems have those (retries, recursion).
        let long_chain = open.depth == 2 && rng.chance(2);
        for _ in 0..fanout {
            if spans.len() >= n {
                break;
            }
            let parent_id = spans[open.index].span_id;
            let remaining = open.end - open.cursor;
            let parallel = rng.chance(20);
            let child_start = if parallel { open.cursor.min(open.end) } else { open.cursor + remaining / 20 };
            let dur = ((open.end - child_start) as f64 * (0.1 + 0.5 * (rng.below(100) as f64 / 100.0))) as i64;
            if !parallel {
                open.cursor = child_start + dur;
            }
            let child = add_child(cat, rng, &mut spans, n, open, parent_id, child_start, dur.max(0));
            if let Some(c) = child {
                queue.push_back(c);
                if long_chain {
                    let len = rng.below(40) + 20;
                    extend_chain(cat, rng, &mut spans, n, c, len, &mut queue);
                }
            }
        }
    }
    spans
}

/// Adds one child of `open`; returns the span that may get children of its own.
#[allow(clippy::too_many_arguments)]
fn add_child(
    cat: &Catalog,
    rng: &mut Rng,
    spans: &mut Vec<Span>,
    n: usize,
    open: Open,
    parent: SpanId,
    start: i64,
    dur: i64,
) -> Option<Open> {
    let (parent_service, _) = cat.services[open.service];
    let roll = rng.below(100);
    if roll < 45 && spans.len() + 2 <= n {
        // RPC: a client span here, its server span in another service.
        let callee = (open.service + 1 + rng.below(cat.services.len() - 1)) % cat.services.len();
        let (route, method, path) = cat.http_names[rng.below(cat.http_names.len())];
        let mut client = Span::new(span_id(rng), route, parent_service, start, dur);
        client.parent_span_id = Some(parent);
        client.resource = cat.services[open.service].1;
        client.scope = cat.scope_http;
        client.kind = SpanKind::Client;
        let k = &cat.keys;
        let grpc = rng.chance(30);
        let mut attrs = vec![Attribute { key: k.peer_service, value: AnyValue::Str(cat.services[callee].0) }];
        if grpc {
            attrs.push(Attribute { key: k.rpc_system, value: AnyValue::Str(k.grpc) });
        } else {
            attrs.push(Attribute { key: k.http_method, value: AnyValue::Str(method) });
        }
        client.attributes = attrs.into();
        let client_id = client.span_id;
        let latency = dur / 20;
        let server =
            server_span(cat, rng, callee, Some(client_id), route, method, path, start + latency, dur - 2 * latency);
        if server.is_error() {
            client.status = Status { code: StatusCode::Error, message: None };
        }
        spans.push(client);
        let index = spans.len();
        spans.push(server);
        return Some(Open {
            index,
            service: callee,
            depth: open.depth + 2,
            cursor: start + latency,
            end: start + dur - latency,
        });
    }
    if roll < 70 {
        // Database call: a leaf.
        let (name, system, op, statement) = cat.db[rng.below(cat.db.len())];
        let mut s = Span::new(span_id(rng), name, parent_service, start, dur);
        s.parent_span_id = Some(parent);
        s.resource = cat.services[open.service].1;
        s.scope = cat.scope_db;
        s.kind = SpanKind::Client;
        let k = &cat.keys;
        s.attributes = vec![
            Attribute { key: k.db_system, value: AnyValue::Str(system) },
            Attribute { key: k.db_operation, value: AnyValue::Str(op) },
            Attribute { key: k.db_statement, value: AnyValue::Str(statement) },
        ]
        .into();
        if rng.chance(10) {
            s.events = vec![Event {
                time_nanos: start,
                name: cat.ev_cache_miss,
                attributes: Box::default(),
                dropped_attributes_count: 0,
            }]
            .into();
        }
        spans.push(s);
        return None;
    }
    if roll < 78 && spans.len() + 2 <= n {
        // Messaging: producer here, consumer in another service.
        let consumer_svc = (open.service + 7) % cat.services.len();
        let (publish, process, topic) = cat.topics[rng.below(cat.topics.len())];
        let k = &cat.keys;
        let attrs: Box<[Attribute]> = vec![
            Attribute { key: k.msg_system, value: AnyValue::Str(cat.kafka) },
            Attribute { key: k.msg_destination, value: AnyValue::Str(topic) },
        ]
        .into();
        let short = (dur / 10).max(0);
        let mut p = Span::new(span_id(rng), publish, parent_service, start, short);
        p.parent_span_id = Some(parent);
        p.resource = cat.services[open.service].1;
        p.scope = cat.scope_msg;
        p.kind = SpanKind::Producer;
        p.attributes = attrs.clone();
        let mut c = Span::new(span_id(rng), process, cat.services[consumer_svc].0, start, short);
        c.parent_span_id = Some(p.span_id);
        c.resource = cat.services[consumer_svc].1;
        c.scope = cat.scope_msg;
        c.kind = SpanKind::Consumer;
        c.attributes = attrs;
        spans.push(p);
        spans.push(c);
        return None;
    }
    let name = cat.internal[rng.below(cat.internal.len())];
    let mut s = Span::new(span_id(rng), name, parent_service, start, dur);
    s.parent_span_id = Some(parent);
    s.resource = cat.services[open.service].1;
    s.scope = cat.scope_internal;
    s.kind = SpanKind::Internal;
    s.attributes = vec![Attribute { key: cat.keys.items, value: AnyValue::Int(rng.range(1, 40)) }].into();
    if rng.chance(5) {
        let attrs = vec![Attribute { key: cat.keys.attempt, value: AnyValue::Int(rng.range(1, 3)) }];
        s.events = vec![Event {
            time_nanos: start,
            name: cat.ev_retry,
            attributes: attrs.into(),
            dropped_attributes_count: 0,
        }]
        .into();
    }
    spans.push(s);
    Some(Open { index: spans.len() - 1, service: open.service, depth: open.depth + 1, cursor: start, end: start + dur })
}

#[allow(clippy::too_many_arguments)]
fn server_span(
    cat: &Catalog,
    rng: &mut Rng,
    svc: usize,
    parent: Option<SpanId>,
    name: Sym,
    method: Sym,
    route: Sym,
    start: i64,
    dur: i64,
) -> Span {
    let (service, resource) = cat.services[svc];
    let mut s = Span::new(span_id(rng), name, service, start, dur.max(0));
    s.parent_span_id = parent;
    s.resource = resource;
    s.scope = cat.scope_http;
    s.kind = SpanKind::Server;
    let k = &cat.keys;
    let failed = rng.chance(3);
    let status_code = if failed { cat.errors[rng.below(cat.errors.len())] } else { (200, method, method) };
    let mut attrs = vec![
        Attribute { key: k.http_method, value: AnyValue::Str(method) },
        Attribute { key: k.http_route, value: AnyValue::Str(route) },
        Attribute {
            key: k.http_status,
            value: AnyValue::Int(if rng.chance(4) && !failed { 404 } else { status_code.0 }),
        },
    ];
    if parent.is_none() {
        attrs.push(Attribute { key: k.user_id, value: AnyValue::Str(cat.user_ids[rng.below(cat.user_ids.len())]) });
    }
    s.attributes = attrs.into();
    if failed {
        let (_, exc_type, message) = status_code;
        s.status = Status { code: StatusCode::Error, message: Some(message) };
        let attrs = vec![
            Attribute { key: k.exc_type, value: AnyValue::Str(exc_type) },
            Attribute { key: k.exc_message, value: AnyValue::Str(message) },
        ];
        let at = start + dur / 2;
        s.events = vec![Event {
            time_nanos: at,
            name: cat.ev_exception,
            attributes: attrs.into(),
            dropped_attributes_count: 0,
        }]
        .into();
    }
    s
}

/// Appends a chain of `len` internal spans under `from`; the last one joins the work queue.
fn extend_chain(
    cat: &Catalog,
    rng: &mut Rng,
    spans: &mut Vec<Span>,
    n: usize,
    from: Open,
    len: usize,
    queue: &mut VecDeque<Open>,
) {
    let mut open = from;
    for _ in 0..len {
        if spans.len() >= n {
            return;
        }
        let parent = spans[open.index].span_id;
        let start = open.cursor;
        let dur = ((open.end - start) * 9 / 10).max(0);
        let name = cat.internal[rng.below(cat.internal.len())];
        let mut s = Span::new(span_id(rng), name, cat.services[open.service].0, start, dur);
        s.parent_span_id = Some(parent);
        s.resource = cat.services[open.service].1;
        s.scope = cat.scope_internal;
        s.kind = SpanKind::Internal;
        spans.push(s);
        open = Open {
            index: spans.len() - 1,
            service: open.service,
            depth: open.depth + 1,
            cursor: start,
            end: start + dur,
        };
    }
    queue.push_back(open);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use spanlens_model::WarningKind;

    #[test]
    fn deterministic_realistic_and_warning_free() {
        let opts = SynthOptions { spans: 20_000, traces: 20, seed: 7, deep_chain: false };
        let a = generate(&opts);
        let b = generate(&opts);
        assert_eq!(a, b);
        assert_eq!(a.span_count(), 20_000);
        assert_eq!(a.traces.len(), 20);
        assert!(a.warnings.is_empty(), "{:?}", a.warning_counts());
        let services: std::collections::HashSet<_> = a.traces.iter().flat_map(|t| t.services()).collect();
        assert!(services.len() >= 20, "{}", services.len());
        assert!(a.traces.iter().all(|t| t.tree.roots.len() == 1));
        assert!(a.traces.iter().map(|t| t.tree.max_depth).max().unwrap_or(0) >= 8);
        let errors: usize = a.traces.iter().map(|t| t.error_count()).sum();
        assert!(errors > 100 && errors < 2000, "{errors}");
        assert_ne!(generate(&SynthOptions { seed: 8, ..opts }), a);
    }

    #[test]
    fn deep_chain_and_odd_sizes() {
        let set = generate(&SynthOptions { spans: 70_000, traces: 1, seed: 1, deep_chain: true });
        assert_eq!(set.traces[0].tree.max_depth, 69_999);
        assert!(!set.warnings.iter().any(|w| w.kind == WarningKind::ClockSkew));
        assert_eq!(generate(&SynthOptions { spans: 0, traces: 3, seed: 1, deep_chain: false }).span_count(), 0);
        assert_eq!(generate(&SynthOptions { spans: 5, traces: 9, seed: 1, deep_chain: false }).span_count(), 5);
    }
}
