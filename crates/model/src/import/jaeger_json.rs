//! Jaeger JSON: the query-service / UI JSON (`jaeger-json`) and the api_v2 protobuf JSON
//! (`jaeger-protojson`, see [`super::jaeger_protojson`]), which share one reader.
//!
//! Shapes: `{data:[Trace…], errors}`, `{data: Trace}` (the UI's saved state, `{data:{…},id,state}`),
//! a bare `Trace`, an array of traces, an array of spans with embedded `process` (anonymizer,
//! Elasticsearch), a protojson `Batch{process, spans}`, `Trace{spans, processMap}` and
//! `{result:{spans}}`. Jaeger files are small next to OTLP dumps, so this reader deserializes into
//! borrowed structs first and converts afterwards; field types are lenient ([`Scalar`]) so a wrong
//! type becomes a warning rather than a failed file.

mod convert;
mod model;

use super::error::{ImportError, Position};
use super::json_scalar::explain_json_error;
use crate::builder::TraceSetBuilder;

pub(crate) const FORMAT: &str = "jaeger-json";

/// Which spelling of Jaeger the input uses; decides time units and id encoding defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// Query-service JSON: hex ids, µs integer times, tags `{key, type, value}`.
    QueryJson,
    /// api_v2 protojson: base64 ids, RFC 3339 `startTime`, `"1.5s"` durations, tags `{key, vType, vStr…}`.
    Protojson,
}

impl Dialect {
    fn format(self) -> &'static str {
        match self {
            Dialect::QueryJson => FORMAT,
            Dialect::Protojson => super::jaeger_protojson::FORMAT,
        }
    }
}

pub fn import(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    import_dialect(bytes, file, builder, Dialect::QueryJson)
}

pub(crate) fn import_dialect(
    bytes: &[u8],
    file: &str,
    builder: &mut TraceSetBuilder,
    dialect: Dialect,
) -> Result<(), ImportError> {
    let format = dialect.format();
    let top: model::Top = serde_json::from_slice(bytes).map_err(|e| {
        let mut err = ImportError::from_json(file, format, &e);
        err.message = explain_json_error(&e);
        err
    })?;
    let traces = top.into_traces();
    if traces.iter().all(|t| t.spans.is_empty()) && traces.iter().all(|t| t.errors.is_empty()) {
        return Err(ImportError::new(
            file,
            format,
            Position::Unknown,
            "no spans found (expected `data`, `spans` or an array of spans)",
        ));
    }
    convert::Converter::new(builder, dialect).run(traces);
    Ok(())
}
