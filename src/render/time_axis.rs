//! Tick labels for a time axis measured in milliseconds from an origin, shared by the charts
//! (the search results' scatter plot, the metrics chart).

use crate::format::format_timestamp;

/// The label at `offset_ms` after `origin_nanos` on an axis `span_ms` wide: dates when the axis
/// spans days, clock times otherwise, with milliseconds under 10 s (one loaded trace).
pub fn time_label(origin_nanos: i64, span_ms: f64, offset_ms: f64) -> String {
    let stamp = format_timestamp(origin_nanos.saturating_add((offset_ms * 1e6) as i64), false);
    let (date, time) = stamp.split_at(stamp.len().min(10));
    if span_ms > 2.0 * 86_400_000.0 {
        date.to_owned()
    } else if span_ms < 10_000.0 {
        time.trim().chars().take(12).collect()
    } else {
        time.trim().chars().take(8).collect()
    }
}
