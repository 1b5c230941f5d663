//! `/search`: find traces among those loaded.

use crate::components::TraceList;
use crate::state::AppState;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SearchPage() -> impl IntoView {
    let state = AppState::from_context();
    let has_traces = move || state.loaded.with(|l| l.as_ref().is_some_and(|l| !l.set.traces.is_empty()));
    view! {
        <section class="sl-page">
            <h1>"Search"</h1>
            <Show
                when=has_traces
                fallback=|| view! {
                    <div class="sl-empty">
                        <p class="sl-muted">"Search runs over the traces loaded in this tab. Open trace files first."</p>
                        <A href="/" attr:class="sl-button">"Open traces"</A>
                    </div>
                }
            >
                <TraceList/>
            </Show>
        </section>
    }
}
