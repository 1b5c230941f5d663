//! The trace page's own UI state, outside any view: the shortcuts overlay, and whether the active
//! view has drawn its first frame (the harness hooks `data-view` and `data-span-count` wait for it).

use leptos::prelude::*;
use spanlens_layout::viewport::Viewport;

#[derive(Clone, Copy)]
pub struct TraceChrome {
    pub show_help: RwSignal<bool>,
    /// Set by the active view once it has drawn a frame with rows.
    pub first_frame_drawn: RwSignal<bool>,
    /// The x window the zoom keys (`+`, `-`, `0`) act on when the active view has its own (the
    /// left-heavy flame graph, whose x is not time); `None` means the shared time window.
    pub zoom_target: RwSignal<Option<RwSignal<Viewport>>>,
}

impl TraceChrome {
    pub fn new() -> Self {
        TraceChrome {
            show_help: RwSignal::new(false),
            first_frame_drawn: RwSignal::new(false),
            zoom_target: RwSignal::new(None),
        }
    }

    pub fn from_context() -> Self {
        expect_context::<TraceChrome>()
    }
}

impl Default for TraceChrome {
    fn default() -> Self {
        Self::new()
    }
}
