//! Traces and the set of everything loaded.

use crate::ids::TraceId;
use crate::interner::{Interner, Sym};
use crate::span::{Resource, Scope, Span};
use crate::sym_slots::SymSlots;
use crate::tree::Tree;
use crate::warnings::{Warning, WarningKind};
use serde::{Deserialize, Serialize};

/// One trace: its spans in an arena and the tree over them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub trace_id: TraceId,
    /// Width in bytes the id was written with (8 or 16), to print it back as read.
    pub trace_id_width_bytes: u8,
    pub spans: Vec<Span>,
    pub tree: Tree,
    /// Earliest span start and latest known instant: the latest end of a span whose end is known, or
    /// the start of an incomplete span if that is later. An incomplete span's start is a recorded
    /// instant (the trace was running then), its end is not, so only the start counts, as in
    /// Zipkin's UI (zipkin-lens `addTimestamps`).
    pub start_nanos: i64,
    pub end_nanos: i64,
}

impl Trace {
    /// Builds the tree and reports structural problems (orphans, duplicates, cycles, clock skew).
    /// The warnings carry this trace's id and span indices.
    pub fn new(trace_id: TraceId, trace_id_width_bytes: u8, spans: Vec<Span>, warnings: &mut Vec<Warning>) -> Trace {
        let first_new = warnings.len();
        let tree = Tree::build(&spans, warnings);
        report_clock_skew(&spans, &tree, warnings);
        for w in &mut warnings[first_new..] {
            w.trace_id = Some(trace_id);
        }
        let start_nanos = spans.iter().map(|s| s.start_nanos).min().unwrap_or(0);
        // `end_nanos` of an incomplete span is its start, which is exactly what may count.
        let end_nanos = spans.iter().map(Span::end_nanos).max().unwrap_or(0);
        Trace { trace_id, trace_id_width_bytes, spans, tree, start_nanos, end_nanos }
    }

    pub fn duration_nanos(&self) -> i64 {
        self.end_nanos.saturating_sub(self.start_nanos)
    }

    pub fn trace_id_hex(&self) -> String {
        self.trace_id.to_hex(self.trace_id_width_bytes)
    }

    /// The root that represents the trace: the earliest true root, else the earliest orphan.
    pub fn root_span(&self) -> Option<&Span> {
        let tree = &self.tree;
        let true_root = tree.roots.iter().find(|&&r| !tree.missing_parent.get(r as usize).copied().unwrap_or(false));
        true_root.or(tree.roots.first()).and_then(|&r| self.spans.get(r as usize))
    }

    pub fn error_count(&self) -> usize {
        self.spans.iter().filter(|s| s.is_error()).count()
    }

    /// Distinct services, in order of first appearance (numbered by [`SymSlots`], not a hash per
    /// span: a million spans, natively, 14–15 → 10 ms).
    pub fn services(&self) -> Vec<Sym> {
        let mut slots = SymSlots::default();
        self.spans.iter().map(|s| s.service).filter(|&service| slots.slot(service).1).collect()
    }

    /// Spans whose parent is named but not loaded.
    pub fn orphan_count(&self) -> usize {
        self.tree.missing_parent.iter().filter(|&&m| m).count()
    }
}

fn report_clock_skew(spans: &[Span], tree: &Tree, warnings: &mut Vec<Warning>) {
    for (i, span) in spans.iter().enumerate() {
        let Some(p) = tree.parent_of(i as u32) else {
            continue;
        };
        let parent = &spans[p as usize];
        let before = parent.start_nanos.saturating_sub(span.start_nanos);
        // An unknown end cannot be late or early: only compare ends that are both known.
        let after = match (span.known_end_nanos(), parent.known_end_nanos()) {
            (Some(end), Some(parent_end)) => end.saturating_sub(parent_end),
            _ => 0,
        };
        if before <= 0 && after <= 0 {
            continue;
        }
        let what = if before > 0 {
            format!("starts {} before", crate::format_duration(before))
        } else {
            format!("ends {} after", crate::format_duration(after))
        };
        warnings.push(Warning {
            span_index: Some(i as u32),
            ..Warning::new(
                WarningKind::ClockSkew,
                format!("span {} {what} its parent {}; times are shown as recorded", span.span_id, parent.span_id),
            )
            .with_span(span.span_id)
        });
    }
}

/// Where loaded spans came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// File name or URL (never with credentials).
    pub name: String,
    /// Detected format, e.g. `otlp-json`.
    pub format: String,
    pub bytes: u64,
    /// Span objects read from the source before any merging.
    pub span_records: u64,
}

/// Everything loaded: traces, shared strings, resources, scopes and warnings. This is the unit that
/// moves from the parsing worker to the UI, so it is plain serde data with no pointers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceSet {
    pub strings: Interner,
    pub resources: Vec<Resource>,
    pub scopes: Vec<Scope>,
    pub traces: Vec<Trace>,
    pub sources: Vec<SourceInfo>,
    pub warnings: Vec<Warning>,
    /// Original text of span ids that were not hex; see [`crate::ids::SpanIdTexts`].
    #[serde(default)]
    pub span_id_texts: crate::ids::SpanIdTexts,
}

impl PartialEq for Interner {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a.1 == b.1)
    }
}

impl TraceSet {
    pub fn span_count(&self) -> usize {
        self.traces.iter().map(|t| t.spans.len()).sum()
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        self.strings.resolve(sym)
    }

    pub fn resource(&self, span: &Span) -> Option<&Resource> {
        self.resources.get(span.resource.0 as usize)
    }

    pub fn scope(&self, span: &Span) -> Option<&Scope> {
        self.scopes.get(span.scope.0 as usize)
    }

    /// The text a span id was written as, when it was not hex (`span-A`).
    pub fn span_id_text(&self, id: crate::SpanId) -> Option<&str> {
        self.span_id_texts.get(id)
    }

    /// A span id as the input wrote it: its original text, else 16 hex digits.
    pub fn span_id_display(&self, id: crate::SpanId) -> String {
        self.span_id_text(id).map_or_else(|| id.to_hex(), str::to_owned)
    }

    pub fn trace_by_id(&self, trace_id: TraceId) -> Option<&Trace> {
        self.traces.iter().find(|t| t.trace_id == trace_id)
    }

    /// Warnings about one trace, in the order found.
    pub fn warnings_for(&self, trace_id: TraceId) -> impl Iterator<Item = &Warning> {
        self.warnings.iter().filter(move |w| w.trace_id == Some(trace_id))
    }

    /// What a trace's page counts: its own warnings and those about the input as a whole (a body
    /// cut short, unreadable ids), which concern every trace read from it.
    pub fn warnings_concerning(&self, trace_id: TraceId) -> impl Iterator<Item = &Warning> {
        self.warnings.iter().filter(move |w| w.trace_id.is_none_or(|t| t == trace_id))
    }

    /// Warning counts by kind, sorted by kind.
    pub fn warning_counts(&self) -> Vec<(WarningKind, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for w in &self.warnings {
            *counts.entry(w.kind).or_insert(0usize) += 1;
        }
        counts.into_iter().collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::interner::Interner;
    use crate::{SpanId, TraceId};

    #[test]
    fn a_trace_is_concerned_by_its_own_warnings_and_the_inputs() {
        use crate::TraceSetBuilder;
        use crate::warnings::{Warning, WarningKind};
        let mut b = TraceSetBuilder::new();
        let name = b.intern("op");
        b.push_span(TraceId(1), 8, Span::new(SpanId(1), name, name, 0, 1));
        b.push_span(TraceId(2), 8, Span::new(SpanId(2), name, name, 0, 1));
        b.warn(Warning::new(WarningKind::Truncated, "the body ends early".to_owned()));
        b.warn(Warning::new(WarningKind::Other, "about trace 2".to_owned()).with_trace(TraceId(2)));
        let set = b.finish();
        let messages = |t: u128| set.warnings_concerning(TraceId(t)).map(|w| w.message.as_str()).collect::<Vec<_>>();
        assert_eq!(messages(1), vec!["the body ends early"]);
        assert_eq!(messages(2), vec!["the body ends early", "about trace 2"]);
        assert_eq!(set.warnings_for(TraceId(1)).count(), 0);
    }

    #[test]
    fn services_are_distinct_in_order_of_first_appearance() {
        use crate::TraceSetBuilder;
        let mut b = TraceSetBuilder::new();
        let names: Vec<Sym> = ["op", "cart", "front", "db"].iter().map(|n| b.intern(n)).collect();
        // Interned in another order than they appear: "db" (the highest index) first.
        for (i, svc) in [3, 1, 3, 2, 1, 3].into_iter().enumerate() {
            b.push_span(TraceId(1), 8, Span::new(SpanId(i as u64 + 1), names[0], names[svc], 0, 1));
        }
        let set = b.finish();
        assert_eq!(set.traces[0].services(), vec![names[3], names[1], names[2]]);
    }

    #[test]
    fn incomplete_spans_count_by_their_start_only() {
        let mut strings = Interner::default();
        let (name, svc) = (strings.intern("op"), strings.intern("svc"));
        let root = Span::new(SpanId(1), name, svc, 1_000, 500);
        // A child whose end is unknown, flushed long after: its start counts, nothing after it.
        let mut child = Span::new_incomplete(SpanId(2), name, svc, 1_200);
        child.parent_span_id = Some(SpanId(1));
        // An incomplete span starting after every known end extends the trace to its start.
        let mut late = Span::new_incomplete(SpanId(3), name, svc, 1_800);
        late.parent_span_id = Some(SpanId(1));
        let mut warnings = Vec::new();
        let t = Trace::new(TraceId(7), 8, vec![root, child.clone()], &mut warnings);
        assert_eq!((t.start_nanos, t.end_nanos, t.duration_nanos()), (1_000, 1_500, 500));
        assert!(warnings.is_empty(), "an unknown end is not clock skew: {warnings:?}");
        assert_eq!(child.known_duration_nanos(), None);
        assert_eq!(child.known_end_nanos(), None);
        assert!(child.is_incomplete() && !child.end_known());
        let t = Trace::new(TraceId(7), 8, vec![t.spans[0].clone(), child, late], &mut warnings);
        assert_eq!((t.start_nanos, t.end_nanos), (1_000, 1_800));
    }
}
