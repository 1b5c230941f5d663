//! Cancelling a request: an `AbortController` that the caller keeps and can fire.

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
}

impl Default for Abort {
    fn default() -> Self {
        Abort::new()
    }
}
