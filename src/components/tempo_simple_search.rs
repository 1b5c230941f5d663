//! Tempo's simple mode (Grafana calls it the search builder): service, span name, status and
//! duration, plus optional tag conditions, written as TraceQL for the user and shown read-only under
//! the form.
//!
//! The query text stays the one source of truth: the form is derived from it
//! (`SimpleSearch::from_traceql`), and every change writes the whole query back. Only the duration
//! boxes keep their own text, so that `1.` can be typed on the way to `1.5s` (a duration that does
//! not parse yet is left out of the query and marked).

use crate::api::{self, FetchOptions};
use crate::components::{SimpleDurationField, SimpleTagRows};
use leptos::prelude::*;
use spanlens_backends::{Backend, parse_services, parse_tag_values};
use spanlens_traceql::simple::{SimpleSearch, SimpleStatus, TagCondition};
use std::sync::Arc;

/// Tag lists are a convenience: a slow backend leaves them empty rather than holding the form.
const LIST_TIMEOUT_SECS: u32 = 10;

#[component]
pub fn TempoSimpleSearch(
    /// The TraceQL query (the page's, the same the editor shows in TraceQL mode).
    text: RwSignal<String>,
    backend: Arc<Backend>,
) -> impl IntoView {
    let form = Memo::new(move |_| text.with(|q| SimpleSearch::from_traceql(q)));
    let current = move || form.get().unwrap_or_default();
    let edit = move |change: &dyn Fn(&mut SimpleSearch)| {
        let mut next = form.get_untracked().unwrap_or_default();
        change(&mut next);
        text.set(next.to_traceql());
    };

    let services_backend = Arc::clone(&backend);
    let services = LocalResource::new(move || {
        let backend = Arc::clone(&services_backend);
        async move {
            let options = FetchOptions { timeout_secs: LIST_TIMEOUT_SECS, ..FetchOptions::default() };
            let Ok(body) = api::fetch_text(&backend.services_url(), options).await else { return Vec::new() };
            parse_services(backend.kind, body).unwrap_or_default()
        }
    });
    // Span names of the chosen service (`name` values narrowed with `q=`), or of every service.
    let names_backend = Arc::clone(&backend);
    let service = Memo::new(move |_| form.with(|f| f.as_ref().map(|f| f.service.clone()).unwrap_or_default()));
    let span_names = LocalResource::new(move || {
        let backend = Arc::clone(&names_backend);
        let service = service.get();
        async move {
            let url = if service.is_empty() {
                backend.tag_values_url("name", None)
            } else {
                Some(backend.operations_url(&service, None))
            };
            let Some(url) = url else { return Vec::new() };
            let options = FetchOptions { timeout_secs: LIST_TIMEOUT_SECS, ..FetchOptions::default() };
            let Ok(body) = api::fetch_text(&url, options).await else { return Vec::new() };
            let mut names: Vec<String> =
                parse_tag_values(body).map(|v| v.into_iter().map(|v| v.value).collect()).unwrap_or_default();
            names.sort();
            names.dedup();
            names
        }
    });
    // The chosen value stays listed even when the backend no longer knows it.
    // `selected` on the option too: the list arrives after the select's value was set.
    let options = move |list: Vec<String>, chosen: String| {
        let mut list = list;
        if !chosen.is_empty() && !list.contains(&chosen) {
            list.insert(0, chosen.clone());
        }
        list.into_iter()
            .map(|v| {
                let label = v.clone();
                let selected = v == chosen;
                view! { <option value=v selected=selected>{label}</option> }
            })
            .collect_view()
    };

    view! {
        <div class="sl-tempo-simple" data-testid="tempo-simple">
            {move || form.with(Option::is_none).then(|| view! {
                <p class="sl-muted" data-testid="tempo-simple-unsupported">
                    "This query has more than simple mode can show. "
                    <button class="sl-button" on:click=move |_| text.set("{}".to_owned())>"Start a simple search"</button>
                </p>
            })}
            <div class="sl-search-form">
                <label class="sl-field">"Service"
                    <select class="sl-select" data-testid="simple-service"
                        prop:value=move || current().service
                        on:change:target=move |ev| {
                            let v = ev.target().value();
                            edit(&|f| {
                                if f.service != v {
                                    f.span_name.clear();
                                }
                                f.service = v.clone();
                            });
                        }>
                        <option value="">"Any service"</option>
                        {move || options(services.get().unwrap_or_default(), current().service)}
                    </select>
                </label>
                <label class="sl-field">"Span name"
                    <select class="sl-select" data-testid="simple-span-name"
                        prop:value=move || current().span_name
                        on:change:target=move |ev| {
                            let v = ev.target().value();
                            edit(&|f| f.span_name = v.clone());
                        }>
                        <option value="">"Any span name"</option>
                        {move || options(span_names.get().unwrap_or_default(), current().span_name)}
                    </select>
                </label>
                <label class="sl-field">"Status"
                    <select class="sl-select" data-testid="simple-status"
                        prop:value=move || current().status.map(SimpleStatus::keyword).unwrap_or_default()
                        on:change:target=move |ev| {
                            let v = ev.target().value();
                            edit(&|f| f.status = SimpleStatus::from_keyword(&v));
                        }>
                        <option value="">"Any status"</option>
                        {SimpleStatus::ALL.map(|s| view! { <option value=s.keyword()>{s.keyword()}</option> }).collect_view()}
                    </select>
                </label>
                <SimpleDurationField label="Min duration" testid="simple-min" placeholder="100ms" form=form
                    get=|f| f.min_duration.clone() on_valid=Callback::new(move |v: String| edit(&|f| f.min_duration = v.clone()))/>
                <SimpleDurationField label="Max duration" testid="simple-max" placeholder="1.5s" form=form
                    get=|f| f.max_duration.clone() on_valid=Callback::new(move |v: String| edit(&|f| f.max_duration = v.clone()))/>
            </div>
            <SimpleTagRows form=form on_change=Callback::new(move |tags: Vec<TagCondition>| edit(&|f| f.tags = tags.clone()))/>
            <div class="sl-tempo-simple__query">
                <span class="sl-muted">"TraceQL"</span>
                <code class="sl-mono" data-testid="simple-traceql">{move || text.get()}</code>
            </div>
        </div>
    }
}
