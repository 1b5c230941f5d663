//! User Timing marks that benchmark harnesses and end-to-end tests read.

pub const LOAD_START: &str = "spanlens:load:start";
pub const PARSED: &str = "spanlens:parsed";
pub const FIRST_PAINT: &str = "spanlens:first-paint";
/// Finer phases of a load, for finding where load time goes.
pub const FETCHED: &str = "spanlens:load:fetched";
pub const RECEIVED: &str = "spanlens:load:received";
/// The app's wasm runs its first line; and a fetched body's first piece goes to the worker.
pub const APP_START: &str = "spanlens:app:start";
pub const FIRST_CHUNK: &str = "spanlens:load:first-chunk";
pub const WORKER_READ: &str = "spanlens:worker:read";
pub const WORKER_IMPORT: &str = "spanlens:worker:import";
pub const WORKER_BUSY: &str = "spanlens:worker:busy";
/// A worker was created, and its wasm started (its `main`), on the page's clock.
pub const WORKER_CREATED: &str = "spanlens:worker:created";
pub const WORKER_MAIN: &str = "spanlens:worker:main";
/// The parsing worker and the UI thread have run their JIT warm-up (`state::warm_up`): a harness
/// that wants to measure a load the way a user who opened the page a moment ago sees it waits for
/// this first.
pub const WARM: &str = "spanlens:warm";

/// Each waterfall frame is measured from this mark as a `spanlens:draw` measure, so harnesses can read
/// per-frame draw times.
pub const DRAW_BEGIN: &str = "spanlens:draw:begin";
pub const DRAW: &str = "spanlens:draw";
/// The same per frame for the flame graph, the service graph, and their derived data.
pub const FLAME_DRAW_BEGIN: &str = "spanlens:flame-draw:begin";
pub const FLAME_DRAW: &str = "spanlens:flame-draw";
pub const FLAME_BUILD_BEGIN: &str = "spanlens:flame-build:begin";
pub const FLAME_BUILD: &str = "spanlens:flame-build";
pub const GRAPH_DRAW_BEGIN: &str = "spanlens:graph-draw:begin";
pub const GRAPH_DRAW: &str = "spanlens:graph-draw";
pub const GRAPH_LAYOUT_BEGIN: &str = "spanlens:graph-layout:begin";
pub const GRAPH_LAYOUT: &str = "spanlens:graph-layout";
pub const STATS_BUILD_BEGIN: &str = "spanlens:stats-build:begin";
pub const STATS_BUILD: &str = "spanlens:stats-build";

pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        // A failed mark only loses a measurement; never worth interrupting the user for.
        performance.mark(name).ok();
    }
}

pub fn measure(name: &str, start_mark: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.measure_with_start_mark(name, start_mark).ok();
    }
}

/// Records a duration measured elsewhere (the worker has its own clock) as a measure ending now.
pub fn record_duration(name: &str, millis: f64) {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else { return };
    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::{JsCast as _, JsValue};
    // web-sys has no binding for the options form of `measure`, so it is called through Reflect.
    let options = Object::new();
    Reflect::set(&options, &"duration".into(), &JsValue::from_f64(millis)).ok();
    Reflect::set(&options, &"end".into(), &JsValue::from_f64(performance.now())).ok();
    if let Some(measure) =
        Reflect::get(&performance, &"measure".into()).ok().and_then(|f| f.dyn_into::<Function>().ok())
    {
        measure.call2(&performance, &JsValue::from_str(name), &options).ok();
    }
}

/// A mark at a moment another clock measured, given in milliseconds since the epoch.
pub fn mark_at_epoch(name: &str, epoch_millis: f64) {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else { return };
    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::{JsCast as _, JsValue};
    let start = epoch_millis - performance.time_origin();
    if !start.is_finite() || start < 0.0 {
        return;
    }
    // web-sys has no binding for `mark`'s options either.
    let options = Object::new();
    Reflect::set(&options, &"startTime".into(), &JsValue::from_f64(start)).ok();
    if let Some(mark) = Reflect::get(&performance, &"mark".into()).ok().and_then(|f| f.dyn_into::<Function>().ok()) {
        mark.call2(&performance, &JsValue::from_str(name), &options).ok();
    }
}

/// Milliseconds since page start, for log lines.
pub fn now_millis() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
