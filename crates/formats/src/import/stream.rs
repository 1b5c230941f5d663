//! Importing a file while it is still being read.
//!
//! Reading a large file in the browser runs at disk-and-IPC speed (a few hundred MB/s at best), and
//! parsing it afterwards doubles the wait. [`StreamingImport`] takes the file chunk by chunk and
//! parses every complete piece at once, so reading and parsing overlap.
//!
//! It streams the shape that large files have in practice: OTLP JSON `{"resourceSpans": [ … ]}`
//! (or Tempo's `batches`), one document or several on their own lines (the Collector's JSON Lines),
//! each `ResourceSpans` element parsed as soon as its closing brace arrives. Everything else (other
//! formats, envelopes, gzip, and any document this fast path does not fully understand) is imported
//! whole by [`import_bytes`] when the last chunk is in.
//!
//! The result is always exactly that of [`import_bytes`] on the whole file: the fast path only
//! commits when the whole file turned out to be the simple shape and every element parsed. Otherwise
//! the builder is rolled back and the whole file imported again, which also gives errors their exact
//! line and column.

use super::otlp_json::{self, Ctx};
use super::{Format, ImportSummary, detect, import_bytes, strip_bom};
use spanlens_model::builder::{Checkpoint, TraceSetBuilder};
use spanlens_model::error::ImportError;

/// Elements nested deeper than this are left to the whole-file import (serde_json's limit is 128
/// for the whole document).
const MAX_ELEMENT_DEPTH: u32 = 100;

/// How many leading bytes decide between streaming and importing whole.
const SNIFF_BYTES: usize = 64;

/// A file being imported as it arrives; see the module docs.
pub struct StreamingImport<'b> {
    file: String,
    bytes: Vec<u8>,
    mode: Mode,
    /// Present while elements are being streamed into the builder.
    stream: Option<Stream<'b>>,
    builder: Option<&'b mut TraceSetBuilder>,
}

enum Mode {
    /// Too few bytes yet to decide.
    Sniff,
    /// Splitting `ResourceSpans` elements off as they complete.
    Split(Splitter),
    /// Importing the whole file at the end, with [`import_bytes`].
    Whole,
}

struct Stream<'b> {
    ctx: Ctx<'b>,
    checkpoint: Checkpoint,
    warnings_before: usize,
}

impl<'b> StreamingImport<'b> {
    /// `size_hint` (the file size, when known) reserves the buffer up front.
    pub fn new(file: &str, size_hint: usize, builder: &'b mut TraceSetBuilder) -> Self {
        StreamingImport {
            file: file.to_owned(),
            bytes: Vec::with_capacity(size_hint),
            mode: Mode::Sniff,
            stream: None,
            builder: Some(builder),
        }
    }

    /// Bytes received so far.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Appends the next chunk and parses whatever it completes.
    pub fn push(&mut self, chunk: &[u8]) {
        self.push_with(chunk.len(), |dst| dst.copy_from_slice(chunk));
    }

    /// Like [`Self::push`], for a chunk that `fill` writes straight into the buffer (in the browser,
    /// a `Uint8Array` copied into wasm memory once instead of twice).
    pub fn push_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) {
        let start = self.bytes.len();
        self.bytes.resize(start + len, 0);
        if let Some(dst) = self.bytes.get_mut(start..) {
            fill(dst);
        }
        if matches!(self.mode, Mode::Sniff) && self.bytes.len() >= SNIFF_BYTES {
            self.decide();
        }
        self.advance();
    }

    /// Ends the input: parses the rest, and commits or falls back to a whole import.
    pub fn finish(self) -> Result<ImportSummary, ImportError> {
        self.finish_reporting().0
    }

    /// [`Self::finish`], also telling whether the streamed parse was kept (`true`) or the file was
    /// imported whole at the end (`false`).
    pub fn finish_reporting(mut self) -> (Result<ImportSummary, ImportError>, bool) {
        if matches!(self.mode, Mode::Sniff) {
            self.decide();
        }
        self.advance();
        if let Some(Stream { ctx, checkpoint, warnings_before }) = self.stream.take() {
            let len = self.bytes.len() as u64;
            match self.streamed_format() {
                Some(format) => {
                    let builder = ctx.finish();
                    builder.warn_text_span_ids();
                    builder.set_source_format(format.as_str());
                    builder.set_source_bytes(len);
                    let summary = ImportSummary {
                        format,
                        span_records: builder.current_span_records(),
                        warnings: builder.warning_count().saturating_sub(warnings_before) as u64,
                        input_bytes: len,
                        decoded_bytes: len,
                        gzipped: false,
                    };
                    return (Ok(summary), true);
                }
                None => {
                    let builder = ctx.abandon();
                    builder.rollback(checkpoint);
                    self.builder = Some(builder);
                }
            }
        }
        let result = match self.builder.take() {
            Some(builder) => import_bytes(&self.bytes, &self.file, builder),
            None => Err(ImportError::new(
                &self.file,
                "",
                super::Position::Unknown,
                "internal error: the import lost its builder",
            )),
        };
        (result, false)
    }

    /// Gives up on this file (it could not be read to the end): whatever was streamed into the
    /// builder is rolled back, so the file contributes nothing.
    pub fn abandon(mut self) {
        if let Some(Stream { ctx, checkpoint, .. }) = self.stream.take() {
            ctx.abandon().rollback(checkpoint);
        }
    }

    /// The format the streamed parse stands for, when the whole file turned out to have the streamed
    /// shape and `import_bytes` would have read it the same way.
    fn streamed_format(&self) -> Option<Format> {
        let Mode::Split(splitter) = &self.mode else { return None };
        if !splitter.complete(&self.bytes) {
            return None;
        }
        match detect(strip_bom(&self.bytes)).ok()? {
            Format::OtlpJson if splitter.documents == 1 => Some(Format::OtlpJson),
            Format::OtlpJsonl if splitter.one_document_per_line => Some(Format::OtlpJsonl),
            _ => None,
        }
    }

    fn decide(&mut self) {
        let body = strip_bom(&self.bytes);
        let bom = self.bytes.len() - body.len();
        if super::gzip::is_gzip(&self.bytes) || !Splitter::looks_splittable(body) {
            self.mode = Mode::Whole;
            return;
        }
        let Some(builder) = self.builder.take() else {
            self.mode = Mode::Whole;
            return;
        };
        let checkpoint = builder.checkpoint();
        let warnings_before = builder.warning_count();
        // The byte count is set in `finish`, when it is known.
        builder.begin_source(&self.file, Format::OtlpJson.as_str(), 0);
        self.stream = Some(Stream { ctx: Ctx::new(builder), checkpoint, warnings_before });
        self.mode = Mode::Split(Splitter::new(bom));
    }

    fn advance(&mut self) {
        let (Mode::Split(splitter), Some(stream)) = (&mut self.mode, self.stream.as_mut()) else { return };
        while let Some(element) = splitter.next_element(&self.bytes) {
            let Some(bytes) = self.bytes.get(element.start..element.end) else {
                splitter.broken = true;
                return;
            };
            if otlp_json::parse_resource_spans(bytes, element.index, &mut stream.ctx).is_err() {
                // The whole-file import at the end will report it with its exact position.
                splitter.broken = true;
                return;
            }
        }
    }
}

/// One `ResourceSpans` element's byte range in the file.
struct Element {
    start: usize,
    end: usize,
    index: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    /// Before a document's `{` (or at the end of the file).
    DocumentStart,
    /// After `{`: the key must be `resourceSpans` (or `resource_spans`, `batches`).
    Key,
    /// After the key's closing quote: `:` then `[`.
    Colon,
    Bracket,
    /// After `[` or `,`: an element's `{` (or `]` right after `[`).
    Element {
        first: bool,
    },
    /// Inside an element.
    InElement,
    /// After an element: `,` or `]`.
    AfterElement,
    /// After `]`: the document's `}`.
    DocumentEnd,
}

/// Finds complete `ResourceSpans` elements in `{"resourceSpans":[…]}` documents, resuming where it
/// stopped when more bytes arrive.
struct Splitter {
    pos: usize,
    at: At,
    /// Inside an element: nesting depth, string state, where it began.
    depth: u32,
    in_string: bool,
    escaped: bool,
    element_start: usize,
    index: usize,
    documents: usize,
    /// A newline inside a document: fine for one JSON document, not for JSON Lines.
    one_document_per_line: bool,
    newline_since_document: bool,
    broken: bool,
}

const KEYS: [&[u8]; 3] = [b"\"resourceSpans\"", b"\"resource_spans\"", b"\"batches\""];

impl Splitter {
    fn new(start: usize) -> Self {
        Splitter {
            pos: start,
            at: At::DocumentStart,
            depth: 0,
            in_string: false,
            escaped: false,
            element_start: 0,
            index: 0,
            documents: 0,
            one_document_per_line: true,
            newline_since_document: false,
            broken: false,
        }
    }

    /// `{` `"resourceSpans"` `:` `[` at the start, whitespace allowed between.
    fn looks_splittable(body: &[u8]) -> bool {
        let mut rest = skip_ws(body);
        let Some(after_brace) = rest.strip_prefix(b"{") else { return false };
        rest = skip_ws(after_brace);
        let Some(key) = KEYS.iter().find(|k| rest.starts_with(k)) else { return false };
        rest = skip_ws(rest.get(key.len()..).unwrap_or(&[]));
        let Some(after_colon) = rest.strip_prefix(b":") else { return false };
        skip_ws(after_colon).starts_with(b"[")
    }

    /// Whether the input ended cleanly after at least one whole document.
    fn complete(&self, bytes: &[u8]) -> bool {
        !self.broken
            && self.at == At::DocumentStart
            && self.documents >= 1
            && bytes.get(self.pos..).is_some_and(|rest| rest.iter().all(|&b| is_json_ws(b)))
    }

    fn next_element(&mut self, bytes: &[u8]) -> Option<Element> {
        while !self.broken {
            let b = *bytes.get(self.pos)?;
            match self.at {
                At::InElement => return self.scan_element(bytes),
                _ if is_json_ws(b) => {
                    if b == b'\n' {
                        if self.at == At::DocumentStart {
                            self.newline_since_document = true;
                        } else {
                            self.one_document_per_line = false;
                        }
                    }
                    self.pos += 1;
                }
                At::DocumentStart if b == b'{' => {
                    if self.documents > 0 && !self.newline_since_document {
                        self.one_document_per_line = false;
                    }
                    self.newline_since_document = false;
                    self.step(At::Key);
                }
                At::Key => {
                    let rest = bytes.get(self.pos..).unwrap_or(&[]);
                    match KEYS.iter().find(|k| rest.starts_with(k)) {
                        Some(k) => {
                            self.pos += k.len();
                            self.at = At::Colon;
                        }
                        // Wait for more bytes only while what is here could still become a key.
                        None if KEYS.iter().any(|k| k.starts_with(rest)) => return None,
                        None => self.broken = true,
                    }
                }
                At::Colon if b == b':' => self.step(At::Bracket),
                At::Bracket if b == b'[' => {
                    self.index = 0;
                    self.step(At::Element { first: true });
                }
                At::Element { .. } if b == b'{' => {
                    self.element_start = self.pos;
                    self.depth = 0;
                    self.at = At::InElement;
                }
                At::Element { first: true } | At::AfterElement if b == b']' => self.step(At::DocumentEnd),
                At::AfterElement if b == b',' => self.step(At::Element { first: false }),
                At::DocumentEnd if b == b'}' => {
                    self.documents += 1;
                    self.step(At::DocumentStart);
                }
                _ => self.broken = true,
            }
        }
        None
    }

    fn step(&mut self, next: At) {
        self.pos += 1;
        self.at = next;
    }

    /// Scans to the element's closing brace; `None` when the bytes run out first.
    fn scan_element(&mut self, bytes: &[u8]) -> Option<Element> {
        let rest = bytes.get(self.pos..)?;
        for (offset, &b) in rest.iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    self.depth += 1;
                    // The whole-document parser stops at its nesting limit; an element nested that
                    // deep is left to it, so that the error is the same.
                    if self.depth > MAX_ELEMENT_DEPTH {
                        self.broken = true;
                        return None;
                    }
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        let end = self.pos + offset + 1;
                        self.pos = end;
                        self.at = At::AfterElement;
                        let element = Element { start: self.element_start, end, index: self.index };
                        self.index += 1;
                        return Some(element);
                    }
                }
                b'\n' => self.one_document_per_line = false,
                _ => {}
            }
        }
        self.pos = bytes.len();
        None
    }
}

/// JSON's whitespace (narrower than ASCII's: no form feed).
fn is_json_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_ws(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|&&b| is_json_ws(b)).count();
    bytes.get(n..).unwrap_or(&[])
}
