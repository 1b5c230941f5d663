//! The first stage over spanlens-model traces: the spanset pipeline selects
//! spans, each selected span lands in the step holding its start time, in
//! the series of its `by()` group.

use super::accumulate::{Acc, Func};
use super::group::{GroupKey, PreHashedMap, hash_values};
use super::range::Buckets;
use super::result::{Exemplar, LabelValue, Series};
use super::{MetricsError, MetricsLimits};
use crate::ast::{Expr, Intrinsic, MetricsFn, Pipeline};
use crate::eval::expr::{CExpr, Uses, compile};
use crate::eval::{Binding, CompiledQuery, ModelTrace, SpanSource, Spanset, Value};
use spanlens_model::{Sym, Trace, TraceSet};

type Key = Option<Sym>;

/// Spans selected by `pipeline` in one trace, sorted, each once (a span in
/// several spansets, e.g. after a union, counts once).
pub(crate) fn selected_spans(
    compiled: &CompiledQuery<Key>,
    src: &ModelTrace<'_>,
) -> Result<Vec<u32>, crate::error::Error> {
    let sets = compiled.run(src, vec![Spanset::all(src.span_count())])?;
    if sets.len() == 1 {
        return Ok(sets.into_iter().next().map(|s| s.spans).unwrap_or_default());
    }
    let mut spans: Vec<u32> = sets.into_iter().flat_map(|s| s.spans).collect();
    spans.sort_unstable();
    spans.dedup();
    Ok(spans)
}

pub(crate) fn compile_pipeline(set: &TraceSet, pipeline: &Pipeline) -> Result<CompiledQuery<Key>, MetricsError> {
    Ok(CompiledQuery::compile_pipeline(pipeline, &|name| set.strings.get(name), "")?)
}

pub(crate) fn compile_expr(set: &TraceSet, e: &Expr) -> Result<CExpr<Key>, MetricsError> {
    Ok(compile(e, &|name| set.strings.get(name), &mut Uses::default(), "")?)
}

/// A measured value in raw units and whether it is a duration. Spans
/// without a numeric value are skipped by the `*_over_time` functions.
fn measure(v: &Value<'_>) -> Option<(f64, bool)> {
    match v {
        Value::Int(i) => Some((*i as f64, false)),
        Value::Float(f) if f.is_finite() => Some((*f, false)),
        Value::DurationNanos(d) => Some((*d as f64, true)),
        _ => None,
    }
}

pub(crate) fn span_id_hex(trace: &Trace, span: u32) -> String {
    trace.spans.get(span as usize).map_or_else(String::new, |s| format!("{:016x}", s.span_id.0))
}

struct Groups {
    /// Hash of the group's values -> groups with that hash (collisions are
    /// told apart by comparing values).
    index: PreHashedMap<Vec<usize>>,
    accs: Vec<(Vec<GroupKey>, Acc)>,
    cells: usize,
}

/// Runs `pipeline | func` over `set`. Returns the series and the numbers
/// of traces and spans inspected.
pub(crate) fn run(
    set: &TraceSet,
    pipeline: &Pipeline,
    func_ast: &MetricsFn,
    buckets: &Buckets,
    limits: &MetricsLimits,
) -> Result<(Vec<Series>, u64, u64), MetricsError> {
    let func = Func::new(func_ast.kind, &func_ast.quantiles)
        .ok_or_else(|| MetricsError::InvalidRange("compare() has its own evaluator".to_owned()))?;
    let compiled = compile_pipeline(set, pipeline)?;
    let by: Vec<CExpr<Key>> = func_ast.by.iter().map(|e| compile_expr(set, e)).collect::<Result<_, _>>()?;
    let by_labels: Vec<String> = func_ast.by.iter().map(ToString::to_string).collect();
    let attr = match (&func_ast.attr, func.needs_value()) {
        (Some(e), true) => Some(compile_expr(set, e)?),
        // `*_over_time()` without an argument measures the span duration.
        (None, true) => Some(CExpr::Intrinsic(Intrinsic::Duration)),
        _ => None,
    };
    let mut groups = Groups { index: PreHashedMap::default(), accs: Vec::new(), cells: 0 };
    let (mut traces_inspected, mut spans_inspected) = (0u64, 0u64);
    for trace in &set.traces {
        traces_inspected += 1;
        spans_inspected += trace.spans.len() as u64;
        let src = ModelTrace::new(set, trace);
        // Cheap test first: a trace entirely outside the range adds nothing.
        if trace.end_nanos < buckets.start_nanos {
            continue;
        }
        let spans = selected_spans(&compiled, &src)?;
        let mut values: Vec<Value<'_>> = Vec::with_capacity(by.len());
        for &i in &spans {
            let Some(span) = trace.spans.get(i as usize) else { continue };
            let Some(step) = buckets.index(span.start_nanos) else { continue };
            let at = Binding { span: i, event: None, link: None };
            let (raw, duration) = match &attr {
                Some(a) => match measure(&a.eval(&src, at)?) {
                    Some((v, d)) => (Some(v), d),
                    None => continue,
                },
                None => (None, false),
            };
            values.clear();
            for e in &by {
                values.push(e.eval(&src, at)?);
            }
            let hash = hash_values(&values);
            let found = groups.index.get(&hash).and_then(|candidates| {
                candidates.iter().copied().find(|&g| {
                    groups.accs.get(g).is_some_and(|(key, _)| key.iter().zip(&values).all(|(k, v)| k.matches(v)))
                })
            });
            let g = match found {
                Some(g) => g,
                None => {
                    let key: Vec<GroupKey> = values.iter().map(GroupKey::of).collect();
                    new_group(&mut groups, hash, key, &func, buckets, limits)?
                }
            };
            let Some((_, acc)) = groups.accs.get_mut(g) else { continue };
            if acc.wants_exemplar(step) {
                let value = match raw {
                    Some(v) if duration => v / 1e9,
                    Some(v) => v,
                    None => span.known_duration_nanos().map_or(f64::NAN, |d| d as f64 / 1e9),
                };
                acc.push_exemplar(
                    step,
                    Exemplar {
                        trace_id: trace.trace_id_hex(),
                        span_id: span_id_hex(trace, i),
                        timestamp_nanos: span.start_nanos,
                        value,
                    },
                );
            }
            groups.cells += acc.add(&func, step, raw, duration, buckets.count);
            if groups.cells > limits.max_points {
                return Err(MetricsError::TooManyPoints { points: groups.cells, limit: limits.max_points });
            }
        }
    }
    let mut out = Vec::new();
    for (key, acc) in groups.accs {
        let labels: Vec<(String, LabelValue)> =
            by_labels.iter().cloned().zip(key.iter().map(GroupKey::label)).collect();
        out.extend(acc.finish(&func, labels, buckets));
        if out.len() > limits.max_series {
            return Err(MetricsError::TooManySeries { limit: limits.max_series });
        }
    }
    Ok((out, traces_inspected, spans_inspected))
}

fn new_group(
    groups: &mut Groups,
    hash: u64,
    key: Vec<GroupKey>,
    func: &Func,
    buckets: &Buckets,
    limits: &MetricsLimits,
) -> Result<usize, MetricsError> {
    if groups.accs.len() >= limits.max_series {
        return Err(MetricsError::TooManySeries { limit: limits.max_series });
    }
    let (acc, cells) = Acc::new(func, buckets.count, limits.max_exemplars_per_series);
    groups.cells += cells;
    if groups.cells > limits.max_points {
        return Err(MetricsError::TooManyPoints { points: groups.cells, limit: limits.max_points });
    }
    let g = groups.accs.len();
    groups.index.entry(hash).or_default().push(g);
    groups.accs.push((key, acc));
    Ok(g)
}
