//! The state every page reads: the catalog of loads, load progress, and user-facing notices.

use crate::state::Catalog;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct LoadProgress {
    pub file: String,
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Reading is done and the importers are running; there is no byte count for that phase.
    pub parsing: bool,
}

/// A message in the error banner.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub id: u64,
    pub title: String,
    pub detail: String,
}

/// Copyable handle to the shared signals; provided once by the shell.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Every load, side by side (see `catalog`).
    pub catalog: RwSignal<Catalog>,
    pub progress: RwSignal<Option<LoadProgress>>,
    pub notices: RwSignal<Vec<Notice>>,
    /// The theme in effect; canvases read it to pick their colours.
    pub theme: RwSignal<crate::theme::Theme>,
    next_notice_id: StoredValue<u64>,
    /// Set when a load finishes; the first page that paints trace data records the
    /// `spanlens:first-paint` mark and clears it.
    pub paint_pending: StoredValue<bool>,
}

impl AppState {
    pub fn new() -> Self {
        AppState {
            catalog: RwSignal::new(Catalog::default()),
            progress: RwSignal::new(None),
            notices: RwSignal::new(Vec::new()),
            theme: RwSignal::new(crate::theme::current()),
            next_notice_id: StoredValue::new(1),
            paint_pending: StoredValue::new(false),
        }
    }

    /// The app root provides the state (component tests provide their own); without it every report
    /// and load would go to a detached copy nobody sees, so a missing context is a bug and panics.
    pub fn from_context() -> Self {
        expect_context::<AppState>()
    }

    /// Shows an error in the banner. `try_` variants: this is called from worker and fetch callbacks
    /// that can outlive the owner during page teardown.
    pub fn report(&self, title: impl Into<String>, detail: impl Into<String>) {
        let id = self.next_notice_id.try_get_value().unwrap_or(1);
        self.next_notice_id.try_set_value(id + 1);
        let notice = Notice { id, title: title.into(), detail: detail.into() };
        self.notices.try_update(|list| list.push(notice));
    }

    pub fn dismiss(&self, id: u64) {
        self.notices.update(|list| list.retain(|n| n.id != id));
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}
