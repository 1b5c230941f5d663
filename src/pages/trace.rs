//! `/trace/:id`: one trace. A header with the numbers that matter, then its spans in tree order.
//!
//! The span list here is plain DOM capped at [`MAX_LIST_ROWS`]; the canvas waterfall, which scales to
//! a million spans, replaces it.

use crate::format::{format_duration, format_timestamp, thousands};
use crate::state::AppState;
use crate::timing;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use spanlens_model::{Trace, TraceSet};

const MAX_LIST_ROWS: usize = 2_000;

#[derive(Clone, PartialEq)]
struct SpanRow {
    index: u32,
    depth: u32,
    service: String,
    name: String,
    offset_nanos: i64,
    duration_nanos: i64,
    is_error: bool,
    missing_parent: bool,
}

#[derive(Clone, PartialEq)]
struct Header {
    root_service: String,
    root_name: String,
    start_nanos: i64,
    duration_nanos: i64,
    spans: usize,
    services: usize,
    errors: usize,
    depth: u32,
    warnings: usize,
}

fn header_of(set: &TraceSet, trace: &Trace) -> Header {
    let root = trace.root_span();
    Header {
        root_service: root.map(|s| set.resolve(s.service).to_owned()).unwrap_or_default(),
        root_name: root.map(|s| set.resolve(s.name).to_owned()).unwrap_or_default(),
        start_nanos: trace.start_nanos,
        duration_nanos: trace.duration_nanos(),
        spans: trace.spans.len(),
        services: trace.services().len(),
        errors: trace.error_count(),
        depth: trace.tree.max_depth + u32::from(!trace.spans.is_empty()),
        warnings: set.warnings_for(trace.trace_id).count(),
    }
}

fn rows_of(set: &TraceSet, trace: &Trace) -> Vec<SpanRow> {
    trace
        .tree
        .preorder
        .iter()
        .take(MAX_LIST_ROWS)
        .filter_map(|&i| {
            let span = trace.spans.get(i as usize)?;
            Some(SpanRow {
                index: i,
                depth: trace.tree.depth.get(i as usize).copied().unwrap_or(0),
                service: set.resolve(span.service).to_owned(),
                name: set.resolve(span.name).to_owned(),
                offset_nanos: span.start_nanos.saturating_sub(trace.start_nanos),
                duration_nanos: span.duration_nanos,
                is_error: span.is_error(),
                missing_parent: trace.tree.missing_parent.get(i as usize).copied().unwrap_or(false),
            })
        })
        .collect()
}

#[component]
pub fn TracePage() -> impl IntoView {
    let state = AppState::from_context();
    let params = use_params_map();
    let trace_id = move || params.with(|p| p.get("id").unwrap_or_default());

    let view_data = Memo::new(move |_| {
        let id = trace_id();
        state.loaded.with(|loaded| {
            let loaded = loaded.as_ref()?;
            let (_, trace) = loaded.trace_by_hex(&id)?;
            Some((header_of(&loaded.set, trace), rows_of(&loaded.set, trace), loaded.link_query()))
        })
    });

    // The first time a freshly loaded trace is on screen, record `spanlens:first-paint` after the
    // browser has painted it (the next animation frame).
    Effect::new(move |_| {
        if view_data.with(Option::is_some) && state.paint_pending.get_value() {
            state.paint_pending.set_value(false);
            request_animation_frame(|| timing::mark(timing::FIRST_PAINT));
        }
    });

    move || match view_data.get() {
        Some((header, rows, query)) => view! { <TraceView header=header rows=rows query=query/> }.into_any(),
        None => {
            let loading = state.progress.with(Option::is_some);
            view! { <TraceMissing id=trace_id() loading=loading/> }.into_any()
        }
    }
}

#[component]
fn TraceMissing(id: String, loading: bool) -> impl IntoView {
    if loading {
        return view! { <section class="sl-empty"><p class="sl-muted">"Loading trace…"</p></section> }.into_any();
    }
    view! {
        <section class="sl-empty" data-testid="trace-missing">
            <h1>"Trace not loaded"</h1>
            <p class="sl-muted">
                "Trace " <code>{id}</code>
                " is not among the loaded traces. Traces live only in this browser tab: open the file again, or share a link with "
                <code>"?url="</code> " so it reloads by itself."
            </p>
            <A href="/" attr:class="sl-button">"Open traces"</A>
        </section>
    }
    .into_any()
}

#[component]
fn TraceView(header: Header, rows: Vec<SpanRow>, query: String) -> impl IntoView {
    let (utc, set_utc) = signal(false);
    let duration = header.duration_nanos.max(1);
    let start = header.start_nanos;
    let truncated = header.spans > rows.len();
    let total_spans = header.spans;
    view! {
        <section class="sl-trace" data-testid="trace-view">
            <div class="sl-trace-header">
                <h1 class="sl-trace-header__title" data-testid="trace-title">
                    <span class="sl-service-name">{header.root_service.clone()}</span>
                    <span class="sl-muted">": "</span>
                    {header.root_name.clone()}
                </h1>
                <dl class="sl-stats">
                    <div>
                        <dt>"Start"</dt>
                        <dd>
                            <button class="sl-link-button" title="Toggle local time / UTC" on:click=move |_| set_utc.update(|u| *u = !*u)>
                                {move || format_timestamp(start, utc.get())}
                            </button>
                        </dd>
                    </div>
                    <div><dt>"Duration"</dt><dd>{format_duration(header.duration_nanos)}</dd></div>
                    <div><dt>"Spans"</dt><dd>{thousands(header.spans)}</dd></div>
                    <div><dt>"Services"</dt><dd>{header.services}</dd></div>
                    <div><dt>"Depth"</dt><dd>{header.depth}</dd></div>
                    <div>
                        <dt>"Errors"</dt>
                        <dd class:sl-error-text={header.errors > 0}>{thousands(header.errors)}</dd>
                    </div>
                    <Show when=move || { header.warnings > 0 }>
                        <div>
                            <dt>"Warnings"</dt>
                            <dd><A href=format!("/warnings{query}") attr:class="sl-badge sl-badge--warn" attr:data-testid="warnings-badge">{thousands(header.warnings)}</A></dd>
                        </div>
                    </Show>
                </dl>
            </div>
            <div class="sl-span-list" role="tree" data-testid="span-list">
                {rows
                    .into_iter()
                    .map(|row| {
                        let left = 100.0 * row.offset_nanos as f64 / duration as f64;
                        let width = (100.0 * row.duration_nanos as f64 / duration as f64).max(0.15);
                        view! {
                            <div class="sl-span-row" role="treeitem" data-span-index=row.index class:sl-span-row--error=row.is_error>
                                <div class="sl-span-row__label" style:padding-left=format!("{}px", 8 + 14 * row.depth.min(40))>
                                    <span class="sl-service-name">{row.service}</span>
                                    <span class="sl-span-row__name">{row.name}</span>
                                    <Show when=move || row.missing_parent>
                                        <span class="sl-badge sl-badge--warn" title="Its parent span is not loaded">"missing parent"</span>
                                    </Show>
                                </div>
                                <div class="sl-span-row__timeline">
                                    <div class="sl-span-row__bar" style:left=format!("{left:.3}%") style:width=format!("{width:.3}%")></div>
                                    <span class="sl-span-row__duration">{format_duration(row.duration_nanos)}</span>
                                </div>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
            <Show when=move || truncated>
                <p class="sl-muted sl-note">{format!("Showing the first {} of {} spans.", thousands(MAX_LIST_ROWS), thousands(total_spans))}</p>
            </Show>
        </section>
    }
}
