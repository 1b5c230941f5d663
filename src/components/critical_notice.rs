//! Says what "only critical" shows: the spans the trace waited for, from the root's start to its end,
//! and how much work outlived that (which the filter hides by definition).

use crate::format::{format_duration, thousands};
use crate::state::{Focus, TraceAnalysis};
use leptos::prelude::*;
use spanlens_analysis::critical_summary::critical_summary;

#[component]
pub fn CriticalNotice() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    // Computed when the notice shows, not in the trace page's mount: a pass over every span there
    // made V8 optimize the whole mount, in vain, while the first frame was drawn (`error_spans` in
    // trace_header.rs says more).
    let summary =
        move || analysis.data.with_value(|d| analysis.critical.with_value(|cp| critical_summary(d.trace(), cp)));
    let total = analysis.span_count();
    let trace_nanos = analysis.data.with_value(|d| d.trace().duration_nanos());
    view! {
        <Show when=move || focus.critical_only.get()>
            <div class="sl-notice" role="status" data-testid="critical-notice">
                <span class="sl-legend-swatch sl-legend-swatch--critical" aria-hidden="true"></span>
                {move || {
                    let s = summary();
                    let mut text = format!(
                        "Only the critical path: {} of {} spans, covering {} of the trace's {}: what the root span waited for, from its start to its end.",
                        thousands(s.spans_on_path),
                        thousands(total),
                        format_duration(s.covered_nanos),
                        format_duration(trace_nanos),
                    );
                    if s.started_after_path > 0 {
                        text.push_str(&format!(
                            " {} spans started after that and are not on it.",
                            thousands(s.started_after_path)
                        ));
                    }
                    text
                }}
            </div>
        </Show>
    }
}
