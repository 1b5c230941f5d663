//! `/trace/:id`: the screen users live in. Header with the numbers that matter, toolbar, minimap,
//! the active view (`?view=`, the waterfall by default) and the selected span's details.

use crate::components::{CriticalNotice, Minimap, ShortcutsHelp, SpanDetail, TraceHeader, TraceToolbar};
use crate::state::trace_analysis::Computed;
use crate::state::{AppState, Backends, Focus, LoadSelector, Loads, TraceAnalysis, TraceChrome, TraceRef};
use crate::views::{self, ViewTabs, keyboard::is_plain_key};
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::rc::Rc;

/// Spans from which a trace is analysed in tasks before its page mounts (in one task boundary when
/// the parsing worker analysed it, as it does from the same size).
const ANALYSE_APART_SPANS: usize = spanlens_protocol::ANALYSED_SPANS;

#[component]
pub fn TracePage() -> impl IntoView {
    let state = AppState::from_context();
    let params = use_params_map();
    let query = use_query_map();
    let trace_id = move || params.with(|p| p.get("id").unwrap_or_default());
    // The link names its load (`?load=` in this tab, `?url=` anywhere); without one, the newest
    // load that lists the trace.
    let selector = Memo::new(move |_| {
        query.with(|q| LoadSelector {
            load: q.get("load").and_then(|l| l.parse().ok()),
            url: q.get("url"),
            backend: q.get("backend"),
        })
    });
    let trace_ref = Memo::new(move |_| {
        let id = trace_id();
        selector.with(|sel| state.catalog.with(|c| c.find(&id, sel)))
    });
    // `/trace/<id>?backend=<name>`: a trace not loaded yet is fetched from that backend (once per
    // page; after a failure the banner says why and the page says it is not loaded).
    let backends = Backends::use_context();
    let loads = Loads::use_context();
    let attempted = StoredValue::new(None::<(String, String)>);
    Effect::new(move |_| {
        if trace_ref.with(Option::is_some) || !backends.ready.get() {
            return;
        }
        let Some(name) = query.with(|q| q.get("backend")) else { return };
        let id = trace_id();
        let wanted = Some((name.clone(), id.clone()));
        if attempted.get_value() == wanted || loads.is_loading_backend_trace(&name, &id) {
            return;
        }
        attempted.set_value(wanted);
        match backends.find(&name) {
            Some(backend) => loads.open_backend_trace(backend, id),
            None => state.report(
                format!("No backend named \"{name}\""),
                "This link names a backend that is neither in this deployment's config.json nor connected in this browser.",
            ),
        }
    });
    // A large trace is analysed in tasks of its own and mounted in the next: analysing and mounting
    // a 100k-span trace in one task held the thread for 130–190 ms on a cold page. (Setting a signal
    // re-renders in a microtask of the same task, hence the task boundary before `prepared` is set.)
    // A small one is analysed while mounting (no task boundary, no frame without the trace).
    let prepared = RwSignal::new_local(None::<(TraceRef, Rc<Computed>)>);
    Effect::new(move |_| {
        let Some(data) = trace_ref.get() else { return };
        if data.trace().spans.len() < ANALYSE_APART_SPANS {
            return;
        }
        spawn_local(async move {
            // Another trace may be opened meanwhile.
            let wanted = || trace_ref.try_with_untracked(|now| now.as_ref() == Some(&data)) == Some(true);
            if let Some(computed) = Computed::in_tasks(&data, wanted).await {
                prepared.try_set(Some((data, Rc::new(computed))));
            }
        });
    });
    // Whether anything is loading, not how far: the progress changes with every mebibyte of a large
    // answer, and each change would build this page's "Loading trace…" again.
    let loading = Memo::new(move |_| state.progress.with(Option::is_some));
    move || match trace_ref.get() {
        Some(data) if data.trace().spans.len() < ANALYSE_APART_SPANS => {
            view! { <TraceScreen data=data computed=None/> }.into_any()
        }
        Some(data) => {
            match prepared.with(|p| p.as_ref().filter(|(d, _)| *d == data).map(|(_, c)| Computed::clone(c))) {
                Some(computed) => view! { <TraceScreen data=data computed=Some(computed)/> }.into_any(),
                // Analysing, for the length of one task.
                None => view! { <div class="sl-trace-preparing" data-testid="trace-preparing"></div> }.into_any(),
            }
        }
        None => view! { <TraceMissing id=trace_id() loading=loading.get()/> }.into_any(),
    }
}

#[component]
fn TraceMissing(id: String, loading: bool) -> impl IntoView {
    if loading {
        return view! { <section class="sl-empty"><p class="sl-muted">"Loading trace…"</p></section> }.into_any();
    }
    view! {
        <section class="sl-empty" data-testid="trace-missing">
            <h1>"Trace not loaded"</h1>
            <p class="sl-muted">
                "Trace " <code>{id}</code>
                " is not among the loaded traces. Traces live only in this browser tab: open the file again, or share a link with "
                <code>"?url="</code> " so it reloads by itself."
            </p>
            <A href="/" attr:class="sl-button">"Open traces"</A>
        </section>
    }
    .into_any()
}

/// One trace's page; rebuilt (fresh analysis, focus and view state) when the trace changes.
#[component]
fn TraceScreen(data: TraceRef, computed: Option<Computed>) -> impl IntoView {
    let analysis = match computed {
        Some(computed) => TraceAnalysis::with(data, computed),
        None => TraceAnalysis::new(data),
    };
    let focus = Focus::new(analysis, crate::url::query_param("span"), crate::url::query_param("q"));
    let chrome = TraceChrome::new();
    provide_context(analysis);
    provide_context(focus);
    provide_context(chrome);
    let find_ref = NodeRef::<html::Input>::new();

    // The active view lives in the URL (`view=`), like the selection.
    let view_key = RwSignal::new(views::by_key(crate::url::query_param("view").as_deref()).key);
    Effect::new(move |_| {
        let key = view_key.get();
        let default = key == views::VIEWS[0].key;
        crate::url::replace_query_param("view", (!default).then_some(key));
    });
    let switch_view = move |key: &'static str| {
        if view_key.get_untracked() != key {
            chrome.first_frame_drawn.set(false);
            view_key.set(key);
        }
    };

    // The address is the state: a link to another span of this trace, Back and Forward change the
    // query without rebuilding the page, and the selection, view, find and time window follow it.
    // (The state writes the address with `replaceState`, which the router does not see, so this
    // never echoes.)
    let query = use_query_map();
    Effect::new(move |previous: Option<[Option<String>; 4]>| {
        let now = query.with(|q| [q.get("span"), q.get("view"), q.get("q"), q.get("window")]);
        let Some(before) = previous else { return now };
        let [span, view, find, window] = &now;
        if *span != before[0] {
            focus.select(span.as_deref().and_then(|hex| analysis.span_index_by_hex(hex)));
        }
        if *view != before[1] {
            switch_view(views::by_key(view.as_deref()).key);
        }
        if *find != before[2] {
            focus.find_text.set(find.clone().unwrap_or_default());
        }
        if *window != before[3] {
            let full = analysis.data.with_value(|d| {
                spanlens_layout::viewport::Viewport::for_trace(d.trace(), focus.viewport.get_untracked().width_px)
            });
            let next = window.as_deref().and_then(|w| crate::state::focus::window_from_param(&full, w)).unwrap_or(full);
            focus.viewport.set(next);
        }
        now
    });

    let keys = window_event_listener(ev::keydown, move |e| handle_key(focus, chrome, find_ref, switch_view, &e));
    on_cleanup(move || keys.remove());

    // Harness hooks (a contract, see the issues): the active view and the shown trace's span count,
    // present once the view's first frame with rows is drawn.
    let span_count = analysis.span_count();
    // Who analysed the trace: the parsing worker (a large trace, as it arrived) or this page.
    let analysed_by =
        analysis.data.with_value(|d| if d.loaded.analysed.contains_key(&d.index) { "worker" } else { "page" });
    let drawn = chrome.first_frame_drawn;
    // Once the trace is on screen, the other views' code comes in the background (crate::chunks).
    Effect::new(move |_| {
        if drawn.get() {
            crate::chunks::prefetch_trace_views();
        }
    });
    view! {
        <section
            class="sl-trace"
            data-testid="trace-view"
            data-view=move || drawn.get().then(|| view_key.get())
            data-span-count=move || drawn.get().then(|| span_count.to_string())
            data-analysed-by=analysed_by
        >
            <TraceHeader/>
            <TraceToolbar find_ref=find_ref/>
            <CriticalNotice/>
            <ViewTabs active=view_key.into() on_switch=Callback::new(switch_view)/>
            <div class="sl-trace__body">
                <div class="sl-trace__main">
                    <Minimap/>
                    {move || (views::by_key(Some(view_key.get())).render)()}
                </div>
                <SpanDetail/>
            </div>
            <ShortcutsHelp/>
        </section>
    }
}

/// The keys every view shares; each view handles its own (the waterfall's arrows) while mounted.
fn handle_key(
    focus: Focus,
    chrome: TraceChrome,
    find_ref: NodeRef<html::Input>,
    switch_view: impl Fn(&'static str),
    e: &web_sys::KeyboardEvent,
) {
    if !is_plain_key(e) {
        return;
    }
    let key = e.key();
    let zoom_target = chrome.zoom_target.get_untracked().unwrap_or(focus.viewport);
    if let Some(view) = views::by_shortcut(&key) {
        switch_view(view.key);
        e.prevent_default();
        return;
    }
    let handled = match key.as_str() {
        "/" => {
            if let Some(input) = find_ref.get_untracked() {
                input.focus().ok();
                input.select();
            }
            true
        }
        "+" | "=" => {
            zoom_target.update(|v| *v = v.zoom(v.width_px / 2.0, 2.0));
            true
        }
        "-" | "_" => {
            zoom_target.update(|v| *v = v.zoom(v.width_px / 2.0, 0.5));
            true
        }
        "0" => {
            zoom_target.update(|v| *v = v.reset());
            true
        }
        "?" => {
            chrome.show_help.update(|h| *h = !*h);
            true
        }
        "Escape" => {
            chrome.show_help.set(false);
            focus.select(None);
            focus.find_text.set(String::new());
            true
        }
        _ => false,
    };
    if handled {
        e.prevent_default();
    }
}
