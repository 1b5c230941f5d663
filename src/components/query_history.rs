//! The last 20 queries (localStorage `spanlens.queryHistory`) as a dropdown next to Run.

use crate::state::search::clear_history;
use leptos::prelude::*;

#[component]
pub fn QueryHistory(history: RwSignal<Vec<String>>, on_pick: Callback<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let empty = move || history.with(Vec::is_empty);
    view! {
        <div class="sl-history">
            <button
                class="sl-button"
                data-testid="history-toggle"
                aria-haspopup="listbox"
                aria-expanded=move || open.get().to_string()
                disabled=empty
                title="Recent queries"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "History ▾"
            </button>
            <Show when=move || open.get() && !empty()>
                <div class="sl-history__menu" data-testid="history-menu">
                    <ul role="listbox">
                        {move || {
                            history
                                .get()
                                .into_iter()
                                .map(|q| {
                                    let pick = q.clone();
                                    let title = q.clone();
                                    view! {
                                        <li role="option">
                                            <button
                                                class="sl-history__item sl-mono"
                                                title=title
                                                on:click=move |_| {
                                                    open.set(false);
                                                    on_pick.run(pick.clone());
                                                }
                                            >
                                                {q}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ul>
                    <button
                        class="sl-history__clear sl-muted"
                        on:click=move |_| {
                            clear_history();
                            history.set(Vec::new());
                            open.set(false);
                        }
                    >
                        "Clear history"
                    </button>
                </div>
            </Show>
        </div>
    }
}
