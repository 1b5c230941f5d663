use super::*;

fn boxes(names: &[&str]) -> Vec<NodeBox> {
    names.iter().map(|n| NodeBox::for_label(n)).collect()
}

/// A deterministic pseudo-random graph of `n` nodes and `m` edges (cycles included).
fn random_graph(n: u32, m: usize, seed: u64) -> (Vec<NodeBox>, Vec<(u32, u32)>) {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as u32
    };
    let nodes: Vec<NodeBox> =
        (0..n).map(|i| NodeBox::for_label(&format!("service-{i:03}-{}", "x".repeat((i % 7) as usize)))).collect();
    let edges = (0..m).map(|_| (next() % n, next() % n)).collect();
    (nodes, edges)
}

fn overlaps(a: &PlacedNode, b: &PlacedNode) -> bool {
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

fn inside(n: &PlacedNode, (x, y): (f64, f64)) -> bool {
    x > n.x + 0.5 && x < n.x + n.width - 0.5 && y > n.y + 0.5 && y < n.y + n.height - 0.5
}

fn check(nodes: &[NodeBox], edges: &[(u32, u32)], l: &GraphLayout) {
    assert_eq!(l.nodes.len(), nodes.len());
    assert_eq!(l.edges.len(), edges.len());
    for (i, a) in l.nodes.iter().enumerate() {
        for b in l.nodes.iter().skip(i + 1) {
            assert!(!overlaps(a, b), "{a:?} overlaps {b:?}");
        }
        assert!(a.x >= 0.0 && a.y >= 0.0 && a.x + a.width <= l.width + 1e-6 && a.y + a.height <= l.height + 1e-6);
    }
    for (e, &(s, t)) in l.edges.iter().zip(edges) {
        if s == t {
            continue;
        }
        let xs: Vec<f64> = e.points.iter().map(|p| p.0).collect();
        let monotone =
            if e.reversed { xs.windows(2).all(|w| w[0] >= w[1]) } else { xs.windows(2).all(|w| w[0] <= w[1]) };
        assert!(monotone, "edge {s}->{t} (reversed {}) not monotone: {:?}", e.reversed, e.points);
        if !e.reversed {
            assert!(l.nodes[s as usize].layer < l.nodes[t as usize].layer);
        }
        // Sampled along every segment: never inside a node other than its own ends.
        for w in e.points.windows(2) {
            for k in 0..=20 {
                let f = f64::from(k) / 20.0;
                let p = (w[0].0 + (w[1].0 - w[0].0) * f, w[0].1 + (w[1].1 - w[0].1) * f);
                for (ni, n) in l.nodes.iter().enumerate() {
                    if ni as u32 != s && ni as u32 != t {
                        assert!(!inside(n, p), "edge {s}->{t} passes through node {ni} at {p:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn chain_goes_left_to_right() {
    let nodes = boxes(&["frontend", "backend", "postgres"]);
    let edges = [(0, 1), (1, 2)];
    let l = layout_graph(&nodes, &edges, &GraphLayoutOptions::default());
    check(&nodes, &edges, &l);
    assert_eq!(l.nodes.iter().map(|n| n.layer).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert!(l.edges.iter().all(|e| !e.reversed));
    // A straight chain stays level.
    assert_eq!(l.nodes[0].y + l.nodes[0].height / 2.0, l.nodes[2].y + l.nodes[2].height / 2.0);
}

#[test]
fn cycles_are_broken_by_reversing_one_edge() {
    let nodes = boxes(&["a", "b", "c"]);
    let edges = [(0, 1), (1, 2), (2, 0)];
    let l = layout_graph(&nodes, &edges, &GraphLayoutOptions::default());
    check(&nodes, &edges, &l);
    assert_eq!(l.edges.iter().filter(|e| e.reversed).count(), 1);
}

#[test]
fn long_edges_route_around_nodes_and_loops_and_bad_edges_are_safe() {
    let nodes = boxes(&["a", "b", "c", "d"]);
    let edges = [(0, 1), (1, 2), (2, 3), (0, 3), (0, 2), (1, 1), (7, 0)];
    let l = layout_graph(&nodes, &edges, &GraphLayoutOptions::default());
    check(&nodes, &edges[..6], &GraphLayout { edges: l.edges[..6].to_vec(), ..l.clone() });
    assert!(l.edges[6].points.is_empty());
    assert_eq!(l.edges[5].points.len(), 5);
    assert!(l.edges[3].points.len() > 4, "long edge bends through its dummies");
}

#[test]
fn deterministic_and_stable_under_input_order() {
    let (nodes, edges) = random_graph(60, 200, 7);
    let opts = GraphLayoutOptions::default();
    let a = layout_graph(&nodes, &edges, &opts);
    assert_eq!(a, layout_graph(&nodes, &edges, &opts));
    check(&nodes, &edges, &a);
    // The same graph with nodes listed in reverse order lands in the same layers.
    let n = nodes.len() as u32;
    let rev_nodes: Vec<NodeBox> = nodes.iter().rev().cloned().collect();
    let rev_edges: Vec<(u32, u32)> = edges.iter().map(|&(s, t)| (n - 1 - s, n - 1 - t)).collect();
    let b = layout_graph(&rev_nodes, &rev_edges, &opts);
    for i in 0..nodes.len() {
        assert_eq!(a.nodes[i].layer, b.nodes[nodes.len() - 1 - i].layer);
    }
}

#[test]
fn empty_and_degenerate_inputs() {
    let l = layout_graph(&[], &[], &GraphLayoutOptions::default());
    assert!(l.nodes.is_empty() && l.edges.is_empty());
    let nodes = vec![NodeBox { key: "x".into(), width: f64::NAN, height: -3.0 }];
    let l = layout_graph(&nodes, &[(0, 0)], &GraphLayoutOptions::default());
    assert!(l.nodes[0].width == 0.0 && l.nodes[0].height == 0.0);
}

#[test]
fn three_hundred_nodes_fifteen_hundred_edges_quickly() {
    let (nodes, edges) = random_graph(300, 1500, 42);
    let started = std::time::Instant::now();
    let l = layout_graph(&nodes, &edges, &GraphLayoutOptions::default());
    let elapsed = started.elapsed();
    check(&nodes, &edges, &l);
    // Debug builds are slow; the release figure is in the bench (`graph_layout`).
    assert!(elapsed.as_millis() < 5_000, "{elapsed:?}");
}

#[test]
fn service_graph_lays_out_with_names_as_keys() {
    use spanlens_analysis::service_graph::{BackendLink, ServiceGraph};
    let mut g = ServiceGraph::default();
    g.merge_backend_links(
        &[("frontend", "backend"), ("backend", "postgres"), ("backend", "frontend")].map(|(p, c)| BackendLink {
            parent: p.into(),
            child: c.into(),
            call_count: 1,
            error_count: None,
        }),
    );
    let l = layout_service_graph(&g, &GraphLayoutOptions::default());
    assert_eq!(l.nodes.len(), 3);
    assert_eq!(l.edges.iter().filter(|e| e.reversed).count(), 1);
    assert!(l.nodes[0].width > NodeBox::for_label("x").width);
}

#[test]
fn sources_sit_next_to_their_callees() {
    let nodes = boxes(&["a", "b", "c", "user"]);
    let edges = [(0, 1), (1, 2), (3, 2)];
    let l = layout_graph(&nodes, &edges, &GraphLayoutOptions::default());
    check(&nodes, &edges, &l);
    assert_eq!(l.nodes.iter().map(|n| n.layer).collect::<Vec<_>>(), vec![0, 1, 2, 1]);
}

#[test]
fn crossings_are_counted_and_removed_when_possible() {
    // Two parallel chains whose keys invite a crossing: a -> d, b -> c, then c -> e, d -> f.
    let nodes = boxes(&["a", "b", "c", "d", "e", "f"]);
    let edges = [(0, 3), (1, 2), (2, 4), (3, 5)];
    let rank = acyclic::key_ranks(&nodes);
    let seq = acyclic::feedback_sequence(nodes.len(), &edges, &rank);
    let layers = acyclic::longest_path_layers(nodes.len(), &edges, &seq);
    let mut g = order::Layered::new(&nodes, &rank, &layers, &edges, &seq);
    // Force the crossing order in the middle layer, then let the sweeps undo it.
    g.layers[1] = vec![2, 3];
    g.layers[0] = vec![0, 1];
    g.layers[2] = vec![4, 5];
    assert_eq!(g.crossings(), 1);
    g.reduce_crossings(4);
    assert_eq!(g.crossings(), 0);
}

/// Jaeger UI's recorded large `/api/dependencies` sample (1,238 services, 4,271 links), parsed with a
/// crude scan (this crate has no JSON parser): a real dependency graph's shape, not a random one.
#[test]
fn jaeger_large_dependency_sample() {
    let path = std::env::var_os("SPANLENS_SHARED")
        .map_or_else(
            || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
            std::path::PathBuf::from,
        )
        .join("fixtures/backend-api/jaeger/jaeger-ui__dependencies-data-large__large.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{} missing under CI", path.display());
        eprintln!("\n!!!!!! SKIPPED: {} not found !!!!!!\n", path.display());
        return;
    };
    let value_of = |field: &str| -> Vec<String> {
        text.split(&format!("\"{field}\"")).skip(1).map(|rest| rest.split('"').nth(1).unwrap().to_owned()).collect()
    };
    let (parents, children) = (value_of("parent"), value_of("child"));
    let mut names: Vec<String> = parents.iter().chain(&children).cloned().collect();
    names.sort();
    names.dedup();
    let index = |n: &String| names.binary_search(n).unwrap() as u32;
    let edges: Vec<(u32, u32)> = parents.iter().zip(&children).map(|(p, c)| (index(p), index(c))).collect();
    let nodes: Vec<NodeBox> = names.iter().map(|n| NodeBox::for_label(n)).collect();
    assert_eq!((nodes.len(), edges.len()), (1238, 4271));
    let l = layout_graph(&nodes, &edges, &GraphLayoutOptions::default());
    for (i, a) in l.nodes.iter().enumerate() {
        for b in l.nodes.iter().skip(i + 1) {
            assert!(!overlaps(a, b));
        }
    }
    for (e, &(s, t)) in l.edges.iter().zip(&edges) {
        if s != t && !e.reversed {
            assert!(e.points.windows(2).all(|w| w[0].0 <= w[1].0));
        }
    }
}
