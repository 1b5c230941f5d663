//! The overview minimap: the whole trace at a glance, with the zoom window. Drag to zoom into a range,
//! wheel to zoom around the pointer, double-click or "Reset zoom" to see everything again.

use crate::hooks::{use_canvas_2d, use_element_size, use_wheel};
use crate::render::minimap::{self, MinimapFrame};
use crate::state::schedule::{after_millis, next_task};
use crate::state::{Focus, Shared, TraceAnalysis, TraceChrome};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use spanlens_layout::lod::{DensityGrid, density_grid};
use spanlens_layout::viewport::Viewport;
use web_sys::{MouseEvent, WheelEvent};

const HEIGHT_PX: f64 = 56.0;

#[component]
pub fn Minimap() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    let host_ref = NodeRef::<html::Div>::new();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let size = use_element_size(host_ref);
    let selection = RwSignal::new(None::<(f64, f64)>);

    // The grid depends on the whole-pixel width only: O(spans) once per resize, then every redraw is
    // O(pixels). Not before the width is measured (0 at mount), and not again when the observer
    // reports the same width with a fraction: at a million spans each grid takes a cold page 50 ms.
    let width_px = Memo::new(move |_| size.get().0.round().max(0.0) as u32);
    // A large trace's grid waits for the task after the active view's first frame, so that the rows
    // come first and alone (the grid and the waterfall's rows in one task took a cold page 0.2 s at
    // a million spans); or for a second, should no view draw anything.
    let chrome = TraceChrome::from_context();
    let grid_due = RwSignal::new(analysis.span_count() < spanlens_protocol::ANALYSED_SPANS);
    if !grid_due.get_untracked() {
        spawn_local(async move {
            after_millis(1000).await;
            grid_due.try_set(true);
        });
        Effect::new(move |_| {
            if chrome.first_frame_drawn.get() && !grid_due.get_untracked() {
                spawn_local(async move {
                    next_task().await;
                    grid_due.try_set(true);
                });
            }
        });
    }
    let grid = Memo::new(move |_| {
        let width = width_px.get();
        if width == 0 || !grid_due.get() {
            return Shared::new(DensityGrid::default());
        }
        analysis.data.with_value(|d| {
            let trace = d.trace();
            let full = Viewport::for_trace(trace, f64::from(width));
            Shared::new(density_grid(trace, &trace.tree.preorder, &full, width, minimap::GRID_ROWS))
        })
    });
    let full_viewport = move |width: f64| analysis.data.with_value(|d| Viewport::for_trace(d.trace(), width));

    // Everything the picture depends on, read tracked (see `use_canvas_2d`).
    let inputs = move || (grid.get(), focus.viewport.get(), selection.get());
    use_canvas_2d(
        canvas_ref,
        move || (size.get().0, HEIGHT_PX),
        inputs,
        move |frame, (grid, window, selection_px): &(Shared<DensityGrid>, Viewport, Option<(f64, f64)>)| {
            let full = full_viewport(frame.width_px);
            analysis.data.with_value(|d| {
                analysis.colors.with_value(|colors| {
                    minimap::draw(
                        frame.ctx,
                        &MinimapFrame {
                            trace: d.trace(),
                            grid,
                            width_px: frame.width_px,
                            height_px: frame.height_px,
                            full: &full,
                            window,
                            selection_px: *selection_px,
                            colors,
                            theme: frame.theme,
                            chrome: frame.chrome,
                        },
                    );
                });
            });
        },
    );

    let x_of = move |ev: &MouseEvent| -> f64 {
        canvas_ref.get_untracked().map_or(0.0, |c| f64::from(ev.client_x()) - c.get_bounding_client_rect().left())
    };
    let on_down = move |ev: MouseEvent| {
        let x = x_of(&ev);
        selection.set(Some((x, x)));
    };
    let on_move = move |ev: MouseEvent| {
        if selection.get_untracked().is_some() {
            let x = x_of(&ev);
            selection.update(|s| {
                if let Some(sel) = s {
                    sel.1 = x;
                }
            });
        }
    };
    let on_up = move |ev: MouseEvent| {
        let Some((a, _)) = selection.get_untracked() else { return };
        let b = x_of(&ev);
        selection.set(None);
        let width = size.get_untracked().0;
        let full = full_viewport(width);
        if (a - b).abs() < 3.0 {
            // A click recentres the window there, keeping its zoom.
            let window = focus.viewport.get_untracked();
            let half = window.visible_nanos() / 2;
            let center = full.nanos_from_px(b);
            focus.viewport.update(|v| *v = v.set_range(center - half, center + half));
            return;
        }
        let (start, end) = full.range_from_px_selection(a, b);
        focus.viewport.update(|v| *v = v.set_range(start, end));
    };
    let on_leave = move |_| selection.set(None);
    // Through `use_wheel` (non-passive), so that zooming here does not also scroll the page.
    use_wheel(canvas_ref, move |ev: WheelEvent| {
        ev.prevent_default();
        let width = size.get_untracked().0;
        let full = full_viewport(width);
        let window = focus.viewport.get_untracked();
        // Zoom around the pointer's time, expressed in the main view's pixels.
        let t = full.nanos_from_px(x_of(&ev));
        let anchor = window.px_from_nanos(t);
        focus.viewport.update(|v| *v = v.zoom(anchor, (-ev.delta_y() * 0.0025).exp()));
    });
    let zoomed = move || focus.viewport.with(|v| v.visible_nanos() < (v.bounds_end_nanos - v.bounds_start_nanos));

    view! {
        <div class="sl-minimap" data-testid="minimap">
            <div class="sl-minimap__canvas-host" node_ref=host_ref>
                <canvas
                    node_ref=canvas_ref
                    class="sl-minimap__canvas"
                    on:mousedown=on_down
                    on:mousemove=on_move
                    on:mouseup=on_up
                    on:mouseleave=on_leave
                    on:dblclick=move |_| focus.viewport.update(|v| *v = v.reset())
                    aria-label="Trace overview: drag to zoom into a time range"
                    role="img"
                ></canvas>
            </div>
            <button
                class="sl-button sl-button--small"
                data-testid="zoom-reset"
                disabled=move || !zoomed()
                on:click=move |_| focus.viewport.update(|v| *v = v.reset())
                title="Reset zoom (0)"
            >
                "Reset zoom"
            </button>
        </div>
    }
    .into_any()
}
