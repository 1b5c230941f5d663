use std::cell::RefCell;

use leptos::prelude::*;

use super::{Load, Render};

thread_local! {
    // The builders of chunks already loaded, by split point: shown again, a view is built at once
    // instead of after a "Loading…" frame.
    static LOADED: RefCell<Vec<(usize, Render)>> = const { RefCell::new(Vec::new()) };
}

fn loaded(load: Load) -> Option<Render> {
    let key = load as usize;
    LOADED.with_borrow(|l| l.iter().find(|(k, _)| *k == key).map(|(_, r)| *r))
}

fn remember(load: Load, render: Render) {
    let key = load as usize;
    LOADED.with_borrow_mut(|l| {
        if !l.iter().any(|(k, _)| *k == key) {
            l.push((key, render));
        }
    });
}

/// A view whose code is in a chunk of the app fetched on first use (`crate::chunks`): a loading
/// note while it comes, the view once it has, or the failure with a way to try again.
#[component]
pub fn Deferred(
    /// The split point.
    load: Load,
    /// What is loading, for the user ("the flame graph").
    what: &'static str,
) -> impl IntoView {
    if let Some(render) = loaded(load) {
        return render();
    }
    let (attempt, set_attempt) = signal(0_u32);
    let chunk = LocalResource::new(move || {
        attempt.track();
        load()
    });
    (move || match chunk.get() {
        None => view! {
            <div class="sl-deferred" role="status" data-testid="deferred-loading">
                {format!("Loading {what}…")}
            </div>
        }
        .into_any(),
        Some(Ok(render)) => {
            remember(load, render);
            render()
        }
        Some(Err(error)) => view! {
            <div class="sl-deferred sl-deferred--error" role="alert" data-testid="deferred-error">
                <span>{format!("Could not load {what}: {error}.")}</span>
                // A page left open across a deployment asks for chunks the server no longer has:
                // only a reload brings the new ones.
                <span class="sl-muted">"If spanlens was updated since this page was opened, reload it."</span>
                <div class="sl-deferred__actions">
                    <button class="sl-button" on:click=move |_| set_attempt.update(|a| *a += 1)>
                        "Try again"
                    </button>
                    <button
                        class="sl-button"
                        on:click=|_| {
                            let _ = window().location().reload();
                        }
                    >
                        "Reload page"
                    </button>
                </div>
            </div>
        }
        .into_any(),
    })
    .into_any()
}
