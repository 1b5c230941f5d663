//! Run-time values and Tempo's operator semantics (`ast_execute.go`):
//! nil and type mismatches make comparisons false, arrays match "any"
//! (or "all" for `!=`/`!~`), int-only arithmetic stays int.

use crate::ast::{BinaryOp, SpanKind, Status};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    DurationNanos(i64),
    Str(Cow<'a, str>),
    Status(Status),
    Kind(SpanKind),
    /// Homogeneous, at least two elements (shorter arrays collapse).
    Array(Box<[Value<'a>]>),
}

/// A value detached from the trace data, for results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AttrValue {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    DurationNanos(i64),
    String(String),
    Status(Status),
    Kind(SpanKind),
    Array(Vec<AttrValue>),
}

impl Value<'_> {
    pub fn to_attr_value(&self) -> AttrValue {
        match self {
            Value::Nil => AttrValue::Nil,
            Value::Bool(b) => AttrValue::Bool(*b),
            Value::Int(i) => AttrValue::Int(*i),
            Value::Float(f) => AttrValue::Float(*f),
            Value::DurationNanos(d) => AttrValue::DurationNanos(*d),
            Value::Str(s) => AttrValue::String(s.to_string()),
            Value::Status(s) => AttrValue::Status(*s),
            Value::Kind(k) => AttrValue::Kind(*k),
            Value::Array(items) => AttrValue::Array(items.iter().map(Value::to_attr_value).collect()),
        }
    }

    /// A cheap copy borrowing strings from `self`.
    pub fn reborrow(&self) -> Value<'_> {
        match self {
            Value::Str(s) => Value::Str(Cow::Borrowed(s.as_ref())),
            Value::Nil => Value::Nil,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::Float(f) => Value::Float(*f),
            Value::DurationNanos(d) => Value::DurationNanos(*d),
            Value::Status(s) => Value::Status(*s),
            Value::Kind(k) => Value::Kind(*k),
            Value::Array(items) => Value::Array(items.iter().map(Value::reborrow).collect()),
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::DurationNanos(d) => Some(*d as f64),
            _ => None,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Float(_) | Value::DurationNanos(_))
    }
}

/// Errors that abort evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpError {
    DivisionByZero,
    ModuloByZero,
    ArrayArithmetic,
    ArrayComparison,
}

impl OpError {
    pub fn message(&self) -> &'static str {
        match self {
            OpError::DivisionByZero => "division by zero",
            OpError::ModuloByZero => "modulo by zero",
            OpError::ArrayArithmetic => "arithmetic on array attributes is not supported",
            OpError::ArrayComparison => "comparing two array attributes is not supported",
        }
    }
}

/// Applies a comparison, regex, or arithmetic operator (not `&&`/`||`).
pub fn apply<'a>(
    op: BinaryOp,
    l: Value<'a>,
    r: Value<'a>,
    regex: Option<&crate::pattern::Pattern>,
) -> Result<Value<'a>, OpError> {
    if op.is_arithmetic() && !matches!(l, Value::Nil) && !matches!(r, Value::Nil) {
        return match (&l, &r) {
            (Value::Array(_), _) | (_, Value::Array(_)) => Err(OpError::ArrayArithmetic),
            _ => arithmetic(op, &l, &r),
        };
    }
    test(op, &l, &r, regex).map(Value::Bool)
}

/// A comparison or regex operator (or arithmetic, which is never true) on borrowed values, as
/// [`apply`] computes it: nil is false, an array matches if any element does (all for `!=`/`!~`).
pub fn test(
    op: BinaryOp,
    l: &Value<'_>,
    r: &Value<'_>,
    regex: Option<&crate::pattern::Pattern>,
) -> Result<bool, OpError> {
    if matches!(l, Value::Nil) || matches!(r, Value::Nil) {
        return Ok(false);
    }
    let (array, scalar, array_left) = match (l, r) {
        (Value::Array(_), Value::Array(_)) => {
            return if op.is_arithmetic() { Err(OpError::ArrayArithmetic) } else { Err(OpError::ArrayComparison) };
        }
        (Value::Array(a), s) => (a, s, true),
        (s, Value::Array(a)) => (a, s, false),
        _ => {
            return if op.is_arithmetic() {
                arithmetic(op, l, r).map(|v| matches!(v, Value::Bool(true)))
            } else {
                Ok(compare(op, l, r, regex))
            };
        }
    };
    if op.is_arithmetic() {
        return Err(OpError::ArrayArithmetic);
    }
    let test = |e: &Value<'_>| {
        if array_left { compare(op, e, scalar, regex) } else { compare(op, scalar, e, regex) }
    };
    Ok(if matches!(op, BinaryOp::Neq | BinaryOp::Nre) { array.iter().all(test) } else { array.iter().any(test) })
}

fn ord_result(op: BinaryOp, ord: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        BinaryOp::Eq => ord == Equal,
        BinaryOp::Neq => ord != Equal,
        BinaryOp::Lt => ord == Less,
        BinaryOp::Lte => ord != Greater,
        BinaryOp::Gt => ord == Greater,
        BinaryOp::Gte => ord != Less,
        _ => false,
    }
}

/// Scalar comparison; anything ill-typed is false.
pub fn compare(op: BinaryOp, l: &Value<'_>, r: &Value<'_>, regex: Option<&crate::pattern::Pattern>) -> bool {
    match (l, r) {
        (Value::Str(a), _) if op.is_regex() => {
            let Some(re) = regex else { return false };
            re.is_match(a) == (op == BinaryOp::Re)
        }
        _ if op.is_regex() => false,
        (Value::Int(a), Value::Int(b)) => ord_result(op, a.cmp(b)),
        (a, b) if a.is_numeric() && b.is_numeric() => {
            let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) else {
                return false;
            };
            match x.partial_cmp(&y) {
                Some(ord) => ord_result(op, ord),
                None => op == BinaryOp::Neq,
            }
        }
        (Value::Str(a), Value::Str(b)) => ord_result(op, a.as_ref().cmp(b.as_ref())),
        (Value::Bool(a), Value::Bool(b)) => equality(op, a == b),
        (Value::Status(a), Value::Status(b)) => equality(op, a == b),
        (Value::Kind(a), Value::Kind(b)) => equality(op, a == b),
        _ => false,
    }
}

fn equality(op: BinaryOp, equal: bool) -> bool {
    match op {
        BinaryOp::Eq => equal,
        BinaryOp::Neq => !equal,
        _ => false,
    }
}

fn arithmetic<'a>(op: BinaryOp, l: &Value<'a>, r: &Value<'a>) -> Result<Value<'a>, OpError> {
    if let (Value::Int(a), Value::Int(b)) = (l, r) {
        let (a, b) = (*a, *b);
        return Ok(Value::Int(match op {
            BinaryOp::Add => a.wrapping_add(b),
            BinaryOp::Sub => a.wrapping_sub(b),
            BinaryOp::Mul => a.wrapping_mul(b),
            BinaryOp::Div if b == 0 => return Err(OpError::DivisionByZero),
            BinaryOp::Div => a.wrapping_div(b),
            BinaryOp::Mod if b == 0 => return Err(OpError::ModuloByZero),
            BinaryOp::Mod => a.wrapping_rem(b),
            // Tempo computes rhs^lhs here (a quirk, see TRACEQL.md §5.8);
            // spanlens computes the mathematically expected lhs^rhs.
            _ => int_pow(a, b),
        }));
    }
    let (Some(x), Some(y)) = (l.as_f64(), r.as_f64()) else {
        return Ok(Value::Bool(false));
    };
    Ok(Value::Float(match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Div => x / y,
        BinaryOp::Mod => x % y,
        _ => x.powf(y),
    }))
}

fn int_pow(base: i64, exp: i64) -> i64 {
    if exp < 0 {
        #[allow(clippy::cast_possible_truncation)]
        return (base as f64).powf(exp as f64) as i64;
    }
    let mut result: i64 = 1;
    let mut b = base;
    let mut e = exp;
    while e > 0 {
        if e & 1 == 1 {
            result = result.wrapping_mul(b);
        }
        b = b.wrapping_mul(b);
        e >>= 1;
    }
    result
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn nil_and_mismatch_are_false() {
        let s = Value::Str("1".into());
        assert_eq!(apply(BinaryOp::Neq, Value::Nil, s.clone(), None), Ok(Value::Bool(false)));
        assert_eq!(apply(BinaryOp::Neq, Value::Int(1), s, None), Ok(Value::Bool(false)));
        assert_eq!(apply(BinaryOp::Eq, Value::DurationNanos(1), Value::Int(1), None), Ok(Value::Bool(true)));
    }

    #[test]
    fn arithmetic_rules() {
        assert_eq!(apply(BinaryOp::Div, Value::Int(1), Value::Int(10), None), Ok(Value::Int(0)));
        assert_eq!(apply(BinaryOp::Div, Value::Int(1), Value::Int(0), None), Err(OpError::DivisionByZero));
        assert_eq!(apply(BinaryOp::Pow, Value::Int(2), Value::Int(3), None), Ok(Value::Int(8)));
        assert_eq!(apply(BinaryOp::Mod, Value::Int(-7), Value::Int(2), None), Ok(Value::Int(-1)));
    }
}
