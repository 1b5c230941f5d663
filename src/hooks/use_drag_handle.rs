//! A divider the user drags (the waterfall's label column, the detail panel's width): pointer capture
//! on press, `on_drag(client_x)` while held, released on pointer-up.

use leptos::prelude::*;
use wasm_bindgen::JsCast as _;
use web_sys::PointerEvent;

/// The three handlers to put on the divider element: `on:pointerdown`, `on:pointermove`, `on:pointerup`.
pub fn use_drag_handle(
    on_drag: impl Fn(f64) + Copy + 'static,
) -> (impl Fn(PointerEvent) + Copy, impl Fn(PointerEvent) + Copy, impl Fn(PointerEvent) + Copy) {
    let dragging = StoredValue::new(false);
    let down = move |ev: PointerEvent| {
        dragging.set_value(true);
        // Capture keeps the moves coming when the pointer leaves the thin divider.
        if let Some(target) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            target.set_pointer_capture(ev.pointer_id()).ok();
        }
    };
    let moved = move |ev: PointerEvent| {
        if dragging.get_value() {
            on_drag(f64::from(ev.client_x()));
        }
    };
    let up = move |_: PointerEvent| dragging.set_value(false);
    (down, moved, up)
}
