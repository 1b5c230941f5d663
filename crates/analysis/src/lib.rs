//! Trace analysis for spanlens: what the views show about a trace, computed once per trace and shared
//! by every view (critical path, self times, the header's summary, find).
//!
//! Nothing here touches the DOM or knows about pixels: every function takes model data and returns
//! plain, serde-friendly data, so it is tested natively. Times are `i64` nanoseconds. No function
//! recurses over the span tree: real traces are 70,000+ levels deep and wasm stacks are small.

// Tests may unwrap: a panic there is a failed assertion. Library code is checked without cfg(test).
#![cfg_attr(any(test, feature = "test-util"), allow(clippy::unwrap_used, clippy::expect_used))]

pub mod bitset;
pub mod compare;
pub mod critical_path;
pub mod critical_summary;
pub mod find;
pub mod flame;
pub mod flame_table;
pub mod histogram;
pub mod http;
pub mod overview;
pub mod path_merge;
pub mod service_graph;
pub mod summary;

#[cfg(any(test, feature = "test-util"))]
#[doc(hidden)]
pub mod test_util;

pub use bitset::BitSet;
pub use compare::{DiffClass, DiffMetric, DiffNode, DiffSide, TraceDiff, compare};
pub use critical_path::{CriticalPath, Segment, critical_path, self_times};
pub use find::{FindQuery, find_spans, hide_non_matching, visible_with_ancestors};
pub use flame::{FlameGraph, FlameMode, FlameTableRow, Frame, flame_graph, flame_table};
pub use summary::{ServiceTotals, TraceSummary, summarize};
pub mod stats;
pub use stats::{GroupKey, SpanRef, StatsColumn, StatsRow, StatsTable, stats, trace_stats};
