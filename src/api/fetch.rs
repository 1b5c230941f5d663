//! GET a URL's bytes with a timeout and cancellation.

use crate::api::abort::AbortHook;
use crate::api::error::excerpt;
use crate::api::{Abort, ApiError, is_allowed_url, redact};
use gloo_net::http::Request;
use js_sys::ArrayBuffer;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub struct FetchOptions {
    /// How long to wait for the answer's headers. The body of a large trace may then take as long as
    /// it takes: the progress bar shows it, and the user can cancel.
    pub timeout_secs: u32,
    /// Fired by the caller to cancel (a closed source, a cleared catalog).
    pub abort: Abort,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions { timeout_secs: 60, abort: Abort::new() }
    }
}

/// Arms a timer that aborts the request; disarmed when dropped.
struct Deadline {
    handle: Option<i32>,
    _closure: Closure<dyn FnMut()>,
}

impl Deadline {
    fn start(secs: u32, abort: Abort, fired: Rc<Cell<bool>>) -> Deadline {
        let closure = Closure::<dyn FnMut()>::new(move || {
            fired.set(true);
            abort.abort();
        });
        let handle = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                closure.as_ref().unchecked_ref(),
                i32::try_from(secs.saturating_mul(1000)).unwrap_or(i32::MAX),
            )
            .ok()
        });
        Deadline { handle, _closure: closure }
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let (Some(window), Some(handle)) = (web_sys::window(), self.handle) {
            window.clear_timeout_with_handle(handle);
        }
    }
}

/// A response whose headers are in, and what keeps cancelling it while its body is read.
struct Sent {
    response: gloo_net::http::Response,
    /// For an answer `index.html` started early: forwards the caller's cancel (and the deadline) to
    /// that fetch's own controller. Must live as long as the body is read.
    _hook: Option<AbortHook>,
}

/// Sends a GET and returns the response once its headers are in and its status is a success.
async fn send(url: &str, options: &FetchOptions) -> Result<Sent, ApiError> {
    let shown = redact(url);
    if !is_allowed_url(url) {
        return Err(ApiError::NotAllowed { url: shown });
    }
    let timed_out = Rc::new(Cell::new(false));
    let deadline = Deadline::start(options.timeout_secs, options.abort.clone(), Rc::clone(&timed_out));
    let (response, hook) = match crate::api::early::take_fetch(url) {
        Some(early) => {
            let controller = early.controller.clone();
            let hook = options.abort.on_abort(move || controller.abort());
            let sent = adopt(early).await;
            drop(deadline);
            (sent.map_err(|e| failure(&shown, options, timed_out.get(), js_message(&e)))?, Some(hook))
        }
        None => {
            let sent = Request::get(url).abort_signal(options.abort.signal().as_ref()).send().await;
            drop(deadline);
            (sent.map_err(|e| failure(&shown, options, timed_out.get(), e.to_string()))?, None)
        }
    };
    if !response.ok() {
        let body = response.text().await.unwrap_or_default();
        let kept: String = body.chars().take(MAX_ERROR_BODY_CHARS).collect();
        return Err(ApiError::Status {
            url: shown,
            status: response.status(),
            status_text: response.status_text(),
            body_excerpt: excerpt(&kept, 200),
            body: kept,
        });
    }
    Ok(Sent { response, _hook: hook })
}

/// Waits for the fetch `index.html` started early (cancelled through its controller: see [`Sent`]).
async fn adopt(early: crate::api::early::EarlyFetch) -> Result<gloo_net::http::Response, JsValue> {
    let response = JsFuture::from(early.response).await?;
    let response: web_sys::Response = response.dyn_into()?;
    Ok(response.into())
}

/// How much of an error answer is kept for the backend's own message.
const MAX_ERROR_BODY_CHARS: usize = 64 * 1024;

fn failure(shown: &str, options: &FetchOptions, timed_out: bool, detail: String) -> ApiError {
    if timed_out {
        ApiError::Timeout { url: shown.to_owned(), after_secs: options.timeout_secs }
    } else if options.abort.is_aborted() {
        ApiError::Aborted { url: shown.to_owned() }
    } else {
        ApiError::Network { url: shown.to_owned(), detail }
    }
}

/// The bytes at `url` as an `ArrayBuffer` (kept out of wasm memory, so it can be transferred to the
/// parsing worker without a copy).
pub async fn fetch_bytes(url: &str, options: FetchOptions) -> Result<ArrayBuffer, ApiError> {
    let shown = redact(url);
    let sent = send(url, &options).await?;
    let expected = announced_length(&sent.response);
    let raw: web_sys::Response = sent.response.into();
    let promise = raw.array_buffer().map_err(|e| failure(&shown, &options, false, format!("{e:?}")))?;
    let body =
        JsFuture::from(promise).await.map_err(|e| broken_off(&shown, &options, None, expected, js_message(&e)))?;
    drop(sent._hook);
    body.dyn_into::<ArrayBuffer>()
        .map_err(|_| ApiError::Decode { url: shown.clone(), message: "the body is not binary data".to_owned() })
}

/// An answer whose headers are in, read chunk by chunk as its body arrives (a trace handed to the
/// parsing worker while the rest is still on the wire).
pub struct BodyStream {
    shown: String,
    options: FetchOptions,
    reader: Option<web_sys::ReadableStreamDefaultReader>,
    content_length: u64,
    received: u64,
    /// Cancels an early fetch's body as well (see [`Sent`]).
    _hook: Option<AbortHook>,
}

impl BodyStream {
    /// The `Content-Length` the server announced, or 0.
    pub fn content_length(&self) -> u64 {
        self.content_length
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The next piece of the body, `None` at its end. A cancelled or broken transfer is an error.
    pub async fn next_chunk(&mut self) -> Result<Option<js_sys::Uint8Array>, ApiError> {
        let Some(reader) = &self.reader else { return Ok(None) };
        loop {
            // The head came, so a failure now is the body breaking off (or the caller's cancel).
            let step = JsFuture::from(reader.read()).await.map_err(|e| {
                broken_off(&self.shown, &self.options, Some(self.received), self.content_length, js_message(&e))
            })?;
            let done =
                js_sys::Reflect::get(&step, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool()).unwrap_or(true);
            if done {
                self.reader = None;
                return Ok(None);
            }
            // A step without bytes (never seen, but allowed by the stream's type) is skipped.
            if let Ok(chunk) = js_sys::Reflect::get(&step, &JsValue::from_str("value"))
                .and_then(|v| v.dyn_into::<js_sys::Uint8Array>())
            {
                self.received += u64::from(chunk.length());
                return Ok(Some(chunk));
            }
        }
    }
}

/// Sends a GET and returns its body as a [`BodyStream`] once the headers are in and the status is a
/// success (an error status is read whole into [`ApiError::Status`]).
pub async fn fetch_stream(url: &str, options: FetchOptions) -> Result<BodyStream, ApiError> {
    let shown = redact(url);
    let Sent { response, _hook } = send(url, &options).await?;
    let content_length = announced_length(&response);
    let raw: web_sys::Response = response.into();
    let reader = match raw.body() {
        Some(body) => Some(body.get_reader().dyn_into::<web_sys::ReadableStreamDefaultReader>().map_err(|_| {
            ApiError::Decode { url: shown.clone(), message: "the body cannot be read as a stream".to_owned() }
        })?),
        None => None,
    };
    Ok(BodyStream { shown, options, reader, content_length, received: 0, _hook })
}

/// The text at `url` (small answers: configuration, service lists, search summaries).
pub async fn fetch_text(url: &str, options: FetchOptions) -> Result<String, ApiError> {
    let shown = redact(url);
    let sent = send(url, &options).await?;
    let expected = announced_length(&sent.response);
    sent.response.text().await.map_err(|e| broken_off(&shown, &options, None, expected, e.to_string()))
}

/// The `Content-Length` an answer announced, or 0.
fn announced_length(response: &gloo_net::http::Response) -> u64 {
    response.headers().get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// A body that failed after its head came: it broke off (or the caller cancelled). `received_bytes`
/// when it was read piece by piece.
fn broken_off(
    shown: &str,
    options: &FetchOptions,
    received_bytes: Option<u64>,
    expected_bytes: u64,
    detail: String,
) -> ApiError {
    if options.abort.is_aborted() {
        return ApiError::Aborted { url: shown.to_owned() };
    }
    ApiError::BrokenOff { url: shown.to_owned(), received_bytes, expected_bytes, detail }
}

fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
