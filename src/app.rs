//! The application root: router, shared state, the parsing worker and the page shell.

use crate::chunks::{self, Deferred};
use crate::components::{DropOverlay, ErrorBanner, Header, ProgressBar};
use crate::hooks::use_window_drop;
use crate::pages::{LandingPage, NotFoundPage, TracePage};
use crate::state::{AppState, Loader, Loads};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::{NavigateOptions, path};

fn router_base() -> Option<String> {
    // `<base href>` is written by Trunk from --public-url; routes live under the same prefix.
    let base = web_sys::window()?.document()?.base_uri().ok()??;
    let path = web_sys::Url::new(&base).ok()?.pathname();
    let trimmed = path.trim_end_matches('/');
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    let base = router_base().unwrap_or_default();
    view! {
        <Router base=base>
            <Shell/>
        </Router>
    }
}

/// Everything inside the router: navigation needs the router context.
#[component]
fn Shell() -> impl IntoView {
    let state = AppState::from_context();
    let navigate = use_navigate();
    let loads = Loads::new(state);
    provide_context(crate::state::Backends::new(state));
    // A finished load's page opens at the top of the window, as any page does; but while the window
    // has never scrolled it is at the top already, and the router's scroll there only forces a
    // layout of the page being left, in the task that decodes the load's last part (in a profile of
    // a cold million-span link the navigation took 150 ms of that task with the scroll, 45 ms
    // without). Scroll events are the window's own, not its scrolling boxes'.
    let scrolled = StoredValue::new(false);
    // Never removed: the shell lives as long as the page.
    let _listener = window_event_listener(leptos::ev::scroll, move |_| scrolled.set_value(true));
    let options = move || NavigateOptions { scroll: scrolled.get_value(), ..NavigateOptions::default() };
    loads.attach(Loader::new(move |event| loads.handle(event, |target| navigate(target, options()))));
    provide_context(loads);
    // Files opened before a reload come back (see `state::kept_files`).
    loads.restore_kept();

    // `?url=` loads a trace file from a URL: for sharing links and for benchmark harnesses. A URL
    // already in the catalog, or on its way, is not fetched again.
    let query = use_query_map();
    Effect::new(move |_| {
        let Some(url) = query.with(|q| q.get("url")) else { return };
        let listed = state.catalog.with_untracked(|c| c.has_url(&url));
        if !listed && !loads.is_loading_url(&url) {
            loads.open_url(url);
        }
    });

    let dragging = use_window_drop(move |files| loads.open_files(files));

    view! {
        <div class="sl-app">
            <Header/>
            <ProgressBar/>
            <ErrorBanner/>
            <main class="sl-main">
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=path!("/") view=LandingPage/>
                    <Route path=path!("/trace/:id") view=TracePage/>
                    // The other pages' code is fetched when first opened (crate::chunks).
                    <Route path=path!("/search") view=|| view! { <Deferred load=chunks::SEARCH_PAGE what="the search page"/> }/>
                    <Route path=path!("/compare/:a/:b") view=|| view! { <Deferred load=chunks::COMPARE_PAGE what="the comparison"/> }/>
                    <Route path=path!("/services") view=|| view! { <Deferred load=chunks::SERVICES_PAGE what="the services page"/> }/>
                    <Route path=path!("/warnings") view=|| view! { <Deferred load=chunks::WARNINGS_PAGE what="the warnings"/> }/>
                </Routes>
            </main>
            <DropOverlay visible=dragging/>
        </div>
    }
}
