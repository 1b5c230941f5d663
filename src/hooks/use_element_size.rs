//! The CSS-pixel size of an element, kept current with a `ResizeObserver`.

use leptos::prelude::*;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::{ResizeObserver, ResizeObserverEntry};

/// Returns `(width, height)` of the element's content box; `(0, 0)` until it is mounted.
pub fn use_element_size<E>(target: NodeRef<E>) -> ReadSignal<(f64, f64)>
where
    E: leptos::html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let (size, set_size) = signal((0.0, 0.0));
    let observer = StoredValue::new_local(None::<(ResizeObserver, Closure<dyn Fn(js_sys::Array)>)>);
    Effect::new(move |_| {
        let Some(el) = target.get() else { return };
        let Ok(el) = el.dyn_into::<web_sys::Element>() else { return };
        let callback = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            for entry in entries.iter() {
                if let Ok(entry) = entry.dyn_into::<ResizeObserverEntry>() {
                    let rect = entry.content_rect();
                    set_size.try_set((rect.width(), rect.height()));
                }
            }
        });
        let Ok(ro) = ResizeObserver::new(callback.as_ref().unchecked_ref()) else { return };
        ro.observe(&el);
        let rect = el.get_bounding_client_rect();
        set_size.set((f64::from(el.client_width()).max(0.0).min(rect.width()), f64::from(el.client_height())));
        observer.set_value(Some((ro, callback)));
    });
    on_cleanup(move || {
        observer.try_update_value(|o| {
            if let Some((ro, _)) = o.take() {
                ro.disconnect();
            }
        });
    });
    size
}

/// The device pixel ratio now (2 on HiDPI screens). Zoom changes it; canvases re-read it every frame.
pub fn device_pixel_ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0)
}
