//! The waterfall canvas: one canvas drawing only the visible rows, inside a native scroll container.
//!
//! A tall spacer gives the container its scroll height and the canvas is `position: sticky`, so wheel,
//! trackpad, scrollbar and keyboard scrolling behave natively while the DOM stays a few nodes no matter
//! how many spans there are.

use crate::hooks::{use_canvas_2d, use_drag_handle, use_element_size, use_wheel};
use crate::render::waterfall::{self, AXIS_HEIGHT_PX, ROW_HEIGHT_PX, WaterfallFrame};
use crate::state::{AppState, Focus, Shared, TraceAnalysis, TraceChrome};
use crate::views::waterfall::WaterfallState;
use crate::views::waterfall::tooltip::Tooltip;
use leptos::html;
use leptos::prelude::*;
use spanlens_analysis::bitset::BitSet;
use spanlens_layout::hit_test::{HitTarget, hit_test};
use spanlens_layout::rows::Rows;
use spanlens_layout::viewport::Viewport;
use web_sys::{MouseEvent, WheelEvent};

/// What one frame of the waterfall shows.
struct FrameInputs {
    rows: Shared<Rows>,
    /// The find matches, when the find box has text.
    matches: Option<Shared<BitSet>>,
    viewport: Viewport,
    critical: bool,
    label_width_px: f64,
    scroll_top_px: f64,
    selected: Option<u32>,
    hover: Option<HitTarget>,
}

const MIN_LABEL_PX: f64 = 180.0;
const MIN_TIMELINE_PX: f64 = 200.0;
/// Pointer travel before a press on the timeline becomes a pan rather than a click.
const DRAG_THRESHOLD_PX: f64 = 4.0;

#[derive(Clone, Copy, Default)]
struct Drag {
    start_x: f64,
    last_x: f64,
    panning: bool,
}

#[component]
pub fn Waterfall() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    let wf = WaterfallState::from_context();
    let chrome_state = TraceChrome::from_context();
    let app = AppState::from_context();
    let scroll_ref = NodeRef::<html::Div>::new();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let size = use_element_size(scroll_ref);
    let scroll_top = RwSignal::new(0.0f64);
    let painted_rows = RwSignal::new(None::<usize>);
    let pointer = RwSignal::new(None::<(f64, f64)>);
    let drag = StoredValue::new(None::<Drag>);

    let timeline_width = move || (size.get().0 - wf.label_width_px.get()).max(MIN_TIMELINE_PX);
    // The DOM decides the timeline's width; the viewport carries it for pixel maths.
    Effect::new(move |_| {
        let width = timeline_width();
        if focus.viewport.with_untracked(|v| (v.width_px - width).abs() > 0.5) {
            focus.viewport.update(|v| *v = v.with_width(width));
        }
    });

    // Everything the picture depends on, read tracked (see `use_canvas_2d`).
    let inputs = move || FrameInputs {
        rows: wf.rows.get(),
        matches: focus.find_text.with(|t| !t.trim().is_empty()).then(|| focus.match_set.get()),
        viewport: focus.viewport.get(),
        critical: focus.show_critical.get(),
        label_width_px: wf.label_width_px.get(),
        scroll_top_px: scroll_top.get(),
        selected: focus.selected.get(),
        hover: wf.hover.get(),
    };
    use_canvas_2d(
        canvas_ref,
        move || size.get(),
        inputs,
        move |frame, input| {
            crate::timing::mark(crate::timing::DRAW_BEGIN);
            let painted = analysis.data.with_value(|d| {
                analysis.colors.with_value(|colors| {
                    analysis.critical.with_value(|cp| {
                        waterfall::draw(
                            frame.ctx,
                            &WaterfallFrame {
                                set: d.set(),
                                trace: d.trace(),
                                rows: &input.rows,
                                viewport: &input.viewport,
                                width_px: frame.width_px,
                                height_px: frame.height_px,
                                label_width_px: input.label_width_px,
                                scroll_top_px: input.scroll_top_px,
                                selected: input.selected,
                                hover: input.hover,
                                matches: input.matches.as_deref(),
                                critical: input.critical.then_some(&**cp),
                                colors,
                                theme: frame.theme,
                                chrome: frame.chrome,
                            },
                        )
                    })
                })
            });
            crate::timing::measure(crate::timing::DRAW, crate::timing::DRAW_BEGIN);
            // Tell the detail panel when the selected span has no row (collapsed away or filtered out).
            let hidden = input
                .selected
                .is_some_and(|s| analysis.data.with_value(|d| input.rows.row_of_span(&d.trace().tree, s).is_none()));
            if focus.selected_hidden.try_get_untracked() != Some(hidden) {
                focus.selected_hidden.try_set(hidden);
            }
            painted_rows.try_set(Some(painted));
            if painted > 0 && chrome_state.first_frame_drawn.try_get_untracked() == Some(false) {
                chrome_state.first_frame_drawn.try_set(true);
            }
            // The first frame with rows after a load is what users wait for; harnesses measure to it.
            if painted > 0 && app.paint_pending.try_get_value() == Some(true) {
                app.paint_pending.try_set_value(false);
                crate::timing::mark(crate::timing::FIRST_PAINT);
            }
        },
    );

    // Scroll a requested span's row into view (selection from find, keyboard, deep link).
    Effect::new(move |_| {
        let Some(span) = wf.scroll_request.get() else { return };
        let (Some(el), (_, h)) = (scroll_ref.get(), size.get()) else { return };
        if h <= 0.0 {
            return;
        }
        let current = f64::from(el.scroll_top());
        // Moves as little as keeps the row in view when it is near, and centres it when it is far
        // (the tested rule in `RowMetrics::scroll_to_row`).
        let target = wf.rows.with(|r| {
            let row = analysis.data.with_value(|d| r.row_of_span(&d.trace().tree, span))?;
            Some(waterfall::metrics().scroll_to_row(r, row, current, h - AXIS_HEIGHT_PX))
        });
        let Some(target) = target else { return };
        if (target - current).abs() >= 0.5 {
            el.set_scroll_top(target.round() as i32);
        }
        wf.scroll_request.set(None);
    });

    let hit = move |x: f64, y: f64| -> Option<HitTarget> {
        let label_w = wf.label_width_px.get_untracked();
        let rows = wf.rows.get_untracked();
        let viewport = focus.viewport.get_untracked();
        analysis
            .data
            .with_value(|d| {
                hit_test(
                    d.trace(),
                    &rows,
                    &waterfall::metrics(),
                    &viewport,
                    scroll_top.get_untracked(),
                    x - label_w,
                    y - AXIS_HEIGHT_PX,
                )
            })
            .filter(|_| y >= AXIS_HEIGHT_PX)
            .map(|t| if x < label_w { as_row(t) } else { t })
    };

    let local_xy = move |ev: &MouseEvent| -> (f64, f64) {
        let Some(canvas) = canvas_ref.get_untracked() else { return (0.0, 0.0) };
        let rect = canvas.get_bounding_client_rect();
        (f64::from(ev.client_x()) - rect.left(), f64::from(ev.client_y()) - rect.top())
    };

    let on_mouse_move = move |ev: MouseEvent| {
        let (x, y) = local_xy(&ev);
        if let Some(mut d) = drag.get_value()
            && (d.panning || (x - d.start_x).abs() > DRAG_THRESHOLD_PX)
        {
            d.panning = true;
            let dx = x - d.last_x;
            d.last_x = x;
            drag.set_value(Some(d));
            focus.viewport.update(|v| *v = v.pan_px(-dx));
            return;
        }
        pointer.set(Some((x, y)));
        let target = hit(x, y);
        if wf.hover.get_untracked() != target {
            wf.hover.set(target);
            focus.hovered.set(target.map(|t| target_row_span(t).1));
        }
    };
    let on_mouse_down = move |ev: MouseEvent| {
        let (x, _) = local_xy(&ev);
        if ev.button() == 0 && x > wf.label_width_px.get_untracked() {
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
        let Some(target) = hit(x, y) else { return };
        let (row, span) = target_row_span(target);
        let on_toggle = wf.rows.with_untracked(|r| {
            r.row(row).is_some_and(|r| {
                let tx = waterfall::toggle_x(r.depth, wf.label_width_px.get_untracked());
                r.has_children && x >= tx - 4.0 && x <= tx + 16.0
            })
        });
        if on_toggle {
            let collapsed = wf.rows.with_untracked(|r| r.row(row).is_some_and(|r| r.collapsed));
            wf.set_collapsed(span, !collapsed);
        } else {
            focus.select(Some(span));
        }
    };
    let on_mouse_leave = move |_| {
        drag.set_value(None);
        pointer.set(None);
        wf.hover.set(None);
        focus.hovered.set(None);
    };
    let on_scroll = move |_| {
        if let Some(el) = scroll_ref.get_untracked() {
            scroll_top.set(f64::from(el.scroll_top()));
        }
    };

    // Ctrl/⌘ + wheel (and trackpad pinch) zooms around the pointer; horizontal wheel pans. Non-passive,
    // so that it can stop the page from zooming instead.
    use_wheel(scroll_ref, move |ev: WheelEvent| {
        let Some(canvas) = canvas_ref.get_untracked() else { return };
        let x = f64::from(ev.client_x()) - canvas.get_bounding_client_rect().left() - wf.label_width_px.get_untracked();
        if ev.ctrl_key() || ev.meta_key() {
            ev.prevent_default();
            let factor = (-ev.delta_y() * 0.0025).exp();
            focus.viewport.update(|v| *v = v.zoom(x.max(0.0), factor));
        } else if ev.delta_x().abs() > ev.delta_y().abs() || ev.shift_key() {
            ev.prevent_default();
            let dx = if ev.delta_x() != 0.0 { ev.delta_x() } else { ev.delta_y() };
            focus.viewport.update(|v| *v = v.pan_px(dx));
        }
    });

    // Dragging the column divider resizes the label column.
    let (on_resize_down, on_resize_move, on_resize_up) = use_drag_handle(move |client_x| {
        let Some(canvas) = canvas_ref.get_untracked() else { return };
        let x = client_x - canvas.get_bounding_client_rect().left();
        let max = (size.get_untracked().0 - MIN_TIMELINE_PX).max(MIN_LABEL_PX);
        wf.label_width_px.set(x.clamp(MIN_LABEL_PX, max));
    });

    let content_height = move || AXIS_HEIGHT_PX + wf.rows.with(|r| r.len()) as f64 * ROW_HEIGHT_PX;
    let spacer_height = move || (content_height() - size.get().1).max(0.0);

    view! {
        <div class="sl-wf" data-testid="waterfall" data-painted-rows=move || painted_rows.get().map(|n| n.to_string())>
            <div class="sl-wf__scroll" node_ref=scroll_ref on:scroll=on_scroll tabindex="-1">
                <canvas
                    class="sl-wf__canvas"
                    node_ref=canvas_ref
                    on:mousemove=on_mouse_move
                    on:mousedown=on_mouse_down
                    on:mouseup=on_mouse_up
                    on:mouseleave=on_mouse_leave
                    aria-label="Span waterfall"
                    role="img"
                ></canvas>
                <div class="sl-wf__spacer" style:height=move || format!("{}px", spacer_height())></div>
            </div>
            <div
                class="sl-wf__resizer"
                title="Drag to resize"
                style:left=move || format!("{}px", wf.label_width_px.get() - 3.0)
                on:pointerdown=on_resize_down
                on:pointermove=on_resize_move
                on:pointerup=on_resize_up
            ></div>
            <Tooltip pointer=pointer/>
        </div>
    }
    .into_any()
}

fn target_row_span(target: HitTarget) -> (usize, u32) {
    match target {
        HitTarget::Event { row, span, .. } | HitTarget::Bar { row, span } | HitTarget::Row { row, span } => (row, span),
    }
}

fn as_row(target: HitTarget) -> HitTarget {
    let (row, span) = target_row_span(target);
    HitTarget::Row { row, span }
}
