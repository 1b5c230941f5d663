//! The order of a result list (most recent, longest first, …), as Jaeger UI offers it.

use crate::state::trace_rows::RowOrder;
use leptos::prelude::*;

#[component]
pub fn ResultsSort(#[prop(into)] order: Signal<RowOrder>, on_change: Callback<RowOrder>) -> impl IntoView {
    view! {
        <label class="sl-results-sort">
            <span class="sl-muted">"Sort"</span>
            <select
                class="sl-select sl-select--small"
                data-testid="results-sort"
                prop:value=move || order.get().param()
                on:change:target=move |ev| on_change.run(RowOrder::from_param(Some(&ev.target().value())))
            >
                {RowOrder::ALL
                    .into_iter()
                    .map(|o| view! { <option value=o.param()>{o.label()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
