//! Messages between the UI thread and the parsing worker.
//!
//! Messages are typed ([`ToWorker`], [`FromWorker`]) and travel postcard-encoded in an envelope
//! ([`js`]); the parsed result travels as postcard-encoded `ArrayBuffer`s that are *transferred*,
//! not copied, so a million-span model never becomes a JS object graph.

use serde::{Deserialize, Serialize};
use spanlens_model::ImportError;
use spanlens_model::TraceSet;

pub mod js;
pub mod messages;
mod search;
mod source;

pub use messages::{ChunkPart, FromWorker, InputMeta, ToWorker};
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

/// Encodes `result` as a head and span parts, so that the UI thread can decode a large result
/// across several short tasks instead of freezing for one long one (a second at a million spans).
/// The head is the result with every trace's spans taken out; the parts carry the spans in trace
/// order, [`SPANS_PER_PART`] at a time.
pub fn encode_parts(result: LoadResult) -> Result<Vec<Vec<u8>>, String> {
    let mut parts = Vec::new();
    encode_parts_with(result, |part| parts.push(part))?;
    Ok(parts)
}

/// [`encode_parts`], handing each part to `emit` as soon as it is encoded: the worker posts it at
/// once, so the UI thread decodes the first parts while the worker still encodes the last ones
/// (at a million spans the encoding takes the worker about 0.3 s).
pub fn encode_parts_with(mut result: LoadResult, mut emit: impl FnMut(Vec<u8>)) -> Result<(), String> {
    let spans: Vec<Vec<spanlens_model::Span>> =
        result.set.traces.iter_mut().map(|t| std::mem::take(&mut t.spans)).collect();
    emit(encode(&result)?);
    drop(result);
    let encode_spans = |part: &[spanlens_model::Span]| {
        postcard::to_allocvec(part).map_err(|e| format!("could not encode the spans: {e}"))
    };
    let mut part: Vec<spanlens_model::Span> = Vec::with_capacity(SPANS_PER_PART);
    for span in spans.into_iter().flatten() {
        part.push(span);
        if part.len() == SPANS_PER_PART {
            emit(encode_spans(&part)?);
            part.clear();
        }
    }
    if !part.is_empty() {
        emit(encode_spans(&part)?);
    }
    Ok(())
}

/// Reassembles what [`encode_parts`] produced, one part at a time.
pub struct Assembly {
    result: LoadResult,
    /// The trace the next spans belong to.
    trace: usize,
}

impl Assembly {
    pub fn start(head: &[u8]) -> Result<Assembly, String> {
        let result = decode(head)?;
        let mut assembly = Assembly { result, trace: 0 };
        assembly.skip_full_traces();
        Ok(assembly)
    }

    /// Adds the next part's spans.
    pub fn add(&mut self, part: &[u8]) -> Result<(), String> {
        let spans: Vec<spanlens_model::Span> =
            postcard::from_bytes(part).map_err(|e| format!("could not decode the parsed spans: {e}"))?;
        let mut spans = spans.into_iter();
        while let Some(trace) = self.result.set.traces.get_mut(self.trace) {
            let wanted = trace.tree.len().saturating_sub(trace.spans.len());
            trace.spans.extend(spans.by_ref().take(wanted));
            if trace.spans.len() < trace.tree.len() {
                break;
            }
            self.trace += 1;
        }
        if spans.next().is_some() {
            return Err("the parsing worker sent more spans than its traces hold".to_owned());
        }
        self.skip_full_traces();
        Ok(())
    }

    fn skip_full_traces(&mut self) {
        while self.result.set.traces.get(self.trace).is_some_and(|t| t.spans.len() >= t.tree.len()) {
            self.trace += 1;
        }
    }

    /// The whole result, once every part has been added.
    pub fn finish(self) -> Result<LoadResult, String> {
        if self.trace < self.result.set.traces.len() {
            return Err("the parsing worker's result is missing spans".to_owned());
        }
        Ok(self.result)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use spanlens_synth::{SynthOptions, generate};

    fn result(spans: usize, traces: usize) -> LoadResult {
        let set = generate(&SynthOptions { spans, traces, seed: 5, deep_chain: false });
        LoadResult {
            source: TraceSource::Url { url: "u".to_owned() },
            set,
            errors: Vec::new(),
            bytes_total: 1,
            read_millis: 2.0,
            busy_millis: 1.0,
            parse_millis: 3.0,
        }
    }

    #[test]
    fn parts_reassemble_to_the_same_result() {
        for (spans, traces) in [(0, 1), (10, 1), (SPANS_PER_PART * 2 + 17, 3), (SPANS_PER_PART, 1), (5000, 40)] {
            let original = result(spans, traces);
            let expected = original.set.clone();
            let parts = encode_parts(original).unwrap();
            let mut assembly = Assembly::start(&parts[0]).unwrap();
            for part in &parts[1..] {
                assembly.add(part).unwrap();
            }
            let got = assembly.finish().unwrap();
            assert!(got.set == expected, "{spans} spans in {traces} traces");
            assert_eq!(got.parse_millis, 3.0);
            assert_eq!(got.source, TraceSource::Url { url: "u".to_owned() });
        }
    }

    #[test]
    fn parts_decode_as_they_are_emitted() {
        let original = result(SPANS_PER_PART * 3 + 1, 2);
        let expected = original.set.clone();
        let mut assembly: Option<Assembly> = None;
        let mut emitted = 0;
        encode_parts_with(original, |part| {
            emitted += 1;
            match assembly.as_mut() {
                None => assembly = Some(Assembly::start(&part).unwrap()),
                Some(a) => a.add(&part).unwrap(),
            }
        })
        .unwrap();
        assert_eq!(emitted, 5, "the head and four span parts");
        assert!(assembly.unwrap().finish().unwrap().set == expected);
    }

    #[test]
    fn missing_or_extra_parts_are_errors_not_panics() {
        let parts = encode_parts(result(SPANS_PER_PART + 5, 2)).unwrap();
        let mut short = Assembly::start(&parts[0]).unwrap();
        short.add(&parts[1]).unwrap();
        assert!(short.finish().is_err());
        let mut long = Assembly::start(&parts[0]).unwrap();
        for part in &parts[1..] {
            long.add(part).unwrap();
        }
        assert!(long.add(&parts[1]).is_err());
        assert!(Assembly::start(b"\xff\xff").is_err());
    }
}
