//! The traces a search matched, capped at 500 rows, in the shared trace table; each link carries the
//! query (`&q=`) so the trace page highlights the matches.

use crate::components::TraceTable;
use crate::format::thousands;
use crate::state::trace_rows::TraceTableRow;
use leptos::prelude::*;

/// Rows rendered at most; the rest are counted in "showing N of M".
pub const MAX_ROWS: usize = 500;

#[component]
pub fn SearchResults(
    rows: Signal<Vec<TraceTableRow>>,
    /// Shows the spans each trace matched (TraceQL searches); otherwise the services it touched.
    #[prop(default = true)]
    matched: bool,
) -> impl IntoView {
    let shown = Signal::derive(move || rows.with(|r| r.iter().take(MAX_ROWS).cloned().collect::<Vec<_>>()));
    let total = move || rows.with(Vec::len);
    view! {
        <p class="sl-search-summary sl-muted" data-testid="search-count">
            {move || {
                let (n, m) = (total().min(MAX_ROWS), total());
                let noun = if m == 1 { "trace" } else { "traces" };
                if n < m {
                    format!("Showing {} of {} matching {noun}", thousands(n), thousands(m))
                } else {
                    format!("{} matching {noun}", thousands(m))
                }
            }}
        </p>
        <TraceTable rows=shown testid="search-results" class="sl-search-results" matched=matched row_testid="search-row" compare=true/>
    }
}
