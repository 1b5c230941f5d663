//! One backend search request: the answer's body, parsed here into trace summaries, so a 20 MB
//! search answer never holds the UI thread.

use crate::post;
use js_sys::{ArrayBuffer, Uint8Array};
use spanlens_backends::{BackendKind, search_from_response};
use spanlens_protocol::{FromWorker, SearchAnswer};
use web_sys::DedicatedWorkerGlobalScope;

/// Parses `body` as a `kind` search answer and posts the summaries (or the parser's message, which
/// keeps the backend's words and the position of a malformed body). A cancel cannot interrupt the
/// parse; the UI drops the answer of a search it no longer wants.
pub fn handle(scope: &DedicatedWorkerGlobalScope, id: u32, kind: BackendKind, body: Option<ArrayBuffer>) {
    let Some(body) = body else {
        let error = "the search answer was lost on its way to the parsing worker".to_owned();
        post(scope, &FromWorker::Failed { id, error }, &[]);
        return;
    };
    let body_in_epoch_millis = js_sys::Date::now();
    let bytes = Uint8Array::new(&body).to_vec();
    let parsed = search_from_response(kind, 200, &bytes);
    let length = bytes.len() as u64;
    drop(bytes);
    let parse_millis = js_sys::Date::now() - body_in_epoch_millis;
    let message = match parsed {
        Ok(results) => FromWorker::Found {
            id,
            answer: SearchAnswer { results, bytes: length, parse_millis, body_in_epoch_millis },
        },
        Err(e) => FromWorker::Failed { id, error: e.to_string() },
    };
    post(scope, &message, &[]);
}
