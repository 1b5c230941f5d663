//! Zipkin v1 JSON (legacy): spans whose kind and endpoints are implied by core annotations.
//!
//! Each v1 span object is converted into v2 records the way Zipkin's `V1SpanConverter` does: `cs`/`cr`
//! make a CLIENT record on the client's endpoint, `sr`/`ss` a SERVER record on the server's endpoint,
//! `ms`/`mr` PRODUCER/CONSUMER records; a span without core annotations is a local span. One object
//! holding both halves becomes two records (the server marked `shared`), each counted in
//! `span_records`. Address binary annotations (`sa`, `ca`, `ma`, value `true`) give the remote
//! endpoint; other binary annotations become tags. The records then go through the v2 merging, so
//! client and server halves reported as separate v1 objects (the corpus file does this) end up as
//! a client with its server half as child, exactly as for v2.

use super::json_stream;
use super::zipkin_v2::{self, Endpoint, Path, ZKind, ZRecord};
use serde_json::Value;
use spanlens_model::TraceSetBuilder;
use spanlens_model::error::ImportError;
use spanlens_model::warnings::{Warning, WarningKind};

pub const FORMAT: &str = "zipkin-v1";

/// Imports Zipkin v1 JSON (a list of spans, or a list of lists). See the module docs.
pub fn import(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    let records = zipkin_v2::read_records(bytes, file, FORMAT, builder, parse_v1)?;
    zipkin_v2::emit(records, builder);
    Ok(())
}

struct Annotation {
    ts: i64,
    value: String,
    endpoint: Endpoint,
}

fn parse_v1(value: &Value, path: Path, builder: &mut TraceSetBuilder, out: &mut Vec<ZRecord>) {
    let Some(obj) = value.as_object() else {
        builder
            .warn(Warning::new(WarningKind::InvalidValue, format!("{FORMAT}: {path} is not a span object; skipped")));
        return;
    };
    let Some((trace_id, trace_width, id)) = zipkin_v2::read_ids(obj, path, FORMAT, builder) else {
        return;
    };
    let parent_id = zipkin_v2::read_parent(obj, id, path, FORMAT, builder);
    let timestamp_us = obj.get("timestamp").and_then(json_stream::integer).filter(|&t| t != 0);
    let duration_us = zipkin_v2::read_duration(obj.get("duration"), path, FORMAT, builder);
    let name = obj.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()).map(|n| builder.intern(n));

    let mut annotations: Vec<Annotation> = Vec::new();
    if let Some(list) = obj.get("annotations").and_then(Value::as_array) {
        for a in list {
            let Some(ts) = a.get("timestamp").and_then(json_stream::integer) else { continue };
            let Some(value) = a.get("value").and_then(json_stream::scalar_text) else { continue };
            let endpoint = Endpoint::from_value(a.get("endpoint"), builder);
            annotations.push(Annotation { ts, value, endpoint });
        }
    }
    let core = |v: &str| annotations.iter().find(|a| a.value == v);
    let (cs, cr, sr, ss, ms, mr) = (core("cs"), core("cr"), core("sr"), core("ss"), core("ms"), core("mr"));

    let blank = |kind: Option<ZKind>, local: Endpoint| ZRecord {
        trace_id,
        trace_width,
        id,
        parent_id,
        name,
        kind,
        timestamp_us: None,
        duration_us: None,
        local,
        remote: Endpoint::default(),
        annotations: Vec::new(),
        tags: Vec::new(),
        shared: false,
    };
    let mut records: Vec<ZRecord> = Vec::with_capacity(2);
    let client_side = cs.is_some() || cr.is_some();
    if client_side {
        let mut r = blank(Some(ZKind::Client), cs.or(cr).map(|a| a.endpoint).unwrap_or_default());
        // The side that started the span owns the v1 span's timestamp and duration.
        r.timestamp_us = timestamp_us.or(cs.map(|a| a.ts));
        r.duration_us = duration_us.or(match (cs, cr) {
            (Some(s), Some(e)) => Some(e.ts.saturating_sub(s.ts)).filter(|&d| d > 0),
            _ => None,
        });
        records.push(r);
    }
    if sr.is_some() || ss.is_some() {
        let mut r = blank(Some(ZKind::Server), sr.or(ss).map(|a| a.endpoint).unwrap_or_default());
        r.shared = client_side;
        r.timestamp_us = if client_side { sr.map(|a| a.ts) } else { timestamp_us.or(sr.map(|a| a.ts)) };
        let derived = match (sr, ss) {
            (Some(s), Some(e)) => Some(e.ts.saturating_sub(s.ts)).filter(|&d| d > 0),
            _ => None,
        };
        r.duration_us = if client_side { derived } else { duration_us.or(derived) };
        records.push(r);
    }
    if records.is_empty() {
        if let Some(m) = ms {
            let mut r = blank(Some(ZKind::Producer), m.endpoint);
            r.timestamp_us = timestamp_us.or(Some(m.ts));
            r.duration_us = duration_us;
            records.push(r);
        }
        if let Some(m) = mr {
            let mut r = blank(Some(ZKind::Consumer), m.endpoint);
            r.shared = ms.is_some();
            r.timestamp_us = if ms.is_some() { Some(m.ts) } else { timestamp_us.or(Some(m.ts)) };
            r.duration_us = if ms.is_some() { None } else { duration_us };
            records.push(r);
        }
    }
    if records.is_empty() {
        // A local span: its endpoint is that of any annotation (or of the `lc` binary annotation).
        let local = annotations.iter().map(|a| a.endpoint).find(|e| !e.is_empty()).unwrap_or_default();
        let mut r = blank(None, local);
        r.timestamp_us = timestamp_us;
        r.duration_us = duration_us;
        records.push(r);
    }

    // Non-core annotations go to the record on the same endpoint, else to the first record.
    for a in &annotations {
        if matches!(a.value.as_str(), "cs" | "cr" | "sr" | "ss" | "ms" | "mr") {
            continue;
        }
        let target = owner(&records, &a.endpoint);
        if let Some(r) = records.get_mut(target) {
            r.annotations.push((a.ts, builder.intern(&a.value)));
        }
    }
    if let Some(list) = obj.get("binaryAnnotations").and_then(Value::as_array) {
        for b in list {
            apply_binary_annotation(b, &mut records, builder);
        }
    }
    out.extend(records);
}

/// Index of the record whose local endpoint matches `ep` (by service, then IPv4), else 0.
fn owner(records: &[ZRecord], ep: &Endpoint) -> usize {
    if ep.is_empty() {
        return 0;
    }
    records
        .iter()
        .position(|r| ep.service.is_some() && r.local.service == ep.service)
        .or_else(|| records.iter().position(|r| ep.ipv4.is_some() && r.local.ipv4 == ep.ipv4))
        .unwrap_or(0)
}

fn apply_binary_annotation(b: &Value, records: &mut [ZRecord], builder: &mut TraceSetBuilder) {
    let Some(key) = b.get("key").and_then(Value::as_str) else {
        return;
    };
    let endpoint = Endpoint::from_value(b.get("endpoint"), builder);
    let value = b.get("value");
    // Address annotations: `sa` is the server seen by the client, `ca` the client seen by the server,
    // `ma` the broker seen by a producer or consumer.
    let address_for = match key {
        "sa" => Some(ZKind::Client),
        "ca" => Some(ZKind::Server),
        "ma" => None,
        _ => {
            let Some(text) = value.and_then(|v| zipkin_v2::scalar_sym(v, builder)) else {
                return;
            };
            let target = owner(records, &endpoint);
            if let Some(r) = records.get_mut(target).filter(|r| key == "lc" && r.local.is_empty()) {
                r.local = endpoint;
            }
            if let Some(r) = records.get_mut(target) {
                r.tags.push((builder.intern(key), text));
            }
            return;
        }
    };
    if value.and_then(Value::as_bool) == Some(false) {
        return;
    }
    let target = match address_for {
        Some(kind) => records.iter().position(|r| r.kind == Some(kind)),
        None => records.iter().position(|r| matches!(r.kind, Some(ZKind::Producer | ZKind::Consumer))),
    };
    // With one record (a half reported alone, or a local span), the address is its remote side.
    let target = target.or(if records.len() == 1 { Some(0) } else { None });
    if let Some(r) = target.and_then(|i| records.get_mut(i)) {
        r.remote = endpoint;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use spanlens_model::SpanKind;

    fn load(bytes: &[u8]) -> spanlens_model::TraceSet {
        let mut b = TraceSetBuilder::new();
        b.begin_source("v1.json", FORMAT, bytes.len() as u64);
        import(bytes, "v1.json", &mut b).unwrap();
        b.finish()
    }

    #[test]
    fn corpus_file_matches_manifest_and_nests_halves() {
        let bytes = super::zipkin_v2::tests::fixture("zipkin-v1/otelcol-2021__zipkin_v1_single_batch.json");
        let set = load(&bytes);
        assert_eq!(set.sources[0].span_records, 5);
        assert_eq!(set.traces.len(), 1);
        let t = &set.traces[0];
        assert_eq!(t.spans.len(), 5);
        assert_eq!(t.orphan_count(), 0);
        assert_eq!(t.tree.roots.len(), 1);
        let root = t.root_span().unwrap();
        assert_eq!(set.resolve(root.service), "front-proxy");
        assert_eq!(root.kind, SpanKind::Client);
        assert_eq!(root.duration_nanos, 12_956_000);
        // The service1 server half is the root's child and holds the custom annotation.
        let server = t.tree.children(t.tree.roots[0])[0];
        let s = &t.spans[server as usize];
        assert_eq!(set.resolve(s.service), "service1");
        assert_eq!(s.kind, SpanKind::Server);
        assert_eq!(s.start_nanos, 1_544_805_927_448_081_000);
        assert_eq!(s.duration_nanos, (1_544_805_927_460_102 - 1_544_805_927_448_081) * 1000);
        assert_eq!(s.events.len(), 1);
        assert_eq!(set.resolve(s.events[0].name), "custom time event");
        // checkStock server (service2) carries the binary annotations as tags.
        let stock = t.spans.iter().find(|s| set.resolve(s.service) == "service2").unwrap();
        assert_eq!(stock.attributes.len(), 4);
        assert_eq!(set.warnings.iter().filter(|w| w.kind == WarningKind::DuplicateSpanId).count(), 0);
    }

    #[test]
    fn one_object_with_both_halves_becomes_client_and_child_server() {
        let json = br#"[{"traceId":"1","id":"2","name":"get","timestamp":100,"duration":50,
          "annotations":[{"timestamp":100,"value":"cs","endpoint":{"serviceName":"a"}},
                         {"timestamp":110,"value":"sr","endpoint":{"serviceName":"b"}},
                         {"timestamp":140,"value":"ss","endpoint":{"serviceName":"b"}},
                         {"timestamp":150,"value":"cr","endpoint":{"serviceName":"a"}}],
          "binaryAnnotations":[{"key":"sa","value":true,"endpoint":{"serviceName":"b","ipv4":"1.2.3.4","port":80}},
                               {"key":"http.path","value":"/x","endpoint":{"serviceName":"b"}}]}]"#;
        let set = load(json);
        assert_eq!(set.sources[0].span_records, 2);
        let t = &set.traces[0];
        assert_eq!(t.spans.len(), 2);
        let client = t.root_span().unwrap();
        assert_eq!(client.kind, SpanKind::Client);
        assert_eq!(client.duration_nanos, 50_000);
        let peer = client.attribute(set.strings.get("net.peer.ip").unwrap()).unwrap();
        assert_eq!(peer.display(&set.strings), "1.2.3.4");
        let server = &t.spans[t.tree.children(t.tree.roots[0])[0] as usize];
        assert_eq!(server.kind, SpanKind::Server);
        assert_eq!(server.duration_nanos, 30_000);
        assert_eq!(server.attributes.len(), 1);
    }
}
