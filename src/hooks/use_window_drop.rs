//! Makes the whole window a drop target for files.

use leptos::ev;
use leptos::prelude::*;
use web_sys::{DragEvent, File};

/// Calls `on_files` with the files dropped anywhere on the page and returns whether files are being
/// dragged over it (for the hover overlay).
///
/// `dragenter`/`dragleave` fire for every child element crossed, so a counter, not a boolean, tracks
/// whether the pointer is still over the page; otherwise the overlay flickers.
pub fn use_window_drop(on_files: impl Fn(Vec<File>) + 'static) -> ReadSignal<bool> {
    let (is_over, set_over) = signal(false);
    let depth = StoredValue::new(0i32);

    let carries_files = |e: &DragEvent| {
        e.data_transfer().is_some_and(|dt| dt.types().iter().any(|t| t.as_string().as_deref() == Some("Files")))
    };

    let enter = window_event_listener(ev::dragenter, move |e| {
        if carries_files(&e) {
            e.prevent_default();
            depth.update_value(|d| *d += 1);
            set_over.set(true);
        }
    });
    let over = window_event_listener(ev::dragover, move |e| {
        if carries_files(&e) {
            // Without preventDefault on dragover the browser refuses the drop and opens the file.
            e.prevent_default();
            if let Some(dt) = e.data_transfer() {
                dt.set_drop_effect("copy");
            }
        }
    });
    let leave = window_event_listener(ev::dragleave, move |_| {
        depth.update_value(|d| *d = (*d - 1).max(0));
        if depth.get_value() == 0 {
            set_over.set(false);
        }
    });
    let drop = window_event_listener(ev::drop, move |e| {
        e.prevent_default();
        depth.set_value(0);
        set_over.set(false);
        let Some(list) = e.data_transfer().and_then(|dt| dt.files()) else { return };
        let files: Vec<File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        if !files.is_empty() {
            on_files(files);
        }
    });

    on_cleanup(move || {
        enter.remove();
        over.remove();
        leave.remove();
        drop.remove();
    });
    is_over
}
