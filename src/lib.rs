//! The spanlens browser app: UI and browser I/O only. Parsing, layout and TraceQL live in the pure
//! crates under `crates/`.

pub mod app;
pub mod components;
pub mod fetch;
pub mod format;
pub mod hooks;
pub mod pages;
pub mod protocol;
pub mod state;
pub mod theme;
pub mod timing;

pub use app::App;
