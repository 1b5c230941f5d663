//! Find, filters, critical path and collapse controls above the waterfall.

use crate::format::thousands;
use crate::state::{Focus, TraceAnalysis, TraceChrome};
use leptos::html;
use leptos::prelude::*;
use spanlens_model::Sym;

#[component]
pub fn TraceToolbar(find_ref: NodeRef<html::Input>) -> impl IntoView {
    let focus = Focus::from_context();
    let chrome = TraceChrome::from_context();
    let match_count = move || focus.matches.with(|m| m.len());
    let has_query = move || focus.find_text.with(|t| !t.trim().is_empty());
    let position = move || {
        let n = match_count();
        if n == 0 {
            return "0 matches".to_owned();
        }
        let at = focus.selected.get().and_then(|s| focus.matches.with(|m| m.iter().position(|&x| x == s)));
        match at {
            Some(i) => format!("{} of {}", thousands(i + 1), thousands(n)),
            None => format!("{} {}", thousands(n), if n == 1 { "match" } else { "matches" }),
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            focus.step_match(!ev.shift_key());
        }
        "Escape" => {
            focus.find_text.set(String::new());
            if let Some(input) = find_ref.get_untracked() {
                input.blur().ok();
            }
        }
        _ => {}
    };

    view! {
        <div class="sl-toolbar" data-testid="trace-toolbar">
            <div class="sl-find">
                <input
                    node_ref=find_ref
                    class="sl-input sl-find__input"
                    type="search"
                    placeholder="Find: name, service, id, attribute — or a TraceQL query { … }  ( / )"
                    aria-label="Find in trace"
                    data-testid="find-input"
                    prop:value=move || focus.find_text.get()
                    on:input:target=move |ev| {
                        focus.find_text.set(ev.target().value());
                        focus.match_cursor.set(0);
                    }
                    on:keydown=on_key
                />
                <Show when=move || focus.find_error.with(Option::is_some)>
                    <span class="sl-find__error" data-testid="find-error" title=move || focus.find_error.get().unwrap_or_default()>
                        {move || focus.find_error.get().unwrap_or_default()}
                    </span>
                </Show>
                <Show when=move || has_query() && focus.find_error.with(Option::is_none)>
                    <span class="sl-find__count" data-testid="find-count">{position}</span>
                    <button class="sl-icon-button" title="Previous match (Shift+Enter)" aria-label="Previous match" on:click=move |_| focus.step_match(false)>"↑"</button>
                    <button class="sl-icon-button" title="Next match (Enter)" aria-label="Next match" on:click=move |_| focus.step_match(true)>"↓"</button>
                </Show>
                <label class="sl-check" title="Hide spans that do not match (their ancestors stay, dimmed)">
                    <input type="checkbox" data-testid="hide-unmatched" prop:checked=move || focus.hide_unmatched.get()
                        on:change:target=move |ev| focus.hide_unmatched.set(ev.target().checked())/>
                    "Hide non-matching"
                </label>
            </div>
            <div class="sl-toolbar__group">
                <ServiceFilter/>
                <label class="sl-check" title="Highlight the critical path: what the trace was waiting on">
                    <input type="checkbox" prop:checked=move || focus.show_critical.get()
                        on:change:target=move |ev| focus.show_critical.set(ev.target().checked())/>
                    // The legend: the stripe's own colour, drawn through the bars on the path.
                    <span class="sl-legend-swatch sl-legend-swatch--critical" aria-hidden="true"></span>
                    "Critical path"
                </label>
                <label class="sl-check" title="Show only the spans the root span waited for, from its start to its end">
                    <input type="checkbox" data-testid="critical-only" prop:checked=move || focus.critical_only.get()
                        on:change:target=move |ev| focus.critical_only.set(ev.target().checked())/>
                    "Only critical"
                </label>
                <button class="sl-icon-button" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" on:click=move |_| chrome.show_help.set(true)>"?"</button>
            </div>
        </div>
    }
    .into_any()
}

/// A dropdown of the trace's services with a checkbox each; unchecked services are hidden.
#[component]
fn ServiceFilter() -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let focus = Focus::from_context();
    // The analysis already counted spans per service; nothing is recounted here.
    let app = crate::state::AppState::from_context();
    let services: Vec<(Sym, String, usize)> = analysis.summary.with_value(|summary| {
        let mut list: Vec<_> = summary
            .services
            .iter()
            .map(|totals| {
                let sym = totals.service;
                let name = analysis.data.with_value(|d| d.set().resolve(sym).to_owned());
                (sym, name, totals.span_count as usize)
            })
            .collect();
        spanlens_model::sorting::sort_by(&mut list, |a, b| a.1.cmp(&b.1));
        list
    });
    let hidden_count = move || focus.hidden_services.with(|h| h.len());
    // The menu's rows exist only while it is open: a closed menu held a checkbox, a swatch and two
    // reactive bindings per service, built in the trace page's mount (on a cold page, in the task
    // that shows the trace's first frame) and kept in every layout, for a menu seldom opened.
    let open = RwSignal::new(false);
    let services = StoredValue::new(services);
    let rows = move || {
        services.with_value(|list| {
            list.iter()
                .cloned()
                .map(|(sym, name, count)| {
                    view! {
                        <label class="sl-check sl-dropdown__item">
                            <input type="checkbox"
                                prop:checked=move || focus.hidden_services.with(|h| !h.contains(&sym))
                                on:change:target=move |ev| {
                                    let show = ev.target().checked();
                                    focus.hidden_services.update(|h| { if show { h.remove(&sym); } else { h.insert(sym); } });
                                }/>
                            // The bar colour of the theme in effect, as the canvas draws it.
                            <span class="sl-swatch" style:background=move || {
                                let theme = app.theme.get().palette();
                                analysis.colors.with_value(|c| crate::render::canvas::css(c.color(sym, theme)))
                            }></span>
                            <span class="sl-dropdown__label">{name}</span>
                            <span class="sl-muted">{thousands(count)}</span>
                        </label>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <details class="sl-dropdown" data-testid="service-filter"
            on:toggle:target=move |ev| open.set(ev.target().open())>
            <summary class="sl-button sl-button--small">
                {move || match hidden_count() {
                    0 => "Services".to_owned(),
                    n => format!("Services ({n} hidden)"),
                }}
            </summary>
            <Show when=move || open.get()>
                <div class="sl-dropdown__menu">
                    {rows}
                    <button class="sl-link-button" on:click=move |_| focus.hidden_services.set(Default::default())>"Show all"</button>
                </div>
            </Show>
        </details>
    }
    .into_any()
}
