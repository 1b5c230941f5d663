//! `/`: what to do, how to open traces, and the list of loaded traces.

use crate::components::{BackendList, KeptFiles, SourceList, TraceList};
use crate::format::thousands;
use crate::state::AppState;
use crate::state::{DEMO_URL, Loads};
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use web_sys::File;

#[component]
pub fn LandingPage() -> impl IntoView {
    let state = AppState::from_context();
    let loads = Loads::use_context();
    let file_input = NodeRef::<html::Input>::new();

    let on_pick = move |_| {
        let Some(input) = file_input.get() else { return };
        let Some(list) = input.files() else { return };
        let files: Vec<File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        if !files.is_empty() {
            loads.open_files(files);
        }
        // Let the same file be picked again after it changes on disk.
        input.set_value("");
    };
    let open_demo = move |_| loads.open_url(DEMO_URL.to_owned());
    let has_traces = move || state.catalog.with(|c| !c.loads().is_empty());
    let navigate = leptos_router::hooks::use_navigate();
    let merge = Callback::new(move |hex: String| {
        if let Some(href) = loads.merge(&hex) {
            navigate(&href, Default::default());
        }
    });

    view! {
        <section class="sl-landing">
            <div class="sl-hero">
                <h1 class="sl-hero__title">"See where the time went."</h1>
                <p class="sl-hero__lead">
                    "Drop trace files anywhere on this page — or open them — to see each request's journey across services. Everything stays in your browser."
                </p>
                <div class="sl-dropzone" data-testid="dropzone">
                    <div class="sl-dropzone__icon" aria-hidden="true">
                        <svg viewBox="0 0 48 48">
                            <rect x="6" y="10" width="28" height="6" rx="3"></rect>
                            <rect x="14" y="21" width="22" height="6" rx="3"></rect>
                            <rect x="22" y="32" width="18" height="6" rx="3"></rect>
                        </svg>
                    </div>
                    <div class="sl-dropzone__text">
                        <strong>"Drop trace files here"</strong>
                        <span class="sl-muted">
                            "OTLP JSON, JSON Lines or protobuf · Jaeger · Zipkin v1/v2 · Chrome trace events · gzip"
                        </span>
                    </div>
                    <div class="sl-dropzone__actions">
                        <label class="sl-button sl-button--primary">
                            "Open files…"
                            <input
                                node_ref=file_input
                                type="file"
                                multiple
                                class="sl-visually-hidden"
                                data-testid="file-input"
                                on:change=on_pick
                            />
                        </label>
                        <button class="sl-button" data-testid="open-demo" on:click=open_demo>
                            "Open demo trace"
                        </button>
                    </div>
                </div>
                <BackendList/>
                <p class="sl-hint sl-muted">
                    "Tip: add "<code>"?url=https://…/trace.json"</code>" to this page's address to open a trace from a link."
                </p>
            </div>
            <Show when=has_traces>
                <LoadedSummary/>
                <SourceList/>
                <KeptFiles/>
                <TraceList on_merge=merge/>
            </Show>
        </section>
    }
}

/// "3 traces · 1,204 spans · 2 warnings" above the list.
#[component]
fn LoadedSummary() -> impl IntoView {
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
