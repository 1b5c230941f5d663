//! OTLP JSON: `TracesData` / `ExportTraceServiceRequest`, and the API envelopes that wrap it.
//!
//! Accepted: `resourceSpans` (or Tempo ≤2.5's `batches`), `scopeSpans` or the legacy
//! `instrumentationLibrarySpans`, the Tempo v2 `{"trace": …}` and Jaeger api_v3 `{"result": …}`
//! envelopes, a top-level array of `TracesData`, camelCase or snake_case keys, hex or base64 ids, enums
//! as numbers or names, int64 as numbers or strings.
//!
//! Speed matters (files reach hundreds of MB), so no `serde_json::Value` is built: `DeserializeSeed`
//! visitors carry the builder down the document, keys and strings borrow from the input, and spans
//! are pushed as soon as their resource is known. Scalar fields of the wrong type become warnings;
//! a broken structure (a span that is not an object) or bad JSON syntax fails the file.

mod span;
mod value;

pub use span::{code_from_number, kind_from_number, span_kind, status_code};

use crate::builder::TraceSetBuilder;
use crate::ids::{SpanId, TraceId};
use crate::import::error::{ImportError, Position};
use crate::import::json_scalar::{Key, Scalar, explain_json_error};
use crate::import::seq::{Each, List};
use crate::interner::Sym;
use crate::span::{Resource, Scope, ScopeIdx, Span};
use crate::value::{AnyValue, Attribute};
use crate::warnings::{Warning, WarningKind};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

pub(crate) const FORMAT: &str = "otlp-json";

/// Past this many value problems in one file, further ones are only counted: a file with a million
/// bad timestamps should not produce a million warnings.
const MAX_PROBLEMS_PER_SOURCE: usize = 1_000;

/// Imports one OTLP JSON document (any of the accepted envelopes).
pub fn import(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    let mut ctx = Ctx::new(builder);
    let outcome = parse_document(bytes, &mut ctx);
    let result = match outcome {
        Ok(true) => Ok(()),
        Ok(false) => Err(ImportError::new(
            file,
            FORMAT,
            Position::Unknown,
            "no `resourceSpans` (or `batches`, `result.resourceSpans`, `trace.resourceSpans`) found: not an OTLP traces document",
        )),
        Err(err) => Err(ctx.json_error(file, FORMAT, &err)),
    };
    ctx.finish();
    result
}

/// Parses one document into `ctx`; `Ok(false)` when it holds no `resourceSpans` at all.
pub(crate) fn parse_document(bytes: &[u8], ctx: &mut Ctx<'_>) -> Result<bool, serde_json::Error> {
    ctx.path = JsonPath::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let found = TracesDataSeed { ctx, depth: 0 }.deserialize(&mut de)?;
    de.end()?;
    Ok(found)
}

/// Parses one element of a document's `resourceSpans` array, given as its own bytes; `index` is its
/// position in the array (for messages). Used by the streaming import, which finds the elements.
pub(crate) fn parse_resource_spans(bytes: &[u8], index: usize, ctx: &mut Ctx<'_>) -> Result<(), serde_json::Error> {
    ctx.path = JsonPath { resource: Some(index), scope: None, span: None };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    ResourceSpansSeed { ctx }.deserialize(&mut de)?;
    de.end()
}

/// A span read but not yet pushed: its resource may come later in the object.
pub(crate) struct Pending {
    trace_id: TraceId,
    width: u8,
    span: Span,
}

/// Where the parser is, for error messages: `resourceSpans[3].scopeSpans[0].spans[12]`.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct JsonPath {
    resource: Option<usize>,
    scope: Option<usize>,
    span: Option<usize>,
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = self.resource {
            write!(f, "resourceSpans[{r}]")?;
            if let Some(s) = self.scope {
                write!(f, ".scopeSpans[{s}]")?;
                if let Some(i) = self.span {
                    write!(f, ".spans[{i}]")?;
                }
            }
        }
        Ok(())
    }
}

/// State shared by all visitors of one import.
pub(crate) struct Ctx<'b> {
    pub builder: &'b mut TraceSetBuilder,
    pub path: JsonPath,
    pub empty: Sym,
    service_name: Sym,
    unknown_service: Sym,
    problems: Vec<(WarningKind, String)>,
    problems_total: usize,
    /// Scratch vectors for attribute lists (one per nesting level in use).
    pub attr_pool: Vec<Vec<Attribute>>,
}

impl<'b> Ctx<'b> {
    pub fn new(builder: &'b mut TraceSetBuilder) -> Self {
        let empty = builder.intern("");
        let service_name = builder.intern("service.name");
        let unknown_service = builder.intern("unknown_service");
        Ctx {
            builder,
            path: JsonPath::default(),
            empty,
            service_name,
            unknown_service,
            problems: Vec::new(),
            problems_total: 0,
            attr_pool: Vec::new(),
        }
    }

    pub fn intern(&mut self, text: &str) -> Sym {
        self.builder.intern(text)
    }

    /// Records a non-fatal problem with `field`; it becomes a warning when the enclosing span (or
    /// resource) is complete, so it can name the span.
    pub fn problem(&mut self, kind: WarningKind, field: &str, message: String) {
        self.problems_total += 1;
        if self.problems_total <= MAX_PROBLEMS_PER_SOURCE {
            let at = self.path.to_string();
            let sep = if at.is_empty() { "" } else { "." };
            self.problems.push((kind, format!("{at}{sep}{field}: {message}")));
        }
    }

    pub fn mismatch(&mut self, field: &str, expected: &str, found: &Scalar) {
        self.problem(WarningKind::InvalidValue, field, format!("expected {expected}, found {}; ignored", found.kind()));
    }

    /// OTLP times are u64; past `i64::MAX` (Go's zero time wrapped around) they are clamped.
    pub fn clamp_time(&mut self, nanos: u64, field: &str) -> i64 {
        match crate::import::text::nanos_from_u64(nanos) {
            Some(v) => v,
            None => {
                self.problem(WarningKind::InvalidValue, field, format!("{nanos} is past year 2262; clamped"));
                i64::MAX
            }
        }
    }

    pub fn flush_problems(&mut self, trace_id: Option<TraceId>, span_id: Option<SpanId>) {
        for (kind, message) in self.problems.drain(..) {
            let mut w = Warning::new(kind, message);
            w.trace_id = trace_id;
            w.span_id = span_id;
            self.builder.warn(w);
        }
    }

    /// Emits leftover problems and the "N more" summary, and hands the builder back.
    pub fn finish(mut self) -> &'b mut TraceSetBuilder {
        self.flush_problems(None, None);
        if self.problems_total > MAX_PROBLEMS_PER_SOURCE {
            let more = self.problems_total - MAX_PROBLEMS_PER_SOURCE;
            self.builder.warn(Warning::new(
                WarningKind::InvalidValue,
                format!("{more} more value problems in this file were not listed"),
            ));
        }
        self.builder
    }

    /// Hands the builder back without emitting anything (the caller rolls the import back).
    pub fn abandon(self) -> &'b mut TraceSetBuilder {
        self.builder
    }

    /// An [`ImportError`] with line/column and, when known, the span path.
    pub fn json_error(&self, file: &str, format: &str, err: &serde_json::Error) -> ImportError {
        let mut e = ImportError::from_json(file, format, err);
        e.message = explain_json_error(err);
        let at = self.path.to_string();
        if !at.is_empty() {
            e.message = format!("{} (in {at})", e.message);
        }
        e
    }
}

struct TracesDataSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
    depth: u8,
}

impl<'de> DeserializeSeed<'de> for TracesDataSeed<'_, '_> {
    /// Whether a `resourceSpans` list was found.
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TracesDataSeed<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OTLP TracesData object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"resourceSpans" | b"resource_spans" | b"batches" => {
                    let base = self.ctx.path.resource.map_or(0, |r| r + 1);
                    map.next_value_seed(List(ResourceSpansList { ctx: &mut *self.ctx, base }))?;
                    found = true;
                }
                // Envelopes: Jaeger api_v3 `result`, Tempo v2 `trace`. One level only.
                b"result" | b"trace" if self.depth < 2 => {
                    found |= map.next_value_seed(TracesDataSeed { ctx: &mut *self.ctx, depth: self.depth + 1 })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
    /// Jaeger UI accepts an array of `TracesData` and merges them; so do we.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut found = false;
        if self.depth >= 2 {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(false);
        }
        while let Some(f) = seq.next_element_seed(TracesDataSeed { ctx: &mut *self.ctx, depth: self.depth + 1 })? {
            found |= f;
        }
        Ok(found)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

struct ResourceSpansList<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    /// Index offset so paths stay unique when an array of documents is merged.
    base: usize,
}

impl<'de, 'b> Each<'de> for ResourceSpansList<'_, 'b> {
    type Seed<'x>
        = ResourceSpansSeed<'x, 'b>
    where
        Self: 'x;
    fn expecting(&self) -> &'static str {
        "an array of ResourceSpans"
    }
    fn seed(&mut self, index: usize) -> ResourceSpansSeed<'_, 'b> {
        self.ctx.path = JsonPath { resource: Some(self.base + index), scope: None, span: None };
        ResourceSpansSeed { ctx: self.ctx }
    }
}

struct ResourceSpansSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
}

impl<'de> DeserializeSeed<'de> for ResourceSpansSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResourceSpansSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ResourceSpans object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        let mut resource: Option<(Box<[Attribute]>, u32)> = None;
        let mut spans = Vec::new();
        let mut legacy = Vec::new();
        let mut scope_count = 0usize;
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"resource" => resource = Some(map.next_value_seed(ResourceSeed { ctx: &mut *ctx })?),
                b"scopeSpans" | b"scope_spans" => {
                    let list = ScopeSpansList { ctx: &mut *ctx, out: &mut spans, base: scope_count, count: 0 };
                    scope_count += map.next_value_seed(List(list))?.count;
                }
                // Pre-0.19 OTLP; used only when `scopeSpans` is empty, as the proto comment asked.
                b"instrumentationLibrarySpans" | b"instrumentation_library_spans" => {
                    let list = ScopeSpansList { ctx: &mut *ctx, out: &mut legacy, base: scope_count, count: 0 };
                    scope_count += map.next_value_seed(List(list))?.count;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if spans.is_empty() {
            spans = legacy;
        }
        let (attributes, dropped_attributes_count) = resource.unwrap_or_default();
        let service = attributes
            .iter()
            .find(|a| a.key == ctx.service_name)
            .and_then(|a| match a.value {
                AnyValue::Str(s) => Some(s),
                _ => None,
            })
            .unwrap_or(ctx.unknown_service);
        let idx = ctx.builder.add_resource(Resource { service, attributes, dropped_attributes_count });
        ctx.path.scope = None;
        ctx.flush_problems(None, None);
        for p in spans {
            let mut span = p.span;
            span.resource = idx;
            span.service = service;
            ctx.builder.push_span(p.trace_id, p.width, span);
        }
        Ok(())
    }
}

/// `resource` (and `scope`) objects: attributes plus a dropped count. `null` and `{}` are empty.
struct ResourceSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
}

impl<'de> DeserializeSeed<'de> for ResourceSeed<'_, '_> {
    type Value = (Box<[Attribute]>, u32);
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ResourceSeed<'_, '_> {
    type Value = (Box<[Attribute]>, u32);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Resource object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = (Box::default(), 0);
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"attributes" => out.0 = value::read_attributes(self.ctx, &mut map)?,
                b"droppedAttributesCount" | b"dropped_attributes_count" => {
                    let s: Scalar = map.next_value()?;
                    out.1 = s.as_u32().unwrap_or(0);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok((Box::default(), 0))
    }
}

struct ScopeSpansList<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    out: &'a mut Vec<Pending>,
    base: usize,
    count: usize,
}

impl<'de, 'b> Each<'de> for ScopeSpansList<'_, 'b> {
    type Seed<'x>
        = ScopeSpansSeed<'x, 'b>
    where
        Self: 'x;
    fn expecting(&self) -> &'static str {
        "an array of ScopeSpans"
    }
    fn seed(&mut self, index: usize) -> ScopeSpansSeed<'_, 'b> {
        self.count = index + 1;
        self.ctx.path.scope = Some(self.base + index);
        self.ctx.path.span = None;
        ScopeSpansSeed { ctx: self.ctx, out: self.out }
    }
}

struct ScopeSpansSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
    out: &'x mut Vec<Pending>,
}

impl<'de> DeserializeSeed<'de> for ScopeSpansSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ScopeSpansSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ScopeSpans object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        let first = self.out.len();
        let mut scope: Option<ScopeIdx> = None;
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"scope" | b"instrumentationLibrary" | b"instrumentation_library" => {
                    let s = map.next_value_seed(ScopeSeed { ctx: &mut *ctx })?;
                    scope = Some(ctx.builder.add_scope(s));
                }
                b"spans" => {
                    map.next_value_seed(List(span::Spans { ctx: &mut *ctx, out: &mut *self.out }))?;
                    ctx.path.span = None;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let scope = match scope {
            Some(s) => s,
            None => {
                let empty = ctx.empty;
                ctx.builder.add_scope(Scope { name: empty, version: None, attributes: Box::default() })
            }
        };
        for p in self.out.iter_mut().skip(first) {
            p.span.scope = scope;
        }
        Ok(())
    }
}

struct ScopeSeed<'x, 'b> {
    ctx: &'x mut Ctx<'b>,
}

impl<'de> DeserializeSeed<'de> for ScopeSeed<'_, '_> {
    type Value = Scope;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Scope, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScopeSeed<'_, '_> {
    type Value = Scope;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an InstrumentationScope object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scope, A::Error> {
        let ctx = self.ctx;
        let mut scope = Scope { name: ctx.empty, version: None, attributes: Box::default() };
        while let Some(k) = map.next_key::<Key>()? {
            match &*k.0 {
                b"name" => {
                    let s: Scalar = map.next_value()?;
                    match s.as_str() {
                        Some(text) => scope.name = ctx.intern(text),
                        None => ctx.mismatch("scope.name", "a string", &s),
                    }
                }
                b"version" => {
                    let s: Scalar = map.next_value()?;
                    scope.version = s.as_str().filter(|v| !v.is_empty()).map(|v| ctx.intern(v));
                }
                b"attributes" => scope.attributes = value::read_attributes(ctx, &mut map)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(scope)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scope, E> {
        Ok(Scope { name: self.ctx.empty, version: None, attributes: Box::default() })
    }
}
