//! The trace fetch `index.html` starts for a `?url=` link before the app's wasm has loaded (see the
//! inline script there): the first request for the same URL takes its answer instead of asking again.

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::AbortController;

/// A fetch already under way: its `Promise<Response>` and the controller that cancels it.
pub struct EarlyFetch {
    pub response: js_sys::Promise,
    pub controller: AbortController,
}

/// `window.__spanlensEarly`, the object the inline script leaves for the app.
pub(crate) fn early_object() -> Option<js_sys::Object> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &JsValue::from_str("__spanlensEarly")).ok()?.dyn_into::<js_sys::Object>().ok()
}

/// Takes (once) the early fetch of `url`, resolved against the document's base as the browser's
/// fetch resolves it. Any other URL, or a second request for it, is fetched as usual.
pub fn take_fetch(url: &str) -> Option<EarlyFetch> {
    let early = early_object()?;
    let key = JsValue::from_str("fetch");
    let fetch = js_sys::Reflect::get(&early, &key).ok()?.dyn_into::<js_sys::Object>().ok()?;
    let base = web_sys::window()?.document()?.base_uri().ok()??;
    let wanted = web_sys::Url::new_with_base(url, &base).ok()?.href();
    let started = js_sys::Reflect::get(&fetch, &JsValue::from_str("url")).ok()?.as_string()?;
    if started != wanted {
        return None;
    }
    js_sys::Reflect::delete_property(&early, &key).ok();
    Some(EarlyFetch {
        response: js_sys::Reflect::get(&fetch, &JsValue::from_str("response")).ok()?.dyn_into().ok()?,
        controller: js_sys::Reflect::get(&fetch, &JsValue::from_str("controller")).ok()?.dyn_into().ok()?,
    })
}
