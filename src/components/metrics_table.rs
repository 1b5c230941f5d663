//! A metrics answer as tables: a summary (series × min/avg/max/last) and the samples by time (rows
//! = timestamps, columns = series), the latter virtualised since a range can have thousands of steps.

use crate::format::format_timestamp;
use crate::hooks::{use_element_size, visible_rows};
use crate::state::AppState;
use crate::state::metrics::{ChartData, ChartSeries, format_value, series_color};
use leptos::html;
use leptos::prelude::*;
use std::collections::BTreeSet;

const ROW_HEIGHT_PX: f64 = 28.0;
/// Series columns shown in the by-time table (the summary lists every series).
const MAX_TIME_COLUMNS: usize = 20;

/// min, avg, max, last of the finite values.
fn summary(s: &ChartSeries) -> [f64; 4] {
    let finite: Vec<f64> = s.values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return [f64::NAN; 4];
    }
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let avg = finite.iter().sum::<f64>() / finite.len() as f64;
    [min, avg, max, finite.last().copied().unwrap_or(f64::NAN)]
}

/// Every timestamp of any series, in order, with each series' value there (NaN when absent).
fn by_time(data: &ChartData) -> (Vec<i64>, Vec<Vec<f64>>) {
    let series = &data.series[..data.series.len().min(MAX_TIME_COLUMNS)];
    let times: Vec<i64> =
        series.iter().flat_map(|s| s.timestamps_nanos.iter().copied()).collect::<BTreeSet<_>>().into_iter().collect();
    let columns = series
        .iter()
        .map(|s| {
            times
                .iter()
                .map(|t| {
                    s.timestamps_nanos.binary_search(t).ok().and_then(|i| s.values.get(i).copied()).unwrap_or(f64::NAN)
                })
                .collect()
        })
        .collect();
    (times, columns)
}

#[component]
pub fn MetricsTable(data: Signal<ChartData>) -> impl IntoView {
    let app = AppState::from_context();
    let by_time_mode = RwSignal::new(false);
    let grid = Memo::new(move |_| data.with(by_time));
    let scroller = NodeRef::<html::Div>::new();
    let size = use_element_size(scroller);
    let scroll_top = RwSignal::new(0.0f64);
    let window = move || grid.with(|(t, _)| visible_rows(t.len(), ROW_HEIGHT_PX, scroll_top.get(), size.get().1));
    let swatch = move |slot: usize| series_color(app.theme.get(), slot);

    let summary_table = move || {
        view! {
            <table class="sl-table sl-table--compact sl-metrics-table" data-testid="metrics-table"
                data-metrics-rows=move || data.with(|d| d.series.len().to_string())>
                <thead>
                    <tr>
                        <th>"Series"</th>
                        <th class="sl-num">"Min"</th>
                        <th class="sl-num">"Avg"</th>
                        <th class="sl-num">"Max"</th>
                        <th class="sl-num">"Last"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || data.with(|d| d.series.iter().map(|s| {
                        let [min, avg, max, last] = summary(s);
                        let slot = s.slot;
                        view! {
                            <tr data-testid="metrics-row">
                                <td><span class="sl-metrics-swatch" style:background=move || swatch(slot)></span>{s.label.clone()}</td>
                                <td class="sl-num sl-mono">{format_value(min)}</td>
                                <td class="sl-num sl-mono">{format_value(avg)}</td>
                                <td class="sl-num sl-mono">{format_value(max)}</td>
                                <td class="sl-num sl-mono">{format_value(last)}</td>
                            </tr>
                        }
                    }).collect_view())}
                </tbody>
            </table>
        }
    };

    let time_table = move || {
        let shown = move || {
            let w = window();
            grid.with(|(times, columns)| {
                times
                    .get(w.clone())
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                    .map(|(k, t)| {
                        let row = w.start + k;
                        (*t, columns.iter().map(|c| c.get(row).copied().unwrap_or(f64::NAN)).collect::<Vec<_>>())
                    })
                    .collect::<Vec<_>>()
            })
        };
        let top_pad = move || window().start as f64 * ROW_HEIGHT_PX;
        let bottom_pad = move || grid.with(|(t, _)| t.len()).saturating_sub(window().end) as f64 * ROW_HEIGHT_PX;
        let more = data.with(|d| d.series.len().saturating_sub(MAX_TIME_COLUMNS));
        view! {
            {(more > 0).then(|| view! {
                <p class="sl-muted">{format!("The first {MAX_TIME_COLUMNS} series; {more} more are in the summary.")}</p>
            })}
            <div class="sl-metrics-table__scroll" node_ref=scroller on:scroll=move |_| {
                if let Some(el) = scroller.get_untracked() {
                    scroll_top.set(f64::from(el.scroll_top()));
                }
            }>
                <table class="sl-table sl-table--compact sl-metrics-table" data-testid="metrics-time-table"
                    data-metrics-rows=move || grid.with(|(t, _)| t.len().to_string())>
                    <thead>
                        <tr>
                            <th>"Time"</th>
                            {move || data.with(|d| d.series.iter().take(MAX_TIME_COLUMNS).map(|s| {
                                let slot = s.slot;
                                view! { <th class="sl-num"><span class="sl-metrics-swatch" style:background=move || swatch(slot)></span>{s.label.clone()}</th> }
                            }).collect_view())}
                        </tr>
                    </thead>
                    <tbody>
                        <tr style:height=move || format!("{}px", top_pad())></tr>
                        <For each=shown key=|(t, values)| (*t, values.iter().map(|v| v.to_bits()).collect::<Vec<_>>()) let:row>
                            <tr>
                                <td class="sl-mono">{format_timestamp(row.0, false)}</td>
                                {row.1.iter().map(|v| view! { <td class="sl-num sl-mono">{format_value(*v)}</td> }).collect_view()}
                            </tr>
                        </For>
                        <tr style:height=move || format!("{}px", bottom_pad())></tr>
                    </tbody>
                </table>
            </div>
        }
    };

    view! {
        <div class="sl-metrics-tables">
            <div class="sl-segmented" role="group" aria-label="Table">
                <button class="sl-segmented__item" class:sl-segmented__item--active=move || !by_time_mode.get()
                    data-testid="metrics-table-summary" on:click=move |_| by_time_mode.set(false)>"Summary"</button>
                <button class="sl-segmented__item" class:sl-segmented__item--active=move || by_time_mode.get()
                    data-testid="metrics-table-by-time" on:click=move |_| by_time_mode.set(true)>"By time"</button>
            </div>
            {move || if by_time_mode.get() { time_table().into_any() } else { summary_table().into_any() }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_skip_gaps_and_times_merge() {
        let a = ChartSeries {
            label: "a".into(),
            slot: 0,
            timestamps_nanos: vec![0, 10, 20],
            values: vec![1.0, f64::NAN, 3.0],
            exemplars: Vec::new(),
        };
        assert_eq!(summary(&a), [1.0, 2.0, 3.0, 3.0]);
        let b = ChartSeries { timestamps_nanos: vec![5], values: vec![7.0], ..a.clone() };
        let (times, cols) = by_time(&ChartData { series: vec![a, b], ..ChartData::default() });
        assert_eq!(times, vec![0, 5, 10, 20]);
        assert_eq!(cols[1][1], 7.0);
        assert!(cols[1][0].is_nan());
    }
}
