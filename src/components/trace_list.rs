//! The table of loaded traces; a click opens one.

use crate::components::{DurationCell, TraceLinkCell};
use crate::format::{format_timestamp, thousands};
use crate::state::AppState;
use leptos::prelude::*;

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
        <table
            class="sl-table sl-trace-list"
            data-testid="trace-list"
            data-trace-count=move || rows.with(|r| r.len().to_string())
        >
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
                        <TraceLinkCell
                            href=format!("/trace/{}{}", row.id_hex, query())
                            root_service=row.root_service.clone()
                            root_name=row.root_name.clone()
                            trace_id=row.id_hex.clone()
                        />
                        <td class="sl-nowrap">{format_timestamp(row.start_nanos, false)}</td>
                        <td class="sl-num">{thousands(row.spans)}</td>
                        <td class="sl-num" class:sl-error-text={row.errors > 0}>{thousands(row.errors)}</td>
                        <td class="sl-num">{row.services}</td>
                        <DurationCell duration_nanos=row.duration_nanos max_nanos=Signal::derive(max_duration)/>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}
