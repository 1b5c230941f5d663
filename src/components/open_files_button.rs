//! "Open files…": the file dialog behind a button, its files opened as one load.

use crate::state::Loads;
use leptos::html;
use leptos::prelude::*;
use web_sys::File;

/// `primary` draws it as the page's main action.
#[component]
pub fn OpenFilesButton(#[prop(into)] label: String, #[prop(optional)] primary: bool) -> impl IntoView {
    let loads = Loads::use_context();
    let file_input = NodeRef::<html::Input>::new();
    let on_pick = move |_| {
        let Some(input) = file_input.get() else { return };
        let Some(list) = input.files() else { return };
        let files: Vec<File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        if !files.is_empty() {
            loads.open_files(files);
        }
        // Let the same file be picked again after it changes on disk.
        input.set_value("");
    };
    view! {
        <label class=if primary { "sl-button sl-button--primary" } else { "sl-button" }>
            {label}
            <input
                node_ref=file_input
                type="file"
                multiple
                class="sl-visually-hidden"
                data-testid="file-input"
                on:change=on_pick
            />
        </label>
    }
}
