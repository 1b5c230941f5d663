//! A non-passive `wheel` listener on an element, removed when the owner is cleaned up.
//!
//! Leptos' `on:wheel` attaches passive listeners, which may not call `preventDefault`, so Ctrl+wheel
//! would zoom the page instead of the timeline. This hook attaches by hand and, unlike a
//! `Closure::forget`, frees the closure and detaches it when the component goes away (or the element
//! is replaced).

use leptos::html::ElementType;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{AddEventListenerOptions, EventTarget, WheelEvent};

type Listener = (EventTarget, Closure<dyn Fn(WheelEvent)>);

/// Calls `on_wheel` for every wheel event over `target`; `on_wheel` may call `preventDefault`.
pub fn use_wheel<E>(target: NodeRef<E>, on_wheel: impl Fn(WheelEvent) + Clone + 'static)
where
    E: ElementType,
    E::Output: JsCast + Clone + Into<EventTarget> + 'static,
{
    let attached = StoredValue::new_local(None::<Listener>);
    let detach = move || {
        if let Some(Some((el, handler))) = attached.try_update_value(Option::take) {
            el.remove_event_listener_with_callback("wheel", handler.as_ref().unchecked_ref()).ok();
        }
    };
    Effect::new(move |_| {
        let Some(el) = target.get() else { return };
        detach();
        let el: EventTarget = el.into();
        let handler = Closure::<dyn Fn(WheelEvent)>::new(on_wheel.clone());
        let options = AddEventListenerOptions::new();
        options.set_passive(false);
        el.add_event_listener_with_callback_and_add_event_listener_options(
            "wheel",
            handler.as_ref().unchecked_ref(),
            &options,
        )
        .ok();
        attached.set_value(Some((el, handler)));
    });
    on_cleanup(detach);
}
