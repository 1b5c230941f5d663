//! The catalog of loaded traces: every load (files, a URL, later a backend answer) with its source,
//! kept side by side instead of replacing each other. The same trace id from two loads is two
//! entries, labelled by source, until the user merges them.

use crate::state::TraceRef;
use crate::state::trace_analysis::Computed;
use spanlens_model::{Trace, TraceId, TraceSet, ids::parse_trace_id_hex};
use spanlens_protocol::TraceSource;
use std::collections::HashMap;
use std::sync::Arc;

/// Everything from one load (one drop, one picker choice, one URL, one merge).
#[derive(Debug)]
pub struct Loaded {
    /// Unique within the page's life; names the load in links (`?load=`) when it has no URL.
    pub id: u32,
    pub source: TraceSource,
    pub set: TraceSet,
    /// The analyses the parsing worker computed for the large traces, by trace index: their pages
    /// mount with these instead of analysing on this thread.
    pub analysed: HashMap<usize, Computed>,
}

impl Loaded {
    pub fn new(id: u32, source: TraceSource, set: TraceSet) -> Loaded {
        Loaded { id, source, set, analysed: HashMap::new() }
    }

    /// This load with the worker's analyses of its large traces.
    pub fn with_analysed(mut self, analysed: Vec<spanlens_protocol::Analysed>) -> Loaded {
        self.analysed = analysed.into_iter().map(|a| (a.trace as usize, Computed::from(a))).collect();
        self
    }

    /// Finds a trace by hex id, tolerating missing leading zeros and either id width.
    pub fn trace_by_hex(&self, hex: &str) -> Option<(usize, &Trace)> {
        let (id, _) = parse_trace_id_hex(hex).ok()?;
        self.set.traces.iter().enumerate().find(|(_, t)| t.trace_id == id)
    }

    /// The query string for links to this load's traces. A URL load names its URL, so a shared link
    /// reloads the same data; other loads name themselves by id, which holds within this tab.
    pub fn link_query(&self) -> String {
        match &self.source {
            TraceSource::Url { url } => format!("?url={}", js_sys::encode_uri_component(url)),
            // A backend's trace is fetched again from the backend of that name.
            TraceSource::Backend { backend, .. } => format!("?backend={}", js_sys::encode_uri_component(backend)),
            _ => format!("?load={}", self.id),
        }
    }

    pub fn trace_href(&self, trace: &Trace) -> String {
        format!("/trace/{}{}", trace.trace_id_hex(), self.link_query())
    }
}

/// Which load a link means: `?load=` (this tab), `?url=`, `?backend=`, or none of them (the newest
/// load that has the trace).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadSelector {
    pub load: Option<u32>,
    pub url: Option<String>,
    pub backend: Option<String>,
}

impl LoadSelector {
    fn accepts(&self, loaded: &Loaded) -> bool {
        if let Some(id) = self.load {
            return loaded.id == id;
        }
        if let Some(name) = &self.backend {
            return matches!(&loaded.source, TraceSource::Backend { backend, .. } if backend == name);
        }
        match &self.url {
            Some(url) => loaded.source.url() == Some(url.as_str()),
            None => true,
        }
    }
}

/// The loads, oldest first. Cloning is cheap (the sets are shared).
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    loads: Vec<Arc<Loaded>>,
    /// Traces folded into a merged entry: (load id, trace id). Hidden from lists while the merge is
    /// loaded; closing the merge shows them again.
    merged_away: Vec<(u32, u32, TraceId)>,
}

impl PartialEq for Catalog {
    fn eq(&self, other: &Self) -> bool {
        self.loads.len() == other.loads.len()
            && self.loads.iter().zip(&other.loads).all(|(a, b)| Arc::ptr_eq(a, b))
            && self.merged_away == other.merged_away
    }
}

impl Catalog {
    pub fn loads(&self) -> &[Arc<Loaded>] {
        &self.loads
    }

    pub fn is_empty(&self) -> bool {
        self.loads.iter().all(|l| l.set.traces.is_empty())
    }

    pub fn newest(&self) -> Option<&Arc<Loaded>> {
        self.loads.last()
    }

    pub fn push(&mut self, loaded: Arc<Loaded>) {
        self.loads.push(loaded);
    }

    /// Closes one load; its traces are freed once no view holds them.
    pub fn remove(&mut self, load_id: u32) {
        self.loads.retain(|l| l.id != load_id);
        // A merge that is closed gives its parts back; a part that is closed is simply gone.
        self.merged_away.retain(|(merge, part, _)| *merge != load_id && *part != load_id);
    }

    pub fn clear(&mut self) {
        self.loads.clear();
        self.merged_away.clear();
    }

    pub fn is_merged_away(&self, load_id: u32, trace_id: TraceId) -> bool {
        self.merged_away.iter().any(|(_, part, t)| *part == load_id && *t == trace_id)
    }

    /// Every listed trace, load by load: merged-away parts are left out.
    pub fn entries(&self) -> impl Iterator<Item = (&Arc<Loaded>, usize)> {
        self.loads.iter().flat_map(move |l| {
            l.set
                .traces
                .iter()
                .enumerate()
                .filter(move |(_, t)| !self.is_merged_away(l.id, t.trace_id))
                .map(move |(i, _)| (l, i))
        })
    }

    pub fn trace_count(&self) -> usize {
        self.entries().count()
    }

    /// How many listed entries share each trace id (more than one means it can be merged), counted in
    /// one pass so a list of thousands of traces does not rescan the catalog per row.
    pub fn copy_counts(&self) -> HashMap<TraceId, usize> {
        let mut counts = HashMap::new();
        for (loaded, index) in self.entries() {
            if let Some(trace) = loaded.set.traces.get(index) {
                *counts.entry(trace.trace_id).or_insert(0) += 1;
            }
        }
        counts
    }

    /// The loads whose listed traces include `trace_id`, oldest first.
    pub fn loads_with(&self, trace_id: TraceId) -> Vec<Arc<Loaded>> {
        self.entries()
            .filter(|(l, i)| l.set.traces.get(*i).is_some_and(|t| t.trace_id == trace_id))
            .map(|(l, _)| Arc::clone(l))
            .collect()
    }

    /// The trace a link means: in the selected load, else in the newest load that lists it.
    pub fn find(&self, hex: &str, selector: &LoadSelector) -> Option<TraceRef> {
        let (trace_id, _) = parse_trace_id_hex(hex).ok()?;
        let in_load = |l: &Arc<Loaded>| {
            l.set
                .traces
                .iter()
                .position(|t| t.trace_id == trace_id)
                .map(|index| TraceRef { loaded: Arc::clone(l), index })
        };
        let chosen = self.loads.iter().rev().filter(|l| selector.accepts(l)).find_map(in_load);
        // A link naming a load that is gone (closed, or from another tab) still finds the trace if
        // another load has it, listed or not.
        chosen.or_else(|| self.loads.iter().rev().filter(|l| !self.is_merged_away(l.id, trace_id)).find_map(in_load))
    }

    pub fn has_url(&self, url: &str) -> bool {
        self.loads.iter().any(|l| l.source.url() == Some(url))
    }

    /// Records that `merge` holds the merged copies of `trace_id` from `parts`, hiding the parts.
    pub fn hide_merged(&mut self, merge: u32, parts: &[u32], trace_id: TraceId) {
        self.merged_away.extend(parts.iter().map(|p| (merge, *p, trace_id)));
    }

    pub fn span_count(&self) -> usize {
        self.entries().filter_map(|(l, i)| l.set.traces.get(i)).map(|t| t.spans.len()).sum()
    }

    pub fn warning_count(&self) -> usize {
        self.loads.iter().map(|l| l.set.warnings.len()).sum()
    }

    /// Warnings worth an alarm: every kind but the informational ones.
    pub fn alarm_count(&self) -> usize {
        self.loads.iter().flat_map(|l| &l.set.warnings).filter(|w| !w.kind.is_informational()).count()
    }
}
