//! The parsing Web Worker: imports files with the pure-Rust importers while the UI thread is still
//! reading them (`StreamingImport`), and sends the model back as transferred `ArrayBuffer`s. It also
//! parses backends' search answers into trace summaries (`search`).
//!
//! Parsing here keeps the page responsive while a 100 MB file loads, and the progress messages
//! drive the progress bar. See `spanlens_protocol` for the messages.

use inbox::Inbox;
use js_sys::{ArrayBuffer, Uint8Array};
use spanlens_protocol::{FromWorker, ToWorker, js};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

mod inbox;
mod request;
mod search;
mod warm_up;

/// The requests in flight, by id. Loads run side by side (a file dropped while a URL is parsing
/// does not stop it), each fed by its own inbox.
type Requests = Rc<RefCell<HashMap<u32, Rc<Inbox>>>>;

fn main() {
    console_error_panic_hook::set_once();
    let (created_epoch_millis, main_epoch_millis) = request::epoch_millis();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler_scope = scope.clone();
    let requests: Requests = Rc::default();
    let idle_requests = Rc::clone(&requests);
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let (message, mut buffers) = match js::unwrap::<ToWorker>(&event.data()) {
            Ok(m) => m,
            Err(e) => {
                web_sys::console::error_1(&JsValue::from_str(&format!("spanlens worker: {e}")));
                return;
            }
        };
        match message {
            ToWorker::Chunk { id, part, .. } => {
                if let Some(inbox) = requests.borrow().get(&id) {
                    inbox.deliver((part, buffers.pop()));
                }
            }
            ToWorker::Cancel { id } => {
                if let Some(inbox) = requests.borrow_mut().remove(&id) {
                    inbox.close();
                }
            }
            ToWorker::Load { id, source, inputs } => {
                let inbox = Rc::new(Inbox::default());
                requests.borrow_mut().insert(id, Rc::clone(&inbox));
                let (scope, requests) = (handler_scope.clone(), Rc::clone(&requests));
                wasm_bindgen_futures::spawn_local(async move {
                    request::handle(&scope, request::Request { id, source, inputs, buffers }, &inbox).await;
                    requests.borrow_mut().remove(&id);
                });
            }
            ToWorker::Search { id, kind } => search::handle(&handler_scope, id, kind, buffers.pop()),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page; the handler must outlive this function.
    on_message.forget();
    // Messages posted before the handler existed were kept by the loader (worker_loader.js) and come
    // once `main` has returned. `ready` carries the warm-up result and this worker's start-up times.
    // The warm-up runs first: a request arriving meanwhile would have to wait for it anyway.
    // A worker started for a trace link has that trace on its way: warming up first would delay it.
    let name = scope.name();
    let busy = name == spanlens_protocol::BUSY_WORKER_NAME;
    // The search parser's warm-up is short enough to run before a search page's first answer.
    if !busy {
        warm_up::search();
    }
    let search_page = name == spanlens_protocol::SEARCH_WORKER_NAME;
    match (!busy && !search_page).then(warm_up::run).flatten() {
        Some(encoded) => {
            let buffer = Uint8Array::from(encoded.as_slice()).buffer();
            post(&scope, &FromWorker::Ready { warm_up: true, created_epoch_millis, main_epoch_millis }, &[buffer]);
        }
        None => post(&scope, &FromWorker::Ready { warm_up: false, created_epoch_millis, main_epoch_millis }, &[]),
    }
    // A worker started for a trace link compiles the answer's path while the answer is still on its
    // way, a task from now: the loader has handed over the messages kept so far by then, and if the
    // answer's bytes are among them the warm-up is skipped rather than put before them.
    if busy {
        let warm = Closure::once_into_js(move || {
            if idle_requests.borrow().values().all(|inbox| inbox.waiting()) {
                warm_up::link();
            }
        });
        if scope.set_timeout_with_callback_and_timeout_and_arguments_0(warm.unchecked_ref(), 0).is_err() {
            web_sys::console::error_1(&JsValue::from_str("spanlens worker: could not schedule the link warm-up"));
        }
    }
}

/// Posts `message`, transferring `buffers`.
fn post(scope: &DedicatedWorkerGlobalScope, message: &FromWorker, buffers: &[ArrayBuffer]) {
    let result = js::wrap(message, buffers).and_then(|envelope| {
        scope
            .post_message_with_transfer(&envelope.value, &envelope.transfer)
            .map_err(|e| format!("postMessage failed: {e:?}"))
    });
    if let Err(e) = result {
        web_sys::console::error_1(&JsValue::from_str(&format!("spanlens worker: {e}")));
    }
}
