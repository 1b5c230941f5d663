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
