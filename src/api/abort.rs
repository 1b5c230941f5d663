//! Cancelling a request: an `AbortController` that the caller keeps and can fire.

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, AbortSignal};

/// A handle that cancels the requests it was given to. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Abort {
    controller: Option<AbortController>,
}

impl Abort {
    pub fn new() -> Abort {
        Abort { controller: AbortController::new().ok() }
    }

    pub fn signal(&self) -> Option<AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }

    pub fn abort(&self) {
        if let Some(c) = &self.controller {
            c.abort();
        }
    }

    pub fn is_aborted(&self) -> bool {
        self.controller.as_ref().is_some_and(|c| c.signal().aborted())
    }

    /// Calls `then` when this handle is fired (at once if it was already), for work that is not a
    /// fetch: a parse in the worker that a newer search replaced. Disarmed when the hook is dropped.
    pub fn on_abort(&self, then: impl Fn() + 'static) -> AbortHook {
        if self.is_aborted() {
            then();
            return AbortHook { signal: None, closure: None };
        }
        let Some(signal) = self.signal() else { return AbortHook { signal: None, closure: None } };
        let closure = Closure::<dyn Fn()>::new(then);
        // A listener rather than `onabort`, so that several hooks on clones of one handle coexist.
        if signal.add_event_listener_with_callback("abort", closure.as_ref().unchecked_ref()).is_err() {
            return AbortHook { signal: None, closure: None };
        }
        AbortHook { signal: Some(signal), closure: Some(closure) }
    }
}

/// What [`Abort::on_abort`] armed; dropping it disarms the callback.
pub struct AbortHook {
    signal: Option<AbortSignal>,
    /// Kept alive for as long as the signal may call it.
    closure: Option<Closure<dyn Fn()>>,
}

impl Drop for AbortHook {
    fn drop(&mut self) {
        if let (Some(signal), Some(closure)) = (&self.signal, &self.closure) {
            signal.remove_event_listener_with_callback("abort", closure.as_ref().unchecked_ref()).ok();
        }
    }
}

impl Default for Abort {
    fn default() -> Self {
        Abort::new()
    }
}
