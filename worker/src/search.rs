//! One backend search request: the answer's body is collected as its chunks arrive, then parsed into
//! trace summaries here, so a 20 MB search answer never holds the UI thread.

use crate::inbox::Inbox;
use crate::post;
use js_sys::Uint8Array;
use spanlens_backends::{BackendKind, search_from_response};
use spanlens_protocol::{ChunkPart, FromWorker, SearchAnswer};
use web_sys::DedicatedWorkerGlobalScope;

/// A Vec grown to an announced length up front is capped, so a lying `Content-Length` cannot make the
/// worker reserve gigabytes before a byte has arrived.
const MAX_RESERVE_BYTES: u64 = 256 << 20;

/// Collects the body of search `id`, parses it as a `kind` search answer and posts the summaries
/// (or the parser's message). Returns quietly when the request is cancelled.
pub async fn handle(scope: &DedicatedWorkerGlobalScope, id: u32, kind: BackendKind, size: u64, inbox: &Inbox) {
    let reserve = usize::try_from(size.min(MAX_RESERVE_BYTES)).unwrap_or(0);
    let mut body: Vec<u8> = Vec::with_capacity(reserve);
    loop {
        let Some((part, buffer)) = inbox.next().await else { return };
        match (part, buffer) {
            (ChunkPart::Data, Some(buffer)) => {
                let bytes = Uint8Array::new(&buffer);
                let start = body.len();
                body.resize(start + bytes.length() as usize, 0);
                bytes.copy_to(&mut body[start..]);
            }
            (ChunkPart::End, _) => break,
            (ChunkPart::Failed(reason), _) => {
                post(scope, &FromWorker::Failed { id, error: reason }, &[]);
                return;
            }
            (ChunkPart::Data, None) => {
                let error = "a piece of the search answer was lost on its way to the parsing worker".to_owned();
                post(scope, &FromWorker::Failed { id, error }, &[]);
                return;
            }
        }
    }
    let body_in_epoch_millis = js_sys::Date::now();
    let parsed = search_from_response(kind, 200, &body);
    let bytes = body.len() as u64;
    drop(body);
    let parse_millis = js_sys::Date::now() - body_in_epoch_millis;
    let message = match parsed {
        Ok(results) => {
            FromWorker::Found { id, answer: SearchAnswer { results, bytes, parse_millis, body_in_epoch_millis } }
        }
        // The typed error's text keeps the backend's words and the position of a malformed body.
        Err(e) => FromWorker::Failed { id, error: e.to_string() },
    };
    post(scope, &message, &[]);
}
