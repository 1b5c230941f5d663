//! Flame graph draw lists for a 1M-span synthetic trace: the whole graph (every frame sub-pixel or
//! merged) and a 1% zoom, in both modes, at 1,600 px and 40 visible depths.
//!
//! Run: `cargo bench -p spanlens-layout --bench flame`.

use criterion::{Criterion, criterion_group, criterion_main};
use spanlens_analysis::flame::{FlameMode, flame_graph};
use spanlens_layout::flame::{FlameWindow, flame_boxes};
use spanlens_synth::{SynthOptions, generate};
use std::time::Duration;

fn boxes(c: &mut Criterion) {
    let set = generate(&SynthOptions { spans: 1_000_000, traces: 1, seed: 42, deep_chain: false });
    let Some(trace) = set.traces.first() else {
        return;
    };
    let mut group = c.benchmark_group("flame_boxes/1M");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    for mode in [FlameMode::TimeOrder, FlameMode::LeftHeavy] {
        let g = flame_graph(trace, mode);
        let whole = FlameWindow::whole(&g, 1600.0);
        let depths = 0..g.depth_count().min(40);
        group.bench_function(format!("{mode:?}/whole"), |b| b.iter(|| flame_boxes(&g, &whole, depths.clone())));
        let mid = g.extent_nanos / 2;
        let zoom = FlameWindow::new(mid, mid + g.extent_nanos / 100, 1600.0);
        group.bench_function(format!("{mode:?}/zoom1pct"), |b| b.iter(|| flame_boxes(&g, &zoom, depths.clone())));
    }
    group.finish();
}

criterion_group!(benches, boxes);
criterion_main!(benches);
