//! Searching a backend: Jaeger and Zipkin get a form like Jaeger UI's (service and operation from the
//! API, tags, lookback, durations, limit); Tempo gets the TraceQL editor (autocomplete from the tag
//! APIs, narrowed by the query so far) or its simple mode (`mode=simple`). The form lives in the URL;
//! a newer search aborts an older one, and a late answer never replaces a newer result.

use crate::api::{self, Abort, ApiError, FetchOptions};
use crate::components::{MetricsResults, QueryEditor, ScatterPlot, SearchResults, TempoSimpleSearch};
use crate::format::format_duration;
use crate::hooks::TagSource;
use crate::state::Loads;
use crate::state::backend_form::{BackendForm, LOOKBACKS, SIMPLE_MODE};
use crate::state::backend_search_run::{rows, run};
use crate::state::metrics::{ChartData, MetricsWindow, is_metrics_query};
use crate::state::trace_rows::TraceTableRow;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use spanlens_backends::{
    Backend, BackendKind, TimeWindow, metrics_query_range_from_response, parse_duration_text, parse_operations,
    parse_services, parse_tag_names, parse_tag_values,
};
use spanlens_traceql::metrics::{MetricsRange, default_step_nanos};
use spanlens_traceql::simple::SimpleSearch;
use spanlens_traceql::suggest::AttrIndex;
use std::sync::Arc;

/// What the results area shows.
#[derive(Clone, PartialEq)]
enum Outcome {
    Idle,
    Running,
    Done(Vec<TraceTableRow>, Vec<String>),
    /// A Tempo metrics query's answer.
    Metrics(ChartData),
    Failed(String),
}

#[component]
pub fn BackendSearch(backend: Backend) -> impl IntoView {
    let backend = Arc::new(backend);
    let query = use_query_map();
    let navigate = use_navigate();
    let from_url = Memo::new(move |_| query.with(BackendForm::from_params));
    // A Tempo metrics query's zoom: `start`/`end`/`step` beside the form.
    let window = Memo::new(move |_| query.with(|m| MetricsWindow::from_lookup(|k| m.get(k))));
    let form = RwSignal::new(from_url.get_untracked());
    let outcome = RwSignal::new(Outcome::Idle);
    let generation = StoredValue::new(0u64);
    // Retry asks again for the same URL, which a navigation to it would not do (the form is unchanged).
    let retries = RwSignal::new(0u32);
    let in_flight = StoredValue::new(None::<Abort>);
    let kind = backend.kind;
    let loads = use_context::<Loads>();

    // Runs whenever the URL's form changes (a shared link, Back, a new search), and on Retry.
    let runner = Arc::clone(&backend);
    Effect::new(move |_| {
        retries.track();
        let asked = from_url.get();
        let zoom = window.get();
        form.set(asked.clone());
        if asked.is_empty() {
            outcome.set(Outcome::Idle);
            return;
        }
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        if let Some(previous) = in_flight.get_value() {
            previous.abort();
        }
        let abort = Abort::new();
        in_flight.set_value(Some(abort.clone()));
        outcome.set(Outcome::Running);
        let backend = Arc::clone(&runner);
        let loader = loads.and_then(|l| l.loader());
        spawn_local(async move {
            if backend.kind == BackendKind::Tempo && is_metrics_query(&asked.q) {
                let result = run_metrics(&backend, &asked, zoom, abort).await;
                if generation.try_get_value() == Some(mine) {
                    outcome.try_set(match result {
                        Ok(data) => Outcome::Metrics(data),
                        Err(message) => Outcome::Failed(message),
                    });
                }
                return;
            }
            let result = run(&backend, &asked, abort, loader).await;
            // The newest search wins: an older answer arriving late is dropped.
            if generation.try_get_value() == Some(mine) {
                outcome.try_set(match result {
                    Ok(found) => Outcome::Done(rows(&backend, found.traces), found.warnings),
                    Err(message) => Outcome::Failed(message),
                });
            }
        });
    });

    let search_name = backend.name.clone();
    let zoom_name = backend.name.clone();
    let navigate_zoom = navigate.clone();
    // Tempo metrics: the step (`30s`, `1m`), kept in the URL as `step=` nanoseconds.
    let step_text = RwSignal::new(String::new());
    Effect::new(move |_| step_text.set(window.with(|w| w.step_nanos.map(format_duration).unwrap_or_default())));
    let step_nanos = move || parse_duration_text(step_text.get_untracked().trim()).ok().filter(|n| *n > 0);
    let submit = Callback::new(move |()| {
        let asked = form.get_untracked();
        let mut href = asked.href(&search_name);
        if kind == BackendKind::Tempo
            && is_metrics_query(&asked.q)
            && let Some(step) = step_nanos()
        {
            href.push_str(&MetricsWindow { step_nanos: Some(step), ..MetricsWindow::default() }.query_suffix());
        }
        navigate(&href, NavigateOptions { scroll: false, ..Default::default() });
    });
    // A drag-selected range (or none, to reset) re-asks the URL's query over it.
    let zoom = Callback::new(move |range: Option<(i64, i64)>| {
        let suffix = range.map(|(a, b)| MetricsWindow::zoom(a, b).query_suffix()).unwrap_or_default();
        let href = format!("{}{suffix}", from_url.get_untracked().href(&zoom_name));
        navigate_zoom(&href, NavigateOptions { scroll: false, ..Default::default() });
    });

    let services = services_resource(Arc::clone(&backend));
    let ops_backend = Arc::clone(&backend);
    let operations = LocalResource::new(move || {
        let backend = Arc::clone(&ops_backend);
        let service = form.with(|f| f.service.trim().to_owned());
        async move {
            if service.is_empty() || backend.kind == BackendKind::Tempo {
                return Vec::new();
            }
            let Ok(body) = api::fetch_text(&backend.operations_url(&service, None), FetchOptions::default()).await
            else {
                return Vec::new();
            };
            parse_operations(backend.kind, body)
                .map(|ops| ops.into_iter().map(|o| o.name).collect())
                .unwrap_or_default()
        }
    });
    // Tempo: the editor's suggestions come from the backend's tag APIs, not the loaded traces.
    let tag_index = tempo_tag_index(Arc::clone(&backend));
    let tempo_text = RwSignal::new(form.get_untracked().q);
    Effect::new(move |_| {
        let q = tempo_text.get();
        form.update(|f| f.q = q);
    });
    Effect::new(move |_| tempo_text.set(from_url.with(|f| f.q.clone())));

    view! {
        <div class="sl-backend-search" data-testid="backend-search" data-backend-kind=kind.as_str()>
            {if kind == BackendKind::Tempo {
                let source = TagSource(Arc::clone(&backend));
                let simple_backend = Arc::clone(&backend);
                // A Memo, so that typing (which changes the form) does not rebuild the editor.
                let simple = Memo::new(move |_| form.with(BackendForm::is_simple));
                view! {
                    <TempoModeSwitch form=form text=tempo_text/>
                    {move || if simple.get() {
                        view! { <TempoSimpleSearch text=tempo_text backend=Arc::clone(&simple_backend)/> }.into_any()
                    } else {
                        view! {
                            <div class="sl-search__bar">
                                <QueryEditor text=tempo_text index=Signal::derive(move || tag_index.get().unwrap_or_default())
                                    on_run=submit tempo=true tag_source=source.clone()/>
                            </div>
                        }.into_any()
                    }}
                }.into_any()
            } else {
                view! { <SearchForm form=form services=services operations=operations/> }.into_any()
            }}
            <div class="sl-search-form__row">
                <label class="sl-field">"Lookback"
                    <select class="sl-select" data-testid="search-lookback"
                        prop:value=move || form.with(|f| if f.lookback.is_empty() { "1h".to_owned() } else { f.lookback.clone() })
                        on:change:target=move |ev| form.update(|f| f.lookback = ev.target().value())>
                        {LOOKBACKS.iter().map(|(v, label, _)| view! { <option value=*v>{*label}</option> }).collect_view()}
                    </select>
                </label>
                <TextField label="Limit" placeholder="20" testid="search-limit" value=form get=|f| f.limit.clone() set=|f, v| f.limit = v/>
                <Show when=move || kind == BackendKind::Tempo && tempo_text.with(|q| is_metrics_query(q))>
                    <label class="sl-field">"Step"
                        <input class="sl-input" data-testid="search-step" placeholder="auto (range/240)"
                            title="The metrics step, e.g. 30s or 1m; empty: about the range / 240"
                            prop:value=move || step_text.get()
                            on:input:target=move |ev| step_text.set(ev.target().value())/>
                    </label>
                </Show>
                <button class="sl-button sl-button--primary" data-testid="backend-run" on:click=move |_| submit.run(())>
                    {format!("Search {}", kind.label())}
                </button>
            </div>
            {move || match outcome.get() {
                Outcome::Idle => view! { <p class="sl-muted sl-search-hint">"Choose what to look for and press Search."</p> }.into_any(),
                Outcome::Running => view! { <p class="sl-muted" data-testid="backend-searching">"Searching…"</p> }.into_any(),
                Outcome::Failed(message) => view! {
                    <div class="sl-empty sl-search-empty" data-testid="backend-search-failed">
                        <p><strong>"The search failed. "</strong>{message}</p>
                        <button class="sl-button" on:click=move |_| retries.update(|n| *n += 1)>"Retry"</button>
                    </div>
                }.into_any(),
                Outcome::Metrics(data) => view! {
                    <MetricsResults data=data zoomed=window.get_untracked().is_zoomed() on_zoom=zoom/>
                }.into_any(),
                Outcome::Done(rows, warnings) => {
                    let count = rows.len();
                    view! {
                        <div data-search-results="" data-count=count.to_string()>
                            {warnings.into_iter().map(|w| view! { <p class="sl-muted">{w}</p> }).collect_view()}
                            {if count == 0 {
                                view! { <div class="sl-empty sl-search-empty" data-testid="search-empty"><p>"No traces match."</p></div> }.into_any()
                            } else {
                                let rows = Signal::stored(rows);
                                view! {
                                    <ScatterPlot rows=rows/>
                                    <SearchResults rows=rows matched={kind == BackendKind::Tempo}/>
                                }.into_any()
                            }}
                        </div>
                    }.into_any()
                }
            }}
        </div>
    }
}

/// Tempo: "Simple / TraceQL". Switching to simple mode rewrites the query in the form's own words
/// (`{}` for an empty one); a query the form cannot show keeps TraceQL mode. Switching back keeps
/// the generated query in the editor. The mode goes into the URL with the next search.
#[component]
fn TempoModeSwitch(form: RwSignal<BackendForm>, text: RwSignal<String>) -> impl IntoView {
    let simple = move || form.with(BackendForm::is_simple);
    let representable = Memo::new(move |_| text.with(|q| SimpleSearch::from_traceql(q)));
    let to_simple = move |_| {
        if let Some(s) = representable.get_untracked() {
            text.set(s.to_traceql());
            form.update(|f| {
                f.mode = SIMPLE_MODE.to_owned();
                f.q = s.to_traceql();
            });
        }
    };
    view! {
        <div class="sl-tempo-mode" role="group" aria-label="Query mode" data-testid="tempo-mode">
            <button class="sl-button sl-tempo-mode__button" data-testid="mode-simple"
                aria-pressed=move || simple().to_string()
                disabled=move || representable.with(Option::is_none)
                title=move || if representable.with(Option::is_none) {
                    "This query has more than simple mode can show (service, span name, status, duration, tags joined by &&)"
                } else {
                    "Pick service, span name, status and duration; the TraceQL is written for you"
                }
                on:click=to_simple>"Simple"</button>
            <button class="sl-button sl-tempo-mode__button" data-testid="mode-traceql"
                aria-pressed=move || (!simple()).to_string()
                on:click=move |_| form.update(|f| f.mode.clear())>"TraceQL"</button>
        </div>
    }
}

#[component]
fn SearchForm(
    form: RwSignal<BackendForm>,
    services: LocalResource<Vec<String>>,
    operations: LocalResource<Vec<String>>,
) -> impl IntoView {
    view! {
        <div class="sl-search-form">
            <label class="sl-field">"Service"
                <select class="sl-select" data-testid="search-service"
                    prop:value=move || form.with(|f| f.service.clone())
                    on:change:target=move |ev| form.update(|f| { f.service = ev.target().value(); f.operation.clear(); })>
                    <option value="">"Any service"</option>
                    {move || services.get().unwrap_or_default().into_iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label class="sl-field">"Operation"
                <select class="sl-select" data-testid="search-operation"
                    prop:value=move || form.with(|f| f.operation.clone())
                    on:change:target=move |ev| form.update(|f| f.operation = ev.target().value())>
                    <option value="">"Any operation"</option>
                    {move || operations.get().unwrap_or_default().into_iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()}
                </select>
            </label>
            <TextField label="Tags" placeholder="http.status_code=500 error=true" testid="search-tags" value=form get=|f| f.tags.clone() set=|f, v| f.tags = v/>
            <TextField label="Min duration" placeholder="100ms" testid="search-min" value=form get=|f| f.min_duration.clone() set=|f, v| f.min_duration = v/>
            <TextField label="Max duration" placeholder="1.5s" testid="search-max" value=form get=|f| f.max_duration.clone() set=|f, v| f.max_duration = v/>
        </div>
    }
}

#[component]
fn TextField(
    label: &'static str,
    placeholder: &'static str,
    testid: &'static str,
    value: RwSignal<BackendForm>,
    get: fn(&BackendForm) -> String,
    set: fn(&mut BackendForm, String),
) -> impl IntoView {
    view! {
        <label class="sl-field">{label}
            <input class="sl-input" data-testid=testid placeholder=placeholder
                prop:value=move || value.with(get)
                on:input:target=move |ev| value.update(|f| set(f, ev.target().value()))/>
        </label>
    }
}

/// Tag names by scope (v2), service names and span names from a Tempo backend, as the editor's index.
/// Other backends get an empty index (their form has no TraceQL editor).
fn tempo_tag_index(backend: Arc<Backend>) -> LocalResource<Arc<AttrIndex>> {
    LocalResource::new(move || {
        let backend = Arc::clone(&backend);
        async move {
            if backend.kind != BackendKind::Tempo {
                return Arc::default();
            }
            let get = |url: Option<String>| async move {
                api::fetch_text(&url?, FetchOptions { timeout_secs: 15, ..FetchOptions::default() }).await.ok()
            };
            let scoped =
                get(backend.tag_names_url(None, None)).await.and_then(|b| parse_tag_names(b).ok()).unwrap_or_default();
            let services = get(Some(backend.services_url()))
                .await
                .and_then(|b| parse_services(backend.kind, b).ok())
                .unwrap_or_default();
            let names = get(backend.tag_values_url("name", None))
                .await
                .and_then(|b| parse_tag_values(b).ok())
                .map(|values| values.into_iter().map(|v| v.value).collect())
                .unwrap_or_default();
            Arc::new(AttrIndex::from_tags(&scoped, Vec::new(), services, names))
        }
    })
}

fn services_resource(backend: Arc<Backend>) -> LocalResource<Vec<String>> {
    LocalResource::new(move || {
        let backend = Arc::clone(&backend);
        async move {
            // Tempo's search is TraceQL, with no service list in the form.
            if backend.kind == BackendKind::Tempo {
                return Vec::new();
            }
            let Ok(body) = api::fetch_text(&backend.services_url(), FetchOptions::default()).await else {
                return Vec::new();
            };
            parse_services(backend.kind, body).unwrap_or_default()
        }
    })
}

/// A Tempo metrics query (`/api/metrics/query_range`) over the zoomed window, or the form's lookback
/// ending now; the step is the URL's or about range/240. Exemplars open their trace from Tempo.
async fn run_metrics(
    backend: &Backend,
    form: &BackendForm,
    zoom: MetricsWindow,
    abort: Abort,
) -> Result<ChartData, String> {
    let now_nanos = (js_sys::Date::now() * 1e6) as i64;
    let lookback = TimeWindow::lookback(now_nanos, form.lookback_nanos());
    let fallback = MetricsRange {
        start_nanos: lookback.start_nanos,
        end_nanos: lookback.end_nanos,
        step_nanos: default_step_nanos(lookback.lookback_nanos()),
    };
    let range = zoom.range_over(fallback);
    let window = TimeWindow { start_nanos: range.start_nanos, end_nanos: range.end_nanos };
    let url = backend
        .metrics_query_range_url(&form.q, window, Some(range.step_nanos), Some(100))
        .map_err(|e| e.to_string())?;
    let result = match api::fetch_text(&url, FetchOptions { abort, ..FetchOptions::default() }).await {
        Ok(body) => metrics_query_range_from_response(200, body),
        Err(ApiError::Status { status, body, .. }) => metrics_query_range_from_response(status, body),
        Err(e) => return Err(e.to_string()),
    }
    .map_err(|e| e.to_string())?;
    let link = js_sys::encode_uri_component(&backend.name);
    Ok(ChartData::from_result(result, range, |id| Some(format!("/trace/{id}?backend={link}"))))
}
