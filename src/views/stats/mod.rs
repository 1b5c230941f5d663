//! The statistics view (`?view=stats`): spans grouped by service, operation or any attribute, with
//! an optional second level, over this trace or every trace of its load (Jaeger UI's trace
//! statistics, plus percentiles and errors). Clicking a row highlights its spans in the waterfall and
//! the flame graph through the shared find, and draws the group's duration histogram.

mod group_picker;
mod highlight;
pub mod state;
mod table;

pub use state::StatsState;

use crate::charts::DurationHistogram;
use crate::charts::histogram::Mark;
use crate::format::thousands;
use crate::state::{Focus, TraceAnalysis};
use group_picker::GroupPicker;
use leptos::prelude::*;
use spanlens_model::format_duration;
use state::Scope;

#[component]
pub fn StatsView() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    let st = StatsState::new(analysis);
    provide_context(st);
    let trace_count = analysis.data.with_value(|d| d.set().traces.len());
    let app = crate::state::AppState::from_context();
    let listed = move || app.catalog.with(|c| c.trace_count());
    // A TraceQL query to take "matching" traces from: the one in use, else the find box's (the search
    // page opens a result with its query there). A statistics row's own query does not count: it
    // selects spans of one group, not traces.
    let matching_choice = move || {
        if st.scope.get() == Scope::Matching {
            return Some(st.matching.get());
        }
        let text = focus.find_text.get();
        (crate::state::focus::is_traceql(&text) && st.selected_row.with(Option::is_none)).then_some(text)
    };
    // The trace page waits for a view's first frame; a table is drawn as soon as it mounts.
    crate::state::TraceChrome::from_context().first_frame_drawn.set(true);

    let pick = Callback::new(move |row: u32| {
        let again = st.selected_row.get_untracked() == Some(row);
        st.selected_row.set((!again).then_some(row));
        // The row's spans become the find matches, which every view highlights.
        let query = (!again)
            .then(|| {
                let (first, second) = (st.first.get_untracked(), st.second.get_untracked());
                st.table.with_untracked(|t| {
                    let member = *t.members_of(row as usize).first()?;
                    st.with_member(member, |set, span| {
                        highlight::row_query((set, span), t, row as usize, &first, second.as_ref())
                    })
                    .flatten()
                })
            })
            .flatten();
        focus.find_text.set(query.unwrap_or_default());
    });

    let selected = move || {
        let row = st.selected_row.get()? as usize;
        st.table.with(|t| t.rows.get(row).cloned().map(|r| (r, t.durations_of(row).to_vec())))
    };
    let durations = Signal::derive(move || selected().map(|(_, d)| d).unwrap_or_default());
    let marks = Signal::derive(move || {
        selected()
            .map(|(r, _)| {
                vec![
                    Mark { label: "p50", nanos: r.p50_nanos },
                    Mark { label: "p95", nanos: r.p95_nanos },
                    Mark { label: "p99", nanos: r.p99_nanos },
                ]
            })
            .unwrap_or_default()
    });
    let summary = move || {
        st.table.with(|t| {
            let spans: u64 = t.rows.iter().filter(|r| !r.is_detail()).map(|r| r.count).sum();
            let mut text = format!("{} groups · {} spans", thousands(t.rows.len()), thousands(spans as usize));
            if t.skipped_incomplete > 0 {
                text.push_str(&format!(
                    " · {} spans with unknown end left out",
                    thousands(t.skipped_incomplete as usize)
                ));
            }
            text
        })
    };

    view! {
        <div class="sl-view-bar sl-stats-bar">
            <GroupPicker label="Group by" key=st.first.into() on_change=Callback::new(move |k| st.first.set(k)) allow_none=false/>
            <GroupPicker
                label="then by"
                key=Signal::derive(move || st.second.get().unwrap_or(spanlens_analysis::stats::GroupKey::Service))
                none=Signal::derive(move || st.second.with(Option::is_none))
                on_change=Callback::new(move |k| st.second.set(Some(k)))
                on_none=Callback::new(move |()| st.second.set(None))
                allow_none=true
            />
            {move || (listed() > 1).then(|| view! {
                <div class="sl-segmented" role="group" aria-label="Traces covered">
                    <button
                        class="sl-segmented__item"
                        class:sl-segmented__item--active=move || st.scope.get() == Scope::Trace
                        data-testid="stats-scope-trace"
                        on:click=move |_| st.scope.set(Scope::Trace)
                    >
                        "This trace"
                    </button>
                    {(trace_count > 1).then(|| view! {
                        <button
                            class="sl-segmented__item"
                            class:sl-segmented__item--active=move || st.scope.get() == Scope::Load
                            data-testid="stats-scope-load"
                            on:click=move |_| st.scope.set(Scope::Load)
                        >
                            {format!("All {} traces of this load", thousands(trace_count))}
                        </button>
                    })}
                    {move || matching_choice().map(|query| view! {
                        <button
                            class="sl-segmented__item"
                            class:sl-segmented__item--active=move || st.scope.get() == Scope::Matching
                            data-testid="stats-scope-matching"
                            title=format!("Every loaded trace that {query} matches: a search's results")
                            on:click=move |_| {
                                st.matching.set(query.clone());
                                st.scope.set(Scope::Matching);
                            }
                        >
                            "Traces matching the query"
                        </button>
                    })}
                    <button
                        class="sl-segmented__item"
                        class:sl-segmented__item--active=move || st.scope.get() == Scope::All
                        data-testid="stats-scope-all"
                        title="Every trace in the trace list, from every source"
                        on:click=move |_| st.scope.set(Scope::All)
                    >
                        {move || format!("Every loaded trace ({})", thousands(listed()))}
                    </button>
                </div>
            })}
            <span class="sl-muted sl-view-bar__hint">{summary}</span>
        </div>
        <div class="sl-stats-layout">
            <table::StatsTableView on_pick=pick/>
            <aside class="sl-stats-side">
                {move || match selected() {
                    None => view! {
                        <p class="sl-muted sl-stats-side__empty">
                            "Click a row to see its durations and highlight its spans in the waterfall and the flame graph."
                        </p>
                    }.into_any(),
                    Some((row, _)) => view! {
                        <h3 class="sl-stats-side__title" data-testid="stats-selected">{row.group.clone()}</h3>
                        <p class="sl-muted">
                            {format!("{} spans · p50 {} · p95 {} · p99 {}", thousands(row.count as usize), format_duration(row.p50_nanos), format_duration(row.p95_nanos), format_duration(row.p99_nanos))}
                        </p>
                    }.into_any(),
                }}
                <Show when=move || st.selected_row.with(Option::is_some)>
                    <DurationHistogram durations_nanos=durations marks=marks/>
                </Show>
            </aside>
        </div>
    }
}
