//! A sortable table header cell: click to sort by its column, click again to reverse.

use leptos::prelude::*;

#[component]
pub fn SortHeader<C>(
    label: &'static str,
    column: C,
    /// The column sorted by and whether descending.
    sort: RwSignal<(C, bool)>,
    /// Numbers sort largest first on the first click; text A→Z.
    #[prop(optional)]
    numeric: bool,
    #[prop(optional)] title: Option<&'static str>,
) -> impl IntoView
where
    C: Copy + PartialEq + Send + Sync + 'static,
{
    let active = move || sort.with(|(c, _)| *c == column);
    let descending = move || sort.with(|(_, d)| *d);
    let aria = move || match (active(), descending()) {
        (false, _) => "none",
        (true, true) => "descending",
        (true, false) => "ascending",
    };
    let on_click = move |_| {
        sort.update(|(c, d)| {
            if *c == column {
                *d = !*d;
            } else {
                *c = column;
                *d = numeric;
            }
        })
    };
    view! {
        <th class:sl-num=numeric aria-sort=aria title=title>
            <button class="sl-sort-header" on:click=on_click>
                {label}
                <span class="sl-sort-header__arrow" aria-hidden="true">
                    {move || match (active(), descending()) {
                        (false, _) => "",
                        (true, true) => " ▼",
                        (true, false) => " ▲",
                    }}
                </span>
            </button>
        </th>
    }
}
