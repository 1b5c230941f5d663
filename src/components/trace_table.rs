//! The one table of traces: the loaded-trace list and the search results both render it, so a trace
//! looks the same wherever it is listed. Each row names its source; a trace id listed from several
//! loads offers to merge them. Only the rows in view (plus a margin) are in the DOM, inside a
//! scroller of fixed row height: a search answer of 1,500 traces renders a few dozen rows.

use crate::components::{DurationCell, SelectionBar, TraceLinkCell};
use crate::format::{format_timestamp, thousands};
use crate::hooks::{use_element_size, visible_rows};
use crate::state::trace_rows::TraceTableRow;
use leptos::html;
use leptos::prelude::*;
use std::collections::HashSet;

/// Every row is this tall (style/pages.css gives the cells the same height and keeps their text on
/// one line), so the scroll position alone says which rows are in view.
const ROW_HEIGHT_PX: f64 = 52.0;

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
    /// Offers a checkbox per row and a bar acting on the ticked rows (Compare with two ticked).
    #[prop(optional)]
    compare: bool,
    /// The bar also offers to open the ticked backend results together in the loaded-trace list.
    #[prop(optional)]
    open_together: bool,
    /// A value whose change (a new order of the rows) scrolls the table back to its first row.
    #[prop(optional, into)]
    scroll_key: Option<Signal<&'static str>>,
) -> impl IntoView {
    // The ticked rows (key, href) in the order they were ticked.
    let picked = RwSignal::new(Vec::<(String, String)>::new());
    let toggle_pick = move |key: String, href: String| {
        picked.update(|p| match p.iter().position(|(k, _)| *k == key) {
            Some(i) => {
                p.remove(i);
            }
            None => p.push((key, href)),
        });
    };
    // A ticked row that left the list (its load was closed) no longer counts.
    let selected = Signal::derive(move || {
        picked.with(|p| {
            if p.is_empty() {
                return Vec::new();
            }
            rows.with(|r| {
                let listed: HashSet<&str> = r.iter().map(|r| r.key.as_str()).collect();
                p.iter().filter(|(k, _)| listed.contains(k.as_str())).map(|(_, href)| href.clone()).collect()
            })
        })
    });
    let clear = Callback::new(move |()| picked.set(Vec::new()));
    let max_duration =
        Memo::new(move |_| rows.with(|r| r.iter().map(|r| r.summary.duration_nanos).max().unwrap_or(1).max(1)));

    let scroller = NodeRef::<html::Div>::new();
    let size = use_element_size(scroller);
    let scroll_top = RwSignal::new(0.0f64);
    let window = Memo::new(move |_| visible_rows(rows.with(Vec::len), ROW_HEIGHT_PX, scroll_top.get(), size.get().1));
    let shown = move || {
        let w = window.get();
        rows.with(|r| r.get(w).map(<[TraceTableRow]>::to_vec).unwrap_or_default())
    };
    if let Some(key) = scroll_key {
        // Re-sorted while scrolled down: the new first rows are what the user asked to see.
        Effect::new(move |previous: Option<&'static str>| {
            let key = key.get();
            if previous.is_some_and(|p| p != key)
                && let Some(el) = scroller.get_untracked()
            {
                el.set_scroll_top(0);
                scroll_top.set(0.0);
            }
            key
        });
    }
    // The rows outside the window are stood in for by padding around the table (not spacer rows:
    // the table's rows are the traces).
    let top_pad = move || format!("{}px", window.get().start as f64 * ROW_HEIGHT_PX);
    let bottom_pad =
        move || format!("{}px", rows.with(Vec::len).saturating_sub(window.get().end) as f64 * ROW_HEIGHT_PX);

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
        {compare.then(|| view! { <SelectionBar selected=selected on_clear=clear open_together=open_together/> })}
        <div
            class="sl-trace-table__scroll"
            node_ref=scroller
            on:scroll=move |_| {
                if let Some(el) = scroller.get_untracked() {
                    scroll_top.set(f64::from(el.scroll_top()));
                }
            }
        >
            <div style:padding-top=top_pad style:padding-bottom=bottom_pad>
                <table
                    class=format!("sl-table sl-trace-table {class}")
                    class:sl-trace-table--pick=compare
                    data-testid=testid
                    data-trace-count=move || rows.with(|r| r.len().to_string())
                >
                    <thead>
                        <tr>
                            {compare.then(|| view! { <th class="sl-trace-table__pick"><span class="sl-visually-hidden">"Select"</span></th> })}
                            <th class="sl-trace-table__trace">"Trace"</th>
                            <th class="sl-trace-table__source">"Source"</th>
                            <th class="sl-trace-table__start" title="In your browser's time zone">"Start (local)"</th>
                            <th class="sl-num sl-trace-table__count">"Spans"</th>
                            <th class="sl-num sl-trace-table__count">"Errors"</th>
                            {if matched {
                                view! { <th class="sl-num sl-trace-table__count" title="Spans in the matching spansets">"Matched"</th> }.into_any()
                            } else {
                                view! { <th class="sl-num sl-trace-table__count">"Services"</th> }.into_any()
                            }}
                            <th class="sl-trace-table__duration">"Duration"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=shown key=|r| r.key.clone() let:row>
                            <tr
                                class="sl-trace-table__row"
                                data-testid=row_testid.clone()
                                data-trace-id=row.summary.trace_id_hex.clone()
                                class:sl-trace-table__row--picked={
                                    let key = row.key.clone();
                                    move || compare && picked.with(|p| p.iter().any(|(k, _)| *k == key))
                                }
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
                                                title="Select this trace (two to compare them)"
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
                                <DurationCell duration_nanos=row.summary.duration_nanos max_nanos=max_duration/>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
        </div>
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
                    <span class="sl-trace-table__copies">
                        <span class="sl-muted">{format!("also in {copies} other {noun}")}</span>
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
                    </span>
                }
            })}
        </td>
    }
}
