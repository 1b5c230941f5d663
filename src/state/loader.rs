//! Client side of the parsing worker.
//!
//! Requests are posted at once: the worker's loader (`worker/worker_loader.js`) keeps what arrives
//! before its wasm installs `onmessage` and replays it. Several requests may be in flight at once (a drop while a URL is still
//! parsing); each result comes back with its request id and source. Messages are the typed
//! `spanlens_protocol::{ToWorker, FromWorker}` in their envelope.
//!
//! Backend search answers go through the same worker (`Loader::search`): their result is a short list
//! of summaries that goes back to the search that asked, not to the catalog.

use crate::state::file_reader::{Slice, read_slices};
use crate::state::incoming::{IncomingParts, assemble};
use crate::state::schedule::{after_millis, next_task};
use js_sys::{ArrayBuffer, Uint8Array};
use spanlens_backends::BackendKind;
use spanlens_protocol::{
    self as protocol, ChunkPart, FromWorker, InputMeta, LoadResult, SearchAnswer, ToWorker, TraceSource, js,
};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, File, MessageEvent, Worker, WorkerOptions, WorkerType};

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
    /// worker kept alive would hold the peak of every parse; a fresh spare is started at once. A
    /// worker that has only parsed search answers of modest size is kept (see [`Inner::heavy`]).
    worker: Option<Worker>,
    /// The worker has held a load or a large search answer: it is retired once idle. Searches alone
    /// leave it warm, so the next search neither waits for a fresh worker nor parses in baseline
    /// code, and no warm-up result lands on this thread in the middle of drawing the results.
    heavy: bool,
    next_id: u32,
    /// Requests the worker is working on: sent, not finished, not cancelled.
    in_worker: HashSet<u32>,
    /// Results being decoded on this thread; a cancel removes the id and the result is dropped.
    decoding: HashSet<u32>,
    /// The parts of results still arriving or being decoded, by request (see `incoming`).
    incoming: HashMap<u32, IncomingParts>,
    warmed_up: bool,
    /// Search requests in flight, by id: where their answer goes (see [`PendingSearch`]).
    searches: HashMap<u32, Rc<AnswerSlot>>,
    /// The first worker's name, when the page was opened on a link that loads at once (see
    /// [`first_worker_name`]); taken by the first start.
    first_name: Option<&'static str>,
    on_event: Rc<dyn Fn(LoaderEvent)>,
    // Kept alive for as long as the worker may call them.
    _on_message: Option<Closure<dyn Fn(MessageEvent)>>,
    _retired_on_message: Option<Closure<dyn Fn(MessageEvent)>>,
    _on_error: Option<Closure<dyn Fn(ErrorEvent)>>,
    _retired_on_error: Option<Closure<dyn Fn(ErrorEvent)>>,
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
            next_id: 0,
            in_worker: HashSet::new(),
            decoding: HashSet::new(),
            incoming: HashMap::new(),
            warmed_up: false,
            searches: HashMap::new(),
            heavy: false,
            first_name: first_worker_name(),
            on_event,
            _on_message: None,
            _retired_on_message: None,
            _on_error: None,
            _retired_on_error: None,
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

    /// Sends a backend's search answer (`body`, a 2xx body of `kind`) to the worker to be parsed
    /// into summaries; the buffer is transferred, not copied. Await [`PendingSearch::answer`]. `None`
    /// when no worker could be started (the search then fails, saying so).
    pub fn search(&self, kind: BackendKind, body: ArrayBuffer) -> Option<PendingSearch> {
        start_worker(&self.inner);
        self.inner.borrow().worker.as_ref()?;
        let id = self.next_id();
        let slot = Rc::new(AnswerSlot { bytes: u64::from(body.byte_length()), ..AnswerSlot::default() });
        self.inner.borrow_mut().searches.insert(id, Rc::clone(&slot));
        self.send(ToWorker::Search { id, kind }, vec![body]);
        Some(PendingSearch { loader: self.clone(), id, slot })
    }

    /// Stops request `id`: the worker drops it, and a result still arriving is not delivered.
    pub fn cancel(&self, id: u32) {
        let was_running = {
            let mut inner = self.inner.borrow_mut();
            inner.decoding.remove(&id);
            inner.in_worker.remove(&id)
        };
        end_incoming(&self.inner, id);
        deliver(&self.inner, id, SearchOutcome::Cancelled);
        if was_running {
            self.send(ToWorker::Cancel { id }, Vec::new());
            retire_if_idle(&self.inner);
        }
    }

    fn send(&self, message: ToWorker, buffers: Vec<ArrayBuffer>) {
        start_worker(&self.inner);
        let mut inner = self.inner.borrow_mut();
        if matches!(message, ToWorker::Load { .. }) {
            inner.heavy = true;
        }
        let Some(worker) = inner.worker.clone() else { return };
        drop(inner);
        post(&self.inner, &worker, &message, &buffers);
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

/// A search answer in the worker ([`Loader::search`]).
pub struct PendingSearch {
    loader: Loader,
    id: u32,
    slot: Rc<AnswerSlot>,
}

/// How a search request ended in the worker.
#[derive(Debug)]
pub enum SearchOutcome {
    Found(SearchAnswer),
    /// The body could not be parsed (the parser's message, with its position) or could not reach the
    /// worker.
    Failed(String),
    /// Cancelled by [`Loader::cancel`] (a newer search replaced it).
    Cancelled,
}

impl PendingSearch {
    /// Cancels this search ([`PendingSearch::answer`] returns `Cancelled` at once, and the worker's
    /// answer is dropped). Apart from `self` so that an abort handler can hold it during the wait.
    pub fn canceller(&self) -> impl Fn() + 'static {
        let (loader, id) = (self.loader.clone(), self.id);
        move || loader.cancel(id)
    }

    /// Waits for the worker's answer.
    pub async fn answer(self) -> SearchOutcome {
        self.slot.wait().await
    }
}

/// A one-shot mailbox: the worker's answer is put here, and the waiting search is woken by resolving
/// the promise it awaits.
#[derive(Default)]
struct AnswerSlot {
    /// The body's length: about what the worker's memory grows by.
    bytes: u64,
    outcome: RefCell<Option<SearchOutcome>>,
    wake: RefCell<Option<js_sys::Function>>,
}

impl AnswerSlot {
    fn fulfil(&self, outcome: SearchOutcome) {
        *self.outcome.borrow_mut() = Some(outcome);
        if let Some(resolve) = self.wake.borrow_mut().take() {
            // Resolving a pending promise cannot fail in a way worth reporting.
            resolve.call0(&JsValue::UNDEFINED).ok();
        }
    }

    async fn wait(&self) -> SearchOutcome {
        loop {
            if let Some(outcome) = self.outcome.borrow_mut().take() {
                return outcome;
            }
            let promise = js_sys::Promise::new(&mut |resolve, _reject| {
                *self.wake.borrow_mut() = Some(resolve);
            });
            wasm_bindgen_futures::JsFuture::from(promise).await.ok();
        }
    }
}

/// Search bodies up to this size leave the worker warm for the next search; a larger one (the wasm
/// memory it took is never given back) retires it. Jaeger UI's largest page of results is 22 MB.
const KEEP_AFTER_SEARCH_MAX_BYTES: u64 = 32 << 20;

/// Hands a search its outcome, if `id` is a search still waiting. Returns whether it was one.
fn deliver(inner: &Rc<RefCell<Inner>>, id: u32, outcome: SearchOutcome) -> bool {
    let slot = {
        let mut guard = inner.borrow_mut();
        let slot = guard.searches.remove(&id);
        if slot.as_ref().is_some_and(|s| s.bytes > KEEP_AFTER_SEARCH_MAX_BYTES) {
            guard.heavy = true;
        }
        slot
    };
    match slot {
        Some(slot) => {
            slot.fulfil(outcome);
            true
        }
        None => false,
    }
}

/// The first worker's name when the page's own URL starts work at once. A backend's search page
/// (`/search?backend=`) gets a worker that warms up only the search parser. A link that loads a
/// trace (`?url=`, `?backend=`, `/trace/<id>`) gets a worker that skips its warm-up (see
/// `worker/src/warm_up.rs`), which would otherwise come before the trace: the trace arrives in
/// pieces, and V8 optimizes the parsing functions between pieces anyway.
fn first_worker_name() -> Option<&'static str> {
    let location = web_sys::window().map(|w| w.location())?;
    let search = location.search().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    if path.trim_end_matches('/').ends_with("/search") && search.contains("backend=") && !search.contains("url=") {
        Some(protocol::SEARCH_WORKER_NAME)
    } else if search.contains("url=") || search.contains("backend=") || path.contains("/trace/") {
        Some(protocol::BUSY_WORKER_NAME)
    } else {
        None
    }
}

/// Starts the worker if none is running. Trunk writes `worker_loader.js`, a classic-worker shim (it
/// uses `importScripts`, so a module worker would fail).
fn start_worker(inner: &Rc<RefCell<Inner>>) {
    if inner.borrow().worker.is_some() {
        return;
    }
    let name = inner.borrow_mut().first_name.take();
    // A trace link's worker was started by index.html already; what it said meanwhile is replayed.
    let early = (name == Some(protocol::BUSY_WORKER_NAME)).then(crate::state::early_worker::take).flatten();
    let (started, backlog) = match early {
        Some((worker, backlog)) => (Ok(worker), backlog),
        None => {
            let options = WorkerOptions::new();
            options.set_type(WorkerType::Classic);
            if let Some(name) = name {
                options.set_name(name);
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
            let weak = Rc::downgrade(inner);
            let on_error = Closure::<dyn Fn(ErrorEvent)>::new(move |event: ErrorEvent| {
                if let Some(inner) = weak.upgrade() {
                    worker_stopped(&inner, &event.message());
                }
            });
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            let mut guard = inner.borrow_mut();
            // Messages can go at once: the worker's loader keeps them until its wasm takes them
            // (worker/worker_loader.js), so a trace link's first bytes need not wait for `ready`.
            guard.worker = Some(worker);
            guard.heavy = false;
            // The previous worker's handler may be the caller (a spare is started from inside it), so
            // it is parked rather than dropped; the one parked before it has long finished.
            guard._retired_on_message = guard._on_message.replace(closure);
            guard._retired_on_error = guard._on_error.replace(on_error);
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

/// The worker threw outside any request's own error handling (its script failed, or its wasm
/// trapped): it is terminated, and every request it held fails with the reason, rather than waiting
/// for an answer that will never come. The next request starts a fresh worker.
fn worker_stopped(inner: &Rc<RefCell<Inner>>, detail: &str) {
    let (held, worker) = {
        let mut guard = inner.borrow_mut();
        guard.heavy = false;
        (std::mem::take(&mut guard.in_worker), guard.worker.take())
    };
    if let Some(worker) = worker {
        worker.terminate();
    }
    let reason = if detail.is_empty() {
        "the parsing worker stopped unexpectedly".to_owned()
    } else {
        format!("the parsing worker stopped: {detail}")
    };
    web_sys::console::error_1(&JsValue::from_str(&format!("spanlens: {reason}")));
    let on_event = Rc::clone(&inner.borrow().on_event);
    let mut held: Vec<u32> = held.into_iter().collect();
    held.sort_unstable();
    for id in held {
        end_incoming(inner, id);
        if !deliver(inner, id, SearchOutcome::Failed(reason.clone())) {
            on_event(LoaderEvent::Failed(id, reason.clone()));
        }
    }
}

/// Terminates the worker once nothing is left in it and starts a fresh spare, so the memory of the
/// last parse is given back. The spare starts a while later: its start-up (compiling the worker's
/// wasm, its warm-up load) would otherwise take a core from the result being shown, on a machine
/// with two. A request sent meanwhile starts a worker at once ([`Loader::send`]).
fn retire_if_idle(inner: &Rc<RefCell<Inner>>) {
    let retired = {
        let mut guard = inner.borrow_mut();
        let idle = guard.in_worker.is_empty();
        if idle && guard.heavy { guard.worker.take() } else { None }
    };
    if let Some(worker) = retired {
        worker.terminate();
        let weak = Rc::downgrade(inner);
        wasm_bindgen_futures::spawn_local(async move {
            after_millis(SPARE_DELAY_MILLIS).await;
            if let Some(inner) = weak.upgrade() {
                start_worker(&inner);
            }
        });
    }
}

/// How long after a load the spare worker starts (see [`retire_if_idle`]): past the first frames.
const SPARE_DELAY_MILLIS: i32 = 2_000;

fn post(inner: &Rc<RefCell<Inner>>, worker: &Worker, message: &ToWorker, buffers: &[ArrayBuffer]) {
    let sent = js::wrap(message, buffers).and_then(|envelope| {
        worker
            .post_message_with_transfer(&envelope.value, &envelope.transfer)
            .map_err(|_| "could not send the data to the parsing worker".to_owned())
    });
    if let Err(e) = sent {
        let id = message.request_id();
        if !deliver(inner, id, SearchOutcome::Failed(e.clone())) {
            let on_event = Rc::clone(&inner.borrow().on_event);
            on_event(LoaderEvent::Failed(id, e));
        }
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
            crate::timing::mark(WORKER_READY);
            if let FromWorker::Ready { created_epoch_millis, main_epoch_millis, .. } = &message {
                crate::timing::mark_at_epoch(crate::timing::WORKER_CREATED, *created_epoch_millis);
                crate::timing::mark_at_epoch(crate::timing::WORKER_MAIN, *main_epoch_millis);
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
            end_incoming(inner, id);
            // A search first: its size decides whether the worker is kept.
            let search = deliver(inner, id, SearchOutcome::Failed(error.clone()));
            retire_if_idle(inner);
            if !search {
                on_event(LoaderEvent::Failed(id, error));
            }
        }
        FromWorker::Found { id, answer } => {
            inner.borrow_mut().in_worker.remove(&id);
            deliver(inner, id, SearchOutcome::Found(answer));
            retire_if_idle(inner);
        }
        FromWorker::Parts { id } => incoming(inner, id).push(buffers),
        FromWorker::Done { id } => {
            {
                let mut guard = inner.borrow_mut();
                guard.in_worker.remove(&id);
                guard.decoding.insert(id);
            }
            retire_if_idle(inner);
            let parts = incoming(inner, id);
            parts.push(buffers);
            parts.end();
        }
        FromWorker::Ready { .. } => {}
    }
}

/// The parts of request `id`'s result, with the task that decodes them, started by the first part.
fn incoming(inner: &Rc<RefCell<Inner>>, id: u32) -> IncomingParts {
    if let Some(parts) = inner.borrow().incoming.get(&id) {
        return parts.clone();
    }
    let parts = IncomingParts::default();
    inner.borrow_mut().incoming.insert(id, parts.clone());
    let inner = Rc::clone(inner);
    let decoded = parts.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let current = || {
            let guard = inner.borrow();
            guard.in_worker.contains(&id) || guard.decoding.contains(&id)
        };
        let result = assemble(decoded, current).await;
        inner.borrow_mut().incoming.remove(&id);
        // Showing the result (listing it, navigating, mounting the trace page) is a task of its
        // own: together with the decoding's last part it would hold the thread too long.
        next_task().await;
        if !inner.borrow_mut().decoding.remove(&id) {
            return; // cancelled while decoding, or the worker failed before its `Done`
        }
        let on_event = Rc::clone(&inner.borrow().on_event);
        match result {
            Some(Ok(result)) => on_event(LoaderEvent::Done(id, Box::new(result))),
            Some(Err(e)) => on_event(LoaderEvent::Failed(id, e)),
            None => {}
        }
    });
    parts
}

/// Request `id` ended without a result: the parts that came are dropped.
fn end_incoming(inner: &Rc<RefCell<Inner>>, id: u32) {
    let parts = inner.borrow_mut().incoming.remove(&id);
    if let Some(parts) = parts {
        parts.end();
    }
}

/// Marked each time a worker says it is ready, for benchmarks: a request sent before it waited.
pub const WORKER_READY: &str = "spanlens:worker:ready";
