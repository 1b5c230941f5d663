//! The landing page's line above the list of loaded traces.

use crate::format::thousands;
use crate::state::AppState;
use leptos::prelude::*;
use leptos_router::components::A;

/// "3 traces · 1,204 spans · 2 warnings" above the list.
#[component]
pub fn LoadedSummary() -> impl IntoView {
    let state = AppState::from_context();
    let summary = move || {
        state.catalog.with(|c| (c.trace_count(), c.span_count(), c.warning_count(), c.alarm_count(), c.loads().len()))
    };
    let params = leptos_router::hooks::use_query_map();
    let query = move || params.with(crate::url::data_query);
    move || {
        // Routine notes (merged Zipkin halves) do not raise the alarm colour.
        let (traces, spans, warnings, alarms, loads) = summary();
        {
            view! {
                <div class="sl-loaded-summary">
                    <h2>"Loaded traces"</h2>
                    <span class="sl-muted">
                        {format!(
                            "{} {} · {} spans · {} {}",
                            thousands(traces),
                            if traces == 1 { "trace" } else { "traces" },
                            thousands(spans),
                            loads,
                            if loads == 1 { "source" } else { "sources" },
                        )}
                    </span>
                    <Show when=move || { warnings > 0 }>
                        <A
                            href=format!("/warnings{}", query())
                            attr:class={ if alarms > 0 { "sl-badge sl-badge--warn" } else { "sl-badge" } }
                            attr:data-testid="warnings-link"
                        >
                            {if alarms > 0 {
                                format!("{} {}", thousands(alarms), if alarms == 1 { "warning" } else { "warnings" })
                            } else {
                                format!("{} {}", thousands(warnings), if warnings == 1 { "note" } else { "notes" })
                            }}
                        </A>
                    </Show>
                </div>
            }
        }
    }
}
