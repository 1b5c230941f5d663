//! Coalesces redraw requests into one animation frame.
//!
//! Scroll, hover, zoom and selection each ask for a redraw; drawing once per frame instead of once per
//! request keeps a burst of events (a fast wheel, a held key) at one frame of work.

use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;

#[derive(Clone)]
pub struct RafScheduler {
    pending: Rc<Cell<bool>>,
    alive: Rc<Cell<bool>>,
    draw: Rc<RefCell<Box<dyn FnMut()>>>,
}

impl RafScheduler {
    pub fn schedule(&self) {
        if self.pending.replace(true) {
            return;
        }
        let pending = Rc::clone(&self.pending);
        let alive = Rc::clone(&self.alive);
        let draw = Rc::clone(&self.draw);
        let callback = Closure::once_into_js(move || {
            pending.set(false);
            // The component may have unmounted since the frame was requested.
            if alive.get()
                && let Ok(mut draw) = draw.try_borrow_mut()
            {
                draw();
            }
        });
        if let Some(window) = web_sys::window() {
            window.request_animation_frame(callback.unchecked_ref()).ok();
        }
    }
}

/// Returns a scheduler that runs `draw` on the next animation frame, at most once per frame.
pub fn use_raf_scheduler(draw: impl FnMut() + 'static) -> StoredValue<RafScheduler, LocalStorage> {
    let scheduler = RafScheduler {
        pending: Rc::new(Cell::new(false)),
        alive: Rc::new(Cell::new(true)),
        draw: Rc::new(RefCell::new(Box::new(draw))),
    };
    let stored = StoredValue::new_local(scheduler);
    on_cleanup(move || {
        stored.try_with_value(|s| s.alive.set(false));
    });
    stored
}
