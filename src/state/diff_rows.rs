//! Which nodes of a trace comparison the table lists, in what order: the merged tree in pre-order
//! (parents above children, as a tree reads), or ranked by how much a node's time changed, filtered
//! to what changed or what got slower.

use spanlens_analysis::compare::{DiffClass, DiffMetric, TraceDiff};
use spanlens_model::NONE;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFilter {
    All,
    /// Nodes whose span counts differ (added, removed, more, fewer) or whose time changed.
    Changed,
    /// Nodes whose total time grew.
    Slower,
}

impl DiffFilter {
    pub fn param(self) -> Option<&'static str> {
        match self {
            DiffFilter::All => None,
            DiffFilter::Changed => Some("changed"),
            DiffFilter::Slower => Some("slower"),
        }
    }

    pub fn from_param(value: Option<&str>) -> DiffFilter {
        match value {
            Some("changed") => DiffFilter::Changed,
            Some("slower") => DiffFilter::Slower,
            _ => DiffFilter::All,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffOrder {
    Tree,
    Ranked(DiffMetric),
}

/// Node indices of `diff` to list. Pre-order is built with an explicit stack: merged trees of deep
/// traces are as deep as the traces.
pub fn diff_rows(diff: &TraceDiff, filter: DiffFilter, order: DiffOrder) -> Vec<u32> {
    let keep = |i: u32| {
        let Some(n) = diff.nodes.get(i as usize) else { return false };
        match filter {
            DiffFilter::All => true,
            DiffFilter::Changed => n.class != DiffClass::Same || n.change_nanos() != 0,
            DiffFilter::Slower => n.change_nanos() > 0,
        }
    };
    match order {
        DiffOrder::Ranked(metric) => diff.ranked(metric).into_iter().filter(|&i| keep(i)).collect(),
        DiffOrder::Tree => {
            let mut out = Vec::with_capacity(diff.nodes.len());
            let roots: Vec<u32> =
                (0..diff.nodes.len() as u32).filter(|&i| diff.nodes[i as usize].parent == NONE).collect();
            let mut stack: Vec<u32> = roots.into_iter().rev().collect();
            while let Some(i) = stack.pop() {
                if keep(i) {
                    out.push(i);
                }
                if let Some(n) = diff.nodes.get(i as usize) {
                    stack.extend((n.child_start..n.child_start + n.child_len).rev());
                }
            }
            out
        }
    }
}

/// How a latency change reads: "+120 ms (+35%)"; `None` when the node is on one side only.
pub fn change_percent(a_nanos: i64, b_nanos: i64) -> Option<f64> {
    (a_nanos > 0).then(|| (b_nanos - a_nanos) as f64 * 100.0 / a_nanos as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spanlens_analysis::compare::compare;
    use spanlens_analysis::test_util::{build, s, trace};

    #[test]
    fn filters_and_orders() {
        let a = build(&[s(1, 0, 0, 100).svc("api").name("GET"), s(2, 1, 10, 40).svc("db").name("query")]);
        let b = build(&[s(1, 0, 0, 180).svc("api").name("GET"), s(2, 1, 10, 120).svc("db").name("query")]);
        let diff = compare(trace(&a), &a.strings, trace(&b), &b.strings);
        let tree = diff_rows(&diff, DiffFilter::All, DiffOrder::Tree);
        assert_eq!(tree.len(), diff.nodes.len());
        assert_eq!(diff.nodes[tree[0] as usize].parent, NONE, "roots come first");
        let slower = diff_rows(&diff, DiffFilter::Slower, DiffOrder::Ranked(DiffMetric::Total));
        assert_eq!(slower.len(), 2);
        assert!(diff.nodes[slower[0] as usize].change_nanos() >= diff.nodes[slower[1] as usize].change_nanos());
        assert_eq!(DiffFilter::from_param(DiffFilter::Slower.param()), DiffFilter::Slower);
        assert_eq!(change_percent(100, 150), Some(50.0));
        assert_eq!(change_percent(0, 150), None);
    }
}
