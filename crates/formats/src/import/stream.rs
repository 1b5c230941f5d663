//! Importing a file or an HTTP response body while it is still arriving.
//!
//! Reading a large file in the browser runs at disk-and-IPC speed, and a trace fetched by URL at
//! network speed; parsing afterwards doubles the wait. [`StreamingImport`] takes the input chunk by
//! chunk (any boundaries) and parses every complete piece at once, so arriving and parsing overlap.
//!
//! It streams the shapes large inputs have in practice, the arrays of elements in:
//! - OTLP JSON `{"resourceSpans":[…]}` (or `resource_spans`, Tempo v1 `batches`), one document or
//!   several on their own lines (the Collector's JSON Lines);
//! - Jaeger api_v3 `{"result":{"resourceSpans":[…]}}` and Tempo v2
//!   `{"trace":{"resourceSpans"|"batches":[…]},"status":…,"message":…}`;
//! - the Jaeger query API `{"data":[trace, …],"total":…,"errors":…}` (keys in any order).
//!
//! A scanner ([`envelope`]) finds each element's bytes and hands them to the element parser the
//! whole-document importer uses; the envelope around the arrays is kept as a small skeleton document
//! and parsed at its end (see [`envelope`]). Other formats (and gzip) are imported whole by
//! [`import_bytes`] when the last chunk is in.
//!
//! Two memory policies:
//! - [`StreamingImport::new`] (files) keeps every byte, so that anything the fast path does not fully
//!   understand (a cut file, a syntax error) is rolled back and imported again whole: the result is
//!   then always exactly that of [`import_bytes`], errors and truncation salvage included.
//! - [`StreamingImport::for_response`] (URL bodies) drops each element's bytes once parsed, so memory
//!   stays at one element plus the model. A complete body gives exactly what [`import_bytes`] gives;
//!   a broken one an [`ImportError`] naming the format and the byte offset, and a cut one keeps its
//!   complete elements with one `Truncated` warning (coarser than the whole import's salvage, which
//!   can keep single spans of a cut element but needs the whole body). One known difference: JSON
//!   Lines with a raw newline inside a string (invalid JSON) stream as the documents the brackets
//!   say, where the whole import splits the line there (files check this with every byte at hand).

mod envelope;
mod parser;

use super::{Format, ImportSummary, detect, detect::SCAN_BYTES, import_bytes, strip_bom};
use envelope::{Envelope, Event};
use parser::{Parser, SpanRead};
use spanlens_model::builder::{Checkpoint, TraceSetBuilder};
use spanlens_model::error::{ImportError, Position, format_label};
use spanlens_model::warnings::{Warning, WarningKind};

/// Leading bytes gathered before choosing how to import: format detection reads [`SCAN_BYTES`], and
/// the margin lets a key straddling that limit be read whole, as detection on the whole body does.
const SNIFF_BYTES: usize = SCAN_BYTES + 64 * 1024;

/// In bounded mode, consumed bytes are dropped once they are at least this many (or half the
/// buffer), so the copy of the unconsumed tail costs no more than the bytes dropped.
const COMPACT_BYTES: usize = 1 << 20;

/// A nested element read in place ([`Event::SubStart`]) that is still incomplete with this many bytes
/// available is scanned instead: the scan resumes where it stopped, a read in place starts over.
const SUB_READ_MAX_BYTES: usize = 1 << 20;

/// How far an import has come, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes pushed so far.
    pub bytes_received: u64,
    /// Span records parsed into the model so far (0 until the end when the input is imported whole).
    pub spans_parsed: u64,
    /// The expected size (Content-Length, file size), when the caller gave it.
    pub total_bytes: Option<u64>,
    /// Whether the input is being parsed as it arrives (`false`: sniffing, or imported at the end).
    pub streaming: bool,
}

impl Progress {
    /// Received over expected bytes, in `0.0..=1.0`; `None` when the size is unknown.
    pub fn fraction(&self) -> Option<f64> {
        let total = self.total_bytes.filter(|&t| t > 0)?;
        Some((self.bytes_received as f64 / total as f64).min(1.0))
    }
}

/// An input being imported as it arrives; see the module docs.
pub struct StreamingImport<'b> {
    file: String,
    /// Bytes not yet dropped: all of them, unless `bounded` (then from [`Envelope::keep_from`]).
    bytes: Vec<u8>,
    /// Bytes dropped from the front of `bytes`, so body offsets are `dropped + index`.
    dropped: u64,
    total: Option<u64>,
    bounded: bool,
    mode: Mode,
    /// Present while elements are being streamed into the builder.
    stream: Option<Stream<'b>>,
    builder: Option<&'b mut TraceSetBuilder>,
    /// No more bytes will come.
    ended: bool,
}

enum Mode {
    /// Too few bytes yet to decide.
    Sniff,
    /// Splitting elements off as they complete.
    Split(Box<Envelope>),
    /// Importing the whole input at the end, with [`import_bytes`].
    Whole,
}

struct Stream<'b> {
    parser: Parser<'b>,
    format: Format,
    checkpoint: Checkpoint,
    warnings_before: usize,
    /// Elements of the current document so far (their index continues across its arrays).
    doc_items: usize,
    /// Documents whose skeleton held no `resourceSpans` (OTLP).
    docs_without_spans: usize,
    /// A skeleton added spans to a document whose elements were already streamed: the whole import
    /// would have read them in between (`{"result":{…},"data":[…]}`), so the order may differ.
    reordered: bool,
    /// The first element or skeleton that failed to parse.
    failure: Option<ImportError>,
    /// A nested element that was incomplete when read in place is read again once this many bytes
    /// of it are available (twice as many as at the last try, so the retries cost at most as much
    /// as one read of the element).
    sub_wait: usize,
}

impl Stream<'_> {
    /// Spans parsed so far, in the builder or waiting for their trace object's end.
    fn spans_read(&self) -> u64 {
        self.parser.builder().current_span_records() + self.parser.pending_spans()
    }

    /// The skeleton of an element whose members were streamed (an element's `{…}` around them).
    #[inline(never)]
    fn item_end(&mut self, env: &mut Envelope, end: u64, file: &str) -> Result<(), ImportError> {
        let index = self.doc_items;
        self.doc_items += 1;
        let skeleton = env.take_item_skeleton();
        self.parser.item_skeleton(&skeleton, index, end, file, self.format)
    }

    /// A document's skeleton: everything in it but the streamed elements.
    #[inline(never)]
    fn document_end(&mut self, env: &mut Envelope, end: u64, file: &str) -> Result<(), ImportError> {
        let streamed_items = std::mem::take(&mut self.doc_items) > 0;
        let skeleton = env.take_skeleton();
        let spans_before = self.parser.builder().current_span_records();
        let result = self.parser.skeleton(&skeleton, end, file, self.format);
        self.reordered |= streamed_items && self.parser.builder().current_span_records() > spans_before;
        result.map(|found| self.docs_without_spans += usize::from(!found))
    }
}

impl<'b> StreamingImport<'b> {
    /// For a file: `size_hint` (the file size, when known; 0 if not) reserves the buffer and is the
    /// progress total. Every byte is kept, so the result always equals [`import_bytes`]'s.
    pub fn new(file: &str, size_hint: usize, builder: &'b mut TraceSetBuilder) -> Self {
        let total = (size_hint > 0).then_some(size_hint as u64);
        Self::with_policy(file, size_hint, total, false, builder)
    }

    /// For an HTTP response body: `content_length` (when the server sent one) is the progress total.
    /// Parsed bytes are dropped, so memory stays bounded by one element (see the module docs).
    pub fn for_response(file: &str, content_length: Option<u64>, builder: &'b mut TraceSetBuilder) -> Self {
        Self::with_policy(file, SNIFF_BYTES, content_length, true, builder)
    }

    fn with_policy(
        file: &str,
        reserve: usize,
        total: Option<u64>,
        bounded: bool,
        builder: &'b mut TraceSetBuilder,
    ) -> Self {
        StreamingImport {
            file: file.to_owned(),
            bytes: Vec::with_capacity(reserve),
            dropped: 0,
            total,
            bounded,
            mode: Mode::Sniff,
            stream: None,
            builder: Some(builder),
            ended: false,
        }
    }

    /// Sets (or clears) the expected size, for when it becomes known after construction.
    pub fn set_total_bytes(&mut self, total: Option<u64>) {
        self.total = total;
    }

    /// Bytes received so far.
    pub fn len(&self) -> usize {
        usize::try_from(self.received()).unwrap_or(usize::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.received() == 0
    }

    /// Bytes held in memory right now: with [`Self::for_response`] and a streamed shape, the element
    /// being received plus at most one compaction's worth of parsed bytes (see [`COMPACT_BYTES`]).
    pub fn buffered(&self) -> usize {
        self.bytes.len()
    }

    fn received(&self) -> u64 {
        self.dropped + self.bytes.len() as u64
    }

    /// Bytes received, spans parsed and (with a known size) the fraction done.
    pub fn progress(&self) -> Progress {
        Progress {
            bytes_received: self.received(),
            spans_parsed: self.stream.as_ref().map_or(0, |s| s.spans_read()),
            total_bytes: self.total,
            streaming: self.stream.is_some(),
        }
    }

    /// Appends the next chunk and parses whatever it completes.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.discarding(chunk.len()) {
            return;
        }
        self.bytes.extend_from_slice(chunk);
        self.pushed();
    }

    /// Like [`Self::push`], for a chunk that `fill` writes straight into the buffer (in the browser,
    /// a `Uint8Array` copied into wasm memory once instead of twice).
    pub fn push_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) {
        if self.discarding(len) {
            return;
        }
        let start = self.bytes.len();
        self.bytes.resize(start + len, 0);
        if let Some(dst) = self.bytes.get_mut(start..) {
            fill(dst);
        }
        self.pushed();
    }

    /// Whether `len` more bytes are only counted: a bounded import whose outcome is already an
    /// error, which nothing will read again.
    fn discarding(&mut self, len: usize) -> bool {
        let failed = self.bounded && self.stream.as_ref().is_some_and(|s| s.failure.is_some());
        if failed {
            self.dropped += len as u64;
        }
        failed
    }

    fn pushed(&mut self) {
        if matches!(self.mode, Mode::Sniff) && self.bytes.len() >= SNIFF_BYTES {
            self.decide();
        }
        self.advance();
    }

    /// Ends the input: parses the rest, and commits or falls back to a whole import.
    pub fn finish(self) -> Result<ImportSummary, ImportError> {
        self.finish_reporting().0
    }

    /// [`Self::finish`], also telling whether the streamed parse was kept (`true`) or the input was
    /// imported whole at the end (`false`).
    pub fn finish_reporting(mut self) -> (Result<ImportSummary, ImportError>, bool) {
        if matches!(self.mode, Mode::Sniff) {
            self.decide();
        }
        self.ended = true;
        self.advance();
        if let Some(stream) = self.stream.take() {
            match self.streamed_format(&stream) {
                Some(format) => {
                    let warnings_before = stream.warnings_before;
                    let builder = stream.parser.finish();
                    return (Ok(self.commit(builder, format, warnings_before, None)), true);
                }
                None if self.bounded => return (self.bounded_outcome(stream), true),
                None => {
                    let builder = stream.parser.abandon();
                    builder.rollback(stream.checkpoint);
                    self.builder = Some(builder);
                }
            }
        }
        let result = match self.builder.take() {
            Some(builder) => import_bytes(&self.bytes, &self.file, builder),
            None => {
                Err(ImportError::new(&self.file, "", Position::Unknown, "internal error: the import lost its builder"))
            }
        };
        (result, false)
    }

    /// Gives up on this input (it could not be read to the end): whatever was streamed into the
    /// builder is rolled back, so the input contributes nothing.
    pub fn abandon(mut self) {
        if let Some(stream) = self.stream.take() {
            stream.parser.abandon().rollback(stream.checkpoint);
        }
    }

    fn commit(
        &self,
        builder: &mut TraceSetBuilder,
        format: Format,
        warnings_before: usize,
        truncated: Option<String>,
    ) -> ImportSummary {
        let len = self.received();
        builder.warn_text_span_ids();
        if let Some(message) = truncated {
            builder.warn(Warning::new(WarningKind::Truncated, message).with_source(&self.file));
        }
        builder.set_source_format(format.as_str());
        builder.set_source_bytes(len);
        ImportSummary {
            format,
            span_records: builder.current_span_records(),
            warnings: builder.warning_count().saturating_sub(warnings_before) as u64,
            input_bytes: len,
            decoded_bytes: len,
            gzipped: false,
        }
    }

    /// The format the streamed parse stands for, when the whole input turned out to have a streamed
    /// shape, parsed cleanly, and `import_bytes` would have read it the same way.
    fn streamed_format(&self, stream: &Stream<'_>) -> Option<Format> {
        let Mode::Split(env) = &self.mode else { return None };
        if !env.complete() || stream.failure.is_some() || !stream.parser.found() {
            return None;
        }
        // Keeping every byte, a whole import puts such spans in their exact place; a bounded import
        // keeps them (same spans and traces, possibly another trace order).
        if stream.reordered && !self.bounded {
            return None;
        }
        let otlp = matches!(stream.format, Format::OtlpJson | Format::OtlpJsonl);
        let format = match stream.format {
            _ if otlp && stream.docs_without_spans > 0 => return None,
            _ if otlp && env.documents == 1 => Format::OtlpJson,
            // Every newline must be one between documents: a JSON Lines reader also splits a line
            // inside a string (raw newlines there are invalid JSON, which the scanner does not check).
            _ if otlp && env.one_document_per_line && self.newlines_are_between(env) => Format::OtlpJsonl,
            f if !otlp && env.documents == 1 => f,
            _ => return None,
        };
        // With every byte at hand, detection on the whole input settles what the sniffed prefix
        // suggested (a first JSON line longer than the sniff, say).
        if !self.bounded && detect(strip_bom(&self.bytes)).ok() != Some(format) {
            return None;
        }
        Some(format)
    }

    /// Whether the input's newlines are exactly those the scanner met between documents. A bounded
    /// import no longer has its bytes and trusts the scanner (see the module docs).
    fn newlines_are_between(&self, env: &Envelope) -> bool {
        self.bounded || self.bytes.iter().filter(|&&b| b == b'\n').count() == env.newlines_between
    }

    /// A bounded import that did not end cleanly: the first error, or the complete elements of a
    /// cut body with one `Truncated` warning.
    fn bounded_outcome(&self, stream: Stream<'b>) -> Result<ImportSummary, ImportError> {
        let Stream { parser, format, checkpoint, warnings_before, failure, .. } = stream;
        let file = self.file.as_str();
        let label = format_label(format.as_str());
        let received = self.received();
        let env = match &self.mode {
            Mode::Split(env) => Some(&**env),
            _ => None,
        };
        let error = if let Some(e) = failure {
            e
        } else if let Some(at) = env.and_then(|e| e.broken) {
            let at = self.dropped + at as u64;
            let near = self.bytes.get(at.saturating_sub(self.dropped) as usize..).unwrap_or(&[]);
            let near = String::from_utf8_lossy(near.get(..near.len().min(20)).unwrap_or(&[])).into_owned();
            ImportError::new(
                file,
                format.as_str(),
                Position::Byte(at),
                format!("not a {label} document: unexpected `{near}` at byte {at}"),
            )
        } else if env.is_some_and(Envelope::between_documents) {
            let message = if parser.found() {
                format!("more than one JSON document in a {label} body")
            } else {
                "no spans found (expected `data`, `spans` or an array of spans)".to_owned()
            };
            ImportError::new(file, format.as_str(), Position::Byte(received), message)
        } else {
            let spans = parser.builder().current_span_records() + parser.pending_spans();
            let inside = env.map(Envelope::container).unwrap_or_default();
            if spans > 0 {
                let builder = parser.finish();
                let message = format!(
                    "{file}: {label}: the body ends early (byte {received}), inside {inside}: it looks truncated; kept the {spans} span{} complete before the cut",
                    if spans == 1 { "" } else { "s" }
                );
                return Ok(self.commit(builder, format, warnings_before, Some(message)));
            }
            ImportError::new(
                file,
                format.as_str(),
                Position::Byte(received),
                "the body ends early, before its first complete span: it looks truncated and holds nothing to load",
            )
        };
        parser.abandon().rollback(checkpoint);
        Err(error)
    }

    fn decide(&mut self) {
        let body = strip_bom(&self.bytes);
        let bom = self.bytes.len() - body.len();
        let format = match detect(body) {
            Ok(f) if !super::gzip::is_gzip(&self.bytes) => f,
            _ => {
                self.mode = Mode::Whole;
                return;
            }
        };
        let Some(builder) = self.builder.take() else {
            self.mode = Mode::Whole;
            return;
        };
        let checkpoint = builder.checkpoint();
        let warnings_before = builder.warning_count();
        builder.begin_source(&self.file, format.as_str(), 0);
        let parser = match Parser::for_format(format, builder) {
            Ok(p) => p,
            Err(builder) => {
                // Not a streamed format: undo the source just begun, import whole at the end.
                builder.rollback(checkpoint);
                self.builder = Some(builder);
                self.mode = Mode::Whole;
                return;
            }
        };
        let envelope = Envelope::new(parser.paths(), bom)
            .with_nested(parser.nested())
            .offering_sub_items(parser.reads_sub_items());
        self.mode = Mode::Split(Box::new(envelope));
        self.stream = Some(Stream {
            parser,
            format,
            checkpoint,
            warnings_before,
            doc_items: 0,
            docs_without_spans: 0,
            reordered: false,
            failure: None,
            sub_wait: 0,
        });
    }

    // `advance` runs once per element, so V8 optimizes it early; what it does once per trace object
    // or document is kept out of it, to keep it small to optimize (see `worker/src/request.rs`).
    fn advance(&mut self) {
        let StreamingImport { mode, stream, bytes, dropped, file, bounded, ended, .. } = self;
        let (Mode::Split(env), Some(stream)) = (mode, stream.as_mut()) else { return };
        while stream.failure.is_none() {
            let Some(event) = env.next(bytes) else { break };
            let result = match event {
                Event::Item(item) => {
                    let index = stream.doc_items;
                    stream.doc_items += 1;
                    let offset = *dropped + item.start as u64;
                    match bytes.get(item.start..item.end) {
                        Some(b) => stream.parser.item(b, index, offset, file, stream.format),
                        None => Err(lost_element(file, offset)),
                    }
                }
                Event::SubStart { start } => {
                    let rest = bytes.get(start..).unwrap_or(&[]);
                    if !*ended && rest.len() < stream.sub_wait {
                        break;
                    }
                    match stream.parser.try_sub_item(rest) {
                        SpanRead::Read(n) => {
                            stream.sub_wait = 0;
                            env.sub_item_read(bytes, start + n);
                        }
                        SpanRead::NeedMore if !*ended && rest.len() < SUB_READ_MAX_BYTES => {
                            stream.sub_wait = rest.len() * 2;
                            break;
                        }
                        SpanRead::NeedMore | SpanRead::Unusual => {
                            stream.sub_wait = 0;
                            env.scan_sub_item();
                        }
                    }
                    Ok(())
                }
                Event::SubItem(item) => {
                    let offset = *dropped + item.start as u64;
                    match bytes.get(item.start..item.end) {
                        Some(b) => stream.parser.sub_item(b, offset, file, stream.format),
                        None => Err(lost_element(file, offset)),
                    }
                }
                Event::ItemEnd { end, .. } => stream.item_end(env, *dropped + end as u64, file),
                Event::DocumentEnd { end } => stream.document_end(env, *dropped + end as u64, file),
            };
            if let Err(e) = result {
                stream.failure = Some(e);
            }
        }
        if *bounded {
            let keep = env.keep_from().min(bytes.len());
            if keep > 0 && (keep >= COMPACT_BYTES || keep * 2 >= bytes.len()) {
                bytes.drain(..keep);
                *dropped += keep as u64;
                env.shift(keep);
            }
        }
    }
}

#[cold]
#[inline(never)]
fn lost_element(file: &str, offset: u64) -> ImportError {
    ImportError::new(file, "", Position::Byte(offset), "internal error: lost an element")
}
