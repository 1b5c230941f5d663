//! Zipkin v2 JSON: one top-level array of spans (`ListOfSpans`), what `POST /api/v2/spans` accepts.
//!
//! The inverse of the Zipkin importer's mapping: the resource's service and `net.host.*` attributes
//! become `localEndpoint`; `peer.service` and `net.peer.*` attributes become `remoteEndpoint`; other
//! attributes become string tags (non-string values as their display text); an error status becomes
//! the `error` tag (its message, or empty); events become annotations (name as value); kinds other
//! than client/server/producer/consumer are omitted (Zipkin has no INTERNAL). Times are µs, rounded
//! outward (start down, end up) so children stay inside parents; Zipkin requires a duration of at
//! least 1µs, so zero-length spans are written with 1; a span whose end is unknown has no `duration`.

use super::{duration_micros, json_str, nanos_to_micros, value_text};
use spanlens_model::trace::TraceSet;
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::{Interner, Span, SpanKind, StatusCode};
use std::io::{self, Write};

/// Writes every span of the set as one Zipkin v2 JSON array.
pub fn write<W: Write>(set: &TraceSet, out: W) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"[")?;
    let mut first = true;
    for trace in &set.traces {
        let trace_hex = trace.trace_id_hex();
        for span in &trace.spans {
            if !first {
                out.write_all(b",\n")?;
            }
            first = false;
            write_span(&mut out, set, &trace_hex, span)?;
        }
    }
    out.write_all(b"]\n")?;
    out.flush()
}

/// Endpoint members gathered from attributes.
#[derive(Default)]
struct Endpoint<'a> {
    service: Option<&'a str>,
    ipv4: Option<&'a str>,
    ipv6: Option<&'a str>,
    port: Option<i64>,
}

impl<'a> Endpoint<'a> {
    /// Takes `{prefix}.ip`, `{prefix}.ipv6`, `{prefix}.port`; returns whether `a` was one of them.
    fn absorb(&mut self, a: &Attribute, prefix: &str, strings: &'a Interner) -> bool {
        let key = strings.resolve(a.key);
        let Some(rest) = key.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) else {
            return false;
        };
        match (rest, &a.value) {
            ("ip", AnyValue::Str(s)) => {
                let ip = strings.resolve(*s);
                if ip.contains(':') {
                    self.ipv6 = Some(ip);
                } else {
                    self.ipv4 = Some(ip);
                }
                true
            }
            ("ipv6", AnyValue::Str(s)) => {
                self.ipv6 = Some(strings.resolve(*s));
                true
            }
            ("port", AnyValue::Int(p)) => {
                self.port = Some(*p);
                true
            }
            _ => false,
        }
    }

    fn is_empty(&self) -> bool {
        self.service.is_none() && self.ipv4.is_none() && self.ipv6.is_none() && self.port.is_none()
    }

    fn write<W: Write>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(b"{")?;
        let mut comma = false;
        for (key, value) in [("serviceName", self.service), ("ipv4", self.ipv4), ("ipv6", self.ipv6)] {
            if let Some(v) = value {
                if comma {
                    out.write_all(b",")?;
                }
                comma = true;
                write!(out, "\"{key}\":")?;
                json_str(out, v)?;
            }
        }
        if let Some(p) = self.port {
            write!(out, "{}\"port\":{p}", if comma { "," } else { "" })?;
        }
        out.write_all(b"}")
    }
}

fn write_span<W: Write>(out: &mut W, set: &TraceSet, trace_hex: &str, span: &Span) -> io::Result<()> {
    let strings = &set.strings;
    write!(out, "{{\"traceId\":\"{trace_hex}\",\"id\":\"{:016x}\"", span.span_id.0)?;
    if let Some(p) = span.parent_span_id {
        write!(out, ",\"parentId\":\"{:016x}\"", p.0)?;
    }
    let kind = match span.kind {
        SpanKind::Client => Some("CLIENT"),
        SpanKind::Server => Some("SERVER"),
        SpanKind::Producer => Some("PRODUCER"),
        SpanKind::Consumer => Some("CONSUMER"),
        SpanKind::Internal | SpanKind::Unspecified => None,
    };
    if let Some(k) = kind {
        write!(out, ",\"kind\":\"{k}\"")?;
    }
    out.write_all(b",\"name\":")?;
    json_str(out, strings.resolve(span.name))?;
    write!(out, ",\"timestamp\":{}", nanos_to_micros(span.start_nanos))?;
    // An unknown end is written as Zipkin writes it: no `duration`.
    if !span.is_incomplete() {
        write!(out, ",\"duration\":{}", duration_micros(span).max(1))?;
    }

    let mut local = Endpoint { service: Some(strings.resolve(span.service)), ..Endpoint::default() };
    if let Some(r) = set.resource(span) {
        for a in r.attributes.iter() {
            local.absorb(a, "net.host", strings);
        }
    }
    out.write_all(b",\"localEndpoint\":")?;
    local.write(out)?;

    let mut remote = Endpoint::default();
    let mut tags: Vec<(&str, String)> = Vec::with_capacity(span.attributes.len() + 1);
    for a in span.attributes.iter() {
        if remote.absorb(a, "net.peer", strings) {
            continue;
        }
        let key = strings.resolve(a.key);
        match (&a.value, key) {
            (AnyValue::Str(s), "peer.service") => remote.service = Some(strings.resolve(*s)),
            (AnyValue::Str(s), _) => tags.push((key, strings.resolve(*s).to_owned())),
            (other, _) => tags.push((key, value_text(other, strings))),
        }
    }
    if !remote.is_empty() {
        out.write_all(b",\"remoteEndpoint\":")?;
        remote.write(out)?;
    }
    if span.status.code == StatusCode::Error {
        tags.push(("error", span.status.message.map(|m| strings.resolve(m).to_owned()).unwrap_or_default()));
    }
    if !span.events.is_empty() {
        out.write_all(b",\"annotations\":[")?;
        for (i, e) in span.events.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            write!(out, "{{\"timestamp\":{},\"value\":", nanos_to_micros(e.time_nanos))?;
            json_str(out, strings.resolve(e.name))?;
            out.write_all(b"}")?;
        }
        out.write_all(b"]")?;
    }
    if !tags.is_empty() {
        out.write_all(b",\"tags\":{")?;
        for (i, (k, v)) in tags.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            json_str(out, k)?;
            out.write_all(b":")?;
            json_str(out, v)?;
        }
        out.write_all(b"}")?;
    }
    out.write_all(b"}")
}
