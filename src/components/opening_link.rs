//! The landing page while a `?url=` link's trace is on its way (see `hooks::use_opening_link`).

use crate::components::OpenFilesButton;
use leptos::prelude::*;

/// The page while a link's trace is on its way: the progress bar above says how far (and cancels);
/// files can be opened instead, here or by dropping them anywhere.
#[component]
pub fn OpeningLink() -> impl IntoView {
    view! {
        <section class="sl-empty" data-testid="opening-link">
            <p class="sl-muted">"Opening the linked trace…"</p>
            <OpenFilesButton label="Open files instead…"/>
        </section>
    }
}
