//! Backend dependency answers (Jaeger UI's recorded `/api/dependencies` samples) merged into service
//! graphs: alone, and over a graph built from traces.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use spanlens_analysis::service_graph::{BackendLink, EdgeSource, ServiceGraph};
use std::path::PathBuf;

fn recording(name: &str) -> Option<Vec<BackendLink>> {
    let shared = std::env::var_os("SPANLENS_SHARED")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"), PathBuf::from);
    let path = shared.join("fixtures/backend-api/jaeger").join(name);
    let Ok(bytes) = std::fs::read(&path) else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{} missing under CI", path.display());
        eprintln!("\n!!!!!! SKIPPED: {} not found (set SPANLENS_SHARED) !!!!!!\n", path.display());
        return None;
    };
    let items: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
    Some(
        items
            .iter()
            .map(|l| BackendLink {
                parent: l["parent"].as_str().unwrap().to_owned(),
                child: l["child"].as_str().unwrap().to_owned(),
                call_count: l["callCount"].as_u64().unwrap(),
                error_count: l.get("errorCount").and_then(Value::as_u64),
            })
            .collect(),
    )
}

#[test]
fn jaeger_small_sample_alone() {
    let Some(links) = recording("jaeger-ui__dependencies-data-small__small.json") else { return };
    let mut g = ServiceGraph::default();
    g.merge_backend_links(&links);
    assert_eq!(g.nodes.len(), 8);
    assert_eq!(g.edges.len(), 7);
    assert!(g.edges.iter().all(|e| e.origin == EdgeSource::FromBackend && e.refs.is_empty()));
    assert_eq!(g.edges.iter().map(|e| e.calls).sum::<u64>(), 290_225);
    let s1 = g.node_index("Service1").unwrap();
    let around = g.neighbourhood(s1, 1);
    assert!(around.edges.iter().all(|&e| {
        let e = &g.edges[e as usize];
        e.source == s1 || e.target == s1
    }));
}

#[test]
fn jaeger_large_sample_merges_twice_and_focuses() {
    let Some(links) = recording("jaeger-ui__dependencies-data-large__large.json") else { return };
    let mut g = ServiceGraph::default();
    g.merge_backend_links(&links);
    assert_eq!(g.nodes.len(), 1238);
    let edges = g.edges.len();
    let calls: u64 = g.edges.iter().map(|e| e.backend_calls).sum();
    // A second answer for the same pairs adds counts, not edges.
    g.merge_backend_links(&links);
    assert_eq!(g.edges.len(), edges);
    assert_eq!(g.edges.iter().map(|e| e.backend_calls).sum::<u64>(), 2 * calls);
    let focus = g.neighbourhood(0, 2);
    let part = g.restricted_to(&focus);
    assert_eq!(part.nodes.len(), focus.nodes.len());
    assert!(
        part.edges.iter().all(|e| (e.source as usize) < part.nodes.len() && (e.target as usize) < part.nodes.len())
    );
}
