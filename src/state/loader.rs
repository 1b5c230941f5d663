//! Client side of the parsing worker.
//!
//! Requests are queued until the worker says it is ready (messages posted before its wasm installs
//! `onmessage` would be lost). Only the newest request's results are delivered: a new drop supersedes
//! a load still in flight.

use crate::state::file_reader::{Slice, read_slices};
use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use spanlens_protocol::{self as protocol, Assembly, LoadResult};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::{File, MessageEvent, Worker, WorkerOptions, WorkerType};

pub enum LoaderEvent {
    Progress {
        file: String,
        bytes_done: u64,
        bytes_total: u64,
    },
    Done(Box<LoadResult>),
    Failed(String),
    /// The first worker's warm-up result (see `state::warm_up`); delivered once per page.
    WarmUp(Box<LoadResult>),
}

struct Inner {
    /// Terminated after each result, because a wasm instance's memory never shrinks and a worker kept
    /// alive would hold the peak of every parse; a fresh spare is started at once.
    worker: Option<Worker>,
    ready: bool,
    queue: Vec<(Object, Option<Array>)>,
    latest_id: u32,
    warmed_up: bool,
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
    /// Starts the worker. Trunk writes `worker_loader.js`, a classic-worker shim (it uses
    /// `importScripts`, so a module worker would fail).
    pub fn new(on_event: impl Fn(LoaderEvent) + 'static) -> Loader {
        let on_event: Rc<dyn Fn(LoaderEvent)> = Rc::new(on_event);
        let inner = Rc::new(RefCell::new(Inner {
            worker: None,
            ready: false,
            queue: Vec::new(),
            latest_id: 0,
            warmed_up: false,
            on_event,
            _on_message: None,
            _retired_on_message: None,
        }));
        // A warm spare: compiling and starting the worker's wasm costs a few hundred milliseconds,
        // which would otherwise come on top of every load.
        start_worker(&inner);
        Loader { inner }
    }

    /// Parses user-chosen files (dropped or picked) in the worker. The files are read here and sent
    /// over in slices (see `file_reader`), so the worker parses while the rest is still being read.
    pub fn load_files(&self, files: Vec<File>) {
        let msg = self.request();
        let (names, sizes) = (Array::new(), Array::new());
        for f in &files {
            names.push(&JsValue::from_str(&f.name()));
            sizes.push(&JsValue::from_f64(f.size()));
        }
        Reflect::set(&msg, &"names".into(), &names).ok();
        Reflect::set(&msg, &"sizes".into(), &sizes).ok();
        let id = self.inner.borrow().latest_id;
        self.send(msg, None);
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let current = || this.inner.borrow().latest_id == id;
            for (index, file) in files.iter().enumerate() {
                let mut complete = true;
                let on_slice = |slice: Slice| {
                    let chunk = this.chunk(id, index);
                    match slice {
                        Slice::Data(buffer) => {
                            Reflect::set(&chunk, &"bytes".into(), &buffer).ok();
                            this.send(chunk, Some(Array::of1(&buffer)));
                        }
                        Slice::Failed(reason) => {
                            complete = false;
                            Reflect::set(&chunk, &"error".into(), &JsValue::from_str(&reason)).ok();
                            this.send(chunk, None);
                        }
                    }
                };
                read_slices(file, on_slice, current).await;
                if !current() {
                    return;
                }
                if complete {
                    let end = this.chunk(id, index);
                    Reflect::set(&end, &"end".into(), &JsValue::TRUE).ok();
                    this.send(end, None);
                }
            }
        });
    }

    /// Parses bytes fetched by the UI thread (demo trace, `?url=`). The buffer is transferred.
    pub fn load_bytes(&self, name: &str, bytes: ArrayBuffer) {
        let msg = self.request();
        Reflect::set(&msg, &"name".into(), &JsValue::from_str(name)).ok();
        Reflect::set(&msg, &"bytes".into(), &bytes).ok();
        self.send(msg, Some(Array::of1(&bytes)));
    }

    fn chunk(&self, id: u32, file_index: usize) -> Object {
        let msg = Object::new();
        Reflect::set(&msg, &"kind".into(), &JsValue::from_str(protocol::MSG_CHUNK)).ok();
        Reflect::set(&msg, &"id".into(), &JsValue::from(id)).ok();
        Reflect::set(&msg, &"file".into(), &JsValue::from(file_index as u32)).ok();
        msg
    }

    fn request(&self) -> Object {
        let mut inner = self.inner.borrow_mut();
        inner.latest_id += 1;
        let msg = Object::new();
        Reflect::set(&msg, &"kind".into(), &JsValue::from_str(protocol::MSG_LOAD)).ok();
        Reflect::set(&msg, &"id".into(), &JsValue::from(inner.latest_id)).ok();
        msg
    }

    fn send(&self, msg: Object, transfer: Option<Array>) {
        start_worker(&self.inner);
        let mut inner = self.inner.borrow_mut();
        if !inner.ready {
            inner.queue.push((msg, transfer));
            return;
        }
        let Some(worker) = inner.worker.clone() else { return };
        let on_event = Rc::clone(&inner.on_event);
        drop(inner);
        post(&worker, &msg, transfer.as_ref(), &*on_event);
    }
}

/// Starts the worker if none is running. Trunk writes `worker_loader.js`, a classic-worker shim (it
/// uses `importScripts`, so a module worker would fail).
fn start_worker(inner: &Rc<RefCell<Inner>>) {
    if inner.borrow().worker.is_some() {
        return;
    }
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Classic);
    match Worker::new_with_options("./worker_loader.js", &options) {
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
        }
        Err(e) => {
            let on_event = Rc::clone(&inner.borrow().on_event);
            on_event(LoaderEvent::Failed(format!(
                "could not start the parsing worker: {}",
                e.as_string().unwrap_or_else(|| format!("{e:?}"))
            )));
        }
    }
}

fn post(worker: &Worker, msg: &Object, transfer: Option<&Array>, on_event: &dyn Fn(LoaderEvent)) {
    let result = match transfer {
        Some(list) => worker.post_message_with_transfer(msg, list),
        None => worker.post_message(msg),
    };
    if result.is_err() {
        on_event(LoaderEvent::Failed("could not send the files to the parsing worker".to_owned()));
    }
}

fn field(data: &JsValue, key: &str) -> JsValue {
    Reflect::get(data, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn handle_message(inner: &Rc<RefCell<Inner>>, data: &JsValue) {
    let kind = field(data, "kind").as_string().unwrap_or_default();
    let id = field(data, "id").as_f64().unwrap_or(0.0) as u32;
    if kind == protocol::MSG_READY {
        let (worker, queue, on_event) = {
            let mut guard = inner.borrow_mut();
            guard.ready = true;
            (guard.worker.clone(), std::mem::take(&mut guard.queue), Rc::clone(&guard.on_event))
        };
        if let Some(worker) = worker {
            for (msg, transfer) in queue {
                post(&worker, &msg, transfer.as_ref(), &*on_event);
            }
        }
        let first_warm_up = !std::mem::replace(&mut inner.borrow_mut().warmed_up, true);
        if first_warm_up
            && let Ok(buffer) = field(data, "warmup").dyn_into::<ArrayBuffer>()
            && let Ok(result) = protocol::decode(&Uint8Array::new(&buffer).to_vec())
        {
            on_event(LoaderEvent::WarmUp(Box::new(result)));
        }
        return;
    }
    let (latest, on_event) = {
        let guard = inner.borrow();
        (guard.latest_id, Rc::clone(&guard.on_event))
    };
    if id != latest {
        return; // superseded by a newer load
    }
    let finished = kind == protocol::MSG_DONE || kind == protocol::MSG_FAILED;
    if finished {
        let retired = {
            let mut guard = inner.borrow_mut();
            if guard.queue.is_empty() { guard.worker.take() } else { None }
        };
        if let Some(worker) = retired {
            worker.terminate();
            start_worker(inner);
        }
    }
    let event = match kind.as_str() {
        protocol::MSG_PROGRESS => LoaderEvent::Progress {
            file: field(data, "file").as_string().unwrap_or_default(),
            bytes_done: field(data, "done").as_f64().unwrap_or(0.0) as u64,
            bytes_total: field(data, "total").as_f64().unwrap_or(0.0) as u64,
        },
        protocol::MSG_DONE => {
            let parts = field(data, "payload");
            if !Array::is_array(&parts) {
                on_event(LoaderEvent::Failed("the parsing worker sent no result".to_owned()));
                return;
            }
            let inner = Rc::clone(inner);
            wasm_bindgen_futures::spawn_local(async move {
                let result = assemble(Array::from(&parts), || inner.borrow().latest_id == id).await;
                match result {
                    Some(Ok(result)) => on_event(LoaderEvent::Done(Box::new(result))),
                    Some(Err(e)) => on_event(LoaderEvent::Failed(e)),
                    None => {} // superseded while decoding
                }
            });
            return;
        }
        _ => LoaderEvent::Failed(
            field(data, "error").as_string().unwrap_or_else(|| "the parsing worker failed".to_owned()),
        ),
    };
    on_event(event);
}

/// How long decoding may hold the UI thread before it lets the browser paint and handle input.
const TASK_BUDGET_MILLIS: f64 = 40.0;

/// Decodes the worker's result part by part, giving the browser a turn between parts so the page
/// keeps painting and answering input while a large result is decoded. `None` when a newer load
/// superseded this one meanwhile.
async fn assemble(parts: Array, current: impl Fn() -> bool) -> Option<Result<LoadResult, String>> {
    crate::timing::mark(crate::timing::RECEIVED);
    let bytes = |i: u32| parts.get(i).dyn_into::<ArrayBuffer>().map(|b| Uint8Array::new(&b).to_vec());
    let Ok(head) = bytes(0) else { return Some(Err("the parsing worker sent an empty result".to_owned())) };
    let mut assembly = match Assembly::start(&head) {
        Ok(a) => a,
        Err(e) => return Some(Err(e)),
    };
    drop(head);
    let mut task_start = crate::timing::now_millis();
    for i in 1..parts.length() {
        if crate::timing::now_millis() - task_start > TASK_BUDGET_MILLIS {
            next_task().await;
            if !current() {
                return None;
            }
            task_start = crate::timing::now_millis();
        }
        let Ok(part) = bytes(i) else { return Some(Err("the parsing worker sent a broken result".to_owned())) };
        if let Err(e) = assembly.add(&part) {
            return Some(Err(e));
        }
    }
    Some(assembly.finish())
}

/// Resolves in a new task (a zero-delay timeout), after the browser has had a chance to paint.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).ok();
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.ok();
}
