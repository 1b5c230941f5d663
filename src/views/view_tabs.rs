//! The tabs that switch the trace page's view, one per registry entry, with its number key.

use crate::views::VIEWS;
use leptos::prelude::*;

#[component]
pub fn ViewTabs(active: Signal<&'static str>, on_switch: Callback<&'static str>) -> impl IntoView {
    view! {
        <div class="sl-view-tabs" role="tablist" aria-label="Views" data-testid="view-tabs">
            {VIEWS
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let key = v.key;
                    view! {
                        <button
                            role="tab"
                            class="sl-view-tabs__tab"
                            class:sl-view-tabs__tab--active=move || active.get() == key
                            aria-selected=move || (active.get() == key).to_string()
                            data-testid=format!("view-tab-{key}")
                            title=format!("{} ({})", v.label, i + 1)
                            on:click=move |_| on_switch.run(key)
                        >
                            {v.label}
                            <kbd class="sl-view-tabs__key">{(i + 1).to_string()}</kbd>
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
