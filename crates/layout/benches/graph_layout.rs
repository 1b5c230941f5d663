//! Layered layout of a service graph: random graphs of 300 nodes and 1,500 edges (cycles included)
//! and of 500 nodes and 5,000 edges, and Jaeger UI's recorded large dependency sample. Target (issue #12): 300/1,500 in at most 200 ms in the browser, so well under natively.
//!
//! Run: `cargo bench -p spanlens-layout --bench graph_layout`.

use criterion::{Criterion, criterion_group, criterion_main};
use spanlens_layout::graph::{GraphLayoutOptions, NodeBox, layout_graph};
use std::time::Duration;

/// Node boxes and edges.
type Input = (Vec<NodeBox>, Vec<(u32, u32)>);

fn random_graph(n: u32, m: usize, seed: u64) -> Input {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as u32
    };
    let nodes = (0..n).map(|i| NodeBox::for_label(&format!("service-{i:03}"))).collect();
    let edges = (0..m).map(|_| (next() % n, next() % n)).collect();
    (nodes, edges)
}

/// Jaeger UI's recorded large `/api/dependencies` sample (1,238 services, 4,271 links), if the shared
/// corpus is there; parsed with a crude scan (no JSON parser in this crate).
fn jaeger_large() -> Option<Input> {
    let root = std::env::var_os("SPANLENS_SHARED").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        std::path::PathBuf::from,
    );
    let text = std::fs::read_to_string(
        root.join("fixtures/backend-api/jaeger/jaeger-ui__dependencies-data-large__large.json"),
    )
    .ok()?;
    let values = |field: &str| -> Vec<String> {
        text.split(&format!("\"{field}\"")).skip(1).filter_map(|r| r.split('"').nth(1).map(str::to_owned)).collect()
    };
    let (parents, children) = (values("parent"), values("child"));
    let mut names: Vec<String> = parents.iter().chain(&children).cloned().collect();
    names.sort();
    names.dedup();
    let index = |n: &String| names.binary_search(n).ok().map(|i| i as u32);
    let edges = parents.iter().zip(&children).filter_map(|(p, c)| Some((index(p)?, index(c)?))).collect();
    Some((names.iter().map(|n| NodeBox::for_label(n)).collect(), edges))
}

fn layout(c: &mut Criterion) {
    let mut inputs: Vec<(String, Input)> = [(300u32, 1_500usize), (500, 5_000)]
        .into_iter()
        .map(|(n, m)| {
            let (nodes, edges) = random_graph(n, m, 42);
            (format!("{n}_nodes_{m}_edges"), (nodes, edges))
        })
        .collect();
    match jaeger_large() {
        Some(input) => inputs.push(("jaeger_ui_large_sample".to_owned(), input)),
        None => eprintln!("!!! jaeger_ui_large_sample skipped: shared corpus not found (set SPANLENS_SHARED)"),
    }
    for (name, (nodes, edges)) in inputs {
        let mut group = c.benchmark_group("graph_layout");
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(5));
        group.bench_function(name, |b| b.iter(|| layout_graph(&nodes, &edges, &GraphLayoutOptions::default())));
        group.finish();
    }
}

criterion_group!(benches, layout);
criterion_main!(benches);
