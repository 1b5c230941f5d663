//! Drawing the service dependency graph: edges as routed polylines (width by calls, colour by error
//! rate, the critical path's edges in its colour), nodes as labelled boxes with a kind mark and an
//! error badge. Level of detail: zoomed out, labels and the thinnest edges drop out, so 500 services
//! and 5,000 edges pan smoothly. Only what intersects the view is drawn.

use crate::render::canvas::{Chrome, css, css_alpha, fit_text};
use crate::render::graph_edges::{EdgeCache, EdgeFrame};
use crate::render::path_text::PathText;
use crate::state::Shared;
use spanlens_analysis::service_graph::{NodeKind, ServiceGraph};
use spanlens_layout::graph::GraphLayout;
use spanlens_layout::palette::{Rgb, Theme, error_color, palette};
use web_sys::CanvasRenderingContext2d;

const FONT: &str = "12px -apple-system, BlinkMacSystemFont, 'Segoe UI', Inter, Roboto, sans-serif";
const FONT_SMALL: &str = "10px -apple-system, BlinkMacSystemFont, 'Segoe UI', Inter, Roboto, sans-serif";
/// Below this zoom node labels are not drawn (they would be unreadable).
pub const LABEL_MIN_SCALE: f64 = 0.45;
const MAX_EDGE_PX: f64 = 7.0;

/// Pan and zoom: screen = graph × scale + offset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transform {
    pub scale: f64,
    pub dx: f64,
    pub dy: f64,
}

impl Default for Transform {
    fn default() -> Self {
        Transform { scale: 1.0, dx: 0.0, dy: 0.0 }
    }
}

impl Transform {
    pub fn to_screen(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (x * self.scale + self.dx, y * self.scale + self.dy)
    }

    pub fn to_graph(&self, (x, y): (f64, f64)) -> (f64, f64) {
        ((x - self.dx) / self.scale, (y - self.dy) / self.scale)
    }

    /// Fits a `width × height` graph into the view with a margin, never enlarging past 1:1.
    pub fn fit(width: f64, height: f64, view_w: f64, view_h: f64) -> Transform {
        let margin = 24.0;
        let sx = (view_w - 2.0 * margin) / width.max(1.0);
        let sy = (view_h - 2.0 * margin) / height.max(1.0);
        let scale = sx.min(sy).clamp(MIN_SCALE, 1.0);
        Transform { scale, dx: (view_w - width * scale) / 2.0, dy: (view_h - height * scale) / 2.0 }
    }

    /// Zooms by `factor` keeping the graph point under `(x, y)` fixed.
    pub fn zoom_at(&self, x: f64, y: f64, factor: f64) -> Transform {
        let scale = (self.scale * factor).clamp(MIN_SCALE, 4.0);
        let k = scale / self.scale;
        Transform { scale, dx: x - (x - self.dx) * k, dy: y - (y - self.dy) * k }
    }
}

/// The smallest zoom: low enough that a backend's thousands of links still fit the view whole
/// (nodes become specks, but the shape of the system shows).
const MIN_SCALE: f64 = 0.01;

/// Width in pixels (before zoom) of an edge carrying `calls` when the busiest carries `max_calls`:
/// logarithmic, so one hot edge does not make every other one a hairline.
pub fn edge_width(calls: u64, max_calls: u64) -> f64 {
    let t = ((calls.max(1) as f64).ln() / (max_calls.max(2) as f64).ln()).clamp(0.0, 1.0);
    1.0 + t * (MAX_EDGE_PX - 1.0)
}

/// Edge colour by error rate: the neutral guide colour blending into the error red by 25 %.
pub fn edge_rgb(error_rate: f64, neutral: Rgb, theme: Theme) -> Rgb {
    let e = error_color(theme);
    let t = (error_rate / 0.25).clamp(0.0, 1.0);
    if error_rate > 0.0 && t < 0.25 {
        // Any failure at all is visible.
        return mix(neutral, e, 0.35);
    }
    mix(neutral, e, t)
}

fn mix(a: Rgb, b: Rgb, t: f64) -> Rgb {
    let l = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    Rgb(l(a.0, b.0), l(a.1, b.1), l(a.2, b.2))
}

pub struct GraphFrame<'a> {
    pub graph: &'a Shared<ServiceGraph>,
    pub layout: &'a Shared<GraphLayout>,
    pub transform: Transform,
    pub width_px: f64,
    pub height_px: f64,
    /// Palette slot per node.
    pub slots: &'a [u8],
    /// Edges on the critical path (per-trace graph).
    pub critical: &'a [bool],
    pub hover_node: Option<u32>,
    pub hover_edge: Option<u32>,
    pub selected_node: Option<u32>,
    pub theme: Theme,
    pub chrome: &'a Chrome,
}

/// Draws the graph; returns (nodes drawn, edges drawn).
pub fn draw(ctx: &CanvasRenderingContext2d, f: &GraphFrame<'_>, edges: &mut EdgeCache) -> (usize, usize) {
    let c = f.chrome;
    ctx.set_fill_style_str(&c.background);
    ctx.fill_rect(0.0, 0.0, f.width_px, f.height_px);
    let t = f.transform;
    let view = (-20.0, -20.0, f.width_px + 20.0, f.height_px + 20.0);
    let neutral = parse_rgb(&c.guide).unwrap_or(Rgb(0x9a, 0xa5, 0xb1));
    let edges_drawn = edges.draw(
        ctx,
        &EdgeFrame {
            graph: f.graph,
            layout: f.layout,
            transform: t,
            view,
            critical: f.critical,
            hover_edge: f.hover_edge,
            theme: f.theme,
            neutral,
            critical_css: &c.critical,
        },
    );
    let solid = js_sys::Array::new();

    // Nodes, batched like the edges: one path per palette colour for the boxes, their outlines and
    // their colour bars; labels are the only per-node calls.
    let mut nodes_drawn = 0usize;
    let labels = t.scale >= LABEL_MIN_SCALE;
    let p = palette(f.theme);
    let error = error_color(f.theme);
    let mut groups: Vec<NodeGroup> = Vec::new();
    let mut emphasised = PathText::default();
    let mut emphasised_color = None;
    let mut badges = PathText::default();
    let mut texts: Vec<(String, f64, f64)> = Vec::new();
    let mut badge_texts: Vec<(String, f64, f64)> = Vec::new();
    // The label is drawn scaled with the zoom, so the room it fits in (in unscaled text pixels)
    // rarely changes: fitting is cached, measuring text every frame is not cheap.
    let text_scale = t.scale.min(1.2);
    if labels {
        ctx.set_font(FONT);
    }
    for (i, (node, placed)) in f.graph.nodes.iter().zip(&f.layout.nodes).enumerate() {
        let (x, y) = t.to_screen((placed.x, placed.y));
        let (w, h) = (placed.width * t.scale, placed.height * t.scale);
        if x + w < view.0 || x > view.2 || y + h < view.1 || y > view.3 {
            continue;
        }
        nodes_drawn += 1;
        let slot = f.slots.get(i).copied().unwrap_or(11);
        let colour = p.get(slot as usize).copied().unwrap_or(neutral);
        let virtual_node = node.kind != NodeKind::Service;
        let radius = (6.0 * t.scale).min(6.0);
        let group = match groups.iter_mut().position(|g| g.slot == slot && g.virtual_node == virtual_node) {
            Some(k) => &mut groups[k],
            None => {
                groups.push(NodeGroup {
                    slot,
                    virtual_node,
                    fill: if virtual_node { c.axis_bg.clone() } else { css_alpha(colour, 0.18) },
                    stroke: css(colour),
                    boxes: PathText::default(),
                    bars: PathText::default(),
                });
                let last = groups.len() - 1;
                &mut groups[last]
            }
        };
        group.boxes.rounded_rect(x, y, w, h, radius);
        // A colour bar on the left edge: the service's colour at any zoom.
        group.bars.rect(x, y + radius / 2.0, (4.0 * t.scale).max(2.0), (h - radius).max(1.0));
        if f.hover_node == Some(i as u32) || f.selected_node == Some(i as u32) {
            emphasised.rounded_rect(x, y, w, h, radius);
            emphasised_color = Some(css(colour));
        }
        if labels {
            let room = ((w - 14.0 * t.scale) / text_scale).floor();
            if let Some(fitted) = fitted_label(ctx, node.kind, &node.name, room) {
                texts.push((fitted, (x + 10.0 * t.scale) / text_scale, (y + h / 2.0) / text_scale));
            }
        }
        if node.errors > 0 {
            // Error badge: a red pill with the error rate, on the node's top-right corner. Its width
            // is estimated (digits are about 6 px at 10 px): measuring 500 badges per frame is not.
            let text = format!("{:.0}%", (node.error_rate() * 100.0).max(1.0));
            let (bw, bh) = (text.len() as f64 * 6.0 + 8.0, 14.0);
            let (bx, by) = (x + w - bw * 0.7, y - bh * 0.5);
            badges.rounded_rect(bx, by, bw, bh, 7.0);
            if labels {
                badge_texts.push((text, bx + 4.0, by + bh / 2.0));
            }
        }
    }
    let node_dash = js_sys::Array::of2(&wasm_bindgen::JsValue::from_f64(4.0), &wasm_bindgen::JsValue::from_f64(3.0));
    ctx.set_line_width(1.5);
    for g in &groups {
        if let Some(path) = g.boxes.to_path() {
            ctx.set_fill_style_str(&g.fill);
            ctx.fill_with_path_2d(&path);
            ctx.set_stroke_style_str(&g.stroke);
            ctx.set_line_dash(if g.virtual_node { &node_dash } else { &solid }).ok();
            ctx.stroke_with_path(&path);
        }
    }
    ctx.set_line_dash(&solid).ok();
    for g in &groups {
        if let Some(path) = g.bars.to_path() {
            ctx.set_fill_style_str(&g.stroke);
            ctx.fill_with_path_2d(&path);
        }
    }
    if let (Some(path), Some(color)) = (emphasised.to_path(), emphasised_color) {
        ctx.set_line_width(2.5);
        ctx.set_stroke_style_str(&color);
        ctx.stroke_with_path(&path);
    }
    if !texts.is_empty() {
        // One scale for every label: the text keeps its fitted width at any zoom.
        ctx.save();
        ctx.scale(text_scale, text_scale).ok();
        ctx.set_text_baseline("middle");
        ctx.set_fill_style_str(&c.text);
        for (text, x, y) in &texts {
            ctx.fill_text(text, *x, *y).ok();
        }
        ctx.restore();
    }
    if let Some(path) = badges.to_path() {
        ctx.set_fill_style_str(&css(error));
        ctx.fill_with_path_2d(&path);
        ctx.set_font(FONT_SMALL);
        ctx.set_text_baseline("middle");
        ctx.set_fill_style_str("#ffffff");
        for (text, x, y) in &badge_texts {
            ctx.fill_text(text, *x, *y).ok();
        }
    }
    (nodes_drawn, edges_drawn)
}

thread_local! {
    /// Fitted labels by (label, room in pixels); cleared when it grows past a few thousand entries.
    static LABELS: std::cell::RefCell<std::collections::HashMap<(String, i64), Option<String>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn fitted_label(ctx: &CanvasRenderingContext2d, kind: NodeKind, name: &str, room_px: f64) -> Option<String> {
    let text = format!("{}{name}", kind_mark(kind));
    let key = (text, room_px as i64);
    if let Some(hit) = LABELS.with(|c| c.borrow().get(&key).cloned()) {
        return hit;
    }
    let fitted = fit_text(ctx, &key.0, room_px);
    LABELS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 8_192 {
            c.clear();
        }
        c.insert(key, fitted.clone());
    });
    fitted
}

/// The prefix that marks an uninstrumented node's kind in its label.
pub fn kind_mark(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Service => "",
        NodeKind::Database => "DB ",
        NodeKind::Messaging => "MQ ",
        NodeKind::Remote => "↗ ",
    }
}

/// Nodes of one palette colour and kind: their boxes and colour bars as one path each.
struct NodeGroup {
    slot: u8,
    virtual_node: bool,
    fill: String,
    stroke: String,
    boxes: PathText,
    bars: PathText,
}

/// `rgb(r, g, b)` (as computed styles give colours) to an [`Rgb`].
fn parse_rgb(css: &str) -> Option<Rgb> {
    let inner = css.trim().strip_prefix("rgb")?.trim_start_matches('a').strip_prefix('(')?.strip_suffix(')')?;
    let mut parts = inner.split(',').map(|p| p.trim().parse::<f64>().ok());
    Some(Rgb(parts.next()?? as u8, parts.next()?? as u8, parts.next()?? as u8))
}

/// The node under a canvas point, if any.
pub fn hit_node(layout: &GraphLayout, t: &Transform, x: f64, y: f64) -> Option<u32> {
    let (gx, gy) = t.to_graph((x, y));
    layout
        .nodes
        .iter()
        .position(|n| gx >= n.x && gx <= n.x + n.width && gy >= n.y && gy <= n.y + n.height)
        .map(|i| i as u32)
}

/// The edge within a few pixels of a canvas point, if any (the nearest).
pub fn hit_edge(layout: &GraphLayout, t: &Transform, x: f64, y: f64) -> Option<u32> {
    let (gx, gy) = t.to_graph((x, y));
    let tolerance = 5.0 / t.scale;
    let mut best: Option<(f64, u32)> = None;
    for (i, e) in layout.edges.iter().enumerate() {
        for w in e.points.windows(2) {
            let d = segment_distance((gx, gy), w[0], w[1]);
            if d <= tolerance && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, i as u32));
            }
        }
    }
    best.map(|(_, i)| i)
}

fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 { 0.0 } else { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) };
    (p.0 - (a.0 + t * dx)).hypot(p.1 - (a.1 + t * dy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transform_round_trips_and_zooms_about_the_pointer() {
        let t = Transform { scale: 2.0, dx: 10.0, dy: -5.0 };
        let p = t.to_graph(t.to_screen((3.0, 4.0)));
        assert!((p.0 - 3.0).abs() < 1e-9 && (p.1 - 4.0).abs() < 1e-9);
        let z = t.zoom_at(100.0, 50.0, 1.5);
        let before = t.to_graph((100.0, 50.0));
        let after = z.to_graph((100.0, 50.0));
        assert!((before.0 - after.0).abs() < 1e-9 && (before.1 - after.1).abs() < 1e-9);
        let fit = Transform::fit(1000.0, 500.0, 500.0, 500.0);
        assert!(fit.scale < 0.5 && fit.scale > 0.4);
    }

    #[test]
    fn edge_width_grows_with_calls() {
        assert_eq!(edge_width(1, 1000), 1.0);
        assert!(edge_width(1000, 1000) > 6.9);
        assert!(edge_width(30, 1000) > edge_width(10, 1000));
    }

    #[test]
    fn errors_tint_edges_red() {
        let neutral = Rgb(150, 150, 150);
        assert_eq!(edge_rgb(0.0, neutral, Theme::Light), neutral);
        assert_ne!(edge_rgb(0.01, neutral, Theme::Light), neutral);
        assert_eq!(edge_rgb(0.5, neutral, Theme::Light), error_color(Theme::Light));
    }

    #[test]
    fn segment_distance_is_perpendicular_or_to_an_end() {
        assert!((segment_distance((5.0, 3.0), (0.0, 0.0), (10.0, 0.0)) - 3.0).abs() < 1e-9);
        assert!((segment_distance((13.0, 4.0), (0.0, 0.0), (10.0, 0.0)) - 5.0).abs() < 1e-9);
    }
}
