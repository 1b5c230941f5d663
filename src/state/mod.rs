//! Application state shared through Leptos context.

pub mod app_state;
pub mod loader;

pub use app_state::{AppState, LoadProgress, Loaded, Notice};
pub use loader::{Loader, LoaderEvent};
