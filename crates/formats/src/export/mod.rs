//! Exporters: write a [`TraceSet`] back out as OTLP JSON, Jaeger query-API JSON or Zipkin v2 JSON.
//!
//! Writers stream straight into an `io::Write` (no intermediate `serde_json::Value`), so a million
//! spans export in one pass with flat memory, and nested attribute values are written with an
//! explicit stack: the model may hold values nested deeper than any recursion could survive.

pub mod jaeger_json;
pub mod otlp_json;
pub mod zipkin_json;

use spanlens_model::trace::TraceSet;
use spanlens_model::value::AnyValue;
use spanlens_model::{Interner, Span};
use std::io::{self, Write};

/// An output format of [`write`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    OtlpJson,
    JaegerJson,
    ZipkinJson,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [ExportFormat::OtlpJson, ExportFormat::JaegerJson, ExportFormat::ZipkinJson];

    /// The name used on the command line: `otlp-json`, `jaeger-json`, `zipkin-json`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::OtlpJson => "otlp-json",
            ExportFormat::JaegerJson => "jaeger-json",
            ExportFormat::ZipkinJson => "zipkin-json",
        }
    }

    pub fn from_name(name: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// Writes `set` in `format`.
pub fn write<W: Write>(set: &TraceSet, format: ExportFormat, out: W) -> io::Result<()> {
    match format {
        ExportFormat::OtlpJson => otlp_json::write(set, out),
        ExportFormat::JaegerJson => jaeger_json::write(set, out),
        ExportFormat::ZipkinJson => zipkin_json::write(set, out),
    }
}

/// Writes `set` in `format` into a byte vector.
pub fn to_vec(set: &TraceSet, format: ExportFormat) -> Vec<u8> {
    let mut out = Vec::with_capacity(set.span_count().saturating_mul(600));
    // Writing into a Vec cannot fail.
    let _ = write(set, format, &mut out);
    out
}

/// A JSON string literal, escaped.
pub(crate) fn json_str<W: Write>(out: &mut W, text: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *out, text).map_err(io::Error::other)
}

/// A float as JSON; non-finite values become the proto3 JSON strings `"NaN"`, `"Infinity"`,
/// `"-Infinity"`, which plain JSON numbers cannot express.
pub(crate) fn json_f64<W: Write>(out: &mut W, value: f64) -> io::Result<()> {
    if value.is_nan() {
        out.write_all(b"\"NaN\"")
    } else if value.is_infinite() {
        out.write_all(if value > 0.0 { b"\"Infinity\"" } else { b"\"-Infinity\"" })
    } else {
        // serde_json prints the shortest text that reads back as the same f64.
        serde_json::to_writer(&mut *out, &value).map_err(io::Error::other)
    }
}

/// Standard base64 with padding (OTLP `bytesValue`, Jaeger binary tags).
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

/// A value as flat text for formats without typed or nested values (Zipkin tags, Jaeger strings).
pub(crate) fn value_text(value: &AnyValue, strings: &Interner) -> String {
    value.display(strings)
}

/// Nanoseconds to whole microseconds for Jaeger and Zipkin (floor, so a child never moves before
/// its parent when both are truncated).
pub(crate) fn nanos_to_micros(nanos: i64) -> i64 {
    nanos.div_euclid(1000)
}

/// A span's duration in µs from its start rounded down and its end rounded up: every child then
/// stays inside its parent after the precision loss (a child's rounded interval is inside the
/// parent's), and a sub-microsecond span gets 1µs rather than a zero that Zipkin reads as "unknown".
///
/// A span whose end is unknown gets 0: Jaeger has no way to say "unknown", and 0 at least invents
/// no length (the Zipkin and OTLP writers omit the field instead).
pub(crate) fn duration_micros(span: &Span) -> i64 {
    if span.is_incomplete() {
        return 0;
    }
    let end = span.end_nanos();
    let end_micros = end.div_euclid(1000) + i64::from(end.rem_euclid(1000) != 0);
    end_micros - nanos_to_micros(span.start_nanos)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")];
        for (plain, coded) in cases {
            assert_eq!(base64_encode(plain.as_bytes()), coded);
        }
    }

    #[test]
    fn floats_and_names() {
        let mut v = Vec::new();
        json_f64(&mut v, f64::NAN).unwrap();
        json_f64(&mut v, 1.5).unwrap();
        assert_eq!(String::from_utf8(v).unwrap(), "\"NaN\"1.5");
        assert_eq!(ExportFormat::from_name("jaeger-json"), Some(ExportFormat::JaegerJson));
        assert_eq!(nanos_to_micros(-1), -1);
    }
}
