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
    /// Spans were reported without a duration, so their end is unknown; they are shown at their
    /// start and left out of durations. One warning per file, counting them.
    MissingDuration,
    /// Span ids written as text that is not hex (`span-A`, `root`): each was given a stable 64-bit
    /// id and keeps its text for display and output. One warning per file, counting them.
    TextSpanId,
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
            WarningKind::MissingDuration => "missing_duration",
            WarningKind::TextSpanId => "text_span_id",
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
        matches!(self, WarningKind::SharedSpanMerged | WarningKind::TextSpanId)
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
            WarningKind::MissingDuration => "Missing duration (end unknown)",
            WarningKind::TextSpanId => "Span ids that are not hex",
            _ => "Other",
        }
    }
}

/// Counts the spans of one file that were read without a duration, so an importer raises one
/// [`WarningKind::MissingDuration`] warning per file rather than one per span (the SmartThings
/// capture alone has 91): the count is what the user needs, and each span shows its own badge.
#[derive(Clone, Debug, Default)]
pub struct MissingDurations {
    count: u64,
    /// The first such span, and whether every one is in its trace: then the warning names the
    /// trace (and the span, when there is only one) so it shows on that trace's page.
    first: Option<(TraceId, SpanId)>,
    one_trace: bool,
}

impl MissingDurations {
    pub fn note(&mut self, trace_id: TraceId, span_id: SpanId) {
        self.count += 1;
        match self.first {
            None => {
                self.first = Some((trace_id, span_id));
                self.one_trace = true;
            }
            Some((t, _)) => self.one_trace &= t == trace_id,
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The file's warning, `None` when every span had a duration. `detail` is appended to the
    /// message (e.g. how many records merged into these spans).
    pub fn warning(&self, detail: Option<&str>) -> Option<Warning> {
        let (trace_id, span_id) = self.first?;
        let mut message = if self.count == 1 {
            format!(
                "span {span_id} has no duration (its end is unknown); it is shown at its start and left out of durations"
            )
        } else {
            format!(
                "{} spans have no duration (their end is unknown); they are shown at their start and left out of durations",
                self.count
            )
        };
        if let Some(detail) = detail {
            message.push(' ');
            message.push_str(detail);
        }
        let mut warning = Warning::new(WarningKind::MissingDuration, message);
        if self.one_trace {
            warning = warning.with_trace(trace_id);
        }
        if self.count == 1 {
            warning = warning.with_span(span_id);
        }
        Some(warning)
    }
}
