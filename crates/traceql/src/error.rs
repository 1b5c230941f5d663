//! Errors with positions, so a search box can underline each one.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// What went wrong, coarsely. The CLI maps `Syntax` to exit code 2 and the
/// semantic kinds (`Validation`, `Unsupported`) to exit code 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The text is not TraceQL (lexer or grammar error).
    Syntax,
    /// Well-formed but rejected by Tempo's validity rules (type errors, ...).
    Validation,
    /// Valid TraceQL that Tempo itself rejects as unsupported, or a query
    /// given to the wrong evaluator (a metrics query to trace search).
    Unsupported,
    /// Evaluation failed (division by zero, `!` on a non-boolean, ...).
    Runtime,
}

impl ErrorKind {
    pub fn is_syntax(self) -> bool {
        self == ErrorKind::Syntax
    }

    /// Validation and unsupported errors: the query parsed but cannot run.
    pub fn is_semantic(self) -> bool {
        matches!(self, ErrorKind::Validation | ErrorKind::Unsupported)
    }
}

/// One error. `range` is a byte range into the query text; `line`/`col` are
/// 1-based, `col` counted in characters, for human-readable messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{} at line {line}, col {col}: {message}", kind_label(*kind))]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub range: Range<usize>,
    pub line: usize,
    pub col: usize,
}

fn kind_label(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Syntax => "parse error",
        ErrorKind::Validation => "invalid query",
        ErrorKind::Unsupported => "unsupported",
        ErrorKind::Runtime => "evaluation error",
    }
}

impl Error {
    /// Builds an error and resolves its line/column against `src`.
    pub fn new(kind: ErrorKind, message: impl Into<String>, range: Range<usize>, src: &str) -> Self {
        let (line, col) = line_col(src, range.start);
        Error { kind, message: message.into(), range, line, col }
    }

    /// An error not tied to a place in the text (e.g. runtime errors).
    pub fn unplaced(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), range: 0..0, line: 1, col: 1 }
    }
}

/// 1-based line and character column of a byte offset. Offsets inside a
/// multi-byte character or past the end are clamped rather than panicking.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut col = 1;
    for (i, c) in src.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

/// All errors found in one query, in source order. Never empty when returned
/// as an `Err`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", summary(.0))]
pub struct Errors(pub Vec<Error>);

fn summary(errors: &[Error]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl Errors {
    /// The most severe kind present: syntax beats validation beats unsupported.
    pub fn kind(&self) -> ErrorKind {
        let has = |k| self.0.iter().any(|e| e.kind == k);
        if has(ErrorKind::Syntax) {
            ErrorKind::Syntax
        } else if has(ErrorKind::Validation) {
            ErrorKind::Validation
        } else if has(ErrorKind::Unsupported) {
            ErrorKind::Unsupported
        } else {
            ErrorKind::Runtime
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        assert_eq!(line_col("ab\ncµd", 0), (1, 1));
        assert_eq!(line_col("ab\ncµd", 3), (2, 1));
        assert_eq!(line_col("ab\ncµd", 6), (2, 3));
        assert_eq!(line_col("ab", 99), (1, 3));
    }
}
