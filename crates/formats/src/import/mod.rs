//! Importers: one module per format, all pushing into one [`spanlens_model::TraceSetBuilder`].
//!
//! [`import_bytes`] is the entry point: it gunzips, strips a UTF-8 BOM, detects the format from the
//! content (never the file name), and dispatches. An import is atomic: when it fails, the builder is
//! rolled back and the file contributes nothing. Problems that do not stop a file (bad values,
//! clamped times, skipped JSONL lines) become [`spanlens_model::Warning`]s instead. A JSON file that
//! merely ends early (a cut download) is not a failure: its complete spans load, with one
//! `Truncated` warning (see [`truncated`]).
//!
//! Every importer has the signature `fn import(bytes: &[u8], file: &str, builder: &mut
//! TraceSetBuilder) -> Result<(), ImportError>`, receiving plain (gunzipped, BOM-less) bytes. The
//! library uses no threads, clock or filesystem, so it runs unchanged in wasm.

pub mod chrome;
pub mod cloud_trace;
pub mod detect;
mod gzip;
pub mod jaeger_json;
pub mod jaeger_protojson;
mod json_scalar;
pub(crate) mod json_stream;
pub mod otlp_json;
pub mod otlp_jsonl;
pub mod otlp_proto;
mod seq;
pub mod stream;
pub mod tempo_search;
pub mod text;
mod truncated;
pub mod zipkin_v1;
pub mod zipkin_v2;

pub use detect::detect;
pub use gzip::MAX_DECOMPRESSED_BYTES;
pub use spanlens_model::error::{ImportError, Position};
pub use stream::{Progress, StreamingImport};

use serde::{Deserialize, Serialize};
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::trace::TraceSet;
use spanlens_model::warnings::{Warning, WarningKind};
use std::borrow::Cow;

/// A trace file format, as detected from content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    OtlpJson,
    OtlpJsonl,
    OtlpProtobuf,
    JaegerJson,
    JaegerProtojson,
    ZipkinV1,
    ZipkinV2,
    ChromeTrace,
    /// A Tempo `/api/search` response: trace summaries with matched spans only, not whole traces.
    TempoSearch,
    /// Google Cloud Trace v1 JSON (`projectId`, `traceId`, `spans[]` with RPC kinds).
    GoogleCloudTrace,
}

impl Format {
    pub const ALL: [Format; 10] = [
        Format::OtlpJson,
        Format::OtlpJsonl,
        Format::OtlpProtobuf,
        Format::JaegerJson,
        Format::JaegerProtojson,
        Format::ZipkinV1,
        Format::ZipkinV2,
        Format::ChromeTrace,
        Format::TempoSearch,
        Format::GoogleCloudTrace,
    ];

    /// The name used in messages, [`spanlens_model::SourceInfo::format`] and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::OtlpJson => "otlp-json",
            Format::OtlpJsonl => "otlp-jsonl",
            Format::OtlpProtobuf => "otlp-protobuf",
            Format::JaegerJson => "jaeger-json",
            Format::JaegerProtojson => "jaeger-protojson",
            Format::ZipkinV1 => "zipkin-v1",
            Format::ZipkinV2 => "zipkin-v2",
            Format::ChromeTrace => "chrome-trace",
            Format::TempoSearch => "tempo-search",
            Format::GoogleCloudTrace => "google-cloud-trace",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one successful import added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub format: Format,
    /// Span objects read from the file (before any merging of Zipkin halves).
    pub span_records: u64,
    /// Warnings the file produced while importing (tree warnings come later, at `finish`).
    pub warnings: u64,
    /// Size of the input as given (possibly compressed).
    pub input_bytes: u64,
    /// Size after gunzip (equal to `input_bytes` when the input was not compressed).
    pub decoded_bytes: u64,
    pub gzipped: bool,
}

/// Imports one file or response body into `builder`. See the module docs for the steps. On error the
/// builder is left exactly as it was.
///
/// A JSON file that ends early (see [`truncated`]) keeps its complete records, with one `Truncated`
/// warning saying where it ended and how much was kept; so does a gzip stream that is cut off.
pub fn import_bytes(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<ImportSummary, ImportError> {
    let gzipped = gzip::is_gzip(bytes);
    let (decoded, gzip_cut): (Cow<'_, [u8]>, Option<String>) = if gzipped {
        let out = gzip::gunzip(bytes).map_err(|m| ImportError::new(file, "gzip", Position::Unknown, m))?;
        (Cow::Owned(out.data), out.cut)
    } else {
        (Cow::Borrowed(bytes), None)
    };
    let body = strip_bom(&decoded);
    reject_utf16(body).map_err(|m| ImportError::unrecognised(file, m))?;
    let format = detect(body).map_err(|mut e| {
        file.clone_into(&mut e.file);
        if let Some(cut) = &gzip_cut {
            e.message = format!("{}; {cut}", e.message);
        }
        e
    })?;
    let checkpoint = builder.checkpoint();
    let warnings_before = builder.warning_count();
    builder.begin_source(file, format.as_str(), bytes.len() as u64);
    let mut result = dispatch(format, body, file, builder);
    // The one `Truncated` warning this file gets: the gzip cut alone, or the JSON cut (naming both).
    let mut truncation = gzip_cut.as_ref().map(|cut| format!("{file}: {cut}"));
    if let Err(failed) = result {
        builder.rollback(checkpoint);
        let input = truncated::Input { body, file, bytes: bytes.len() as u64, gzip_cut: gzip_cut.as_deref() };
        result = match truncated::salvage(format, &input, builder, &failed) {
            Ok(message) => {
                truncation = Some(message);
                Ok(())
            }
            Err(e) => Err(e),
        };
    }
    match result {
        Ok(()) => {
            builder.warn_text_span_ids();
            if let Some(message) = truncation {
                builder.warn(Warning::new(WarningKind::Truncated, message).with_source(file));
            }
            Ok(ImportSummary {
                format,
                span_records: builder.current_span_records(),
                warnings: (builder.warning_count() - warnings_before) as u64,
                input_bytes: bytes.len() as u64,
                decoded_bytes: decoded.len() as u64,
                gzipped,
            })
        }
        Err(mut e) => {
            builder.rollback(checkpoint);
            // Byte offsets in text are hard to find in an editor; line and column are not.
            if let (Position::Byte(offset), true) = (&e.position, format != Format::OtlpProtobuf) {
                e.position = Position::line_column(body, usize::try_from(*offset).unwrap_or(usize::MAX));
            }
            // serde_json's messages end in " at line L column C", which the error already shows.
            if let Position::LineColumn { line, column } = e.position {
                e.message = e.message.replacen(&format!(" at line {line} column {column}"), "", 1);
            }
            Err(e)
        }
    }
}

/// Imports several files into one set. Spans of one trace spread over several files are stitched
/// together; a file that fails is reported and skipped while the others still load.
pub fn import_files<N: AsRef<str>, B: AsRef<[u8]>>(files: &[(N, B)]) -> (TraceSet, Vec<ImportError>) {
    let mut builder = TraceSetBuilder::new();
    let mut errors = Vec::new();
    for (name, bytes) in files {
        if let Err(e) = import_bytes(bytes.as_ref(), name.as_ref(), &mut builder) {
            errors.push(e);
        }
    }
    (builder.finish(), errors)
}

fn dispatch(format: Format, body: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    match format {
        Format::OtlpJson => otlp_json::import(body, file, builder),
        Format::OtlpJsonl => otlp_jsonl::import(body, file, builder),
        Format::OtlpProtobuf => otlp_proto::import(body, file, builder),
        Format::JaegerJson => jaeger_json::import(body, file, builder),
        Format::JaegerProtojson => jaeger_protojson::import(body, file, builder),
        Format::TempoSearch => tempo_search::import(body, file, builder),
        Format::GoogleCloudTrace => cloud_trace::import(body, file, builder),
        Format::ZipkinV1 => zipkin_v1::import(body, file, builder),
        Format::ZipkinV2 => zipkin_v2::import(body, file, builder),
        Format::ChromeTrace => chrome::import(body, file, builder),
    }
}

pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// UTF-16 text (Windows "Unicode" saves) would otherwise be reported as unreadable binary.
fn reject_utf16(bytes: &[u8]) -> Result<(), String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err("the file is UTF-16 text; save it as UTF-8 and load it again".to_owned());
    }
    Ok(())
}
