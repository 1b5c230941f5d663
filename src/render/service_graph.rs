//! Drawing the service dependency graph: edges as routed polylines (width by calls, colour by error
//! rate, the critical path's edges in its colour), nodes as labelled boxes with a kind mark and an
//! error badge. Level of detail: zoomed out, labels and the thinnest edges drop out, so 500 services
//! and 5,000 edges pan smoothly. Only what intersects the view is drawn.

use crate::render::canvas::{Chrome, css, css_alpha, fit_text};
use spanlens_analysis::service_graph::{NodeKind, ServiceGraph};
use spanlens_layout::graph::GraphLayout;
use spanlens_layout::palette::{Rgb, Theme, error_color, palette};
use web_sys::CanvasRenderingContext2d;

const FONT: &str = "12px -apple-system, BlinkMacSystemFont, 'Segoe UI', Inter, Roboto, sans-serif";
const FONT_SMALL: &str = "10px -apple-system, BlinkMacSystemFont, 'Segoe UI', Inter, Roboto, sans-serif";
/// Below this zoom node labels are not drawn (they would be unreadable).
pub const LABEL_MIN_SCALE: f64 = 0.45;
/// Below this zoom edges thinner than [`THIN_EDGE_PX`] are not drawn.
const THIN_EDGE_MIN_SCALE: f64 = 0.3;
const THIN_EDGE_PX: f64 = 1.6;
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
        let scale = sx.min(sy).clamp(0.05, 1.0);
        Transform { scale, dx: (view_w - width * scale) / 2.0, dy: (view_h - height * scale) / 2.0 }
    }

    /// Zooms by `factor` keeping the graph point under `(x, y)` fixed.
    pub fn zoom_at(&self, x: f64, y: f64, factor: f64) -> Transform {
        let scale = (self.scale * factor).clamp(0.05, 4.0);
        let k = scale / self.scale;
        Transform { scale, dx: x - (x - self.dx) * k, dy: y - (y - self.dy) * k }
    }
}

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
    pub graph: &'a ServiceGraph,
    pub layout: &'a GraphLayout,
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
pub fn draw(ctx: &CanvasRenderingContext2d, f: &GraphFrame<'_>) -> (usize, usize) {
    let c = f.chrome;
    ctx.set_fill_style_str(&c.background);
    ctx.fill_rect(0.0, 0.0, f.width_px, f.height_px);
    let t = f.transform;
    let view = (-20.0, -20.0, f.width_px + 20.0, f.height_px + 20.0);
    let neutral = parse_rgb(&c.guide).unwrap_or(Rgb(0x9a, 0xa5, 0xb1));
    let max_calls = f.graph.edges.iter().map(|e| e.calls.max(e.backend_calls)).max().unwrap_or(1);
    let critical_css = c.critical.clone();

    // Edges first, nodes over them. Edges are batched: one path per (colour, width, dash) bucket and
    // one for the arrowheads of each colour, so 5,000 edges cost a few dozen canvas calls, not
    // thousands (widths are rounded to half pixels for that).
    let mut edges_drawn = 0usize;
    let mut buckets: Vec<EdgeBucket> = Vec::new();
    let mut halos: Vec<(f64, Vec<(f64, f64)>)> = Vec::new();
    let arrows_visible = t.scale >= THIN_EDGE_MIN_SCALE;
    for (i, (edge, route)) in f.graph.edges.iter().zip(&f.layout.edges).enumerate() {
        let calls = edge.calls.max(edge.backend_calls);
        let width = edge_width(calls, max_calls);
        let hovered = f.hover_edge == Some(i as u32);
        let critical = f.critical.get(i).copied().unwrap_or(false);
        if t.scale < THIN_EDGE_MIN_SCALE && width < THIN_EDGE_PX && !hovered && !critical {
            continue;
        }
        let screen: Vec<(f64, f64)> = route.points.iter().map(|&p| t.to_screen(p)).collect();
        if screen.len() < 2 || !crosses_view(&screen, view) {
            continue;
        }
        // Bends smaller than a pixel are not drawn: zoomed out, routes collapse to a few points.
        let pts = simplify(&screen, 0.75);
        edges_drawn += 1;
        let rate =
            if calls == 0 { 0.0 } else { edge.errors.max(edge.backend_errors.unwrap_or(0)) as f64 / calls as f64 };
        let rgb = edge_rgb(rate, neutral, f.theme);
        let color = css_alpha(rgb, if hovered { 1.0 } else { 0.85 });
        let px = ((width * t.scale.sqrt()).max(1.0) * 2.0).round() / 2.0 + if hovered { 1.5 } else { 0.0 };
        if critical {
            halos.push((px + 5.0, pts.clone()));
        }
        // Edges known only from a backend are dashed: no trace here shows those calls.
        let dashed = matches!(edge.origin, spanlens_analysis::service_graph::EdgeSource::FromBackend);
        let arrow_size = (4.0 + px * 1.2).min(12.0);
        let bucket = match buckets.iter_mut().position(|b| b.color == color && b.width_px == px && b.dashed == dashed) {
            Some(k) => &mut buckets[k],
            None => {
                buckets.push(EdgeBucket { color, width_px: px, dashed, lines: Vec::new(), arrows: Vec::new() });
                let last = buckets.len() - 1;
                &mut buckets[last]
            }
        };
        if arrows_visible && let [.., a, b] = pts.as_slice() {
            bucket.arrows.push((*a, *b, arrow_size));
        }
        bucket.lines.push(pts);
    }
    ctx.set_line_join("round");
    if !halos.is_empty() {
        // The critical path as a halo under its edges: the edges keep their error colour on top.
        ctx.set_stroke_style_str(&critical_css);
        ctx.set_global_alpha(0.45);
        for (width, pts) in &halos {
            ctx.set_line_width(*width);
            ctx.begin_path();
            polyline(ctx, pts, view);
            ctx.stroke();
        }
        ctx.set_global_alpha(1.0);
    }
    let solid = js_sys::Array::new();
    let dash = js_sys::Array::of2(&wasm_bindgen::JsValue::from_f64(6.0), &wasm_bindgen::JsValue::from_f64(4.0));
    for b in &buckets {
        ctx.set_stroke_style_str(&b.color);
        ctx.set_line_width(b.width_px);
        ctx.set_line_dash(if b.dashed { &dash } else { &solid }).ok();
        ctx.begin_path();
        for pts in &b.lines {
            polyline(ctx, pts, view);
        }
        ctx.stroke();
        if !b.arrows.is_empty() {
            ctx.set_fill_style_str(&b.color);
            ctx.begin_path();
            for &(a, tip, size) in &b.arrows {
                arrow_path(ctx, a, tip, size);
            }
            ctx.fill();
        }
    }
    ctx.set_line_dash(&solid).ok();

    let mut nodes_drawn = 0usize;
    let labels = t.scale >= LABEL_MIN_SCALE;
    let p = palette(f.theme);
    let error = error_color(f.theme);
    for (i, (node, placed)) in f.graph.nodes.iter().zip(&f.layout.nodes).enumerate() {
        let (x, y) = t.to_screen((placed.x, placed.y));
        let (w, h) = (placed.width * t.scale, placed.height * t.scale);
        if x + w < view.0 || x > view.2 || y + h < view.1 || y > view.3 {
            continue;
        }
        nodes_drawn += 1;
        let slot = f.slots.get(i).copied().unwrap_or(11) as usize;
        let colour = p.get(slot).copied().unwrap_or(neutral);
        let virtual_node = node.kind != NodeKind::Service;
        let radius = (6.0 * t.scale).min(6.0);
        rounded_rect(ctx, x, y, w, h, radius);
        ctx.set_fill_style_str(&if virtual_node { c.axis_bg.clone() } else { css_alpha(colour, 0.18) });
        ctx.fill();
        let emphasised = f.hover_node == Some(i as u32) || f.selected_node == Some(i as u32);
        ctx.set_line_width(if emphasised { 2.5 } else { 1.5 });
        ctx.set_stroke_style_str(&css(colour));
        if virtual_node {
            let dash = js_sys::Array::of2(&wasm_bindgen::JsValue::from_f64(4.0), &wasm_bindgen::JsValue::from_f64(3.0));
            ctx.set_line_dash(&dash).ok();
        }
        ctx.stroke();
        ctx.set_line_dash(&js_sys::Array::new()).ok();
        // A colour bar on the left edge: the service's colour at any zoom.
        ctx.set_fill_style_str(&css(colour));
        ctx.fill_rect(x, y + radius / 2.0, (4.0 * t.scale).max(2.0), (h - radius).max(1.0));
        if labels {
            ctx.set_font(FONT);
            ctx.set_text_baseline("middle");
            ctx.set_fill_style_str(&c.text);
            // The label is drawn scaled with the zoom, so the room it fits in (in unscaled text
            // pixels) rarely changes: fitting is cached, measuring text every frame is not cheap.
            let text_scale = t.scale.min(1.2);
            let room = ((w - 14.0 * t.scale) / text_scale).floor();
            if let Some(fitted) = fitted_label(ctx, node.kind, &node.name, room) {
                ctx.save();
                ctx.translate(x + 10.0 * t.scale, y + h / 2.0).ok();
                ctx.scale(text_scale, text_scale).ok();
                ctx.fill_text(&fitted, 0.0, 0.0).ok();
                ctx.restore();
            }
        }
        if node.errors > 0 {
            // Error badge: a red pill with the error rate, on the node's top-right corner.
            let text = format!("{:.0}%", (node.error_rate() * 100.0).max(1.0));
            ctx.set_font(FONT_SMALL);
            let tw = ctx.measure_text(&text).map(|m| m.width()).unwrap_or(20.0);
            let (bw, bh) = (tw + 8.0, 14.0);
            let (bx, by) = (x + w - bw * 0.7, y - bh * 0.5);
            rounded_rect(ctx, bx, by, bw, bh, 7.0);
            ctx.set_fill_style_str(&css(error));
            ctx.fill();
            if labels {
                ctx.set_fill_style_str("#ffffff");
                ctx.set_text_baseline("middle");
                ctx.fill_text(&text, bx + 4.0, by + bh / 2.0).ok();
            }
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

fn crosses_view(pts: &[(f64, f64)], view: (f64, f64, f64, f64)) -> bool {
    // Cheap: the polyline's bounding box overlaps the view.
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in pts {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    x1 >= view.0 && x0 <= view.2 && y1 >= view.1 && y0 <= view.3
}

/// Edges of one look, drawn with one stroke (and their arrowheads with one fill).
struct EdgeBucket {
    color: String,
    width_px: f64,
    dashed: bool,
    lines: Vec<Vec<(f64, f64)>>,
    arrows: Vec<Arrow>,
}

/// An arrowhead: the route's last segment (from, tip) and its size in pixels.
type Arrow = ((f64, f64), (f64, f64), f64);

/// Adds a polyline to the current path, leaving out the segments wholly outside the view (zoomed in,
/// most of a long route is off screen).
fn polyline(ctx: &CanvasRenderingContext2d, pts: &[(f64, f64)], view: (f64, f64, f64, f64)) {
    let mut pen_down = false;
    for w in pts.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let outside = (x0 < view.0 && x1 < view.0)
            || (x0 > view.2 && x1 > view.2)
            || (y0 < view.1 && y1 < view.1)
            || (y0 > view.3 && y1 > view.3);
        if outside {
            pen_down = false;
            continue;
        }
        if !pen_down {
            ctx.move_to(x0, y0);
            pen_down = true;
        }
        ctx.line_to(x1, y1);
    }
}

/// Drops points that lie within `tolerance_px` of the line through their neighbours (kept ones),
/// in one pass: the route keeps its shape to the pixel with far fewer segments to stroke.
pub fn simplify(pts: &[(f64, f64)], tolerance_px: f64) -> Vec<(f64, f64)> {
    let Some((&first, rest)) = pts.split_first() else { return Vec::new() };
    let mut out = Vec::with_capacity(pts.len());
    out.push(first);
    for (i, &p) in rest.iter().enumerate() {
        let Some(&next) = rest.get(i + 1) else {
            out.push(p);
            break;
        };
        let last = out.last().copied().unwrap_or(first);
        if segment_distance(p, last, next) > tolerance_px {
            out.push(p);
        }
    }
    out
}

/// Adds an arrowhead pointing at `to` (coming from `from`) to the current path.
fn arrow_path(ctx: &CanvasRenderingContext2d, from: (f64, f64), to: (f64, f64), size: f64) {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = dx.hypot(dy);
    if len < 0.5 {
        return;
    }
    let (ux, uy) = (dx / len, dy / len);
    let back = (to.0 - ux * size, to.1 - uy * size);
    ctx.move_to(to.0, to.1);
    ctx.line_to(back.0 - uy * size * 0.5, back.1 + ux * size * 0.5);
    ctx.line_to(back.0 + uy * size * 0.5, back.1 - ux * size * 0.5);
    ctx.close_path();
}

fn rounded_rect(ctx: &CanvasRenderingContext2d, x: f64, y: f64, w: f64, h: f64, r: f64) {
    let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
    ctx.begin_path();
    ctx.move_to(x + r, y);
    ctx.line_to(x + w - r, y);
    ctx.quadratic_curve_to(x + w, y, x + w, y + r);
    ctx.line_to(x + w, y + h - r);
    ctx.quadratic_curve_to(x + w, y + h, x + w - r, y + h);
    ctx.line_to(x + r, y + h);
    ctx.quadratic_curve_to(x, y + h, x, y + h - r);
    ctx.line_to(x, y + r);
    ctx.quadratic_curve_to(x, y, x + r, y);
    ctx.close_path();
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
    fn simplify_keeps_corners_and_drops_straight_runs() {
        let straight = [(0.0, 0.0), (5.0, 0.1), (10.0, 0.0), (20.0, 0.2)];
        assert_eq!(simplify(&straight, 0.75), vec![(0.0, 0.0), (20.0, 0.2)]);
        let corner = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)];
        assert_eq!(simplify(&corner, 0.75), corner.to_vec());
        assert!(simplify(&[], 1.0).is_empty());
        assert_eq!(simplify(&[(1.0, 1.0)], 1.0), vec![(1.0, 1.0)]);
    }

    #[test]
    fn segment_distance_is_perpendicular_or_to_an_end() {
        assert!((segment_distance((5.0, 3.0), (0.0, 0.0), (10.0, 0.0)) - 3.0).abs() < 1e-9);
        assert!((segment_distance((13.0, 4.0), (0.0, 0.0), (10.0, 0.0)) - 5.0).abs() < 1e-9);
    }
}
