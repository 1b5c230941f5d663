//! Starting loads (files, a URL, the demo) and receiving their results into the catalog, shared
//! through context so any page can open data.

use crate::api::{self, Abort, FetchOptions};
use crate::state::kept_files::{self, KeptLoad};
use crate::state::{AppState, LoadProgress, Loaded, Loader, LoaderEvent};
use crate::timing;
use leptos::prelude::*;
use leptos::task::spawn_local;
use spanlens_protocol::TraceSource;
use std::collections::HashMap;

pub const DEMO_URL: &str = "samples/checkout.json";

/// How a backend trace fetch is named among the fetches on the wire.
fn backend_key(backend: &str, hex: &str) -> String {
    format!("backend:{backend}:{hex}")
}

/// A load on its way: in the worker, or (for a URL) still on the wire.
#[derive(Clone, Debug)]
struct Pending {
    /// Which start this was (see [`Loads::generation`]).
    generation: u64,
    source: TraceSource,
    /// Where the files are kept for a reload (see `kept_files`).
    kept_key: Option<String>,
    /// Reopened from the kept files when the page started, or one of several backend traces opened
    /// together: it never navigates, the page the user is on (the list) stays.
    restored: bool,
}

/// Starts loads and files their results in the catalog; provided as context.
#[derive(Clone, Copy)]
pub struct Loads {
    loader: StoredValue<Option<Loader>, LocalStorage>,
    /// Bumped by every load that starts. Every result is listed, but only the newest load's result
    /// may take over the page (navigate to its trace): a slow load finishing after a newer one began
    /// never replaces what the newer one shows.
    generation: StoredValue<u64>,
    /// Worker requests by id.
    requests: StoredValue<HashMap<u32, Pending>>,
    /// URLs being fetched, with the generation that started them and the handle that cancels them.
    fetching: StoredValue<Vec<(String, u64, Abort)>>,
    next_load_id: StoredValue<u32>,
    /// Loads whose files are kept for reloads, by load id.
    kept_by_load: StoredValue<HashMap<u32, String>>,
    /// What is kept, for the landing page.
    pub kept: RwSignal<Vec<KeptLoad>>,
    state: AppState,
}

impl Loads {
    pub fn new(state: AppState) -> Loads {
        Loads {
            loader: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            requests: StoredValue::new(HashMap::new()),
            fetching: StoredValue::new(Vec::new()),
            next_load_id: StoredValue::new(1),
            kept_by_load: StoredValue::new(HashMap::new()),
            kept: RwSignal::new(kept_files::manifest()),
            state,
        }
    }

    /// The loader reports back through [`Loads::handle`], so it is attached after both exist.
    pub fn attach(&self, loader: Loader) {
        self.loader.set_value(Some(loader));
    }

    /// The parsing worker's client, for work that is not a load (a backend search's answer).
    pub fn loader(&self) -> Option<Loader> {
        self.loader.try_with_value(Clone::clone).flatten()
    }

    /// Provided by the shell around every page; missing only through a bug.
    pub fn use_context() -> Loads {
        expect_context::<Loads>()
    }

    fn begin(&self, first_name: &str) -> u64 {
        timing::mark(timing::LOAD_START);
        self.generation.update_value(|g| *g += 1);
        self.state.progress.set(Some(LoadProgress {
            file: first_name.to_owned(),
            bytes_done: 0,
            bytes_total: 0,
            parsing: false,
        }));
        self.generation.get_value()
    }

    pub fn open_files(&self, files: Vec<web_sys::File>) {
        // The bytes are kept so that a reload reopens them (within the limit the landing page shows).
        let key = format!("{}-{}", js_sys::Date::now() as u64, self.generation.get_value() + 1);
        let this = *self;
        let (to_keep, kept_key) = (files.clone(), key.clone());
        spawn_local(async move {
            match kept_files::keep(&kept_key, &to_keep).await {
                Ok(kept) => {
                    this.kept.try_update(|list| list.push(kept));
                }
                Err(e) => leptos::logging::log!("spanlens: the opened files are not kept for a reload: {e}"),
            }
        });
        self.start_files(files, key, false);
    }

    fn start_files(&self, files: Vec<web_sys::File>, kept_key: String, restored: bool) {
        let name = match files.as_slice() {
            [one] => one.name(),
            many => format!("{} files", many.len()),
        };
        let generation = self.begin(&name);
        let source = TraceSource::Files { names: files.iter().map(web_sys::File::name).collect() };
        let id = self.loader.with_value(|l| l.as_ref().map(|l| l.load_files(source.clone(), files)));
        if let Some(id) = id {
            self.requests.update_value(|r| {
                r.insert(id, Pending { generation, source, kept_key: Some(kept_key), restored });
            });
        }
    }

    /// Reopens the files kept from earlier visits (called once, when the page starts).
    pub fn restore_kept(&self) {
        let kept = kept_files::manifest();
        if kept.is_empty() {
            return;
        }
        // Until the first kept file is read back, the trace page says "Loading" rather than "not loaded".
        self.state.progress.set(Some(LoadProgress {
            file: "the files kept from your last visit".to_owned(),
            bytes_done: 0,
            bytes_total: 0,
            parsing: false,
        }));
        let this = *self;
        spawn_local(async move {
            for entry in kept {
                match kept_files::files_of(&entry).await {
                    Ok(files) => this.start_files(files, entry.key.clone(), true),
                    Err(e) => {
                        leptos::logging::log!("spanlens: a kept load could not be read back ({e}); it is forgotten");
                        kept_files::forget(&entry.key).await;
                        this.kept.try_update(|list| list.retain(|k| k.key != entry.key));
                    }
                }
            }
            this.settle_progress();
        });
    }

    /// Stops keeping every opened file (the loads stay open until the page is closed).
    pub fn forget_kept(&self) {
        self.kept.set(Vec::new());
        self.kept_by_load.update_value(HashMap::clear);
        spawn_local(kept_files::forget_all());
    }

    /// True while `url` is being fetched or parsed.
    pub fn is_loading_url(&self, url: &str) -> bool {
        self.fetching.with_value(|f| f.iter().any(|(u, _, _)| u == url))
            || self.requests.with_value(|r| r.values().any(|p| p.source.url() == Some(url)))
    }

    /// Fetches a trace file by URL (same-origin path or http(s)) and parses it in the worker.
    pub fn open_url(&self, url: String) {
        let shown = api::redact(&url);
        let generation = self.begin(&shown);
        let abort = Abort::new();
        self.fetching.update_value(|f| f.push((url.clone(), generation, abort.clone())));
        let this = *self;
        spawn_local(async move {
            // Started at the app's start-up, a task of its own: the fetch itself is under way already
            // for a link (index.html asked for it), and start-up alone is long enough.
            crate::state::schedule::next_task().await;
            let fetched = api::fetch_stream(&url, FetchOptions { abort, ..FetchOptions::default() }).await;
            let name = url.rsplit('/').next().unwrap_or(&url).to_owned();
            let streamed = match fetched {
                Ok(body) => {
                    this.stream_to_worker(body, TraceSource::Url { url: url.clone() }, &name, generation, false).await
                }
                Err(e) => Err(e),
            };
            this.fetching.try_update_value(|f| f.retain(|(u, g, _)| !(u == &url && *g == generation)));
            match streamed {
                Ok(()) => {}
                // A fetch cancelled by "Close all" was wanted by nobody.
                Err(api::ApiError::Aborted { .. }) => this.settle_progress(),
                Err(e) => {
                    this.settle_progress();
                    this.state.report(format!("Could not load {shown}"), e.to_string());
                }
            }
        });
    }

    /// Hands a body still arriving to the worker piece by piece, so it parses while the rest is on
    /// the wire, and tracks the request under the load's generation. A body that breaks off fails the
    /// request in the worker (which drops what it had) and comes back as the error.
    async fn stream_to_worker(
        &self,
        mut body: api::BodyStream,
        source: TraceSource,
        name: &str,
        generation: u64,
        restored: bool,
    ) -> Result<(), api::ApiError> {
        let sink = self
            .loader
            .try_with_value(|l| l.as_ref().map(|l| l.load_stream(source.clone(), name, body.content_length())))
            .flatten();
        let Some(sink) = sink else { return Ok(()) };
        self.requests.try_update_value(|r| {
            r.insert(sink.id(), Pending { generation, source, kept_key: None, restored });
        });
        let mut first = true;
        let mut slice_start = timing::now_millis();
        loop {
            match body.next_chunk().await {
                Ok(Some(piece)) if sink.is_current() => {
                    if std::mem::take(&mut first) {
                        timing::mark(timing::FIRST_CHUNK);
                    }
                    sink.chunk(&piece);
                    // Pieces the browser holds already come one microtask after the other: on a cold
                    // link the app starts with half a second of the answer waiting, and relaying it
                    // all at once held the thread for 50–60 ms (tests/bench/profile_cold.mjs).
                    if timing::now_millis() - slice_start > RELAY_SLICE_MILLIS {
                        crate::state::schedule::next_task().await;
                        slice_start = timing::now_millis();
                    }
                }
                // Cancelled meanwhile: stop reading (the fetch was aborted too, or will be dropped).
                Ok(Some(_)) => return Ok(()),
                Ok(None) => {
                    timing::mark(timing::FETCHED);
                    sink.end();
                    return Ok(());
                }
                Err(e) => {
                    // The worker's request is dropped quietly; the error is reported once, here.
                    self.requests.try_update_value(|r| r.remove(&sink.id()));
                    if sink.is_current() {
                        sink.fail(e.to_string());
                    }
                    return Err(e);
                }
            }
        }
    }

    /// Stops the newest load (the progress bar's Cancel): its fetch is aborted and its parse dropped.
    /// Loads listed already stay.
    pub fn cancel_newest(&self) {
        let generation = self.generation.get_value();
        self.fetching.update_value(|f| {
            f.retain(|(_, g, abort)| {
                if *g == generation {
                    abort.abort();
                }
                *g != generation
            })
        });
        let ids: Vec<u32> = self
            .requests
            .with_value(|r| r.iter().filter(|(_, p)| p.generation == generation).map(|(id, _)| *id).collect());
        self.loader.with_value(|l| {
            if let Some(l) = l {
                ids.iter().for_each(|id| l.cancel(*id));
            }
        });
        self.requests.update_value(|r| r.retain(|_, p| p.generation != generation));
        self.settle_progress();
        if self.requests.with_value(|r| !r.is_empty()) || self.fetching.with_value(|f| !f.is_empty()) {
            // Older loads still running: the bar shows them again when they report.
            self.state.progress.set(None);
        }
    }

    /// Clears the progress bar once nothing is loading any more.
    fn settle_progress(&self) {
        let idle = self.fetching.try_with_value(Vec::is_empty).unwrap_or(true)
            && self.requests.try_with_value(HashMap::is_empty).unwrap_or(true);
        if idle {
            self.state.progress.try_set(None);
        }
    }

    /// Fetches trace `hex` from `backend` (a deep link `/trace/<id>?backend=`, the trace-id box, a
    /// search result) and parses it in the worker, like a file: a 100 MB answer never freezes the page
    /// and gets the same warnings.
    pub fn open_backend_trace(&self, backend: spanlens_backends::Backend, hex: String) {
        let generation = self.begin(&format!("trace {hex} from {}", backend.name));
        let abort = Abort::new();
        let key = backend_key(&backend.name, &hex);
        self.fetching.update_value(|f| f.push((key, generation, abort.clone())));
        let this = *self;
        spawn_local(async move { this.fetch_backend_trace(&backend, &hex, generation, abort, false).await });
    }

    /// Fetches several traces from `backend` for the landing page's list (search results opened
    /// together): one after another, so twenty traces are not twenty fetches and parses at once, but
    /// each parses while the next is on the wire. None navigates; one Cancel stops them all.
    pub fn open_backend_traces(&self, backend: spanlens_backends::Backend, hexes: Vec<String>) {
        let Some(first) = hexes.first() else { return };
        let what = if hexes.len() == 1 {
            format!("trace {first} from {}", backend.name)
        } else {
            format!("{} traces from {}", hexes.len(), backend.name)
        };
        let generation = self.begin(&what);
        let abort = Abort::new();
        // Every trace counts as loading from the start, so the page does not ask for it twice.
        self.fetching.update_value(|f| {
            f.extend(hexes.iter().map(|hex| (backend_key(&backend.name, hex), generation, abort.clone())));
        });
        let this = *self;
        spawn_local(async move {
            for hex in &hexes {
                if abort.is_aborted() {
                    break;
                }
                this.fetch_backend_trace(&backend, hex, generation, abort.clone(), true).await;
            }
            // Cancelled part-way: the traces never started are not loading any more.
            this.fetching.try_update_value(|f| f.retain(|(_, g, _)| *g != generation || !abort.is_aborted()));
            this.settle_progress();
        });
    }

    /// One backend trace on its way: fetched (with Tempo's v1 fallback), streamed to the worker, and
    /// failures reported in the backend's own words. `key` must be in `fetching` already.
    async fn fetch_backend_trace(
        &self,
        backend: &spanlens_backends::Backend,
        hex: &str,
        generation: u64,
        abort: Abort,
        restored: bool,
    ) {
        let key = backend_key(&backend.name, hex);
        let options = || FetchOptions { abort: abort.clone(), ..FetchOptions::default() };
        let mut fetched = api::fetch_stream(&backend.trace_url(hex), options()).await;
        // An older Tempo answers only the v1 path.
        if let (Err(api::ApiError::Status { status: 404, .. }), Some(fallback)) =
            (&fetched, backend.trace_url_fallback(hex))
        {
            fetched = api::fetch_stream(&fallback, options()).await;
        }
        let fetched = match fetched {
            Ok(body) => {
                let source = TraceSource::Backend { backend: backend.name.clone(), request: format!("trace {hex}") };
                let name = format!("{} trace {hex}", backend.name);
                self.stream_to_worker(body, source, &name, generation, restored).await
            }
            Err(e) => Err(e),
        };
        self.fetching.try_update_value(|f| f.retain(|(k, g, _)| !(k == &key && *g == generation)));
        let failed = |what: String| {
            self.settle_progress();
            self.state.report(format!("Could not fetch trace {hex} from {}", backend.name), what);
        };
        match fetched {
            Ok(()) => {}
            Err(api::ApiError::Aborted { .. }) => self.settle_progress(),
            // The backend's own words: Jaeger's `errors` envelope, Tempo's and Zipkin's text.
            Err(api::ApiError::Status { url, status, body, .. }) => {
                failed(spanlens_backends::error_from_response(backend.kind, &url, status, &body).to_string())
            }
            Err(e) => failed(e.to_string()),
        }
    }

    /// True while trace `hex` is being fetched from or parsed for backend `name`.
    pub fn is_loading_backend_trace(&self, name: &str, hex: &str) -> bool {
        let key = backend_key(name, hex);
        let request = format!("trace {hex}");
        self.fetching.with_value(|f| f.iter().any(|(k, _, _)| *k == key))
            || self.requests.with_value(|r| {
                r.values().any(|p| matches!(&p.source, TraceSource::Backend { backend, request: q } if backend == name && *q == request))
            })
    }

    /// Closes one load: its traces leave the lists and are freed once no view shows them.
    pub fn close(&self, load_id: u32) {
        self.state.catalog.update(|c| c.remove(load_id));
        if let Some(key) = self.kept_by_load.try_update_value(|k| k.remove(&load_id)).flatten() {
            self.kept.update(|list| list.retain(|k| k.key != key));
            spawn_local(async move { kept_files::forget(&key).await });
        }
    }

    /// Closes everything, including loads still on their way.
    pub fn clear(&self) {
        let ids: Vec<u32> = self.requests.with_value(|r| r.keys().copied().collect());
        self.loader.with_value(|l| {
            if let Some(l) = l {
                ids.iter().for_each(|id| l.cancel(*id));
            }
        });
        self.requests.update_value(HashMap::clear);
        self.fetching.update_value(|f| f.drain(..).for_each(|(_, _, abort)| abort.abort()));
        self.generation.update_value(|g| *g += 1);
        self.state.progress.set(None);
        self.state.catalog.update(|c| c.clear());
        self.forget_kept();
    }

    fn next_load_id(&self) -> u32 {
        let id = self.next_load_id.try_get_value().unwrap_or(1);
        self.next_load_id.try_set_value(id + 1);
        id
    }

    /// Adds a load built on this thread (a merge) to the catalog.
    pub fn add(&self, source: TraceSource, set: spanlens_model::TraceSet) -> std::sync::Arc<Loaded> {
        let loaded = std::sync::Arc::new(Loaded::new(self.next_load_id(), source, set));
        self.state.catalog.update(|c| c.push(std::sync::Arc::clone(&loaded)));
        loaded
    }

    /// Merges every listed copy of trace `hex` (from separate loads) into one new entry, which hides
    /// the copies until it is closed. Returns the merged trace's link.
    pub fn merge(&self, hex: &str) -> Option<String> {
        let (trace_id, _) = spanlens_model::ids::parse_trace_id_hex(hex).ok()?;
        let parts = self.state.catalog.with_untracked(|c| c.loads_with(trace_id));
        if parts.len() < 2 {
            return None;
        }
        let mut builder = spanlens_model::TraceSetBuilder::new();
        for part in &parts {
            let mut context = spanlens_model::AbsorbContext::new(&part.set);
            builder.absorb_trace_id(&mut context, trace_id);
        }
        let source = TraceSource::Merged { parts: parts.iter().map(|p| p.source.clone()).collect() };
        let merged = self.add(source, builder.finish());
        let part_ids: Vec<u32> = parts.iter().map(|p| p.id).collect();
        self.state.catalog.update(|c| c.hide_merged(merged.id, &part_ids, trace_id));
        merged.set.traces.first().map(|t| merged.trace_href(t))
    }

    /// Takes one event from the loader; `navigate` goes where the newest load, once finished, leads.
    pub fn handle(&self, event: LoaderEvent, navigate: impl Fn(&str)) {
        match event {
            LoaderEvent::Progress { id, file, bytes_done, bytes_total } => {
                // Progress of a load that is not the newest would make the bar jump back and forth.
                if self.is_newest(id) {
                    let parsing = bytes_total > 0 && bytes_done >= bytes_total;
                    self.state.progress.try_set(Some(LoadProgress { file, bytes_done, bytes_total, parsing }));
                }
            }
            LoaderEvent::WarmUp(result) => {
                crate::state::warm_up::run(&result.set);
            }
            LoaderEvent::Failed(id, message) => {
                let pending = self.requests.try_update_value(|r| r.remove(&id)).flatten();
                self.settle_progress();
                let what = pending
                    .map_or_else(|| "Loading failed".to_owned(), |p| format!("Could not load {}", p.source.label()));
                self.state.report(what, message);
            }
            LoaderEvent::Done(id, result) => self.finished(id, *result, navigate),
        }
    }

    fn is_newest(&self, request_id: u32) -> bool {
        let generation = self.requests.try_with_value(|r| r.get(&request_id).map(|p| p.generation)).flatten();
        generation.is_some() && generation == self.generation.try_get_value()
    }

    fn finished(&self, id: u32, result: spanlens_protocol::LoadResult, navigate: impl Fn(&str)) {
        let newest = self.is_newest(id);
        let Some(pending) = self.requests.try_update_value(|r| r.remove(&id)).flatten() else { return };
        timing::mark(timing::PARSED);
        timing::record_duration(timing::WORKER_READ, result.read_millis);
        timing::record_duration(timing::WORKER_BUSY, result.busy_millis);
        timing::record_duration(timing::WORKER_IMPORT, result.parse_millis);
        self.settle_progress();
        for e in &result.errors {
            self.state.report(format!("Could not open {}", e.file), e.to_string());
        }
        if result.set.traces.is_empty() && result.errors.is_empty() {
            self.state.report("No traces found", "The files were read, but they contain no spans.");
        }
        let loaded = Loaded::new(self.next_load_id(), pending.source, result.set).with_analysed(result.analysed);
        if let Some(key) = pending.kept_key {
            self.kept_by_load.try_update_value(|k| {
                k.insert(loaded.id, key);
            });
        }
        let target = match loaded.set.traces.as_slice() {
            [only] => Some(loaded.trace_href(only)),
            [] => None,
            _ => Some(format!("/{}", loaded.link_query())),
        };
        // A link's data (a URL or a backend's trace) lands on the page the link opened.
        let from_url = loaded.source.url().is_some() || matches!(loaded.source, TraceSource::Backend { .. });
        let target = if pending.restored {
            None
        } else if !newest {
            leptos::logging::log!("spanlens: listed a load that finished after a newer one; the newer one stays shown");
            None
        } else if on_linked_page() && from_url {
            // A URL load opened by a shared link to a page other than the landing page stays there.
            None
        } else {
            target
        };
        self.state.paint_pending.try_set_value(newest);
        self.state.catalog.try_update(|c| c.push(std::sync::Arc::new(loaded)));
        if let Some(target) = &target {
            navigate(target);
        }
    }
}

/// Whether the page is one a shared link can open other than the landing page.
fn on_linked_page() -> bool {
    web_sys::window().and_then(|w| w.location().pathname().ok()).is_some_and(|p| {
        p.contains("/trace/")
            || p.contains("/compare/")
            || ["/search", "/services", "/warnings"].iter().any(|page| p.ends_with(page))
    })
}

/// How long relaying a fetched body's pieces to the worker may hold the UI thread at a time.
const RELAY_SLICE_MILLIS: f64 = 20.0;
