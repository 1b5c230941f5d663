//! User Timing marks that benchmark harnesses and end-to-end tests read.

pub const LOAD_START: &str = "spanlens:load:start";
pub const PARSED: &str = "spanlens:parsed";
pub const FIRST_PAINT: &str = "spanlens:first-paint";

pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        // A failed mark only loses a measurement; never worth interrupting the user for.
        performance.mark(name).ok();
    }
}

/// Milliseconds since page start, for log lines.
pub fn now_millis() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
