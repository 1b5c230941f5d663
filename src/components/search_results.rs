//! The table of traces a search matched, capped at 500 rows; a click opens the trace with the
//! query in its link (`&q=`) so the trace page can highlight the matches.

use crate::components::{DurationCell, TraceLinkCell};
use crate::format::{format_timestamp, thousands};
use crate::state::search::SearchRow;
use leptos::prelude::*;

/// Rows rendered at most; the rest are counted in "showing N of M".
pub const MAX_ROWS: usize = 500;

#[component]
pub fn SearchResults(
    rows: Signal<Vec<SearchRow>>,
    /// The query that produced the rows, added to each trace link.
    query: Signal<String>,
    /// `?url=…` of the loaded set, or empty.
    link_query: Signal<String>,
) -> impl IntoView {
    let shown = move || rows.with(|r| r.iter().take(MAX_ROWS).cloned().collect::<Vec<_>>());
    let total = move || rows.with(Vec::len);
    let max_duration = move || rows.with(|r| r.iter().map(|r| r.duration_nanos).max().unwrap_or(1).max(1));
    let href = move |id: &str| {
        // The table is rebuilt for every new result, so the link parts are read once.
        let base = link_query.get_untracked();
        let sep = if base.is_empty() { '?' } else { '&' };
        let q = js_sys::encode_uri_component(&query.get_untracked());
        format!("/trace/{id}{base}{sep}q={q}")
    };
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
        <table class="sl-table sl-search-results" data-testid="search-results">
            <thead>
                <tr>
                    <th>"Trace"</th>
                    <th>"Start"</th>
                    <th class="sl-num">"Spans"</th>
                    <th class="sl-num">"Errors"</th>
                    <th class="sl-num" title="Spans in the matching spansets">"Matched"</th>
                    <th>"Duration"</th>
                </tr>
            </thead>
            <tbody>
                <For each=shown key=|r| r.trace_id.clone() let:row>
                    <tr data-testid="search-row">
                        <TraceLinkCell
                            href=href(&row.trace_id)
                            root_service=row.root_service.clone()
                            root_name=row.root_name.clone()
                            trace_id=row.trace_id.clone()
                        />
                        <td class="sl-nowrap">{format_timestamp(row.start_nanos, false)}</td>
                        <td class="sl-num">{thousands(row.spans)}</td>
                        <td class="sl-num" class:sl-error-text={row.errors > 0}>{thousands(row.errors)}</td>
                        <td class="sl-num sl-search-results__matched">{thousands(row.matched)}</td>
                        <DurationCell duration_nanos=row.duration_nanos max_nanos=Signal::derive(max_duration)/>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}
