//! On the landing page, for a link `/?backend=<name>&traces=<id>,…` (search results opened
//! together): how many of the named traces are in the list so far.

use crate::state::compare_link::together_ids;
use crate::state::{AppState, LoadSelector};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn OpenedTogether() -> impl IntoView {
    let state = AppState::from_context();
    let query = use_query_map();
    let wanted = Memo::new(move |_| {
        query.with(|q| {
            let backend = q.get("backend")?;
            let (ids, _) = together_ids(&q.get("traces")?);
            (!ids.is_empty()).then_some((backend, ids))
        })
    });
    let opened = move || {
        wanted.with(|w| {
            let Some((backend, ids)) = w else { return 0 };
            let selector = LoadSelector { backend: Some(backend.clone()), ..LoadSelector::default() };
            state.catalog.with(|c| ids.iter().filter(|id| c.find(id, &selector).is_some()).count())
        })
    };
    move || {
        let (backend, total) = wanted.with(|w| w.as_ref().map(|(b, ids)| (b.clone(), ids.len())))?;
        let done = opened();
        let busy = state.progress.with(Option::is_some) && done < total;
        let noun = if total == 1 { "trace" } else { "traces" };
        let text = if busy {
            format!("Opening {total} {noun} from {backend}: {done} of {total} in the list…")
        } else {
            format!("Opened {done} of {total} {noun} from {backend}.")
        };
        Some(view! {
            <p
                class="sl-opened-together sl-muted"
                data-testid="opened-together"
                data-opened=done.to_string()
                data-wanted=total.to_string()
            >
                {text}
            </p>
        })
    }
}
