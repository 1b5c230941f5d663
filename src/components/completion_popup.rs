//! The autocomplete list under the TraceQL editor's caret. Mouse picks use `mousedown` (with the
//! default prevented) so the editor keeps focus.

use leptos::ev;
use leptos::prelude::*;
use spanlens_traceql::suggest::Suggestion;

#[component]
pub fn CompletionPopup(
    items: Signal<Vec<Suggestion>>,
    selected: RwSignal<usize>,
    /// 0-based line and character column the completed text starts at.
    position: Signal<(usize, usize)>,
    /// The entries are a backend's answer (tag APIs), not the editor's own index.
    #[prop(into)]
    from_backend: Signal<bool>,
    on_pick: Callback<usize>,
) -> impl IntoView {
    let style = move || {
        let (line, col) = position.get();
        format!(
            "top: calc({} * var(--sl-query-lh) + var(--sl-query-pad) + 2px); left: calc({col}ch + var(--sl-query-pad))",
            line + 1
        )
    };
    view! {
        <ul class="sl-completions" role="listbox" data-testid="completions" style=style
            data-source=move || if from_backend.get() { "backend" } else { "index" }>
            {move || {
                items
                    .get()
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let active = move || selected.get() == i;
                        view! {
                            <li
                                role="option"
                                class="sl-completions__item"
                                class:sl-completions__item--active=active
                                aria-selected=move || active().to_string()
                                on:mousedown=move |e: ev::MouseEvent| {
                                    e.prevent_default();
                                    on_pick.run(i);
                                }
                                on:mouseenter=move |_| selected.set(i)
                            >
                                <span class="sl-completions__label">{s.label}</span>
                                <span class="sl-completions__detail">{s.detail}</span>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}
