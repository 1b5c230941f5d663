//! One span of a streamed Jaeger trace, read straight from its bytes with the byte-level JSON reader
//! (the OTLP importer's), without serde's visitors: a 100k-span answer is 65 MB of span objects, and
//! this is most of what a cold deep link's worker does.
//!
//! It reads exactly what the serde reader (`SpanSeed`) reads, in the same order and through the same
//! conversions, so a span comes out identical. It gives up, leaving the span to the serde reader,
//! on anything unusual: invalid JSON (whose error message and position are serde's to give), an
//! object or array where a scalar goes or in a member it does not know (serde's nesting limit
//! applies there). Fractional numbers take serde_json's value (its rounding may differ from the
//! standard library's in the last bit). The caller rolls back the problems recorded before giving up; the strings it
//! interned are the ones the serde reader interns again, in the same order.

use super::{Draft, opt};
use crate::import::jaeger_json::convert::{Converter, process_key, scalar_text};
use crate::import::jaeger_json::model::{Doc, ProcessDraft, ProcessId, Rank, RefDraft, RefFields, Tag};
use crate::import::json_scalar::Scalar;
use crate::import::otlp_json::reader::{JsonError, Reader, plain_string_len};
use spanlens_model::ids::SpanId;
use spanlens_model::value::{AnyValue, Attribute};
use std::borrow::Cow;

/// The span is left to the serde reader; `eof` when its bytes ended first (more may come).
pub(super) struct GiveUp {
    pub eof: bool,
}

const UNUSUAL: GiveUp = GiveUp { eof: false };

impl From<JsonError> for GiveUp {
    fn from(e: JsonError) -> Self {
        GiveUp { eof: e.is_eof() }
    }
}

type Read<T> = Result<T, GiveUp>;

/// Reads the span object at the start of `bytes`, returning it and the length of its bytes; its
/// embedded `process` goes to `doc`.
pub(super) fn read_span<'a>(bytes: &'a [u8], conv: &mut Converter<'_>, doc: &mut Doc<'a>) -> Read<(Draft<'a>, usize)> {
    let mut r = Reader::new(bytes);
    let mut fields = r.object("a Jaeger span object")?;
    let mut d = Draft::new(conv);
    // Jaeger's query service writes a span's members in this order.
    const ORDER: [&[u8]; 12] = [
        b"\"traceID\":",
        b"\"spanID\":",
        b"\"flags\":",
        b"\"operationName\":",
        b"\"references\":",
        b"\"startTime\":",
        b"\"duration\":",
        b"\"tags\":",
        b"\"logs\":",
        b"\"processID\":",
        b"\"warnings\":",
        b"",
    ];
    let mut next = 0;
    while let Some(key) = r.next_key_or(&mut fields, ORDER.get(next).copied().unwrap_or(b""))? {
        let inner = |q: &[u8]| q.get(1..q.len().saturating_sub(2)) == Some(&*key);
        next = match ORDER.get(next) {
            Some(q) if inner(q) => next + 1,
            _ => ORDER.iter().position(|q| inner(q)).map_or(ORDER.len() - 1, |i| i + 1),
        };
        span_member(&mut r, conv, doc, &mut d, &key)?;
    }
    d.finish(conv);
    Ok((d, r.position()))
}

/// Any value, as `Scalar` reads it; gives up on containers (whose nesting serde's reader limits).
fn scalar<'a>(r: &mut Reader<'a>) -> Read<Scalar<'a>> {
    match r.peek() {
        None => Err(GiveUp { eof: true }),
        Some(b'{' | b'[') => Err(UNUSUAL),
        _ => {
            let from = r.rest();
            match r.scalar()? {
                // serde_json may round a long decimal one bit differently from the standard
                // library's parser: the value is the one the serde reader would give.
                Scalar::F64(_) => {
                    let text = from.get(..from.len() - r.rest().len()).ok_or(UNUSUAL)?;
                    serde_json::from_slice::<Scalar>(text).map(Scalar::into_owned).map_err(|_| UNUSUAL)
                }
                s => Ok(s),
            }
        }
    }
}

/// Skips a member this reader does not use: scalars only.
fn skip(r: &mut Reader<'_>) -> Read<()> {
    scalar(r).map(|_| ())
}

fn span_member<'a>(
    r: &mut Reader<'a>,
    conv: &mut Converter<'_>,
    doc: &mut Doc<'a>,
    d: &mut Draft<'a>,
    key: &[u8],
) -> Read<()> {
    match key {
        b"traceID" | b"traceId" | b"trace_id" => {
            let s = opt(scalar(r)?);
            d.trace_id(conv, s.as_ref());
        }
        b"spanID" | b"spanId" | b"span_id" => {
            if let Some(s) = opt(scalar(r)?) {
                if let Some((v, _)) = conv.id(&s, 8, "spanID") {
                    d.span.span_id = SpanId(v as u64);
                    d.span_id_seen = true;
                }
                d.absorb(conv, Rank::SpanId);
            }
        }
        b"parentSpanID" | b"parentSpanId" | b"parent_span_id" => {
            d.parent = opt(scalar(r)?).map(|s| conv.parent_id(&s));
        }
        b"operationName" | b"operation_name" => {
            d.span.name = match scalar(r)? {
                Scalar::Str(n) => conv.builder.intern(&n),
                _ => conv.empty,
            };
        }
        b"references" => {
            d.refs = references(r, conv)?;
            d.absorb(conv, Rank::References);
        }
        b"startTime" | b"start_time" => {
            if let Some(s) = opt(scalar(r)?) {
                d.span.start_nanos = conv.time(&s, "startTime");
                d.absorb(conv, Rank::StartTime);
            }
        }
        b"duration" => {
            if let Some(s) = opt(scalar(r)?) {
                d.span.duration_nanos = conv.duration(&s);
                d.absorb(conv, Rank::Duration);
            }
        }
        b"flags" => d.span.flags = opt(scalar(r)?).and_then(|s| s.as_u32()).unwrap_or(0),
        b"tags" => {
            let out = conv.take_attrs();
            let mut attributes = attributes(r, conv, "tags", out)?;
            d.absorb(conv, Rank::Tags);
            conv.special_tags(&mut attributes, &mut d.span);
            d.span.attributes = conv.boxed_attrs(attributes);
        }
        b"logs" => {
            let mut events = Vec::new();
            let mut items = r.array_or_null("an array of logs")?;
            while r.next_item(&mut items)? {
                let mark = conv.scratch.len();
                let mut fields = r.object("a log object")?;
                let mut timestamp = None;
                let mut log_fields = Vec::new();
                while let Some(k) = r.next_key_or(&mut fields, b"")? {
                    match &*k {
                        b"timestamp" => timestamp = opt(scalar(r)?),
                        b"fields" => {
                            let out = conv.take_attrs();
                            log_fields = attributes(r, conv, "logs.fields", out)?;
                        }
                        _ => skip(r)?,
                    }
                }
                events.push(conv.log(timestamp.as_ref(), log_fields, mark));
            }
            d.span.events = events.into();
            d.absorb(conv, Rank::Logs);
        }
        b"processID" | b"processId" | b"process_id" => {
            d.process_id = opt(scalar(r)?).map(|s| match s {
                Scalar::Str(text) => ProcessId::Text(text),
                other => ProcessId::Text(Cow::Owned(scalar_text(&other))),
            });
        }
        b"process" => {
            if let Some(p) = process(r)? {
                d.process = Some(doc.add_process(p));
            }
        }
        b"warnings" => {
            let mut warnings = Vec::new();
            let mut items = r.array_or_null("an array of warnings")?;
            while r.next_item(&mut items)? {
                if let Scalar::Str(text) = scalar(r)? {
                    warnings.push(text.into_owned());
                }
            }
            d.warnings(&warnings);
        }
        _ => skip(r)?,
    }
    Ok(())
}

/// A tag object's members, as `read_tag` reads them.
fn tag<'a>(r: &mut Reader<'a>) -> Read<Tag<'a>> {
    let mut fields = r.object("a tag object")?;
    let mut tag = Tag::default();
    while let Some(k) = r.next_key_or(&mut fields, b"")? {
        match tag.slot(&k) {
            Some(slot) => *slot = opt(scalar(r)?),
            None => skip(r)?,
        }
    }
    Ok(tag)
}

/// The usual tag, `{"key":"k","type":"string","value":"v"}` (or an `int64` or `bool` one) written
/// compactly with nothing escaped, matched byte for byte: the attribute `tag` and `Converter::tag`
/// make of it, without reading it member by member. `None`, with nothing consumed, for any other
/// spelling (the general path then reads it).
fn usual_tag(r: &mut Reader<'_>, conv: &mut Converter<'_>) -> Option<Attribute> {
    let rest = r.rest();
    let after_key = rest.strip_prefix(br#"{"key":""#)?;
    let (key, after_key) = after_key.split_at(plain_string_len(after_key)?);
    let (value, tail) = if let Some(v) = after_key.strip_prefix(br#"","type":"string","value":""#) {
        let (text, tail) = v.split_at(plain_string_len(v)?);
        let tail = tail.strip_prefix(br#""}"#)?;
        // `Converter::tag` interns the key first: so must this.
        let key = conv.builder.intern_bytes(key)?;
        let value = conv.builder.intern_bytes(text)?;
        return Some(finish_usual(r, rest, tail, Attribute { key, value: AnyValue::Str(value) }));
    } else if let Some(v) = after_key.strip_prefix(br#"","type":"int64","value":"#) {
        let (value, tail) = plain_i64(v)?;
        (AnyValue::Int(value), tail.strip_prefix(b"}")?)
    } else if let Some(v) = after_key.strip_prefix(br#"","type":"bool","value":"#) {
        match v {
            [b't', b'r', b'u', b'e', b'}', tail @ ..] => (AnyValue::Bool(true), tail),
            [b'f', b'a', b'l', b's', b'e', b'}', tail @ ..] => (AnyValue::Bool(false), tail),
            _ => return None,
        }
    } else {
        return None;
    };
    let key = conv.builder.intern_bytes(key)?;
    Some(finish_usual(r, rest, tail, Attribute { key, value }))
}

/// Moves the cursor past a tag matched by [`usual_tag`]: `tail` is what follows it in `rest`.
fn finish_usual(r: &mut Reader<'_>, rest: &[u8], tail: &[u8], attribute: Attribute) -> Attribute {
    r.rewind(r.position() + (rest.len() - tail.len()));
    attribute
}

/// A JSON integer that is an `i64` (no fraction or exponent, no leading zero, not `-0`), and what
/// follows it; `None` for anything else, which the general path reads.
fn plain_i64(bytes: &[u8]) -> Option<(i64, &[u8])> {
    let (negative, digits) = match bytes.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, bytes),
    };
    let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    let (number, tail) = digits.split_at(n);
    if n == 0 || n > 18 || (number.first() == Some(&b'0') && (n > 1 || negative)) {
        return None;
    }
    if matches!(tail.first(), Some(b'.' | b'e' | b'E')) {
        return None;
    }
    // At most 18 digits: no overflow.
    let magnitude = number.iter().fold(0i64, |v, d| v * 10 + i64::from(d - b'0'));
    Some((if negative { -magnitude } else { magnitude }, tail))
}

/// Tags converted to attributes as they are read (span tags, log fields).
fn attributes(
    r: &mut Reader<'_>,
    conv: &mut Converter<'_>,
    field: &'static str,
    mut out: Vec<Attribute>,
) -> Read<Vec<Attribute>> {
    let mut items = r.array_or_null("an array of tags")?;
    while r.next_item(&mut items)? {
        if let Some(attribute) = usual_tag(r, conv) {
            out.push(attribute);
            continue;
        }
        let tag = tag(r)?;
        conv.tag(&tag, field, &mut out);
    }
    Ok(out)
}

fn references(r: &mut Reader<'_>, conv: &mut Converter<'_>) -> Read<Vec<RefDraft>> {
    let mut out = Vec::new();
    let mut items = r.array_or_null("an array of references")?;
    while r.next_item(&mut items)? {
        let mut fields = r.object("a reference object")?;
        let mut f = RefFields::default();
        while let Some(k) = r.next_key_or(&mut fields, b"")? {
            match f.slot(&k) {
                Some(slot) => *slot = opt(scalar(r)?),
                None => skip(r)?,
            }
        }
        if let Some(reference) = conv.reference(f.ref_type.as_ref(), f.trace_id.as_ref(), f.span_id.as_ref()) {
            out.push(reference);
        }
    }
    Ok(out)
}

/// A process object; `null` is none.
fn process<'a>(r: &mut Reader<'a>) -> Read<Option<ProcessDraft<'a>>> {
    let Some(mut fields) = r.object_or_null("a process object")? else { return Ok(None) };
    let mut service = None;
    let mut tags = Vec::new();
    while let Some(k) = r.next_key_or(&mut fields, b"")? {
        match &*k {
            b"serviceName" | b"service_name" => {
                service = match scalar(r)? {
                    Scalar::Str(s) => Some(s),
                    _ => None,
                };
            }
            b"tags" => {
                tags = Vec::new();
                let mut items = r.array_or_null("an array of tags")?;
                while r.next_item(&mut items)? {
                    tags.push(tag(r)?);
                }
            }
            _ => skip(r)?,
        }
    }
    let key = process_key(service.as_deref(), &tags);
    Ok(Some(ProcessDraft { service, tags, key }))
}
