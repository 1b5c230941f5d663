//! `/search?q=…`: TraceQL over the loaded traces.
//!
//! The query lives in the URL (next to `url=` when the set came from a link): running navigates to
//! `/search?…&q=…`, and whenever `q` or the loaded set changes the search runs, so a shared link,
//! a reload and back/forward all show the same results once the traces are loaded.

use crate::components::{BackendSearch, MetricsResults, QueryEditor, QueryHistory, SearchResults};
use crate::state::metrics::{MetricsOutcome, MetricsWindow, is_metrics_query, run_metrics};
use crate::state::search::{SearchOutcome, load_history, remember, run_search};
use crate::state::{AppState, Backends, Catalog, Loaded};
use crate::state::{DEMO_URL, Loads};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use spanlens_traceql::suggest::AttrIndex;
use std::cell::RefCell;
use std::sync::{Arc, Weak};

thread_local! {
    /// Each load's attribute index, built once per load rather than per visit or per new load.
    static INDEXES: RefCell<Vec<(Weak<Loaded>, Arc<AttrIndex>)>> = const { RefCell::new(Vec::new()) };
}

/// One index over every load, newest load first (its keys and values are offered first).
fn index_for(catalog: &Catalog) -> Arc<AttrIndex> {
    INDEXES.with(|cell| {
        let mut cache = cell.borrow_mut();
        cache.retain(|(weak, _)| weak.strong_count() > 0);
        let parts: Vec<Arc<AttrIndex>> = catalog
            .loads()
            .iter()
            .rev()
            .map(|loaded| {
                let cached = cache.iter().find(|(w, _)| w.upgrade().is_some_and(|l| Arc::ptr_eq(&l, loaded)));
                match cached {
                    Some((_, index)) => Arc::clone(index),
                    None => {
                        let index = Arc::new(AttrIndex::build(&loaded.set));
                        cache.push((Arc::downgrade(loaded), Arc::clone(&index)));
                        index
                    }
                }
            })
            .collect();
        match parts.as_slice() {
            [one] => Arc::clone(one),
            _ => Arc::new(AttrIndex::union(parts.iter().map(|p| &**p))),
        }
    })
}

/// What a run produced: matching traces, or a metrics query's series.
#[derive(Clone, PartialEq)]
enum Ran {
    Traces(SearchOutcome),
    Metrics(MetricsOutcome),
}

/// Runs `q` over the catalog: a metrics query over `window`, anything else as a trace search.
fn run_any(q: &str, catalog: &Catalog, window: MetricsWindow) -> Option<Ran> {
    if q.trim().is_empty() {
        None
    } else if is_metrics_query(q) {
        Some(Ran::Metrics(run_metrics(q, catalog, window)))
    } else {
        Some(Ran::Traces(run_search(q, catalog)))
    }
}

/// `/search?url=…&q=…` for `query`, keeping the `url` parameter.
fn search_href(url: Option<&str>, query: &str) -> String {
    let mut params = Vec::new();
    if let Some(u) = url {
        params.push(format!("url={}", js_sys::encode_uri_component(u)));
    }
    if !query.trim().is_empty() {
        params.push(format!("q={}", js_sys::encode_uri_component(query)));
    }
    if params.is_empty() { "/search".to_owned() } else { format!("/search?{}", params.join("&")) }
}

/// `/search`: over the loaded traces (TraceQL, locally) or over a backend (`backend=<name>`).
#[component]
pub fn SearchPage() -> impl IntoView {
    let backends = Backends::use_context();
    let query = use_query_map();
    let navigate = use_navigate();
    let wanted = Memo::new(move |_| query.with(|q| q.get("backend")));
    let target = Memo::new(move |_| {
        let name = wanted.get()?;
        backends.list.with(|l| l.iter().find(|b| b.backend.name == name).map(|b| b.backend.clone()))
    });
    let names =
        Memo::new(move |_| backends.list.with(|l| l.iter().map(|b| b.backend.name.clone()).collect::<Vec<_>>()));
    let pick = Callback::new(move |name: String| {
        let href = if name.is_empty() {
            "/search".to_owned()
        } else {
            format!("/search?backend={}", js_sys::encode_uri_component(&name))
        };
        navigate(&href, NavigateOptions::default());
    });
    view! {
        <section class="sl-page sl-search">
            <div class="sl-search__title">
                <h1>"Search"</h1>
                <Show when=move || names.with(|n| !n.is_empty())>
                    <label class="sl-field sl-field--inline">"in"
                        <select class="sl-select" data-testid="search-target"
                            prop:value=move || wanted.get().unwrap_or_default()
                            on:change:target=move |ev| pick.run(ev.target().value())>
                            <option value="">"the loaded traces"</option>
                            <For each=move || names.get() key=|n| n.clone() let:name>
                                <option value=name.clone()>{name.clone()}</option>
                            </For>
                        </select>
                    </label>
                </Show>
            </div>
            {move || match (wanted.get(), target.get()) {
                (None, _) => view! { <LocalSearch/> }.into_any(),
                (Some(_), Some(backend)) => view! { <BackendSearch backend=backend/> }.into_any(),
                (Some(name), None) if backends.ready.get() => view! {
                    <div class="sl-empty"><p>{format!("No backend named \"{name}\" is configured or connected here.")}</p></div>
                }.into_any(),
                (Some(_), None) => view! { <p class="sl-muted">"Loading the backends…"</p> }.into_any(),
            }}
        </section>
    }
}

/// TraceQL over the loaded traces.
#[component]
fn LocalSearch() -> impl IntoView {
    let state = AppState::from_context();
    let loads = Loads::use_context();
    let query_map = use_query_map();
    let navigate = use_navigate();
    let url_q = Memo::new(move |_| query_map.with(|q| q.get("q")).unwrap_or_default());
    let text = RwSignal::new(url_q.get_untracked());
    let outcome = RwSignal::new(None::<Ran>);
    let window = Memo::new(move |_| query_map.with(|m| MetricsWindow::from_lookup(|k| m.get(k))));
    let history = RwSignal::new(load_history());
    let index = Memo::new(move |_| IndexHandle(state.catalog.with(index_for)));
    let has_traces = move || state.catalog.with(|c| !c.is_empty());
    let loading = move || state.progress.with(Option::is_some);

    // Run whenever the URL's query or the loaded set changes.
    Effect::new(move |prev: Option<String>| {
        let q = url_q.get();
        // A new URL query (back/forward, a history pick) replaces the text; a new load does not.
        if prev.as_ref() != Some(&q) && text.get_untracked() != q {
            text.set(q.clone());
        }
        let w = window.get();
        outcome.set(state.catalog.with(|c| run_any(&q, c, w)));
        q
    });

    let run = Callback::new(move |()| {
        let q = text.get_untracked();
        if !q.trim().is_empty() {
            history.set(remember(&history.get_untracked(), &q));
        }
        if q == url_q.get_untracked() {
            // Same URL: navigating would change nothing, so run here.
            outcome.set(state.catalog.with_untracked(|c| run_any(&q, c, window.get_untracked())));
        } else {
            // Keep the data source in the link: the page's `url=`, or the newest load's URL.
            let url = query_map.with_untracked(|m| m.get("url")).or_else(|| {
                state.catalog.with_untracked(|c| c.newest().and_then(|l| l.source.url().map(str::to_owned)))
            });
            navigate(&search_href(url.as_deref(), &q), NavigateOptions { scroll: false, ..Default::default() });
        }
    });
    let data_url = move || {
        query_map
            .with_untracked(|m| m.get("url"))
            .or_else(|| state.catalog.with_untracked(|c| c.newest().and_then(|l| l.source.url().map(str::to_owned))))
    };
    let navigate_zoom = use_navigate();
    // A drag-selected range (or none, to reset) re-runs the URL's query over it.
    let zoom = Callback::new(move |range: Option<(i64, i64)>| {
        let suffix = range.map(|(a, b)| MetricsWindow::zoom(a, b).query_suffix()).unwrap_or_default();
        let href = search_href(data_url().as_deref(), &url_q.get_untracked());
        let sep = if href.contains('?') { "" } else { "?" };
        navigate_zoom(&format!("{href}{sep}{suffix}"), NavigateOptions { scroll: false, ..Default::default() });
    });
    let pick_history = Callback::new(move |q: String| {
        text.set(q);
        run.run(());
    });

    let results = move || {
        let o = match outcome.get() {
            Some(Ran::Traces(o)) => o,
            Some(Ran::Metrics(m)) => return metrics_view(m, window.get_untracked().is_zoomed(), zoom),
            None => {
                return view! {
                    <p class="sl-muted sl-search-hint">
                        "Write a TraceQL query, e.g. "<code>"{ status = error }"</code>" or "
                        <code>"{ resource.service.name = \"frontend\" } >> { duration > 500ms }"</code>
                        ", or a metrics query to chart, e.g. "<code>"{ } | rate() by (resource.service.name)"</code>
                        ", and press Ctrl+Enter."
                    </p>
                }
                .into_any();
            }
        };
        let stats = format!(
            "Searched {} traces ({} spans) in {:.1} ms",
            crate::format::thousands(o.traces_inspected),
            crate::format::thousands(o.spans_inspected),
            o.millis
        );
        match o.result {
            Err(errors) => view! {
                <div class="sl-empty sl-search-empty" data-testid="search-invalid">
                    <p>
                        <strong>"The query cannot run. "</strong>
                        {errors.0.first().map(|e| format!("{}:{}: {}", e.line, e.col, e.message))}
                    </p>
                </div>
            }
            .into_any(),
            Ok(rows) if rows.is_empty() => view! {
                <div class="sl-empty sl-search-empty" data-testid="search-empty">
                    <p>"No traces match this query."</p>
                    <p class="sl-muted">{stats}</p>
                </div>
            }
            .into_any(),
            Ok(rows) => view! {
                <SearchResults rows=Signal::stored(rows)/>
                <p class="sl-muted sl-search-stats">{stats}</p>
            }
            .into_any(),
        }
    };

    view! {
        <div class="sl-local-search">
            <div class="sl-search__bar">
                <QueryEditor text=text index=Signal::derive(move || index.get().0) on_run=run/>
                <div class="sl-search__actions">
                    <button
                        class="sl-button sl-button--primary"
                        data-testid="run-query"
                        title="Run (Ctrl+Enter)"
                        on:click=move |_| run.run(())
                    >
                        "Run"
                    </button>
                    <QueryHistory history=history on_pick=pick_history/>
                </div>
            </div>
            <Show
                when=has_traces
                fallback=move || {
                    view! {
                        <div class="sl-empty" data-testid="search-nothing-loaded">
                            {move || {
                                if loading() {
                                    view! { <p class="sl-muted">"Loading traces…"</p> }.into_any()
                                } else {
                                    view! {
                                        <p class="sl-muted">
                                            "Search runs over the traces loaded in this tab. Open trace files or the demo trace first."
                                        </p>
                                        <div class="sl-dropzone__actions">
                                            <A href="/" attr:class="sl-button">"Open files…"</A>
                                            <button
                                                class="sl-button sl-button--primary"
                                                data-testid="search-open-demo"
                                                on:click=move |_| loads.open_url(DEMO_URL.to_owned())
                                            >
                                                "Open demo trace"
                                            </button>
                                        </div>
                                    }
                                    .into_any()
                                }
                            }}
                        </div>
                    }
                }
            >
                {results}
            </Show>
        </div>
    }
}

/// A metrics run: the chart, or why the query cannot run.
fn metrics_view(m: MetricsOutcome, zoomed: bool, zoom: Callback<Option<(i64, i64)>>) -> AnyView {
    match m.result {
        Err(message) => view! {
            <div class="sl-empty sl-search-empty" data-testid="search-invalid">
                <p><strong>"The query cannot run. "</strong>{message}</p>
            </div>
        }
        .into_any(),
        Ok(data) => {
            let stats = format!(
                "Evaluated over {} traces ({} spans) in {:.1} ms",
                crate::format::thousands(m.traces_inspected as usize),
                crate::format::thousands(m.spans_inspected as usize),
                m.millis
            );
            view! { <MetricsResults data=data zoomed=zoomed on_zoom=zoom stats=stats/> }.into_any()
        }
    }
}

/// Compares by pointer: one index per load.
#[derive(Clone)]
struct IndexHandle(Arc<AttrIndex>);

impl PartialEq for IndexHandle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
