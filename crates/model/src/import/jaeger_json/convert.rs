//! Turns normalized Jaeger documents into model spans.

use super::Dialect;
use super::model::{Node, Process, Tag, TraceDoc};
use crate::builder::TraceSetBuilder;
use crate::ids::{SpanId, TraceId};
use crate::import::json_scalar::Scalar;
use crate::import::text::{decode_base64, micros_to_nanos, parse_duration_nanos, parse_id, parse_rfc3339_nanos};
use crate::interner::Sym;
use crate::span::{Event, Link, Resource, ResourceIdx, Scope, ScopeIdx, Span, SpanKind, StatusCode};
use crate::value::{AnyValue, Attribute};
use crate::warnings::{Warning, WarningKind};
use std::collections::HashMap;

pub struct Converter<'b> {
    builder: &'b mut TraceSetBuilder,
    dialect: Dialect,
    empty: Sym,
    scope: ScopeIdx,
    /// Embedded processes repeat on every span; one resource per distinct process.
    resources: HashMap<String, (ResourceIdx, Sym)>,
    problems: Vec<(WarningKind, String)>,
}

impl<'b> Converter<'b> {
    pub fn new(builder: &'b mut TraceSetBuilder, dialect: Dialect) -> Self {
        let empty = builder.intern("");
        let scope = builder.add_scope(Scope { name: empty, version: None, attributes: Box::default() });
        Converter { builder, dialect, empty, scope, resources: HashMap::new(), problems: Vec::new() }
    }

    pub fn run(mut self, traces: Vec<TraceDoc<'_>>) {
        for doc in traces {
            self.trace(doc);
        }
    }

    fn trace(&mut self, doc: TraceDoc<'_>) {
        let doc_trace = doc.trace_id.as_ref().and_then(|s| s.as_str()).and_then(|t| parse_id(t, 16).ok());
        for message in doc.errors {
            self.builder.warn(Warning::new(WarningKind::Other, message));
        }
        let mut processes: HashMap<String, (ResourceIdx, Sym)> = HashMap::new();
        for (id, process) in &doc.processes {
            let key = scalar_text(id);
            let resource = self.resource(process);
            processes.insert(key, resource);
        }
        let batch = doc.batch_process.as_ref().map(|p| self.resource(p));
        for message in doc.warnings {
            let mut w = Warning::new(WarningKind::Other, format!("Jaeger: {message}"));
            w.trace_id = doc_trace.map(|(v, _)| TraceId(v));
            self.builder.warn(w);
        }
        for node in doc.spans {
            let resource = node
                .process_id
                .as_ref()
                .and_then(|id| processes.get(&scalar_text(id)).copied())
                .or_else(|| node.process.as_ref().map(|p| self.resource(p)))
                .or(batch)
                .unwrap_or_else(|| self.resource(&Process::default()));
            self.span(node, doc_trace, resource);
        }
    }

    fn resource(&mut self, process: &Process<'_>) -> (ResourceIdx, Sym) {
        let service = process.service_name.as_ref().and_then(Scalar::as_str).unwrap_or("unknown_service");
        let mut key = service.to_owned();
        for tag in process.tags.iter().flatten() {
            key.push('\u{1f}');
            key.push_str(tag.key.as_ref().and_then(Scalar::as_str).unwrap_or(""));
            key.push('=');
            key.push_str(&tag_value_text(tag));
        }
        if let Some(&found) = self.resources.get(&key) {
            return found;
        }
        let service_sym = self.builder.intern(service);
        let attributes = self.tags(process.tags.as_deref().unwrap_or(&[]), "process.tags").into_boxed_slice();
        let idx = self.builder.add_resource(Resource { service: service_sym, attributes, dropped_attributes_count: 0 });
        self.resources.insert(key, (idx, service_sym));
        (idx, service_sym)
    }

    fn span(&mut self, node: Node<'_>, doc_trace: Option<(u128, u8)>, (resource, service): (ResourceIdx, Sym)) {
        let trace = match node.trace_id.as_ref().map(|s| self.id(s, 16, "traceID")) {
            Some(Some(t)) => Some(t),
            _ => doc_trace,
        };
        let (trace_id, width) = match trace {
            Some((v, w)) => (TraceId(v), w),
            None => {
                self.problem(
                    WarningKind::InvalidValue,
                    "traceID: missing or unreadable; kept under trace id 0".to_owned(),
                );
                (TraceId(0), 16)
            }
        };
        let span_id = match node.span_id.as_ref().and_then(|s| self.id(s, 8, "spanID")) {
            Some((v, _)) => SpanId(v as u64),
            None => {
                self.problem(
                    WarningKind::InvalidValue,
                    "spanID: missing or unreadable; kept with span id 0".to_owned(),
                );
                SpanId(0)
            }
        };
        let name = match node.operation_name.as_ref().and_then(Scalar::as_str) {
            Some(n) => self.builder.intern(n),
            None => self.empty,
        };
        let start_nanos = node.start_time.as_ref().map_or(0, |s| self.time(s, "startTime"));
        let mut duration_nanos = node.duration.as_ref().map_or(0, |s| self.duration(s));
        if duration_nanos < 0 {
            self.problem(WarningKind::NegativeDuration, format!("duration {duration_nanos}ns is negative; set to 0"));
            duration_nanos = 0;
        }
        let mut span = Span::new(span_id, name, service, start_nanos, duration_nanos);
        span.resource = resource;
        span.scope = self.scope;
        span.flags = node.flags.as_ref().and_then(Scalar::as_u32).unwrap_or(0);
        self.references(&node, trace_id, &mut span);
        let mut attributes = self.tags(node.tags.as_deref().unwrap_or(&[]), "tags");
        self.special_tags(&mut attributes, &mut span);
        span.attributes = attributes.into_boxed_slice();
        span.events = node.logs.iter().flatten().map(|log| self.log(log)).collect::<Vec<_>>().into_boxed_slice();
        for w in node.warnings.iter().flatten().filter_map(Scalar::as_str) {
            self.problems.push((WarningKind::Other, format!("Jaeger: {w}")));
        }
        for (kind, message) in self.problems.drain(..) {
            self.builder.warn(Warning::new(kind, message).with_trace(trace_id).with_span(span_id));
        }
        self.builder.push_span(trace_id, width, span);
    }

    /// First `CHILD_OF` in the same trace is the parent; with none, the first `FOLLOWS_FROM` is (Jaeger
    /// UI does the same). Every other reference becomes a link.
    fn references(&mut self, node: &Node<'_>, trace_id: TraceId, span: &mut Span) {
        let mut refs = Vec::new();
        for r in node.references.iter().flatten() {
            let Some(sid) = r.span_id.as_ref().and_then(|s| self.id(s, 8, "references.spanID")) else {
                continue;
            };
            let tid = r
                .trace_id
                .as_ref()
                .and_then(|s| self.id(s, 16, "references.traceID"))
                .map_or(trace_id, |(v, _)| TraceId(v));
            // protojson omits CHILD_OF because it is the enum's zero value.
            let follows = match r.ref_type.as_ref() {
                Some(Scalar::Str(t)) => t.eq_ignore_ascii_case("FOLLOWS_FROM"),
                Some(other) => other.as_u64() == Some(1),
                None => false,
            };
            refs.push((tid, SpanId(sid.0 as u64), follows));
        }
        let parent = refs
            .iter()
            .position(|r| !r.2 && r.0 == trace_id)
            .or_else(|| refs.iter().position(|r| r.2 && r.0 == trace_id));
        if let Some(p) = parent {
            span.parent_span_id = Some(refs.remove(p).1).filter(|id| id.0 != 0);
        } else if let Some(pid) = node.parent_span_id.as_ref() {
            span.parent_span_id = self.parent_id(pid);
        }
        if refs.is_empty() {
            return;
        }
        let key = self.builder.intern("jaeger.ref_type");
        let child_of = self.builder.intern("CHILD_OF");
        let follows_from = self.builder.intern("FOLLOWS_FROM");
        span.links = refs
            .into_iter()
            .map(|(tid, sid, follows)| Link {
                trace_id: tid,
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
    }

    fn parent_id(&mut self, s: &Scalar<'_>) -> Option<SpanId> {
        match s {
            // The Collector's snake_case fixture writes the parent as a decimal integer.
            Scalar::U64(v) => Some(SpanId(*v)).filter(|id| id.0 != 0),
            _ => self.id(s, 8, "parentSpanID").map(|(v, _)| SpanId(v as u64)).filter(|id| id.0 != 0),
        }
    }

    /// `span.kind`, `otel.status_code`, `otel.status_description` and `error=true` become the span's
    /// kind and status (as Jaeger's own OTLP translator does) and leave the attribute list.
    fn special_tags(&mut self, attributes: &mut Vec<Attribute>, span: &mut Span) {
        let strings = self.builder.strings();
        let text = |v: &AnyValue| match v {
            AnyValue::Str(s) => Some(strings.resolve(*s).to_owned()),
            AnyValue::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let mut keep = Vec::with_capacity(attributes.len());
        let mut status_message = None;
        for attr in attributes.drain(..) {
            let key = strings.resolve(attr.key);
            let value = text(&attr.value).unwrap_or_default();
            match key {
                "span.kind" => {
                    span.kind = match value.to_ascii_lowercase().as_str() {
                        "client" => SpanKind::Client,
                        "server" => SpanKind::Server,
                        "producer" => SpanKind::Producer,
                        "consumer" => SpanKind::Consumer,
                        "internal" => SpanKind::Internal,
                        _ => {
                            keep.push(attr);
                            continue;
                        }
                    };
                }
                "otel.status_code" => match value.to_ascii_uppercase().as_str() {
                    "ERROR" => span.status.code = StatusCode::Error,
                    "OK" => span.status.code = StatusCode::Ok,
                    _ => keep.push(attr),
                },
                "otel.status_description" => status_message = Some(attr.value),
                "error" if value == "true" => span.status.code = StatusCode::Error,
                _ => keep.push(attr),
            }
        }
        if let Some(AnyValue::Str(m)) = status_message {
            span.status.message = Some(m);
        }
        *attributes = keep;
    }

    fn log(&mut self, log: &super::model::Log<'_>) -> Event {
        let time_nanos = log.timestamp.as_ref().map_or(0, |s| self.time(s, "logs.timestamp"));
        let mut attributes = self.tags(log.fields.as_deref().unwrap_or(&[]), "logs.fields");
        // OpenTracing logs name themselves with an `event` field.
        let event_key = self.builder.intern("event");
        let name = match attributes.iter().position(|a| a.key == event_key && matches!(a.value, AnyValue::Str(_))) {
            Some(i) => match attributes.remove(i).value {
                AnyValue::Str(s) => s,
                _ => self.empty,
            },
            None => self.builder.intern("log"),
        };
        Event { time_nanos, name, attributes: attributes.into_boxed_slice(), dropped_attributes_count: 0 }
    }

    fn tags(&mut self, tags: &[Tag<'_>], field: &str) -> Vec<Attribute> {
        let mut out = Vec::with_capacity(tags.len());
        for tag in tags {
            let Some(key) = tag.key.as_ref().and_then(Scalar::as_str) else {
                self.problem(WarningKind::InvalidValue, format!("{field}: a tag without a string key was skipped"));
                continue;
            };
            let key = self.builder.intern(key);
            let value = self.tag_value(tag, field);
            out.push(Attribute { key, value });
        }
        out
    }

    fn tag_value(&mut self, tag: &Tag<'_>, field: &str) -> AnyValue {
        let ty = match tag.ty.as_ref() {
            Some(Scalar::Str(t)) => t.to_ascii_lowercase(),
            // protojson ValueType numbers: STRING=0 BOOL=1 INT64=2 FLOAT64=3 BINARY=4.
            Some(n) => ["string", "bool", "int64", "float64", "binary"]
                .get(n.as_u64().unwrap_or(0) as usize)
                .copied()
                .unwrap_or("string")
                .to_owned(),
            None => String::new(),
        };
        let raw = tag
            .value
            .as_ref()
            .or(tag.v_str.as_ref())
            .or(tag.v_bool.as_ref())
            .or(tag.v_int64.as_ref())
            .or(tag.v_float64.as_ref())
            .or(tag.v_binary.as_ref());
        let ty = if ty.is_empty() {
            match (&tag.v_bool, &tag.v_int64, &tag.v_float64, &tag.v_binary) {
                (Some(_), ..) => "bool",
                (_, Some(_), ..) => "int64",
                (_, _, Some(_), _) => "float64",
                (.., Some(_)) => "binary",
                _ => "",
            }
            .to_owned()
        } else {
            ty
        };
        let Some(raw) = raw else {
            return AnyValue::Empty;
        };
        let value = match ty.as_str() {
            "bool" => raw.as_bool().map(AnyValue::Bool),
            "int64" => raw.as_i64().map(AnyValue::Int),
            "float64" => raw.as_f64().map(AnyValue::Float),
            "binary" => raw.as_str().and_then(decode_base64).map(|b| AnyValue::Bytes(b.into_boxed_slice())),
            _ => Some(match raw {
                Scalar::Str(s) => AnyValue::Str(self.builder.intern(s)),
                Scalar::Bool(b) => AnyValue::Bool(*b),
                Scalar::I64(i) => AnyValue::Int(*i),
                Scalar::U64(u) => i64::try_from(*u).map_or(AnyValue::Float(*u as f64), AnyValue::Int),
                Scalar::F64(f) => AnyValue::Float(*f),
                Scalar::Null => AnyValue::Empty,
                Scalar::Container(kind) => {
                    self.problem(WarningKind::InvalidValue, format!("{field}: a tag value is {kind}; kept as empty"));
                    return AnyValue::Empty;
                }
            }),
        };
        value.unwrap_or_else(|| {
            self.problem(WarningKind::InvalidValue, format!("{field}: a {ty} tag holds {}; kept as empty", raw.kind()));
            AnyValue::Empty
        })
    }

    fn id(&mut self, s: &Scalar<'_>, max_bytes: usize, field: &str) -> Option<(u128, u8)> {
        match s {
            Scalar::Str(text) => match parse_id(text, max_bytes) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.problem(WarningKind::InvalidValue, format!("{field}: {e}"));
                    None
                }
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

    /// Query JSON: µs integers. Protojson: RFC 3339 strings. Either dialect tolerates the other.
    fn time(&mut self, s: &Scalar<'_>, field: &str) -> i64 {
        let value = match s {
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
    fn duration(&mut self, s: &Scalar<'_>) -> i64 {
        let value = match (s, self.dialect) {
            (Scalar::Str(text), _) => {
                parse_duration_nanos(text).or_else(|| text.trim().parse::<i64>().ok().map(micros_to_nanos))
            }
            (other, Dialect::QueryJson) => other.as_i64().map(micros_to_nanos),
            (other, Dialect::Protojson) => other.as_i64(),
        };
        value.unwrap_or_else(|| {
            self.problem(WarningKind::InvalidValue, format!("duration: cannot read {}; set to 0", describe(s)));
            0
        })
    }

    fn problem(&mut self, kind: WarningKind, message: String) {
        self.problems.push((kind, message));
    }
}

fn describe(s: &Scalar<'_>) -> String {
    match s {
        Scalar::Str(t) => format!("{:?}", crate::ids::truncate_for_message(t)),
        other => other.kind().to_owned(),
    }
}

fn scalar_text(s: &Scalar<'_>) -> String {
    match s {
        Scalar::Str(t) => t.to_string(),
        Scalar::U64(v) => v.to_string(),
        Scalar::I64(v) => v.to_string(),
        other => other.kind().to_owned(),
    }
}

fn tag_value_text(tag: &Tag<'_>) -> String {
    [&tag.value, &tag.v_str, &tag.v_bool, &tag.v_int64, &tag.v_float64, &tag.v_binary]
        .into_iter()
        .flatten()
        .map(|s| match s {
            Scalar::Str(t) => t.to_string(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::F64(f) => f.to_string(),
            other => scalar_text(other),
        })
        .collect()
}
