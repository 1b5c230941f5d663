//! Evaluation. The engine is generic over [`SpanSource`], one trace's spans
//! as the evaluator sees them; `model.rs` implements it for spanlens-model
//! traces and the conformance tests implement it for Tempo's test vectors.
//! Attribute keys are resolved once per query (`SpanSource::Key`), so the
//! per-span work is symbol comparison, not string hashing.

pub(crate) mod expr;
#[cfg(feature = "model")]
mod model;
mod pipeline;
mod scalar;
mod structural;
pub mod value;

use crate::ast::{AttrScope, Intrinsic, Query};
use crate::error::Error;
use serde::{Deserialize, Serialize};

#[cfg(feature = "model")]
pub(crate) use model::ModelTrace;
#[cfg(feature = "model")]
pub use model::{EvalOptions, SearchResult, SelectedSpan, SpansetMatch, TraceMatch, evaluate, search, search_trace};
pub use pipeline::CompiledQuery;
pub use value::{AttrValue, Value};

/// Where a field expression is evaluated: a span, and for event/link
/// attributes one event and one link of it (Tempo expands every span into
/// event x link bindings; the span matches if any binding does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    pub span: u32,
    pub event: Option<u32>,
    pub link: Option<u32>,
}

/// Tempo's nested-set numbering. `left == 0` means "not numbered" (a span
/// Tempo could not place), which never satisfies a structural relation.
/// `parent` is the parent's `left`, or -1 for roots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NestedSet {
    pub left: i64,
    pub right: i64,
    pub parent: i64,
}

/// One trace's spans as the evaluator sees them. Spans are addressed by
/// index `0..span_count()`.
pub trait SpanSource {
    /// A resolved attribute name (e.g. an interned symbol).
    type Key;
    fn resolve_key(&self, name: &str) -> Self::Key;
    fn span_count(&self) -> u32;
    fn attribute(&self, at: Binding, scope: AttrScope, key: &Self::Key) -> Value<'_>;
    fn intrinsic(&self, at: Binding, intrinsic: Intrinsic) -> Value<'_>;
    fn event_count(&self, span: u32) -> u32;
    fn link_count(&self, span: u32) -> u32;
    fn nested_set(&self, span: u32) -> NestedSet;
    /// The span's parent, for `parent.x`. The default finds it by nested-set numbers (the
    /// parent's `left` is the span's `parent`), a scan; sources with a tree override it.
    fn parent_span(&self, span: u32) -> Option<u32> {
        let want = self.nested_set(span).parent;
        if want <= 0 {
            return None;
        }
        (0..self.span_count()).find(|&i| i != span && self.nested_set(i).left == want)
    }
}

/// A set of spans of one trace flowing through the pipeline, with the
/// attributes stages attached (`by(...)` groups, aggregate values).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Spanset {
    /// Sorted span indices.
    pub spans: Vec<u32>,
    pub attributes: Vec<(String, AttrValue)>,
    /// The last aggregate computed for this spanset.
    pub scalar: Option<AttrValue>,
}

impl Spanset {
    pub fn all(span_count: u32) -> Spanset {
        Spanset { spans: (0..span_count).collect(), ..Spanset::default() }
    }
}

/// Compiles `query` against `src`'s key space and runs it over `input`.
pub fn run<S: SpanSource>(query: &Query, src: &S, input: Vec<Spanset>) -> Result<Vec<Spanset>, Error> {
    let compiled = CompiledQuery::compile(query, &|name| src.resolve_key(name), "")?;
    compiled.run(src, input)
}
