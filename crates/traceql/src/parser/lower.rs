//! Turns the loose `QNode` tree into the typed AST. Every shape Tempo's
//! grammar rejects is reported here as a syntax error.

use super::Parser;
use super::query::{QNode, QOp};
use crate::ast::{
    BinaryOp, MetricsExpr, MetricsFn, Pipeline, Root, ScalarExpr, ScalarFilter, ScalarPipelineExpr, SecondStage,
    SpansetExpr, SpansetOp, Stage, Static,
};
use std::ops::Range;

fn spanset_op(op: QOp) -> Option<SpansetOp> {
    Some(match op {
        QOp::And => SpansetOp::And,
        QOp::Or => SpansetOp::Union,
        QOp::Gt => SpansetOp::Child,
        QOp::Lt => SpansetOp::Parent,
        QOp::Desc => SpansetOp::Descendant,
        QOp::Ance => SpansetOp::Ancestor,
        QOp::Tilde => SpansetOp::Sibling,
        QOp::NotChild => SpansetOp::NotChild,
        QOp::NotParent => SpansetOp::NotParent,
        QOp::NotDesc => SpansetOp::NotDescendant,
        QOp::NotAnce => SpansetOp::NotAncestor,
        QOp::Nre => SpansetOp::NotSibling,
        QOp::UnionChild => SpansetOp::UnionChild,
        QOp::UnionParent => SpansetOp::UnionParent,
        QOp::UnionDesc => SpansetOp::UnionDescendant,
        QOp::UnionAnce => SpansetOp::UnionAncestor,
        QOp::UnionSibl => SpansetOp::UnionSibling,
        _ => return None,
    })
}

fn comparison(op: QOp) -> Option<BinaryOp> {
    Some(match op {
        QOp::Eq => BinaryOp::Eq,
        QOp::Neq => BinaryOp::Neq,
        QOp::Lt => BinaryOp::Lt,
        QOp::Lte => BinaryOp::Lte,
        QOp::Gt => BinaryOp::Gt,
        QOp::Gte => BinaryOp::Gte,
        _ => return None,
    })
}

fn arithmetic(op: QOp) -> Option<BinaryOp> {
    Some(match op {
        QOp::Add => BinaryOp::Add,
        QOp::Sub => BinaryOp::Sub,
        QOp::Mul => BinaryOp::Mul,
        QOp::Div => BinaryOp::Div,
        QOp::Mod => BinaryOp::Mod,
        QOp::Pow => BinaryOp::Pow,
        _ => return None,
    })
}

/// Does this node contain a metrics function or second stage outside of
/// spanset filters?
fn has_metrics(q: &QNode) -> bool {
    match q {
        QNode::Metrics(_) | QNode::TopK { .. } => true,
        QNode::Paren(inner, _) | QNode::Neg(inner, _) => has_metrics(inner),
        QNode::Pipe(items, _) => items.iter().any(has_metrics),
        QNode::Binary(_, l, r, _) => has_metrics(l) || has_metrics(r),
        _ => false,
    }
}

fn has_aggregate(q: &QNode) -> bool {
    match q {
        QNode::Aggregate(_) => true,
        QNode::Paren(inner, _) | QNode::Neg(inner, _) => has_aggregate(inner),
        QNode::Binary(op, l, r, _) if arithmetic(*op).is_some() => has_aggregate(l) || has_aggregate(r),
        _ => false,
    }
}

/// `( pipeline | aggregate )`, or arithmetic over those.
fn is_scalar_pipeline(q: &QNode) -> bool {
    match q {
        QNode::Paren(inner, _) => match inner.as_ref() {
            QNode::Pipe(items, _) => matches!(items.last(), Some(QNode::Aggregate(_))),
            other => is_scalar_pipeline(other),
        },
        QNode::Binary(op, l, r, _) => arithmetic(*op).is_some() && is_scalar_pipeline(l) && is_scalar_pipeline(r),
        _ => false,
    }
}

/// The leftmost operand of a chain of comparisons (`rate() > 1 > 2`).
fn comparison_core(q: &QNode) -> &QNode {
    match q {
        QNode::Binary(op, l, _, _) if comparison(*op).is_some() => comparison_core(l),
        other => other,
    }
}

/// Constant folding with TraceQL's int/float rules (int `/` truncates).
fn fold(op: BinaryOp, a: &Static, b: &Static) -> Option<Static> {
    use Static::{Float, Int};
    let as_f = |s: &Static| match s {
        Int(i) => Some(*i as f64),
        Float(f) => Some(*f),
        _ => None,
    };
    if let (Int(x), Int(y)) = (a, b) {
        return Some(Int(match op {
            BinaryOp::Add => x.checked_add(*y)?,
            BinaryOp::Sub => x.checked_sub(*y)?,
            BinaryOp::Mul => x.checked_mul(*y)?,
            BinaryOp::Div => x.checked_div(*y)?,
            BinaryOp::Mod => x.checked_rem(*y)?,
            _ => return None,
        }));
    }
    let (x, y) = (as_f(a)?, as_f(b)?);
    Some(Float(match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Div => x / y,
        BinaryOp::Mod => x % y,
        _ => return None,
    }))
}

fn static_f64(s: &Static) -> Option<f64> {
    match s {
        Static::Int(i) => Some(*i as f64),
        Static::Float(f) => Some(*f),
        _ => None,
    }
}

impl Parser<'_> {
    fn reject(&mut self, range: Range<usize>, message: &str) -> Option<()> {
        self.error_at(range, format!("syntax error: {message}"));
        None
    }

    pub(crate) fn lower_root(&mut self, q: QNode) -> Option<Root> {
        if has_metrics(&q) {
            return self.lower_metrics(&q).map(Root::Metrics);
        }
        if let QNode::Binary(op, l, r, range) = &q
            && let Some(cmp) = comparison(*op)
            && is_scalar_pipeline(l)
        {
            let lhs = self.lower_scalar_pipeline(l)?;
            let rhs = match r.as_ref() {
                QNode::Static(value, range) => {
                    ScalarPipelineExpr::Static { value: value.clone(), range: range.clone() }
                }
                other if is_scalar_pipeline(other) => self.lower_scalar_pipeline(other)?,
                other => {
                    self.reject(other.range(), "expecting a wrapped (pipeline | aggregate) or a literal")?;
                    return None;
                }
            };
            return Some(Root::ScalarFilter { op: cmp, lhs, rhs, range: range.clone() });
        }
        let range = q.range();
        let items = match q {
            QNode::Pipe(items, _) => items,
            other => vec![other],
        };
        let mut pipeline = self.lower_pipeline(&items, range)?;
        if pipeline.stages.len() == 1
            && let Some(Stage::Spanset(_)) = pipeline.stages.first()
            && let Some(Stage::Spanset(s)) = pipeline.stages.pop()
        {
            return Some(Root::Spans(s));
        }
        Some(Root::Spans(SpansetExpr::Pipeline(pipeline)))
    }

    fn lower_scalar_pipeline(&mut self, q: &QNode) -> Option<ScalarPipelineExpr> {
        match q {
            QNode::Paren(inner, range) => match inner.as_ref() {
                QNode::Pipe(items, _) => {
                    let Some((QNode::Aggregate(agg), before)) = items.split_last() else {
                        self.reject(range.clone(), "expecting a pipeline ending in an aggregate")?;
                        return None;
                    };
                    let pipeline = self.lower_pipeline(before, range.clone())?;
                    Some(ScalarPipelineExpr::Pipeline { pipeline, aggregate: (**agg).clone() })
                }
                other => self.lower_scalar_pipeline(other),
            },
            QNode::Binary(op, l, r, range) => {
                let op = arithmetic(*op)?;
                let lhs = self.lower_scalar_pipeline(l)?;
                let rhs = self.lower_scalar_pipeline(r)?;
                Some(ScalarPipelineExpr::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs), range: range.clone() })
            }
            other => {
                self.reject(other.range(), "expecting a wrapped (pipeline | aggregate)")?;
                None
            }
        }
    }

    fn lower_pipeline(&mut self, items: &[QNode], range: Range<usize>) -> Option<Pipeline> {
        if items.is_empty() {
            self.reject(range.clone(), "expecting a spanset pipeline")?;
        }
        let mut stages = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let stage = match item {
                QNode::By(expr, r) => Stage::By { expr: (**expr).clone(), range: r.clone() },
                QNode::Select(fields, r) => Stage::Select { fields: fields.clone(), range: r.clone() },
                QNode::Coalesce(r) if i == 0 => {
                    self.reject(r.clone(), "coalesce() cannot start a pipeline")?;
                    return None;
                }
                QNode::Coalesce(r) => Stage::Coalesce { range: r.clone() },
                QNode::Aggregate(a) => {
                    self.reject(a.range.clone(), "an aggregate must be compared, e.g. count() > 1")?;
                    return None;
                }
                QNode::Binary(op, l, r, range)
                    if comparison(*op).is_some() && (has_aggregate(l) || has_aggregate(r)) =>
                {
                    let op = comparison(*op)?;
                    let lhs = self.lower_scalar(l)?;
                    let rhs = self.lower_scalar(r)?;
                    Stage::ScalarFilter(ScalarFilter { op, lhs, rhs, range: range.clone() })
                }
                other => Stage::Spanset(self.lower_spanset(other)?),
            };
            stages.push(stage);
        }
        Some(Pipeline { stages, range })
    }

    fn lower_spanset(&mut self, q: &QNode) -> Option<SpansetExpr> {
        match q {
            QNode::Filter(expr, range) => Some(SpansetExpr::Filter { expr: (**expr).clone(), range: range.clone() }),
            QNode::Paren(inner, range) => match inner.as_ref() {
                QNode::Pipe(items, _) => self.lower_pipeline(items, range.clone()).map(SpansetExpr::Pipeline),
                QNode::Filter(..) | QNode::Paren(..) => self.lower_spanset(inner),
                QNode::Binary(op, ..) if spanset_op(*op).is_some() => self.lower_spanset(inner),
                other => self.lower_pipeline(std::slice::from_ref(other), range.clone()).map(SpansetExpr::Pipeline),
            },
            QNode::Binary(op, l, r, range) => {
                let Some(sop) = spanset_op(*op) else {
                    self.reject(range.clone(), "this operator cannot combine spansets")?;
                    return None;
                };
                let lhs = self.lower_spanset(l);
                let rhs = self.lower_spanset(r);
                Some(SpansetExpr::Op { op: sop, lhs: Box::new(lhs?), rhs: Box::new(rhs?), range: range.clone() })
            }
            other => {
                self.reject(other.range(), "expecting a spanset expression such as { ... }")?;
                None
            }
        }
    }

    /// One side of a scalar filter: aggregates, numbers, durations, and
    /// arithmetic over them.
    fn lower_scalar(&mut self, q: &QNode) -> Option<ScalarExpr> {
        match q {
            QNode::Aggregate(a) => Some(ScalarExpr::Aggregate((**a).clone())),
            QNode::Static(v @ (Static::Int(_) | Static::Float(_) | Static::DurationNanos(_)), range) => {
                Some(ScalarExpr::Static { value: v.clone(), range: range.clone() })
            }
            QNode::Neg(inner, range) => match inner.as_ref() {
                QNode::Static(Static::Int(i), _) => {
                    Some(ScalarExpr::Static { value: Static::Int(i.wrapping_neg()), range: range.clone() })
                }
                QNode::Static(Static::Float(f), _) => {
                    Some(ScalarExpr::Static { value: Static::Float(-f), range: range.clone() })
                }
                QNode::Static(Static::DurationNanos(d), _) => {
                    Some(ScalarExpr::Static { value: Static::DurationNanos(d.wrapping_neg()), range: range.clone() })
                }
                other => {
                    self.reject(other.range(), "expecting a number")?;
                    None
                }
            },
            QNode::Paren(inner, _) => self.lower_scalar(inner),
            QNode::Binary(op, l, r, range) if arithmetic(*op).is_some() => {
                let op = arithmetic(*op)?;
                let lhs = self.lower_scalar(l)?;
                let rhs = self.lower_scalar(r)?;
                Some(ScalarExpr::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs), range: range.clone() })
            }
            other => {
                self.reject(other.range(), "expecting an aggregate or a number")?;
                None
            }
        }
    }

    fn lower_metrics(&mut self, q: &QNode) -> Option<MetricsExpr> {
        match q {
            QNode::Pipe(items, range) => {
                let head = items.iter().position(|i| matches!(comparison_core(i), QNode::Metrics(_)));
                let (expr, rest) = match head {
                    Some(i) => {
                        let pipeline = self.lower_pipeline(&items[..i], range.clone())?;
                        let (func, filters) = self.metrics_head(&items[i])?;
                        let query = MetricsExpr::Query { pipeline, func };
                        (staged(query, filters), &items[i + 1..])
                    }
                    None => {
                        let first = items.first()?;
                        if !has_metrics(first) || matches!(first, QNode::TopK { .. }) {
                            self.reject(first.range(), "topk()/bottomk() must follow a metrics function")?;
                        }
                        (self.lower_metrics(first)?, &items[1..])
                    }
                };
                let mut stages = Vec::new();
                for item in rest {
                    let QNode::TopK { bottom, k, range } = comparison_core(item) else {
                        self.reject(item.range(), "expecting topk() or bottomk() after a metrics function")?;
                        return None;
                    };
                    let range = range.clone();
                    stages.push(if *bottom {
                        SecondStage::BottomK { k: *k, range }
                    } else {
                        SecondStage::TopK { k: *k, range }
                    });
                    stages.extend(self.threshold_chain(item)?);
                }
                Some(staged(expr, stages))
            }
            QNode::Paren(inner, _) => self.lower_metrics(inner),
            QNode::Binary(op, l, r, range) if comparison(*op).is_some() => {
                if has_metrics(r) {
                    self.reject(r.range(), "cannot compare two metrics queries")?;
                }
                let lhs = self.lower_metrics(l)?;
                let value = self.threshold(r)?;
                let op = comparison(*op)?;
                Some(staged(lhs, vec![SecondStage::Filter { op, value, range: range.clone() }]))
            }
            QNode::Binary(op, l, r, range) => {
                let Some(bop) = arithmetic(*op).filter(|o| !matches!(o, BinaryOp::Mod | BinaryOp::Pow)) else {
                    self.reject(range.clone(), "only + - * / combine metrics queries")?;
                    return None;
                };
                let lhs = self.metrics_operand(l)?;
                let rhs = self.metrics_operand(r)?;
                Some(MetricsExpr::Binary { op: bop, lhs: Box::new(lhs), rhs: Box::new(rhs), range: range.clone() })
            }
            other => {
                self.reject(other.range(), "a metrics function must follow a spanset pipeline: { } | rate()")?;
                None
            }
        }
    }

    fn metrics_operand(&mut self, q: &QNode) -> Option<MetricsExpr> {
        match q {
            QNode::Paren(..) | QNode::Binary(..) if has_metrics(q) => self.lower_metrics(q),
            QNode::Metrics(m) => {
                self.reject(m.range.clone(), "metrics sub-queries must be parenthesised: ({ } | rate())")?;
                None
            }
            other => {
                let value = self.number_expr(other)?;
                Some(MetricsExpr::Scalar { value: static_f64(&value)?, range: other.range() })
            }
        }
    }

    /// `rate() by (x) > 1 > 2` -> the function and its filters.
    fn metrics_head(&mut self, item: &QNode) -> Option<(MetricsFn, Vec<SecondStage>)> {
        let QNode::Metrics(func) = comparison_core(item) else {
            return None;
        };
        Some(((**func).clone(), self.threshold_chain(item)?))
    }

    fn threshold_chain(&mut self, item: &QNode) -> Option<Vec<SecondStage>> {
        match item {
            QNode::Binary(op, l, r, range) if comparison(*op).is_some() => {
                let mut stages = self.threshold_chain(l)?;
                let value = self.threshold(r)?;
                stages.push(SecondStage::Filter { op: comparison(*op)?, value, range: range.clone() });
                Some(stages)
            }
            _ => Some(Vec::new()),
        }
    }

    /// A metrics filter threshold: a number expression, or one duration
    /// (converted to seconds).
    fn threshold(&mut self, q: &QNode) -> Option<f64> {
        let duration = match q {
            QNode::Static(Static::DurationNanos(d), _) => Some(*d),
            QNode::Neg(inner, _) => match inner.as_ref() {
                QNode::Static(Static::DurationNanos(d), _) => Some(d.wrapping_neg()),
                _ => None,
            },
            _ => None,
        };
        if let Some(d) = duration {
            return Some(d as f64 / 1e9);
        }
        let value = self.number_expr(q)?;
        static_f64(&value)
    }

    /// Constant number arithmetic; durations are not allowed here.
    fn number_expr(&mut self, q: &QNode) -> Option<Static> {
        match q {
            QNode::Static(v @ (Static::Int(_) | Static::Float(_)), _) => Some(v.clone()),
            QNode::Neg(inner, _) => match self.number_expr(inner)? {
                Static::Int(i) => Some(Static::Int(i.wrapping_neg())),
                Static::Float(f) => Some(Static::Float(-f)),
                _ => None,
            },
            QNode::Paren(inner, _) => self.number_expr(inner),
            QNode::Binary(op, l, r, range) if matches!(op, QOp::Add | QOp::Sub | QOp::Mul | QOp::Div) => {
                let a = self.number_expr(l)?;
                let b = self.number_expr(r)?;
                match fold(arithmetic(*op)?, &a, &b) {
                    Some(v) => Some(v),
                    None => {
                        self.reject(range.clone(), "cannot fold this constant expression")?;
                        None
                    }
                }
            }
            other => {
                self.reject(other.range(), "expecting a number")?;
                None
            }
        }
    }
}

fn staged(expr: MetricsExpr, stages: Vec<SecondStage>) -> MetricsExpr {
    if stages.is_empty() { expr } else { MetricsExpr::Staged { expr: Box::new(expr), stages } }
}
