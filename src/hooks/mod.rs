//! Reusable hooks, one per file.

pub mod use_window_drop;

pub use use_window_drop::use_window_drop;
