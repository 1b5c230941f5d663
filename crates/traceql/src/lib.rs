//! TraceQL for spanlens: lexer, parser, validator and evaluator, following
//! Grafana Tempo's implementation (see `shared/docs/TRACEQL.md`).

pub mod duration;
pub mod error;
pub mod lexer;
pub mod token;

pub use error::{Error, ErrorKind, Errors};
