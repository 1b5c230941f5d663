//! Field expressions compiled for evaluation: attribute keys resolved once
//! per query (interned symbols for the model), regexes compiled, `= nil`
//! turned into existence checks.

use super::value::{Value, apply, test};
use super::{Binding, SpanSource};
use crate::ast::{AttrScope, BinaryOp, Expr, ExprKind, Intrinsic, Static, UnaryOp};
use crate::error::{Error, ErrorKind};
use crate::pattern::{Pattern, compile_regex};
use std::borrow::Cow;
use std::ops::Range;

#[derive(Debug)]
pub(crate) enum CExpr<K> {
    Const(Value<'static>),
    Attr {
        scope: AttrScope,
        key: K,
    },
    Intrinsic(Intrinsic),
    /// `parent.x` (a spanlens extension): `x` evaluated on the span's parent;
    /// nil for a root.
    Parent(Box<CExpr<K>>),
    /// `x != nil` (present) / `x = nil` (absent).
    Exists {
        operand: Box<CExpr<K>>,
        present: bool,
    },
    Unary {
        op: UnaryOp,
        operand: Box<CExpr<K>>,
        range: Range<usize>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<CExpr<K>>,
        rhs: Box<CExpr<K>>,
        /// Boxed: a compiled regex is large, and most binary nodes have none.
        regex: Option<Box<Pattern>>,
        range: Range<usize>,
    },
}

/// Which binding dimensions a filter needs (events/links multiply work).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Uses {
    pub events: bool,
    pub links: bool,
}

pub(crate) fn static_value(s: &Static) -> Value<'static> {
    match s {
        Static::Nil => Value::Nil,
        Static::Bool(b) => Value::Bool(*b),
        Static::Int(i) => Value::Int(*i),
        Static::Float(f) => Value::Float(*f),
        Static::DurationNanos(d) => Value::DurationNanos(*d),
        Static::String(s) => Value::Str(Cow::Owned(s.clone())),
        Static::Status(s) => Value::Status(*s),
        Static::Kind(k) => Value::Kind(*k),
    }
}

fn is_nil(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Static(Static::Nil))
}

fn is_trace_id(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Intrinsic(Intrinsic::TraceId | Intrinsic::LinkTraceId))
}

pub(crate) fn compile<K>(e: &Expr, key: &dyn Fn(&str) -> K, uses: &mut Uses, src: &str) -> Result<CExpr<K>, Error> {
    Ok(match &e.kind {
        ExprKind::Static(s) => CExpr::Const(static_value(s)),
        ExprKind::Attribute(a) => {
            if a.parent {
                return parent_field(a, key, e, src);
            }
            uses.events |= a.scope == AttrScope::Event;
            uses.links |= a.scope == AttrScope::Link;
            CExpr::Attr { scope: a.scope, key: key(&a.name) }
        }
        ExprKind::Intrinsic(i) => {
            match i {
                Intrinsic::Parent => {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        "parent is not yet supported",
                        e.range.clone(),
                        src,
                    ));
                }
                Intrinsic::EventName | Intrinsic::EventTimeSinceStart => uses.events = true,
                Intrinsic::LinkTraceId | Intrinsic::LinkSpanId => uses.links = true,
                _ => {}
            }
            CExpr::Intrinsic(*i)
        }
        ExprKind::Unary { op, operand } => {
            CExpr::Unary { op: *op, operand: Box::new(compile(operand, key, uses, src)?), range: e.range.clone() }
        }
        ExprKind::Binary { op, lhs, rhs } => {
            if matches!(op, BinaryOp::Eq | BinaryOp::Neq) && (is_nil(lhs) || is_nil(rhs)) {
                if is_nil(lhs) && is_nil(rhs) {
                    // Tempo folds both `nil = nil` and `nil != nil` to false.
                    return Ok(CExpr::Const(Value::Bool(false)));
                }
                let operand = if is_nil(lhs) { rhs } else { lhs };
                return Ok(CExpr::Exists {
                    operand: Box::new(compile(operand, key, uses, src)?),
                    present: *op == BinaryOp::Neq,
                });
            }
            let regex = if op.is_regex() {
                let ExprKind::Static(Static::String(pattern)) = &rhs.kind else {
                    return Err(Error::new(
                        ErrorKind::Validation,
                        "regex must be a string literal",
                        rhs.range.clone(),
                        src,
                    ));
                };
                let re = compile_regex(pattern).map_err(|err| {
                    Error::new(ErrorKind::Validation, format!("invalid regex: {err}"), rhs.range.clone(), src)
                })?;
                Some(Box::new(re))
            } else {
                None
            };
            let mut l = compile(lhs, key, uses, src)?;
            let mut r = compile(rhs, key, uses, src)?;
            // Trace ids compare without leading zeros on both sides.
            if is_trace_id(lhs) {
                trim_id_literal(&mut r);
            }
            if is_trace_id(rhs) {
                trim_id_literal(&mut l);
            }
            // `&&` is commutative when neither side can fail, so test the cheaper side first:
            // `{ span.http.status_code >= 500 && resource.service.name = "x" }` then reads the
            // span's attribute list (a cache miss per span) only for spans of service `x`.
            if *op == BinaryOp::And && infallible(&l) && infallible(&r) && cost(&r) < cost(&l) {
                std::mem::swap(&mut l, &mut r);
            }
            CExpr::Binary { op: *op, lhs: Box::new(l), rhs: Box::new(r), regex, range: e.range.clone() }
        }
    })
}

/// The span intrinsic `parent.<name>` reads, if `name` is one.
pub(crate) fn parent_intrinsic(name: &str) -> Option<Intrinsic> {
    Some(match name {
        "duration" => Intrinsic::Duration,
        "name" => Intrinsic::Name,
        "status" => Intrinsic::Status,
        "statusMessage" => Intrinsic::StatusMessage,
        "kind" => Intrinsic::Kind,
        "childCount" => Intrinsic::ChildCount,
        "id" => Intrinsic::SpanId,
        _ => return None,
    })
}

/// `parent.x`: `parent.duration`, `parent.name`, ... are the parent's intrinsics; anything else
/// is an attribute of the parent (`parent.resource.service.name`, `parent.http.method`). Event
/// and link scopes have no meaning on another span and are refused.
fn parent_field<K>(a: &crate::ast::Attribute, key: &dyn Fn(&str) -> K, e: &Expr, src: &str) -> Result<CExpr<K>, Error> {
    let inner = match a.scope {
        AttrScope::None => match parent_intrinsic(&a.name) {
            Some(i) => CExpr::Intrinsic(i),
            None => CExpr::Attr { scope: AttrScope::None, key: key(&a.name) },
        },
        AttrScope::Span | AttrScope::Resource | AttrScope::Instrumentation => {
            CExpr::Attr { scope: a.scope, key: key(&a.name) }
        }
        AttrScope::Event | AttrScope::Link => {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "parent. applies to span and resource attributes and span intrinsics",
                e.range.clone(),
                src,
            ));
        }
    };
    Ok(CExpr::Parent(Box::new(inner)))
}

/// Can evaluating `e` never return an error? Comparisons fail only on two arrays, so one constant
/// side (constants are never arrays) makes them safe; arithmetic and unary operators may fail.
fn infallible<K>(e: &CExpr<K>) -> bool {
    match e {
        CExpr::Const(_) | CExpr::Attr { .. } | CExpr::Intrinsic(_) => true,
        CExpr::Exists { operand, .. } | CExpr::Parent(operand) => infallible(operand),
        CExpr::Unary { .. } => false,
        CExpr::Binary { op, lhs, rhs, .. } => match op {
            BinaryOp::And | BinaryOp::Or => infallible(lhs) && infallible(rhs),
            op if op.is_arithmetic() => false,
            _ => {
                infallible(lhs)
                    && infallible(rhs)
                    && (matches!(**lhs, CExpr::Const(_)) || matches!(**rhs, CExpr::Const(_)))
            }
        },
    }
}

/// A rough relative cost of evaluating `e` on one span of the model: fields of the span record
/// are cheap, the small shared resource/scope tables next, the span's own attribute list (a
/// separate allocation per span) and event/link bindings dearest, formatted ids dearer still.
fn cost<K>(e: &CExpr<K>) -> u32 {
    match e {
        CExpr::Const(_) => 0,
        CExpr::Intrinsic(i) => match i {
            Intrinsic::Duration | Intrinsic::Name | Intrinsic::Status | Intrinsic::StatusMessage | Intrinsic::Kind => 1,
            Intrinsic::TraceRootName
            | Intrinsic::TraceRootService
            | Intrinsic::TraceDuration
            | Intrinsic::InstrumentationName
            | Intrinsic::InstrumentationVersion
            | Intrinsic::ChildCount => 2,
            Intrinsic::EventName
            | Intrinsic::EventTimeSinceStart
            | Intrinsic::NestedSetLeft
            | Intrinsic::NestedSetRight
            | Intrinsic::NestedSetParent => 4,
            Intrinsic::SpanId
            | Intrinsic::ParentId
            | Intrinsic::TraceId
            | Intrinsic::LinkTraceId
            | Intrinsic::LinkSpanId
            | Intrinsic::Parent => 8,
        },
        // Finding the parent, then the field.
        CExpr::Parent(inner) => 2 + cost(inner),
        CExpr::Attr { scope, .. } => match scope {
            AttrScope::Resource | AttrScope::Instrumentation => 2,
            AttrScope::Span | AttrScope::None => 4,
            AttrScope::Event | AttrScope::Link => 5,
        },
        CExpr::Exists { operand, .. } | CExpr::Unary { operand, .. } => cost(operand),
        CExpr::Binary { lhs, rhs, regex, .. } => cost(lhs) + cost(rhs) + if regex.is_some() { 4 } else { 0 },
    }
}

fn trim_id_literal<K>(e: &mut CExpr<K>) {
    if let CExpr::Const(Value::Str(s)) = e {
        let trimmed = s.trim_start_matches('0').to_ascii_lowercase();
        *s = Cow::Owned(trimmed);
    }
}

impl<K> CExpr<K> {
    pub(crate) fn eval<'s, S: SpanSource<Key = K>>(&'s self, src: &'s S, b: Binding) -> Result<Value<'s>, Error> {
        Ok(match self {
            CExpr::Const(v) => v.reborrow(),
            CExpr::Attr { scope, key } => src.attribute(b, *scope, key),
            CExpr::Parent(inner) => match src.parent_span(b.span) {
                Some(p) => inner.eval(src, Binding { span: p, event: None, link: None })?,
                None => Value::Nil,
            },
            CExpr::Intrinsic(i) => src.intrinsic(b, *i),
            CExpr::Exists { operand, present } => {
                let v = operand.eval(src, b)?;
                Value::Bool(matches!(v, Value::Nil) != *present)
            }
            CExpr::Unary { op, operand, range } => {
                let v = operand.eval(src, b)?;
                match (op, v) {
                    (UnaryOp::Not, Value::Bool(x)) => Value::Bool(!x),
                    (UnaryOp::Neg, Value::Int(i)) => Value::Int(i.wrapping_neg()),
                    (UnaryOp::Neg, Value::Float(f)) => Value::Float(-f),
                    (UnaryOp::Neg, Value::DurationNanos(d)) => Value::DurationNanos(d.wrapping_neg()),
                    (op, v) => {
                        let what = if *op == UnaryOp::Not { "! needs a boolean" } else { "unary - needs a number" };
                        return Err(runtime(format!("{what}, found {v:?}"), range));
                    }
                }
            }
            CExpr::Binary { op: BinaryOp::And, lhs, rhs, .. } => {
                let l = lhs.eval(src, b)?;
                if matches!(l, Value::Bool(false)) {
                    return Ok(Value::Bool(false));
                }
                let r = rhs.eval(src, b)?;
                Value::Bool(matches!((l, r), (Value::Bool(true), Value::Bool(true))))
            }
            CExpr::Binary { op: BinaryOp::Or, lhs, rhs, .. } => {
                let l = lhs.eval(src, b)?;
                if matches!(l, Value::Bool(true)) {
                    return Ok(Value::Bool(true));
                }
                let r = rhs.eval(src, b)?;
                Value::Bool(matches!((l, r), (Value::Bool(false), Value::Bool(true))))
            }
            CExpr::Binary { op, lhs, rhs, regex, range } => {
                let l = lhs.eval(src, b)?;
                let r = rhs.eval(src, b)?;
                apply(*op, l, r, regex.as_deref()).map_err(|e| runtime(e.message().to_string(), range))?
            }
        })
    }
}

impl<K> CExpr<K> {
    /// Does this node only ever evaluate to a boolean (or fail)? Comparisons, `&&`, `||`, `!`
    /// and existence checks do; attributes, intrinsics and arithmetic may not.
    fn is_boolean(&self) -> bool {
        match self {
            CExpr::Const(v) => matches!(v, Value::Bool(_)),
            CExpr::Exists { .. } => true,
            CExpr::Unary { op, .. } => *op == UnaryOp::Not,
            CExpr::Binary { op, .. } => !op.is_arithmetic(),
            CExpr::Attr { .. } | CExpr::Intrinsic(_) | CExpr::Parent(_) => false,
        }
    }

    /// `matches!(self.eval(src, b)?, Value::Bool(true))`, without building values for the
    /// boolean nodes: the per-span filter path.
    pub(crate) fn eval_bool<'s, S: SpanSource<Key = K>>(&'s self, src: &'s S, b: Binding) -> Result<bool, Error> {
        match self {
            CExpr::Binary { op: BinaryOp::And, lhs, rhs, .. } if lhs.is_boolean() => {
                Ok(lhs.eval_bool(src, b)? && rhs.eval_bool(src, b)?)
            }
            CExpr::Binary { op: BinaryOp::Or, lhs, rhs, .. } if lhs.is_boolean() => {
                Ok(lhs.eval_bool(src, b)? || rhs.eval_bool(src, b)?)
            }
            CExpr::Binary { op, lhs, rhs, regex, range } if !matches!(op, BinaryOp::And | BinaryOp::Or) => {
                let l = lhs.eval(src, b)?;
                let r = match &**rhs {
                    CExpr::Const(c) => {
                        return test(*op, &l, c, regex.as_deref()).map_err(|e| runtime(e.message().to_string(), range));
                    }
                    other => other.eval(src, b)?,
                };
                test(*op, &l, &r, regex.as_deref()).map_err(|e| runtime(e.message().to_string(), range))
            }
            CExpr::Exists { operand, present } => Ok(matches!(operand.eval(src, b)?, Value::Nil) != *present),
            other => Ok(matches!(other.eval(src, b)?, Value::Bool(true))),
        }
    }
}

fn runtime(message: String, range: &Range<usize>) -> Error {
    Error { kind: ErrorKind::Runtime, message, range: range.clone(), line: 0, col: 0 }
}

/// Evaluates a filter on one span: true if any event/link binding matches.
pub(crate) fn span_matches<S: SpanSource>(e: &CExpr<S::Key>, uses: Uses, src: &S, span: u32) -> Result<bool, Error> {
    let events = if uses.events { src.event_count(span) } else { 0 };
    let links = if uses.links { src.link_count(span) } else { 0 };
    let event_iter = |n: u32| -> Vec<Option<u32>> { if n == 0 { vec![None] } else { (0..n).map(Some).collect() } };
    if events == 0 && links == 0 {
        return e.eval_bool(src, Binding { span, event: None, link: None });
    }
    for event in event_iter(events) {
        for link in event_iter(links) {
            if e.eval_bool(src, Binding { span, event, link })? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
