//! A cheap handle to one loaded trace.

use crate::state::Loaded;
use spanlens_model::{Trace, TraceSet};
use std::sync::Arc;

/// Points at trace `index` of a load. Equality is identity (same load, same index), so memos holding
/// one never compare a million spans.
#[derive(Clone, Debug)]
pub struct TraceRef {
    pub loaded: Arc<Loaded>,
    pub index: usize,
}

impl PartialEq for TraceRef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.loaded, &other.loaded) && self.index == other.index
    }
}

impl TraceRef {
    pub fn set(&self) -> &TraceSet {
        &self.loaded.set
    }

    /// The trace. `index` comes from a lookup in the same load, so the fallback never shows; it only
    /// spares a panic path.
    pub fn trace(&self) -> &Trace {
        static EMPTY: std::sync::OnceLock<Trace> = std::sync::OnceLock::new();
        self.loaded
            .set
            .traces
            .get(self.index)
            .unwrap_or_else(|| EMPTY.get_or_init(|| Trace::new(Default::default(), 16, Vec::new(), &mut Vec::new())))
    }
}

/// Shares a large value in a signal or memo with identity equality instead of deep comparison.
#[derive(Debug)]
pub struct Shared<T>(pub Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared(Arc::new(value))
    }
}
