//! What this browser keeps of the opened files so that a reload reopens them, with its limit and a
//! way to forget it all.

use crate::state::Loads;
use crate::state::kept_files::LIMIT_BYTES;
use leptos::prelude::*;

#[component]
pub fn KeptFiles() -> impl IntoView {
    let loads = Loads::use_context();
    let summary = move || {
        loads.kept.with(|list| {
            let files: usize = list.iter().map(|k| k.names.len()).sum();
            let bytes: u64 = list.iter().map(|k| k.bytes).sum();
            (files, bytes)
        })
    };
    view! {
        <Show when=move || { summary().0 > 0 }>
            <p class="sl-hint sl-muted" data-testid="kept-files">
                {move || {
                    let (files, bytes) = summary();
                    format!(
                        "Kept in this browser so a reload reopens them: {files} {} ({:.1} MB of {} MB). ",
                        if files == 1 { "file" } else { "files" },
                        bytes as f64 / 1024.0 / 1024.0,
                        LIMIT_BYTES / 1024 / 1024,
                    )
                }}
                <button class="sl-link-button" data-testid="forget-kept" on:click=move |_| loads.forget_kept()>
                    "Forget them"
                </button>
            </p>
        </Show>
    }
}
