//! Scalar filters beyond Tempo's `aggregate OP literal` (spanlens extensions, which
//! `check_extended` accepts and `check` reports as unsupported, as Tempo does):
//!
//! * arithmetic and aggregates on both sides of a stage, `| count() > avg(duration) / 1ms`,
//!   `| max(duration) - min(duration) > 1s`: every aggregate is computed over the spanset;
//! * comparing two pipelines, `({ .a } | count()) > ({ .b } | count())`: each side's pipeline
//!   runs over the trace, its aggregate is computed over the spans of all its spansets, and the
//!   trace matches when the comparison holds, with the spans of both sides as its spanset.
//!
//! An aggregate with no value (no span has the field) makes the comparison false, like nil.

use super::expr::{CExpr, Uses, static_value};
use super::pipeline::{CompiledQuery, aggregate};
use super::value::{Value, apply, compare};
use super::{SpanSource, Spanset};
use crate::ast::{AggregateKind, BinaryOp, ScalarExpr, ScalarPipelineExpr};
use crate::error::{Error, ErrorKind};

#[derive(Debug)]
pub(crate) enum CScalar<K> {
    Aggregate { kind: AggregateKind, arg: Option<CExpr<K>> },
    Const(Value<'static>),
    Binary { op: BinaryOp, lhs: Box<CScalar<K>>, rhs: Box<CScalar<K>> },
}

pub(crate) fn compile_scalar<K>(e: &ScalarExpr, key: &dyn Fn(&str) -> K, src: &str) -> Result<CScalar<K>, Error> {
    Ok(match e {
        ScalarExpr::Aggregate(a) => CScalar::Aggregate {
            kind: a.kind,
            arg: match &a.arg {
                Some(e) => Some(super::expr::compile(e, key, &mut Uses::default(), src)?),
                None => None,
            },
        },
        ScalarExpr::Static { value, .. } => CScalar::Const(static_value(value)),
        ScalarExpr::Binary { op, lhs, rhs, .. } => CScalar::Binary {
            op: *op,
            lhs: Box::new(compile_scalar(lhs, key, src)?),
            rhs: Box::new(compile_scalar(rhs, key, src)?),
        },
    })
}

fn op_error(message: &str) -> Error {
    Error::unplaced(ErrorKind::Runtime, message)
}

/// The value of `e` over `spans`; `None` when an aggregate has no value.
pub(crate) fn eval_scalar<'s, S: SpanSource>(
    e: &'s CScalar<S::Key>,
    src: &'s S,
    spans: &[u32],
) -> Result<Option<Value<'s>>, Error> {
    Ok(match e {
        CScalar::Aggregate { kind, arg } => aggregate(*kind, arg.as_ref(), src, spans)?,
        CScalar::Const(v) => Some(v.reborrow()),
        CScalar::Binary { op, lhs, rhs } => {
            let (Some(l), Some(r)) = (eval_scalar(lhs, src, spans)?, eval_scalar(rhs, src, spans)?) else {
                return Ok(None);
            };
            Some(apply(*op, l, r, None).map_err(|e| op_error(e.message()))?)
        }
    })
}

/// `lhs OP rhs` over one spanset.
pub(crate) fn scalar_holds<S: SpanSource>(
    op: BinaryOp,
    lhs: &CScalar<S::Key>,
    rhs: &CScalar<S::Key>,
    src: &S,
    spans: &[u32],
) -> Result<Option<super::value::AttrValue>, Error> {
    let (Some(l), Some(r)) = (eval_scalar(lhs, src, spans)?, eval_scalar(rhs, src, spans)?) else {
        return Ok(None);
    };
    Ok(compare(op, &l, &r, None).then(|| l.to_attr_value()))
}

/// One side of a pipeline comparison.
#[derive(Debug)]
pub(crate) enum CScalarPipe<K> {
    Pipeline { pipeline: CompiledQuery<K>, aggregate: CScalar<K> },
    Const(Value<'static>),
    Binary { op: BinaryOp, lhs: Box<CScalarPipe<K>>, rhs: Box<CScalarPipe<K>> },
}

pub(crate) fn compile_scalar_pipe<K>(
    e: &ScalarPipelineExpr,
    key: &dyn Fn(&str) -> K,
    src: &str,
) -> Result<CScalarPipe<K>, Error> {
    Ok(match e {
        ScalarPipelineExpr::Pipeline { pipeline, aggregate } => CScalarPipe::Pipeline {
            pipeline: CompiledQuery::compile_pipeline(pipeline, key, src)?,
            aggregate: compile_scalar(&ScalarExpr::Aggregate(aggregate.clone()), key, src)?,
        },
        ScalarPipelineExpr::Static { value, .. } => CScalarPipe::Const(static_value(value)),
        ScalarPipelineExpr::Binary { op, lhs, rhs, .. } => CScalarPipe::Binary {
            op: *op,
            lhs: Box::new(compile_scalar_pipe(lhs, key, src)?),
            rhs: Box::new(compile_scalar_pipe(rhs, key, src)?),
        },
    })
}

/// The value of one side over a trace, adding the spans its pipelines selected to `spans`.
fn eval_pipe<'s, S: SpanSource>(
    e: &'s CScalarPipe<S::Key>,
    src: &'s S,
    input: &Spanset,
    spans: &mut Vec<u32>,
) -> Result<Option<Value<'s>>, Error> {
    Ok(match e {
        CScalarPipe::Pipeline { pipeline, aggregate } => {
            let sets = pipeline.run(src, vec![input.clone()])?;
            let mut selected: Vec<u32> = sets.into_iter().flat_map(|s| s.spans).collect();
            selected.sort_unstable();
            selected.dedup();
            let v = if selected.is_empty() { None } else { eval_scalar(aggregate, src, &selected)? };
            spans.extend(selected);
            v
        }
        CScalarPipe::Const(v) => Some(v.reborrow()),
        CScalarPipe::Binary { op, lhs, rhs } => {
            let l = eval_pipe(lhs, src, input, spans)?;
            let r = eval_pipe(rhs, src, input, spans)?;
            match (l, r) {
                (Some(l), Some(r)) => Some(apply(*op, l, r, None).map_err(|e| op_error(e.message()))?),
                _ => None,
            }
        }
    })
}

/// `(p1 | agg) OP (p2 | agg)` over one trace: the spans of both sides when it holds.
pub(crate) fn compare_pipelines<S: SpanSource>(
    op: BinaryOp,
    lhs: &CScalarPipe<S::Key>,
    rhs: &CScalarPipe<S::Key>,
    src: &S,
    input: Spanset,
) -> Result<Vec<Spanset>, Error> {
    let mut spans = Vec::new();
    let l = eval_pipe(lhs, src, &input, &mut spans)?;
    let r = eval_pipe(rhs, src, &input, &mut spans)?;
    let (Some(l), Some(r)) = (l, r) else { return Ok(Vec::new()) };
    if !compare(op, &l, &r, None) || spans.is_empty() {
        return Ok(Vec::new());
    }
    spans.sort_unstable();
    spans.dedup();
    Ok(vec![Spanset { spans, attributes: Vec::new(), scalar: Some(l.to_attr_value()) }])
}
