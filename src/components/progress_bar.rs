//! Load progress: bytes read, then an indeterminate bar while the importers run.

use crate::api::megabytes;
use crate::state::{AppState, Loads};
use leptos::prelude::*;

#[component]
pub fn ProgressBar() -> impl IntoView {
    let state = AppState::from_context();
    let loads = Loads::use_context();
    move || {
        state.progress.get().map(|p| {
            let fraction = if p.bytes_total > 0 { p.bytes_done as f64 / p.bytes_total as f64 } else { 0.0 };
            let label = if p.parsing {
                format!("Parsing {}…", p.file)
            } else {
                if p.bytes_total > 0 {
                    format!("Reading {} — {} of {}", p.file, megabytes(p.bytes_done), megabytes(p.bytes_total))
                } else {
                    format!("Waiting for {}…", p.file)
                }
            };
            view! {
                <div class="sl-progress" data-testid="load-progress" role="status">
                    <div class="sl-progress__label">
                        {label}
                        <button class="sl-link-button sl-progress__cancel" data-testid="cancel-load" on:click=move |_| loads.cancel_newest()>
                            "Cancel"
                        </button>
                    </div>
                    <div
                        class="sl-progress__track"
                        class:sl-progress__track--busy=p.parsing
                        role="progressbar"
                        aria-valuemin="0"
                        aria-valuemax="100"
                        aria-valuenow=format!("{:.0}", fraction * 100.0)
                    >
                        <div class="sl-progress__fill" style:width=format!("{:.1}%", fraction * 100.0)></div>
                    </div>
                </div>
            }
        })
    }
}
