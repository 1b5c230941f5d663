//! The streaming reader: `DeserializeSeed` visitors that carry the [`Converter`] down the document.
//!
//! Nesting is bounded by the shapes themselves (envelope → `data` → trace → `spans` → span → tags),
//! never by the input: `data` and `result` are followed two levels deep at most, as before.

use super::convert::{Converter, scalar_text};
use super::model::{Doc, Draft, ProcessId, Rank};
use crate::import::json_scalar::{Key, Scalar};
use crate::import::seq::List;
use crate::import::text::parse_id;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use spanlens_model::ids::SpanId;
use spanlens_model::span::Span;
use spanlens_model::warnings::WarningKind;
use std::borrow::Cow;
use std::fmt;

mod fast;
mod parts;
use parts::{AttrList, ErrorList, LogList, ProcessMapList, ProcessSeed, ProcessesSeed, RefList, WarningsSeed};

/// Reads one whole document into `conv`.
pub fn parse_document(bytes: &[u8], conv: &mut Converter<'_>) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    TopSeed { conv }.deserialize(&mut de)?;
    de.end()
}

/// Reads one element of an envelope's `data` array, given as its own bytes (the streaming import
/// finds them): exactly what the whole-document reader does with that element. When the element's
/// `spans` were streamed ([`parse_span`]), `bytes` is its skeleton (`"spans":[]`) and the spans
/// read so far continue the object, as if they had been read in its place.
pub fn parse_trace(bytes: &[u8], conv: &mut Converter<'_>) -> Result<(), serde_json::Error> {
    let pending = conv.pending.take().map(|doc| *doc);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    NodeSeed { conv, depth: 1, loose: false, pending }.deserialize(&mut de)?;
    de.end()
}

/// Reads one element of the `spans` array of the `data` element being streamed: what the
/// whole-document reader does with it, the span then waiting in [`Converter::pending`].
pub fn parse_span(bytes: &[u8], conv: &mut Converter<'_>) -> Result<(), serde_json::Error> {
    // The span's bytes are exactly its object (the scanner found them).
    if let SpanRead::Read(_) = try_span(bytes, conv, true) {
        return Ok(());
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // Only a span's own `process` lands in this object; the span itself is returned.
    let mut own = Doc::default();
    let draft = SpanSeed { conv: &mut *conv, doc: &mut own }.deserialize(&mut de)?;
    de.end()?;
    conv.pending.get_or_insert_with(Box::default).adopt(draft, own.processes);
    Ok(())
}

/// What [`try_span`] did.
pub enum SpanRead {
    /// The span was read from the first `n` bytes and waits in [`Converter::pending`].
    Read(usize),
    /// The bytes ended inside the span: nothing was kept.
    NeedMore,
    /// Nothing was kept: [`parse_span`] is to read the span (and report its error, if any).
    Unusual,
}

/// Reads the span object at the start of `bytes` (which may go on past it, unless `whole`) with the
/// byte-level reader, when the span is of the usual kind; see `read/fast.rs`.
pub fn try_span(bytes: &[u8], conv: &mut Converter<'_>, whole: bool) -> SpanRead {
    let mut own = Doc::default();
    let mark = conv.scratch.len();
    match fast::read_span(bytes, conv, &mut own) {
        Ok((_, n)) if whole && n != bytes.len() => {
            conv.scratch.truncate(mark);
            SpanRead::Unusual
        }
        Ok((draft, n)) => {
            conv.pending.get_or_insert_with(Box::default).adopt(draft, own.processes);
            SpanRead::Read(n)
        }
        Err(give_up) => {
            // The problems recorded so far are recorded again when the span is read again.
            conv.scratch.truncate(mark);
            if give_up.eof { SpanRead::NeedMore } else { SpanRead::Unusual }
        }
    }
}

/// JSON `null` reads as an absent member.
fn opt(s: Scalar<'_>) -> Option<Scalar<'_>> {
    match s {
        Scalar::Null => None,
        s => Some(s),
    }
}

fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// The top level: one object (envelope, trace, batch) or an array of traces or bare spans.
struct TopSeed<'x, 'b> {
    conv: &'x mut Converter<'b>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Jaeger JSON object or array")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        container(self.conv, map, 0, false, None).map(|_| ())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // An array of bare spans (anonymizer, Elasticsearch): each span carries its own trace id, and
        // goes to the builder as soon as it is read.
        while seq.next_element_seed(NodeSeed::new(&mut *self.conv, 0, true))?.is_some() {}
        Ok(())
    }
}

/// An object that may be an envelope or a trace, or (`loose`, in a top-level array) a bare span.
struct NodeSeed<'x, 'b> {
    conv: &'x mut Converter<'b>,
    depth: u8,
    loose: bool,
    /// The spans of this object already read by the streaming import.
    pending: Option<Doc<'static>>,
}

impl<'x, 'b> NodeSeed<'x, 'b> {
    fn new(conv: &'x mut Converter<'b>, depth: u8, loose: bool) -> Self {
        NodeSeed { conv, depth, loose, pending: None }
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.loose { "a Jaeger trace or span object" } else { "a Jaeger trace object" })
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        container(self.conv, map, self.depth, self.loose, self.pending)
    }
}

/// Reads an envelope, trace or `Batch` object and emits its trace; with `loose`, an object without
/// `spans`, `data` or `result` is a bare span instead. Returns whether it had one of those three.
fn container<'de, A: MapAccess<'de>>(
    conv: &mut Converter<'_>,
    mut map: A,
    depth: u8,
    loose: bool,
    pending: Option<Doc<'static>>,
) -> Result<bool, A::Error> {
    let mut doc: Doc<'de> = pending.unwrap_or_default();
    let mut draft = loose.then(|| Draft::new(conv));
    let mut trace_like = false;
    while let Some(k) = map.next_key::<Key>()? {
        match &*k.0 {
            b"traceID" | b"traceId" | b"trace_id" => {
                let s = opt(map.next_value::<Scalar>()?);
                doc.trace_id = s.as_ref().and_then(Scalar::as_str).and_then(|t| parse_id(t, 16).ok());
                if let Some(d) = draft.as_mut() {
                    d.trace_id(conv, s.as_ref());
                }
            }
            b"spans" => trace_like |= map.next_value_seed(SpansSeed { conv: &mut *conv, doc: &mut doc })?,
            b"processes" => map.next_value_seed(ProcessesSeed { doc: &mut doc })?,
            b"processMap" | b"process_map" => {
                map.next_value_seed(List(ProcessMapList { doc: &mut doc }))?;
            }
            b"process" => {
                if let Some(p) = map.next_value_seed(ProcessSeed)? {
                    let i = doc.add_process(p);
                    doc.own_process = Some(i);
                    if let Some(d) = draft.as_mut() {
                        d.process = Some(i);
                    }
                }
            }
            b"warnings" => {
                doc.warnings = map.next_value_seed(WarningsSeed)?;
                if let Some(d) = draft.as_mut() {
                    d.warnings(&doc.warnings);
                }
            }
            b"data" if depth < 2 => {
                trace_like |= map.next_value_seed(DataSeed { conv: &mut *conv, depth: depth + 1 })?
            }
            b"result" if depth < 2 => {
                trace_like |= map.next_value_seed(ResultSeed { conv: &mut *conv, depth: depth + 1 })?;
            }
            b"errors" => doc.errors = map.next_value_seed(List(ErrorList { out: Vec::new() }))?.out,
            key => match draft.as_mut() {
                Some(d) => span_field(conv, &mut doc, d, key, &mut map)?,
                None => skip(&mut map)?,
            },
        }
    }
    match draft {
        Some(mut d) if !trace_like => {
            d.finish(conv);
            conv.finish_loose(d, &doc.processes);
        }
        _ => conv.finish_doc(doc),
    }
    Ok(trace_like)
}

impl<'a> Draft<'a> {
    fn new(conv: &Converter<'_>) -> Self {
        Draft {
            span: Span::new(SpanId(0), conv.empty, conv.empty, 0, 0),
            trace: None,
            span_id_seen: false,
            refs: Vec::new(),
            parent: None,
            process_id: None,
            process: None,
            problems: Vec::new(),
        }
    }

    /// Moves the problems of the value just read onto this span.
    fn absorb(&mut self, conv: &mut Converter<'_>, rank: Rank) {
        self.problems.extend(conv.scratch.drain(..).map(|(kind, message)| (rank, kind, message)));
    }

    fn trace_id(&mut self, conv: &mut Converter<'_>, s: Option<&Scalar<'_>>) {
        if let Some(s) = s {
            self.trace = conv.id(s, 16, "traceID");
            self.absorb(conv, Rank::TraceId);
        }
    }

    fn warnings(&mut self, warnings: &[String]) {
        for w in warnings {
            self.problems.push((Rank::Warnings, WarningKind::Other, format!("Jaeger: {w}")));
        }
    }

    fn finish(&mut self, conv: &mut Converter<'_>) {
        if !self.span_id_seen {
            conv.problem(WarningKind::InvalidValue, "spanID: missing or unreadable; kept with span id 0".to_owned());
            self.absorb(conv, Rank::SpanId);
        }
    }
}

/// One member of a span object.
fn span_field<'de, A: MapAccess<'de>>(
    conv: &mut Converter<'_>,
    doc: &mut Doc<'de>,
    d: &mut Draft<'de>,
    key: &[u8],
    map: &mut A,
) -> Result<(), A::Error> {
    match key {
        b"traceID" | b"traceId" | b"trace_id" => {
            let s = opt(map.next_value::<Scalar>()?);
            d.trace_id(conv, s.as_ref());
        }
        b"spanID" | b"spanId" | b"span_id" => {
            if let Some(s) = opt(map.next_value::<Scalar>()?) {
                if let Some((v, _)) = conv.id(&s, 8, "spanID") {
                    d.span.span_id = SpanId(v as u64);
                    d.span_id_seen = true;
                }
                d.absorb(conv, Rank::SpanId);
            }
        }
        b"parentSpanID" | b"parentSpanId" | b"parent_span_id" => {
            d.parent = opt(map.next_value::<Scalar>()?).map(|s| conv.parent_id(&s));
        }
        b"operationName" | b"operation_name" => {
            let s: Scalar = map.next_value()?;
            d.span.name = match s.as_str() {
                Some(n) => conv.builder.intern(n),
                None => conv.empty,
            };
        }
        b"references" => {
            d.refs = map.next_value_seed(List(RefList { conv: &mut *conv, out: Vec::new() }))?.out;
            d.absorb(conv, Rank::References);
        }
        b"startTime" | b"start_time" => {
            if let Some(s) = opt(map.next_value::<Scalar>()?) {
                d.span.start_nanos = conv.time(&s, "startTime");
                d.absorb(conv, Rank::StartTime);
            }
        }
        b"duration" => {
            if let Some(s) = opt(map.next_value::<Scalar>()?) {
                d.span.duration_nanos = conv.duration(&s);
                d.absorb(conv, Rank::Duration);
            }
        }
        b"flags" => {
            d.span.flags = opt(map.next_value::<Scalar>()?).and_then(|s| s.as_u32()).unwrap_or(0);
        }
        b"tags" => {
            let out = conv.take_attrs();
            let mut attributes = map.next_value_seed(List(AttrList { conv: &mut *conv, field: "tags", out }))?.out;
            d.absorb(conv, Rank::Tags);
            conv.special_tags(&mut attributes, &mut d.span);
            d.span.attributes = conv.boxed_attrs(attributes);
        }
        b"logs" => {
            d.span.events = map.next_value_seed(List(LogList { conv: &mut *conv, out: Vec::new() }))?.out.into();
            d.absorb(conv, Rank::Logs);
        }
        b"processID" | b"processId" | b"process_id" => {
            d.process_id = opt(map.next_value::<Scalar>()?).map(|s| match s {
                Scalar::Str(text) => ProcessId::Text(text),
                other => ProcessId::Text(Cow::Owned(scalar_text(&other))),
            });
        }
        b"process" => {
            if let Some(p) = map.next_value_seed(ProcessSeed)? {
                d.process = Some(doc.add_process(p));
            }
        }
        b"warnings" => {
            let warnings = map.next_value_seed(WarningsSeed)?;
            d.warnings(&warnings);
        }
        _ => skip(map)?,
    }
    Ok(())
}

/// A trace's `spans`: each span waits in the trace's [`Doc`] for the `processes` map. Returns whether
/// the member held an array (`null` does not make an object a trace).
struct SpansSeed<'x, 'b, 'de> {
    conv: &'x mut Converter<'b>,
    doc: &'x mut Doc<'de>,
}

impl<'de> DeserializeSeed<'de> for SpansSeed<'_, '_, 'de> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SpansSeed<'_, '_, 'de> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of spans")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while let Some(draft) = seq.next_element_seed(SpanSeed { conv: &mut *self.conv, doc: &mut *self.doc })? {
            self.doc.push_draft(draft);
        }
        Ok(true)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

struct SpanSeed<'x, 'b, 'de> {
    conv: &'x mut Converter<'b>,
    doc: &'x mut Doc<'de>,
}

impl<'de> DeserializeSeed<'de> for SpanSeed<'_, '_, 'de> {
    type Value = Draft<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Draft<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SpanSeed<'_, '_, 'de> {
    type Value = Draft<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Jaeger span object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Draft<'de>, A::Error> {
        let mut d = Draft::new(self.conv);
        while let Some(k) = map.next_key::<Key>()? {
            span_field(self.conv, self.doc, &mut d, &k.0, &mut map)?;
        }
        d.finish(self.conv);
        Ok(d)
    }
}

/// `data`: an array of traces (API) or one trace (the UI's saved state). Returns whether present.
struct DataSeed<'x, 'b> {
    conv: &'x mut Converter<'b>,
    depth: u8,
}

impl<'de> DeserializeSeed<'de> for DataSeed<'_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DataSeed<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of traces or one trace object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element_seed(NodeSeed::new(&mut *self.conv, self.depth, false))?.is_some() {}
        Ok(true)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        container(self.conv, map, self.depth, false, None).map(|_| true)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// `result` (`{result:{spans}}` from grpc-gateway). Returns whether present.
struct ResultSeed<'x, 'b> {
    conv: &'x mut Converter<'b>,
    depth: u8,
}

impl<'de> DeserializeSeed<'de> for ResultSeed<'_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ResultSeed<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Jaeger trace object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        container(self.conv, map, self.depth, false, None).map(|_| true)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}
