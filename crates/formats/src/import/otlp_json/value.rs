//! OTLP `KeyValue` lists and `AnyValue`s, read straight into interned [`Attribute`]s.
//!
//! Nested `arrayValue` / `kvlistValue` recurse, but every level enters JSON containers and the reader
//! bounds their nesting, so a hostile 100,000-level value is an error, not a stack overflow.

use super::Ctx;
use super::reader::{JsonError, Reader};
use crate::import::json_scalar::Scalar;
use crate::import::text::decode_base64;
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::warnings::WarningKind;

/// Reads a `KeyValue[]` (attributes, kvlist values) into a boxed slice.
pub fn read_attributes(r: &mut Reader<'_>, ctx: &mut Ctx<'_>) -> Result<Box<[Attribute]>, JsonError> {
    // Reused scratch vectors: collecting from a drain allocates the boxed slice once, at its exact
    // size, instead of growing a fresh Vec and shrinking it for every span.
    let mut out = ctx.attr_pool.pop().unwrap_or_default();
    let result = read_key_values(r, ctx, &mut out);
    let boxed: Box<[Attribute]> = out.drain(..).collect();
    ctx.attr_pool.push(out);
    result.map(|()| boxed)
}

fn read_key_values(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, out: &mut Vec<Attribute>) -> Result<(), JsonError> {
    let mut items = r.array_or_null("an array of {key, value} attributes")?;
    while r.next_item(&mut items)? {
        let mut fields = r.object("an attribute object {key, value}")?;
        let mut key = None;
        let mut value = AnyValue::Empty;
        let mut expect: &'static [u8] = b"\"key\":";
        while let Some(k) = r.next_key_or(&mut fields, expect)? {
            expect = b"";
            match &*k {
                b"key" => match ctx.intern_string(r)? {
                    Some(sym) => {
                        expect = b"\"value\":";
                        key = Some(sym);
                    }
                    None => {
                        let s = r.scalar()?;
                        ctx.problem(
                            WarningKind::InvalidValue,
                            "attributes.key",
                            format!("expected a string, found {}", s.kind()),
                        );
                    }
                },
                b"value" => value = read_any_value(r, ctx)?,
                _ => r.skip()?,
            }
        }
        let key = match key {
            Some(k) => k,
            None => {
                ctx.problem(
                    WarningKind::InvalidValue,
                    "attributes",
                    "an attribute has no key; kept with an empty key".to_owned(),
                );
                ctx.empty
            }
        };
        out.push(Attribute { key, value });
    }
    Ok(())
}

/// One `AnyValue`. Also accepts a bare JSON scalar or array in place of the wrapper object, which some
/// hand-written files use.
pub fn read_any_value(r: &mut Reader<'_>, ctx: &mut Ctx<'_>) -> Result<AnyValue, JsonError> {
    match r.peek() {
        Some(b'{') => {}
        Some(b'[') => {
            let mut out = Vec::new();
            let mut items = r.array()?;
            while r.next_item(&mut items)? {
                out.push(read_any_value(r, ctx)?);
            }
            return Ok(AnyValue::Array(out.into_boxed_slice()));
        }
        _ => {
            return Ok(match r.scalar()? {
                Scalar::Str(text) => AnyValue::Str(ctx.intern(&text)),
                Scalar::Bool(b) => AnyValue::Bool(b),
                Scalar::I64(v) => AnyValue::Int(v),
                Scalar::U64(v) => i64::try_from(v).map_or(AnyValue::Float(v as f64), AnyValue::Int),
                Scalar::F64(v) => AnyValue::Float(v),
                Scalar::Null | Scalar::Container(_) => AnyValue::Empty,
            });
        }
    }
    let mut fields = r.object("an AnyValue object such as {\"stringValue\": \"x\"}")?;
    let mut value = AnyValue::Empty;
    let mut expect: &'static [u8] = b"\"stringValue\":";
    while let Some(k) = r.next_key_or(&mut fields, expect)? {
        expect = b"";
        match &*k {
            b"stringValue" | b"string_value" => {
                value = match ctx.intern_string(r)? {
                    Some(sym) => AnyValue::Str(sym),
                    None => {
                        let s = r.scalar()?;
                        typed(ctx, &s, "stringValue", |never: std::convert::Infallible| match never {}, |_| None)
                    }
                };
            }
            b"boolValue" | b"bool_value" => {
                let s = r.scalar()?;
                value = typed(ctx, &s, "boolValue", AnyValue::Bool, |s| s.as_bool());
            }
            b"intValue" | b"int_value" => {
                let s = r.scalar()?;
                value = typed(ctx, &s, "intValue", AnyValue::Int, |s| s.as_i64());
            }
            b"doubleValue" | b"double_value" => {
                let s = r.scalar()?;
                value = typed(ctx, &s, "doubleValue", AnyValue::Float, |s| s.as_f64());
            }
            b"bytesValue" | b"bytes_value" => {
                let s = r.scalar()?;
                value = typed(
                    ctx,
                    &s,
                    "bytesValue",
                    |b: Vec<u8>| AnyValue::Bytes(b.into_boxed_slice()),
                    |s| s.as_str().and_then(decode_base64),
                );
            }
            b"arrayValue" | b"array_value" => value = read_values(r, ctx, false)?,
            b"kvlistValue" | b"kvlist_value" => value = read_values(r, ctx, true)?,
            _ => r.skip()?,
        }
    }
    Ok(value)
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
                Scalar::Str(text) => format!("{:?}", spanlens_model::ids::truncate_for_message(text)),
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
fn read_values(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, kvlist: bool) -> Result<AnyValue, JsonError> {
    let Some(mut fields) = r.object_or_null("an object {\"values\": [...]}")? else {
        return Ok(AnyValue::Empty);
    };
    let mut value = if kvlist { AnyValue::KvList(Box::default()) } else { AnyValue::Array(Box::default()) };
    while let Some(k) = r.next_key(&mut fields)? {
        if &*k != b"values" {
            r.skip()?;
        } else if kvlist {
            value = AnyValue::KvList(read_attributes(r, ctx)?);
        } else {
            let mut out = Vec::new();
            let mut items = r.array_or_null("an array of AnyValues")?;
            while r.next_item(&mut items)? {
                out.push(read_any_value(r, ctx)?);
            }
            value = AnyValue::Array(out.into_boxed_slice());
        }
    }
    Ok(value)
}
