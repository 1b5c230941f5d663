//! The waterfall view (`?view=waterfall`): spans as rows in tree order, bars on a shared time axis.
//! It owns its collapse flags and rows (`WaterfallState`); selection, find and the time window come
//! from the shared focus.

mod canvas;
mod keys;
mod state;
pub mod tooltip;

pub use state::WaterfallState;

use crate::state::{Focus, TraceAnalysis};
use leptos::ev;
use leptos::prelude::*;

#[component]
pub fn WaterfallView() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    let wf = WaterfallState::new(analysis, focus);
    provide_context(wf);

    let keys = window_event_listener(ev::keydown, move |e| keys::handle_key(analysis, focus, wf, &e));
    on_cleanup(move || keys.remove());

    view! {
        <div class="sl-view-bar">
            <button class="sl-button sl-button--small" on:click=move |_| wf.collapse_all(analysis) data-testid="collapse-all">
                "Collapse all"
            </button>
            <button class="sl-button sl-button--small" on:click=move |_| wf.expand_all(analysis) data-testid="expand-all">
                "Expand all"
            </button>
        </div>
        <canvas::Waterfall/>
    }
}
