//! The bar over a trace table with ticks: how many traces are ticked, Compare when exactly two are,
//! "Open N together" for backend results (they land in the loaded-trace list), and Clear.

use crate::format::thousands;
use crate::state::compare_link::{MAX_OPEN_TOGETHER, compare_href, together_href};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SelectionBar(
    /// The ticked rows' trace links, in the order they were ticked.
    selected: Signal<Vec<String>>,
    on_clear: Callback<()>,
    /// Offers "Open N together" (search results); the loaded-trace list has them open already.
    open_together: bool,
) -> impl IntoView {
    let count = move || selected.with(Vec::len);
    let compare = move || {
        selected.with(|s| match s.as_slice() {
            [a, b] => compare_href(a, b),
            _ => None,
        })
    };
    // Only backend results (all from the same backend) can be fetched together.
    let together = move || {
        if !open_together {
            return None;
        }
        selected.with(|s| together_href(&s.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    let hint = if open_together {
        "Tick traces to compare two of them or open several together."
    } else {
        "Tick two traces to compare them."
    };
    view! {
        <div class="sl-selection-bar" class:sl-selection-bar--active=move || selected.with(|s| !s.is_empty()) data-testid="compare-bar" data-selected=move || count().to_string()>
            {move || match count() {
                0 => view! { <span class="sl-muted">{hint}</span> }.into_any(),
                n => view! {
                    <strong class="sl-selection-bar__count" data-testid="selected-count">{format!("{} selected", thousands(n))}</strong>
                }.into_any(),
            }}
            {move || compare().map(|href| view! {
                <A href=href attr:class="sl-button sl-button--small sl-button--primary" attr:data-testid="compare-link">
                    "Compare"
                </A>
            })}
            {move || together().map(|href| {
                let n = count();
                if n > MAX_OPEN_TOGETHER {
                    view! {
                        <span class="sl-selection-bar__limit" data-testid="open-selected-limit">
                            {format!("At most {MAX_OPEN_TOGETHER} traces open together: untick {}.", thousands(n - MAX_OPEN_TOGETHER))}
                        </span>
                    }.into_any()
                } else {
                    let label = if n == 1 { "Open in the list".to_owned() } else { format!("Open {n} together") };
                    view! {
                        <A href=href attr:class="sl-button sl-button--small sl-button--primary" attr:data-testid="open-selected"
                            attr:title="Fetch the ticked traces and list them with the loaded traces">
                            {label}
                        </A>
                    }.into_any()
                }
            })}
            <Show when=move || { count() > 0 }>
                <button class="sl-button sl-button--small" data-testid="clear-selected" on:click=move |_| on_clear.run(())>
                    "Clear"
                </button>
            </Show>
        </div>
    }
}
