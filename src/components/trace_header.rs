//! The trace page header: root service and operation, start, duration, counts, warnings, and a
//! picker when several traces are loaded.

use crate::format::{format_duration, format_timestamp, thousands};
use crate::state::{Focus, TraceAnalysis};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn TraceHeader() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    let navigate = use_navigate();
    let info = analysis.data.with_value(|d| {
        let set = d.set();
        let trace = d.trace();
        let root = trace.root_span();
        let summary = analysis.summary.with_value(|s| (*s.0).clone());
        let query = d.loaded.link_query();
        let traces: Vec<(String, String)> = set
            .traces
            .iter()
            .map(|t| {
                let label = t
                    .root_span()
                    .map(|r| {
                        format!(
                            "{}: {} — {}",
                            set.resolve(r.service),
                            set.resolve(r.name),
                            format_duration(t.duration_nanos())
                        )
                    })
                    .unwrap_or_else(|| t.trace_id_hex());
                (t.trace_id_hex(), label)
            })
            .collect();
        (
            root.map(|s| set.resolve(s.service).to_owned()).unwrap_or_default(),
            root.map(|s| set.resolve(s.name).to_owned()).unwrap_or_else(|| "(no root span)".to_owned()),
            trace.start_nanos,
            format_duration(trace.duration_nanos()),
            summary,
            (
                set.warnings_concerning(trace.trace_id).count(),
                set.warnings_concerning(trace.trace_id).filter(|w| !w.kind.is_informational()).count(),
            ),
            trace.trace_id_hex(),
            query,
            traces,
        )
    });
    let (root_service, root_name, start, duration, summary, (warnings, alarms), id_hex, query, traces) = info;
    let utc = focus.utc;
    // The error spans in screen order: the Errors figure steps through them.
    // Listed at the first step, not in the page's mount: see `error_spans`.
    let errors: StoredValue<Option<Vec<u32>>> = StoredValue::new(None);
    let next_error = move |_| {
        if errors.with_value(Option::is_none) {
            errors.set_value(Some(analysis.data.with_value(|d| error_spans(d.trace()))));
        }
        let next = errors.with_value(|list| {
            let list = list.as_deref().unwrap_or_default();
            let after = focus.selected.get_untracked().and_then(|s| list.iter().position(|&e| e == s));
            match after {
                Some(i) => list.get((i + 1) % list.len().max(1)).copied(),
                None => list.first().copied(),
            }
        });
        if next.is_some() {
            focus.select(next);
        }
    };
    let picker_query = query.clone();
    view! {
        <div class="sl-trace-header">
            <div class="sl-trace-header__top">
                <h1 class="sl-trace-header__title" data-testid="trace-title">
                    <span class="sl-service-name">{root_service}</span>
                    <span class="sl-muted">": "</span>
                    {root_name}
                </h1>
                {(traces.len() > 1).then(|| {
                    let current = id_hex.clone();
                    view! {
                        <select class="sl-select" aria-label="Switch trace" data-testid="trace-picker"
                            on:change:target=move |ev| {
                                navigate(&format!("/trace/{}{}", ev.target().value(), picker_query), NavigateOptions::default());
                            }>
                            {traces.into_iter().map(|(id, label)| {
                                let selected = id == current;
                                view! { <option value=id selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    }
                })}
            </div>
            <dl class="sl-stats">
                <div>
                    <dt>{move || if utc.get() { "Start (UTC)" } else { "Start (local)" }}</dt>
                    <dd>
                        <button class="sl-link-button" title="Toggle local time / UTC" data-testid="utc-toggle" on:click=move |_| utc.update(|u| *u = !*u)>
                            {move || format_timestamp(start, utc.get())}
                        </button>
                    </dd>
                </div>
                <div><dt>"Duration"</dt><dd>{duration}</dd></div>
                <div><dt>"Spans"</dt><dd>{thousands(summary.span_count)}</dd></div>
                <div><dt>"Services"</dt><dd>{summary.service_count}</dd></div>
                <div><dt>"Depth"</dt><dd>{thousands(summary.depth as usize)}</dd></div>
                <div>
                    <dt>"Errors"</dt>
                    <dd class:sl-error-text={summary.error_count > 0}>
                        {if summary.error_count > 0 {
                            view! {
                                <button class="sl-link-button sl-error-text" data-testid="next-error"
                                    title="Select the next error span" on:click=next_error>
                                    {format!("{} ›", thousands(summary.error_count))}
                                </button>
                            }.into_any()
                        } else {
                            view! { <span>"0"</span> }.into_any()
                        }}
                    </dd>
                </div>
                {(summary.incomplete_count > 0).then(|| view! {
                    <div title="Spans that never reported their end: drawn as a marker at their start and left out of every duration">
                        <dt>"Incomplete"</dt>
                        <dd><span class="sl-badge" data-testid="incomplete-count">{thousands(summary.incomplete_count)}</span></dd>
                    </div>
                })}
                <div><dt>"Trace ID"</dt><dd class="sl-mono">{id_hex}</dd></div>
                {(warnings > 0).then(|| view! {
                    <div>
                        <dt>"Warnings"</dt>
                        <dd>
                            <A href=format!("/warnings{query}")
                                attr:class={ if alarms > 0 { "sl-badge sl-badge--warn" } else { "sl-badge" } }
                                attr:title={ format!("{alarms} warnings, {} informational notes", warnings - alarms) }
                                attr:data-testid="warnings-badge">
                                {thousands(if alarms > 0 { alarms } else { warnings })}
                            </A>
                        </dd>
                    </div>
                })}
            </dl>
        </div>
    }
    .into_any()
}

/// The error spans of `trace` in screen order. Not computed in the page's mount: a loop over every
/// span there made V8 optimize the whole mount (35 kB of wasm) once it had run, in vain, on a
/// background thread while the first frame was being drawn (`tests/bench/tier_up.mjs`).
fn error_spans(trace: &spanlens_model::Trace) -> Vec<u32> {
    let mut list: Vec<u32> = (0..trace.spans.len() as u32).filter(|&i| trace.spans[i as usize].is_error()).collect();
    crate::state::focus::in_screen_order(&trace.tree, &mut list);
    list
}
