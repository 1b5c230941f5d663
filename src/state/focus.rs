//! What the user is looking at in one trace, shared by every view of it: the selected and hovered
//! span, find (plain text or TraceQL) and its matches, the filters, and the visible time window.
//! Switching views keeps all of it.
//!
//! Everything derivable is a memo (matches, the filter mask). The effects only mirror the selection
//! and a find query into the URL, and debounce TraceQL.

use crate::state::TraceAnalysis;
use crate::state::trace_ref::{Shared, TraceRef};
use leptos::prelude::*;
use spanlens_analysis::bitset::BitSet;
use spanlens_analysis::find::{FindQuery, find_spans, hide_non_matching};
use spanlens_layout::viewport::Viewport;
use spanlens_model::Sym;
use std::collections::BTreeSet;
use std::time::Duration;

/// How long typing must pause before a TraceQL query in the find box is evaluated.
const TRACEQL_DELAY: Duration = Duration::from_millis(150);

#[derive(Clone, Copy)]
pub struct Focus {
    pub find_text: RwSignal<String>,
    /// Span indices matching the find box, sorted. The box takes plain text or a TraceQL query.
    pub matches: Memo<Shared<Vec<u32>>>,
    /// Why a TraceQL query in the find box matched nothing: its first error, as `line:col: message`.
    pub find_error: Memo<Option<String>>,
    pub match_set: Memo<Shared<BitSet>>,
    /// Which match "next"/"previous" last moved to.
    pub match_cursor: RwSignal<usize>,
    pub hide_unmatched: RwSignal<bool>,
    pub hidden_services: RwSignal<BTreeSet<Sym>>,
    pub critical_only: RwSignal<bool>,
    pub show_critical: RwSignal<bool>,
    /// Spans hidden by the active filters (services, critical only, hide non-matching); `None` when
    /// no filter is on.
    pub hidden: Memo<Option<Shared<BitSet>>>,
    /// The visible time range; its width is the timeline's width in CSS pixels.
    pub viewport: RwSignal<Viewport>,
    pub selected: RwSignal<Option<u32>>,
    pub hovered: RwSignal<Option<u32>>,
    /// A request to bring a span into view (expand to it, scroll to it), honoured by the active view.
    pub reveal: RwSignal<Option<u32>>,
    /// Timestamps in UTC instead of local time.
    pub utc: RwSignal<bool>,
}

impl Focus {
    /// `initial_span` and `initial_query` come from the URL (`span=`, `q=`): a shared link or the
    /// search page, whose matches are highlighted when the trace opens.
    pub fn new(analysis: TraceAnalysis, initial_span: Option<String>, initial_query: Option<String>) -> Self {
        let data = analysis.data;
        let span_count = analysis.span_count();
        let selected_index = initial_span.as_deref().and_then(|hex| analysis.span_index_by_hex(hex));
        let viewport = data.with_value(|d| Viewport::for_trace(d.trace(), 800.0));

        let find_text = RwSignal::new(initial_query.unwrap_or_default());
        let hide_unmatched = RwSignal::new(false);
        let hidden_services = RwSignal::new(BTreeSet::new());
        let critical_only = RwSignal::new(false);
        let (matches, find_error) = find_memos(data, find_text);
        let match_set =
            Memo::new(move |_| Shared::new(BitSet::from_indices(span_count, matches.get().iter().copied())));

        let hidden = Memo::new(move |_| {
            let services = hidden_services.get();
            let only_critical = critical_only.get();
            let hide_find = hide_unmatched.get() && !find_text.with(|t| t.trim().is_empty());
            if services.is_empty() && !only_critical && !hide_find {
                return None;
            }
            let mut mask = BitSet::new(span_count);
            data.with_value(|d| {
                let trace = d.trace();
                if !services.is_empty() {
                    for (i, span) in trace.spans.iter().enumerate() {
                        if services.contains(&span.service) {
                            mask.insert(i as u32);
                        }
                    }
                }
                if only_critical {
                    analysis.critical.with_value(|cp| {
                        for i in 0..span_count as u32 {
                            if !cp.is_on_critical_path(i) {
                                mask.insert(i);
                            }
                        }
                    });
                }
                if hide_find {
                    mask.union_with(&hide_non_matching(&trace.tree, &matches.get()));
                }
            });
            Some(Shared::new(mask))
        });

        let selected = RwSignal::new(selected_index);
        // The selected span lives in the URL (`span=<id>`) so a copied link restores it.
        Effect::new(move |_| {
            let hex = selected
                .get()
                .and_then(|i| data.with_value(|d| d.trace().spans.get(i as usize).map(|s| s.span_id.to_hex())));
            crate::url::replace_query_param("span", hex.as_deref());
        });
        // A TraceQL query in the find box is part of the view's URL, like the selection.
        Effect::new(move |_| {
            let text = find_text.get();
            crate::url::replace_query_param("q", is_traceql(&text).then_some(text.as_str()));
        });

        Focus {
            find_text,
            matches,
            find_error,
            match_set,
            match_cursor: RwSignal::new(0),
            hide_unmatched,
            hidden_services,
            critical_only,
            show_critical: RwSignal::new(true),
            hidden,
            viewport: RwSignal::new(viewport),
            selected,
            hovered: RwSignal::new(None),
            reveal: RwSignal::new(selected_index),
            utc: RwSignal::new(false),
        }
    }

    /// Provided by the trace page around everything it renders; missing only through a bug.
    pub fn from_context() -> Self {
        expect_context::<Focus>()
    }

    /// Selects a span and asks the active view to bring it into view.
    pub fn select(&self, span: Option<u32>) {
        if span.is_some() {
            self.reveal.set(span);
        }
        self.selected.set(span);
    }

    /// Moves to the next (or previous) find match and selects it.
    pub fn step_match(&self, forward: bool) {
        let matches = self.matches.get_untracked();
        if matches.is_empty() {
            return;
        }
        let n = matches.len();
        let cursor = self.match_cursor.get_untracked().min(n - 1);
        let selected_is_match = self.selected.get_untracked().is_some_and(|s| matches.get(cursor) == Some(&s));
        let next = match (selected_is_match, forward) {
            (false, _) => cursor,
            (true, true) => (cursor + 1) % n,
            (true, false) => (cursor + n - 1) % n,
        };
        self.match_cursor.set(next);
        self.select(matches.get(next).copied());
    }
}

/// The find box's matches and its TraceQL error. A TraceQL query is evaluated over this trace only,
/// and only once typing pauses: a structural query over a 100k-span trace is not cheap enough to run
/// on every keystroke. Plain find text stays immediate; a query restored from the URL runs at once.
fn find_memos(
    data: StoredValue<TraceRef>,
    find_text: RwSignal<String>,
) -> (Memo<Shared<Vec<u32>>>, Memo<Option<String>>) {
    let traceql_text = RwSignal::new(find_text.get_untracked());
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let text = find_text.get();
        if let Some(Some(handle)) = pending.try_get_value() {
            handle.clear();
        }
        if !is_traceql(&text) || traceql_text.with_untracked(|t| *t == text) {
            return;
        }
        let handle = set_timeout_with_handle(move || drop(traceql_text.try_set(text)), TRACEQL_DELAY);
        pending.set_value(handle.ok());
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = pending.try_get_value() {
            handle.clear();
        }
    });
    let traceql = Memo::new(move |_| {
        let text = traceql_text.get();
        is_traceql(&text).then(|| data.with_value(|d| traceql_matches(d, &text)))
    });
    let matches = Memo::new(move |_| {
        let text = find_text.get();
        if is_traceql(&text) {
            // Until the pause, the previous query's matches stay on screen.
            return Shared::new(traceql.get().and_then(Result::ok).unwrap_or_default());
        }
        let query = FindQuery::parse(&text);
        if query.is_empty() {
            return Shared::new(Vec::new());
        }
        data.with_value(|d| Shared::new(find_spans(d.set(), d.trace(), &query)))
    });
    let find_error = Memo::new(move |_| {
        let text = find_text.get();
        if !is_traceql(&text) || traceql_text.with(|t| *t != text) {
            return None;
        }
        traceql.get().and_then(Result::err)
    });
    (matches, find_error)
}

/// The find box treats text that opens a spanset filter as TraceQL.
pub fn is_traceql(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// Spans of this trace in any spanset the query matches, sorted; or the query's first error.
fn traceql_matches(data: &TraceRef, text: &str) -> Result<Vec<u32>, String> {
    spanlens_traceql::eval::search_trace(text, data.set(), data.index).map_err(|errors| {
        errors.0.first().map_or_else(|| "invalid query".to_owned(), |e| format!("{}:{}: {}", e.line, e.col, e.message))
    })
}
