//! OTLP protobuf: `TracesData` / `ExportTraceServiceRequest` / `tempopb.Trace` (one wire layout).
//!
//! A small hand-written wire decoder (no protoc, no generated code; it compiles for wasm32). Every
//! read is bounds-checked and returns an error instead of panicking. Unknown fields of every wire type
//! are skipped. Besides a single message, the Collector file exporter's framed streams are read:
//! `[u32 big-endian length][message]…` and varint-delimited messages.

use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::error::{ImportError, Position};
use spanlens_model::ids::{SpanId, TraceId, id_from_be_bytes};
use spanlens_model::interner::Sym;
use spanlens_model::span::{Event, Link, Resource, Scope, ScopeIdx, Span, Status};
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::warnings::{MissingDurations, Warning, WarningKind};

pub(crate) const FORMAT: &str = "otlp-protobuf";

/// `AnyValue` arrays and kvlists nested deeper than this are refused (the JSON importers have the
/// same bound through serde_json's recursion limit).
const MAX_VALUE_DEPTH: u32 = 64;

#[path = "otlp_proto_wire.rs"]
mod wire;
use wire::{Reader, WireError};

pub fn import(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    let Some(frames) = frames(bytes) else {
        return Err(ImportError::new(
            file,
            FORMAT,
            Position::Byte(0),
            "not a valid OTLP protobuf message, nor a length-prefixed stream of them",
        ));
    };
    let mut d = Decoder::new(builder);
    for (offset, frame) in frames {
        d.traces_data(frame)
            .map_err(|e| ImportError::new(file, FORMAT, Position::Byte((offset + e.offset) as u64), e.message))?;
    }
    if let Some(w) = d.missing_durations.warning(None) {
        d.builder.warn(w);
    }
    Ok(())
}

/// Whether the input looks like OTLP protobuf (single message or framed stream).
pub fn looks_like_otlp(bytes: &[u8]) -> bool {
    frames(bytes).is_some()
}

/// Splits the input into messages with their byte offsets, trying a single message first, then a
/// big-endian u32 length prefix, then a varint prefix; a framing must consume the input exactly.
fn frames(bytes: &[u8]) -> Option<Vec<(usize, &[u8])>> {
    if bytes.is_empty() {
        return None;
    }
    if plausible_traces_data(bytes) {
        return Some(vec![(0, bytes)]);
    }
    for varint_prefix in [false, true] {
        let mut out = Vec::new();
        let mut r = Reader { buf: bytes, pos: 0 };
        let ok = loop {
            if r.pos == bytes.len() {
                break !out.is_empty();
            }
            let len = if varint_prefix {
                r.varint().ok()
            } else {
                r.take(4).ok().and_then(|b| b.try_into().ok()).map(|b: [u8; 4]| u64::from(u32::from_be_bytes(b)))
            };
            let Some(frame) = len.and_then(|l| usize::try_from(l).ok()).and_then(|l| r.take(l).ok()) else {
                break false;
            };
            if !plausible_traces_data(frame) {
                break false;
            }
            out.push((r.pos - frame.len(), frame));
        };
        if ok {
            return Some(out);
        }
    }
    None
}

/// Top level: only field 1 (LEN) consuming the buffer exactly, and the first `ResourceSpans` made of
/// fields 1, 2, 3 or 1000 with the right wire types. Zipkin's `ListOfSpans` and Perfetto traces also
/// start with `0x0a` but fail the inner check.
fn plausible_traces_data(bytes: &[u8]) -> bool {
    let mut r = Reader { buf: bytes, pos: 0 };
    let mut first: Option<&[u8]> = None;
    while r.pos < bytes.len() {
        match r.key() {
            Ok((1, 2)) => match r.len_delimited() {
                Ok(inner) => {
                    first.get_or_insert(inner);
                }
                Err(_) => return false,
            },
            _ => return false,
        }
    }
    let Some(inner) = first else { return false };
    let mut r = Reader { buf: inner, pos: 0 };
    while r.pos < inner.len() {
        match r.key() {
            Ok((1 | 2 | 3 | 1000, 2)) => {
                if r.len_delimited().is_err() {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

/// Offsets reported to the user are relative to the whole input, so nested readers add their base.
struct Decoder<'b> {
    builder: &'b mut TraceSetBuilder,
    empty: Sym,
    service_name: Sym,
    unknown_service: Sym,
    /// Spans without an end time, for the file's one `MissingDuration` warning.
    missing_durations: MissingDurations,
}

struct PendingSpan {
    trace_id: TraceId,
    width: u8,
    span: Span,
}

macro_rules! nested {
    ($outer:expr, $inner:expr, $body:expr) => {{
        let base = $outer.pos - $inner.len();
        $body.map_err(|e: WireError| WireError { offset: base + e.offset, message: e.message })
    }};
}

impl<'b> Decoder<'b> {
    fn new(builder: &'b mut TraceSetBuilder) -> Self {
        let empty = builder.intern("");
        let service_name = builder.intern("service.name");
        let unknown_service = builder.intern("unknown_service");
        Decoder { builder, empty, service_name, unknown_service, missing_durations: MissingDurations::default() }
    }

    fn traces_data(&mut self, buf: &[u8]) -> Result<(), WireError> {
        let mut r = Reader { buf, pos: 0 };
        while !r.done() {
            match r.key()? {
                (1, 2) => {
                    let inner = r.len_delimited()?;
                    nested!(r, inner, self.resource_spans(inner))?;
                }
                (_, wire) => r.skip(wire)?,
            }
        }
        Ok(())
    }

    fn resource_spans(&mut self, buf: &[u8]) -> Result<(), WireError> {
        let mut r = Reader { buf, pos: 0 };
        let (mut attributes, mut dropped) = (Vec::new(), 0u32);
        let (mut spans, mut legacy) = (Vec::new(), Vec::new());
        while !r.done() {
            match r.key()? {
                (1, 2) => {
                    let inner = r.len_delimited()?;
                    nested!(r, inner, self.resource(inner, &mut attributes, &mut dropped))?;
                }
                (2, 2) => {
                    let inner = r.len_delimited()?;
                    nested!(r, inner, self.scope_spans(inner, &mut spans))?;
                }
                (1000, 2) => {
                    let inner = r.len_delimited()?;
                    nested!(r, inner, self.scope_spans(inner, &mut legacy))?;
                }
                (_, wire) => r.skip(wire)?,
            }
        }
        if spans.is_empty() {
            spans = legacy;
        }
        let service = attributes
            .iter()
            .find(|a: &&Attribute| a.key == self.service_name)
            .and_then(|a| if let AnyValue::Str(s) = a.value { Some(s) } else { None })
            .unwrap_or(self.unknown_service);
        let resource =
            Resource { service, attributes: attributes.into_boxed_slice(), dropped_attributes_count: dropped };
        let idx = self.builder.add_resource(resource);
        for p in spans {
            let mut span = p.span;
            span.resource = idx;
            span.service = service;
            self.builder.push_span(p.trace_id, p.width, span);
        }
        Ok(())
    }

    fn resource(&mut self, buf: &[u8], attributes: &mut Vec<Attribute>, dropped: &mut u32) -> Result<(), WireError> {
        let mut r = Reader { buf, pos: 0 };
        while !r.done() {
            match r.key()? {
                (1, 2) => {
                    let inner = r.len_delimited()?;
                    attributes.push(nested!(r, inner, self.key_value(inner, 0))?);
                }
                (2, 0) => *dropped = r.varint()? as u32,
                (_, wire) => r.skip(wire)?,
            }
        }
        Ok(())
    }

    fn scope_spans(&mut self, buf: &[u8], out: &mut Vec<PendingSpan>) -> Result<(), WireError> {
        let mut r = Reader { buf, pos: 0 };
        let first = out.len();
        let mut scope: Option<ScopeIdx> = None;
        while !r.done() {
            match r.key()? {
                (1, 2) => {
                    let inner = r.len_delimited()?;
                    let s = nested!(r, inner, self.scope(inner))?;
                    scope = Some(self.builder.add_scope(s));
                }
                (2, 2) => {
                    let inner = r.len_delimited()?;
                    out.push(nested!(r, inner, self.span(inner))?);
                }
                (_, wire) => r.skip(wire)?,
            }
        }
        let scope = match scope {
            Some(s) => s,
            None => self.builder.add_scope(Scope { name: self.empty, version: None, attributes: Box::default() }),
        };
        for p in out.iter_mut().skip(first) {
            p.span.scope = scope;
        }
        Ok(())
    }

    fn scope(&mut self, buf: &[u8]) -> Result<Scope, WireError> {
        let mut r = Reader { buf, pos: 0 };
        let mut scope = Scope { name: self.empty, version: None, attributes: Box::default() };
        let mut attributes = Vec::new();
        while !r.done() {
            match r.key()? {
                (1, 2) => scope.name = self.builder.intern(r.string()?),
                (2, 2) => {
                    let v = r.string()?;
                    scope.version = (!v.is_empty()).then(|| self.builder.intern(v));
                }
                (3, 2) => {
                    let inner = r.len_delimited()?;
                    attributes.push(nested!(r, inner, self.key_value(inner, 0))?);
                }
                (_, wire) => r.skip(wire)?,
            }
        }
        scope.attributes = attributes.into_boxed_slice();
        Ok(scope)
    }

    fn span(&mut self, buf: &[u8]) -> Result<PendingSpan, WireError> {
        let mut r = Reader { buf, pos: 0 };
        let mut span = Span::new(SpanId(0), self.empty, self.empty, 0, 0);
        let mut trace: Option<(u128, u8)> = None;
        let (mut start, mut end) = (0u64, 0u64);
        let (mut attributes, mut events, mut links) = (Vec::new(), Vec::new(), Vec::new());
        let mut problems: Vec<(WarningKind, String)> = Vec::new();
        let mut has_span_id = false;
        while !r.done() {
            match r.key()? {
                (1, 2) => {
                    let b = r.len_delimited()?;
                    trace = id_from_be_bytes(b).filter(|_| b.len() == 16 || b.len() == 8);
                }
                (2, 2) => {
                    let b = r.len_delimited()?;
                    if let Some((v, _)) = id_from_be_bytes(b).filter(|_| b.len() == 8) {
                        span.span_id = SpanId(v as u64);
                        has_span_id = true;
                    }
                }
                (3, 2) => {
                    let s = r.string()?;
                    span.trace_state = (!s.is_empty()).then(|| self.builder.intern(s));
                }
                (4, 2) => {
                    let b = r.len_delimited()?;
                    span.parent_span_id = if b.iter().all(|&x| x == 0) {
                        None
                    } else if b.len() == 8 {
                        id_from_be_bytes(b).map(|(v, _)| SpanId(v as u64))
                    } else {
                        let msg =
                            format!("parent_span_id has {} bytes, expected 8; the span is shown as a root", b.len());
                        problems.push((WarningKind::InvalidValue, msg));
                        None
                    };
                }
                (5, 2) => span.name = self.builder.intern(r.string()?),
                (6, 0) => {
                    let k = r.varint()?;
                    match crate::import::otlp_json::kind_from_number(k) {
                        Some(kind) => span.kind = kind,
                        None => {
                            problems.push((WarningKind::InvalidValue, format!("kind {k} is not a SpanKind; ignored")))
                        }
                    }
                }
                (7, 1) => start = r.fixed64()?,
                (8, 1) => end = r.fixed64()?,
                (9, 2) => {
                    let inner = r.len_delimited()?;
                    attributes.push(nested!(r, inner, self.key_value(inner, 0))?);
                }
                (10, 0) => span.dropped.attributes = r.varint()? as u32,
                (11, 2) => {
                    let inner = r.len_delimited()?;
                    events.push(nested!(r, inner, self.event(inner, &mut problems))?);
                }
                (12, 0) => span.dropped.events = r.varint()? as u32,
                (13, 2) => {
                    let inner = r.len_delimited()?;
                    if let Some(link) = nested!(r, inner, self.link(inner))? {
                        links.push(link);
                    } else {
                        problems.push((WarningKind::InvalidValue, "a link without valid ids was skipped".to_owned()));
                    }
                }
                (14, 0) => span.dropped.links = r.varint()? as u32,
                (15, 2) => {
                    let inner = r.len_delimited()?;
                    span.status = nested!(r, inner, self.status(inner, &mut problems))?;
                }
                (16, 5) => span.flags = r.fixed32()?,
                (_, wire) => r.skip(wire)?,
            }
        }
        span.attributes = attributes.into_boxed_slice();
        span.events = events.into_boxed_slice();
        span.links = links.into_boxed_slice();
        let (trace_id, width) = match trace {
            Some((v, w)) => (TraceId(v), w),
            None => {
                problems.push((
                    WarningKind::InvalidValue,
                    "trace_id is missing or not 16 bytes; kept under trace id 0".to_owned(),
                ));
                (TraceId(0), 16)
            }
        };
        if !has_span_id {
            problems
                .push((WarningKind::InvalidValue, "span_id is missing or not 8 bytes; kept with span id 0".to_owned()));
        }
        span.start_nanos = clamp(start, "start_time_unix_nano", &mut problems);
        // A zero (absent) end time means the span was exported before it ended: its end is unknown.
        let end_nanos = if end == 0 { None } else { Some(clamp(end, "end_time_unix_nano", &mut problems)) };
        match end_nanos {
            Some(end_nanos) => span.duration_nanos = end_nanos.saturating_sub(span.start_nanos),
            None => {
                span.mark_incomplete();
                self.missing_durations.note(trace_id, span.span_id);
            }
        }
        if let Some(end_nanos) = end_nanos.filter(|_| span.duration_nanos < 0) {
            problems.push((
                WarningKind::NegativeDuration,
                format!("end {end_nanos} is before start {}; duration set to 0", span.start_nanos),
            ));
            span.duration_nanos = 0;
        }
        for (kind, message) in problems {
            self.builder.warn(Warning::new(kind, message).with_trace(trace_id).with_span(span.span_id));
        }
        Ok(PendingSpan { trace_id, width, span })
    }

    fn event(&mut self, buf: &[u8], problems: &mut Vec<(WarningKind, String)>) -> Result<Event, WireError> {
        let mut r = Reader { buf, pos: 0 };
        let mut event =
            Event { time_nanos: 0, name: self.empty, attributes: Box::default(), dropped_attributes_count: 0 };
        let mut attributes = Vec::new();
        while !r.done() {
            match r.key()? {
                (1, 1) => event.time_nanos = clamp(r.fixed64()?, "event time_unix_nano", problems),
                (2, 2) => event.name = self.builder.intern(r.string()?),
                (3, 2) => {
                    let inner = r.len_delimited()?;
                    attributes.push(nested!(r, inner, self.key_value(inner, 0))?);
                }
                (4, 0) => event.dropped_attributes_count = r.varint()? as u32,
                (_, wire) => r.skip(wire)?,
            }
        }
        event.attributes = attributes.into_boxed_slice();
        Ok(event)
    }

    fn link(&mut self, buf: &[u8]) -> Result<Option<Link>, WireError> {
        let mut r = Reader { buf, pos: 0 };
        let (mut trace_id, mut span_id) = (None, None);
        let mut link = Link {
            trace_id: TraceId(0),
            span_id: SpanId(0),
            trace_state: None,
            attributes: Box::default(),
            dropped_attributes_count: 0,
            flags: 0,
        };
        let mut attributes = Vec::new();
        while !r.done() {
            match r.key()? {
                (1, 2) => trace_id = id_from_be_bytes(r.len_delimited()?).map(|(v, _)| TraceId(v)),
                (2, 2) => span_id = id_from_be_bytes(r.len_delimited()?).map(|(v, _)| SpanId(v as u64)),
                (3, 2) => {
                    let s = r.string()?;
                    link.trace_state = (!s.is_empty()).then(|| self.builder.intern(s));
                }
                (4, 2) => {
                    let inner = r.len_delimited()?;
                    attributes.push(nested!(r, inner, self.key_value(inner, 0))?);
                }
                (5, 0) => link.dropped_attributes_count = r.varint()? as u32,
                (6, 5) => link.flags = r.fixed32()?,
                (_, wire) => r.skip(wire)?,
            }
        }
        link.attributes = attributes.into_boxed_slice();
        let (Some(t), Some(s)) = (trace_id, span_id) else {
            return Ok(None);
        };
        link.trace_id = t;
        link.span_id = s;
        Ok(Some(link))
    }

    fn status(&mut self, buf: &[u8], problems: &mut Vec<(WarningKind, String)>) -> Result<Status, WireError> {
        let mut r = Reader { buf, pos: 0 };
        let mut status = Status::default();
        while !r.done() {
            match r.key()? {
                (2, 2) => {
                    let m = r.string()?;
                    status.message = (!m.is_empty()).then(|| self.builder.intern(m));
                }
                (3, 0) => {
                    let c = r.varint()?;
                    match crate::import::otlp_json::code_from_number(c) {
                        Some(code) => status.code = code,
                        None => {
                            problems.push((WarningKind::InvalidValue, format!("status code {c} is unknown; ignored")))
                        }
                    }
                }
                (_, wire) => r.skip(wire)?,
            }
        }
        Ok(status)
    }

    fn key_value(&mut self, buf: &[u8], depth: u32) -> Result<Attribute, WireError> {
        let mut r = Reader { buf, pos: 0 };
        let mut attr = Attribute { key: self.empty, value: AnyValue::Empty };
        while !r.done() {
            match r.key()? {
                (1, 2) => attr.key = self.builder.intern(r.string()?),
                (2, 2) => {
                    let inner = r.len_delimited()?;
                    attr.value = nested!(r, inner, self.any_value(inner, depth))?;
                }
                (_, wire) => r.skip(wire)?,
            }
        }
        Ok(attr)
    }

    fn any_value(&mut self, buf: &[u8], depth: u32) -> Result<AnyValue, WireError> {
        let mut r = Reader { buf, pos: 0 };
        if depth > MAX_VALUE_DEPTH {
            return r
                .err(format!("attribute values nest deeper than {MAX_VALUE_DEPTH} levels (hostile or corrupt data)"));
        }
        let mut value = AnyValue::Empty;
        while !r.done() {
            value = match r.key()? {
                (1, 2) => AnyValue::Str(self.builder.intern(r.string()?)),
                (2, 0) => AnyValue::Bool(r.varint()? != 0),
                (3, 0) => AnyValue::Int(r.varint()? as i64),
                (4, 1) => AnyValue::Float(f64::from_bits(r.fixed64()?)),
                (5, 2) => {
                    let inner = r.len_delimited()?;
                    nested!(r, inner, self.array(inner, depth + 1))?
                }
                (6, 2) => {
                    let inner = r.len_delimited()?;
                    nested!(r, inner, self.kvlist(inner, depth + 1))?
                }
                (7, 2) => AnyValue::Bytes(r.len_delimited()?.to_vec().into_boxed_slice()),
                (_, wire) => {
                    r.skip(wire)?;
                    continue;
                }
            };
        }
        Ok(value)
    }

    fn array(&mut self, buf: &[u8], depth: u32) -> Result<AnyValue, WireError> {
        let mut r = Reader { buf, pos: 0 };
        let mut values = Vec::new();
        while !r.done() {
            match r.key()? {
                (1, 2) => {
                    let inner = r.len_delimited()?;
                    values.push(nested!(r, inner, self.any_value(inner, depth))?);
                }
                (_, wire) => r.skip(wire)?,
            }
        }
        Ok(AnyValue::Array(values.into_boxed_slice()))
    }

    fn kvlist(&mut self, buf: &[u8], depth: u32) -> Result<AnyValue, WireError> {
        let mut r = Reader { buf, pos: 0 };
        let mut values = Vec::new();
        while !r.done() {
            match r.key()? {
                (1, 2) => {
                    let inner = r.len_delimited()?;
                    values.push(nested!(r, inner, self.key_value(inner, depth))?);
                }
                (_, wire) => r.skip(wire)?,
            }
        }
        Ok(AnyValue::KvList(values.into_boxed_slice()))
    }
}

fn clamp(nanos: u64, field: &str, problems: &mut Vec<(WarningKind, String)>) -> i64 {
    i64::try_from(nanos).unwrap_or_else(|_| {
        problems.push((WarningKind::InvalidValue, format!("{field} {nanos} is past year 2262; clamped")));
        i64::MAX
    })
}
