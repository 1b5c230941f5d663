//! Messages between the UI thread and the parsing worker.
//!
//! Control fields travel as small JS objects; the parsed result travels as one postcard-encoded
//! `ArrayBuffer` that is *transferred*, not copied, so a million-span model never becomes a JS
//! object graph.

use serde::{Deserialize, Serialize};
use spanlens_model::TraceSet;
use spanlens_model::import::ImportError;

/// What the worker sends back once every file of a request is parsed.
#[derive(Debug, Serialize, Deserialize)]
pub struct LoadResult {
    pub set: TraceSet,
    /// Files that could not be imported at all; the others are still in `set`.
    pub errors: Vec<ImportError>,
    pub bytes_total: u64,
    pub read_millis: f64,
    pub parse_millis: f64,
}

/// `kind` values of UI → worker messages. A `load` names the request's files (`names`, `sizes`) or
/// carries one buffer (`name`, `bytes`); the files' contents follow as `chunk`s, in order, each with
/// `id`, `file` (index), and either `bytes`, `end: true` or `error` (the file could not be read).
/// Files are read on the UI thread and sent over because a worker reading a `File` itself stops
/// reading whenever it is busy parsing, and the point is to overlap the two.
pub const MSG_LOAD: &str = "load";
pub const MSG_CHUNK: &str = "chunk";

/// `kind` values of worker → UI messages.
pub const MSG_READY: &str = "ready";
pub const MSG_PROGRESS: &str = "progress";
pub const MSG_DONE: &str = "done";
pub const MSG_FAILED: &str = "failed";

pub fn encode(result: &LoadResult) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(result).map_err(|e| format!("could not encode the parsed traces: {e}"))
}

pub fn decode(bytes: &[u8]) -> Result<LoadResult, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("could not decode the parsed traces: {e}"))
}
