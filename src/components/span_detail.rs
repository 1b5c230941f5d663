//! The detail panel of the selected span: identity, timing, typed attributes, resource, scope,
//! events, links and warnings. Everything renders as text; values wrap and can be copied.

use crate::format::format_timestamp;
use crate::state::{Focus, TraceAnalysis};
use leptos::prelude::*;
use leptos_router::components::A;
use spanlens_model::{Attribute, Interner, format_duration};

/// One attribute as display strings, computed once per selection.
#[derive(Clone, PartialEq)]
struct AttrRow {
    key: String,
    value: String,
    type_name: &'static str,
}

fn attr_rows(attrs: &[Attribute], strings: &Interner) -> Vec<AttrRow> {
    let mut rows: Vec<AttrRow> = attrs
        .iter()
        .map(|a| AttrRow {
            key: strings.resolve(a.key).to_owned(),
            value: a.value.display(strings),
            type_name: a.value.type_name(),
        })
        .collect();
    spanlens_model::sorting::sort_by(&mut rows, |a, b| a.key.cmp(&b.key));
    rows
}

#[derive(Clone, PartialEq)]
struct EventRow {
    offset: String,
    name: String,
    attributes: Vec<AttrRow>,
}

#[derive(Clone, PartialEq)]
struct LinkRow {
    trace_hex: String,
    span_hex: String,
    href: Option<String>,
    attributes: Vec<AttrRow>,
}

#[derive(Clone, PartialEq)]
struct Detail {
    name: String,
    service: String,
    kind: &'static str,
    status: &'static str,
    status_message: Option<String>,
    is_error: bool,
    span_hex: String,
    /// The id as the file wrote it: hex, or the original text of an id that was not hex.
    span_shown: String,
    parent_hex: Option<String>,
    start_offset: String,
    start_wall: i64,
    duration: String,
    self_time: String,
    attributes: Vec<AttrRow>,
    resource: Vec<AttrRow>,
    scope: Option<String>,
    events: Vec<EventRow>,
    links: Vec<LinkRow>,
    warnings: Vec<String>,
}

fn detail_of(analysis: &TraceAnalysis, index: u32) -> Option<Detail> {
    let self_nanos = analysis.self_nanos.with_value(|s| s.get(index as usize).copied().unwrap_or(0));
    analysis.data.with_value(|d| {
        let set = d.set();
        let trace = d.trace();
        let span = trace.spans.get(index as usize)?;
        let strings = &set.strings;
        let query = d.loaded.link_query();
        let links = span
            .links
            .iter()
            .map(|l| {
                let target = set.trace_by_id(l.trace_id);
                let linked_span = target.and_then(|t| t.spans.iter().find(|s| s.span_id == l.span_id));
                let href = target.map(|t| {
                    let sep = if query.is_empty() { '?' } else { '&' };
                    match linked_span {
                        Some(s) => format!("/trace/{}{query}{sep}span={}", t.trace_id_hex(), s.span_id.to_hex()),
                        None => format!("/trace/{}{query}", t.trace_id_hex()),
                    }
                });
                LinkRow {
                    trace_hex: l.trace_id.to_hex(16),
                    span_hex: l.span_id.to_hex(),
                    href,
                    attributes: attr_rows(&l.attributes, strings),
                }
            })
            .collect();
        Some(Detail {
            name: set.resolve(span.name).to_owned(),
            service: set.resolve(span.service).to_owned(),
            kind: span.kind.as_str(),
            status: span.status.code.as_str(),
            status_message: span.status.message.map(|m| set.resolve(m).to_owned()).filter(|m| !m.is_empty()),
            is_error: span.is_error(),
            span_hex: span.span_id.to_hex(),
            span_shown: set.span_id_display(span.span_id),
            parent_hex: span.parent_span_id.map(|p| set.span_id_display(p)),
            start_offset: format_duration(span.start_nanos - trace.start_nanos),
            start_wall: span.start_nanos,
            // A span that never reported its end has no duration to show, and so no self time.
            duration: if span.is_incomplete() {
                "unknown (incomplete)".to_owned()
            } else {
                format_duration(span.duration_nanos)
            },
            self_time: if span.is_incomplete() { "—".to_owned() } else { format_duration(self_nanos) },
            attributes: attr_rows(&span.attributes, strings),
            resource: set.resource(span).map(|r| attr_rows(&r.attributes, strings)).unwrap_or_default(),
            // A scope with no name says nothing: no heading for it.
            scope: set.scope(span).and_then(|s| {
                let version = s.version.map(|v| format!(" {}", set.resolve(v))).unwrap_or_default();
                let text = format!("{}{version}", set.resolve(s.name));
                (!text.trim().is_empty()).then_some(text)
            }),
            events: span
                .events
                .iter()
                .map(|e| EventRow {
                    offset: format_duration(e.time_nanos - span.start_nanos),
                    name: set.resolve(e.name).to_owned(),
                    attributes: attr_rows(&e.attributes, strings),
                })
                .collect(),
            links,
            warnings: set
                .warnings_for(trace.trace_id)
                .filter(|w| w.span_index == Some(index))
                .map(|w| w.message.clone())
                .collect(),
        })
    })
}

/// The address of this page with `span=` naming `span_hex`, built when the user asks for it (the
/// address changes with every selection, zoom and find).
fn span_link(span_hex: &str) -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    let url = web_sys::Url::new(&href).ok()?;
    url.search_params().set("span", span_hex);
    Some(url.href())
}

/// The panel's width until the user drags it, and its narrowest.
const DEFAULT_WIDTH_PX: f64 = 400.0;
const MIN_WIDTH_PX: f64 = 260.0;

fn copy_to_clipboard(text: &str) {
    if let Some(window) = web_sys::window() {
        // The promise's outcome is not worth surfacing: the button gives no success claim.
        let _promise = window.navigator().clipboard().write_text(text);
    }
}

#[component]
pub fn SpanDetail() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    let detail = Memo::new(move |_| focus.selected.get().and_then(|i| detail_of(&analysis, i)));
    // The panel takes no room until a span is selected, and its width is the user's to drag.
    let width_px = RwSignal::new(DEFAULT_WIDTH_PX);
    let (on_resize_down, on_resize_move, on_resize_up) = crate::hooks::use_drag_handle(move |client_x| {
        let window_w = web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|w| w.as_f64()).unwrap_or(1280.0);
        width_px.set((window_w - client_x).clamp(MIN_WIDTH_PX, (window_w * 0.7).max(MIN_WIDTH_PX)));
    });
    view! {
        <aside
            class="sl-detail"
            class:sl-detail--open=move || detail.with(Option::is_some)
            data-testid="span-detail"
            aria-label="Span details"
            style:width=move || detail.with(Option::is_some).then(|| format!("{}px", width_px.get()))
        >
            <div
                class="sl-detail__resizer"
                title="Drag to resize"
                on:pointerdown=on_resize_down
                on:pointermove=on_resize_move
                on:pointerup=on_resize_up
            ></div>
            {move || detail.get().map(|d| view! {
                <HiddenNotice/>
                <DetailBody d=d/>
            })}
        </aside>
    }
    .into_any()
}

/// Says when the view cannot show the selected span, and brings it back.
#[component]
fn HiddenNotice() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    view! {
        <Show when=move || focus.selected_hidden.get()>
            <div class="sl-detail__hidden" data-testid="selected-hidden" role="status">
                <span>"This span is hidden in the view (a collapsed parent or a filter)."</span>
                <button class="sl-button sl-button--small" data-testid="reveal-selected" on:click=move |_| focus.reveal_selected(analysis)>
                    "Show it"
                </button>
            </div>
        </Show>
    }
}

#[component]
fn DetailBody(d: Detail) -> impl IntoView {
    let focus = Focus::from_context();
    let utc = move || focus.utc.get();
    let span_hex = d.span_hex.clone();
    let wall = d.start_wall;
    view! {
        <header class="sl-detail__header">
            <div class="sl-detail__service">{d.service.clone()}</div>
            <h2 class="sl-detail__name" data-testid="span-detail-name">{d.name.clone()}</h2>
            <div class="sl-chips">
                <span class="sl-badge">{d.kind}</span>
                <span class="sl-badge" class:sl-badge--error=d.is_error>{format!("status: {}", d.status)}</span>
                <button class="sl-badge sl-badge--button" title="Copy a link to this span" on:click=move |_| {
                    if let Some(link) = span_link(&span_hex) {
                        copy_to_clipboard(&link);
                    }
                }>
                    "Copy link"
                </button>
            </div>
            {d.status_message.clone().map(|m| view! { <p class="sl-detail__status-message">{m}</p> })}
        </header>
        <dl class="sl-detail__timing">
            <div><dt>"Duration"</dt><dd>{d.duration.clone()}</dd></div>
            <div><dt>"Self time"</dt><dd>{d.self_time.clone()}</dd></div>
            <div><dt>"Starts at"</dt><dd>{format!("+{}", d.start_offset)}</dd></div>
            <div><dt>"Start"</dt><dd>{move || format_timestamp(wall, utc())}</dd></div>
            <div><dt>"Span ID"</dt><dd class="sl-mono">{d.span_shown.clone()}</dd></div>
            <div><dt>"Parent"</dt><dd class="sl-mono">{d.parent_hex.clone().unwrap_or_else(|| "—".to_owned())}</dd></div>
        </dl>
        {(!d.warnings.is_empty()).then(|| view! {
            <section class="sl-detail__section">
                <h3>"Warnings"</h3>
                {d.warnings.iter().map(|w| view! { <p class="sl-detail__warning">{w.clone()}</p> }).collect_view()}
            </section>
        })}
        <AttrSection title="Attributes" rows=d.attributes.clone()/>
        <AttrSection title="Resource" rows=d.resource.clone()/>
        {d.scope.clone().map(|s| view! {
            <section class="sl-detail__section"><h3>"Instrumentation scope"</h3><p class="sl-mono sl-wrap">{s}</p></section>
        })}
        {(!d.events.is_empty()).then(|| view! {
            <section class="sl-detail__section">
                <h3>{format!("Events ({})", d.events.len())}</h3>
                {d.events.iter().map(|e| view! {
                    <div class="sl-detail__event">
                        <div><span class="sl-mono sl-muted">{format!("+{}", e.offset)}</span> " " <strong>{e.name.clone()}</strong></div>
                        <AttrTable rows=e.attributes.clone()/>
                    </div>
                }).collect_view()}
            </section>
        })}
        {(!d.links.is_empty()).then(|| view! {
            <section class="sl-detail__section">
                <h3>{format!("Links ({})", d.links.len())}</h3>
                {d.links.iter().map(|l| {
                    let label = format!("{} / {}", l.trace_hex, l.span_hex);
                    view! {
                        <div class="sl-detail__event">
                            {match l.href.clone() {
                                Some(href) => view! { <A href=href attr:class="sl-mono sl-wrap">{label}</A> }.into_any(),
                                None => view! { <span class="sl-mono sl-wrap sl-muted" title="The linked trace is not loaded">{label}</span> }.into_any(),
                            }}
                            <AttrTable rows=l.attributes.clone()/>
                        </div>
                    }
                }).collect_view()}
            </section>
        })}
    }
}

#[component]
fn AttrSection(title: &'static str, rows: Vec<AttrRow>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        view! {
            <section class="sl-detail__section">
                <h3>{format!("{title} ({})", rows.len())}</h3>
                <AttrTable rows=rows/>
            </section>
        }
    })
}

#[component]
fn AttrTable(rows: Vec<AttrRow>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        view! {
            <table class="sl-attrs">
                <tbody>
                    {rows.into_iter().map(|r| {
                        let value = r.value.clone();
                        view! {
                            <tr>
                                <th class="sl-attrs__key" title=r.key.clone()>{r.key.clone()}</th>
                                <td class="sl-attrs__value">
                                    <span class="sl-attrs__text">{r.value}</span>
                                    <span class="sl-attrs__type">{r.type_name}</span>
                                    <button class="sl-attrs__copy" title="Copy value" aria-label="Copy value" on:click=move |_| copy_to_clipboard(&value)>"⧉"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}
