//! `/warnings`: every structured warning of every load, grouped by kind.

use crate::format::thousands;
use crate::state::AppState;
use leptos::prelude::*;
use leptos_router::components::A;
use std::collections::BTreeMap;

/// Warnings can number in the millions (clock skew on every span); the DOM list is capped.
const MAX_ROWS: usize = 1_000;

#[derive(Clone, PartialEq)]
struct WarningRow {
    key: (u32, usize),
    kind: &'static str,
    message: String,
    source: String,
    trace_href: Option<String>,
}

#[component]
pub fn WarningsPage() -> impl IntoView {
    let state = AppState::from_context();
    let data = Memo::new(move |_| {
        state.catalog.with(|catalog| {
            let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
            let mut rows = Vec::new();
            let mut total = 0;
            for loaded in catalog.loads() {
                for (kind, n) in loaded.set.warning_counts() {
                    *counts.entry(kind.as_str()).or_default() += n;
                }
                total += loaded.set.warnings.len();
                let room = MAX_ROWS.saturating_sub(rows.len());
                rows.extend(loaded.set.warnings.iter().take(room).enumerate().map(|(i, w)| WarningRow {
                    key: (loaded.id, i),
                    kind: w.kind.as_str(),
                    message: w.message.clone(),
                    source: w.source.clone().unwrap_or_else(|| loaded.source.label()),
                    trace_href: w.trace_id.and_then(|id| loaded.set.trace_by_id(id)).map(|t| loaded.trace_href(t)),
                }));
            }
            (counts.into_iter().collect::<Vec<_>>(), rows, total)
        })
    });

    view! {
        <section class="sl-page">
            <h1>"Warnings"</h1>
            <Show
                when=move || data.with(|d| d.2 > 0)
                fallback=|| view! { <div class="sl-empty"><p class="sl-muted">"No warnings: the loaded files were consistent."</p></div> }
            >
                <div class="sl-chips">
                    {move || data.with(|d| d.0.iter().map(|(kind, n)| view! {
                        <span class="sl-badge sl-badge--warn">{format!("{kind}: {}", thousands(*n))}</span>
                    }).collect_view())}
                </div>
                <table class="sl-table" data-testid="warnings-table">
                    <thead><tr><th>"Kind"</th><th>"Message"</th><th>"File"</th><th></th></tr></thead>
                    <tbody>
                        <For each=move || data.with(|d| d.1.clone()) key=|r| r.key let:row>
                            <tr>
                                <td class="sl-nowrap"><code>{row.kind}</code></td>
                                <td class="sl-wrap">{row.message.clone()}</td>
                                <td class="sl-muted sl-wrap">{row.source.clone()}</td>
                                <td>{row.trace_href.clone().map(|href| view! { <A href=href>"Open trace"</A> })}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <Show when=move || data.with(|d| d.2 > MAX_ROWS)>
                    <p class="sl-muted sl-note">{move || format!("Showing the first {} of {} warnings.", thousands(MAX_ROWS), thousands(data.with(|d| d.2)))}</p>
                </Show>
            </Show>
        </section>
    }
}
