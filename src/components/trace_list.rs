//! The table of loaded traces; a click opens one.

use crate::format::{format_duration, format_timestamp, thousands};
use crate::state::AppState;
use leptos::prelude::*;
use leptos_router::components::A;

/// One row's worth of summary, computed once per load rather than per render.
#[derive(Clone, PartialEq)]
struct Row {
    id_hex: String,
    root_service: String,
    root_name: String,
    start_nanos: i64,
    duration_nanos: i64,
    spans: usize,
    errors: usize,
    services: usize,
}

#[component]
pub fn TraceList() -> impl IntoView {
    let state = AppState::from_context();
    let rows = Memo::new(move |_| {
        state.loaded.with(|loaded| {
            let Some(loaded) = loaded else { return Vec::new() };
            let set = &loaded.set;
            let mut rows: Vec<Row> = set
                .traces
                .iter()
                .map(|t| {
                    let root = t.root_span();
                    Row {
                        id_hex: t.trace_id_hex(),
                        root_service: root.map(|s| set.resolve(s.service).to_owned()).unwrap_or_default(),
                        root_name: root.map(|s| set.resolve(s.name).to_owned()).unwrap_or_default(),
                        start_nanos: t.start_nanos,
                        duration_nanos: t.duration_nanos(),
                        spans: t.spans.len(),
                        errors: t.error_count(),
                        services: t.services().len(),
                    }
                })
                .collect();
            // Newest first, as in Jaeger's search results.
            rows.sort_by(|a, b| b.start_nanos.cmp(&a.start_nanos).then_with(|| a.id_hex.cmp(&b.id_hex)));
            rows
        })
    });
    let query = move || state.loaded.with(|l| l.as_ref().map(|l| l.link_query()).unwrap_or_default());
    let max_duration = move || rows.with(|r| r.iter().map(|r| r.duration_nanos).max().unwrap_or(1).max(1));

    view! {
        <table class="sl-table sl-trace-list" data-testid="trace-list">
            <thead>
                <tr>
                    <th>"Trace"</th>
                    <th>"Start"</th>
                    <th class="sl-num">"Spans"</th>
                    <th class="sl-num">"Errors"</th>
                    <th class="sl-num">"Services"</th>
                    <th>"Duration"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || rows.get() key=|r| r.id_hex.clone() let:row>
                    <tr>
                        <td>
                            <A href=format!("/trace/{}{}", row.id_hex, query()) attr:class="sl-trace-link">
                                <span class="sl-trace-link__title">
                                    <span class="sl-service-name">{row.root_service.clone()}</span>
                                    ": "
                                    {row.root_name.clone()}
                                </span>
                                <span class="sl-mono sl-muted">{row.id_hex.clone()}</span>
                            </A>
                        </td>
                        <td class="sl-nowrap">{format_timestamp(row.start_nanos, false)}</td>
                        <td class="sl-num">{thousands(row.spans)}</td>
                        <td class="sl-num" class:sl-error-text={row.errors > 0}>{thousands(row.errors)}</td>
                        <td class="sl-num">{row.services}</td>
                        <td class="sl-duration-cell">
                            <div class="sl-duration-cell__bar" style:width=move || {
                                format!("{:.1}%", 100.0 * row.duration_nanos as f64 / max_duration() as f64)
                            }></div>
                            <span>{format_duration(row.duration_nanos)}</span>
                        </td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}
