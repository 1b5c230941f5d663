//! Layout benchmarks at 100k and 1M spans on a synthetic but realistically shaped trace.
//! Run: `cargo bench -p spanlens-layout --bench layout`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use spanlens_analysis::{FindQuery, critical_path, find_spans, hide_non_matching, self_times};
use spanlens_layout::{ViewState, Viewport, density_grid, layout_rows, visible_bars};
use spanlens_model::{AnyValue, Attribute, Span, SpanId, StatusCode, TraceId, TraceSet, TraceSetBuilder};
use std::hint::black_box;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self, m: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % m.max(1)
    }
}

/// A trace of `n` spans shaped like a busy request: each new span is a child of the previous one
/// (40%), its sibling (40%) or a child of any earlier span (20%), giving fan-outs from 1 to hundreds
/// and depths in the tens. Children lie inside their parents except for occasional clock skew.
/// 20 services, 300 operation names, 3 attributes per span from a pool of 2,000 values.
fn synthetic(n: usize) -> TraceSet {
    let mut rng = Rng(0x5eed);
    let mut b = TraceSetBuilder::new();
    b.begin_source("bench", "synthetic", 0);
    let services: Vec<_> = (0..20).map(|i| b.intern(&format!("service-{i}"))).collect();
    let names: Vec<_> = (0..300).map(|i| b.intern(&format!("operation /api/v1/thing-{i}"))).collect();
    let keys = [b.intern("http.route"), b.intern("db.statement"), b.intern("http.status_code")];
    let values: Vec<_> = (0..2000).map(|i| b.intern(&format!("value-{i}-checkout"))).collect();
    let t0: i64 = 1_700_000_000_000_000_000;
    // (start, end, parent) of each span so far.
    let mut times: Vec<(i64, i64, usize)> = Vec::with_capacity(n);
    for i in 0..n {
        let parent = if i == 0 {
            usize::MAX
        } else {
            match rng.next(10) {
                0..=3 => i - 1,
                4..=7 => times[i - 1].2,
                _ => rng.next(i as u64) as usize,
            }
        };
        let parent = if parent == usize::MAX && i > 0 { 0 } else { parent };
        let (start, end) = if i == 0 {
            (t0, t0 + 10_000_000_000)
        } else {
            let (ps, pe, _) = times[parent];
            let len = (pe - ps).max(1) as u64;
            let s = ps + rng.next(len) as i64;
            let d = rng.next((pe - s).max(1) as u64 + 1) as i64;
            let skew = if rng.next(50) == 0 { rng.next(2_000) as i64 - 1_000 } else { 0 };
            (s + skew, s + skew + d)
        };
        times.push((start, end, parent));
        let svc = services[rng.next(20) as usize];
        let mut span = Span::new(SpanId(i as u64 + 1), names[rng.next(300) as usize], svc, start, end - start);
        span.parent_span_id = (i > 0).then(|| SpanId(parent as u64 + 1));
        if rng.next(100) == 0 {
            span.status.code = StatusCode::Error;
        }
        span.attributes = vec![
            Attribute { key: keys[0], value: AnyValue::Str(values[rng.next(2000) as usize]) },
            Attribute { key: keys[1], value: AnyValue::Str(values[rng.next(2000) as usize]) },
            Attribute { key: keys[2], value: AnyValue::Int(200 + rng.next(400) as i64) },
        ]
        .into();
        b.push_span(TraceId(42), 16, span);
    }
    b.finish()
}

/// Min and median wall time of `runs` calls. The minimum is printed beside criterion's mean because
/// the shared build machine is often oversubscribed: the minimum is the closest to an idle machine.
fn quick<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    eprintln!("quick {label:<40} min {:>10.3?}  median {:>10.3?}", times[0], times[runs / 2]);
}

fn quick_report(n: usize, set: &TraceSet) {
    let trace = &set.traces[0];
    let k = format!("{}k", n / 1000);
    let state = ViewState::new(trace);
    quick(&format!("{k} layout_rows expanded"), 9, || layout_rows(trace, &state));
    let query = FindQuery::parse("value-17-");
    let matches = find_spans(set, trace, &query);
    let mut filtered = ViewState::new(trace);
    filtered.hidden = Some(hide_non_matching(&trace.tree, &matches));
    quick(&format!("{k} layout_rows filtered"), 9, || layout_rows(trace, &filtered));
    let mut rows = layout_rows(trace, &state);
    let mut st = state.clone();
    let small = (0..trace.spans.len() as u32)
        .find(|&s| trace.tree.subtree_len[s as usize] == 5 && trace.tree.depth[s as usize] > 5)
        .unwrap_or(0);
    quick(&format!("{k} collapse+expand 5-span subtree"), 9, || {
        rows.set_collapsed(trace, &mut st, small, true);
        rows.set_collapsed(trace, &mut st, small, false)
    });
    quick(&format!("{k} critical_path"), 9, || critical_path(trace));
    quick(&format!("{k} self_times"), 9, || self_times(trace));
    quick(&format!("{k} find text"), 9, || find_spans(set, trace, &query));
    let numeric = FindQuery::parse("503");
    quick(&format!("{k} find number"), 9, || find_spans(set, trace, &numeric));
    let minimap = Viewport::for_trace(trace, 1600.0);
    quick(&format!("{k} density_grid 1600x200"), 9, || density_grid(trace, &trace.tree.preorder, &minimap, 1600, 200));
}

fn bench(c: &mut Criterion) {
    for n in [100_000usize, 1_000_000] {
        let set = synthetic(n);
        let trace = &set.traces[0];
        eprintln!("n={n}: max depth {}, roots {}", trace.tree.max_depth, trace.tree.roots.len());
        quick_report(n, &set);
        let mut g = c.benchmark_group(format!("{}k", n / 1000));
        g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));

        let state = ViewState::new(trace);
        g.bench_function(BenchmarkId::new("layout_rows", "expanded"), |b| {
            b.iter(|| black_box(layout_rows(trace, &state)))
        });

        let query = FindQuery::parse("value-17-");
        let matches = find_spans(&set, trace, &query);
        let mut filtered = ViewState::new(trace);
        filtered.hidden = Some(hide_non_matching(&trace.tree, &matches));
        g.bench_function(BenchmarkId::new("layout_rows", "filtered"), |b| {
            b.iter(|| black_box(layout_rows(trace, &filtered)))
        });

        // Toggle a span with a large subtree near the top: collapse then expand, incrementally.
        let root = trace.tree.roots[0];
        let big = trace
            .tree
            .children(root)
            .iter()
            .copied()
            .max_by_key(|&c| trace.tree.subtree_len[c as usize])
            .unwrap_or(root);
        eprintln!("n={n}: toggled subtree {} spans", trace.tree.subtree_len[big as usize]);
        let mut rows = layout_rows(trace, &state);
        let mut st = state.clone();
        g.bench_function(BenchmarkId::new("collapse+expand", "largest child of root"), |b| {
            b.iter(|| {
                rows.set_collapsed(trace, &mut st, big, true);
                rows.set_collapsed(trace, &mut st, big, false);
            })
        });
        // A small subtree deep down the tree: the typical click.
        let small = (0..trace.spans.len() as u32)
            .find(|&s| trace.tree.subtree_len[s as usize] == 5 && trace.tree.depth[s as usize] > 5)
            .unwrap_or(root);
        let mid_row = rows.row_of_span(&trace.tree, small).unwrap_or(0);
        eprintln!("n={n}: small toggle at row {mid_row}");
        g.bench_function(BenchmarkId::new("collapse+expand", "5-span subtree"), |b| {
            b.iter(|| {
                rows.set_collapsed(trace, &mut st, small, true);
                rows.set_collapsed(trace, &mut st, small, false);
            })
        });

        g.bench_function("critical_path", |b| b.iter(|| black_box(critical_path(trace))));
        g.bench_function("self_times", |b| b.iter(|| black_box(self_times(trace))));
        g.bench_function(BenchmarkId::new("find", "text"), |b| b.iter(|| black_box(find_spans(&set, trace, &query))));
        let numeric = FindQuery::parse("503");
        g.bench_function(BenchmarkId::new("find", "number"), |b| {
            b.iter(|| black_box(find_spans(&set, trace, &numeric)))
        });
        let minimap = Viewport::for_trace(trace, 1600.0);
        g.bench_function("density_grid 1600x200", |b| {
            b.iter(|| black_box(density_grid(trace, &trace.tree.preorder, &minimap, 1600, 200)))
        });
        let view = Viewport::for_trace(trace, 1600.0).zoom(800.0, 50.0);
        g.bench_function("visible_bars 60 rows", |b| {
            b.iter(|| black_box(visible_bars(trace, &rows, 5000..5060, &view).count()))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
