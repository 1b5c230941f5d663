//! Trace statistics at a million spans: one 1M-span trace (`synth`) grouped by service, then by
//! service and operation (the target: at most 150 ms native, release), and by an attribute;
//! and the same 1M spans as 1,000 traces of 1,000 (the "across these requests" case).
//!
//! Run: `cargo bench -p spanlens-analysis --bench stats`.

use criterion::{Criterion, criterion_group, criterion_main};
use spanlens_analysis::{GroupKey, stats};
use spanlens_synth::{SynthOptions, generate};
use std::hint::black_box;
use std::time::Duration;

fn bench_stats(c: &mut Criterion) {
    for traces in [1usize, 1000] {
        let set = generate(&SynthOptions { spans: 1_000_000, traces, seed: 42, deep_chain: false });
        let all: Vec<usize> = (0..set.traces.len()).collect();
        let mut group = c.benchmark_group(format!("stats/1M-spans/{traces}-traces"));
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(10));
        let attr = GroupKey::Attr("http.method".to_owned());
        let cases: [(&str, GroupKey, Option<&GroupKey>); 3] = [
            ("service", GroupKey::Service, None),
            ("service+operation", GroupKey::Service, Some(&GroupKey::Operation)),
            ("attr", attr.clone(), None),
        ];
        for (name, first, second) in cases {
            group.bench_function(name, |b| b.iter_with_large_drop(|| stats(black_box(&set), &all, &first, second)));
        }
        group.finish();
    }
}

criterion_group!(benches, bench_stats);
criterion_main!(benches);
