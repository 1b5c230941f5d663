//! The `?` overlay listing keyboard shortcuts.

use crate::state::TraceChrome;
use leptos::prelude::*;

const SHORTCUTS: &[(&str, &str)] = &[
    ("↑ ↓ or k j", "Waterfall: select the previous / next span"),
    ("← →", "Waterfall: collapse / expand the selected span"),
    ("↑ ↓ or k j", "Flame graph: select the parent / first child frame"),
    ("← → or h l", "Flame graph: select the previous / next frame of the same depth"),
    ("Double-click", "Flame graph: zoom to the frame"),
    ("/", "Find in trace"),
    ("Enter / Shift+Enter", "Next / previous match (in find)"),
    ("+ −", "Zoom in / out"),
    ("0", "Reset zoom"),
    ("Ctrl + wheel", "Zoom around the pointer"),
    ("Shift + wheel, drag", "Pan the timeline"),
    ("Esc", "Clear selection and find"),
    ("1 … 9", "Switch view (Waterfall is 1)"),
    ("?", "Show this help"),
];

#[component]
pub fn ShortcutsHelp() -> impl IntoView {
    let chrome = TraceChrome::from_context();
    view! {
        <Show when=move || chrome.show_help.get()>
            <div class="sl-modal-backdrop" on:click=move |_| chrome.show_help.set(false)>
                <div class="sl-modal" role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcuts-help" on:click=|ev| ev.stop_propagation()>
                    <h2>"Keyboard shortcuts"</h2>
                    <table class="sl-shortcuts">
                        <tbody>
                            {SHORTCUTS.iter().map(|(keys, what)| view! {
                                <tr><td><kbd>{*keys}</kbd></td><td>{*what}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <button class="sl-button" on:click=move |_| chrome.show_help.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
    .into_any()
}
