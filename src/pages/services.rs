//! `/services`: every service in the loaded traces with its span, error and time totals.

use crate::format::{format_duration, thousands};
use crate::state::AppState;
use leptos::prelude::*;
use leptos_router::components::A;
use std::collections::HashMap;

#[derive(Clone, PartialEq)]
struct ServiceRow {
    name: String,
    spans: usize,
    errors: usize,
    traces: usize,
    total_nanos: i64,
    max_nanos: i64,
}

#[component]
pub fn ServicesPage() -> impl IntoView {
    let state = AppState::from_context();
    let rows = Memo::new(move |_| {
        state.loaded.with(|loaded| {
            let Some(loaded) = loaded else { return Vec::new() };
            let set = &loaded.set;
            let mut by_service: HashMap<spanlens_model::Sym, ServiceRow> = HashMap::new();
            for trace in &set.traces {
                for service in trace.services() {
                    by_service
                        .entry(service)
                        .or_insert_with(|| ServiceRow {
                            name: set.resolve(service).to_owned(),
                            spans: 0,
                            errors: 0,
                            traces: 0,
                            total_nanos: 0,
                            max_nanos: 0,
                        })
                        .traces += 1;
                }
                for span in &trace.spans {
                    if let Some(row) = by_service.get_mut(&span.service) {
                        row.spans += 1;
                        row.errors += usize::from(span.is_error());
                        row.total_nanos = row.total_nanos.saturating_add(span.duration_nanos.max(0));
                        row.max_nanos = row.max_nanos.max(span.duration_nanos);
                    }
                }
            }
            let mut rows: Vec<ServiceRow> = by_service.into_values().collect();
            rows.sort_by(|a, b| b.spans.cmp(&a.spans).then_with(|| a.name.cmp(&b.name)));
            rows
        })
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
                            <th class="sl-num">"Total span time"</th>
                            <th class="sl-num">"Longest span"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|r| r.name.clone() let:row>
                            <tr>
                                <td><span class="sl-service-name">{row.name.clone()}</span></td>
                                <td class="sl-num">{thousands(row.traces)}</td>
                                <td class="sl-num">{thousands(row.spans)}</td>
                                <td class="sl-num" class:sl-error-text={row.errors > 0}>{thousands(row.errors)}</td>
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
