//! The waterfall's tooltip: details of the hovered bar or event, as text next to the pointer.

use crate::state::TraceAnalysis;
use crate::views::waterfall::WaterfallState;
use leptos::prelude::*;
use spanlens_layout::hit_test::HitTarget;
use spanlens_model::format_duration;

/// Details of the hovered bar or event, as text next to the pointer.
#[component]
pub fn Tooltip(pointer: RwSignal<Option<(f64, f64)>>) -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let wf = WaterfallState::from_context();
    let content = move || {
        let target = wf.hover.get()?;
        let (x, y) = pointer.get()?;
        let (span_index, event) = match target {
            HitTarget::Bar { span, .. } => (span, None),
            HitTarget::Event { span, event, .. } => (span, Some(event)),
            HitTarget::Row { .. } => return None,
        };
        let lines = analysis.data.with_value(|d| {
            let trace = d.trace();
            let span = trace.spans.get(span_index as usize)?;
            let set = d.set();
            let self_nanos = analysis.self_nanos.with_value(|s| s.get(span_index as usize).copied().unwrap_or(0));
            let mut lines = vec![
                (format!("{}: {}", set.resolve(span.service), set.resolve(span.name)), true),
                (
                    format!(
                        "{} · self {} · starts at {}",
                        if span.is_incomplete() {
                            "end unknown".to_owned()
                        } else {
                            format_duration(span.duration_nanos)
                        },
                        format_duration(self_nanos),
                        format_duration(span.start_nanos - trace.start_nanos)
                    ),
                    false,
                ),
            ];
            if span.is_error() {
                let message = span.status.message.map(|m| set.resolve(m).to_owned()).unwrap_or_default();
                lines.push((format!("error {message}").trim().to_owned(), false));
            }
            if let Some(e) = event.and_then(|i| span.events.get(i)) {
                lines.push((
                    format!("event {} at {}", set.resolve(e.name), format_duration(e.time_nanos - trace.start_nanos)),
                    true,
                ));
            }
            Some(lines)
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
