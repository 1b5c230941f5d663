//! One search against a backend: the request from the form, the answer fetched by this page and
//! parsed in the worker into trace summaries, and the result rows built from those.
//!
//! A Jaeger search answer holds whole traces: 1,500 of them are 20 MB of JSON, whose parse held the
//! UI thread for half a second. Now the browser assembles the body off this thread
//! (`Response.arrayBuffer()`), the buffer is transferred to the worker (not copied), and a few
//! hundred kilobytes of summaries come back.
//!
//! The body is fetched here rather than in the worker so that the request stays the page's own
//! (`api::fetch_bytes`: the same timeout, cancellation, CORS and error messages as every other
//! request, and visible in the page's resource timing).

use crate::api::{self, Abort, ApiError, FetchOptions};
use crate::state::backend_form::BackendForm;
use crate::state::loader::{Loader, PendingSearch, SearchOutcome};
use crate::state::trace_rows::TraceTableRow;
use crate::timing;
use js_sys::ArrayBuffer;
use spanlens_analysis::overview::TraceRow;
use spanlens_backends::{Backend, BackendKind, SearchResults, TraceSummary, search_failure};

/// User Timing marks of a search's phases, read by the benchmark (`tests/bench/run.mjs search1500`):
/// the body handed to the worker, the summaries back on this thread, the rows built.
pub const BODY_SENT: &str = "spanlens:search:body";
pub const ANSWERED: &str = "spanlens:search:answered";
pub const ROWS_BUILT: &str = "spanlens:search:rows";
/// A measure: the worker's parse of the body, from the moment the worker had its last byte.
pub const WORKER_PARSE: &str = "spanlens:search:worker-parse";

/// Runs one search. api_v3 asks for summaries first (full traces in a search answer can be 100 MB)
/// and falls back to the traces endpoint on a server that has no summaries. Without a `loader` (no
/// worker could be started) the search fails with a message saying so: the parser lives in the
/// worker only, as the trace importers do, which keeps it out of the UI's download.
pub async fn run(
    backend: &Backend,
    form: &BackendForm,
    abort: Abort,
    loader: Option<Loader>,
) -> Result<SearchResults, String> {
    let now_nanos = (js_sys::Date::now() * 1e6) as i64;
    let request = form.to_request(backend.kind, now_nanos).map_err(|e| e.to_string())?;
    let options = || FetchOptions { abort: abort.clone(), ..FetchOptions::default() };
    let loader = loader.as_ref();
    if backend.kind == BackendKind::JaegerV3 {
        let summaries = backend.trace_summaries_url(&request).map_err(|e| e.to_string())?;
        match api::fetch_bytes(&summaries, options()).await {
            Err(ApiError::Status { status: 404, ref body, .. }) if body.trim().is_empty() => {}
            other => return answer(backend.kind, other, &abort, loader).await,
        }
    }
    let url = backend.search_url(&request).map_err(|e| e.to_string())?;
    answer(backend.kind, api::fetch_bytes(&url, options()).await, &abort, loader).await
}

async fn answer(
    kind: BackendKind,
    fetched: Result<ArrayBuffer, ApiError>,
    abort: &Abort,
    loader: Option<&Loader>,
) -> Result<SearchResults, String> {
    match fetched {
        Ok(body) => {
            timing::mark(BODY_SENT);
            match loader.and_then(|l| l.search(kind, body)) {
                Some(pending) => parse_in_worker(pending, abort).await,
                None => Err(NO_WORKER.to_owned()),
            }
        }
        // An error status's body is short (the fetch keeps at most 64 KB): the backend's own message
        // is read from it here.
        Err(ApiError::Status { status, body, .. }) => {
            search_failure(kind, status, body.as_bytes()).map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Waits for the worker's summaries. A newer search fires `abort`, which ends the wait at once (the
/// worker's late answer is dropped).
async fn parse_in_worker(pending: PendingSearch, abort: &Abort) -> Result<SearchResults, String> {
    let _hook = abort.on_abort(pending.canceller());
    match pending.answer().await {
        SearchOutcome::Found(answer) => {
            record_span(WORKER_PARSE, answer.body_in_epoch_millis, answer.parse_millis);
            timing::mark(ANSWERED);
            Ok(answer.results)
        }
        SearchOutcome::Failed(message) => Err(message),
        SearchOutcome::Cancelled => Err(CANCELLED.to_owned()),
    }
}

/// Records the worker's parse as a measure on this page's timeline: the worker's clock for it is the
/// epoch clock, which both threads share, while marks are relative to this page's time origin.
fn record_span(name: &str, start_epoch_millis: f64, duration_millis: f64) {
    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::{JsCast as _, JsValue};
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else { return };
    let start = start_epoch_millis - performance.time_origin();
    // web-sys has no binding for the options form of `measure`, so it is called through Reflect.
    let options = Object::new();
    Reflect::set(&options, &"start".into(), &JsValue::from_f64(start)).ok();
    Reflect::set(&options, &"duration".into(), &JsValue::from_f64(duration_millis)).ok();
    if let Some(measure) =
        Reflect::get(&performance, &"measure".into()).ok().and_then(|f| f.dyn_into::<Function>().ok())
    {
        measure.call2(&performance, &JsValue::from_str(name), &options).ok();
    }
}

const NO_WORKER: &str = "the search answer could not be read: this browser did not start the parsing worker (are web workers blocked here?)";

/// Shown nowhere in practice: a cancelled search was replaced, and only the newest one's outcome is
/// shown.
const CANCELLED: &str = "the search was cancelled";

/// Result rows, newest first, each opening its trace from this backend.
pub fn rows(backend: &Backend, traces: Vec<TraceSummary>) -> Vec<TraceTableRow> {
    let link = js_sys::encode_uri_component(&backend.name);
    // Tempo lists a trace before its root span arrives; elsewhere a root without a service is odd data.
    let no_root = if backend.kind == BackendKind::Tempo { "(root not received yet)" } else { "(no service)" };
    let mut rows: Vec<TraceTableRow> = traces
        .into_iter()
        .map(|t| TraceTableRow {
            key: t.trace_id_hex.clone(),
            href: format!("/trace/{}?backend={link}", t.trace_id_hex),
            summary: TraceRow {
                trace_id_hex: t.trace_id_hex,
                root_service: t.root_service.unwrap_or_else(|| no_root.to_owned()),
                root_name: t.root_name.unwrap_or_default(),
                start_nanos: t.start_nanos,
                duration_nanos: t.duration_nanos,
                span_count: t.span_count.unwrap_or(0),
                error_count: t.error_count.unwrap_or(0),
                service_count: t.services.len(),
                incomplete_count: 0,
            },
            source: backend.name.clone(),
            matched: t.matched_spans.map(|m| m as usize),
            other_copies: 0,
        })
        .collect();
    crate::state::trace_rows::sort_rows(&mut rows);
    timing::mark(ROWS_BUILT);
    rows
}
