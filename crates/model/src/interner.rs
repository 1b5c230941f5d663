//! String interning.
//!
//! Service names, span names, attribute keys and most attribute values repeat across spans. Storing
//! each distinct string once and referring to it by a 4-byte [`Sym`] keeps the model near its memory
//! budget and turns string equality (TraceQL, filters) into integer comparison.

use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;
use std::sync::Arc;

/// A handle to an interned string. `Option<Sym>` is 4 bytes thanks to the niche.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Sym(NonZeroU32);

impl Sym {
    /// Position of the string in [`Interner::strings`].
    pub fn index(self) -> usize {
        (self.0.get() - 1) as usize
    }

    fn from_index(index: usize) -> Option<Self> {
        u32::try_from(index + 1).ok().and_then(NonZeroU32::new).map(Sym)
    }
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sym({})", self.index())
    }
}

/// Owns every distinct string of a [`crate::TraceSet`]. Serializes as a plain list of strings; the
/// lookup index is rebuilt on deserialization, so the wire form stays compact for worker transfer.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Arc<str>>", into = "Vec<Arc<str>>")]
pub struct Interner {
    strings: Vec<Arc<str>>,
    // Arc shares the bytes between the list and the index instead of storing every string twice.
    // foldhash instead of SipHash: interning is on the import hot path (every key and string value),
    // and SipHash cost ~5% of OTLP import time. The fixed seed keeps wasm builds deterministic.
    index: HashMap<IndexKey, Sym, foldhash::fast::FixedState>,
}

/// A string in the index, looked up by its bytes: importers can then find an already interned string
/// straight from the input without validating UTF-8 again (equal bytes are the same valid text).
#[derive(Clone, PartialEq, Eq)]
struct IndexKey(Arc<str>);

impl Hash for IndexKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Must hash exactly as `[u8]` does, for lookups through `Borrow<[u8]>`.
        self.0.as_bytes().hash(state);
    }
}

impl Borrow<[u8]> for IndexKey {
    fn borrow(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Interner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns `text`. Past u32::MAX distinct strings (impossible within wasm's 4 GiB) the empty
    /// string's symbol is returned instead of panicking.
    pub fn intern(&mut self, text: &str) -> Sym {
        if let Some(&sym) = self.index.get(text.as_bytes()) {
            return sym;
        }
        self.insert(text)
    }

    /// Interns text given as bytes, validating UTF-8 only when the string is new. `None` when the
    /// bytes are not UTF-8.
    #[inline]
    pub fn intern_bytes(&mut self, bytes: &[u8]) -> Option<Sym> {
        if let Some(&sym) = self.index.get(bytes) {
            return Some(sym);
        }
        std::str::from_utf8(bytes).ok().map(|text| self.insert(text))
    }

    fn insert(&mut self, text: &str) -> Sym {
        let Some(sym) = Sym::from_index(self.strings.len()) else {
            return self.empty_fallback();
        };
        let shared: Arc<str> = Arc::from(text);
        self.strings.push(Arc::clone(&shared));
        self.index.insert(IndexKey(shared), sym);
        sym
    }

    fn empty_fallback(&mut self) -> Sym {
        match self.index.get("".as_bytes()) {
            Some(&sym) => sym,
            None => Sym(NonZeroU32::MIN),
        }
    }

    /// Looks a string up without interning it (TraceQL: a literal absent from the data matches nothing).
    pub fn get(&self, text: &str) -> Option<Sym> {
        self.index.get(text.as_bytes()).copied()
    }

    /// The text of a symbol. A symbol from another interner yields "" rather than panicking.
    pub fn resolve(&self, sym: Sym) -> &str {
        self.strings.get(sym.index()).map_or("", |s| s)
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Every interned string with its symbol, in interning order.
    pub fn iter(&self) -> impl Iterator<Item = (Sym, &str)> {
        self.strings.iter().enumerate().filter_map(|(i, s)| Sym::from_index(i).map(|sym| (sym, &**s)))
    }

    /// Bytes held by string payloads (for memory reports).
    pub fn payload_bytes(&self) -> usize {
        self.strings.iter().map(|s| s.len()).sum()
    }
}

impl From<Vec<Arc<str>>> for Interner {
    fn from(strings: Vec<Arc<str>>) -> Self {
        let mut interner = Interner::new();
        for s in strings {
            // Re-interning keeps indices identical because the list was written without duplicates.
            interner.intern(&s);
        }
        interner
    }
}

impl From<Interner> for Vec<Arc<str>> {
    fn from(interner: Interner) -> Self {
        interner.strings
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner").field("len", &self.strings.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once_and_resolves() {
        let mut i = Interner::new();
        let a = i.intern("checkout");
        let b = i.intern("payment");
        assert_eq!(i.intern("checkout"), a);
        assert_ne!(a, b);
        assert_eq!(i.resolve(b), "payment");
        assert_eq!(i.get("nope"), None);
        assert_eq!(i.intern_bytes(b"checkout"), Some(a));
        let c = i.intern_bytes("caf\u{e9}".as_bytes()).unwrap();
        assert_eq!(i.resolve(c), "caf\u{e9}");
        assert_eq!(i.intern("caf\u{e9}"), c);
        assert_eq!(i.intern_bytes(b"\xff"), None);
        assert_eq!(std::mem::size_of::<Option<Sym>>(), 4);
    }

    #[test]
    fn serde_round_trip_keeps_symbols() {
        let mut i = Interner::new();
        let a = i.intern("x");
        let b = i.intern("y");
        let json = serde_json::to_string(&i).unwrap();
        let back: Interner = serde_json::from_str(&json).unwrap();
        assert_eq!(back.resolve(a), "x");
        assert_eq!(back.get("y"), Some(b));
    }
}
