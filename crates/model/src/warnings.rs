//! Structured warnings: partial problems in the data that the user must be told about.
//!
//! Importers and normalization never drop data silently. Anything odd becomes a [`Warning`] with a
//! kind (for counting and filtering), the span it concerns (for the span panel) and a message.

use crate::ids::{SpanId, TraceId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// The span names a parent that is not loaded; it is shown as a root marked "missing parent".
    MissingParent,
    /// Two spans of one trace share a span id; both are kept.
    DuplicateSpanId,
    /// Parent links formed a cycle; one link was cut to make a tree.
    Cycle,
    /// A child starts before or ends after its parent.
    ClockSkew,
    /// Zipkin client and server halves sharing one id were merged, as Zipkin's UI does.
    SharedSpanMerged,
    /// A Chrome `B` event without its `E`; the slice was closed at the end of its thread.
    UnclosedSlice,
    /// A value had the wrong type or range and was replaced or skipped; the message says which.
    InvalidValue,
    /// The file ended early but what was read is kept.
    Truncated,
    /// A span has a negative duration or an end before its start.
    NegativeDuration,
    /// Anything else worth telling.
    Other,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::MissingParent => "missing_parent",
            WarningKind::DuplicateSpanId => "duplicate_span_id",
            WarningKind::Cycle => "cycle",
            WarningKind::ClockSkew => "clock_skew",
            WarningKind::SharedSpanMerged => "shared_span_merged",
            WarningKind::UnclosedSlice => "unclosed_slice",
            WarningKind::InvalidValue => "invalid_value",
            WarningKind::Truncated => "truncated",
            WarningKind::NegativeDuration => "negative_duration",
            WarningKind::Other => "other",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// The trace concerned, when known.
    pub trace_id: Option<TraceId>,
    /// The span concerned, when known.
    pub span_id: Option<SpanId>,
    /// Index of the span in its trace's `spans`, filled in once the trace is built.
    pub span_index: Option<u32>,
    /// The file or response the problem was found in.
    pub source: Option<String>,
    pub message: String,
}

impl Warning {
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Warning { kind, trace_id: None, span_id: None, span_index: None, source: None, message: message.into() }
    }

    pub fn with_trace(mut self, trace_id: TraceId) -> Self {
        self.trace_id = Some(trace_id);
        self
    }

    pub fn with_span(mut self, span_id: SpanId) -> Self {
        self.span_id = Some(span_id);
        self
    }

    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }
}

impl WarningKind {
    /// Routine events worth recording but not worth an alarm: Zipkin's client and server halves of
    /// one call are merged in every Zipkin trace. Badges count only the other kinds.
    pub fn is_informational(self) -> bool {
        matches!(self, WarningKind::SharedSpanMerged)
    }

    /// A heading for a group of warnings of this kind.
    pub fn title(self) -> &'static str {
        match self {
            WarningKind::MissingParent => "Missing parent",
            WarningKind::DuplicateSpanId => "Duplicate span id",
            WarningKind::Cycle => "Parent cycle",
            WarningKind::ClockSkew => "Clock skew",
            WarningKind::SharedSpanMerged => "Client and server halves merged",
            WarningKind::UnclosedSlice => "Unclosed slice",
            WarningKind::InvalidValue => "Invalid value",
            WarningKind::Truncated => "Truncated file",
            WarningKind::NegativeDuration => "Negative duration",
            _ => "Other",
        }
    }
}
