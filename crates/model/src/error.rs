//! Import errors: values that name the file, the format tried and the position.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where in the input a problem is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Position {
    /// 1-based line and column (text formats).
    LineColumn {
        line: u64,
        column: u64,
    },
    /// 0-based byte offset (binary formats, or when lines are unknown).
    Byte(u64),
    /// A JSON path such as `resourceSpans[0].scopeSpans[2].spans[7].startTimeUnixNano`.
    Path(String),
    Unknown,
}

impl Position {
    /// Line and column of byte `offset` in `text` (1-based; columns count bytes, as serde_json's do).
    /// An offset past the end gives the position just after the last byte.
    pub fn line_column(text: &[u8], offset: usize) -> Position {
        let before = text.get(..offset.min(text.len())).unwrap_or(&[]);
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        Position::LineColumn { line, column: (before.len() - line_start) as u64 + 1 }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::LineColumn { line, column } => write!(f, "line {line}, column {column}"),
            Position::Byte(b) => write!(f, "byte {b}"),
            Position::Path(p) => write!(f, "at {p}"),
            // Only reached when a position is printed on its own; `ImportError` omits it.
            Position::Unknown => write!(f, "position not known"),
        }
    }
}

/// The name users know a format by, for messages. `format` fields hold the machine names
/// (`otlp-json`, as in `SourceInfo::format` and the CLI); this crate cannot see the formats crate's
/// `Format` enum, so the table lives here with the type that prints it. Unknown names print as given.
pub fn format_label(format: &str) -> &str {
    match format {
        "otlp-json" => "OTLP JSON",
        "otlp-jsonl" => "OTLP JSON Lines",
        "otlp-protobuf" => "OTLP protobuf",
        "jaeger-json" => "Jaeger JSON",
        "jaeger-protojson" => "Jaeger protobuf JSON",
        "zipkin-v1" => "Zipkin v1 JSON",
        "zipkin-v2" => "Zipkin v2 JSON",
        "chrome-trace" => "Chrome trace",
        "tempo-search" => "Tempo search response",
        "google-cloud-trace" => "Google Cloud Trace JSON",
        other => other,
    }
}

/// A file could not be imported at all. Partial problems are [`crate::Warning`]s instead.
///
/// Displayed as `file: Format, position: message`, leaving out what is not known (an empty file
/// name or format, [`Position::Unknown`]) so that a message never reads like
/// `unknown: unknown position`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct ImportError {
    /// The file name or URL, as given by the caller.
    pub file: String,
    /// The format that was tried, e.g. `otlp-json`; empty when no format was detected or the bytes
    /// were never parsed (unreadable file, failed detection).
    pub format: String,
    pub position: Position,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.is_empty() {
            write!(f, "{}: ", self.file)?;
        }
        let format = (!self.format.is_empty() && self.format != "unknown").then(|| format_label(&self.format));
        let position = (self.position != Position::Unknown).then_some(&self.position);
        match (format, position) {
            (Some(fmt), Some(pos)) => write!(f, "{fmt}, {pos}: ")?,
            (Some(fmt), None) => write!(f, "{fmt}: ")?,
            (None, Some(pos)) => write!(f, "{pos}: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

impl ImportError {
    pub fn new(file: &str, format: &str, position: Position, message: impl Into<String>) -> Self {
        ImportError { file: file.to_owned(), format: format.to_owned(), position, message: message.into() }
    }

    /// The file's bytes could not be read (lost slices, a failed fetch): no format was tried, so
    /// none is named.
    pub fn unreadable(file: &str, reason: impl fmt::Display) -> Self {
        ImportError::new(file, "", Position::Unknown, format!("the file could not be read: {reason}"))
    }

    /// The bytes were read but no format was recognised, or they are not a trace at all.
    pub fn unrecognised(file: &str, message: impl Into<String>) -> Self {
        ImportError::new(file, "", Position::Unknown, message)
    }

    /// From a serde_json error, which knows line and column.
    pub fn from_json(file: &str, format: &str, err: &serde_json::Error) -> Self {
        let position = if err.line() > 0 {
            Position::LineColumn { line: err.line() as u64, column: err.column() as u64 }
        } else {
            Position::Unknown
        };
        ImportError::new(file, format, position, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_out_what_is_not_known() {
        let e = ImportError::unreadable("t.json", "a slice of it was lost");
        assert_eq!(e.to_string(), "t.json: the file could not be read: a slice of it was lost");
        let e = ImportError::new("t.json", "jaeger-json", Position::LineColumn { line: 12, column: 5 }, "expected `]`");
        assert_eq!(e.to_string(), "t.json: Jaeger JSON, line 12, column 5: expected `]`");
        let e = ImportError::new("", "unknown", Position::Unknown, "empty");
        assert_eq!(e.to_string(), "empty");
        let e = ImportError::new("t", "zipkin-v2", Position::Unknown, "no spans");
        assert_eq!(e.to_string(), "t: Zipkin v2 JSON: no spans");
        assert!(!ImportError::new("", "", Position::Byte(3), "x").to_string().contains("unknown"));
    }

    #[test]
    fn line_column_of_offsets() {
        let text = b"ab\ncd\n";
        assert_eq!(Position::line_column(text, 0), Position::LineColumn { line: 1, column: 1 });
        assert_eq!(Position::line_column(text, 4), Position::LineColumn { line: 2, column: 2 });
        assert_eq!(Position::line_column(text, 99), Position::LineColumn { line: 3, column: 1 });
    }
}
