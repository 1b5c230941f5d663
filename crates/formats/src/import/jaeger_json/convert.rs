//! Turns Jaeger values into model values as the reader meets them, and finishes spans once their
//! trace object (with its `processes`) has been read.

use super::Dialect;
use super::model::{Doc, Draft, ProcessDraft, ProcessId, Rank, RefDraft, Tag, trace_halves, trace_of_halves};
use crate::import::json_scalar::Scalar;
use crate::import::text::{is_text_id, micros_to_nanos, parse_duration_nanos, parse_id, parse_rfc3339_nanos};
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::ids::HEX_DIGIT;
use spanlens_model::ids::{SpanId, TraceId};
use spanlens_model::interner::Sym;
use spanlens_model::span::{Event, Link, Resource, ResourceIdx, Scope, ScopeIdx, Span, SpanKind, StatusCode};
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::warnings::{Warning, WarningKind};
use std::collections::HashMap;

mod tags;

pub struct Converter<'b> {
    pub builder: &'b mut TraceSetBuilder,
    dialect: Dialect,
    pub empty: Sym,
    scope: ScopeIdx,
    /// One resource per distinct process (embedded processes repeat on every span).
    resources: HashMap<String, (ResourceIdx, Sym)>,
    /// Problems of the value being read; the reader moves them onto its span with their [`Rank`].
    pub scratch: Vec<(WarningKind, String)>,
    /// Problems met while making resources: reported with the next span, as before streaming.
    carry: Vec<(WarningKind, String)>,
    /// Whether any trace (spans or server errors) was found.
    pub found: bool,
    /// The trace object whose `spans` the streaming import is reading one by one: its spans wait
    /// here until the object's skeleton (its `processes`, its `traceID`) has been read.
    pub pending: Option<Box<Doc<'static>>>,
    span_kind: Sym,
    status_code: Sym,
    status_description: Sym,
    error: Sym,
    event: Option<Sym>,
    log: Option<Sym>,
    /// A reusable list for reading tags, so each span gets one exact-size allocation.
    attrs: Vec<Attribute>,
}

impl<'b> Converter<'b> {
    pub fn new(builder: &'b mut TraceSetBuilder, dialect: Dialect) -> Self {
        let empty = builder.intern("");
        let scope = builder.add_scope(Scope { name: empty, version: None, attributes: Box::default() });
        let span_kind = builder.intern("span.kind");
        let status_code = builder.intern("otel.status_code");
        let status_description = builder.intern("otel.status_description");
        let error = builder.intern("error");
        Converter {
            builder,
            dialect,
            empty,
            scope,
            resources: HashMap::new(),
            scratch: Vec::new(),
            carry: Vec::new(),
            found: false,
            pending: None,
            span_kind,
            status_code,
            status_description,
            error,
            event: None,
            log: None,
            attrs: Vec::new(),
        }
    }

    /// Emits a finished trace object: server errors, its warnings, then its spans with their resources.
    pub fn finish_doc(&mut self, doc: Doc<'_>) {
        if doc.drafts.is_empty() && doc.errors.is_empty() {
            return;
        }
        self.found = true;
        for message in doc.errors {
            self.builder.warn(Warning::new(WarningKind::Other, message));
        }
        let mut made: Vec<Option<(ResourceIdx, Sym)>> = vec![None; doc.processes.len()];
        let mut by_id: HashMap<&str, (ResourceIdx, Sym)> = HashMap::new();
        for (id, i) in doc.map.iter().chain(&doc.process_map) {
            if let Some(r) = self.resource_at(&doc.processes, &mut made, *i) {
                by_id.insert(id, r);
            }
        }
        let own = doc.own_process.and_then(|i| self.resource_at(&doc.processes, &mut made, i));
        for message in doc.warnings {
            let mut w = Warning::new(WarningKind::Other, format!("Jaeger: {message}"));
            w.trace_id = doc.trace_id.map(|(v, _)| TraceId(v));
            self.builder.warn(w);
        }
        for draft in doc.drafts.into_iter().flatten() {
            let process_id = match &draft.process_id {
                Some(ProcessId::Text(text)) => Some(&**text),
                Some(ProcessId::Listed(i)) => doc.process_ids.get(*i).map(String::as_str),
                None => None,
            };
            let resource = match process_id.and_then(|id| by_id.get(id).copied()) {
                Some(r) => r,
                None => match draft.process.and_then(|i| self.resource_at(&doc.processes, &mut made, i)).or(own) {
                    Some(r) => r,
                    None => self.default_resource(),
                },
            };
            self.push(draft, doc.trace_id, resource);
        }
    }

    /// A span of an array of bare spans: it has no trace object around it.
    pub fn finish_loose(&mut self, mut draft: Draft<'_>, processes: &[ProcessDraft<'_>]) {
        self.found = true;
        let mut made = vec![None; processes.len()];
        let resource = match draft.process.take().and_then(|i| self.resource_at(processes, &mut made, i)) {
            Some(r) => r,
            None => self.default_resource(),
        };
        self.push(draft, None, resource);
    }

    fn resource_at(
        &mut self,
        processes: &[ProcessDraft<'_>],
        made: &mut [Option<(ResourceIdx, Sym)>],
        i: usize,
    ) -> Option<(ResourceIdx, Sym)> {
        if let Some(Some(r)) = made.get(i) {
            return Some(*r);
        }
        let r = self.resource(processes.get(i)?);
        if let Some(slot) = made.get_mut(i) {
            *slot = Some(r);
        }
        Some(r)
    }

    fn default_resource(&mut self) -> (ResourceIdx, Sym) {
        self.resource(&ProcessDraft { service: None, tags: Vec::new(), key: "unknown_service".to_owned() })
    }

    fn resource(&mut self, process: &ProcessDraft<'_>) -> (ResourceIdx, Sym) {
        if let Some(&found) = self.resources.get(&process.key) {
            return found;
        }
        let service_sym = self.builder.intern(process.service.as_deref().unwrap_or("unknown_service"));
        let mut attributes = Vec::with_capacity(process.tags.len());
        for tag in &process.tags {
            self.tag(tag, "process.tags", &mut attributes);
        }
        self.carry.append(&mut self.scratch);
        let idx = self.builder.add_resource(Resource {
            service: service_sym,
            attributes: attributes.into_boxed_slice(),
            dropped_attributes_count: 0,
        });
        self.resources.insert(process.key.clone(), (idx, service_sym));
        (idx, service_sym)
    }

    /// Completes a span (trace id, parent and links, resource), reports its problems and pushes it.
    fn push(&mut self, draft: Draft<'_>, doc_trace: Option<(u128, u8)>, (resource, service): (ResourceIdx, Sym)) {
        let Draft { mut span, trace, refs, parent, mut problems, .. } = draft;
        let (trace_id, width) = match trace.or(doc_trace) {
            Some((v, w)) => (TraceId(v), w),
            None => {
                problems.push((
                    Rank::TraceMissing,
                    WarningKind::InvalidValue,
                    "traceID: missing or unreadable; kept under trace id 0".to_owned(),
                ));
                (TraceId(0), 16)
            }
        };
        span.resource = resource;
        span.service = service;
        span.scope = self.scope;
        if let Some(message) = self.references(refs, parent, trace_id, &mut span) {
            problems.push((Rank::Parent, WarningKind::InvalidValue, message));
        }
        problems.sort_by_key(|p| p.0);
        let span_id = span.span_id;
        for (kind, message) in self.carry.drain(..).chain(problems.into_iter().map(|(_, k, m)| (k, m))) {
            self.builder.warn(Warning::new(kind, message).with_trace(trace_id).with_span(span_id));
        }
        self.builder.push_span(trace_id, width, span);
    }

    /// First `CHILD_OF` in the same trace is the parent; with none, the first `FOLLOWS_FROM` is (Jaeger
    /// UI does the same); with neither, `parentSpanID`. Every other reference becomes a link. Returns
    /// the `parentSpanID` problem when that field was used and unreadable.
    fn references(
        &mut self,
        refs: Vec<RefDraft>,
        parent: Option<(Option<SpanId>, Option<String>)>,
        trace_id: TraceId,
        span: &mut Span,
    ) -> Option<String> {
        let mut problem = None;
        let mut refs = refs;
        let same_trace = |r: &RefDraft| r.0.map_or(trace_id, trace_of_halves) == trace_id;
        let found =
            refs.iter().position(|r| !r.2 && same_trace(r)).or_else(|| refs.iter().position(|r| r.2 && same_trace(r)));
        if let Some(p) = found {
            span.parent_span_id = Some(refs.remove(p).1).filter(|id| id.0 != 0);
        } else if let Some((id, message)) = parent {
            span.parent_span_id = id;
            problem = message;
        }
        if refs.is_empty() {
            return problem;
        }
        let key = self.builder.intern("jaeger.ref_type");
        let child_of = self.builder.intern("CHILD_OF");
        let follows_from = self.builder.intern("FOLLOWS_FROM");
        span.links = refs
            .into_iter()
            .map(|(tid, sid, follows)| Link {
                trace_id: tid.map_or(trace_id, trace_of_halves),
                span_id: sid,
                trace_state: None,
                attributes: vec![Attribute {
                    key,
                    value: AnyValue::Str(if follows { follows_from } else { child_of }),
                }]
                .into(),
                dropped_attributes_count: 0,
                flags: 0,
            })
            .collect();
        problem
    }

    /// One reference as read: `None` when its span id is missing or unreadable.
    pub fn reference(
        &mut self,
        ref_type: Option<&Scalar<'_>>,
        trace_id: Option<&Scalar<'_>>,
        span_id: Option<&Scalar<'_>>,
    ) -> Option<RefDraft> {
        let (sid, _) = self.id(span_id?, 8, "references.spanID")?;
        let tid = trace_id.and_then(|s| self.id(s, 16, "references.traceID")).map(|(v, _)| trace_halves(TraceId(v)));
        // protojson omits CHILD_OF because it is the enum's zero value.
        let follows = match ref_type {
            Some(Scalar::Str(t)) => t.eq_ignore_ascii_case("FOLLOWS_FROM"),
            Some(other) => other.as_u64() == Some(1),
            None => false,
        };
        Some((tid, SpanId(sid as u64), follows))
    }

    /// `parentSpanID`: the id, and the problem to report if the field ends up being used.
    pub fn parent_id(&mut self, s: &Scalar<'_>) -> (Option<SpanId>, Option<String>) {
        match s {
            // The Collector's snake_case fixture writes the parent as a decimal integer.
            Scalar::U64(v) => (Some(SpanId(*v)).filter(|id| id.0 != 0), None),
            _ => {
                let mark = self.scratch.len();
                let id = self.id(s, 8, "parentSpanID").map(|(v, _)| SpanId(v as u64)).filter(|id| id.0 != 0);
                let message = self.scratch.drain(mark..).next().map(|(_, m)| m);
                (id, message)
            }
        }
    }

    /// `span.kind`, `otel.status_code`, `otel.status_description` and `error=true` become the span's
    /// kind and status (as Jaeger's own OTLP translator does) and leave the attribute list.
    pub fn special_tags(&self, attributes: &mut Vec<Attribute>, span: &mut Span) {
        let (kind_key, code_key, description_key, error_key) =
            (self.span_kind, self.status_code, self.status_description, self.error);
        if !attributes.iter().any(|a| [kind_key, code_key, description_key, error_key].contains(&a.key)) {
            return;
        }
        let strings = self.builder.strings();
        let text = |v: &AnyValue| match v {
            AnyValue::Str(s) => strings.resolve(*s),
            AnyValue::Bool(true) => "true",
            AnyValue::Bool(false) => "false",
            _ => "",
        };
        let mut status_message = None;
        attributes.retain(|attr| {
            if attr.key == kind_key {
                let value = text(&attr.value);
                let kind = [
                    ("client", SpanKind::Client),
                    ("server", SpanKind::Server),
                    ("producer", SpanKind::Producer),
                    ("consumer", SpanKind::Consumer),
                    ("internal", SpanKind::Internal),
                ]
                .into_iter()
                .find(|(name, _)| value.eq_ignore_ascii_case(name));
                match kind {
                    Some((_, k)) => {
                        span.kind = k;
                        false
                    }
                    None => true,
                }
            } else if attr.key == code_key {
                let value = text(&attr.value);
                if value.eq_ignore_ascii_case("ERROR") {
                    span.status.code = StatusCode::Error;
                    false
                } else if value.eq_ignore_ascii_case("OK") {
                    span.status.code = StatusCode::Ok;
                    false
                } else {
                    true
                }
            } else if attr.key == description_key {
                status_message = Some(attr.value.clone());
                false
            } else if attr.key == error_key && text(&attr.value) == "true" {
                span.status.code = StatusCode::Error;
                false
            } else {
                true
            }
        });
        if let Some(AnyValue::Str(m)) = status_message {
            span.status.message = Some(m);
        }
    }

    /// A log: its time, and its fields as attributes; an `event` field names it.
    /// `mark` is the length of [`Self::scratch`] before the log's fields were read.
    pub fn log(&mut self, timestamp: Option<&Scalar<'_>>, mut attributes: Vec<Attribute>, mark: usize) -> Event {
        // Problems of the timestamp come before those of the fields, whatever the key order.
        let field_problems: Vec<_> = self.scratch.drain(mark.min(self.scratch.len())..).collect();
        let time_nanos = timestamp.map_or(0, |s| self.time(s, "logs.timestamp"));
        self.scratch.extend(field_problems);
        // OpenTracing logs name themselves with an `event` field.
        let event_key = *self.event.get_or_insert_with(|| self.builder.intern("event"));
        let name = match attributes.iter().position(|a| a.key == event_key && matches!(a.value, AnyValue::Str(_))) {
            Some(i) => match attributes.remove(i).value {
                AnyValue::Str(s) => s,
                _ => self.empty,
            },
            None => *self.log.get_or_insert_with(|| self.builder.intern("log")),
        };
        Event { time_nanos, name, attributes: self.boxed_attrs(attributes), dropped_attributes_count: 0 }
    }

    pub fn id(&mut self, s: &Scalar<'_>, max_bytes: usize, field: &str) -> Option<(u128, u8)> {
        match s {
            Scalar::Str(text) => match hex_fast(text.as_bytes(), max_bytes * 2) {
                Some(v) => Some(v),
                None => self.id_slow(text, max_bytes, field),
            },
            Scalar::Null => None,
            other => {
                self.problem(
                    WarningKind::InvalidValue,
                    format!("{field}: expected a string id, found {}", other.kind()),
                );
                None
            }
        }
    }

    fn id_slow(&mut self, text: &str, max_bytes: usize, field: &str) -> Option<(u128, u8)> {
        match parse_id(text, max_bytes) {
            Ok(v) => Some(v),
            // A span id that is neither hex nor base64 (`span-A`) is kept as text under a stable id
            // rather than losing the span; the builder warns once per file.
            Err(_) if max_bytes == 8 && is_text_id(text) => {
                Some((u128::from(self.builder.text_span_id(text.trim()).0), 8))
            }
            Err(e) => {
                self.problem(WarningKind::InvalidValue, format!("{field}: {e}"));
                None
            }
        }
    }

    /// Query JSON: µs integers. Protojson: RFC 3339 strings. Either dialect tolerates the other.
    pub fn time(&mut self, s: &Scalar<'_>, field: &str) -> i64 {
        // Query JSON's µs integer, the usual case, in line; the rest out of it (see `duration`).
        match s {
            Scalar::U64(v) if *v <= i64::MAX as u64 => micros_to_nanos(*v as i64),
            _ => self.time_other(s, field),
        }
    }

    #[cold]
    #[inline(never)]
    fn time_other(&mut self, s: &Scalar<'_>, field: &str) -> i64 {
        let value = match s {
            Scalar::U64(v) => i64::try_from(*v).ok().map(micros_to_nanos),
            Scalar::Str(text) => {
                parse_rfc3339_nanos(text).or_else(|| text.trim().parse::<i64>().ok().map(micros_to_nanos))
            }
            other => other.as_i64().map(micros_to_nanos),
        };
        value.unwrap_or_else(|| {
            self.problem(
                WarningKind::InvalidValue,
                format!("{field}: cannot read {} as a time; set to 0", describe(s)),
            );
            0
        })
    }

    /// Query JSON: µs integers. Protojson: `"0.0001s"`/`"100000ns"` strings, or integer nanoseconds.
    pub fn duration(&mut self, s: &Scalar<'_>) -> i64 {
        // The usual case in line, the rest out of it: every span calls this, so V8 optimizes it
        // early, and the text parsing and warnings made it a 5 kB function to optimize.
        match (s, self.dialect) {
            (Scalar::U64(v), Dialect::QueryJson) if *v <= i64::MAX as u64 => micros_to_nanos(*v as i64),
            _ => self.duration_other(s),
        }
    }

    #[cold]
    #[inline(never)]
    fn duration_other(&mut self, s: &Scalar<'_>) -> i64 {
        let value = match (s, self.dialect) {
            (Scalar::Str(text), _) => {
                parse_duration_nanos(text).or_else(|| text.trim().parse::<i64>().ok().map(micros_to_nanos))
            }
            (other, Dialect::QueryJson) => other.as_i64().map(micros_to_nanos),
            (other, Dialect::Protojson) => other.as_i64(),
        };
        let mut nanos = value.unwrap_or_else(|| {
            self.problem(WarningKind::InvalidValue, format!("duration: cannot read {}; set to 0", describe(s)));
            0
        });
        if nanos < 0 {
            self.problem(WarningKind::NegativeDuration, format!("duration {nanos}ns is negative; set to 0"));
            nanos = 0;
        }
        nanos
    }

    /// An empty list to read tags into; give it back with [`Self::boxed_attrs`].
    pub fn take_attrs(&mut self) -> Vec<Attribute> {
        let mut attrs = std::mem::take(&mut self.attrs);
        attrs.clear();
        attrs
    }

    pub fn boxed_attrs(&mut self, mut attrs: Vec<Attribute>) -> Box<[Attribute]> {
        let boxed = attrs.drain(..).collect();
        self.attrs = attrs;
        boxed
    }

    pub fn problem(&mut self, kind: WarningKind, message: String) {
        self.scratch.push((kind, message));
    }
}

/// The common spelling of an id, 1 to `max_digits` hex digits with nothing around them, decoded in
/// one pass; the same value and width as [`parse_id`] gives. Anything else takes the general path.
#[inline]
fn hex_fast(bytes: &[u8], max_digits: usize) -> Option<(u128, u8)> {
    if bytes.is_empty() || bytes.len() > max_digits {
        return None;
    }
    let mut value = 0u128;
    let mut bad = 0u8;
    for &b in bytes {
        let d = HEX_DIGIT[b as usize];
        bad |= d;
        value = value << 4 | u128::from(d & 0x0f);
    }
    (bad & 0xf0 == 0).then_some((value, if bytes.len() <= 16 { 8 } else { 16 }))
}

fn describe(s: &Scalar<'_>) -> String {
    match s {
        Scalar::Str(t) => format!("{:?}", spanlens_model::ids::truncate_for_message(t)),
        other => other.kind().to_owned(),
    }
}

/// A process id (or a tag value) as text, for lookups and process keys.
pub fn scalar_text(s: &Scalar<'_>) -> String {
    match s {
        Scalar::Str(t) => t.to_string(),
        Scalar::U64(v) => v.to_string(),
        Scalar::I64(v) => v.to_string(),
        other => other.kind().to_owned(),
    }
}

/// The key that identifies a process: service and tags as text.
pub fn process_key(service: Option<&str>, tags: &[Tag<'_>]) -> String {
    let mut key = service.unwrap_or("unknown_service").to_owned();
    for tag in tags {
        key.push('\u{1f}');
        key.push_str(tag.key.as_ref().and_then(Scalar::as_str).unwrap_or(""));
        key.push('=');
        for s in
            [&tag.value, &tag.v_str, &tag.v_bool, &tag.v_int64, &tag.v_float64, &tag.v_binary].into_iter().flatten()
        {
            match s {
                Scalar::Str(t) => key.push_str(t),
                Scalar::Bool(b) => key.push_str(if *b { "true" } else { "false" }),
                Scalar::F64(f) => key.push_str(&f.to_string()),
                other => key.push_str(&scalar_text(other)),
            }
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_fast_agrees_with_parse_id() {
        let cases = [
            "0",
            "1",
            "f",
            "F",
            "0123456789abcdef",
            "0123456789ABCDEF0",
            "ffffffffffffffffffffffffffffffff",
            "0123456789abcdef0123456789abcdef0",
            "12g4",
            "+1",
            " 12",
            "",
            "AAAAAAAAAAM=",
            "deadbeef",
        ];
        for max_bytes in [8, 16] {
            for text in cases {
                if let Some(fast) = hex_fast(text.as_bytes(), max_bytes * 2) {
                    assert_eq!(Ok(fast), parse_id(text, max_bytes), "{text:?} max {max_bytes}");
                }
            }
        }
        assert_eq!(hex_fast(b"00000000000000000000000000000011", 32), Some((0x11, 16)));
        assert_eq!(hex_fast(b"11", 32), Some((0x11, 8)));
        assert_eq!(hex_fast(b"0123456789abcdef0", 16), None);
        assert_eq!(hex_fast(b"+1", 16), None);
    }
}
