//! Importers: one module per format, all pushing into one [`crate::TraceSetBuilder`].
//!
//! OWNERSHIP NOTE (temporary, while the importers are being written): the importer helper owns this
//! file and `detect.rs`; see `error.rs` for the shared error type.

pub mod error;

pub use error::{ImportError, Position};
