use super::*;
use crate::test_util::{Val, build, s};
use spanlens_model::SpanKind;

fn with_kinds(mut set: TraceSet, kinds: &[(usize, SpanKind)]) -> TraceSet {
    for &(i, k) in kinds {
        set.traces[0].spans[i].kind = k;
    }
    set
}

fn graph(set: &TraceSet, rules: Rules) -> ServiceGraph {
    build_service_graph(set.traces.iter().map(|t| (set, t)), rules)
}

fn edge<'a>(g: &'a ServiceGraph, from: &str, to: &str) -> &'a GraphEdge {
    g.edges.iter().find(|e| g.node_name(e.source) == from && g.node_name(e.target) == to).expect("edge")
}

fn names(g: &ServiceGraph) -> Vec<(String, String, &'static str)> {
    g.edges
        .iter()
        .map(|e| (g.node_name(e.source).to_owned(), g.node_name(e.target).to_owned(), e.connection.as_str()))
        .collect()
}

/// frontend (server) -> client span -> backend (server) -> db client; a producer with no consumer.
fn shop() -> TraceSet {
    let set = build(&[
        s(1, 0, 0, 100).svc("frontend"),
        s(2, 1, 10, 50).svc("frontend"),
        s(3, 2, 15, 40).svc("backend").err(),
        s(4, 3, 20, 10).svc("backend").attr("db.system", Val::Str("postgresql")).attr("db.name", Val::Str("orders")),
        s(5, 1, 70, 5)
            .svc("frontend")
            .attr("messaging.system", Val::Str("kafka"))
            .attr("messaging.destination.name", Val::Str("audit")),
        s(6, 1, 80, 5).svc("frontend").attr("peer.service", Val::Str("payments")),
    ]);
    with_kinds(
        set,
        &[
            (0, SpanKind::Server),
            (1, SpanKind::Client),
            (2, SpanKind::Server),
            (3, SpanKind::Client),
            (4, SpanKind::Producer),
            (5, SpanKind::Client),
        ],
    )
}

#[test]
fn pairs_clients_with_servers_and_adds_virtual_nodes() {
    let set = shop();
    let g = graph(&set, Rules::Viewer);
    assert_eq!(
        names(&g),
        vec![
            ("user".into(), "frontend".into(), "virtual_node"),
            ("frontend".into(), "backend".into(), ""),
            ("backend".into(), "orders".into(), "database"),
            ("frontend".into(), "kafka audit".into(), "messaging_system"),
            ("frontend".into(), "payments".into(), "virtual_node"),
        ]
    );
    let rpc = edge(&g, "frontend", "backend");
    assert_eq!((rpc.calls, rpc.errors), (1, 1));
    assert_eq!(rpc.client.p50_nanos, Some(50));
    assert_eq!(rpc.server.p99_nanos, Some(40));
    assert_eq!(rpc.refs, vec![CallRef { trace: 0, client_span: Some(1), server_span: Some(2) }]);
    let kinds: Vec<(&str, NodeKind)> = g.nodes.iter().map(|n| (n.name.as_str(), n.kind)).collect();
    assert!(kinds.contains(&("orders", NodeKind::Database)));
    assert!(kinds.contains(&("kafka audit", NodeKind::Messaging)));
    assert!(kinds.contains(&("payments", NodeKind::Remote)));
    assert!(kinds.contains(&("user", NodeKind::Remote)));
    let backend = &g.nodes[g.node_index("backend").unwrap() as usize];
    assert_eq!((backend.spans, backend.errors, backend.total_nanos, backend.self_nanos), (2, 1, 50, 40));
}

#[test]
fn tempo_without_expiry_has_no_virtual_nodes() {
    let set = shop();
    let g = graph(&set, Rules::Tempo { expire_unmatched: false });
    assert_eq!(
        names(&g),
        vec![("frontend".into(), "backend".into(), ""), ("backend".into(), "orders".into(), "database")]
    );
}

#[test]
fn kinds_missing_fall_back_to_change_of_service() {
    let set = build(&[
        s(1, 0, 0, 100).svc("a"),
        s(2, 1, 0, 50).svc("a"),
        s(3, 2, 0, 40).svc("b"),
        s(4, 3, 0, 10).svc("b").attr("peer.service", Val::Str("cache")),
    ]);
    let g = graph(&set, Rules::Viewer);
    assert_eq!(names(&g), vec![("a".into(), "b".into(), ""), ("b".into(), "cache".into(), "virtual_node")]);
    assert_eq!(edge(&g, "a", "b").refs[0], CallRef { trace: 0, client_span: Some(1), server_span: Some(2) });
}

#[test]
fn cycles_and_several_traces_add_up() {
    // a -> b -> a within one trace, twice (two traces); no recursion, both directions kept.
    let one = || {
        with_kinds(
            build(&[
                s(1, 0, 0, 100).svc("a"),
                s(2, 1, 0, 90).svc("b"),
                s(3, 2, 0, 80).svc("a"),
                s(4, 3, 0, 70).svc("b"),
            ]),
            &[(0, SpanKind::Client), (1, SpanKind::Server), (2, SpanKind::Client), (3, SpanKind::Server)],
        )
    };
    let (x, y) = (one(), one());
    let g = build_service_graph([(&x, &x.traces[0]), (&y, &y.traces[0])], Rules::Viewer);
    assert_eq!(g.nodes.len(), 2);
    let ab = edge(&g, "a", "b");
    assert_eq!(ab.calls, 4);
    assert_eq!(ab.client.count, 4);
    // Nearest rank: sorted client latencies 80, 80, 100, 100.
    assert_eq!((ab.client.p50_nanos, ab.client.p95_nanos), (Some(80), Some(100)));
    assert_eq!(ab.refs.iter().filter(|r| r.trace == 1).count(), 2);
    assert!(g.edges.iter().all(|e| g.node_name(e.source) != g.node_name(e.target)));
}

#[test]
fn nearest_rank_percentiles() {
    let mut v: Vec<i64> = (1..=100).rev().collect();
    let l = accumulate::latency(&mut v);
    assert_eq!((l.p50_nanos, l.p95_nanos, l.p99_nanos), (Some(50), Some(95), Some(99)));
    assert_eq!(accumulate::latency(&mut []).p50_nanos, None);
    assert_eq!(accumulate::nearest_rank(&[7], 99), Some(7));
}

#[test]
fn backend_links_merge_with_their_source() {
    let set = shop();
    let mut g = graph(&set, Rules::Viewer);
    g.merge_backend_links(&[
        BackendLink { parent: "frontend".into(), child: "backend".into(), call_count: 30, error_count: Some(2) },
        BackendLink { parent: "backend".into(), child: "search".into(), call_count: 5, error_count: None },
    ]);
    let both = edge(&g, "frontend", "backend");
    assert_eq!((both.origin, both.calls, both.backend_calls, both.backend_errors), (EdgeSource::Both, 1, 30, Some(2)));
    let only = edge(&g, "backend", "search");
    assert_eq!((only.origin, only.calls, only.errors), (EdgeSource::FromBackend, 5, 0));
    assert_eq!(edge(&g, "backend", "orders").origin, EdgeSource::FromTraces);
}

#[test]
fn neighbourhood_follows_each_direction_to_depth() {
    // u -> a -> b -> c, and x -> b (a sibling caller of a's callee: not in a's neighbourhood).
    let mut g = ServiceGraph::default();
    g.merge_backend_links(&[("u", "a"), ("a", "b"), ("b", "c"), ("x", "b")].map(|(p, c)| BackendLink {
        parent: p.into(),
        child: c.into(),
        call_count: 1,
        error_count: None,
    }));
    let a = g.node_index("a").unwrap();
    let near = g.neighbourhood(a, 1);
    let names: Vec<&str> = near.nodes.iter().map(|&i| g.node_name(i)).collect();
    assert_eq!(names, vec!["u", "a", "b"]);
    let far = g.neighbourhood(a, 5);
    let names: Vec<&str> = far.nodes.iter().map(|&i| g.node_name(i)).collect();
    assert_eq!(names, vec!["u", "a", "b", "c"]);
    assert_eq!(far.edges.len(), 3);
    let focused = g.restricted_to(&near);
    let names: Vec<&str> = focused.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, vec!["u", "a", "b"]);
    let pairs: Vec<(&str, &str)> =
        focused.edges.iter().map(|e| (focused.node_name(e.source), focused.node_name(e.target))).collect();
    assert_eq!(pairs, vec![("u", "a"), ("a", "b")]);
    assert_eq!(g.neighbourhood(99, 2), Neighbourhood::default());
}

#[test]
fn critical_edges_from_span_set() {
    let set = shop();
    let g = graph(&set, Rules::Viewer);
    let on = g.edges_on_spans(0, |s| s <= 3);
    let named: Vec<(&str, &str)> =
        on.iter().map(|&i| (g.node_name(g.edges[i].source), g.node_name(g.edges[i].target))).collect();
    assert_eq!(named, vec![("user", "frontend"), ("frontend", "backend"), ("backend", "orders")]);
}

#[test]
fn deep_chains_are_linear_under_every_rule() {
    // 100,000 kind-less spans, alternating services, each naming the next as its peer: the Zipkin
    // rules treat every one as a client, and no rule may walk the chain per span or recurse.
    let n = 100_000u64;
    let spans: Vec<_> = (1..=n)
        .map(|i| {
            let svc = if i % 2 == 0 { "even" } else { "odd" };
            let peer = if i % 2 == 0 { "odd" } else { "even" };
            s(i, i - 1, i as i64, (2 * (n - i) + 1) as i64).svc(svc).attr("peer.service", Val::Str(peer))
        })
        .collect();
    let set = build(&spans);
    let started = std::time::Instant::now();
    for rules in [Rules::Viewer, Rules::Tempo { expire_unmatched: true }, Rules::Zipkin, Rules::Jaeger] {
        let g = graph(&set, rules);
        assert!(g.nodes.len() >= 2, "{rules:?}");
    }
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

#[test]
fn client_under_another_services_span_still_links_its_caller() {
    // An internal span of `web` whose child is a client span of `lib` (instrumented library, no
    // server below): web -> lib by the change of service, lib -> db by its database attribute.
    let set = with_kinds(
        build(&[s(1, 0, 0, 100).svc("web"), s(2, 1, 0, 50).svc("lib").attr("db.system", Val::Str("redis"))]),
        &[(0, SpanKind::Internal), (1, SpanKind::Client)],
    );
    let g = graph(&set, Rules::Viewer);
    assert_eq!(names(&g), vec![("web".into(), "lib".into(), ""), ("lib".into(), "redis".into(), "database")]);
}
