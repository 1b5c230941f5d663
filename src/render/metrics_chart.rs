//! The metrics chart's geometry (shared by drawing and hit testing) and its drawing with plotters:
//! one line per visible series in its palette colour, NaN values as gaps, exemplars as dots on
//! their series.

use crate::charts::parse_css;
use crate::hooks::Canvas2dFrame;
use crate::render::time_axis::time_label;
use crate::state::metrics::{ChartData, ChartSeries, format_value};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use spanlens_layout::palette;
use std::ops::Range;

pub const HEIGHT_PX: f64 = 260.0;
/// Plot area margins, in CSS pixels: room for the axes' labels.
pub const LEFT_PX: f64 = 64.0;
pub const BOTTOM_PX: f64 = 28.0;
pub const TOP_PX: f64 = 10.0;
pub const RIGHT_PX: f64 = 40.0;
pub const EXEMPLAR_RADIUS_PX: f64 = 4.0;

/// The plotted domain: x in milliseconds after `origin_nanos`, y in the series' unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    pub origin_nanos: i64,
    pub x_ms: Range<f64>,
    pub y: Range<f64>,
    pub width_px: f64,
}

impl Geometry {
    /// The domain of the series not `hidden`, over the evaluated window.
    pub fn new(data: &ChartData, hidden: &[bool], width_px: f64) -> Geometry {
        let shown = || data.series.iter().enumerate().filter(|(i, _)| !hidden.get(*i).copied().unwrap_or(false));
        let first_ts = data.series.iter().filter_map(|s| s.timestamps_nanos.first().copied()).min();
        let last_ts = data.series.iter().filter_map(|s| s.timestamps_nanos.last().copied()).max();
        let mut start = first_ts.unwrap_or(data.start_nanos);
        let mut end = last_ts.map_or(data.end_nanos, |t| t.saturating_add(data.step_nanos.max(0)));
        if data.end_nanos > data.start_nanos {
            start = start.min(data.start_nanos);
            end = end.max(data.end_nanos);
        }
        if end <= start {
            end = start.saturating_add(1_000_000);
        }
        let values = || shown().flat_map(|(_, s)| s.values.iter().copied().filter(|v| v.is_finite()));
        let max = values().fold(f64::NEG_INFINITY, f64::max);
        let min = values().fold(f64::INFINITY, f64::min);
        let y = if !max.is_finite() {
            0.0..1.0
        } else if min >= 0.0 {
            0.0..if max > 0.0 { max * 1.1 } else { 1.0 }
        } else {
            let pad = ((max - min) * 0.1).max(1e-9);
            (min - pad)..(max + pad)
        };
        Geometry { origin_nanos: start, x_ms: 0.0..(end - start) as f64 / 1e6, y, width_px }
    }

    fn plot_width_px(&self) -> f64 {
        (self.width_px - LEFT_PX - RIGHT_PX).max(1.0)
    }

    pub fn x_px(&self, t_nanos: i64) -> f64 {
        let ms = (t_nanos - self.origin_nanos) as f64 / 1e6;
        LEFT_PX + (ms - self.x_ms.start) / (self.x_ms.end - self.x_ms.start) * self.plot_width_px()
    }

    pub fn y_px(&self, v: f64) -> f64 {
        let plot_h = HEIGHT_PX - TOP_PX - BOTTOM_PX;
        TOP_PX + plot_h - (v - self.y.start) / (self.y.end - self.y.start) * plot_h
    }

    /// The time under `x_px`, clamped to the plot.
    pub fn time_at(&self, x_px: f64) -> i64 {
        let f = ((x_px - LEFT_PX) / self.plot_width_px()).clamp(0.0, 1.0);
        self.origin_nanos + ((self.x_ms.start + f * (self.x_ms.end - self.x_ms.start)) * 1e6) as i64
    }

    pub fn in_plot_x(&self, x_px: f64) -> bool {
        (LEFT_PX..=self.width_px - RIGHT_PX).contains(&x_px)
    }
}

/// The index of the sample nearest `t_nanos` (timestamps are sorted).
pub fn nearest_index(timestamps_nanos: &[i64], t_nanos: i64) -> Option<usize> {
    let i = timestamps_nanos.partition_point(|&t| t < t_nanos);
    let before = i.checked_sub(1);
    match (before, timestamps_nanos.get(i)) {
        (Some(b), Some(&after)) => {
            Some(if (t_nanos - timestamps_nanos[b]).abs() <= (after - t_nanos).abs() { b } else { i })
        }
        (Some(b), None) => Some(b),
        (None, Some(_)) => Some(i),
        (None, None) => None,
    }
}

/// Where an exemplar sits: on its series at its bucket when the series has a value there, else at
/// its own value (so dots stay on the lines whatever unit the exemplar's value is in).
pub fn exemplar_value(series: &ChartSeries, timestamp_nanos: i64, own: f64) -> f64 {
    let bucket = series.timestamps_nanos.partition_point(|&t| t <= timestamp_nanos).checked_sub(1);
    bucket.and_then(|i| series.values.get(i).copied()).filter(|v| v.is_finite()).unwrap_or(own)
}

/// Runs of consecutive finite values: the pieces of one line between gaps.
pub fn finite_runs(series: &ChartSeries) -> Vec<Vec<(i64, f64)>> {
    let mut runs: Vec<Vec<(i64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (&t, &v) in series.timestamps_nanos.iter().zip(&series.values) {
        if v.is_finite() {
            current.push((t, v));
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// Draws the chart; returns (series drawn, points drawn).
pub fn draw(
    frame: &Canvas2dFrame<'_>,
    element: web_sys::HtmlCanvasElement,
    data: &ChartData,
    hidden: &[bool],
) -> (usize, usize) {
    // plotters draws in the backing store's device pixels: undo the hook's CSS-pixel scale.
    frame.ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).ok();
    let dpr = f64::from(element.width()) / frame.width_px.max(1.0);
    let Some(backend) = CanvasBackend::with_canvas_object(element) else { return (0, 0) };
    let root = backend.into_drawing_area();
    let bg = parse_css(&frame.chrome.background).unwrap_or(WHITE);
    let text = parse_css(&frame.chrome.muted).unwrap_or(BLACK);
    let grid = parse_css(&frame.chrome.grid).unwrap_or(RGBColor(230, 230, 230));
    root.fill(&bg).ok();
    let geo = Geometry::new(data, hidden, frame.width_px);
    let px = |v: f64| (v * dpr).round() as u32;
    let Ok(mut chart) = ChartBuilder::on(&root)
        .margin_top(px(TOP_PX))
        .margin_right(px(RIGHT_PX))
        .x_label_area_size(px(BOTTOM_PX))
        .y_label_area_size(px(LEFT_PX))
        .build_cartesian_2d(geo.x_ms.clone(), geo.y.clone())
    else {
        return (0, 0);
    };
    let font = ("sans-serif", 11.0 * dpr).into_font().color(&text);
    let origin = geo.origin_nanos;
    let span_ms = geo.x_ms.end - geo.x_ms.start;
    let x_label = move |v: &f64| time_label(origin, span_ms, *v);
    chart
        .configure_mesh()
        .light_line_style(bg)
        .bold_line_style(grid)
        .axis_style(grid)
        .label_style(font)
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&x_label)
        .y_label_formatter(&|v| format_value(*v))
        .draw()
        .ok();
    let colors = palette::palette(frame.theme);
    let to_x = |t: i64| (t - origin) as f64 / 1e6;
    let (mut series_drawn, mut points_drawn) = (0, 0);
    let line_px = (2.0 * dpr).round().max(1.0) as u32;
    let dot_px = (EXEMPLAR_RADIUS_PX * dpr).round() as i32;
    for (i, s) in data.series.iter().enumerate() {
        if hidden.get(i).copied().unwrap_or(false) {
            continue;
        }
        let c = colors[s.slot % colors.len()];
        let color = RGBColor(c.0, c.1, c.2);
        series_drawn += 1;
        for run in finite_runs(s) {
            points_drawn += run.len();
            if let [(t, v)] = run.as_slice() {
                chart
                    .draw_series(std::iter::once(Circle::new((to_x(*t), *v), line_px as i32 + 1, color.filled())))
                    .ok();
            } else {
                chart
                    .draw_series(LineSeries::new(run.iter().map(|(t, v)| (to_x(*t), *v)), color.stroke_width(line_px)))
                    .ok();
            }
        }
        let dots = s.exemplars.iter().filter_map(|e| {
            let v = exemplar_value(s, e.timestamp_nanos, e.value);
            v.is_finite().then(|| (to_x(e.timestamp_nanos), v.clamp(geo.y.start, geo.y.end)))
        });
        chart
            .draw_series(dots.flat_map(|p| {
                [
                    Circle::new(p, dot_px + (dpr.round() as i32).max(1), bg.filled()),
                    Circle::new(p, dot_px, color.filled()),
                ]
            }))
            .ok();
    }
    root.present().ok();
    (series_drawn, points_drawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: Vec<f64>) -> ChartSeries {
        ChartSeries {
            label: "a".into(),
            slot: 0,
            timestamps_nanos: (0..values.len() as i64).map(|i| i * 1_000_000).collect(),
            values,
            exemplars: Vec::new(),
        }
    }

    #[test]
    fn gaps_split_lines() {
        let s = series(vec![1.0, f64::NAN, 2.0, 3.0, f64::NAN]);
        let runs = finite_runs(&s);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[1], vec![(2_000_000, 2.0), (3_000_000, 3.0)]);
    }

    #[test]
    fn geometry_maps_both_ways() {
        let data = ChartData {
            series: vec![series(vec![1.0, 4.0, 2.0])],
            step_nanos: 1_000_000,
            start_nanos: 0,
            end_nanos: 3_000_000,
            ..ChartData::default()
        };
        let g = Geometry::new(&data, &[], 800.0);
        assert_eq!(g.y.start, 0.0);
        assert!(g.y.end > 4.0);
        let x = g.x_px(1_500_000);
        assert!((g.time_at(x) - 1_500_000).abs() < 10);
        assert!(g.y_px(4.0) < g.y_px(1.0));
        assert_eq!(nearest_index(&data.series[0].timestamps_nanos, 1_600_000), Some(2));
        assert_eq!(nearest_index(&[], 5), None);
        assert_eq!(exemplar_value(&data.series[0], 1_200_000, 9.0), 4.0);
    }
}
