//! `/`: what to do, how to open traces, and the list of loaded traces. `?backend=<name>&traces=<id>,…`
//! (search results opened together) fetches those traces from that backend into the list.

use crate::components::{BackendList, KeptFiles, OpenFilesButton, OpenedTogether, SourceList, TraceList};
use crate::format::thousands;
use crate::state::compare_link::{MAX_OPEN_TOGETHER, together_ids};
use crate::state::{AppState, Backends, LoadSelector};
use crate::state::{DEMO_URL, Loads};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn LandingPage() -> impl IntoView {
    let state = AppState::from_context();
    let loads = Loads::use_context();
    open_linked_traces(state, loads);
    let opening = opening_link(state, loads);
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

/// While this page's `?url=` link is on its way, and until its load has ended (a page that was opened
/// for the link is replaced by the trace's when it arrives): the start page would be built, laid out
/// and painted on a cold page's UI thread (~0.1 s at 1,000 spans, before the link's answer could
/// reach the worker) only to be dropped. A load that fails, or lists several traces, shows the start
/// page a task after it ended, so that one that navigates away never builds it.
fn opening_link(state: AppState, loads: Loads) -> ReadSignal<bool> {
    let query = leptos_router::hooks::use_query_map();
    let link = query.with_untracked(|q| q.get("url"));
    let for_link = link.as_deref().is_some_and(|url| {
        state.catalog.with_untracked(|c| !c.has_url(url))
            && (state.progress.with_untracked(Option::is_none) || loads.is_loading_url(url))
    });
    let (opening, set_opening) = signal(for_link);
    if for_link {
        let started = StoredValue::new(false);
        Effect::new(move |_| {
            let same_link = query.with(|q| q.get("url")) == link;
            if same_link && state.progress.with(Option::is_some) {
                started.set_value(true);
            } else if started.get_value() || !same_link {
                leptos::task::spawn_local(async move {
                    crate::state::schedule::next_task().await;
                    set_opening.try_set(false);
                });
            }
        });
    }
    opening
}

/// The page while a link's trace is on its way: the progress bar above says how far (and cancels);
/// files can be opened instead, here or by dropping them anywhere.
#[component]
fn OpeningLink() -> impl IntoView {
    view! {
        <section class="sl-empty" data-testid="opening-link">
            <p class="sl-muted">"Opening the linked trace…"</p>
            <OpenFilesButton label="Open files instead…"/>
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
