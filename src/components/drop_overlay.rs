//! The full-window hover state shown while files are dragged over the page.

use leptos::prelude::*;

#[component]
pub fn DropOverlay(#[prop(into)] visible: Signal<bool>) -> impl IntoView {
    view! {
        <div class="sl-drop-overlay" class:sl-drop-overlay--visible=move || visible.get() aria-hidden="true">
            <div class="sl-drop-overlay__card">
                <div class="sl-drop-overlay__title">"Drop to open"</div>
                <div class="sl-drop-overlay__hint">
                    "OTLP (JSON, JSON Lines, protobuf), Jaeger, Zipkin or Chrome trace files — gzip is fine"
                </div>
            </div>
        </div>
    }
}
