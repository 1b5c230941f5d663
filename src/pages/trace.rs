//! `/trace/:id`: the screen users live in. Header with the numbers that matter, toolbar, minimap,
//! canvas waterfall and the selected span's details.

use crate::components::{Minimap, ShortcutsHelp, SpanDetail, TraceHeader, TraceToolbar, Waterfall};
use crate::state::{AppState, TraceRef, TraceViewState};
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn TracePage() -> impl IntoView {
    let state = AppState::from_context();
    let params = use_params_map();
    let trace_id = move || params.with(|p| p.get("id").unwrap_or_default());
    let trace_ref = Memo::new(move |_| {
        let id = trace_id();
        state.loaded.with(|loaded| {
            let loaded = loaded.as_ref()?;
            let (index, _) = loaded.trace_by_hex(&id)?;
            Some(TraceRef { loaded: std::sync::Arc::clone(loaded), index })
        })
    });
    move || match trace_ref.get() {
        Some(data) => view! { <TraceScreen data=data/> }.into_any(),
        None => {
            let loading = state.progress.with(Option::is_some);
            view! { <TraceMissing id=trace_id() loading=loading/> }.into_any()
        }
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

/// One trace's view; rebuilt (fresh collapse, zoom and find state) when the trace changes.
#[component]
fn TraceScreen(data: TraceRef) -> impl IntoView {
    let tv = TraceViewState::new(data, crate::url::query_param("span"), crate::url::query_param("q"));
    provide_context(tv);
    let find_ref = NodeRef::<html::Input>::new();

    let keys = window_event_listener(ev::keydown, move |e| handle_key(&tv, find_ref, &e));
    on_cleanup(move || keys.remove());

    // Harness hooks (a contract, see the issues): the active view and the shown trace's span count,
    // present once the first frame with rows is drawn.
    let span_count = tv.data.with_value(|d| d.trace().spans.len());
    let drawn = tv.first_frame_drawn;
    view! {
        <section
            class="sl-trace"
            data-testid="trace-view"
            data-view=move || drawn.get().then_some("waterfall")
            data-span-count=move || drawn.get().then(|| span_count.to_string())
        >
            <TraceHeader/>
            <TraceToolbar find_ref=find_ref/>
            <div class="sl-trace__body">
                <div class="sl-trace__main">
                    <Minimap/>
                    <Waterfall/>
                </div>
                <SpanDetail/>
            </div>
            <ShortcutsHelp/>
        </section>
    }
}

fn in_text_field(e: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast as _;
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()).is_some_and(|el| {
        let tag = el.tag_name().to_ascii_lowercase();
        tag == "input" || tag == "textarea" || tag == "select" || el.is_content_editable()
    })
}

fn handle_key(tv: &TraceViewState, find_ref: NodeRef<html::Input>, e: &web_sys::KeyboardEvent) {
    if e.ctrl_key() || e.meta_key() || e.alt_key() || in_text_field(e) {
        return;
    }
    let key = e.key();
    let handled = match key.as_str() {
        "ArrowDown" | "j" => {
            move_selection(tv, 1);
            true
        }
        "ArrowUp" | "k" => {
            move_selection(tv, -1);
            true
        }
        "ArrowLeft" | "ArrowRight" => {
            if let Some(span) = tv.selected.get_untracked() {
                let collapse = key == "ArrowLeft";
                let row_state = tv.rows.with_untracked(|r| {
                    tv.data.with_value(|d| r.row_of_span(&d.trace().tree, span).and_then(|i| r.row(i)))
                });
                match row_state {
                    Some(row) if row.has_children && row.collapsed != collapse => tv.set_collapsed(span, collapse),
                    // Left on a leaf or collapsed row goes to the parent, as in file trees.
                    Some(_) if collapse => {
                        let parent = tv.data.with_value(|d| d.trace().tree.parent_of(span));
                        if parent.is_some() {
                            tv.select(parent);
                        }
                    }
                    _ => {}
                }
            }
            true
        }
        "/" => {
            if let Some(input) = find_ref.get_untracked() {
                input.focus().ok();
                input.select();
            }
            true
        }
        "+" | "=" => {
            tv.viewport.update(|v| *v = v.zoom(v.width_px / 2.0, 2.0));
            true
        }
        "-" | "_" => {
            tv.viewport.update(|v| *v = v.zoom(v.width_px / 2.0, 0.5));
            true
        }
        "0" => {
            tv.viewport.update(|v| *v = v.reset());
            true
        }
        "?" => {
            tv.show_help.update(|h| *h = !*h);
            true
        }
        "Escape" => {
            tv.show_help.set(false);
            tv.select(None);
            tv.find_text.set(String::new());
            true
        }
        _ => false,
    };
    if handled {
        e.prevent_default();
    }
}

fn move_selection(tv: &TraceViewState, delta: i64) {
    let next = tv.rows.with_untracked(|rows| {
        if rows.is_empty() {
            return None;
        }
        let current =
            tv.selected.get_untracked().and_then(|s| tv.data.with_value(|d| rows.row_of_span(&d.trace().tree, s)));
        let row = match current {
            Some(r) => (r as i64 + delta).clamp(0, rows.len() as i64 - 1) as usize,
            None => 0,
        };
        rows.span(row)
    });
    if next.is_some() {
        tv.select(next);
    }
}
