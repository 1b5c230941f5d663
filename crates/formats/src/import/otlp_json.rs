//! OTLP JSON: `TracesData` / `ExportTraceServiceRequest`, and the API envelopes that wrap it.
//!
//! Accepted: `resourceSpans` (or Tempo ≤2.5's `batches`), `scopeSpans` or the legacy
//! `instrumentationLibrarySpans`, the Tempo v2 `{"trace": …}` and Jaeger api_v3 `{"result": …}`
//! envelopes, a top-level array of `TracesData`, camelCase or snake_case keys, hex or base64 ids, enums
//! as numbers or names, int64 as numbers or strings.
//!
//! Speed matters (files reach hundreds of MB), so no `serde_json::Value` is built and no generic
//! deserializer is involved: a byte-level [`reader`] walks the document, the functions here descend
//! it carrying the builder, keys and strings borrow from the input, ids and timestamps are decoded
//! straight from their bytes, and spans are pushed as soon as their resource is known. Scalar fields
//! of the wrong type become warnings; a broken structure (a span that is not an object) or bad JSON
//! syntax fails the file. Recursion is bounded by the reader's nesting limit.

/// Also read by the Jaeger importer's streamed spans (`jaeger_json/read/fast.rs`).
pub(crate) mod reader;
mod span;
mod value;

pub use span::{code_from_number, kind_from_number, span_kind, status_code};

use crate::import::json_scalar::Scalar;
pub(crate) use reader::JsonError;
use reader::Reader;
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::error::{ImportError, Position};
use spanlens_model::ids::{SpanId, TraceId};
use spanlens_model::interner::Sym;
use spanlens_model::span::{Resource, Scope, ScopeIdx, Span};
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::warnings::{MissingDurations, Warning, WarningKind};
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
pub(crate) fn parse_document(bytes: &[u8], ctx: &mut Ctx<'_>) -> Result<bool, JsonError> {
    ctx.path = JsonPath::default();
    let mut r = Reader::new(bytes);
    let found = traces_data(&mut r, ctx, 0)?;
    r.end()?;
    Ok(found)
}

/// Parses one element of a document's `resourceSpans` array, given as its own bytes; `index` is its
/// position in the array (for messages). Used by the streaming import, which finds the elements.
pub(crate) fn parse_resource_spans(bytes: &[u8], index: usize, ctx: &mut Ctx<'_>) -> Result<(), JsonError> {
    ctx.path = JsonPath { resource: Some(index), scope: None, span: None };
    let mut r = Reader::new(bytes);
    resource_spans(&mut r, ctx)?;
    r.end()
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
    /// Spans read but not yet pushed, reused from one `resourceSpans` element to the next.
    pending: Vec<Pending>,
    /// Spans without an end time, for the file's one `MissingDuration` warning.
    pub missing_durations: MissingDurations,
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
            pending: Vec::new(),
            missing_durations: MissingDurations::default(),
        }
    }

    pub fn intern(&mut self, text: &str) -> Sym {
        self.builder.intern(text)
    }

    /// The string at the cursor, interned (UTF-8 is validated only for strings not seen before);
    /// `None`, with nothing consumed, when the value is not a string.
    #[inline]
    pub(crate) fn intern_string(&mut self, r: &mut Reader<'_>) -> Result<Option<Sym>, JsonError> {
        if r.peek() != Some(b'"') {
            return Ok(None);
        }
        let raw = r.string_raw()?;
        match self.builder.intern_bytes(raw.bytes()) {
            Some(sym) => Ok(Some(sym)),
            None => Err(r.utf8_error()),
        }
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
        if let Some(w) = self.missing_durations.warning(None) {
            self.builder.warn(w);
        }
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
    pub fn json_error(&self, file: &str, format: &str, err: &JsonError) -> ImportError {
        let position = Position::LineColumn { line: err.line() as u64, column: err.column() as u64 };
        let mut e = ImportError::new(file, format, position, err.explain());
        let at = self.path.to_string();
        if !at.is_empty() {
            e.message = format!("{} (in {at})", e.message);
        }
        e
    }
}

/// A `TracesData` (or an envelope around it, or an array of them); whether `resourceSpans` was found.
fn traces_data(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, depth: u8) -> Result<bool, JsonError> {
    let mut found = false;
    match r.peek() {
        Some(b'[') => {
            // Jaeger UI accepts an array of `TracesData` and merges them; so do we.
            let mut items = r.array()?;
            while r.next_item(&mut items)? {
                if depth >= 2 {
                    r.skip()?;
                } else {
                    found |= traces_data(r, ctx, depth + 1)?;
                }
            }
        }
        Some(b'n') => r.null()?,
        _ => {
            let mut fields = r.object("an OTLP TracesData object")?;
            while let Some(k) = r.next_key(&mut fields)? {
                match &*k {
                    b"resourceSpans" | b"resource_spans" | b"batches" => {
                        let base = ctx.path.resource.map_or(0, |r| r + 1);
                        resource_spans_list(r, ctx, base)?;
                        found = true;
                    }
                    // Envelopes: Jaeger api_v3 `result`, Tempo v2 `trace`. One level only.
                    b"result" | b"trace" if depth < 2 => found |= traces_data(r, ctx, depth + 1)?,
                    _ => r.skip()?,
                }
            }
        }
    }
    Ok(found)
}

/// `resourceSpans[]`; `base` offsets indices so paths stay unique when an array of documents is merged.
fn resource_spans_list(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, base: usize) -> Result<(), JsonError> {
    let mut items = r.array_or_null("an array of ResourceSpans")?;
    let mut index = 0;
    while r.next_item(&mut items)? {
        ctx.path = JsonPath { resource: Some(base + index), scope: None, span: None };
        resource_spans(r, ctx)?;
        index += 1;
    }
    Ok(())
}

fn resource_spans(r: &mut Reader<'_>, ctx: &mut Ctx<'_>) -> Result<(), JsonError> {
    let mut fields = r.object("a ResourceSpans object")?;
    let mut resource: Option<(Box<[Attribute]>, u32)> = None;
    let mut spans = std::mem::take(&mut ctx.pending);
    spans.clear();
    let mut legacy = Vec::new();
    let mut scope_count = 0usize;
    while let Some(k) = r.next_key(&mut fields)? {
        match &*k {
            b"resource" => resource = Some(read_resource(r, ctx)?),
            b"scopeSpans" | b"scope_spans" => scope_count += scope_spans_list(r, ctx, &mut spans, scope_count)?,
            // Pre-0.19 OTLP; used only when `scopeSpans` is empty, as the proto comment asked.
            b"instrumentationLibrarySpans" | b"instrumentation_library_spans" => {
                scope_count += scope_spans_list(r, ctx, &mut legacy, scope_count)?;
            }
            _ => r.skip()?,
        }
    }
    if spans.is_empty() {
        std::mem::swap(&mut spans, &mut legacy);
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
    for p in spans.drain(..) {
        let mut span = p.span;
        span.resource = idx;
        span.service = service;
        ctx.builder.push_span(p.trace_id, p.width, span);
    }
    ctx.pending = spans;
    Ok(())
}

/// `resource` (and `scope`) objects: attributes plus a dropped count. `null` and `{}` are empty.
fn read_resource(r: &mut Reader<'_>, ctx: &mut Ctx<'_>) -> Result<(Box<[Attribute]>, u32), JsonError> {
    let mut out = (Box::default(), 0);
    let Some(mut fields) = r.object_or_null("a Resource object")? else {
        return Ok(out);
    };
    while let Some(k) = r.next_key(&mut fields)? {
        match &*k {
            b"attributes" => out.0 = value::read_attributes(r, ctx)?,
            b"droppedAttributesCount" | b"dropped_attributes_count" => out.1 = r.scalar()?.as_u32().unwrap_or(0),
            _ => r.skip()?,
        }
    }
    Ok(out)
}

/// `scopeSpans[]` into `out`; returns how many elements it had.
fn scope_spans_list(
    r: &mut Reader<'_>,
    ctx: &mut Ctx<'_>,
    out: &mut Vec<Pending>,
    base: usize,
) -> Result<usize, JsonError> {
    let mut items = r.array_or_null("an array of ScopeSpans")?;
    let mut count = 0;
    while r.next_item(&mut items)? {
        ctx.path.scope = Some(base + count);
        ctx.path.span = None;
        count += 1;
        scope_spans(r, ctx, out)?;
    }
    Ok(count)
}

fn scope_spans(r: &mut Reader<'_>, ctx: &mut Ctx<'_>, out: &mut Vec<Pending>) -> Result<(), JsonError> {
    let mut fields = r.object("a ScopeSpans object")?;
    let first = out.len();
    let mut scope: Option<ScopeIdx> = None;
    while let Some(k) = r.next_key(&mut fields)? {
        match &*k {
            b"scope" | b"instrumentationLibrary" | b"instrumentation_library" => {
                let s = read_scope(r, ctx)?;
                scope = Some(ctx.builder.add_scope(s));
            }
            b"spans" => {
                span::read_spans(r, ctx, out)?;
                ctx.path.span = None;
            }
            _ => r.skip()?,
        }
    }
    let scope = match scope {
        Some(s) => s,
        None => {
            let empty = ctx.empty;
            ctx.builder.add_scope(Scope { name: empty, version: None, attributes: Box::default() })
        }
    };
    for p in out.iter_mut().skip(first) {
        p.span.scope = scope;
    }
    Ok(())
}

fn read_scope(r: &mut Reader<'_>, ctx: &mut Ctx<'_>) -> Result<Scope, JsonError> {
    let mut scope = Scope { name: ctx.empty, version: None, attributes: Box::default() };
    let Some(mut fields) = r.object_or_null("an InstrumentationScope object")? else {
        return Ok(scope);
    };
    while let Some(k) = r.next_key(&mut fields)? {
        match &*k {
            b"name" => match ctx.intern_string(r)? {
                Some(sym) => scope.name = sym,
                None => {
                    let s = r.scalar()?;
                    ctx.mismatch("scope.name", "a string", &s);
                }
            },
            b"version" => {
                let s = r.scalar()?;
                scope.version = s.as_str().filter(|v| !v.is_empty()).map(|v| ctx.intern(v));
            }
            b"attributes" => scope.attributes = value::read_attributes(r, ctx)?,
            _ => r.skip()?,
        }
    }
    Ok(scope)
}

/// A key as text, for messages.
pub(crate) fn key_name(key: &[u8]) -> &str {
    std::str::from_utf8(key).unwrap_or("(non-UTF-8 key)")
}
