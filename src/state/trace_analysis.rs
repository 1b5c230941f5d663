//! What the views show about one trace, computed once when the trace opens and never changed:
//! service colours, critical path, self times and the header's summary. Every view and panel of the
//! trace page reads it from context instead of recomputing.

use crate::state::schedule::next_task;
use crate::state::trace_ref::{Shared, TraceRef};
use leptos::prelude::*;
use spanlens_analysis::critical_path::{CriticalPath, critical_path};
use spanlens_analysis::summary::TraceSummary;
use spanlens_layout::palette::ServiceColors;
use spanlens_protocol::Analysed;

#[derive(Clone, Copy)]
pub struct TraceAnalysis {
    pub data: StoredValue<TraceRef>,
    pub colors: StoredValue<ServiceColors>,
    pub critical: StoredValue<Shared<CriticalPath>>,
    pub self_nanos: StoredValue<Shared<Vec<i64>>>,
    pub summary: StoredValue<Shared<TraceSummary>>,
}

/// What [`TraceAnalysis`] holds, computed apart from any reactive owner, so that the trace page can
/// compute it for a large trace in tasks of its own before mounting (see `pages::trace`).
#[derive(Clone, Debug)]
pub struct Computed {
    colors: ServiceColors,
    critical: Shared<CriticalPath>,
    self_nanos: Shared<Vec<i64>>,
    summary: Shared<TraceSummary>,
}

/// The parsing worker's analysis of a large trace (it arrives with the trace, see
/// `spanlens_protocol::Analysed`).
impl From<Analysed> for Computed {
    fn from(a: Analysed) -> Computed {
        Computed {
            colors: a.colors,
            critical: Shared::new(a.critical),
            self_nanos: Shared::new(a.self_nanos),
            summary: Shared::new(a.summary),
        }
    }
}

impl Computed {
    /// The worker's analysis of `data` if it made one, or this thread's.
    pub fn of(data: &TraceRef) -> Computed {
        if let Some(computed) = Computed::by_worker(data) {
            return computed;
        }
        let (colors, self_nanos, summary) = header_numbers(data);
        let critical = Shared::new(critical_path(data.trace()));
        Computed { colors, critical, self_nanos, summary }
    }

    pub fn summary(&self) -> &TraceSummary {
        &self.summary
    }

    /// What the parsing worker computed for `data`: a large trace's analysis.
    pub fn by_worker(data: &TraceRef) -> Option<Computed> {
        data.loaded.analysed.get(&data.index).cloned()
    }

    /// [`Computed::of`] spread over tasks for a large trace on a cold page: the critical path
    /// (its largest part, 15–40 ms at 100k spans before V8 has optimized it) gets a task of its own,
    /// and the result comes back in a fresh task, so that whoever mounts with it does not add the
    /// mount to the analysis' task. `None` when `wanted` says the trace is no longer wanted between
    /// tasks. With the worker's analysis, all that is left is the task boundary: without it the
    /// mount (at a million spans, the rows' layout alone takes ~75 ms) would run in the task that
    /// decoded the last part.
    pub async fn in_tasks(data: &TraceRef, wanted: impl Fn() -> bool) -> Option<Computed> {
        next_task().await;
        if !wanted() {
            return None;
        }
        if let Some(computed) = Computed::by_worker(data) {
            return Some(computed);
        }
        let (colors, self_nanos, summary) = header_numbers(data);
        next_task().await;
        if !wanted() {
            return None;
        }
        let critical = Shared::new(critical_path(data.trace()));
        next_task().await;
        wanted().then_some(Computed { colors, critical, self_nanos, summary })
    }
}

/// Everything of [`Computed`] but the critical path: service colours, self times and the summary,
/// as the parsing worker computes them (`spanlens_protocol::header_numbers`).
fn header_numbers(data: &TraceRef) -> (ServiceColors, Shared<Vec<i64>>, Shared<TraceSummary>) {
    let (colors, self_nanos, summary) = spanlens_protocol::header_numbers(data.set(), data.trace());
    (colors, Shared::new(self_nanos), Shared::new(summary))
}

impl TraceAnalysis {
    pub fn new(data: TraceRef) -> Self {
        let computed = Computed::of(&data);
        TraceAnalysis::with(data, computed)
    }

    /// The analysis of `data` from what was computed for it.
    pub fn with(data: TraceRef, computed: Computed) -> Self {
        let Computed { colors, critical, self_nanos, summary } = computed;
        TraceAnalysis {
            data: StoredValue::new(data),
            colors: StoredValue::new(colors),
            critical: StoredValue::new(critical),
            self_nanos: StoredValue::new(self_nanos),
            summary: StoredValue::new(summary),
        }
    }

    /// Provided by the trace page around everything it renders; missing only through a bug.
    pub fn from_context() -> Self {
        expect_context::<TraceAnalysis>()
    }

    pub fn span_count(&self) -> usize {
        self.data.with_value(|d| d.trace().spans.len())
    }

    /// The index of the span with this hex id (from a `span=` link).
    pub fn span_index_by_hex(&self, hex: &str) -> Option<u32> {
        let id = spanlens_model::ids::parse_span_id_hex(hex).ok()?;
        self.data.with_value(|d| d.trace().spans.iter().position(|s| s.span_id == id).map(|i| i as u32))
    }
}
