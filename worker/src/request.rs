//! One load request: every file imported as its chunks arrive, then the model encoded and sent.

use crate::inbox::Inbox;
use crate::post;
use js_sys::{ArrayBuffer, Uint8Array};
use spanlens_formats::import::{ImportError, StreamingImport};
use spanlens_model::TraceSetBuilder;
use spanlens_protocol::{self as protocol, ChunkPart, FromWorker, InputMeta, LoadResult, TraceSource};
use web_sys::DedicatedWorkerGlobalScope;

/// A `Load` message with the buffers of its inline inputs, in order.
pub struct Request {
    pub id: u32,
    pub source: TraceSource,
    pub inputs: Vec<InputMeta>,
    pub buffers: Vec<ArrayBuffer>,
}

/// The worker's own `performance` (a worker's clock has its own origin).
fn performance() -> Option<web_sys::Performance> {
    use wasm_bindgen::JsCast as _;
    js_sys::global().dyn_into::<web_sys::WorkerGlobalScope>().ok()?.performance()
}

/// The worker's creation (its clock's origin) and now, in milliseconds since the epoch.
pub fn epoch_millis() -> (f64, f64) {
    match performance() {
        Some(p) => (p.time_origin(), p.time_origin() + p.now()),
        None => (js_sys::Date::now(), js_sys::Date::now()),
    }
}

/// The worker's high-resolution clock (`Date.now()` has whole milliseconds, as long as a chunk's parse).
fn now_millis() -> f64 {
    performance().map_or_else(js_sys::Date::now, |p| p.now())
}

/// Imports every input of a request. `read_millis` is the time until a file's last byte was in;
/// `parse_millis` is the parsing left after that (most of it overlaps the read), plus `finish`.
pub async fn handle(scope: &DedicatedWorkerGlobalScope, request: Request, inbox: &Inbox) {
    let Request { id, source, inputs, buffers } = request;
    let mut buffers = buffers.into_iter();
    let bytes_total: u64 = inputs.iter().map(|i| i.size).sum();
    reserve_heap(bytes_total);
    let mut builder = TraceSetBuilder::new();
    let mut errors = Vec::new();
    let mut bytes_done = 0u64;
    let (mut read_millis, mut busy_millis, mut parse_millis) = (0.0, 0.0, 0.0);
    let mut reported = 0u64;
    // A fetched body (a `?url=` link, a backend's answer) is parsed piece by piece and not kept: its
    // trace array streams whatever envelope the backend wraps it in. Files keep every byte, so any
    // doubt ends in the exact whole-file import.
    let response = matches!(source, TraceSource::Url { .. } | TraceSource::Backend { .. });

    for input in inputs {
        let t0 = now_millis();
        let name = input.name;
        let mut import = begin(&name, input.size, response, &mut builder);
        let import = if input.inline {
            match buffers.next() {
                Some(buffer) => {
                    push(&mut import, &Uint8Array::new(&buffer));
                    Some(import)
                }
                None => {
                    import.abandon();
                    errors.push(ImportError::unreadable(&name, "its bytes never arrived"));
                    None
                }
            }
        } else {
            loop {
                let Some((part, buffer)) = inbox.next().await else { return };
                match (part, buffer) {
                    (ChunkPart::Data, Some(buffer)) => {
                        let pushed = now_millis();
                        push(&mut import, &Uint8Array::new(&buffer));
                        busy_millis += now_millis() - pushed;
                        // A fetched body comes in 64 KiB pieces: a message per piece would keep the
                        // UI thread busy redrawing the bar, so it hears of every mebibyte.
                        let done = bytes_done + import.len() as u64;
                        if done >= reported + PROGRESS_STEP_BYTES {
                            reported = done;
                            progress(scope, id, done, bytes_total, &name);
                        }
                    }
                    (ChunkPart::Failed(reason), _) => {
                        import.abandon();
                        errors.push(ImportError::unreadable(&name, reason));
                        break None;
                    }
                    (ChunkPart::End, _) => break Some(import),
                    // A data chunk that lost its buffer: the file cannot be complete.
                    (ChunkPart::Data, None) => {
                        import.abandon();
                        errors.push(ImportError::unreadable(&name, "a slice of it was lost"));
                        break None;
                    }
                }
            }
        };
        bytes_done += input.size;
        progress(scope, id, bytes_done, bytes_total, &name);
        let t1 = now_millis();
        read_millis += t1 - t0;
        if let Some(Err(e)) = import.map(finish) {
            errors.push(e);
        }
        parse_millis += now_millis() - t1;
    }

    let t2 = now_millis();
    let set = finish_set(builder);
    parse_millis += now_millis() - t2;
    // `analysed` stays empty: the encoding computes the large traces' analyses itself and sends
    // them after the spans.
    let analysed = Vec::new();
    let result = LoadResult { source, set, errors, bytes_total, read_millis, busy_millis, parse_millis, analysed };
    send(scope, id, result);
}

// The functions below are kept out of `handle`, whose future is polled once per 64 KiB piece: V8
// optimizes a wasm function once it has run long enough, whole, on a background thread, and polling
// that future a thousand times made it a 47 kB function (everything here inlined into it) whose
// optimization took ~150 ms of a two-core machine's CPU in every cold link, ahead of the parser's
// own hot functions in the queue (BENCHMARKS.md, "what V8 optimizes").

#[inline(never)]
pub(crate) fn begin<'b>(
    name: &str,
    size: u64,
    response: bool,
    builder: &'b mut TraceSetBuilder,
) -> StreamingImport<'b> {
    if response {
        StreamingImport::for_response(name, (size > 0).then_some(size), builder)
    } else {
        StreamingImport::new(name, usize::try_from(size).unwrap_or(0), builder)
    }
}

#[inline(never)]
pub(crate) fn push(import: &mut StreamingImport<'_>, bytes: &Uint8Array) {
    import.push_with(bytes.length() as usize, |dst| bytes.copy_to(dst));
}

#[inline(never)]
pub(crate) fn finish(import: StreamingImport<'_>) -> Result<spanlens_formats::import::ImportSummary, ImportError> {
    import.finish()
}

#[inline(never)]
pub(crate) fn finish_set(builder: TraceSetBuilder) -> spanlens_model::TraceSet {
    builder.finish()
}

/// Encodes and posts the result.
#[inline(never)]
fn send(scope: &DedicatedWorkerGlobalScope, id: u32, result: LoadResult) {
    // A large result's parts are posted as they are encoded, so the UI thread decodes while this
    // thread encodes and analyses (at a million spans, 0.35 s natively). A small one goes in one message: each
    // message is a task of the UI thread's, which at a cold link's start has other work queued.
    let mut held: Vec<ArrayBuffer> = Vec::new();
    let mut held_bytes = 0;
    let mut streaming = false;
    let encoded = encode(result, &mut |part| {
        held_bytes += part.len();
        held.push(Uint8Array::from(part.as_slice()).buffer());
        drop(part);
        streaming |= held_bytes >= STREAM_AFTER_BYTES;
        if streaming {
            post(scope, &FromWorker::Parts { id }, &std::mem::take(&mut held));
        }
    });
    match encoded {
        Ok(()) => post(scope, &FromWorker::Done { id }, &held),
        Err(error) => post(scope, &FromWorker::Failed { id, error }, &[]),
    }
}

/// The encoding of a result into parts, each handed to `emit`. One instance, behind `dyn`, for
/// [`send`] and the link warm-up (`crate::warm_up::link`), so that the warm-up compiles the very
/// functions a request runs.
#[inline(never)]
pub(crate) fn encode(result: LoadResult, emit: &mut dyn FnMut(Vec<u8>)) -> Result<(), String> {
    protocol::encode_parts_with(result, emit)
}

/// A result whose parts add up to this many bytes is posted part by part from there on: past ~29,000
/// spans (about 86 bytes a span), whose encoding takes ~10 ms.
const STREAM_AFTER_BYTES: usize = 2_500_000;

/// Grows the wasm heap once, before a parse, to about what its model will take, and hands it back
/// to the allocator, which then carves the model out of it instead of growing the heap a page run
/// at a time while it builds. In V8 outside the browser (Node 20, the same module) a 62 MiB Jaeger
/// answer, whose model takes 87 MiB, parsed in 1.17 s on a fresh heap and in 0.50 s on a reserved
/// one. Chromium grows heaps far more cheaply: there the gain is about a tenth of the worker's
/// parse time (BENCHMARKS.md). Memory is never returned from a wasm heap anyway, and reserved pages
/// that are never touched cost no RAM. A reservation the browser refuses is skipped.
#[inline(never)]
fn reserve_heap(bytes_total: u64) {
    if let Some(bytes) = heap_reserve_bytes(bytes_total) {
        let mut reserve: Vec<u8> = Vec::new();
        // `try_`: a refusal is an error value here, not an allocation-failure abort.
        if reserve.try_reserve_exact(bytes).is_ok() {
            drop(reserve);
        }
    }
}

/// How much to reserve for a body of `bytes_total` bytes: half again its size (a Jaeger model takes
/// 1.4 times its JSON, an OTLP one less), nothing for small bodies, at most a third of the 4 GiB a
/// 32-bit heap can have.
fn heap_reserve_bytes(bytes_total: u64) -> Option<usize> {
    let wanted = bytes_total.saturating_mul(3) / 2;
    (wanted >= MIN_RESERVE_BYTES).then(|| usize::try_from(wanted.min(MAX_RESERVE_BYTES)).ok()).flatten()
}

/// Below this the heap's own growth is cheap enough.
const MIN_RESERVE_BYTES: u64 = 4 << 20;
const MAX_RESERVE_BYTES: u64 = 1536 << 20;

/// How far a load moves between two progress messages.
const PROGRESS_STEP_BYTES: u64 = 1 << 20;

#[inline(never)]
fn progress(scope: &DedicatedWorkerGlobalScope, id: u32, bytes_done: u64, bytes_total: u64, file: &str) {
    post(scope, &FromWorker::Progress { id, file: file.to_owned(), bytes_done, bytes_total }, &[]);
}

#[cfg(test)]
mod tests {
    use super::heap_reserve_bytes;

    #[test]
    fn the_heap_reservation_follows_the_body_within_bounds() {
        assert_eq!(heap_reserve_bytes(0), None);
        assert_eq!(heap_reserve_bytes(600_000), None, "a 1,000-span answer grows its own heap");
        assert_eq!(heap_reserve_bytes(65_465_591), Some(98_198_386));
        assert_eq!(heap_reserve_bytes(655_068_591), Some(982_602_886));
        assert_eq!(heap_reserve_bytes(u64::MAX), Some(1536 << 20));
    }
}
