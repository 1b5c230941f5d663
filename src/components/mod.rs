//! UI components, one per file.

pub mod drop_overlay;
pub mod error_banner;
pub mod header;
pub mod progress_bar;
pub mod trace_list;

pub use drop_overlay::DropOverlay;
pub use error_banner::ErrorBanner;
pub use header::Header;
pub use progress_bar::ProgressBar;
pub use trace_list::TraceList;
