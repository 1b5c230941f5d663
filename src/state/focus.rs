//! What the user is looking at in one trace, shared by every view of it: the selected and hovered
//! span, find (plain text or TraceQL) and its matches, the filters, and the visible time window.
//! Switching views keeps all of it.
//!
//! Everything derivable is a memo (matches, the filter mask). The effects only mirror the selection
//! and a find query into the URL, and debounce TraceQL.

use crate::chunks::{ChunkError, TraceqlFind};
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
/// How long zooming and panning must pause before the window is written to the URL.
const WINDOW_URL_DELAY: Duration = Duration::from_millis(300);

#[derive(Clone, Copy)]
pub struct Focus {
    pub find_text: RwSignal<String>,
    /// Span indices matching the find box, in screen order (the tree's pre-order, as the waterfall
    /// lists rows), so "next" moves down the screen. The box takes plain text or a TraceQL query.
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
    /// The active view cannot show the selected span (a collapsed parent or a filter hides it); the
    /// view sets it when it draws, the detail panel offers to reveal the span.
    pub selected_hidden: RwSignal<bool>,
    /// Timestamps in UTC instead of local time.
    pub utc: RwSignal<bool>,
}

impl Focus {
    /// `initial_span` and `initial_query` come from the URL (`span=`, `q=`): a shared link or the
    /// search page, whose matches are highlighted when the trace opens.
    pub fn new(analysis: TraceAnalysis, initial_span: Option<String>, initial_query: Option<String>) -> Self {
        let initial_window = crate::url::query_param("window");
        let data = analysis.data;
        let span_count = analysis.span_count();
        let selected_index = initial_span.as_deref().and_then(|hex| analysis.span_index_by_hex(hex));
        let full = data.with_value(|d| Viewport::for_trace(d.trace(), 800.0));
        let viewport = initial_window.as_deref().and_then(|w| window_from_param(&full, w)).unwrap_or(full);

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

        let viewport = RwSignal::new(viewport);
        // The visible time window is in the URL too (`window=<from>-<to>`, nanoseconds after the
        // trace's start), written once zooming pauses: browsers refuse a burst of history updates.
        let pending_window = StoredValue::new(None::<TimeoutHandle>);
        Effect::new(move |_| {
            let param = viewport.with(window_param);
            if let Some(Some(handle)) = pending_window.try_get_value() {
                handle.clear();
            }
            let write = move || crate::url::replace_query_param("window", param.as_deref());
            pending_window.set_value(set_timeout_with_handle(write, WINDOW_URL_DELAY).ok());
        });
        on_cleanup(move || {
            if let Some(Some(handle)) = pending_window.try_get_value() {
                handle.clear();
            }
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
            viewport,
            selected,
            hovered: RwSignal::new(None),
            reveal: RwSignal::new(selected_index),
            selected_hidden: RwSignal::new(false),
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

    /// Shows the selected span again: drops the filters that hide it and asks the view to expand its
    /// ancestors.
    pub fn reveal_selected(&self, analysis: TraceAnalysis) {
        let Some(span) = self.selected.get_untracked() else { return };
        let service = analysis.data.with_value(|d| d.trace().spans.get(span as usize).map(|s| s.service));
        if let Some(service) = service
            && self.hidden_services.with_untracked(|h| h.contains(&service))
        {
            self.hidden_services.update(|h| {
                h.remove(&service);
            });
        }
        if self.critical_only.get_untracked() && !analysis.critical.with_value(|cp| cp.is_on_critical_path(span)) {
            self.critical_only.set(false);
        }
        if self.hide_unmatched.get_untracked() && !self.match_set.with_untracked(|m| m.contains(span)) {
            self.hide_unmatched.set(false);
        }
        self.select(Some(span));
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
    // The TraceQL engine is a chunk of its own (crate::chunks), fetched as soon as the box holds a
    // query, or before (the trace page prefetches it); a failed fetch is retried by the next query.
    let engine = RwSignal::new(None::<Result<TraceqlFind, ChunkError>>);
    Effect::new(move |_| {
        if is_traceql(&find_text.get()) && !engine.with_untracked(|e| matches!(e, Some(Ok(_)))) {
            leptos::task::spawn_local(async move {
                let loaded = crate::chunks::traceql_find().await;
                engine.try_set(Some(loaded));
            });
        }
    });
    let traceql = Memo::new(move |_| {
        let text = traceql_text.get();
        if !is_traceql(&text) {
            return None;
        }
        match engine.get()? {
            Ok(find) => Some(data.with_value(|d| find(d, &text))),
            Err(error) => Some(Err(format!("TraceQL could not be loaded: {error}"))),
        }
    });
    let matches = Memo::new(move |_| {
        let text = find_text.get();
        let mut found = if is_traceql(&text) {
            // Until the pause, the previous query's matches stay on screen.
            traceql.get().and_then(Result::ok).unwrap_or_default()
        } else {
            let query = FindQuery::parse(&text);
            if query.is_empty() {
                return Shared::new(Vec::new());
            }
            data.with_value(|d| find_spans(d.set(), d.trace(), &query))
        };
        data.with_value(|d| in_screen_order(&d.trace().tree, &mut found));
        Shared::new(found)
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

/// `window=<from>-<to>` for a zoomed view (nanoseconds after the trace's start); `None` when the
/// whole trace is shown.
pub fn window_param(v: &Viewport) -> Option<String> {
    let whole = v.start_nanos <= v.bounds_start_nanos && v.end_nanos >= v.bounds_end_nanos;
    (!whole).then(|| {
        format!(
            "{}-{}",
            v.start_nanos.saturating_sub(v.bounds_start_nanos),
            v.end_nanos.saturating_sub(v.bounds_start_nanos)
        )
    })
}

/// The window a `window=` parameter names, within the trace's bounds; `None` if it does not parse.
pub fn window_from_param(full: &Viewport, param: &str) -> Option<Viewport> {
    let (from, to) = param.split_once('-')?;
    let (from, to): (i64, i64) = (from.trim().parse().ok()?, to.trim().parse().ok()?);
    (from < to).then(|| {
        full.set_range(full.bounds_start_nanos.saturating_add(from), full.bounds_start_nanos.saturating_add(to))
    })
}

/// Sorts span indices by their position in the tree's pre-order: the order rows appear on screen.
pub fn in_screen_order(tree: &spanlens_model::Tree, spans: &mut [u32]) {
    spans.sort_by_key(|&s| tree.preorder_pos.get(s as usize).copied().unwrap_or(u32::MAX));
}

/// The find box treats text that opens a spanset filter as TraceQL.
pub fn is_traceql(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// Spans of this trace in any spanset the query matches, sorted; or the query's first error. Reached
/// only through its chunk (`crate::chunks::traceql_find`), so the TraceQL engine is not in the app's
/// main module.
pub(crate) fn traceql_matches(data: &TraceRef, text: &str) -> Result<Vec<u32>, String> {
    spanlens_traceql::eval::search_trace(text, data.set(), data.index).map_err(|errors| {
        errors.0.first().map_or_else(|| "invalid query".to_owned(), |e| format!("{}:{}: {}", e.line, e.col, e.message))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_round_trips_through_the_url() {
        let full = Viewport {
            start_nanos: 1_000,
            end_nanos: 11_000,
            width_px: 800.0,
            bounds_start_nanos: 1_000,
            bounds_end_nanos: 11_000,
        };
        assert_eq!(window_param(&full), None);
        let zoomed = full.set_range(3_000, 5_000);
        let param = window_param(&zoomed).unwrap_or_default();
        assert_eq!(param, "2000-4000");
        let back = window_from_param(&full, &param).map(|v| (v.start_nanos, v.end_nanos));
        assert_eq!(back, Some((3_000, 5_000)));
        for bad in ["", "5", "a-b", "9-3", "-"] {
            assert!(window_from_param(&full, bad).is_none(), "{bad}");
        }
    }
}
