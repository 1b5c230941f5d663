//! The statistics view's own state: the grouping (first and optional second key), which traces it
//! covers, the sort and the selected row, in the URL as `group=`, `then=`, `over=` so a link restores
//! the table. The table itself is derived (a memo over the trace and the grouping).

use crate::state::{Shared, TraceAnalysis};
use leptos::prelude::*;
use spanlens_analysis::stats::{GroupKey, StatsColumn, StatsTable, stats};

/// Which traces the table covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The trace on screen.
    Trace,
    /// Every trace of the load the trace came from (a file of many traces, a search answer).
    Load,
}

impl Scope {
    pub fn param(self) -> Option<&'static str> {
        match self {
            Scope::Trace => None,
            Scope::Load => Some("load"),
        }
    }

    pub fn from_param(value: Option<&str>) -> Scope {
        if value == Some("load") { Scope::Load } else { Scope::Trace }
    }
}

#[derive(Clone, Copy)]
pub struct StatsState {
    pub first: RwSignal<GroupKey>,
    pub second: RwSignal<Option<GroupKey>>,
    pub scope: RwSignal<Scope>,
    pub table: Memo<Shared<StatsTable>>,
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
        });
        let data = analysis.data;
        let table = Memo::new(move |_| {
            let (first, second, scope) = (first.get(), second.get(), scope.get());
            data.with_value(|d| {
                let traces: Vec<usize> = match scope {
                    Scope::Trace => vec![d.index],
                    Scope::Load => (0..d.set().traces.len()).collect(),
                };
                crate::timing::mark(crate::timing::STATS_BUILD_BEGIN);
                let table = stats(d.set(), &traces, &first, second.as_ref());
                crate::timing::measure(crate::timing::STATS_BUILD, crate::timing::STATS_BUILD_BEGIN);
                Shared::new(table)
            })
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
        StatsState { first, second, scope, table, sort, order, selected_row }
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
        for scope in [Scope::Trace, Scope::Load] {
            assert_eq!(Scope::from_param(scope.param()), scope);
        }
    }
}
