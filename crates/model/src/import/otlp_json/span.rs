//! OTLP JSON `Span`, `Span.Event`, `Span.Link` and `Status`.

use super::value::read_attributes;
use super::{Ctx, Pending};
use crate::ids::{SpanId, TraceId};
use crate::import::json_scalar::{Key, Scalar};
use crate::import::seq::Each;
use crate::import::text::{parse_optional_span_id, parse_trace_id};
use crate::span::{Event, Link, Span, SpanKind, Status, StatusCode};
use crate::warnings::WarningKind;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// Collects the spans of one `scopeSpans[]` element.
pub struct Spans<'a, 'b> {
    pub ctx: &'a mut Ctx<'b>,
    pub out: &'a mut Vec<Pending>,
}

impl<'de, 'b> Each<'de> for Spans<'_, 'b> {
    type Seed<'x>
        = SpanSeed<'x, 'b>
    where
        Self: 'x;
    fn expecting(&self) -> &'static str {
        "an array of spans"
    }
    fn seed(&mut self, index: usize) -> SpanSeed<'_, 'b> {
        self.ctx.path.span = Some(index);
        SpanSeed { ctx: self.ctx, out: self.out }
    }
}

pub struct SpanSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
    out: &'x mut Vec<Pending>,
}

impl<'de> DeserializeSeed<'de> for SpanSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SpanSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a span object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        let mut trace: Option<(TraceId, u8)> = None;
        let mut span = Span::new(SpanId(0), ctx.empty, ctx.empty, 0, 0);
        let mut has_span_id = false;
        let (mut start, mut end) = (None::<u64>, None::<u64>);
        while let Some(k) = map.next_key::<Key>()? {
            let field = k.name();
            match &*k.0 {
                b"name" => {
                    let s: Scalar = map.next_value()?;
                    match s.as_str() {
                        Some(text) => span.name = ctx.intern(text),
                        None => ctx.mismatch(field, "a string", &s),
                    }
                }
                b"traceId" | b"trace_id" => {
                    let s: Scalar = map.next_value()?;
                    match s.as_str().map(parse_trace_id) {
                        Some(Ok(id)) => trace = Some(id),
                        Some(Err(e)) => ctx.problem(WarningKind::InvalidValue, field, e),
                        None => ctx.mismatch(field, "a hex or base64 id", &s),
                    }
                }
                b"spanId" | b"span_id" => {
                    let s: Scalar = map.next_value()?;
                    match s.as_str().map(parse_optional_span_id) {
                        Some(Ok(Some(id))) => {
                            span.span_id = id;
                            has_span_id = true;
                        }
                        Some(Ok(None)) => ctx.problem(WarningKind::InvalidValue, field, "is empty or zero".to_owned()),
                        Some(Err(e)) => ctx.problem(WarningKind::InvalidValue, field, e),
                        None => ctx.mismatch(field, "a hex or base64 id", &s),
                    }
                }
                b"parentSpanId" | b"parent_span_id" => {
                    let s: Scalar = map.next_value()?;
                    match s.as_str().map(parse_optional_span_id) {
                        Some(Ok(id)) => span.parent_span_id = id,
                        Some(Err(e)) => {
                            ctx.problem(WarningKind::InvalidValue, field, format!("{e}; the span is shown as a root"))
                        }
                        None if matches!(s, Scalar::Null) => {}
                        None => ctx.mismatch(field, "a hex or base64 id", &s),
                    }
                }
                b"traceState" | b"trace_state" => span.trace_state = read_optional_str(ctx, &mut map, field)?,
                b"flags" => span.flags = read_u32(ctx, &mut map, field)?,
                b"kind" => {
                    let s: Scalar = map.next_value()?;
                    match span_kind(&s) {
                        Some(kind) => span.kind = kind,
                        None => ctx.mismatch(field, "a SpanKind number or name", &s),
                    }
                }
                b"startTimeUnixNano" | b"start_time_unix_nano" => start = read_u64(ctx, &mut map, field)?,
                b"endTimeUnixNano" | b"end_time_unix_nano" => end = read_u64(ctx, &mut map, field)?,
                b"attributes" => span.attributes = read_attributes(ctx, &mut map)?,
                b"droppedAttributesCount" | b"dropped_attributes_count" => {
                    span.dropped.attributes = read_u32(ctx, &mut map, field)?;
                }
                b"events" => {
                    span.events = map
                        .next_value_seed(crate::import::seq::List(Events { ctx: &mut *ctx, out: Vec::new() }))?
                        .out
                        .into_boxed_slice()
                }
                b"droppedEventsCount" | b"dropped_events_count" => {
                    span.dropped.events = read_u32(ctx, &mut map, field)?
                }
                b"links" => {
                    span.links = map
                        .next_value_seed(crate::import::seq::List(Links { ctx: &mut *ctx, out: Vec::new() }))?
                        .out
                        .into_boxed_slice()
                }
                b"droppedLinksCount" | b"dropped_links_count" => span.dropped.links = read_u32(ctx, &mut map, field)?,
                b"status" => span.status = map.next_value_seed(StatusSeed { ctx: &mut *ctx })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
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
        let end_nanos = ctx.clamp_time(end.unwrap_or(0), "endTimeUnixNano");
        span.duration_nanos = end_nanos.saturating_sub(span.start_nanos);
        if span.duration_nanos < 0 {
            ctx.problem(
                WarningKind::NegativeDuration,
                "endTimeUnixNano",
                format!("end {end_nanos} is before start {}; duration set to 0", span.start_nanos),
            );
            span.duration_nanos = 0;
        }
        ctx.flush_problems(Some(trace_id), Some(span.span_id));
        self.out.push(Pending { trace_id, width, span });
        Ok(())
    }
}

fn read_u64<'de, A: MapAccess<'de>>(ctx: &mut Ctx<'_>, map: &mut A, field: &str) -> Result<Option<u64>, A::Error> {
    let s: Scalar = map.next_value()?;
    let value = s.as_u64();
    if value.is_none() && !matches!(s, Scalar::Null) {
        ctx.mismatch(field, "an unsigned integer (number or decimal string)", &s);
    }
    Ok(value)
}

fn read_u32<'de, A: MapAccess<'de>>(ctx: &mut Ctx<'_>, map: &mut A, field: &str) -> Result<u32, A::Error> {
    let s: Scalar = map.next_value()?;
    let value = s.as_u32();
    if value.is_none() && !matches!(s, Scalar::Null) {
        ctx.mismatch(field, "a 32-bit unsigned integer", &s);
    }
    Ok(value.unwrap_or(0))
}

fn read_optional_str<'de, A: MapAccess<'de>>(
    ctx: &mut Ctx<'_>,
    map: &mut A,
    field: &str,
) -> Result<Option<crate::Sym>, A::Error> {
    let s: Scalar = map.next_value()?;
    Ok(match &s {
        Scalar::Str(text) if text.is_empty() => None,
        Scalar::Str(text) => Some(ctx.intern(text)),
        Scalar::Null => None,
        _ => {
            ctx.mismatch(field, "a string", &s);
            None
        }
    })
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

struct StatusSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
}

impl<'de> DeserializeSeed<'de> for StatusSeed<'_, '_> {
    type Value = Status;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Status, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StatusSeed<'_, '_> {
    type Value = Status;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a status object {code, message}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Status, A::Error> {
        let mut status = Status::default();
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"code" => {
                    let s: Scalar = map.next_value()?;
                    match status_code(&s) {
                        Some(code) => status.code = code,
                        None => self.ctx.mismatch("status.code", "a StatusCode number or name", &s),
                    }
                }
                b"message" => status.message = read_optional_str(self.ctx, &mut map, "status.message")?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(status)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Status, E> {
        Ok(Status::default())
    }
}

struct Events<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    out: Vec<Event>,
}

impl<'de, 'b> Each<'de> for Events<'_, 'b> {
    type Seed<'x>
        = EventSeed<'x, 'b>
    where
        Self: 'x;
    fn expecting(&self) -> &'static str {
        "an array of span events"
    }
    fn seed(&mut self, _index: usize) -> EventSeed<'_, 'b> {
        EventSeed { ctx: self.ctx, out: &mut self.out }
    }
}

struct EventSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
    out: &'x mut Vec<Event>,
}

impl<'de> DeserializeSeed<'de> for EventSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a span event object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        let mut event =
            Event { time_nanos: 0, name: ctx.empty, attributes: Box::default(), dropped_attributes_count: 0 };
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"timeUnixNano" | b"time_unix_nano" => {
                    let t = read_u64(ctx, &mut map, "events.timeUnixNano")?;
                    event.time_nanos = ctx.clamp_time(t.unwrap_or(0), "events.timeUnixNano");
                }
                b"name" => event.name = read_optional_str(ctx, &mut map, "events.name")?.unwrap_or(ctx.empty),
                b"attributes" => event.attributes = read_attributes(ctx, &mut map)?,
                b"droppedAttributesCount" | b"dropped_attributes_count" => {
                    event.dropped_attributes_count = read_u32(ctx, &mut map, "events.droppedAttributesCount")?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        self.out.push(event);
        Ok(())
    }
}

struct Links<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    out: Vec<Link>,
}

impl<'de, 'b> Each<'de> for Links<'_, 'b> {
    type Seed<'x>
        = LinkSeed<'x, 'b>
    where
        Self: 'x;
    fn expecting(&self) -> &'static str {
        "an array of span links"
    }
    fn seed(&mut self, _index: usize) -> LinkSeed<'_, 'b> {
        LinkSeed { ctx: self.ctx, out: &mut self.out }
    }
}

struct LinkSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
    out: &'x mut Vec<Link>,
}

impl<'de> DeserializeSeed<'de> for LinkSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LinkSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a span link object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        let mut link = Link {
            trace_id: TraceId(0),
            span_id: SpanId(0),
            trace_state: None,
            attributes: Box::default(),
            dropped_attributes_count: 0,
            flags: 0,
        };
        let mut ids_ok = (false, false);
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"traceId" | b"trace_id" => {
                    let s: Scalar = map.next_value()?;
                    match s.as_str().map(parse_trace_id) {
                        Some(Ok((id, _))) => (link.trace_id, ids_ok.0) = (id, true),
                        Some(Err(e)) => ctx.problem(WarningKind::InvalidValue, "links.traceId", e),
                        None => ctx.mismatch("links.traceId", "a hex or base64 id", &s),
                    }
                }
                b"spanId" | b"span_id" => {
                    let s: Scalar = map.next_value()?;
                    match s.as_str().map(parse_optional_span_id) {
                        Some(Ok(Some(id))) => (link.span_id, ids_ok.1) = (id, true),
                        Some(Ok(None)) => {
                            ctx.problem(WarningKind::InvalidValue, "links.spanId", "is empty or zero".to_owned())
                        }
                        Some(Err(e)) => ctx.problem(WarningKind::InvalidValue, "links.spanId", e),
                        None => ctx.mismatch("links.spanId", "a hex or base64 id", &s),
                    }
                }
                b"traceState" | b"trace_state" => {
                    link.trace_state = read_optional_str(ctx, &mut map, "links.traceState")?
                }
                b"attributes" => link.attributes = read_attributes(ctx, &mut map)?,
                b"droppedAttributesCount" | b"dropped_attributes_count" => {
                    link.dropped_attributes_count = read_u32(ctx, &mut map, "links.droppedAttributesCount")?;
                }
                b"flags" => link.flags = read_u32(ctx, &mut map, "links.flags")?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if ids_ok == (true, true) {
            self.out.push(link);
        } else {
            ctx.problem(
                WarningKind::InvalidValue,
                "links",
                "a link without a valid traceId and spanId was skipped".to_owned(),
            );
        }
        Ok(())
    }
}
