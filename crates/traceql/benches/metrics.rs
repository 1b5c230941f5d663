//! TraceQL metrics over 10,000 synthetic traces of 100 spans each (1M spans), natively, with
//! the same seeded data as `benches/query.rs`. Each query is checked to yield series before it is
//! timed. Timed: `metrics_search` (parse + validate + default range + evaluate + series shaping).
//!
//! Run: `cargo bench -p spanlens-traceql --bench metrics`. Target (issue 13): ≤ 200 ms each.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spanlens_model::TraceSet;
use spanlens_synth::{SynthOptions, generate};
use spanlens_traceql::metrics::metrics_search;
use std::hint::black_box;
use std::time::Duration;

const QUERIES: [(&str, &str); 2] = [
    ("rate_by_service", "{ } | rate() by (resource.service.name)"),
    ("quantiles_by_name", "{ } | quantile_over_time(duration, .5, .95, .99) by (name)"),
];

fn dataset() -> TraceSet {
    let set = generate(&SynthOptions { spans: 1_000_000, traces: 10_000, seed: 42, deep_chain: false });
    assert_eq!(set.span_count(), 1_000_000);
    for (_, text) in QUERIES {
        let result = metrics_search(text, &set, None).unwrap_or_else(|e| panic!("{text}: {e}"));
        let points = result.series.first().map_or(0, |s| s.values.len());
        eprintln!("{text}: {} series of {points} points", result.series.len());
        assert!(!result.series.is_empty(), "{text} yields nothing");
    }
    set
}

fn metrics(c: &mut Criterion) {
    let set = dataset();
    let mut group = c.benchmark_group("traceql_metrics_1M_spans");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements(set.span_count() as u64));
    for (name, text) in QUERIES {
        group.bench_function(name, |b| b.iter_with_large_drop(|| metrics_search(black_box(text), &set, None)));
    }
    group.finish();
}

criterion_group!(benches, metrics);
criterion_main!(benches);
