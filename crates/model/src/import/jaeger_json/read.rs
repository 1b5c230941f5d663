//! The streaming reader: `DeserializeSeed` visitors that carry the [`Converter`] down the document.
//!
//! Nesting is bounded by the shapes themselves (envelope → `data` → trace → `spans` → span → tags),
//! never by the input: `data` and `result` are followed two levels deep at most, as before.

use super::convert::{Converter, process_key, scalar_text};
use super::model::{Doc, Draft, ProcessDraft, Rank, Tag};
use crate::ids::SpanId;
use crate::import::json_scalar::{Key, Scalar};
use crate::import::seq::{Each, List};
use crate::import::text::parse_id;
use crate::span::{Event, Span};
use crate::value::Attribute;
use crate::warnings::WarningKind;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Reads one whole document into `conv`.
pub fn parse_document(bytes: &[u8], conv: &mut Converter<'_>) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    TopSeed { conv }.deserialize(&mut de)?;
    de.end()
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
        container(self.conv, map, 0, false).map(|_| ())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // An array of bare spans (anonymizer, Elasticsearch): each span carries its own trace id, and
        // goes to the builder as soon as it is read.
        while seq.next_element_seed(NodeSeed { conv: &mut *self.conv, depth: 0, loose: true })?.is_some() {}
        Ok(())
    }
}

/// An object that may be an envelope or a trace, or (`loose`, in a top-level array) a bare span.
struct NodeSeed<'x, 'b> {
    conv: &'x mut Converter<'b>,
    depth: u8,
    loose: bool,
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
        container(self.conv, map, self.depth, self.loose)
    }
}

/// Reads an envelope, trace or `Batch` object and emits its trace; with `loose`, an object without
/// `spans`, `data` or `result` is a bare span instead. Returns whether it had one of those three.
fn container<'de, A: MapAccess<'de>>(
    conv: &mut Converter<'_>,
    mut map: A,
    depth: u8,
    loose: bool,
) -> Result<bool, A::Error> {
    let mut doc: Doc<'de> = Doc::default();
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
                Scalar::Str(text) => text,
                other => Cow::Owned(scalar_text(&other)),
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
        while seq.next_element_seed(SpanSeed { conv: &mut *self.conv, doc: &mut *self.doc })?.is_some() {}
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
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SpanSeed<'_, '_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Jaeger span object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut d = Draft::new(self.conv);
        while let Some(k) = map.next_key::<Key>()? {
            span_field(self.conv, self.doc, &mut d, &k.0, &mut map)?;
        }
        d.finish(self.conv);
        self.doc.push_draft(d);
        Ok(())
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
        while seq.next_element_seed(NodeSeed { conv: &mut *self.conv, depth: self.depth, loose: false })?.is_some() {}
        Ok(true)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        container(self.conv, map, self.depth, false).map(|_| true)
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
        container(self.conv, map, self.depth, false).map(|_| true)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// A tag object's members; anything else in it is ignored.
fn read_tag<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Tag<'de>, A::Error> {
    let mut tag = Tag::default();
    while let Some(k) = map.next_key::<Key>()? {
        let slot = match &*k.0 {
            b"key" => &mut tag.key,
            b"type" | b"vType" | b"v_type" => &mut tag.ty,
            b"value" => &mut tag.value,
            b"vStr" | b"v_str" => &mut tag.v_str,
            b"vBool" | b"v_bool" => &mut tag.v_bool,
            b"vInt64" | b"v_int64" => &mut tag.v_int64,
            b"vFloat64" | b"v_float64" => &mut tag.v_float64,
            b"vBinary" | b"v_binary" => &mut tag.v_binary,
            _ => {
                skip(map)?;
                continue;
            }
        };
        *slot = opt(map.next_value::<Scalar>()?);
    }
    Ok(tag)
}

/// Tags converted to attributes as they are read (span tags, log fields).
struct AttrList<'x, 'b> {
    conv: &'x mut Converter<'b>,
    field: &'static str,
    out: Vec<Attribute>,
}

impl<'de, 'b> Each<'de> for AttrList<'_, 'b> {
    type Seed<'y>
        = AttrSeed<'y, 'b>
    where
        Self: 'y;
    fn expecting(&self) -> &'static str {
        "an array of tags"
    }
    fn seed(&mut self, _index: usize) -> AttrSeed<'_, 'b> {
        AttrSeed { conv: self.conv, field: self.field, out: &mut self.out }
    }
}

struct AttrSeed<'y, 'b> {
    conv: &'y mut Converter<'b>,
    field: &'static str,
    out: &'y mut Vec<Attribute>,
}

impl<'de> DeserializeSeed<'de> for AttrSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AttrSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tag object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let tag = read_tag(&mut map)?;
        self.conv.tag(&tag, self.field, self.out);
        Ok(())
    }
}

/// A process's tags, kept as read until the process becomes a resource.
struct RawTagList<'de> {
    out: Vec<Tag<'de>>,
}

impl<'de> Each<'de> for RawTagList<'de> {
    type Seed<'y>
        = RawTagSeed<'y, 'de>
    where
        Self: 'y;
    fn expecting(&self) -> &'static str {
        "an array of tags"
    }
    fn seed(&mut self, _index: usize) -> RawTagSeed<'_, 'de> {
        RawTagSeed { out: &mut self.out }
    }
}

struct RawTagSeed<'y, 'de> {
    out: &'y mut Vec<Tag<'de>>,
}

impl<'de> DeserializeSeed<'de> for RawTagSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RawTagSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tag object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.push(read_tag(&mut map)?);
        Ok(())
    }
}

/// `references`: each becomes (trace id, span id, follows-from) once read.
struct RefList<'x, 'b> {
    conv: &'x mut Converter<'b>,
    out: Vec<(Option<crate::ids::TraceId>, SpanId, bool)>,
}

impl<'de, 'b> Each<'de> for RefList<'_, 'b> {
    type Seed<'y>
        = RefSeed<'y, 'b>
    where
        Self: 'y;
    fn expecting(&self) -> &'static str {
        "an array of references"
    }
    fn seed(&mut self, _index: usize) -> RefSeed<'_, 'b> {
        RefSeed { conv: self.conv, out: &mut self.out }
    }
}

struct RefSeed<'y, 'b> {
    conv: &'y mut Converter<'b>,
    out: &'y mut Vec<(Option<crate::ids::TraceId>, SpanId, bool)>,
}

impl<'de> DeserializeSeed<'de> for RefSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RefSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a reference object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut ref_type, mut trace_id, mut span_id) = (None, None, None);
        while let Some(k) = map.next_key::<Key>()? {
            let slot = match &*k.0 {
                b"refType" | b"ref_type" => &mut ref_type,
                b"traceID" | b"traceId" | b"trace_id" => &mut trace_id,
                b"spanID" | b"spanId" | b"span_id" => &mut span_id,
                _ => {
                    skip(&mut map)?;
                    continue;
                }
            };
            *slot = opt(map.next_value::<Scalar>()?);
        }
        if let Some(r) = self.conv.reference(ref_type.as_ref(), trace_id.as_ref(), span_id.as_ref()) {
            self.out.push(r);
        }
        Ok(())
    }
}

/// `logs`: each becomes an event once read.
struct LogList<'x, 'b> {
    conv: &'x mut Converter<'b>,
    out: Vec<Event>,
}

impl<'de, 'b> Each<'de> for LogList<'_, 'b> {
    type Seed<'y>
        = LogSeed<'y, 'b>
    where
        Self: 'y;
    fn expecting(&self) -> &'static str {
        "an array of logs"
    }
    fn seed(&mut self, _index: usize) -> LogSeed<'_, 'b> {
        LogSeed { conv: self.conv, out: &mut self.out }
    }
}

struct LogSeed<'y, 'b> {
    conv: &'y mut Converter<'b>,
    out: &'y mut Vec<Event>,
}

impl<'de> DeserializeSeed<'de> for LogSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LogSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a log object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mark = self.conv.scratch.len();
        let mut timestamp = None;
        let mut fields = Vec::new();
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"timestamp" => timestamp = opt(map.next_value::<Scalar>()?),
                b"fields" => {
                    let out = self.conv.take_attrs();
                    let list = AttrList { conv: &mut *self.conv, field: "logs.fields", out };
                    fields = map.next_value_seed(List(list))?.out;
                }
                _ => skip(&mut map)?,
            }
        }
        let event = self.conv.log(timestamp.as_ref(), fields, mark);
        self.out.push(event);
        Ok(())
    }
}

/// A process object; `null` is none.
struct ProcessSeed;

impl<'de> DeserializeSeed<'de> for ProcessSeed {
    type Value = Option<ProcessDraft<'de>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ProcessSeed {
    type Value = Option<ProcessDraft<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a process object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut service = None;
        let mut tags = Vec::new();
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"serviceName" | b"service_name" => {
                    service = match map.next_value::<Scalar>()? {
                        Scalar::Str(s) => Some(s),
                        _ => None,
                    };
                }
                b"tags" => tags = map.next_value_seed(List(RawTagList { out: Vec::new() }))?.out,
                _ => skip(&mut map)?,
            }
        }
        let key = process_key(service.as_deref(), &tags);
        Ok(Some(ProcessDraft { service, tags, key }))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// `processes`: a map `{p1: Process}`, kept in file order.
struct ProcessesSeed<'x, 'de> {
    doc: &'x mut Doc<'de>,
}

impl<'de> DeserializeSeed<'de> for ProcessesSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ProcessesSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of process ids to processes")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(id) = map.next_key::<Scalar>()? {
            let id = match id {
                Scalar::Str(text) => text,
                other => Cow::Owned(scalar_text(&other)),
            };
            if let Some(p) = map.next_value_seed(ProcessSeed)? {
                let i = self.doc.add_process(p);
                self.doc.map.push((id, i));
            }
        }
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// protojson `processMap`: `[{processId, process}]`.
struct ProcessMapList<'x, 'de> {
    doc: &'x mut Doc<'de>,
}

impl<'de> Each<'de> for ProcessMapList<'_, 'de> {
    type Seed<'y>
        = ProcessMappingSeed<'y, 'de>
    where
        Self: 'y;
    fn expecting(&self) -> &'static str {
        "an array of process mappings"
    }
    fn seed(&mut self, _index: usize) -> ProcessMappingSeed<'_, 'de> {
        ProcessMappingSeed { doc: self.doc }
    }
}

struct ProcessMappingSeed<'y, 'de> {
    doc: &'y mut Doc<'de>,
}

impl<'de> DeserializeSeed<'de> for ProcessMappingSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ProcessMappingSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a process mapping object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut id = None;
        let mut process = None;
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"processId" | b"process_id" | b"processID" => {
                    id = opt(map.next_value::<Scalar>()?).map(|s| match s {
                        Scalar::Str(text) => text,
                        other => Cow::Owned(scalar_text(&other)),
                    });
                }
                b"process" => process = map.next_value_seed(ProcessSeed)?,
                _ => skip(&mut map)?,
            }
        }
        if let (Some(id), Some(process)) = (id, process) {
            let i = self.doc.add_process(process);
            self.doc.process_map.push((id, i));
        }
        Ok(())
    }
}

/// `warnings`: the strings among its elements.
struct WarningsSeed;

impl<'de> DeserializeSeed<'de> for WarningsSeed {
    type Value = Vec<String>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<String>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for WarningsSeed {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of warnings")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut out = Vec::new();
        while let Some(s) = seq.next_element::<Scalar>()? {
            if let Scalar::Str(text) = s {
                out.push(text.into_owned());
            }
        }
        Ok(out)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
        Ok(Vec::new())
    }
}

/// The API's `errors`: `[{code, msg}]`, as warning messages.
struct ErrorList {
    out: Vec<String>,
}

impl<'de> Each<'de> for ErrorList {
    type Seed<'y>
        = ErrorSeed<'y>
    where
        Self: 'y;
    fn expecting(&self) -> &'static str {
        "an array of errors"
    }
    fn seed(&mut self, _index: usize) -> ErrorSeed<'_> {
        ErrorSeed { out: &mut self.out }
    }
}

struct ErrorSeed<'y> {
    out: &'y mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for ErrorSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ErrorSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an error object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut code, mut msg) = (None, None);
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"code" => code = map.next_value::<Scalar>()?.as_i64(),
                b"msg" => msg = opt(map.next_value::<Scalar>()?),
                _ => skip(&mut map)?,
            }
        }
        let msg = msg.as_ref().and_then(Scalar::as_str).unwrap_or("(no message)");
        let code = code.map_or(String::new(), |c| format!(" (code {c})"));
        self.out.push(format!("the server reported an error{code}: {msg}"));
        Ok(())
    }
}
