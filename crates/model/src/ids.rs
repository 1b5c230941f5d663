//! Trace and span identifiers.
//!
//! Ids are stored as integers, not strings: a million spans with hex-string ids would cost tens of
//! megabytes and every comparison would be a string compare. The width an id was written with is kept
//! separately (Jaeger and Zipkin still emit 64-bit trace ids) so that ids print back exactly as read.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A 128-bit trace id. Equality ignores the width it was written with, so that the same trace written
/// as a 64-bit id by one tool and as a zero-padded 128-bit id by another is stitched into one trace.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct TraceId(pub u128);

/// A 64-bit span id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct SpanId(pub u64);

impl TraceId {
    /// Lower-case hex, zero-padded to `width_bytes` (8 or 16) or wider when the value needs it.
    pub fn to_hex(self, width_bytes: u8) -> String {
        let digits = if width_bytes <= 8 && self.0 <= u128::from(u64::MAX) { 16 } else { 32 };
        format!("{:0digits$x}", self.0)
    }
}

impl SpanId {
    pub fn to_hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

/// The original text of span ids that were not hex (`span-A`, `root`, `s1`: hand-written traces and
/// some test suites use them). Such an id gets a stable 64-bit value, the FNV-1a hash of its text,
/// so that references to the same text resolve to the same span; the text is kept here so views and
/// output show the id as written. A hash already taken by another text moves to the next free value
/// (deterministic for a given input order).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SpanIdTexts {
    /// Sorted by id.
    entries: std::collections::BTreeMap<u64, Box<str>>,
    /// Text to id, for collisions and repeats; rebuilt on demand after deserializing.
    #[serde(skip)]
    by_text: std::collections::HashMap<Box<str>, u64>,
    /// Ids in the order they were added (since the table was made or deserialized), so that an
    /// import that fails can take back what it added ([`Self::truncate`]).
    #[serde(skip)]
    added: Vec<u64>,
}

/// Equal when they map the same ids to the same texts (the reverse index is a cache).
impl PartialEq for SpanIdTexts {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Eq for SpanIdTexts {}

impl SpanIdTexts {
    /// The text an id was written as, when it was not hex.
    pub fn get(&self, id: SpanId) -> Option<&str> {
        self.entries.get(&id.0).map(|t| &**t)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The id for `text`, allocating it on first use. Returns the id and whether it is new.
    pub fn intern(&mut self, text: &str) -> (SpanId, bool) {
        if self.by_text.len() != self.entries.len() {
            self.by_text = self.entries.iter().map(|(&id, t)| (t.clone(), id)).collect();
        }
        if let Some(&id) = self.by_text.get(text) {
            return (SpanId(id), false);
        }
        let mut id = fnv1a(text.as_bytes());
        // 0 means "no parent" in several formats; skip it and any taken value.
        while id == 0 || self.entries.contains_key(&id) {
            id = id.wrapping_add(1);
        }
        self.entries.insert(id, text.into());
        self.by_text.insert(text.into(), id);
        self.added.push(id);
        (SpanId(id), true)
    }

    /// Removes the entries added after the table had `len` of them (see [`Self::len`]).
    pub fn truncate(&mut self, len: usize) {
        while self.entries.len() > len {
            let Some(id) = self.added.pop() else { break };
            if let Some(text) = self.entries.remove(&id) {
                self.by_text.remove(&text);
            }
        }
    }

    /// Records `text` for `id` as it was allocated elsewhere (copying a span between sets).
    pub fn insert(&mut self, id: SpanId, text: &str) {
        if self.entries.contains_key(&id.0) {
            return;
        }
        self.entries.insert(id.0, text.into());
        self.added.push(id.0);
        if self.by_text.len() + 1 == self.entries.len() {
            self.by_text.insert(text.into(), id.0);
        }
    }

    /// Every (id, text) pair, by id.
    pub fn iter(&self) -> impl Iterator<Item = (SpanId, &str)> {
        self.entries.iter().map(|(&id, t)| (SpanId(id), &**t))
    }
}

/// 64-bit FNV-1a: simple, stable across versions and platforms (ids must not change between loads).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Why a textual id could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("id is empty")]
    Empty,
    #[error("id {0:?} is longer than {1} hex digits")]
    TooLong(String, usize),
    #[error("id {0:?} is not hexadecimal")]
    NotHex(String),
}

/// Value of one hex digit, or 0xff: the importers' fast id paths decode ids straight from input bytes.
const fn hex_table() -> [u8; 256] {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
}
pub static HEX_DIGIT: [u8; 256] = hex_table();

/// Parses a hex id of at most `max_digits` digits. Leading zeros may be missing (Jaeger UI and some
/// exporters strip them), which is why the digit count also yields the original width in bytes.
pub fn parse_hex_id(text: &str, max_digits: usize) -> Result<(u128, u8), IdError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(IdError::Empty);
    }
    if text.len() > max_digits {
        return Err(IdError::TooLong(truncate_for_message(text), max_digits));
    }
    let value = u128::from_str_radix(text, 16).map_err(|_| IdError::NotHex(truncate_for_message(text)))?;
    // A leading '+' is accepted by from_str_radix but is not hex.
    if text.starts_with('+') {
        return Err(IdError::NotHex(truncate_for_message(text)));
    }
    let width_bytes = if text.len() <= 16 { 8 } else { 16 };
    Ok((value, width_bytes))
}

/// Parses a trace id in hex (1 to 32 digits). Returns the id and its width in bytes (8 or 16).
pub fn parse_trace_id_hex(text: &str) -> Result<(TraceId, u8), IdError> {
    parse_hex_id(text, 32).map(|(v, w)| (TraceId(v), w))
}

/// Parses a span id in hex (1 to 16 digits).
pub fn parse_span_id_hex(text: &str) -> Result<SpanId, IdError> {
    parse_hex_id(text, 16).map(|(v, _)| SpanId(v as u64))
}

/// Reads an id from big-endian bytes (OTLP protobuf, base64 JSON). Returns the width in bytes.
pub fn id_from_be_bytes(bytes: &[u8]) -> Option<(u128, u8)> {
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    let mut value: u128 = 0;
    for &b in bytes {
        value = (value << 8) | u128::from(b);
    }
    Some((value, if bytes.len() <= 8 { 8 } else { 16 }))
}

/// Error messages quote untrusted input; keep them short so a 10 MB "id" cannot flood the UI.
pub fn truncate_for_message(text: &str) -> String {
    const MAX_CHARS: usize = 48;
    if text.chars().count() <= MAX_CHARS {
        text.to_owned()
    } else {
        let head: String = text.chars().take(MAX_CHARS).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_round_trip_and_tolerate_missing_leading_zeros() {
        let (id, w) = parse_trace_id_hex("5b8efff798038103d269b633813fc60c").unwrap();
        assert_eq!(w, 16);
        assert_eq!(id.to_hex(w), "5b8efff798038103d269b633813fc60c");
        let (short, w) = parse_trace_id_hex("abc").unwrap();
        assert_eq!(w, 8);
        assert_eq!(short.to_hex(w), "0000000000000abc");
        // 31 digits: a 128-bit id that lost one leading zero.
        let (id31, w) = parse_trace_id_hex("6c1f2b3a4d5e6f708192a3b4c5d6e7f").unwrap();
        assert_eq!(w, 16);
        assert_eq!(id31.to_hex(w), "06c1f2b3a4d5e6f708192a3b4c5d6e7f");
    }

    #[test]
    fn bad_ids_are_errors() {
        assert_eq!(parse_span_id_hex(""), Err(IdError::Empty));
        assert!(matches!(parse_span_id_hex("xyz"), Err(IdError::NotHex(_))));
        assert!(matches!(parse_span_id_hex("+abc"), Err(IdError::NotHex(_))));
        assert!(matches!(parse_span_id_hex("00000000000000000"), Err(IdError::TooLong(_, 16))));
    }

    #[test]
    fn be_bytes() {
        assert_eq!(id_from_be_bytes(&[0, 0, 1, 2]), Some((0x102, 8)));
        assert_eq!(id_from_be_bytes(&[]), None);
        assert_eq!(id_from_be_bytes(&[0; 17]), None);
    }
}
