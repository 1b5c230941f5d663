//! The parts of a span object read into the model as they stream past: tags, references, logs and
//! the process.

use super::{opt, skip};
use crate::import::jaeger_json::convert::{Converter, process_key, scalar_text};
use crate::import::jaeger_json::model::{Doc, ProcessDraft, RefDraft, RefFields, Tag};
use crate::import::json_scalar::{Key, Scalar};
use crate::import::seq::{Each, List};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use spanlens_model::span::Event;
use spanlens_model::value::Attribute;
use std::borrow::Cow;
use std::fmt;

/// A tag object's members; anything else in it is ignored.
fn read_tag<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Tag<'de>, A::Error> {
    let mut tag = Tag::default();
    while let Some(k) = map.next_key::<Key>()? {
        match tag.slot(&k.0) {
            Some(slot) => *slot = opt(map.next_value::<Scalar>()?),
            None => skip(map)?,
        }
    }
    Ok(tag)
}

/// Tags converted to attributes as they are read (span tags, log fields).
pub(super) struct AttrList<'x, 'b> {
    pub(super) conv: &'x mut Converter<'b>,
    pub(super) field: &'static str,
    pub(super) out: Vec<Attribute>,
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

pub(super) struct AttrSeed<'y, 'b> {
    pub(super) conv: &'y mut Converter<'b>,
    pub(super) field: &'static str,
    pub(super) out: &'y mut Vec<Attribute>,
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
    pub(super) out: Vec<Tag<'de>>,
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
    pub(super) out: &'y mut Vec<Tag<'de>>,
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
pub(super) struct RefList<'x, 'b> {
    pub(super) conv: &'x mut Converter<'b>,
    pub(super) out: Vec<RefDraft>,
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

pub(super) struct RefSeed<'y, 'b> {
    pub(super) conv: &'y mut Converter<'b>,
    pub(super) out: &'y mut Vec<RefDraft>,
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
        let mut f = RefFields::default();
        while let Some(k) = map.next_key::<Key>()? {
            match f.slot(&k.0) {
                Some(slot) => *slot = opt(map.next_value::<Scalar>()?),
                None => skip(&mut map)?,
            }
        }
        if let Some(r) = self.conv.reference(f.ref_type.as_ref(), f.trace_id.as_ref(), f.span_id.as_ref()) {
            self.out.push(r);
        }
        Ok(())
    }
}

/// `logs`: each becomes an event once read.
pub(super) struct LogList<'x, 'b> {
    pub(super) conv: &'x mut Converter<'b>,
    pub(super) out: Vec<Event>,
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

pub(super) struct LogSeed<'y, 'b> {
    pub(super) conv: &'y mut Converter<'b>,
    pub(super) out: &'y mut Vec<Event>,
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
pub(super) struct ProcessSeed;

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
pub(super) struct ProcessesSeed<'x, 'de> {
    pub(super) doc: &'x mut Doc<'de>,
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
pub(super) struct ProcessMapList<'x, 'de> {
    pub(super) doc: &'x mut Doc<'de>,
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

pub(super) struct ProcessMappingSeed<'y, 'de> {
    pub(super) doc: &'y mut Doc<'de>,
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
pub(super) struct WarningsSeed;

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
pub(super) struct ErrorList {
    pub(super) out: Vec<String>,
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

pub(super) struct ErrorSeed<'y> {
    pub(super) out: &'y mut Vec<String>,
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
