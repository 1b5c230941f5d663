//! The flame graph view (`?view=flame`): an icicle of the trace in time order (sharing the
//! waterfall's time window and selection) or left heavy (repeated calls merged, heaviest first:
//! where the time went). It owns its mode, colouring and hover (`FlameState`); everything else is
//! the shared focus.

mod canvas;
mod keys;
pub mod state;
mod table;
mod tooltip;

pub use state::FlameState;

use crate::state::{Focus, TraceAnalysis};
use leptos::ev;
use leptos::prelude::*;
use spanlens_analysis::flame::FlameMode;
use state::ColorBy;

#[component]
pub fn FlameView() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    let fs = FlameState::new(analysis, focus);
    provide_context(fs);

    let keys = window_event_listener(ev::keydown, move |e| keys::handle_key(focus, fs, &e));
    on_cleanup(move || keys.remove());
    // Left heavy has its own x window: the page's zoom keys act on it while it is shown.
    let chrome = crate::state::TraceChrome::from_context();
    Effect::new(move |_| chrome.zoom_target.set((fs.mode.get() == FlameMode::LeftHeavy).then_some(fs.heavy_viewport)));
    on_cleanup(move || {
        chrome.zoom_target.try_set(None);
    });

    // Merging a huge trace for left heavy takes a noticeable moment on this thread: say so first,
    // and start the merge once that has been painted.
    let building = RwSignal::new(false);
    let span_count = analysis.span_count();
    let switch_mode = move |mode: FlameMode| {
        if fs.mode.get_untracked() == mode || building.get_untracked() {
            return;
        }
        if span_count < 200_000 {
            fs.mode.set(mode);
            return;
        }
        building.set(true);
        set_timeout(
            move || {
                fs.mode.try_set(mode);
                building.try_set(false);
            },
            std::time::Duration::from_millis(40),
        );
    };
    let mode_button = move |mode: FlameMode, label: &'static str, testid: &'static str, title: &'static str| {
        view! {
            <button
                class="sl-segmented__item"
                class:sl-segmented__item--active=move || fs.mode.get() == mode
                aria-pressed=move || (fs.mode.get() == mode).to_string()
                data-testid=testid
                title=title
                on:click=move |_| switch_mode(mode)
            >
                {label}
            </button>
        }
    };
    let color_button = move |by: ColorBy, label: &'static str| {
        view! {
            <button
                class="sl-segmented__item"
                class:sl-segmented__item--active=move || fs.color_by.get() == by
                aria-pressed=move || (fs.color_by.get() == by).to_string()
                on:click=move |_| fs.color_by.set(by)
            >
                {label}
            </button>
        }
    };
    let show_table = RwSignal::new(true);
    view! {
        <div class="sl-view-bar">
            <div class="sl-segmented" role="group" aria-label="Flame graph mode">
                {mode_button(FlameMode::TimeOrder, "Time order", "flame-time-order", "One frame per span, on the trace's time axis")}
                {mode_button(FlameMode::LeftHeavy, "Left heavy", "flame-left-heavy", "Repeated calls merged, heaviest first: where the time went")}
            </div>
            <div class="sl-segmented" role="group" aria-label="Colour frames by">
                {color_button(ColorBy::Service, "By service")}
                {color_button(ColorBy::SelfTime, "By self time")}
            </div>
            <Show when=move || building.get()>
                <span class="sl-muted" role="status" data-testid="flame-building">
                    {format!("Merging {} spans…", crate::format::thousands(span_count))}
                </span>
            </Show>
            <button
                class="sl-button sl-button--small"
                on:click=move |_| fs.update_viewport(focus, |v| v.reset())
                title="Show the whole graph"
            >
                "Reset zoom"
            </button>
            <label class="sl-check">
                <input type="checkbox" prop:checked=show_table on:change=move |_| show_table.update(|s| *s = !*s)/>
                "Operations"
            </label>
            <span class="sl-muted sl-view-bar__hint">"Double-click a frame to zoom · Ctrl+wheel zooms · drag pans"</span>
        </div>
        <div class="sl-flame-layout">
            <canvas::FlameCanvas/>
            <Show when=move || show_table.get()>
                <table::FlameTable/>
            </Show>
        </div>
    }
}
