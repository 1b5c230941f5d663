//! Starting loads (files, a URL, the demo), shared through context so any page can open data.

use crate::fetch;
use crate::state::{AppState, LoadProgress, Loader};
use crate::timing;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Where a load came from; decides where to navigate when it finishes.
#[derive(Clone)]
pub enum Origin {
    Files,
    Url(String),
}

/// Starts loads; provided as context so any page can open files, the demo or a URL.
#[derive(Clone, Copy)]
pub struct Loads {
    loader: StoredValue<Loader, LocalStorage>,
    origin: StoredValue<Option<Origin>>,
    /// Bumped by every load that starts: a fetch that finishes after a newer load began is stale
    /// and must not replace what the newer one shows.
    generation: StoredValue<u64>,
    state: AppState,
}

impl Loads {
    /// `origin` is shared with the shell, which reads it when a load finishes.
    pub fn new(
        loader: StoredValue<Loader, LocalStorage>,
        origin: StoredValue<Option<Origin>>,
        state: AppState,
    ) -> Loads {
        Loads { loader, origin, generation: StoredValue::new(0), state }
    }

    /// Provided by the shell around every page; missing only through a bug.
    pub fn use_context() -> Loads {
        expect_context::<Loads>()
    }

    fn begin(&self, origin: Origin, first_name: &str) {
        timing::mark(timing::LOAD_START);
        self.generation.update_value(|g| *g += 1);
        self.origin.set_value(Some(origin));
        self.state.progress.set(Some(LoadProgress {
            file: first_name.to_owned(),
            bytes_done: 0,
            bytes_total: 0,
            parsing: false,
        }));
    }

    pub fn open_files(&self, files: Vec<web_sys::File>) {
        let name = match files.as_slice() {
            [one] => one.name(),
            many => format!("{} files", many.len()),
        };
        self.begin(Origin::Files, &name);
        self.loader.with_value(|l| l.load_files(files));
    }

    /// Fetches a trace file by URL (same-origin path or http(s)) and parses it in the worker.
    pub fn open_url(&self, url: String) {
        let shown = fetch::redact(&url);
        self.begin(Origin::Url(url.clone()), &shown);
        let this = *self;
        let started = self.generation.get_value();
        spawn_local(async move {
            let fetched = fetch::fetch_bytes(&url).await;
            // The newest request wins: a drop or another link opened while this one was on the wire
            // owns the page now, and this answer (or failure) must not take it over.
            if this.generation.try_get_value() != Some(started) {
                leptos::logging::log!("spanlens: ignored the answer for {shown}: a newer load replaced it");
                return;
            }
            match fetched {
                Ok(buffer) => {
                    timing::mark(timing::FETCHED);
                    let name = url.rsplit('/').next().unwrap_or(&url).to_owned();
                    this.loader.try_with_value(|l| l.load_bytes(&name, buffer));
                }
                Err(e) => {
                    this.state.progress.try_set(None);
                    this.state.report(format!("Could not load {shown}"), e);
                }
            }
        });
    }
}

pub const DEMO_URL: &str = "samples/checkout.json";
