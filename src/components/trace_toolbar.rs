//! Find, filters, critical path and collapse controls above the waterfall.

use crate::format::thousands;
use crate::state::TraceViewState;
use leptos::html;
use leptos::prelude::*;
use spanlens_model::Sym;

#[component]
pub fn TraceToolbar(find_ref: NodeRef<html::Input>) -> impl IntoView {
    let tv = TraceViewState::from_context();
    let match_count = move || tv.matches.with(|m| m.len());
    let has_query = move || tv.find_text.with(|t| !t.trim().is_empty());
    let position = move || {
        let n = match_count();
        if n == 0 {
            return "0 matches".to_owned();
        }
        let at = tv.selected.get().and_then(|s| tv.matches.with(|m| m.binary_search(&s).ok()));
        match at {
            Some(i) => format!("{} of {}", thousands(i + 1), thousands(n)),
            None => format!("{} {}", thousands(n), if n == 1 { "match" } else { "matches" }),
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            tv.step_match(!ev.shift_key());
        }
        "Escape" => {
            tv.find_text.set(String::new());
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
                    prop:value=move || tv.find_text.get()
                    on:input:target=move |ev| {
                        tv.find_text.set(ev.target().value());
                        tv.match_cursor.set(0);
                    }
                    on:keydown=on_key
                />
                <Show when=move || tv.find_error.with(Option::is_some)>
                    <span class="sl-find__error" data-testid="find-error" title=move || tv.find_error.get().unwrap_or_default()>
                        {move || tv.find_error.get().unwrap_or_default()}
                    </span>
                </Show>
                <Show when=move || has_query() && tv.find_error.with(Option::is_none)>
                    <span class="sl-find__count" data-testid="find-count">{position}</span>
                    <button class="sl-icon-button" title="Previous match (Shift+Enter)" aria-label="Previous match" on:click=move |_| tv.step_match(false)>"↑"</button>
                    <button class="sl-icon-button" title="Next match (Enter)" aria-label="Next match" on:click=move |_| tv.step_match(true)>"↓"</button>
                </Show>
                <label class="sl-check" title="Hide spans that do not match (their ancestors stay, dimmed)">
                    <input type="checkbox" data-testid="hide-unmatched" prop:checked=move || tv.hide_unmatched.get()
                        on:change:target=move |ev| tv.hide_unmatched.set(ev.target().checked())/>
                    "Hide non-matching"
                </label>
            </div>
            <div class="sl-toolbar__group">
                <ServiceFilter/>
                <label class="sl-check" title="Highlight the critical path: what the trace was waiting on">
                    <input type="checkbox" prop:checked=move || tv.show_critical.get()
                        on:change:target=move |ev| tv.show_critical.set(ev.target().checked())/>
                    "Critical path"
                </label>
                <label class="sl-check" title="Show only spans on the critical path">
                    <input type="checkbox" data-testid="critical-only" prop:checked=move || tv.critical_only.get()
                        on:change:target=move |ev| tv.critical_only.set(ev.target().checked())/>
                    "Only critical"
                </label>
                <button class="sl-button sl-button--small" on:click=move |_| tv.collapse_all() data-testid="collapse-all">"Collapse all"</button>
                <button class="sl-button sl-button--small" on:click=move |_| tv.expand_all() data-testid="expand-all">"Expand all"</button>
                <button class="sl-icon-button" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" on:click=move |_| tv.show_help.set(true)>"?"</button>
            </div>
        </div>
    }
    .into_any()
}

/// A dropdown of the trace's services with a checkbox each; unchecked services are hidden.
#[component]
fn ServiceFilter() -> impl IntoView {
    let tv = TraceViewState::from_context();
    let services: Vec<(Sym, String, usize, String)> = tv.data.with_value(|d| {
        let trace = d.trace();
        let mut counts = std::collections::HashMap::new();
        for s in &trace.spans {
            *counts.entry(s.service).or_insert(0usize) += 1;
        }
        let mut list: Vec<_> = trace
            .services()
            .into_iter()
            .map(|sym| {
                let theme = spanlens_layout::palette::Theme::Light;
                let color = tv.colors.with_value(|c| crate::render::canvas::css(c.color(sym, theme)));
                (sym, d.set().resolve(sym).to_owned(), counts.get(&sym).copied().unwrap_or(0), color)
            })
            .collect();
        list.sort_by(|a, b| a.1.cmp(&b.1));
        list
    });
    let hidden_count = move || tv.hidden_services.with(|h| h.len());
    view! {
        <details class="sl-dropdown" data-testid="service-filter">
            <summary class="sl-button sl-button--small">
                {move || match hidden_count() {
                    0 => "Services".to_owned(),
                    n => format!("Services ({n} hidden)"),
                }}
            </summary>
            <div class="sl-dropdown__menu">
                {services.into_iter().map(|(sym, name, count, color)| view! {
                    <label class="sl-check sl-dropdown__item">
                        <input type="checkbox"
                            prop:checked=move || tv.hidden_services.with(|h| !h.contains(&sym))
                            on:change:target=move |ev| {
                                let show = ev.target().checked();
                                tv.hidden_services.update(|h| { if show { h.remove(&sym); } else { h.insert(sym); } });
                            }/>
                        <span class="sl-swatch" style:background=color></span>
                        <span class="sl-dropdown__label">{name}</span>
                        <span class="sl-muted">{thousands(count)}</span>
                    </label>
                }).collect_view()}
                <button class="sl-link-button" on:click=move |_| tv.hidden_services.set(Default::default())>"Show all"</button>
            </div>
        </details>
    }
    .into_any()
}
