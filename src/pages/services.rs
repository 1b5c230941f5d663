//! `/services`: every service in the loaded traces with its span, error and time totals.

use crate::format::{format_duration, thousands};
use crate::state::AppState;
use leptos::prelude::*;
use leptos_router::components::A;
use spanlens_analysis::overview::service_rows;

#[component]
pub fn ServicesPage() -> impl IntoView {
    let state = AppState::from_context();
    let rows = Memo::new(move |_| {
        state.catalog.with(|c| service_rows(c.entries().filter_map(|(l, i)| l.set.traces.get(i).map(|t| (&l.set, t)))))
    });

    view! {
        <section class="sl-page">
            <h1>"Services"</h1>
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=|| view! {
                    <div class="sl-empty">
                        <p class="sl-muted">"No traces loaded yet. Open trace files to see the services they touch."</p>
                        <A href="/" attr:class="sl-button">"Open traces"</A>
                    </div>
                }
            >
                <table class="sl-table" data-testid="services-table">
                    <thead>
                        <tr>
                            <th>"Service"</th>
                            <th class="sl-num">"Traces"</th>
                            <th class="sl-num">"Spans"</th>
                            <th class="sl-num">"Errors"</th>
                            <th class="sl-num" title="Time the service itself spent: span durations minus their children">"Self time"</th>
                            <th class="sl-num" title="Sum of span durations; nested spans count twice">"Total span time"</th>
                            <th class="sl-num">"Longest span"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|r| r.name.clone() let:row>
                            <tr>
                                <td><span class="sl-service-name">{row.name.clone()}</span></td>
                                <td class="sl-num">{thousands(row.trace_count)}</td>
                                <td class="sl-num">{thousands(row.span_count)}</td>
                                <td class="sl-num" class:sl-error-text={row.error_count > 0}>{thousands(row.error_count)}</td>
                                <td class="sl-num">{format_duration(row.self_nanos)}</td>
                                <td class="sl-num">{format_duration(row.total_nanos)}</td>
                                <td class="sl-num">{format_duration(row.max_nanos)}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </Show>
        </section>
    }
}
