//! A parsed result's trip from the worker to the UI thread at 100k and 1M spans: encoding it in parts
//! (the worker's half) and reassembling them (the UI thread's half), natively.
//! Run: `cargo bench -p spanlens-protocol --bench parts`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use spanlens_protocol::{Assembly, LoadResult, TraceSource, encode_parts};
use spanlens_synth::{SynthOptions, generate};
use std::hint::black_box;
use std::time::Duration;

fn result(spans: usize) -> LoadResult {
    let set = generate(&SynthOptions { spans, traces: 1, seed: 5, deep_chain: false });
    LoadResult::new(TraceSource::Url { url: "bench".to_owned() }, set)
}

fn copy(result: &LoadResult) -> LoadResult {
    LoadResult::new(result.source.clone(), result.set.clone())
}

fn parts(c: &mut Criterion) {
    let mut group = c.benchmark_group("parts");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    for spans in [100_000, 1_000_000] {
        let original = result(spans);
        group.bench_with_input(BenchmarkId::new("encode", spans), &original, |b, r| {
            b.iter_batched(|| copy(r), |r| black_box(encode_parts(r)), criterion::BatchSize::LargeInput);
        });
        let Ok(encoded) = encode_parts(copy(&original)) else { return };
        group.bench_with_input(BenchmarkId::new("reassemble", spans), &encoded, |b, parts| {
            b.iter(|| {
                let mut assembly = Assembly::start(&parts[0]).ok()?;
                for part in &parts[1..] {
                    assembly.add(part).ok()?;
                }
                black_box(assembly.finish().ok())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, parts);
criterion_main!(benches);
