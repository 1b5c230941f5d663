//! TraceQL metrics queries (`{ } | rate() by (resource.service.name)`),
//! evaluated locally over loaded traces with Tempo's semantics, plus the
//! result shape shared with the Tempo `query_range` client.
//!
//! * [`result`]: [`MetricsRange`], [`MetricsResult`], [`Series`], [`LabelValue`],
//!   [`Exemplar`] (no trace model needed);
//! * [`evaluate_metrics`] / [`metrics_search`]: run a checked query over a
//!   `TraceSet` (feature `model`);
//! * [`range::default_range`]: the range and step used when none is given.
//!
//! Choices (also in the README, "TraceQL metrics"): buckets are
//! `[start + i*step, start + (i+1)*step)` after aligning start down and end
//! up to the step, a span counts in the bucket of its start time, series
//! timestamps are bucket starts; `rate`/`count_over_time` are 0 in empty
//! buckets, the other functions NaN; quantiles use log2 buckets with linear
//! interpolation inside the bucket, like Tempo.

// The evaluator's parts; only the model-backed evaluator uses them.
#[cfg(feature = "model")]
mod accumulate;
#[cfg(feature = "model")]
mod compare;
#[cfg(feature = "model")]
mod first_stage;
#[cfg(feature = "model")]
mod group;
pub mod quantile;
pub mod range;
pub mod result;
#[cfg(feature = "model")]
mod stages;

pub use range::{default_range, default_step_nanos};
pub use result::{Exemplar, LabelValue, MetricsRange, MetricsResult, Series};

use crate::error::{Error, ErrorKind};

/// Bounds that keep a query from eating the tab's memory. Exceeding one is
/// an error, not a truncated answer, so a chart never silently lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricsLimits {
    /// Output series of a query (after quantiles/histogram buckets expand).
    pub max_series: usize,
    /// Steps of the range.
    pub max_buckets: usize,
    /// (series, step) cells held while accumulating.
    pub max_points: usize,
    pub max_exemplars_per_series: usize,
    /// `compare()` emits a series per attribute value; its own bound.
    pub max_compare_series: usize,
}

impl Default for MetricsLimits {
    fn default() -> Self {
        MetricsLimits {
            max_series: 1_000,
            max_buckets: 11_000,
            max_points: 4_000_000,
            max_exemplars_per_series: 100,
            max_compare_series: 10_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MetricsError {
    /// The query failed to compile or to evaluate.
    #[error(transparent)]
    Query(#[from] Error),
    #[error("the query yields more than {limit} series; narrow it with a filter or fewer by() labels")]
    TooManySeries { limit: usize },
    #[error("the query needs {points} points, more than {limit}; use a larger step or a shorter range")]
    TooManyPoints { points: usize, limit: usize },
    #[error("invalid range: {0}")]
    InvalidRange(String),
    #[error("not a metrics query (no rate(), count_over_time(), ...)")]
    NotMetrics,
}

impl From<MetricsError> for Error {
    fn from(e: MetricsError) -> Error {
        match e {
            MetricsError::Query(e) => e,
            other => Error::unplaced(ErrorKind::Runtime, other.to_string()),
        }
    }
}

#[cfg(feature = "model")]
mod evaluate;
#[cfg(feature = "model")]
pub use evaluate::{evaluate_metrics, evaluate_metrics_with, metrics_search, set_range};

/// Checks that a parsed metrics query can run here (the CLI's `--check`).
/// Every first-stage function, `compare()`, second stages and math are
/// evaluated, so this only compiles the field expressions.
pub fn compile_check(query: &crate::ast::Query, src: &str) -> Result<(), Error> {
    use crate::ast::{MetricsExpr, Root};
    use crate::eval::CompiledQuery;
    let Root::Metrics(m) = &query.root else {
        return Err(Error::unplaced(ErrorKind::Unsupported, "not a metrics query"));
    };
    let mut todo = vec![m];
    while let Some(m) = todo.pop() {
        match m {
            MetricsExpr::Query { pipeline, func } => {
                CompiledQuery::compile_pipeline(pipeline, &|_| (), src)?;
                let mut uses = crate::eval::expr::Uses::default();
                for e in func.attr.iter().chain(&func.by) {
                    crate::eval::expr::compile(e, &|_| (), &mut uses, src)?;
                }
                if let Some(f) = &func.compare_filter {
                    let p = crate::ast::Pipeline {
                        stages: vec![crate::ast::Stage::Spanset((**f).clone())],
                        range: f.range(),
                    };
                    CompiledQuery::compile_pipeline(&p, &|_| (), src)?;
                }
            }
            MetricsExpr::Scalar { .. } => {}
            MetricsExpr::Binary { lhs, rhs, .. } => {
                todo.push(lhs);
                todo.push(rhs);
            }
            MetricsExpr::Staged { expr, .. } => todo.push(expr),
        }
    }
    Ok(())
}

#[cfg(all(test, feature = "model"))]
mod tests;
