//! The statistics table, virtualised: a group by attribute over a million spans can have a hundred
//! thousand rows, so only the rows in view (plus a margin) are in the DOM; spacer rows above and below
//! keep the scroll height and the sticky header stays put.

use crate::components::SortHeader;
use crate::format::thousands;
use crate::hooks::{use_element_size, visible_rows};
use crate::views::stats::state::StatsState;
use leptos::html;
use leptos::prelude::*;
use spanlens_analysis::stats::{StatsColumn, StatsRow};
use spanlens_model::format_duration;

const ROW_HEIGHT_PX: f64 = 28.0;
#[component]
pub fn StatsTableView(
    /// A row was clicked (its index in the table).
    on_pick: Callback<u32>,
) -> impl IntoView {
    let st = StatsState::from_context();
    let scroller = NodeRef::<html::Div>::new();
    let size = use_element_size(scroller);
    let scroll_top = RwSignal::new(0.0f64);
    let len = move || st.order.with(|o| o.len());
    let range = Memo::new(move |_| visible_rows(len(), ROW_HEIGHT_PX, scroll_top.get(), size.get().1));
    let shown = move || {
        let r = range.get();
        st.order.with(|order| {
            st.table.with(|t| {
                // Rows of a new table are new rows, even where an index repeats.
                let generation = std::sync::Arc::as_ptr(&t.0) as usize;
                order
                    .get(r.clone())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|&i| t.rows.get(i as usize).map(|row| (generation, i, row.clone())))
                    .collect::<Vec<_>>()
            })
        })
    };
    let top_pad = move || range.with(|r| r.start as f64 * ROW_HEIGHT_PX);
    let bottom_pad = move || range.with(|r| len().saturating_sub(r.end) as f64 * ROW_HEIGHT_PX);
    // Scroll back to the top when the grouping changes.
    Effect::new(move |_| {
        st.table.track();
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    });
    let sort = st.sort;
    let h = move |label: &'static str, column: StatsColumn, title: &'static str| {
        view! { <SortHeader label=label column=column sort=sort numeric=true title=title/> }
    };
    view! {
        // Absolutely placed inside its box, so the table's height never stretches the view.
        <div class="sl-stats-main">
        <div
            class="sl-stats-scroll"
            node_ref=scroller
            on:scroll=move |_| {
                if let Some(el) = scroller.get_untracked() {
                    scroll_top.set(f64::from(el.scroll_top()));
                }
            }
        >
            <table class="sl-table sl-table--compact sl-stats-table" data-testid="stats-table" data-stats-rows=move || len().to_string()>
                <thead>
                    <tr>
                        <SortHeader label="Group" column=StatsColumn::Group sort=sort/>
                        {h("Count", StatsColumn::Count, "Spans in the group")}
                        {h("Total", StatsColumn::Total, "Sum of the spans' durations")}
                        {h("Avg", StatsColumn::Avg, "")}
                        {h("Min", StatsColumn::Min, "")}
                        {h("Max", StatsColumn::Max, "")}
                        {h("p50", StatsColumn::P50, "Median duration (nearest rank)")}
                        {h("p95", StatsColumn::P95, "95th percentile duration (nearest rank)")}
                        {h("p99", StatsColumn::P99, "99th percentile duration (nearest rank)")}
                        {h("Self total", StatsColumn::SelfTotal, "Time not spent in children, summed")}
                        {h("Self avg", StatsColumn::SelfAvg, "")}
                        {h("Self min", StatsColumn::SelfMin, "")}
                        {h("Self max", StatsColumn::SelfMax, "")}
                        {h("% of trace", StatsColumn::Percent, "Self total as a share of the trace's duration")}
                        {h("Errors", StatsColumn::Errors, "Spans with error status")}
                    </tr>
                </thead>
                <tbody>
                    <tr class="sl-stats-table__pad" style:height=move || format!("{}px", top_pad())></tr>
                    <For each=shown key=|(generation, i, _)| (*generation, *i) let:item>
                        <StatsRowView index=item.1 row=item.2 on_pick=on_pick/>
                    </For>
                    <tr class="sl-stats-table__pad" style:height=move || format!("{}px", bottom_pad())></tr>
                </tbody>
            </table>
        </div>
        </div>
    }
}

#[component]
fn StatsRowView(index: u32, row: StatsRow, on_pick: Callback<u32>) -> impl IntoView {
    let st = StatsState::from_context();
    let d = format_duration;
    let detail = row.is_detail();
    view! {
        <tr
            class="sl-stats-table__row"
            class:sl-stats-table__row--detail=detail
            class:sl-stats-table__row--active=move || st.selected_row.get() == Some(index)
            data-testid="stats-row"
            on:click=move |_| on_pick.run(index)
        >
            <td class="sl-stats-table__group" class:sl-muted=row.without_tag title=row.group.clone()>{row.group.clone()}</td>
            <td class="sl-num">{thousands(row.count as usize)}</td>
            <td class="sl-num">{d(row.total_nanos)}</td>
            <td class="sl-num">{d(row.avg_nanos)}</td>
            <td class="sl-num">{d(row.min_nanos)}</td>
            <td class="sl-num">{d(row.max_nanos)}</td>
            <td class="sl-num">{d(row.p50_nanos)}</td>
            <td class="sl-num">{d(row.p95_nanos)}</td>
            <td class="sl-num">{d(row.p99_nanos)}</td>
            <td class="sl-num">{d(row.self_total_nanos)}</td>
            <td class="sl-num">{d(row.self_avg_nanos)}</td>
            <td class="sl-num">{d(row.self_min_nanos)}</td>
            <td class="sl-num">{d(row.self_max_nanos)}</td>
            <td class="sl-num">{format!("{:.2}%", row.percent_of_trace)}</td>
            <td class="sl-num" class:sl-error-text={row.errors > 0}>{thousands(row.errors as usize)}</td>
        </tr>
    }
}
