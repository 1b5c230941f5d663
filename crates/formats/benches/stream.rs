//! Streaming import of a trace-by-id answer against the one-shot import of the same bytes.
//!
//! The input is a 100k-span Jaeger query API answer (`{"data":[trace…]}`, what `/api/traces/<id>`
//! returns, here 100 traces from `spanlens_synth`) and the same spans as an OTLP JSON Tempo v2 answer
//! (`{"trace":{"resourceSpans":[…]},"status":"complete"}`). `one_shot` is `import_bytes` on the whole
//! body; `stream_64k` pushes it into `StreamingImport::for_response` in 64 KiB chunks (the size a
//! browser `ReadableStream` typically yields) and finishes; `stream_64k_keep` does the same with
//! `StreamingImport::new` (the file policy, which keeps every byte); `gather_then_import` collects the
//! chunks into one buffer and then calls `import_bytes` (what the app does today with a `?url=` body,
//! and with a file of a format that does not stream). All include `finish` (trees).
//!
//! Run: `cargo bench -p spanlens-formats --bench stream`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spanlens_formats::export::{self, ExportFormat};
use spanlens_formats::import::{StreamingImport, import_bytes};
use spanlens_model::TraceSetBuilder;
use spanlens_synth::{SynthOptions, generate};
use std::time::Duration;

const CHUNK: usize = 64 * 1024;

fn streaming_vs_one_shot(c: &mut Criterion) {
    let set = generate(&SynthOptions { spans: 100_000, traces: 100, seed: 42, deep_chain: false });
    let jaeger = export::to_vec(&set, ExportFormat::JaegerJson);
    let otlp = export::to_vec(&set, ExportFormat::OtlpJson);
    let tempo = [b"{\"trace\":".as_slice(), &otlp, b",\"status\":\"complete\",\"message\":\"\"}"].concat();
    for (name, bytes) in [("jaeger-api/100k", jaeger), ("tempo-v2/100k", tempo)] {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(8));
        group.bench_function("one_shot", |b| {
            b.iter_with_large_drop(|| {
                let mut builder = TraceSetBuilder::new();
                let summary = import_bytes(&bytes, "bench.json", &mut builder);
                assert!(summary.is_ok(), "{summary:?}");
                builder.finish()
            })
        });
        group.bench_function("gather_then_import", |b| {
            b.iter_with_large_drop(|| {
                let mut body = Vec::with_capacity(bytes.len());
                for chunk in bytes.chunks(CHUNK) {
                    body.extend_from_slice(chunk);
                }
                let mut builder = TraceSetBuilder::new();
                let summary = import_bytes(&body, "bench.json", &mut builder);
                assert!(summary.is_ok(), "{summary:?}");
                (builder.finish(), body)
            })
        });
        for (label, bounded) in [("stream_64k", true), ("stream_64k_keep", false)] {
            group.bench_function(label, |b| {
                b.iter_with_large_drop(|| {
                    let mut builder = TraceSetBuilder::new();
                    let mut import = if bounded {
                        StreamingImport::for_response("bench.json", Some(bytes.len() as u64), &mut builder)
                    } else {
                        StreamingImport::new("bench.json", bytes.len(), &mut builder)
                    };
                    for chunk in bytes.chunks(CHUNK) {
                        import.push(chunk);
                    }
                    let (summary, kept) = import.finish_reporting();
                    assert!(summary.is_ok() && kept, "{summary:?}");
                    builder.finish()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, streaming_vs_one_shot);
criterion_main!(benches);
