//! User Timing marks that benchmark harnesses and end-to-end tests read.

pub const LOAD_START: &str = "spanlens:load:start";
pub const PARSED: &str = "spanlens:parsed";
pub const FIRST_PAINT: &str = "spanlens:first-paint";
/// Each waterfall frame is measured from this mark as a `spanlens:draw` measure, so harnesses can read
/// per-frame draw times.
pub const DRAW_BEGIN: &str = "spanlens:draw:begin";
pub const DRAW: &str = "spanlens:draw";

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

/// Milliseconds since page start, for log lines.
pub fn now_millis() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
