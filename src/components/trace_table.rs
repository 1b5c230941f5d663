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
    /// Offers a checkbox per row and, with two ticked, a link comparing them.
    #[prop(optional)]
    compare: bool,
) -> impl IntoView {
    // The ticked rows (key, href), oldest first: ticking a third drops the oldest.
    let picked = RwSignal::new(Vec::<(String, String)>::new());
    let toggle_pick = move |key: String, href: String| {
        picked.update(|p| {
            if let Some(i) = p.iter().position(|(k, _)| *k == key) {
                p.remove(i);
            } else {
                p.push((key, href));
                if p.len() > 2 {
                    p.remove(0);
                }
            }
        });
    };
    let compare_href = move || {
        picked.with(|p| match p.as_slice() {
            [(_, a), (_, b)] => crate::state::compare_link::compare_href(a, b),
            _ => None,
        })
    };
    let max_duration = move || rows.with(|r| r.iter().map(|r| r.summary.duration_nanos).max().unwrap_or(1).max(1));
    let navigate = leptos_router::hooks::use_navigate();
    // The whole row opens the trace, not only its title; buttons and links in it keep their own click.
    let open_row = move |ev: web_sys::MouseEvent, href: &str| {
        use wasm_bindgen::JsCast as _;
        let on_control = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.closest("a, button, input").ok().flatten().is_some());
        if !on_control && !ev.ctrl_key() && !ev.meta_key() {
            navigate(href, Default::default());
        }
    };
    view! {
        {compare.then(|| view! {
            <div class="sl-compare-bar" data-testid="compare-bar">
                <span class="sl-muted">
                    {move || match picked.with(Vec::len) {
                        0 => "Tick two traces to compare them.".to_owned(),
                        1 => "Tick one more trace to compare.".to_owned(),
                        _ => "Two traces ticked.".to_owned(),
                    }}
                </span>
                {move || compare_href().map(|href| view! {
                    <leptos_router::components::A href=href attr:class="sl-button sl-button--small sl-button--primary" attr:data-testid="compare-link">
                        "Compare"
                    </leptos_router::components::A>
                })}
            </div>
        })}
        <table
            class=format!("sl-table sl-trace-table {class}")
            data-testid=testid
            data-trace-count=move || rows.with(|r| r.len().to_string())
        >
            <thead>
                <tr>
                    {compare.then(|| view! { <th class="sl-trace-table__pick"><span class="sl-visually-hidden">"Compare"</span></th> })}
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
                        {compare.then(|| {
                            let key = row.key.clone();
                            let href = row.href.clone();
                            let checked_key = key.clone();
                            view! {
                                <td class="sl-trace-table__pick">
                                    <input
                                        type="checkbox"
                                        data-testid="compare-pick"
                                        title="Tick two traces to compare them"
                                        prop:checked=move || picked.with(|p| p.iter().any(|(k, _)| *k == checked_key))
                                        on:click=move |ev| ev.stop_propagation()
                                        on:change=move |_| toggle_pick(key.clone(), href.clone())
                                    />
                                </td>
                            }
                        })}
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
