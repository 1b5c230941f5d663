//! The tracing backends this page can query: those `config.json` (beside `index.html`) lists, and
//! those the user connected at run time (kept in localStorage). Without either, spanlens works on
//! files alone.

use crate::api::{self, ApiError, FetchOptions};
use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use spanlens_backends::{Backend, BackendKind, parse_config};

const STORAGE_KEY: &str = "spanlens.backends";

/// Where a backend in the list came from: the deployment's `config.json` cannot be removed here.
#[derive(Clone, Debug, PartialEq)]
pub struct ListedBackend {
    pub backend: Backend,
    pub from_config: bool,
}

#[derive(Clone, Copy)]
pub struct Backends {
    pub list: RwSignal<Vec<ListedBackend>>,
    /// False until `config.json` has answered (or failed): a deep link naming a backend waits for it.
    pub ready: RwSignal<bool>,
}

impl Backends {
    /// Reads the connected backends and fetches `config.json`.
    pub fn new(state: AppState) -> Backends {
        let list =
            RwSignal::new(stored().into_iter().map(|backend| ListedBackend { backend, from_config: false }).collect());
        let this = Backends { list, ready: RwSignal::new(false) };
        spawn_local(async move {
            match api::fetch_text("config.json", FetchOptions { timeout_secs: 10, ..FetchOptions::default() }).await {
                // A single-page-app fallback answers unknown paths with index.html: no config.
                Ok(text) if text.trim_start().starts_with('<') => None,
                Ok(text) => match parse_config(&text) {
                    Ok(configured) => this.list.try_update(|list| {
                        for backend in configured.into_iter().rev() {
                            list.retain(|b| b.backend.name != backend.name);
                            list.insert(0, ListedBackend { backend, from_config: true });
                        }
                    }),
                    Err(e) => {
                        state.report("config.json is not valid", e.to_string());
                        None
                    }
                },
                // No config.json: this deployment opens files only, which is fine.
                Err(ApiError::Status { status: 404, .. }) => None,
                Err(e) => {
                    leptos::logging::log!("spanlens: no backends from config.json: {e}");
                    None
                }
            };
            this.ready.try_set(true);
        });
        this
    }

    pub fn use_context() -> Backends {
        expect_context::<Backends>()
    }

    pub fn find(&self, name: &str) -> Option<Backend> {
        self.list.with_untracked(|l| l.iter().find(|b| b.backend.name == name).map(|b| b.backend.clone()))
    }

    /// Adds (or replaces) a backend connected by the user and remembers it.
    pub fn connect(&self, backend: Backend) {
        self.list.update(|list| {
            list.retain(|b| b.backend.name != backend.name);
            list.push(ListedBackend { backend, from_config: false });
        });
        self.save();
    }

    pub fn disconnect(&self, name: &str) {
        self.list.update(|list| list.retain(|b| b.from_config || b.backend.name != name));
        self.save();
    }

    fn save(&self) {
        let connected: Vec<StoredBackend> = self.list.with_untracked(|l| {
            l.iter()
                .filter(|b| !b.from_config)
                .map(|b| StoredBackend {
                    name: b.backend.name.clone(),
                    kind: b.backend.kind.as_str().to_owned(),
                    url: b.backend.url.clone(),
                })
                .collect()
        });
        if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(&connected)) {
            storage.set_item(STORAGE_KEY, &json).ok();
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredBackend {
    name: String,
    kind: String,
    url: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored() -> Vec<Backend> {
    let Some(json) = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()) else { return Vec::new() };
    let list: Vec<StoredBackend> = serde_json::from_str(&json).unwrap_or_default();
    list.into_iter()
        .filter_map(|b| Some(Backend { name: b.name, kind: b.kind.parse::<BackendKind>().ok()?, url: b.url }))
        .collect()
}
