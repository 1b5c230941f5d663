//! Import throughput on synthetic traces (`synth`) of 10k, 100k and 1M spans written as OTLP JSON,
//! Jaeger JSON and Zipkin v2 JSON by our exporters, next to `serde_json::from_slice::<serde_json::Value>`
//! on the same bytes (the cost of merely parsing the JSON into a generic tree). Throughput is in
//! bytes of input.
//!
//! `spanlens` is `import_bytes` (detect + parse + build spans) followed by `finish` (trees, warnings):
//! the whole wait between dropping a file and seeing it. Results are dropped outside the timing.
//!
//! Run: `cargo bench -p spanlens-formats --bench import` (a few minutes; 1M spans ≈ 0.7 GB of OTLP JSON);
//! `-- zipkin-json` runs one format.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spanlens_formats::export::{self, ExportFormat};
use spanlens_formats::import::import_bytes;
use spanlens_model::TraceSetBuilder;
use spanlens_synth::{SynthOptions, generate};
use std::time::Duration;

fn import_throughput(c: &mut Criterion) {
    for spans in [10_000usize, 100_000, 1_000_000] {
        let set = generate(&SynthOptions { spans, traces: (spans / 1000).max(1), seed: 42, deep_chain: false });
        for format in [ExportFormat::OtlpJson, ExportFormat::JaegerJson, ExportFormat::ZipkinJson] {
            let bytes = export::to_vec(&set, format);
            let mut group = c.benchmark_group(format!("{}/{spans}", format.as_str()));
            group.throughput(Throughput::Bytes(bytes.len() as u64));
            group.sample_size(10);
            group.warm_up_time(Duration::from_secs(1));
            group.measurement_time(Duration::from_secs(if spans >= 1_000_000 { 20 } else { 5 }));
            group.bench_function("spanlens", |b| {
                b.iter_with_large_drop(|| {
                    let mut builder = TraceSetBuilder::new();
                    let summary = import_bytes(&bytes, "bench.json", &mut builder);
                    assert!(summary.is_ok(), "{summary:?}");
                    builder.finish()
                })
            });
            group.bench_function("serde_json_value", |b| {
                b.iter_with_large_drop(|| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            });
            group.finish();
        }
    }
}

criterion_group!(benches, import_throughput);
criterion_main!(benches);
