//! A duration box of Tempo's simple mode (`100ms`, `1.5s`).

use leptos::prelude::*;
use spanlens_traceql::simple::{SimpleSearch, is_duration};

/// A duration box with its own text: written to the query once it parses (or is cleared), and
/// reset when the query's value changes from elsewhere (a link, Back).
#[component]
pub fn SimpleDurationField(
    label: &'static str,
    testid: &'static str,
    placeholder: &'static str,
    form: Memo<Option<SimpleSearch>>,
    get: fn(&SimpleSearch) -> String,
    on_valid: Callback<String>,
) -> impl IntoView {
    let in_query = Memo::new(move |_| form.with(|f| f.as_ref().map(get).unwrap_or_default()));
    let typed = RwSignal::new(in_query.get_untracked());
    Effect::new(move |_| {
        let now = in_query.get();
        if typed.with_untracked(|t| t.trim() != now) && (is_duration(&now) || now.is_empty()) {
            // Typing something that does not parse yet leaves the query as it was: keep the text.
            if typed.with_untracked(|t| is_duration(t) || t.trim().is_empty()) {
                typed.set(now);
            }
        }
    });
    let invalid = move || typed.with(|t| !t.trim().is_empty() && !is_duration(t));
    view! {
        <label class="sl-field">{label}
            <input class="sl-input" data-testid=testid placeholder=placeholder
                class:sl-input--invalid=invalid
                title="A duration such as 100ms, 1.5s or 2m"
                prop:value=move || typed.get()
                on:input:target=move |ev| {
                    let v = ev.target().value();
                    typed.set(v.clone());
                    if is_duration(&v) || v.trim().is_empty() {
                        on_valid.run(v.trim().to_owned());
                    }
                }/>
        </label>
    }
}
