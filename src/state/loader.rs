//! Client side of the parsing worker.
//!
//! Requests are queued until the worker says it is ready (messages posted before its wasm installs
//! `onmessage` would be lost). Several requests may be in flight at once (a drop while a URL is still
//! parsing); each result comes back with its request id and source. Messages are the typed
//! `spanlens_protocol::{ToWorker, FromWorker}` in their envelope.

use crate::state::file_reader::{Slice, read_slices};
use js_sys::{ArrayBuffer, Uint8Array};
use spanlens_protocol::{
    self as protocol, Assembly, ChunkPart, FromWorker, InputMeta, LoadResult, ToWorker, TraceSource, js,
};
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::{File, MessageEvent, Worker, WorkerOptions, WorkerType};

pub enum LoaderEvent {
    Progress {
        id: u32,
        file: String,
        bytes_done: u64,
        bytes_total: u64,
    },
    Done(u32, Box<LoadResult>),
    Failed(u32, String),
    /// The first worker's warm-up result (see `state::warm_up`); delivered once per page.
    WarmUp(Box<LoadResult>),
}

struct Inner {
    /// Terminated once no request is left in it, because a wasm instance's memory never shrinks and a
    /// worker kept alive would hold the peak of every parse; a fresh spare is started at once.
    worker: Option<Worker>,
    ready: bool,
    queue: Vec<(ToWorker, Vec<ArrayBuffer>)>,
    next_id: u32,
    /// Requests the worker is working on: sent, not finished, not cancelled.
    in_worker: HashSet<u32>,
    /// Results being decoded on this thread; a cancel removes the id and the result is dropped.
    decoding: HashSet<u32>,
    warmed_up: bool,
    /// The page was opened on a link that loads a trace at once: the first worker skips its warm-up
    /// (see `worker/src/warm_up.rs`), which would otherwise come before the trace. The trace arrives
    /// in pieces, and V8 optimizes the parsing functions between pieces anyway.
    busy_start: bool,
    on_event: Rc<dyn Fn(LoaderEvent)>,
    // Kept alive for as long as the worker may call it.
    _on_message: Option<Closure<dyn Fn(MessageEvent)>>,
    _retired_on_message: Option<Closure<dyn Fn(MessageEvent)>>,
}

#[derive(Clone)]
pub struct Loader {
    inner: Rc<RefCell<Inner>>,
}

impl Loader {
    pub fn new(on_event: impl Fn(LoaderEvent) + 'static) -> Loader {
        let on_event: Rc<dyn Fn(LoaderEvent)> = Rc::new(on_event);
        let inner = Rc::new(RefCell::new(Inner {
            worker: None,
            ready: false,
            queue: Vec::new(),
            next_id: 0,
            in_worker: HashSet::new(),
            decoding: HashSet::new(),
            warmed_up: false,
            busy_start: opened_on_a_trace_link(),
            on_event,
            _on_message: None,
            _retired_on_message: None,
        }));
        // A warm spare: compiling and starting the worker's wasm costs a few hundred milliseconds,
        // which would otherwise come on top of every load.
        start_worker(&inner);
        Loader { inner }
    }

    fn next_id(&self) -> u32 {
        let mut inner = self.inner.borrow_mut();
        inner.next_id += 1;
        let id = inner.next_id;
        inner.in_worker.insert(id);
        id
    }

    fn is_current(&self, id: u32) -> bool {
        self.inner.borrow().in_worker.contains(&id)
    }

    /// Parses user-chosen files (dropped or picked) in the worker and returns the request id. The
    /// files are read here and sent over in slices (see `file_reader`), so the worker parses while
    /// the rest is still being read.
    pub fn load_files(&self, source: TraceSource, files: Vec<File>) -> u32 {
        let id = self.next_id();
        let inputs = files.iter().map(|f| InputMeta { name: f.name(), size: f.size() as u64, inline: false }).collect();
        self.send(ToWorker::Load { id, source, inputs }, Vec::new());
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            for (index, file) in files.iter().enumerate() {
                let file_index = index as u32;
                let mut complete = true;
                let on_slice = |slice: Slice| match slice {
                    Slice::Data(buffer) => {
                        this.send(ToWorker::Chunk { id, file: file_index, part: ChunkPart::Data }, vec![buffer]);
                    }
                    Slice::Failed(reason) => {
                        complete = false;
                        this.send(
                            ToWorker::Chunk { id, file: file_index, part: ChunkPart::Failed(reason) },
                            Vec::new(),
                        );
                    }
                };
                read_slices(file, on_slice, || this.is_current(id)).await;
                if !this.is_current(id) {
                    return;
                }
                if complete {
                    this.send(ToWorker::Chunk { id, file: file_index, part: ChunkPart::End }, Vec::new());
                }
            }
        });
        id
    }

    /// Starts a request whose one input arrives in pieces (a fetched body still on the wire): the
    /// worker parses each piece as it comes, so parsing overlaps the transfer. `size_hint` is the
    /// announced length, or 0.
    pub fn load_stream(&self, source: TraceSource, name: &str, size_hint: u64) -> StreamSink {
        let id = self.next_id();
        let input = InputMeta { name: name.to_owned(), size: size_hint, inline: false };
        self.send(ToWorker::Load { id, source, inputs: vec![input] }, Vec::new());
        StreamSink { loader: self.clone(), id }
    }

    /// Stops request `id`: the worker drops it, and a result still arriving is not delivered.
    pub fn cancel(&self, id: u32) {
        let was_running = {
            let mut inner = self.inner.borrow_mut();
            inner.decoding.remove(&id);
            inner.in_worker.remove(&id)
        };
        if was_running {
            self.send(ToWorker::Cancel { id }, Vec::new());
            retire_if_idle(&self.inner);
        }
    }

    fn send(&self, message: ToWorker, buffers: Vec<ArrayBuffer>) {
        start_worker(&self.inner);
        let mut inner = self.inner.borrow_mut();
        if !inner.ready {
            inner.queue.push((message, buffers));
            return;
        }
        let Some(worker) = inner.worker.clone() else { return };
        let on_event = Rc::clone(&inner.on_event);
        drop(inner);
        post(&worker, &message, &buffers, &*on_event);
    }
}

/// The sending end of [`Loader::load_stream`].
pub struct StreamSink {
    loader: Loader,
    id: u32,
}

impl StreamSink {
    pub fn id(&self) -> u32 {
        self.id
    }

    /// False once the request was cancelled: the rest of the body is wanted by nobody.
    pub fn is_current(&self) -> bool {
        self.loader.is_current(self.id)
    }

    /// Sends the next piece. Its buffer is transferred when the piece spans all of it (as fetch's
    /// pieces do), otherwise the piece is copied out first.
    pub fn chunk(&self, piece: &Uint8Array) {
        let buffer = piece.buffer();
        let whole = piece.byte_offset() == 0 && piece.byte_length() == buffer.byte_length();
        let buffer = if whole { buffer } else { piece.slice(0, piece.length()).buffer() };
        self.loader.send(ToWorker::Chunk { id: self.id, file: 0, part: ChunkPart::Data }, vec![buffer]);
    }

    /// The body is complete.
    pub fn end(&self) {
        self.loader.send(ToWorker::Chunk { id: self.id, file: 0, part: ChunkPart::End }, Vec::new());
    }

    /// The body broke off; `reason` is shown to the user.
    pub fn fail(&self, reason: String) {
        self.loader.send(ToWorker::Chunk { id: self.id, file: 0, part: ChunkPart::Failed(reason) }, Vec::new());
    }
}

/// Whether the page's own URL loads a trace: `?url=`, `?backend=` or `/trace/<id>`.
fn opened_on_a_trace_link() -> bool {
    let Some(location) = web_sys::window().map(|w| w.location()) else { return false };
    let search = location.search().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    search.contains("url=") || search.contains("backend=") || path.contains("/trace/")
}

/// Starts the worker if none is running. Trunk writes `worker_loader.js`, a classic-worker shim (it
/// uses `importScripts`, so a module worker would fail).
fn start_worker(inner: &Rc<RefCell<Inner>>) {
    if inner.borrow().worker.is_some() {
        return;
    }
    let busy = std::mem::take(&mut inner.borrow_mut().busy_start);
    // A trace link's worker was started by index.html already; what it said meanwhile is replayed.
    let (started, backlog) = match busy.then(crate::state::early_worker::take).flatten() {
        Some((worker, backlog)) => (Ok(worker), backlog),
        None => {
            let options = WorkerOptions::new();
            options.set_type(WorkerType::Classic);
            if busy {
                options.set_name(protocol::BUSY_WORKER_NAME);
            }
            (Worker::new_with_options("./worker_loader.js", &options), Vec::new())
        }
    };
    match started {
        Ok(worker) => {
            let weak = Rc::downgrade(inner);
            let closure = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(inner) = weak.upgrade() {
                    handle_message(&inner, &event.data());
                }
            });
            worker.set_onmessage(Some(closure.as_ref().unchecked_ref()));
            let mut guard = inner.borrow_mut();
            guard.worker = Some(worker);
            guard.ready = false;
            // The previous worker's handler may be the caller (a spare is started from inside it), so
            // it is parked rather than dropped; the one parked before it has long finished.
            guard._retired_on_message = guard._on_message.replace(closure);
            drop(guard);
            for message in backlog {
                handle_message(inner, &message);
            }
        }
        Err(e) => {
            let on_event = Rc::clone(&inner.borrow().on_event);
            on_event(LoaderEvent::Failed(
                0,
                format!("could not start the parsing worker: {}", e.as_string().unwrap_or_else(|| format!("{e:?}"))),
            ));
        }
    }
}

/// Terminates the worker once nothing is left in it and starts a fresh spare, so the memory of the
/// last parse is given back.
fn retire_if_idle(inner: &Rc<RefCell<Inner>>) {
    let retired = {
        let mut guard = inner.borrow_mut();
        if guard.ready && guard.queue.is_empty() && guard.in_worker.is_empty() { guard.worker.take() } else { None }
    };
    if let Some(worker) = retired {
        worker.terminate();
        start_worker(inner);
    }
}

fn post(worker: &Worker, message: &ToWorker, buffers: &[ArrayBuffer], on_event: &dyn Fn(LoaderEvent)) {
    let sent = js::wrap(message, buffers).and_then(|envelope| {
        worker
            .post_message_with_transfer(&envelope.value, &envelope.transfer)
            .map_err(|_| "could not send the files to the parsing worker".to_owned())
    });
    if let Err(e) = sent {
        let id = match message {
            ToWorker::Load { id, .. } | ToWorker::Chunk { id, .. } | ToWorker::Cancel { id } => *id,
        };
        on_event(LoaderEvent::Failed(id, e));
    }
}

fn handle_message(inner: &Rc<RefCell<Inner>>, data: &JsValue) {
    let on_event = Rc::clone(&inner.borrow().on_event);
    let (message, buffers) = match js::unwrap::<FromWorker>(data) {
        Ok(m) => m,
        Err(e) => {
            web_sys::console::error_1(&JsValue::from_str(&format!("spanlens: {e}")));
            return;
        }
    };
    let id = match message.request_id() {
        None => {
            let (worker, queue) = {
                let mut guard = inner.borrow_mut();
                guard.ready = true;
                (guard.worker.clone(), std::mem::take(&mut guard.queue))
            };
            if let Some(worker) = worker {
                for (message, buffers) in queue {
                    post(&worker, &message, &buffers, &*on_event);
                }
            }
            let first_warm_up = !std::mem::replace(&mut inner.borrow_mut().warmed_up, true);
            if first_warm_up
                && let Some(buffer) = buffers.first()
                && let Ok(result) = protocol::decode(&Uint8Array::new(buffer).to_vec())
            {
                on_event(LoaderEvent::WarmUp(Box::new(result)));
            }
            return;
        }
        Some(id) => id,
    };
    if !inner.borrow().in_worker.contains(&id) {
        return; // cancelled
    }
    match message {
        FromWorker::Progress { id, file, bytes_done, bytes_total } => {
            on_event(LoaderEvent::Progress { id, file, bytes_done, bytes_total });
        }
        FromWorker::Failed { id, error } => {
            inner.borrow_mut().in_worker.remove(&id);
            retire_if_idle(inner);
            on_event(LoaderEvent::Failed(id, error));
        }
        FromWorker::Done { id } => {
            {
                let mut guard = inner.borrow_mut();
                guard.in_worker.remove(&id);
                guard.decoding.insert(id);
            }
            retire_if_idle(inner);
            let inner = Rc::clone(inner);
            wasm_bindgen_futures::spawn_local(async move {
                let result = assemble(buffers, || inner.borrow().decoding.contains(&id)).await;
                // Showing the result (listing it, navigating, mounting the trace page) is a task of
                // its own: together with the decoding's last part it would hold the thread too long.
                next_task().await;
                if !inner.borrow_mut().decoding.remove(&id) {
                    return; // cancelled while decoding
                }
                match result {
                    Some(Ok(result)) => on_event(LoaderEvent::Done(id, Box::new(result))),
                    Some(Err(e)) => on_event(LoaderEvent::Failed(id, e)),
                    None => {}
                }
            });
        }
        FromWorker::Ready { .. } => {}
    }
}

/// How long decoding may hold the UI thread before it lets the browser paint and handle input.
const TASK_BUDGET_MILLIS: f64 = 40.0;

/// Decodes the worker's result part by part, giving the browser a turn between parts so the page
/// keeps painting and answering input while a large result is decoded. `None` when the load was
/// cancelled meanwhile.
async fn assemble(parts: Vec<ArrayBuffer>, current: impl Fn() -> bool) -> Option<Result<LoadResult, String>> {
    crate::timing::mark(crate::timing::RECEIVED);
    let Some(head) = parts.first().map(|b| Uint8Array::new(b).to_vec()) else {
        return Some(Err("the parsing worker sent an empty result".to_owned()));
    };
    let mut assembly = match Assembly::start(&head) {
        Ok(a) => a,
        Err(e) => return Some(Err(e)),
    };
    drop(head);
    let mut task_start = crate::timing::now_millis();
    for part in parts.iter().skip(1) {
        if crate::timing::now_millis() - task_start > TASK_BUDGET_MILLIS {
            next_task().await;
            if !current() {
                return None;
            }
            task_start = crate::timing::now_millis();
        }
        if let Err(e) = assembly.add(&Uint8Array::new(part).to_vec()) {
            return Some(Err(e));
        }
    }
    Some(assembly.finish())
}

/// Resolves in a new task (a zero-delay timeout), after the browser has had a chance to paint.
pub(crate) async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).ok();
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.ok();
}
