//! `/compare/<a>/<b>`: two traces side by side, matched by their path of (service, operation) from the
//! root (Jaeger UI's trace diff). Each side names its load in the query (`a=`, `b=`, see
//! `state::compare_link`), so a link restores the comparison: a side from a backend is fetched again,
//! a side from a URL is loaded again.

use crate::components::DiffTable;
use crate::format::{format_duration, thousands};
use crate::state::compare_link::{side_selector, side_trace_href};
use crate::state::{AppState, Backends, Loads, TraceRef};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ComparePage() -> impl IntoView {
    let state = AppState::from_context();
    let params = use_params_map();
    let query = use_query_map();
    let backends = Backends::use_context();
    let loads = Loads::use_context();
    let hex = move |side: &'static str| params.with(|p| p.get(side).unwrap_or_default());
    let side_query = move |side: &'static str| query.with(|q| q.get(side));
    let find = move |side: &'static str| {
        let selector = side_selector(side_query(side).as_deref());
        let id = hex(side);
        state.catalog.with(|c| c.find(&id, &selector))
    };
    let a = Memo::new(move |_| find("a"));
    let b = Memo::new(move |_| find("b"));

    // A side that is not loaded is fetched again from what its link names (once per page).
    let attempted = StoredValue::new(Vec::<String>::new());
    Effect::new(move |_| {
        for (side, found) in [("a", a.with(Option::is_some)), ("b", b.with(Option::is_some))] {
            if found || !backends.ready.get() {
                continue;
            }
            let selector = side_selector(side_query(side).as_deref());
            let id = hex(side);
            let key = format!("{side}/{id}/{selector:?}");
            if attempted.with_value(|a| a.contains(&key)) {
                continue;
            }
            if let Some(name) = &selector.backend {
                if loads.is_loading_backend_trace(name, &id) {
                    continue;
                }
                attempted.update_value(|a| a.push(key));
                match backends.find(name) {
                    Some(backend) => loads.open_backend_trace(backend, id),
                    None => state.report(
                        format!("No backend named \"{name}\""),
                        "This comparison names a backend that is neither in this deployment's config.json nor connected in this browser.",
                    ),
                }
            } else if let Some(url) = &selector.url {
                let loaded = state.catalog.with_untracked(|c| c.has_url(url));
                if loaded || loads.is_loading_url(url) {
                    continue;
                }
                attempted.update_value(|a| a.push(key));
                loads.open_url(url.clone());
            }
        }
    });

    view! {
        <section class="sl-page sl-compare" data-testid="compare-page">
            <div class="sl-compare__head">
                <h1>"Compare traces"</h1>
                <A href=move || swap_href(&hex("a"), &hex("b"), side_query("a"), side_query("b")) attr:class="sl-button sl-button--small" attr:data-testid="compare-swap">
                    "Swap A and B"
                </A>
            </div>
            <div class="sl-compare__sides">
                <SideCard label="A" hex=Signal::derive(move || hex("a")) side_query=Signal::derive(move || side_query("a")) data=a.into()/>
                <SideCard label="B" hex=Signal::derive(move || hex("b")) side_query=Signal::derive(move || side_query("b")) data=b.into()/>
            </div>
            {move || match (a.get(), b.get()) {
                (Some(a_ref), Some(b_ref)) => view! {
                    <DiffTable a=a_ref b=b_ref a_query=side_query("a") b_query=side_query("b")/>
                }.into_any(),
                _ => {
                    let loading = state.progress.with(Option::is_some);
                    view! {
                        <p class="sl-muted sl-empty" data-testid="compare-missing">
                            {if loading { "Loading…" } else { "One of the traces is not loaded. Open it (or both) from the trace list, then tick two traces and press Compare." }}
                        </p>
                    }.into_any()
                }
            }}
        </section>
    }
}

fn swap_href(a: &str, b: &str, a_query: Option<String>, b_query: Option<String>) -> String {
    let enc = |q: String| crate::state::compare_link::encode(&q);
    let mut params = Vec::new();
    if let Some(q) = b_query {
        params.push(format!("a={}", enc(q)));
    }
    if let Some(q) = a_query {
        params.push(format!("b={}", enc(q)));
    }
    let query = if params.is_empty() { String::new() } else { format!("?{}", params.join("&")) };
    format!("/compare/{b}/{a}{query}")
}

#[component]
fn SideCard(
    label: &'static str,
    hex: Signal<String>,
    side_query: Signal<Option<String>>,
    data: Signal<Option<TraceRef>>,
) -> impl IntoView {
    let summary = move || {
        data.with(|d| {
            d.as_ref().map(|d| {
                let row = spanlens_analysis::overview::TraceRow::of(d.set(), d.trace());
                (row, d.loaded.source.label())
            })
        })
    };
    view! {
        <div class="sl-compare__side" data-testid=format!("compare-side-{}", label.to_lowercase())>
            <span class="sl-compare__badge">{label}</span>
            {move || match summary() {
                Some((row, source)) => view! {
                    <div class="sl-compare__side-body">
                        <A href=move || side_trace_href(&hex.get(), side_query.get().as_deref()) attr:class="sl-compare__title">
                            {format!("{}: {}", row.root_service, row.root_name)}
                        </A>
                        <span class="sl-muted">
                            {format!("{} · {} spans · {} errors · {}", format_duration(row.duration_nanos), thousands(row.span_count), thousands(row.error_count), source)}
                        </span>
                        <code class="sl-muted sl-compare__id">{row.trace_id_hex.clone()}</code>
                    </div>
                }.into_any(),
                None => view! {
                    <div class="sl-compare__side-body">
                        <span class="sl-muted">"Not loaded: "</span>
                        <code>{hex.get()}</code>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
