//! Layered layout of a service graph: 300 nodes and 1,500 edges (cycles included), and 500 nodes and
//! 5,000 edges. Target (issue #12): 300/1,500 in at most 200 ms in the browser, so well under natively.
//!
//! Run: `cargo bench -p spanlens-layout --bench graph_layout`.

use criterion::{Criterion, criterion_group, criterion_main};
use spanlens_layout::graph::{GraphLayoutOptions, NodeBox, layout_graph};
use std::time::Duration;

fn random_graph(n: u32, m: usize, seed: u64) -> (Vec<NodeBox>, Vec<(u32, u32)>) {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as u32
    };
    let nodes = (0..n).map(|i| NodeBox::for_label(&format!("service-{i:03}"))).collect();
    let edges = (0..m).map(|_| (next() % n, next() % n)).collect();
    (nodes, edges)
}

fn layout(c: &mut Criterion) {
    for (n, m) in [(300u32, 1_500usize), (500, 5_000)] {
        let (nodes, edges) = random_graph(n, m, 42);
        let mut group = c.benchmark_group("graph_layout");
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(5));
        group.bench_function(format!("{n}_nodes_{m}_edges"), |b| {
            b.iter(|| layout_graph(&nodes, &edges, &GraphLayoutOptions::default()))
        });
        group.finish();
    }
}

criterion_group!(benches, layout);
criterion_main!(benches);
