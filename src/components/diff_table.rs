//! The comparison's merged tree as a table: each (service, operation) path with its span count and
//! total time in A and in B, the change coloured by size (red slower, green faster), nodes only in A
//! or only in B marked removed or added. Virtualised like the statistics table: a comparison of two
//! 100,000-span traces can have tens of thousands of nodes.

use crate::format::{format_duration, thousands};
use crate::hooks::{use_element_size, visible_rows};
use crate::state::compare_link::side_trace_href;
use crate::state::diff_rows::{DiffFilter, DiffOrder, change_percent, diff_rows};
use crate::state::{Shared, TraceRef};
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use spanlens_analysis::compare::{DiffClass, DiffMetric, TraceDiff, compare};

const ROW_HEIGHT_PX: f64 = 30.0;
/// Indentation per depth, capped so deep trees keep their names readable.
const INDENT_PX: f64 = 14.0;
const MAX_INDENT_LEVELS: u32 = 24;

#[derive(Clone, PartialEq)]
struct Line {
    node: u32,
    depth: u32,
    service: String,
    operation: String,
    class: DiffClass,
    a_count: u32,
    b_count: u32,
    a_total: i64,
    b_total: i64,
    a_errors: u32,
    b_errors: u32,
    /// The first member span's hex id in each trace, for "open in A/B".
    a_span: Option<String>,
    b_span: Option<String>,
    /// |change| relative to the largest change listed, for the colour's strength.
    strength: f64,
    /// Indented by depth in tree order only (a ranked list is flat).
    indent_px: f64,
}

fn order_param(order: DiffOrder) -> Option<&'static str> {
    match order {
        DiffOrder::Tree => None,
        DiffOrder::Ranked(DiffMetric::Total) => Some("total"),
        DiffOrder::Ranked(DiffMetric::SelfTime) => Some("self"),
    }
}

fn order_from_param(value: Option<&str>) -> DiffOrder {
    match value {
        Some("total") => DiffOrder::Ranked(DiffMetric::Total),
        Some("self") => DiffOrder::Ranked(DiffMetric::SelfTime),
        _ => DiffOrder::Tree,
    }
}

#[component]
pub fn DiffTable(a: TraceRef, b: TraceRef, a_query: Option<String>, b_query: Option<String>) -> impl IntoView {
    let diff: Shared<TraceDiff> = {
        crate::timing::mark("diff-begin");
        let d = Shared::new(compare(a.trace(), &a.set().strings, b.trace(), &b.set().strings));
        crate::timing::measure("diff", "diff-begin");
        d
    };
    let filter = RwSignal::new(DiffFilter::from_param(crate::url::query_param("show").as_deref()));
    let order = RwSignal::new(order_from_param(crate::url::query_param("rank").as_deref()));
    Effect::new(move |_| {
        crate::url::replace_query_param("show", filter.get().param());
        crate::url::replace_query_param("rank", order_param(order.get()));
    });
    let node_count = diff.nodes.len();
    let hex_a = a.trace().trace_id_hex();
    let hex_b = b.trace().trace_id_hex();
    let lines = {
        let diff = diff.clone();
        let (a, b) = (a.clone(), b.clone());
        Memo::new(move |_| {
            let order = order.get();
            let ids = diff_rows(&diff, filter.get(), order);
            let max_change = ids
                .iter()
                .filter_map(|&i| diff.nodes.get(i as usize))
                .map(|n| n.change_nanos().abs())
                .max()
                .unwrap_or(1);
            let span_hex = |t: &TraceRef, members: &[u32]| {
                members.first().and_then(|&s| t.trace().spans.get(s as usize)).map(|s| s.span_id.to_hex())
            };
            ids.iter()
                .filter_map(|&i| {
                    let n = diff.nodes.get(i as usize)?;
                    Some(Line {
                        node: i,
                        depth: n.depth,
                        service: diff.label(n.service).to_owned(),
                        operation: diff.label(n.operation).to_owned(),
                        class: n.class,
                        a_count: n.a.count,
                        b_count: n.b.count,
                        a_total: n.a.total_nanos,
                        b_total: n.b.total_nanos,
                        a_errors: n.a.errors,
                        b_errors: n.b.errors,
                        a_span: span_hex(&a, diff.members_a_of(i)),
                        b_span: span_hex(&b, diff.members_b_of(i)),
                        strength: n.change_nanos().abs() as f64 / max_change.max(1) as f64,
                        indent_px: if order == DiffOrder::Tree {
                            f64::from(n.depth.min(MAX_INDENT_LEVELS)) * INDENT_PX
                        } else {
                            0.0
                        },
                    })
                })
                .collect::<Vec<_>>()
        })
    };

    let scroller = NodeRef::<html::Div>::new();
    let size = use_element_size(scroller);
    let scroll_top = RwSignal::new(0.0f64);
    let window = move || visible_rows(lines.with(Vec::len), ROW_HEIGHT_PX, scroll_top.get(), size.get().1);
    let shown = move || {
        let w = window();
        lines.with(|l| l.get(w).map(<[Line]>::to_vec).unwrap_or_default())
    };
    let top_pad = move || window().start as f64 * ROW_HEIGHT_PX;
    let bottom_pad = move || lines.with(Vec::len).saturating_sub(window().end) as f64 * ROW_HEIGHT_PX;

    let seg = move |label: &'static str, f: DiffFilter, testid: &'static str| {
        view! {
            <button
                class="sl-segmented__item"
                class:sl-segmented__item--active=move || filter.get() == f
                data-testid=testid
                on:click=move |_| filter.set(f)
            >
                {label}
            </button>
        }
    };
    let rank = move |label: &'static str, o: DiffOrder| {
        view! {
            <button class="sl-segmented__item" class:sl-segmented__item--active=move || order.get() == o on:click=move |_| order.set(o)>
                {label}
            </button>
        }
    };
    let (a_query, b_query) = (StoredValue::new(a_query), StoredValue::new(b_query));
    let (hex_a, hex_b) = (StoredValue::new(hex_a), StoredValue::new(hex_b));
    let open_href = move |side_b: bool, span: &str| {
        let (hex, q) =
            if side_b { (hex_b.get_value(), b_query.get_value()) } else { (hex_a.get_value(), a_query.get_value()) };
        let base = side_trace_href(&hex, q.as_deref());
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}span={span}")
    };

    view! {
        <div class="sl-view-bar">
            <div class="sl-segmented" role="group" aria-label="Show">
                {seg("All", DiffFilter::All, "diff-show-all")}
                {seg("Changed", DiffFilter::Changed, "diff-show-changed")}
                {seg("Got slower", DiffFilter::Slower, "diff-show-slower")}
            </div>
            <div class="sl-segmented" role="group" aria-label="Order">
                {rank("Tree", DiffOrder::Tree)}
                {rank("By total change", DiffOrder::Ranked(DiffMetric::Total))}
                {rank("By self change", DiffOrder::Ranked(DiffMetric::SelfTime))}
            </div>
            <span class="sl-muted sl-view-bar__hint">
                {move || format!("{} of {} nodes", thousands(lines.with(Vec::len)), thousands(node_count))}
            </span>
            <span class="sl-diff-legend">
                <span class="sl-diff-badge sl-diff-badge--removed">"only in A"</span>
                <span class="sl-diff-badge sl-diff-badge--added">"only in B"</span>
                <span class="sl-diff-swatch sl-diff-swatch--slower"></span>"slower"
                <span class="sl-diff-swatch sl-diff-swatch--faster"></span>"faster"
            </span>
        </div>
        // Absolutely placed inside its box, so the table's height never stretches the page.
        <div class="sl-diff-main">
        <div
            class="sl-diff-scroll"
            node_ref=scroller
            on:scroll=move |_| {
                if let Some(el) = scroller.get_untracked() {
                    scroll_top.set(f64::from(el.scroll_top()));
                }
            }
        >
            <table
                class="sl-table sl-table--compact sl-diff-table"
                data-testid="diff-table"
                data-diff-nodes=node_count.to_string()
                data-diff-rows=move || lines.with(Vec::len).to_string()
            >
                <thead>
                    <tr>
                        <th>"Service and operation"</th>
                        <th class="sl-num">"Spans A"</th>
                        <th class="sl-num">"Spans B"</th>
                        <th class="sl-num">"Total A"</th>
                        <th class="sl-num">"Total B"</th>
                        <th class="sl-num">"Change"</th>
                        <th>"Open"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr style:height=move || format!("{}px", top_pad())></tr>
                    <For each=shown key=|l| (l.node, l.strength.to_bits(), l.indent_px.to_bits()) let:line>
                        {
                            let change = line.b_total - line.a_total;
                            let pct = change_percent(line.a_total, line.b_total);
                            let indent = line.indent_px;
                            let tint = if line.class == DiffClass::Added || line.class == DiffClass::Removed || change == 0 {
                                String::new()
                            } else {
                                let alpha = 0.08 + 0.5 * line.strength;
                                if change > 0 { format!("rgba(220, 38, 38, {alpha:.2})") } else { format!("rgba(22, 163, 74, {alpha:.2})") }
                            };
                            let class_name = format!("sl-diff-row sl-diff-row--{}", line.class.as_str());
                            view! {
                                <tr class=class_name data-testid="diff-row" data-diff-class=line.class.as_str()>
                                    <td class="sl-diff-table__op">
                                        <span style:padding-left=format!("{indent}px")>
                                            {match line.class {
                                                DiffClass::Added => Some(view! { <span class="sl-diff-badge sl-diff-badge--added">"B only"</span> }),
                                                DiffClass::Removed => Some(view! { <span class="sl-diff-badge sl-diff-badge--removed">"A only"</span> }),
                                                _ => None,
                                            }}
                                            <span class="sl-muted">{line.service.clone()}</span>
                                            " "
                                            <span class:sl-error-text={line.a_errors + line.b_errors > 0}>{line.operation.clone()}</span>
                                        </span>
                                    </td>
                                    <td class="sl-num">{thousands(line.a_count as usize)}</td>
                                    <td class="sl-num">{thousands(line.b_count as usize)}</td>
                                    <td class="sl-num">{(line.a_count > 0).then(|| format_duration(line.a_total))}</td>
                                    <td class="sl-num">{(line.b_count > 0).then(|| format_duration(line.b_total))}</td>
                                    <td class="sl-num sl-diff-table__change" style:background=tint>
                                        {match (line.a_count > 0 && line.b_count > 0, pct) {
                                            (true, Some(p)) => format!("{}{} ({:+.0}%)", if change >= 0 { "+" } else { "−" }, format_duration(change.abs()), p),
                                            (true, None) => format!("{}{}", if change >= 0 { "+" } else { "−" }, format_duration(change.abs())),
                                            _ => String::new(),
                                        }}
                                    </td>
                                    <td class="sl-diff-table__open">
                                        {line.a_span.clone().map(|s| view! { <A href=open_href(false, &s) attr:title="Open this span in trace A">"A"</A> })}
                                        {line.b_span.clone().map(|s| view! { <A href=open_href(true, &s) attr:title="Open this span in trace B">"B"</A> })}
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                    <tr style:height=move || format!("{}px", bottom_pad())></tr>
                </tbody>
            </table>
        </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_round_trips() {
        for o in [DiffOrder::Tree, DiffOrder::Ranked(DiffMetric::Total), DiffOrder::Ranked(DiffMetric::SelfTime)] {
            assert_eq!(order_from_param(order_param(o)), o);
        }
    }
}
