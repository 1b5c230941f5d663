//! The waterfall's own state: collapse flags, the rows they and the focus's filters give, the label
//! column's width, the hovered hit target and scroll requests. Created when the view mounts; the
//! selection, find and time window it shows live in the shared focus.

use crate::state::{Focus, Shared, TraceAnalysis};
use leptos::prelude::*;
use spanlens_analysis::bitset::BitSet;
use spanlens_layout::hit_test::HitTarget;
use spanlens_layout::rows::{Rows, ViewState, layout_rows, reveal_in};

#[derive(Clone, Copy)]
pub struct WaterfallState {
    pub collapsed: RwSignal<Shared<BitSet>>,
    pub rows: Memo<Shared<Rows>>,
    pub label_width_px: RwSignal<f64>,
    pub hover: RwSignal<Option<HitTarget>>,
    /// Asks the canvas to scroll a span's row into view.
    pub scroll_request: RwSignal<Option<u32>>,
}

impl WaterfallState {
    pub fn new(analysis: TraceAnalysis, focus: Focus) -> Self {
        let data = analysis.data;
        let collapsed = RwSignal::new(Shared::new(BitSet::new(analysis.span_count())));
        // Incremental from the previous rows: a collapse toggle at a million spans replays one
        // subtree instead of laying out every span again.
        let rows = Memo::new(move |previous: Option<&Shared<Rows>>| {
            let state = ViewState {
                collapsed: collapsed.with(|c| (*c.0).clone()),
                hidden: focus.hidden.with(|h| h.as_ref().map(|m| (*m.0).clone())),
            };
            data.with_value(|d| {
                Shared::new(match previous {
                    Some(rows) => rows.relayout(d.trace(), &state),
                    None => layout_rows(d.trace(), &state),
                })
            })
        });
        // Coming back to the waterfall (or opening a `span=` link) shows the selected span.
        let scroll_request = RwSignal::new(focus.selected.get_untracked());
        let this = WaterfallState {
            collapsed,
            rows,
            label_width_px: RwSignal::new(360.0),
            hover: RwSignal::new(None),
            scroll_request,
        };
        // A reveal request from the focus (find, keyboard, a click in another panel): expand the
        // span's ancestors so it has a row, and scroll to it. The request is consumed.
        Effect::new(move |_| {
            let Some(span) = focus.reveal.get() else { return };
            this.reveal(analysis, span);
            focus.reveal.set(None);
        });
        this
    }

    pub fn from_context() -> Self {
        expect_context::<WaterfallState>()
    }

    fn reveal(&self, analysis: TraceAnalysis, span: u32) {
        let data = analysis.data;
        let has_row = self.rows.with_untracked(|r| data.with_value(|d| r.row_of_span(&d.trace().tree, span).is_some()));
        if !has_row {
            self.collapsed.update(|c| {
                let mut next = (*c.0).clone();
                data.with_value(|d| reveal_in(&mut next, &d.trace().tree, span));
                *c = Shared::new(next);
            });
        }
        self.scroll_request.set(Some(span));
    }

    pub fn set_collapsed(&self, span: u32, collapsed: bool) {
        self.collapsed.update(|c| {
            let mut next = (*c.0).clone();
            next.set(span, collapsed);
            *c = Shared::new(next);
        });
    }

    pub fn collapse_all(&self, analysis: TraceAnalysis) {
        let mut state = ViewState { collapsed: BitSet::new(0), hidden: None };
        analysis.data.with_value(|d| state.collapse_all(&d.trace().tree));
        self.collapsed.set(Shared::new(state.collapsed));
    }

    pub fn expand_all(&self, analysis: TraceAnalysis) {
        self.collapsed.set(Shared::new(BitSet::new(analysis.span_count())));
    }
}
