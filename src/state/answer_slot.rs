//! A one-shot mailbox between the worker's message handler and a task awaiting one answer about a
//! request (a search's summaries): the answer is put here, and the waiting task is woken by
//! resolving the promise it awaits. Generic over the answer, so it is not tied to searches.

use std::cell::RefCell;
use wasm_bindgen::JsValue;

pub(crate) struct AnswerSlot<T> {
    outcome: RefCell<Option<T>>,
    wake: RefCell<Option<js_sys::Function>>,
}

impl<T> Default for AnswerSlot<T> {
    fn default() -> Self {
        AnswerSlot { outcome: RefCell::new(None), wake: RefCell::new(None) }
    }
}

impl<T> AnswerSlot<T> {
    pub(crate) fn fulfil(&self, outcome: T) {
        *self.outcome.borrow_mut() = Some(outcome);
        if let Some(resolve) = self.wake.borrow_mut().take() {
            // Resolving a pending promise cannot fail in a way worth reporting.
            resolve.call0(&JsValue::UNDEFINED).ok();
        }
    }

    pub(crate) async fn wait(&self) -> T {
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
