//! The flame graph canvas: one canvas inside a native scroll container (a spacer gives the scroll
//! height, the canvas is sticky), so a 100,000-level chain scrolls like any page while the DOM stays
//! a few nodes. Click selects, double click zooms to a frame, Ctrl/⌘+wheel zooms, drag pans.

use crate::hooks::{use_canvas_2d, use_element_size, use_wheel};
use crate::render::flame::{self, AXIS_HEIGHT_PX, FlameFrame, ROW_HEIGHT_PX};
use crate::state::{AppState, Focus, Shared, TraceAnalysis, TraceChrome};
use crate::views::flame::state::{ColorBy, FlameState};
use crate::views::flame::tooltip::FlameTooltip;
use leptos::html;
use leptos::prelude::*;
use spanlens_analysis::bitset::BitSet;
use spanlens_analysis::flame::FlameGraph;
use spanlens_layout::flame as flame_layout;
use spanlens_layout::viewport::Viewport;
use spanlens_model::Sym;
use web_sys::{MouseEvent, WheelEvent};

/// Pointer travel before a press becomes a pan rather than a click.
const DRAG_THRESHOLD_PX: f64 = 4.0;

struct Inputs {
    graph: Shared<FlameGraph>,
    viewport: Viewport,
    scroll_top_px: f64,
    selected_frame: Option<u32>,
    hover_frame: Option<u32>,
    matched: Option<Shared<BitSet>>,
    highlight: Option<(Sym, Sym)>,
    color_by_self: bool,
}

#[derive(Clone, Copy, Default)]
struct Drag {
    start_x: f64,
    last_x: f64,
    panning: bool,
}

#[component]
pub fn FlameCanvas() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    let fs = FlameState::from_context();
    let chrome_state = TraceChrome::from_context();
    let app = AppState::from_context();
    let scroll_ref = NodeRef::<html::Div>::new();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let size = use_element_size(scroll_ref);
    let scroll_top = RwSignal::new(0.0f64);
    let painted = RwSignal::new(None::<usize>);
    let pointer = RwSignal::new(None::<(f64, f64)>);
    let drag = StoredValue::new(None::<Drag>);

    // The DOM decides the width; both x windows carry it for pixel maths.
    Effect::new(move |_| {
        let width = size.get().0.max(100.0);
        if focus.viewport.with_untracked(|v| (v.width_px - width).abs() > 0.5) {
            focus.viewport.update(|v| *v = v.with_width(width));
        }
        if fs.heavy_viewport.with_untracked(|v| (v.width_px - width).abs() > 0.5) {
            fs.heavy_viewport.update(|v| *v = v.with_width(width));
        }
    });

    let selected_frame = move || {
        let span = focus.selected.get()?;
        fs.graph.with(|g| g.frame_of(span))
    };
    let inputs = move || Inputs {
        graph: fs.graph.get(),
        viewport: fs.viewport(focus),
        scroll_top_px: scroll_top.get(),
        selected_frame: selected_frame(),
        hover_frame: fs.hover.get(),
        matched: fs.matched_frames.get(),
        highlight: fs.highlight.get(),
        color_by_self: fs.color_by.get() == ColorBy::SelfTime,
    };
    use_canvas_2d(
        canvas_ref,
        move || size.get(),
        inputs,
        move |frame, input| {
            crate::timing::mark(crate::timing::FLAME_DRAW_BEGIN);
            let count = analysis.data.with_value(|d| {
                analysis.colors.with_value(|colors| {
                    flame::draw(
                        frame.ctx,
                        &FlameFrame {
                            set: d.set(),
                            graph: &input.graph,
                            viewport: &input.viewport,
                            width_px: frame.width_px,
                            height_px: frame.height_px,
                            scroll_top_px: input.scroll_top_px,
                            selected_frame: input.selected_frame,
                            hover_frame: input.hover_frame,
                            matched: input.matched.as_deref(),
                            highlight: input.highlight,
                            color_by_self: input.color_by_self,
                            colors,
                            theme: frame.theme,
                            chrome: frame.chrome,
                        },
                    )
                })
            });
            crate::timing::measure(crate::timing::FLAME_DRAW, crate::timing::FLAME_DRAW_BEGIN);
            painted.try_set(Some(count));
            if count > 0 && chrome_state.first_frame_drawn.try_get_untracked() == Some(false) {
                chrome_state.first_frame_drawn.try_set(true);
            }
            if count > 0 && app.paint_pending.try_get_value() == Some(true) {
                app.paint_pending.try_set_value(false);
                crate::timing::mark(crate::timing::FIRST_PAINT);
            }
        },
    );

    // Scroll a requested depth into view (selection by keyboard, find, the detail panel).
    Effect::new(move |_| {
        let Some(depth) = fs.scroll_request.get() else { return };
        let (Some(el), (_, h)) = (scroll_ref.get(), size.get()) else { return };
        if h <= 0.0 {
            return;
        }
        let body = (h - AXIS_HEIGHT_PX).max(ROW_HEIGHT_PX);
        let top = f64::from(depth) * ROW_HEIGHT_PX;
        let current = f64::from(el.scroll_top());
        let target = if top < current {
            top
        } else if top + ROW_HEIGHT_PX > current + body {
            top + ROW_HEIGHT_PX - body
        } else {
            current
        };
        if (target - current).abs() >= 0.5 {
            el.set_scroll_top(target.round() as i32);
        }
        fs.scroll_request.set(None);
    });

    let hit = move |x: f64, y: f64| -> Option<u32> {
        if y < AXIS_HEIGHT_PX {
            return None;
        }
        let viewport = fs.viewport_untracked(focus);
        fs.graph.with_untracked(|g| {
            let depth = flame_layout::depth_at_y(g, ROW_HEIGHT_PX, scroll_top.get_untracked(), y - AXIS_HEIGHT_PX)?;
            flame_layout::flame_hit(g, &flame_layout::FlameWindow::from_viewport(&viewport, g), x, depth)
        })
    };
    let local_xy = move |ev: &MouseEvent| -> (f64, f64) {
        let Some(canvas) = canvas_ref.get_untracked() else { return (0.0, 0.0) };
        let rect = canvas.get_bounding_client_rect();
        (f64::from(ev.client_x()) - rect.left(), f64::from(ev.client_y()) - rect.top())
    };
    let span_of = move |frame: u32| fs.graph.with_untracked(|g| g.frame(frame).map(|f| f.span));

    let on_mouse_move = move |ev: MouseEvent| {
        let (x, y) = local_xy(&ev);
        if let Some(mut d) = drag.get_value()
            && (d.panning || (x - d.start_x).abs() > DRAG_THRESHOLD_PX)
        {
            d.panning = true;
            let dx = x - d.last_x;
            d.last_x = x;
            drag.set_value(Some(d));
            fs.update_viewport(focus, |v| v.pan_px(-dx));
            return;
        }
        pointer.set(Some((x, y)));
        let target = hit(x, y);
        if fs.hover.get_untracked() != target {
            fs.hover.set(target);
            focus.hovered.set(target.and_then(span_of));
        }
    };
    let on_mouse_down = move |ev: MouseEvent| {
        let (x, _) = local_xy(&ev);
        if ev.button() == 0 {
            drag.set_value(Some(Drag { start_x: x, last_x: x, panning: false }));
        }
    };
    let on_mouse_up = move |ev: MouseEvent| {
        let was_pan = drag.get_value().is_some_and(|d| d.panning);
        drag.set_value(None);
        if was_pan || ev.button() != 0 {
            return;
        }
        let (x, y) = local_xy(&ev);
        if let Some(frame) = hit(x, y) {
            focus.select(span_of(frame));
        }
    };
    let on_double_click = move |ev: MouseEvent| {
        let (x, y) = local_xy(&ev);
        if let Some(frame) = hit(x, y) {
            fs.zoom_to_frame(focus, frame);
        }
    };
    let on_mouse_leave = move |_| {
        drag.set_value(None);
        pointer.set(None);
        fs.hover.set(None);
        focus.hovered.set(None);
    };
    let on_scroll = move |_| {
        if let Some(el) = scroll_ref.get_untracked() {
            scroll_top.set(f64::from(el.scroll_top()));
        }
    };
    // Ctrl/⌘ + wheel (and pinch) zooms around the pointer; a horizontal wheel pans; a plain vertical
    // wheel scrolls the depths natively.
    use_wheel(scroll_ref, move |ev: WheelEvent| {
        let Some(canvas) = canvas_ref.get_untracked() else { return };
        let x = f64::from(ev.client_x()) - canvas.get_bounding_client_rect().left();
        if ev.ctrl_key() || ev.meta_key() {
            ev.prevent_default();
            let factor = (-ev.delta_y() * 0.0025).exp();
            fs.update_viewport(focus, |v| v.zoom(x.max(0.0), factor));
        } else if ev.delta_x().abs() > ev.delta_y().abs() || ev.shift_key() {
            ev.prevent_default();
            let dx = if ev.delta_x() != 0.0 { ev.delta_x() } else { ev.delta_y() };
            fs.update_viewport(focus, |v| v.pan_px(dx));
        }
    });

    let content_height = move || AXIS_HEIGHT_PX + f64::from(fs.graph.with(|g| g.depth_count())) * ROW_HEIGHT_PX;
    let spacer_height = move || (content_height() - size.get().1).max(0.0);

    view! {
        <div class="sl-flame" data-testid="flame" data-painted-frames=move || painted.get().map(|n| n.to_string())>
            <div class="sl-wf__scroll" node_ref=scroll_ref on:scroll=on_scroll tabindex="-1">
                <canvas
                    class="sl-wf__canvas"
                    node_ref=canvas_ref
                    on:mousemove=on_mouse_move
                    on:mousedown=on_mouse_down
                    on:mouseup=on_mouse_up
                    on:dblclick=on_double_click
                    on:mouseleave=on_mouse_leave
                    aria-label="Flame graph"
                    role="img"
                ></canvas>
                <div class="sl-wf__spacer" style:height=move || format!("{}px", spacer_height())></div>
            </div>
            <FlameTooltip pointer=pointer/>
        </div>
    }
}
