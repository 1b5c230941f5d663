//! The spanlens browser app: UI and browser I/O only. Parsing, layout and TraceQL live in the pure
//! crates under `crates/`.

pub mod api;
pub mod app;
pub mod charts;
pub mod chunks;
pub mod components;
pub mod format;
pub mod hooks;
pub mod pages;
pub mod render;
pub mod state;
pub mod theme;
pub mod timing;
pub mod url;
pub mod views;

pub use app::App;

/// Bytes of linear memory of this (the UI thread's) wasm instance, for the benchmark harness. The
/// parsing worker is terminated after each load, so this is the app's whole wasm heap after a load.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn spanlens_wasm_memory_bytes() -> f64 {
    use wasm_bindgen::JsCast as _;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| m.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64)
        .unwrap_or(0.0)
}
