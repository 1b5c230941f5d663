//! UI components, one per file.

pub mod completion_popup;
pub mod drop_overlay;
pub mod duration_cell;
pub mod error_banner;
pub mod header;
pub mod minimap;
pub mod progress_bar;
pub mod query_editor;
pub mod query_history;
pub mod search_results;
pub mod shortcuts_help;
pub mod span_detail;
pub mod trace_header;
pub mod trace_link_cell;
pub mod trace_list;
pub mod trace_toolbar;
pub mod waterfall;

pub use completion_popup::CompletionPopup;
pub use drop_overlay::DropOverlay;
pub use duration_cell::DurationCell;
pub use error_banner::ErrorBanner;
pub use header::Header;
pub use minimap::Minimap;
pub use progress_bar::ProgressBar;
pub use query_editor::QueryEditor;
pub use query_history::QueryHistory;
pub use search_results::SearchResults;
pub use shortcuts_help::ShortcutsHelp;
pub use span_detail::SpanDetail;
pub use trace_header::TraceHeader;
pub use trace_link_cell::TraceLinkCell;
pub use trace_list::TraceList;
pub use trace_toolbar::TraceToolbar;
pub use waterfall::Waterfall;
