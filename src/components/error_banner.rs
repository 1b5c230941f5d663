//! Dismissible error messages. Every feature reports user-facing failures through
//! [`crate::state::AppState::report`], and this banner shows them.

use crate::state::AppState;
use leptos::prelude::*;

#[component]
pub fn ErrorBanner() -> impl IntoView {
    let state = AppState::from_context();
    view! {
        <div class="sl-banners" role="alert" aria-live="assertive">
            <For each=move || state.notices.get() key=|n| n.id let:notice>
                <div class="sl-banner sl-banner--error" data-testid="error-banner">
                    <span class="sl-banner__icon" aria-hidden="true">"!"</span>
                    <div class="sl-banner__text">
                        <strong>{notice.title.clone()}</strong>
                        <span class="sl-banner__detail">{notice.detail.clone()}</span>
                    </div>
                    <button
                        class="sl-icon-button"
                        title="Dismiss"
                        aria-label="Dismiss"
                        on:click=move |_| state.dismiss(notice.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
