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

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::LineColumn { line, column } => write!(f, "line {line}, column {column}"),
            Position::Byte(b) => write!(f, "byte {b}"),
            Position::Path(p) => write!(f, "at {p}"),
            Position::Unknown => write!(f, "unknown position"),
        }
    }
}

/// A file could not be imported at all. Partial problems are [`crate::Warning`]s instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{file}: {format}: {position}: {message}")]
pub struct ImportError {
    /// The file name or URL, as given by the caller.
    pub file: String,
    /// The format that was tried, e.g. `otlp-json`, or `unknown` when detection failed.
    pub format: String,
    pub position: Position,
    /// What was wrong and what was expected.
    pub message: String,
}

impl ImportError {
    pub fn new(file: &str, format: &str, position: Position, message: impl Into<String>) -> Self {
        ImportError { file: file.to_owned(), format: format.to_owned(), position, message: message.into() }
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
