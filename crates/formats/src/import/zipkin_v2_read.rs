//! Reading one Zipkin v2 span object into a [`ZRecord`], and the id, parent and duration readers
//! the v1 importer shares. Problems become `InvalidValue`/`NegativeDuration` warnings.

use super::json_stream;
use super::{Endpoint, FORMAT, Path, ZKind, ZRecord, scalar_sym};
use serde_json::Value;
use spanlens_model::ids::{IdError, SpanId, parse_span_id_hex, parse_trace_id_hex};
use spanlens_model::warnings::{Warning, WarningKind};
use spanlens_model::{TraceId, TraceSetBuilder};

fn invalid(builder: &mut TraceSetBuilder, message: String) {
    builder.warn(Warning::new(WarningKind::InvalidValue, message));
}

/// Parses a v2 span object; problems become warnings and the record is skipped only when it has no
/// usable trace id or span id.
pub(super) fn parse_record(value: &Value, path: Path, builder: &mut TraceSetBuilder, out: &mut Vec<ZRecord>) {
    let Some(obj) = value.as_object() else {
        invalid(builder, format!("{FORMAT}: {path} is not a span object; skipped"));
        return;
    };
    let Some((trace_id, trace_width, id)) = read_ids(obj, path, FORMAT, builder) else {
        return;
    };
    let parent_id = read_parent(obj, id, path, FORMAT, builder);
    let kind = match obj.get("kind").and_then(Value::as_str) {
        None => None,
        Some(k) if k.eq_ignore_ascii_case("CLIENT") => Some(ZKind::Client),
        Some(k) if k.eq_ignore_ascii_case("SERVER") => Some(ZKind::Server),
        Some(k) if k.eq_ignore_ascii_case("PRODUCER") => Some(ZKind::Producer),
        Some(k) if k.eq_ignore_ascii_case("CONSUMER") => Some(ZKind::Consumer),
        Some(k) => {
            invalid(builder, format!("{FORMAT}: {path}.kind {:?} is not a Zipkin kind; ignored", truncate(k)));
            None
        }
    };
    let timestamp_us = obj.get("timestamp").and_then(json_stream::integer).filter(|&t| t != 0);
    let duration_us = read_duration(obj.get("duration"), path, FORMAT, builder);
    let mut annotations = Vec::new();
    if let Some(list) = obj.get("annotations").and_then(Value::as_array) {
        for a in list {
            let Some(ts) = a.get("timestamp").and_then(json_stream::integer) else { continue };
            let Some(v) = a.get("value").and_then(|v| scalar_sym(v, builder)) else { continue };
            annotations.push((ts, v));
        }
    }
    let mut tags = Vec::new();
    if let Some(m) = obj.get("tags").and_then(Value::as_object) {
        tags.reserve_exact(m.len());
        for (k, v) in m {
            if let Some(t) = scalar_sym(v, builder) {
                tags.push((builder.intern(k), t));
            }
        }
    }
    let name = obj.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()).map(|n| builder.intern(n));
    let local = Endpoint::from_value(obj.get("localEndpoint"), builder);
    let remote = Endpoint::from_value(obj.get("remoteEndpoint"), builder);
    out.push(ZRecord {
        trace_id,
        trace_width,
        id,
        parent_id,
        name,
        kind,
        timestamp_us,
        duration_us,
        local,
        remote,
        annotations,
        tags,
        // `shared` is for the server side; lens drops it from clients.
        shared: obj.get("shared").and_then(Value::as_bool).unwrap_or(false) && kind != Some(ZKind::Client),
    });
}

fn truncate(text: &str) -> String {
    spanlens_model::ids::truncate_for_message(text)
}

/// Reads `traceId` and `id`; warns and returns `None` when either is missing or not hex.
pub(crate) fn read_ids(
    obj: &serde_json::Map<String, Value>,
    path: Path,
    format: &str,
    builder: &mut TraceSetBuilder,
) -> Option<(TraceId, u8, u64)> {
    let trace = obj.get("traceId").and_then(Value::as_str).map(parse_trace_id_hex);
    let id = obj.get("id").and_then(Value::as_str).map(|t| span_id_or_text(t, builder));
    match (trace, id) {
        (Some(Ok((t, w))), Some(Ok(s))) => Some((t, w, s.0)),
        (t, s) => {
            let what = match (t, s) {
                (None, _) => "has no traceId".to_owned(),
                (Some(Err(e)), _) => format!("has a bad traceId: {e}"),
                (_, None) => "has no id".to_owned(),
                (_, Some(Err(e))) => format!("has a bad id: {e}"),
                _ => "has bad ids".to_owned(),
            };
            invalid(builder, format!("{format}: span {path} {what}; skipped"));
            None
        }
    }
}

/// A hex span id, or for text that is not hex (`span-A`) the stable id the builder gives that text
/// (it warns once per file).
fn span_id_or_text(text: &str, builder: &mut TraceSetBuilder) -> Result<SpanId, IdError> {
    parse_span_id_hex(text)
        .or_else(|e| if crate::import::text::is_text_id(text) { Ok(builder.text_span_id(text.trim())) } else { Err(e) })
}

/// Reads `parentId`; a bad one is dropped with a warning, a self-reference silently (as lens does).
pub(crate) fn read_parent(
    obj: &serde_json::Map<String, Value>,
    id: u64,
    path: Path,
    format: &str,
    builder: &mut TraceSetBuilder,
) -> Option<u64> {
    let text = obj.get("parentId").and_then(Value::as_str).filter(|s| !s.is_empty())?;
    match span_id_or_text(text, builder) {
        Ok(p) if p.0 != id => Some(p.0),
        Ok(_) => None,
        Err(e) => {
            invalid(builder, format!("{format}: span {path} has a bad parentId ({e}); shown as a root"));
            None
        }
    }
}

/// Reads a µs duration; zero means absent, negative is reported and dropped.
pub(crate) fn read_duration(
    value: Option<&Value>,
    path: Path,
    format: &str,
    builder: &mut TraceSetBuilder,
) -> Option<i64> {
    let d = value.and_then(json_stream::integer).filter(|&d| d != 0)?;
    if d < 0 {
        builder.warn(Warning::new(
            WarningKind::NegativeDuration,
            format!("{format}: span {path} has a negative duration ({d}µs); shown with zero duration"),
        ));
        return None;
    }
    Some(d)
}
