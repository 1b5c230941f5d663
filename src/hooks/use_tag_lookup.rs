//! Asks a Tempo backend's tag APIs what the TraceQL editor's cursor needs (tag names of a scope, or
//! the values of one tag), narrowed by the query typed so far (`spanlens_traceql::narrow`).
//!
//! Debounced (250 ms of no change), the previous request aborted when a newer one starts, answers
//! cached per (tag, narrowed query). A failing or slow API (timeout of a few seconds) is never shown:
//! the answer just does not come, and the editor keeps offering what its own index has.

use crate::api::{self, Abort, FetchOptions};
use leptos::prelude::*;
use leptos::task::spawn_local;
use spanlens_backends::{Backend, parse_tag_names, parse_tag_values};
use spanlens_traceql::narrow::{Answer, Lookup};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const DEBOUNCE: Duration = Duration::from_millis(250);
/// Autocomplete that arrives later than this is of no use.
const TIMEOUT_SECS: u32 = 4;
/// Cached answers; the cache starts over beyond this (a session rarely gets near it).
const MAX_CACHED: usize = 200;

/// Where the editor's tag lookups go.
#[derive(Clone)]
pub struct TagSource(pub Arc<Backend>);

/// The newest answer, with the lookup it answers (the editor uses it only while the cursor still
/// asks the same).
pub fn use_tag_lookup(
    source: Option<TagSource>,
    wanted: Memo<Option<Lookup>>,
) -> Signal<Option<(Lookup, Arc<Answer>)>> {
    let answer = RwSignal::new(None::<(Lookup, Arc<Answer>)>);
    let cache = StoredValue::new(HashMap::<Lookup, Arc<Answer>>::new());
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let in_flight = StoredValue::new(None::<Abort>);
    let cancel = move || {
        if let Some(Some(h)) = timer.try_get_value() {
            h.clear();
        }
        if let Some(Some(a)) = in_flight.try_get_value() {
            a.abort();
        }
    };
    on_cleanup(cancel);
    let Some(TagSource(backend)) = source else { return answer.into() };

    Effect::new(move |_| {
        // Whatever was pending is for an older cursor position.
        cancel();
        let Some(lookup) = wanted.get() else { return };
        if let Some(hit) = cache.with_value(|c| c.get(&lookup).cloned()) {
            answer.set(Some((lookup, hit)));
            return;
        }
        let backend = Arc::clone(&backend);
        let handle = set_timeout_with_handle(
            move || {
                let abort = Abort::new();
                if let Some(Some(previous)) = in_flight.try_get_value() {
                    previous.abort();
                }
                in_flight.try_set_value(Some(abort.clone()));
                spawn_local(async move {
                    let Some(got) = fetch(&backend, &lookup, abort).await else { return };
                    let got = Arc::new(got);
                    cache.try_update_value(|c| {
                        if c.len() >= MAX_CACHED {
                            c.clear();
                        }
                        c.insert(lookup.clone(), Arc::clone(&got));
                    });
                    // Only the answer to what the cursor still asks is shown.
                    if wanted.try_get_untracked().flatten().as_ref() == Some(&lookup) {
                        answer.try_set(Some((lookup, got)));
                    }
                });
            },
            DEBOUNCE,
        );
        timer.set_value(handle.ok());
    });
    answer.into()
}

/// One request; `None` on any failure (the editor falls back to its index).
async fn fetch(backend: &Backend, lookup: &Lookup, abort: Abort) -> Option<Answer> {
    let url = match lookup {
        Lookup::Values { tag, query } => backend.tag_values_url(tag, query.as_deref())?,
        Lookup::Names { scope, query } => backend.tag_names_url(*scope, query.as_deref())?,
    };
    let body = api::fetch_text(&url, FetchOptions { timeout_secs: TIMEOUT_SECS, abort }).await.ok()?;
    Some(match lookup {
        Lookup::Values { .. } => {
            Answer::Values(parse_tag_values(body).ok()?.into_iter().map(|v| (v.kind, v.value)).collect())
        }
        Lookup::Names { .. } => Answer::Names(parse_tag_names(body).ok()?),
    })
}
