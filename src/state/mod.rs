//! Application state shared through Leptos context.

pub mod app_state;
pub mod backend_form;
pub mod backend_search_run;
pub mod backends;
pub mod catalog;
pub mod compare_link;
pub mod diff_rows;
pub mod early_worker;
pub mod file_reader;
pub mod focus;
pub mod graph_focus;
pub mod incoming;
pub mod kept_files;
pub mod loader;
pub mod loads;
pub mod metrics;
pub mod schedule;
pub mod search;
pub mod trace_analysis;
pub mod trace_chrome;
pub mod trace_ref;
pub mod trace_rows;
pub mod warm_up;

pub use app_state::{AppState, LoadProgress, Notice};
pub use backends::Backends;
pub use catalog::{Catalog, LoadSelector, Loaded};
pub use focus::Focus;
pub use loader::{Loader, LoaderEvent};
pub use loads::{DEMO_URL, Loads};
pub use trace_analysis::TraceAnalysis;
pub use trace_chrome::TraceChrome;
pub use trace_ref::{Shared, TraceRef};
