//! Entry points over a spanlens-model `TraceSet`: first stage (or
//! `compare()`), then math and second stages, walking the small metrics
//! expression tree of the query.

use super::range::{Buckets, default_range};
use super::result::{MetricsRange, MetricsResult, Series};
use super::stages::{Operand, apply_stage, combine};
use super::{MetricsError, MetricsLimits, compare, first_stage};
use crate::ast::{MetricsExpr, MetricsFnKind, Query, Root};
use crate::error::{Errors, line_col};
use spanlens_model::TraceSet;

/// The default range of a set: its first span start to its last span end,
/// with Tempo's default step (about range/240, rounded). `None` for an
/// empty set.
pub fn set_range(set: &TraceSet) -> Option<MetricsRange> {
    let start = set.traces.iter().map(|t| t.start_nanos).min()?;
    let end = set.traces.iter().map(|t| t.end_nanos).max()?;
    Some(default_range(start, end))
}

/// Evaluates a checked metrics query over `set` with the default limits.
pub fn evaluate_metrics(query: &Query, set: &TraceSet, range: &MetricsRange) -> Result<MetricsResult, MetricsError> {
    evaluate_metrics_with(query, set, range, &MetricsLimits::default())
}

pub fn evaluate_metrics_with(
    query: &Query,
    set: &TraceSet,
    range: &MetricsRange,
    limits: &MetricsLimits,
) -> Result<MetricsResult, MetricsError> {
    let Root::Metrics(m) = &query.root else {
        return Err(MetricsError::NotMetrics);
    };
    let buckets = Buckets::new(range, limits.max_buckets)?;
    let mut result = MetricsResult::default();
    let series = match eval(m, set, &buckets, limits, &mut result)? {
        Operand::Series(s) => s,
        // Only constants (the grammar needs a function somewhere, but be total).
        Operand::Scalar(v) => vec![Series {
            labels: Vec::new(),
            timestamps_nanos: buckets.timestamps_nanos(),
            values: vec![v; buckets.count],
            exemplars: Vec::new(),
        }],
    };
    result.series = series;
    Ok(result)
}

fn eval(
    m: &MetricsExpr,
    set: &TraceSet,
    buckets: &Buckets,
    limits: &MetricsLimits,
    result: &mut MetricsResult,
) -> Result<Operand, MetricsError> {
    Ok(match m {
        MetricsExpr::Query { pipeline, func } => {
            let (series, traces, spans) = if func.kind == MetricsFnKind::Compare {
                compare::run(set, pipeline, func, buckets, limits)?
            } else {
                first_stage::run(set, pipeline, func, buckets, limits)?
            };
            result.traces_inspected = result.traces_inspected.max(traces);
            result.spans_inspected = result.spans_inspected.max(spans);
            Operand::Series(series)
        }
        MetricsExpr::Scalar { value, .. } => Operand::Scalar(*value),
        MetricsExpr::Binary { op, lhs, rhs, .. } => {
            let l = eval(lhs, set, buckets, limits, result)?;
            let r = eval(rhs, set, buckets, limits, result)?;
            combine(*op, l, r)
        }
        MetricsExpr::Staged { expr, stages } => {
            let mut operand = eval(expr, set, buckets, limits, result)?;
            if let Operand::Series(series) = &mut operand {
                for stage in stages {
                    *series = apply_stage(std::mem::take(series), stage);
                }
            }
            operand
        }
    })
}

/// Parses, validates and evaluates `text` over `set`; `range` defaults to
/// [`set_range`]. Errors carry positions in `text`.
pub fn metrics_search(text: &str, set: &TraceSet, range: Option<MetricsRange>) -> Result<MetricsResult, Errors> {
    let query = crate::check_extended(text)?;
    let Some(range) = range.or_else(|| set_range(set)) else {
        return Ok(MetricsResult::default());
    };
    evaluate_metrics(&query, set, &range).map_err(|e| {
        let mut e: crate::error::Error = e.into();
        (e.line, e.col) = line_col(text, e.range.start);
        Errors(vec![e])
    })
}
