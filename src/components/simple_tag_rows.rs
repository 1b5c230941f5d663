//! The optional tag conditions of Tempo's simple mode: `scope.key`, operator, value, one row each.
//!
//! The rows keep their own text so that a condition can be typed bit by bit (`span.` is not an
//! attribute yet): incomplete rows are left out of the query. They are reset from the query when
//! its complete conditions change from elsewhere (a link, Back, the TraceQL editor).

use leptos::prelude::*;
use spanlens_traceql::simple::{SimpleSearch, TAG_OPERATORS, TagCondition};

/// The conditions as the query would write them, to compare the rows with the query.
fn written(tags: &[TagCondition]) -> Vec<String> {
    tags.iter().filter_map(TagCondition::to_traceql).collect()
}

#[component]
pub fn SimpleTagRows(form: Memo<Option<SimpleSearch>>, on_change: Callback<Vec<TagCondition>>) -> impl IntoView {
    let in_query = Memo::new(move |_| form.with(|f| f.as_ref().map(|f| f.tags.clone()).unwrap_or_default()));
    let rows = RwSignal::new(in_query.get_untracked());
    Effect::new(move |_| {
        let now = in_query.get();
        if rows.with_untracked(|r| written(r) != written(&now)) {
            rows.set(now);
        }
    });
    let update = move |i: usize, change: &dyn Fn(&mut TagCondition)| {
        rows.update(|r| {
            if let Some(row) = r.get_mut(i) {
                change(row);
            }
        });
        on_change.run(rows.get_untracked());
    };
    // Rows are rebuilt only when one is added or removed, so typing keeps its focus.
    let count = Memo::new(move |_| rows.with(Vec::len));
    view! {
        <div class="sl-tempo-tags" data-testid="simple-tags">
            {move || {
                (0..count.get())
                    .map(|i| {
                        let get = move |f: fn(&TagCondition) -> String| rows.with(|r| r.get(i).map(f).unwrap_or_default());
                        view! {
                            <div class="sl-tempo-tags__row" data-testid="simple-tag-row">
                                <input class="sl-input sl-mono" data-testid="simple-tag-attribute" placeholder="span.http.method"
                                    aria-label="Attribute (scope.key)"
                                    class:sl-input--invalid=move || rows.with(|r| r.get(i).is_some_and(|t| !t.attribute.trim().is_empty() && !t.value.trim().is_empty() && t.to_traceql().is_none()))
                                    prop:value=move || get(|t| t.attribute.clone())
                                    on:input:target=move |ev| { let v = ev.target().value(); update(i, &|t| t.attribute = v.clone()); }/>
                                <select class="sl-select" data-testid="simple-tag-operator" aria-label="Operator"
                                    on:change:target=move |ev| { let v = ev.target().value(); update(i, &|t| t.operator = v.clone()); }>
                                    {TAG_OPERATORS.map(|op| view! { <option value=op selected=move || get(|t| t.operator.clone()) == op>{op}</option> }).collect_view()}
                                </select>
                                <input class="sl-input" data-testid="simple-tag-value" placeholder="GET" aria-label="Value"
                                    prop:value=move || get(|t| t.value.clone())
                                    on:input:target=move |ev| { let v = ev.target().value(); update(i, &|t| t.value = v.clone()); }/>
                                <button class="sl-button" title="Remove this condition" aria-label="Remove this condition"
                                    on:click=move |_| {
                                        rows.update(|r| { if i < r.len() { r.remove(i); } });
                                        on_change.run(rows.get_untracked());
                                    }>"×"</button>
                            </div>
                        }
                    })
                    .collect_view()
            }}
            <button class="sl-button" data-testid="simple-add-tag"
                on:click=move |_| rows.update(|r| r.push(TagCondition { operator: "=".to_owned(), ..TagCondition::default() }))>
                "+ Tag condition"
            </button>
        </div>
    }
}
