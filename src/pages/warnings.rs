//! `/warnings`: every structured warning of every load, grouped by kind. Informational kinds (routine
//! events such as Zipkin's merged client and server halves) are marked as such and folded; each
//! warning about a span links to that span.

use crate::format::thousands;
use crate::state::AppState;
use leptos::prelude::*;
use leptos_router::components::A;
use spanlens_model::WarningKind;
use std::collections::BTreeMap;

/// Warnings can number in the millions (clock skew on every span); each group lists this many.
const MAX_ROWS_PER_KIND: usize = 200;

#[derive(Clone, PartialEq)]
struct WarningRow {
    key: (u32, usize),
    message: String,
    source: String,
    /// The trace, with `span=` when the warning names a span.
    href: Option<String>,
    names_span: bool,
}

#[derive(Clone, PartialEq)]
struct Group {
    kind: WarningKind,
    count: usize,
    rows: Vec<WarningRow>,
}

fn groups(state: AppState) -> Vec<Group> {
    state.catalog.with(|catalog| {
        let mut by_kind: BTreeMap<WarningKind, Group> = BTreeMap::new();
        for loaded in catalog.loads() {
            for (i, w) in loaded.set.warnings.iter().enumerate() {
                let group = by_kind.entry(w.kind).or_insert_with(|| Group { kind: w.kind, count: 0, rows: Vec::new() });
                group.count += 1;
                if group.rows.len() >= MAX_ROWS_PER_KIND {
                    continue;
                }
                let trace = w.trace_id.and_then(|id| loaded.set.trace_by_id(id));
                let span_hex = w.span_id.filter(|_| trace.is_some()).map(|s| s.to_hex());
                let href = trace.map(|t| match &span_hex {
                    Some(hex) => format!("{}&span={hex}", loaded.trace_href(t)),
                    None => loaded.trace_href(t),
                });
                group.rows.push(WarningRow {
                    key: (loaded.id, i),
                    message: w.message.clone(),
                    source: w.source.clone().unwrap_or_else(|| loaded.source.label()),
                    href,
                    names_span: span_hex.is_some(),
                });
            }
        }
        // Problems first, routine notes last; within each, the most frequent first.
        let mut list: Vec<Group> = by_kind.into_values().collect();
        spanlens_model::sorting::sort_by(&mut list, |a, b| {
            a.kind.is_informational().cmp(&b.kind.is_informational()).then(b.count.cmp(&a.count))
        });
        list
    })
}

#[component]
pub fn WarningsPage() -> impl IntoView {
    let state = AppState::from_context();
    let data = Memo::new(move |_| groups(state));
    view! {
        <section class="sl-page">
            <h1>"Warnings"</h1>
            <Show
                when=move || data.with(|d| !d.is_empty())
                fallback=|| view! { <div class="sl-empty"><p class="sl-muted">"No warnings: the loaded files were consistent."</p></div> }
            >
                <div class="sl-chips" data-testid="warning-kinds">
                    {move || data.with(|d| d.iter().map(|g| {
                        let class = if g.kind.is_informational() { "sl-badge" } else { "sl-badge sl-badge--warn" };
                        view! { <span class=class>{format!("{}: {}", g.kind.title(), thousands(g.count))}</span> }
                    }).collect_view())}
                </div>
                <For each=move || data.get() key=|g| (g.kind, g.count) let:group>
                    <WarningGroup group=group/>
                </For>
            </Show>
        </section>
    }
}

#[component]
fn WarningGroup(group: Group) -> impl IntoView {
    let informational = group.kind.is_informational();
    let shown = group.rows.len();
    view! {
        <details class="sl-warning-group" open=!informational data-testid="warning-group" data-kind=group.kind.as_str()>
            <summary>
                <strong>{group.kind.title()}</strong>
                " "
                <span class="sl-muted">{format!("{} · {}", thousands(group.count), group.kind.as_str())}</span>
                {informational.then(|| view! { " " <span class="sl-badge">"informational"</span> })}
            </summary>
            <table class="sl-table" data-testid="warnings-table">
                <thead><tr><th>"Message"</th><th>"Source"</th><th></th></tr></thead>
                <tbody>
                    {group.rows.into_iter().map(|row| view! {
                        <tr>
                            <td class="sl-wrap">{row.message}</td>
                            <td class="sl-muted sl-wrap">{row.source}</td>
                            <td class="sl-nowrap">{row.href.map(|href| {
                                let label = if row.names_span { "Open span" } else { "Open trace" };
                                view! { <A href=href>{label}</A> }
                            })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(group.count > shown).then(|| view! {
                <p class="sl-muted sl-note">{format!("Showing the first {} of {}.", thousands(shown), thousands(group.count))}</p>
            })}
        </details>
    }
}
