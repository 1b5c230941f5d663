//! The order of a result list (most recent, longest first, …), as Jaeger UI offers it. The choice
//! goes into the URL as `sort=` without a navigation, so the search does not run again and a shared
//! link restores the order.

use crate::state::trace_rows::RowOrder;
use leptos::prelude::*;

#[component]
pub fn ResultsSort(order: RwSignal<RowOrder>) -> impl IntoView {
    view! {
        <label class="sl-results-sort">
            <span class="sl-muted">"Sort"</span>
            <select
                class="sl-select sl-select--small"
                data-testid="results-sort"
                prop:value=move || order.get().param()
                on:change:target=move |ev| {
                    let chosen = RowOrder::from_param(Some(&ev.target().value()));
                    order.set(chosen);
                    let param = (chosen != RowOrder::default()).then(|| chosen.param());
                    crate::url::replace_query_param("sort", param);
                }
            >
                {RowOrder::ALL
                    .into_iter()
                    .map(|o| view! { <option value=o.param()>{o.label()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
