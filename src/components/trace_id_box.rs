//! The header's trace-id box: open any trace by id, from the loaded traces or, when it is not loaded,
//! from a chosen backend (`/trace/<id>?backend=<name>`, which fetches it).

use crate::state::{AppState, Backends, LoadSelector};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use spanlens_model::ids::parse_trace_id_hex;

#[component]
pub fn TraceIdBox() -> impl IntoView {
    let state = AppState::from_context();
    let backends = Backends::use_context();
    let navigate = use_navigate();
    let text = RwSignal::new(String::new());
    let chosen = RwSignal::new(String::new());
    let names =
        Memo::new(move |_| backends.list.with(|l| l.iter().map(|b| b.backend.name.clone()).collect::<Vec<_>>()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let hex = text.get_untracked().trim().to_ascii_lowercase();
        if parse_trace_id_hex(&hex).is_err() {
            state.report("Not a trace id", format!("\"{hex}\" is not a hexadecimal trace id (up to 32 digits)."));
            return;
        }
        let backend = chosen.get_untracked();
        let backend = if backend.is_empty() { names.get_untracked().first().cloned() } else { Some(backend) };
        let loaded = state.catalog.with_untracked(|c| c.find(&hex, &LoadSelector::default()));
        let target = match (loaded, backend) {
            (Some(found), _) => Some(found.loaded.trace_href(found.trace())),
            (None, Some(name)) => Some(format!("/trace/{hex}?backend={}", js_sys::encode_uri_component(&name))),
            (None, None) => {
                state.report("Trace not loaded", "Open the file that holds it, or connect a backend to fetch it from.");
                None
            }
        };
        if let Some(target) = target {
            text.set(String::new());
            navigate(&target, Default::default());
        }
    };
    view! {
        <form class="sl-trace-id" on:submit=submit role="search" aria-label="Open a trace by id">
            <input
                class="sl-input sl-trace-id__input"
                data-testid="trace-id-input"
                placeholder="Trace ID"
                spellcheck="false"
                autocomplete="off"
                prop:value=move || text.get()
                on:input:target=move |ev| text.set(ev.target().value())
            />
            <Show when=move || names.with(|n| !n.is_empty())>
                <select class="sl-select" data-testid="trace-id-backend" aria-label="Fetch from backend"
                    on:change:target=move |ev| chosen.set(ev.target().value())>
                    <For each=move || names.get() key=|n| n.clone() let:name>
                        <option value=name.clone()>{name.clone()}</option>
                    </For>
                </select>
            </Show>
        </form>
    }
}
