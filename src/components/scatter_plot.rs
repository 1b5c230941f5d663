//! Search results as a scatter plot of duration over start time, drawn with plotters on a canvas:
//! errors in red, hover for details, click to open (as Jaeger UI's search page plots its results).

use crate::charts::parse_css;
use crate::format::{format_duration, format_timestamp};
use crate::hooks::{use_canvas_2d, use_element_size};
use crate::render::time_axis::time_label;
use crate::state::trace_rows::TraceTableRow;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use spanlens_layout::palette;

const HEIGHT_PX: f64 = 180.0;
/// Plot area margins, in CSS pixels: room for the axes' labels.
const LEFT_PX: f64 = 64.0;
const BOTTOM_PX: f64 = 28.0;
const TOP_PX: f64 = 10.0;
const RIGHT_PX: f64 = 16.0;
const RADIUS_PX: f64 = 4.0;

/// One point: start (ms since the earliest), duration (ms), error, and the row it stands for.
#[derive(Clone, Debug, PartialEq)]
struct Point {
    x_ms: f64,
    y_ms: f64,
    error: bool,
    row: usize,
}

fn points(rows: &[TraceTableRow]) -> (Vec<Point>, i64) {
    let first = rows.iter().map(|r| r.summary.start_nanos).min().unwrap_or(0);
    let points = rows
        .iter()
        .enumerate()
        .map(|(row, r)| Point {
            x_ms: (r.summary.start_nanos - first) as f64 / 1e6,
            y_ms: r.summary.duration_nanos as f64 / 1e6,
            error: r.summary.error_count > 0,
            row,
        })
        .collect();
    (points, first)
}

/// The plot's ranges, padded so no point sits on an edge.
fn ranges(points: &[Point]) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
    let max_x = points.iter().map(|p| p.x_ms).fold(0.0, f64::max);
    let max_y = points.iter().map(|p| p.y_ms).fold(0.0, f64::max);
    let pad_x = (max_x * 0.03).max(1.0);
    (-pad_x..max_x + pad_x, 0.0..(max_y * 1.1).max(1.0))
}

/// Where a point lands, in CSS pixels inside a canvas `width_px` wide.
fn position(p: &Point, x: &std::ops::Range<f64>, y: &std::ops::Range<f64>, width_px: f64) -> (f64, f64) {
    let plot_w = (width_px - LEFT_PX - RIGHT_PX).max(1.0);
    let plot_h = HEIGHT_PX - TOP_PX - BOTTOM_PX;
    let px = LEFT_PX + (p.x_ms - x.start) / (x.end - x.start) * plot_w;
    let py = TOP_PX + plot_h - (p.y_ms - y.start) / (y.end - y.start) * plot_h;
    (px, py)
}

#[component]
pub fn ScatterPlot(rows: Signal<Vec<TraceTableRow>>) -> impl IntoView {
    let host = NodeRef::<html::Div>::new();
    let canvas = NodeRef::<html::Canvas>::new();
    let size = use_element_size(host);
    let hover = RwSignal::new(None::<(usize, f64, f64)>);
    let navigate = use_navigate();
    let data = Memo::new(move |_| rows.with(|r| points(r)));

    use_canvas_2d(
        canvas,
        move || (size.get().0, HEIGHT_PX),
        move || data.get(),
        move |frame, (points, first_nanos)| {
            let Some(element) = canvas.get_untracked() else { return };
            // plotters draws in the backing store's device pixels: undo the hook's CSS-pixel scale.
            frame.ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).ok();
            let dpr = f64::from(element.width()) / frame.width_px.max(1.0);
            let Some(backend) = CanvasBackend::with_canvas_object(element) else { return };
            let root = backend.into_drawing_area();
            let bg = parse_css(&frame.chrome.background).unwrap_or(WHITE);
            let text = parse_css(&frame.chrome.muted).unwrap_or(BLACK);
            let grid = parse_css(&frame.chrome.grid).unwrap_or(RGBColor(230, 230, 230));
            root.fill(&bg).ok();
            let (x, y) = ranges(points);
            let px = |v: f64| (v * dpr).round() as u32;
            let Ok(mut chart) = ChartBuilder::on(&root)
                .margin_top(px(TOP_PX))
                .margin_right(px(RIGHT_PX))
                .x_label_area_size(px(BOTTOM_PX))
                .y_label_area_size(px(LEFT_PX))
                .build_cartesian_2d(x.clone(), y.clone())
            else {
                return;
            };
            let font = ("sans-serif", 11.0 * dpr).into_font().color(&text);
            let (first, span_ms) = (*first_nanos, x.end - x.start);
            let x_label = move |v: &f64| time_label(first, span_ms, *v);
            chart
                .configure_mesh()
                .light_line_style(bg)
                .bold_line_style(grid)
                .axis_style(grid)
                .label_style(font)
                .x_labels(6)
                .y_labels(4)
                .x_label_formatter(&x_label)
                .y_label_formatter(&|v| format_duration((*v * 1e6) as i64))
                .draw()
                .ok();
            // The accent (the page's link colour) for traces, the bars' error red for failed ones.
            let accent = parse_css(&frame.chrome.window_edge).unwrap_or(RGBColor(37, 99, 235));
            let e = palette::error_color(frame.theme);
            let error = RGBColor(e.0, e.1, e.2);
            let radius = (RADIUS_PX * dpr).round() as i32;
            chart
                .draw_series(points.iter().map(|p| {
                    let c = if p.error { error } else { accent };
                    Circle::new((p.x_ms, p.y_ms), radius, c.mix(0.75).filled())
                }))
                .ok();
            root.present().ok();
        },
    );

    let nearest = move |ev: &web_sys::MouseEvent| -> Option<(usize, f64, f64)> {
        let element = canvas.get_untracked()?;
        let rect = element.get_bounding_client_rect();
        let (mx, my) = (f64::from(ev.client_x()) - rect.left(), f64::from(ev.client_y()) - rect.top());
        data.with_untracked(|(points, _)| {
            let (x, y) = ranges(points);
            points
                .iter()
                .map(|p| {
                    let (px, py) = position(p, &x, &y, rect.width());
                    (p.row, (px - mx).hypot(py - my), px, py)
                })
                .filter(|(_, d, _, _)| *d <= RADIUS_PX * 2.5)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(row, _, px, py)| (row, px, py))
        })
    };
    let on_move = move |ev: web_sys::MouseEvent| hover.set(nearest(&ev));
    let on_click = move |ev: web_sys::MouseEvent| {
        if let Some((row, _, _)) = nearest(&ev)
            && let Some(href) = rows.with_untracked(|r| r.get(row).map(|r| r.href.clone()))
        {
            navigate(&href, Default::default());
        }
    };
    let tooltip = move || {
        let (row, x, y) = hover.get()?;
        let text = rows.with(|r| {
            r.get(row).map(|r| {
                format!(
                    "{}: {} · {} · {} spans{} · {}",
                    r.summary.root_service,
                    r.summary.root_name,
                    format_duration(r.summary.duration_nanos),
                    r.summary.span_count,
                    if r.summary.error_count > 0 {
                        format!(", {} errors", r.summary.error_count)
                    } else {
                        String::new()
                    },
                    format_timestamp(r.summary.start_nanos, false),
                )
            })
        })?;
        Some(
            view! { <div class="sl-tooltip" style:left=format!("{}px", x + 12.0) style:top=format!("{}px", y + 12.0)>{text}</div> },
        )
    };
    view! {
        <div class="sl-scatter" node_ref=host>
            <canvas
                node_ref=canvas
                class="sl-scatter__canvas"
                data-testid="scatter"
                data-scatter-points=move || data.with(|(p, _)| p.len().to_string())
                style:cursor=move || if hover.with(Option::is_some) { "pointer" } else { "default" }
                on:mousemove=on_move
                on:mouseleave=move |_| hover.set(None)
                on:click=on_click
                aria-label="Search results: duration over start time"
                role="img"
            ></canvas>
            {tooltip}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_map_inside_the_plot() {
        let p = Point { x_ms: 0.0, y_ms: 0.0, error: false, row: 0 };
        let q = Point { x_ms: 100.0, y_ms: 50.0, error: true, row: 1 };
        let (x, y) = ranges(&[p.clone(), q.clone()]);
        let (px, py) = position(&p, &x, &y, 800.0);
        let (qx, qy) = position(&q, &x, &y, 800.0);
        assert!(px > LEFT_PX && qx < 800.0 - RIGHT_PX && px < qx);
        assert!(py > qy && py <= HEIGHT_PX - BOTTOM_PX && qy >= TOP_PX);
    }
}
