//! Drawing the flame graph: an icicle, roots on top, one row per depth. Only the visible depths and
//! the frames inside the x window are drawn; frames narrower than a pixel arrive already merged into
//! runs (`spanlens_layout::flame`), so a million spans draw as fast as a thousand.

use crate::render::canvas::{Chrome, RectBatch, css, css_alpha, fit_text};
use spanlens_analysis::bitset::BitSet;
use spanlens_analysis::flame::{FlameGraph, FlameMode};
use spanlens_layout::flame::{FlameWindow, flame_boxes};
use spanlens_layout::palette::{Rgb, ServiceColors, Theme, error_color};
use spanlens_layout::ticks::ticks;
use spanlens_layout::viewport::Viewport;
use spanlens_model::{Sym, TraceSet};
use web_sys::CanvasRenderingContext2d;

pub const ROW_HEIGHT_PX: f64 = 20.0;
pub const AXIS_HEIGHT_PX: f64 = 26.0;
const FRAME_GAP_PX: f64 = 1.0;
const FONT: &str = "11px -apple-system, BlinkMacSystemFont, 'Segoe UI', Inter, Roboto, sans-serif";
/// Frames narrower than this carry no label.
const LABEL_MIN_PX: f64 = 28.0;

pub struct FlameFrame<'a> {
    pub set: &'a TraceSet,
    pub graph: &'a FlameGraph,
    /// The x window, in the graph's coordinates plus `graph.origin_nanos` (absolute time in time order).
    pub viewport: &'a Viewport,
    pub width_px: f64,
    pub height_px: f64,
    pub scroll_top_px: f64,
    pub selected_frame: Option<u32>,
    pub hover_frame: Option<u32>,
    pub matched: Option<&'a BitSet>,
    pub highlight: Option<(Sym, Sym)>,
    pub color_by_self: bool,
    pub colors: &'a ServiceColors,
    pub theme: Theme,
    pub chrome: &'a Chrome,
}

/// Self-time heat: pale where a frame's time is its children's, deep where it is its own.
fn heat(self_fraction: f64, theme: Theme) -> Rgb {
    let t = self_fraction.clamp(0.0, 1.0);
    let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    let (cold, hot) = match theme {
        Theme::Light => (Rgb(253, 236, 200), Rgb(214, 96, 22)),
        Theme::Dark => (Rgb(92, 70, 40), Rgb(246, 153, 63)),
    };
    Rgb(lerp(cold.0, hot.0), lerp(cold.1, hot.1), lerp(cold.2, hot.2))
}

/// Draws one frame of the picture; returns how many frames (and runs) were painted.
pub fn draw(ctx: &CanvasRenderingContext2d, f: &FlameFrame<'_>) -> usize {
    let c = f.chrome;
    ctx.set_fill_style_str(&c.background);
    ctx.fill_rect(0.0, 0.0, f.width_px, f.height_px);
    let body_h = (f.height_px - AXIS_HEIGHT_PX).max(0.0);
    let depths = spanlens_layout::flame::visible_depths(f.graph, ROW_HEIGHT_PX, f.scroll_top_px, body_h);
    let window = FlameWindow::from_viewport(f.viewport, f.graph);
    let error_css = css(error_color(f.theme));

    ctx.save();
    ctx.begin_path();
    ctx.rect(0.0, AXIS_HEIGHT_PX, f.width_px, body_h);
    ctx.clip();
    ctx.translate(0.0, AXIS_HEIGHT_PX - f.scroll_top_px).ok();

    let mut batch = RectBatch::default();
    let mut errors = RectBatch::default();
    let mut labels: Vec<(f64, f64, f64, u32)> = Vec::new();
    let mut outlines: Vec<(f64, f64, f64, &str)> = Vec::new();
    let mut painted = 0usize;
    let h = ROW_HEIGHT_PX - FRAME_GAP_PX;
    for item in flame_boxes(f.graph, &window, depths) {
        painted += 1;
        let y = f64::from(item.depth) * ROW_HEIGHT_PX;
        let (x0, w) = (item.x0_px, (item.x1_px - item.x0_px - FRAME_GAP_PX).max(1.0));
        if item.is_run() {
            // Frames too thin to tell apart, merged: drawn as one neutral block.
            batch.push(&c.guide, x0, y, w, h);
            if item.has_error {
                errors.push(&error_css, x0, y + h - 3.0, w, 3.0);
            }
            continue;
        }
        let index = item.frame;
        let Some(frame) = f.graph.frame(index) else { continue };
        let rgb = if f.color_by_self {
            heat(frame.self_nanos as f64 / frame.total_nanos.max(1) as f64, f.theme)
        } else {
            f.colors.color(frame.service, f.theme)
        };
        let dim = f.highlight.is_some_and(|(s, n)| (s, n) != (frame.service, frame.name))
            || f.matched.is_some_and(|m| !m.contains(index));
        let color = if dim { css_alpha(rgb, 0.28) } else { css(rgb) };
        batch.push(&color, x0, y, w, h);
        if frame.errors > 0 {
            // A red band along the bottom and a red left edge: errors must be seen at any zoom and
            // in either colouring.
            errors.push(&error_css, x0, y + h - 3.0, w, 3.0);
            errors.push(&error_css, x0, y, 2.0_f64.min(w), h);
        }
        if Some(index) == f.selected_frame {
            outlines.push((x0, y, w, c.text.as_str()));
        } else if Some(index) == f.hover_frame {
            outlines.push((x0, y, w, c.muted.as_str()));
        }
        if w >= LABEL_MIN_PX {
            labels.push((x0, y, w, index));
        }
    }
    batch.flush(ctx);
    errors.flush(ctx);
    ctx.set_line_width(2.0);
    for (x, y, w, color) in outlines {
        ctx.set_stroke_style_str(color);
        ctx.stroke_rect(x + 1.0, y + 1.0, (w - 2.0).max(1.0), ROW_HEIGHT_PX - FRAME_GAP_PX - 2.0);
    }
    draw_labels(ctx, f, &labels);
    ctx.restore();
    draw_axis(ctx, f);
    painted
}

fn draw_labels(ctx: &CanvasRenderingContext2d, f: &FlameFrame<'_>, labels: &[(f64, f64, f64, u32)]) {
    ctx.set_font(FONT);
    ctx.set_text_baseline("middle");
    let dark_text = "rgb(20, 24, 31)";
    for &(x, y, w, index) in labels {
        let Some(frame) = f.graph.frame(index) else { continue };
        let name = f.set.resolve(frame.name);
        let text = if frame.count > 1 { format!("{name} ×{}", frame.count) } else { name.to_owned() };
        let visible_x = x.max(0.0);
        let room = (x + w).min(f.width_px) - visible_x - 8.0;
        if let Some(fitted) = fit_text(ctx, &text, room) {
            // Frame colours are mid-tone pastels in both themes: dark text reads on all of them.
            ctx.set_fill_style_str(dark_text);
            ctx.fill_text(&fitted, visible_x + 4.0, y + (ROW_HEIGHT_PX - FRAME_GAP_PX) / 2.0).ok();
        }
    }
}

fn draw_axis(ctx: &CanvasRenderingContext2d, f: &FlameFrame<'_>) {
    let c = f.chrome;
    ctx.set_fill_style_str(&c.axis_bg);
    ctx.fill_rect(0.0, 0.0, f.width_px, AXIS_HEIGHT_PX);
    ctx.set_fill_style_str(&c.divider);
    ctx.fill_rect(0.0, AXIS_HEIGHT_PX - 1.0, f.width_px, 1.0);
    ctx.set_font(FONT);
    ctx.set_text_baseline("middle");
    ctx.set_fill_style_str(&c.muted);
    // Time order: time since the trace start. Left heavy: cumulative time, from 0.
    let origin = match f.graph.mode {
        FlameMode::TimeOrder => f.graph.origin_nanos,
        FlameMode::LeftHeavy => 0,
    };
    for t in ticks(f.viewport, origin, 90.0) {
        if t.x_px > 2.0 && t.x_px < f.width_px - 30.0 {
            ctx.fill_rect(t.x_px.round(), AXIS_HEIGHT_PX - 6.0, 1.0, 6.0);
            ctx.fill_text(&t.label, t.x_px + 4.0, AXIS_HEIGHT_PX / 2.0).ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_goes_from_pale_to_deep() {
        let (cold, hot) = (heat(0.0, Theme::Light), heat(1.0, Theme::Light));
        assert!(u32::from(cold.1) > u32::from(hot.1));
        assert_eq!(heat(2.0, Theme::Dark), heat(1.0, Theme::Dark));
    }
}
