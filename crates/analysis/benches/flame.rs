//! Flame graph frames of one 1M-span synthetic trace (both modes) and the comparison of two 100k-span
//! traces (different seeds, so the merged tree has added, removed and changed nodes).
//!
//! Run: `cargo bench -p spanlens-analysis --bench flame` (about a minute).

use criterion::{Criterion, criterion_group, criterion_main};
use spanlens_analysis::compare::compare;
use spanlens_analysis::flame::{FlameMode, flame_graph, flame_table};
use spanlens_analysis::self_times;
use spanlens_synth::{SynthOptions, generate};
use std::time::Duration;

fn flame(c: &mut Criterion) {
    let set = generate(&SynthOptions { spans: 1_000_000, traces: 1, seed: 42, deep_chain: false });
    let Some(trace) = set.traces.first() else {
        return;
    };
    let mut group = c.benchmark_group("flame/1M");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("time_order", |b| b.iter_with_large_drop(|| flame_graph(trace, FlameMode::TimeOrder)));
    group.bench_function("left_heavy", |b| b.iter_with_large_drop(|| flame_graph(trace, FlameMode::LeftHeavy)));
    let selfs = self_times(trace);
    group.bench_function("table", |b| b.iter_with_large_drop(|| flame_table(trace, &selfs)));
    group.finish();
}

fn diff(c: &mut Criterion) {
    let a = generate(&SynthOptions { spans: 100_000, traces: 1, seed: 1, deep_chain: false });
    let b = generate(&SynthOptions { spans: 100_000, traces: 1, seed: 2, deep_chain: false });
    let (Some(ta), Some(tb)) = (a.traces.first(), b.traces.first()) else {
        return;
    };
    let mut group = c.benchmark_group("compare/100k");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("compare", |bench| bench.iter_with_large_drop(|| compare(ta, &a.strings, tb, &b.strings)));
    group.finish();
}

criterion_group!(benches, flame, diff);
criterion_main!(benches);
