//! What the "only critical" filter shows, in numbers the toolbar can say: how many spans are on the
//! critical path, the time it covers, and how many spans started after it ended (the critical path
//! runs from each root's start to its end, so work that outlives the root is never on it: that is
//! what makes a trace whose root returns early show a short path).

use crate::critical_path::CriticalPath;
use spanlens_model::Trace;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriticalSummary {
    pub spans_on_path: usize,
    /// From the first section's start to the last section's end, in nanoseconds.
    pub covered_nanos: i64,
    /// Spans that start at or after the path's end: they outlived what the trace waited for.
    pub started_after_path: usize,
}

pub fn critical_summary(trace: &Trace, cp: &CriticalPath) -> CriticalSummary {
    let spans_on_path = (0..trace.spans.len() as u32).filter(|&i| cp.is_on_critical_path(i)).count();
    let start = cp.segments().iter().map(|s| s.start_nanos).min();
    let end = cp.segments().iter().map(|s| s.end_nanos).max();
    let (covered_nanos, started_after_path) = match (start, end) {
        (Some(start), Some(end)) => {
            let after = trace.spans.iter().filter(|s| s.start_nanos >= end).count();
            (end.saturating_sub(start), after)
        }
        _ => (0, 0),
    };
    CriticalSummary { spans_on_path, covered_nanos, started_after_path }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::critical_path::critical_path;
    use crate::test_util::{build, s, trace};

    #[test]
    fn a_root_that_returns_early_has_a_short_path_and_later_work_is_counted() {
        // The root answers at 100; a child runs on until 300 and another starts at 150 (fire and forget).
        let set = build(&[s(1, 0, 0, 100), s(2, 1, 10, 290), s(3, 1, 150, 50), s(4, 1, 20, 30)]);
        let t = trace(&set);
        let cp = critical_path(t);
        let summary = critical_summary(t, &cp);
        assert_eq!(summary.covered_nanos, 100);
        assert_eq!(summary.started_after_path, 1);
        assert!(summary.spans_on_path >= 2 && summary.spans_on_path <= 3, "{summary:?}");
    }

    #[test]
    fn empty_trace_has_an_empty_summary() {
        let set = build(&[]);
        let summary = set.traces.first().map(|t| critical_summary(t, &critical_path(t)));
        assert!(summary.is_none_or(|s| s.spans_on_path == 0 && s.covered_nanos == 0));
    }
}
