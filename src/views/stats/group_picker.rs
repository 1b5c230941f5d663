//! One grouping choice of the statistics view: service, operation, or an attribute (any span or
//! resource attribute key, suggested from the trace), and for the second level, none.

use crate::state::TraceAnalysis;
use leptos::prelude::*;
use spanlens_analysis::stats::GroupKey;
use std::collections::BTreeSet;

/// Spans read for key suggestions: keys repeat across spans, so a prefix of a huge trace finds them
/// without a pass over a million spans on every mount.
const SUGGEST_SPANS: usize = 20_000;

#[component]
pub fn GroupPicker(
    label: &'static str,
    key: Signal<GroupKey>,
    /// The second level is off ("none" chosen).
    #[prop(optional, into)]
    none: Signal<bool>,
    on_change: Callback<GroupKey>,
    #[prop(optional)] on_none: Option<Callback<()>>,
    allow_none: bool,
) -> impl IntoView {
    let analysis = TraceAnalysis::from_context();
    let list_id = format!("sl-attr-keys-{}", label.replace(' ', "-"));
    let keys = StoredValue::new(None::<Vec<String>>);
    let suggestions = move || {
        if keys.with_value(Option::is_none) {
            let found = analysis.data.with_value(|d| {
                let set = d.set();
                let mut names = BTreeSet::new();
                for span in d.trace().spans.iter().take(SUGGEST_SPANS) {
                    names.extend(span.attributes.iter().map(|a| set.resolve(a.key).to_owned()));
                }
                for resource in &set.resources {
                    names.extend(resource.attributes.iter().map(|a| set.resolve(a.key).to_owned()));
                }
                names.into_iter().collect::<Vec<_>>()
            });
            keys.set_value(Some(found));
        }
        keys.get_value().unwrap_or_default()
    };
    let kind = move || {
        if none.get() {
            return "none";
        }
        match key.get() {
            GroupKey::Service => "service",
            GroupKey::Operation => "operation",
            GroupKey::Attr(_) => "attr",
        }
    };
    let attr_text = RwSignal::new(match key.get_untracked() {
        GroupKey::Attr(k) => k,
        _ => String::new(),
    });
    let on_kind = move |ev: web_sys::Event| match event_target_value(&ev).as_str() {
        "service" => on_change.run(GroupKey::Service),
        "operation" => on_change.run(GroupKey::Operation),
        "none" => {
            if let Some(cb) = on_none {
                cb.run(());
            }
        }
        _ => {
            let text = attr_text.get_untracked();
            let name = if text.trim().is_empty() { "http.status_code".to_owned() } else { text };
            attr_text.set(name.clone());
            on_change.run(GroupKey::Attr(name));
        }
    };
    let on_attr = move |ev: web_sys::Event| {
        let text = event_target_value(&ev);
        if !text.trim().is_empty() {
            attr_text.set(text.trim().to_owned());
            on_change.run(GroupKey::Attr(text.trim().to_owned()));
        }
    };
    let testid = format!("stats-group-{}", if allow_none { "second" } else { "first" });
    let list_for_input = list_id.clone();
    view! {
        <label class="sl-field sl-field--inline">
            <span class="sl-field__label">{label}</span>
            <select class="sl-select" data-testid=testid on:change=on_kind prop:value=kind>
                <option value="service">"Service"</option>
                <option value="operation">"Operation"</option>
                <option value="attr">"Attribute…"</option>
                {allow_none.then(|| view! { <option value="none">"Nothing"</option> })}
            </select>
        </label>
        <Show when=move || kind() == "attr">
            <input
                class="sl-input sl-input--small"
                list=list_for_input.clone()
                placeholder="attribute key"
                aria-label=format!("{label}: attribute key")
                prop:value=move || attr_text.get()
                on:change=on_attr
            />
            <datalist id=list_id.clone()>
                {suggestions().into_iter().map(|k| view! { <option value=k></option> }).collect_view()}
            </datalist>
        </Show>
    }
}
