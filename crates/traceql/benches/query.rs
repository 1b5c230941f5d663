//! TraceQL evaluation over 10,000 synthetic traces of 100 spans each (1M spans), natively.
//!
//! The data comes from `spanlens_synth` (seeded, so always the same set): every trace is
//! rooted in `frontend`, ~30 services including `payments`, HTTP server spans carry
//! `http.status_code` (some 5xx, with error status). Each query is checked to match something before
//! it is timed, so a benchmark can never measure an accidentally empty search.
//!
//! Two groups time the same queries: `wall` (criterion's wall clock) and `cpu` (CPU time of the
//! benchmarking thread, from `/proc/thread-self/schedstat`), because on a busy shared machine the
//! wall clock mostly measures the other processes.
//!
//! Run: `cargo bench -p spanlens-traceql --bench query` (about two minutes after the build).
//! Targets (issue 5): filter ≤ 100 ms, structural ≤ 300 ms, pipeline ≤ 200 ms.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use spanlens_model::TraceSet;
use spanlens_synth::{SynthOptions, generate};
use spanlens_traceql::eval::{EvalOptions, search};
use std::hint::black_box;
use std::time::Duration;

const QUERIES: [(&str, &str); 5] = [
    ("filter_5xx_payments", r#"{ span.http.status_code >= 500 && resource.service.name = "payments" }"#),
    ("structural_frontend_descendant_error", r#"{ resource.service.name = "frontend" } >> { status = error }"#),
    ("pipeline_count_gt_50", "{ } | count() > 50"),
    // A shape src/pattern.rs matches without a regex engine (a substring, case-insensitive)...
    ("regex_contains_name", r#"{ name =~ "(?i).*REDIS.*" }"#),
    // ...and one it leaves to regex-lite.
    ("regex_general_name", r#"{ name =~ "(GET|SET) [a-z]+" }"#),
];

/// CPU time of the calling thread in nanoseconds (the scheduler's `sum_exec_runtime`), or 0 where
/// `/proc` is unavailable.
fn thread_cpu_nanos() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Criterion measurement: CPU time of the benchmarking thread.
struct ThreadCpu;

struct NanosFormatter;

impl ValueFormatter for NanosFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (div, unit) = if typical >= 1e9 {
            (1e9, "s (cpu)")
        } else if typical >= 1e6 {
            (1e6, "ms (cpu)")
        } else if typical >= 1e3 {
            (1e3, "µs (cpu)")
        } else {
            (1.0, "ns (cpu)")
        };
        values.iter_mut().for_each(|v| *v /= div);
        unit
    }

    fn scale_throughputs(&self, _typical: f64, throughput: &Throughput, values: &mut [f64]) -> &'static str {
        let n = match throughput {
            Throughput::Elements(n) | Throughput::Bytes(n) | Throughput::BytesDecimal(n) | Throughput::Bits(n) => *n,
        } as f64;
        values.iter_mut().for_each(|v| *v = n * 1e9 / *v);
        "/s (cpu)"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_nanos()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_nanos().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &NanosFormatter
    }
}

fn dataset() -> TraceSet {
    let set = generate(&SynthOptions { spans: 1_000_000, traces: 10_000, seed: 42, deep_chain: false });
    assert_eq!(set.span_count(), 1_000_000);
    let opts = EvalOptions::default();
    for (_, text) in QUERIES {
        let result = search(text, &set, &opts).unwrap_or_else(|e| panic!("{text}: {e}"));
        let spansets: usize = result.traces.iter().map(|t| t.spansets.len()).sum();
        let spans: usize = result.traces.iter().flat_map(|t| &t.spansets).map(|s| s.matched).sum();
        eprintln!(
            "{text}: {} of {} traces, {spansets} spansets, {spans} spans matched",
            result.traces.len(),
            set.traces.len()
        );
        assert!(!result.traces.is_empty(), "{text} matched nothing");
    }
    set
}

fn run_group<M: Measurement>(mut group: BenchmarkGroup<'_, M>, set: &TraceSet) {
    let opts = EvalOptions::default();
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements(set.span_count() as u64));
    for (name, text) in QUERIES {
        group.bench_function(name, |b| b.iter_with_large_drop(|| search(black_box(text), set, &opts)));
    }
    group.finish();
}

fn queries(c: &mut Criterion<WallTime>) {
    let set = dataset();
    run_group(c.benchmark_group("traceql_1M_spans/wall"), &set);
    let mut cpu = Criterion::default().with_measurement(ThreadCpu).configure_from_args();
    run_group(cpu.benchmark_group("traceql_1M_spans/cpu"), &set);
}

criterion_group!(benches, queries);
criterion_main!(benches);
