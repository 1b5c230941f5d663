//! `/`: what to do, how to open traces, and the list of loaded traces. `?backend=<name>&traces=<id>,…`
//! (search results opened together) fetches those traces from that backend into the list.

use crate::components::{
    BackendList, KeptFiles, LoadedSummary, OpenFilesButton, OpenedTogether, OpeningLink, SourceList, TraceList,
};
use crate::hooks::use_opening_link;
use crate::state::compare_link::{MAX_OPEN_TOGETHER, together_ids};
use crate::state::{AppState, Backends, LoadSelector};
use crate::state::{DEMO_URL, Loads};
use leptos::prelude::*;

#[component]
pub fn LandingPage() -> impl IntoView {
    let state = AppState::from_context();
    let loads = Loads::use_context();
    open_linked_traces(state, loads);
    let opening = use_opening_link();
    view! {
        <Show when=move || !opening.get() fallback=|| view! { <OpeningLink/> }>
            <StartPage/>
        </Show>
    }
}

/// What to do, how to open traces, and the list of loaded traces.
#[component]
fn StartPage() -> impl IntoView {
    let state = AppState::from_context();
    let loads = Loads::use_context();
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
                        <OpenFilesButton label="Open files…" primary=true/>
                        <button class="sl-button" data-testid="open-demo" on:click=open_demo>
                            "Open demo trace"
                        </button>
                    </div>
                </div>
                <BackendList/>
                <OpenedTogether/>
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

/// `?backend=<name>&traces=<id>,…`: fetches the named traces that are neither listed nor on their
/// way (once per link value, after `config.json` has named the backends), so a reload or a shared
/// link lists them again.
fn open_linked_traces(state: AppState, loads: Loads) {
    let backends = Backends::use_context();
    let query = leptos_router::hooks::use_query_map();
    let attempted = StoredValue::new(None::<(String, String)>);
    Effect::new(move |_| {
        if !backends.ready.get() {
            return;
        }
        let Some((name, traces)) = query.with(|q| Some((q.get("backend")?, q.get("traces")?))) else { return };
        let wanted = Some((name.clone(), traces.clone()));
        if attempted.get_value() == wanted {
            return;
        }
        attempted.set_value(wanted);
        let (ids, left_out) = together_ids(&traces);
        if left_out > 0 {
            state.report(
                format!("Opening the first {MAX_OPEN_TOGETHER} traces only"),
                format!(
                    "This link names {} traces; at most {MAX_OPEN_TOGETHER} are opened together, so {left_out} were left out.",
                    ids.len() + left_out
                ),
            );
        }
        let Some(backend) = backends.find(&name) else {
            state.report(
                format!("No backend named \"{name}\""),
                "This link names a backend that is neither in this deployment's config.json nor connected in this browser.",
            );
            return;
        };
        let selector = LoadSelector { backend: Some(name.clone()), ..LoadSelector::default() };
        let missing: Vec<String> = ids
            .into_iter()
            .filter(|id| {
                state.catalog.with_untracked(|c| c.find(id, &selector).is_none())
                    && !loads.is_loading_backend_trace(&name, id)
            })
            .collect();
        loads.open_backend_traces(backend, missing);
    });
}
