//! OTLP JSON (`TracesData` / `ExportTraceServiceRequest`), as the Collector's file exporter writes it:
//! lowerCamelCase keys, hex ids, integer enums, 64-bit integers as decimal strings.
//!
//! Spans are grouped by (resource, scope) into `resourceSpans[].scopeSpans[]`, in order of first
//! appearance, across all traces. Trace ids are always written as 32 hex digits because OTLP ids
//! are 16 bytes; a 64-bit Zipkin/Jaeger id is zero-padded (same id value, wider text).
//! Negative times (possible only from hostile input) are written as 0: the fields are unsigned.

use super::{base64_encode, json_f64, json_str};
use spanlens_model::trace::TraceSet;
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::{Interner, Span, SpanKind, StatusCode};
use std::collections::HashMap;
use std::io::{self, Write};

/// (resource index, scope index)
type ScopeKey = (u32, u32);

/// Writes the whole set as one OTLP JSON document.
pub fn write<W: Write>(set: &TraceSet, out: W) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    // (resource, scope) -> spans as (trace index, span index), in first-appearance order.
    let mut groups: Vec<(ScopeKey, Vec<(u32, u32)>)> = Vec::new();
    let mut slot: HashMap<(u32, u32), usize> = HashMap::new();
    for (ti, trace) in set.traces.iter().enumerate() {
        for (si, span) in trace.spans.iter().enumerate() {
            let key = (span.resource.0, span.scope.0);
            let g = *slot.entry(key).or_insert_with(|| {
                groups.push((key, Vec::new()));
                groups.len() - 1
            });
            if let Some((_, list)) = groups.get_mut(g) {
                list.push((ti as u32, si as u32));
            }
        }
    }
    // Consecutive groups with the same resource share one resourceSpans entry.
    groups.sort_by_key(|((r, _), list)| (*r, list.first().copied()));
    out.write_all(b"{\"resourceSpans\":[")?;
    let mut i = 0;
    let mut first_resource = true;
    while i < groups.len() {
        let resource = groups[i].0.0;
        if !first_resource {
            out.write_all(b",")?;
        }
        first_resource = false;
        out.write_all(b"{\"resource\":{")?;
        if let Some(r) = set.resources.get(resource as usize) {
            out.write_all(b"\"attributes\":")?;
            // Importers of formats that name the service outside the attributes (Jaeger processes)
            // may not copy it into them; OTLP has nowhere else to carry it.
            let has_name = r.attributes.iter().any(|a| set.strings.resolve(a.key) == "service.name");
            let service = (!has_name).then(|| set.strings.resolve(r.service));
            write_attributes_after(&mut out, service, &r.attributes, &set.strings)?;
            if r.dropped_attributes_count > 0 {
                write!(out, ",\"droppedAttributesCount\":{}", r.dropped_attributes_count)?;
            }
        }
        out.write_all(b"},\"scopeSpans\":[")?;
        let mut first_scope = true;
        while let Some(((_, scope), list)) = groups.get(i).filter(|g| g.0.0 == resource) {
            if !first_scope {
                out.write_all(b",")?;
            }
            first_scope = false;
            out.write_all(b"{\"scope\":{")?;
            if let Some(s) = set.scopes.get(*scope as usize) {
                out.write_all(b"\"name\":")?;
                json_str(&mut out, set.strings.resolve(s.name))?;
                if let Some(v) = s.version {
                    out.write_all(b",\"version\":")?;
                    json_str(&mut out, set.strings.resolve(v))?;
                }
                if !s.attributes.is_empty() {
                    out.write_all(b",\"attributes\":")?;
                    write_attributes(&mut out, &s.attributes, &set.strings)?;
                }
            }
            out.write_all(b"},\"spans\":[")?;
            for (n, &(ti, si)) in list.iter().enumerate() {
                let Some(trace) = set.traces.get(ti as usize) else {
                    continue;
                };
                let Some(span) = trace.spans.get(si as usize) else {
                    continue;
                };
                if n > 0 {
                    out.write_all(b",")?;
                }
                write_span(&mut out, trace.trace_id.0, span, &set.strings)?;
            }
            out.write_all(b"]}")?;
            i += 1;
        }
        out.write_all(b"]}")?;
    }
    out.write_all(b"]}\n")?;
    out.flush()
}

fn kind_number(kind: SpanKind) -> u8 {
    match kind {
        SpanKind::Unspecified => 0,
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

fn unsigned_nanos(nanos: i64) -> u64 {
    u64::try_from(nanos).unwrap_or(0)
}

fn write_span<W: Write>(out: &mut W, trace_id: u128, span: &Span, strings: &Interner) -> io::Result<()> {
    write!(out, "{{\"traceId\":\"{trace_id:032x}\",\"spanId\":\"{:016x}\"", span.span_id.0)?;
    if let Some(p) = span.parent_span_id {
        write!(out, ",\"parentSpanId\":\"{:016x}\"", p.0)?;
    }
    if let Some(ts) = span.trace_state {
        out.write_all(b",\"traceState\":")?;
        json_str(out, strings.resolve(ts))?;
    }
    if span.flags != 0 {
        write!(out, ",\"flags\":{}", span.flags)?;
    }
    out.write_all(b",\"name\":")?;
    json_str(out, strings.resolve(span.name))?;
    write!(out, ",\"kind\":{},\"startTimeUnixNano\":\"{}\"", kind_number(span.kind), unsigned_nanos(span.start_nanos))?;
    // An unknown end is left out (proto3's zero), which the importer reads back as unknown.
    if !span.is_incomplete() {
        write!(out, ",\"endTimeUnixNano\":\"{}\"", unsigned_nanos(span.end_nanos()))?;
    }
    out.write_all(b",\"attributes\":")?;
    write_attributes(out, &span.attributes, strings)?;
    if span.dropped.attributes > 0 {
        write!(out, ",\"droppedAttributesCount\":{}", span.dropped.attributes)?;
    }
    if !span.events.is_empty() {
        out.write_all(b",\"events\":[")?;
        for (i, e) in span.events.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            write!(out, "{{\"timeUnixNano\":\"{}\",\"name\":", unsigned_nanos(e.time_nanos))?;
            json_str(out, strings.resolve(e.name))?;
            out.write_all(b",\"attributes\":")?;
            write_attributes(out, &e.attributes, strings)?;
            if e.dropped_attributes_count > 0 {
                write!(out, ",\"droppedAttributesCount\":{}", e.dropped_attributes_count)?;
            }
            out.write_all(b"}")?;
        }
        out.write_all(b"]")?;
    }
    if span.dropped.events > 0 {
        write!(out, ",\"droppedEventsCount\":{}", span.dropped.events)?;
    }
    if !span.links.is_empty() {
        out.write_all(b",\"links\":[")?;
        for (i, l) in span.links.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            write!(out, "{{\"traceId\":\"{:032x}\",\"spanId\":\"{:016x}\"", l.trace_id.0, l.span_id.0)?;
            if let Some(ts) = l.trace_state {
                out.write_all(b",\"traceState\":")?;
                json_str(out, strings.resolve(ts))?;
            }
            out.write_all(b",\"attributes\":")?;
            write_attributes(out, &l.attributes, strings)?;
            if l.dropped_attributes_count > 0 {
                write!(out, ",\"droppedAttributesCount\":{}", l.dropped_attributes_count)?;
            }
            if l.flags != 0 {
                write!(out, ",\"flags\":{}", l.flags)?;
            }
            out.write_all(b"}")?;
        }
        out.write_all(b"]")?;
    }
    if span.dropped.links > 0 {
        write!(out, ",\"droppedLinksCount\":{}", span.dropped.links)?;
    }
    out.write_all(b",\"status\":{")?;
    let code = match span.status.code {
        StatusCode::Unset => 0,
        StatusCode::Ok => 1,
        StatusCode::Error => 2,
    };
    let mut comma = false;
    if let Some(m) = span.status.message {
        out.write_all(b"\"message\":")?;
        json_str(out, strings.resolve(m))?;
        comma = true;
    }
    if code != 0 {
        write!(out, "{}\"code\":{code}", if comma { "," } else { "" })?;
    }
    out.write_all(b"}}")
}

enum Step<'a> {
    Value(&'a AnyValue),
    KeyValue(&'a Attribute),
    Raw(&'static [u8]),
}

/// `[{"key":…,"value":{…}}, …]`
pub(crate) fn write_attributes<W: Write>(out: &mut W, attributes: &[Attribute], strings: &Interner) -> io::Result<()> {
    write_attributes_after(out, None, attributes, strings)
}

/// Like [`write_attributes`], with a `service.name` entry first when `service` is given.
fn write_attributes_after<W: Write>(
    out: &mut W,
    service: Option<&str>,
    attributes: &[Attribute],
    strings: &Interner,
) -> io::Result<()> {
    out.write_all(b"[")?;
    if let Some(name) = service {
        out.write_all(b"{\"key\":\"service.name\",\"value\":{\"stringValue\":")?;
        json_str(out, name)?;
        out.write_all(if attributes.is_empty() { b"}}" } else { b"}}," })?;
    }
    let mut stack: Vec<Step> = Vec::new();
    push_list(&mut stack, attributes.iter().map(Step::KeyValue).collect(), b"]");
    drain(out, &mut stack, strings)
}

/// Pushes `items` separated by commas and followed by `close`, so that they pop in order.
fn push_list<'a>(stack: &mut Vec<Step<'a>>, items: Vec<Step<'a>>, close: &'static [u8]) {
    stack.push(Step::Raw(close));
    let n = items.len();
    for (i, item) in items.into_iter().rev().enumerate() {
        stack.push(item);
        if i + 1 < n {
            stack.push(Step::Raw(b","));
        }
    }
}

fn drain<W: Write>(out: &mut W, stack: &mut Vec<Step>, strings: &Interner) -> io::Result<()> {
    while let Some(step) = stack.pop() {
        match step {
            Step::Raw(bytes) => out.write_all(bytes)?,
            Step::KeyValue(kv) => {
                out.write_all(b"{\"key\":")?;
                json_str(out, strings.resolve(kv.key))?;
                out.write_all(b",\"value\":")?;
                stack.push(Step::Raw(b"}"));
                stack.push(Step::Value(&kv.value));
            }
            Step::Value(v) => match v {
                AnyValue::Str(s) => {
                    out.write_all(b"{\"stringValue\":")?;
                    json_str(out, strings.resolve(*s))?;
                    out.write_all(b"}")?;
                }
                AnyValue::Bool(b) => write!(out, "{{\"boolValue\":{b}}}")?,
                AnyValue::Int(i) => write!(out, "{{\"intValue\":\"{i}\"}}")?,
                AnyValue::Float(f) => {
                    out.write_all(b"{\"doubleValue\":")?;
                    json_f64(out, *f)?;
                    out.write_all(b"}")?;
                }
                AnyValue::Bytes(b) => write!(out, "{{\"bytesValue\":\"{}\"}}", base64_encode(b))?,
                AnyValue::Empty => out.write_all(b"{}")?,
                AnyValue::Array(items) => {
                    out.write_all(b"{\"arrayValue\":{\"values\":[")?;
                    push_list(stack, items.iter().map(Step::Value).collect(), b"]}}");
                }
                AnyValue::KvList(kvs) => {
                    out.write_all(b"{\"kvlistValue\":{\"values\":[")?;
                    push_list(stack, kvs.iter().map(Step::KeyValue).collect(), b"]}}");
                }
            },
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use spanlens_model::{Resource, SpanId, TraceId, TraceSetBuilder};

    #[test]
    fn writes_all_value_types_and_groups() {
        let mut b = TraceSetBuilder::new();
        b.begin_source("x", "test", 0);
        let svc = b.intern("svc");
        let k = b.intern("k");
        let res = b.add_resource(Resource { service: svc, attributes: Box::default(), dropped_attributes_count: 0 });
        let mut s = Span::new(SpanId(1), svc, svc, 5, 10);
        s.resource = res;
        let deep = (0..1000).fold(AnyValue::Int(7), |v, _| AnyValue::Array(vec![v].into()));
        s.attributes = vec![
            Attribute { key: k, value: AnyValue::Float(f64::INFINITY) },
            Attribute { key: k, value: AnyValue::Bytes(vec![1, 2, 3].into()) },
            Attribute {
                key: k,
                value: AnyValue::KvList(vec![Attribute { key: k, value: AnyValue::Bool(true) }].into()),
            },
            Attribute { key: k, value: AnyValue::Empty },
            Attribute { key: k, value: deep },
        ]
        .into();
        b.push_span(TraceId(0xab), 8, s);
        let set = b.finish();
        let text = String::from_utf8(crate::export::to_vec(&set, crate::export::ExportFormat::OtlpJson)).unwrap();
        assert!(text.starts_with(r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{},"spans":[{"traceId":"000000000000000000000000000000ab""#));
        assert!(text.contains(r#"{"doubleValue":"Infinity"}"#));
        assert!(text.contains(r#"{"bytesValue":"AQID"}"#));
        assert!(text.contains(r#"{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":true}}]}}"#));
        assert!(text.contains(r#""startTimeUnixNano":"5","endTimeUnixNano":"15""#));
        assert!(text.contains(&"]}}".repeat(1000)));
    }
}
