//! Picks a backend whose dependency links join the services graph (Jaeger `/api/dependencies`,
//! Zipkin `/api/v2/dependencies`) and the time range they cover. The choice is in the URL
//! (`deps=<backend>`, `lookback=`); the fetched links are handed to the page, which merges them with
//! what the loaded traces say. A newer choice supersedes an answer still on its way.

use crate::api::{self, FetchOptions};
use crate::format::thousands;
use crate::state::{Backends, Shared};
use leptos::prelude::*;
use spanlens_analysis::service_graph::BackendLink;
use spanlens_backends::{BackendKind, error_from_response, parse_dependencies};

const LOOKBACKS: &[(&str, &str, i64)] = &[
    ("1h", "Last hour", 3_600_000),
    ("6h", "Last 6 hours", 6 * 3_600_000),
    ("1d", "Last day", 86_400_000),
    ("7d", "Last 7 days", 7 * 86_400_000),
];

fn lookback_millis(key: &str) -> i64 {
    LOOKBACKS.iter().find(|(k, _, _)| *k == key).map_or(86_400_000, |(_, _, ms)| *ms)
}

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Off,
    Loading,
    Links(usize),
    Failed(String),
}

/// What the services page asks for and gets: the chosen backend (in the URL as `deps=`), the range
/// (`lookback=`), and the links, fetched again whenever either changes. The resource keeps only the
/// newest run, so a slow answer for an older choice never replaces a newer one.
#[derive(Clone, Copy)]
pub struct BackendDependencies {
    pub chosen: RwSignal<Option<String>>,
    pub lookback: RwSignal<String>,
    /// Show the backend's links alone (`deps_only=1`) instead of merged with the loaded traces'.
    pub alone: RwSignal<bool>,
    pub fetched: LocalResource<Option<Result<Vec<BackendLink>, String>>>,
}

impl BackendDependencies {
    /// The links when a backend is chosen and answered.
    pub fn links(&self) -> Option<Shared<Vec<BackendLink>>> {
        match self.fetched.get() {
            Some(Some(Ok(list))) if self.chosen.with(Option::is_some) => Some(Shared::new(list)),
            _ => None,
        }
    }
}

pub fn use_backend_dependencies() -> BackendDependencies {
    let backends = Backends::use_context();
    let chosen = RwSignal::new(crate::url::query_param("deps"));
    let lookback = RwSignal::new(crate::url::query_param("lookback").unwrap_or_else(|| "1d".to_owned()));
    let alone = RwSignal::new(crate::url::query_param("deps_only").as_deref() == Some("1"));
    Effect::new(move |_| {
        crate::url::replace_query_param("deps", chosen.get().as_deref());
        let lb = lookback.get();
        crate::url::replace_query_param("lookback", chosen.with(Option::is_some).then_some(lb.as_str()));
        crate::url::replace_query_param("deps_only", (chosen.with(Option::is_some) && alone.get()).then_some("1"));
    });
    // The fetch: re-runs when the backend or range changes; the resource keeps only the newest run.
    let fetched = LocalResource::new(move || {
        let name = chosen.get();
        let range = lookback.get();
        let ready = backends.ready.get();
        async move {
            let name = name?;
            if !ready {
                return Some(Err("Waiting for the backend list…".to_owned()));
            }
            let Some(backend) = backends.find(&name) else {
                return Some(Err(format!("No backend named \"{name}\" is connected.")));
            };
            let now_millis = js_sys::Date::now() as i64;
            let Some(url) = backend.dependencies_url(now_millis, lookback_millis(&range)) else {
                return Some(Err(format!("{name} ({}) has no dependencies API.", backend.kind.as_str())));
            };
            let answer = match api::fetch_text(&url, FetchOptions::default()).await {
                Ok(body) => parse_dependencies(backend.kind, body).map_err(|e| e.to_string()),
                Err(api::ApiError::Status { url, status, body, .. }) => {
                    Err(error_from_response(backend.kind, &url, status, &body).to_string())
                }
                Err(e) => Err(e.to_string()),
            };
            Some(answer.map(|list| {
                list.into_iter()
                    .map(|l| BackendLink {
                        parent: l.parent,
                        child: l.child,
                        call_count: l.call_count,
                        error_count: l.error_count,
                    })
                    .collect::<Vec<_>>()
            }))
        }
    });
    BackendDependencies { chosen, lookback, alone, fetched }
}

#[component]
pub fn DependencySource(
    deps: BackendDependencies,
    /// Whether any trace is loaded: only then is there something to show the links without.
    #[prop(into)]
    has_traces: Signal<bool>,
) -> impl IntoView {
    let backends = Backends::use_context();
    let BackendDependencies { chosen, lookback, alone, fetched } = deps;
    let candidates = move || {
        backends.list.with(|l| {
            l.iter()
                .filter(|b| matches!(b.backend.kind, BackendKind::Jaeger | BackendKind::Zipkin))
                .map(|b| b.backend.name.clone())
                .collect::<Vec<_>>()
        })
    };
    let status = Memo::new(move |_| match fetched.get() {
        None if chosen.with(Option::is_some) => Status::Loading,
        None | Some(None) => Status::Off,
        Some(Some(Ok(list))) => Status::Links(list.len()),
        Some(Some(Err(e))) => Status::Failed(e),
    });

    view! {
        <div class="sl-deps" data-testid="dependency-source">
            <label class="sl-field sl-field--inline">
                <span class="sl-field__label">"Also show dependencies from"</span>
                <select
                    class="sl-select"
                    data-testid="deps-backend"
                    prop:value=move || chosen.get().unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        chosen.set((!v.is_empty()).then_some(v));
                    }
                >
                    <option value="">"no backend (loaded traces only)"</option>
                    {move || candidates().into_iter().map(|n| {
                        // `selected` on the option, not only `prop:value` on the select: the backend
                        // list arrives after the URL's choice, and a value set before its option exists
                        // is dropped by the browser.
                        let is_chosen = chosen.with(|c| c.as_deref() == Some(n.as_str()));
                        view! { <option value=n.clone() selected=is_chosen>{n.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <Show when=move || chosen.with(Option::is_some)>
                <select class="sl-select" aria-label="Time range" prop:value=move || lookback.get() on:change=move |ev| lookback.set(event_target_value(&ev))>
                    {LOOKBACKS.iter().map(|(k, label, _)| view! { <option value=*k selected=move || lookback.with(|l| l == k)>{*label}</option> }).collect_view()}
                </select>
            </Show>
            <Show when=move || chosen.with(Option::is_some) && has_traces.get()>
                <label class="sl-check" title="Hide what the loaded traces say and show only the backend's links">
                    <input type="checkbox" data-testid="deps-alone" prop:checked=move || alone.get()
                        on:change=move |ev| alone.set(event_target_checked(&ev))/>
                    "Backend links only"
                </label>
            </Show>
            <span class="sl-muted sl-deps__status" data-testid="deps-status">
                {move || match status.get() {
                    Status::Off => view! { <span>{if candidates().is_empty() { "Connect a Jaeger or Zipkin backend to add its dependency links." } else { "" }}</span> }.into_any(),
                    Status::Loading => view! { <span>"Loading dependencies…"</span> }.into_any(),
                    Status::Links(n) => view! { <span>{format!("{} links from the backend (dashed where no loaded trace shows the call)", thousands(n))}</span> }.into_any(),
                    Status::Failed(e) => view! { <span class="sl-error-text" data-testid="deps-error">{e}</span> }.into_any(),
                }}
            </span>
        </div>
    }
}
