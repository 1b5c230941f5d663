//! The table of loaded traces, over every load in the catalog; a click opens one.

use crate::components::TraceTable;
use crate::state::AppState;
use crate::state::trace_rows::list_rows;
use leptos::prelude::*;

#[component]
pub fn TraceList(
    /// Merges the copies of a trace id from separate loads.
    #[prop(optional)]
    on_merge: Option<Callback<String>>,
) -> impl IntoView {
    let state = AppState::from_context();
    let rows = Memo::new(move |_| state.catalog.with(list_rows));
    view! { <TraceTable rows=rows.into() testid="trace-list" class="sl-trace-list" on_merge=on_merge compare=true/> }
}
