//! The service graph's edges, drawn from paths built once per graph.
//!
//! Edge routes are fixed in graph coordinates; only the view's pan and zoom change from frame to
//! frame. So the routes are turned into browser paths (`Path2D`) once, one per look (colour, width,
//! dash), and each frame strokes those few paths under the view's transform. Building 5,000 routes
//! every frame (transforming, simplifying and handing every point to the canvas) cost 10–15 ms of a
//! 16 ms frame; stroking cached paths costs a few dozen canvas calls. The line width and dashes are
//! divided by the zoom so they stay in screen pixels. Arrowheads are sized in screen pixels too, so
//! their paths are rebuilt when (and only when) the zoom changes.

use crate::render::canvas::css_alpha;
use crate::render::path_text::PathText;
use crate::render::service_graph::{Transform, edge_rgb, edge_width};
use crate::state::Shared;
use spanlens_analysis::service_graph::{EdgeSource, ServiceGraph};
use spanlens_layout::graph::GraphLayout;
use spanlens_layout::palette::{Rgb, Theme};
use wasm_bindgen::JsValue;
use web_sys::{CanvasRenderingContext2d, Path2d};

/// Below this zoom edges thinner than [`THIN_EDGE_PX`] are not drawn, and neither are arrowheads.
pub const THIN_EDGE_MIN_SCALE: f64 = 0.3;
const THIN_EDGE_PX: f64 = 1.6;

/// What the cached paths were built from; any change rebuilds them.
struct Owner {
    graph: Shared<ServiceGraph>,
    layout: Shared<GraphLayout>,
    theme: Theme,
    neutral: Rgb,
}

/// Edges that look alike, as one path in graph coordinates.
struct Bucket {
    color: String,
    /// The width at 1:1 (see [`edge_width`]).
    base_width: f64,
    dashed: bool,
    path: Path2d,
    members: Vec<u32>,
    /// Arrowheads for the zoom they were built at.
    arrows: Option<(f64, Path2d)>,
}

/// The edge paths of one graph, kept between frames by the component that draws the graph.
#[derive(Default)]
pub struct EdgeCache {
    owner: Option<Owner>,
    buckets: Vec<Bucket>,
    /// Each edge's bounding box in graph coordinates, for counting what is on screen.
    bounds: Vec<(f64, f64, f64, f64)>,
}

/// One frame's edge drawing.
pub struct EdgeFrame<'a> {
    pub graph: &'a Shared<ServiceGraph>,
    pub layout: &'a Shared<GraphLayout>,
    pub transform: Transform,
    /// The visible area in screen pixels, with a margin.
    pub view: (f64, f64, f64, f64),
    pub critical: &'a [bool],
    pub hover_edge: Option<u32>,
    pub theme: Theme,
    pub neutral: Rgb,
    pub critical_css: &'a str,
}

impl EdgeCache {
    /// Draws every edge; returns how many are (at least partly) on screen.
    pub fn draw(&mut self, ctx: &CanvasRenderingContext2d, f: &EdgeFrame<'_>) -> usize {
        self.refresh(f);
        let t = f.transform;
        let thin_hidden = t.scale < THIN_EDGE_MIN_SCALE;
        let arrows_visible = !thin_hidden;
        let in_view = |i: usize, bounds: &[(f64, f64, f64, f64)]| {
            bounds.get(i).is_some_and(|&(x0, y0, x1, y1)| {
                let (sx0, sy0) = t.to_screen((x0, y0));
                let (sx1, sy1) = t.to_screen((x1, y1));
                sx1 >= f.view.0 && sx0 <= f.view.2 && sy1 >= f.view.1 && sy0 <= f.view.3
            })
        };
        let mut drawn = 0usize;
        ctx.save();
        ctx.transform(t.scale, 0.0, 0.0, t.scale, t.dx, t.dy).ok();
        ctx.set_line_join("round");
        self.draw_halos(ctx, f);
        let solid = js_sys::Array::new();
        let dash = js_sys::Array::of2(&JsValue::from_f64(6.0 / t.scale), &JsValue::from_f64(4.0 / t.scale));
        for b in &mut self.buckets {
            if thin_hidden && b.base_width < THIN_EDGE_PX {
                continue;
            }
            let shown = b.members.iter().filter(|&&i| in_view(i as usize, &self.bounds)).count();
            if shown == 0 {
                continue;
            }
            drawn += shown;
            let px = screen_width(b.base_width, t.scale);
            ctx.set_stroke_style_str(&b.color);
            ctx.set_line_width(px / t.scale);
            ctx.set_line_dash(if b.dashed { &dash } else { &solid }).ok();
            ctx.stroke_with_path(&b.path);
            if arrows_visible {
                if b.arrows.as_ref().is_none_or(|(scale, _)| *scale != t.scale) {
                    b.arrows = arrow_paths(f.layout, &b.members, arrow_px(px) / t.scale).map(|p| (t.scale, p));
                }
                if let Some((_, path)) = &b.arrows {
                    ctx.set_fill_style_str(&b.color);
                    ctx.fill_with_path_2d(path);
                }
            }
        }
        ctx.set_line_dash(&solid).ok();
        self.draw_hovered(ctx, f);
        ctx.restore();
        // Thin edges hidden at this zoom still count when they are the hovered or critical ones.
        drawn
    }

    fn refresh(&mut self, f: &EdgeFrame<'_>) {
        let current = self.owner.as_ref().is_some_and(|o| {
            o.graph == *f.graph && o.layout == *f.layout && o.theme == f.theme && o.neutral == f.neutral
        });
        if current {
            return;
        }
        self.buckets.clear();
        self.bounds.clear();
        let graph = &**f.graph;
        let max_calls = graph.edges.iter().map(|e| e.calls.max(e.backend_calls)).max().unwrap_or(1);
        let mut texts: Vec<(Rgb, u64, bool, PathText, Vec<u32>)> = Vec::new();
        for (i, (edge, route)) in graph.edges.iter().zip(&f.layout.edges).enumerate() {
            let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for &(x, y) in &route.points {
                b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
            }
            self.bounds.push(b);
            let [first, rest @ ..] = route.points.as_slice() else { continue };
            if rest.is_empty() {
                continue;
            }
            let calls = edge.calls.max(edge.backend_calls);
            let rate =
                if calls == 0 { 0.0 } else { edge.errors.max(edge.backend_errors.unwrap_or(0)) as f64 / calls as f64 };
            let rgb = edge_rgb(rate, f.neutral, f.theme);
            // Widths are grouped by tenths of a pixel: a handful of buckets, invisible differences.
            let width_tenths = (edge_width(calls, max_calls) * 10.0).round() as u64;
            // Edges known only from a backend are dashed: no trace here shows those calls.
            let dashed = matches!(edge.origin, EdgeSource::FromBackend);
            let k = match texts.iter().position(|(c, w, d, ..)| *c == rgb && *w == width_tenths && *d == dashed) {
                Some(k) => k,
                None => {
                    texts.push((rgb, width_tenths, dashed, PathText::default(), Vec::new()));
                    texts.len() - 1
                }
            };
            if let Some((.., text, members)) = texts.get_mut(k) {
                text.move_to(first.0, first.1);
                for &(x, y) in rest {
                    text.line_to(x, y);
                }
                members.push(i as u32);
            }
        }
        for (rgb, width_tenths, dashed, text, members) in texts {
            let Some(path) = text.to_path() else { continue };
            self.buckets.push(Bucket {
                color: css_alpha(rgb, 0.85),
                base_width: width_tenths as f64 / 10.0,
                dashed,
                path,
                members,
                arrows: None,
            });
        }
        self.owner =
            Some(Owner { graph: f.graph.clone(), layout: f.layout.clone(), theme: f.theme, neutral: f.neutral });
    }

    /// The critical path as a halo under its edges: the edges keep their error colour on top.
    fn draw_halos(&self, ctx: &CanvasRenderingContext2d, f: &EdgeFrame<'_>) {
        let members: Vec<u32> = (0..f.critical.len()).filter(|&i| f.critical[i]).map(|i| i as u32).collect();
        let Some(path) = routes_path(f.layout, &members) else { return };
        let max_calls = f.graph.edges.iter().map(|e| e.calls.max(e.backend_calls)).max().unwrap_or(1);
        let widest = members
            .iter()
            .filter_map(|&i| f.graph.edges.get(i as usize))
            .map(|e| screen_width(edge_width(e.calls.max(e.backend_calls), max_calls), f.transform.scale))
            .fold(1.0, f64::max);
        ctx.set_stroke_style_str(f.critical_css);
        ctx.set_global_alpha(0.45);
        ctx.set_line_width((widest + 5.0) / f.transform.scale);
        ctx.stroke_with_path(&path);
        ctx.set_global_alpha(1.0);
    }

    /// The hovered edge on top, opaque and wider.
    fn draw_hovered(&self, ctx: &CanvasRenderingContext2d, f: &EdgeFrame<'_>) {
        let Some(i) = f.hover_edge else { return };
        let Some(edge) = f.graph.edges.get(i as usize) else { return };
        let Some(path) = routes_path(f.layout, &[i]) else { return };
        let max_calls = f.graph.edges.iter().map(|e| e.calls.max(e.backend_calls)).max().unwrap_or(1);
        let calls = edge.calls.max(edge.backend_calls);
        let rate =
            if calls == 0 { 0.0 } else { edge.errors.max(edge.backend_errors.unwrap_or(0)) as f64 / calls as f64 };
        let color = crate::render::canvas::css(edge_rgb(rate, f.neutral, f.theme));
        let px = screen_width(edge_width(calls, max_calls), f.transform.scale) + 1.5;
        ctx.set_stroke_style_str(&color);
        ctx.set_line_width(px / f.transform.scale);
        ctx.stroke_with_path(&path);
        if let Some(arrow) = arrow_paths(f.layout, &[i], arrow_px(px) / f.transform.scale) {
            ctx.set_fill_style_str(&color);
            ctx.fill_with_path_2d(&arrow);
        }
    }
}

/// On-screen width: grows with the square root of the zoom (so zoomed out the graph is not a
/// smudge), at least a pixel, in half pixels.
fn screen_width(base_width: f64, scale: f64) -> f64 {
    ((base_width * scale.sqrt()).max(1.0) * 2.0).round() / 2.0
}

fn arrow_px(width_px: f64) -> f64 {
    (4.0 + width_px * 1.2).min(12.0)
}

fn routes_path(layout: &GraphLayout, members: &[u32]) -> Option<Path2d> {
    let mut text = PathText::default();
    for &i in members {
        let Some(route) = layout.edges.get(i as usize) else { continue };
        let [first, rest @ ..] = route.points.as_slice() else { continue };
        text.move_to(first.0, first.1);
        for &(x, y) in rest {
            text.line_to(x, y);
        }
    }
    text.to_path()
}

/// Arrowheads of `size` (graph units) at the end of each member's route.
fn arrow_paths(layout: &GraphLayout, members: &[u32], size: f64) -> Option<Path2d> {
    let mut text = PathText::default();
    for &i in members {
        let Some(route) = layout.edges.get(i as usize) else { continue };
        let [.., from, to] = route.points.as_slice() else { continue };
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let len = dx.hypot(dy);
        if len < 1e-6 {
            continue;
        }
        let (ux, uy) = (dx / len, dy / len);
        let back = (to.0 - ux * size, to.1 - uy * size);
        text.move_to(to.0, to.1);
        text.line_to(back.0 - uy * size * 0.5, back.1 + ux * size * 0.5);
        text.line_to(back.0 + uy * size * 0.5, back.1 - ux * size * 0.5);
        text.close();
    }
    text.to_path()
}
