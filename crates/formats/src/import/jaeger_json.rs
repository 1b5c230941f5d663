//! Jaeger JSON: the query-service / UI JSON (`jaeger-json`) and the api_v2 protobuf JSON
//! (`jaeger-protojson`, see [`super::jaeger_protojson`]), which share one reader.
//!
//! Shapes: `{data:[Trace…], errors}`, `{data: Trace}` (the UI's saved state, `{data:{…},id,state}`),
//! a bare `Trace`, an array of traces, an array of spans with embedded `process` (anonymizer,
//! Elasticsearch), a protojson `Batch{process, spans}`, `Trace{spans, processMap}` and
//! `{result:{spans}}`.
//!
//! The reader streams (`read`): `DeserializeSeed` visitors carry the builder down the document, keys
//! and strings borrow from the input, and each span is converted as soon as it is read. What a span
//! cannot know yet waits with it until its trace object ends: a trace's `processes` map usually
//! comes after its `spans`, and a span without its own `traceID` takes the trace's. So at most one
//! trace's spans are pending, never a tree of the whole file. Field types are lenient
//! ([`Scalar`](super::json_scalar::Scalar)) so a wrong type becomes a warning rather than a failed
//! file; a wrong structure (tags that are not an array) or bad JSON fails it with line and column.

mod convert;
mod model;
mod read;

use super::json_scalar::explain_json_error;
pub(crate) use convert::Converter;
pub(crate) use read::{SpanRead, parse_document, parse_span, parse_trace, try_span};
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::error::{ImportError, Position};

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
    pub(crate) fn format(self) -> &'static str {
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
    let mut conv = convert::Converter::new(builder, dialect);
    read::parse_document(bytes, &mut conv).map_err(|e| {
        let mut err = ImportError::from_json(file, format, &e);
        err.message = explain_json_error(&e);
        err
    })?;
    if !conv.found {
        return Err(no_spans(file, format));
    }
    Ok(())
}

/// The error of a document that parsed but held no trace.
pub(crate) fn no_spans(file: &str, format: &str) -> ImportError {
    ImportError::new(file, format, Position::Unknown, "no spans found (expected `data`, `spans` or an array of spans)")
}

#[cfg(test)]
mod tests;
