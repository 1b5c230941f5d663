//! TraceQL for spanlens: lexer, parser, validator and evaluator, following
//! Grafana Tempo's implementation (see `shared/docs/TRACEQL.md`).
//!
//! Entry points:
//! * [`parse`]: text -> AST, or every syntax error found;
//! * [`check`]: parse + Tempo's validity rules; the error kind tells syntax
//!   (CLI exit 2) from semantic (validation/unsupported, CLI exit 3);
//! * [`check_extended`]: the same with spanlens' extensions allowed (`parent.x`, ...);
//! * [`metrics`]: metrics queries (`rate()`, `quantile_over_time()`, ...) evaluated locally;
//! * [`eval`]: run a checked query over traces;
//! * [`highlight::tokens`], [`complete::completion_at`] and `suggest::suggestions` for the
//!   search box.

pub mod ast;
pub mod complete;
pub mod duration;
pub mod error;
pub mod highlight;
pub mod lexer;
pub mod literal;
pub mod metrics;
pub mod narrow;
pub mod parser;
pub mod pattern;
pub mod simple;
#[cfg(feature = "model")]
pub mod suggest;
pub mod token;
pub mod validate;

pub use error::{Error, ErrorKind, Errors};
#[cfg(feature = "model")]
pub use literal::value_literal;
pub use literal::{attr_name, quote};
pub use parser::parse;

/// Parses and validates. `Err` holds syntax errors if there are any,
/// otherwise the validation/unsupported errors.
pub fn check(src: &str) -> Result<ast::Query, Errors> {
    let query = parse(src)?;
    validate::validate(src, &query)?;
    Ok(query)
}

/// Like [`check`], but accepting what spanlens evaluates beyond Tempo: `parent.x`, pipeline
/// comparisons `({ .a } | count()) > ({ .b } | count())` and any scalar filter
/// (`count() > avg(duration) / 1ms`). The search evaluators check with this.
pub fn check_extended(src: &str) -> Result<ast::Query, Errors> {
    let query = parse(src)?;
    validate::validate_extended(src, &query)?;
    Ok(query)
}
pub mod display;
pub mod eval;
