//! `by(...)` group keys: hashable, owned copies of run-time values, and a
//! comparison against borrowed values so the common case (the span's group
//! is one already seen in this trace) allocates nothing.

use super::result::LabelValue;
use crate::ast::{SpanKind, Status};
use crate::eval::Value;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GroupKey {
    Nil,
    Bool(bool),
    Int(i64),
    /// `f64::to_bits`, so floats hash; -0.0 and 0.0 are distinct groups.
    Float(u64),
    DurationNanos(i64),
    Str(String),
    Status(Status),
    Kind(SpanKind),
    /// Arrays, by their debug text (rare; never matched without allocating).
    Other(String),
}

impl GroupKey {
    pub fn of(v: &Value<'_>) -> GroupKey {
        match v {
            Value::Nil => GroupKey::Nil,
            Value::Bool(b) => GroupKey::Bool(*b),
            Value::Int(i) => GroupKey::Int(*i),
            Value::Float(f) => GroupKey::Float(f.to_bits()),
            Value::DurationNanos(d) => GroupKey::DurationNanos(*d),
            Value::Str(s) => GroupKey::Str(s.to_string()),
            Value::Status(s) => GroupKey::Status(*s),
            Value::Kind(k) => GroupKey::Kind(*k),
            Value::Array(_) => GroupKey::Other(format!("{:?}", v.to_attr_value())),
        }
    }

    pub fn matches(&self, v: &Value<'_>) -> bool {
        match (self, v) {
            (GroupKey::Nil, Value::Nil) => true,
            (GroupKey::Bool(a), Value::Bool(b)) => a == b,
            (GroupKey::Int(a), Value::Int(b)) => a == b,
            (GroupKey::Float(a), Value::Float(b)) => *a == b.to_bits(),
            (GroupKey::DurationNanos(a), Value::DurationNanos(b)) => a == b,
            (GroupKey::Str(a), Value::Str(b)) => a == b.as_ref(),
            (GroupKey::Status(a), Value::Status(b)) => a == b,
            (GroupKey::Kind(a), Value::Kind(b)) => a == b,
            _ => false,
        }
    }

    /// The label Tempo would show: nil is the string `"nil"`, status and
    /// kind are their keywords, durations integer nanoseconds.
    pub fn label(&self) -> LabelValue {
        match self {
            GroupKey::Nil => LabelValue::String("nil".to_owned()),
            GroupKey::Bool(b) => LabelValue::Bool(*b),
            GroupKey::Int(i) | GroupKey::DurationNanos(i) => LabelValue::Int(*i),
            GroupKey::Float(bits) => LabelValue::Float(f64::from_bits(*bits)),
            GroupKey::Str(s) | GroupKey::Other(s) => LabelValue::String(s.clone()),
            GroupKey::Status(s) => LabelValue::String(
                match s {
                    Status::Error => "error",
                    Status::Ok => "ok",
                    Status::Unset => "unset",
                }
                .to_owned(),
            ),
            GroupKey::Kind(k) => LabelValue::String(
                match k {
                    SpanKind::Unspecified => "unspecified",
                    SpanKind::Internal => "internal",
                    SpanKind::Client => "client",
                    SpanKind::Server => "server",
                    SpanKind::Producer => "producer",
                    SpanKind::Consumer => "consumer",
                }
                .to_owned(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn keys_match_their_values() {
        let values = [
            Value::Nil,
            Value::Int(3),
            Value::Float(0.5),
            Value::Str(Cow::Borrowed("api")),
            Value::Status(Status::Error),
        ];
        for v in &values {
            assert!(GroupKey::of(v).matches(v));
        }
        assert!(!GroupKey::Int(3).matches(&Value::Float(3.0)));
        assert_eq!(GroupKey::Nil.label(), LabelValue::String("nil".into()));
        assert_eq!(GroupKey::of(&Value::Status(Status::Error)).label(), LabelValue::String("error".into()));
    }
}
