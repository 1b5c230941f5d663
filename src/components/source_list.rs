//! The loads in the catalog, one chip each: what it is, how much it holds, and a button to close
//! it; plus "Close all".

use crate::format::thousands;
use crate::state::{AppState, Loads};
use leptos::prelude::*;

#[derive(Clone, PartialEq)]
struct SourceChip {
    id: u32,
    kind: String,
    label: String,
    traces: usize,
    spans: usize,
}

#[component]
pub fn SourceList() -> impl IntoView {
    let state = AppState::from_context();
    let loads = Loads::use_context();
    let chips = Memo::new(move |_| {
        state.catalog.with(|c| {
            c.loads()
                .iter()
                .map(|l| SourceChip {
                    id: l.id,
                    kind: l.source.kind().to_owned(),
                    label: l.source.label(),
                    traces: l.set.traces.len(),
                    spans: l.set.span_count(),
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <div class="sl-sources" data-testid="sources" data-source-count=move || chips.with(|c| c.len().to_string())>
            <For each=move || chips.get() key=|c| c.id let:chip>
                <span class="sl-source-chip" data-testid="source-chip">
                    <span class="sl-badge">{chip.kind.clone()}</span>
                    <span class="sl-source-chip__label" title=chip.label.clone()>{chip.label.clone()}</span>
                    <span class="sl-muted">
                        {format!(
                            "{} {} · {} spans",
                            thousands(chip.traces),
                            if chip.traces == 1 { "trace" } else { "traces" },
                            thousands(chip.spans),
                        )}
                    </span>
                    <button
                        class="sl-icon-button sl-source-chip__close"
                        data-testid="close-source"
                        title=format!("Close {}", chip.label)
                        aria-label=format!("Close {}", chip.label)
                        on:click=move |_| loads.close(chip.id)
                    >
                        "✕"
                    </button>
                </span>
            </For>
            <Show when=move || chips.with(|c| c.len() > 1)>
                <button class="sl-button sl-button--small" data-testid="clear-sources" on:click=move |_| loads.clear()>
                    "Close all"
                </button>
            </Show>
        </div>
    }
}
