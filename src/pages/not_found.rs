use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section class="sl-empty">
            <h1>"Page not found"</h1>
            <p class="sl-muted">"There is nothing at this address."</p>
            <A href="/" attr:class="sl-button">"Back to start"</A>
        </section>
    }
}
