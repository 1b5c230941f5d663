//! Streams the elements of a top-level JSON array (or of one array-valued key of a top-level object)
//! one at a time, so a 500 MB Chrome or Zipkin file never exists as one `serde_json::Value` tree.
//!
//! Each element is handed to the callback as a `serde_json::Value` as soon as it is parsed; elements
//! delivered before a syntax error stay delivered, which is what lets the Chrome importer keep a
//! trace whose closing `]` is missing. serde_json bounds nesting at 128 levels, so neither parsing
//! nor dropping a hostile element can overflow the stack.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// How the document ended.
#[derive(Debug, Default)]
pub(crate) struct StreamEnd {
    /// Elements delivered to the callback.
    pub elements: u64,
    /// For the object form: whether the array key was found at all.
    pub found_key: bool,
    /// Line and column of non-whitespace text after the closing bracket, if any.
    pub trailing: Option<(usize, usize)>,
}

/// Why streaming stopped early. `elements` were delivered before `error`.
#[derive(Debug)]
pub(crate) struct StreamError {
    pub error: serde_json::Error,
    pub elements: u64,
}

/// The document's top-level shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TopLevel {
    Array,
    Object,
    Other,
}

/// The first non-whitespace byte decides the shape.
pub(crate) fn top_level(bytes: &[u8]) -> TopLevel {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => TopLevel::Array,
        Some(b'{') => TopLevel::Object,
        _ => TopLevel::Other,
    }
}

/// Calls `each` for every element of the top-level array, or — when the document is an object and
/// `array_key` is given — of the array under that key (other keys are skipped unparsed).
pub(crate) fn for_each_element(
    bytes: &[u8],
    array_key: Option<&str>,
    each: &mut dyn FnMut(Value),
) -> Result<StreamEnd, StreamError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut state = State { each, elements: 0, found_key: false, array_key };
    let result = match top_level(bytes) {
        TopLevel::Object if array_key.is_some() => de.deserialize_map(ObjectSeed { state: &mut state }),
        _ => de.deserialize_seq(ArraySeed { state: &mut state }),
    };
    let (elements, found_key) = (state.elements, state.found_key);
    match result {
        Ok(()) => {
            let trailing = de.end().err().map(|e| (e.line(), e.column()));
            Ok(StreamEnd { elements, found_key, trailing })
        }
        Err(error) => Err(StreamError { error, elements }),
    }
}

struct State<'a, 'k> {
    each: &'a mut dyn FnMut(Value),
    elements: u64,
    found_key: bool,
    array_key: Option<&'k str>,
}

struct ArraySeed<'s, 'a, 'k> {
    state: &'s mut State<'a, 'k>,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            self.state.elements += 1;
            (self.state.each)(value);
        }
        Ok(())
    }
}

struct ObjectSeed<'s, 'a, 'k> {
    state: &'s mut State<'a, 'k>,
}

impl<'de> Visitor<'de> for ObjectSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if Some(key.as_ref()) == self.state.array_key && !self.state.found_key {
                self.state.found_key = true;
                map.next_value_seed(ArraySeed { state: &mut *self.state })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// Reads a JSON number or numeric string as `f64` (Chrome `ts`, Zipkin times written as strings).
pub(crate) fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// Reads a JSON integer (or integral float, or decimal string) as `i64`, exactly when it is an integer.
pub(crate) fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|u| i64::try_from(u).unwrap_or(i64::MAX)))
            .or_else(|| n.as_f64().filter(|f| f.is_finite() && f.abs() < 9.2e18).map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// Text for a scalar: strings as-is, numbers and booleans as JSON; `None` for null.
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn collect(bytes: &[u8], key: Option<&str>) -> (Vec<Value>, Result<StreamEnd, StreamError>) {
        let mut out = Vec::new();
        let r = for_each_element(bytes, key, &mut |v| out.push(v));
        (out, r)
    }

    #[test]
    fn array_and_object_forms() {
        let (v, r) = collect(b"[1, {\"a\":2}]", None);
        assert_eq!(v.len(), 2);
        assert!(r.unwrap().trailing.is_none());
        let (v, r) = collect(br#"{"meta":{"x":[1,2]},"traceEvents":[1,2,3],"z":1}"#, Some("traceEvents"));
        assert_eq!(v.len(), 3);
        assert!(r.unwrap().found_key);
    }

    #[test]
    fn truncation_keeps_what_was_read() {
        let (v, r) = collect(b"[1,2,", None);
        assert_eq!(v.len(), 2);
        let e = r.unwrap_err();
        assert!(e.error.is_eof());
        assert_eq!(e.elements, 2);
    }

    #[test]
    fn trailing_garbage_is_reported() {
        let (v, r) = collect(b"[1]\n garbage", None);
        assert_eq!(v.len(), 1);
        assert_eq!(r.unwrap().trailing, Some((2, 2)));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let mut text = "[".repeat(100_000);
        text.push_str(&"]".repeat(100_000));
        let (_, r) = collect(text.as_bytes(), None);
        assert!(r.is_err());
    }
}
