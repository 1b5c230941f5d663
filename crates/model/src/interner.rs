//! String interning.
//!
//! Service names, span names, attribute keys and most attribute values repeat across spans. Storing
//! each distinct string once and referring to it by a 4-byte [`Sym`] keeps the model near its memory
//! budget and turns string equality (TraceQL, filters) into integer comparison.

use serde::{Deserialize, Serialize};
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

    pub(crate) fn from_index(index: usize) -> Option<Self> {
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
    index: Index,
}

/// The lookup index: an open-addressing table of string positions, keyed by bytes. Interning is on
/// the import hot path (every key and string value), so it is tuned for that: foldhash (SipHash cost
/// ~5% of OTLP import time; the fixed seed keeps wasm builds deterministic), a 32-bit hash tag per
/// slot so that a probe compares strings only when the tags agree, and an inline comparison instead
/// of `memcmp` for the short strings traces are made of. Looking up by bytes lets importers find an
/// already interned string straight from the input without validating UTF-8 again.
#[derive(Clone, Default)]
struct Index {
    /// `(position + 1, hash tag)`; position 0 marks an empty slot. Length is 0 or a power of two.
    slots: Vec<(u32, u32)>,
    len: usize,
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(bytes)
}

/// Byte equality, inline, eight bytes at a time (the last eight overlapping): for the short strings
/// of trace files a call to `memcmp` costs more than the comparison.
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word =
        |s: &[u8], at: usize| s.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map(u64::from_le_bytes);
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

impl Index {
    /// The slot holding `bytes`, or the empty slot where it would go (`Err`). `None` only when the
    /// table has no slots yet.
    #[inline]
    fn find(&self, strings: &[Arc<str>], bytes: &[u8], hash: u64) -> Option<Result<usize, usize>> {
        let mask = self.slots.len().checked_sub(1)?;
        let tag = (hash >> 32) as u32;
        let mut i = hash as usize & mask;
        loop {
            let (pos, slot_tag) = *self.slots.get(i)?;
            if pos == 0 {
                return Some(Err(i));
            }
            if slot_tag == tag && strings.get(pos as usize - 1).is_some_and(|s| same_bytes(s.as_bytes(), bytes)) {
                return Some(Ok(pos as usize - 1));
            }
            i = (i + 1) & mask;
        }
    }

    /// Records `strings[position]` (not present yet), growing the table to stay at most half full.
    fn insert(&mut self, strings: &[Arc<str>], position: usize, hash: u64) {
        if (self.len + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(64);
            let old = std::mem::replace(&mut self.slots, vec![(0, 0); size]);
            for (pos, _) in old.into_iter().filter(|&(pos, _)| pos != 0) {
                if let Some(s) = strings.get(pos as usize - 1) {
                    let h = hash_bytes(s.as_bytes());
                    self.place(pos, h);
                }
            }
        }
        if let Ok(pos) = u32::try_from(position + 1) {
            self.place(pos, hash);
            self.len += 1;
        }
    }

    fn place(&mut self, pos: u32, hash: u64) {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while let Some(slot) = self.slots.get_mut(i) {
            if slot.0 == 0 {
                *slot = (pos, (hash >> 32) as u32);
                return;
            }
            i = (i + 1) & mask;
        }
    }
}

impl Interner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns `text`. Past u32::MAX distinct strings (impossible within wasm's 4 GiB) the empty
    /// string's symbol is returned instead of panicking.
    pub fn intern(&mut self, text: &str) -> Sym {
        let hash = hash_bytes(text.as_bytes());
        match self.index.find(&self.strings, text.as_bytes(), hash) {
            Some(Ok(pos)) => Sym::from_index(pos).unwrap_or(Sym(NonZeroU32::MIN)),
            _ => self.insert(text, hash),
        }
    }

    /// Interns text given as bytes, validating UTF-8 only when the string is new. `None` when the
    /// bytes are not UTF-8.
    #[inline]
    pub fn intern_bytes(&mut self, bytes: &[u8]) -> Option<Sym> {
        let hash = hash_bytes(bytes);
        if let Some(Ok(pos)) = self.index.find(&self.strings, bytes, hash) {
            return Sym::from_index(pos);
        }
        std::str::from_utf8(bytes).ok().map(|text| self.insert(text, hash))
    }

    fn insert(&mut self, text: &str, hash: u64) -> Sym {
        let Some(sym) = Sym::from_index(self.strings.len()) else {
            return self.empty_fallback();
        };
        self.strings.push(Arc::from(text));
        self.index.insert(&self.strings, self.strings.len() - 1, hash);
        sym
    }

    fn empty_fallback(&mut self) -> Sym {
        self.get("").unwrap_or(Sym(NonZeroU32::MIN))
    }

    /// Looks a string up without interning it (TraceQL: a literal absent from the data matches nothing).
    pub fn get(&self, text: &str) -> Option<Sym> {
        match self.index.find(&self.strings, text.as_bytes(), hash_bytes(text.as_bytes())) {
            Some(Ok(pos)) => Sym::from_index(pos),
            _ => None,
        }
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

    /// Forgets every string interned after the first `len` (a failed import is rolled back, and its
    /// strings with it). Rebuilds the lookup index: O(strings), and only ever on a failed file.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.strings.len() {
            return;
        }
        self.strings.truncate(len);
        self.index.slots.iter_mut().for_each(|slot| *slot = (0, 0));
        self.index.len = 0;
        for position in 0..self.strings.len() {
            let hash = self.strings.get(position).map_or(0, |s| hash_bytes(s.as_bytes()));
            self.index.insert(&self.strings, position, hash);
        }
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
        // Many strings: the table grows and keeps every symbol findable.
        let syms: Vec<Sym> = (0..5000).map(|n| i.intern(&format!("s{n}"))).collect();
        for (n, sym) in syms.iter().enumerate() {
            assert_eq!(i.get(&format!("s{n}")), Some(*sym));
            assert_eq!(i.resolve(*sym), format!("s{n}"));
        }
        assert_eq!(i.intern("checkout"), a);
        assert_eq!(i.len(), 5003);
        assert_eq!(std::mem::size_of::<Option<Sym>>(), 4);
    }

    #[test]
    fn truncate_forgets_later_strings_and_keeps_lookups_right() {
        let mut i = Interner::new();
        let words: Vec<String> = (0..500).map(|n| format!("w{n}")).collect();
        let syms: Vec<Sym> = words.iter().map(|w| i.intern(w)).collect();
        i.truncate(100);
        assert_eq!(i.len(), 100);
        assert_eq!(i.get("w99"), Some(syms[99]));
        assert_eq!(i.get("w100"), None);
        // Re-interning a forgotten string gives the next free symbol, as a fresh interner would.
        assert_eq!(i.intern("w300"), syms[100]);
        assert_eq!(i.resolve(syms[100]), "w300");
        i.truncate(1000);
        assert_eq!(i.len(), 101);
    }

    #[test]
    fn same_bytes_compares_every_byte() {
        for n in 0..40 {
            let a: Vec<u8> = (0..n as u8).collect();
            assert!(same_bytes(&a, &a.clone()));
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 1;
                assert!(!same_bytes(&a, &b), "n {n} i {i}");
            }
        }
        assert!(!same_bytes(b"ab", b"abc"));
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
