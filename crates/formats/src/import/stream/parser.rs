//! The importers behind the streaming import: each element the scanner finds is handed to the very
//! function the whole-document importer calls for it (OTLP: one `ResourceSpans`; Jaeger: one span of
//! a trace's `spans`, then the trace object's skeleton, or a whole element of `data` that is not an
//! object), and each document's skeleton to the whole-document reader, all on one importer state, so
//! the model comes out as the one-shot import makes it.

use super::super::Format;
pub(crate) use super::super::jaeger_json::SpanRead;
use super::super::jaeger_json::{self, Converter, Dialect};
use super::super::json_scalar::explain_json_error;
use super::super::otlp_json::{self, Ctx};
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::error::{ImportError, Position};

/// Key paths whose value is the array of elements to stream, per importer.
pub(crate) const OTLP_PATHS: &[&[&[u8]]] = &[
    &[b"resourceSpans"],
    &[b"resource_spans"],
    &[b"batches"],
    &[b"result", b"resourceSpans"],
    &[b"result", b"resource_spans"],
    &[b"result", b"batches"],
    &[b"trace", b"resourceSpans"],
    &[b"trace", b"resource_spans"],
    &[b"trace", b"batches"],
];
pub(crate) const JAEGER_PATHS: &[&[&[u8]]] = &[&[b"data"]];
/// Inside each trace object of `data`, the array streamed span by span.
const JAEGER_NESTED: &[u8] = b"spans";

pub(crate) enum Parser<'b> {
    Otlp(Ctx<'b>),
    Jaeger(Converter<'b>),
}

impl<'b> Parser<'b> {
    /// The importer for a detected format, or `None` when that format is imported whole.
    pub fn for_format(format: Format, builder: &'b mut TraceSetBuilder) -> Result<Self, &'b mut TraceSetBuilder> {
        match format {
            Format::OtlpJson | Format::OtlpJsonl => Ok(Parser::Otlp(Ctx::new(builder))),
            Format::JaegerJson => Ok(Parser::Jaeger(Converter::new(builder, Dialect::QueryJson))),
            Format::JaegerProtojson => Ok(Parser::Jaeger(Converter::new(builder, Dialect::Protojson))),
            _ => Err(builder),
        }
    }

    pub fn paths(&self) -> &'static [&'static [&'static [u8]]] {
        match self {
            Parser::Otlp(_) => OTLP_PATHS,
            Parser::Jaeger(_) => JAEGER_PATHS,
        }
    }

    /// The key whose array is streamed inside each object element (see the envelope scanner).
    pub fn nested(&self) -> Option<&'static [u8]> {
        match self {
            Parser::Otlp(_) => None,
            Parser::Jaeger(_) => Some(JAEGER_NESTED),
        }
    }

    /// Spans read but not yet in the builder (a Jaeger trace object still being read).
    pub fn pending_spans(&self) -> u64 {
        match self {
            Parser::Otlp(_) => 0,
            Parser::Jaeger(conv) => conv.pending.as_ref().map_or(0, |doc| doc.pending_spans() as u64),
        }
    }

    pub fn builder(&self) -> &TraceSetBuilder {
        match self {
            Parser::Otlp(ctx) => ctx.builder,
            Parser::Jaeger(conv) => conv.builder,
        }
    }

    /// Parses one element; `offset` is where its bytes start in the whole body (for the error).
    pub fn item(
        &mut self,
        bytes: &[u8],
        index: usize,
        offset: u64,
        file: &str,
        format: Format,
    ) -> Result<(), ImportError> {
        match self {
            Parser::Otlp(ctx) => otlp_json::parse_resource_spans(bytes, index, ctx).map_err(|err| {
                let mut e = ctx.json_error(file, format.as_str(), &err);
                e.position = byte_position(bytes, offset, err.line(), err.column());
                e
            }),
            Parser::Jaeger(conv) => jaeger_json::parse_trace(bytes, conv).map_err(|err| {
                let mut e = ImportError::from_json(file, format.as_str(), &err);
                e.message = explain_json_error(&err);
                e.position = byte_position(bytes, offset, err.line(), err.column());
                e
            }),
        }
    }

    /// Parses one element of the nested array of the object element being read.
    pub fn sub_item(&mut self, bytes: &[u8], offset: u64, file: &str, format: Format) -> Result<(), ImportError> {
        match self {
            Parser::Otlp(_) => {
                Err(ImportError::new(file, format.as_str(), Position::Byte(offset), "internal error: a nested element"))
            }
            Parser::Jaeger(conv) => jaeger_json::parse_span(bytes, conv).map_err(|err| {
                let mut e = ImportError::from_json(file, format.as_str(), &err);
                e.message = explain_json_error(&err);
                e.position = byte_position(bytes, offset, err.line(), err.column());
                e
            }),
        }
    }

    /// Reads the nested element at the start of `bytes` in place, if this importer can (see
    /// [`super::envelope::Event::SubStart`]).
    pub fn try_sub_item(&mut self, bytes: &[u8]) -> SpanRead {
        match self {
            Parser::Otlp(_) => SpanRead::Unusual,
            Parser::Jaeger(conv) => jaeger_json::try_span(bytes, conv, false),
        }
    }

    /// Whether nested elements are offered to [`Self::try_sub_item`].
    pub fn reads_sub_items(&self) -> bool {
        matches!(self, Parser::Jaeger(_))
    }

    /// Parses the skeleton of an object element whose nested array was streamed; errors point at
    /// the element's end, `end` (the skeleton's own offsets mean nothing in the body).
    pub fn item_skeleton(
        &mut self,
        bytes: &[u8],
        index: usize,
        end: u64,
        file: &str,
        format: Format,
    ) -> Result<(), ImportError> {
        let mut e = match self.item(bytes, index, 0, file, format) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        e.position = Position::Byte(end);
        Err(e)
    }

    /// Parses a document's skeleton (its envelope with the streamed arrays left empty). For OTLP,
    /// `Ok(false)` when the document held no `resourceSpans` at all.
    pub fn skeleton(&mut self, bytes: &[u8], end: u64, file: &str, format: Format) -> Result<bool, ImportError> {
        // The skeleton's own offsets mean nothing in the body: errors point at the document's end.
        let position = Position::Byte(end);
        match self {
            Parser::Otlp(ctx) => otlp_json::parse_document(bytes, ctx).map_err(|err| {
                let mut e = ctx.json_error(file, format.as_str(), &err);
                e.position = position;
                e
            }),
            Parser::Jaeger(conv) => jaeger_json::parse_document(bytes, conv)
                .map(|()| true)
                .map_err(|err| ImportError::new(file, format.as_str(), position, explain_json_error(&err))),
        }
    }

    /// Whether the import found something to load (Jaeger's "no spans found" rule).
    pub fn found(&self) -> bool {
        match self {
            Parser::Otlp(_) => true,
            Parser::Jaeger(conv) => conv.found,
        }
    }

    /// Ends the import, emitting the importer's end-of-file warnings. A trace object cut before its
    /// end (a truncated body) still gives the spans read from it, without what came after them.
    pub fn finish(self) -> &'b mut TraceSetBuilder {
        match self {
            Parser::Otlp(ctx) => ctx.finish(),
            Parser::Jaeger(mut conv) => {
                if let Some(doc) = conv.pending.take() {
                    conv.finish_doc(*doc);
                }
                conv.builder
            }
        }
    }

    /// Hands the builder back without emitting anything (the caller rolls back).
    pub fn abandon(self) -> &'b mut TraceSetBuilder {
        match self {
            Parser::Otlp(ctx) => ctx.abandon(),
            Parser::Jaeger(conv) => conv.builder,
        }
    }
}

/// The body offset of 1-based `line`/`column` inside `bytes`, which start at body offset `offset`.
fn byte_position(bytes: &[u8], offset: u64, line: usize, column: usize) -> Position {
    let mut at = 0usize;
    for _ in 1..line.max(1) {
        match bytes.get(at..).and_then(|rest| rest.iter().position(|&b| b == b'\n')) {
            Some(n) => at += n + 1,
            None => break,
        }
    }
    let within = (at + column.saturating_sub(1)).min(bytes.len());
    Position::Byte(offset + within as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_become_a_body_offset() {
        assert_eq!(byte_position(b"{\n  x", 100, 2, 3), Position::Byte(104));
        assert_eq!(byte_position(b"abc", 7, 1, 1), Position::Byte(7));
        assert_eq!(byte_position(b"abc", 0, 9, 99), Position::Byte(3));
    }
}
