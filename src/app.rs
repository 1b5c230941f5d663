//! The application root: router, shared state, the parsing worker and the page shell.

use crate::components::{DropOverlay, ErrorBanner, Header, ProgressBar};
use crate::hooks::use_window_drop;
use crate::pages::{LandingPage, NotFoundPage, SearchPage, ServicesPage, TracePage, WarningsPage};
use crate::state::{AppState, LoadProgress, Loaded, Loader, LoaderEvent, Loads, Origin};
use crate::timing;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::{NavigateOptions, path};
use std::sync::Arc;

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
    let origin = StoredValue::new(None::<Origin>);

    let on_event = move |event: LoaderEvent| match event {
        LoaderEvent::Progress { file, bytes_done, bytes_total } => {
            let parsing = bytes_total > 0 && bytes_done >= bytes_total;
            state.progress.try_set(Some(LoadProgress { file, bytes_done, bytes_total, parsing }));
        }
        LoaderEvent::WarmUp(result) => crate::state::warm_up::run(&result.set),
        LoaderEvent::Failed(message) => {
            state.progress.try_set(None);
            state.report("Loading failed", message);
        }
        LoaderEvent::Done(result) => {
            timing::mark(timing::PARSED);
            timing::record_duration(timing::WORKER_READ, result.read_millis);
            timing::record_duration(timing::WORKER_IMPORT, result.parse_millis);
            state.progress.try_set(None);
            for e in &result.errors {
                state.report(format!("Could not open {}", e.file), e.to_string());
            }
            let source_url = match origin.try_get_value().flatten() {
                Some(Origin::Url(u)) => Some(u),
                _ => None,
            };
            if result.set.traces.is_empty() && result.errors.is_empty() {
                state.report("No traces found", "The files were read, but they contain no spans.");
            }
            let loaded = Loaded { set: result.set, source_url };
            let target = match loaded.set.traces.as_slice() {
                [only] => Some(format!("/trace/{}{}", only.trace_id_hex(), loaded.link_query())),
                [] => None,
                _ => Some(format!("/{}", loaded.link_query())),
            };
            state.paint_pending.try_set_value(true);
            state.loaded.try_set(Some(Arc::new(loaded)));
            // A URL load that already sits on a trace or search page (a shared link) stays there.
            let on_trace_page = web_sys::window()
                .and_then(|w| w.location().pathname().ok())
                .is_some_and(|p| p.contains("/trace/") || p.ends_with("/search"));
            if let Some(target) = target
                && (!on_trace_page || source_url_is_none(&state))
            {
                navigate(&target, NavigateOptions::default());
            }
        }
    };
    let loader = StoredValue::new_local(Loader::new(on_event));
    let loads = Loads::new(loader, origin, state);
    provide_context(loads);

    // `?url=` loads a trace file from a URL: for sharing links and for benchmark harnesses.
    let query = use_query_map();
    Effect::new(move |_| {
        let Some(url) = query.with(|q| q.get("url")) else { return };
        let already = state.loaded.with_untracked(|l| l.as_ref().and_then(|l| l.source_url.clone()));
        let in_flight = matches!(origin.get_value(), Some(Origin::Url(u)) if u == url)
            && state.progress.with_untracked(Option::is_some);
        if already.as_deref() != Some(url.as_str()) && !in_flight {
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
                    <Route path=path!("/search") view=SearchPage/>
                    <Route path=path!("/services") view=ServicesPage/>
                    <Route path=path!("/warnings") view=WarningsPage/>
                </Routes>
            </main>
            <DropOverlay visible=dragging/>
        </div>
    }
}

fn source_url_is_none(state: &AppState) -> bool {
    state.loaded.with_untracked(|l| l.as_ref().is_none_or(|l| l.source_url.is_none()))
}
