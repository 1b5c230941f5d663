//! State of the trace view: collapse, filters, find, zoom, selection. Provided as context to the
//! toolbar, minimap, waterfall and detail panel of one trace.
//!
//! Everything that can be derived is a memo: the filter mask from find/service/critical-path
//! settings, the rows from collapse state and mask. The only effect writes the selection into the URL.

use crate::state::trace_ref::{Shared, TraceRef};
use leptos::prelude::*;
use spanlens_analysis::bitset::BitSet;
use spanlens_analysis::critical_path::{CriticalPath, critical_path, self_times};
use spanlens_analysis::find::{FindQuery, find_spans, hide_non_matching};
use spanlens_layout::hit_test::HitTarget;
use spanlens_layout::palette::ServiceColors;
use spanlens_layout::rows::{Rows, ViewState, layout_rows, reveal_in};
use spanlens_layout::viewport::Viewport;
use spanlens_model::Sym;
use std::collections::BTreeSet;
use std::time::Duration;

/// How long typing must pause before a TraceQL query in the find box is evaluated.
const TRACEQL_DELAY: Duration = Duration::from_millis(150);

#[derive(Clone, Copy)]
pub struct TraceViewState {
    pub data: StoredValue<TraceRef>,
    pub colors: StoredValue<ServiceColors>,
    pub critical: StoredValue<Shared<CriticalPath>>,
    pub self_nanos: StoredValue<Shared<Vec<i64>>>,
    pub collapsed: RwSignal<Shared<BitSet>>,
    pub find_text: RwSignal<String>,
    pub hide_unmatched: RwSignal<bool>,
    pub hidden_services: RwSignal<BTreeSet<Sym>>,
    pub critical_only: RwSignal<bool>,
    pub show_critical: RwSignal<bool>,
    /// Span indices matching the find box, sorted. The box takes plain text or a TraceQL query.
    pub matches: Memo<Shared<Vec<u32>>>,
    /// Why a TraceQL query in the find box matched nothing: its first error, as `line:col: message`.
    pub find_error: Memo<Option<String>>,
    pub match_set: Memo<Shared<BitSet>>,
    /// Which match "next"/"previous" last moved to.
    pub match_cursor: RwSignal<usize>,
    pub rows: Memo<Shared<Rows>>,
    /// The visible time range; its width is the timeline's width in CSS pixels.
    pub viewport: RwSignal<Viewport>,
    pub selected: RwSignal<Option<u32>>,
    pub hover: RwSignal<Option<HitTarget>>,
    /// Asks the waterfall to scroll a span's row into view.
    pub scroll_request: RwSignal<Option<u32>>,
    pub label_width_px: RwSignal<f64>,
    pub utc: RwSignal<bool>,
    pub show_help: RwSignal<bool>,
    /// Set once the view has drawn its first frame with rows: the trace view's harness hooks
    /// (`data-view`, `data-span-count`) appear only then.
    pub first_frame_drawn: RwSignal<bool>,
}

impl TraceViewState {
    /// `initial_query` comes from the URL's `q`: a TraceQL query from the search page, whose matches
    /// are highlighted when the trace opens.
    pub fn new(data: TraceRef, initial_span: Option<String>, initial_query: Option<String>) -> Self {
        let trace = data.trace();
        let colors = ServiceColors::for_trace(trace, &data.set().strings);
        let critical = Shared::new(critical_path(trace));
        let self_nanos = Shared::new(self_times(trace));
        let span_count = trace.spans.len();
        let selected_index = initial_span.as_deref().and_then(|hex| span_index_by_hex(&data, hex));
        let viewport = Viewport::for_trace(trace, 800.0);
        let data = StoredValue::new(data);

        let find_text = RwSignal::new(initial_query.unwrap_or_default());
        let hide_unmatched = RwSignal::new(false);
        let hidden_services = RwSignal::new(BTreeSet::new());
        let critical_only = RwSignal::new(false);
        let collapsed = RwSignal::new(Shared::new(BitSet::new(span_count)));
        let critical = StoredValue::new(critical);

        // A TraceQL query is evaluated over this trace only, and only once typing pauses: a
        // structural query over a 100k-span trace is not cheap enough to run on every keystroke.
        // Plain find text stays immediate. A query restored from the URL is evaluated at once.
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
        let match_set =
            Memo::new(move |_| Shared::new(BitSet::from_indices(span_count, matches.get().iter().copied())));

        // Spans hidden by any active filter; `None` when no filter is on.
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
                    critical.with_value(|cp| {
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

        // Incremental from the previous rows: a collapse toggle at a million spans replays one
        // subtree instead of laying out every span again.
        let rows = Memo::new(move |previous: Option<&Shared<Rows>>| {
            let state = ViewState {
                collapsed: collapsed.with(|c| (*c.0).clone()),
                hidden: hidden.with(|h| h.as_ref().map(|m| (*m.0).clone())),
            };
            data.with_value(|d| {
                Shared::new(match previous {
                    Some(rows) => rows.relayout(d.trace(), &state),
                    None => layout_rows(d.trace(), &state),
                })
            })
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

        TraceViewState {
            data,
            colors: StoredValue::new(colors),
            critical,
            self_nanos: StoredValue::new(self_nanos),
            collapsed,
            find_text,
            hide_unmatched,
            hidden_services,
            critical_only,
            show_critical: RwSignal::new(true),
            matches,
            find_error,
            match_set,
            match_cursor: RwSignal::new(0),
            rows,
            viewport: RwSignal::new(viewport),
            selected,
            hover: RwSignal::new(None),
            scroll_request: RwSignal::new(selected_index),
            label_width_px: RwSignal::new(360.0),
            utc: RwSignal::new(false),
            show_help: RwSignal::new(false),
            first_frame_drawn: RwSignal::new(false),
        }
    }

    /// The trace page provides it to everything it renders; a component of the trace view mounted
    /// without it is a bug, so this panics loudly instead of rendering nothing.
    pub fn from_context() -> Self {
        expect_context::<TraceViewState>()
    }

    /// Selects a span, expanding its ancestors so it has a row, and scrolls to it.
    pub fn select(&self, span: Option<u32>) {
        if let Some(span) = span {
            let needs_reveal =
                self.rows.with_untracked(|r| self.data.with_value(|d| r.row_of_span(&d.trace().tree, span).is_none()));
            if needs_reveal {
                self.collapsed.update(|c| {
                    let mut next = (*c.0).clone();
                    self.data.with_value(|d| reveal_in(&mut next, &d.trace().tree, span));
                    *c = Shared::new(next);
                });
            }
            self.scroll_request.set(Some(span));
        }
        self.selected.set(span);
    }

    pub fn set_collapsed(&self, span: u32, collapsed: bool) {
        self.collapsed.update(|c| {
            let mut next = (*c.0).clone();
            next.set(span, collapsed);
            *c = Shared::new(next);
        });
    }

    pub fn collapse_all(&self) {
        let mut state = ViewState { collapsed: BitSet::new(0), hidden: None };
        self.data.with_value(|d| state.collapse_all(&d.trace().tree));
        self.collapsed.set(Shared::new(state.collapsed));
    }

    pub fn expand_all(&self) {
        let len = self.data.with_value(|d| d.trace().spans.len());
        self.collapsed.set(Shared::new(BitSet::new(len)));
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

fn span_index_by_hex(data: &TraceRef, hex: &str) -> Option<u32> {
    let id = spanlens_model::ids::parse_span_id_hex(hex).ok()?;
    data.trace().spans.iter().position(|s| s.span_id == id).map(|i| i as u32)
}
