//! The result area of a metrics query: the chart with a legend under it that hides and shows
//! series (scrolling when long), or the tables; "Reset zoom" once a range was selected, and the
//! answer's partial/limit notes.

use crate::components::{MetricsChart, MetricsTable};
use crate::state::AppState;
use crate::state::metrics::{ChartData, series_color};
use leptos::prelude::*;
use std::collections::HashSet;

#[component]
pub fn MetricsResults(
    data: ChartData,
    /// The range in view came from a drag-select (the URL has `start`/`end`).
    zoomed: bool,
    /// `Some((start_nanos, end_nanos))` zooms, `None` resets.
    on_zoom: Callback<Option<(i64, i64)>>,
    /// "Searched … in … ms", under the chart.
    #[prop(optional, into)]
    stats: Option<String>,
) -> impl IntoView {
    let app = AppState::from_context();
    let series_count = data.series.len();
    let point_count = data.point_count();
    let note = match (data.partial, data.message.clone()) {
        (true, Some(m)) => Some(format!("Partial answer: {m}")),
        (true, None) => Some("Partial answer: the backend did not search everything.".to_owned()),
        (false, m) => m,
    };
    let data = Signal::stored(data);
    let hidden_labels = RwSignal::new(HashSet::<String>::new());
    let hidden = Signal::derive(move || {
        hidden_labels.with(|h| data.with(|d| d.series.iter().map(|s| h.contains(&s.label)).collect::<Vec<_>>()))
    });
    let table = RwSignal::new(false);
    let toggle = move |label: String| {
        hidden_labels.update(|h| {
            if !h.remove(&label) {
                h.insert(label);
            }
        });
    };

    if series_count == 0 {
        return view! {
            <div class="sl-empty sl-search-empty" data-testid="metrics-empty">
                <p>"The query matched no spans in this range."</p>
                {zoomed.then(|| view! { <button class="sl-button" data-testid="metrics-reset-zoom" on:click=move |_| on_zoom.run(None)>"Reset zoom"</button> })}
                {stats.map(|s| view! { <p class="sl-muted">{s}</p> })}
            </div>
        }
        .into_any();
    }

    view! {
        <div class="sl-metrics" data-testid="metrics-results" data-series=series_count.to_string() data-points=point_count.to_string()>
            <div class="sl-view-bar">
                <div class="sl-segmented" role="group" aria-label="Show as">
                    <button class="sl-segmented__item" class:sl-segmented__item--active=move || !table.get()
                        data-testid="metrics-show-chart" on:click=move |_| table.set(false)>"Chart"</button>
                    <button class="sl-segmented__item" class:sl-segmented__item--active=move || table.get()
                        data-testid="metrics-show-table" on:click=move |_| table.set(true)>"Table"</button>
                </div>
                {zoomed.then(|| view! {
                    <button class="sl-button" data-testid="metrics-reset-zoom" on:click=move |_| on_zoom.run(None)>"Reset zoom"</button>
                })}
                <span class="sl-muted sl-view-bar__hint">
                    {format!("{series_count} series · drag across the chart to zoom")}
                </span>
            </div>
            {note.map(|n| view! { <p class="sl-muted sl-metrics__note" data-testid="metrics-note">{n}</p> })}
            <Show when=move || !table.get() fallback=move || view! { <MetricsTable data=data/> }>
                <MetricsChart data=data hidden=hidden on_zoom=Callback::new(move |r| on_zoom.run(Some(r)))/>
                <ul class="sl-metrics-legend" data-testid="metrics-legend">
                    {move || data.with(|d| d.series.iter().map(|s| {
                        let (label, slot) = (s.label.clone(), s.slot);
                        let for_click = label.clone();
                        let for_class = label.clone();
                        view! {
                            <li>
                                <button class="sl-metrics-legend__item" data-testid="metrics-legend-item"
                                    class:sl-metrics-legend__item--hidden=move || hidden_labels.with(|h| h.contains(&for_class))
                                    title="Click to hide or show this series"
                                    on:click=move |_| toggle(for_click.clone())>
                                    <span class="sl-metrics-swatch" style:background=move || series_color(app.theme.get(), slot)></span>
                                    {label}
                                </button>
                            </li>
                        }
                    }).collect_view())}
                </ul>
            </Show>
            {stats.clone().map(|s| view! { <p class="sl-muted sl-search-stats">{s}</p> })}
        </div>
    }
    .into_any()
}
