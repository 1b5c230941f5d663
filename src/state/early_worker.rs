//! The parsing worker `index.html` starts for a page opened on a trace link, before the app's wasm
//! has loaded (see the inline script there): the loader adopts it instead of starting its own, so
//! the worker's download, compile and start-up overlap the app's.

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::Worker;

/// Takes (once) the early worker and the messages it has posted so far (its `ready`, in order).
pub fn take() -> Option<(Worker, Vec<JsValue>)> {
    let early = crate::api::early::early_object()?;
    let key = JsValue::from_str("worker");
    let worker: Worker = js_sys::Reflect::get(&early, &key).ok()?.dyn_into().ok()?;
    js_sys::Reflect::delete_property(&early, &key).ok();
    // From here on the loader's handler receives the messages; what came before is handed over.
    worker.set_onmessage(None);
    let messages = js_sys::Reflect::get(&early, &JsValue::from_str("messages"))
        .ok()
        .and_then(|m| m.dyn_into::<js_sys::Array>().ok())
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    Some((worker, messages))
}

#[cfg(test)]
mod tests {
    /// The inline script names its worker as the worker expects a busy one to be named.
    #[test]
    fn index_html_names_the_early_worker_as_the_protocol_does() {
        let html = include_str!("../../index.html");
        let named = format!("name: \"{}\"", spanlens_protocol::BUSY_WORKER_NAME);
        assert!(html.contains(&named), "index.html must start the early worker with {named}");
        assert!(html.contains("__spanlensEarly"), "index.html must leave the early worker and fetch for the app");
    }
}
