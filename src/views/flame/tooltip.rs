//! The flame graph's tooltip: the hovered frame's operation, service, time, self time and, for a
//! merged (left-heavy) frame, how many spans it stands for.

use crate::state::TraceAnalysis;
use crate::views::flame::state::FlameState;
use leptos::prelude::*;
use spanlens_model::format_duration;

#[component]
pub fn FlameTooltip(pointer: RwSignal<Option<(f64, f64)>>) -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let fs = FlameState::from_context();
    let content = move || {
        let index = fs.hover.get()?;
        let (x, y) = pointer.get()?;
        let lines = fs.graph.with(|g| {
            let frame = g.frame(index)?;
            analysis.data.with_value(|d| {
                let set = d.set();
                let mut lines =
                    vec![(set.resolve(frame.name).to_owned(), true), (set.resolve(frame.service).to_owned(), false)];
                let total = if frame.count > 1 {
                    format!("{} spans · total {}", frame.count, format_duration(frame.total_nanos))
                } else {
                    format!("duration {}", format_duration(frame.total_nanos))
                };
                let share = frame.self_nanos as f64 * 100.0 / frame.total_nanos.max(1) as f64;
                lines.push((format!("{total} · self {} ({share:.0}%)", format_duration(frame.self_nanos)), false));
                if frame.errors > 0 {
                    let noun = if frame.errors == 1 { "error" } else { "errors" };
                    lines.push((format!("{} {noun}", frame.errors), false));
                }
                if frame.incomplete > 0 {
                    lines.push((format!("{} with unknown end", frame.incomplete), false));
                }
                Some(lines)
            })
        })?;
        Some((x, y, lines))
    };
    view! {
        {move || content().map(|(x, y, lines)| view! {
            <div class="sl-tooltip" style:left=format!("{}px", x + 14.0) style:top=format!("{}px", y + 14.0) role="tooltip">
                {lines.into_iter().map(|(text, strong)| view! {
                    <div class:sl-tooltip__title=strong>{text}</div>
                }).collect_view()}
            </div>
        })}
    }
    .into_any()
}
