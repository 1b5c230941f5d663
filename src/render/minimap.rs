//! Draws the overview minimap: the whole trace as a density grid (level of detail, so a million spans
//! cost at most one rectangle run per pixel row) and the current zoom window.

use crate::render::canvas::{Chrome, RectBatch, css_alpha};
use spanlens_layout::lod::DensityGrid;
use spanlens_layout::palette::{ServiceColors, Theme, error_color};
use spanlens_layout::viewport::Viewport;
use spanlens_model::Trace;
use web_sys::CanvasRenderingContext2d;

/// Density rows of the minimap: each is about 2 CSS px tall. The warm-up uses the same grid.
pub const GRID_ROWS: u32 = 28;

pub struct MinimapFrame<'a> {
    pub trace: &'a Trace,
    pub grid: &'a DensityGrid,
    pub width_px: f64,
    pub height_px: f64,
    /// The whole trace mapped to `width_px`.
    pub full: &'a Viewport,
    /// The range shown in the waterfall.
    pub window: &'a Viewport,
    /// A drag selection in progress, in CSS pixels.
    pub selection_px: Option<(f64, f64)>,
    pub colors: &'a ServiceColors,
    pub theme: Theme,
    pub chrome: &'a Chrome,
}

pub fn draw(ctx: &CanvasRenderingContext2d, f: &MinimapFrame<'_>) {
    let c = f.chrome;
    ctx.set_fill_style_str(&c.axis_bg);
    ctx.fill_rect(0.0, 0.0, f.width_px, f.height_px);
    let grid = f.grid;
    if grid.width > 0 && grid.height > 0 {
        let cell_w = f.width_px / f64::from(grid.width);
        let cell_h = f.height_px / f64::from(grid.height);
        let mut batch = RectBatch::default();
        for rect in grid.rects(f.trace) {
            let rgb = if rect.has_error { error_color(f.theme) } else { f.colors.color(rect.service, f.theme) };
            // Denser cells read stronger; a lone span still shows.
            let alpha = (0.45 + 0.55 * (f64::from(rect.max_count).ln_1p() / 4.0)).min(1.0);
            let color = css_alpha(rgb, (alpha * 20.0).round() / 20.0);
            let x0 = f64::from(rect.x0) * cell_w;
            let w = (f64::from(rect.x1 - rect.x0) * cell_w).max(1.0);
            batch.push(&color, x0, f64::from(rect.y) * cell_h, w, cell_h.max(1.0));
        }
        batch.flush(ctx);
    }

    // Shade what is outside the zoom window.
    let x0 = f.full.px_from_nanos(f.window.start_nanos).clamp(0.0, f.width_px);
    let x1 = f.full.px_from_nanos(f.window.end_nanos).clamp(0.0, f.width_px);
    let zoomed = x0 > 0.5 || x1 < f.width_px - 0.5;
    if zoomed {
        ctx.set_fill_style_str(&c.window_shade);
        ctx.fill_rect(0.0, 0.0, x0, f.height_px);
        ctx.fill_rect(x1, 0.0, f.width_px - x1, f.height_px);
        ctx.set_fill_style_str(&c.window_edge);
        ctx.fill_rect(x0.round(), 0.0, 1.5, f.height_px);
        ctx.fill_rect((x1 - 1.5).round(), 0.0, 1.5, f.height_px);
    }
    if let Some((a, b)) = f.selection_px {
        let (lo, hi) = (a.min(b), a.max(b));
        ctx.set_fill_style_str(&c.window_shade);
        ctx.fill_rect(lo, 0.0, hi - lo, f.height_px);
        ctx.set_fill_style_str(&c.window_edge);
        ctx.fill_rect(lo, 0.0, 1.0, f.height_px);
        ctx.fill_rect(hi - 1.0, 0.0, 1.0, f.height_px);
    }
    ctx.set_fill_style_str(&c.divider);
    ctx.fill_rect(0.0, f.height_px - 1.0, f.width_px, 1.0);
}
