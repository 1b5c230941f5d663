//! The per-trace service graph (`?view=graph`): the services this trace touched and the calls
//! between them, with call counts, the critical path's edges highlighted, and colours matching the
//! waterfall's.

use crate::components::ServiceGraphView;
use crate::pages::services::service_query;
use crate::state::{Shared, TraceAnalysis};
use leptos::prelude::*;
use spanlens_analysis::service_graph::{Rules, ServiceGraph, build_service_graph};

#[component]
pub fn GraphView() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let (graph, critical): (Shared<ServiceGraph>, Shared<Vec<bool>>) = analysis.data.with_value(|d| {
        let graph = build_service_graph([(d.set(), d.trace())], Rules::Viewer);
        let on_path = analysis.critical.with_value(|cp| graph.edges_on_spans(0, |s| cp.is_on_critical_path(s)));
        let mut marks = vec![false; graph.edges.len()];
        for e in on_path {
            if let Some(m) = marks.get_mut(e) {
                *m = true;
            }
        }
        (Shared::new(graph), Shared::new(marks))
    });
    let slot_of = Callback::new(move |name: String| {
        analysis
            .data
            .with_value(|d| d.set().strings.get(&name))
            .and_then(|sym| analysis.colors.with_value(|c| c.slot(sym)))
    });
    let search_href = Callback::new(move |name: String| {
        let data = analysis.data.with_value(|d| d.loaded.link_query());
        let sep = if data.is_empty() { '?' } else { '&' };
        format!("/search{data}{sep}q={}", crate::state::compare_link::encode(&service_query(&name)))
    });
    // The trace page waits for a view's first frame; the graph has no rows, so it counts as drawn.
    let chrome = crate::state::TraceChrome::from_context();
    chrome.first_frame_drawn.set(true);
    view! {
        <ServiceGraphView
            graph=Signal::stored(graph)
            slot_of=slot_of
            critical=Signal::stored(critical)
            search_href=search_href
            testid="trace-graph"
            wheel_zooms=true
        />
    }
}
