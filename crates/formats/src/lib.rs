//! spanlens trace formats: one importer per format ([`import`]), the exporters ([`export`]), format
//! detection and the streaming import. Every importer pushes into one
//! [`spanlens_model::TraceSetBuilder`], so every format ends in the same model.
//!
//! Only the parsing worker, the CLI and native tools compile this crate; the UI bundle receives
//! parsed models from the worker and never does.

// Tests may unwrap: a panic there is a failed assertion. Library code is checked without cfg(test).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod export;
pub mod import;

pub use import::{ImportError, import_bytes};
