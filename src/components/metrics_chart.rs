//! A metrics answer as a line chart (plotters on a HiDPI canvas): one line per series in its
//! palette colour, hover for every series' value at the nearest step, exemplar dots that open their
//! trace (each dot has a link laid over it, so it is also reachable by keyboard), and drag-select
//! to zoom (the page re-runs the query over the selected range).

use crate::format::format_timestamp;
use crate::hooks::{use_canvas_2d, use_element_size};
use crate::render::metrics_chart::{
    BOTTOM_PX, EXEMPLAR_RADIUS_PX, Geometry, HEIGHT_PX, TOP_PX, exemplar_value, nearest_index,
};
use crate::state::AppState;
use crate::state::metrics::{ChartData, format_value, series_color};
use leptos::html;
use leptos::prelude::*;

/// A drag narrower than this is a click.
const MIN_DRAG_PX: f64 = 5.0;
/// Exemplar links laid over the canvas, at most.
const MAX_EXEMPLAR_LINKS: usize = 500;

#[component]
pub fn MetricsChart(
    data: Signal<ChartData>,
    /// Per series: hidden from the chart (the legend toggles it).
    hidden: Signal<Vec<bool>>,
    /// A selected range `(start_nanos, end_nanos)` to re-run the query over.
    on_zoom: Callback<(i64, i64)>,
) -> impl IntoView {
    let host = NodeRef::<html::Div>::new();
    let canvas = NodeRef::<html::Canvas>::new();
    let size = use_element_size(host);
    // The pointer in canvas CSS pixels, and a drag's start x.
    let pointer = RwSignal::new(None::<(f64, f64)>);
    let drag_from = RwSignal::new(None::<f64>);
    let drawn = RwSignal::new(None::<(usize, usize)>);
    let app = AppState::from_context();
    let swatch = move |slot: usize| series_color(app.theme.get_untracked(), slot);
    let geometry = Memo::new(move |_| data.with(|d| hidden.with(|h| Geometry::new(d, h, size.get().0))));

    use_canvas_2d(
        canvas,
        move || (size.get().0, HEIGHT_PX),
        move || (data.get(), hidden.get()),
        move |frame, (data, hidden)| {
            let Some(element) = canvas.get_untracked() else { return };
            let counts = crate::render::metrics_chart::draw(frame, element, data, hidden);
            drawn.try_set(Some(counts));
        },
    );

    let local = move |ev: &web_sys::MouseEvent| -> Option<(f64, f64)> {
        let rect = canvas.get_untracked()?.get_bounding_client_rect();
        Some((f64::from(ev.client_x()) - rect.left(), f64::from(ev.client_y()) - rect.top()))
    };
    let on_down = move |ev: web_sys::MouseEvent| {
        if ev.button() != 0 {
            return;
        }
        if let Some((x, _)) = local(&ev)
            && geometry.with_untracked(|g| g.in_plot_x(x))
        {
            ev.prevent_default();
            drag_from.set(Some(x));
        }
    };
    let on_move = move |ev: web_sys::MouseEvent| pointer.set(local(&ev));
    // Releasing after a drag wider than a click zooms to the selected times.
    let on_up = move |ev: web_sys::MouseEvent| {
        let Some((x1, _)) = local(&ev) else { return };
        let Some(x0) = drag_from.get_untracked() else { return };
        drag_from.set(None);
        if (x1 - x0).abs() < MIN_DRAG_PX {
            return;
        }
        let geo = geometry.get_untracked();
        let (start_nanos, end_nanos) = (geo.time_at(x0.min(x1)), geo.time_at(x0.max(x1)));
        if end_nanos > start_nanos {
            on_zoom.run((start_nanos, end_nanos));
        }
    };
    // A link over each exemplar dot with a trace to open (the router handles the click).
    let exemplar_links = move || {
        let geo = geometry.get();
        data.with(|d| {
            hidden.with(|h| {
                d.series
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !h.get(*i).copied().unwrap_or(false))
                    .flat_map(|(_, s)| s.exemplars.iter().map(move |e| (s, e)))
                    .filter_map(|(s, e)| {
                        let href = e.href.clone()?;
                        let v = exemplar_value(s, e.timestamp_nanos, e.value);
                        if !v.is_finite() {
                            return None;
                        }
                        let (x, y) = (geo.x_px(e.timestamp_nanos), geo.y_px(v.clamp(geo.y.start, geo.y.end)));
                        let label = format!("Open trace {} ({}, {})", e.trace_id, s.label, format_value(v));
                        Some(view! {
                            <a class="sl-metrics-chart__exemplar" data-testid="metrics-exemplar" href=href
                                title=label.clone() aria-label=label
                                style:left=format!("{}px", x - EXEMPLAR_RADIUS_PX * 1.5)
                                style:top=format!("{}px", y - EXEMPLAR_RADIUS_PX * 1.5)></a>
                        })
                    })
                    .take(MAX_EXEMPLAR_LINKS)
                    .collect_view()
            })
        })
    };

    let selection = move || {
        let x0 = drag_from.get()?;
        let (x1, _) = pointer.get()?;
        let (left, width) = (x0.min(x1), (x1 - x0).abs());
        Some(view! {
            <div class="sl-metrics-chart__selection" data-testid="metrics-selection"
                style:left=format!("{left}px") style:width=format!("{width}px")
                style:top=format!("{TOP_PX}px") style:height=format!("{}px", HEIGHT_PX - TOP_PX - BOTTOM_PX)></div>
        })
    };
    let tooltip = move || {
        let (mx, my) = pointer.get()?;
        if drag_from.with(Option::is_some) {
            return None;
        }
        let geo = geometry.get();
        if !geo.in_plot_x(mx) {
            return None;
        }
        let t = geo.time_at(mx);
        let (when, guide_x, lines) = data.with(|d| {
            hidden.with(|h| {
                let mut step_t = None;
                let lines: Vec<(usize, String, String)> = d
                    .series
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !h.get(*i).copied().unwrap_or(false))
                    .filter_map(|(_, s)| {
                        let i = nearest_index(&s.timestamps_nanos, t)?;
                        step_t.get_or_insert(s.timestamps_nanos.get(i).copied()?);
                        Some((s.slot, s.label.clone(), format_value(s.values.get(i).copied().unwrap_or(f64::NAN))))
                    })
                    .collect();
                let at = step_t.unwrap_or(t);
                (format_timestamp(at, false), geo.x_px(at), lines)
            })
        });
        if lines.is_empty() {
            return None;
        }
        let left = if mx > geo.width_px * 0.6 { mx - 300.0 } else { mx + 14.0 };
        Some(view! {
            <div class="sl-metrics-chart__guide" style:left=format!("{guide_x}px")
                style:top=format!("{TOP_PX}px") style:height=format!("{}px", HEIGHT_PX - TOP_PX - BOTTOM_PX)></div>
            <div class="sl-tooltip sl-metrics-chart__tooltip" data-testid="metrics-tooltip"
                style:left=format!("{}px", left.max(0.0)) style:top=format!("{}px", my + 14.0)>
                <div class="sl-tooltip__title">{when}</div>
                {lines.into_iter().take(12).map(|(slot, label, value)| view! {
                    <div class="sl-metrics-chart__tip-row">
                        <span class="sl-metrics-swatch" style:background=swatch(slot)></span>
                        <span class="sl-metrics-chart__tip-label">{label}</span>
                        <span class="sl-mono">{value}</span>
                    </div>
                }).collect_view()}
            </div>
        })
    };

    view! {
        <div class="sl-metrics-chart" node_ref=host>
            <canvas
                node_ref=canvas
                class="sl-metrics-chart__canvas"
                data-testid="metrics-chart"
                data-metrics-series=move || drawn.get().map(|(s, _)| s.to_string())
                data-metrics-points=move || drawn.get().map(|(_, p)| p.to_string())
                style:cursor="crosshair"
                on:mousedown=on_down
                on:mousemove=on_move
                on:mouseup=on_up
                on:mouseleave=move |_| {
                    pointer.set(None);
                    drag_from.set(None);
                }
                aria-label="Metrics over time"
                role="img"
            ></canvas>
            {exemplar_links}
            {selection}
            {tooltip}
        </div>
    }
}
