//! `/services`: the service dependency graph of the loaded traces (optionally merged with a Jaeger or
//! Zipkin backend's dependencies for a time range, each edge saying where it was seen), and below it
//! every service with its span, error and time totals. Each service links to a search for its spans.

use crate::components::dependency_source::use_backend_dependencies;
use crate::components::{DependencySource, ServiceGraphView, SortHeader};
use crate::format::{format_duration, thousands};
use crate::state::{AppState, Shared};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use spanlens_analysis::overview::{ServiceColumn, service_rows, sort_service_rows};
use spanlens_analysis::service_graph::{Rules, build_service_graph};

/// A TraceQL query for one service's spans (the name quoted as a TraceQL string).
pub fn service_query(name: &str) -> String {
    format!("{{ resource.service.name = {} }}", spanlens_traceql::quote(name))
}

#[component]
pub fn ServicesPage() -> impl IntoView {
    let state = AppState::from_context();
    let params = use_query_map();
    // Self time first: where each service itself spent time, which never exceeds the traces.
    let sort = RwSignal::new((ServiceColumn::SelfTime, true));
    let totals = Memo::new(move |_| {
        state.catalog.with(|c| service_rows(c.entries().filter_map(|(l, i)| l.set.traces.get(i).map(|t| (&l.set, t)))))
    });
    let rows = Memo::new(move |_| {
        let mut rows = totals.get();
        let (column, descending) = sort.get();
        sort_service_rows(&mut rows, column, descending);
        rows
    });
    let search_href = move |name: &str| {
        let data = params.with_untracked(crate::url::data_query);
        let sep = if data.is_empty() { '?' } else { '&' };
        format!("/search{data}{sep}q={}", js_sys::encode_uri_component(&service_query(name)))
    };
    // The graph of every listed trace; a backend's links (when picked) merged in.
    let traced = Memo::new(move |_| {
        crate::timing::mark("service-graph-begin");
        let graph = state.catalog.with(|c| {
            build_service_graph(
                c.entries().filter_map(|(l, i)| l.set.traces.get(i).map(|t| (&l.set, t))),
                Rules::Viewer,
            )
        });
        crate::timing::measure("service-graph", "service-graph-begin");
        Shared::new(graph)
    });
    let deps = use_backend_dependencies();
    let graph = Memo::new(move |_| {
        let base = traced.get();
        match deps.links() {
            Some(links) => {
                // Alone: the backend's links on an empty graph, so every edge reads "from backend".
                let mut merged = if deps.alone.get() { Default::default() } else { (*base).clone() };
                merged.merge_backend_links(&links);
                Shared::new(merged)
            }
            None => base,
        }
    });
    let graph_search = Callback::new(move |name: String| search_href(&name));
    let has_graph = move || graph.with(|g| !g.nodes.is_empty());

    view! {
        <section class="sl-page">
            <h1>"Services"</h1>
            <DependencySource deps=deps has_traces=Signal::derive(move || rows.with(|r| !r.is_empty()))/>
            <Show when=has_graph>
                <ServiceGraphView graph=graph.into() search_href=graph_search testid="service-graph"/>
            </Show>
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=move || (!has_graph()).then(|| view! {
                    <div class="sl-empty">
                        <p class="sl-muted">"No traces loaded yet. Open trace files to see the services they touch."</p>
                        <A href="/" attr:class="sl-button">"Open traces"</A>
                    </div>
                })
            >
                <table class="sl-table" data-testid="services-table">
                    <thead>
                        <tr>
                            <SortHeader label="Service" column=ServiceColumn::Name sort=sort/>
                            <SortHeader label="Traces" column=ServiceColumn::Traces sort=sort numeric=true/>
                            <SortHeader label="Spans" column=ServiceColumn::Spans sort=sort numeric=true/>
                            <SortHeader label="Errors" column=ServiceColumn::Errors sort=sort numeric=true/>
                            <SortHeader label="Self time" column=ServiceColumn::SelfTime sort=sort numeric=true
                                title="Time the service itself spent: span durations minus their children's"/>
                            <SortHeader label="Total span time" column=ServiceColumn::TotalTime sort=sort numeric=true
                                title="Sum of span durations: nested spans of one service count twice"/>
                            <SortHeader label="Longest span" column=ServiceColumn::Longest sort=sort numeric=true/>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|r| r.name.clone() let:row>
                            <tr data-testid="service-row">
                                <td>
                                    <ServiceLink href=search_href(&row.name) name=row.name.clone()/>
                                </td>
                                <td class="sl-num">{thousands(row.trace_count)}</td>
                                <td class="sl-num" title=(row.incomplete_count > 0).then(|| format!("{} of them incomplete (end unknown)", thousands(row.incomplete_count)))>
                                    {thousands(row.span_count)}
                                </td>
                                <td class="sl-num" class:sl-error-text={row.error_count > 0}>{thousands(row.error_count)}</td>
                                <td class="sl-num">{format_duration(row.self_nanos)}</td>
                                <td class="sl-num">{format_duration(row.total_nanos)}</td>
                                <td class="sl-num">{format_duration(row.max_nanos)}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

#[component]
fn ServiceLink(href: String, name: String) -> impl IntoView {
    let title = format!("Search the spans of {name}");
    view! { <A href=href attr:class="sl-service-name" attr:title=title>{name}</A> }
}

#[cfg(test)]
mod tests {
    use super::service_query;

    #[test]
    fn service_names_are_quoted_for_traceql() {
        assert_eq!(service_query("cart"), r#"{ resource.service.name = "cart" }"#);
        assert_eq!(service_query(r#"a"b\c"#), r#"{ resource.service.name = "a\"b\\c" }"#);
    }
}
