//! Building the service graph from synthetic traces (`synth`) of 100k and 1M spans under the
//! viewer's rules. Target (issue #12): 1M spans in at most 300 ms native.
//!
//! Run: `cargo bench -p spanlens-analysis --bench service_graph`.

use criterion::{Criterion, criterion_group, criterion_main};
use spanlens_analysis::service_graph::{Rules, build_service_graph};
use spanlens_synth::{SynthOptions, generate};
use std::time::Duration;

fn build(c: &mut Criterion) {
    for spans in [100_000usize, 1_000_000] {
        let set = generate(&SynthOptions { spans, traces: (spans / 1000).max(1), seed: 42, deep_chain: false });
        let mut group = c.benchmark_group(format!("service_graph/{spans}"));
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(if spans >= 1_000_000 { 10 } else { 3 }));
        for (name, rules) in [("viewer", Rules::Viewer), ("zipkin", Rules::Zipkin)] {
            group.bench_function(name, |b| {
                b.iter_with_large_drop(|| build_service_graph(set.traces.iter().map(|t| (&set, t)), rules))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, build);
criterion_main!(benches);
