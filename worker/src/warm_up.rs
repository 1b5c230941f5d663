//! JIT warm-up for a fresh worker: the trace import (`run`), the search-answer parser (`search`),
//! and, for a worker started for a trace link, the path of the link's answer (`link`).
//!
//! V8 first runs a new wasm instance in its baseline compiler and optimizes a function only after it
//! has been hot for a while, and a call that is already running never switches to the optimized
//! code. A cold worker therefore parses a whole large file in baseline code. Parsing a small
//! synthetic trace while the worker is idle moves the hot paths (JSON reading, building, `finish`,
//! encoding) to optimized code before the user's file arrives. At 100k spans this measured about
//! 40% off the import and three quarters off `finish` (see BENCHMARKS.md).

use crate::request;
use js_sys::Uint8Array;
use spanlens_backends::{BackendKind, search_from_response};
use spanlens_formats::export::{self, ExportFormat};
use spanlens_formats::import::import_bytes;
use spanlens_model::TraceSetBuilder;
use spanlens_protocol::{self as protocol, LoadResult, TraceSource};
use spanlens_synth::{SynthOptions, generate};

/// Large enough for V8 to tier up the import loops, small enough to take a fraction of a second in
/// baseline code.
const WARM_UP_SPANS: usize = 6_000;

/// Runs one synthetic load end to end and returns its encoded result, which the UI thread decodes to
/// warm up its own half (decoding and laying out the rows).
pub fn run() -> Option<Vec<u8>> {
    let set = generate(&SynthOptions { spans: WARM_UP_SPANS, traces: 1, seed: 1, deep_chain: false });
    let bytes = export::to_vec(&set, ExportFormat::OtlpJson);
    drop(set);
    let mut builder = TraceSetBuilder::new();
    import_bytes(&bytes, "warm-up.json", &mut builder).ok()?;
    let source = TraceSource::Files { names: vec!["warm-up.json".to_owned()] };
    let result = LoadResult { bytes_total: bytes.len() as u64, ..LoadResult::new(source, builder.finish()) };
    protocol::encode(&result).ok()
}

/// Traces and spans of the synthetic search answer: enough calls of the per-span parsing functions
/// for V8 to queue them for optimization, little enough to take a few milliseconds in baseline code.
const WARM_UP_SEARCH_TRACES: usize = 60;
const WARM_UP_SEARCH_SPANS: usize = 1_200;

/// Parses a small synthetic Jaeger search answer (`{"data":[traces]}`, as the query API sends it),
/// so a search page's first real answer (20 MB for Jaeger UI's largest page) runs in optimized code.
/// The other kinds share most of the JSON reading with it.
pub fn search() {
    let set = generate(&SynthOptions {
        spans: WARM_UP_SEARCH_SPANS,
        traces: WARM_UP_SEARCH_TRACES,
        seed: 2,
        deep_chain: false,
    });
    let body = export::to_vec(&set, ExportFormat::JaegerJson);
    drop(set);
    std::hint::black_box(search_from_response(BackendKind::Jaeger, 200, &body).ok());
}

/// A Jaeger query API answer and an OTLP JSON trace (the shape of Jaeger's api_v3 and Tempo's
/// answers) of five spans each, from `spanlens gen --spans 5 --seed 3`, with a bool and a float tag,
/// a log and an array attribute added.
const LINK_BODIES: [(&str, &[u8]); 2] = [
    ("warm-up-jaeger.json", include_bytes!("../samples/warm-up-jaeger.json")),
    ("warm-up-otlp.json", include_bytes!("../samples/warm-up-otlp.json")),
];

/// For a worker started for a trace link, while it waits for the answer's first bytes: each sample
/// answer once through what the answer will run through (detection, the streaming reader, `finish`,
/// the encoding), so that its functions are compiled by then. V8 compiles a wasm function on its
/// first call; a cold worker did that on the answer's first piece (~25 ms of a 1k-span link's parse).
/// One pass over a few spans is too little for V8 to optimize anything: a loop of them, tried
/// before, had it optimize the parser while the app started, on a two-core machine.
pub fn link() {
    for (name, body) in LINK_BODIES {
        let mut builder = TraceSetBuilder::new();
        let mut import = request::begin(name, body.len() as u64, true, &mut builder);
        request::push(&mut import, &Uint8Array::from(body));
        let summary = request::finish(import);
        let set = request::finish_set(builder);
        let source = TraceSource::Url { url: name.to_owned() };
        let result = LoadResult { bytes_total: body.len() as u64, ..LoadResult::new(source, set) };
        let encoded = request::encode(result, &mut |part| drop(std::hint::black_box(part)));
        std::hint::black_box((summary.is_ok(), encoded.is_ok()));
    }
}
