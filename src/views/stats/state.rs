//! The statistics view's own state: the grouping (first and optional second key), which traces it
//! covers, the sort and the selected row, in the URL as `group=`, `then=`, `over=` so a link restores
//! the table. The table itself is derived (a memo over the traces and the grouping).

use crate::state::{AppState, Loaded, Shared, TraceAnalysis};
use leptos::prelude::*;
use spanlens_analysis::stats::{GroupKey, SpanRef, StatsColumn, StatsTable, merge_stats, stats};
use spanlens_model::{Span, TraceSet};
use std::sync::Arc;

/// Which traces the table covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The trace on screen.
    Trace,
    /// Every trace of the load the trace came from (a file of many traces, a search answer).
    Load,
    /// Every trace listed in the catalog, across loads.
    All,
    /// The listed traces a TraceQL query matches (`match=`): a search's results.
    Matching,
}

impl Scope {
    pub fn param(self) -> Option<&'static str> {
        match self {
            Scope::Trace => None,
            Scope::Load => Some("load"),
            Scope::All => Some("all"),
            Scope::Matching => Some("matching"),
        }
    }

    pub fn from_param(value: Option<&str>) -> Scope {
        match value {
            Some("load") => Scope::Load,
            Some("all") => Scope::All,
            Some("matching") => Scope::Matching,
            _ => Scope::Trace,
        }
    }
}

/// A load the table covers and the merged index of its first trace.
pub type Source = (Arc<Loaded>, u32);

#[derive(Clone, Copy)]
pub struct StatsState {
    pub first: RwSignal<GroupKey>,
    pub second: RwSignal<Option<GroupKey>>,
    pub scope: RwSignal<Scope>,
    /// The query of [`Scope::Matching`].
    pub matching: RwSignal<String>,
    pub table: Memo<Shared<StatsTable>>,
    /// The loads the table covers, each with the first merged trace index of its traces (members'
    /// `SpanRef::trace` count across them in this order).
    pub sources: Memo<Shared<Vec<Source>>>,
    pub sort: RwSignal<(StatsColumn, bool)>,
    /// Row indices in display order.
    pub order: Memo<Shared<Vec<u32>>>,
    /// A row index of `table`, not a display position: it survives re-sorting.
    pub selected_row: RwSignal<Option<u32>>,
}

impl StatsState {
    pub fn new(analysis: TraceAnalysis) -> Self {
        let param = crate::url::query_param;
        let first = RwSignal::new(param("group").as_deref().and_then(GroupKey::parse).unwrap_or(GroupKey::Service));
        let second = RwSignal::new(match param("then") {
            Some(t) => GroupKey::parse(&t),
            // Service, then operation: the table Jaeger UI users expect first.
            None => Some(GroupKey::Operation),
        });
        let scope = RwSignal::new(Scope::from_param(param("over").as_deref()));
        let matching = RwSignal::new(param("match").unwrap_or_default());
        Effect::new(move |_| {
            let group = first.get();
            crate::url::replace_query_param("group", (group != GroupKey::Service).then(|| group.spelling()).as_deref());
            let then = second.get();
            let then_param = match &then {
                Some(GroupKey::Operation) => None,
                Some(k) => Some(k.spelling()),
                None => Some("none".to_owned()),
            };
            crate::url::replace_query_param("then", then_param.as_deref());
            crate::url::replace_query_param("over", scope.get().param());
            let query = matching.get();
            crate::url::replace_query_param("match", (scope.get() == Scope::Matching).then_some(query.as_str()));
        });
        let data = analysis.data;
        let app = AppState::from_context();
        // Which traces of which loads: this trace, its load, or every listed trace (by load).
        let sources = Memo::new(move |_| {
            let mut out: Vec<Source> = Vec::new();
            match scope.get() {
                Scope::Trace | Scope::Load => out.push((Arc::clone(&data.with_value(|d| Arc::clone(&d.loaded))), 0)),
                Scope::All | Scope::Matching => app.catalog.with(|c| {
                    let mut base = 0u32;
                    for (loaded, _) in c.entries() {
                        if !out.iter().any(|(l, _)| Arc::ptr_eq(l, loaded)) {
                            out.push((Arc::clone(loaded), base));
                            base = base.saturating_add(loaded.set.traces.len() as u32);
                        }
                    }
                }),
            }
            Shared::new(out)
        });
        let table = Memo::new(move |_| {
            let (first, second, scope) = (first.get(), second.get(), scope.get());
            crate::timing::mark(crate::timing::STATS_BUILD_BEGIN);
            let table = match scope {
                Scope::Trace => data.with_value(|d| stats(d.set(), &[d.index], &first, second.as_ref())),
                Scope::Load => data.with_value(|d| {
                    stats(d.set(), &(0..d.set().traces.len()).collect::<Vec<_>>(), &first, second.as_ref())
                }),
                Scope::All | Scope::Matching => {
                    let query = (scope == Scope::Matching).then(|| matching.get());
                    let listed = app.catalog.with(|c| {
                        let mut by_load: Vec<(Arc<Loaded>, Vec<usize>)> = Vec::new();
                        for (loaded, index) in c.entries() {
                            match by_load.iter_mut().find(|(l, _)| Arc::ptr_eq(l, loaded)) {
                                Some((_, list)) => list.push(index),
                                None => by_load.push((Arc::clone(loaded), vec![index])),
                            }
                        }
                        by_load
                    });
                    // A search's results: the listed traces the query matches (none if it does not parse).
                    let listed: Vec<(Arc<Loaded>, Vec<usize>)> = match &query {
                        None => listed,
                        Some(q) => listed
                            .into_iter()
                            .map(|(l, traces)| {
                                let kept = traces
                                    .into_iter()
                                    .filter(|&i| {
                                        spanlens_traceql::eval::search_trace(q, &l.set, i).is_ok_and(|m| !m.is_empty())
                                    })
                                    .collect();
                                (l, kept)
                            })
                            .collect(),
                    };
                    let parts: Vec<(StatsTable, u32)> = listed
                        .iter()
                        .map(|(l, traces)| (stats(&l.set, traces, &first, second.as_ref()), l.set.traces.len() as u32))
                        .collect();
                    let refs: Vec<(&StatsTable, u32)> = parts.iter().map(|(t, n)| (t, *n)).collect();
                    merge_stats(&refs).table
                }
            };
            crate::timing::measure(crate::timing::STATS_BUILD, crate::timing::STATS_BUILD_BEGIN);
            Shared::new(table)
        });
        let sort = RwSignal::new((StatsColumn::SelfTotal, true));
        let order = Memo::new(move |_| {
            let (column, descending) = sort.get();
            Shared::new(table.with(|t| t.sorted_order(column, descending)))
        });
        let selected_row = RwSignal::new(None);
        // A new table (new grouping) has new rows: the old selection means nothing there.
        Effect::new(move |_| {
            table.track();
            selected_row.set(None);
        });
        StatsState { first, second, scope, matching, table, sources, sort, order, selected_row }
    }

    /// The set and span a member of the table stands for.
    pub fn with_member<R>(&self, member: SpanRef, f: impl FnOnce(&TraceSet, &Span) -> R) -> Option<R> {
        self.sources.with_untracked(|sources| {
            let part = sources.partition_point(|(_, base)| *base <= member.trace).checked_sub(1)?;
            let (loaded, base) = sources.get(part)?;
            let span = loaded.set.traces.get((member.trace - base) as usize)?.spans.get(member.span as usize)?;
            Some(f(&loaded.set, span))
        })
    }

    pub fn from_context() -> Self {
        expect_context::<StatsState>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_round_trips() {
        for scope in [Scope::Trace, Scope::Load, Scope::All, Scope::Matching] {
            assert_eq!(Scope::from_param(scope.param()), scope);
        }
    }
}
