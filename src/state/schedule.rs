//! Yielding to the browser between slices of work on the main thread.

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;

/// Resolves in a new task, after the browser has had a chance to paint. A message through a fresh
/// channel rather than a zero-delay timeout: timeouts nested five deep are held back at least 4 ms
/// each, and decoding a million spans yields a few hundred times.
pub async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let posted = web_sys::MessageChannel::new().ok().is_some_and(|channel| {
            channel.port1().set_onmessage(Some(resolve.unchecked_ref()));
            channel.port2().post_message(&JsValue::NULL).is_ok()
        });
        if !posted && let Some(window) = web_sys::window() {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).ok();
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.ok();
}

/// Resolves in a task at least `millis` from now.
pub(crate) async fn after_millis(millis: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis).ok();
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.ok();
}
