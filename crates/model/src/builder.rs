//! Accumulates spans from one or more sources and turns them into a [`TraceSet`].
//!
//! Importers push spans as they read them; spans of one trace arriving from several files are
//! stitched together here, because grouping happens by trace id across every source.

use crate::ids::{SpanId, TraceId};
use crate::interner::{Interner, Sym};
use crate::span::{Resource, ResourceIdx, Scope, ScopeIdx, SourceIdx, Span};
use crate::trace::{SourceInfo, Trace, TraceSet};
use crate::warnings::Warning;
use std::collections::HashMap;

/// The builder's extent at one moment; see [`TraceSetBuilder::checkpoint`].
#[derive(Clone, Copy, Debug)]
pub struct Checkpoint {
    strings: usize,
    traces: usize,
    resources: usize,
    scopes: usize,
    sources: usize,
    warnings: usize,
    span_id_texts: usize,
    current_source: SourceIdx,
}

struct PendingTrace {
    trace_id: TraceId,
    width_bytes: u8,
    spans: Vec<Span>,
}

/// See the module docs. Typical use: `let mut b = TraceSetBuilder::new(); import(bytes, name, &mut b)?;
/// … ; let set = b.finish();`.
#[derive(Default)]
pub struct TraceSetBuilder {
    strings: Interner,
    resources: Vec<Resource>,
    scopes: Vec<Scope>,
    sources: Vec<SourceInfo>,
    warnings: Vec<Warning>,
    traces: Vec<PendingTrace>,
    trace_index: HashMap<TraceId, usize, foldhash::fast::FixedState>,
    /// The trace the last span went to: spans of one trace usually arrive together.
    last_trace: Option<(TraceId, usize)>,
    current_source: SourceIdx,
    /// Bumped by every rollback, so an [`crate::absorb::AbsorbContext`] knows its remembered
    /// indices may point past what the rollback kept.
    rollbacks: u64,
    span_id_texts: crate::ids::SpanIdTexts,
    /// Text span ids met since the last [`Self::warn_text_span_ids`], and the first of them.
    file_text_ids: std::collections::HashSet<u64>,
    first_text_id: Option<String>,
}

impl TraceSetBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn intern(&mut self, text: &str) -> Sym {
        self.strings.intern(text)
    }

    /// Interns text given as bytes; `None` when they are not UTF-8. See [`Interner::intern_bytes`].
    #[inline]
    pub fn intern_bytes(&mut self, bytes: &[u8]) -> Option<Sym> {
        self.strings.intern_bytes(bytes)
    }

    pub fn strings(&self) -> &Interner {
        &self.strings
    }

    /// Starts a new source (file or response); spans pushed afterwards are attributed to it.
    pub fn begin_source(&mut self, name: &str, format: &str, bytes: u64) -> SourceIdx {
        let idx = SourceIdx(u32::try_from(self.sources.len()).unwrap_or(u32::MAX));
        self.sources.push(SourceInfo { name: name.to_owned(), format: format.to_owned(), bytes, span_records: 0 });
        self.current_source = idx;
        idx
    }

    /// Adds a source without making it current: an importer may be mid-file when a trace from another
    /// set is absorbed. A current source that pointed at nothing keeps pointing at nothing.
    pub(crate) fn add_source_quietly(&mut self, info: SourceInfo) -> SourceIdx {
        if self.current_source.0 as usize >= self.sources.len() {
            self.current_source = SourceIdx(u32::MAX);
        }
        let idx = SourceIdx(u32::try_from(self.sources.len()).unwrap_or(u32::MAX));
        self.sources.push(info);
        idx
    }

    /// Number of rollbacks so far; see the `rollbacks` field.
    pub(crate) fn rollback_count(&self) -> u64 {
        self.rollbacks
    }

    /// Records a warning exactly as given (absorbed warnings already name their source).
    pub(crate) fn push_warning_as_is(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }

    /// Corrects the current source's detected format once the importer knows it precisely.
    pub fn set_source_format(&mut self, format: &str) {
        if let Some(s) = self.sources.get_mut(self.current_source.0 as usize) {
            format.clone_into(&mut s.format);
        }
    }

    /// Sets the current source's size once it is known (a streamed file is sized at its end).
    pub fn set_source_bytes(&mut self, bytes: u64) {
        if let Some(s) = self.sources.get_mut(self.current_source.0 as usize) {
            s.bytes = bytes;
        }
    }

    pub fn add_resource(&mut self, resource: Resource) -> ResourceIdx {
        self.resources.push(resource);
        ResourceIdx(u32::try_from(self.resources.len() - 1).unwrap_or(u32::MAX))
    }

    pub fn add_scope(&mut self, scope: Scope) -> ScopeIdx {
        self.scopes.push(scope);
        ScopeIdx(u32::try_from(self.scopes.len() - 1).unwrap_or(u32::MAX))
    }

    pub fn resource(&self, idx: ResourceIdx) -> Option<&Resource> {
        self.resources.get(idx.0 as usize)
    }

    /// Adds a span to its trace. `width_bytes` is the width the trace id was written with; the widest
    /// seen wins. The span's `source` is set to the current source.
    pub fn push_span(&mut self, trace_id: TraceId, width_bytes: u8, span: Span) {
        self.push_span_from(self.current_source, trace_id, width_bytes, span);
    }

    /// [`Self::push_span`] for a span that came from `source` rather than the current source
    /// (absorbing a trace from another set), counted as a record of that source.
    pub(crate) fn push_span_from(&mut self, source: SourceIdx, trace_id: TraceId, width_bytes: u8, mut span: Span) {
        span.source = source;
        if let Some(s) = self.sources.get_mut(source.0 as usize) {
            s.span_records += 1;
        }
        let slot = match self.last_trace {
            Some((id, slot)) if id == trace_id => slot,
            _ => {
                let slot = *self.trace_index.entry(trace_id).or_insert_with(|| {
                    self.traces.push(PendingTrace { trace_id, width_bytes, spans: Vec::new() });
                    self.traces.len() - 1
                });
                self.last_trace = Some((trace_id, slot));
                slot
            }
        };
        if let Some(t) = self.traces.get_mut(slot) {
            t.width_bytes = t.width_bytes.max(width_bytes);
            t.spans.push(span);
        }
    }

    /// Counts a span record that was read but merged into an already pushed span (Zipkin halves
    /// sharing an id), so `span_records` still reports what the file held.
    pub fn count_merged_record(&mut self) {
        if let Some(s) = self.sources.get_mut(self.current_source.0 as usize) {
            s.span_records += 1;
        }
    }

    /// Records a warning, tagged with the current source's name.
    pub fn warn(&mut self, mut warning: Warning) {
        if warning.source.is_none() {
            warning.source = self.sources.get(self.current_source.0 as usize).map(|s| s.name.clone());
        }
        self.warnings.push(warning);
    }

    /// Span records pushed so far for the current source.
    pub fn current_span_records(&self) -> u64 {
        self.sources.get(self.current_source.0 as usize).map_or(0, |s| s.span_records)
    }

    /// Warnings recorded so far (importer warnings; tree warnings are added by `finish`).
    pub fn warning_count(&self) -> usize {
        self.warnings.len()
    }

    pub fn span_count(&self) -> usize {
        self.traces.iter().map(|t| t.spans.len()).sum()
    }

    /// Marks the builder's current extent so that a failed import can be undone with [`Self::rollback`].
    /// Take it before `begin_source`: everything the next source adds comes after it.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            strings: self.strings.len(),
            traces: self.traces.len(),
            resources: self.resources.len(),
            scopes: self.scopes.len(),
            sources: self.sources.len(),
            warnings: self.warnings.len(),
            span_id_texts: self.span_id_texts.len(),
            current_source: self.current_source,
        }
    }

    /// Removes everything added since `checkpoint` (spans, traces, resources, scopes, sources,
    /// warnings, interned strings, text span ids), so a file that fails half-way contributes nothing and the
    /// symbols of the files after it do not depend on how far it got. Spans carry their source index and sources only grow, so the spans
    /// to drop are exactly the tail of each trace whose source is at or past the checkpoint.
    pub fn rollback(&mut self, checkpoint: Checkpoint) {
        let first_source = u32::try_from(checkpoint.sources).unwrap_or(u32::MAX);
        self.traces.truncate(checkpoint.traces);
        for trace in &mut self.traces {
            while trace.spans.last().is_some_and(|s| s.source.0 >= first_source) {
                trace.spans.pop();
            }
        }
        let kept = self.traces.len();
        self.trace_index.retain(|_, slot| *slot < kept);
        self.last_trace = None;
        self.resources.truncate(checkpoint.resources);
        self.scopes.truncate(checkpoint.scopes);
        self.sources.truncate(checkpoint.sources);
        self.warnings.truncate(checkpoint.warnings);
        self.strings.truncate(checkpoint.strings);
        self.current_source = checkpoint.current_source;
        self.rollbacks += 1;
        // Text ids allocated since go too: a salvage of the same file allocates its texts again in
        // the same order, so they get the same ids, and a file that fails leaves nothing behind
        // (a streamed attempt that read further than the whole import would otherwise leave more).
        self.span_id_texts.truncate(checkpoint.span_id_texts);
        self.file_text_ids.clear();
        self.first_text_id = None;
    }

    /// The id for a span id written as non-hex text (see [`crate::ids::SpanIdTexts`]). Importers
    /// call [`Self::warn_text_span_ids`] once the file is read.
    pub fn text_span_id(&mut self, text: &str) -> SpanId {
        let (id, _) = self.span_id_texts.intern(text);
        if self.file_text_ids.insert(id.0) && self.first_text_id.is_none() {
            self.first_text_id = Some(crate::ids::truncate_for_message(text));
        }
        id
    }

    /// Records `text` as the text of `id` (a span copied from another set).
    pub(crate) fn keep_span_id_text(&mut self, id: SpanId, text: &str) {
        self.span_id_texts.insert(id, text);
    }

    /// One informational warning for the text span ids met since the last call, if any.
    pub fn warn_text_span_ids(&mut self) {
        let count = std::mem::take(&mut self.file_text_ids).len();
        let first = self.first_text_id.take();
        if count == 0 {
            return;
        }
        let example = first.map(|t| format!(" (first: {t:?})")).unwrap_or_default();
        let message = if count == 1 {
            format!("1 span id is not hex{example}; it was given a stable 64-bit id and is shown as written")
        } else {
            format!("{count} span ids are not hex{example}; they were given stable 64-bit ids and are shown as written")
        };
        self.warn(Warning::new(crate::warnings::WarningKind::TextSpanId, message));
    }

    /// Builds every trace's tree and returns the set. Traces keep their order of first appearance.
    pub fn finish(self) -> TraceSet {
        let mut warnings = self.warnings;
        let traces = self
            .traces
            .into_iter()
            .map(|p| {
                let first_new = warnings.len();
                let trace = Trace::new(p.trace_id, p.width_bytes, p.spans, &mut warnings);
                for w in &mut warnings[first_new..] {
                    if w.source.is_none() {
                        w.source = w
                            .span_index
                            .and_then(|i| trace.spans.get(i as usize))
                            .and_then(|s| self.sources.get(s.source.0 as usize))
                            .map(|s| s.name.clone());
                    }
                }
                trace
            })
            .collect();
        TraceSet {
            strings: self.strings,
            resources: self.resources,
            scopes: self.scopes,
            traces,
            sources: self.sources,
            warnings,
            span_id_texts: self.span_id_texts,
        }
    }
}
