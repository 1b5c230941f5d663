//! The operations beside the flame graph (Jaeger UI's flame-graph table): count, total and self time
//! per (service, operation), sortable. Clicking a row highlights its frames; clicking it again clears.

use crate::components::SortHeader;
use crate::format::thousands;
use crate::state::TraceAnalysis;
use crate::views::flame::state::FlameState;
use leptos::prelude::*;
use spanlens_model::format_duration;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Operation,
    Count,
    Total,
    SelfTime,
}

/// Rows shown at once: a trace has tens of operations, rarely thousands; past this the table says
/// how many more there are rather than building a DOM node per operation.
const MAX_ROWS: usize = 1000;

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
        rows.sort_by(|a, b| {
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
    let total = move || rows.with(Vec::len);
    view! {
        <aside class="sl-flame-table" data-testid="flame-table">
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
                    <For each=move || rows.get().into_iter().take(MAX_ROWS) key=|r| r.key let:row>
                        <tr
                            class="sl-flame-table__row"
                            class:sl-flame-table__row--active=move || fs.highlight.get() == Some(row.key)
                            data-testid="flame-table-row"
                            on:click=move |_| fs.highlight.update(|h| *h = if *h == Some(row.key) { None } else { Some(row.key) })
                        >
                            <td class="sl-flame-table__op">
                                <span class="sl-flame-table__name" class:sl-error-text={row.errors > 0}>{row.name.clone()}</span>
                                <span class="sl-muted sl-flame-table__service">{row.service.clone()}</span>
                            </td>
                            <td class="sl-num">{thousands(row.count as usize)}</td>
                            <td class="sl-num">{format_duration(row.total_nanos)}</td>
                            <td class="sl-num">{format_duration(row.self_nanos)}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
            {move || (total() > MAX_ROWS).then(|| view! {
                <p class="sl-muted sl-flame-table__more">{format!("{} more operations not listed; sort to see them.", thousands(total() - MAX_ROWS))}</p>
            })}
        </aside>
    }
}
