//! Application state shared through Leptos context.

pub mod app_state;
pub mod file_reader;
pub mod loader;
pub mod loads;
pub mod search;
pub mod trace_ref;
pub mod trace_view;
pub mod warm_up;

pub use app_state::{AppState, LoadProgress, Loaded, Notice};
pub use loader::{Loader, LoaderEvent};
pub use loads::{DEMO_URL, Loads, Origin};
pub use trace_ref::{Shared, TraceRef};
pub use trace_view::TraceViewState;
