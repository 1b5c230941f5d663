//! OTLP JSON `Span`, `Span.Event`, `Span.Link` and `Status`.

use super::reader::{JsonError, RawStr, Reader};
use super::value::read_attributes;
use super::{Ctx, Pending, key_name};
use crate::import::json_scalar::Scalar;
use crate::import::text::{parse_optional_span_id, parse_trace_id};
use spanlens_model::ids::HEX_DIGIT;
use spanlens_model::ids::{SpanId, TraceId};
use spanlens_model::interner::Sym;
use spanlens_model::span::{Event, Link, Span, SpanKind, Status, StatusCode};
use spanlens_model::warnings::WarningKind;

/// Collects the spans of one `scopeSpans[]` element.
pub(super) fn read_spans(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, out: &mut Vec<Pending>) -> Result<(), JsonError> {
    let mut items = r.array_or_null("an array of spans")?;
    let mut index = 0;
    while r.next_item(&mut items)? {
        ctx.path.span = Some(index);
        index += 1;
        read_span(r, ctx, out)?;
    }
    Ok(())
}

/// Exactly `digits` (16 or 32) hex digits, no trimming or sign: the common spelling of OTLP ids,
/// decoded without going through text. Anything else returns `None` and takes the general path.
#[inline]
fn hex_exact(bytes: &[u8], digits: usize) -> Option<u128> {
    if bytes.len() != digits {
        return None;
    }
    let mut value = 0u128;
    for half in bytes.chunks(16) {
        value = value << 64 | u128::from(hex16(half)?);
    }
    Some(value)
}

/// Up to 16 hex digits into a u64.
#[inline]
fn hex16(bytes: &[u8]) -> Option<u64> {
    let mut value = 0u64;
    let mut bad = 0u8;
    for &b in bytes {
        let d = HEX_DIGIT[b as usize];
        bad |= d;
        value = value << 4 | u64::from(d & 0x0f);
    }
    (bad & 0xf0 == 0).then_some(value)
}

/// The id string at the cursor: `Ok(Ok(bytes))` for a string, `Ok(Err(scalar))` for anything else.
#[inline]
fn id_bytes<'a>(r: &mut Reader<'a>) -> Result<Result<RawStr<'a>, Scalar<'a>>, JsonError> {
    if r.peek() == Some(b'"') { r.string_raw().map(Ok) } else { r.scalar().map(Err) }
}

/// Text of an id string, for the general parsers. Invalid UTF-8 fails the file, as in any string.
fn id_text<'x>(r: &Reader<'_>, raw: &'x RawStr<'_>) -> Result<&'x str, JsonError> {
    std::str::from_utf8(raw.bytes()).map_err(|_| r.utf8_error())
}

/// A trace id: `Ok(Some)` when read, `Ok(None)` after a warning.
fn read_trace_id(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, field: &[u8]) -> Result<Option<(TraceId, u8)>, JsonError> {
    match id_bytes(r)? {
        Ok(raw) => {
            if let Some(v) = hex_exact(raw.bytes(), 32) {
                return Ok(Some((TraceId(v), 16)));
            }
            match parse_trace_id(id_text(r, &raw)?) {
                Ok(id) => Ok(Some(id)),
                Err(e) => {
                    ctx.problem(WarningKind::InvalidValue, key_name(field), e);
                    Ok(None)
                }
            }
        }
        Err(s) => {
            ctx.mismatch(key_name(field), "a hex or base64 id", &s);
            Ok(None)
        }
    }
}

/// A span id string: `Ok(Ok(id))` as `parse_optional_span_id` reads it, `Ok(Err(scalar))` for a non-string.
fn read_span_id<'a>(r: &mut Reader<'a>) -> Result<Result<Result<Option<SpanId>, String>, Scalar<'a>>, JsonError> {
    Ok(match id_bytes(r)? {
        Ok(raw) => Ok(match hex_exact(raw.bytes(), 16) {
            Some(v) => Ok((v != 0).then_some(SpanId(v as u64))),
            None => parse_optional_span_id(id_text(r, &raw)?),
        }),
        Err(s) => Err(s),
    })
}

/// A string field interned, `None` when empty or null; other types are reported.
fn read_optional_str(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, field: &[u8]) -> Result<Option<Sym>, JsonError> {
    if let Some(sym) = ctx.intern_string(r)? {
        return Ok((sym != ctx.empty).then_some(sym));
    }
    let s = r.scalar()?;
    if !matches!(s, Scalar::Null) {
        ctx.mismatch(key_name(field), "a string", &s);
    }
    Ok(None)
}

/// Plain decimal digits (at most 19, so no overflow): the common spelling of OTLP times.
#[inline]
fn decimal_exact(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 19 {
        return None;
    }
    // Leading digits one by one, then blocks of eight at once.
    let (head, blocks) = bytes.split_at(bytes.len() % 8);
    let mut value = 0u64;
    for &b in head {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        value = value * 10 + u64::from(d);
    }
    for block in blocks.chunks_exact(8) {
        value = value * 100_000_000 + eight_digits(block)?;
    }
    Some(value)
}

/// Eight ASCII digits (most significant first) into their value, or `None` if one is not a digit.
#[inline]
fn eight_digits(block: &[u8]) -> Option<u64> {
    let v = u64::from_le_bytes(block.try_into().ok()?);
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    // Every byte is 0x30..=0x39: high nibble 3, and adding 6 does not carry into it.
    if v & HIGH_NIBBLES != ZEROS || v.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES != ZEROS {
        return None;
    }
    let v = (v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    Some((v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32)
}

fn read_u64(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, field: &[u8]) -> Result<Option<u64>, JsonError> {
    if r.peek() == Some(b'"') {
        let start = r.position();
        if let RawStr::Borrowed(b) = r.string_raw()?
            && let Some(v) = decimal_exact(b)
        {
            return Ok(Some(v));
        }
        r.rewind(start);
    }
    let s = r.scalar()?;
    let value = s.as_u64();
    if value.is_none() && !matches!(s, Scalar::Null) {
        ctx.mismatch(key_name(field), "an unsigned integer (number or decimal string)", &s);
    }
    Ok(value)
}

fn read_u32(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, field: &[u8]) -> Result<u32, JsonError> {
    let s = r.scalar()?;
    let value = s.as_u32();
    if value.is_none() && !matches!(s, Scalar::Null) {
        ctx.mismatch(key_name(field), "a 32-bit unsigned integer", &s);
    }
    Ok(value.unwrap_or(0))
}

fn read_span(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, out: &mut Vec<Pending>) -> Result<(), JsonError> {
    let mut fields = r.object("a span object")?;
    let mut trace: Option<(TraceId, u8)> = None;
    let mut span = Span::new(SpanId(0), ctx.empty, ctx.empty, 0, 0);
    let mut has_span_id = false;
    let (mut start, mut end) = (None::<u64>, None::<u64>);
    // The key expected next, in the order exporters write span fields (proto order).
    let mut expect: &'static [u8] = b"\"traceId\":";
    while let Some(k) = r.next_key_or(&mut fields, expect)? {
        expect = b"";
        match &*k {
            b"name" => {
                expect = b"\"kind\":";
                match ctx.intern_string(r)? {
                    Some(sym) => span.name = sym,
                    None => {
                        let s = r.scalar()?;
                        ctx.mismatch(key_name(&k), "a string", &s);
                    }
                }
            }
            b"traceId" | b"trace_id" => {
                expect = b"\"spanId\":";
                if let Some(id) = read_trace_id(r, ctx, &k)? {
                    trace = Some(id);
                }
            }
            b"spanId" | b"span_id" => match read_span_id(r)? {
                Ok(Ok(Some(id))) => {
                    expect = b"\"parentSpanId\":";
                    span.span_id = id;
                    has_span_id = true;
                }
                Ok(Ok(None)) => ctx.problem(WarningKind::InvalidValue, key_name(&k), "is empty or zero".to_owned()),
                Ok(Err(e)) => ctx.problem(WarningKind::InvalidValue, key_name(&k), e),
                Err(s) => ctx.mismatch(key_name(&k), "a hex or base64 id", &s),
            },
            b"parentSpanId" | b"parent_span_id" => match read_span_id(r)? {
                Ok(Ok(id)) => {
                    expect = b"\"name\":";
                    span.parent_span_id = id;
                }
                Ok(Err(e)) => {
                    ctx.problem(WarningKind::InvalidValue, key_name(&k), format!("{e}; the span is shown as a root"))
                }
                Err(Scalar::Null) => {}
                Err(s) => ctx.mismatch(key_name(&k), "a hex or base64 id", &s),
            },
            b"traceState" | b"trace_state" => span.trace_state = read_optional_str(r, ctx, &k)?,
            b"flags" => span.flags = read_u32(r, ctx, &k)?,
            b"kind" => {
                expect = b"\"startTimeUnixNano\":";
                let s = r.scalar()?;
                match span_kind(&s) {
                    Some(kind) => span.kind = kind,
                    None => ctx.mismatch(key_name(&k), "a SpanKind number or name", &s),
                }
            }
            b"startTimeUnixNano" | b"start_time_unix_nano" => {
                expect = b"\"endTimeUnixNano\":";
                start = read_u64(r, ctx, &k)?;
            }
            b"endTimeUnixNano" | b"end_time_unix_nano" => {
                expect = b"\"attributes\":";
                end = read_u64(r, ctx, &k)?;
            }
            b"attributes" => {
                expect = b"\"status\":";
                span.attributes = read_attributes(r, ctx)?;
            }
            b"droppedAttributesCount" | b"dropped_attributes_count" => {
                span.dropped.attributes = read_u32(r, ctx, &k)?;
            }
            b"events" => {
                expect = b"\"status\":";
                span.events = read_events(r, ctx)?;
            }
            b"droppedEventsCount" | b"dropped_events_count" => span.dropped.events = read_u32(r, ctx, &k)?,
            b"links" => span.links = read_links(r, ctx)?,
            b"droppedLinksCount" | b"dropped_links_count" => span.dropped.links = read_u32(r, ctx, &k)?,
            b"status" => span.status = read_status(r, ctx)?,
            _ => r.skip()?,
        }
    }
    let (trace_id, width) = match trace {
        Some(t) => t,
        None => {
            ctx.problem(
                WarningKind::InvalidValue,
                "traceId",
                "missing or unreadable; the span is kept under trace id 0".to_owned(),
            );
            (TraceId(0), 16)
        }
    };
    if !has_span_id {
        ctx.problem(
            WarningKind::InvalidValue,
            "spanId",
            "missing or unreadable; the span is kept with span id 0".to_owned(),
        );
    }
    span.start_nanos = ctx.clamp_time(start.unwrap_or(0), "startTimeUnixNano");
    // A missing or zero end time means the span was exported before it ended: its end is unknown
    // (and not "the Unix epoch", which would read as a negative duration).
    let end_nanos = end.filter(|&e| e != 0).map(|e| ctx.clamp_time(e, "endTimeUnixNano"));
    match end_nanos {
        Some(end_nanos) => span.duration_nanos = end_nanos.saturating_sub(span.start_nanos),
        None => {
            span.mark_incomplete();
            ctx.missing_durations.note(trace_id, span.span_id);
        }
    }
    if let Some(end_nanos) = end_nanos.filter(|_| span.duration_nanos < 0) {
        ctx.problem(
            WarningKind::NegativeDuration,
            "endTimeUnixNano",
            format!("end {end_nanos} is before start {}; duration set to 0", span.start_nanos),
        );
        span.duration_nanos = 0;
    }
    ctx.flush_problems(Some(trace_id), Some(span.span_id));
    out.push(Pending { trace_id, width, span });
    Ok(())
}

/// Span kind from its number (OTLP spec) or its name (`SPAN_KIND_SERVER`, gogo/Python JSON).
pub fn span_kind(s: &Scalar) -> Option<SpanKind> {
    let number = match s {
        Scalar::Str(name) => {
            let name = name.trim();
            let bare = name.strip_prefix("SPAN_KIND_").unwrap_or(name);
            return match bare.to_ascii_uppercase().as_str() {
                "UNSPECIFIED" => Some(SpanKind::Unspecified),
                "INTERNAL" => Some(SpanKind::Internal),
                "SERVER" => Some(SpanKind::Server),
                "CLIENT" => Some(SpanKind::Client),
                "PRODUCER" => Some(SpanKind::Producer),
                "CONSUMER" => Some(SpanKind::Consumer),
                _ => bare.parse::<u64>().ok().and_then(kind_from_number),
            };
        }
        Scalar::Null => return Some(SpanKind::Unspecified),
        other => other.as_u64()?,
    };
    kind_from_number(number)
}

pub fn kind_from_number(number: u64) -> Option<SpanKind> {
    Some(match number {
        0 => SpanKind::Unspecified,
        1 => SpanKind::Internal,
        2 => SpanKind::Server,
        3 => SpanKind::Client,
        4 => SpanKind::Producer,
        5 => SpanKind::Consumer,
        _ => return None,
    })
}

/// Status code from its number or its name (`STATUS_CODE_ERROR`).
pub fn status_code(s: &Scalar) -> Option<StatusCode> {
    let number = match s {
        Scalar::Str(name) => {
            let name = name.trim();
            let bare = name.strip_prefix("STATUS_CODE_").unwrap_or(name);
            return match bare.to_ascii_uppercase().as_str() {
                "UNSET" => Some(StatusCode::Unset),
                "OK" => Some(StatusCode::Ok),
                "ERROR" => Some(StatusCode::Error),
                _ => bare.parse::<u64>().ok().and_then(code_from_number),
            };
        }
        Scalar::Null => return Some(StatusCode::Unset),
        other => other.as_u64()?,
    };
    code_from_number(number)
}

pub fn code_from_number(number: u64) -> Option<StatusCode> {
    Some(match number {
        0 => StatusCode::Unset,
        1 => StatusCode::Ok,
        2 => StatusCode::Error,
        _ => return None,
    })
}

fn read_status(r: &mut Reader<'_>, ctx: &mut Ctx<'_>) -> Result<Status, JsonError> {
    let mut status = Status::default();
    let Some(mut fields) = r.object_or_null("a status object {code, message}")? else {
        return Ok(status);
    };
    while let Some(k) = r.next_key(&mut fields)? {
        match &*k {
            b"code" => {
                let s = r.scalar()?;
                match status_code(&s) {
                    Some(code) => status.code = code,
                    None => ctx.mismatch("status.code", "a StatusCode number or name", &s),
                }
            }
            b"message" => status.message = read_optional_str(r, ctx, b"status.message")?,
            _ => r.skip()?,
        }
    }
    Ok(status)
}

fn read_events(r: &mut Reader<'_>, ctx: &mut Ctx<'_>) -> Result<Box<[Event]>, JsonError> {
    let mut out = Vec::new();
    let mut items = r.array_or_null("an array of span events")?;
    while r.next_item(&mut items)? {
        let mut fields = r.object("a span event object")?;
        let mut event =
            Event { time_nanos: 0, name: ctx.empty, attributes: Box::default(), dropped_attributes_count: 0 };
        while let Some(k) = r.next_key(&mut fields)? {
            match &*k {
                b"timeUnixNano" | b"time_unix_nano" => {
                    let t = read_u64(r, ctx, b"events.timeUnixNano")?;
                    event.time_nanos = ctx.clamp_time(t.unwrap_or(0), "events.timeUnixNano");
                }
                b"name" => event.name = read_optional_str(r, ctx, b"events.name")?.unwrap_or(ctx.empty),
                b"attributes" => event.attributes = read_attributes(r, ctx)?,
                b"droppedAttributesCount" | b"dropped_attributes_count" => {
                    event.dropped_attributes_count = read_u32(r, ctx, b"events.droppedAttributesCount")?;
                }
                _ => r.skip()?,
            }
        }
        out.push(event);
    }
    Ok(out.into_boxed_slice())
}

fn read_links(r: &mut Reader<'_>, ctx: &mut Ctx<'_>) -> Result<Box<[Link]>, JsonError> {
    let mut out = Vec::new();
    let mut items = r.array_or_null("an array of span links")?;
    while r.next_item(&mut items)? {
        let mut fields = r.object("a span link object")?;
        let mut link = Link {
            trace_id: TraceId(0),
            span_id: SpanId(0),
            trace_state: None,
            attributes: Box::default(),
            dropped_attributes_count: 0,
            flags: 0,
        };
        let mut ids_ok = (false, false);
        while let Some(k) = r.next_key(&mut fields)? {
            match &*k {
                b"traceId" | b"trace_id" => {
                    if let Some((id, _)) = read_trace_id(r, ctx, b"links.traceId")? {
                        (link.trace_id, ids_ok.0) = (id, true);
                    }
                }
                b"spanId" | b"span_id" => match read_span_id(r)? {
                    Ok(Ok(Some(id))) => (link.span_id, ids_ok.1) = (id, true),
                    Ok(Ok(None)) => {
                        ctx.problem(WarningKind::InvalidValue, "links.spanId", "is empty or zero".to_owned())
                    }
                    Ok(Err(e)) => ctx.problem(WarningKind::InvalidValue, "links.spanId", e),
                    Err(s) => ctx.mismatch("links.spanId", "a hex or base64 id", &s),
                },
                b"traceState" | b"trace_state" => link.trace_state = read_optional_str(r, ctx, b"links.traceState")?,
                b"attributes" => link.attributes = read_attributes(r, ctx)?,
                b"droppedAttributesCount" | b"dropped_attributes_count" => {
                    link.dropped_attributes_count = read_u32(r, ctx, b"links.droppedAttributesCount")?;
                }
                b"flags" => link.flags = read_u32(r, ctx, b"links.flags")?,
                _ => r.skip()?,
            }
        }
        if ids_ok == (true, true) {
            out.push(link);
        } else {
            ctx.problem(
                WarningKind::InvalidValue,
                "links",
                "a link without a valid traceId and spanId was skipped".to_owned(),
            );
        }
    }
    Ok(out.into_boxed_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_id_and_time_paths_agree_with_the_general_parsers() {
        assert_eq!(hex_exact(b"5B8EFFF798038103d269b633813fc60c", 32), Some(0x5b8efff798038103d269b633813fc60c));
        assert_eq!(hex_exact(b"5b8efff798038103d269b633813fc60g", 32), None);
        assert_eq!(hex_exact(b"+b8efff798038103", 16), None);
        assert_eq!(hex_exact(b"abc", 16), None);
        assert_eq!(decimal_exact(b"1544712660000000000"), Some(1_544_712_660_000_000_000));
        assert_eq!(decimal_exact(b"99999999999999999999"), None);
        assert_eq!(decimal_exact(b"+1"), None);
        assert_eq!(decimal_exact(b""), None);
        for text in
            ["0", "7", "12345678", "123456789", "9999999999999999", "1767225601893121986", "9223372036854775807"]
        {
            assert_eq!(decimal_exact(text.as_bytes()), text.parse().ok(), "{text}");
        }
        for bad in ["1234567/", "12345:78", "1 345678", "12345678901234567a", "-12345678"] {
            assert_eq!(decimal_exact(bad.as_bytes()), None, "{bad}");
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = x % 10_000_000_000_000_000_000;
            assert_eq!(decimal_exact(v.to_string().as_bytes()), Some(v));
            let hex = format!("{:032x}", u128::from(x) << 64 | u128::from(v));
            assert_eq!(hex_exact(hex.as_bytes(), 32), Some(u128::from_str_radix(&hex, 16).unwrap()));
        }
    }
}
