//! The chunks of one request's files, as the UI thread posts them, handed to the async import loop
//! one at a time.

use js_sys::{ArrayBuffer, Function, Promise};
use spanlens_protocol::ChunkPart;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// One slice of a file: what it is, and its bytes for [`ChunkPart::Data`].
pub type Chunk = (ChunkPart, Option<ArrayBuffer>);

#[derive(Default)]
pub struct Inbox {
    queue: RefCell<VecDeque<Chunk>>,
    /// Resolves the promise the import loop is waiting on, if it is waiting.
    wake: RefCell<Option<Function>>,
    closed: Cell<bool>,
}

impl Inbox {
    pub fn deliver(&self, chunk: Chunk) {
        self.queue.borrow_mut().push_back(chunk);
        self.wake_up();
    }

    /// Ends the request early (cancelled): `next` returns `None` from now on.
    pub fn close(&self) {
        self.closed.set(true);
        self.queue.borrow_mut().clear();
        self.wake_up();
    }

    fn wake_up(&self) {
        if let Some(resolve) = self.wake.borrow_mut().take() {
            // Resolving a pending promise cannot fail in a way worth reporting.
            resolve.call0(&JsValue::UNDEFINED).ok();
        }
    }

    /// Whether the import loop is waiting for a chunk that has not come (nothing queued for it).
    pub fn waiting(&self) -> bool {
        self.wake.borrow().is_some() && self.queue.borrow().is_empty()
    }

    /// The next chunk, waiting for it if needed; `None` once closed.
    pub async fn next(&self) -> Option<Chunk> {
        loop {
            if self.closed.get() {
                return None;
            }
            if let Some(chunk) = self.queue.borrow_mut().pop_front() {
                return Some(chunk);
            }
            let promise = Promise::new(&mut |resolve, _reject| {
                *self.wake.borrow_mut() = Some(resolve);
            });
            JsFuture::from(promise).await.ok();
        }
    }
}
