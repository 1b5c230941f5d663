//! OTLP `KeyValue` lists and `AnyValue`s, read straight into interned [`Attribute`]s.

use super::Ctx;
use crate::import::json_scalar::{Key, Scalar};
use crate::import::seq::{Each, List};
use crate::import::text::decode_base64;
use crate::value::{AnyValue, Attribute};
use crate::warnings::WarningKind;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Collects a `KeyValue[]` (attributes, kvlist values, Jaeger-free OTLP only).
pub struct Attrs<'a, 'b> {
    pub ctx: &'a mut Ctx<'b>,
    pub out: Vec<Attribute>,
}

/// Reads a `KeyValue[]` value of the current map entry into a boxed slice.
pub fn read_attributes<'de, A: MapAccess<'de>>(ctx: &mut Ctx<'_>, map: &mut A) -> Result<Box<[Attribute]>, A::Error> {
    // Reused scratch vectors: collecting from a drain allocates the boxed slice once, at its exact
    // size, instead of growing a fresh Vec and shrinking it for every span.
    let scratch = ctx.attr_pool.pop().unwrap_or_default();
    let mut out = map.next_value_seed(List(Attrs { ctx: &mut *ctx, out: scratch }))?.out;
    let boxed: Box<[Attribute]> = out.drain(..).collect();
    ctx.attr_pool.push(out);
    Ok(boxed)
}

impl<'de, 'b> Each<'de> for Attrs<'_, 'b> {
    type Seed<'x>
        = KeyValueSeed<'x, 'b>
    where
        Self: 'x;
    fn expecting(&self) -> &'static str {
        "an array of {key, value} attributes"
    }
    fn seed(&mut self, _index: usize) -> KeyValueSeed<'_, 'b> {
        KeyValueSeed { ctx: self.ctx, out: &mut self.out }
    }
}

pub struct KeyValueSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
    out: &'x mut Vec<Attribute>,
}

impl<'de> DeserializeSeed<'de> for KeyValueSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for KeyValueSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an attribute object {key, value}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut key = None;
        let mut value = AnyValue::Empty;
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"key" => {
                    let s: Scalar = map.next_value()?;
                    match s.as_str() {
                        Some(text) => key = Some(self.ctx.intern(text)),
                        None => self.ctx.problem(
                            WarningKind::InvalidValue,
                            "attributes.key",
                            format!("expected a string, found {}", s.kind()),
                        ),
                    }
                }
                b"value" => value = map.next_value_seed(AnyValueSeed { ctx: self.ctx })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let key = match key {
            Some(k) => k,
            None => {
                self.ctx.problem(
                    WarningKind::InvalidValue,
                    "attributes",
                    "an attribute has no key; kept with an empty key".to_owned(),
                );
                self.ctx.empty
            }
        };
        self.out.push(Attribute { key, value });
        Ok(())
    }
}

/// One `AnyValue`. Also accepts a bare JSON scalar or array in place of the wrapper object, which some
/// hand-written files use.
pub struct AnyValueSeed<'x, 'b> {
    pub ctx: &'x mut Ctx<'b>,
}

impl<'de> DeserializeSeed<'de> for AnyValueSeed<'_, '_> {
    type Value = AnyValue;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<AnyValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AnyValueSeed<'_, '_> {
    type Value = AnyValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an AnyValue object such as {\"stringValue\": \"x\"}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyValue, A::Error> {
        let ctx = self.ctx;
        let mut value = AnyValue::Empty;
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"stringValue" | b"string_value" => {
                    let s: Scalar = map.next_value()?;
                    value = match s.as_str() {
                        Some(text) => AnyValue::Str(ctx.intern(text)),
                        None => {
                            typed(ctx, &s, "stringValue", |never: std::convert::Infallible| match never {}, |_| None)
                        }
                    };
                }
                b"boolValue" | b"bool_value" => {
                    let s: Scalar = map.next_value()?;
                    value = typed(ctx, &s, "boolValue", AnyValue::Bool, |s| s.as_bool());
                }
                b"intValue" | b"int_value" => {
                    let s: Scalar = map.next_value()?;
                    value = typed(ctx, &s, "intValue", AnyValue::Int, |s| s.as_i64());
                }
                b"doubleValue" | b"double_value" => {
                    let s: Scalar = map.next_value()?;
                    value = typed(ctx, &s, "doubleValue", AnyValue::Float, |s| s.as_f64());
                }
                b"bytesValue" | b"bytes_value" => {
                    let s: Scalar = map.next_value()?;
                    value = typed(
                        ctx,
                        &s,
                        "bytesValue",
                        |b: Vec<u8>| AnyValue::Bytes(b.into_boxed_slice()),
                        |s| s.as_str().and_then(decode_base64),
                    );
                }
                b"arrayValue" | b"array_value" => {
                    value = map.next_value_seed(ValuesSeed { ctx: &mut *ctx, kvlist: false })?;
                }
                b"kvlistValue" | b"kvlist_value" => {
                    value = map.next_value_seed(ValuesSeed { ctx: &mut *ctx, kvlist: true })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(value)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<AnyValue, A::Error> {
        let values = Values { ctx: self.ctx, out: Vec::new() };
        let values = List(values).visit_seq(seq)?;
        Ok(AnyValue::Array(values.out.into_boxed_slice()))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<AnyValue, E> {
        Ok(AnyValue::Str(self.ctx.intern(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<AnyValue, E> {
        Ok(AnyValue::Str(self.ctx.intern(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<AnyValue, E> {
        Ok(AnyValue::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<AnyValue, E> {
        Ok(AnyValue::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<AnyValue, E> {
        Ok(i64::try_from(v).map_or(AnyValue::Float(v as f64), AnyValue::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<AnyValue, E> {
        Ok(AnyValue::Float(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<AnyValue, E> {
        Ok(AnyValue::Empty)
    }
}

/// Converts a scalar with `read`, or records a warning naming `field` and yields `Empty`. JSON `null`
/// means "not set" in proto3 JSON and is not worth a warning.
fn typed<T>(
    ctx: &mut Ctx<'_>,
    s: &Scalar,
    field: &str,
    wrap: impl FnOnce(T) -> AnyValue,
    read: impl FnOnce(&Scalar) -> Option<T>,
) -> AnyValue {
    if matches!(s, Scalar::Null) {
        return AnyValue::Empty;
    }
    match read(s) {
        Some(v) => wrap(v),
        None => {
            let shown = match s {
                Scalar::Str(text) => format!("{:?}", crate::ids::truncate_for_message(text)),
                other => other.kind().to_owned(),
            };
            ctx.problem(
                WarningKind::InvalidValue,
                field,
                format!("cannot read {shown}; the attribute is kept as empty"),
            );
            AnyValue::Empty
        }
    }
}

/// `arrayValue` / `kvlistValue`: an object whose `values` holds the elements.
struct ValuesSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
    kvlist: bool,
}

impl<'de> DeserializeSeed<'de> for ValuesSeed<'_, '_> {
    type Value = AnyValue;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<AnyValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValuesSeed<'_, '_> {
    type Value = AnyValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object {\"values\": [...]}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyValue, A::Error> {
        let mut value = if self.kvlist { AnyValue::KvList(Box::default()) } else { AnyValue::Array(Box::default()) };
        while let Some(k) = map.next_key::<Key>()? {
            if &*k.0 != b"values" {
                map.next_value::<IgnoredAny>()?;
            } else if self.kvlist {
                value = AnyValue::KvList(read_attributes(self.ctx, &mut map)?);
            } else {
                let values = map.next_value_seed(List(Values { ctx: &mut *self.ctx, out: Vec::new() }))?;
                value = AnyValue::Array(values.out.into_boxed_slice());
            }
        }
        Ok(value)
    }
    fn visit_unit<E: de::Error>(self) -> Result<AnyValue, E> {
        Ok(AnyValue::Empty)
    }
}

struct Values<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    out: Vec<AnyValue>,
}

impl<'de, 'b> Each<'de> for Values<'_, 'b> {
    type Seed<'x>
        = PushValue<'x, 'b>
    where
        Self: 'x;
    fn expecting(&self) -> &'static str {
        "an array of AnyValues"
    }
    fn seed(&mut self, _index: usize) -> PushValue<'_, 'b> {
        PushValue { ctx: self.ctx, out: &mut self.out }
    }
}

struct PushValue<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
    out: &'x mut Vec<AnyValue>,
}

impl<'de> DeserializeSeed<'de> for PushValue<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let value = AnyValueSeed { ctx: self.ctx }.deserialize(deserializer)?;
        self.out.push(value);
        Ok(())
    }
}
