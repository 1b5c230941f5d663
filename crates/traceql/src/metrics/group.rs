//! `by(...)` group keys: hashable, owned copies of run-time values, and a
//! comparison against borrowed values so the common case (the span's group
//! is one already seen in this trace) allocates nothing.

use super::result::LabelValue;
use crate::ast::{SpanKind, Status};
use crate::display::{kind_name, status_name};
use crate::eval::Value;

/// FNV-1a over a borrowed group's values, so a span's group is found
/// without building an owned key (the allocation dominated `by(name)`).
pub fn hash_values(values: &[Value<'_>]) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for v in values {
        match v {
            Value::Nil => h.write(&[0]),
            Value::Bool(b) => h.write(&[1, u8::from(*b)]),
            Value::Int(i) => {
                h.write(&[2]);
                h.write(&i.to_le_bytes());
            }
            Value::Float(f) => {
                h.write(&[3]);
                h.write(&f.to_bits().to_le_bytes());
            }
            Value::DurationNanos(d) => {
                h.write(&[4]);
                h.write(&d.to_le_bytes());
            }
            Value::Str(s) => {
                h.write(&[5]);
                h.write(s.as_bytes());
                h.write(&[0xff]);
            }
            Value::Status(s) => h.write(&[6, *s as u8]),
            Value::Kind(k) => h.write(&[7, *k as u8]),
            Value::Array(items) => {
                h.write(&[8]);
                h.write(&hash_values(items).to_le_bytes());
            }
        }
    }
    h.0
}

struct Fnv(u64);

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A `HashMap` hasher for keys that are already hashes.
#[derive(Default, Clone, Copy)]
pub struct PreHashed(u64);

impl std::hash::Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub type PreHashedMap<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<PreHashed>>;

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
            GroupKey::Status(s) => LabelValue::String(status_name(*s).to_owned()),
            GroupKey::Kind(k) => LabelValue::String(kind_name(*k).to_owned()),
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
