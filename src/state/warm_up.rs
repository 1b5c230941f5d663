//! JIT warm-up of the UI thread's half of a load.
//!
//! The parsing worker sends the result of a small synthetic load when it starts (see
//! `worker/src/warm_up.rs`). Decoding it and computing what the trace view computes for a new trace
//! makes V8 optimize those functions while the page is idle, instead of running them in baseline
//! code on the user's first large trace. Nothing here is shown or kept.

use crate::render::minimap::GRID_ROWS;
use spanlens_analysis::critical_path::{critical_path, self_times};
use spanlens_analysis::summary::summarize;
use spanlens_layout::lod::density_grid;
use spanlens_layout::palette::ServiceColors;
use spanlens_layout::rows::{ViewState, layout_rows};
use spanlens_layout::viewport::Viewport;
use spanlens_model::TraceSet;

/// A typical minimap width; the exact size does not matter for warming up.
const GRID_COLUMNS: u32 = 800;

pub fn run(set: &TraceSet) {
    for trace in &set.traces {
        let colors = ServiceColors::for_trace(trace, &set.strings);
        let critical = critical_path(trace);
        let self_nanos = self_times(trace);
        let summary = summarize(trace);
        let rows = layout_rows(trace, &ViewState::default());
        let full = Viewport::for_trace(trace, f64::from(GRID_COLUMNS));
        let grid = density_grid(trace, &trace.tree.preorder, &full, GRID_COLUMNS, GRID_ROWS);
        // Keeps the optimizer from discarding the work as unused.
        std::hint::black_box((colors, critical, self_nanos, summary, rows, grid));
    }
    crate::timing::mark(crate::timing::WARM);
}
