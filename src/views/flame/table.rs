//! The operations beside the flame graph (Jaeger UI's flame-graph table): count, total and self time
//! per (service, operation), sortable. Clicking a row highlights its frames; clicking it again clears.
//! Virtualised: a generated or instrumented-to-death trace can have thousands of operations, and a
//! DOM row each would cost the view switch hundreds of milliseconds.

use crate::components::SortHeader;
use crate::format::thousands;
use crate::hooks::{use_element_size, visible_rows};
use crate::state::TraceAnalysis;
use crate::views::flame::state::FlameState;
use leptos::html;
use leptos::prelude::*;
use spanlens_model::format_duration;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Operation,
    Count,
    Total,
    SelfTime,
}

const ROW_HEIGHT_PX: f64 = 28.0;

#[derive(Clone, PartialEq)]
struct Row {
    key: (spanlens_model::Sym, spanlens_model::Sym),
    service: String,
    name: String,
    count: u32,
    errors: u32,
    total_nanos: i64,
    self_nanos: i64,
}

#[component]
pub fn FlameTable() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let fs = FlameState::from_context();
    let sort = RwSignal::new((Column::SelfTime, true));
    let rows = Memo::new(move |_| {
        let mut rows: Vec<Row> = fs.table.with(|t| {
            analysis.data.with_value(|d| {
                let set = d.set();
                t.iter()
                    .map(|r| Row {
                        key: (r.service, r.name),
                        service: set.resolve(r.service).to_owned(),
                        name: set.resolve(r.name).to_owned(),
                        count: r.count,
                        errors: r.errors,
                        total_nanos: r.total_nanos,
                        self_nanos: r.self_nanos,
                    })
                    .collect()
            })
        });
        let (column, descending) = sort.get();
        spanlens_model::sorting::sort_by(&mut rows, |a, b| {
            let order = match column {
                Column::Operation => (&a.service, &a.name).cmp(&(&b.service, &b.name)),
                Column::Count => a.count.cmp(&b.count),
                Column::Total => a.total_nanos.cmp(&b.total_nanos),
                Column::SelfTime => a.self_nanos.cmp(&b.self_nanos),
            };
            if descending { order.reverse() } else { order }
        });
        rows
    });
    let scroller = NodeRef::<html::Div>::new();
    let size = use_element_size(scroller);
    let scroll_top = RwSignal::new(0.0f64);
    let window = move || visible_rows(rows.with(Vec::len), ROW_HEIGHT_PX, scroll_top.get(), size.get().1);
    let shown = move || {
        let w = window();
        rows.with(|r| r.get(w).map(<[Row]>::to_vec).unwrap_or_default())
    };
    let top_pad = move || window().start as f64 * ROW_HEIGHT_PX;
    let bottom_pad = move || rows.with(Vec::len).saturating_sub(window().end) as f64 * ROW_HEIGHT_PX;
    view! {
        <aside class="sl-flame-table" data-testid="flame-table" data-flame-operations=move || rows.with(Vec::len).to_string()>
            // Absolutely placed inside the aside, so the table's height never stretches the view.
            <div
                class="sl-flame-table__scroll"
                node_ref=scroller
                on:scroll=move |_| {
                    if let Some(el) = scroller.get_untracked() {
                        scroll_top.set(f64::from(el.scroll_top()));
                    }
                }
            >
            <table class="sl-table sl-table--compact">
                <thead>
                    <tr>
                        <SortHeader label="Operation" column=Column::Operation sort=sort/>
                        <SortHeader label="Count" column=Column::Count sort=sort numeric=true/>
                        <SortHeader label="Total" column=Column::Total sort=sort numeric=true/>
                        <SortHeader label="Self" column=Column::SelfTime sort=sort numeric=true title="Time not spent in children"/>
                    </tr>
                </thead>
                <tbody>
                    <tr style:height=move || format!("{}px", top_pad())></tr>
                    <For each=shown key=|r| r.key let:row>
                        <tr
                            class="sl-flame-table__row"
                            class:sl-flame-table__row--active=move || fs.highlight.get() == Some(row.key)
                            data-testid="flame-table-row"
                            on:click=move |_| fs.highlight.update(|h| *h = if *h == Some(row.key) { None } else { Some(row.key) })
                        >
                            <td class="sl-flame-table__op" title=format!("{}: {}", row.service, row.name)>
                                <span class="sl-flame-table__name" class:sl-error-text={row.errors > 0}>{row.name.clone()}</span>
                                " "
                                <span class="sl-muted sl-flame-table__service">{row.service.clone()}</span>
                            </td>
                            <td class="sl-num">{thousands(row.count as usize)}</td>
                            <td class="sl-num">{format_duration(row.total_nanos)}</td>
                            <td class="sl-num">{format_duration(row.self_nanos)}</td>
                        </tr>
                    </For>
                    <tr style:height=move || format!("{}px", bottom_pad())></tr>
                </tbody>
            </table>
            </div>
        </aside>
    }
}
