//! The one table of traces: the loaded-trace list and the search results both render it, so a trace
//! looks the same wherever it is listed. Each row names its source; a trace id listed from several
//! loads offers to merge them.

use crate::components::{DurationCell, TraceLinkCell};
use crate::format::{format_timestamp, thousands};
use crate::state::trace_rows::TraceTableRow;
use leptos::prelude::*;

#[component]
pub fn TraceTable(
    rows: Signal<Vec<TraceTableRow>>,
    #[prop(into)] testid: String,
    #[prop(into)] class: String,
    /// Shows the "Matched" column (search results).
    #[prop(optional)]
    matched: bool,
    /// Merges the copies of a trace id (its hex) from separate loads; without it no merge is offered.
    #[prop(optional_no_strip)]
    on_merge: Option<Callback<String>>,
    #[prop(into, optional)] row_testid: Option<String>,
) -> impl IntoView {
    let max_duration = move || rows.with(|r| r.iter().map(|r| r.summary.duration_nanos).max().unwrap_or(1).max(1));
    let navigate = leptos_router::hooks::use_navigate();
    // The whole row opens the trace, not only its title; buttons and links in it keep their own click.
    let open_row = move |ev: web_sys::MouseEvent, href: &str| {
        use wasm_bindgen::JsCast as _;
        let on_control = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.closest("a, button").ok().flatten().is_some());
        if !on_control && !ev.ctrl_key() && !ev.meta_key() {
            navigate(href, Default::default());
        }
    };
    view! {
        <table
            class=format!("sl-table sl-trace-table {class}")
            data-testid=testid
            data-trace-count=move || rows.with(|r| r.len().to_string())
        >
            <thead>
                <tr>
                    <th>"Trace"</th>
                    <th>"Source"</th>
                    <th title="In your browser's time zone">"Start (local)"</th>
                    <th class="sl-num">"Spans"</th>
                    <th class="sl-num">"Errors"</th>
                    {if matched {
                        view! { <th class="sl-num" title="Spans in the matching spansets">"Matched"</th> }.into_any()
                    } else {
                        view! { <th class="sl-num">"Services"</th> }.into_any()
                    }}
                    <th>"Duration"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || rows.get() key=|r| r.key.clone() let:row>
                    <tr
                        class="sl-trace-table__row"
                        data-testid=row_testid.clone()
                        on:click={
                            let href = row.href.clone();
                            let open_row = open_row.clone();
                            move |ev| open_row(ev, &href)
                        }
                    >
                        <TraceLinkCell
                            href=row.href.clone()
                            root_service=row.summary.root_service.clone()
                            root_name=row.summary.root_name.clone()
                            trace_id=row.summary.trace_id_hex.clone()
                        />
                        <SourceCell row=row.clone() on_merge=on_merge/>
                        <td class="sl-nowrap">{format_timestamp(row.summary.start_nanos, false)}</td>
                        <td class="sl-num">{thousands(row.summary.span_count)}</td>
                        <td class="sl-num" class:sl-error-text={row.summary.error_count > 0}>
                            {thousands(row.summary.error_count)}
                        </td>
                        {match row.matched {
                            Some(m) if matched => view! { <td class="sl-num sl-trace-table__matched">{thousands(m)}</td> }.into_any(),
                            _ => view! { <td class="sl-num">{row.summary.service_count}</td> }.into_any(),
                        }}
                        <DurationCell duration_nanos=row.summary.duration_nanos max_nanos=Signal::derive(max_duration)/>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}

#[component]
fn SourceCell(row: TraceTableRow, on_merge: Option<Callback<String>>) -> impl IntoView {
    let hex = row.summary.trace_id_hex.clone();
    let copies = row.other_copies;
    view! {
        <td class="sl-trace-table__source">
            <span class="sl-source-label" title=row.source.clone()>{row.source.clone()}</span>
            {(copies > 0).then(|| {
                let noun = if copies == 1 { "load" } else { "loads" };
                view! {
                    <span class="sl-muted sl-trace-table__copies">{format!("also in {copies} other {noun}")}</span>
                    {on_merge.map(|merge| {
                        let hex = hex.clone();
                        view! {
                            <button
                                class="sl-button sl-button--small"
                                data-testid="merge-trace"
                                title="Merge the copies of this trace from every load into one trace"
                                on:click=move |_| merge.run(hex.clone())
                            >
                                "Merge"
                            </button>
                        }
                    })}
                }
            })}
        </td>
    }
}
