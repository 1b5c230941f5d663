//! Group keys of spans as integers, and dense id maps from keys to group ids.
//!
//! A key is the interned symbol of the group's text when it has one (service and operation names
//! always do, string attributes too), so the hot loop looks groups up in a vector indexed by symbol
//! instead of hashing strings. Values that are not interned strings (numbers, booleans) are turned
//! into text once per distinct value and get keys above `u32::MAX`.

use super::Acc;
use super::{GroupKey, SpanRef};
use spanlens_model::{AnyValue, Span, Sym, TraceSet};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The key of "the span lacks the attribute".
pub(crate) const MISSING: u64 = u64::MAX;

/// First key used for values that are not interned strings.
const LOCAL_BASE: u64 = 1 << 32;

/// Turns a span into its group key for one [`GroupKey`].
pub(crate) struct Keyer {
    what: What,
    /// Texts of values that are not interned, by `key - LOCAL_BASE`.
    local: Vec<String>,
    local_ids: HashMap<String, u64>,
    /// Keys of scalar values already seen, by (type, bits).
    scalars: HashMap<(u8, u64), u64>,
}

enum What {
    Service,
    Operation,
    /// The attribute's symbol; `None` when the key was never interned, so no span can carry it.
    Attr(Option<Sym>, String),
}

impl Keyer {
    pub(crate) fn new(set: &TraceSet, key: &GroupKey) -> Keyer {
        let what = match key {
            GroupKey::Service => What::Service,
            GroupKey::Operation => What::Operation,
            GroupKey::Attr(k) => What::Attr(set.strings.get(k), k.clone()),
        };
        Keyer { what, local: Vec::new(), local_ids: HashMap::new(), scalars: HashMap::new() }
    }

    pub(crate) fn key(&mut self, set: &TraceSet, span: &Span) -> u64 {
        match &self.what {
            What::Service => span.service.index() as u64,
            What::Operation => span.name.index() as u64,
            What::Attr(None, _) => MISSING,
            What::Attr(Some(key), _) => {
                let key = *key;
                let value = span.attribute(key).or_else(|| {
                    set.resource(span).and_then(|r| r.attributes.iter().find(|a| a.key == key)).map(|a| &a.value)
                });
                match value {
                    None => MISSING,
                    Some(AnyValue::Str(s)) if set.resolve(*s).is_empty() => MISSING,
                    Some(AnyValue::Str(s)) => s.index() as u64,
                    Some(other) => {
                        // Numbers and booleans repeat (status codes): remember their key by value so
                        // the text is made once per distinct value, not once per span.
                        let scalar = match other {
                            AnyValue::Int(i) => Some((1u8, *i as u64)),
                            AnyValue::Bool(b) => Some((2, u64::from(*b))),
                            AnyValue::Float(f) => Some((3, f.to_bits())),
                            _ => None,
                        };
                        if let Some(k) = scalar.and_then(|v| self.scalars.get(&v)) {
                            return *k;
                        }
                        let k = self.text_key(set, other);
                        if let Some(v) = scalar {
                            self.scalars.insert(v, k);
                        }
                        k
                    }
                }
            }
        }
    }

    /// The key of a value that is not an interned string, by its display text.
    fn text_key(&mut self, set: &TraceSet, other: &AnyValue) -> u64 {
        let text = other.display(&set.strings);
        if text.is_empty() {
            return MISSING;
        }
        // The same text as an interned string value is the same group.
        if let Some(sym) = set.strings.get(&text) {
            return sym.index() as u64;
        }
        if let Some(&k) = self.local_ids.get(&text) {
            return k;
        }
        let k = LOCAL_BASE + self.local.len() as u64;
        self.local.push(text.clone());
        self.local_ids.insert(text, k);
        k
    }

    /// The row's text for a group whose first member is `span` with key `key`, and whether it is
    /// the "Without tag" row. Taken from a member because a key is only a symbol's index.
    pub(crate) fn label(&mut self, set: &TraceSet, span: Option<&Span>, key: u64) -> (String, bool) {
        if key == MISSING {
            let name = match &self.what {
                What::Attr(_, name) => name.as_str(),
                What::Service => "service",
                What::Operation => "operation",
            };
            return (format!("Without tag: {name}"), true);
        }
        if key >= LOCAL_BASE {
            let text = usize::try_from(key - LOCAL_BASE).ok().and_then(|i| self.local.get(i));
            return (text.cloned().unwrap_or_default(), false);
        }
        let Some(span) = span else {
            return (String::new(), false);
        };
        let text = match &self.what {
            What::Service => set.resolve(span.service).to_owned(),
            What::Operation => set.resolve(span.name).to_owned(),
            What::Attr(..) => {
                // The key is an interned string's index: find the value again on the span.
                let What::Attr(Some(sym), _) = &self.what else {
                    return (String::new(), false);
                };
                let sym = *sym;
                span.attribute(sym)
                    .or_else(|| {
                        set.resource(span).and_then(|r| r.attributes.iter().find(|a| a.key == sym)).map(|a| &a.value)
                    })
                    .map(|v| v.display(&set.strings))
                    .unwrap_or_default()
            }
        };
        (text, false)
    }
}

/// Group ids of first-level keys: a vector indexed by symbol for interned keys, a map for the rest.
#[derive(Default)]
pub(crate) struct IdMap {
    dense: Vec<u32>,
    sparse: HashMap<u64, u32, Fast>,
    keys: Vec<u64>,
}

const NO_ID: u32 = u32::MAX;

impl IdMap {
    /// The group id of `key`, creating the group (and its accumulator) when new.
    pub(crate) fn id(&mut self, key: u64, acc: &mut Vec<Acc>, first: SpanRef) -> u32 {
        if key < LOCAL_BASE {
            let i = key as usize;
            if i >= self.dense.len() {
                self.dense.resize(i + 1, NO_ID);
            }
            if let Some(slot) = self.dense.get_mut(i) {
                if *slot == NO_ID {
                    *slot = self.keys.len() as u32;
                    self.keys.push(key);
                    acc.push(Acc::new(0, first));
                }
                return *slot;
            }
        }
        let next = self.keys.len() as u32;
        let id = *self.sparse.entry(key).or_insert(next);
        if id == next {
            self.keys.push(key);
            acc.push(Acc::new(0, first));
        }
        id
    }

    pub(crate) fn key_of(&self, id: u32) -> u64 {
        self.keys.get(id as usize).copied().unwrap_or(MISSING)
    }
}

/// Group ids of (first-level group, second key) pairs. The second key first becomes a small dense
/// number (by symbol, like [`IdMap`]); then each first-level group has a vector indexed by that
/// number, so the hot loop hashes nothing. Numbers past [`DENSE_PAIRS`] (an attribute with very
/// many values) go to a map instead, bounding the vectors' memory.
#[derive(Default)]
pub(crate) struct PairMap {
    /// Dense number of each second key, by symbol index; [`NO_ID`] when unseen.
    dense_key: Vec<u32>,
    sparse_key: HashMap<u64, u32, Fast>,
    key_count: u32,
    /// Per first-level group, group ids by dense key number.
    per_group: Vec<Vec<u32>>,
    overflow: HashMap<(u32, u32), u32, Fast>,
    keys: Vec<u64>,
}

const DENSE_PAIRS: u32 = 4096;

impl PairMap {
    pub(crate) fn id(&mut self, g1: u32, key: u64, acc: &mut Vec<Acc>, first: SpanRef) -> u32 {
        let k = self.key_number(key);
        let next = self.keys.len() as u32;
        let slot = if k < DENSE_PAIRS {
            let g = g1 as usize;
            if g >= self.per_group.len() {
                self.per_group.resize_with(g + 1, Vec::new);
            }
            let Some(row) = self.per_group.get_mut(g) else {
                return 0;
            };
            if k as usize >= row.len() {
                row.resize(k as usize + 1, NO_ID);
            }
            let Some(slot) = row.get_mut(k as usize) else {
                return 0;
            };
            if *slot == NO_ID {
                *slot = next;
            }
            *slot
        } else {
            *self.overflow.entry((g1, k)).or_insert(next)
        };
        if slot == next {
            self.keys.push(key);
            acc.push(Acc::new(g1, first));
        }
        slot
    }

    fn key_number(&mut self, key: u64) -> u32 {
        let next = self.key_count;
        let number = if key < LOCAL_BASE {
            let i = key as usize;
            if i >= self.dense_key.len() {
                self.dense_key.resize(i + 1, NO_ID);
            }
            match self.dense_key.get_mut(i) {
                Some(slot) => {
                    if *slot == NO_ID {
                        *slot = next;
                    }
                    *slot
                }
                None => next,
            }
        } else {
            *self.sparse_key.entry(key).or_insert(next)
        };
        if number == next {
            self.key_count += 1;
        }
        number
    }

    pub(crate) fn key_of(&self, id: u32) -> u64 {
        self.keys.get(id as usize).copied().unwrap_or(MISSING)
    }
}

/// A multiplicative hasher for small integer keys: SipHash's DoS resistance buys nothing for keys
/// that are symbol indices, and it is several times slower.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Fast = BuildHasherDefault<FastHasher>;
