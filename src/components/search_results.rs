//! The traces a search matched, every one of them, in the shared trace table (virtualised, so a
//! 1,500-trace answer stays quick), in the order chosen above it; each link carries the query
//! (`&q=`) so the trace page highlights the matches.

use crate::components::{ResultsSort, TraceTable};
use crate::format::thousands;
use crate::state::trace_rows::{RowOrder, TraceTableRow, sort_rows_by};
use leptos::prelude::*;
use std::cell::Cell;

thread_local! {
    /// The order last chosen (or linked) in this tab: a new search, whose URL is rebuilt from the
    /// form without `sort=`, keeps it.
    static LAST_ORDER: Cell<RowOrder> = const { Cell::new(RowOrder::MostRecent) };
}

/// `sort=` of the URL, or else the order last chosen in this tab (written back into the URL so the
/// link still says what the page shows).
fn initial_order() -> RowOrder {
    match crate::url::query_param("sort") {
        Some(value) => {
            let order = RowOrder::from_param(Some(&value));
            LAST_ORDER.with(|last| last.set(order));
            order
        }
        None => {
            let last = LAST_ORDER.with(Cell::get);
            if last != RowOrder::default() {
                crate::url::replace_query_param("sort", Some(last.param()));
            }
            last
        }
    }
}

#[component]
pub fn SearchResults(
    rows: Signal<Vec<TraceTableRow>>,
    /// Shows the spans each trace matched (TraceQL searches); otherwise the services it touched.
    #[prop(default = true)]
    matched: bool,
) -> impl IntoView {
    let order = RwSignal::new(initial_order());
    // The choice goes into the URL without a navigation, so the search does not run again and a
    // shared link restores the order.
    let choose = Callback::new(move |chosen: RowOrder| {
        order.set(chosen);
        LAST_ORDER.with(|last| last.set(chosen));
        crate::url::replace_query_param("sort", (chosen != RowOrder::default()).then(|| chosen.param()));
    });
    let sorted = Memo::new(move |_| {
        let mut sorted = rows.get();
        sort_rows_by(&mut sorted, order.get());
        sorted
    });
    let total = move || rows.with(Vec::len);
    view! {
        <div class="sl-results-head">
            <p class="sl-search-summary sl-muted" data-testid="search-count">
                {move || {
                    let m = total();
                    format!("{} matching {}", thousands(m), if m == 1 { "trace" } else { "traces" })
                }}
            </p>
            <ResultsSort order=order on_change=choose/>
        </div>
        <TraceTable
            rows=sorted.into()
            testid="search-results"
            class="sl-search-results"
            matched=matched
            row_testid="search-row"
            compare=true
            open_together=true
            scroll_key=Signal::derive(move || order.get().param())
        />
    }
}
