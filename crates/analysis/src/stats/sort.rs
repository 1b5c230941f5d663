//! Sorting the table by any column (histograms of a row: `crate::histogram`).

use super::{StatsRow, StatsTable};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A column of the statistics table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatsColumn {
    Group,
    Count,
    Total,
    Avg,
    Min,
    Max,
    P50,
    P95,
    P99,
    SelfTotal,
    SelfAvg,
    SelfMin,
    SelfMax,
    Percent,
    Errors,
}

impl StatsColumn {
    fn compare(self, a: &StatsRow, b: &StatsRow) -> Ordering {
        let int = |r: &StatsRow| -> i64 {
            match self {
                StatsColumn::Group | StatsColumn::Percent => 0,
                StatsColumn::Count => i64::try_from(r.count).unwrap_or(i64::MAX),
                StatsColumn::Errors => i64::try_from(r.errors).unwrap_or(i64::MAX),
                StatsColumn::Total => r.total_nanos,
                StatsColumn::Avg => r.avg_nanos,
                StatsColumn::Min => r.min_nanos,
                StatsColumn::Max => r.max_nanos,
                StatsColumn::P50 => r.p50_nanos,
                StatsColumn::P95 => r.p95_nanos,
                StatsColumn::P99 => r.p99_nanos,
                StatsColumn::SelfTotal => r.self_total_nanos,
                StatsColumn::SelfAvg => r.self_avg_nanos,
                StatsColumn::SelfMin => r.self_min_nanos,
                StatsColumn::SelfMax => r.self_max_nanos,
            }
        };
        match self {
            StatsColumn::Group => a.group.cmp(&b.group),
            StatsColumn::Percent => a.percent_of_trace.total_cmp(&b.percent_of_trace),
            _ => int(a).cmp(&int(b)),
        }
    }
}

impl StatsTable {
    /// Row indices in display order sorted by `column`: first-level rows sorted among themselves,
    /// each followed by its detail rows sorted among themselves. Ties keep the table's order
    /// (first appearance), and a "Without tag" row stays last on its level: it is the remainder,
    /// not a value.
    pub fn sorted_order(&self, column: StatsColumn, descending: bool) -> Vec<u32> {
        let cmp = |a: &u32, b: &u32| {
            let (Some(ra), Some(rb)) = (self.rows.get(*a as usize), self.rows.get(*b as usize)) else {
                return Ordering::Equal;
            };
            ra.without_tag.cmp(&rb.without_tag).then_with(|| {
                let o = column.compare(ra, rb);
                if descending { o.reverse() } else { o }
            })
        };
        let mut top: Vec<u32> = Vec::new();
        // Detail rows per first-level row, by the first-level row's index.
        let mut details: Vec<(u32, Vec<u32>)> = Vec::new();
        for (i, r) in self.rows.iter().enumerate() {
            match r.parent {
                None => {
                    top.push(i as u32);
                    details.push((i as u32, Vec::new()));
                }
                Some(p) => {
                    if let Some(d) = details.iter_mut().rev().find(|d| d.0 == p) {
                        d.1.push(i as u32);
                    }
                }
            }
        }
        spanlens_model::sorting::sort_by(&mut top, cmp);
        let mut out = Vec::with_capacity(self.rows.len());
        for t in top {
            out.push(t);
            if let Ok(k) = details.binary_search_by_key(&t, |d| d.0)
                && let Some((_, kids)) = details.get_mut(k)
            {
                spanlens_model::sorting::sort_by(kids, cmp);
                out.extend(kids.iter());
            }
        }
        out
    }
}
