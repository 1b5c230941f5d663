//! Whether the landing page stands in for a `?url=` link's trace that is on its way.

use crate::state::{AppState, Loads};
use leptos::prelude::*;

/// True while the page's `?url=` link is on its way, and until its load has ended (a page that was opened
/// for the link is replaced by the trace's when it arrives): the start page would be built, laid out
/// and painted on a cold page's UI thread (~0.1 s at 1,000 spans, before the link's answer could
/// reach the worker) only to be dropped. A load that fails, or lists several traces, shows the start
/// page a task after it ended, so that one that navigates away never builds it.
pub fn use_opening_link() -> ReadSignal<bool> {
    let state = AppState::from_context();
    let loads = Loads::use_context();
    let query = leptos_router::hooks::use_query_map();
    let link = query.with_untracked(|q| q.get("url"));
    let for_link = link.as_deref().is_some_and(|url| {
        state.catalog.with_untracked(|c| !c.has_url(url))
            && (state.progress.with_untracked(Option::is_none) || loads.is_loading_url(url))
    });
    let (opening, set_opening) = signal(for_link);
    if for_link {
        let started = StoredValue::new(false);
        Effect::new(move |_| {
            let same_link = query.with(|q| q.get("url")) == link;
            if same_link && state.progress.with(Option::is_some) {
                started.set_value(true);
            } else if started.get_value() || !same_link {
                leptos::task::spawn_local(async move {
                    crate::state::schedule::next_task().await;
                    set_opening.try_set(false);
                });
            }
        });
    }
    opening
}
