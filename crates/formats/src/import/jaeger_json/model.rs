//! What the reader keeps between reading a Jaeger object and converting it: tags as read, processes
//! (converted once per distinct process), and spans waiting for their trace's `processes` map.

use crate::import::json_scalar::Scalar;
use spanlens_model::ids::{SpanId, TraceId};
use spanlens_model::span::Span;
use spanlens_model::warnings::WarningKind;
use std::borrow::Cow;
use std::collections::HashMap;

/// A tag in either spelling: `{key, type, value}` or `{key, vType, vStr|vBool|vInt64|vFloat64|vBinary}`.
/// JSON `null` members are `None`.
#[derive(Default)]
pub struct Tag<'a> {
    pub key: Option<Scalar<'a>>,
    pub ty: Option<Scalar<'a>>,
    pub value: Option<Scalar<'a>>,
    pub v_str: Option<Scalar<'a>>,
    pub v_bool: Option<Scalar<'a>>,
    pub v_int64: Option<Scalar<'a>>,
    pub v_float64: Option<Scalar<'a>>,
    pub v_binary: Option<Scalar<'a>>,
}

impl<'a> Tag<'a> {
    /// Where a tag object's member goes, by its key in either spelling; `None` for members a tag
    /// does not have (they are skipped). Both readers (serde's and the byte-level one) use it.
    pub fn slot(&mut self, key: &[u8]) -> Option<&mut Option<Scalar<'a>>> {
        Some(match key {
            b"key" => &mut self.key,
            b"type" | b"vType" | b"v_type" => &mut self.ty,
            b"value" => &mut self.value,
            b"vStr" | b"v_str" => &mut self.v_str,
            b"vBool" | b"v_bool" => &mut self.v_bool,
            b"vInt64" | b"v_int64" => &mut self.v_int64,
            b"vFloat64" | b"v_float64" => &mut self.v_float64,
            b"vBinary" | b"v_binary" => &mut self.v_binary,
            _ => return None,
        })
    }
}

/// A reference object's members as read (JSON `null` is `None`).
#[derive(Default)]
pub struct RefFields<'a> {
    pub ref_type: Option<Scalar<'a>>,
    pub trace_id: Option<Scalar<'a>>,
    pub span_id: Option<Scalar<'a>>,
}

impl<'a> RefFields<'a> {
    /// Where a reference object's member goes; `None` for others (skipped). See [`Tag::slot`].
    pub fn slot(&mut self, key: &[u8]) -> Option<&mut Option<Scalar<'a>>> {
        Some(match key {
            b"refType" | b"ref_type" => &mut self.ref_type,
            b"traceID" | b"traceId" | b"trace_id" => &mut self.trace_id,
            b"spanID" | b"spanId" | b"span_id" => &mut self.span_id,
            _ => return None,
        })
    }
}

/// A process as read. Its resource is made when a span first needs it, so resources keep the order in
/// which spans (and the `processes` map) introduce them.
pub struct ProcessDraft<'a> {
    pub service: Option<Cow<'a, str>>,
    pub tags: Vec<Tag<'a>>,
    /// Service and tags as text: equal keys are one resource.
    pub key: String,
}

/// Where a problem found while reading a span belongs in its list of warnings: they are emitted in
/// field order (as the conversion of a whole span object did), whatever the key order in the file.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    TraceId,
    TraceMissing,
    SpanId,
    StartTime,
    Duration,
    References,
    Parent,
    Tags,
    Logs,
    Warnings,
}

/// A reference as read: (its trace id if given, span id, `FOLLOWS_FROM`). The trace id is kept as
/// two halves so that a span's list of references is 8-byte aligned: wasm32's allocator serves
/// 16-byte alignment (a `u128`) through its much slower `memalign`, and most spans have a reference.
pub type RefDraft = (Option<[u64; 2]>, SpanId, bool);

/// A trace id as a [`RefDraft`] keeps it.
pub fn trace_halves(id: TraceId) -> [u64; 2] {
    [(id.0 >> 64) as u64, id.0 as u64]
}

/// The trace id of [`trace_halves`].
pub fn trace_of_halves([high, low]: [u64; 2]) -> TraceId {
    TraceId(u128::from(high) << 64 | u128::from(low))
}

/// A span's `processID`: as read, or (a span adopted from a streamed trace object) an index into
/// [`Doc::process_ids`], so that the ids repeated on every span are not copied for each.
pub enum ProcessId<'a> {
    Text(Cow<'a, str>),
    Listed(usize),
}

/// A span read and converted except for what depends on the rest of its trace object: its resource
/// (`processID` may name a process listed after the spans), and, when it has no `traceID` of its own,
/// its trace id and with it which reference is the parent.
pub struct Draft<'a> {
    pub span: Span,
    /// The span's own `traceID`, when readable.
    pub trace: Option<(u128, u8)>,
    pub span_id_seen: bool,
    /// References as (trace id if given, span id, `FOLLOWS_FROM`).
    pub refs: Vec<RefDraft>,
    /// `parentSpanID`, used when no reference names the parent; its problem is reported only then.
    pub parent: Option<(Option<SpanId>, Option<String>)>,
    pub process_id: Option<ProcessId<'a>>,
    /// Index of the span's embedded `process` in [`Doc::processes`].
    pub process: Option<usize>,
    pub problems: Vec<(Rank, WarningKind, String)>,
}

/// One trace object (or envelope) being read: its spans wait here until the object ends.
#[derive(Default)]
pub struct Doc<'a> {
    /// The trace object's own `traceID`, for spans without one.
    pub trace_id: Option<(u128, u8)>,
    /// Pending spans in chunks, so that each chunk is freed as soon as its spans are in the builder
    /// (a trace of a million spans would otherwise hold both copies at once).
    pub drafts: Vec<Vec<Draft<'a>>>,
    /// Distinct processes seen in this object (map entries, `process` members, embedded processes).
    pub processes: Vec<ProcessDraft<'a>>,
    by_key: HashMap<String, usize>,
    /// `processes` entries, then `processMap` entries: (process id, index into `processes`).
    pub map: Vec<(Cow<'a, str>, usize)>,
    pub process_map: Vec<(Cow<'a, str>, usize)>,
    /// A `Batch`'s (or bare span's) own `process`.
    pub own_process: Option<usize>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
    /// The distinct `processID`s of the spans adopted into this object (see [`ProcessId::Listed`]).
    pub process_ids: Vec<String>,
}

/// Spans per chunk of [`Doc::drafts`].
const CHUNK: usize = 1024;

impl<'a> Doc<'a> {
    pub fn push_draft(&mut self, draft: Draft<'a>) {
        match self.drafts.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(draft),
            _ => {
                let mut chunk = Vec::with_capacity(if self.drafts.is_empty() { 4 } else { CHUNK });
                chunk.push(draft);
                self.drafts.push(chunk);
            }
        }
    }

    pub fn add_process(&mut self, process: ProcessDraft<'a>) -> usize {
        if let Some(&i) = self.by_key.get(&process.key) {
            return i;
        }
        self.by_key.insert(process.key.clone(), self.processes.len());
        self.processes.push(process);
        self.processes.len() - 1
    }
}

fn owned_str(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

impl Tag<'_> {
    fn into_owned(self) -> Tag<'static> {
        let own = |s: Option<Scalar<'_>>| s.map(Scalar::into_owned);
        Tag {
            key: own(self.key),
            ty: own(self.ty),
            value: own(self.value),
            v_str: own(self.v_str),
            v_bool: own(self.v_bool),
            v_int64: own(self.v_int64),
            v_float64: own(self.v_float64),
            v_binary: own(self.v_binary),
        }
    }
}

impl ProcessDraft<'_> {
    fn into_owned(self) -> ProcessDraft<'static> {
        ProcessDraft {
            service: self.service.map(owned_str),
            tags: self.tags.into_iter().map(Tag::into_owned).collect(),
            key: self.key,
        }
    }
}

impl Doc<'static> {
    /// Takes over a span of this trace object read from bytes that are about to be dropped (the
    /// streaming import reads a trace's `spans` one element at a time): what it borrows is copied,
    /// and its own `process` (an index into `processes`, read with it) joins this object's.
    pub fn adopt(&mut self, draft: Draft<'_>, processes: Vec<ProcessDraft<'_>>) {
        let Draft { span, trace, span_id_seen, refs, parent, process_id, process, problems } = draft;
        // Process indices only name processes within one object; equal processes stay one entry.
        let process = process.and_then(|i| processes.into_iter().nth(i)).map(|p| self.add_process(p.into_owned()));
        let process_id = process_id.map(|id| self.listed_process_id(id));
        self.push_draft(Draft { span, trace, span_id_seen, refs, parent, process_id, process, problems });
    }

    fn listed_process_id(&mut self, id: ProcessId<'_>) -> ProcessId<'static> {
        let text = match id {
            ProcessId::Text(text) => text,
            // Only spans adopted here carry an index, and only into this object's list.
            ProcessId::Listed(i) => Cow::Owned(self.process_ids.get(i).cloned().unwrap_or_default()),
        };
        // A trace has a few processes: the last one used is usually the one wanted.
        let found = match self.process_ids.last() {
            Some(last) if *last == *text => Some(self.process_ids.len() - 1),
            _ => self.process_ids.iter().position(|p| *p == *text),
        };
        ProcessId::Listed(found.unwrap_or_else(|| {
            self.process_ids.push(text.into_owned());
            self.process_ids.len() - 1
        }))
    }

    /// Spans waiting for their trace object to end.
    pub fn pending_spans(&self) -> usize {
        self.drafts.iter().map(Vec::len).sum()
    }
}
