//! Draws the waterfall: time axis, the label column (tree guides, toggles, service and operation)
//! and the timeline (bars, critical path, event ticks, duration labels) for the visible rows only.

use crate::render::canvas::{Chrome, RectBatch, css, css_alpha, fit_text_measured};
use spanlens_analysis::bitset::BitSet;
use spanlens_analysis::critical_path::CriticalPath;
use spanlens_analysis::http::{StatusClass, http_status, status_class};
use spanlens_layout::hit_test::{HitTarget, RowMetrics};
use spanlens_layout::lod::{event_marks, visible_bars};
use spanlens_layout::palette::{ServiceColors, Theme};
use spanlens_layout::pixel_runs;
use spanlens_layout::rows::Rows;
use spanlens_layout::ticks::ticks;
use spanlens_layout::viewport::Viewport;
use spanlens_model::{SpanKind, Trace, TraceSet, format_duration};
use web_sys::CanvasRenderingContext2d;

pub const ROW_HEIGHT_PX: f64 = 24.0;
pub const AXIS_HEIGHT_PX: f64 = 26.0;
pub const INDENT_PX: f64 = 14.0;
const BAR_HEIGHT_PX: f64 = 12.0;
/// Room for the span-kind glyph in a row's label.
const KIND_GLYPH_PX: f64 = 12.0;
/// The narrowest an error span's bar is drawn.
const ERROR_MIN_WIDTH_PX: f64 = 3.0;
const LABEL_PAD_PX: f64 = 8.0;
const TOGGLE_PX: f64 = 12.0;
pub const FONT: &str = "12px -apple-system, BlinkMacSystemFont, 'Segoe UI', Inter, Roboto, sans-serif";
const FONT_BOLD: &str = "600 12px -apple-system, BlinkMacSystemFont, 'Segoe UI', Inter, Roboto, sans-serif";
const FONT_SMALL: &str = "11px -apple-system, BlinkMacSystemFont, 'Segoe UI', Inter, Roboto, sans-serif";

pub struct WaterfallFrame<'a> {
    pub set: &'a TraceSet,
    pub trace: &'a Trace,
    pub rows: &'a Rows,
    /// Time range of the timeline; `width_px` is the timeline's width.
    pub viewport: &'a Viewport,
    pub width_px: f64,
    pub height_px: f64,
    pub label_width_px: f64,
    pub scroll_top_px: f64,
    pub selected: Option<u32>,
    pub hover: Option<HitTarget>,
    pub matches: Option<&'a BitSet>,
    pub critical: Option<&'a CriticalPath>,
    pub colors: &'a ServiceColors,
    pub theme: Theme,
    pub chrome: &'a Chrome,
}

pub fn metrics() -> RowMetrics {
    RowMetrics::new(ROW_HEIGHT_PX)
}

/// How many indentation levels fit in the label column; deeper rows are drawn at this indent with
/// their depth written out, so a 100,000-level chain stays readable.
pub fn max_indent_levels(label_width_px: f64) -> u32 {
    ((label_width_px * 0.55) / INDENT_PX).floor().max(1.0) as u32
}

/// Where a row's toggle triangle sits in the label column.
pub fn toggle_x(depth: u32, label_width_px: f64) -> f64 {
    LABEL_PAD_PX + f64::from(depth.min(max_indent_levels(label_width_px))) * INDENT_PX
}

/// Draws one frame and returns how many rows were painted.
pub fn draw(ctx: &CanvasRenderingContext2d, f: &WaterfallFrame<'_>) -> usize {
    let c = f.chrome;
    ctx.set_fill_style_str(&c.background);
    ctx.fill_rect(0.0, 0.0, f.width_px, f.height_px);
    let metrics = metrics();
    let body_h = (f.height_px - AXIS_HEIGHT_PX).max(0.0);
    let visible = metrics.visible_rows(f.rows, f.scroll_top_px, body_h);
    let tl_x = f.label_width_px;

    ctx.save();
    ctx.begin_path();
    ctx.rect(0.0, AXIS_HEIGHT_PX, f.width_px, body_h);
    ctx.clip();
    ctx.translate(0.0, AXIS_HEIGHT_PX).ok();

    // Row backgrounds: zebra, matches, hover, selection.
    for row in visible.clone() {
        let Some(span) = f.rows.span(row) else { continue };
        let y = metrics.y_of_row(row, f.scroll_top_px);
        let bg = if f.selected == Some(span) {
            Some(&c.selected)
        } else if f.matches.is_some_and(|m| m.contains(span)) {
            Some(&c.matched)
        } else if matches!(f.hover, Some(HitTarget::Bar { span: s, .. } | HitTarget::Row { span: s, .. } | HitTarget::Event { span: s, .. }) if s == span)
        {
            Some(&c.hover)
        } else if row % 2 == 1 {
            Some(&c.row_alt)
        } else {
            None
        };
        if let Some(bg) = bg {
            ctx.set_fill_style_str(bg);
            ctx.fill_rect(0.0, y, f.width_px, ROW_HEIGHT_PX);
        }
    }

    // Vertical grid lines at the axis ticks.
    let tick_list = ticks(f.viewport, f.trace.start_nanos, 90.0);
    ctx.set_fill_style_str(&c.grid);
    for t in &tick_list {
        ctx.fill_rect((tl_x + t.x_px).round(), 0.0, 1.0, body_h);
    }

    draw_labels(ctx, f, visible.clone());
    draw_bars(ctx, f, visible.clone());
    ctx.restore();

    // Axis on top, then the column divider.
    ctx.set_fill_style_str(&c.axis_bg);
    ctx.fill_rect(0.0, 0.0, f.width_px, AXIS_HEIGHT_PX);
    ctx.set_fill_style_str(&c.divider);
    ctx.fill_rect(0.0, AXIS_HEIGHT_PX - 1.0, f.width_px, 1.0);
    ctx.set_font(FONT_SMALL);
    ctx.set_text_baseline("middle");
    ctx.set_fill_style_str(&c.muted);
    ctx.fill_text("Service & operation", LABEL_PAD_PX, AXIS_HEIGHT_PX / 2.0).ok();
    for t in &tick_list {
        let x = tl_x + t.x_px;
        if x > tl_x + 2.0 && x < f.width_px - 30.0 {
            ctx.fill_rect(x.round(), AXIS_HEIGHT_PX - 6.0, 1.0, 6.0);
            ctx.fill_text(&t.label, x + 4.0, AXIS_HEIGHT_PX / 2.0).ok();
        }
    }
    ctx.set_fill_style_str(&c.divider);
    ctx.fill_rect(tl_x.round() - 1.0, 0.0, 1.0, f.height_px);
    visible.len()
}

fn draw_labels(ctx: &CanvasRenderingContext2d, f: &WaterfallFrame<'_>, visible: std::ops::Range<usize>) {
    let c = f.chrome;
    let metrics = metrics();
    let max_levels = max_indent_levels(f.label_width_px);
    ctx.set_text_baseline("middle");
    for row_index in visible {
        let Some(row) = f.rows.row(row_index) else { continue };
        let Some(span) = f.trace.spans.get(row.span as usize) else { continue };
        let y = metrics.y_of_row(row_index, f.scroll_top_px);
        let mid = y + ROW_HEIGHT_PX / 2.0;
        let shown_depth = row.depth.min(max_levels);

        // Tree guides, only for the indentation columns that are on screen.
        ctx.set_fill_style_str(&c.guide);
        let guides = f.rows.guides(&f.trace.tree, row_index);
        let first_column = row.depth.saturating_sub(max_levels);
        for column in first_column..row.depth {
            let x = LABEL_PAD_PX + f64::from(column - first_column) * INDENT_PX + TOGGLE_PX / 2.0;
            if column + 1 == row.depth {
                let bottom = if guides.continues_in_column(column) { ROW_HEIGHT_PX } else { ROW_HEIGHT_PX / 2.0 };
                ctx.fill_rect(x.round(), y, 1.0, bottom);
                ctx.fill_rect(x.round(), mid.round(), INDENT_PX - 4.0, 1.0);
            } else if guides.continues_in_column(column) {
                ctx.fill_rect(x.round(), y, 1.0, ROW_HEIGHT_PX);
            }
        }

        let mut x = LABEL_PAD_PX + f64::from(shown_depth) * INDENT_PX;
        if row.has_children {
            ctx.set_fill_style_str(&c.muted);
            ctx.begin_path();
            if row.collapsed {
                ctx.move_to(x + 3.0, mid - 4.5);
                ctx.line_to(x + 8.5, mid);
                ctx.line_to(x + 3.0, mid + 4.5);
            } else {
                ctx.move_to(x + 1.5, mid - 3.0);
                ctx.line_to(x + 10.5, mid - 3.0);
                ctx.line_to(x + 6.0, mid + 3.0);
            }
            ctx.fill();
        }
        x += TOGGLE_PX + 2.0;
        if row.depth > max_levels {
            ctx.set_font(FONT_SMALL);
            ctx.set_fill_style_str(&c.muted);
            let depth_label = format!("{}›", row.depth);
            ctx.fill_text(&depth_label, x, mid).ok();
            x += ctx.measure_text(&depth_label).map(|m| m.width()).unwrap_or(0.0) + 4.0;
        }

        let service_color = f.colors.color(span.service, f.theme);
        ctx.set_fill_style_str(&css(service_color));
        ctx.fill_rect(x, y + 5.0, 3.0, ROW_HEIGHT_PX - 10.0);
        x += 8.0;
        // The span kind as a glyph: which side of a call this span is.
        if let Some(glyph) = kind_glyph(span.kind) {
            ctx.set_font(FONT_SMALL);
            ctx.set_fill_style_str(&c.muted);
            ctx.fill_text(glyph, x, mid).ok();
            x += KIND_GLYPH_PX;
        }
        let mut right_limit = f.label_width_px - LABEL_PAD_PX;
        // An HTTP 4xx/5xx answer as a chip, whether or not the span is marked as an error.
        if let Some((code, class)) = http_status(f.set, span).and_then(|code| Some((code, status_class(code)?))) {
            let text = code.to_string();
            ctx.set_font(FONT_SMALL);
            let w = ctx.measure_text(&text).map(|m| m.width()).unwrap_or(18.0) + 8.0;
            let left = right_limit - w - if span.is_error() { 16.0 } else { 0.0 };
            let fill = match class {
                StatusClass::ServerError => c.error.as_str(),
                StatusClass::ClientError => c.muted.as_str(),
            };
            ctx.set_fill_style_str(fill);
            ctx.fill_rect(left, mid - 7.0, w, 14.0);
            ctx.set_fill_style_str(&c.background);
            ctx.fill_text(&text, left + 4.0, mid).ok();
            // The text ends before the chip (`text_limit` below takes the error dot's room off again).
            right_limit = left - 4.0 + if span.is_error() { 16.0 } else { 0.0 };
        }
        if span.is_error() {
            let right_limit = f.label_width_px - LABEL_PAD_PX;
            ctx.set_fill_style_str(&c.error);
            ctx.begin_path();
            ctx.arc(right_limit - 6.0, mid, 6.0, 0.0, std::f64::consts::TAU).ok();
            ctx.fill();
            ctx.set_fill_style_str("#ffffff");
            ctx.set_font(FONT_BOLD);
            ctx.set_text_align("center");
            ctx.fill_text("!", right_limit - 6.0, mid + 0.5).ok();
            ctx.set_text_align("left");
        }
        let text_limit = right_limit - if span.is_error() { 16.0 } else { 0.0 };
        let badge = (row.collapsed && row.hidden_descendants > 0).then(|| format!("+{}", row.hidden_descendants));
        let badge_w = badge.as_ref().map_or(0.0, |b| {
            ctx.set_font(FONT_SMALL);
            ctx.measure_text(b).map(|m| m.width()).unwrap_or(0.0) + 12.0
        });

        ctx.set_font(FONT_BOLD);
        ctx.set_fill_style_str(if row.dimmed { &c.muted } else { &c.text });
        let service = f.set.resolve(span.service);
        if let Some((text, width_px)) = fit_text_measured(ctx, service, (text_limit - x - badge_w).max(0.0) * 0.6) {
            ctx.fill_text(&text, x, mid).ok();
            x += width_px + 6.0;
        }
        ctx.set_font(FONT);
        ctx.set_fill_style_str(if span.is_error() { &c.error } else { &c.muted });
        if let Some((text, width_px)) = fit_text_measured(ctx, f.set.resolve(span.name), text_limit - x - badge_w) {
            ctx.fill_text(&text, x, mid).ok();
            x += width_px + 6.0;
        }
        if let Some(badge) = badge {
            ctx.set_font(FONT_SMALL);
            ctx.set_fill_style_str(&c.grid);
            ctx.fill_rect(x, mid - 8.0, badge_w - 4.0, 16.0);
            ctx.set_fill_style_str(&c.muted);
            ctx.fill_text(&badge, x + 4.0, mid).ok();
        }
    }
}

/// Server spans receive a call, client spans make one; producers and consumers are the two ends of
/// a message. Internal and unspecified spans get no glyph.
pub fn kind_glyph(kind: SpanKind) -> Option<&'static str> {
    match kind {
        SpanKind::Server => Some("⇥"),
        SpanKind::Client => Some("↦"),
        SpanKind::Producer => Some("⇡"),
        SpanKind::Consumer => Some("⇣"),
        SpanKind::Internal | SpanKind::Unspecified => None,
    }
}

fn draw_bars(ctx: &CanvasRenderingContext2d, f: &WaterfallFrame<'_>, visible: std::ops::Range<usize>) {
    let c = f.chrome;
    let metrics = metrics();
    let tl_x = f.label_width_px;
    let mut batch = RectBatch::default();
    let bars: Vec<_> = visible_bars(f.trace, f.rows, visible, f.viewport).collect();
    let mut incomplete: Vec<(f64, f64, String)> = Vec::new();
    for bar in &bars {
        let Some(span) = f.trace.spans.get(bar.span as usize) else { continue };
        let y = metrics.y_of_row(bar.row, f.scroll_top_px) + (ROW_HEIGHT_PX - BAR_HEIGHT_PX) / 2.0;
        let rgb = f.colors.bar_color(span.service, span.is_error(), f.theme);
        // A filtered-out ancestor kept for its shown descendants is drawn faint, as its label is.
        let dimmed = f.rows.row(bar.row).is_some_and(|r| r.dimmed);
        let color = if dimmed { css_alpha(rgb, 0.3) } else { css(rgb) };
        // An error must never be too thin to see: a microsecond failure in a minute-long trace
        // still gets a visible mark.
        let min_px = if span.is_error() { ERROR_MIN_WIDTH_PX } else { 0.0 };
        if span.is_incomplete() && bar.x1_px - bar.x0_px < 2.0 {
            // Its end is unknown: a marker at its start, never an invented bar.
            incomplete.push((tl_x + bar.x0_px, y + BAR_HEIGHT_PX / 2.0, color));
            continue;
        }
        batch.push(&color, tl_x + bar.x0_px, y, (bar.x1_px - bar.x0_px).max(min_px), BAR_HEIGHT_PX);
    }
    batch.flush(ctx);
    for (x, mid, color) in incomplete {
        ctx.set_fill_style_str(&color);
        ctx.begin_path();
        ctx.move_to(x, mid - 6.0);
        ctx.line_to(x + 5.0, mid);
        ctx.line_to(x, mid + 6.0);
        ctx.line_to(x - 5.0, mid);
        ctx.close_path();
        ctx.fill();
    }

    // Critical path: a dark stripe through the bar where this span (or, when collapsed, its
    // subtree) is what the trace was waiting for.
    if let Some(cp) = f.critical {
        for bar in &bars {
            let collapsed = f.rows.row(bar.row).is_some_and(|r| r.collapsed);
            let segments = if collapsed {
                cp.subtree_segments(&f.trace.tree, bar.span)
            } else {
                cp.segments_of(&f.trace.tree, bar.span)
            };
            let y = metrics.y_of_row(bar.row, f.scroll_top_px) + ROW_HEIGHT_PX / 2.0 - 1.5;
            for (x0, x1) in pixel_runs(segments, f.viewport) {
                batch.push(&c.critical, tl_x + x0, y, x1 - x0, 3.0);
            }
        }
        batch.flush(ctx);
    }

    // Event ticks and duration labels.
    ctx.set_font(FONT_SMALL);
    ctx.set_text_baseline("middle");
    for bar in &bars {
        let Some(span) = f.trace.spans.get(bar.span as usize) else { continue };
        let y = metrics.y_of_row(bar.row, f.scroll_top_px);
        for (_, x) in event_marks(f.trace, bar.span, f.viewport) {
            batch.push(&c.event, tl_x + x.round() - 0.5, y + 4.0, 1.5, ROW_HEIGHT_PX - 8.0);
        }
        let label = if span.is_incomplete() { "incomplete".to_owned() } else { format_duration(span.duration_nanos) };
        let w = ctx.measure_text(&label).map(|m| m.width()).unwrap_or(0.0);
        let mid = y + ROW_HEIGHT_PX / 2.0;
        let (lx, color) = if tl_x + bar.x1_px + 6.0 + w < f.width_px - 2.0 {
            (tl_x + bar.x1_px + 6.0, c.muted.as_str())
        } else if bar.x0_px - 6.0 - w > 0.0 {
            (tl_x + bar.x0_px - 6.0 - w, c.muted.as_str())
        } else {
            (tl_x + bar.x0_px + 4.0, "#ffffff")
        };
        ctx.set_fill_style_str(if span.is_error() && color != "#ffffff" { c.error.as_str() } else { color });
        ctx.fill_text(&label, lx, mid).ok();
    }
    batch.flush(ctx);
}
