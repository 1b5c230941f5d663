//! The top bar: product name, navigation and theme toggle.

use crate::chunks;
use crate::state::AppState;
use crate::theme;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn Header() -> impl IntoView {
    let state = AppState::from_context();
    let current_theme = state.theme;
    let toggle = move |_| {
        let next = current_theme.get_untracked().toggled();
        theme::apply(next);
        current_theme.set(next);
    };
    // The Trace tab opens the newest load's first trace; with nothing loaded there is nothing to open.
    let trace_href = move || {
        state.catalog.with(|c| {
            let (loaded, index) = c.entries().find(|(l, _)| c.newest().is_some_and(|n| n.id == l.id))?;
            loaded.set.traces.get(index).map(|t| loaded.trace_href(t))
        })
    };
    let params = use_query_map();
    let query = move || params.with(crate::url::data_query);

    view! {
        <header class="sl-header">
            <A href=move || format!("/{}", query()) attr:class="sl-brand" attr:aria-label="spanlens home">
                <svg class="sl-brand__mark" viewBox="0 0 32 32" aria-hidden="true">
                    <rect x="5" y="7" width="20" height="4" rx="2" class="sl-brand__bar1"></rect>
                    <rect x="9" y="14" width="14" height="4" rx="2" class="sl-brand__bar2"></rect>
                    <rect x="13" y="21" width="9" height="4" rx="2" class="sl-brand__bar3"></rect>
                </svg>
                <span class="sl-brand__name">"spanlens"</span>
            </A>
            <nav class="sl-nav" aria-label="Main">
                // A pointer over (or focus on) a page's link starts fetching its code (crate::chunks).
                <A
                    href=move || format!("/search{}", query())
                    attr:class="sl-nav__link"
                    on:pointerenter=|_| chunks::prefetch_search_page()
                    on:focus=|_| chunks::prefetch_search_page()
                >
                    "Search"
                </A>
                {move || match trace_href() {
                    Some(href) => view! { <A href=href attr:class="sl-nav__link">"Trace"</A> }.into_any(),
                    None => view! {
                        <span class="sl-nav__link sl-nav__link--disabled" title="Open a trace first" aria-disabled="true">"Trace"</span>
                    }.into_any(),
                }}
                <A
                    href=move || format!("/services{}", query())
                    attr:class="sl-nav__link"
                    on:pointerenter=|_| chunks::prefetch_services_page()
                    on:focus=|_| chunks::prefetch_services_page()
                >
                    "Services"
                </A>
                <A
                    href=move || format!("/warnings{}", query())
                    attr:class="sl-nav__link"
                    attr:data-testid="nav-warnings"
                    on:pointerenter=|_| chunks::prefetch_warnings_page()
                    on:focus=|_| chunks::prefetch_warnings_page()
                >
                    "Warnings"
                    {move || {
                        let alarms = state.catalog.with(|c| c.alarm_count());
                        (alarms > 0).then(|| view! { <span class="sl-nav__count">{crate::format::thousands(alarms)}</span> })
                    }}
                </A>
            </nav>
            <div class="sl-header__spacer"></div>
            <crate::components::TraceIdBox/>
            <button
                class="sl-icon-button sl-theme-toggle"
                data-testid="theme-toggle"
                title=move || format!("Switch to {} theme", current_theme.get().toggled().as_str())
                aria-label="Toggle theme"
                on:click=toggle
            >
                {move || if current_theme.get() == theme::Theme::Dark { "☀" } else { "☾" }}
            </button>
        </header>
    }
}
