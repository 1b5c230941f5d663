//! Jaeger api_v2 protobuf JSON (`model.proto` through jsonpb / grpc-gateway).
//!
//! Same reader as [`super::jaeger_json`] in its protojson dialect: base64 ids, RFC 3339 `startTime`,
//! `"1.5s"`/`"100000ns"` durations, tags `{key, vType, vStr…}`, camelCase or snake_case (`OrigName`)
//! keys, and the `Batch{process, spans}`, `Trace{spans, processMap}`, `{result:{spans}}` shapes.

use super::jaeger_json::{Dialect, import_dialect};
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::error::ImportError;

pub(crate) const FORMAT: &str = "jaeger-protojson";

pub fn import(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    import_dialect(bytes, file, builder, Dialect::Protojson)
}
