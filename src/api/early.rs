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
    let fetches: js_sys::Array = js_sys::Reflect::get(&early, &JsValue::from_str("fetches")).ok()?.dyn_into().ok()?;
    if fetches.length() == 0 {
        return None;
    }
    let base = web_sys::window()?.document()?.base_uri().ok()??;
    let wanted = web_sys::Url::new_with_base(url, &base).ok()?.href();
    let field = |entry: &JsValue, name: &str| js_sys::Reflect::get(entry, &JsValue::from_str(name)).ok();
    let index =
        fetches.iter().position(|entry| field(&entry, "url").and_then(|u| u.as_string()) == Some(wanted.clone()))?;
    let entry = fetches.get(index as u32);
    // Taken: a second request for the URL is the caller's own.
    js_sys::Reflect::delete_property(entry.unchecked_ref::<js_sys::Object>(), &JsValue::from_str("url")).ok();
    Some(EarlyFetch {
        response: field(&entry, "response")?.dyn_into().ok()?,
        controller: field(&entry, "controller")?.dyn_into().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use spanlens_backends::{Backend, BackendKind};

    /// index.html builds a backend trace link's URL itself (before the wasm runs); its paths must be
    /// the backends crate's, or the early answer is never taken and the trace is fetched twice.
    #[test]
    fn index_html_builds_trace_urls_as_the_backends_crate_does() {
        let html = include_str!("../../index.html");
        for kind in [BackendKind::Jaeger, BackendKind::JaegerV3, BackendKind::Tempo, BackendKind::Zipkin] {
            let url = Backend::new("x", kind, "/b/").trace_url("abc123");
            let path = url.trim_start_matches("/b").trim_end_matches("abc123");
            let entry = format!("\"{}\": \"{path}\"", kind.as_str());
            assert!(html.contains(&entry), "index.html must map {entry}");
        }
    }
}
