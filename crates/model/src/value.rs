//! Typed attribute values, mirroring OTLP's `AnyValue`.

use crate::interner::{Interner, Sym};
use serde::{Deserialize, Serialize};

/// One attribute value. Strings are interned because values such as `http.method` or `db.system`
/// repeat across most spans of a trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AnyValue {
    Str(Sym),
    Bool(bool),
    Int(i64),
    Float(f64),
    Bytes(Box<[u8]>),
    Array(Box<[AnyValue]>),
    KvList(Box<[Attribute]>),
    /// OTLP allows an `AnyValue` with no value set.
    Empty,
}

/// A key and its value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    pub key: Sym,
    pub value: AnyValue,
}

impl AnyValue {
    /// The OTLP name of the value's type, as shown in the span panel.
    pub fn type_name(&self) -> &'static str {
        match self {
            AnyValue::Str(_) => "string",
            AnyValue::Bool(_) => "bool",
            AnyValue::Int(_) => "int",
            AnyValue::Float(_) => "double",
            AnyValue::Bytes(_) => "bytes",
            AnyValue::Array(_) => "array",
            AnyValue::KvList(_) => "kvlist",
            AnyValue::Empty => "empty",
        }
    }

    /// Renders the value as display text (strings unquoted at the top level, JSON-like inside
    /// arrays and kvlists). Walks nested values with an explicit stack: hostile files nest deeply.
    pub fn display(&self, strings: &Interner) -> String {
        let mut out = String::new();
        write_value(self, strings, &mut out, false);
        out
    }
}

enum Step<'a> {
    Value(&'a AnyValue, bool),
    Text(&'static str),
    Key(Sym),
}

fn write_value(root: &AnyValue, strings: &Interner, out: &mut String, quoted_root: bool) {
    let mut stack = vec![Step::Value(root, quoted_root)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Text(t) => out.push_str(t),
            Step::Key(k) => {
                push_json_string(out, strings.resolve(k));
                out.push_str(": ");
            }
            Step::Value(v, quoted) => match v {
                AnyValue::Str(s) if quoted => push_json_string(out, strings.resolve(*s)),
                AnyValue::Str(s) => out.push_str(strings.resolve(*s)),
                AnyValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                AnyValue::Int(i) => out.push_str(&i.to_string()),
                AnyValue::Float(f) => out.push_str(&format_float(*f)),
                AnyValue::Bytes(b) => {
                    for byte in b.iter() {
                        out.push_str(&format!("{byte:02x}"));
                    }
                }
                AnyValue::Empty => out.push_str("null"),
                AnyValue::Array(items) => {
                    stack.push(Step::Text("]"));
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push(Step::Value(item, true));
                        if i > 0 {
                            stack.push(Step::Text(", "));
                        }
                    }
                    stack.push(Step::Text("["));
                }
                AnyValue::KvList(kvs) => {
                    stack.push(Step::Text("}"));
                    for (i, kv) in kvs.iter().enumerate().rev() {
                        stack.push(Step::Value(&kv.value, true));
                        stack.push(Step::Key(kv.key));
                        if i > 0 {
                            stack.push(Step::Text(", "));
                        }
                    }
                    stack.push(Step::Text("{"));
                }
            },
        }
    }
}

fn format_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 { format!("{f:.1}") } else { f.to_string() }
}

fn push_json_string(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        Err(_) => out.push_str(s),
    }
}

/// Drops a deeply nested value without recursion. Rust's drop glue for `Box<[AnyValue]>` recurses,
/// so a value nested 100,000 levels deep (hostile input) would overflow the stack when freed.
pub fn drop_deep(value: AnyValue) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            AnyValue::Array(items) => stack.extend(items.into_vec()),
            AnyValue::KvList(kvs) => stack.extend(kvs.into_vec().into_iter().map(|kv| kv.value)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_nested_values() {
        let mut strings = Interner::new();
        let k = strings.intern("k");
        let v = strings.intern("v");
        let value = AnyValue::Array(
            vec![
                AnyValue::Int(1),
                AnyValue::Str(v),
                AnyValue::KvList(vec![Attribute { key: k, value: AnyValue::Bool(true) }].into()),
                AnyValue::Float(2.0),
            ]
            .into(),
        );
        assert_eq!(value.display(&strings), r#"[1, "v", {"k": true}, 2.0]"#);
        assert_eq!(AnyValue::Str(v).display(&strings), "v");
        assert_eq!(AnyValue::Bytes(vec![0xab, 1].into()).display(&strings), "ab01");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let strings = Interner::new();
        let mut value = AnyValue::Int(0);
        for _ in 0..100_000 {
            value = AnyValue::Array(vec![value].into());
        }
        let text = value.display(&strings);
        assert_eq!(text.len(), 200_001);
        // Dropping a 100k-deep value recursively would overflow too; unwind it iteratively.
        crate::value::drop_deep(value);
    }
}
