//! A duration histogram (the statistics view's selected group) drawn with plotters: bars per bin,
//! the p50/p95/p99 marked as vertical lines, a logarithmic axis when durations span decades, hover
//! for a bin's range and count.

use crate::charts::parse_css;
use crate::format::format_duration;
use crate::hooks::{use_canvas_2d, use_element_size};
use leptos::html;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use spanlens_analysis::histogram::{Histogram, histogram};

const HEIGHT_PX: f64 = 170.0;
const LEFT_PX: f64 = 48.0;
const BOTTOM_PX: f64 = 26.0;
const TOP_PX: f64 = 18.0;
const RIGHT_PX: f64 = 16.0;
const BIN_COUNT: usize = 40;

/// A marked value (a percentile) and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub label: &'static str,
    pub nanos: i64,
}

/// The chart's x coordinate of a duration: milliseconds, or their log10 on a log axis (one f64
/// coordinate for both, so the drawing code is the same).
fn to_x(nanos: i64, log_scale: bool) -> f64 {
    let ms = nanos.max(0) as f64 / 1e6;
    if log_scale { ms.max(1e-6).log10() } else { ms }
}

fn from_x(x: f64, log_scale: bool) -> i64 {
    let ms = if log_scale { 10f64.powf(x) } else { x };
    (ms * 1e6).round() as i64
}

fn x_range(h: &Histogram) -> std::ops::Range<f64> {
    let lo = h.bins.first().map_or(0, |b| b.lo_nanos);
    let hi = h.bins.last().map_or(1, |b| b.hi_nanos);
    if hi <= lo {
        // One distinct duration: show it in the middle of a range 20 % wide, not on an empty axis.
        let pad = (lo / 10).max(1_000);
        return to_x(lo - pad, false)..to_x(lo + pad, false);
    }
    to_x(lo, h.log_scale)..to_x(hi, h.log_scale)
}

#[component]
pub fn DurationHistogram(
    /// The group's span durations, any order.
    #[prop(into)]
    durations_nanos: Signal<Vec<i64>>,
    #[prop(into)] marks: Signal<Vec<Mark>>,
) -> impl IntoView {
    let host = NodeRef::<html::Div>::new();
    let canvas = NodeRef::<html::Canvas>::new();
    let size = use_element_size(host);
    let bins = Memo::new(move |_| durations_nanos.with(|d| histogram(d, BIN_COUNT)));
    let hover = RwSignal::new(None::<(usize, f64)>);

    use_canvas_2d(
        canvas,
        move || (size.get().0, HEIGHT_PX),
        move || (bins.get(), marks.get(), hover.get().map(|(i, _)| i)),
        move |frame, (h, marks, hovered)| {
            let Some(element) = canvas.get_untracked() else { return };
            // plotters draws in device pixels: undo the hook's CSS-pixel scale.
            frame.ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).ok();
            let dpr = f64::from(element.width()) / frame.width_px.max(1.0);
            let Some(backend) = CanvasBackend::with_canvas_object(element) else { return };
            let root = backend.into_drawing_area();
            let bg = parse_css(&frame.chrome.background).unwrap_or(WHITE);
            let text = parse_css(&frame.chrome.muted).unwrap_or(BLACK);
            let grid = parse_css(&frame.chrome.grid).unwrap_or(RGBColor(230, 230, 230));
            let accent = parse_css(&frame.chrome.window_edge).unwrap_or(RGBColor(37, 99, 235));
            let mark_color = parse_css(&frame.chrome.critical).unwrap_or(RGBColor(200, 80, 0));
            root.fill(&bg).ok();
            if h.bins.is_empty() {
                root.present().ok();
                return;
            }
            let px = |v: f64| (v * dpr).round() as u32;
            let max_count = h.bins.iter().map(|b| b.count).max().unwrap_or(1).max(1);
            let x = x_range(h);
            let log = h.log_scale;
            let Ok(mut chart) = ChartBuilder::on(&root)
                .margin_top(px(TOP_PX))
                .margin_right(px(RIGHT_PX))
                .x_label_area_size(px(BOTTOM_PX))
                .y_label_area_size(px(LEFT_PX))
                .build_cartesian_2d(x.clone(), 0.0..f64::from(max_count) * 1.08)
            else {
                return;
            };
            let font = ("sans-serif", 11.0 * dpr).into_font().color(&text);
            chart
                .configure_mesh()
                .light_line_style(bg)
                .bold_line_style(grid)
                .axis_style(grid)
                .label_style(font.clone())
                .x_labels(6)
                .y_labels(4)
                .x_label_formatter(&|v| format_duration(from_x(*v, log)))
                // Counts are whole: fractional ticks get no label.
                .y_label_formatter(&|v| if (v - v.round()).abs() < 1e-6 { format!("{v:.0}") } else { String::new() })
                .draw()
                .ok();
            chart
                .draw_series(h.bins.iter().enumerate().map(|(i, b)| {
                    let (a, z) = (to_x(b.lo_nanos, log), to_x(b.hi_nanos, log));
                    // A bin of one value is a thin bar centred on it.
                    let half = (x.end - x.start) / BIN_COUNT as f64 / 2.0;
                    let (a, z) = if z > a { (a, z) } else { (a - half, a + half) };
                    let alpha = if *hovered == Some(i) { 1.0 } else { 0.7 };
                    Rectangle::new([(a, 0.0), (z, f64::from(b.count))], accent.mix(alpha).filled())
                }))
                .ok();
            let top = f64::from(max_count) * 1.08;
            // Labels of marks closer than a label's width step down, so p95 and p99 never overprint.
            let plot_w = (frame.width_px - LEFT_PX - RIGHT_PX).max(1.0);
            let mut last_px = f64::NEG_INFINITY;
            let mut step = 0.0;
            for m in marks {
                let mx = to_x(m.nanos, log).clamp(x.start, x.end);
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(mx, 0.0), (mx, top)],
                        mark_color.stroke_width(px(1.5).max(1)),
                    )))
                    .ok();
                let at_px = (mx - x.start) / (x.end - x.start) * plot_w;
                step = if at_px - last_px < 30.0 { step + 1.0 } else { 0.0 };
                last_px = at_px;
                let label_y = top * (1.0 - 0.1 * step);
                chart
                    .draw_series(std::iter::once(Text::new(
                        m.label.to_string(),
                        (mx, label_y),
                        ("sans-serif", 11.0 * dpr).into_font().color(&mark_color),
                    )))
                    .ok();
            }
            root.present().ok();
        },
    );

    // Which bin the pointer is over: the plot area is the canvas minus the label margins.
    let on_move = move |ev: web_sys::MouseEvent| {
        let Some(element) = canvas.get_untracked() else { return };
        let rect = element.get_bounding_client_rect();
        let mx = f64::from(ev.client_x()) - rect.left();
        let plot_w = (rect.width() - LEFT_PX - RIGHT_PX).max(1.0);
        let found = bins.with_untracked(|h| {
            let x = x_range(h);
            let v = x.start + (mx - LEFT_PX) / plot_w * (x.end - x.start);
            let nanos = from_x(v, h.log_scale);
            h.bins.iter().position(|b| nanos >= b.lo_nanos && nanos <= b.hi_nanos)
        });
        hover.set(found.map(|i| (i, mx)));
    };
    let tooltip = move || {
        let (i, x) = hover.get()?;
        let text = bins.with(|h| {
            h.bins.get(i).map(|b| {
                format!("{} – {}: {} spans", format_duration(b.lo_nanos), format_duration(b.hi_nanos), b.count)
            })
        })?;
        Some(view! { <div class="sl-tooltip" style:left=format!("{}px", x + 12.0) style:top="8px">{text}</div> })
    };
    view! {
        <div class="sl-histogram" node_ref=host>
            <canvas
                node_ref=canvas
                data-testid="duration-histogram"
                data-histogram-bins=move || bins.with(|h| h.bins.len().to_string())
                on:mousemove=on_move
                on:mouseleave=move |_| hover.set(None)
                aria-label="Duration histogram of the selected group"
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
    fn axis_transform_round_trips() {
        for log in [false, true] {
            for nanos in [1_000, 1_500_000, 2_000_000_000] {
                let back = from_x(to_x(nanos, log), log);
                assert!((back - nanos).abs() <= nanos / 1000 + 1, "{nanos} {back} {log}");
            }
        }
    }
}
