//! Spanset expressions and pipeline stages (`ast_execute.go` semantics).

use super::expr::{CExpr, Uses, compile, span_matches, static_value};
use super::scalar::{CScalar, CScalarPipe, compare_pipelines, compile_scalar, compile_scalar_pipe, scalar_holds};
use super::structural::structural;
use super::value::{AttrValue, Value, apply, compare};
use super::{Binding, SpanSource, Spanset};
use crate::ast::{AggregateKind, BinaryOp, Expr, Pipeline, Query, Root, ScalarExpr, SpansetExpr, SpansetOp, Stage};
use crate::display::aggregate_label;
use crate::error::{Error, ErrorKind};
use std::collections::HashMap;

/// A query ready to run: keys resolved, regexes compiled.
#[derive(Debug)]
pub struct CompiledQuery<K> {
    root: CSpanset<K>,
    /// `select(...)` fields, label and expression, for result shaping.
    pub(crate) selects: Vec<(String, CExpr<K>)>,
}

#[derive(Debug)]
enum CSpanset<K> {
    Filter(CExpr<K>, Uses),
    Op(SpansetOp, Box<CSpanset<K>>, Box<CSpanset<K>>),
    Pipeline(Vec<CStage<K>>),
    /// `(p1 | count()) OP (p2 | count())` (extension).
    ComparePipelines(BinaryOp, Box<CScalarPipe<K>>, Box<CScalarPipe<K>>),
}

#[derive(Debug)]
enum CStage<K> {
    Spanset(CSpanset<K>),
    Scalar {
        kind: AggregateKind,
        arg: Option<CExpr<K>>,
        op: BinaryOp,
        value: Value<'static>,
        label: String,
    },
    /// Any other scalar filter (extension): `count() > avg(duration) / 1ms`.
    ScalarGeneral {
        op: BinaryOp,
        lhs: CScalar<K>,
        rhs: CScalar<K>,
        label: Option<String>,
    },
    By {
        expr: CExpr<K>,
        label: String,
    },
    Coalesce,
    Select,
}

struct Compiler<'a, K> {
    key: &'a dyn Fn(&str) -> K,
    src: &'a str,
    selects: Vec<(String, CExpr<K>)>,
}

fn unsupported(message: &str, src: &str) -> Error {
    Error::new(ErrorKind::Unsupported, message, 0..src.len(), src)
}

impl<K> CompiledQuery<K> {
    /// `src` is the query text, only used to place errors.
    pub fn compile(query: &Query, key: &dyn Fn(&str) -> K, src: &str) -> Result<Self, Error> {
        let mut c = Compiler { key, src, selects: Vec::new() };
        let root = match &query.root {
            Root::Spans(s) => c.spanset(s)?,
            Root::ScalarFilter { op, lhs, rhs, .. } => CSpanset::ComparePipelines(
                *op,
                Box::new(compile_scalar_pipe(lhs, key, src)?),
                Box::new(compile_scalar_pipe(rhs, key, src)?),
            ),
            Root::Metrics(_) => {
                return Err(unsupported(
                    "metrics queries (rate(), quantile_over_time(), ...) run through metrics::evaluate_metrics, not trace search",
                    src,
                ));
            }
        };
        Ok(CompiledQuery { root, selects: c.selects })
    }

    /// Compiles one spanset pipeline (the part of a metrics query before
    /// its function).
    pub(crate) fn compile_pipeline(pipeline: &Pipeline, key: &dyn Fn(&str) -> K, src: &str) -> Result<Self, Error> {
        let mut c = Compiler { key, src, selects: Vec::new() };
        let root = c.pipeline(pipeline)?;
        Ok(CompiledQuery { root, selects: c.selects })
    }

    /// Labels of the `select(...)` fields, e.g. `resource.service.name`.
    pub fn select_labels(&self) -> impl Iterator<Item = &str> {
        self.selects.iter().map(|(label, _)| label.as_str())
    }

    pub fn run<S: SpanSource<Key = K>>(&self, src: &S, input: Vec<Spanset>) -> Result<Vec<Spanset>, Error> {
        let mut out = Vec::new();
        for spanset in input {
            out.extend(eval_spanset(&self.root, src, spanset)?);
        }
        Ok(out)
    }
}

impl<K> Compiler<'_, K> {
    fn expr(&self, e: &Expr, uses: &mut Uses) -> Result<CExpr<K>, Error> {
        compile(e, self.key, uses, self.src)
    }

    fn spanset(&mut self, s: &SpansetExpr) -> Result<CSpanset<K>, Error> {
        Ok(match s {
            SpansetExpr::Filter { expr, .. } => {
                let mut uses = Uses::default();
                let c = self.expr(expr, &mut uses)?;
                CSpanset::Filter(c, uses)
            }
            SpansetExpr::Op { op, lhs, rhs, .. } => {
                CSpanset::Op(*op, Box::new(self.spanset(lhs)?), Box::new(self.spanset(rhs)?))
            }
            SpansetExpr::Pipeline(p) => self.pipeline(p)?,
        })
    }

    fn pipeline(&mut self, p: &Pipeline) -> Result<CSpanset<K>, Error> {
        let mut stages = Vec::with_capacity(p.stages.len());
        for stage in &p.stages {
            stages.push(match stage {
                Stage::Spanset(s) => CStage::Spanset(self.spanset(s)?),
                Stage::ScalarFilter(f) => match (&f.lhs, fold_scalar(&f.rhs)) {
                    // Tempo's form, `aggregate OP literal`: the fast path.
                    (ScalarExpr::Aggregate(agg), Some(value)) => {
                        let arg = match &agg.arg {
                            Some(e) => Some(self.expr(e, &mut Uses::default())?),
                            None => None,
                        };
                        let label = aggregate_label(agg.kind, agg.arg.as_ref());
                        CStage::Scalar { kind: agg.kind, arg, op: f.op, value, label }
                    }
                    _ => CStage::ScalarGeneral {
                        op: f.op,
                        lhs: compile_scalar(&f.lhs, self.key, self.src)?,
                        rhs: compile_scalar(&f.rhs, self.key, self.src)?,
                        label: match &f.lhs {
                            ScalarExpr::Aggregate(agg) => Some(aggregate_label(agg.kind, agg.arg.as_ref())),
                            _ => None,
                        },
                    },
                },
                Stage::By { expr, .. } => {
                    CStage::By { expr: self.expr(expr, &mut Uses::default())?, label: format!("by({expr})") }
                }
                Stage::Coalesce { .. } => CStage::Coalesce,
                Stage::Select { fields, .. } => {
                    for f in fields {
                        let c = self.expr(f, &mut Uses::default())?;
                        self.selects.push((f.to_string(), c));
                    }
                    CStage::Select
                }
            });
        }
        Ok(CSpanset::Pipeline(stages))
    }
}

/// Constant side of a scalar filter, folded with TraceQL arithmetic.
fn fold_scalar(e: &ScalarExpr) -> Option<Value<'static>> {
    match e {
        ScalarExpr::Static { value, .. } => Some(static_value(value)),
        ScalarExpr::Binary { op, lhs, rhs, .. } => {
            let l = fold_scalar(lhs)?;
            let r = fold_scalar(rhs)?;
            apply(*op, l, r, None).ok()
        }
        ScalarExpr::Aggregate(_) => None,
    }
}

fn eval_spanset<S: SpanSource>(s: &CSpanset<S::Key>, src: &S, input: Spanset) -> Result<Vec<Spanset>, Error> {
    match s {
        CSpanset::Filter(e, uses) => {
            let mut spans = Vec::new();
            for &i in &input.spans {
                if span_matches(e, *uses, src, i)? {
                    spans.push(i);
                }
            }
            if spans.is_empty() {
                return Ok(Vec::new());
            }
            Ok(vec![Spanset { spans, ..input }])
        }
        CSpanset::Op(op, lhs, rhs) => {
            let l = single(eval_spanset(lhs, src, input.clone())?)?;
            let r = single(eval_spanset(rhs, src, input.clone())?)?;
            let spans = match op {
                SpansetOp::And => {
                    if l.is_empty() || r.is_empty() {
                        return Ok(Vec::new());
                    }
                    merge(&l, &r)
                }
                SpansetOp::Union => merge(&l, &r),
                other => structural(src, *other, &l, &r),
            };
            if spans.is_empty() {
                return Ok(Vec::new());
            }
            Ok(vec![Spanset { spans, ..input }])
        }
        CSpanset::ComparePipelines(op, lhs, rhs) => compare_pipelines(*op, lhs, rhs, src, input),
        CSpanset::Pipeline(stages) => {
            let mut sets = vec![input];
            for stage in stages {
                sets = eval_stage(stage, src, sets)?;
                if sets.is_empty() {
                    break;
                }
            }
            Ok(sets)
        }
    }
}

/// Spanset operators need one spanset per side.
fn single(sets: Vec<Spanset>) -> Result<Vec<u32>, Error> {
    match sets.len() {
        0 => Ok(Vec::new()),
        1 => Ok(sets.into_iter().next().map(|s| s.spans).unwrap_or_default()),
        _ => Err(Error::unplaced(
            ErrorKind::Runtime,
            "spanset operators are not supported for multiple spansets per trace. consider using coalesce()",
        )),
    }
}

fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = a.iter().chain(b).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn eval_stage<S: SpanSource>(stage: &CStage<S::Key>, src: &S, sets: Vec<Spanset>) -> Result<Vec<Spanset>, Error> {
    let mut out = Vec::with_capacity(sets.len());
    match stage {
        CStage::Spanset(s) => {
            for set in sets {
                out.extend(eval_spanset(s, src, set)?);
            }
        }
        CStage::Scalar { kind, arg, op, value, label } => {
            for mut set in sets {
                let Some(agg) = aggregate(*kind, arg.as_ref(), src, &set.spans)? else {
                    continue;
                };
                if compare(*op, &agg, value, None) {
                    let v = agg.to_attr_value();
                    set.attributes.retain(|(k, _)| k != label);
                    set.attributes.push((label.clone(), v.clone()));
                    set.scalar = Some(v);
                    out.push(set);
                }
            }
        }
        CStage::ScalarGeneral { op, lhs, rhs, label } => {
            for mut set in sets {
                let Some(v) = scalar_holds(*op, lhs, rhs, src, &set.spans)? else { continue };
                if let Some(label) = label {
                    set.attributes.retain(|(k, _)| k != label);
                    set.attributes.push((label.clone(), v.clone()));
                }
                set.scalar = Some(v);
                out.push(set);
            }
        }
        CStage::By { expr, label } => {
            for set in sets {
                let mut groups: Vec<(AttrValue, Vec<u32>)> = Vec::new();
                let mut index: HashMap<String, usize> = HashMap::new();
                for &i in &set.spans {
                    let v = expr.eval(src, Binding { span: i, event: None, link: None })?.to_attr_value();
                    let key = format!("{v:?}");
                    let g = *index.entry(key).or_insert_with(|| {
                        groups.push((v, Vec::new()));
                        groups.len() - 1
                    });
                    if let Some(group) = groups.get_mut(g) {
                        group.1.push(i);
                    }
                }
                for (v, spans) in groups {
                    let mut attributes = set.attributes.clone();
                    attributes.push((label.clone(), v));
                    out.push(Spanset { spans, attributes, scalar: set.scalar.clone() });
                }
            }
        }
        CStage::Coalesce => {
            let mut spans: Vec<u32> = sets.iter().flat_map(|s| s.spans.iter().copied()).collect();
            spans.sort_unstable();
            spans.dedup();
            if !spans.is_empty() {
                out.push(Spanset { spans, ..Spanset::default() });
            }
        }
        CStage::Select => out = sets,
    }
    Ok(out)
}

/// `count()`, `avg(e)`, ... over the spans where `e` is a number. `None`
/// when no span has a value (the spanset is dropped).
pub(crate) fn aggregate<'s, S: SpanSource>(
    kind: AggregateKind,
    arg: Option<&'s CExpr<S::Key>>,
    src: &'s S,
    spans: &[u32],
) -> Result<Option<Value<'s>>, Error> {
    let Some(arg) = arg else {
        return Ok(Some(Value::Int(i64::try_from(spans.len()).unwrap_or(i64::MAX))));
    };
    let mut values: Vec<Value<'s>> = Vec::new();
    for &i in spans {
        let v = arg.eval(src, Binding { span: i, event: None, link: None })?;
        if v.is_numeric() {
            values.push(v);
        }
    }
    if values.is_empty() {
        return Ok(None);
    }
    let all_int = values.iter().all(|v| matches!(v, Value::Int(_)));
    let all_dur = values.iter().all(|v| matches!(v, Value::DurationNanos(_)));
    let sum_f: f64 = values.iter().filter_map(Value::as_f64).sum();
    let n = values.len() as f64;
    let pick = |want_max: bool| {
        values
            .iter()
            .cloned()
            .reduce(|a, b| {
                let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
                if (y > x) == want_max && y != x { b } else { a }
            })
            .unwrap_or(Value::Nil)
    };
    Ok(Some(match kind {
        AggregateKind::Count => Value::Int(i64::try_from(values.len()).unwrap_or(i64::MAX)),
        AggregateKind::Min => pick(false),
        AggregateKind::Max => pick(true),
        AggregateKind::Sum if all_int => {
            Value::Int(values.iter().map(|v| if let Value::Int(i) = v { *i } else { 0 }).fold(0i64, i64::wrapping_add))
        }
        AggregateKind::Sum if all_dur => Value::DurationNanos(sum_f as i64),
        AggregateKind::Sum => Value::Float(sum_f),
        AggregateKind::Avg if all_dur => Value::DurationNanos((sum_f / n) as i64),
        AggregateKind::Avg => Value::Float(sum_f / n),
    }))
}
