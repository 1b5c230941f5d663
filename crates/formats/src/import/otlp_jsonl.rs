//! OTLP JSON Lines, as written by the Collector `file` exporter: one `TracesData` per line.
//!
//! Blank lines and CRLF endings are fine; a missing final newline is fine. A line that fails to parse
//! does not sink the file: it becomes a warning naming the line (a `truncated` warning when it is the
//! last line, which is what an interrupted copy looks like) and the other lines still load. Spans of a
//! bad line that were complete before the error are kept when their `resourceSpans` element was
//! complete too. Only when no line parses at all is the file an error, naming the first bad line.

use super::otlp_json::{self, Ctx};
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::error::{ImportError, Position};
use spanlens_model::warnings::{Warning, WarningKind};

pub(crate) const FORMAT: &str = "otlp-jsonl";

pub fn import(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    let mut ctx = Ctx::new(builder);
    let mut good_lines = 0u64;
    let mut first_error: Option<ImportError> = None;
    let mut bad_lines: Vec<(u64, String, bool)> = Vec::new();
    let total_lines = bytes.split(|&b| b == b'\n').count();
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = index as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match otlp_json::parse_document(line, &mut ctx) {
            Ok(true) => good_lines += 1,
            Ok(false) => {
                bad_lines.push((line_no, "no `resourceSpans` on this line; skipped".to_owned(), false));
            }
            Err(err) => {
                let located = ctx.json_error(file, FORMAT, &err);
                let message = format!("column {}: {}", err.column(), located.message);
                if first_error.is_none() {
                    first_error = Some(ImportError::new(
                        file,
                        FORMAT,
                        Position::LineColumn { line: line_no, column: err.column() as u64 },
                        located.message,
                    ));
                }
                let is_last = index + 1 == total_lines || (index + 2 == total_lines && bytes.ends_with(b"\n"));
                bad_lines.push((line_no, message, is_last && err.is_eof()));
            }
        }
    }
    if good_lines == 0 {
        ctx.finish();
        return Err(first_error.unwrap_or_else(|| {
            ImportError::new(file, FORMAT, Position::Unknown, "no line holds an OTLP `resourceSpans` document")
        }));
    }
    for (line_no, message, truncated) in bad_lines {
        let kind = if truncated { WarningKind::Truncated } else { WarningKind::InvalidValue };
        let what = if truncated { "the last line is cut off" } else { "the line was skipped" };
        ctx.builder.warn(Warning::new(kind, format!("line {line_no}: {what}: {message}")));
    }
    ctx.finish();
    Ok(())
}
