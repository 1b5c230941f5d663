//! The spanlens trace model.
//!
//! A [`TraceSet`] holds everything loaded: [`Trace`]s whose spans live in flat arenas addressed by
//! index, a shared string [`Interner`], resources and scopes, and structured [`Warning`]s. Times are
//! integer nanoseconds since the Unix epoch. Ids are integers ([`TraceId`] is 128-bit, [`SpanId`]
//! 64-bit). Nothing here recurses over the span tree.
//!
//! Importers (one per format, in the `spanlens-formats` crate) push spans into a [`TraceSetBuilder`],
//! which stitches spans of the same trace across files and builds each trace's [`Tree`]. This crate
//! is the core every other crate shares, including the UI bundle, which never compiles an importer.

pub mod absorb;
pub mod base64;
pub mod builder;
pub mod error;
pub mod ids;
pub mod interner;
pub mod sorting;
pub mod span;
pub mod sym_slots;
pub mod trace;
pub mod tree;
pub mod value;
pub mod warnings;

pub use absorb::AbsorbContext;
pub use builder::TraceSetBuilder;
pub use error::{ImportError, Position};
pub use ids::{SpanId, TraceId};
pub use interner::{Interner, Sym};
pub use span::{
    DroppedCounts, Event, Link, Resource, ResourceIdx, Scope, ScopeIdx, SourceIdx, Span, SpanKind, Status, StatusCode,
};
pub use sym_slots::SymSlots;
pub use trace::{SourceInfo, Trace, TraceSet};
pub use tree::{NONE, Tree};
pub use value::{AnyValue, Attribute};
pub use warnings::{MissingDurations, Warning, WarningKind};

/// Formats a nanosecond duration the way trace viewers do: `4.02s`, `350ms`, `12.5µs`, `800ns`.
pub fn format_duration(nanos: i64) -> String {
    let abs = nanos.unsigned_abs();
    let sign = if nanos < 0 { "-" } else { "" };
    let (value, unit) = if abs >= 60_000_000_000 {
        let minutes = abs / 60_000_000_000;
        let seconds = (abs % 60_000_000_000) as f64 / 1e9;
        return format!("{sign}{minutes}m{}s", trim_float(seconds, 1));
    } else if abs >= 1_000_000_000 {
        (abs as f64 / 1e9, "s")
    } else if abs >= 1_000_000 {
        (abs as f64 / 1e6, "ms")
    } else if abs >= 1_000 {
        (abs as f64 / 1e3, "µs")
    } else {
        return format!("{sign}{abs}ns");
    };
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{sign}{}{unit}", trim_float(value, decimals))
}

fn trim_float(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_trace_viewer() {
        assert_eq!(format_duration(800), "800ns");
        assert_eq!(format_duration(12_500), "12.5µs");
        assert_eq!(format_duration(350_000_000), "350ms");
        assert_eq!(format_duration(4_020_000_000), "4.02s");
        assert_eq!(format_duration(3_200_000_000), "3.2s");
        assert_eq!(format_duration(90_000_000_000), "1m30s");
        assert_eq!(format_duration(-5_000), "-5µs");
        assert!(format_duration(i64::MIN).starts_with("-153722867m"));
    }

    #[test]
    fn span_memory_stays_small() {
        // The model budget is 200 bytes per span excluding attribute payload; the tree adds ~33.
        assert!(std::mem::size_of::<Span>() <= 160, "Span is {} bytes", std::mem::size_of::<Span>());
    }
}
