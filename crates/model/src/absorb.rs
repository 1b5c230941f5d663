//! Copying one trace out of another [`TraceSet`] into a [`TraceSetBuilder`].
//!
//! The app keeps several loads, each its own set with its own interner, resources, scopes and
//! sources. To merge the same trace id arriving from separate loads, each load's copy of the trace is
//! absorbed into one builder: every symbol is re-interned and every resource, scope and source index
//! remapped, and the spans go in through the builder's normal push path. `finish` then stitches,
//! orders and checks them exactly as if the files behind those loads had been opened together:
//! spans sharing a span id are both kept and flagged `DuplicateSpanId`, as for two files.
//!
//! What is carried over besides spans:
//! - Sources: a source is copied (name, format, size) the first time one of its spans is absorbed;
//!   its `span_records` counts the spans absorbed from it, not what the file held, because the set
//!   does not record per-trace record counts (Zipkin halves merged by the importer are not counted).
//! - Warnings: the importer warnings tagged with the trace's id. Structural warnings (missing
//!   parent, duplicate span id, cycle, clock skew) carry a span index and are left behind, because
//!   `finish` recomputes them for the merged trace. Warnings without a trace id (file-level
//!   problems) are not copied: they do not belong to any one trace.
//!
//! Nothing here recurses: attribute values can be nested arbitrarily deep by hostile input.

use crate::TraceSetBuilder;
use crate::interner::Sym;
use crate::span::{Event, Link, Resource, ResourceIdx, Scope, ScopeIdx, SourceIdx, Span, Status};
use crate::trace::{SourceInfo, TraceSet};
use crate::value::{AnyValue, Attribute};

/// Remembers what one source set's strings, resources, scopes and sources became in one builder, so
/// absorbing several traces from the same set copies each resource, scope and source once.
///
/// A context belongs to one builder; use a new one per builder. After the builder's
/// [`TraceSetBuilder::rollback`] the context forgets what it remembered (the indices may have been
/// truncated away). Absorbed spans are undone by a rollback only if their source was added after the
/// checkpoint, so for an undoable absorb take the checkpoint before creating the context.
pub struct AbsorbContext<'a> {
    from: &'a TraceSet,
    /// The builder's rollback count when the maps below were last valid.
    rollbacks: u64,
    strings: Vec<Option<Sym>>,
    resources: Vec<Option<ResourceIdx>>,
    scopes: Vec<Option<ScopeIdx>>,
    /// One slot per source of `from`, plus a last slot for spans naming a source it does not have.
    sources: Vec<Option<SourceIdx>>,
}

impl<'a> AbsorbContext<'a> {
    pub fn new(from: &'a TraceSet) -> Self {
        AbsorbContext {
            from,
            rollbacks: 0,
            strings: vec![None; from.strings.len()],
            resources: vec![None; from.resources.len()],
            scopes: vec![None; from.scopes.len()],
            sources: vec![None; from.sources.len() + 1],
        }
    }

    /// The set traces are absorbed from.
    pub fn source_set(&self) -> &'a TraceSet {
        self.from
    }

    fn forget(&mut self) {
        self.strings.iter_mut().for_each(|s| *s = None);
        self.resources.iter_mut().for_each(|s| *s = None);
        self.scopes.iter_mut().for_each(|s| *s = None);
        self.sources.iter_mut().for_each(|s| *s = None);
    }
}

impl TraceSetBuilder {
    /// Copies trace `trace_index` of `ctx.source_set()` into this builder (see the module docs). Returns
    /// false, adding nothing, when the index is out of range.
    pub fn absorb_trace(&mut self, ctx: &mut AbsorbContext<'_>, trace_index: usize) -> bool {
        let Some(trace) = ctx.from.traces.get(trace_index) else {
            return false;
        };
        if ctx.rollbacks != self.rollback_count() {
            ctx.forget();
            ctx.rollbacks = self.rollback_count();
        }
        for span in &trace.spans {
            let source = self.map_source(ctx, span.source);
            let copy = self.copy_span(ctx, span);
            self.push_span_from(source, trace.trace_id, trace.trace_id_width_bytes, copy);
        }
        let own = ctx.from.warnings.iter().filter(|w| w.trace_id == Some(trace.trace_id) && w.span_index.is_none());
        for warning in own {
            self.push_warning_as_is(warning.clone());
        }
        true
    }

    /// Absorbs every trace of `from` with id `trace_id`; false when it has none.
    pub fn absorb_trace_id(&mut self, ctx: &mut AbsorbContext<'_>, trace_id: crate::TraceId) -> bool {
        let indices: Vec<usize> =
            ctx.from.traces.iter().enumerate().filter(|(_, t)| t.trace_id == trace_id).map(|(i, _)| i).collect();
        indices.iter().fold(false, |any, &i| self.absorb_trace(ctx, i) | any)
    }

    fn copy_span(&mut self, ctx: &mut AbsorbContext<'_>, span: &Span) -> Span {
        for id in std::iter::once(span.span_id).chain(span.parent_span_id) {
            if let Some(text) = ctx.from.span_id_text(id) {
                self.keep_span_id_text(id, text);
            }
        }
        Span {
            name: self.map_sym(ctx, span.name),
            service: self.map_sym(ctx, span.service),
            resource: self.map_resource(ctx, span.resource),
            scope: self.map_scope(ctx, span.scope),
            status: Status { code: span.status.code, message: self.map_opt_sym(ctx, span.status.message) },
            trace_state: self.map_opt_sym(ctx, span.trace_state),
            attributes: self.copy_attributes(ctx, &span.attributes),
            events: span.events.iter().map(|e| self.copy_event(ctx, e)).collect(),
            links: span.links.iter().map(|l| self.copy_link(ctx, l)).collect(),
            // Ids, times, kind, flags and dropped counts need no remapping; `source` is set by the push.
            ..span.clone_shallow()
        }
    }

    fn copy_event(&mut self, ctx: &mut AbsorbContext<'_>, event: &Event) -> Event {
        Event {
            time_nanos: event.time_nanos,
            name: self.map_sym(ctx, event.name),
            attributes: self.copy_attributes(ctx, &event.attributes),
            dropped_attributes_count: event.dropped_attributes_count,
        }
    }

    fn copy_link(&mut self, ctx: &mut AbsorbContext<'_>, link: &Link) -> Link {
        Link {
            trace_id: link.trace_id,
            span_id: link.span_id,
            trace_state: self.map_opt_sym(ctx, link.trace_state),
            attributes: self.copy_attributes(ctx, &link.attributes),
            dropped_attributes_count: link.dropped_attributes_count,
            flags: link.flags,
        }
    }

    fn copy_attributes(&mut self, ctx: &mut AbsorbContext<'_>, attributes: &[Attribute]) -> Box<[Attribute]> {
        attributes
            .iter()
            .map(|a| Attribute { key: self.map_sym(ctx, a.key), value: self.copy_value(ctx, &a.value) })
            .collect()
    }

    /// Copies a value bottom-up with an explicit work stack: `Enter` pushes a value's children (or,
    /// for a leaf, its copy onto `done`); `Array`/`KvList` then collect their copied children.
    fn copy_value(&mut self, ctx: &mut AbsorbContext<'_>, root: &AnyValue) -> AnyValue {
        enum Work<'v> {
            Enter(&'v AnyValue),
            Array(usize),
            KvList(Vec<Sym>),
        }
        let mut work = vec![Work::Enter(root)];
        let mut done: Vec<AnyValue> = Vec::new();
        while let Some(step) = work.pop() {
            match step {
                Work::Enter(AnyValue::Array(items)) => {
                    work.push(Work::Array(items.len()));
                    work.extend(items.iter().rev().map(Work::Enter));
                }
                Work::Enter(AnyValue::KvList(kvs)) => {
                    let keys = kvs.iter().map(|kv| self.map_sym(ctx, kv.key)).collect();
                    work.push(Work::KvList(keys));
                    work.extend(kvs.iter().rev().map(|kv| Work::Enter(&kv.value)));
                }
                Work::Enter(leaf) => done.push(self.copy_leaf(ctx, leaf)),
                Work::Array(n) => {
                    let items = done.split_off(done.len().saturating_sub(n));
                    done.push(AnyValue::Array(items.into()));
                }
                Work::KvList(keys) => {
                    let values = done.split_off(done.len().saturating_sub(keys.len()));
                    let kvs = keys.into_iter().zip(values).map(|(key, value)| Attribute { key, value });
                    done.push(AnyValue::KvList(kvs.collect()));
                }
            }
        }
        done.pop().unwrap_or(AnyValue::Empty)
    }

    fn copy_leaf(&mut self, ctx: &mut AbsorbContext<'_>, leaf: &AnyValue) -> AnyValue {
        match leaf {
            AnyValue::Str(s) => AnyValue::Str(self.map_sym(ctx, *s)),
            AnyValue::Bool(b) => AnyValue::Bool(*b),
            AnyValue::Int(i) => AnyValue::Int(*i),
            AnyValue::Float(f) => AnyValue::Float(*f),
            AnyValue::Bytes(b) => AnyValue::Bytes(b.clone()),
            AnyValue::Empty => AnyValue::Empty,
            // Containers are unfolded by `copy_value` and never reach here.
            AnyValue::Array(_) | AnyValue::KvList(_) => AnyValue::Empty,
        }
    }

    /// Re-interns a symbol of `ctx.source_set()`. A symbol foreign to that set resolves to "" (as
    /// [`crate::Interner::resolve`] does) rather than panicking.
    fn map_sym(&mut self, ctx: &mut AbsorbContext<'_>, sym: Sym) -> Sym {
        if let Some(Some(mapped)) = ctx.strings.get(sym.index()) {
            return *mapped;
        }
        let mapped = self.intern(ctx.from.strings.resolve(sym));
        if let Some(slot) = ctx.strings.get_mut(sym.index()) {
            *slot = Some(mapped);
        }
        mapped
    }

    fn map_opt_sym(&mut self, ctx: &mut AbsorbContext<'_>, sym: Option<Sym>) -> Option<Sym> {
        sym.map(|s| self.map_sym(ctx, s))
    }

    /// The builder's copy of a resource, made on first use. A span naming a resource its set does not
    /// have keeps naming none (`u32::MAX`), rather than silently pointing at someone else's.
    fn map_resource(&mut self, ctx: &mut AbsorbContext<'_>, idx: ResourceIdx) -> ResourceIdx {
        let from = ctx.from;
        let Some(resource) = from.resources.get(idx.0 as usize) else {
            return ResourceIdx(u32::MAX);
        };
        if let Some(Some(mapped)) = ctx.resources.get(idx.0 as usize) {
            return *mapped;
        }
        let copy = Resource {
            service: self.map_sym(ctx, resource.service),
            attributes: self.copy_attributes(ctx, &resource.attributes),
            dropped_attributes_count: resource.dropped_attributes_count,
        };
        let mapped = self.add_resource(copy);
        if let Some(slot) = ctx.resources.get_mut(idx.0 as usize) {
            *slot = Some(mapped);
        }
        mapped
    }

    /// Like [`Self::map_resource`], for scopes.
    fn map_scope(&mut self, ctx: &mut AbsorbContext<'_>, idx: ScopeIdx) -> ScopeIdx {
        let from = ctx.from;
        let Some(scope) = from.scopes.get(idx.0 as usize) else {
            return ScopeIdx(u32::MAX);
        };
        if let Some(Some(mapped)) = ctx.scopes.get(idx.0 as usize) {
            return *mapped;
        }
        let copy = Scope {
            name: self.map_sym(ctx, scope.name),
            version: self.map_opt_sym(ctx, scope.version),
            attributes: self.copy_attributes(ctx, &scope.attributes),
        };
        let mapped = self.add_scope(copy);
        if let Some(slot) = ctx.scopes.get_mut(idx.0 as usize) {
            *slot = Some(mapped);
        }
        mapped
    }

    /// The builder's copy of a source, made on first use without changing the current source. Spans
    /// naming a source their set does not have share one "unknown source" entry, so every span still
    /// names a real source (rollback relies on source indices).
    fn map_source(&mut self, ctx: &mut AbsorbContext<'_>, idx: SourceIdx) -> SourceIdx {
        let known = ctx.from.sources.get(idx.0 as usize);
        let slot = if known.is_some() { idx.0 as usize } else { ctx.from.sources.len() };
        if let Some(Some(mapped)) = ctx.sources.get(slot) {
            return *mapped;
        }
        let info = known.map_or_else(
            || SourceInfo { name: "unknown source".to_owned(), format: String::new(), bytes: 0, span_records: 0 },
            |s| SourceInfo { span_records: 0, ..s.clone() },
        );
        let mapped = self.add_source_quietly(info);
        if let Some(entry) = ctx.sources.get_mut(slot) {
            *entry = Some(mapped);
        }
        mapped
    }
}

impl Span {
    /// A copy without the attribute, event and link payloads (the caller replaces them), so copying
    /// a span for remapping does not clone its payload twice.
    fn clone_shallow(&self) -> Span {
        Span {
            parent_span_id: self.parent_span_id,
            kind: self.kind,
            status: self.status,
            trace_state: self.trace_state,
            flags: self.flags,
            dropped: self.dropped,
            source: self.source,
            resource: self.resource,
            scope: self.scope,
            incomplete: self.incomplete,
            ..Span::new(self.span_id, self.name, self.service, self.start_nanos, self.duration_nanos)
        }
    }
}

#[cfg(test)]
#[path = "absorb_tests.rs"]
mod tests;
