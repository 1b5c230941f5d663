//! Spans and their parts.

use crate::ids::{SpanId, TraceId};
use crate::interner::Sym;
use crate::value::Attribute;
use serde::{Deserialize, Serialize};

/// OTLP span kind. Jaeger's and Zipkin's `span.kind` tags map onto it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SpanKind {
    #[default]
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }
}

/// OTLP status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum StatusCode {
    #[default]
    Unset,
    Ok,
    Error,
}

impl StatusCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusCode::Unset => "unset",
            StatusCode::Ok => "ok",
            StatusCode::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Status {
    pub code: StatusCode,
    pub message: Option<Sym>,
}

/// A timestamped annotation on a span (OTLP event, Jaeger log, Zipkin annotation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub time_nanos: i64,
    pub name: Sym,
    pub attributes: Box<[Attribute]>,
    pub dropped_attributes_count: u32,
}

/// A link to another span, possibly in another trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub trace_state: Option<Sym>,
    pub attributes: Box<[Attribute]>,
    pub dropped_attributes_count: u32,
    pub flags: u32,
}

/// Index into [`crate::TraceSet::resources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct ResourceIdx(pub u32);

/// Index into [`crate::TraceSet::scopes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct ScopeIdx(pub u32);

/// Index into [`crate::TraceSet::sources`]: which file (or backend response) a span came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct SourceIdx(pub u32);

/// The process that emitted spans: OTLP resource, Jaeger process, Zipkin endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// `service.name`, or `unknown_service` when absent (the OTel SDK default).
    pub service: Sym,
    pub attributes: Box<[Attribute]>,
    pub dropped_attributes_count: u32,
}

/// The instrumentation library that produced spans.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    pub name: Sym,
    pub version: Option<Sym>,
    pub attributes: Box<[Attribute]>,
}

/// Counts of parts the producer dropped before export; shown so users know data is incomplete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DroppedCounts {
    pub attributes: u32,
    pub events: u32,
    pub links: u32,
}

/// One span. Lives in [`crate::Trace::spans`] and is addressed by its index there; the tree structure
/// is kept beside it in [`crate::Tree`] rather than as pointers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub span_id: SpanId,
    pub parent_span_id: Option<SpanId>,
    pub start_nanos: i64,
    /// Zero when [`Self::incomplete`].
    pub duration_nanos: i64,
    /// The span's end is unknown: the producer reported it without a duration (a Zipkin span with no
    /// `duration`, e.g. one flushed by `brave.flush` before it finished; an OTLP span without an end
    /// time). Such a span is shown as a marker at its start, and it contributes nothing to durations,
    /// self times, statistics or the critical path: any end we made up (from annotations, from the
    /// flush time) would be a guess drawn as fact. Zipkin's UI does the same (zipkin-lens `trace.js`:
    /// a span without duration adds only its timestamp to the trace's extent and gets no duration
    /// string and a minimal width).
    pub incomplete: bool,
    pub name: Sym,
    /// Copied from the resource because nearly every view and query needs it.
    pub service: Sym,
    pub resource: ResourceIdx,
    pub scope: ScopeIdx,
    pub source: SourceIdx,
    pub kind: SpanKind,
    pub status: Status,
    pub trace_state: Option<Sym>,
    pub flags: u32,
    pub attributes: Box<[Attribute]>,
    pub events: Box<[Event]>,
    pub links: Box<[Link]>,
    pub dropped: DroppedCounts,
}

impl Span {
    /// A span with the given identity and timing and everything else empty.
    pub fn new(span_id: SpanId, name: Sym, service: Sym, start_nanos: i64, duration_nanos: i64) -> Self {
        Span {
            span_id,
            parent_span_id: None,
            start_nanos,
            duration_nanos,
            incomplete: false,
            name,
            service,
            resource: ResourceIdx::default(),
            scope: ScopeIdx::default(),
            source: SourceIdx::default(),
            kind: SpanKind::Unspecified,
            status: Status::default(),
            trace_state: None,
            flags: 0,
            attributes: Box::default(),
            events: Box::default(),
            links: Box::default(),
            dropped: DroppedCounts::default(),
        }
    }

    /// A span at `start_nanos` whose end is unknown (see [`Self::incomplete`]).
    pub fn new_incomplete(span_id: SpanId, name: Sym, service: Sym, start_nanos: i64) -> Self {
        Span { incomplete: true, ..Span::new(span_id, name, service, start_nanos, 0) }
    }

    /// Marks the end as unknown, dropping any duration (see [`Self::incomplete`]).
    pub fn mark_incomplete(&mut self) {
        self.incomplete = true;
        self.duration_nanos = 0;
    }

    pub fn is_incomplete(&self) -> bool {
        self.incomplete
    }

    /// True when the span's end is known (the usual case).
    pub fn end_known(&self) -> bool {
        !self.incomplete
    }

    /// The duration, or `None` when the end is unknown; statistics use this so an incomplete span
    /// cannot count as a zero-length one.
    pub fn known_duration_nanos(&self) -> Option<i64> {
        if self.incomplete { None } else { Some(self.duration_nanos) }
    }

    /// End time; saturates instead of overflowing on hostile timestamps. For an incomplete span this
    /// is its start (it is drawn as a marker there); use [`Self::known_end_nanos`] where an unknown
    /// end must not count.
    pub fn end_nanos(&self) -> i64 {
        if self.incomplete { self.start_nanos } else { self.start_nanos.saturating_add(self.duration_nanos) }
    }

    /// The end time, or `None` when it is unknown.
    pub fn known_end_nanos(&self) -> Option<i64> {
        if self.incomplete { None } else { Some(self.end_nanos()) }
    }

    pub fn is_error(&self) -> bool {
        self.status.code == StatusCode::Error
    }

    /// The span's own attribute with this key.
    pub fn attribute(&self, key: Sym) -> Option<&crate::AnyValue> {
        self.attributes.iter().find(|a| a.key == key).map(|a| &a.value)
    }
}
