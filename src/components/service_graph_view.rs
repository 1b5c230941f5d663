//! The service dependency graph on a canvas: laid out left to right (`spanlens_layout::graph`), pan
//! by dragging, zoom with the wheel, hover for figures, click a node to select it; a selected node
//! can be focused (its callers and callees to a depth, relaid out) and searched for. The focus lives
//! in the URL (`focus=`, `depth=`).

use crate::format::{format_duration, thousands};
use crate::hooks::{use_canvas_2d, use_element_size, use_wheel};
use crate::render::graph_edges::EdgeCache;
use crate::render::service_graph::{self, GraphFrame, Transform, hit_edge, hit_node};
use crate::state::Shared;
use crate::state::graph_focus::neighbourhood_graph;
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use spanlens_analysis::service_graph::{EdgeSource, Latency, NodeKind, ServiceGraph};
use spanlens_layout::graph::{GraphLayout, GraphLayoutOptions, NodeBox, layout_graph};
use spanlens_layout::palette::fnv1a;

const DRAG_THRESHOLD_PX: f64 = 4.0;

/// A node's palette slot when no trace assigns one: by name, so a service keeps its colour across
/// pages and loads.
pub fn slot_by_name(name: &str) -> u8 {
    (fnv1a(name.as_bytes()) % 12) as u8
}

struct Inputs {
    graph: Shared<ServiceGraph>,
    layout: Shared<GraphLayout>,
    slots: Shared<Vec<u8>>,
    critical: Shared<Vec<bool>>,
    transform: Transform,
    hover: Hover,
    selected: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Default)]
enum Hover {
    #[default]
    None,
    Node(u32),
    Edge(u32),
}

#[component]
pub fn ServiceGraphView(
    graph: Signal<Shared<ServiceGraph>>,
    /// Palette slot of a node by name (the trace's own colours); by name hash when absent.
    #[prop(optional)]
    slot_of: Option<Callback<String, Option<u8>>>,
    /// Per edge of `graph`: on the critical path.
    #[prop(optional)]
    critical: Option<Signal<Shared<Vec<bool>>>>,
    /// Where "Search this service" goes.
    search_href: Callback<String, String>,
    #[prop(into)] testid: String,
    /// A plain wheel zooms (a view that fills the screen); otherwise it scrolls the page and
    /// Ctrl/⌘ + wheel zooms.
    #[prop(optional)]
    wheel_zooms: bool,
) -> impl IntoView {
    let focus = RwSignal::new(crate::url::query_param("focus"));
    let depth = RwSignal::new(crate::url::query_param("depth").and_then(|d| d.parse::<u32>().ok()).unwrap_or(2));
    Effect::new(move |_| {
        crate::url::replace_query_param("focus", focus.get().as_deref());
        let d = depth.get().to_string();
        crate::url::replace_query_param("depth", focus.with(Option::is_some).then_some(d.as_str()));
    });
    // The graph on screen: the whole one, or the focused node's neighbourhood.
    let shown = Memo::new(move |_| {
        let full = graph.get();
        let Some(name) = focus.get() else { return (full, None) };
        match neighbourhood_graph(&full, &name, depth.get()) {
            Some(sub) => (Shared::new(sub), Some(name)),
            None => (full, None),
        }
    });
    // Critical edges are indexed by the full graph's edges: map them onto the shown one.
    let shown_critical = Memo::new(move |_| {
        let (g, _) = shown.get();
        let full = graph.get();
        let marks = critical.map(|c| c.get());
        let Some(marks) = marks else { return Shared::new(vec![false; g.edges.len()]) };
        let on = g
            .edges
            .iter()
            .map(|e| {
                let (s, t) = (g.node_name(e.source), g.node_name(e.target));
                full.edges.iter().enumerate().any(|(i, f)| {
                    marks.get(i).copied().unwrap_or(false)
                        && full.node_name(f.source) == s
                        && full.node_name(f.target) == t
                        && f.connection == e.connection
                })
            })
            .collect();
        Shared::new(on)
    });
    let layout = Memo::new(move |_| {
        let (g, _) = shown.get();
        crate::timing::mark(crate::timing::GRAPH_LAYOUT_BEGIN);
        let boxes: Vec<NodeBox> = g
            .nodes
            .iter()
            .map(|n| {
                let mut b = NodeBox::for_label(&format!("{}{}", service_graph::kind_mark(n.kind), n.name));
                b.key = n.name.clone();
                b
            })
            .collect();
        let edges: Vec<(u32, u32)> = g.edges.iter().map(|e| (e.source, e.target)).collect();
        let placed = layout_graph(&boxes, &edges, &GraphLayoutOptions::default());
        crate::timing::measure(crate::timing::GRAPH_LAYOUT, crate::timing::GRAPH_LAYOUT_BEGIN);
        Shared::new(placed)
    });
    let slots = Memo::new(move |_| {
        let (g, _) = shown.get();
        Shared::new(
            g.nodes
                .iter()
                .map(|n| slot_of.and_then(|f| f.run(n.name.clone())).unwrap_or_else(|| slot_by_name(&n.name)))
                .collect::<Vec<u8>>(),
        )
    });

    let host = NodeRef::<html::Div>::new();
    let canvas = NodeRef::<html::Canvas>::new();
    let size = use_element_size(host);
    let transform = RwSignal::new(Transform::default());
    // A new layout (or a resize before the first fit) fits the graph into the view.
    Effect::new(move |_| {
        let (w, h) = size.get();
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        layout.with(|l| transform.set(Transform::fit(l.width, l.height, w, h)));
    });
    let hover = RwSignal::new(Hover::None);
    let selected = RwSignal::new(None::<u32>);
    Effect::new(move |_| {
        shown.track();
        selected.set(None);
    });
    let painted = RwSignal::new(None::<(usize, usize)>);
    let pointer = RwSignal::new(None::<(f64, f64)>);
    let drag = StoredValue::new(None::<(f64, f64, f64, f64, bool)>);

    // The edges' paths, built once per graph and kept between frames (see `render::graph_edges`).
    let edge_cache = std::cell::RefCell::new(EdgeCache::default());
    use_canvas_2d(
        canvas,
        move || size.get(),
        move || Inputs {
            graph: shown.get().0,
            layout: layout.get(),
            slots: slots.get(),
            critical: shown_critical.get(),
            transform: transform.get(),
            hover: hover.get(),
            selected: selected.get(),
        },
        move |frame, input| {
            let mut edges = edge_cache.borrow_mut();
            let (hover_node, hover_edge) = match input.hover {
                Hover::Node(n) => (Some(n), None),
                Hover::Edge(e) => (None, Some(e)),
                Hover::None => (None, None),
            };
            crate::timing::mark(crate::timing::GRAPH_DRAW_BEGIN);
            let drawn = service_graph::draw(
                frame.ctx,
                &GraphFrame {
                    graph: &input.graph,
                    layout: &input.layout,
                    transform: input.transform,
                    width_px: frame.width_px,
                    height_px: frame.height_px,
                    slots: &input.slots,
                    critical: &input.critical,
                    hover_node,
                    hover_edge,
                    selected_node: input.selected,
                    theme: frame.theme,
                    chrome: frame.chrome,
                },
                &mut edges,
            );
            crate::timing::measure(crate::timing::GRAPH_DRAW, crate::timing::GRAPH_DRAW_BEGIN);
            painted.try_set(Some(drawn));
        },
    );

    let local = move |ev: &web_sys::MouseEvent| -> (f64, f64) {
        let Some(el) = canvas.get_untracked() else { return (0.0, 0.0) };
        let r = el.get_bounding_client_rect();
        (f64::from(ev.client_x()) - r.left(), f64::from(ev.client_y()) - r.top())
    };
    let hit = move |x: f64, y: f64| -> Hover {
        let t = transform.get_untracked();
        layout.with_untracked(|l| {
            if let Some(n) = hit_node(l, &t, x, y) {
                Hover::Node(n)
            } else if let Some(e) = hit_edge(l, &t, x, y) {
                Hover::Edge(e)
            } else {
                Hover::None
            }
        })
    };
    let on_move = move |ev: web_sys::MouseEvent| {
        let (x, y) = local(&ev);
        if let Some((sx, sy, lx, ly, moved)) = drag.get_value()
            && (moved || (x - sx).hypot(y - sy) > DRAG_THRESHOLD_PX)
        {
            drag.set_value(Some((sx, sy, x, y, true)));
            transform.update(|t| {
                t.dx += x - lx;
                t.dy += y - ly;
            });
            return;
        }
        pointer.set(Some((x, y)));
        let h = hit(x, y);
        if hover.get_untracked() != h {
            hover.set(h);
        }
    };
    let on_down = move |ev: web_sys::MouseEvent| {
        if ev.button() == 0 {
            let (x, y) = local(&ev);
            drag.set_value(Some((x, y, x, y, false)));
        }
    };
    let on_up = move |ev: web_sys::MouseEvent| {
        let moved = drag.get_value().is_some_and(|d| d.4);
        drag.set_value(None);
        if moved || ev.button() != 0 {
            return;
        }
        let (x, y) = local(&ev);
        selected.set(match hit(x, y) {
            Hover::Node(n) => Some(n),
            _ => None,
        });
    };
    use_wheel(host, move |ev: web_sys::WheelEvent| {
        if !(wheel_zooms || ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        ev.prevent_default();
        let Some(el) = canvas.get_untracked() else { return };
        let r = el.get_bounding_client_rect();
        let (x, y) = (f64::from(ev.client_x()) - r.left(), f64::from(ev.client_y()) - r.top());
        let factor = (-ev.delta_y() * 0.002).exp();
        transform.update(|t| *t = t.zoom_at(x, y, factor));
    });

    let zoom_by = move |factor: f64| {
        let (w, h) = size.get_untracked();
        transform.update(|t| *t = t.zoom_at(w / 2.0, h / 2.0, factor));
    };
    let tooltip = move || {
        let (x, y) = pointer.get()?;
        let lines = shown.with(|(g, _)| match hover.get() {
            Hover::Node(n) => g.nodes.get(n as usize).map(|node| {
                let mut lines = vec![(node.name.clone(), true), (node.kind.as_str().to_owned(), false)];
                if node.spans > 0 {
                    lines.push((
                        format!(
                            "{} spans · {} errors ({:.1}%)",
                            thousands(node.spans as usize),
                            thousands(node.errors as usize),
                            node.error_rate() * 100.0
                        ),
                        false,
                    ));
                    lines.push((
                        format!(
                            "total {} · self {}",
                            format_duration(node.total_nanos),
                            format_duration(node.self_nanos)
                        ),
                        false,
                    ));
                } else {
                    lines.push(("not instrumented: seen from its callers".to_owned(), false));
                }
                lines
            }),
            Hover::Edge(e) => g.edges.get(e as usize).map(|edge| {
                let kind = match edge.connection.as_str() {
                    "" => "call",
                    other => other,
                };
                let mut lines = vec![
                    (format!("{} → {}", g.node_name(edge.source), g.node_name(edge.target)), true),
                    (
                        format!(
                            "{} · {} calls · {} errors",
                            kind,
                            thousands(edge.calls as usize),
                            thousands(edge.errors as usize)
                        ),
                        false,
                    ),
                ];
                lines.push((latency_line("client", &edge.client), false));
                lines.push((latency_line("server", &edge.server), false));
                match edge.origin {
                    EdgeSource::FromTraces => {}
                    EdgeSource::FromBackend => lines.push((
                        format!("from the backend only: {} calls", thousands(edge.backend_calls as usize)),
                        false,
                    )),
                    EdgeSource::Both => {
                        lines.push((format!("backend reports {} calls", thousands(edge.backend_calls as usize)), false))
                    }
                }
                lines
            }),
            Hover::None => None,
        })?;
        Some(view! {
            <div class="sl-tooltip" style:left=format!("{}px", x + 14.0) style:top=format!("{}px", y + 14.0) role="tooltip">
                {lines.into_iter().map(|(t, strong)| view! { <div class:sl-tooltip__title=strong>{t}</div> }).collect_view()}
            </div>
        })
    };

    let selected_panel = move || {
        let n = selected.get()?;
        let node = shown.with(|(g, _)| g.nodes.get(n as usize).cloned())?;
        let name = node.name.clone();
        let focus_name = name.clone();
        let href = search_href.run(name.clone());
        Some(view! {
            <div class="sl-graph-panel" data-testid="graph-selected">
                <strong>{name.clone()}</strong>
                <span class="sl-muted">{node.kind.as_str()}</span>
                <button
                    class="sl-button sl-button--small"
                    data-testid="graph-focus"
                    on:click=move |_| focus.set(Some(focus_name.clone()))
                >
                    "Focus neighbourhood"
                </button>
                {(node.kind == NodeKind::Service).then(|| view! {
                    <A href=href attr:class="sl-button sl-button--small">"Search its spans"</A>
                })}
            </div>
        })
    };

    view! {
        <div class="sl-graph">
            <div class="sl-graph__bar">
                {move || shown.with(|(_, f)| f.clone()).map(|name| view! {
                    <span class="sl-graph__focus" data-testid="graph-focused">"Around " <strong>{name}</strong></span>
                    <label class="sl-field sl-field--inline">
                        <span class="sl-field__label">"Depth"</span>
                        <select class="sl-select" on:change=move |ev| depth.set(event_target_value(&ev).parse().unwrap_or(2)) prop:value=move || depth.get().to_string()>
                            {[1u32, 2, 3, 5, 10].into_iter().map(|d| view! { <option value=d.to_string()>{d.to_string()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button class="sl-button sl-button--small" data-testid="graph-show-all" on:click=move |_| focus.set(None)>"Show all"</button>
                })}
                <button class="sl-button sl-button--small" title="Zoom out" aria-label="Zoom out" on:click=move |_| zoom_by(0.8)>"−"</button>
                <button class="sl-button sl-button--small" title="Zoom in" aria-label="Zoom in" on:click=move |_| zoom_by(1.25)>"+"</button>
                <button class="sl-button sl-button--small" title="Show the whole graph" on:click=move |_| {
                    let (w, h) = size.get_untracked();
                    layout.with_untracked(|l| transform.set(Transform::fit(l.width, l.height, w, h)));
                }>"Fit"</button>
                <span class="sl-muted">{if wheel_zooms { "Wheel zooms · drag pans" } else { "Ctrl+wheel zooms · drag pans" }}</span>
                {selected_panel}
                <GraphLegend critical=critical.is_some()/>
            </div>
            <div
                class="sl-graph__canvas-host"
                node_ref=host
                data-testid=testid
                data-graph-nodes=move || painted.get().map(|_| shown.with(|(g, _)| g.nodes.len().to_string()))
                data-graph-edges=move || painted.get().map(|_| shown.with(|(g, _)| g.edges.len().to_string()))
            >
                <canvas
                    node_ref=canvas
                    class="sl-graph__canvas"
                    style:cursor=move || match hover.get() { Hover::None => "grab", _ => "pointer" }
                    on:mousemove=on_move
                    on:mousedown=on_down
                    on:mouseup=on_up
                    on:mouseleave=move |_| {
                        drag.set_value(None);
                        pointer.set(None);
                        hover.set(Hover::None);
                    }
                    aria-label="Service dependency graph"
                    role="img"
                ></canvas>
                {tooltip}
                {move || shown.with(|(g, _)| g.nodes.is_empty()).then(|| view! {
                    <p class="sl-muted sl-graph__empty">"No services: load traces, or pick a backend's dependencies."</p>
                })}
            </div>
        </div>
    }
}

fn latency_line(side: &str, l: &Latency) -> String {
    match (l.p50_nanos, l.p95_nanos, l.p99_nanos) {
        (Some(p50), Some(p95), Some(p99)) => format!(
            "{side}: p50 {} · p95 {} · p99 {}",
            format_duration(p50),
            format_duration(p95),
            format_duration(p99)
        ),
        _ => format!("{side}: no timings"),
    }
}

#[component]
fn GraphLegend(critical: bool) -> impl IntoView {
    view! {
        <span class="sl-graph-legend" aria-label="Legend">
            <span class="sl-graph-legend__line sl-graph-legend__line--thin"></span>"few calls"
            <span class="sl-graph-legend__line sl-graph-legend__line--thick"></span>"many"
            <span class="sl-graph-legend__line sl-graph-legend__line--error"></span>"errors"
            <span class="sl-graph-legend__line sl-graph-legend__line--dashed"></span>"backend only"
            {critical.then(|| view! { <span class="sl-graph-legend__line sl-graph-legend__line--critical"></span>"critical path" })}
            <span class="sl-graph-legend__node sl-graph-legend__node--virtual"></span>"not instrumented"
        </span>
    }
}
