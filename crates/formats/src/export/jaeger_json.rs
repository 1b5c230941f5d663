//! Jaeger query-API JSON: `{"data":[{"traceID", "spans", "processes", "warnings"}], "total", …}`,
//! the shape `GET /api/traces/{id}` returns and Jaeger UI's "Upload JSON" reads.
//!
//! Mapping from the model, following Jaeger's own OTLP translator: the parent becomes a `CHILD_OF`
//! reference and links `FOLLOWS_FROM` references; kind becomes the `span.kind` tag; status becomes
//! `otel.status_code` (plus `error: true` and `otel.status_description`); the scope becomes
//! `otel.scope.name`/`otel.scope.version`; events become logs whose `event` field is the name;
//! each trace's resources become its `processes` (`p1`, `p2`, … with the resource attributes other
//! than `service.name` as process tags). Jaeger times are microseconds, so nanoseconds are
//! rounded outward (start down, end up, so children stay inside parents). Jaeger tags are
//! flat: arrays and kvlists are written as their display text with type `string`, bytes as base64
//! `binary`, non-finite floats as strings.

use super::{base64_encode, duration_micros, json_str, nanos_to_micros, value_text};
use spanlens_model::trace::{Trace, TraceSet};
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::{Interner, SpanKind, StatusCode};
use std::collections::HashMap;
use std::io::{self, Write};

/// Writes the whole set as one Jaeger query-API response.
pub fn write<W: Write>(set: &TraceSet, out: W) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"{\"data\":[")?;
    for (i, trace) in set.traces.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_trace(&mut out, set, trace)?;
    }
    writeln!(out, "],\"total\":{},\"limit\":0,\"offset\":0,\"errors\":null}}", set.traces.len())?;
    out.flush()
}

fn write_trace<W: Write>(out: &mut W, set: &TraceSet, trace: &Trace) -> io::Result<()> {
    let strings = &set.strings;
    let trace_hex = trace.trace_id_hex();
    // resource index -> process number, in order of first use within this trace.
    let mut processes: Vec<u32> = Vec::new();
    let mut process_of: HashMap<u32, usize> = HashMap::new();
    write!(out, "{{\"traceID\":\"{trace_hex}\",\"spans\":[")?;
    for (i, span) in trace.spans.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        let p = *process_of.entry(span.resource.0).or_insert_with(|| {
            processes.push(span.resource.0);
            processes.len()
        });
        write!(
            out,
            "{{\"traceID\":\"{trace_hex}\",\"spanID\":\"{:016x}\",\"flags\":{},\"operationName\":",
            span.span_id.0, span.flags
        )?;
        json_str(out, strings.resolve(span.name))?;
        out.write_all(b",\"references\":[")?;
        let mut first = true;
        if let Some(parent) = span.parent_span_id {
            write!(out, "{{\"refType\":\"CHILD_OF\",\"traceID\":\"{trace_hex}\",\"spanID\":\"{:016x}\"}}", parent.0)?;
            first = false;
        }
        for link in span.links.iter() {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            let width = if link.trace_id.0 >> 64 == 0 { trace.trace_id_width_bytes } else { 16 };
            // A link read from a Jaeger CHILD_OF reference (a second parent) keeps its type.
            let child_of = link.attributes.iter().any(|a| {
                strings.resolve(a.key) == "jaeger.ref_type"
                    && matches!(a.value, AnyValue::Str(v) if strings.resolve(v) == "CHILD_OF")
            });
            let ref_type = if child_of { "CHILD_OF" } else { "FOLLOWS_FROM" };
            write!(
                out,
                "{{\"refType\":\"{ref_type}\",\"traceID\":\"{}\",\"spanID\":\"{:016x}\"}}",
                link.trace_id.to_hex(width),
                link.span_id.0
            )?;
        }
        write!(
            out,
            "],\"startTime\":{},\"duration\":{},\"tags\":[",
            nanos_to_micros(span.start_nanos),
            duration_micros(span)
        )?;
        let mut tags = TagWriter { first: true, strings };
        for a in span.attributes.iter() {
            tags.attribute(out, a)?;
        }
        if span.kind != SpanKind::Unspecified {
            tags.string(out, "span.kind", span.kind.as_str())?;
        }
        match span.status.code {
            StatusCode::Unset => {}
            StatusCode::Ok => tags.string(out, "otel.status_code", "OK")?,
            StatusCode::Error => {
                tags.string(out, "otel.status_code", "ERROR")?;
                tags.raw(out, "error", "bool", "true")?;
            }
        }
        if let Some(m) = span.status.message {
            tags.string(out, "otel.status_description", strings.resolve(m))?;
        }
        if let Some(ts) = span.trace_state {
            tags.string(out, "w3c.tracestate", strings.resolve(ts))?;
        }
        if let Some(scope) = set.scope(span).filter(|s| !strings.resolve(s.name).is_empty()) {
            tags.string(out, "otel.scope.name", strings.resolve(scope.name))?;
            if let Some(v) = scope.version {
                tags.string(out, "otel.scope.version", strings.resolve(v))?;
            }
        }
        out.write_all(b"],\"logs\":[")?;
        for (j, e) in span.events.iter().enumerate() {
            if j > 0 {
                out.write_all(b",")?;
            }
            write!(out, "{{\"timestamp\":{},\"fields\":[", nanos_to_micros(e.time_nanos))?;
            let mut fields = TagWriter { first: true, strings };
            fields.string(out, "event", strings.resolve(e.name))?;
            for a in e.attributes.iter() {
                fields.attribute(out, a)?;
            }
            out.write_all(b"]}")?;
        }
        write!(out, "],\"processID\":\"p{p}\",\"warnings\":null}}")?;
    }
    out.write_all(b"],\"processes\":{")?;
    for (i, &r) in processes.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "\"p{}\":{{\"serviceName\":", i + 1)?;
        let resource = set.resources.get(r as usize);
        let service = resource.map_or("unknown_service", |res| strings.resolve(res.service));
        json_str(out, service)?;
        out.write_all(b",\"tags\":[")?;
        let mut tags = TagWriter { first: true, strings };
        for a in resource.map(|res| &res.attributes[..]).unwrap_or_default() {
            if strings.resolve(a.key) != "service.name" {
                tags.attribute(out, a)?;
            }
        }
        out.write_all(b"]}")?;
    }
    out.write_all(b"},\"warnings\":null}")
}

/// Writes `{"key","type","value"}` entries with the commas between them.
struct TagWriter<'a> {
    first: bool,
    strings: &'a Interner,
}

impl TagWriter<'_> {
    fn open<W: Write>(&mut self, out: &mut W, key: &str, kind: &str) -> io::Result<()> {
        if !self.first {
            out.write_all(b",")?;
        }
        self.first = false;
        out.write_all(b"{\"key\":")?;
        json_str(out, key)?;
        write!(out, ",\"type\":\"{kind}\",\"value\":")
    }

    fn raw<W: Write>(&mut self, out: &mut W, key: &str, kind: &str, json: &str) -> io::Result<()> {
        self.open(out, key, kind)?;
        write!(out, "{json}}}")
    }

    fn string<W: Write>(&mut self, out: &mut W, key: &str, value: &str) -> io::Result<()> {
        self.open(out, key, "string")?;
        json_str(out, value)?;
        out.write_all(b"}")
    }

    fn attribute<W: Write>(&mut self, out: &mut W, a: &Attribute) -> io::Result<()> {
        let key = self.strings.resolve(a.key);
        match &a.value {
            AnyValue::Str(s) => self.string(out, key, self.strings.resolve(*s)),
            AnyValue::Bool(b) => self.raw(out, key, "bool", if *b { "true" } else { "false" }),
            AnyValue::Int(i) => self.raw(out, key, "int64", &i.to_string()),
            AnyValue::Float(f) if f.is_finite() => {
                let text = serde_json::to_string(f).map_err(io::Error::other)?;
                self.raw(out, key, "float64", &text)
            }
            AnyValue::Bytes(b) => {
                self.open(out, key, "binary")?;
                json_str(out, &base64_encode(b))?;
                out.write_all(b"}")
            }
            other => self.string(out, key, &value_text(other, self.strings)),
        }
    }
}
