//! Messages between the UI thread and the parsing worker.
//!
//! Messages are typed ([`ToWorker`], [`FromWorker`]) and travel postcard-encoded in an envelope
//! ([`js`]); the parsed result travels as postcard-encoded `ArrayBuffer`s that are *transferred*,
//! not copied, so a million-span model never becomes a JS object graph.

use serde::{Deserialize, Serialize};
use spanlens_model::ImportError;
use spanlens_model::TraceSet;

mod analysed;
pub mod js;
pub mod messages;
mod parts;
mod search;
mod source;

pub use analysed::{ANALYSED_SPANS, Analysed, header_numbers};
pub use messages::{ChunkPart, FromWorker, InputMeta, ToWorker};
pub use parts::{Assembly, TREE_PART_BYTES, encode_parts, encode_parts_with};
pub use search::SearchAnswer;
pub use source::TraceSource;

/// What the worker sends back once every file of a request is parsed.
#[derive(Debug, Serialize, Deserialize)]
pub struct LoadResult {
    /// Where the traces came from, as the request said.
    pub source: TraceSource,
    pub set: TraceSet,
    /// Files that could not be imported at all; the others are still in `set`.
    pub errors: Vec<ImportError>,
    pub bytes_total: u64,
    pub read_millis: f64,
    /// Of `read_millis`, the time spent parsing (the rest waited for bytes): close to all of it
    /// means the parse, not the network, set the pace.
    pub busy_millis: f64,
    pub parse_millis: f64,
    /// The analyses of the large traces ([`ANALYSED_SPANS`] spans or more), by trace: filled by
    /// [`Assembly`] from the parts that follow the spans, never part of an encoded result.
    #[serde(skip)]
    pub analysed: Vec<Analysed>,
}

impl LoadResult {
    /// A result of `set` from `source` with no errors and no timings (tests, warm-ups).
    pub fn new(source: TraceSource, set: TraceSet) -> LoadResult {
        LoadResult {
            source,
            set,
            errors: Vec::new(),
            bytes_total: 0,
            read_millis: 0.0,
            busy_millis: 0.0,
            parse_millis: 0.0,
            analysed: Vec::new(),
        }
    }
}

pub fn encode(result: &LoadResult) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(result).map_err(|e| format!("could not encode the parsed traces: {e}"))
}

pub fn decode(bytes: &[u8]) -> Result<LoadResult, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("could not decode the parsed traces: {e}"))
}

/// Spans per part of [`encode_parts`]: decoding one takes a warm UI thread about 5 ms. On a page
/// opened cold on a trace link the decoder runs unoptimized at first, and parts of 16,384 spans took
/// 50–100 ms each there (tests/bench/profile_cold.mjs); this size keeps each well under 50 ms.
pub const SPANS_PER_PART: usize = 4_096;

/// The name the UI gives a worker started while a trace is already on its way (a page opened on a
/// trace link): such a worker skips its JIT warm-up, which would come before the trace.
pub const BUSY_WORKER_NAME: &str = "spanlens-parse-busy";

/// The name the UI gives a worker started on a backend's search page: such a worker warms up only
/// the search-answer parser (a few milliseconds), as the search's answer is what it will parse first.
pub const SEARCH_WORKER_NAME: &str = "spanlens-parse-search";
